// Maps parsed strace calls onto the machine's Request union (src/request.ts) plus the kernel's
// answer as a Result: flag names back to numbers through abi.ts, errno names through names.ts.
// Calls the machine never makes (dup, fsopen, ...) are left out. Nothing is guessed: what
// cannot be mapped exactly (unknown flag names, truncated strings) is listed in `problems`.
import * as abi from "../abi.js";
import { ERRNO_EXTRA_NAME, ERRNO_EXTRA_NUMBER, ERRNO_NAME, STEP_NAME } from "../names.js";
import type { OpName, Request, Result } from "../request.js";
import type { Arg } from "./args.js";
import type { Call } from "./parse.js";

/**
 * A pointer strace printed as an address instead of a string. The kernel ignores it (the fstype of
 * a bind or propagation mount that Go passes as a non-NULL pointer), so it is kept apart from both
 * NULL and "" rather than guessed.
 */
export interface Addr { addr: string }

type Widen<T> = { [K in keyof T]: T[K] extends string | null ? T[K] | Addr : T[K] };
/** A Request whose string arguments may also be an Addr. */
export type TracedRequest = Widen<Request>;

export interface Traced {
  request: TracedRequest;
  /** The kernel's answer; null when strace printed `= ?` or the call never resumed. */
  result: Result | null;
  /** What could not be mapped exactly (empty when the mapping is faithful). */
  problems: string[];
  call: Call;
}

const FLAG_PREFIX = /^(?:O_|MS_|MNT_|UMOUNT_|RESOLVE_|OPEN_TREE_|MOVE_MOUNT_|AT_|CLONE_|MOUNT_ATTR_)/;
/** Not flags strace prints: masks (MS_PROPAGATION, MOUNT_ATTR__ATIME), a dirfd (AT_FDCWD), a size. */
const NOT_FLAGS = new Set(["MS_PROPAGATION", "AT_FDCWD", "MOUNT_ATTR__ATIME", "MOUNT_ATTR_SIZE_VER0"]);
/** Every single flag abi.ts names. */
const FLAG_VALUE = new Map<string, number>(
  Object.entries(abi).filter((e): e is [string, number] =>
    typeof e[1] === "number" && FLAG_PREFIX.test(e[0]) && !NOT_FLAGS.has(e[0])),
);

const ERRNO_VALUE = new Map<string, number>([
  ...ERRNO_NAME.map((n, i): [string, number] => [n, i]).filter(([n]) => n !== ""),
  ...ERRNO_EXTRA_NAME.map((n, i): [string, number] => [n, ERRNO_EXTRA_NUMBER[i]!]),
]);

/**
 * The calls a plan makes. sethostname is not one (only run's hooks make it), so a log's
 * sethostname is not a plan call and is never mapped.
 */
type Mapped = Exclude<OpName, "sethostname">;
const RECOGNISED = new Set<string>(["openat", "read", "close", "fchdir", "chdir", "chroot", "pivot_root", "mount", "umount2", "getcwd", "mkdir",
  "openat2", "open_tree", "move_mount", "setns", "mount_setattr"]);

/** Maps the recognised calls, in order; `seq` counts the mapped calls, `reason` names the log line. */
export function toRequests(calls: readonly Call[]): Traced[] {
  const out: Traced[] = [];
  for (const call of calls) {
    if (!RECOGNISED.has(call.name)) continue;
    const problems: string[] = [];
    const a = new ArgReader(call, problems);
    const request = mapCall(call.name as Mapped, a, out.length, `strace line ${call.line}`) as TracedRequest;
    if (call.unfinished) problems.push("the call never finished");
    out.push({ request, result: resultOf(call, problems), problems, call });
  }
  return out;
}

const NONE = STEP_NAME[abi.Step.none]!;
/** A flag word is unsigned: strace may print its top bit as a number past I32_MAX. */
const U32_MAX = 2 * abi.I32_MAX + 1;

/** One literal per op (no spread: a 10 MB log maps 150k calls, and spreads of mixed shapes are slow). */
function mapCall(op: Mapped, a: ArgReader, seq: number, reason: string): Record<string, unknown> {
  const step = NONE;
  switch (op) {
    case "openat": return { seq, step, reason, op, dirfd: a.fd(0), pathname: a.str(1), flags: a.bits(2), mode: a.has(3) ? a.num(3) : 0 };
    case "read": return { seq, step, reason, op, fd: a.fd(0), count: a.num(2) };
    case "close": case "fchdir": return { seq, step, reason, op, fd: a.fd(0) };
    case "chdir": case "chroot": return { seq, step, reason, op, path: a.str(0) };
    case "pivot_root": return { seq, step, reason, op, new_root: a.str(0), put_old: a.str(1) };
    case "mount":
      return { seq, step, reason, op, source: a.str(0), target: a.str(1), filesystemtype: a.str(2), mountflags: a.bits(3), data: a.str(4) };
    case "umount2": return { seq, step, reason, op, target: a.str(0), flags: a.bits(1) };
    case "getcwd": return { seq, step, reason, op, size: a.num(1) };
    // mkdir(pathname, mode): strace prints the mode in octal (0755), which args.ts reads as octal.
    case "mkdir": return { seq, step, reason, op, pathname: a.str(0), mode: a.num(1) };
    // ABI 5: openat2(dirfd, path, {flags=..., [mode=...,] resolve=...}, 24): the struct open_how strace prints.
    case "openat2": {
      const how = a.how(2);
      return { seq, step, reason, op, dirfd: a.fd(0), pathname: a.str(1), flags: how.flags, mode: how.mode, resolve: how.resolve };
    }
    case "open_tree": return { seq, step, reason, op, dirfd: a.fd(0), pathname: a.str(1), flags: a.bits(2) };
    case "move_mount":
      return { seq, step, reason, op, from_dirfd: a.fd(0), from_pathname: a.str(1), to_dirfd: a.fd(2), to_pathname: a.str(3), flags: a.bits(4) };
    // ABI 6 (crun 1.29): setns(fd, CLONE_NEWNS); mount_setattr(dirfd, path, flags, {attr_set=..., attr_clr=0, propagation=..., userns_fd=0}, 32).
    case "setns": return { seq, step, reason, op, fd: a.fd(0), nstype: a.bits(1) };
    case "mount_setattr": {
      const attr = a.mountAttr(3);
      return { seq, step, reason, op, dirfd: a.fd(0), pathname: a.str(1), flags: a.bits(2), attr_set: attr.attr_set, propagation: attr.propagation };
    }
  }
}

/** The Result: `{errno}` from the errno name, else `{ret}` with the bytes a read/getcwd produced. */
function resultOf(call: Call, problems: string[]): Result | null {
  if (call.ret === null) {
    // `= ?`: no value reached the process (it died, or the kernel restarts the call: ERESTARTSYS).
    problems.push(`no return value${call.errno ? ` (${call.errno})` : ""}`);
    return null;
  }
  if (call.errno !== undefined) {
    const errno = ERRNO_VALUE.get(call.errno);
    if (errno !== undefined) return { errno };
    problems.push(`errno ${call.errno} is not in names.ts`);
    return null;
  }
  if (!Number.isInteger(call.ret) || call.ret < abi.I32_MIN || call.ret > abi.I32_MAX) {
    problems.push(`return value ${call.ret} does not fit the 32-bit slot of a result`);
  }
  const out = call.name === "read" ? call.args[1] : call.name === "getcwd" ? call.args[0] : undefined;
  if (out?.kind === "str") {
    if (out.truncated) problems.push(`the ${call.name} data was truncated by strace -s`);
    return { ret: call.ret, data: out.bytes };
  }
  return { ret: call.ret };
}

// A flag word with no bit strace has a name for, as strace prints it: 0x10, then the comment MNT_???.
const UNKNOWN_FLAGS = /^(0x[0-9a-f]+) \/\* [A-Z_]+\?\?\? \*\/$/;

/** Reads arguments by position as the request field types want them, noting what does not fit. */
class ArgReader {
  constructor(private readonly call: Call, private readonly problems: string[]) {}

  has(i: number): boolean { return i < this.call.args.length; }

  private at(i: number): Arg {
    const arg = this.call.args[i];
    if (arg === undefined) {
      this.problems.push(`argument ${i} is missing`);
      return { kind: "raw", text: "" };
    }
    return arg;
  }

  /** A string argument: NULL stays null, "" stays "", an address becomes an Addr. */
  str(i: number): string | null | Addr {
    const arg = this.at(i);
    if (arg.kind === "str") {
      if (arg.truncated) this.problems.push(`argument ${i} was truncated by strace -s`);
      return arg.value;
    }
    if (arg.kind === "null") return null;
    if (arg.kind === "addr") return { addr: arg.addr };
    this.problems.push(`argument ${i} is not a string: ${describe(arg)}`);
    return null;
  }

  fd(i: number): number {
    const arg = this.at(i);
    if (arg.kind === "fd") return this.fits(i, arg.fd, abi.I32_MAX);
    if (arg.kind === "at_fdcwd") return abi.AT_FDCWD;
    return this.num(i);
  }

  num(i: number): number {
    const arg = this.at(i);
    if (arg.kind === "num") return this.fits(i, arg.value, abi.I32_MAX);
    if (arg.kind === "addr") return this.fits(i, Number(arg.addr), abi.I32_MAX);
    this.problems.push(`argument ${i} is not a number: ${describe(arg)}`);
    return 0;
  }

  /**
   * A value the request's i32 slot cannot hold is kept as it is (so it can never compare equal
   * to a plan's) and noted: wrapping it, as `| 0` would, could turn 2^32+3 into 3.
   */
  private fits(i: number, v: number, max: number): number {
    if (Number.isInteger(v) && v >= abi.I32_MIN && v <= max) return v;
    this.problems.push(`argument ${i} (${v}) does not fit the 32-bit slot of the request`);
    return v;
  }

  /**
   * openat2's struct open_how as strace prints it: `{flags=O_RDONLY|O_PATH, resolve=RESOLVE_BENEATH}`,
   * with `mode=0755` between them when O_CREAT or O_TMPFILE is set (absent: 0). NULL or anything
   * else is noted and read as zeros.
   */
  how(i: number): { flags: number; mode: number; resolve: number } {
    const arg = this.at(i);
    const out = { flags: 0, mode: 0, resolve: 0 };
    const m = arg.kind === "raw" ? /^\{(.*)\}$/s.exec(arg.text) : null;
    if (!m) { this.problems.push(`argument ${i} is not a struct open_how: ${describe(arg)}`); return out; }
    for (const field of m[1]!.split(", ")) {
      const eq = field.indexOf("=");
      const name = field.slice(0, eq);
      const v = eq > 0 && (name === "flags" || name === "mode" || name === "resolve") ? fieldValue(field.slice(eq + 1)) : null;
      if (v === null) this.problems.push(`argument ${i}: open_how field ${field} is not understood`);
      else out[name as "flags" | "mode" | "resolve"] = v | 0;
    }
    return out;
  }

  /**
   * mount_setattr's struct mount_attr as strace prints it: `{attr_set=MOUNT_ATTR_RDONLY, attr_clr=0,
   * propagation=MS_PRIVATE, userns_fd=0}` (userns_fd may be absent). attr_clr and userns_fd have no
   * request field (always 0 in a plan): a non-zero one is noted, so such a call never matches a plan's.
   */
  mountAttr(i: number): { attr_set: number; propagation: number } {
    const arg = this.at(i);
    const out = { attr_set: 0, propagation: 0 };
    const m = arg.kind === "raw" ? /^\{(.*)\}$/s.exec(arg.text) : null;
    if (!m) { this.problems.push(`argument ${i} is not a struct mount_attr: ${describe(arg)}`); return out; }
    for (const field of m[1]!.split(", ")) {
      const eq = field.indexOf("=");
      const name = field.slice(0, eq);
      const v = eq > 0 ? fieldValue(field.slice(eq + 1)) : null;
      if (v === null || !["attr_set", "attr_clr", "propagation", "userns_fd"].includes(name)) {
        this.problems.push(`argument ${i}: mount_attr field ${field} is not understood`);
      } else if (name === "attr_set" || name === "propagation") out[name] = v | 0;
      else if (v !== 0) this.problems.push(`argument ${i}: ${name}=${v} is not modelled (a plan's is always 0)`);
    }
    return out;
  }

  /** A flag set: each name through abi.ts, OR'ed with the numeric residue (a u32 flag word). */
  bits(i: number): number {
    const arg = this.at(i);
    if (arg.kind !== "flags") {
      const unknown = arg.kind === "raw" ? UNKNOWN_FLAGS.exec(arg.text) : null;
      const raw = arg.kind === "num" ? arg.value : arg.kind === "addr" ? Number(arg.addr) : unknown ? Number(unknown[1]) : this.num(i);
      const v = this.fits(i, raw, U32_MAX);
      return Number.isInteger(v) && v >= abi.I32_MIN && v <= U32_MAX ? v | 0 : v;
    }
    if (arg.residue > U32_MAX) return this.fits(i, arg.residue, U32_MAX);
    let value = arg.residue | 0;
    for (const name of arg.names) {
      const bit = FLAG_VALUE.get(name);
      if (bit === undefined) this.problems.push(`flag ${name} is not in abi.ts`);
      else value |= bit;
    }
    return value; // as the i32 REQ_FLAGS slot holds it (MS_MGC_VAL sets the top bit)
  }
}

/** One `name=value` of a printed struct: flag names OR'ed, a number (octal with a leading 0), or null. */
function fieldValue(text: string): number | null {
  const t = text.trim();
  if (/^0[0-7]*$/.test(t)) return parseInt(t, 8);
  if (/^(?:[1-9][0-9]*|0x[0-9a-f]+)$/.test(t)) return Number(t);
  let v = 0;
  for (const part of t.split("|")) {
    const bit = /^(?:0x[0-9a-f]+|[0-9]+)$/.test(part) ? Number(part) : FLAG_VALUE.get(part);
    if (bit === undefined) return null;
    v |= bit;
  }
  return v;
}

function describe(arg: Arg): string {
  return arg.kind === "raw" ? arg.text : arg.kind;
}
