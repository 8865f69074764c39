// The check during a real run: a host around the executor that knows the predicted trace and
// stops the run (DivergedError, before the next request) at the first real request or result
// that differs from it, unless the fake kernel verifies that branch too (the same faults
// injected into the model, every invariant held). Batches never run past what was predicted.
import { sameRequest } from "./driver.js";
import { isErr, type Request, type Result } from "./request.js";
import type { AsyncHost, Executed, Lookahead } from "./hosts/host.js";
import type { Executor } from "./hosts/native.js";
import { Speculation, type Expectation } from "./hosts/native-batch.js";
import { AutoLookahead, type Expected } from "./hosts/native-auto.js";
import type { Config } from "./schema.js";
import type { IndexFault } from "./hosts/faults.js";
import { fromTraceResult, toTraceResult, TRACE_VERSION, type RunTrace, type Trace, type TraceStep } from "./trace.js";
import { damageLines, modelCaller, runModel, type Prediction } from "./predict.js";
import { errnoName } from "./names-ts.js";
import { PivotshimError } from "./errors.js";
import { straceLine } from "./format/strace.js";
import { HOOK_STEP } from "./hooks.js";

/** A real result left the verified plan; the run stops here (the executor is killed as for any failure). */
export class DivergedError extends PivotshimError {
  constructor(readonly seq: number, message: string) { super("E_DIVERGED", message); }
}

/** The model's run with these faults injected, and whether every invariant held. */
export type Branch = (faults: readonly IndexFault[]) => { trace: Trace; held: boolean };

/** A read's (or getcwd's) result is compared by kind: the mount ids in the text differ from the model's. */
function sameResult(op: Request["op"], real: Result, want: Result): boolean {
  if (isErr(real) || isErr(want)) return isErr(real) && isErr(want) && real.errno === want.errno;
  if (op === "read") return (real.ret > 0) === (want.ret > 0);
  if (op === "getcwd") return new TextDecoder().decode(real.data) === new TextDecoder().decode(want.data);
  return real.ret === want.ret;
}

/** The predicted request, or a read of the same fd: its count is what is left of the buffer, so it follows the real byte counts. */
function matches(want: Request, req: Request): boolean {
  if (want.op === "read" && req.op === "read") return sameRequest({ ...want, count: 0 }, { ...req, count: 0 });
  return sameRequest(want, req);
}

/** The requests a run may make, in order: the machine's steps, then the hooks after them. */
const expectedOf = (t: Trace): TraceStep[] => (t.hooks?.length ? [...t.steps, ...t.hooks] : t.steps);

const show = (res: Result): string => (isErr(res) ? `-1 ${errnoName(res.errno)}` : `${res.ret}`);

/**
 * The predicted steps as the autonomous child takes them (hooks aside), once per predicted plan: a
 * remembered prediction is the same array on every run, and native-auto.ts keeps its frame bytes.
 */
const autoExpected = new WeakMap<readonly TraceStep[], Expected[]>();
function expectedOfTrace(steps: readonly TraceStep[]): Expected[] {
  let e = autoExpected.get(steps);
  if (!e) {
    e = steps.filter((s) => s.request.step !== HOOK_STEP).map((s) => ({ request: s.request, result: fromTraceResult(s.result) }));
    autoExpected.set(steps, e);
  }
  return e;
}

export class VerifyingHost implements AsyncHost {
  readonly kind = "native" as const;
  #expected: TraceStep[];
  #faults: IndexFault[] = [];
  /** Every request that ran for real, with its result. */
  readonly steps: Executed[] = [];

  /** `executor`: the inner host when it is the executor itself (then batches are allowed). */
  constructor(private readonly inner: AsyncHost, private readonly executor: Executor | null, predicted: Trace, private readonly branch: Branch) {
    this.#expected = expectedOf(predicted);
  }

  async exec(req: Request): Promise<Result> {
    this.#admit(req);
    const res = await this.inner.exec(req);
    this.#check({ request: req, result: res });
    return res;
  }

  lookahead(config: Config, module?: WebAssembly.Module): Lookahead {
    // The executor itself: batches built from the prediction, so none runs past it. A wrapper with
    // its own lookahead (tests count round trips): its batches, each step checked as it comes back.
    const own = this.executor ? null : this.inner.lookahead?.(config, module);
    if (!this.executor && !own) return { run: async (req) => [{ request: req, result: await this.exec(req) }] };
    const ex = this.executor;
    const batches = () => new Speculation(ex!, config, module, () => this.#expectation());
    // Autonomous mode: the child runs the predicted plan on its own and stops at the first result
    // that differs; each step is judged here as it comes back, and batches take over from there.
    const predicted = expectedOfTrace(this.#expected);
    const spec = own ?? (ex!.autonomousOff(module) === null
      ? new AutoLookahead({ runAuto: () => ex!.runAuto(config, predicted), rest: (ran) => batches().adopt(ran) })
      : batches());
    return {
      run: async (req: Request): Promise<Executed[]> => {
        this.#admit(req);
        const steps = await spec.run(req);
        for (const s of steps) this.#check(s);
        return steps;
      },
    };
  }

  /** The batch's expectations: the predicted results, and no request beyond the prediction. */
  #expectation(): Expectation {
    return {
      expect: (req) => {
        const want = this.#expected[req.seq];
        if (!want || !matches(want.request, req) || req.op === "read" || req.op === "getcwd") return null;
        return fromTraceResult(want.result);
      },
      observe: () => {},
      admits: (req) => { const want = this.#expected[req.seq]; return want !== undefined && matches(want.request, req); },
    };
  }

  /** Before a request runs: it must be the predicted one. */
  #admit(req: Request): void {
    const want = this.#expected[req.seq];
    if (want && matches(want.request, req)) return;
    const predicted = want ? straceLine(want) : "the end of the plan";
    throw new DivergedError(req.seq, `request ${req.seq} is not the predicted one: the machine asks for ${req.op} (${req.step}) where the model predicted ${predicted}; stopped before running it`);
  }

  /** After a request ran: its result must be the predicted one, or a verified branch. */
  #check(step: Executed): void {
    this.steps.push(step);
    const { request: req, result: real } = step;
    const want = this.#expected[req.seq]!;
    if (!want || !matches(want.request, req)) this.#admit(req);
    const predicted = fromTraceResult(want.result);
    if (sameResult(req.op, real, predicted)) return;
    const at = `request ${req.seq} (${req.op}, ${req.step}) returned ${show(real)} where the model predicted ${show(predicted)}`;
    if (req.step === HOOK_STEP) throw new DivergedError(req.seq, `${at}; a hook's result must be the predicted one`);
    if (!isErr(real)) throw new DivergedError(req.seq, `${at}; no verified branch covers a success there`);
    const faults = [...this.#faults, { seq: req.seq, errno: real.errno }];
    const b = this.branch(faults);
    if (!b.held) throw new DivergedError(req.seq, `${at}; on that branch the model violates an invariant`);
    this.#faults = faults;
    this.#expected = expectedOf(b.trace);
  }
}

/** What run() does before it forks: predict, and refuse when an invariant would be violated. */
export function refusalOf(config: Config, p: Prediction, source: RunTrace["source"]): RunTrace | null {
  if (p.violated.length === 0) return null;
  const ids = p.violated.map((v) => v.id).join(", ");
  const lines = damageLines(p.damage);
  const message = `refused: on a model of this mount namespace the plan violates ${ids}; nothing was run` +
    (lines.length ? `\n${lines.join("\n")}` : "") +
    `\n(the model: ${p.trace.outcome.kind === "done" ? "done" : `failed: ${p.trace.outcome.message}`}; --no-verify runs it anyway)`;
  return {
    version: TRACE_VERSION, config, source, steps: [],
    outcome: { kind: "refused", reason: "predicted-damage", message, note: p.trace.outcome.note, violated: p.violated.map(({ id, detail }) => ({ id, detail })), damage: p.damage },
  };
}

/** The trace of a run stopped at a divergence: the steps that ran for real, then refused. */
export function divergedTrace(config: Config, source: RunTrace["source"], host: VerifyingHost, e: DivergedError): RunTrace {
  const all = host.steps.map((s) => ({ request: s.request, result: toTraceResult(s.result) }));
  const hooks = all.filter((s) => s.request.step === HOOK_STEP);
  return {
    version: TRACE_VERSION, config, source, steps: all.filter((s) => s.request.step !== HOOK_STEP), ...(hooks.length ? { hooks } : {}),
    outcome: { kind: "refused", reason: "diverged", message: `refused: stopped during the run: ${e.message}`, note: "", violated: [], seq: e.seq },
  };
}

/** The host run() drives: the executor (or the caller's wrapper of it), checked against the prediction. */
export function verifyingHost(config: Config, p: Prediction, ex: Executor, inner: AsyncHost): VerifyingHost {
  // The model's process must open the fds the child will (its low fds are the same set).
  const low = ex.startState.fds.filter((fd) => fd !== ex.channelFd);
  const same = low.length === 3 && low.every((fd, i) => fd === i);
  const hooks = p.model.hooks ?? [];
  const template = same ? p.template : modelCaller({ ...p.model, fds: low }).freeze();
  const trace = same ? p.trace : runModel(config, template, [], hooks).trace;
  const branch: Branch = (faults) => {
    const r = runModel(config, template, faults, hooks);
    return { trace: r.trace, held: r.verdicts.every((v) => v.held) };
  };
  return new VerifyingHost(inner, inner === ex ? ex : null, trace, branch);
}
