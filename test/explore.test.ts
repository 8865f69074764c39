// Exploration on the fake kernel: hardened has no violation on any scenario; runc's violations
// are the real runc's flaws (named); the kernel answers the crun loops as the real kernel does.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { explore } from "../src/explore.js";
import { check, fakePathHost, kernelFor } from "../src/check.js";
import { errnoName } from "../src/names-ts.js";
import { parseConfig, STRATEGIES, type ConfigInput } from "../src/schema.js";
import { SCENARIO_NAMES, type ScenarioName } from "../src/hosts/fake/index.js";
import { straceLine } from "../src/format/strace.js";

const run = (input: ConfigInput, scenario: ScenarioName, double = false) => explore(input, { scenario, double });

for (const scenario of SCENARIO_NAMES) {
  test(`hardened: 0 violations for every strategy on ${scenario}`, () => {
    for (const strategy of STRATEGIES) {
      const r = run({ strategy }, scenario);
      assert.is(r.summary.violations, 0, `${strategy}: ${r.paths.filter((p) => !p.ok).map((p) => JSON.stringify(p.faults)).join("; ")}`);
      assert.ok(r.summary.paths > 40);
    }
  });
}

test("hardened pivot with double faults on docker-host: 0 violations", () => {
  const r = run({ strategy: "pivot" }, "docker-host", true);
  assert.ok(r.summary.paths > 1000, `${r.summary.paths} paths`);
  assert.is(r.summary.violations, 0);
});

test("runc on stacked-root leaves the lower old root: one umount2 peels one mount (crun df308e2 loops)", () => {
  const r = check({ profile: "runc", strategy: "pivot" }, { scenario: "stacked-root" });
  assert.is(r.trace.outcome.kind, "done");
  assert.equal(r.verdicts.filter((v) => !v.held).map((v) => v.id), ["old-root-unreachable"]);
  const hardened = check({ strategy: "pivot" }, { scenario: "stacked-root" });
  assert.equal(hardened.verdicts.filter((v) => !v.held), []);
});

test("runc move trusts ENOENT on the rslave of a mask and skips it (b8bf572): a violation only under that fault", () => {
  const r = run({ profile: "runc", strategy: "move" }, "docker-host");
  const bad = r.paths.filter((p) => !p.ok);
  assert.equal(bad.map((p) => `${p.faults[0]!.step}=${p.faults[0]!.errnoName}`), ["mask_propagation=ENOENT", "mask_propagation=ENOENT"]);
  assert.ok(bad.every((p) => p.verdicts.some((v) => v.id === "no-host-proc-sysfs" && !v.held)));
});

test("crun's detach loop on the fake kernel ends with umount2 = -1 EINVAL, as on the real kernel", () => {
  const t = check({ profile: "crun", strategy: "pivot" }).trace;
  const lines = t.steps.map(straceLine);
  assert.ok(lines.includes('umount2(".", MNT_DETACH) = 0'));
  assert.ok(lines.includes('umount2(".", MNT_DETACH) = -1 EINVAL (Invalid argument)'));
});

test("crun's parent walk: EINVAL for every folder of the rootfs path that is not a mount point", () => {
  const t = check({ profile: "crun", rootfs: "/tmp/pivotshim/rootfs" }, { scenario: "shared-tmp" }).trace;
  const walk = t.steps.filter((s) => s.request.step === "parent_propagation").map(straceLine);
  assert.equal(walk, [
    'mount(NULL, "/tmp/pivotshim/rootfs", NULL, MS_PRIVATE, NULL) = -1 EINVAL (Invalid argument)',
    'mount(NULL, "/tmp/pivotshim", NULL, MS_PRIVATE, NULL) = -1 EINVAL (Invalid argument)',
    'mount(NULL, "/tmp", NULL, MS_PRIVATE, NULL) = 0',
  ]);
});

test("kernel rule: initramfs → pivot_root EINVAL for runc; hardened auto goes through move and holds", () => {
  const runc = check({ profile: "runc" }, { scenario: "initramfs" });
  assert.is(runc.trace.outcome.kind === "failed" && runc.trace.outcome.message, "error jailing process inside rootfs: pivot_root .: invalid argument");
  const hard = check({}, { scenario: "initramfs" });
  assert.is(hard.trace.outcome.kind, "done");
  assert.match(hard.trace.outcome.note, /initial ramfs.*using move/);
  assert.ok(hard.trace.steps.some((s) => s.request.step === "move_root"));
  assert.equal(hard.verdicts.filter((v) => !v.held), []);
});

test("kernel rule: a rootfs that is not a mount point, self bind skipped → pivot_root EINVAL", () => {
  // Under /tmp (its own mount) the "new_root is not a mount point" check answers; a folder of
  // the root mount itself would hit the earlier EBUSY check (new_root on the current root mount).
  const r = check({ profile: "runc", selfBind: false, rootfs: "/tmp/pivotshim/rootfs" }, { scenario: "shared-tmp" });
  assert.is(r.trace.outcome.kind, "failed");
  assert.match(r.trace.outcome.kind === "failed" ? r.trace.outcome.message : "", /pivot_root \.: invalid argument/);
  assert.equal(r.verdicts.filter((v) => !v.held), [], "after a failure the host and the fd table are untouched");
});

test("kernel rule: new_root on the current root's mount → EBUSY (rootfs a plain folder of /)", () => {
  const r = check({ profile: "runc", selfBind: false }, { scenario: "rootfs-not-a-mountpoint" });
  assert.is(r.trace.outcome.kind === "failed" && r.trace.outcome.errnoName, "EBUSY");
});

test("kernel rule: a shared parent → pivot_root EINVAL (the parent walk skipped by --no-prepare)", () => {
  // docker-host: the rootfs is its own (private) overlay mount, but its parent / is shared.
  const r = check({ profile: "runc", prepare: false }, { scenario: "docker-host" });
  assert.is(r.trace.outcome.kind === "failed" && `${r.trace.outcome.step} ${r.trace.outcome.errnoName}`, "pivot_root EINVAL");
});

test("the one-call shape: explore(config, { scenario }) is the fake-kernel exploration, faults carry errno and errnoName", () => {
  const r = explore({ profile: "runc", strategy: "pivot" }, { scenario: "stacked-root" });
  assert.ok(r.summary.violations > 0, "stacked-root shows runc's single detach");
  const f = r.paths[0]!.faults[0]!;
  assert.is(typeof f.errno, "number");
  assert.is(f.errnoName, errnoName(f.errno));
  // The same as the explicit host form.
  const c = parseConfig({ profile: "runc", strategy: "pivot" });
  const explicit = explore(c, fakePathHost(c, kernelFor(c, { scenario: "stacked-root" })));
  assert.equal(r.summary, explicit.summary);
});

test.run();
