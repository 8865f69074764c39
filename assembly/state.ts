// Everything the machine remembers during one run, in one object, reset by start().
// Other files read and write it; only machine.ts moves the program counter.
import { Op } from "../src/abi";
import { Config } from "./config";
import { Table } from "./mountinfo";

export class Failure {
  op: Op = Op.none;
  errno: i32 = 0;
  step: i32 = 0;
  seq: i32 = -1;
  path: ArrayBuffer | null = null;
  message: string = "";
}

export class State {
  cfg: Config = new Config();
  started: bool = false;
  plan: i32[] = [];
  pc: i32 = 0;
  seq: i32 = 0;
  pending: bool = false;
  terminal: Op = Op.none;
  /** Unwinding after a failure: the deferred closes run, then FAILED. */
  unwinding: bool = false;
  /** fds to close if the run fails, innermost last (Go's defer / C's cleanup_close). */
  defers: i32[] = [];
  fdRoot: i32 = -1;
  fdOld: i32 = -1;
  fdNew: i32 = -1;
  fdInfo: i32 = -1;
  /** The parent walk's current target: the first walkLen bytes of rootfs. */
  walkLen: i32 = 0;
  /** Successful umount2 calls in a detach loop (hardened, crun). */
  detached: i32 = 0;
  /** The open fell back from /proc/thread-self/mountinfo to /proc/self/mountinfo. */
  infoFallback: bool = false;
  info: ArrayBuffer = new ArrayBuffer(0);
  infoLen: i32 = 0;
  table: Table | null = null;
  /** Mount points to mask before MS_MOVE, in mountinfo order. */
  masks: ArrayBuffer[] = [];
  /** runc 1.1: the shared parent mount found in mountinfo, if any. */
  parent: ArrayBuffer | null = null;
  parentShared: bool = false;
  /** The mount at / is the initial ramfs (fstype rootfs: LXC's check). */
  initramfs: bool = false;
  /** The mount at / is rootfs or ramfs: pivot_root cannot leave it. */
  ramfsRoot: bool = false;
  /** A string built for the pending request (e.g. /proc/self/fd/N); holding it keeps it alive. */
  scratch: ArrayBuffer | null = null;
  /** Why the machine decided something (auto's choice, the fallback). */
  note: string = "";
  /** The current step and its argument (mask index), set when a request is emitted. */
  step: i32 = 0;
  arg: i32 = 0;
  fail: Failure = new Failure();
}

export let S = new State();

export function reset(): void {
  S = new State();
}
