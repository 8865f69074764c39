// The only loop: run a machine against a host, recording the trace. One generator holds the
// loop and its guard; drive() and driveAsync() only feed it, for synchronous and asynchronous
// hosts. Hosts never see the machine and the machine never sees a host.
import { Machine, compile } from "./machine.js";
import type { Request, Result } from "./request.js";
import type { Host, AsyncHost } from "./hosts/host.js";
import { type Config, parseConfig, type ConfigInput } from "./schema.js";
import { encode } from "./config.js";
import { type Trace, type TraceSource, TRACE_VERSION, toTraceResult } from "./trace.js";
import { InvalidInputError, ProtocolError } from "./errors.js";
import { MAX_REQUESTS } from "./abi.js";
import { checkResult, isTrusted, trustExec } from "./hosts/trust.js";
import { DryRunHost } from "./hosts/dry-run.js";
import { FakeKernel } from "./hosts/fake/index.js";
import { ReplayHost } from "./hosts/replay.js";
import { FaultyHost } from "./hosts/faults.js";

// The built-in synchronous hosts answer with well-formed results by construction (hosts/trust.ts).
trustExec(DryRunHost.prototype.exec, FakeKernel.prototype.exec, ReplayHost.prototype.exec, FaultyHost.prototype.exec);

/** A host the caller wrote gets every result checked; a built-in one is taken at its word. */
function resultCheck(host: Host | AsyncHost): typeof checkResult | null {
  if (typeof host !== "object" || host === null || typeof host.exec !== "function") {
    throw new InvalidInputError("the host must be an object with an exec(request) method", [{ path: "host", message: "no exec method" }]);
  }
  return isTrusted(host) ? null : checkResult;
}

export interface DriveOptions {
  /** Drive this machine (explore reuses one); by default an idle one from the pool (start() resets it). */
  machine?: Machine;
  module?: WebAssembly.Module;
  /** Extra facts for trace.source (scenario, faults, kernel). */
  source?: Omit<TraceSource, "host">;
  /** Called after every step (progress, inspection). */
  onStep?: (req: Request, res: Result) => void;
  /** driveAsync: use the host's lookahead (speculative batches) when it has one. Default true. */
  batch?: boolean;
}

/** The loop. Yields each request, receives its result, returns the finished trace. */
function* loop(config: Config, hostKind: TraceSource["host"], opts: DriveOptions, check: typeof checkResult | null): Generator<Request, Trace, Result> {
  const m = opts.machine ?? Machine.acquire(opts.module ?? compile());
  m.start(encode(config));
  const steps: Trace["steps"] = [];
  // The machine bounds itself (MAX_REQUESTS); this guard catches a machine that does not.
  for (let i = 0; i <= MAX_REQUESTS + 1; i++) {
    const n = m.next();
    if (n.done) {
      if (!opts.machine) m.release();
      return { version: TRACE_VERSION, config, source: { host: hostKind, ...opts.source }, steps, outcome: n.outcome };
    }
    const res = yield n.request;
    check?.(n.request, res);
    opts.onStep?.(n.request, res);
    steps.push({ request: n.request, result: toTraceResult(res) });
    m.feed(res);
  }
  throw new ProtocolError(`the machine did not end after ${MAX_REQUESTS + 1} requests`);
}

/** Runs the machine against a synchronous host (dry-run, fake kernel, replay). */
export function drive(input: ConfigInput | Config, host: Host, opts: DriveOptions = {}): Trace {
  const check = resultCheck(host);
  const it = loop(parseConfig(input), host.kind, opts, check);
  let r = it.next();
  while (!r.done) r = it.next(host.exec(r.value));
  return r.value;
}

/**
 * Runs the machine against an asynchronous host (native). With a host lookahead (the hook for
 * speculative batches), one round trip may return the real results of several requests: they are
 * still fed to the loop one at a time, and each request the machine emits must be the batch's.
 */
export async function driveAsync(input: ConfigInput | Config, host: AsyncHost, opts: DriveOptions = {}): Promise<Trace> {
  const check = resultCheck(host);
  const config = parseConfig(input);
  const it = loop(config, host.kind, opts, check);
  const ahead = opts.batch === false ? undefined : host.lookahead?.(config, opts.module);
  let r = it.next();
  while (!r.done) {
    if (!ahead) { r = it.next(await host.exec(r.value)); continue; }
    for (const step of await ahead.run(r.value)) {
      if (r.done || !sameRequest(r.value, step.request)) {
        throw new ProtocolError(`the lookahead ran ${JSON.stringify(step.request)} but the machine ${r.done ? "ended" : `emitted ${JSON.stringify(r.value)}`}`);
      }
      r = it.next(step.result);
    }
  }
  return r.value;
}

/** Field-by-field equality of two decoded requests (flat objects of strings, numbers and nulls). */
export function sameRequest(a: Request, b: Request): boolean {
  // A loop, not every(): it runs once per request of every driven run, and a callback made per
  // call cost more than the comparison.
  const ka = Object.keys(a) as (keyof Request)[];
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
}
