// replay(): re-drives the machine with a recorded trace's config against a ReplayHost, so a
// trace from any host (dry-run, fake kernel, native, with faults) can be checked request by
// request. Validation of the file is parseTrace's job; this only compares.
import { drive, type DriveOptions } from "./driver.js";
import { ReplayHost } from "./hosts/replay.js";
import { parseTrace } from "./trace-schema.js";
import type { Trace } from "./trace.js";

export interface ReplayResult {
  /** The new run's trace (source.host "replay"), identical in requests and results. */
  trace: Trace;
  ok: true;
}

/**
 * Replays a trace: the machine, started with the trace's config, must ask for exactly the
 * recorded requests, in order, and end with the recorded outcome.
 * @param input - a Trace, or any JSON value (validated with parseTrace).
 * @throws InvalidInputError for an invalid trace; ReplayMismatchError on the first divergence.
 */
export function replay(input: unknown, opts: Pick<DriveOptions, "module" | "machine"> = {}): ReplayResult {
  const recorded = parseTrace(input);
  const host = new ReplayHost(recorded);
  const { host: _recordedOn, ...facts } = recorded.source;
  const trace = drive(recorded.config, host, { ...opts, source: { ...facts, scenario: `replay of a ${recorded.source.host} trace${facts.scenario ? ` (${facts.scenario})` : ""}` } });
  host.finish(trace.outcome);
  return { trace, ok: true };
}
