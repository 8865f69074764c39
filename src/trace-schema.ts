// The zod schema of a Trace file (trace.ts is the type, this is the check at the border):
// what `replay`, `schema trace` and any trace read from disk go through. Validation only:
// no defaults beyond the config's, no repair. Problems are reported with readable JSON paths.
import * as z from "zod";
import { ConfigSchema } from "./schema.js";
import { InvalidInputError } from "./errors.js";
import { TRACE_VERSION, type RunTrace, type Trace } from "./trace.js";
import { I32_MAX, MAX_ERRNO, MAX_HOOKS, MAX_REQUESTS, MOUNTINFO_CAP, PATH_MAX } from "./abi.js";
import { errnoName } from "./names-ts.js";
import { encodeString } from "./utf8.js";
import { HOOK_STEP } from "./hooks.js";

import { cstr, int, seq, size, str, RequestSchema, HookSchema } from "./request-schema.js";

export { RequestSchema, HookSchema };

/**
 * `{ret}` (with the bytes a read/getcwd produced, as text or base64) or `{errno, errnoName}`.
 * A kernel's success is 0 or more and its errno 1..MAX_ERRNO (the -4095..-1 convention); the
 * name must be the number's, so a file cannot say ENOENT and mean 2^40.
 */
export const TraceResultSchema = z.union([
  z.strictObject({ errno: int.min(1).max(MAX_ERRNO), errnoName: str }).superRefine((r, ctx) => {
    if (!(r.errno >= 1 && r.errno <= MAX_ERRNO)) return; // out of range: said once, by errno itself
    const name = errnoName(r.errno);
    if (r.errnoName !== name) ctx.addIssue({ code: "custom", path: ["errnoName"], message: `expected "${name}" for errno ${r.errno}` });
  }),
  z.strictObject({ ret: size, text: str.optional(), base64: z.base64().optional() })
    .refine((r) => r.text === undefined || r.base64 === undefined, "a result carries text or base64, not both"),
]);

const isSize = (n: number) => Number.isInteger(n) && n >= 0 && n <= I32_MAX;

/** The bytes a result carries (text is surrogateescape, utf8.ts), or null when it carries none. */
function dataLength(r: { text?: string; base64?: string }): number | null {
  if (r.text !== undefined) return encodeString(r.text).length;
  if (r.base64 !== undefined) return Buffer.from(r.base64, "base64").length;
  return null;
}

/**
 * A result must fit its request: a read's or getcwd's ret is the number of bytes it carries and
 * at most the buffer's size (a larger ret would make the machine parse bytes nobody supplied),
 * and no other call carries data.
 */
export const TraceStepSchema = z.strictObject({ request: RequestSchema, result: TraceResultSchema }).superRefine((s, ctx) => {
  if (!("ret" in s.result)) return;
  const r = s.result;
  const n = dataLength(r);
  const at = (k: string) => ["result", k];
  if (s.request.op !== "read" && s.request.op !== "getcwd") {
    if (n !== null) ctx.addIssue({ code: "custom", path: at(r.text !== undefined ? "text" : "base64"), message: `only a read or getcwd result carries data, not ${s.request.op}` });
    return;
  }
  const room = s.request.op === "read" ? s.request.count : s.request.size;
  if (!isSize(room) || !isSize(r.ret)) return; // already reported where it stands
  if (r.ret > room) ctx.addIssue({ code: "custom", path: at("ret"), message: `${r.ret} is more than the request's ${room}-byte buffer` });
  else if (r.ret !== (n ?? 0)) ctx.addIssue({ code: "custom", path: at("ret"), message: `${r.ret} but the result carries ${n ?? 0} bytes: a ${s.request.op}'s ret is the number of bytes it wrote` });
});

export const TraceSourceSchema = z.strictObject({
  host: z.enum(["dry-run", "fake-kernel", "replay", "native"]),
  scenario: str.optional(),
  kernel: str.optional(),
  faults: z.array(str).optional(),
  note: str.optional(),
});

const DoneSchema = z.strictObject({ kind: z.literal("done"), note: str });
const FailedSchema = z.strictObject({
  // errno 0: the machine's own verdict; seq -1: it failed before its first request.
  kind: z.literal("failed"), op: str, path: cstr, errno: int.min(0).max(MAX_ERRNO), errnoName: str, step: str, seq: int.min(-1).max(MAX_REQUESTS), message: str, note: str,
});

/** How a machine ended: what replay can reproduce. */
export const OutcomeSchema = z.discriminatedUnion("kind", [DoneSchema, FailedSchema]);

/** `run` refused (src/trace.ts Refused): a record of what was not done, and why; never replayed. */
export const RefusedOutcomeSchema = z.strictObject({
  kind: z.literal("refused"), reason: z.enum(["predicted-damage", "diverged"]), message: str, note: str,
  violated: z.array(z.strictObject({ id: str, detail: str })),
  damage: z.strictObject({ unmounted: z.array(str), changed: z.array(z.strictObject({ before: str, after: str })), mounted: z.array(str) }).optional(),
  seq: seq.optional(),
});

/** What a trace file may end with: a machine's outcome, or run's refusal. */
export const RunOutcomeSchema = z.discriminatedUnion("kind", [DoneSchema, FailedSchema, RefusedOutcomeSchema]);

/** src/trace.ts FinalState: bounded like what the machine reads (mountinfo) and a path. */
export const FinalStateSchema = z.strictObject({
  mountinfo: str.max(MOUNTINFO_CAP),
  root: str.max(PATH_MAX + 16),
  cwd: str.max(PATH_MAX + 16),
});

/** A whole trace file, version 1: config, source, every request with its result, the outcome. */
export const TraceSchema = z.strictObject({
  version: z.literal(TRACE_VERSION).describe("trace format version"),
  config: ConfigSchema.describe("the config the machine was started with"),
  source: TraceSourceSchema.describe("which host answered, and the facts about it (scenario, kernel, injected faults)"),
  steps: z.array(TraceStepSchema).max(MAX_REQUESTS + 1).describe("every request in order, with the host's answer"),
  outcome: RunOutcomeSchema.describe("how the run ended: done, failed with the runtime's message, or refused by run (nothing to replay)"),
  final: FinalStateSchema.optional().describe("the state the switch left: the process's mountinfo, root and cwd (plan: the fake kernel's; run --trace-out: the child's)"),
  hooks: z.array(TraceStepSchema).max(MAX_HOOKS).optional().describe("run's hooks after the machine's Done, numbered on from its steps (replay and diff keep to the machine's steps)"),
  verdicts: z.array(z.strictObject({ id: str.max(64), held: z.boolean() })).max(64).optional()
    .describe("the fake kernel's invariant verdicts on this run (plan --trace-out): a verified plan has every one held"),
}).superRefine((t, ctx) => {
  t.steps.forEach((s, i) => {
    if (s.request.seq !== i) ctx.addIssue({ code: "custom", path: ["steps", i, "request", "seq"], message: `expected ${i} (requests are numbered from 0 in order)` });
  });
  t.hooks?.forEach((s, i) => {
    if (s.request.seq !== t.steps.length + i) ctx.addIssue({ code: "custom", path: ["hooks", i, "request", "seq"], message: `expected ${t.steps.length + i} (hooks are numbered on from the steps)` });
    if (s.request.step !== HOOK_STEP) ctx.addIssue({ code: "custom", path: ["hooks", i, "request", "step"], message: `expected "${HOOK_STEP}"` });
  });
});

// The schema's output must be a RunTrace: a compile error here means trace.ts and this file disagree.
type Parsed = z.output<typeof TraceSchema>;
const _isTrace: (p: Parsed) => RunTrace = (p) => p;
void _isTrace;

/** `["steps", 3, "request", "flags"]` → `steps[3].request.flags`. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const k of path) {
    if (typeof k === "number") out += `[${k}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(String(k))) out += (out ? "." : "") + String(k);
    else out += `[${JSON.stringify(String(k))}]`;
  }
  return out;
}

type Issue = z.core.$ZodIssue;

/**
 * Flattens zod issues into readable `{path, message}`. A union that matched no branch is
 * reported through the branch that came closest (fewest problems), so a result with a bad `ret`
 * says `result.ret: …` rather than "invalid input".
 */
export function traceIssues(issues: readonly Issue[], base: readonly PropertyKey[] = []): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  for (const i of issues) {
    const at = [...base, ...i.path];
    if (i.code === "invalid_union" && i.errors.length > 0 && !i.message.startsWith("unknown op")) {
      const best = [...i.errors].sort((a, b) => a.length - b.length)[0]!;
      out.push(...traceIssues(best, at));
    } else {
      out.push({ path: jsonPath(at), message: i.message.replace(/^Invalid input: /, "") });
    }
  }
  return out;
}

/**
 * Validates a parsed JSON value as any trace file (version 1), a refused `run` included.
 * @param json - what `JSON.parse` returned for a trace file.
 * @returns the trace, with the config's defaults filled in.
 * @throws InvalidInputError listing every problem as `path: message`,
 *   e.g. `steps[3].request.flags: expected number, received string`.
 */
export function parseRunTrace(json: unknown): RunTrace {
  const r = TraceSchema.safeParse(json);
  if (r.success) return r.data;
  const issues = traceIssues(r.error.issues);
  const lines = issues.map((i) => `  ${i.path || "(trace)"}: ${i.message}`).join("\n");
  throw new InvalidInputError(`invalid trace:\n${lines}`, issues);
}

/**
 * Validates a parsed JSON value as a Trace a machine ended (done or failed): what replay and diff
 * take. A refused `run` is a valid file with nothing to replay, and says so.
 * @throws InvalidInputError as parseRunTrace, or naming the refusal.
 */
export function parseTrace(json: unknown): Trace {
  const t = parseRunTrace(json);
  if (t.outcome.kind !== "refused") return t as Trace;
  const o = t.outcome;
  const what = o.reason === "predicted-damage"
    ? "run refused it before the executor existed, so no request ran"
    : `run stopped it at request ${o.seq ?? t.steps.length - 1}, when the kernel's answer left the verified plan, so no machine ended it`;
  throw new InvalidInputError(`nothing to replay: the trace ends refused (${o.reason}): ${what}; its message: ${o.message.split("\n")[0]}`, [{ path: "outcome.kind", message: "refused" }]);
}

/** parseTraceText for any trace file, a refused run included (parseRunTrace). */
export function parseRunTraceText(text: string, name = "trace"): RunTrace {
  return parseRunTrace(parseJson(text, name));
}

/**
 * Parses trace file text: JSON syntax errors become InvalidInputError with the position
 * (line and column) where the parser stopped; then {@link parseTrace}.
 * @param text - the file's contents. @param name - the file name, for the message.
 */
export function parseTraceText(text: string, name = "trace"): Trace {
  return parseTrace(parseJson(text, name));
}

function parseJson(text: string, name: string): unknown {
  try { return JSON.parse(text); } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const where = pos ? ` at ${lineCol(text, Number(pos[1]))}` : "";
    throw new InvalidInputError(`${name} is not valid JSON${where}: ${msg}`, [], { cause: e });
  }
}

function lineCol(text: string, pos: number): string {
  const before = text.slice(0, pos).split("\n");
  return `line ${before.length}, column ${before[before.length - 1]!.length + 1}`;
}
