// Runs fuzz jobs in worker threads under a watchdog. A synchronous hang cannot be interrupted from
// inside the thread, so the watchdog terminates a worker whose current input (in shared memory)
// has not changed for `timeoutMs`, counts that input as a hang, and starts a new worker at the
// next input. A worker that dies (out of memory past its heap cap) counts its input as a crash.
import { Worker } from "node:worker_threads";
import { KINDS, type Kind, type Outcome } from "./outcome.js";
import { stackOf, hangClass } from "./stack.js";
import { GEN_LIMIT_MS, SLOT, SLOTS, type Job, type Msg } from "./protocol.js";

const FROM_TS = import.meta.url.endsWith(".ts");
const WORKER = new URL(`./worker${FROM_TS ? ".ts" : ".js"}`, import.meta.url);
/** Under tsx (the tests), a worker's entry does not get the loader from execArgv: register it first. */
const ENTRY = FROM_TS
  ? `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((m) => { m.register(); return import(${JSON.stringify(WORKER.href)}); });`
  : WORKER;
/** A runaway allocation (a parent cycle grew to 2 GB) must kill the worker, not the machine. */
const HEAP_MB = 1024;
const STACKS_PER_JOB = 100;

export type Counts = Record<Kind, number>;

/** The shared counters and classes of every running job, for a progress line or a report on interrupt. */
export const live = new Map<Int32Array, Map<string, ClassInfo>>();
export const liveCounts = (): Counts => Object.fromEntries(KINDS.map((k) => [k, [...live.keys()].reduce((a, s) => a + Atomics.load(s, SLOT[k]), 0)])) as Counts;
export interface ClassInfo { kind: Kind; count: number; index: number; detail: string }
export interface RangeResult { counts: Counts; classes: Map<string, ClassInfo> }

function spawn(job: Job, sab: SharedArrayBuffer): Worker {
  const w = new Worker(ENTRY, { eval: FROM_TS, workerData: { job, sab }, resourceLimits: { maxOldGenerationSizeMb: HEAP_MB }, stdout: true });
  w.stdout.resume(); // what a target prints is not the report
  return w;
}

/**
 * Runs inputs [from, to) of a range or list job; `onOutcome` sees each input's outcome in list
 * mode. Resolves with the counts and the classes (the first index of each).
 */
export function runJob(job: Exclude<Job, { mode: "shrink" }>, timeoutMs: number, onOutcome?: (i: number, o: Outcome) => void): Promise<RangeResult> {
  const sab = new SharedArrayBuffer(SLOTS * 4);
  // Reading a hung worker's stack costs about a second; after this many, hangs are only counted.
  let stacks = STACKS_PER_JOB;
  const state = new Int32Array(sab);
  const classes = new Map<string, ClassInfo>();
  live.set(state, classes);
  const note = (sig: string, kind: Kind, index: number, detail: string, n = 0) => {
    const c = classes.get(sig);
    if (c) { c.count += n; if (index < c.index) c.index = index; } else classes.set(sig, { kind, count: n, index, detail });
  };
  return new Promise((resolve, reject) => {
    let from = job.from;
    let spare: Worker | undefined;
    const start = (): void => {
      if (from >= job.to) { finish(); return; }
      Atomics.store(state, SLOT.cur, from - 1);
      Atomics.store(state, SLOT.stop, 0);
      const w = spare ?? spawn({ ...job, from: -1 }, sab);
      w.postMessage({ from });
      spare = spawn({ ...job, from: -1 }, sab);
      let last = -2;
      let since = Date.now();
      let genSince = Date.now();
      let settled = false;
      const stop = (kind: Kind, sig: string, detail: string, at?: number): void => {
        if (settled) return;
        settled = true;
        clearInterval(dog);
        const i = at ?? Atomics.load(state, SLOT.cur);
        if (i < from) { void w.terminate(); void spare?.terminate(); reject(new Error(`fuzz worker failed before its first input: ${detail}`)); return; }
        Atomics.add(state, SLOT[kind], 1);
        note(sig, kind, i, detail, 1);
        onOutcome?.(i, { kind, sig, detail });
        void w.terminate();
        from = i + 1;
        start();
      };
      const dog = setInterval(() => {
        const cur = Atomics.load(state, SLOT.cur);
        if (cur !== last) { last = cur; since = Date.now(); genSince = Date.now(); return; }
        if (Atomics.load(state, SLOT.gen) === 1) {  // generating: the product's clock has not started
          since = Date.now();
          if (Date.now() - genSince > GEN_LIMIT_MS && !settled) {
            clearInterval(dog);
            Atomics.store(state, SLOT.stop, 1);
            stop("hang", "hang in the fuzzer's input generator (not the product)", `the input took over ${GEN_LIMIT_MS} ms to generate`, cur);
          }
          return;
        }
        if (cur >= from && Date.now() - since > timeoutMs && !settled) {
          clearInterval(dog);
          Atomics.store(state, SLOT.stop, 1);
          const ms = Date.now() - since;
          const frames = stacks-- > 0 ? stackOf(w) : Promise.resolve(null);
          void frames.then((f) => stop("hang", f ? `hang in ${hangClass(f)}` : "hang (stack not taken)", `no result within ${ms} ms${f ? `; stack: ${f.slice(0, 8).join(" < ")}` : ""}`, cur));
        }
      }, Math.max(20, Math.min(250, timeoutMs / 4)));
      w.on("message", (m: Msg) => {
        if (m.type === "class") note(m.outcome.sig!, m.outcome.kind, m.index, m.outcome.detail ?? "");
        else if (m.type === "counts") for (const [sig, n] of m.bySig) { const c = classes.get(sig); if (c) c.count += n; }
        else if (m.type === "outcome") onOutcome?.(m.index, m.outcome);
        else if (m.type === "done") { settled = true; clearInterval(dog); void w.terminate(); finish(); }
      });
      w.on("error", (e: Error & { code?: string }) => stop("crash", `worker died: ${e.code ?? e.name}`, `${e.name}: ${e.message}`));
      w.on("exit", (code) => { if (!settled && !Atomics.load(state, SLOT.stop)) stop("crash", `worker exited with ${code}`, `the worker exited (${code}) without finishing`); });
    };
    const finish = (): void => {
      live.delete(state);
      void spare?.terminate();
      const counts = Object.fromEntries(KINDS.map((k) => [k, Atomics.load(state, SLOT[k])])) as Counts;
      resolve({ counts, classes });
    };
    try { start(); } catch (e) { reject(e); }
  });
}

/** Shrinks the input at (seed, index) to a minimal one of the same class, in a worker; null on timeout. */
export function shrinkInWorker(target: string, seed: number, index: number, sig: string, timeoutMs: number): Promise<{ input: unknown; runs: number } | null> {
  return new Promise((resolve) => {
    const w = spawn({ mode: "shrink", target, seed, index, sig }, new SharedArrayBuffer(SLOTS * 4));
    const timer = setTimeout(() => { void w.terminate(); resolve(null); }, timeoutMs);
    w.on("message", (m: Msg) => { if (m.type === "shrunk") { clearTimeout(timer); void w.terminate(); resolve({ input: m.input, runs: m.runs }); } });
    w.on("error", () => { clearTimeout(timer); resolve(null); });
  });
}
