// The typed view of one request and one result: a discriminated union named after the syscalls,
// with the kernel's argument names. Decoding out of wasm memory lives here and nowhere else.
// Strings are `string | null`: null is the C NULL pointer, "" an empty string (runc passes "").
import * as abi from "./abi.js";
import { STEP_NAME } from "./names.js";

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
);

export type OpName = Request["op"];
export const OP_NAMES: readonly OpName[] = [
  "openat", "read", "close", "fchdir", "chdir", "chroot", "pivot_root", "mount", "umount2", "getcwd",
];

/**
 * A syscall result, as the kernel returns it: success with a return value, or an errno.
 * `data` carries the bytes a successful `read` or `getcwd` produced (the host fills the buffer).
 */
export type Result = { ret: number; data?: Uint8Array } | { errno: number };

export const isErr = (r: Result): r is { errno: number } => "errno" in r;

const utf8 = new TextDecoder("utf-8", { fatal: false });

/** Reads a (ptr, len) string slot; ptr 0 is NULL. */
export function readStr(mem: Uint8Array, view: DataView, at: number): string | null {
  const ptr = view.getUint32(at, true);
  if (ptr === 0) return null;
  const len = view.getUint32(at + 4, true);
  return utf8.decode(mem.subarray(ptr, ptr + len));
}

const s = (v: string | null): string => v ?? "";

/** Decodes the request block at `base` (see REQ_* in abi.ts). Returns null for a terminal op. */
export function decodeRequest(buffer: ArrayBuffer, base: number): Request | null {
  const view = new DataView(buffer, base, abi.REQ_SIZE);
  const mem = new Uint8Array(buffer);
  const at = (off: number) => base + off;
  const i32 = (off: number) => view.getInt32(off, true);
  const str = (off: number) => readStr(mem, new DataView(buffer), at(off));
  const common: Common = { seq: i32(abi.REQ_SEQ), step: STEP_NAME[i32(abi.REQ_STEP)] ?? `step#${i32(abi.REQ_STEP)}`, reason: s(str(abi.REQ_REASON)) };
  switch (i32(abi.REQ_OP) as abi.Op) {
    case abi.Op.openat:
      return { ...common, op: "openat", dirfd: i32(abi.REQ_FD), pathname: s(str(abi.REQ_STR0)), flags: i32(abi.REQ_FLAGS), mode: i32(abi.REQ_MODE) };
    case abi.Op.read: return { ...common, op: "read", fd: i32(abi.REQ_FD), count: i32(abi.REQ_COUNT) };
    case abi.Op.close: return { ...common, op: "close", fd: i32(abi.REQ_FD) };
    case abi.Op.fchdir: return { ...common, op: "fchdir", fd: i32(abi.REQ_FD) };
    case abi.Op.chdir: return { ...common, op: "chdir", path: s(str(abi.REQ_STR0)) };
    case abi.Op.chroot: return { ...common, op: "chroot", path: s(str(abi.REQ_STR0)) };
    case abi.Op.pivot_root:
      return { ...common, op: "pivot_root", new_root: s(str(abi.REQ_STR0)), put_old: s(str(abi.REQ_STR1)) };
    case abi.Op.mount:
      return {
        ...common, op: "mount", source: str(abi.REQ_STR0), target: s(str(abi.REQ_STR1)),
        filesystemtype: str(abi.REQ_STR2), mountflags: i32(abi.REQ_FLAGS), data: str(abi.REQ_STR3),
      };
    case abi.Op.umount2: return { ...common, op: "umount2", target: s(str(abi.REQ_STR0)), flags: i32(abi.REQ_FLAGS) };
    case abi.Op.getcwd: return { ...common, op: "getcwd", size: i32(abi.REQ_COUNT) };
    case abi.Op.DONE:
    case abi.Op.FAILED:
      return null;
    default:
      throw new RangeError(`unknown op code ${i32(abi.REQ_OP)} in request block`);
  }
}

/** The request without its bookkeeping: what a replay compares. */
export function callOf(r: Request): Record<string, unknown> {
  const { seq: _seq, step: _step, reason: _reason, ...call } = r;
  return call;
}
