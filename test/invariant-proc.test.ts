// no-host-proc-sysfs judges the host's proc and sysfs left in the container's namespace, not the
// proc a docker-like rootfs carries inside it (the runtime norm): pivot, move and auto, every profile.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { check } from "../src/check.js";
import { PROFILES } from "../src/schema.js";
import { strategiesOf } from "./helpers.js";

const R = "/var/lib/pivotshim/rootfs";
/** A systemd host with the runtime's overlay rootfs, proc and sysfs already mounted inside it. */
const PROC_INSIDE = [
  "21 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw",
  "22 21 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw",
  "23 21 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:3 - proc proc rw",
  "27 22 0:25 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:7 - cgroup2 cgroup2 rw",
  `41 21 0:45 / ${R} rw,relatime - overlay overlay rw,lowerdir=/var/lib/pivotshim/l/A`,
  `42 41 0:22 / ${R}/proc rw,nosuid,nodev,noexec,relatime - proc proc rw`,
  `43 41 0:21 / ${R}/sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro`,
].join("\n") + "\n";

test("a rootfs carrying its own /proc and /sys: every profile and strategy is done with every invariant held", () => {
  for (const profile of PROFILES) {
    for (const strategy of (["auto", "pivot", "move"] as const).filter((s) => strategiesOf(profile).includes(s))) {
      const r = check({ rootfs: R, profile, strategy }, { mountinfo: PROC_INSIDE });
      assert.is(r.trace.outcome.kind, "done", `${profile} ${strategy}`);
      assert.equal(r.verdicts.filter((v) => !v.held), [], `${profile} ${strategy}`);
      const v = r.verdicts.find((x) => x.id === "no-host-proc-sysfs");
      assert.is(v !== undefined, strategy !== "pivot", `${profile} ${strategy}: judged for move and auto`);
    }
  }
});

test("on the same host the invariant still fires for the host's /proc when a mask is skipped (runc b8bf572 under ENOENT)", () => {
  const r = check({ rootfs: R, profile: "runc", strategy: "move" }, { mountinfo: PROC_INSIDE, faults: ["mount#5=ENOENT"] });
  const v = r.verdicts.find((x) => x.id === "no-host-proc-sysfs")!;
  assert.is(v.held, false, JSON.stringify(r.verdicts));
  assert.match(v.detail, /the host's \/(proc|sys), hidden under the new root/);
  assert.not.match(v.detail, /rootfs\/proc/, "the rootfs's own proc is not named");
});

test.run();
