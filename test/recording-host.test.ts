// RecordingHost (src/hosts/recording.ts): what a plan asked of the kernel, call by call, as a test
// asserts it. Read like a golden log: the runc pivot plan's mounts and pivot_root, on the dry-run
// host and on the fake kernel.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { drive } from "../src/driver.js";
import { RecordingHost } from "../src/index.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import { parseConfig } from "../src/schema.js";
import { MS_BIND, MS_PRIVATE, MS_REC, MS_SLAVE, MNT_DETACH } from "../src/abi.js";

test("host.calls('mount'): the runc pivot plan's mounts, in order, without the machine's bookkeeping", () => {
  const host = new RecordingHost();
  const t = drive(parseConfig({ rootfs: "/r", profile: "runc", strategy: "pivot" }), host);
  assert.is(t.outcome.kind, "done");
  // runc passes "" for a missing source or type, and "bind" as the type of a bind (the seed, rootfs_linux.go).
  assert.equal(host.calls("mount"), [
    { op: "mount", source: "", target: "/", filesystemtype: "", mountflags: MS_REC | MS_SLAVE, data: null },
    { op: "mount", source: "", target: "/r", filesystemtype: "", mountflags: MS_PRIVATE, data: null },
    { op: "mount", source: "/r", target: "/r", filesystemtype: "bind", mountflags: MS_BIND | MS_REC, data: null },
    { op: "mount", source: "", target: ".", filesystemtype: "", mountflags: MS_REC | MS_SLAVE, data: null },
  ]);
  assert.equal(host.calls("pivot_root"), [{ op: "pivot_root", new_root: ".", put_old: "." }]);
  assert.ok(host.calls("umount2").some((u) => u.target === "." && u.flags === MNT_DETACH));
  for (const c of host.calls()) assert.not.ok("seq" in c || "step" in c || "reason" in c, "no seq, step or reason");
  assert.is(host.calls().length, t.steps.length, "every request, once");
  assert.equal(host.log.map((r) => ("errno" in r.result ? r.result.errno : 0)), t.steps.map((s) => ("errno" in s.result ? s.result.errno : 0)), "each result as the trace has it");
});

test("it answers through the host it wraps (here the fake kernel, whose errnos it records) and clear() forgets", () => {
  const k = FakeKernel.scenario("docker-host", { rootfs: "/r" });
  const host = new RecordingHost(k);
  const t = drive(parseConfig({ rootfs: "/r", profile: "hardened", strategy: "pivot" }), host);
  assert.is(t.outcome.kind, "done");
  assert.is(host.kind, "custom");
  // hardened unmounts the old root's mounts until EINVAL: the recorder sees that errno as the kernel gave it.
  assert.ok(host.log.some((r) => r.call.op === "umount2" && "errno" in r.result && r.result.errno === 22));
  assert.ok(host.calls("mount").some((m) => m.mountflags === (MS_REC | MS_PRIVATE) || m.mountflags === (MS_REC | MS_SLAVE)));
  host.clear();
  assert.equal(host.calls(), []);
});

test.run();
