// run's prediction on large tables: predict() made afresh (model the caller, drive the plan, judge
// it; the memo bypassed) on a synthetic 10k-mount table, and the single-fault branches run()
// verifies on demand. The cost on this machine's own table, next to the warm launch, is in
// bench/native.ts.
import { predictUnmemoized as predict, runModel } from "../src/predict.js";
import { parseConfig } from "../src/schema.js";
import { walkPath } from "../src/rootfs-facts.js";
import { MAN_ERRNOS } from "../src/hosts/faults.js";
import { errnoNumber } from "../src/names-ts.js";
import { row, time } from "./util.js";

/** "/" shared ext4, /proc, /sys, then `n` shared tmpfs mounts under /mnt (a busy k8s node's order of size). */
function table(n: number): string {
  const lines = ["21 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw", "22 21 0:21 / /proc rw,relatime shared:2 - proc proc rw",
    "23 21 0:22 / /sys rw,relatime shared:3 - sysfs sysfs rw"];
  for (let i = 0; i < n; i++) lines.push(`${100 + i} 21 0:${100 + i} / /mnt/m${i} rw,relatime shared:${10 + i} - tmpfs tmpfs rw,size=1k`);
  return lines.join("\n") + "\n";
}

export function benchPredict(): void {
  const config = parseConfig({ rootfs: "/srv/rootfs", profile: "runc", strategy: "pivot" });
  const facts = walkPath(config.rootfs, () => ({ kind: "dir" }));
  for (const n of [100, 1000, 10000]) {
    const mountinfo = table(n);
    let p!: ReturnType<typeof predict>;
    const us = time(() => { p = predict(config, { mountinfo, facts, rootless: false }); });
    row(`predict(), ${n} mounts (one run)`, `${(us / 1000).toFixed(1)} ms`, `${p.trace.steps.length} requests; ${p.violated.length} violated`);
    if (n > 100) continue;
    let branches = 0;
    const all = time(() => p.trace.steps.forEach((s, seq) => {
      for (const e of MAN_ERRNOS[s.request.op]) { runModel(config, p.template, [{ seq, errno: errnoNumber(e)! }]); branches++; }
    }));
    row(`  every single-fault branch, ${n} mounts`, `${(all / 1000).toFixed(1)} ms`, `${branches} branches; run() verifies only the one a real errno takes`);
  }
}
