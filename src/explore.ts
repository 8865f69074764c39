// Exhaustive fault exploration: every request of the base run × every errno its man page lists
// (MAN_ERRNOS), and optionally every double fault (a second fault on what runs after the
// first). Each path records its outcome, the requests after the fault and the host's verdicts.
// Host-agnostic: the caller supplies a fresh host per path (dry-run, fake kernel, ...).
import { drive } from "./driver.js";
import { parseConfig, checkOptions, ExploreOptionsSchema, type ConfigInput, type Config } from "./schema.js";
import { InvalidInputError } from "./errors.js";
import { FaultyHost, MAN_ERRNOS, type IndexFault } from "./hosts/faults.js";
import type { Host } from "./hosts/host.js";
import type { Trace } from "./trace.js";
import { straceLine } from "./format/strace.js";
import { errnoNumber, errnoName } from "./names-ts.js";
import { Machine } from "./machine.js";
import { findings as traceFindings } from "./findings.js";
import { fakePathHost, kernelFor } from "./check.js";
import type { ScenarioName } from "./hosts/fake/index.js";
import type { PathFact } from "./hosts/fake/path-facts.js";
import { rootfsRule } from "./rootfs-facts.js";

/**
 * One invariant's verdict on one run (the fake kernel provides them; other hosts none). `finding`:
 * held, but worth an auditor's eye (what the real runtime does with this config).
 */
export interface Verdict { id: string; held: boolean; detail: string; finding?: string }

/** A host for one path, and how to judge the run afterwards. */
export interface PathHost { host: Host; verdicts?(trace: Trace): Verdict[] }

export interface ExplorePath {
  /** The faults, in order: which request (seq), its op and step, and the errno (number and name, as in Outcome). */
  faults: { seq: number; op: string; step: string; errno: number; errnoName: string }[];
  outcome: Trace["outcome"];
  /** strace lines of every request after the first fault. */
  after: string[];
  verdicts: Verdict[];
  ok: boolean;
  /**
   * Set when the fault answered a call the machine repeats until that very answer (the detach
   * loop's EINVAL): the fault then claims "nothing left" while the model still has something.
   * No plan can tell the two apart, so its failed verdicts are reported as a finding, not a violation.
   */
  loopEnd?: string;
}

export interface ExploreReport {
  config: Config;
  /** The run without faults, as a trace (replayable; what `explore --trace-out` writes). */
  trace: Trace;
  base: { outcome: Trace["outcome"]; steps: number; verdicts: Verdict[] };
  paths: ExplorePath[];
  summary: { paths: number; ok: number; violations: number; findings: string[] };
}

export interface ExploreOptions {
  /** Also a second fault on every request after the first (the cleanup path). */
  double?: boolean;
  onProgress?: (done: number) => void;
  /** The fake kernel's host: a built-in scenario (default docker-host); ignored when `mountinfo` is given. */
  scenario?: ScenarioName;
  /** Model the host from this /proc/self/mountinfo text instead of a scenario. */
  mountinfo?: string;
  /** What the rootfs path is, component by component (src/rootfs-facts.ts); default a directory. */
  rootfsFacts?: readonly PathFact[];
  /** The Linux version the fake kernel answers as: "6.18" (default) or "7.0" (OPEN_TREE_NAMESPACE). */
  kernel?: "6.18" | "7.0";
}

const spell = (t: Trace, f: IndexFault) => {
  const r = t.steps[f.seq]!.request;
  return { seq: f.seq, op: r.op, step: r.step, errno: f.errno, errnoName: errnoName(f.errno) };
};

/** The faulted request repeats the one before it (a loop): describe what the fault claimed. */
function repeatedCall(t: Trace, seq: number): string | undefined {
  const prev = t.steps[seq - 1];
  const cur = t.steps[seq]!;
  if (!prev || "errno" in prev.result || straceLine({ ...prev, result: cur.result }) !== straceLine(cur)) return undefined;
  // The same call again right after the fault is a retry (EINTR), not the loop's end: youki's 8 KiB
  // reads look alike, and std's read_until repeats an interrupted one (docs/sources.md#youki).
  const next = t.steps[seq + 1];
  if (next && straceLine({ ...next, result: cur.result }) === straceLine(cur)) return undefined;
  const err = "errno" in cur.result ? cur.result.errnoName : "?";
  return `${cur.request.step}: ${err} on the repeated ${straceLine(cur).replace(/ = .*$/, "")} ends the loop, ` +
    "so a kernel that answered it while a mount was still there would leave that mount; no plan can tell the two apart";
}

/**
 * Exhaustive fault exploration: the run without faults, then one run per (request, errno its man
 * page lists) and, with `opts.double`, one per second fault on every request after the first.
 * By default each path runs on a fresh copy of the fake kernel (`opts.scenario` or
 * `opts.mountinfo`, as check() takes them) and is judged by its invariants. `makeHost` instead gives
 * each path a host of your own and, optionally, verdicts. One machine instance is reused for every
 * path, so thousands of paths stay cheap.
 *
 * @example explore({ profile: "runc", strategy: "pivot" }, { scenario: "stacked-root" }).summary.violations
 */
export function explore(input: ConfigInput, opts?: ExploreOptions): ExploreReport;
export function explore(input: ConfigInput, makeHost: () => PathHost, opts?: ExploreOptions): ExploreReport;
export function explore(input: ConfigInput, hostOrOpts?: (() => PathHost) | ExploreOptions, more: ExploreOptions = {}): ExploreReport {
  const opts = typeof hostOrOpts === "function" ? more : hostOrOpts ?? {};
  checkOptions(ExploreOptionsSchema, opts, "explore options");
  const config = rootfsRule(parseConfig(input), opts.rootfsFacts); // the runtime's view of a symlinked rootfs
  const makeHost = typeof hostOrOpts === "function" ? hostOrOpts : fakePathHost(config, kernelFor(config, opts));
  const machine = Machine.create(); // one instance, restarted per path: start() resets all state
  const run = (faults: IndexFault[]) => {
    const ph = makeHost();
    if (typeof ph?.host?.exec !== "function") throw new InvalidInputError("explore: makeHost() must return { host, verdicts? } with a host that has an exec(request) method", [{ path: "makeHost", message: "no host" }]);
    const host = faults.length ? new FaultyHost(ph.host, [], faults) : undefined;
    const trace = drive(config, host ?? ph.host, { machine });
    return { trace, verdicts: ph.verdicts?.(trace) ?? [], fired: !host || host.unfiredFaults().length === 0 };
  };
  const base = run([]);
  const paths: ExplorePath[] = [];
  const record = (faults: IndexFault[]) => {
    const { trace, verdicts, fired } = run(faults);
    // A path whose fault never fired (a host that answers differently from the base run) tested
    // nothing: it is not counted, neither as ok nor as a violation.
    if (!fired) return trace;
    const first = faults[0]!.seq;
    const held = verdicts.every((v) => v.held);
    const loopEnd = !held && faults.length === 1 ? repeatedCall(trace, first) : undefined;
    paths.push({
      faults: faults.map((f) => spell(trace, f)), outcome: trace.outcome,
      after: trace.steps.slice(first + 1).map(straceLine), verdicts, ok: held || loopEnd !== undefined,
      ...(loopEnd ? { loopEnd } : {}),
    });
    opts.onProgress?.(paths.length);
    return trace;
  };
  base.trace.steps.forEach((s, seq) => {
    for (const name of MAN_ERRNOS[s.request.op]) {
      const first = { seq, errno: errnoNumber(name)! };
      const t = record([first]);
      if (!opts.double) continue;
      // A second fault on each request that ran after the first one (the cleanup path).
      for (let j = seq + 1; j < t.steps.length; j++) {
        for (const second of MAN_ERRNOS[t.steps[j]!.request.op]) record([first, { seq: j, errno: errnoNumber(second)! }]);
      }
    }
  });
  const ok = paths.filter((p) => p.ok).length;
  // What the base run shows an auditor (no-cloexec, single-detach, ...), then the loop-end notes.
  const findings = [
    ...traceFindings(base.trace).map((f) => `${f.id}: ${f.title}`),
    ...base.verdicts.flatMap((v) => (v.finding ? [`${v.id}: ${v.finding}`] : [])),
    ...paths.filter((p) => p.loopEnd).map((p) => p.loopEnd!),
  ];
  return {
    config,
    trace: base.trace,
    base: { outcome: base.trace.outcome, steps: base.trace.steps.length, verdicts: base.verdicts },
    paths,
    summary: { paths: paths.length, ok, violations: paths.length - ok + (base.verdicts.every((v) => v.held) ? 0 : 1), findings: [...new Set(findings)] },
  };
}
