// The DiffReport value and its text rendering: matched steps (✓), differing steps (✗, both lines
// and the differing arguments), steps missing from the log (−), steps of untraced syscalls (?),
// mounts the process made before the window (differences), then the window's calls that are not
// part of the plan, listed apart because they are not differences. No comparison logic here.
import type { FieldDiff } from "./compare.js";
import type { StartKind } from "./window.js";

export interface StepRef { index: number; step: string; text: string }
export interface CallRef { line: number; text: string }

export type StepResult =
  | { status: "match"; plan: StepRef; log: CallRef }
  | { status: "differs"; plan: StepRef; log: CallRef; fields: FieldDiff[] }
  | { status: "missing"; plan: StepRef }
  /** The log did not trace this syscall (strace -e trace=): it cannot be checked either way. */
  | { status: "not-traced"; plan: StepRef };

export interface DiffReport {
  /** Every traced plan step has an equivalent call in the window, in order, and no mount came before it. */
  equivalent: boolean;
  plan: { profile: string; strategy: string; rootfs: string; outcome: string; steps: number; host: string };
  window: { pid: number | null; startLine: number; endLine: number; switchLine: number; switchCall: string; calls: number; signals: number; start: StartKind };
  /** The plan's syscalls the log did not trace (their steps are "not-traced"). */
  untraced: string[];
  /** mount and umount2 calls of the process before the window's first call: no plan step expects them. */
  beforeWindow: CallRef[];
  steps: StepResult[];
  /** Calls in the window that no plan step accounts for: config mounts, masks, devices, loops, reads. */
  notPartOfPlan: CallRef[];
  /** How the plan's fds were found in the log: the plan's fd N is the log's fd M (opened at `line`). */
  fds: { plan: number; log: number; line: number }[];
  /** What the strace parser could not map exactly on paired calls, and unparsed lines in the window. */
  notes: string[];
  summary: { matched: number; differs: number; missing: number; notTraced: number; beforeWindow: number; notPartOfPlan: number };
}

const pad = (s: string | number, n: number) => String(s).padStart(n);

function stepLines(r: StepResult, w: number): string[] {
  const head = (mark: string) => `${mark} ${pad(r.plan.index + 1, w)}  ${r.plan.text}  [${r.plan.step}]`;
  const indent = " ".repeat(w + 4);
  if (r.status === "match") return [`${head("✓")}  ← line ${r.log.line}`];
  if (r.status === "missing") return [head("−"), `${indent}missing from the log`];
  if (r.status === "not-traced") return [head("?"), `${indent}not traced: cannot be checked`];
  return [
    head("✗"),
    `${indent}log line ${r.log.line}: ${r.log.text}`,
    ...r.fields.map((f) => `${indent}${f.field} differs: plan ${f.plan}, log ${f.log}${f.why ? ` (${f.why})` : ""}`),
  ];
}

/** The report as text, for people: one line per plan step, then the calls that are not part of it. */
export function renderText(r: DiffReport): string {
  const p = r.plan;
  const w = r.window;
  const who = w.pid === null ? "the process" : `pid ${w.pid}`;
  const out = [
    `plan: ${p.profile} profile, strategy ${p.strategy}, rootfs ${p.rootfs} (${p.steps} steps, ${p.outcome}, ${p.host} host)`,
    `log:  ${who}, lines ${w.startLine}–${w.endLine} (${w.switchCall} at line ${w.switchLine}; ${w.calls} calls${w.signals ? `, ${w.signals} signal${w.signals === 1 ? "" : "s"}` : ""})`,
    "",
  ];
  const lw = String(w.endLine).length;
  if (r.beforeWindow.length) {
    out.push(`✗ before the window: ${r.beforeWindow.length} mount/umount2 call${r.beforeWindow.length === 1 ? "" : "s"} of the same process that no plan step expects:`);
    for (const c of r.beforeWindow) out.push(`  line ${pad(c.line, lw)}  ${c.text}`);
    out.push("");
  }
  const width = String(r.steps.length).length;
  for (const s of r.steps) out.push(...stepLines(s, width));
  if (r.fds.length) out.push("", `fds: ${r.fds.map((f) => `plan ${f.plan} = log ${f.log} (line ${f.line})`).join(", ")}`);
  out.push("", `not part of the plan: ${r.notPartOfPlan.length} call${r.notPartOfPlan.length === 1 ? "" : "s"} in the window (not differences)`);
  for (const c of r.notPartOfPlan) out.push(`  line ${pad(c.line, lw)}  ${c.text}`);
  if (r.notes.length) out.push("", "notes:", ...r.notes.map((n) => `  ${n}`));
  if (r.untraced.length) out.push("", `not traced by the log: ${r.untraced.join(", ")} (${r.summary.notTraced} plan step${r.summary.notTraced === 1 ? "" : "s"} cannot be checked)`);
  out.push("", verdict(r));
  return out.join("\n") + "\n";
}

/** The last line: "equivalent", qualified when some steps could not be checked, or what differs. */
function verdict(r: DiffReport): string {
  const s = r.summary;
  const total = r.steps.length;
  const checked = total - s.notTraced;
  const of = s.notTraced ? ` (${checked} of ${total} steps checked)` : "";
  if (r.equivalent) return s.notTraced ? `equivalent on the traced calls${of}` : `equivalent: all ${s.matched} plan steps matched`;
  const before = s.beforeWindow ? `, ${s.beforeWindow} unexpected mount/umount2 before the window` : "";
  return `DIFFERS: ${s.differs} step${s.differs === 1 ? "" : "s"} differ${s.differs === 1 ? "s" : ""}, ${s.missing} missing from the log, ${s.matched} matched${before}${of}`;
}

export const renderJson = (r: DiffReport): string => JSON.stringify(r, null, 2) + "\n";
