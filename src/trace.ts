// The trace: config, where it came from, every request with its result, and the outcome.
// One format for plan, explore, run and replay (versioned; its zod schema is in trace-schema.ts).
import type { Request, Result } from "./request.js";
import { isErr } from "./request.js";
import type { Config } from "./schema.js";
import type { Outcome } from "./machine.js";
import type { HostKind } from "./hosts/host.js";
import { errnoName } from "./names-ts.js";
import { encodeString } from "./utf8.js";

/**
 * The trace file's format version. It changes when a field is removed, renamed or changes meaning;
 * not for an addition. A new request kind (mkdir, ABI 4) is one more `op` variant of the request
 * union: every version-1 trace written before it still validates, replays and diffs as it did
 * (test/trace-schema.test.ts loads the old fixtures), and a reader without the new kind refuses a
 * trace that has one loudly ("unknown op"), never silently. So mkdir left it at 1, and so did
 * openat2, open_tree and move_mount (ABI 5, LXC).
 */
export const TRACE_VERSION = 1;

export type TraceResult =
  | { ret: number; text?: string; base64?: string }
  | { errno: number; errnoName: string };

export interface TraceStep { request: Request; result: TraceResult }

export interface TraceSource {
  host: HostKind;
  /** fake kernel scenario, native kernel release, dry-run mountinfo origin, injected faults... */
  scenario?: string;
  kernel?: string;
  faults?: string[];
  /** How the run's input was taken, e.g. a relative rootfs resolved against the cwd (run). */
  note?: string;
}

/**
 * `run` refused to act (src/verify-run.ts): the prediction on a model of the calling namespace
 * violates an invariant (nothing ran, steps empty), or a real result left the verified plan
 * (the steps that ran, then a stop). `violated` lists the invariants; `damage` the mountinfo
 * lines of the calling namespace the plan would unmount, change or add.
 */
export interface Refused {
  kind: "refused";
  reason: "predicted-damage" | "diverged";
  message: string;
  note: string;
  violated: { id: string; detail: string }[];
  damage?: { unmounted: string[]; changed: { before: string; after: string }[]; mounted: string[] };
  /** diverged: the request whose real result left the prediction. */
  seq?: number;
}

/**
 * The state the switch left, so a plan and a real run can be compared table to table: the
 * process's own mountinfo (what /proc/<pid>/mountinfo shows, from its root), and its root and
 * cwd as the parent names them (readlink /proc/<pid>/root and /proc/<pid>/cwd). `plan` records the
 * fake kernel's; `run --trace-out` the executor child's, read by the parent before exec.
 */
export interface FinalState { mountinfo: string; root: string; cwd: string }

export interface Trace {
  version: typeof TRACE_VERSION;
  config: Config;
  source: TraceSource;
  steps: TraceStep[];
  outcome: Outcome;
  /** Optional (older traces have none; replay ignores it). */
  final?: FinalState;
  /** run's hooks (src/hooks.ts), after the machine's Done, numbered on from `steps`; replay and diff ignore them. */
  hooks?: TraceStep[];
  /**
   * The invariants as the fake kernel judged this run (plan --trace-out on the fake kernel only).
   * A trace is a verified plan only with every one held: what `pivotshim-exec --expect` requires
   * before it executes anything. Optional: older traces and other hosts have none.
   */
  verdicts?: { id: string; held: boolean }[];
}

/** What `run` records: a machine's trace, or one that ends refused (not replayable: no machine ended it). */
export type RunTrace = Omit<Trace, "outcome"> & { outcome: Outcome | Refused };

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function toTraceResult(r: Result): TraceResult {
  if (isErr(r)) return { errno: r.errno, errnoName: errnoName(r.errno) };
  if (!r.data) return { ret: r.ret };
  try { return { ret: r.ret, text: utf8.decode(r.data) }; } catch { return { ret: r.ret, base64: Buffer.from(r.data).toString("base64") }; }
}

export function fromTraceResult(r: TraceResult): Result {
  if ("errno" in r) return { errno: r.errno };
  // text is surrogateescape (utf8.ts), as the schema counted it: the same bytes, not U+FFFD's.
  if (r.text !== undefined) return { ret: r.ret, data: encodeString(r.text) };
  if (r.base64 !== undefined) return { ret: r.ret, data: new Uint8Array(Buffer.from(r.base64, "base64")) };
  return { ret: r.ret };
}
