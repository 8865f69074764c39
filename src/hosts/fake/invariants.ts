// The invariants of a root switch, checked on a kernel before a run (a snapshot, or its Before
// view: what the checks read of it, taken ahead) and the kernel after it: host untouched, root is
// the rootfs with cwd "/", old root unreachable, fd table unchanged, and (move) no full host
// proc/sysfs left in the container namespace (the rootfs's own proc is the container's), and
// whether a mount made after Done propagates either way (propagation-after: a violation for
// hardened, a finding naming the config for the runtimes).
import { AT_FDCWD } from "./flags.js";
import { Strategy } from "../../abi.js";
import type { FakeKernel, FdInfo } from "./kernel.js";
import { ROOT_INO, dentryPath, type Mount, type Pos, type State } from "./model.js";
import { ancestors, childAt, fsOf, mnt, reachability, samePos } from "./mounts.js";
import { type PathAt, lookup, pathFrom, pathFromMemo } from "./resolve.js";
import { probePropagation } from "./propagation-after.js";
import { type HostView, renderView, sameHostView, takeHostView } from "./host-view.js";

/**
 * One verdict. `finding` is set when what the model saw is what the profile's runtime really does
 * with this config (held stays true: the plan reproduces it faithfully; an auditor should know).
 */
export interface Invariant { id: InvariantId; held: boolean; detail: string; finding?: string }
export type InvariantId =
  | "host-unchanged" | "root-is-rootfs" | "old-root-unreachable" | "fds-unchanged" | "no-host-proc-sysfs" | "propagation-after";
export type StrategyName = "auto" | "pivot" | "move" | "chroot";
export interface RunConfig {
  rootfs: string;
  strategy: StrategyName | Strategy;
  /** Default hardened: propagation-after is a violation for it, a finding for the runtime profiles. */
  profile?: string;
  /** Named in a propagation-after finding (the config that makes the runtime do it). */
  rootPropagation?: string;
  prepare?: boolean;
}
/** How the run ended: "done" (the machine reached Done) or "failed". */
export type RunOutcome = "done" | "failed";

const STRATEGY_NAMES: Record<number, StrategyName> = {
  [Strategy.auto]: "auto", [Strategy.pivot]: "pivot", [Strategy.move]: "move", [Strategy.chroot]: "chroot",
};

/**
 * What the invariants read of the kernel before a run, taken before it: check() runs on the kernel
 * itself and judges it against this (one run: no template to copy, 300 ms for 100k mounts).
 */
export interface Before {
  /** The config it was taken for (the rootfs looked up, whether proc/sysfs are judged). */
  rootfs: string;
  procSysfs: boolean;
  /** The host's mountinfo as what it is made of (host-view.ts): compared, rendered only when it differs. */
  host: HostView;
  fds: readonly FdInfo[];
  /** The rootfs as the process looked it up: where it leads, its filesystem, how a verdict names it. */
  root: { errno: number } | { pos: Pos; fs: number; named: string };
  /**
   * With procSysfs (move, auto): the namespace's full proc and sysfs mounts from outside the rootfs
   * (a mount's root and filesystem never change), in s.mounts order, each with its host name.
   */
  hostProcSysfs: Map<number, string>;
}

const strategyName = (cfg: RunConfig): StrategyName =>
  typeof cfg.strategy === "number" ? STRATEGY_NAMES[cfg.strategy] ?? "auto" : cfg.strategy;
const judgesProcSysfs = (strategy: StrategyName) => strategy === "move" || strategy === "auto";

/** Views of frozen kernels (templates: they never change), by what they were taken for. */
const views = new WeakMap<FakeKernel, Map<string, Before>>();

/** The Before view of `k` for `cfg`. Taken once per frozen kernel (explore's and predict's templates). */
export function beforeRun(k: FakeKernel, cfg: RunConfig): Before {
  const procSysfs = judgesProcSysfs(strategyName(cfg));
  if (!k.frozen) return takeBefore(k, cfg.rootfs, procSysfs);
  let byCfg = views.get(k);
  if (!byCfg) views.set(k, (byCfg = new Map()));
  const key = `${procSysfs ? 1 : 0}${cfg.rootfs}`;
  let v = byCfg.get(key);
  if (!v) byCfg.set(key, (v = takeBefore(k, cfg.rootfs, procSysfs)));
  return v;
}

function takeBefore(k: FakeKernel, rootfs: string, procSysfs: boolean): Before {
  const s = k.state;
  const p = k.process;
  const r = lookup(s, p, AT_FDCWD, rootfs, { follow: true, directory: true });
  const hostProcSysfs = new Map<number, string>();
  if ("errno" in r) return { rootfs, procSysfs, host: takeHostView(s, k.hostProcess), fds: k.fdTable(), root: { errno: r.errno }, hostProcSysfs };
  // Judged at the directory the path leads to; a symlink's target is named (the real path).
  const real = pathFrom(s, r.pos, p.root);
  const named = real.unreachable || real.path === rootfs ? rootfs : `${rootfs} (really ${real.path})`;
  if (procSysfs) {
    const underRootfs = reachability(s, r.pos);
    const paths = new Map<number, PathAt>();
    s.mounts.forEach((m) => { // forEach: a for-of made an iterator result per mount (100k here)
      if (m.ns !== p.ns || m.root !== ROOT_INO || !FULL_TYPES.has(fsOf(s, m).fstype) || underRootfs(m)) return;
      const at = pathFromMemo(s, { mnt: m.id, ino: m.root }, p.root, paths);
      hostProcSysfs.set(m.id, (at.unreachable ? "(unreachable)" : "") + at.path);
    });
  }
  return { rootfs, procSysfs, host: takeHostView(s, k.hostProcess), fds: k.fdTable(), root: { pos: r.pos, fs: mnt(s, r.pos.mnt).fs, named }, hostProcSysfs };
}

/**
 * Judges `after` against `before`: a kernel as it was before the run, or its Before view (for the
 * same config). With `consume`, the last verdict's probes run on `after` itself (the caller is
 * done with it), not on a copy.
 */
export function checkInvariants(before: FakeKernel | Before, after: FakeKernel, outcome: RunOutcome, cfg: RunConfig, o: { consume?: boolean } = {}): Invariant[] {
  const strategy = strategyName(cfg);
  const b = "state" in before ? beforeRun(before, cfg) : before;
  const procSysfs = judgesProcSysfs(strategy);
  if (b.rootfs !== cfg.rootfs || (procSysfs && !b.procSysfs)) throw new TypeError(`a Before view taken for another config (${b.rootfs}), judged for ${cfg.rootfs}, strategy ${strategy}`);
  const out = [hostUnchanged(b, after)];
  if (outcome === "done") out.push(rootIsRootfs(b, after), oldRootUnreachable(after, strategy));
  out.push(fdsUnchanged(b, after, cfg.profile, outcome));
  if (outcome === "done" && procSysfs) out.push(noHostProcSysfs(b, after));
  if (outcome === "done") out.push(propagationAfter(after, cfg, strategy, o.consume ?? false)); // last: it may change `after`
  return out;
}

function hostUnchanged(before: Before, after: FakeKernel): Invariant {
  const held = { id: "host-unchanged" as const, held: true, detail: "host mountinfo byte-identical" };
  if (sameHostView(before.host, after.state, after.hostProcess)) return held;
  // Something the text is made of changed: the texts decide (a move and its move back, say).
  const was = renderView(before.host);
  const now = after.hostMountinfo();
  if (was === now) return held;
  const a = was.split("\n");
  const b = now.split("\n");
  const gone = a.filter((l) => !b.includes(l));
  const added = b.filter((l) => !a.includes(l));
  const detail = [...gone.map((l) => `- ${l}`), ...added.map((l) => `+ ${l}`)].join("\n") || "host mountinfo reordered";
  return { id: "host-unchanged", held: false, detail };
}

function describe(s: State, m: Mount): string {
  return `mount ${m.id} (${fsOf(s, m).fstype} ${dentryPath(fsOf(s, m).tree, m.root)})`;
}

function rootIsRootfs(before: Before, after: FakeKernel): Invariant {
  const id = "root-is-rootfs";
  const r = before.root;
  if ("errno" in r) return { id, held: false, detail: `${before.rootfs} did not resolve before the run (errno ${r.errno})` };
  const s = after.state;
  const p = after.process;
  const rootM = mnt(s, p.root.mnt);
  const isRootfs = rootM.fs === r.fs && p.root.ino === r.pos.ino;
  const cwdOk = samePos(p.cwd, p.root);
  // A root inside a mount names its directory there: "mount 50 (overlay /)" alone hides /usr.
  const at = p.root.ino === rootM.root ? "" : ` at ${dentryPath(fsOf(s, rootM).tree, p.root.ino)}`;
  const detail = `root: ${describe(s, rootM)}${at}${isRootfs ? " is" : " is not"} ${r.named}; cwd: ${after.cwd()}`;
  return { id, held: isRootfs && cwdOk, detail };
}

function oldRootUnreachable(after: FakeKernel, strategy: StrategyName): Invariant {
  const s = after.state;
  const p = after.process;
  const rootM = mnt(s, p.root.mnt);
  const problems: string[] = [];
  const onTop = childAt(s, rootM.id, p.root.ino);
  if (onTop) problems.push(`${describe(s, onTop)} is mounted on top of / (reachable through "/..")`);
  if (strategy === "pivot") {
    // After a pivot the namespace is the new root's tree plus the (unlisted) mounts beneath it.
    const below = new Set(ancestors(s, rootM).map((m) => m.id));
    const reachable = reachability(s, p.root);
    s.mounts.forEach((m) => {
      if (m.ns !== p.ns || below.has(m.id) || reachable(m)) return;
      problems.push(`${describe(s, m)} is still in the namespace, outside the new root`);
    });
  }
  const held = problems.length === 0;
  return { id: "old-root-unreachable", held, detail: held ? "nothing outside the new root" : problems.join("; ") };
}

const fdKey = (fds: readonly FdInfo[]) => fds.map((f) => `${f.fd}:${f.kind}:${f.mount}:${f.ino}:${f.cloexec ? 1 : 0}`).join(" ");

const fdList = (fds: readonly FdInfo[]) => fds.map((f) => `${f.fd}:${f.kind}${f.cloexec ? "+cloexec" : ""}`).join(" ");

/**
 * Runtimes that keep a handle past the switch on purpose, until exec closes it (O_CLOEXEC): crun
 * 1.29's get_old_root_fd (linux.c L1032-L1038, docs/sources.md#crun-1-29). For them a new O_CLOEXEC
 * fd at Done is a finding, not a violation; any other new fd still violates.
 */
const KEPT_UNTIL_EXEC = new Set(["crun-1.29"]);

function fdsUnchanged(before: Before, after: FakeKernel, profile: string | undefined, outcome: RunOutcome): Invariant {
  const id = "fds-unchanged";
  const now = after.fdTable();
  const a = fdKey(before.fds);
  const b = fdKey(now);
  if (a === b) return { id, held: true, detail: `fds ${fdList(now)}` };
  const detail = `before ${fdList(before.fds)}; after ${fdList(now)}`;
  const had = new Set(before.fds.map((f) => fdKey([f])));
  const added = now.filter((f) => !had.has(fdKey([f])));
  const kept = outcome === "done" && KEPT_UNTIL_EXEC.has(profile ?? "") && before.fds.every((f) => now.some((g) => fdKey([g]) === fdKey([f])));
  if (kept && added.every((f) => f.cloexec)) {
    return { id, held: true, detail, finding: `${added.map((f) => `fd ${f.fd} (${f.kind}, O_CLOEXEC)`).join(", ")} kept open at Done, as ${profile} keeps it until exec closes it` };
  }
  return { id, held: false, detail };
}

const FULL_TYPES = new Set(["proc", "sysfs"]);

/**
 * A full (root = the filesystem's root) proc or sysfs left uncovered in the container's namespace
 * that came from outside the rootfs: a copy of the host's /proc or /sys, reachable from the new
 * root or hidden under it, either way counted by the kernel's mount_too_revealing() when the
 * container mounts a fresh proc (runc PR #1962, docs/sources.md#runc-main). A proc or sysfs that
 * was mounted inside the rootfs (a docker-like overlay with its own /proc) is the container's own
 * and is not judged: a mount's origin is its id before the run (MS_MOVE keeps it, a bind makes a new one).
 */
function noHostProcSysfs(before: Before, after: FakeKernel): Invariant {
  const id = "no-host-proc-sysfs";
  if ("errno" in before.root) return { id, held: false, detail: `${before.rootfs} did not resolve before the run (errno ${before.root.errno})` };
  const s = after.state;
  const p = after.process;
  const bad: string[] = [];
  for (const [mid, hostName] of before.hostProcSysfs) {
    const m = mnt(s, mid); // s.mounts never deletes, so the order is s.mounts's
    // Gone (unmounted: ns 0) or moved to another namespace. Its root and filesystem never change,
    // so takeBefore's choice of full proc/sysfs still holds.
    if (m.ns !== p.ns) continue;
    if (childAt(s, m.id, m.root)) continue; // covered (runc: tmpfs on top)
    const at = pathFrom(s, { mnt: m.id, ino: m.root }, p.root);
    bad.push(`${describe(s, m)}, the host's ${hostName}, ${at.unreachable ? "hidden under the new root" : `reachable at ${at.path}`}`);
  }
  const held = bad.length === 0;
  return { id, held, detail: held ? "no full host proc/sysfs in the namespace (the rootfs's own are the container's)" : bad.join("; ") };
}

/** The config as a runtime would be told it ("runc, strategy move, rootPropagation rshared, no prepare"). */
function configName(cfg: RunConfig, strategy: StrategyName): string {
  return [cfg.profile ?? "hardened", `strategy ${strategy}`, `rootPropagation ${cfg.rootPropagation ?? "(the profile's default)"}`, ...(cfg.prepare === false ? ["no prepare"] : [])].join(", ");
}

/**
 * After Done: probe mounts on both sides (propagation-after.ts). For hardened a crossing is a
 * violation, except what the config asks for (host → container with a slave or shared
 * rootPropagation: that is what it means) and the chroot strategy, which by design isolates no
 * mount. For the runtime profiles every crossing is a finding naming the config: the real runtime
 * does the same with it. A direction whose probe could not be made is never held.
 */
function propagationAfter(after: FakeKernel, cfg: RunConfig, strategy: StrategyName, inPlace: boolean): Invariant {
  const id = "propagation-after";
  const p = probePropagation(after, cfg.rootfs, { inPlace });
  const toHost = p.toHost.length ? `a mount under the new root appears on the host at ${p.toHost.join(", ")}` : null;
  const toContainer = p.toContainer.length ? `a host mount at ${p.hostProbe} appears in the container at ${p.toContainer.join(", ")}` : null;
  const name = configName(cfg, strategy);
  // A direction that could not be probed saw nothing, which proves nothing: never held, whatever
  // the profile or strategy (a dangling symlink at a probe's path, a rootfs the host cannot reach).
  if (p.unprobed.length) return { id, held: false, detail: [toHost, toContainer, `not probed: ${p.unprobed.join("; ")}`].filter((x) => x !== null).join("; ") + ` (${name})` };
  if (!toHost && !toContainer) return { id, held: true, detail: `nothing propagates: container→host none, host→container none (host probe ${p.hostProbe})` };
  const detail = [toHost, toContainer].filter((x) => x !== null).join("; ");
  if ((cfg.profile ?? "hardened") !== "hardened") return { id, held: true, detail, finding: `${detail} (what the real runtime does with ${name})` };
  if (strategy === "chroot") return { id, held: true, detail, finding: `${detail} (the chroot strategy changes no mount, so it isolates none: ${name})` };
  const asked = /slave|shared/.test(cfg.rootPropagation ?? "");
  if (toHost || !asked) return { id, held: false, detail: `${detail} (${name})` };
  return { id, held: true, detail, finding: `${detail} (asked for: ${name})` };
}
