// Tests written for survivors of `npm run mutate -- cc` (docs/mutation.md): the command the
// executor execs starts with default signal dispositions and an empty mask. Node ignores SIGPIPE;
// SIG_IGN survives execve, so without host/child.cc's reset a command (a shell pipeline in the
// container) would not die of SIGPIPE as it should. And a read's count is clamped to the reply
// buffer (kMaxData), whatever the request asks. Root, or rootless when not root.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import { loadAddon } from "../src/hosts/native.js";
import { capture, eitherMode, nativeTest } from "./helpers/native-env.js";
import { NOBODY, nobodyReason } from "./helpers/nobody.js";
import { spawnSync } from "node:child_process";

const { mode, reason, spawn } = await eitherMode();
const test = suite(`native exec signals (${mode})`);

nativeTest(test, reason, "the exec'd command ignores no signal and blocks none, though Node ignores SIGPIPE", async () => {
  const out = capture();
  const ex = await spawn({ stdio: [-1, out.writeFd, -1] });
  out.closeWriteEnd();
  try {
    const status = await ex.execve("/bin/sh", ["sh", "-c", "grep -E '^Sig(Ign|Blk):' /proc/self/status"], ["PATH=/usr/bin:/bin"]);
    assert.equal(status, { status: 0, signal: null });
  } finally {
    await ex.close();
  }
  const text = await out.text;
  assert.equal(text.trim().split("\n").map((l) => l.replace(/\s+/g, " ")), ["SigBlk: 0000000000000000", "SigIgn: 0000000000000000"]);
});

nativeTest(test, reason, "a read asking for more than kMaxData gets at most kMaxData bytes (the reply buffer's size)", async () => {
  const max = loadAddon().wire.kMaxData;
  const c = { seq: 0, step: "test", reason: "read clamp" };
  const ex = await spawn();
  try {
    const fd = await ex.exec({ ...c, op: "openat", dirfd: abi.AT_FDCWD, pathname: "/dev/zero", flags: abi.O_RDONLY | abi.O_CLOEXEC, mode: 0 });
    assert.ok("ret" in fd && fd.ret >= 0, JSON.stringify(fd));
    const rd = await ex.exec({ ...c, op: "read", fd: fd.ret, count: 4 * max });
    assert.ok("ret" in rd && rd.ret > 0 && rd.ret <= max, `read returned ${JSON.stringify("ret" in rd ? rd.ret : rd)}`);
  } finally {
    await ex.close();
  }
});

nativeTest(test, reason, "the addon refuses a pid or fd that is not an integer, and signals nobody", async () => {
  const addon = loadAddon();
  const ex = await spawn();
  try {
    // int(pid + 0.5) would be our own child: it must stay alive.
    assert.throws(() => addon.kill(ex.pid + 0.5, -1), (e: unknown) => e instanceof TypeError);
    assert.throws(() => addon.closeFd(1_000_000.5), (e: unknown) => e instanceof TypeError);
  } finally {
    assert.equal(await ex.close(), { status: 0, signal: null });
  }
});

// docs/mutation.md cc `refuse`: a child whose set-up failed must refuse every request. Reached
// without any global change: as nobody, a plain-mode child's unshare(CLONE_NEWNS) fails (EPERM).
const nobody = nobodyReason();
const refusedName = "a child whose set-up failed refuses a request sent anyway (kRefused, EPERM), as nobody in plain mode";
if (process.geteuid?.() !== 0 || nobody) {
  console.error(`SKIP ${refusedName}: ${process.geteuid?.() !== 0 ? "not root: setpriv needs root to become nobody" : nobody}`);
  test.skip(refusedName);
} else {
  test(refusedName, () => {
    const r = spawnSync("setpriv", [...NOBODY, process.execPath, "--import", "tsx", "test/helpers/refused-child.ts"],
      { cwd: new URL("..", import.meta.url).pathname, encoding: "utf8", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: "/tmp" }, timeout: 30_000 });
    assert.is(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!);
    assert.equal(out.hello, { kind: out.kHello, ret: -1, errno: abi.EPERM }, "the hello says the set-up failed");
    assert.equal(out.answer, { kind: out.kRefused, ret: -1, errno: abi.EPERM }, "and the request is refused, not run");
  });
}

test.run();
