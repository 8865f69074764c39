// Finds the root-switch window in a parsed strace -f log: which process switches root, and the
// run of its calls from the runtime's first call of the switch (WINDOW_START, one rule per
// profile) to its last chdir("/") before exec, plus the mounts it made before that first call.
// It only selects calls; it compares nothing (align.ts) and formats nothing (report.ts).
import * as abi from "../abi.js";
import { PivotshimError } from "../errors.js";
import type { Call, Parsed } from "../strace/parse.js";
import type { Config } from "../schema.js";

/** How the plan switches root: decides which call marks the switching process. */
/** "setns": crun 1.29 on Linux 7.0 enters the namespace open_tree(OPEN_TREE_NAMESPACE) made; no pivot or move (docs/sources.md#crun-1-29). */
export type SwitchKind = "pivot" | "move" | "chroot" | "setns";

/** No process in the log switches root the way the plan does (exit 1: the log differs). */
export class NoSwitchError extends PivotshimError {
  constructor(message: string) { super("E_NO_SWITCH", message); }
}

export interface Window {
  /** The switching process; null for a log without pid prefixes (strace without -f). */
  pid: number | null;
  /** Every call of that process inside the window, in log order (recognised or not). */
  calls: Call[];
  /** 1-based log lines of the first and last call, and of the (first) switch call. */
  startLine: number;
  endLine: number;
  switchLine: number;
  /** The call that marks the switch: pivot_root, the MS_MOVE onto "/", chroot, or setns into a mount namespace. */
  switchCall: string;
  /** Signals delivered to the process inside the window (runc's SIGURG): not calls, only counted. */
  signals: number;
  /** The process's mount and umount2 calls before the window: no plan expects them (diff reports each). */
  before: Call[];
  /** Which rule found the first call (WINDOW_START, or the fallback when the log has no such call). */
  start: StartKind;
}

/**
 * How a runtime's window starts, one rule per profile:
 * - "root-propagation": its first propagation change of "/" (runc, crun and youki: prepareRoot /
 *   libcrun_set_mounts / mount_to_rootfs start with it, docs/sources.md#runc-main,
 *   docs/sources.md#crun-1-8, docs/sources.md#youki);
 * - "first-mount": its first mount (runc 1.1.5 without a mount namespace: prepareRoot runs in
 *   the caller's namespace, docs/sources.md#runc-1-1);
 * - "first-step": the plan's first op and path, the last such call before the first propagation
 *   change of "/" (or the switch) (hardened, our own executor: mountinfo is read first for auto and
 *   move; crun's chroot is chroot(rootfs)).
 * A plan without such a step (--no-prepare) starts at its first step instead.
 */
export type StartKind = "root-propagation" | "first-mount" | "first-step";

export const WINDOW_START: Readonly<Record<Config["profile"], (strategy: Config["strategy"]) => StartKind>> = {
  runc: () => "root-propagation",
  "runc-1.1": (s) => (s === "chroot" ? "first-mount" : "root-propagation"),
  crun: (s) => (s === "chroot" ? "first-step" : "root-propagation"),
  hardened: () => "first-step",
  // youki runs mount_to_rootfs whatever the namespace: chroot starts with "/" made rslave too
  // (process/init/process.rs L85-L124, docs/sources.md#youki).
  youki: () => "root-propagation",
  // bwrap makes "/" rslave first (bubblewrap.c L3055), then stages its tmpfs; only pivot is planned.
  bwrap: () => "root-propagation",
  // LXC never changes "/" itself before the pivot (turn_into_dependent_mounts makes "/" MS_SLAVE
  // only when it is shared): its first step, openat2 of "/" (dfd_host), docs/sources.md#lxc.
  lxc: () => "first-step",
  // crun 1.29 tries OPEN_TREE_NAMESPACE first: open(rootfs), open_tree, close come before "/" is
  // touched, and on Linux 7.0 the propagation of "/" comes after a setns (docs/sources.md#crun-1-29).
  "crun-1.29": () => "first-step",
};

/**
 * How a runtime's window ends:
 * - "chdir-root": the last successful chdir("/") after the switch, then the tail (endOf);
 * - "handles-closed": the last close of an fd the window opened before the switch and still held
 *   at it. LXC never chdir("/")s (it fchdir()s to dfd_mnt) and closes dfd_host and dfd_mnt only at
 *   the end of its set-up, after calls of its own (boot id, /dev/.lxc-boot-id), which diff then lists
 *   as not part of the plan (docs/sources.md#lxc).
 */
export type EndKind = "chdir-root" | "handles-closed";

export const WINDOW_END: Readonly<Record<Config["profile"], EndKind>> = {
  hardened: "chdir-root", runc: "chdir-root", "runc-1.1": "chdir-root", crun: "chdir-root", youki: "chdir-root", bwrap: "chdir-root",
  lxc: "handles-closed",
  "crun-1.29": "chdir-root",
};

/** Where a plan's window starts: its profile's rule, and its first request (the fallback). */
export interface WindowStart { kind: StartKind; first?: FirstStep }

/** The plan's start rule, falling back to "first-step" when the plan has no call of the rule's kind. */
export function windowStart(profile: Config["profile"], strategy: Config["strategy"], reqs: readonly PlanRequest[]): WindowStart {
  const first = firstStep(reqs);
  const kind = WINDOW_START[profile](strategy);
  const has = kind === "first-mount" ? reqs.some((r) => r.op === "mount")
    : kind === "root-propagation" ? reqs.some((r) => r.op === "mount" && r.target === "/" && ((r.mountflags ?? 0) & abi.MS_PROPAGATION) !== 0)
    : true;
  return { kind: has ? kind : "first-step", ...(first ? { first } : {}) };
}

type PlanRequest = { op: string; target?: string; mountflags?: number; pathname?: string; path?: string };

const pathOf = (r: PlanRequest): string | undefined =>
  r.op === "openat" || r.op === "openat2" ? r.pathname : r.op === "mount" || r.op === "umount2" ? r.target : r.op === "chdir" || r.op === "chroot" ? r.path : undefined;

/** The plan's first request as the window finder wants it (op, path, how often up to the switch), if it has a path. */
function firstStep(reqs: readonly PlanRequest[]): FirstStep | undefined {
  const r = reqs[0];
  const path = r ? pathOf(r) : undefined;
  if (!r || path === undefined) return undefined;
  const sw = reqs.findIndex((q) => q.op === "pivot_root" || q.op === "chroot" || q.op === "setns" || (q.op === "mount" && q.target === "/" && ((q.mountflags ?? 0) & abi.MS_MOVE) !== 0));
  // The switch itself counts: the log side looks at the calls up to and including its switch, so a
  // plan whose first step IS the switch (crun's chroot(rootfs)) or shares its op and path (a mount of
  // "/" before an MS_MOVE onto "/") counted one short, and the window began at the process's first
  // call, or at the switch instead of before it.
  const upTo = sw < 0 ? reqs : reqs.slice(0, sw + 1);
  return { op: r.op, path, count: upTo.filter((q) => q.op === r.op && pathOf(q) === path).length };
}

const str = (c: Call, i: number): string | undefined => {
  const a = c.args[i];
  return a?.kind === "str" ? a.value : undefined;
};

/** The MS_* names of a mount call's flags argument (empty when strace printed a number). */
const flagNames = (c: Call): string[] => {
  const a = c.args[3];
  return a?.kind === "flags" ? a.names : [];
};

const PROPAGATION_NAMES = ["MS_SHARED", "MS_SLAVE", "MS_PRIVATE", "MS_UNBINDABLE"];
const ok = (c: Call) => c.ret !== null && c.errno === undefined;

export const isPropagationOfRoot = (c: Call): boolean =>
  c.name === "mount" && str(c, 1) === "/" && flagNames(c).some((n) => PROPAGATION_NAMES.includes(n));
const isMoveOntoRoot = (c: Call): boolean => c.name === "mount" && str(c, 1) === "/" && flagNames(c).includes("MS_MOVE");
const isChdirRoot = (c: Call): boolean => c.name === "chdir" && str(c, 0) === "/" && ok(c);

/**
 * A change of the new "/" itself once the switch is done: a remount (runc's read-only remount of
 * "/", prepareRootfs's last step when Readonly is set) or a propagation change (runc main's
 * RootPropagation re-applied after the jail). Both end the runtime's root switch, after its
 * deferred closes (docs/sources.md#runc-main); crun's come before its chdir("/") anyway.
 */
const isRootFinalize = (c: Call): boolean =>
  isPropagationOfRoot(c) || (c.name === "mount" && str(c, 1) === "/" && flagNames(c).includes("MS_REMOUNT"));

function isSwitch(c: Call, kinds: readonly SwitchKind[]): boolean {
  if (c.name === "pivot_root") return kinds.includes("pivot");
  if (c.name === "chroot") return kinds.includes("chroot");
  if (c.name === "setns") return kinds.includes("setns");
  return kinds.includes("move") && isMoveOntoRoot(c);
}

/** The pid key of a call: null for logs without pid prefixes. */
const pidOf = (c: { pid?: number }): number | null => c.pid ?? null;

/**
 * The window of `pid` (or of the first process whose calls include a switch of one of `kinds`).
 * pivot/move plans look for pivot_root or the MS_MOVE onto "/" (either: a runtime may fall back);
 * chroot-only plans look for chroot.
 */
export function findWindow(parsed: Parsed, kinds: readonly SwitchKind[], pid?: number, start: WindowStart = { kind: "root-propagation" }, endKind: EndKind = "chdir-root"): Window {
  const alone = kinds.length === 1 && (kinds[0] === "chroot" || kinds[0] === "setns");
  const look: readonly SwitchKind[] = alone ? kinds : ["pivot", "move"];
  const sw = parsed.calls.find((c) => (pid === undefined || pidOf(c) === pid) && isSwitch(c, look));
  if (!sw) {
    const what = look.includes("chroot") ? "chroot" : look.includes("setns") ? "setns(..., CLONE_NEWNS)" : `pivot_root or mount(..., "/", ..., MS_MOVE, ...)`;
    const who = pid === undefined ? `no process in the strace log calls ${what}` : `process ${pid} does not call ${what} in the strace log`;
    throw new NoSwitchError(`${who}: no root switch to compare with the plan`);
  }
  const who = pidOf(sw);
  const mine = parsed.calls.filter((c) => pidOf(c) === who);
  const at = mine.indexOf(sw);
  const { index: startAt, kind } = startOf(mine, at, start);
  const end = endKind === "handles-closed" ? handlesClosed(mine, startAt, at) : endOf(mine, at);
  const calls = mine.slice(startAt, end + 1);
  const startLine = calls[0]!.line;
  const endLine = calls[calls.length - 1]!.endLine ?? calls[calls.length - 1]!.line;
  const signals = parsed.events.filter((e) => pidOf(e) === who && e.kind === "signal" && e.line >= startLine && e.line <= endLine).length;
  const before = mine.slice(0, startAt).filter((c) => c.name === "mount" || c.name === "umount2");
  return { pid: who, calls, startLine, endLine, switchLine: sw.line, switchCall: sw.name, signals, before, start: kind };
}

/** The plan's first request, by op and the path it acts on, and how many such calls it makes before its switch. */
export interface FirstStep { op: string; path: string; count: number }

/**
 * Index of the window's first call, by the plan's rule (WindowStart), searched up to the switch.
 * When the log has no call of the rule's kind, the plan's first op and path ("first-step"); when
 * it has neither, the process's first call.
 */
function startOf(mine: readonly Call[], at: number, start: WindowStart): { index: number; kind: StartKind } {
  if (start.kind !== "first-step") {
    const isStart = start.kind === "first-mount" ? (c: Call) => c.name === "mount" : isPropagationOfRoot;
    const i = mine.findIndex((c, j) => j <= at && isStart(c));
    if (i >= 0) return { index: i, kind: start.kind };
  }
  const first = start.first;
  if (first) {
    // The plan makes `count` calls with this op and path before its switch, so the window starts
    // at the count-th last of them before the log's switch (hardened's rslave of "/", not the
    // walk's MS_PRIVATE on "/" after it); the earliest one if the log has fewer.
    const argAt = first.op === "openat" || first.op === "openat2" || first.op === "mount" ? 1 : 0;
    const hits = mine.flatMap((c, i) => (i <= at && c.name === first.op && str(c, argAt) === first.path ? [i] : []));
    if (hits.length) return { index: hits[Math.max(0, hits.length - first.count)]!, kind: "first-step" };
  }
  return { index: 0, kind: "first-step" };
}

/**
 * Index of the window's last call: the last successful chdir("/") after the switch and before an
 * execve (when execve was traced), else the switch itself. Then the window takes the close()s
 * (of fds opened inside it), getcwd()s and remounts or propagation changes of "/" that follow,
 * with nothing in between but reads of fds opened before the window: a runtime may chdir("/")
 * before its deferred closes, its cwd check and its last changes of "/" (Go's LIFO defers, runc's
 * prepareRootfs, our own profiles), and talk to its parent over a socket meanwhile.
 */
function endOf(mine: readonly Call[], at: number): number {
  let stop = mine.findIndex((c, i) => i > at && c.name.startsWith("execve"));
  if (stop < 0) stop = mine.length;
  let end = at;
  for (let i = at; i < stop; i++) if (isChdirRoot(mine[i]!)) end = i;
  const open = openFds(mine.slice(0, end + 1));
  for (let i = end + 1; i < stop; i++) {
    const c = mine[i]!;
    const a = c.args[0];
    const fd = a?.kind === "fd" ? a.fd : a?.kind === "num" ? a.value : -1;
    if (c.name === "getcwd" || (c.name === "close" && open.delete(fd)) || isRootFinalize(c)) end = i;
    // crun 1.29: libcrun_set_mounts opens "/" after chroot(rootfs) and chdir("/"), and finalize_mounts
    // makes the root read-only with mount_setattr on a handle still open (docs/sources.md#crun-1-29).
    else if (c.name === "openat" && str(c, 1) === "/" && c.ret !== null && c.ret >= 0) { open.add(c.ret); end = i; }
    else if (c.name === "mount_setattr" && open.has(fd)) end = i;
    else if (c.name !== "read" || open.has(fd)) break; // reads of a control channel (runc's sync pipe, our executor's socket) do not end the tail
  }
  return end;
}

/**
 * "handles-closed": index of the last successful close, before an execve, of an fd that a call of
 * the window opened (openat, openat2, open_tree) before the switch and that was still open at it;
 * the switch itself when there is none.
 */
function handlesClosed(mine: readonly Call[], startAt: number, at: number): number {
  let stop = mine.findIndex((c, i) => i > at && c.name.startsWith("execve"));
  if (stop < 0) stop = mine.length;
  const held = new Set<number>();
  for (const c of mine.slice(startAt, at + 1)) {
    if (HANDLE_OPENS.has(c.name) && c.ret !== null && c.ret >= 0) held.add(c.ret);
    const a = c.args[0];
    if (c.name === "close" && a) held.delete(a.kind === "fd" ? a.fd : a.kind === "num" ? a.value : -1);
  }
  let end = at;
  for (let i = at + 1; i < stop && held.size > 0; i++) {
    const c = mine[i]!;
    const a = c.args[0];
    if (c.name === "close" && ok(c) && a && held.delete(a.kind === "fd" ? a.fd : a.kind === "num" ? a.value : -1)) end = i;
  }
  return end;
}
const HANDLE_OPENS = new Set(["openat", "openat2", "open_tree"]);

/** The fds the calls leave open (openat/dup results minus closes), for the tail rule above. */
function openFds(calls: readonly Call[]): Set<number> {
  const open = new Set<number>();
  for (const c of calls) {
    if ((c.name === "openat" || c.name.startsWith("dup")) && c.ret !== null && c.ret >= 0) open.add(c.ret);
    const a = c.args[0];
    if (c.name === "close" && a) open.delete(a.kind === "fd" ? a.fd : a.kind === "num" ? a.value : -1);
  }
  return open;
}

/** The switch kinds a plan's requests use (what the window finder looks for). */
export function switchKinds(ops: readonly { op: string; target?: string; mountflags?: number }[]): SwitchKind[] {
  const kinds = new Set<SwitchKind>();
  for (const r of ops) {
    if (r.op === "pivot_root") kinds.add("pivot");
    else if (r.op === "chroot") kinds.add("chroot");
    else if (r.op === "setns") kinds.add("setns");
    else if (r.op === "mount" && r.target === "/" && ((r.mountflags ?? 0) & abi.MS_MOVE)) kinds.add("move");
  }
  if (kinds.has("move")) kinds.delete("chroot"); // MS_MOVE is always followed by chroot(".")
  return kinds.size ? [...kinds] : ["pivot", "move"];
}
