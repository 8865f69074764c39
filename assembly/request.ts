// The request block: one fixed struct in static memory that next() fills and the host reads.
// Layout (offsets REQ_* in src/abi.ts) is the ABI; see docs/ABI.md. Writes only, no decisions.
import { REQ_OP, REQ_SEQ, REQ_FD, REQ_FLAGS, REQ_COUNT, REQ_BUF, REQ_STR0, REQ_STR1, REQ_STR2, REQ_STR3,
  REQ_REASON, REQ_STEP, REQ_MODE, REQ_SIZE, Op } from "../src/abi";
import { Bytes, ptrOf, lenOf } from "./bytes";

export const REQ: usize = memory.data(REQ_SIZE, 8);

/** Clears the block and sets the common fields. */
export function begin(op: Op, seq: i32, step: i32, reason: ArrayBuffer): void {
  memory.fill(REQ, 0, <usize>REQ_SIZE);
  store<i32>(REQ + REQ_OP, op);
  store<i32>(REQ + REQ_SEQ, seq);
  store<i32>(REQ + REQ_STEP, step);
  store<i32>(REQ + REQ_FD, -1);
  setStr(REQ_REASON, reason);
}

export function setStr(slot: i32, b: Bytes): void {
  store<u32>(REQ + slot, <u32>ptrOf(b));
  store<i32>(REQ + slot + 4, lenOf(b));
}

/** A string slot pointing at the first `len` bytes of `b` (a path prefix, no copy). */
export function setStrPrefix(slot: i32, b: ArrayBuffer, len: i32): void {
  store<u32>(REQ + slot, <u32>changetype<usize>(b));
  store<i32>(REQ + slot + 4, len);
}

export function setFd(fd: i32): void { store<i32>(REQ + REQ_FD, fd); }
export function setFlags(flags: i32): void { store<i32>(REQ + REQ_FLAGS, flags); }
export function setBuf(ptr: usize, count: i32): void {
  store<u32>(REQ + REQ_BUF, <u32>ptr);
  store<i32>(REQ + REQ_COUNT, count);
}

export function op(): Op { return load<i32>(REQ + REQ_OP); }
export { REQ_STR0 as PATH, REQ_STR0 as SOURCE, REQ_STR1 as TARGET, REQ_STR2 as FSTYPE, REQ_STR3 as DATA, REQ_MODE };
