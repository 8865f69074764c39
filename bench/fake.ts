// Fake kernel at scale: building the model from a large mountinfo table plus one hardened plan on
// it (check(): fromMountinfo, mkdir, unshare, the run, the invariants), side by side with the
// dry-run host planning from the same text. Targets (issue 10): 100k mounts ≤ 1 s; 10k mounts
// stacked each on the one before ≤ 1 s. The 100k table is also FAKE_MOUNT_MAX, the model's cap.
import { check } from "../src/check.js";
import { plan } from "../src/plan.js";
import { FAKE_MOUNT_MAX } from "../src/abi.js";
import { median, row, time } from "./util.js";

const ROOT = ["21 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro",
  "22 21 0:4 / /proc rw,nosuid,nodev,noexec,relatime shared:2 - proc proc rw"];

/** n mounts side by side under a shared / (a node full of container overlays), slaves of /, a few procs. */
export function flatTable(n: number): string {
  const lines = [...ROOT];
  for (let i = lines.length; i < n; i++) {
    const kind = i % 50 === 0 ? "proc proc" : "overlay overlay";
    const mp = `/var/lib/containers/${i.toString(16).padStart(8, "0")}/merged${i % 97 === 0 ? "\\040x" : ""}`;
    lines.push(`${i + 100} 21 0:${i + 100} / ${mp} rw,relatime shared:${i + 100} master:1 - ${kind} rw,lowerdir=/l/${i}`);
  }
  return lines.join("\n") + "\n";
}

/** n mounts, each mounted on top of the one before at /mnt (a mount point remounted over and over). */
export function stackedTable(n: number): string {
  const lines = [...ROOT];
  for (let i = lines.length; i < n; i++) lines.push(`${i + 100} ${i === 2 ? 21 : i + 99} 0:${i + 100} / /mnt rw,relatime - tmpfs tmpfs rw`);
  return lines.join("\n") + "\n";
}

function side(name: string, text: string, target: string): void {
  const cfg = { rootfs: "/r", profile: "hardened" as const };
  let outcome = "";
  let held = 0;
  const cpus: number[] = [];
  const fake = median(3, () => {
    const c0 = process.cpuUsage();
    const us = time(() => {
      const r = check(cfg, { mountinfo: text });
      outcome = r.trace.outcome.kind;
      held = r.verdicts.filter((v) => v.held).length;
    });
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000);
    return us;
  });
  const cpu = cpus.sort((a, b) => a - b)[1]!;
  const dry = median(3, () => time(() => { plan(cfg, { mountinfo: text }); }));
  // CPU time (all of this process's threads, the garbage collector's too) next to the wall time:
  // on a loaded machine the wall time is mostly waiting for a core.
  row(`fake kernel: build + hardened plan, ${name}`, `${(fake / 1000).toFixed(0)} ms`, `${target}; ${outcome}, ${held} invariants held; ${cpu.toFixed(0)} ms CPU`);
  row(`dry-run host: hardened plan, ${name}`, `${(dry / 1000).toFixed(0)} ms`, `same file (${(text.length / 1e6).toFixed(1)} MB)`);
}

export function benchFake(): void {
  side("10k mounts side by side", flatTable(10_000), "report");
  side(`${FAKE_MOUNT_MAX / 1000}k mounts side by side`, flatTable(FAKE_MOUNT_MAX), "target ≤ 1000 ms");
  side("10k mounts stacked on /mnt", stackedTable(10_000), "target ≤ 1000 ms");
}
