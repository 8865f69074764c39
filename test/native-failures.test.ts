// The executor under failure: a hung request times out (killed and reaped), a child killed
// mid-switch leaves the host as it was and Node running, and ten runs at once never stall the
// event loop. Root, or rootless when not root.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { existsSync } from "node:fs";
import * as abi from "../src/abi.js";
import { NativeHostError, loadAddon } from "../src/hosts/native.js";
import { capture, hostMountinfo, leftoverRootfs, makeRootfs, nativeTest, rejects, eitherMode } from "./helpers/native-env.js";
import { probeRun, runSteps, runcSteps } from "./helpers/native-plan.js";

const { mode, reason, spawn } = await eitherMode();
const test = suite(`native failures (${mode})`);
const c = { seq: 0, step: "test", reason: "native failure test" };
const tick = () => new Promise<void>((r) => setTimeout(r, 5));

nativeTest(test, reason, "a request that hangs times out: the child is SIGKILLed and reaped", async () => {
  const addon = loadAddon();
  const fds = addon.pipe();
  assert.ok(Array.isArray(fds));
  const [r, w] = fds as [number, number];
  const ex = await spawn({ stdio: [r, -1, -1], timeoutMs: 300 });
  try {
    const t0 = performance.now();
    const err = await rejects(() => ex.exec({ ...c, op: "read", fd: 0, count: 16 }), NativeHostError);
    assert.is((err as NativeHostError).code, "E_NATIVE_TIMEOUT");
    assert.match(err.message, /read: no answer .* within 300 ms; it was killed and reaped/);
    assert.ok(performance.now() - t0 >= 290);
    assert.not.ok(existsSync(`/proc/${ex.pid}`), "reaped: no zombie left");
    assert.equal(await ex.close(), { status: null, signal: "SIGKILL" });
    const again = await rejects(() => ex.exec({ ...c, op: "close", fd: 99 }), NativeHostError);
    assert.is((again as NativeHostError).code, "E_NATIVE_CHILD_EXITED");
  } finally {
    addon.closeFd(r);
    addon.closeFd(w);
    await ex.kill();
  }
});

nativeTest(test, reason, "killed right after pivot_root: the host is unchanged and Node goes on", async () => {
  const before = hostMountinfo();
  const rootfs = makeRootfs();
  const ex = await spawn();
  try {
    await runSteps(ex, runcSteps(rootfs.dir), "pivot_root");
    await ex.kill();
    await ex.kill();  // idempotent
    assert.not.ok(existsSync(`/proc/${ex.pid}`));
    await tick();
    assert.is(hostMountinfo(), before);
  } finally {
    rootfs.cleanup();
  }
});

nativeTest(test, reason, "a child killed from outside is reported with its signal", async () => {
  const rootfs = makeRootfs();
  const ex = await spawn();
  try {
    await runSteps(ex, runcSteps(rootfs.dir), "self_bind");
    process.kill(ex.pid, "SIGKILL");
    const err = await rejects(() => ex.exec({ ...c, op: "chdir", path: "/" }), /was killed by SIGKILL/);
    assert.is((err as NativeHostError).code, "E_NATIVE_CHILD_EXITED");
    assert.equal(await ex.close(), { status: null, signal: "SIGKILL" });
  } finally {
    await ex.kill();
    rootfs.cleanup();
  }
});

nativeTest(test, reason, "ten runs at once, while a timer keeps firing", async () => {
  // No duration threshold: each run parks after its switch until all ten are parked, and only a
  // timer callback may release them. So the test passes only if ten runs are in flight at once and
  // the event loop keeps running timers meanwhile. (The 60 s guard only turns a hang into a failure.)
  const before = hostMountinfo();
  const left = leftoverRootfs();
  const RUNS = 10;
  let parked = 0;
  let ticks = 0;
  let ticksWhileAllParked = 0;
  let release!: () => void;
  const allParked = new Promise<void>((resolve, reject) => {
    release = resolve;
    setTimeout(() => reject(new Error(`only ${parked} of ${RUNS} runs parked at once, ${ticks} timer ticks`)), 60_000).unref();
  });
  const timer = setInterval(() => {
    ticks++;
    if (parked === RUNS) { ticksWhileAllParked++; release(); }
  }, 2);
  try {
    const runs = await Promise.all(Array.from({ length: RUNS }, () =>
      probeRun({ makeRootfs, capture }, (stdio) => spawn({ stdio }), async () => { parked++; await allParked; })));
    for (const r of runs) assert.equal(r.report, { cwd: "/", rootIsRoot: true, fds: [0, 1, 2], uid: 0, gid: 0 }, mode);
  } finally {
    clearInterval(timer);
  }
  assert.is(parked, RUNS, "all ten reached the inspection point");
  assert.ok(ticksWhileAllParked >= 1, `a timer fired while all ${RUNS} runs were in flight (${ticks} ticks in all)`);
  assert.is(hostMountinfo(), before);
  assert.equal(leftoverRootfs(), left);
});

nativeTest(test, reason, "errnos of the plan are values, never exceptions", async () => {
  const ex = await spawn();
  try {
    // Rootless, "/" is a locked mount and the kernel checks MNT_LOCKED (EINVAL) before new == root (EBUSY).
    const expected = mode === "root" ? abi.EBUSY : abi.EINVAL;
    assert.equal(await ex.exec({ ...c, op: "pivot_root", new_root: "/", put_old: "/" }), { errno: expected });
    assert.equal(await ex.exec({ ...c, op: "umount2", target: "/nonexistent/pivotshim", flags: abi.MNT_DETACH }), { errno: abi.ENOENT });
  } finally {
    await ex.close();
  }
});

test.run();
