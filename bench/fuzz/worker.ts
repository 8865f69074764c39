// One fuzz worker thread: runs a target on a range of generated inputs (or on a given list), and
// before each input stores its index in shared memory, so the watchdog in pool.ts can tell which
// input a synchronous hang is stuck in. Counts go to shared memory (they survive a terminate);
// the first input of each crash or oracle class, and per-class counts, go by message.
import { parentPort, workerData } from "node:worker_threads";
import fc from "fast-check";
import { TARGETS, inputAt, inputSeed } from "./targets.js";
import { classify, type Outcome } from "./outcome.js";
import { SLOT, type Job, type Msg } from "./protocol.js";

function runOne(target: string, input: unknown): Outcome {
  try { TARGETS[target]!.run(input); return { kind: "success" }; } catch (e) { return classify(e); }
}

function shrink(job: Extract<Job, { mode: "shrink" }>): void {
  const t = TARGETS[job.target]!;
  const prop = fc.property(t.arb, (x) => runOne(job.target, x).sig !== job.sig);
  const r = fc.check(prop, { seed: inputSeed(job.seed, job.index), numRuns: 1 });
  parentPort!.postMessage({ type: "shrunk", input: r.counterexample?.[0] ?? inputAt(t, job.seed, job.index), runs: r.numShrinks } satisfies Msg);
}

function loop(job: Exclude<Job, { mode: "shrink" }>, state: Int32Array): void {
  const t = TARGETS[job.target]!;
  const first = new Set<string>();
  let bySig = new Map<string, number>();
  const flush = () => { if (bySig.size) parentPort!.postMessage({ type: "counts", bySig: [...bySig] } satisfies Msg); bySig = new Map(); };
  for (let i = job.from; i < job.to; i++) {
    if (Atomics.load(state, SLOT.stop)) return; // the watchdog is reading our stack, then terminates us
    Atomics.store(state, SLOT.cur, i);
    // A 200 MB table takes seconds to generate: the watchdog does not count that against the product.
    Atomics.store(state, SLOT.gen, 1);
    const input = job.mode === "list" ? job.inputs[i] : inputAt(t, job.seed, i);
    Atomics.store(state, SLOT.gen, 0);
    const o = runOne(job.target, input);
    Atomics.add(state, SLOT[o.kind], 1);
    if (job.mode === "list") parentPort!.postMessage({ type: "outcome", index: i, outcome: o } satisfies Msg);
    else if (o.sig) {
      bySig.set(o.sig, (bySig.get(o.sig) ?? 0) + 1);
      if (!first.has(o.sig)) { first.add(o.sig); parentPort!.postMessage({ type: "class", index: i, outcome: o } satisfies Msg); }
    }
    if ((i & 1023) === 1023) flush();
  }
  flush();
  parentPort!.postMessage({ type: "done" } satisfies Msg);
}

const { job, sab } = workerData as { job: Job; sab: SharedArrayBuffer };
TARGETS[job.target]!.warm();
fc.sample(TARGETS[job.target]!.arb, { seed: 0, numRuns: 20 }); // JIT the generators too
if (job.mode === "shrink") shrink(job);
// A spare (from -1) is started ahead of need and waits to be told where to begin: a hang then
// costs the watchdog's wait, not a module load.
else if (job.from < 0) parentPort!.once("message", (m: { from: number }) => loop({ ...job, from: m.from }, new Int32Array(sab)));
else loop(job, new Int32Array(sab));
