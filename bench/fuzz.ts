// npm run fuzz: 1,000,000 mutated mountinfo files through the machine; none may trap.
// The same mutator and seed scheme as test/mountinfo.test.ts (which runs 10,000).
import { readFileSync } from "node:fs";
import { Machine } from "../src/machine.js";
import { drive } from "../src/driver.js";
import { DryRunHost } from "../src/hosts/dry-run.js";
import { parseConfig } from "../src/schema.js";
import { mutate, prng } from "./fuzz-mutator.js";

const base = readFileSync(new URL("../../test/fixtures/mountinfo/k8s-node.mountinfo", import.meta.url), "utf8");
const total = Number(process.env.FUZZ_N ?? 1_000_000);
const seed = Number(process.env.FUZZ_SEED ?? 0xf00d);
const rnd = prng(seed);
const config = parseConfig({ rootfs: "/r", strategy: "move" });
let machine = Machine.create();
const counts = { done: 0, failed: 0 };
const t0 = Date.now();
for (let i = 0; i < total; i++) {
  const mi = mutate(base, rnd);
  try {
    counts[drive(config, new DryRunHost({ mountinfo: mi }), { machine }).outcome.kind]++;
  } catch (e) {
    console.error(`input #${i} (seed ${seed}) ${(e as Error).name}: ${(e as Error).message}\n${JSON.stringify(mi)}`);
    process.exitCode = 1;
    machine = Machine.create();
  }
  if (process.stderr.isTTY && i % 10_000 === 0) process.stderr.write(`\r${i} / ${total}`);
}
if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
console.log(`fuzz: ${total} inputs, ${counts.done} done, ${counts.failed} failed cleanly, ${process.exitCode ? "TRAPS FOUND" : "no trap"} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
