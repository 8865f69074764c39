import { drive } from "../src/driver.js";
import { DryRunHost } from "../src/hosts/dry-run.js";
import * as abi from "../src/abi.js";
const MI = "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n23 22 0:21 / /proc rw,relatime shared:2 - proc proc rw\n24 22 0:22 / /sys rw,relatime shared:3 - sysfs sysfs rw\n";
for (const profile of process.argv.slice(2)) for (const strategy of ["pivot", "move", "chroot"]) {
  const cfg = { rootfs: "/srv/rootfs", profile, strategy } as any;
  const base = drive(cfg, new DryRunHost({ rootfs: "/srv/rootfs", mountinfo: MI }));
  if (base.outcome.kind !== "done") { console.log(profile, strategy, "base", base.outcome.kind, (base.outcome as any).message); continue; }
  let last = "";
  for (let i = 0; i < base.steps.length; i++) {
    const inner = new DryRunHost({ rootfs: "/srv/rootfs", mountinfo: MI });
    let n = 0;
    const host = { kind: "dry-run", exec(req: any) { if (n++ === i) return { errno: abi.EPERM }; return inner.exec(req); } };
    const t = drive(cfg, host as any);
    const r = base.steps[i]!.request as any;
    const line = `${profile} ${strategy} ${r.step}: ${t.outcome.kind === "failed" ? (t.outcome as any).message : t.outcome.kind}`;
    if (line !== last) console.log(line); last = line;
  }
}
