// The real captures (test/fixtures/real) against our profiles: each runc 1.1.5 / crun 1.8.1 / bwrap 0.8.0 log's
// window is the one WINDOWS.md identified by hand, and the profile's plan is equivalent to it.
// On the dry-run host the crun captures differ in one place a dry run cannot know (the walk's
// EINVALs), pinned exactly; on the fake kernel modelling the capture machine every one is equivalent.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { plan } from "../src/plan.js";
import { DryRunHost } from "../src/hosts/dry-run.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import { diff, renderText, type DiffReport } from "../src/diff/index.js";
import type { ConfigInput } from "../src/schema.js";
import { fixture } from "./helpers.js";
import { assumedHostDirs } from "../src/rootfs-facts.js";

const ROOTFS = "/tmp/pvs/rootfs";
const read = (name: string) => readFileSync(fixture(name), "utf8");
/** What runc read on the capture machine: "/" private (default, readonly) or shared (after MS_REC|MS_SHARED). */
const PRIVATE_HOST = read("diff/capture-host.mountinfo");
const SHARED_HOST = read("diff/capture-host-rshared.mountinfo");

interface Case { log: string; config: ConfigInput; shared: boolean; table?: string }
const VARIANTS: [string, Partial<ConfigInput>, boolean][] = [
  ["default", {}, false], ["default-tt", {}, false], ["default-noy", {}, false],
  ["readonly", { readonly: true }, false], ["rshared", { rootPropagation: "rshared" }, true],
];
const CASES: Case[] = [];
for (const [runtime, profile] of [["runc", "runc-1.1"], ["crun", "crun"]] as const) {
  for (const [variant, extra, shared] of VARIANTS) {
    CASES.push({ log: `${runtime}-pivot-${variant}`, config: { rootfs: ROOTFS, profile, strategy: "pivot", ...extra }, shared });
    if (!variant.includes("-")) CASES.push({ log: `${runtime}-nopivot-${variant}`, config: { rootfs: ROOTFS, profile, strategy: "move", ...extra }, shared });
  }
}
// bwrap 0.8.0: `--bind ROOTFS /` and `--ro-bind ROOTFS /`; it has only pivot_root (move and chroot are refused).
CASES.push({ log: "bwrap-default", config: { rootfs: ROOTFS, profile: "bwrap", strategy: "pivot" }, shared: false });
CASES.push({ log: "bwrap-readonly", config: { rootfs: ROOTFS, profile: "bwrap", strategy: "pivot", readonly: true }, shared: false });
// LXC 5.0.2 lxc-execute: a private host and an all-shared one (each mount made a slave first); LXC
// checks for the initial ramfs before it pivots, so its own behaviour is strategy auto (pivot: the
// same calls without that mountinfo read). Its capture machine's table had the cgroup v1 mounts the
// runc/crun one lacked: test/fixtures/diff/lxc-capture-host*.mountinfo, rebuilt from the captures.
for (const strategy of ["auto", "pivot"] as const) {
  CASES.push({ log: "lxc-pivot-default", config: { rootfs: ROOTFS, profile: "lxc", strategy }, shared: false, table: read("diff/lxc-capture-host.mountinfo") });
  CASES.push({ log: "lxc-pivot-sharedhost", config: { rootfs: ROOTFS, profile: "lxc", strategy }, shared: true, table: read("diff/lxc-capture-host-shared.mountinfo") });
}

/** pid and raw line range of each window, as WINDOWS.md records them. */
function handWindows(): Map<string, { pid: number; start: number; end: number }> {
  const out = new Map<string, { pid: number; start: number; end: number }>();
  for (const m of read("real/WINDOWS.md").matchAll(/^### (\S+)\.strace\n\npid (\d+), raw lines (\d+)–(\d+)/gm)) {
    out.set(m[1]!, { pid: Number(m[2]), start: Number(m[3]), end: Number(m[4]) });
  }
  return out;
}
const HAND = handWindows();

const dryRun = (c: Case) => plan(c.config, { host: new DryRunHost({ rootfs: ROOTFS, mountinfo: c.table ?? (c.shared ? SHARED_HOST : PRIVATE_HOST) }) });
/** The fake kernel built from the capture machine's table: it answers EINVAL where that kernel did. */
const onModel = (c: Case) => {
  const k = FakeKernel.fromMountinfo(c.table ?? PRIVATE_HOST).mkdir(ROOTFS);
  for (const d of assumedHostDirs(c.config.profile ?? "hardened")) k.mkdir(d); // LXC's mount point
  return plan(c.config, { host: k.unshare() });
};

const problems = (r: DiffReport) => r.steps.filter((s) => s.status !== "match");

test("lxc: both captures, both strategies, and the sharedhost capture's 20 MS_SLAVE calls in mountinfo order", () => {
  const c = CASES.find((x) => x.log === "lxc-pivot-sharedhost" && x.config.strategy === "auto")!;
  const r = diff(dryRun(c), read("real/lxc-pivot-sharedhost.strace"));
  const slaves = r.steps.filter((s) => s.plan.step === "dependent_mount").map((s) => (s.status === "match" ? s.log.line : -1));
  assert.equal(slaves, Array.from({ length: 20 }, (_, i) => 221 + i));
  const d = CASES.find((x) => x.log === "lxc-pivot-default" && x.config.strategy === "auto")!;
  assert.equal(diff(dryRun(d), read("real/lxc-pivot-default.strace")).steps.filter((s) => s.plan.step === "dependent_mount"), [], "no shared mount: no MS_SLAVE");
  assert.is(CASES.filter((x) => x.config.profile === "lxc").length, 4);
});

test("WINDOWS.md lists every capture we compare", () => {
  for (const c of CASES) assert.ok(HAND.has(c.log), c.log);
});

for (const c of CASES) {
  test(`${c.log}: the window is the hand-identified one (WINDOWS.md)`, () => {
    const r = diff(dryRun(c), read(`real/${c.log}.strace`));
    const hand = HAND.get(c.log)!;
    assert.equal({ pid: r.window.pid, start: r.window.startLine, end: r.window.endLine }, { pid: hand.pid, start: hand.start, end: hand.end });
  });
}

/**
 * crun walks up from the rootfs with MS_PRIVATE until a call succeeds: on the capture machine
 * the rootfs, /tmp/pvs and /tmp were not mount points (EINVAL x3, then "/"). The dry-run host
 * answers 0 to everything, so its plan stops at the rootfs. That is the host, not the profile:
 * the same plan on the fake kernel modelling that machine is equivalent (next tests).
 */
const DRY_RUN_KNOWN: Record<string, string> = Object.fromEntries(CASES.filter((c) => c.log.startsWith("crun")).map((c) => [c.log,
  `step 2 parent_propagation: plan mount(NULL, "${ROOTFS}", NULL, MS_PRIVATE, NULL) = 0, log = -1 EINVAL (the dry-run host answers 0; the capture's kernel EINVAL)`]));

for (const c of CASES) {
  const flags = `${c.config.profile} --strategy ${c.config.strategy}${c.config.readonly ? " --readonly" : ""}${c.config.rootPropagation ? " --root-propagation rshared" : ""}`;
  const name = DRY_RUN_KNOWN[c.log]
    ? `${c.log} vs ${flags} (dry-run host): differs only in the walk's result, which a dry run cannot know`
    : `${c.log} ≡ ${flags} (dry-run host)`;
  test(name, () => {
    const r = diff(dryRun(c), read(`real/${c.log}.strace`));
    const known = DRY_RUN_KNOWN[c.log];
    if (!known) {
      assert.ok(r.equivalent, renderText(r));
      return;
    }
    // Not equivalent: pin the exact difference (so any other change fails) and say so.
    const bad = problems(r);
    assert.is(bad.length, 1, renderText(r));
    const only = bad[0]!;
    assert.is(only.status, "differs");
    assert.is(only.plan.step, "parent_propagation");
    assert.equal(only.status === "differs" ? only.fields.map((f) => [f.field, f.plan, f.log]) : [], [["result", "0", "-1 EINVAL"]]);
  });
}

for (const c of CASES) {
  test(`${c.log} ≡ ${c.config.profile} ${c.config.strategy} on the fake kernel of the capture machine`, () => {
    const r = diff(onModel(c), read(`real/${c.log}.strace`));
    assert.ok(r.equivalent, renderText(r));
    assert.ok(r.summary.matched >= 13, `only ${r.summary.matched} steps`);
  });
}

test("crun's EINVAL walk is matched call for call on the fake kernel", () => {
  const r = diff(onModel(CASES.find((c) => c.log === "crun-pivot-default")!), read("real/crun-pivot-default.strace"));
  const walk = r.steps.filter((s) => s.plan.step === "parent_propagation").map((s) => s.status === "match" ? s.log.text : s.status);
  assert.equal(walk, [
    `mount(NULL, "${ROOTFS}", NULL, MS_PRIVATE, NULL) = -1 EINVAL (Invalid argument)`,
    'mount(NULL, "/tmp/pvs", NULL, MS_PRIVATE, NULL) = -1 EINVAL (Invalid argument)',
    'mount(NULL, "/tmp", NULL, MS_PRIVATE, NULL) = -1 EINVAL (Invalid argument)',
    'mount(NULL, "/", NULL, MS_PRIVATE, NULL) = 0',
  ]);
});

test("runc rshared: the parent MS_PRIVATE is planned exactly when runc made it", () => {
  const shared = diff(dryRun(CASES.find((c) => c.log === "runc-pivot-rshared")!), read("real/runc-pivot-rshared.strace"));
  const priv = diff(dryRun(CASES.find((c) => c.log === "runc-pivot-default")!), read("real/runc-pivot-default.strace"));
  const parent = (r: DiffReport) => r.steps.filter((s) => s.plan.step === "parent_propagation").map((s) => s.status === "match" ? s.log.line : -1);
  assert.equal(parent(shared), [279]);
  assert.equal(parent(priv), []);
});

test("crun readonly: the plan's /proc/self/fd/3 is the log's /proc/self/fd/5, a dup of fd 3", () => {
  const r = diff(onModel(CASES.find((c) => c.log === "crun-pivot-readonly")!), read("real/crun-pivot-readonly.strace"));
  const ro = r.steps.find((s) => s.plan.step === "readonly_root");
  assert.ok(ro && ro.status === "match");
  assert.ok(ro.status === "match" && ro.log.text.startsWith('mount(NULL, "/proc/self/fd/5", NULL, MS_RDONLY|MS_REMOUNT|MS_BIND, NULL)'));
});

test.run();
