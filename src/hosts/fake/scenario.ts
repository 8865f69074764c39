// Turns scenario data (scenarios.ts) into a kernel state: the host namespace from its mountinfo,
// the rootfs and other directories, then a container process forked and unshared from the host
// (cwd "/", root "/", fds 0-2). Nothing else.
import { fork, mkdirp, stateFromMountinfo, unshare } from "./build.js";
import type { State } from "./model.js";
import { escape } from "./mountinfo.js";
import { DEFAULT_ROOTFS, SCENARIOS, type ScenarioData } from "./scenarios.js";
import { applyPathFacts, realDir, type PathFact } from "./path-facts.js";

export type ScenarioName = keyof typeof SCENARIOS;
export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];

export interface ScenarioOptions {
  /** Absolute, clean rootfs path (default: the scenario's own, else /var/lib/pivotshim/rootfs). */
  rootfs?: string;
  /**
   * What the rootfs path is (src/rootfs-facts.ts, from --rootfs-kind); default a directory. The
   * scenario's {rootfs}/... directories go where the walk ended (a symlink's target), or nowhere.
   */
  rootfsFacts?: readonly PathFact[];
}

export function scenarioRootfs(name: ScenarioName, opts: ScenarioOptions = {}): string {
  const data: ScenarioData = SCENARIOS[name];
  return opts.rootfs ?? data.defaultRootfs ?? DEFAULT_ROOTFS;
}

export function buildScenario(name: ScenarioName, opts: ScenarioOptions = {}): State {
  const data: ScenarioData | undefined = SCENARIOS[name];
  if (!data) throw new RangeError(`unknown scenario ${JSON.stringify(name)}`);
  const rootfs = scenarioRootfs(name, opts);
  if (!rootfs.startsWith("/")) throw new RangeError(`rootfs must be absolute: ${JSON.stringify(rootfs)}`);
  const text = data.mountinfo.map((l) => l.replaceAll("{rootfs}", escape(rootfs)) + "\n").join("");
  const s = stateFromMountinfo(text, { cap: true });
  const host = s.procs.get(s.hostPid)!;
  const facts = opts.rootfsFacts;
  if (facts) applyPathFacts(s, host, facts);
  const real = facts ? realDir(facts) : rootfs;
  for (const d of data.dirs) {
    if (!d.startsWith("{rootfs}")) mkdirp(s, host, d.replaceAll("{rootfs}", rootfs));
    else if (real !== null) mkdirp(s, host, d.replaceAll("{rootfs}", real));
  }
  const child = fork(s, host);
  unshare(s, child, data.userns);
  // The runtime's container process: cloned into PID and network namespaces of its own too.
  if (data.userns) child.ownsPidNet = true;
  s.current = child.pid;
  return s;
}
