// One instance, many runs: explore() reuses one machine for thousands of runs, and the machine's
// runtime is a per-run arena (assembly/index.ts resets it in start()), so its memory must stop
// growing and a late run must look exactly like the first. Also: the machine's generated texts
// (assembly/generated/text.ts) are not stale against their sources.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Machine } from "../src/machine.js";
import { encode } from "../src/config.js";
import { parseConfig } from "../src/schema.js";
import { DryRunHost } from "../src/hosts/dry-run.js";
import { PROFILES, STRATEGIES } from "../src/schema.js";
import { REQ_STR1, REQ_REASON } from "../src/abi.js";
import { strategiesOf } from "./helpers.js";

const CONFIGS = PROFILES.flatMap((profile) => strategiesOf(profile).map((strategy) => encode(parseConfig({ rootfs: "/r", profile, strategy }))));

/** Run i: a config, and on odd runs a failure at request i % 9 (so messages are rendered too). */
function run(m: Machine, i: number): string[] {
  m.start(CONFIGS[i % CONFIGS.length]!);
  const host = new DryRunHost({ rootfs: "/r" });
  const out: string[] = [];
  for (let n = m.next(), k = 0; ; n = m.next(), k++) {
    if (n.done) { out.push(JSON.stringify(n.outcome)); return out; }
    const view = new DataView(m.exports.memory.buffer);
    const at = m.exports.request_ptr();
    out.push(`${JSON.stringify(n.request)} @${view.getUint32(at + REQ_STR1, true)},${view.getUint32(at + REQ_REASON, true)}`);
    m.feed(i % 2 === 1 && k === i % 9 ? { errno: 22 } : host.exec(n.request));
  }
}

test("20,000 runs on one instance: memory stops growing, the last runs equal the first", () => {
  const m = Machine.create();
  const first = Array.from({ length: 2 * CONFIGS.length * 9 }, (_, i) => run(m, i));
  const sizes: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const r = run(m, i);
    if (i < first.length) assert.equal(r, first[i], `run ${i} differs from its first time (pointers included)`);
    if (i % 1000 === 999) sizes.push(m.exports.memory.buffer.byteLength);
  }
  assert.ok(sizes[0]! > 0);
  assert.equal(sizes, sizes.map(() => sizes[0]), `memory.buffer.byteLength every 1000 runs: ${sizes.join(", ")}`);
});

test("a 1.6 MB mountinfo, read 200 times on one instance, keeps memory at its first high-water mark", () => {
  const lines = ["1 0 8:1 / / rw shared:1 - ext4 /dev/sda1 rw"];
  for (let i = 2; i <= 10_000; i++) lines.push(`${i} 1 0:${i} / /var/lib/x/${i.toString(16).padStart(8, "0")}/merged${i % 97 ? "" : "\\040x"} rw shared:${i} - ${i % 50 ? "overlay" : "proc"} o rw,lowerdir=/l/${i},upperdir=/u/${i}`);
  const host = new DryRunHost({ mountinfo: lines.join("\n") + "\n" });
  const cfg = encode(parseConfig({ rootfs: "/r", strategy: "move" }));
  const m = Machine.create();
  const sizes: number[] = [];
  for (let i = 0; i < 200; i++) {
    m.start(cfg);
    let masks = 0;
    for (let n = m.next(); !n.done; n = m.next()) { if (n.request.step === "mask_umount") masks++; m.feed(host.exec(n.request)); }
    assert.is(masks, 200); // every 50th mount is a full proc outside /r
    sizes.push(m.exports.memory.buffer.byteLength);
  }
  assert.ok(sizes[0]! >= 2 * 1024 * 1024, "the buffer for 1.6 MB was grown");
  assert.equal(sizes, sizes.map(() => sizes[0]), "memory grew after the first run");
});

test("assembly/generated/text.ts is up to date with assembly/text.txt and src/names.ts", () => {
  const script = fileURLToPath(new URL("../scripts/gen-text.mjs", import.meta.url));
  const r = spawnSync(process.execPath, [script, "--check"], { encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
});

test.run();
