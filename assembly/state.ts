// Everything the machine remembers during one run, in one object, made anew by start() in the
// run's arena. Other files read and write it; only machine.ts moves the program counter.
import { Op } from "../src/abi";
import { Config } from "./config";
import { Str, NULL } from "./bytes";
import { Vec } from "./vec";
import { EMPTY } from "./lit";

export class Failure {
  op: Op = Op.none;
  errno: i32 = 0;
  step: i32 = 0;
  seq: i32 = -1;
  path: Str = NULL;
  message: Str = EMPTY;
}

export class State {
  cfg: Config = new Config();
  started: bool = false;
  /** Step entries: step | (arg << 8). */
  plan: Vec = new Vec();
  pc: i32 = 0;
  seq: i32 = 0;
  pending: bool = false;
  terminal: Op = Op.none;
  /** Unwinding after a failure: the deferred closes run, then FAILED. */
  unwinding: bool = false;
  /** fds to close if the run fails, innermost last (Go's defer / C's cleanup_close). */
  defers: Vec = new Vec();
  fdRoot: i32 = -1;
  fdOld: i32 = -1;
  fdNew: i32 = -1;
  fdInfo: i32 = -1;
  /** LXC: dfd_host, the bind's target and source, the detached tree (open_tree). */
  fdHost: i32 = -1;
  fdTarget: i32 = -1;
  fdSource: i32 = -1;
  fdTree: i32 = -1;
  /** crun 1.29: make_parent_mount_private's handle and the one it came up from; get_old_root_fd's, kept. */
  fdWalk: i32 = -1;
  fdWalkPrev: i32 = -1;
  fdKeep: i32 = -1;
  /** crun 1.29: "/" is the new root already (setns into the open_tree namespace, or chroot): open_root opens "/". */
  rootSlash: bool = false;
  /** LXC open_at: this step's openat2 said ENOSYS, so it is made again as openat (reset by the step's result). */
  openatFallback: bool = false;
  /** LXC: the mountinfo open or read failed; its users are skipped (logged, not fatal). */
  infoFailed: bool = false;
  /** LXC: mount points whose first optional field says shared, raw as mountinfo prints them, in order. */
  shared: Vec = new Vec();
  /** The plan has a DEPENDENT entry: visitMount keeps the shared mount points. */
  collectShared: bool = false;
  /** The parent walk's current target: the first walkLen bytes of rootfs. */
  walkLen: i32 = 0;
  /** Successful umount2 calls in a detach loop (hardened, crun) or in one lxc_chroot pass. */
  detached: i32 = 0;
  /** lxc_chroot: passes begun; the current read is a pass's (its lines become umount2 calls as read). */
  passes: i32 = 0;
  passing: bool = false;
  /** lxc_chroot: where the next unread line of the pass's buffer starts; the "." + mount points to unmount (Strs). */
  passAt: i32 = 0;
  lines: Vec = new Vec();
  /** EINTR retries of the current step so far (reset by a success). */
  eintr: i32 = 0;
  /** The open fell back from /proc/thread-self/mountinfo to /proc/self/mountinfo. */
  infoFallback: bool = false;
  /** The mountinfo buffer (read into, then parsed in place): infoLen of infoCap bytes used. */
  info: usize = 0;
  infoCap: i32 = 0;
  infoLen: i32 = 0;
  /** Mount points to mask before MS_MOVE, in mountinfo order (Strs). */
  masks: Vec = new Vec();
  /** runc 1.1: the longest mount point that is a prefix of the rootfs, if any. */
  parent: Str = NULL;
  parentShared: bool = false;
  /** The mount at / is the initial ramfs (fstype rootfs: LXC's check). */
  initramfs: bool = false;
  /** The mount at / is rootfs or ramfs: pivot_root cannot leave it. */
  ramfsRoot: bool = false;
  /** Why the machine decided something (auto's choice, the fallback). */
  note: Str = EMPTY;
  /** The current step and its argument (mask index), set when a request is emitted. */
  step: i32 = 0;
  arg: i32 = 0;
  fail: Failure = new Failure();
}

export let S = new State();

export function reset(): void {
  S = new State();
}
