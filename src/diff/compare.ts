// The equivalence rules of `pivotshim diff`, for one plan step against one logged call: which
// arguments the kernel ignores, fds matched through their openat (not by number), read sizes and
// data ignored, errnos exact. It returns the differing fields; choosing the pairs is align.ts's job.
import * as abi from "../abi.js";
import type { Request, Result } from "../request.js";
import type { TraceResult } from "../trace.js";
import type { Addr, TracedRequest } from "../strace/to-requests.js";
import { errnoName, msFlags } from "../names-ts.js";
import { atFlags, modeText, mountAttrFlags, moveMountFlags, nsType, openFlags, openTreeFlags, propagationFlags, quote, resolveFlags, umountFlags } from "../format/strace.js";

/** What an fd argument refers to: "o<N>" = opened by call N of its side; "fd:N" = opened before; "cwd" = AT_FDCWD. */
export type FdLabel = string;

/** One side's view of a call, with its fd arguments already labelled (see labelFds). */
export interface Side {
  req: Request | TracedRequest;
  /** null: strace printed `= ?` or the call never finished. */
  result: Result | TraceResult | null;
  /** Labels of fd-valued fields (dirfd, fd) and of /proc/self/fd/N paths (source, target, pathname). */
  fds: Record<string, FdLabel>;
}

export interface FieldDiff { field: string; plan: string; log: string; why?: string }

/** plan origin index → log origin index: the openat pairs of the current alignment. */
export type OriginMap = ReadonlyMap<number, number>;

/** /proc/self/fd/N and /proc/thread-self/fd/N: the same file for a single-threaded process, but a
 * runtime that writes one is not the one that writes the other, so the prefix is kept in the label. */
const PROC_FD = /^\/proc\/(self|thread-self)\/fd\/(\d+)$/;

/** The fd-valued request fields (move_mount has two, ABI 5). */
const FD_FIELDS = ["dirfd", "fd", "from_dirfd", "to_dirfd"];
/** The calls whose result is a new fd that later calls name: an origin of the fd labels. */
export const OPENS: ReadonlySet<string> = new Set(["openat", "openat2", "open_tree"]);

/**
 * Labels fds along one side, in order: an openat (or dup) that succeeds starts an origin, close
 * ends it. `openRet(i)` is the fd call i returned, or null. Plan and log are labelled the same way.
 */
export function labelFds(reqs: readonly ({ op: string } & Record<string, unknown> | null)[], rets: readonly (number | null)[], dupOf: readonly (number | null)[] = []): Record<string, FdLabel>[] {
  const live = new Map<number, FdLabel>();
  const label = (fd: number): FdLabel => (fd === abi.AT_FDCWD ? "cwd" : live.get(fd) ?? `fd:${fd}`);
  return reqs.map((r, i) => {
    const out: Record<string, FdLabel> = {};
    if (r) {
      for (const f of FD_FIELDS) if (typeof r[f] === "number") out[f] = label(r[f] as number);
      for (const f of ["source", "target", "pathname"]) {
        const m = typeof r[f] === "string" ? PROC_FD.exec(r[f] as string) : null;
        if (m) out[f] = `${m[1]}@${label(Number(m[2]))}`;
      }
      if (r.op === "close" && typeof r.fd === "number" && rets[i] === 0) live.delete(r.fd);
    }
    const ret = rets[i];
    const dup = dupOf[i];
    if (ret !== null && ret !== undefined && ret >= 0 && dup !== null && dup !== undefined) live.set(ret, label(dup));
    else if (ret !== null && ret !== undefined && ret >= 0 && r && OPENS.has(r.op)) live.set(ret, `o${i}`);
    return out;
  });
}

/** Two labels name the same open file: mapped origins, or the same fd opened before both runs. */
export function sameFd(plan: FdLabel | undefined, log: FdLabel | undefined, map: OriginMap): boolean {
  if (plan === undefined || log === undefined) return plan === log;
  const pa = plan.indexOf("@");
  const la = log.indexOf("@");
  if (pa >= 0 || la >= 0) return plan.slice(0, pa + 1) === log.slice(0, la + 1) && sameFd(plan.slice(pa + 1), log.slice(la + 1), map);
  if (plan.startsWith("o") && log.startsWith("o")) return map.get(Number(plan.slice(1))) === Number(log.slice(1));
  return plan === log;
}

type Str = string | null | Addr;
const isAddr = (v: unknown): v is Addr => typeof v === "object" && v !== null && "addr" in v;
const showStr = (v: Str): string => (isAddr(v) ? v.addr : quote(v));

/**
 * Which mount arguments the kernel ignores, in do_mount's order: a remount uses no source or
 * fstype (and, with MS_BIND, no data); a bind uses no fstype or data; a propagation change uses
 * none of the three; a move uses no fstype or data.
 */
export function ignoredMountArgs(flags: number): Set<string> {
  if (flags & abi.MS_REMOUNT) return new Set(flags & abi.MS_BIND ? ["source", "filesystemtype", "data"] : ["source", "filesystemtype"]);
  if (flags & abi.MS_BIND) return new Set(["filesystemtype", "data"]);
  if (flags & abi.MS_PROPAGATION) return new Set(["source", "filesystemtype", "data"]);
  if (flags & abi.MS_MOVE) return new Set(["filesystemtype", "data"]);
  return new Set();
}

/** An ignored argument: NULL, "" and an unprinted address are the same; an address hides any string. */
function sameIgnored(a: Str, b: Str): boolean {
  if (isAddr(a) || isAddr(b)) return true;
  return (a ?? "") === (b ?? "");
}

function sameStr(a: Str, b: Str): boolean {
  if (isAddr(a) || isAddr(b)) return false; // the value was not printed: nothing proves it equal
  return a === b;
}

/** Compares one plan step with one logged call of the same op; [] when equivalent. */
export function compare(plan: Side, log: Side, map: OriginMap): FieldDiff[] {
  const p = plan.req as Record<string, unknown>;
  const l = log.req as Record<string, unknown>;
  if (p.op !== l.op) return [{ field: "op", plan: String(p.op), log: String(l.op) }];
  const op = p.op as Request["op"];
  const diffs: FieldDiff[] = [];
  const ignored = p.op === "mount" ? ignoredMountArgs(p.mountflags as number) : new Set<string>();
  for (const field of FIELDS[p.op as Request["op"]]) {
    const a = p[field] as Str | number;
    const b = l[field] as Str | number;
    const pl = plan.fds[field];
    const ll = log.fds[field];
    if (pl !== undefined || ll !== undefined) {
      if (!sameFd(pl, ll, map)) diffs.push({ field, plan: show(op, field, a), log: show(op, field, b), why: fdWhy(pl, ll, map) });
    } else if (typeof a === "number" || typeof b === "number") {
      if (a !== b) diffs.push({ field, plan: show(op, field, a), log: show(op, field, b) });
    } else if (ignored.has(field) ? !sameIgnored(a, b) : !sameStr(a, b)) {
      diffs.push({ field, plan: showStr(a), log: showStr(b), ...(isAddr(b) && !ignored.has(field) ? { why: "strace printed an address, not the string" } : {}) });
    }
  }
  const r = compareResult(op, plan.result, log.result);
  if (r) diffs.push(r);
  return diffs;
}

/** The compared fields per op. read's count and getcwd's size are buffer sizes: not compared. */
const FIELDS: Record<Request["op"], string[]> = {
  openat: ["dirfd", "pathname", "flags", "mode"],
  read: ["fd"],
  close: ["fd"],
  fchdir: ["fd"],
  chdir: ["path"],
  chroot: ["path"],
  pivot_root: ["new_root", "put_old"],
  mount: ["source", "target", "filesystemtype", "mountflags", "data"],
  sethostname: ["name"],
  umount2: ["target", "flags"],
  getcwd: [],
  mkdir: ["pathname", "mode"],
  openat2: ["dirfd", "pathname", "flags", "mode", "resolve"],
  open_tree: ["dirfd", "pathname", "flags"],
  move_mount: ["from_dirfd", "from_pathname", "to_dirfd", "to_pathname", "flags"],
  setns: ["fd", "nstype"],
  mount_setattr: ["dirfd", "pathname", "flags", "attr_set", "propagation"],
};

function show(op: Request["op"], field: string, v: Str | number): string {
  if (typeof v !== "number") return showStr(v);
  if (field === "mountflags") return msFlags(v);
  if (field === "mode") return modeText(v); // octal, as strace prints a mode (openat's too, with O_CREAT)
  if (field === "resolve") return resolveFlags(v);
  if (field === "nstype") return nsType(v);
  if (field === "attr_set") return mountAttrFlags(v);
  if (field === "propagation") return propagationFlags(v);
  if (field === "flags" && op === "mount_setattr") return atFlags(v);
  if (field === "flags") return op === "umount2" ? umountFlags(v) : op === "open_tree" ? openTreeFlags(v) : op === "move_mount" ? moveMountFlags(v) : openFlags(v);
  if (v === abi.AT_FDCWD) return "AT_FDCWD";
  return String(v);
}

function fdWhy(planLabel: FdLabel | undefined, logLabel: FdLabel | undefined, map: OriginMap): string {
  const via = (l: FdLabel | undefined) => (l?.includes("@") ? `/proc/${l.slice(0, l.indexOf("@"))}/fd: ` : "");
  const strip = (l: FdLabel | undefined) => (l?.includes("@") ? l.slice(l.indexOf("@") + 1) : l);
  const plan = strip(planLabel);
  const log = strip(logLabel);
  const what = (l: FdLabel | undefined, side: string) =>
    l === undefined ? `no fd on the ${side} side` : l === "cwd" ? "AT_FDCWD" : l.startsWith("fd:") ? `an fd opened before the ${side === "plan" ? "plan" : "window"}` : `the fd of ${side} call #${Number(l.slice(1)) + 1}`;
  const mapped = plan?.startsWith("o") ? map.get(Number(plan.slice(1))) : undefined;
  const hint = mapped !== undefined ? `; the plan's fd corresponds to log call #${mapped + 1}'s` : "";
  return `plan uses ${via(planLabel)}${what(plan, "plan")}, log uses ${via(logLabel)}${what(log, "log")}${hint}`;
}

type AnyResult = Result | TraceResult | null;
const errOf = (r: NonNullable<AnyResult>): number | undefined => ("errno" in r ? r.errno : undefined);
const retOf = (r: NonNullable<AnyResult>): number => ("ret" in r ? r.ret : -1);

/** Render a result as strace does: `0`, `-1 EINVAL`, `?`. */
export function showResult(r: AnyResult): string {
  if (r === null) return "?";
  const e = errOf(r);
  return e !== undefined ? `-1 ${errnoName(e)}` : String(retOf(r));
}

/**
 * errnos exactly; success values exactly except an openat's fd (matched through the alignment)
 * and a read's byte count (only end of file, 0, versus data, > 0).
 */
function compareResult(op: Request["op"], plan: AnyResult, log: AnyResult): FieldDiff | null {
  const d = { field: "result", plan: showResult(plan), log: showResult(log) };
  if (plan === null || log === null) return plan === log ? null : d;
  const pe = errOf(plan);
  const le = errOf(log);
  if (pe !== undefined || le !== undefined) return pe === le ? null : d;
  const pr = retOf(plan);
  const lr = retOf(log);
  if (op === "openat" || op === "openat2" || op === "open_tree") return (pr >= 0) === (lr >= 0) ? null : d;
  if (op === "read") return (pr === 0) === (lr === 0) ? null : { ...d, why: "end of file on one side only" };
  if (op === "getcwd") return null; // the length of the cwd string: the path is not an argument we plan
  return pr === lr ? null : d;
}
