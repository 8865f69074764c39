// check(): plan AND verify — drive the machine on the fake kernel (a built-in scenario, or a
// model built from a mountinfo file) and judge the run with the invariants (host unchanged,
// root is the rootfs, old root unreachable, no fd leak, no host proc/sysfs after move).
import { drive } from "./driver.js";
import { parseConfig, parseFaults, checkOptions, CheckOptionsSchema, type Config, type ConfigInput } from "./schema.js";
import { FaultyHost, requireFired, type FaultSpec } from "./hosts/faults.js";
import { FakeKernel, checkInvariants, SCENARIO_NAMES, type ScenarioName } from "./hosts/fake/index.js";
import { beforeRun, type RunConfig } from "./hosts/fake/invariants.js";
import type { PathHost, Verdict } from "./explore.js";
import type { Trace } from "./trace.js";
import { InvalidInputError } from "./errors.js";
import { applyPathFacts, realDir, type PathFact } from "./hosts/fake/path-facts.js";
import { enterSwitchNamespace } from "./switch-namespace.js";
import { assumedHostDirs, rootfsRule } from "./rootfs-facts.js";
import { finalOfModel } from "./final-state.js";
import type { Kernel } from "./hosts/fake/sys-ns.js";

export interface CheckOptions {
  /** A built-in scenario (default docker-host); ignored when `mountinfo` is given. */
  scenario?: ScenarioName;
  /** Build the host from this mountinfo text instead; the rootfs folder is created in the model. */
  mountinfo?: string;
  /** "pivot_root=EINVAL", "umount2#2=EBUSY": each must fire, or check() throws FaultNotFiredError. */
  faults?: readonly FaultSpec[];
  /** What the rootfs path is, component by component (src/rootfs-facts.ts); default a directory. */
  rootfsFacts?: readonly PathFact[];
  /** The Linux version the fake kernel answers as: "6.18" (default) or "7.0" (OPEN_TREE_NAMESPACE; from source, unverified). */
  kernel?: Kernel;
}

export interface Checked { trace: Trace; verdicts: Verdict[] }

export function scenarioName(name: string | undefined): ScenarioName {
  const n = name ?? "docker-host";
  if (!(SCENARIO_NAMES as string[]).includes(n)) {
    throw new InvalidInputError(`unknown scenario "${n}"; expected one of ${SCENARIO_NAMES.join(", ")}`, [{ path: "scenario", message: "unknown" }]);
  }
  return n as ScenarioName;
}

/** A fresh kernel for a config: the scenario (container namespace unshared from the host) or the file's table. */
export function kernelFor(config: Config, opts: Pick<CheckOptions, "scenario" | "mountinfo" | "rootfsFacts" | "kernel">): FakeKernel {
  const k = modelFor(config, opts);
  if (opts.kernel !== undefined && opts.kernel !== "6.18") k.state.kernel = opts.kernel;
  return k;
}

function modelFor(config: Config, opts: Pick<CheckOptions, "scenario" | "mountinfo" | "rootfsFacts">): FakeKernel {
  const facts = opts.rootfsFacts;
  if (opts.mountinfo === undefined) {
    const name = scenarioName(opts.scenario);
    // The scenario's rootfs mounts go where the path really leads (a symlink's target).
    const rootfs = (facts && realDir(facts)) ?? config.rootfs;
    const k = contradiction(() => FakeKernel.scenario(name, { rootfs, ...(facts ? { rootfsFacts: facts } : {}) }), `scenario ${name}`);
    return enterSwitchNamespace(k, config, true); // chroot runs in the caller's namespace (switch-namespace.ts)
  }
  let k: FakeKernel;
  try { k = FakeKernel.fromMountinfo(opts.mountinfo); } catch (e) {
    throw new InvalidInputError(`the mountinfo file is not a mountinfo table: ${(e as Error).message}`, [], { cause: e });
  }
  for (const d of assumedHostDirs(config.profile, facts)) k.mkdir(d); // bwrap's /tmp (rootfs-facts.ts HOST_DIRS)
  if (!facts) return enterSwitchNamespace(k.mkdir(config.rootfs), config);
  return contradiction(() => { applyPathFacts(k.state, k.process, facts); return enterSwitchNamespace(k, config); }, "the mountinfo file");
}

/** A --rootfs-kind the table contradicts (it mounts on the path) is bad input, named as such. */
function contradiction(build: () => FakeKernel, what: string): FakeKernel {
  try { return build(); } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new InvalidInputError(`--rootfs-kind contradicts ${what}: ${e.message}; use --rootfs-kind dir, or another --rootfs`, [{ path: "rootfsKind", message: "contradicts the table" }], { cause: e });
  }
}

/** What the invariants need of a config (propagation-after names the profile and its settings). */
export function runConfig(config: Config): RunConfig {
  return { rootfs: config.rootfs, strategy: config.strategy, profile: config.profile, prepare: config.prepare, ...(config.rootPropagation ? { rootPropagation: config.rootPropagation } : {}) };
}

/**
 * The PathHost explore() wants: a clone of `template` per path, judged by the invariants against
 * the template itself (frozen here, so it is never changed and renders its tables once).
 */
export function fakePathHost(config: Config, template: FakeKernel): () => PathHost {
  const before = template.freeze();
  return () => {
    const k = before.clone();
    return { host: k, verdicts: (t: Trace) => checkInvariants(before, k, t.outcome.kind, runConfig(config)) };
  };
}

/**
 * Plans and verifies: drives the machine on the fake kernel (a built-in scenario, default
 * docker-host, or a model of `opts.mountinfo`) and judges the run with the invariants (host
 * mount table unchanged, root is the rootfs with cwd "/", old root unreachable, no fd leaked, no
 * host proc/sysfs after move). After a failed run only the host and fd invariants apply.
 * With `opts.rootfsFacts`, the profile's runtime first judges the rootfs as it is (rootfsRule:
 * runc and hardened refuse a symlink, InvalidInputError; crun resolves it and plans the real path).
 *
 * @example check({ profile: "runc" }, { scenario: "stacked-root" }).verdicts.filter((v) => !v.held)
 */
export function check(input: ConfigInput = {}, opts: CheckOptions = {}): Checked {
  checkOptions(CheckOptionsSchema, opts, "check options");
  const config = rootfsRule(parseConfig(input), opts.rootfsFacts);
  const faults = parseFaults(opts.faults ?? []);
  // One run: it goes on the kernel itself, judged against what the invariants read of it now
  // (fakePathHost's template and per-path copy cost 300 ms each for a 100k-mount table).
  const k = kernelFor(config, opts);
  const cfg = runConfig(config);
  const before = beforeRun(k, cfg);
  const host = faults.length ? new FaultyHost(k, faults) : k;
  const scenario = opts.mountinfo !== undefined ? "mountinfo file" : scenarioName(opts.scenario);
  const trace = drive(config, host, { source: { scenario, ...(faults.length ? { faults: [...(opts.faults ?? [])] } : {}) } });
  if (host instanceof FaultyHost) requireFired(host);
  const final = finalOfModel(k);
  const verdicts = checkInvariants(before, k, trace.outcome.kind, cfg, { consume: true }); // k is not read again
  return { trace: { ...trace, final }, verdicts };
}
