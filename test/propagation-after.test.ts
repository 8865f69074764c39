// propagation-after: after Done, a probe tmpfs under the new root and one under the rootfs as the
// host sees it; a crossing is a violation for hardened and a finding naming the config for the
// runtime profiles (src/hosts/fake/propagation-after.ts, invariants.ts).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { check, kernelFor, runConfig } from "../src/check.js";
import { explore } from "../src/explore.js";
import { predict } from "../src/predict.js";
import { drive } from "../src/driver.js";
import { checkInvariants } from "../src/hosts/fake/index.js";
import { PROFILES, parseConfig, type ConfigInput } from "../src/schema.js";
import { SCENARIO_NAMES } from "../src/hosts/fake/index.js";
import { walkPath } from "../src/rootfs-facts.js";

const verdict = (input: ConfigInput, scenario: "rootfs-not-a-mountpoint" | "shared-tmp" | "docker-host" | "stacked-root") =>
  check(input, { scenario }).verdicts.find((v) => v.id === "propagation-after");

test("runc-1.1 leaves the new root a slave of the host's /: a host mount reaches the container, a finding naming the config", () => {
  const r = check({ profile: "runc-1.1", strategy: "pivot" }, { scenario: "rootfs-not-a-mountpoint" });
  assert.equal(r.verdicts.filter((v) => !v.held), []);
  const v = r.verdicts.find((x) => x.id === "propagation-after")!;
  assert.match(v.finding ?? "", /^a host mount at \/var\/lib\/pivotshim\/rootfs\/\.pivotshim-probe-host appears in the container at \/\.pivotshim-probe-host \(what the real runtime does with runc-1\.1, strategy pivot, rootPropagation \(the profile's default\)\)$/);
  assert.ok(explore({ profile: "runc-1.1", strategy: "pivot" }, { scenario: "rootfs-not-a-mountpoint" }).summary.findings.some((f) => f.startsWith("propagation-after: a host mount")));
  // runc main's parent walk makes the parent private: nothing crosses.
  assert.equal([verdict({ profile: "runc", strategy: "pivot" }, "rootfs-not-a-mountpoint")?.held, verdict({ profile: "runc", strategy: "pivot" }, "rootfs-not-a-mountpoint")?.finding], [true, undefined]);
});

test("hardened: nothing crosses by default; the same end state judged as hardened is a violation", () => {
  for (const scenario of ["rootfs-not-a-mountpoint", "shared-tmp", "docker-host", "stacked-root"] as const) {
    const v = verdict({ strategy: "pivot" }, scenario)!;
    assert.equal([v.held, v.finding], [true, undefined], `${scenario}: ${v.detail}`);
    assert.match(v.detail, /^nothing propagates/);
  }
  const config = parseConfig({ profile: "runc-1.1", strategy: "pivot" });
  const before = kernelFor(config, { scenario: "rootfs-not-a-mountpoint" }).freeze();
  const after = before.clone();
  assert.is(drive(config, after).outcome.kind, "done");
  const tables = [after.mountinfo(), after.hostMountinfo()];
  const v = checkInvariants(before, after, "done", { ...runConfig(config), profile: "hardened" }).find((x) => x.id === "propagation-after")!;
  assert.is(v.held, false);
  assert.match(v.detail, /appears in the container at \/\.pivotshim-probe-host/);
  assert.equal([after.mountinfo(), after.hostMountinfo()], tables, "the probes ran on copies");
});

test("hardened: a mount under the new root reaching the host is a violation, and run's prediction refuses it", () => {
  const v = verdict({ strategy: "move", rootPropagation: "slave" }, "stacked-root")!;
  assert.is(v.held, false);
  assert.match(v.detail, /^a mount under the new root appears on the host at \/\.pivotshim-probe-container \(hardened, strategy move, rootPropagation slave\)$/);
  const mountinfo = [
    "21 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw",
    "23 21 0:22 / /proc rw,relatime shared:3 - proc proc rw",
    "41 21 0:45 / /srv/r rw,relatime shared:9 - tmpfs tmpfs rw",
  ].join("\n") + "\n";
  const m = { mountinfo, facts: walkPath("/srv/r", () => ({ kind: "dir" })), rootless: false };
  const ids = (input: ConfigInput) => predict(parseConfig({ rootfs: "/srv/r", ...input }), m).violated.map((x) => x.id);
  const hardened = ids({ strategy: "move", rootPropagation: "rshared" });
  assert.ok(hardened.includes("propagation-after"), hardened.join());
  assert.not.ok(ids({ profile: "runc", strategy: "move", rootPropagation: "rshared" }).includes("propagation-after"), "a finding for runc: not refused for it");
});

test("hardened: what the config asks for (host → container with rslave) and the chroot strategy are findings, not violations", () => {
  const slave = verdict({ strategy: "pivot", rootPropagation: "rslave" }, "rootfs-not-a-mountpoint")!;
  assert.equal([slave.held, /\(asked for: hardened, strategy pivot, rootPropagation rslave\)$/.test(slave.finding ?? "")], [true, true], JSON.stringify(slave));
  const chroot = verdict({ strategy: "chroot" }, "shared-tmp")!;
  assert.equal([chroot.held, /the chroot strategy changes no mount, so it isolates none/.test(chroot.finding ?? "")], [true, true], JSON.stringify(chroot));
});

test("a failed run has no propagation-after verdict (there is no new root to probe)", () => {
  const r = check({ strategy: "pivot" }, { scenario: "docker-host", faults: ["pivot_root=EINVAL"] });
  assert.is(r.trace.outcome.kind, "failed");
  assert.not.ok(r.verdicts.some((v) => v.id === "propagation-after"));
});

test("check() probes on its own kernel in place: the same verdicts as on a copy, for every scenario, profile and strategy", () => {
  let done = 0;
  for (const scenario of SCENARIO_NAMES) for (const profile of PROFILES) for (const strategy of ["auto", "pivot", "move", "chroot"] as const) {
    let config;
    try { config = parseConfig({ profile, strategy }); } catch { continue; } // a config the rule refuses
    const before = kernelFor(config, { scenario }).freeze();
    const after = before.clone();
    const kind = drive(config, after).outcome.kind;
    const onCopy = checkInvariants(before, after, kind, runConfig(config));
    const tables = [after.mountinfo(), after.hostMountinfo()];
    assert.equal(checkInvariants(before, after, kind, runConfig(config)), onCopy, "a copy leaves `after` as it was");
    assert.equal([after.mountinfo(), after.hostMountinfo()], tables);
    assert.equal(checkInvariants(before, after, kind, runConfig(config), { consume: true }), onCopy, `${scenario} ${profile} ${strategy}`);
    if (kind === "done") done++;
  }
  assert.ok(done > 40, `${done} runs reached Done`);
});

test.run();
