// The runc switch for real, in the executor's own namespace (as root; rootless when not root):
// seen from outside while the child is parked after the switch, then from inside by the probe.
// The host must not change.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync, readlinkSync } from "node:fs";
import * as abi from "../src/abi.js";
import { capture, devIno, hostMountinfo, leftoverRootfs, makeRootfs, nativeTest, procFds, eitherMode } from "./helpers/native-env.js";
import { probeRun, runSteps, runcSteps } from "./helpers/native-plan.js";

const { mode, reason, spawn } = await eitherMode();
const test = suite(`native switch (${mode})`);
const env = { makeRootfs, capture };
const spawnIn = (stdio: [number, number, number]) => spawn({ stdio });

nativeTest(test, reason, "the probe runs in the new root: cwd /, / is its own parent, fds 0-2 only", async () => {
  const before = hostMountinfo();
  const left = leftoverRootfs();
  const { report, exit, log } = await probeRun(env, spawnIn);
  assert.equal(report, { cwd: "/", rootIsRoot: true, fds: [0, 1, 2], uid: 0, gid: 0 });
  assert.equal(exit, { status: 0, signal: null });
  // The socket sits above the plan's fds, so the trace numbers fds as runc's does.
  assert.equal(log.filter((r) => r.req.op === "openat").map((r) => r.res), [{ ret: 3 }, { ret: 4 }]);
  assert.is(hostMountinfo(), before);
  assert.equal(leftoverRootfs(), left);
});

nativeTest(test, reason, "paused after the switch: root, cwd, mounts and fds seen from outside", async () => {
  const before = hostMountinfo();
  await probeRun(env, spawnIn, (ex, rootfs) => {
    const proc = `/proc/${ex.pid}`;
    assert.is(readlinkSync(`${proc}/root`), "/");
    assert.is(devIno(`${proc}/root/`), devIno(rootfs));
    assert.is(devIno(`${proc}/cwd/`), devIno(rootfs));
    const mounts = readFileSync(`${proc}/mountinfo`, "utf8").trim().split("\n");
    assert.equal(mounts.map((l) => l.split(" ")[4]), ["/"], "only the new root: the old root is detached");
    assert.equal(procFds(ex.pid), [0, 1, 2, ex.channelFd]);
  });
  assert.is(hostMountinfo(), before);
});

nativeTest(test, reason, "execve: a missing command is ENOENT and the child keeps serving; exit status", async () => {
  const rootfs = makeRootfs();
  const ex = await spawn();
  try {
    await runSteps(ex, runcSteps(rootfs.dir));
    assert.equal(await ex.execve("/no-such-command", ["x"], []), { errno: abi.ENOENT });
    assert.equal(await ex.execve("/probe", ["probe"], [], "/missing-dir"), { errno: abi.ENOENT });
    assert.equal(await ex.exec({ seq: 0, step: "check_cwd", reason: "", op: "getcwd", size: abi.GETCWD_SIZE }),
      { ret: 2, data: new Uint8Array(Buffer.from("/\0")) });
    assert.equal(await ex.execve("/probe", ["probe", "exit", "7"], []), { status: 7, signal: null });
    assert.equal(await ex.close(), { status: 7, signal: null });
  } finally {
    await ex.kill();
    rootfs.cleanup();
  }
});

test.run();
