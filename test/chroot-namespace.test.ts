// The chroot strategy runs in the caller's mount namespace (src/switch-namespace.ts): runc, 1.1.5
// and main alike, still runs its prepare phase there, so plan and explore show what real runc does
// to the caller's table (every mount loses shared:, the self-bind stays behind); hardened and crun
// 1.8.1 change no mount. run's prediction models our executor, which always unshares.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { plan } from "../src/plan.js";
import { check } from "../src/check.js";
import { predict } from "../src/predict.js";
import { walkPath } from "../src/rootfs-facts.js";
import { parseConfig, type ConfigInput } from "../src/schema.js";
import { switchNamespace } from "../src/switch-namespace.js";

/** A caller whose "/" is rshared with a peer elsewhere (as on a systemd host with containers). */
const SHARED = [
  "27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw",
  "22 27 0:21 / /proc rw,relatime shared:2 - proc proc rw",
  "23 27 0:22 / /sys rw,relatime shared:3 - sysfs sysfs rw",
].join("\n") + "\n";
const ROOTFS = "/srv/r";
const chroot = (profile: ConfigInput["profile"]): ConfigInput => ({ rootfs: ROOTFS, profile, strategy: "chroot" });
const steps = (c: ConfigInput) => plan(c).steps.map((s) => s.request.step);

test("the namespace attribute: chroot runs in the caller's namespace, pivot and move in a fresh one", () => {
  assert.equal((["auto", "pivot", "move", "chroot"] as const).map(switchNamespace), ["fresh", "fresh", "fresh", "caller"]);
});

test("runc-1.1 chroot: prepareRoot (rslave /, mountinfo, parent, self-bind), then chdir, chroot, chdir", () => {
  assert.equal(steps(chroot("runc-1.1")), [
    "propagate_root", "mountinfo_open", "mountinfo_read", "mountinfo_read", "mountinfo_close", "parent_propagation",
    "self_bind", "enter_root", "chroot_root", "chdir_root",
  ]);
  const first = plan(chroot("runc-1.1")).steps[0]!.request;
  assert.equal(first.op === "mount" ? [first.target, first.mountflags] : null, ["/", 0x4000 | 0x80000]);
});

test("runc main chroot: the same prepare (walk, self-bind), the root handle, fchdir, chroot, chdir", () => {
  assert.equal(steps(chroot("runc")), [
    "propagate_root", "parent_propagation", "self_bind", "open_root", "enter_root", "chroot_root", "chdir_root", "close_root",
  ]);
  assert.equal(steps({ ...chroot("runc"), prepare: false }), ["open_root", "enter_root", "chroot_root", "chdir_root", "close_root"]);
});

test("hardened and crun chroot stay mount-free; hardened refuses readonly there, crun ignores it as crun does", () => {
  for (const p of ["hardened", "crun"] as const) {
    for (const readonly of [false, true]) {
      if (p === "hardened" && readonly) {
        assert.throws(() => plan({ ...chroot(p), readonly }), /readonly with strategy chroot is refused/);
        continue;
      }
      const ops = plan({ ...chroot(p), readonly }).steps.map((s) => s.request.op);
      assert.not.ok(ops.includes("mount") || ops.includes("umount2"), `${p}: ${ops.join(",")}`);
    }
  }
});

test("plan on the fake kernel: runc's chroot damages the caller's table (a finding about runc); hardened and crun do not", () => {
  for (const profile of ["runc-1.1", "runc"] as const) {
    const { trace, verdicts } = check(chroot(profile), { mountinfo: SHARED });
    assert.is(trace.outcome.kind, "done");
    const host = verdicts.find((v) => v.id === "host-unchanged")!;
    assert.not.ok(host.held, profile);
    const added = host.detail.split("\n").filter((l) => l.startsWith("+ "));
    assert.ok(added.some((l) => / \/srv\/r /.test(l)), `${profile}: the self-bind stays in the caller's table:\n${host.detail}`);
    assert.not.ok(added.some((l) => / shared:\d/.test(l)), `${profile}: every mount lost shared:\n${host.detail}`);
    for (const mp of ["/", "/proc", "/sys"]) assert.ok(added.some((l) => l.split(" ")[5] === mp), `${profile}: ${mp} changed:\n${host.detail}`);
  }
  for (const profile of ["hardened", "crun"] as const) {
    const { verdicts } = check(chroot(profile), { mountinfo: SHARED });
    assert.equal(verdicts.filter((v) => !v.held).map((v) => v.id), [], profile);
  }
});

test("the built-in scenario models the caller's namespace too", () => {
  const { verdicts } = check(chroot("runc-1.1"), { scenario: "docker-host", });
  assert.not.ok(verdicts.find((v) => v.id === "host-unchanged")!.held);
});

test("run's prediction models the executor (always a fresh namespace): the caller's table is safe", () => {
  const p = predict(parseConfig(chroot("runc-1.1")), { mountinfo: SHARED, facts: walkPath(ROOTFS, () => ({ kind: "dir" })), rootless: false });
  assert.is(p.trace.outcome.kind, "done");
  assert.equal(p.violated.map((v) => v.id), []);
  assert.ok(p.trace.steps.some((s) => s.request.step === "self_bind"), "the same plan, prepare included");
});

test.run();
