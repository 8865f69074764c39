// Run by test/mutation-kills-cc.test.ts as nobody (setpriv): a plain-mode executor child, whose
// unshare(CLONE_NEWNS) fails without CAP_SYS_ADMIN, is sent a request anyway through the raw
// channel (spawnExecutor would stop at the failed hello). The child must refuse it (kRefused,
// EPERM) and run nothing: without the refusal it would answer from the parent's namespace.
// Prints one JSON line: the hello and the reply.
import * as net from "node:net";
import * as abi from "../../src/abi.js";
import { loadAddon } from "../../src/hosts/native.js";
import { frame } from "../../src/hosts/native-frames.js";
import { replyReader } from "./raw-replies.js";

const addon = loadAddon();
const w = addon.wire;
let exited!: () => void;
const exit = new Promise<void>((r) => { exited = r; });
const s = addon.spawn({ rootless: false, stdio: null, onExit: () => exited() });
if ("errno" in s) throw new Error(`spawn: ${s.syscall}: ${s.errno}`);
const sock = new net.Socket({ fd: s.fd, readable: true, writable: true });
const reply = replyReader(sock, w);
const hello = await reply();
// getcwd: harmless, and answered with data if the child served it.
sock.write(frame(w, abi.Op.getcwd, -1, 0, 4096, 0, []));
const answer = await reply();
sock.destroy();
addon.kill(s.pid, s.pidfd);
await exit;
if (s.pidfd >= 0) addon.closeFd(s.pidfd);
const brief = (r: typeof hello) => (r === "eof" ? r : { kind: r.kind, ret: r.ret, errno: r.errno });
process.stdout.write(`${JSON.stringify({ hello: brief(hello), answer: brief(answer), kRefused: w.kRefused, kHello: w.kHello })}\n`);
