// diff(): compares a plan (a Trace) with what a real process did (an strace -f log): finds the
// root-switch window, labels fds on both sides, aligns, and builds the DiffReport. Pure: text
// and values in, a value out. The rules are in compare.ts, the window in window.ts, what the log
// traced in traced.ts.
import { InvalidInputError } from "../errors.js";
import { parseStrace, splitPrefix, stripUnfinished, type Call } from "../strace/parse.js";
import { toRequests, type Traced } from "../strace/to-requests.js";
import { straceLine } from "../format/strace.js";
import type { Trace } from "../trace.js";
import { align } from "./align.js";
import { labelFds, type Side } from "./compare.js";
import { WINDOW_END, findWindow, switchKinds, windowStart } from "./window.js";
import { untracedOps } from "./traced.js";
import type { CallRef, DiffReport, StepResult } from "./report.js";

export { NoSwitchError, findWindow, switchKinds, windowStart, WINDOW_START, WINDOW_END, type EndKind, type SwitchKind, type Window, type StartKind } from "./window.js";
export { parseTracedList, untracedOps, INFERRED_UNTRACED } from "./traced.js";
export { renderText, renderJson, type DiffReport, type StepResult, type StepRef, type CallRef } from "./report.js";
export type { FieldDiff } from "./compare.js";

export interface DiffOptions {
  /** Take this process's window instead of searching for the one that switches root. */
  pid?: number;
  /** The syscalls the log traced (strace -e trace=LIST); without it read, getcwd and close absent from the whole log count as untraced. */
  traced?: readonly string[];
}

/** A call as strace printed it, without pid, time or `-T` padding; a merged call on one line. */
export function callText(c: Call): string {
  const lines = c.raw.split("\n").map((l, i) => splitPrefix(l, c.line + i).body);
  const text = lines.length === 1 ? lines[0]! : (stripUnfinished(lines[0]!) ?? lines[0]!) + lines[1]!.replace(/^<\.\.\. [A-Za-z0-9_]+ resumed>\s?/, "");
  return text.replace(/\)\s+= /, ") = ");
}

const DUPS = new Set(["dup", "dup2", "dup3"]);

/** The log side: a Side per recognised call (null for dup, mkdir, openat2, ...), fds labelled. */
function logSides(calls: readonly Call[]): { sides: (Side | null)[]; traced: (Traced | null)[] } {
  const byCall = new Map(toRequests(calls).map((t) => [t.call, t]));
  const traced = calls.map((c) => byCall.get(c) ?? null);
  const rets = calls.map((c) => (c.errno === undefined ? c.ret : null));
  const dupOf = calls.map((c) => {
    const a = c.args[0];
    return DUPS.has(c.name) && a ? (a.kind === "fd" ? a.fd : a.kind === "num" ? a.value : null) : null;
  });
  const fds = labelFds(traced.map((t) => (t ? (t.request as unknown as { op: string } & Record<string, unknown>) : null)), rets, dupOf);
  return { sides: traced.map((t, i) => (t ? { req: t.request, result: t.result, fds: fds[i]! } : null)), traced };
}

function planSides(plan: Trace): Side[] {
  const rets = plan.steps.map((s) => ("ret" in s.result ? s.result.ret : null));
  const fds = labelFds(plan.steps.map((s) => s.request as unknown as { op: string } & Record<string, unknown>), rets);
  return plan.steps.map((s, i) => ({ req: s.request, result: s.result, fds: fds[i]! }));
}

/** Compares the plan with the root-switch window of the strace log. Throws NoSwitchError (no window), InvalidInputError (not a log). */
export function diff(plan: Trace, straceText: string, opts: DiffOptions = {}): DiffReport {
  const parsed = parseStrace(straceText);
  if (parsed.calls.length === 0) throw new InvalidInputError("the strace log contains no system call line (is it strace -f -o output?)");
  const reqs = plan.steps.map((s) => s.request);
  const w = findWindow(parsed, switchKinds(reqs), opts.pid, windowStart(plan.config.profile, plan.config.strategy, reqs), WINDOW_END[plan.config.profile]);
  const untraced = untracedOps(reqs.map((r) => r.op), new Set(parsed.calls.map((c) => c.name)), opts.traced);
  const skip = new Set(reqs.flatMap((r, i) => (untraced.includes(r.op) ? [i] : [])));
  const { sides, traced } = logSides(w.calls);
  const ps = planSides(plan);
  const a = align(ps, sides, skip);
  const ref = (j: number): CallRef => ({ line: w.calls[j]!.line, text: callText(w.calls[j]!) });
  const steps: StepResult[] = a.pairs.map((p) => {
    const s = plan.steps[p.plan]!;
    const planRef = { index: p.plan, step: s.request.step, text: straceLine(s) };
    if (skip.has(p.plan)) return { status: "not-traced", plan: planRef };
    if (p.log === null) return { status: "missing", plan: planRef };
    if (p.diffs.length === 0) return { status: "match", plan: planRef, log: ref(p.log) };
    return { status: "differs", plan: planRef, log: ref(p.log), fields: p.diffs };
  });
  // An fd pair only where both opens returned one: a failed open on either side names no fd (the
  // report once printed "plan 3 = log -1" for a plan open the log saw fail).
  const fds = [...a.origins].flatMap(([pi, lj]) => {
    const planFd = (plan.steps[pi]!.result as { ret?: number }).ret;
    const logFd = w.calls[lj]!.ret;
    return typeof planFd === "number" && planFd >= 0 && typeof logFd === "number" && logFd >= 0 ? [{ plan: planFd, log: logFd, line: w.calls[lj]!.line }] : [];
  });
  const notes: string[] = [];
  for (const p of a.pairs) {
    const t = p.log === null ? null : traced[p.log];
    for (const problem of t?.problems ?? []) if (!/data was truncated/.test(problem)) notes.push(`line ${t!.call.line}: ${problem}`);
  }
  for (const e of parsed.events) {
    if (e.kind === "unparsed" && e.line >= w.startLine && e.line <= w.endLine && (e.pid ?? null) === w.pid) notes.push(`line ${e.line}: not parsed (${e.reason})`);
  }
  const count = (k: StepResult["status"]) => steps.filter((s) => s.status === k).length;
  const beforeWindow = w.before.map((c) => ({ line: c.line, text: callText(c) }));
  const summary = {
    matched: count("match"), differs: count("differs"), missing: count("missing"), notTraced: count("not-traced"),
    beforeWindow: beforeWindow.length, notPartOfPlan: a.unpaired.length,
  };
  return {
    equivalent: summary.differs === 0 && summary.missing === 0 && summary.beforeWindow === 0,
    plan: {
      profile: plan.config.profile, strategy: plan.config.strategy, rootfs: plan.config.rootfs,
      outcome: plan.outcome.kind, steps: plan.steps.length, host: plan.source.host,
    },
    window: { pid: w.pid, startLine: w.startLine, endLine: w.endLine, switchLine: w.switchLine, switchCall: w.switchCall, calls: w.calls.length, signals: w.signals, start: w.start },
    untraced,
    beforeWindow,
    steps,
    notPartOfPlan: a.unpaired.map(ref),
    fds,
    notes,
    summary,
  };
}
