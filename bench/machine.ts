// Machine benchmarks: release wasm size (and per profile: bench/profile-size.ts), instantiate time, ns per step, µs per full plan
// (median of many), plans per second and the instance's memory after all those plans (the
// runtime is a per-run arena). Measured with the raw Machine and a minimal host, so the figures
// are the machine's, not zod's or the formatter's.
import { readFileSync } from "node:fs";
import { Machine, compile } from "../src/machine.js";
import { encode } from "../src/config.js";
import { parseConfig } from "../src/schema.js";
import { DryRunHost } from "../src/hosts/dry-run.js";
import { median, row, time } from "./util.js";
import { profileSizes } from "./profile-size.js";

export async function benchMachine(): Promise<void> {
  const wasm = readFileSync(new URL("../../build/wasm/release.wasm", import.meta.url));
  row("release wasm size", `${wasm.length} B`, "target ≤ 24576 B (issue 14: room for an eighth profile record; what each one costs below)");
  // Per profile: full − the machine built without that record (bench/profile-size.ts).
  const sizes = await profileSizes();
  if (sizes.full !== wasm.length) row("  (build/wasm/release.wasm is stale)", `${sizes.full} B`, "the sources built now; run npm run build");
  for (const { name, bytes } of sizes.profiles) {
    row(`  profile ${name}`, `${bytes} B`, "its record, and the step lists, reasons and texts no other profile uses");
  }
  row("  shared core", `${sizes.core} B`, "not attributed: all code (even steps and messages one profile alone reaches), shared lists and texts, name tables");
  const mod = compile("release");
  const inst = median(200, () => time(() => Machine.create(mod)));
  row("instantiate (median of 200)", `${(inst / 1000).toFixed(3)} ms`, "target ≤ 1 ms");

  for (const [name, input] of [["runc pivot", { rootfs: "/r", profile: "runc" }], ["hardened auto", { rootfs: "/r" }]] as const) {
    const cfg = encode(parseConfig(input));
    const m = Machine.create(mod);
    let steps = 0;
    const once = () => {
      const host = new DryRunHost({ rootfs: "/r" });
      m.start(cfg);
      for (let n = m.next(); !n.done; n = m.next()) { m.feed(host.exec(n.request)); steps++; }
    };
    for (let i = 0; i < 2000; i++) once(); // warm up
    steps = 0;
    const samples: number[] = [];
    for (let i = 0; i < 5000; i++) samples.push(time(once));
    const perPlan = median(samples.length, (i) => samples[i]!);
    const stepsPerPlan = steps / samples.length;
    row(`${name}: µs per full plan (median of 5000)`, `${perPlan.toFixed(2)} µs`, "target ≤ 20 µs");
    row(`${name}: ns per step`, `${((perPlan * 1000) / stepsPerPlan).toFixed(0)} ns`, `target ≤ 1000 ns (${stepsPerPlan} steps)`);
    row(`${name}: plans per second`, `${Math.round(1e6 / perPlan)}`, "");
    row(`${name}: memory after 7000 plans`, `${m.exports.memory.buffer.byteLength / 1024} KiB`, "one instance; must not grow with runs");
  }
}
