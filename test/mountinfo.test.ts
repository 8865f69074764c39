// The mountinfo parser in the machine (proc(5), docs/sources.md#kernel-mountinfo), seen through the plans it
// drives: which proc/sysfs mounts runc's msMoveRoot masks and in what order, which parent runc
// 1.1 makes private, auto's initramfs choice, escapes, and malformed lines. Plus a round trip
// from the fake kernel's renderer and a fuzz run that must never trap.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { plan } from "../src/plan.js";
import { FakeKernel, parseMountinfo } from "../src/hosts/fake/index.js";
import { check } from "../src/check.js";
import { MachineTrapError, MountinfoError } from "../src/errors.js";
import { Machine } from "../src/machine.js";
import { drive } from "../src/driver.js";
import { DryRunHost } from "../src/hosts/dry-run.js";
import { parseConfig } from "../src/schema.js";
import { fixture } from "./helpers.js";
import { mutate, prng } from "../bench/fuzz-mutator.js";

const K8S = readFileSync(fixture("mountinfo/k8s-node.mountinfo"), "utf8");
const ROOTFS = "/run/containerd/io.containerd.runtime.v2.task/k8s.io/9f3e/rootfs";
const masks = (mi: string, rootfs = ROOTFS, profile: "runc" | "hardened" = "runc") =>
  plan({ rootfs, profile, strategy: "move" }, { host: new DryRunHost({ mountinfo: mi }) })
    .steps.filter((s) => s.request.step === "mask_propagation").map((s) => (s.request.op === "mount" ? s.request.target : ""));

test("kubernetes node: full proc/sysfs outside the rootfs, in file order; escapes decoded; unknown tags ignored", () => {
  assert.equal(masks(K8S), ["/sys", "/proc", "/host/proc", "/mnt/my proc", "/mnt/back\\slash\ttab"]);
});

test("hardened masks the same mounts children-first", () => {
  assert.equal(masks(K8S, ROOTFS, "hardened"), ["/mnt/back\\slash\ttab", "/mnt/my proc", "/host/proc", "/proc", "/sys"]);
});

test("runc's filter is a plain string prefix: /r2/proc is skipped for rootfs /r (strings.HasPrefix, §2.4)", () => {
  const mi = "1 0 8:1 / / rw - ext4 /dev/sda rw\n2 1 0:4 / /proc rw - proc proc rw\n3 1 0:5 / /r2/proc rw - proc proc rw\n";
  assert.equal(masks(mi, "/r"), ["/proc"]);
});

const parentCall = (mi: string, rootfs: string) =>
  plan({ rootfs, profile: "runc-1.1" }, { host: new DryRunHost({ mountinfo: mi }) })
    .steps.filter((s) => s.request.step === "parent_propagation").map((s) => (s.request.op === "mount" ? s.request.target : ""));

test("runc 1.1 getParentMount: the longest prefix; MS_PRIVATE only when a tag says shared (shared:N master:M too)", () => {
  assert.equal(parentCall(K8S, ROOTFS), [ROOTFS], "the overlay itself: shared:300 master:1 propagate_from:1");
  const privateParent = "1 0 8:1 / / rw master:3 - ext4 /dev/sda rw\n";
  assert.equal(parentCall(privateParent, "/r"), [], "master only: not shared, no call");
  const sharedRoot = "1 0 8:1 / / rw shared:1 - ext4 /dev/sda rw\n2 1 0:9 / /var rw - tmpfs t rw\n";
  assert.equal(parentCall(sharedRoot, "/srv/r"), ["/"]);
  assert.equal(parentCall(sharedRoot, "/var/r"), [], "/var is longer and private");
});

test("initramfs: / has fstype rootfs → hardened auto picks move; ramfs too for the fallback", () => {
  const t = plan({}, { mountinfo: "1 1 0:1 / / rw - rootfs rootfs rw\n" });
  assert.match(t.outcome.note, /initial ramfs/);
  assert.ok(t.steps.some((s) => s.request.step === "move_root"));
});

const MALFORMED: [string, RegExp][] = [
  ["1 0 8:1 / / rw shared:1 ext4 /dev/sda rw\n", /line 1: missing - separator/],
  ["1 0 8:1 / / rw - ext4\n", /line 1: expected at least 10 fields, found 8/],
  ["1 0 8:1 / / rw - ext4 /dev/sda rw\nx 1 0:4 / /proc rw - proc proc rw\n", /line 2: mount ID and parent ID must be decimal numbers/],
  ["1 0 8-1 / / rw - ext4 /dev/sda rw\n", /line 1: field 3 must be major:minor/],
  ["1 0 8:1 / /a\\08 rw - ext4 /dev/sda rw\n", /line 1: bad \\ooo escape/],
  ["1 0 8:1 / /a\\400 rw - ext4 /dev/sda rw\n", /line 1: bad \\ooo escape/],
  ["1 0 8:1 / /a\\1 rw - ext4 /dev/sda rw\n", /line 1: bad \\ooo escape/],
  ["\n\n1 0 8:1 / / rw  - ext4 /dev/sda rw\n2 1 8:1 / /x rw -\n", /line 4: expected at least 10 fields/],
];
// The optional tags: what show_mountinfo (fs/proc_namespace.c) writes is shared:%i, master:%i,
// propagate_from:%i (a group ID from 1) and unbindable, each once, propagate_from only after master.
const TAG = (tags: string) => `1 0 8:1 / / rw - ext4 /dev/sda rw\n2 1 0:9 / /x rw ${tags} - tmpfs t rw\n`;
const TAG_WHY = /line 2: field 7: the kernel writes shared:N, master:N and propagate_from:N \(N from 1 to 2147483647, no leading zero\) and unbindable alone, each once$/;
for (const bad of ["shared:0", "shared:0x10", "shared:", "shared", "shared:-5", "shared:+5", "shared:1.5", "shared:010", "shared:2147483648",
  "shared:99999999999", "shared:1:2", "master:x", "master:", "master", "propagate_from:0", "unbindable:1", "unbindable:"]) {
  MALFORMED.push([TAG(bad), TAG_WHY]);
}
MALFORMED.push(
  [TAG("shared:1 shared:2"), /line 2: field 8: the kernel writes/],
  [TAG("master:3 unbindable unbindable"), /line 2: field 9: the kernel writes/],
  [TAG("master:3 propagate_from:4 propagate_from:4"), /line 2: field 9: the kernel writes/],
  [TAG("shared:1 propagate_from:4"), /line 2: propagate_from:N without master:N \(the kernel writes it only for a slave\)$/],
);
for (const [text, re] of MALFORMED) {
  test(`malformed ${JSON.stringify(text).slice(0, 50)}: FAILED naming the line, fd closed`, () => {
    const t = plan({ strategy: "move" }, { mountinfo: text });
    assert.is(t.outcome.kind, "failed");
    assert.match(t.outcome.kind === "failed" ? t.outcome.message : "", re);
    assert.match(t.outcome.kind === "failed" ? t.outcome.message : "", /^malformed mountinfo, /);
    assert.ok(t.steps.some((s) => s.request.op === "close"), "the mountinfo fd was closed before the verdict");
  });
}

test("optional tags the kernel writes are taken at their bounds; tags it does not write are skipped, whatever they say", () => {
  for (const tags of ["shared:1", "shared:2147483647", "master:2147483647 propagate_from:1", "shared:7 master:1 propagate_from:2 unbindable",
    "unbindable master:3", "weird:0x10 shared:5", "Shared:0 sharedx:1 shared_:x unbindablex master_of:y", ":1", "x:shared:0"]) {
    const t = plan({ strategy: "move" }, { mountinfo: TAG(tags) + "3 1 0:4 / /proc rw - proc proc rw\n" });
    assert.ok(t.outcome.kind !== "failed" || !/malformed/.test(t.outcome.message), `${tags}: ${JSON.stringify(t.outcome)}`);
    FakeKernel.fromMountinfo(TAG(tags)); // throws when refused
  }
});

test("the fake kernel refuses the same optional tags, with the machine's message", () => {
  for (const [tags, re] of [["shared:0x10", TAG_WHY], ["shared", TAG_WHY], ["unbindable:1", TAG_WHY], ["propagate_from:2", /propagate_from:N without master:N/]] as const) {
    try {
      FakeKernel.fromMountinfo(TAG(tags));
      assert.unreachable(`${tags} was taken`);
    } catch (e) {
      assert.instance(e, MountinfoError, tags);
      assert.match((e as Error).message, re, tags);
      assert.is((e as MountinfoError).line, 2, tags);
    }
  }
});

test("the old cifs bug: spaces inside super options still parse (the separator is found scanning back)", () => {
  const mi = "1 0 8:1 / / rw - ext4 /dev/sda rw\n2 1 0:50 / /mnt/c rw - cifs //srv/share rw,opt with spaces\n3 1 0:4 / /proc rw - proc proc rw\n";
  assert.equal(masks(mi, "/r"), ["/proc"]);
});

test("round trip: the fake kernel renders mountinfo with the kernel's escapes, the machine parses the same mounts", () => {
  // The machine reads mountinfo through /proc, so the table needs a proc there too.
  const text = "1 0 8:1 / / rw,relatime - ext4 /dev/sda rw\n5 1 0:3 / /proc rw - proc proc rw\n2 1 0:4 / /mnt/a\\040b rw - proc proc rw\n3 1 0:5 / /mnt/t\\011ab\\134 rw - sysfs sysfs rw\n4 1 0:6 / /srv/r rw - tmpfs tmpfs rw\n";
  const k = FakeKernel.fromMountinfo(text).unshare();
  const rendered = k.mountinfo();
  const expected = parseMountinfo(rendered).filter((e) => e.root === "/" && (e.fstype === "proc" || e.fstype === "sysfs")).map((e) => e.mountpoint);
  assert.equal(expected, ["/proc", "/mnt/a b", "/mnt/t\tab\\"], "the model's own parse (a different parser)");
  const r = check({ rootfs: "/srv/r", profile: "runc", strategy: "move" }, { mountinfo: text });
  const machine = r.trace.steps.filter((s) => s.request.step === "mask_propagation").map((s) => (s.request.op === "mount" ? s.request.target : ""));
  assert.equal(machine, expected);
  assert.equal(r.verdicts.filter((v) => !v.held), []);
});

test("fuzz: 10,000 mutated mountinfo files never trap the machine (npm run fuzz runs 1,000,000)", () => {
  const rnd = prng(0x5eed);
  const config = parseConfig({ rootfs: "/r", strategy: "move" });
  const machine = Machine.create();
  let failed = 0;
  for (let i = 0; i < 10_000; i++) {
    const mi = mutate(K8S, rnd);
    try {
      const t = drive(config, new DryRunHost({ mountinfo: mi }), { machine });
      if (t.outcome.kind === "failed") failed++;
    } catch (e) {
      assert.unreachable(`input #${i} ${e instanceof MachineTrapError ? "trapped" : "threw"}: ${(e as Error).message}\n${JSON.stringify(mi)}`);
    }
  }
  assert.ok(failed > 1000 && failed < 10_000, `${failed} of 10000 rejected: the mutations reach both outcomes`);
});

test.run();
