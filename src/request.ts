// The typed view of one request and one result: a discriminated union named after the syscalls,
// with the kernel's argument names. Decoding out of wasm memory lives here and nowhere else.
// Strings are `string | null`: null is the C NULL pointer, "" an empty string (runc passes "").
import * as abi from "./abi.js";
import { STEP_NAME } from "./names.js";
import { decodeBytes } from "./utf8.js";

interface Common {
  /** 0-based index of the request in the run. */
  seq: number;
  /** The plan step this request belongs to (e.g. "pivot_root", "detach_old_root"). */
  step: string;
  /** Why the step exists, with its source. */
  reason: string;
}

export type Request = Common & (
  | { op: "openat"; dirfd: number; pathname: string; flags: number; mode: number }
  | { op: "read"; fd: number; count: number }
  | { op: "close"; fd: number }
  | { op: "fchdir"; fd: number }
  | { op: "chdir"; path: string }
  | { op: "chroot"; path: string }
  | { op: "pivot_root"; new_root: string; put_old: string }
  | { op: "mount"; source: string | null; target: string; filesystemtype: string | null; mountflags: number; data: string | null }
  | { op: "umount2"; target: string; flags: number }
  | { op: "getcwd"; size: number }
  /** Host-only (ABI 3): the machine never emits it; run's hooks do, with a new UTS namespace. */
  | { op: "sethostname"; name: string }
  /** ABI 4: bwrap's staging directories ("newroot", "oldroot"); mode as the runtime passes it (before umask). */
  | { op: "mkdir"; pathname: string; mode: number }
  /** ABI 5 (LXC): openat2(dirfd, pathname, &{flags, mode, resolve}, 24); resolve travels in REQ_COUNT. */
  | { op: "openat2"; dirfd: number; pathname: string; flags: number; mode: number; resolve: number }
  /** ABI 5 (LXC): open_tree(dirfd, pathname, flags): OPEN_TREE_CLONE makes a detached copy. */
  | { op: "open_tree"; dirfd: number; pathname: string; flags: number }
  /** ABI 5 (LXC): move_mount(from_dirfd, from_pathname, to_dirfd, to_pathname, flags); to_dirfd travels in REQ_COUNT. */
  | { op: "move_mount"; from_dirfd: number; from_pathname: string; to_dirfd: number; to_pathname: string; flags: number }
  /** ABI 6 (crun 1.29): setns(fd, nstype): enter the mount namespace open_tree(OPEN_TREE_NAMESPACE) made. */
  | { op: "setns"; fd: number; nstype: number }
  /**
   * ABI 6 (crun 1.29): mount_setattr(dirfd, pathname, flags, &attr, 32) with attr = {attr_set, attr_clr 0,
   * propagation, userns_fd 0}: no profile clears an attribute or idmaps. attr_set travels in REQ_MODE,
   * propagation in REQ_COUNT.
   */
  | { op: "mount_setattr"; dirfd: number; pathname: string; flags: number; attr_set: number; propagation: number }
);

export type OpName = Request["op"];
export const OP_NAMES: readonly OpName[] = [
  "openat", "read", "close", "fchdir", "chdir", "chroot", "pivot_root", "mount", "umount2", "getcwd", "sethostname", "mkdir",
  "openat2", "open_tree", "move_mount", "setns", "mount_setattr",
];

/**
 * A syscall result, as the kernel returns it: success with a return value, or an errno.
 * `data` carries the bytes a successful `read` or `getcwd` produced (the host fills the buffer).
 */
export type Result = { ret: number; data?: Uint8Array } | { errno: number };

export const isErr = (r: Result): r is { errno: number } => "errno" in r;

/**
 * Decodes a string argument losslessly (utf8.ts: invalid bytes become U+DC80+byte); short ASCII
 * (every path the plans use) skips the decoder, which is slow for it.
 */
function decodeUtf8(mem: Uint8Array, ptr: number, len: number): string {
  if (len <= 64) {
    let s = "";
    for (let i = ptr; i < ptr + len; i++) {
      const b = mem[i]!;
      if (b >= 0x80) return decodeBytes(mem.subarray(ptr, ptr + len));
      s += String.fromCharCode(b);
    }
    return s;
  }
  return decodeBytes(mem.subarray(ptr, ptr + len));
}

/** Reads a (ptr, len) string slot; ptr 0 is NULL. */
export function readStr(mem: Uint8Array, view: DataView, at: number): string | null {
  const ptr = view.getUint32(at, true);
  if (ptr === 0) return null;
  return decodeUtf8(mem, ptr, view.getUint32(at + 4, true));
}

const s = (v: string | null): string => v ?? "";
const i32 = (v: DataView, at: number): number => v.getInt32(at, true);

/**
 * Decodes request blocks out of one machine's memory. Reasons live in the module's static data
 * (their pointers never move or get reused), so each is decoded once and cached by pointer.
 */
export class RequestDecoder {
  #buffer: ArrayBuffer | null = null;
  #view!: DataView;
  #mem!: Uint8Array;
  readonly #reasons = new Map<number, string>();

  decode(buffer: ArrayBuffer, base: number): Request | null {
    if (buffer !== this.#buffer) {
      this.#buffer = buffer;
      this.#view = new DataView(buffer);
      this.#mem = new Uint8Array(buffer);
    }
    // No closures over base: one decode per request of every run, and a closure made per call
    // was most of its time (esbuild's keepNames, which the tests run under, names each one).
    const v = this.#view, mem = this.#mem;
    const op = i32(v, base + abi.REQ_OP) as abi.Op;
    if (op === abi.Op.DONE || op === abi.Op.FAILED) return null;
    const rp = v.getUint32(base + abi.REQ_REASON, true);
    let reason = this.#reasons.get(rp);
    if (reason === undefined) { reason = s(readStr(mem, v, base + abi.REQ_REASON)); this.#reasons.set(rp, reason); }
    const seq = i32(v, base + abi.REQ_SEQ);
    const code = i32(v, base + abi.REQ_STEP);
    const step = STEP_NAME[code] || `step#${code}`;
    switch (op) {
      case abi.Op.openat:
        return { seq, step, reason, op: "openat", dirfd: i32(v, base + abi.REQ_FD), pathname: s(readStr(mem, v, base + abi.REQ_STR0)), flags: i32(v, base + abi.REQ_FLAGS), mode: i32(v, base + abi.REQ_MODE) };
      case abi.Op.read: return { seq, step, reason, op: "read", fd: i32(v, base + abi.REQ_FD), count: i32(v, base + abi.REQ_COUNT) };
      case abi.Op.close: return { seq, step, reason, op: "close", fd: i32(v, base + abi.REQ_FD) };
      case abi.Op.fchdir: return { seq, step, reason, op: "fchdir", fd: i32(v, base + abi.REQ_FD) };
      case abi.Op.chdir: return { seq, step, reason, op: "chdir", path: s(readStr(mem, v, base + abi.REQ_STR0)) };
      case abi.Op.chroot: return { seq, step, reason, op: "chroot", path: s(readStr(mem, v, base + abi.REQ_STR0)) };
      case abi.Op.pivot_root:
        return { seq, step, reason, op: "pivot_root", new_root: s(readStr(mem, v, base + abi.REQ_STR0)), put_old: s(readStr(mem, v, base + abi.REQ_STR1)) };
      case abi.Op.mount:
        return {
          seq, step, reason, op: "mount", source: readStr(mem, v, base + abi.REQ_STR0), target: s(readStr(mem, v, base + abi.REQ_STR1)),
          filesystemtype: readStr(mem, v, base + abi.REQ_STR2), mountflags: i32(v, base + abi.REQ_FLAGS), data: readStr(mem, v, base + abi.REQ_STR3),
        };
      case abi.Op.umount2: return { seq, step, reason, op: "umount2", target: s(readStr(mem, v, base + abi.REQ_STR0)), flags: i32(v, base + abi.REQ_FLAGS) };
      case abi.Op.getcwd: return { seq, step, reason, op: "getcwd", size: i32(v, base + abi.REQ_COUNT) };
      case abi.Op.sethostname: return { seq, step, reason, op: "sethostname", name: s(readStr(mem, v, base + abi.REQ_STR0)) };
      case abi.Op.mkdir: return { seq, step, reason, op: "mkdir", pathname: s(readStr(mem, v, base + abi.REQ_STR0)), mode: i32(v, base + abi.REQ_MODE) };
      case abi.Op.openat2:
        return { seq, step, reason, op: "openat2", dirfd: i32(v, base + abi.REQ_FD), pathname: s(readStr(mem, v, base + abi.REQ_STR0)), flags: i32(v, base + abi.REQ_FLAGS), mode: i32(v, base + abi.REQ_MODE), resolve: i32(v, base + abi.REQ_COUNT) };
      case abi.Op.open_tree:
        return { seq, step, reason, op: "open_tree", dirfd: i32(v, base + abi.REQ_FD), pathname: s(readStr(mem, v, base + abi.REQ_STR0)), flags: i32(v, base + abi.REQ_FLAGS) };
      case abi.Op.move_mount:
        return {
          seq, step, reason, op: "move_mount", from_dirfd: i32(v, base + abi.REQ_FD), from_pathname: s(readStr(mem, v, base + abi.REQ_STR0)),
          to_dirfd: i32(v, base + abi.REQ_COUNT), to_pathname: s(readStr(mem, v, base + abi.REQ_STR1)), flags: i32(v, base + abi.REQ_FLAGS),
        };
      case abi.Op.setns: return { seq, step, reason, op: "setns", fd: i32(v, base + abi.REQ_FD), nstype: i32(v, base + abi.REQ_FLAGS) };
      case abi.Op.mount_setattr:
        return {
          seq, step, reason, op: "mount_setattr", dirfd: i32(v, base + abi.REQ_FD), pathname: s(readStr(mem, v, base + abi.REQ_STR0)), flags: i32(v, base + abi.REQ_FLAGS),
          attr_set: i32(v, base + abi.REQ_MODE), propagation: i32(v, base + abi.REQ_COUNT),
        };
      default:
        throw new RangeError(`unknown op code ${op} in request block`);
    }
  }
}

/** The request without its bookkeeping: what a replay compares. */
export function callOf(r: Request): Record<string, unknown> {
  const { seq: _seq, step: _step, reason: _reason, ...call } = r;
  return call;
}

/** How an error names a request: "pivot_root (request 7, step pivot_root)". */
export const what = (req: Request): string => `${req.op} (request ${req.seq}, step ${req.step})`;
