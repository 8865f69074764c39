// Structure-aware trace files for the trace schema + replay: a recorded trace (corpus.ts) with edits
// on the JSON (any field set to a wrong type or a number past the ABI's widths, steps dropped,
// duplicated or swapped, a read's ret tied to more or fewer bytes than it carries, errnos past
// 4095), then edits on the text (number literals JSON reads as Infinity or unsafe integers, noise).
import fc from "fast-check";
import { TRACE_SEEDS } from "./corpus.js";
import { NUMBER_LITERALS, weirdJson } from "./weird.js";
import { mutate, prng } from "../fuzz-mutator.js";

export type TraceEdit =
  | { op: "set" | "del"; path: number; v: unknown }
  | { op: "dupStep" | "dropStep"; i: number; renumber: boolean }
  | { op: "swapSteps"; i: number; j: number; renumber: boolean }
  | { op: "retData"; i: number; delta: number }
  | { op: "errno"; i: number; v: unknown }
  | { op: "num"; k: number; lit: string }
  | { op: "bytes"; seed: number };

const nat = fc.nat({ max: 10_000 });
export const traceEditArb: fc.Arbitrary<TraceEdit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constantFrom("set", "del"), path: nat, v: weirdJson }) },
  fc.record({ op: fc.constantFrom("dupStep", "dropStep"), i: nat, renumber: fc.boolean() }),
  fc.record({ op: fc.constant("swapSteps"), i: nat, j: nat, renumber: fc.boolean() }),
  { weight: 2, arbitrary: fc.record({ op: fc.constant("retData"), i: nat, delta: fc.constantFrom(-100, -1, 1, 7, 4096, 1 << 20, 2 ** 31) }) },
  fc.record({ op: fc.constant("errno"), i: nat, v: fc.oneof(weirdJson, fc.constantFrom(4095, 4096, 65536, 2 ** 40)) }),
  fc.record({ op: fc.constant("num"), k: nat, lit: fc.constantFrom(...NUMBER_LITERALS) }),
  fc.record({ op: fc.constant("bytes"), seed: fc.nat() }),
) as fc.Arbitrary<TraceEdit>;

// JSON of any shape: edits poke at it by position, so it is typed loosely on purpose.
type J = any;
const isObj = (v: unknown): v is J => typeof v === "object" && v !== null;

/** Every [container, key] pair in a JSON value, depth first (the root has none). */
function slots(v: unknown, out: [J, string | number][] = []): [J, string | number][] {
  if (Array.isArray(v)) v.forEach((x, i) => { out.push([v, i]); slots(x, out); });
  else if (isObj(v)) for (const k of Object.keys(v)) { out.push([v, k]); slots(v[k], out); }
  return out;
}

const stepsOf = (t: unknown): any[] => (isObj(t) && Array.isArray((t as any).steps) ? (t as any).steps : []);

function renumber(t: unknown): void {
  stepsOf(t).forEach((s, i) => { if (isObj(s?.request)) s.request.seq = i; });
}

/** Applies edits to a deep copy of `trace`; text edits ("num", "bytes") act on the JSON text last. */
export function applyTraceEdits(trace: unknown, edits: readonly TraceEdit[]): string {
  const t = structuredClone(trace);
  const textEdits: TraceEdit[] = [];
  for (const e of edits) {
    const steps = stepsOf(t);
    const i = "i" in e && steps.length ? e.i % steps.length : -1;
    if (e.op === "num" || e.op === "bytes") textEdits.push(e);
    else if (e.op === "set" || e.op === "del") {
      const all = slots(t);
      if (!all.length) continue;
      const [c, k] = all[e.path % all.length]!;
      if (e.op === "set") (c as any)[k] = structuredClone(e.v);
      else if (Array.isArray(c)) c.splice(k as number, 1);
      else delete (c as any)[k];
    } else if (i < 0) continue;
    else if (e.op === "dupStep") { steps.splice(i, 0, structuredClone(steps[i])); if (e.renumber) renumber(t); }
    else if (e.op === "dropStep") { steps.splice(i, 1); if (e.renumber) renumber(t); }
    else if (e.op === "swapSteps") { const j = e.j % steps.length; [steps[i], steps[j]] = [steps[j], steps[i]]; if (e.renumber) renumber(t); }
    else if (e.op === "retData") {
      // The first step at or after i that carries data: claim more or fewer bytes than it has.
      const k = [...steps.keys()].map((x) => (x + i) % steps.length).find((x) => typeof steps[x]?.result?.text === "string");
      if (k !== undefined) steps[k]!.result.ret = Buffer.byteLength(steps[k]!.result.text) + e.delta;
    } else if (e.op === "errno" && isObj(steps[i])) steps[i]!.result = { errno: e.v, errnoName: "EPERM" };
  }
  let text = JSON.stringify(t, null, 1);
  for (const e of textEdits) {
    if (e.op === "num") {
      const nums = [...text.matchAll(/(?<=[:\[,]\s*)-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/gi)];
      const m = nums.length ? nums[e.k % nums.length]! : undefined;
      if (m) text = text.slice(0, m.index) + e.lit + text.slice(m.index! + m[0].length);
    } else if (e.op === "bytes") text = mutate(text, prng(e.seed));
  }
  return text;
}

/** A trace file's text: a recorded trace with 1-4 edits. */
export const traceArb: fc.Arbitrary<string> = fc.record({
  seed: fc.nat({ max: TRACE_SEEDS.length - 1 }),
  edits: fc.array(traceEditArb, { minLength: 1, maxLength: 4 }),
}).map(({ seed, edits }) => applyTraceEdits(TRACE_SEEDS[seed], edits));
