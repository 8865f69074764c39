// Mountinfo parse benchmark: a generated 10,000-mount file parsed by the machine (a hardened
// auto plan reads and parses it first), against libmount's parser (`findmnt --kernel -F FILE`)
// in the same run when util-linux is installed. Process start-up is measured separately with a
// one-line file and subtracted, so both sides are parse throughput. Then where the time goes:
// the dry-run host's encoding of the text (JS), the read loop, and the parse itself.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Machine } from "../src/machine.js";
import { encode } from "../src/config.js";
import { parseConfig } from "../src/schema.js";
import { DryRunHost } from "../src/hosts/dry-run.js";
import { type Stats, median, row, spread, stats, time } from "./util.js";

/** n mounts under a shared /, with proc and sysfs sprinkled in and a few escapes. */
export function generateMountinfo(n: number): string {
  const lines = ["1 0 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro", "2 1 0:4 / /proc rw,nosuid,nodev,noexec,relatime shared:2 - proc proc rw"];
  for (let i = 3; i <= n; i++) {
    const kind = i % 50 === 0 ? "proc proc" : i % 70 === 0 ? "sysfs sysfs" : "overlay overlay";
    const mp = `/var/lib/containers/storage/overlay/${i.toString(16).padStart(8, "0")}/merged${i % 97 === 0 ? "\\040x" : ""}`;
    lines.push(`${i} 1 0:${i} / ${mp} rw,relatime shared:${i} master:1 - ${kind} rw,lowerdir=/l/${i},upperdir=/u/${i},workdir=/w/${i}`);
  }
  return lines.join("\n") + "\n";
}

function machineParse(text: string): Stats {
  const m = Machine.create();
  const cfg = encode(parseConfig({ rootfs: "/r", strategy: "auto" }));
  const once = () => {
    const host = new DryRunHost({ mountinfo: text });
    m.start(cfg);
    for (let n = m.next(); !n.done; n = m.next()) {
      m.feed(host.exec(n.request));
      if (n.request.step === "mountinfo_close") break; // parsed on the close's result
    }
  };
  for (let i = 0; i < 5; i++) once();
  return stats(31, () => time(once));
}

/** Median ms of the host's TextEncoder pass, the read feeds and the close feed (the parse). */
function breakdown(text: string): { encode: number; reads: number; readMs: number; parse: number } {
  const m = Machine.create();
  const cfg = encode(parseConfig({ rootfs: "/r", strategy: "auto" }));
  const host = new DryRunHost({ mountinfo: text }); // encodes once, on the first open
  const once = () => {
    let reads = 0, readMs = 0, parse = 0;
    m.start(cfg);
    for (let n = m.next(); !n.done; n = m.next()) {
      const res = host.exec(n.request);
      const t = time(() => m.feed(res)) / 1000;
      if (n.request.op === "read") { reads++; readMs += t; }
      if (n.request.step === "mountinfo_close") { parse = t; break; }
    }
    return { reads, readMs, parse };
  };
  for (let i = 0; i < 5; i++) once();
  const runs = Array.from({ length: 31 }, once);
  const mid = (f: (r: (typeof runs)[number]) => number) => median(runs.length, (i) => f(runs[i]!));
  const enc = median(31, () => time(() => new TextEncoder().encode(text))) / 1000;
  return { encode: enc, reads: runs[0]!.reads, readMs: mid((r) => r.readMs), parse: mid((r) => r.parse) };
}

function findmnt(file: string): number | null {
  const r = spawnSync("findmnt", ["--kernel", "-F", file, "-n", "-o", "TARGET"], { stdio: "ignore" });
  if (r.error || r.status !== 0) return null;
  return median(21, () => time(() => spawnSync("findmnt", ["--kernel", "-F", file, "-n", "-o", "TARGET"], { stdio: "ignore" })));
}

export function benchParse(): void {
  const big = generateMountinfo(10_000);
  const small = generateMountinfo(2);
  const bigStats = machineParse(big);
  const ours = bigStats.median - machineParse(small).median;
  row("mountinfo parse, 10,000 mounts (machine)", `${(ours / 1000).toFixed(2)} ms`, `target ≤ 5 ms, ≤ 4 under stress; ${(big.length / 1024).toFixed(0)} KiB, read+parse; the 10k run alone: ${spread(bigStats)}`);
  const b = breakdown(big);
  row("  of which: dry-run host encodes the text (JS)", `${b.encode.toFixed(2)} ms`, "TextEncoder, once per host");
  row(`  of which: ${b.reads} reads (copy in, buffer doubling)`, `${b.readMs.toFixed(2)} ms`, "Machine.feed of each read");
  row("  of which: parse + filter (the close's feed)", `${b.parse.toFixed(2)} ms`, "validate all, decode only kept mounts");
  const dir = mkdtempSync(join(tmpdir(), "pivotshim-bench-"));
  try {
    writeFileSync(join(dir, "big"), big);
    writeFileSync(join(dir, "small"), small);
    const fb = findmnt(join(dir, "big"));
    const fs = findmnt(join(dir, "small"));
    if (fb === null || fs === null) { row("findmnt --kernel -F (libmount)", "missing", "install util-linux to compare"); return; }
    const theirs = fb - fs;
    row("mountinfo parse, 10,000 mounts (libmount findmnt)", `${(theirs / 1000).toFixed(2)} ms`, "process start-up subtracted (includes printing)");
    row("throughput ratio machine / libmount", `${(theirs / ours).toFixed(2)}×`, "target ≥ 1.0× (higher is faster)");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
