// run() end to end: the real machine driven against the native host for each profile and
// strategy, then the probe exec'd in the new root. This is where a leaked fd (CVE-2024-21626) or a
// wrong cwd in the machine's plan would show. Also probeEnvironment() (pivotshim doctor).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { probeEnvironment, run } from "../src/run.js";
import { PROFILES } from "../src/schema.js";
import { capture, eitherMode, hostDirsReason, hostMountinfo, leftoverRootfs, makeRootfs, nativeTest } from "./helpers/native-env.js";
import { lxcMoveKnown, strategiesOf } from "./helpers.js";

const { mode, reason } = await eitherMode();
const test = suite(`native run (${mode})`);
const rootless = mode === "rootless";

for (const profile of PROFILES) {
  for (const strategy of (["pivot", "move"] as const).filter((s) => strategiesOf(profile).includes(s))) {
    nativeTest(test, reason ?? hostDirsReason(profile), `${profile} / ${strategy}: the command starts in the new root with fds 0-2 only`, async () => {
      const before = hostMountinfo();
      const left = leftoverRootfs();
      const rootfs = makeRootfs();
      const out = capture();
      try {
        const { trace, exit } = await run({ rootfs: rootfs.dir, profile, strategy },
          { command: "/probe", rootless, stdio: [-1, out.writeFd, -1] });
        out.closeWriteEnd();
        const known = lxcMoveKnown(profile, strategy, trace.outcome);
        if (known) { console.error(`KNOWN ${profile} / ${strategy}: ${known}`); assert.equal(exit, { kind: "not-run" }); return; }
        assert.is(trace.outcome.kind, "done", JSON.stringify(trace.outcome));
        assert.is(trace.source.host, "native");
        assert.equal(exit, { kind: "exited", status: 0 });
        assert.equal(JSON.parse(await out.text), { cwd: "/", rootIsRoot: true, fds: [0, 1, 2], uid: 0, gid: 0 });
      } finally {
        out.closeWriteEnd();
        rootfs.cleanup();
      }
      assert.is(hostMountinfo(), before);
      assert.equal(leftoverRootfs(), left);
    });
  }
}

nativeTest(test, reason, "a failed switch execs nothing: exit is not-run and the outcome says why", async () => {
  const rootfs = makeRootfs();
  try {
    const missing = `${rootfs.dir}/does-not-exist`;
    const { trace, exit } = await run({ rootfs: missing, profile: "runc", strategy: "pivot" }, { command: "/probe", rootless });
    assert.equal(exit, { kind: "not-run" });
    assert.is(trace.outcome.kind, "failed");
  } finally {
    rootfs.cleanup();
  }
});

nativeTest(test, reason, "probeEnvironment reports what this machine can do, and leaves nothing behind", async () => {
  const before = hostMountinfo();
  const doctorDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith("pivotshim-doctor-"));
  const r = await probeEnvironment();
  assert.is(r.root, process.geteuid?.() === 0);
  assert.is(r.userns, true);  // eitherMode found a working mode, so this one works here
  assert.is(r.pivotRoot, true);
  assert.is(r.ramfsRoot, false);
  assert.ok(r.details.some((d) => /pivot_root \((root|rootless)\): ok/.test(d)), r.details.join("; "));
  assert.equal(doctorDirs(), []);
  assert.is(hostMountinfo(), before);
});

test.run();
