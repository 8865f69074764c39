// For the hand-written message goldens (test/crun-messages.test.ts, test/runc-messages.test.ts):
// a clean run on the dry-run host, then the same run with each step failed in turn (EPERM), and
// the outcome's message for each: what the profile's runtime would print.
import * as assert from "uvu/assert";
import { drive } from "../../src/driver.js";
import { DryRunHost } from "../../src/hosts/dry-run.js";
import type { Host } from "../../src/hosts/host.js";
import type { ConfigInput } from "../../src/schema.js";
import { EPERM } from "../../src/abi.js";

export const ROOTFS = "/srv/rootfs";
export const MOUNTINFO = "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n23 22 0:21 / /proc rw,relatime shared:2 - proc proc rw\n24 22 0:22 / /sys rw,relatime shared:3 - sysfs sysfs rw\n";

/** Every step of a clean run of `cfg` (on ROOTFS), each failed with EPERM in turn: [step, message or the outcome's kind]. */
export function stepMessages(cfg: ConfigInput): [string, string][] {
  const config = { rootfs: ROOTFS, ...cfg };
  const clean = drive(config, new DryRunHost({ rootfs: ROOTFS, mountinfo: MOUNTINFO }));
  assert.is(clean.outcome.kind, "done");
  return clean.steps.map((s, i) => {
    const inner = new DryRunHost({ rootfs: ROOTFS, mountinfo: MOUNTINFO });
    let n = 0;
    const host: Host = { kind: "dry-run", exec: (req) => (n++ === i ? { errno: EPERM } : inner.exec(req)) };
    const t = drive(config, host);
    return [s.request.step, t.outcome.kind === "failed" ? t.outcome.message : t.outcome.kind];
  });
}
