// The propagation-after verdict: after Done, does a mount made later reach across? On a copy of
// the kernel after the run, a probe tmpfs is mounted under the container's new root (does it
// appear in the host's namespace?), unmounted again (MNT_DETACH), then one is mounted under the
// rootfs as the host sees it (does it appear in the container, reachable from its root?): the
// order test/native-propagation-after.test.ts probes the real kernel in, on one copy (a 100k-mount
// state took 300 ms a copy). The invariants at Done cannot see this: it is the class of runc #1125
// (a rootfs left shared with the host). Pure model: no I/O.
import { AT_FDCWD, MNT_DETACH } from "./flags.js";
import type { FakeKernel } from "./kernel.js";
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
  /**
   * The directions that could not be probed, and why ("container→host: …"). An empty list for a
   * direction there means nothing was seen, not that nothing crosses: the verdict cannot hold.
   */
  unprobed: string[];
}

const probe = (target: string) => ({ seq: 0, step: "probe", reason: "propagation-after probe", op: "mount" as const, source: "probe", target, filesystemtype: "tmpfs", mountflags: 0, data: null });

/**
 * Mounts a probe tmpfs as process `pid` at `dir` (created first) on `k`. Returns the creation rank
 * the probe's mounts start at (every mount made since has a rank at least that: Mount.rank), or
 * the errno when the mount failed.
 */
function mountProbe(k: FakeKernel, pid: number, dir: string): { mark: number } | { errno: number } {
  const mark = k.state.nextRank;
  const current = k.state.current;
  k.state.current = pid;
  // The set-up helper, not mkdir(2): it writes past a read-only root, which a probe must. A link
  // or procfs where the probe goes is refused by it (a RangeError), and the mount answers for it.
  try { k.mkdir(dir); } catch (e) { if (!(e instanceof RangeError)) throw e; }
  const r = k.exec(probe(dir));
  k.state.current = current;
  return "ret" in r ? { mark } : { errno: r.errno };
}

/** The mounts of namespace `ns` made since rank `mark`, as `root` sees them (hidden ones only when `hidden`). One pass. */
function appeared(k: FakeKernel, mark: number, ns: number, root: { mnt: number; ino: number }, hidden: boolean): string[] {
  const s = k.state;
  const out: string[] = [];
  s.mounts.forEach((m) => { // forEach: a for-of made an iterator result per mount (200k here)
    if (m.rank < mark || m.ns !== ns) return;
    const at = pathFrom(s, { mnt: m.id, ino: m.root }, root);
    if (at.unreachable && !hidden) return;
    out.push((at.unreachable ? "(unreachable)" : "") + at.path);
  });
  return out;
}

/**
 * Both probes, one after the other on one copy of `after` (never changed), or on `after` itself
 * with `inPlace` (check() is done with it: a copy of a 100k-mount state is ~200 ms). `rootfs` is
 * the config's path, looked up by the host before either probe.
 */
export function probePropagation(after: FakeKernel, rootfs: string, o: { inPlace?: boolean } = {}): Propagation {
  const s = after.state;
  const h = after.hostProcess;
  const r = lookup(s, h, AT_FDCWD, rootfs, { follow: true, directory: true });
  const missing = "errno" in r ? `none: ${rootfs} does not resolve on the host (errno ${r.errno})` : null;
  const real = "errno" in r ? "" : pathFrom(s, r.pos, h.root).path;
  const k = o.inPlace ? after : after.clone();
  const c = k.process;
  // Container → host: a tmpfs under the new root; any new mount in the host's namespace is a leak.
  const unprobed: string[] = [];
  const inC = mountProbe(k, c.pid, PROBE_IN_CONTAINER);
  if ("errno" in inC) unprobed.push(`container→host: the probe at ${PROBE_IN_CONTAINER} could not be mounted (errno ${inC.errno})`);
  const toHost = "mark" in inC ? appeared(k, inC.mark, k.state.hostNs, k.hostProcess.root, true) : [];
  // Gone again before the host's probe, with what propagated of it (the real test's umount2).
  if ("mark" in inC) {
    const current = k.state.current;
    k.state.current = c.pid;
    k.exec({ seq: 0, step: "probe", reason: "propagation-after probe", op: "umount2", target: PROBE_IN_CONTAINER, flags: MNT_DETACH });
    k.state.current = current;
  }
  // Host → container: a tmpfs under the rootfs as the host saw it.
  if ("errno" in r) return { toHost, toContainer: [], hostProbe: missing!, unprobed: [...unprobed, `host→container: ${missing!.slice("none: ".length)}`] };
  const hostDir = `${real === "/" ? "" : real}/${PROBE_NAME_ON_HOST}`;
  // Mounted relative to the rootfs, the host process's cwd moved there on the copy for it: a rootfs
  // of up to PATH_MAX - 1 bytes is valid, and the absolute probe path below one of 4074 or more
  // is not (ENAMETOOLONG, which read as "not probed" and refused a plan the kernel runs).
  const hp = k.hostProcess;
  const cwd = hp.cwd;
  hp.cwd = { ...r.pos };
  const inH = mountProbe(k, hp.pid, PROBE_NAME_ON_HOST);
  hp.cwd = cwd;
  if ("errno" in inH) unprobed.push(`host→container: the probe at ${hostDir} could not be mounted (errno ${inH.errno})`);
  const toContainer = "mark" in inH ? appeared(k, inH.mark, c.ns, c.root, false) : [];
  return { toHost, toContainer, hostProbe: hostDir, unprobed };
}
