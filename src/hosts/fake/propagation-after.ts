// The propagation-after verdict: after Done, does a mount made later reach across? On copies of
// the kernel after the run, a probe tmpfs is mounted under the container's new root (does it
// appear in the host's namespace?) and one under the rootfs as the host sees it (does it appear
// in the container, reachable from its root?). The invariants at Done cannot see this: it is the
// class of runc #1125 (a rootfs left shared with the host). Pure model: no I/O.
import { AT_FDCWD } from "./flags.js";
import type { FakeKernel } from "./kernel.js";
import type { State } from "./model.js";
import { lookup, pathFrom } from "./resolve.js";

/** The probes' names: a directory that no rootfs or host is expected to have. */
export const PROBE_IN_CONTAINER = "/.pivotshim-probe-container";
export const PROBE_NAME_ON_HOST = ".pivotshim-probe-host";

export interface Propagation {
  /** Where the container's probe appeared in the host namespace (host paths). */
  toHost: string[];
  /** Where the host's probe appeared in the container, reachable from its root (container paths). */
  toContainer: string[];
  /** The host path the host's probe was mounted on, or why there was none. */
  hostProbe: string;
}

const probe = (target: string) => ({ seq: 0, step: "probe", reason: "propagation-after probe", op: "mount" as const, source: "probe", target, filesystemtype: "tmpfs", mountflags: 0, data: null });

/** Mount ids of namespace `ns`. */
const idsIn = (s: State, ns: number) => new Set([...s.mounts.values()].filter((m) => m.ns === ns).map((m) => m.id));

/** Mounts a probe tmpfs as process `pid` at `dir` (created first) on a copy of `after`; returns the copy and the ids before it. */
function mountProbe(after: FakeKernel, pid: number, dir: string): { k: FakeKernel; before: Set<number>; ok: boolean } {
  const k = after.clone();
  const before = new Set(k.state.mounts.keys());
  const current = k.state.current;
  k.state.current = pid;
  k.mkdir(dir);
  const r = k.exec(probe(dir));
  k.state.current = current;
  return { k, before, ok: "ret" in r };
}

/** The new mounts of namespace `ns`, as `root` sees them (hidden ones only when `hidden`). */
function appeared(k: FakeKernel, before: Set<number>, ns: number, root: { mnt: number; ino: number }, hidden: boolean): string[] {
  const s = k.state;
  const out: string[] = [];
  for (const id of idsIn(s, ns)) {
    if (before.has(id)) continue;
    const m = s.mounts.get(id)!;
    const at = pathFrom(s, { mnt: m.id, ino: m.root }, root);
    if (at.unreachable && !hidden) continue;
    out.push((at.unreachable ? "(unreachable)" : "") + at.path);
  }
  return out;
}

/** Both probes on copies of `after` (never changed). `rootfs` is the config's path, looked up by the host. */
export function probePropagation(after: FakeKernel, rootfs: string): Propagation {
  const s = after.state;
  const c = after.process;
  const h = after.hostProcess;
  // Container → host: a tmpfs under the new root; any new mount in the host's namespace is a leak.
  const inC = mountProbe(after, c.pid, PROBE_IN_CONTAINER);
  const toHost = inC.ok ? appeared(inC.k, inC.before, s.hostNs, inC.k.hostProcess.root, true) : [];
  // Host → container: a tmpfs under the rootfs as the host sees it.
  const r = lookup(s, h, AT_FDCWD, rootfs, { follow: true, directory: true });
  if ("errno" in r) return { toHost, toContainer: [], hostProbe: `none: ${rootfs} does not resolve on the host (errno ${r.errno})` };
  const real = pathFrom(s, r.pos, h.root).path;
  const hostDir = `${real === "/" ? "" : real}/${PROBE_NAME_ON_HOST}`;
  const inH = mountProbe(after, h.pid, hostDir);
  const toContainer = inH.ok ? appeared(inH.k, inH.before, c.ns, inH.k.process.root, false) : [];
  return { toHost, toContainer, hostProbe: hostDir };
}
