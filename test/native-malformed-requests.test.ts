// Forged request frames, sent to a real executor child over the addon's own channel (spawn()'s
// fd), with the test as the parent: an exec whose argc wraps 32-bit arithmetic, frame lengths out
// of the wire's bounds, and strings that claim more than the frame holds. The child must answer
// each with a protocol reply (or say framing is lost and exit with wire.kExitFraming), never run
// anything for a frame it cannot trust. (The Executor never sends such frames: only this can.)
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as net from "node:net";
import * as abi from "../src/abi.js";
import { loadAddon } from "../src/hosts/native.js";
import { ReplyReader, type Reply } from "../src/hosts/native-frames.js";
import { eitherMode, nativeTest } from "./helpers/native-env.js";

const { mode, reason } = await eitherMode();
const test = suite(`native malformed requests (${mode})`);

interface Raw {
  send(b: Buffer): void;
  next(): Promise<Reply | "eof">;
  exit: Promise<{ code: number | null; signal: number | null }>;
  kill(): Promise<void>;
}

/** A child from addon.spawn(), its channel read with the executor's own ReplyReader. */
async function rawChild(): Promise<Raw> {
  const addon = loadAddon();
  let done!: (s: { code: number | null; signal: number | null }) => void;
  const exit = new Promise<{ code: number | null; signal: number | null }>((r) => { done = r; });
  const s = addon.spawn({ rootless: mode === "rootless", stdio: null, onExit: (code, signal) => done({ code, signal }) });
  if ("errno" in s) throw new Error(`spawn: ${s.syscall}: ${s.errno}`);
  const reader = new ReplyReader(addon.wire);
  const queue: (Reply | "eof")[] = [];
  let wake: (() => void) | null = null;
  const sock = new net.Socket({ fd: s.fd, readable: true, writable: true });
  sock.on("data", (c: Buffer) => { queue.push(...reader.push(c)); wake?.(); });
  sock.on("error", () => {});
  sock.on("close", () => { queue.push("eof"); wake?.(); });
  const raw: Raw = {
    send: (b) => { sock.write(b); },
    async next() {
      while (queue.length === 0) await new Promise<void>((r) => { wake = r; });
      wake = null;
      return queue[0] === "eof" ? "eof" : queue.shift()!;
    },
    exit: exit.then((st) => { if (s.pidfd >= 0) addon.closeFd(s.pidfd); return st; }),
    async kill() { addon.kill(s.pid, s.pidfd); await raw.exit; sock.destroy(); },
  };
  const hello = await raw.next();
  assert.ok(hello !== "eof" && hello.kind === addon.wire.kHello && hello.ret >= addon.wire.kChannelFdMin, "hello");
  return raw;
}

/** A request frame written field by field, so that any field can lie. */
function forged(fields: { op: number; count?: number; nstr?: number; len?: number }, strs: readonly (Buffer | null)[], strLens?: number[]): Buffer {
  const w = loadAddon().wire;
  const parts = strs.map((b, i) => {
    const head = Buffer.alloc(4);
    head.writeInt32LE(strLens?.[i] ?? (b ? b.length : -1));
    return b ? Buffer.concat([head, b]) : head;
  });
  const body = Buffer.concat([Buffer.alloc(w.kReqHeader), ...parts]);
  body.writeUInt32LE(fields.op, w.kReqOp);
  body.writeUInt32LE(fields.count ?? 0, w.kReqCount);
  body.writeUInt32LE(fields.nstr ?? strs.length, w.kReqNstr);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(fields.len ?? body.length);
  return Buffer.concat([len, body]);
}

const TRUE = Buffer.from("/bin/true");

/** The child is still serving, in step: a well-formed getcwd gets its result, then quit is a plain exit. */
async function stillServing(raw: Raw): Promise<void> {
  const w = loadAddon().wire;
  raw.send(forged({ op: abi.Op.getcwd, count: 4096 }, []));
  const r = await raw.next();
  assert.ok(r !== "eof" && r.kind === w.kResult && r.ret > 0, "getcwd answered after the bad frame");
  raw.send(forged({ op: w.kOpQuit }, []));
  assert.equal(await raw.exit, { code: w.kExitDone, signal: null });
}

nativeTest(test, reason, "an op the executor does not know gets ENOSYS, and it goes on serving", async () => {
  // issue 14's rule for new request kinds: a host that meets an op it does not know answers
  // ENOSYS (host/child.cc run_syscall's default), like the dry-run host and the fake kernel.
  const w = loadAddon().wire;
  const raw = await rawChild();
  try {
    raw.send(forged({ op: 77 }, []));
    const r = await raw.next();
    assert.ok(r !== "eof");
    assert.equal({ kind: r.kind, ret: r.ret, errno: r.errno }, { kind: w.kResult, ret: -1, errno: abi.ENOSYS });
    await stillServing(raw);
  } finally {
    await raw.kill();
  }
});

for (const argc of [0xffffffff, 0xfffffffe, 0x80000000, 1]) {
  // argc 1 with only path and cwd: one string short, the ordinary off-by-one.
  nativeTest(test, reason, `exec with argc ${argc} and only path + cwd: EINVAL "request", nothing runs`, async () => {
    const w = loadAddon().wire;
    const raw = await rawChild();
    try {
      raw.send(forged({ op: w.kOpExec, count: argc }, [TRUE, null]));
      const r = await raw.next();
      // Before the fix, 2 + argc wrapped: argc 2^32 - 1 ran /bin/true with an empty argv (EOF, status 0).
      assert.ok(r !== "eof", "the child replied instead of running /bin/true");
      assert.equal({ kind: r.kind, errno: r.errno, data: r.data.toString() }, { kind: w.kExecFailed, errno: abi.EINVAL, data: "request" });
      await stillServing(raw);
    } finally {
      await raw.kill();
    }
  });
}

nativeTest(test, reason, "exec with argc = the strings after path + cwd is accepted (the bound is not off by one)", async () => {
  const w = loadAddon().wire;
  const raw = await rawChild();
  try {
    raw.send(forged({ op: w.kOpExec, count: 1 }, [TRUE, null, TRUE]));
    assert.is(await raw.next(), "eof", "execve succeeded: the CLOEXEC channel closed");
    assert.equal(await raw.exit, { code: 0, signal: null });
  } finally {
    await raw.kill();
  }
});

for (const [name, len] of [["below the request header", 23], ["above wire.kMaxFrame", 0x100001], ["2^32 - 1", 0xffffffff]] as const) {
  nativeTest(test, reason, `a frame length ${name}: a protocol reply (EINVAL), then EOF and exit kExitFraming`, async () => {
    const w = loadAddon().wire;
    const raw = await rawChild();
    try {
      raw.send(forged({ op: abi.Op.getcwd, len }, []));
      const r = await raw.next();
      assert.ok(r !== "eof", "the child said why before it went");
      assert.equal({ kind: r.kind, ret: r.ret, errno: r.errno }, { kind: w.kProtocol, ret: -1, errno: abi.EINVAL });
      assert.is(await raw.next(), "eof");
      assert.equal(await raw.exit, { code: w.kExitFraming, signal: null });
    } finally {
      await raw.kill();
    }
  });
}

const cases: [string, () => Buffer][] = [
  ["a string longer than the frame", () => forged({ op: abi.Op.chdir }, [Buffer.from("/")], [5])],
  ["a string length of 2^31 - 1", () => forged({ op: abi.Op.chdir }, [Buffer.from("/")], [0x7fffffff])],
  ["more strings than wire.kMaxStrings", () => forged({ op: abi.Op.chdir, nstr: 4097 }, [])],
  ["nstr past the end of the frame", () => forged({ op: abi.Op.chdir, nstr: 3 }, [Buffer.from("/")])],
];
/**
 * A kOpAuto frame (host/wire.h): runc / pivot of `rootfs` with `pairs` expected results and as
 * many predicted requests (getcwd); `extra` bytes at the end (negative: cut), `reqLen` the first
 * request entry's length field, `hasExpect` the flag.
 */
function autoForged(rootfs: Buffer | null, pairs: number, opts: { count?: number; extra?: number; nstr?: number; reqLen?: number; hasExpect?: number } = {}): Buffer {
  const w = loadAddon().wire;
  const head = forged({ op: w.kOpAuto, count: opts.count ?? pairs, nstr: opts.nstr ?? 1 }, opts.nstr === 0 ? [] : [rootfs]);
  const body = head.subarray(4);
  body.writeInt32LE(1, w.kReqFd); // runc
  body.writeUInt32LE(1, w.kReqMode); // pivot
  const tail = Buffer.alloc(w.kAutoTail + 8 * pairs);
  tail.writeUInt32LE(opts.hasExpect ?? 1, 4);
  const reqs = Array.from({ length: pairs }, (_, i) => {
    const r = forged({ op: abi.Op.getcwd, count: 4096 }, []);
    if (i === 0 && opts.reqLen !== undefined) r.writeUInt32LE(opts.reqLen, 0);
    return r;
  });
  let frameBody = Buffer.concat([body, tail, ...reqs]);
  if (opts.extra) frameBody = opts.extra > 0 ? Buffer.concat([frameBody, Buffer.alloc(opts.extra)]) : frameBody.subarray(0, frameBody.length + opts.extra);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(frameBody.length);
  return Buffer.concat([len, frameBody]);
}

const autoCases: [string, () => Buffer][] = [
  ["an autonomous frame one byte short of its predicted requests", () => autoForged(Buffer.from("/"), 2, { extra: -1 })],
  ["an autonomous frame with a byte after its predicted requests", () => autoForged(Buffer.from("/"), 2, { extra: 1 })],
  ["an autonomous frame whose count claims more steps than it holds", () => autoForged(Buffer.from("/"), 2, { count: 3 })],
  ["an autonomous frame with more expected steps than wire.kMaxAutoExpect", () => autoForged(Buffer.from("/"), 1, { count: 0x7fffffff })],
  ["an autonomous frame whose predicted request runs past the frame", () => autoForged(Buffer.from("/"), 2, { reqLen: 1000 })],
  ["an autonomous frame whose predicted request is shorter than a request header", () => autoForged(Buffer.from("/"), 2, { reqLen: 4 })],
  ["an autonomous frame with expected steps but has_expect 0", () => autoForged(Buffer.from("/"), 2, { hasExpect: 0 })],
  ["an autonomous frame without a rootfs", () => autoForged(null, 0, { nstr: 0 })],
  ["an autonomous frame whose rootfs is NULL", () => autoForged(null, 0)],
];
// An addon built without the C machine answers every kOpAuto ENOSYS: the frame checks are not built.
const autoReason = reason ?? (loadAddon().autonomous === null ? "the addon was built without the C machine (no autonomous mode to check frames for)" : null);
for (const [name, make, why] of [...cases.map(([n, m]) => [n, m, reason] as const), ...autoCases.map(([n, m]) => [n, m, autoReason] as const)]) {
  nativeTest(test, why, `${name}: a protocol reply (EINVAL), nothing runs, the child stays in step`, async () => {
    const w = loadAddon().wire;
    const raw = await rawChild();
    try {
      raw.send(make());
      const r = await raw.next();
      assert.ok(r !== "eof");
      assert.equal({ kind: r.kind, ret: r.ret, errno: r.errno }, { kind: w.kProtocol, ret: -1, errno: abi.EINVAL });
      await stillServing(raw);
    } finally {
      await raw.kill();
    }
  });
}

test.run();
