// plan(): validate the config, then drive the machine against a host (by default the dry-run
// host), with faults injected if asked. The library's main entry for auditors and tests.
import { drive } from "./driver.js";
import { parseConfig, parseFaults, checkOptions, PlanOptionsSchema, type ConfigInput } from "./schema.js";
import { DryRunHost } from "./hosts/dry-run.js";
import { FaultyHost, requireFired, type FaultSpec } from "./hosts/faults.js";
import type { Host } from "./hosts/host.js";
import type { Trace } from "./trace.js";

export interface PlanOptions {
  /** Fault specs: "pivot_root=EINVAL", "umount2#2=EBUSY". Each must fire, or plan() throws FaultNotFiredError. */
  faults?: readonly FaultSpec[];
  /** What the dry-run host answers to mountinfo reads (ignored when `host` is given). */
  mountinfo?: string;
  /** Run against this host instead of a fresh dry-run host. */
  host?: Host;
  /** The kernel the dry-run host answers as: "6.18" (default) or "7.0" (crun 1.29's OPEN_TREE_NAMESPACE; ignored when `host` is given). */
  kernel?: "6.18" | "7.0";
}

/**
 * Plans the root switch: validates `input` (zod; throws InvalidInputError before any request),
 * then drives the machine against a dry-run host (success for everything, fds from 3, mountinfo
 * reads answered from `opts.mountinfo` or a built-in docker-like host) with `opts.faults` injected.
 *
 * @example plan({ rootfs: "/r", profile: "runc" }, { faults: ["pivot_root=EINVAL"] }).outcome.message
 * // "error jailing process inside rootfs: pivot_root .: invalid argument"
 * @returns the trace: config, every request with its result and reason, and the outcome.
 */
export function plan(input: ConfigInput = {}, opts: PlanOptions = {}): Trace {
  const config = parseConfig(input);
  checkOptions(PlanOptionsSchema, opts, "plan options");
  const faults = parseFaults(opts.faults ?? []);
  const base = opts.host ?? new DryRunHost({ rootfs: config.rootfs, mountinfo: opts.mountinfo, ...(opts.kernel ? { kernel: opts.kernel } : {}) });
  const host = faults.length ? new FaultyHost(base, faults) : base;
  const source = { ...(faults.length ? { faults: [...(opts.faults ?? [])] } : {}), ...(opts.mountinfo !== undefined ? { scenario: "mountinfo file" } : {}) };
  const trace = drive(config, host, { source });
  if (host instanceof FaultyHost) requireFired(host);
  return trace;
}
