// Goldens with an independent source: test/fixtures/plans/by-hand/*.strace were written line by line
// from runc main's source (the seed), youki's source (main bc78720, no capture exists), bubblewrap
// 0.8.0's and LXC 5.0.2's source (with the line of its real capture next to each) and the
// hardened rules (docs/sources.md), each line saying where
// it comes from (`  #src: ...`). The generated goldens in test/fixtures/plans/ are pivotshim's own
// output, checked for drift; these check it against the sources. Each test says which kind it is.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { plan, type PlanOptions } from "../src/plan.js";
import { formatStrace } from "../src/format/index.js";
import type { ConfigInput } from "../src/schema.js";

const dir = new URL("./fixtures/plans/by-hand/", import.meta.url);

/** The golden without its sources; every line must carry one (a line without is a writing error). */
function byHand(name: string): string {
  const lines = readFileSync(new URL(name, dir), "utf8").split("\n").filter((l) => l !== "");
  for (const l of lines) assert.match(l, /  #src: \S/, `${name}: every line names its source: ${l}`);
  return lines.map((l) => l.replace(/  #src: .*$/, "")).join("\n") + "\n";
}

const CASES: [string, ConfigInput, PlanOptions?][] = [
  ["runc-pivot.strace", { profile: "runc", strategy: "pivot" }],
  ["runc-pivot-rshared.strace", { profile: "runc", strategy: "pivot", rootPropagation: "rshared" }],
  ["runc-pivot-readonly.strace", { profile: "runc", strategy: "pivot", readonly: true }],
  ["hardened-pivot.strace", { profile: "hardened", strategy: "pivot" }],
  // youki: from source, no capture (docs/sources.md#youki).
  ["youki-pivot.strace", { profile: "youki", strategy: "pivot" }],
  ["youki-move.strace", { profile: "youki", strategy: "move" }],
  ["youki-chroot-readonly.strace", { profile: "youki", strategy: "chroot", readonly: true }],
  ["youki-pivot-shared-readonly.strace", { profile: "youki", strategy: "pivot", rootPropagation: "shared", readonly: true }],
  ["youki-move-unbindable.strace", { profile: "youki", strategy: "move", rootPropagation: "unbindable" }],
  // bwrap 0.8.0: from source, each line also checked against the real capture's line.
  ["bwrap-pivot.strace", { profile: "bwrap", strategy: "pivot" }],
  ["bwrap-pivot-readonly.strace", { profile: "bwrap", strategy: "pivot", readonly: true }],
  // LXC 5.0.2: from source (conf.c, storage/dir.c, mount_utils.c, utils.c at d571736), each line also
  // naming the line of test/fixtures/real/lxc-pivot-*.strace it matches.
  ["lxc-pivot.strace", { profile: "lxc", strategy: "pivot" }],
  ["lxc-auto.strace", { profile: "lxc", strategy: "auto" }],
  // crun main ba38286: from source, no capture (docs/sources.md#crun-1-29); Linux 7.0's path from source, unverified.
  ["crun-1.29-pivot-readonly.strace", { profile: "crun-1.29", strategy: "pivot", readonly: true }],
  ["crun-1.29-chroot-readonly.strace", { profile: "crun-1.29", strategy: "chroot", readonly: true }],
  ["crun-1.29-pivot-kernel-7.0-readonly.strace", { profile: "crun-1.29", strategy: "pivot", readonly: true }, { kernel: "7.0" }],
];

for (const [name, config, opts] of CASES) {
  test(`by hand from the source: ${name}`, () => {
    assert.fixture(formatStrace(plan({ rootfs: "/r", ...config }, opts)), byHand(name));
  });
}

test("the generated golden agrees with the hand-written one where both exist", () => {
  for (const name of ["runc-pivot.strace", "runc-pivot-readonly.strace", "hardened-pivot.strace",
    "youki-pivot.strace", "youki-move.strace", "youki-chroot-readonly.strace", "bwrap-pivot.strace", "bwrap-pivot-readonly.strace", "lxc-pivot.strace", "lxc-auto.strace",
    "crun-1.29-pivot-readonly.strace", "crun-1.29-chroot-readonly.strace", "crun-1.29-pivot-kernel-7.0-readonly.strace"]) {
    assert.fixture(readFileSync(new URL(`../${name}`, dir), "utf8"), byHand(name), name);
  }
});

test.run();
