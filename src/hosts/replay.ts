// The replay host: answers each request with the result recorded in a trace, after checking
// that the machine asked for exactly the recorded call (callOf: seq, step and reason are
// bookkeeping). A divergence throws ReplayMismatchError with both requests side by side.
// It never executes anything; it is a Host only so the one driver loop can run it.
import type { Host } from "./host.js";
import { callOf, type Request, type Result } from "../request.js";
import { fromTraceResult, type Trace } from "../trace.js";
import { ReplayMismatchError } from "../errors.js";
import { call } from "../format/strace.js";
import type { Outcome } from "../machine.js";

/** What stands on one side of a mismatch: a request, or the end of a run. */
export type ReplaySide = Request | { end: string };

const isEnd = (s: ReplaySide): s is { end: string } => "end" in s;

function sameCall(a: Request, b: Request): boolean {
  const x = callOf(a);
  const y = callOf(b);
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((k) => Object.is(x[k], y[k]));
}

const outcomeText = (o: Outcome) => (o.kind === "done" ? "done" : `failed: ${o.message}`);

/** Which arguments differ (op first: a different syscall makes the rest moot). */
function differing(e: Request, a: Request): string[] {
  if (e.op !== a.op) return ["op"];
  const x = callOf(e);
  const y = callOf(a);
  return Object.keys(x).filter((k) => !Object.is(x[k], y[k]));
}

/** The two sides in columns (step, call in strace notation), then the reason of each. */
export function sideBySide(index: number, expected: ReplaySide, actual: ReplaySide): string {
  const cols = (s: ReplaySide): [string, string] => (isEnd(s) ? ["-", s.end] : [s.step, call(s)]);
  const e = cols(expected);
  const a = cols(actual);
  const width = Math.max("expected (recorded)".length, ...e.map((c) => c.length));
  const line = (l: string, x: string, y: string) => `  ${l.padEnd(6)} ${x.padEnd(width)}   ${y}`.trimEnd();
  const out = [
    `replay diverged at request ${index}:`,
    line("", "expected (recorded)", "actual (machine)"),
    line("step", e[0], a[0]),
    line("call", e[1], a[1]),
  ];
  if (!isEnd(expected) && !isEnd(actual)) out.push(`  differs in: ${differing(expected, actual).join(", ")}`);
  if (!isEnd(expected)) out.push(`  expected reason: ${expected.reason}`);
  if (!isEnd(actual)) out.push(`  actual reason:   ${actual.reason}`);
  return out.join("\n");
}

export class ReplayHost implements Host {
  readonly kind = "replay" as const;
  readonly #trace: Trace;
  #next = 0;

  constructor(trace: Trace) { this.#trace = trace; }

  /** How many recorded requests have been answered. */
  get consumed(): number { return this.#next; }

  exec(req: Request): Result {
    const i = this.#next;
    const steps = this.#trace.steps;
    if (i >= steps.length) {
      const end = { end: `(end of trace: the recorded run ended ${outcomeText(this.#trace.outcome)})` };
      throw new ReplayMismatchError(i, end, req, sideBySide(i, end, req));
    }
    const rec = steps[i]!;
    if (!sameCall(rec.request, req)) throw new ReplayMismatchError(i, rec.request, req, sideBySide(i, rec.request, req));
    this.#next++;
    return fromTraceResult(rec.result);
  }

  /**
   * Called once the machine has ended: every recorded request must have been asked for, and the
   * run must end the way the recording did.
   * @throws ReplayMismatchError when the machine ended early or with another outcome.
   */
  finish(outcome: Outcome): void {
    const i = this.#next;
    const steps = this.#trace.steps;
    if (i < steps.length) {
      const end = { end: `(the machine ended: ${outcomeText(outcome)})` };
      throw new ReplayMismatchError(i, steps[i]!.request, end, sideBySide(i, steps[i]!.request, end));
    }
    const want = outcomeText(this.#trace.outcome);
    const got = outcomeText(outcome);
    if (want !== got || this.#trace.outcome.note !== outcome.note) {
      const e = { end: `${want}${this.#trace.outcome.note ? ` (note: ${this.#trace.outcome.note})` : ""}` };
      const a = { end: `${got}${outcome.note ? ` (note: ${outcome.note})` : ""}` };
      throw new ReplayMismatchError(i, e, a, `replay: every request matched, but the outcome differs:\n  expected: ${e.end}\n  actual:   ${a.end}`);
    }
  }
}
