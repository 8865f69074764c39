// The request block: one fixed struct in static memory that next() fills and the host reads.
// Layout (offsets REQ_* in src/abi.ts) is the ABI; see docs/ABI.md. Writes only, no decisions.
import { REQ_OP, REQ_SEQ, REQ_FD, REQ_FLAGS, REQ_COUNT, REQ_BUF, REQ_STR0, REQ_STR1, REQ_STR2, REQ_STR3,
  REQ_REASON, REQ_STEP, REQ_MODE, REQ_SIZE, Op } from "../src/abi";
import { Str, ptr, len, str } from "./bytes";

export const REQ: usize = memory.data(REQ_SIZE, 8);

/** Clears the block and sets the common fields. */
export function begin(op: Op, seq: i32, step: i32, reason: Str): void {
  memory.fill(REQ, 0, <usize>REQ_SIZE);
  store<i32>(REQ + REQ_OP, op);
  store<i32>(REQ + REQ_SEQ, seq);
  store<i32>(REQ + REQ_STEP, step);
  store<i32>(REQ + REQ_FD, -1);
  setStr(REQ_REASON, reason);
}

/** A string slot: ptr 0 is NULL, "" has a real pointer and length 0. */
export function setStr(slot: i32, s: Str): void {
  store<u32>(REQ + slot, <u32>ptr(s));
  store<i32>(REQ + slot + 4, len(s));
}

/** The string a slot carries now (what fail() names). */
export function getStr(slot: i32): Str {
  return str(<usize>load<u32>(REQ + slot), load<i32>(REQ + slot + 4));
}

export function setFd(fd: i32): void { store<i32>(REQ + REQ_FD, fd); }
export function setMode(mode: i32): void { store<i32>(REQ + REQ_MODE, mode); }
/** openat2's how.resolve and move_mount's to_dirfd (ABI 5): REQ_COUNT, free for those ops. */
export function setCount(v: i32): void { store<i32>(REQ + REQ_COUNT, v); }
export function setFlags(flags: i32): void { store<i32>(REQ + REQ_FLAGS, flags); }
export function flags(): i32 { return load<i32>(REQ + REQ_FLAGS); }
export function setBuf(p: usize, count: i32): void {
  store<u32>(REQ + REQ_BUF, <u32>p);
  store<i32>(REQ + REQ_COUNT, count);
}

export function op(): Op { return load<i32>(REQ + REQ_OP); }
export { REQ_STR0 as PATH, REQ_STR0 as SOURCE, REQ_STR1 as TARGET, REQ_STR2 as FSTYPE, REQ_STR3 as DATA, REQ_MODE };
