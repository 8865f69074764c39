// The kernel oracle: the same sequence of mount / umount2 / pivot_root / chroot / chdir / open_tree /
// move_mount / mount_setattr requests (paths now and then through links: every tmpfs has l -> a and
// r -> /a) runs on the real kernel (kernel-oracle-driver.c, a throwaway mount namespace per case,
// plus a user-namespace-owned copy "B") and on the FakeKernel built from the real table at the start; errnos and tables must
// agree. Tables are compared with mount ids, devs and peer groups renumbered canonically, not dropped.
// Never mounts in this process's namespace: only the driver's per-case children do.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import type { Test } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../../src/abi.js";
import { pnodeConsistent } from "../../src/hosts/fake/pnode.js";
import { FakeKernel } from "../../src/hosts/fake/index.js";
import { ROOT_INO, addNode, copyTree, dentryPath, mkdirs, node } from "../../src/hosts/fake/model.js";
import type { Request } from "../../src/request.js";
import { errnoName } from "../../src/names-ts.js";

type Bare<R> = R extends unknown ? Omit<R, "seq" | "step" | "reason"> : never;
/**
 * A detached tree's calls name fds by slot: slot k is the fd of the k-th open_tree call of that
 * namespace's process (failed or not), -1 is AT_FDCWD, and LAST (-2) the newest slot. A slot
 * without an fd (a failed open_tree, a closed one, none yet) is passed as fd 999, which no process
 * has open.
 */
export type TreeCall =
  | { op: "open_tree"; slot: number; pathname: string; flags: number }
  | { op: "move_mount"; slot: number; pathname: string; toSlot: number; target: string; flags: number }
  | { op: "mount_setattr"; slot: number; pathname: string; flags: number; propagation: number; attrSet?: number }
  | { op: "close"; slot: number };
export type Call = Bare<Extract<Request, { op: "mount" | "umount2" | "pivot_root" | "chdir" | "chroot" }>> | TreeCall;
/** The slot of the newest open_tree of the process (the driver's -2). */
export const LAST = -2;
export type Ns = "A" | "B";
export interface Step { ns: Ns; call: Call }
/** Set-up builds the starting tree (A only); ops are compared; B gets its own namespace before ops[userns] (the driver forks its process when the case starts). */
export interface Case {
  setup: Call[]; userns: number | null; ops: Step[];
  /**
   * Before ops[renew], once B has its namespace: B unshares its mount namespace again, and the one
   * it leaves, with no process left in it, dies (its mounts leave their peer groups). Absent: never.
   */
  renew?: number | null;
  /**
   * The case's root has a proc at /proc (mounted before the set-up), so that a mount(2) path
   * "@SLOT[/PATH]" names a slot's detached tree through /proc/self/fd/N. Absent: no /proc, and
   * such a path is ENOENT.
   */
  proc?: boolean;
}
export type Action = { kind: "call"; ns: Ns; call: Call } | { kind: "userns" } | { kind: "renew" };

export interface Outcome {
  /** errno per action (0: success). */
  results: number[];
  A: string;
  B: string | null;
}
export interface RealOutcome extends Outcome { start: string }

const SRC = new URL("./kernel-oracle-driver.c", import.meta.url).pathname;
const DRIVER = new URL("../../build/oracle/driver", import.meta.url).pathname;
export const ORACLE_PREFIX = "pivotshim-oracle-";

// ---- the requests ----

export const tmpfs = (target: string): Call =>
  ({ op: "mount", source: "tmpfs", target, filesystemtype: "tmpfs", mountflags: 0, data: null });
/** A tmpfs mounted with per-mount flags (MS_RDONLY also makes its superblock read-only). */
export const tmpfsWith = (target: string, mountflags: number): Call =>
  ({ op: "mount", source: "tmpfs", target, filesystemtype: "tmpfs", mountflags, data: null });
/** mount(NULL, target, NULL, MS_REMOUNT[|MS_BIND]|flags): the mount's flags (with MS_BIND) or its superblock's too. */
export const remount = (target: string, bindOnly: boolean, flags: number): Call =>
  ({ op: "mount", source: null, target, filesystemtype: null, mountflags: abi.MS_REMOUNT | (bindOnly ? abi.MS_BIND : 0) | flags, data: null });
/** The per-mount flags a remount or a new mount draws: any of ro, nosuid, nodev, noexec, and one atime choice (or none). */
const attrFlags = fc.tuple(fc.subarray([abi.MS_RDONLY, abi.MS_NOSUID, abi.MS_NODEV, abi.MS_NOEXEC]),
  fc.constantFrom(0, 0, abi.MS_NOATIME, abi.MS_STRICTATIME, abi.MS_RELATIME, abi.MS_NODIRATIME))
  .map(([fs, atime]) => fs.reduce((a, b) => a | b, atime));
export const propagate = (target: string, mountflags: number): Call =>
  ({ op: "mount", source: null, target, filesystemtype: null, mountflags, data: null });
export const bind = (source: string, target: string, rec: boolean): Call =>
  ({ op: "mount", source, target, filesystemtype: null, mountflags: abi.MS_BIND | (rec ? abi.MS_REC : 0), data: null });
export const move = (source: string, target: string): Call =>
  ({ op: "mount", source, target, filesystemtype: null, mountflags: abi.MS_MOVE, data: null });
export const umount = (target: string, flags = 0): Call => ({ op: "umount2", target, flags });
export const pivot = (new_root: string, put_old: string): Call => ({ op: "pivot_root", new_root, put_old });
/** open_tree(2) with OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC, AT_RECURSIVE when `rec`; at a slot's fd: AT_EMPTY_PATH for "". */
export const openTree = (slot: number, pathname: string, rec: boolean): Call => ({ op: "open_tree", slot, pathname,
  flags: abi.OPEN_TREE_CLONE | abi.OPEN_TREE_CLOEXEC | (rec ? abi.AT_RECURSIVE : 0) | (slot !== -1 && pathname === "" ? abi.AT_EMPTY_PATH : 0) });
/**
 * open_tree(2) without OPEN_TREE_CLONE: an O_PATH fd on the mount at a path (or a slot's), into the
 * next slot. It holds that attached mount (an umount of it, or of what takes it along, is EBUSY),
 * and move_mount or mount(2) through /proc/self/fd can name it.
 */
export const openPath = (slot: number, pathname: string): Call => ({ op: "open_tree", slot, pathname,
  flags: abi.OPEN_TREE_CLOEXEC | (slot !== -1 && pathname === "" ? abi.AT_EMPTY_PATH : 0) });
/** chdir(2): the process's cwd holds the mount it is in. */
export const chdir = (path: string): Call => ({ op: "chdir", path });
/**
 * chroot(2): the process's root moves (the move strategy's last step). Its mountinfo then shows only
 * what is reachable from that root, with paths relative to it, and a later pivot_root needs the
 * root to be a mount's root (EINVAL below one).
 */
export const chroot = (path: string): Call => ({ op: "chroot", path });
/**
 * move_mount(2) from a slot's fd ("": MOVE_MOUNT_F_EMPTY_PATH) or a path (slot -1) to `target`,
 * a path, or a path in `toSlot`'s tree ("": MOVE_MOUNT_T_EMPTY_PATH, the tree's top).
 */
export const moveMount = (slot: number, pathname: string, target: string, toSlot = -1): Call =>
  ({ op: "move_mount", slot, pathname, toSlot, target,
    flags: (pathname === "" ? abi.MOVE_MOUNT_F_EMPTY_PATH : 0) | (toSlot !== -1 && target === "" ? abi.MOVE_MOUNT_T_EMPTY_PATH : 0) });
/** mount_setattr(2) of a slot's fd ("": AT_EMPTY_PATH) and path: the propagation, and MOUNT_ATTR_* flags set (`attrSet`, none by default). */
export const setattr = (slot: number, pathname: string, propagation: number, rec: boolean, attrSet = 0): Call =>
  ({ op: "mount_setattr", slot, pathname, propagation, flags: (pathname === "" ? abi.AT_EMPTY_PATH : 0) | (rec ? abi.AT_RECURSIVE : 0), ...(attrSet ? { attrSet } : {}) });
export const closeSlot = (slot: number): Call => ({ op: "close", slot });

/** The actions after the starting table, in order: B's requests before B exists run in A. */
export function actions(c: Case): Action[] {
  const out: Action[] = [];
  let haveB = false;
  c.ops.forEach((s, i) => {
    if (c.userns === i) { out.push({ kind: "userns" }); haveB = true; }
    if (c.renew === i && haveB) out.push({ kind: "renew" });
    out.push({ kind: "call", ns: haveB ? s.ns : "A", call: s.call });
  });
  if (c.userns !== null && c.userns >= c.ops.length) out.push({ kind: "userns" });
  return out;
}

const dash = (s: string | null): string => (s === null ? "-" : s);

function line(ns: Ns, c: Call): string {
  switch (c.op) {
    case "mount": return [ns, "m", dash(c.source), c.target, dash(c.filesystemtype), c.mountflags, dash(c.data)].join("\t");
    case "umount2": return [ns, "u", c.target, c.flags].join("\t");
    case "pivot_root": return [ns, "p", c.new_root, c.put_old].join("\t");
    case "open_tree": return [ns, "o", c.slot, c.pathname, c.flags].join("\t");
    case "move_mount": return [ns, "v", c.slot, c.pathname, c.toSlot, c.target, c.flags].join("\t");
    case "mount_setattr": return [ns, "s", c.slot, c.pathname, c.flags, c.propagation, c.attrSet ?? 0].join("\t");
    case "close": return [ns, "c", c.slot].join("\t");
    case "chdir": return [ns, "d", c.path].join("\t");
    case "chroot": return [ns, "r", c.path].join("\t");
  }
}

function script(c: Case): string[] {
  const out = ["C", ...(c.proc ? ["Q"] : []), ...c.setup.map((s) => line("A", s)), "P"];
  for (const a of actions(c)) out.push(a.kind === "userns" ? "U" : a.kind === "renew" ? "D" : line(a.ns, a.call));
  out.push("E");
  return out;
}

/** One-line readable form of a case, for failure messages and the regression file. */
export function show(c: Case): string {
  const fd = (slot: number): string => (slot === -1 ? "AT_FDCWD" : slot === LAST ? "fd#last" : `fd#${slot}`);
  const call = (x: Call): string => {
    if (x.op === "umount2") return `umount2(${x.target}${x.flags & abi.MNT_DETACH ? ", MNT_DETACH" : ""}${x.flags & abi.UMOUNT_NOFOLLOW ? ", UMOUNT_NOFOLLOW" : ""})`;
    if (x.op === "pivot_root") return `pivot_root(${x.new_root}, ${x.put_old})`;
    if (x.op === "open_tree") return `fd#? = open_tree(${fd(x.slot)}, "${x.pathname}", ${x.flags & abi.OPEN_TREE_CLONE ? "CLONE" : "0"}${x.flags & abi.AT_RECURSIVE ? "|AT_RECURSIVE" : ""})`;
    if (x.op === "move_mount") return `move_mount(${fd(x.slot)}, "${x.pathname}", ${x.toSlot === -1 ? x.target : `${fd(x.toSlot)}, "${x.target}"`})`;
    if (x.op === "mount_setattr") return `mount_setattr(${fd(x.slot)}, "${x.pathname}", ${flagNames(x.propagation)}${x.attrSet ? `, attr_set 0x${x.attrSet.toString(16)}` : ""}${x.flags & abi.AT_RECURSIVE ? ", AT_RECURSIVE" : ""})`;
    if (x.op === "close") return `close(${fd(x.slot)})`;
    if (x.op === "chdir") return `chdir(${x.path})`;
    if (x.op === "chroot") return `chroot(${x.path})`;
    if (x.filesystemtype === "tmpfs") return `tmpfs(${x.target})`;
    return `mount(${x.source ?? "NULL"}, ${x.target}, ${flagNames(x.mountflags)})`;
  };
  const acts = actions(c).map((a) => (a.kind === "userns" ? "unshare(USER|NS) -> B" : a.kind === "renew" ? "B: unshare(NS) again, its old namespace dies" : `${a.ns}: ${call(a.call)}`));
  return `setup [${[...(c.proc ? ["proc(/proc)"] : []), ...c.setup.map(call)].join("; ")}] then [${acts.join("; ")}]`;
}

function flagNames(f: number): string {
  const names: [number, string][] = [[abi.MS_REC, "MS_REC"], [abi.MS_BIND, "MS_BIND"], [abi.MS_MOVE, "MS_MOVE"],
    [abi.MS_SHARED, "MS_SHARED"], [abi.MS_SLAVE, "MS_SLAVE"], [abi.MS_PRIVATE, "MS_PRIVATE"], [abi.MS_UNBINDABLE, "MS_UNBINDABLE"]];
  return names.filter(([b]) => f & b).map(([, n]) => n).join("|") || "0";
}

// ---- the real kernel ----

/** Why the oracle cannot run here, or null (root, and the driver builds). */
export function oracleSkipReason(): string | null {
  if (process.geteuid?.() !== 0) return "not root: the kernel oracle needs CAP_SYS_ADMIN to unshare a mount namespace per case";
  try {
    buildDriver();
  } catch (e) {
    return `the oracle driver does not build: ${(e as Error).message.split("\n")[0]}`;
  }
  return null;
}

function buildDriver(): void {
  if (existsSync(DRIVER) && statSync(DRIVER).mtimeMs >= statSync(SRC).mtimeMs) return;
  mkdirSync(join(DRIVER, ".."), { recursive: true });
  execFileSync(process.env.CC ?? "cc", ["-O2", "-Wall", "-Wextra", "-o", DRIVER + ".tmp", SRC], { stdio: "pipe" });
  execFileSync("mv", [DRIVER + ".tmp", DRIVER]);
}

/** Runs the cases on the real kernel, one driver process for all of them. */
export function runReal(cases: readonly Case[]): RealOutcome[] {
  buildDriver();
  const base = mkdtempSync(join(tmpdir(), ORACLE_PREFIX));
  try {
    const input = cases.flatMap(script).join("\n") + "\n";
    const r = spawnSync(DRIVER, [base], { input, maxBuffer: 1 << 30 });
    const out = parseOutput(r.stdout);
    if (r.status !== 0 || out.length !== cases.length) {
      throw new Error(`oracle driver: status ${r.status}, ${out.length}/${cases.length} cases; ${r.stdout.toString().split("\n").find((l) => l.startsWith("X ")) ?? r.stderr.toString()}`);
    }
    return out;
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

function parseOutput(buf: Buffer): RealOutcome[] {
  const out: RealOutcome[] = [];
  let cur: RealOutcome = { results: [], start: "", A: "", B: null };
  for (let at = 0; at < buf.length; ) {
    const nl = buf.indexOf(10, at);
    const l = buf.subarray(at, nl).toString("utf8");
    at = nl + 1;
    if (l.startsWith("R ")) cur.results.push(Number(l.slice(2)));
    else if (l.startsWith("T ")) {
      const [, name, len] = l.split(" ");
      const text = buf.subarray(at, at + Number(len)).toString("utf8");
      at += Number(len);
      if (name === "start") cur.start = text;
      else if (name === "A") cur.A = text;
      else cur.B = text;
    } else if (l === "Z") {
      out.push(cur);
      cur = { results: [], start: "", A: "", B: null };
    } else return out; // "X ...": runReal reports it
  }
  return out;
}

// ---- the fake kernel ----

/** The driver's starting point: a fresh tmpfs as root, holding /a and /b, nothing mounted on it. */
const INITIAL = "2 1 0:1 / / rw,relatime - tmpfs tmpfs rw,mode=755\n";

/**
 * What the driver does after a tmpfs mount: mkdir(2) TGT/a and TGT/b, each only where its parent
 * resolves (no -p), errors ignored. A propagated copy can cover TGT's parent, so TGT itself may
 * not resolve afterwards, and then nothing is made (seed 5: a copy tucked over /a hid /a/a).
 */
function driverMkdirs(k: FakeKernel, target: string): void {
  // mkdir(2), as the driver makes them, errors ignored: a target named through /proc/self/fd/N
  // resolves to the fd's own mount, under the tmpfs just mounted on it (a magic link's jump does
  // not cross what is mounted on top; seen on 6.18, deep seed 3), which only the syscall's lookup
  // knows. (k.mkdir, the set-up helper, once put the directories in the new tmpfs instead.)
  for (const name of ["a", "b"]) {
    k.exec({ seq: 0, step: "oracle", reason: "kernel oracle", op: "mkdir", pathname: `${target}/${name}`, mode: 0o755 } as Request);
  }
  // And the two links the paths may go through ("l" and "r" among the names), made by symlink(2)'s own lookup.
  for (const [name, to] of LINKS) k.symlinkAt(to, `${target}/${name}`);
}

/** The links in every tmpfs of a case, its root too: relative, and absolute (from the process's root). */
const LINKS: readonly (readonly [string, string])[] = [["l", "a"], ["r", "/a"]];

/** The fd not open in any process: what a slot without an fd is passed as (the driver's 999). */
const NO_FD = 999;

/** The request a call makes on the fake, its slots read from `slots` (this process's open_tree fds). */
function request(call: Call, slots: readonly number[]): Request {
  const c = { seq: 0, step: "oracle", reason: "kernel oracle" };
  const fd = (slot: number): number => (slot === -1 ? abi.AT_FDCWD : slots[slot === LAST ? slots.length - 1 : slot] ?? NO_FD);
  // "@SLOT[/PATH]": the slot's fd through procfs, as the driver's at_fd() names it.
  const atFd = <T extends string | null>(p: T): T | string => {
    const m = p === null ? null : /^@(-?\d+)(.*)$/.exec(p);
    return m ? `/proc/self/fd/${fd(Number(m[1]))}${m[2]}` : p;
  };
  switch (call.op) {
    case "mount": return { ...c, ...call, source: atFd(call.source), target: atFd(call.target) };
    case "open_tree": return { ...c, op: "open_tree", dirfd: fd(call.slot), pathname: call.pathname, flags: call.flags };
    case "move_mount": return { ...c, op: "move_mount", from_dirfd: fd(call.slot), from_pathname: call.pathname, to_dirfd: fd(call.toSlot), to_pathname: call.target, flags: call.flags };
    case "mount_setattr": return { ...c, op: "mount_setattr", dirfd: fd(call.slot), pathname: call.pathname, flags: call.flags, attr_set: call.attrSet ?? 0, propagation: call.propagation };
    case "close": return { ...c, op: "close", fd: fd(call.slot) };
    default: return { ...c, ...call } as Request;
  }
}

/**
 * One request on the fake as the process of `ns`; tmpfs mounts get the driver's directories.
 * `slots`: that process's open_tree fds (NO_FD where none), updated as the driver updates its own.
 */
export function exec(k: FakeKernel, call: Call, slots: number[] = []): number {
  const req = request(call, slots);
  const r = k.exec(req);
  const e = "errno" in r ? r.errno : 0;
  if (e === 0 && req.op === "mount" && req.filesystemtype === "tmpfs") driverMkdirs(k, req.target);
  if (call.op === "open_tree") slots.push("errno" in r ? NO_FD : r.ret);
  const at = call.op === "close" ? (call.slot === LAST ? slots.length - 1 : call.slot) : -1;
  if (at >= 0 && at < slots.length) slots[at] = NO_FD;
  return e;
}

/** The set-up replayed on the fake from the driver's starting point: its results and its table. */
export function replaySetup(c: Case): { results: number[]; kernel: FakeKernel } {
  const k = FakeKernel.fromMountinfo(c.proc ? INITIAL + "3 2 0:2 / /proc rw,relatime - proc proc rw\n" : INITIAL);
  k.mkdir("/a").mkdir("/b");
  for (const [name, to] of LINKS) k.symlinkAt(to, `/${name}`);
  return { results: c.setup.map((call) => exec(k, call)), kernel: k };
}

/**
 * The directories the cases use, as the driver left them: the replayed set-up's directories, copied
 * by path into the superblock of `k` (built from the real start table) that has the same canonical
 * dev. Only called when the replayed and real start tables agree, so the devs correspond.
 */
function addVocabulary(k: FakeKernel, replayed: FakeKernel, realStart: string): void {
  const realDevs = canonical([["A", realStart]]).devs;
  const replayedDevs = canonical([["A", replayed.mountinfo()]]).devs;
  const byCanon = new Map([...realDevs].map(([dev, n]) => [n, dev]));
  for (const from of replayed.state.fss.values()) {
    const canon = replayedDevs.get(from.dev);
    const to = canon === undefined ? undefined : [...k.state.fss.values()].find((f) => f.dev === byCanon.get(canon));
    if (!to || from.fstype !== "tmpfs") continue;
    to.tree = copyTree(to.tree);
    for (let ino = 1; ino < from.tree.nodes.length; ino++) {
      const n = node(from.tree, ino);
      const path = dentryPath(from.tree, ino);
      if (n.kind === "dir") mkdirs(to.tree, ROOT_INO, path);
      else if (n.kind === "symlink") {
        // The driver's links (LINKS), by path; their directory exists, made by an earlier ino.
        const cut = path.lastIndexOf("/");
        const dir = cut <= 0 ? ROOT_INO : mkdirs(to.tree, ROOT_INO, path.slice(0, cut));
        if (!node(to.tree, dir).children?.has(path.slice(cut + 1))) addNode(to.tree, dir, path.slice(cut + 1), "symlink", n.target);
      }
    }
  }
}

/**
 * The fake kernel's outcome: the set-up is replayed from the driver's starting point (its results
 * and table must match the real ones), then the ops run on a fake built from the real start table,
 * as `run` builds its prediction from the live table.
 */
export function runFake(c: Case, start: string): Outcome & { setup: { results: number[]; table: string }; replayed: Outcome } {
  const replay = replaySetup(c);
  const setup = { results: replay.results, table: replay.kernel.mountinfo() };
  const k = FakeKernel.fromMountinfo(start);
  addVocabulary(k, replay.kernel, start);
  // The same ops on the fake that ran the set-up itself: it knows the propagation lists (each
  // group's ring, each master's slaves) that a table read from mountinfo cannot show, so its
  // tables must match the kernel's in listing order too.
  return { ...runOps(k, c), setup, replayed: runOps(replay.kernel, c) };
}

function runOps(k: FakeKernel, c: Case): Outcome {
  const pidA = k.state.current;
  let pidB: number | null = null;
  const results: number[] = [];
  // B's process is forked before any request runs (the driver's make_b), as here: it holds none of
  // the trees A opens, keeps the root and cwd of the start whatever A's chroot and chdir do after,
  // and shares A's namespace (a pivot_root there moves it along) until it unshares.
  const forkedB = actions(c).some((a) => a.kind === "userns") ? k.fork() : null;
  // Each process's open_tree fds by slot.
  const slotsA: number[] = [], slotsB: number[] = [];
  for (const a of actions(c)) {
    if (a.kind === "userns") {
      // Linux's B unshares itself; the fake's unshare forks, so the forked B then exits.
      k.state.current = forkedB!;
      k.unshare({ userns: true });
      pidB = k.state.current;
      k.exit(forkedB!);
      k.state.current = pidA;
      results.push(0);
      continue;
    }
    if (a.kind === "renew") {
      // Linux's B unshares itself: the fake's unshare forks (the child keeps B's fds, its open_tree
      // slots by the same numbers), and the old process then exits, so the namespace it was the
      // only process of dies. Same user namespace: the copies are peers, not slaves.
      k.state.current = pidB!;
      k.unshare();
      const old = pidB!;
      pidB = k.state.current;
      k.exit(old);
      results.push(0);
      continue;
    }
    const inB = a.ns === "B" && pidB !== null;
    k.state.current = inB ? pidB! : pidA;
    results.push(exec(k, a.call, inB ? slotsB : slotsA));
  }
  const bad = pnodeConsistent(k.state);
  if (bad) throw new Error(`the fake's propagation lists went wrong: ${bad}`);
  return { results, A: k.mountinfo(pidA), B: pidB === null ? null : k.mountinfo(pidB) };
}

// ---- normalising and comparing ----

interface Line { id: string; parent: string; dev: string; root: string; mp: string; opts: string; tags: string[]; fstype: string; source: string; ro: string }

function parseTable(text: string): Line[] {
  return text.split("\n").filter((l) => l !== "").map((l) => {
    const f = l.split(" ");
    const sep = f.indexOf("-", 6);
    return {
      id: f[0]!, parent: f[1]!, dev: f[2]!, root: f[3]!, mp: f[4]!, opts: f[5]!, tags: f.slice(6, sep),
      fstype: f[sep + 1]!, source: f[sep + 2]!, ro: f[sep + 3]!.split(",")[0]!,
    };
  });
}

/**
 * The tables as comparable lines: a mount's canonical id comes from its place in the tree (mount
 * point, then depth in the parent chain, then its parent's place), devs and peer groups from their first use in that order,
 * across both tables (B's masters are A's groups). The last line of a table is its order.
 */
export function normalise(tables: readonly (readonly [Ns, string | null])[]): string[] {
  return canonical(tables).lines;
}

/** normalise()'s lines, and the canonical number it gave each dev. */
function canonical(tables: readonly (readonly [Ns, string | null])[]): { lines: string[]; devs: Map<string, number> } {
  const groups = new Map<string, number>();
  const devs = new Map<string, number>();
  const out: string[] = [];
  for (const [ns, text] of tables) {
    if (text === null) continue;
    const lines = parseTable(text);
    const byId = new Map(lines.map((l) => [l.id, l]));
    const depth = (l: Line): number => { let d = 0; for (let p = byId.get(l.parent); p && d < 1000; p = byId.get(p.parent)) d++; return d; };
    const shape = (l: Line) => `${l.mp}\0${String(depth(l)).padStart(4, "0")}\0${l.root}\0${l.fstype}\0${l.opts}\0${l.tags.map((t) => t.split(":")[0]).join(",")}`;
    // Mounts of the same shape (a propagated copy on each peer) are told apart by their parents,
    // compared the same way, up the chain: the order is canonical, not the table's listing order.
    const cmp = (a: Line | undefined, b: Line | undefined, hops = 0): number => {
      if (a === b) return 0;
      if (!a || !b) return a ? 1 : -1;
      const sa = shape(a), sb = shape(b);
      if (sa !== sb) return sa < sb ? -1 : 1;
      return hops > 1000 ? 0 : cmp(byId.get(a.parent), byId.get(b.parent), hops + 1);
    };
    const sorted = [...lines].sort((a, b) => cmp(a, b));
    const cid = new Map(sorted.map((l, i) => [l.id, `${ns}${i + 1}`]));
    const num = (m: Map<string, number>, k: string) => { if (!m.has(k)) m.set(k, m.size + 1); return m.get(k)!; };
    for (const l of sorted) {
      const tags = l.tags.map((t) => { const [k, v] = t.split(":"); return v === undefined ? k : `${k}:${num(groups, v)}`; });
      out.push(`${cid.get(l.id)} ${cid.get(l.parent) ?? "^"} dev${num(devs, l.dev)} ${l.root} ${l.mp} ${l.opts} ${tags.join(" ") || "private"} ${l.fstype} ${l.source} ${l.ro}`);
    }
    out.push(`${ns} order: ${lines.map((l) => cid.get(l.id)).join(" ")}`);
  }
  return { lines: out, devs };
}

const errno = (e: number): string => (e === 0 ? "0" : errnoName(e));

/** null when the fake agrees with the real kernel, else a readable account of the difference. */
export function compare(c: Case, real: RealOutcome, fake: Outcome & { setup?: { results: number[]; table: string }; replayed?: Outcome }): string | null {
  const acts = actions(c);
  const rr = real.results.slice(c.setup.length);
  if (fake.setup) {
    const rs = real.results.slice(0, c.setup.length);
    const rt = normalise([["A", real.start]]).filter((l) => !l.includes(" order: "));
    const ft = normalise([["A", fake.setup.table]]).filter((l) => !l.includes(" order: "));
    if (rs.join() !== fake.setup.results.join() || rt.join("\n") !== ft.join("\n")) {
      return `${show(c)}\n  the set-up differs: results real ${rs.map(errno).join(",")}, fake ${fake.setup.results.map(errno).join(",")}\n  real start:\n${indent(rt.join("\n"))}\n  fake start:\n${indent(ft.join("\n"))}`;
    }
  }
  for (let i = 0; i < acts.length; i++) {
    if (rr[i] !== fake.results[i]) {
      return `${show(c)}\n  action ${i}: real ${errno(rr[i]!)}, fake ${errno(fake.results[i]!)}\n  start:\n${indent(real.start)}`;
    }
  }
  // The fake built from the start table, as `run` predicts from a live table, is compared without
  // the order lines: a table does not show the propagation lists (which peer follows which in a
  // ring, which mount of a master group a slave hangs from), so the order of propagated copies
  // is a guess there (pnode.ts linkListed). The fake that ran the set-up itself knows them, and
  // its tables must match in listing order too.
  const r = normalise([["A", real.A], ["B", real.B]]);
  const f = normalise([["A", fake.A], ["B", fake.B]]);
  const noOrder = (ls: string[]) => ls.filter((l) => !l.includes(" order: ")).join("\n");
  if (noOrder(r) !== noOrder(f)) {
    return `${show(c)}\n  results ${rr.map(errno).join(",")}\n  start:\n${indent(real.start)}\n  real:\n${indent(noOrder(r))}\n  fake (built from the start table):\n${indent(noOrder(f))}`;
  }
  if (!fake.replayed) return null;
  const rp = fake.replayed;
  const p = normalise([["A", rp.A], ["B", rp.B]]);
  if (rp.results.join() === rr.join() && p.join("\n") === r.join("\n")) return null;
  return `${show(c)}\n  results real ${rr.map(errno).join(",")}, fake that ran the set-up ${rp.results.map(errno).join(",")}\n  start:\n${indent(real.start)}\n  real:\n${indent(r.join("\n"))}\n  fake that ran the set-up:\n${indent(p.join("\n"))}`;
}

const indent = (t: string): string => t.split("\n").filter((l) => l).map((l) => "    " + l).join("\n");

/** Real and fake outcomes of the cases; the differences (null where they agree). */
export function check(cases: readonly Case[]): (string | null)[] {
  const real = runReal(cases);
  return cases.map((c, i) => compare(c, real[i]!, runFake(c, real[i]!.start)));
}

// ---- the generators ----

/** The names of a path: the two directories, and now and then a link of LINKS (to "a" and to "/a"). */
const name = fc.constantFrom("a", "b", "a", "b", "a", "b", "l", "r");

/**
 * The draws, for paths of at most `depth` names. Depth 2 with short sequences is the default
 * property; depth 3 with longer ones reaches shapes the default rarely does (a slave of a slave, a
 * slave peer group, a tree holding a master and its slave unmounted together), which the recorded
 * cases in test/kernel-oracle-order.test.ts found the fake's tests missing.
 */
function arbs(depth: number, setupMax: number, opsMax: number) {
  const pathArb = fc.array(name, { maxLength: depth }).map((p) => "/" + p.join("/"));
  const propArb = fc.tuple(pathArb, fc.constantFrom(abi.MS_SHARED, abi.MS_SLAVE, abi.MS_PRIVATE, abi.MS_UNBINDABLE), fc.boolean())
    .map(([p, t, rec]) => propagate(p, t | (rec ? abi.MS_REC : 0)));
  const tmpfsArb = pathArb.map(tmpfs);
  const bindArb = fc.tuple(pathArb, pathArb, fc.boolean()).map(([s, t, rec]) => bind(s, t, rec));
  const moveArb = fc.tuple(pathArb, pathArb).map(([s, t]) => move(s, t));
  // UMOUNT_NOFOLLOW now and then: a last component that is one of the links is not followed (EINVAL there).
  const umountArb = fc.tuple(pathArb, fc.constantFrom(0, abi.MNT_DETACH, 0, abi.MNT_DETACH, abi.UMOUNT_NOFOLLOW, abi.MNT_DETACH | abi.UMOUNT_NOFOLLOW)).map(([t, f]) => umount(t, f));
  const pivotArb = fc.tuple(pathArb, name).map(([n, o]) => pivot(n, (n === "/" ? "" : n) + "/" + o));
  const relArb = fc.array(name, { maxLength: depth }).map((p) => p.join("/"));
  const treeArb = treeCalls(pathArb, relArb);
  // Set-up never mounts a tmpfs on "/": "/a" would still name the old root's /a, so the driver's
  // mkdirs miss the new tmpfs, and the fake, built from the table, could not know it has no /a.
  const setupTmpfsArb = fc.array(name, { minLength: 1, maxLength: depth }).map((p) => tmpfs("/" + p.join("/")));
  // Flags: a tmpfs mounted with them, a remount (bind-only or of the superblock too) to them. In B
  // a copied mount's ro, nosuid, nodev, noexec and atime are locked (can_change_locked_flags).
  const flagTmpfsArb = fc.tuple(fc.array(name, { minLength: 1, maxLength: depth }), attrFlags).map(([p, f]) => tmpfsWith("/" + p.join("/"), f));
  const remountArb = fc.tuple(pathArb, fc.boolean(), attrFlags).map(([p, b, f]) => remount(p, b, f));
  const setupArb = fc.oneof({ weight: 4, arbitrary: setupTmpfsArb }, { weight: 4, arbitrary: propArb }, { weight: 2, arbitrary: bindArb },
    { weight: 1, arbitrary: flagTmpfsArb });
  const callArb = fc.oneof(
    { weight: 2, arbitrary: tmpfsArb }, { weight: 4, arbitrary: propArb }, { weight: 3, arbitrary: bindArb },
    { weight: 2, arbitrary: moveArb }, { weight: 4, arbitrary: umountArb }, { weight: 1, arbitrary: pivotArb },
    // The runtimes' relative forms: pivot_root(".", ".") and umount2(".") in whatever the cwd is.
    { weight: 1, arbitrary: fc.constantFrom(pivot(".", "."), umount(".", abi.MNT_DETACH), umount(".", 0)) },
    { weight: 4, arbitrary: treeArb }, { weight: 2, arbitrary: remountArb }, { weight: 1, arbitrary: flagTmpfsArb },
  );
  const caseArb: fc.Arbitrary<Case> = fc.record({
    setup: fc.array(setupArb, { maxLength: setupMax }),
    userns: fc.option(fc.nat(6), { nil: null, freq: 2 }),
    renew: fc.option(fc.nat(6), { nil: null, freq: 2 }),
    proc: fc.boolean(),
    // Mostly one call; now and then a tree cloned and at once named through /proc/self/fd (viaFdBundle).
    ops: fc.array(fc.record({ ns: fc.constantFrom<Ns>("A", "B"), calls: fc.oneof({ weight: 9, arbitrary: callArb.map((c) => [c]) }, { weight: 1, arbitrary: viaFdBundle(pathArb, relArb) }) }),
      { minLength: 1, maxLength: opsMax }).map((xs) => xs.flatMap(({ ns, calls }) => calls.map((call) => ({ ns, call })))),
  });
  return { pathArb, setupArb, callArb, caseArb };
}

/**
 * The detached trees' calls: an open_tree clone of a path or of a slot's tree (recursive or not),
 * attaching it (or one of its submounts, or an attached mount) with move_mount, a propagation
 * change with mount_setattr of a slot's tree or of a path, and close. Slots 0-2: a case opens a
 * few trees at most. `rel`: a path inside a tree, "" for the tree's top.
 */
function treeCalls(pathArb: fc.Arbitrary<string>, rel: fc.Arbitrary<string>): fc.Arbitrary<Call> {
  const slot = fc.nat(2);
  const prop = fc.constantFrom(abi.MS_SHARED, abi.MS_SLAVE, abi.MS_PRIVATE, abi.MS_UNBINDABLE);
  return fc.oneof(
    { weight: 3, arbitrary: fc.tuple(pathArb, fc.boolean()).map(([p, rec]) => openTree(-1, p, rec)) },
    { weight: 1, arbitrary: fc.tuple(slot, rel, fc.boolean()).map(([k, p, rec]) => openTree(k, p, rec)) },
    { weight: 3, arbitrary: fc.tuple(slot, rel, pathArb).map(([k, p, t]) => moveMount(k, p, t)) },
    { weight: 2, arbitrary: fc.tuple(fc.integer({ min: -1, max: 2 }), rel, slot, rel).map(([k, p, t, q]) => moveMount(k, k < 0 ? `/${p}` : p, q, t)) },
    { weight: 1, arbitrary: fc.tuple(pathArb, pathArb).map(([p, t]) => moveMount(-1, p, t)) },
    { weight: 2, arbitrary: fc.tuple(slot, rel, prop, fc.boolean()).map(([k, p, t, rec]) => setattr(k, p, t, rec)) },
    { weight: 1, arbitrary: fc.tuple(pathArb, prop, fc.boolean()).map(([p, t, rec]) => setattr(-1, p, t, rec)) },
    // Attributes set (ro, nosuid, nodev, noexec, nodiratime; now and then an atime value, which
    // alone is EINVAL), with a propagation change or without, of a tree or of a path.
    { weight: 2, arbitrary: fc.tuple(fc.oneof(fc.constant(-1), fc.integer({ min: -1, max: 2 })), rel, fc.constantFrom(0, 0, ...PROPS), fc.boolean(), attrSetArb)
      .map(([k, p, t, rec, set]) => setattr(k, k < 0 ? `/${p}` : p, t, rec, set)) },
    { weight: 1, arbitrary: slot.map(closeSlot) },
    // An fd that holds an attached mount (open_tree without CLONE), and a cwd that does.
    { weight: 2, arbitrary: pathArb.map((p) => openPath(-1, p)) },
    { weight: 1, arbitrary: pathArb.map(chdir) },
    // chroot of a path, or of "." (the cwd's mount, which an MS_MOVE onto "/" leaves the cwd in: the move strategy).
    { weight: 1, arbitrary: fc.oneof(pathArb, fc.constant(".")).map(chroot) },
    // mount(2) naming a tree through /proc/self/fd (a case with proc): MS_MOVE of its top or of a
    // mount inside, a bind from it, MS_MOVE into it, a tmpfs onto it.
    { weight: 2, arbitrary: fc.tuple(slotRef, rel, pathArb).map(([k, p, t]) => move(viaFd(k, p), t)) },
    { weight: 1, arbitrary: fc.tuple(slotRef, rel, pathArb, fc.boolean()).map(([k, p, t, rec]) => bind(viaFd(k, p), t, rec)) },
    { weight: 1, arbitrary: fc.tuple(pathArb, slotRef, rel).map(([p, k, t]) => move(p, viaFd(k, t))) },
    { weight: 1, arbitrary: fc.tuple(slotRef, rel).map(([k, t]) => tmpfs(viaFd(k, t))) },
  );
}

/**
 * A clone (open_tree of a path, recursive or not), then mount(2) naming it through
 * /proc/self/fd (in a case with proc): MS_MOVE of its top or of a mount inside, a bind from it,
 * MS_MOVE of a path into it, or a tmpfs onto it.
 */
function viaFdBundle(pathArb: fc.Arbitrary<string>, rel: fc.Arbitrary<string>): fc.Arbitrary<Call[]> {
  const how = fc.constantFrom("move from", "bind from", "move into", "tmpfs onto");
  return fc.tuple(pathArb, fc.boolean(), how, rel, pathArb, fc.boolean()).map(([p, rec, h, r, t, rec2]) => [openTree(-1, p, rec),
    h === "move from" ? move(viaFd(LAST, r), t) : h === "bind from" ? bind(viaFd(LAST, r), t, rec2) : h === "move into" ? move(t, viaFd(LAST, r)) : tmpfs(viaFd(LAST, r))]);
}

const PROPS = [abi.MS_SHARED, abi.MS_SLAVE, abi.MS_PRIVATE, abi.MS_UNBINDABLE];
const attrSetArb = fc.tuple(fc.subarray([abi.MOUNT_ATTR_RDONLY, abi.MOUNT_ATTR_NOSUID, abi.MOUNT_ATTR_NODEV, abi.MOUNT_ATTR_NOEXEC, abi.MOUNT_ATTR_NODIRATIME]),
  fc.constantFrom(0, 0, 0, 0, abi.MOUNT_ATTR_NOATIME)).map(([xs, atime]) => xs.reduce((x, y) => x | y, atime));

/** A slot's tree (LAST too) as mount(2) names it: "@SLOT[/PATH]", /proc/self/fd/N[/PATH] when run. */
const slotRef = fc.oneof(fc.nat(2), fc.constant(LAST));
const viaFd = (slot: number, rel: string): string => `@${slot}${rel === "" ? "" : `/${rel}`}`;

export const { pathArb, setupArb, callArb, caseArb } = arbs(2, 12, 10);

/**
 * Longer sequences over a few places: each case draws three to five paths up to three deep, and
 * every call names one of them (a bind's target a name below one). Propagation shapes need the
 * same mount named again and again (a mount made shared, bound twice, each bind made a slave, then
 * a mount under the first), which independent draws of every path rarely give: the default
 * property missed the shapes recorded in test/kernel-oracle-order.test.ts in 6,000 runs, and so
 * did independent depth-3 draws. PIVOTSHIM_ORACLE_DEEP_RUNS of them in test/kernel-oracle.test.ts.
 */
export const deepCaseArb: fc.Arbitrary<Case> = fc.uniqueArray(fc.array(name, { minLength: 1, maxLength: 2 }).map((p) => "/" + p.join("/")), { minLength: 3, maxLength: 5 })
  .chain((pool) => {
    const at = fc.constantFrom(...pool);
    const under = fc.tuple(at, name).map(([p, n]) => `${p}/${n}`);
    const place = fc.oneof({ weight: 3, arbitrary: at }, { weight: 1, arbitrary: under });
    const prop = fc.tuple(at, fc.constantFrom(abi.MS_SHARED, abi.MS_SLAVE, abi.MS_PRIVATE, abi.MS_UNBINDABLE), fc.boolean())
      .map(([p, t, rec]) => propagate(p, t | (rec ? abi.MS_REC : 0)));
    // Pairs as runtimes and tests write them: a mount made shared, a bind made a slave (or shared).
    const kind = fc.constantFrom(abi.MS_SHARED, abi.MS_SLAVE, abi.MS_SLAVE | abi.MS_SHARED);
    const calls = fc.oneof(
      { weight: 2, arbitrary: place.map((p) => [tmpfs(p)]) },
      { weight: 2, arbitrary: place.map((p) => [tmpfs(p), propagate(p, abi.MS_SHARED)]) },
      { weight: 2, arbitrary: prop.map((c) => [c]) },
      { weight: 2, arbitrary: fc.tuple(at, place, fc.boolean()).map(([s, t, rec]) => [bind(s, t, rec)]) },
      { weight: 4, arbitrary: fc.tuple(at, place, kind).map(([s, t, k]) => k === (abi.MS_SLAVE | abi.MS_SHARED)
        ? [bind(s, t, false), propagate(t, abi.MS_SLAVE), propagate(t, abi.MS_SHARED)] : [bind(s, t, false), propagate(t, k)]) },
      { weight: 1, arbitrary: fc.tuple(at, place).map(([s, t]) => [move(s, t)]) },
      { weight: 2, arbitrary: fc.tuple(place, fc.boolean()).map(([t, lazy]) => [umount(t, lazy ? abi.MNT_DETACH : 0)]) },
      // A clone of a place attached at another, as LXC attaches its rootfs, its propagation changed first or not.
      { weight: 2, arbitrary: treeCalls(at, fc.constantFrom("", "a", "b")).map((c) => [c]) },
      { weight: 1, arbitrary: fc.tuple(at, place, fc.boolean(), fc.constantFrom(0, abi.MS_SHARED, abi.MS_SLAVE, abi.MS_PRIVATE), fc.oneof(fc.constant(0), attrSetArb)).map(([s, t, rec, prop, set]) =>
        [openTree(-1, s, rec), ...(prop || set ? [setattr(LAST, "", prop, true, set)] : []), moveMount(LAST, "", t), closeSlot(LAST)]) },
      // The same through mount(2) and /proc/self/fd, in a case with proc.
      { weight: 1, arbitrary: viaFdBundle(at, fc.constantFrom("", "a", "b")) },
      { weight: 1, arbitrary: fc.tuple(at, fc.boolean(), attrFlags).map(([p, b, f]) => [remount(p, b, f)]) },
      { weight: 1, arbitrary: fc.tuple(place, attrFlags).map(([p, f]) => [tmpfsWith(p, f)]) },
      // pivot_root into one of the places (its old root under a name below it), as the runtimes switch.
      { weight: 1, arbitrary: fc.tuple(at, name).map(([n, o]) => [pivot(n, `${n}/${o}`)]) },
      // chroot into one of the places, as the move strategy ends (MS_MOVE onto "/", then chroot(".")).
      { weight: 1, arbitrary: place.map((p) => [chroot(p)]) },
      // runc's switch (and crun's, LXC's): cwd into a place, pivot_root(".", "."), the old root
      // (now stacked on the new one) lazily unmounted through ".", then cwd to the new "/".
      { weight: 1, arbitrary: at.map((p) => [chdir(p), pivot(".", "."), umount(".", abi.MNT_DETACH), chdir("/")]) },
      // The move strategy's switch: cwd into a place, that place moved onto "/", chroot(".").
      { weight: 1, arbitrary: at.map((p) => [chdir(p), move(p, "/"), chroot(".")]) },
    );
    return fc.record({
      setup: fc.constant([tmpfs("/a"), tmpfs("/b")]), // every place of the pool exists, and one name below it
      userns: fc.option(fc.nat(8), { nil: null, freq: 3 }),
      renew: fc.option(fc.nat(8), { nil: null, freq: 3 }),
      proc: fc.boolean(),
      ops: fc.array(fc.record({ ns: fc.constantFrom<Ns>("A", "B"), calls }), { minLength: 3, maxLength: 10 })
        .map((xs) => xs.flatMap(({ ns, calls: cs }) => cs.map((call) => ({ ns, call })))),
    });
  });

export interface PropertyReport { runs: number; realRuns: number; failure: string | null; counterexample: Case | null; seed: number }

/**
 * fast-check over caseArb: the first numRuns cases run on the real kernel in one batch (they are
 * the ones fc.check draws for the same seed); shrinking runs each smaller case on its own.
 */
export function checkProperty(seed: number, numRuns: number, arb: fc.Arbitrary<Case> = caseArb): PropertyReport {
  const key = (c: Case) => JSON.stringify(c);
  const cache = new Map<string, RealOutcome>();
  const first = fc.sample(arb, { seed, numRuns });
  runReal(first).forEach((o, i) => cache.set(key(first[i]!), o));
  let realRuns = first.length;
  let failure: string | null = null;
  const details = fc.check(fc.property(arb, (c) => {
    let real = cache.get(key(c));
    if (!real) { real = runReal([c])[0]!; realRuns++; }
    const d = compare(c, real, runFake(c, real.start));
    if (d) failure = d;
    return d === null;
  }), { seed, numRuns });
  const counterexample = details.failed ? details.counterexample![0] : null;
  if (counterexample) failure = compare(counterexample, runReal([counterexample])[0]!, runFake(counterexample, runReal([counterexample])[0]!.start));
  return { runs: details.numRuns, realRuns, failure: counterexample ? failure : null, counterexample, seed };
}

// ---- kept cases: sequences recorded on the real kernel, held against the fake and run again ----

/** A counterexample kept with what Linux did: errno per request after the set-up, the tables normalised. */
export interface Kept { name: string; case: Case; start: string; results: number[]; tables: string[] }

const keptTables = (o: { A: string; B: string | null }): string[] =>
  normalise([["A", o.A], ["B", o.B]]).filter((l) => !l.includes(" order: "));

/**
 * One test per kept case on the fake kernel, then one that runs them all on the real kernel (as
 * root; skipped with the reason printed otherwise), so a kernel that now answers otherwise fails.
 */
export function keptCaseTests(test: Test, kept: readonly Kept[]): void {
  for (const k of kept) {
    test(`fake kernel, as Linux 6.18 did: ${k.name}`, () => {
      const fake = runFake(k.case, k.start);
      assert.equal(fake.results, k.results, "errno per request");
      assert.equal(keptTables(fake), k.tables, "the tables, normalised");
    });
  }
  const reason = oracleSkipReason();
  const name = "the real kernel still does what each kept case recorded";
  if (reason) {
    console.error(`SKIP ${name}: ${reason}`);
    test.skip(name);
    return;
  }
  test(name, () => {
    const real = runReal(kept.map((k) => k.case));
    kept.forEach((k, i) => {
      const r = real[i]!;
      assert.equal(r.results.slice(k.case.setup.length), k.results, `${k.name}: errno per request`);
      assert.equal(keptTables(r), k.tables, `${k.name}: the tables, normalised`);
    });
  });
}
