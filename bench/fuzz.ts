// npm run fuzz: every target of bench/fuzz/targets.ts (the fake kernel's mountinfo + plan, trace
// schema + replay, strace parser + diff, config, the machine's own parser) on 1,000,000 generated
// inputs each, in worker threads under a per-input watchdog (bench/fuzz/pool.ts). Prints per
// target the inputs, successes, clean errors, crashes, oracle failures, hangs and wall time, then
// each distinct class, shrunk, with its seed and index; the first input of each class is saved
// under build/fuzz/. Exit 1 when anything crashed, hung or broke an oracle.
//   FUZZ_N=10000 npm run fuzz            fewer inputs per target (or --n 10000)
//   FUZZ_TARGETS=strace,config           some targets (or --targets ...)
//   FUZZ_SEED, FUZZ_TIMEOUT_MS (2000), FUZZ_WORKERS (cores, at most 4), FUZZ_OUT (build/fuzz)
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { TARGETS, TARGET_NAMES, inputAt, inputSeed } from "./fuzz/targets.js";
import { KINDS } from "./fuzz/outcome.js";
import { runJob, shrinkInWorker, live, liveCounts, type ClassInfo, type Counts } from "./fuzz/pool.js";
import { REPO } from "./fuzz/corpus.js";

function arg(name: string, env: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : process.env[env] ?? dflt;
}

const N = Number(arg("n", "FUZZ_N", "1000000"));
const SEED = Number(arg("seed", "FUZZ_SEED", String(0xf00d)));
const TIMEOUT = Number(arg("timeout", "FUZZ_TIMEOUT_MS", "2000"));
const WORKERS = Number(arg("workers", "FUZZ_WORKERS", String(Math.min(4, availableParallelism()))));
const OUT = arg("out", "FUZZ_OUT", join(REPO, "build", "fuzz"));
const NAMES = arg("targets", "FUZZ_TARGETS", TARGET_NAMES.join(",")).split(",").filter(Boolean);
for (const n of NAMES) if (!TARGETS[n]) { console.error(`fuzz: unknown target "${n}"; expected one of ${TARGET_NAMES.join(", ")}`); process.exit(2); }

/** fc.stringify, or why not: an input of hundreds of MB is past V8's string length (the runner once died printing one). */
const printable = (v: unknown): string => {
  try { return fc.stringify(v); } catch (e) { return `(not printable: ${(e as Error).message}; inputAt(target, seed, index) makes it again)`; }
};
const short = (v: unknown, max = 240): string => { const s = printable(v); return s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s; };
/** The input as plain JSON, ready for a test/fixtures/fuzz case, when it has a JSON form (no BigInt, Map, ...). */
const asJson = (v: unknown): unknown => { try { return JSON.parse(JSON.stringify(v)) as unknown; } catch { return null; } };
const slug = (s: string) => s.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "").slice(0, 60).toLowerCase();

async function fuzzTarget(name: string): Promise<{ counts: Counts; classes: Map<string, ClassInfo>; seconds: number }> {
  const t0 = Date.now();
  const per = Math.ceil(N / WORKERS);
  const jobs = Array.from({ length: WORKERS }, (_, w) => ({ from: w * per, to: Math.min(N, (w + 1) * per) })).filter((r) => r.from < r.to);
  const progress = () => `${name}: ${((Date.now() - t0) / 1000).toFixed(0)} s, ${Object.entries(liveCounts()).map(([k, v]) => `${k} ${v}`).join(", ")}`;
  let ticks = 0;
  const tick = setInterval(() => {
    if (process.stderr.isTTY) process.stderr.write(`\r${progress()}\x1b[K`);
    else if (++ticks % 60 === 0) process.stderr.write(`${progress()}\n`); // a log file gets a line a minute
  }, 1000);
  const parts = await Promise.all(jobs.map((r) => runJob({ mode: "range", target: name, seed: SEED, ...r }, TIMEOUT)));
  clearInterval(tick);
  if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
  const counts = Object.fromEntries(KINDS.map((k) => [k, parts.reduce((a, p) => a + p.counts[k], 0)])) as Counts;
  const classes = new Map<string, ClassInfo>();
  for (const p of parts) for (const [sig, c] of p.classes) {
    const have = classes.get(sig);
    if (!have) classes.set(sig, { ...c });
    else { have.count += c.count; if (c.index < have.index) Object.assign(have, { index: c.index, detail: c.detail }); }
  }
  return { counts, classes, seconds: (Date.now() - t0) / 1000 };
}

// Ctrl-C (or SIGTERM) on a long run: print what the running target found so far, unshrunk.
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => {
  console.log(`\ninterrupted (${sig}); so far on the running target: ${Object.entries(liveCounts()).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  const seen = new Map<string, ClassInfo>();
  for (const cs of live.values()) for (const [s, c] of cs) { const h = seen.get(s); if (h) h.count += c.count; else seen.set(s, { ...c }); }
  for (const [s, c] of [...seen].sort((a, b) => b[1].count - a[1].count)) console.log(`  ${c.kind.toUpperCase()} x${c.count} ${s}\n    first: seed ${SEED} index ${c.index}; ${c.detail.split("\n")[0]!.slice(0, 200)}`);
  process.exit(1);
});

const rows: string[] = [];
let bad = 0;
console.log(`fuzz: ${N} inputs per target, seed ${SEED}, ${WORKERS} workers, watchdog ${TIMEOUT} ms per input, classes saved under ${OUT}`);
for (const name of NAMES) {
  const t = TARGETS[name]!;
  const { counts, classes, seconds } = await fuzzTarget(name);
  const cols = KINDS.map((k) => `${k} ${counts[k]}`).join(", ");
  const row = `${name.padEnd(13)} ${String(N).padStart(8)} inputs: ${cols}; ${seconds.toFixed(1)} s (${Math.round(N / seconds)}/s)`;
  rows.push(row);
  console.log(`\n${row}\n  reaches: ${t.what}; area: ${t.area}`);
  const dir = join(OUT, name);
  mkdirSync(dir, { recursive: true });
  for (const [sig, c] of [...classes].sort((a, b) => b[1].count - a[1].count)) {
    bad++;
    const input = inputAt(t, SEED, c.index);
    // Hangs are not shrunk here: shrinking re-runs the input, and each hanging candidate costs a worker.
    const shrunk = c.kind === "hang" ? null : await shrinkInWorker(name, SEED, c.index, sig, 60_000);
    const file = join(dir, `${c.kind}-${slug(sig.replace(/^[a-z]+: /, ""))}.json`);
    const head = { target: name, kind: c.kind, sig, detail: c.detail, seed: SEED, index: c.index, inputSeed: inputSeed(SEED, c.index), count: c.count };
    let text: string;
    try {
      text = JSON.stringify({ ...head, input: printable(input), shrunk: shrunk ? printable(shrunk.input) : null, json: asJson(shrunk ? shrunk.input : input) }, null, 1);
    } catch (e) { // too large for one string: the seed and index make the input again
      text = JSON.stringify({ ...head, input: `(not saved: ${(e as Error).message}; inputAt(target, seed, index) makes it again)` }, null, 1);
    }
    writeFileSync(file, text + "\n");
    console.log(`  ${c.kind.toUpperCase()} x${c.count} ${sig}\n    first: seed ${SEED} index ${c.index}; ${c.detail.split("\n")[0]!.slice(0, 200)}`);
    console.log(`    ${shrunk ? `shrunk (${shrunk.runs} steps)` : "not shrunk"}: ${short(shrunk ? shrunk.input : input)}\n    saved: ${file}`);
  }
}
console.log(`\nsummary (seed ${SEED}, watchdog ${TIMEOUT} ms):\n${rows.join("\n")}`);
console.log(bad ? `\n${bad} distinct crash/oracle/hang classes: see above and ${OUT}` : "\nno crash, no hang, no oracle failure");
process.exitCode = bad ? 1 : 0;
