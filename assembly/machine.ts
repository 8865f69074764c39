// The state machine: walks the plan (plan.ts), one request per step, and decides from each
// result what comes next. No I/O: requests go out through the request block, results come in
// through feed().
//
// Theory of operation
// -------------------
// start() builds the plan: a list of steps for the profile and strategy. next() emits the
// request of the step at `pc`; feed() applies the result through the step's rule (RULES below):
// advance, repeat the step (loops), insert steps (fallbacks, covers), or fail. Every fd the plan
// opens is pushed on a defer stack when it is opened and popped by its close step; on failure the
// machine unwinds it innermost-first (Go's defer, C's cleanup_close), emitting one close per fd,
// then ends FAILED with the runtime's message. Every loop has a bound (abi.ts MAX_*), so a host
// that answers 0 forever ends FAILED, never in a hang. Misuse (next twice, feed without a request)
// traps with a message naming the state.
import { Op, Step, Strategy, Profile, EINVAL, ENOENT, EPERM, MAX_REQUESTS, MAX_DETACH,
  MOUNTINFO_CHUNK, MOUNTINFO_CAP, REQ_STR0, REQ_STR1, REQ_FLAGS, OUT_OP, OUT_ERRNO, OUT_STEP,
  OUT_SEQ, OUT_PATH, OUT_MESSAGE, OUT_NOTE, OUT_SIZE } from "../src/abi";
import { STEP_NAME } from "../src/names";
import { S, reset } from "./state";
import { Config, check } from "./config";
import { build, switchSteps, isControl, CHOOSE, MASKS, PARENT, CRUN_MASKS } from "./plan";
import { emit, cwdBuffer } from "./emit";
import { render, errnoName, CWD_BREAKOUT } from "./messages";
import { parse } from "./mountinfo";
import * as R from "./request";
import * as L from "./lit";
import { equals, hasPrefix, utf8 } from "./bytes";

export const OUT: usize = memory.data(OUT_SIZE, 8);

// RULES: what a result does, per step (ok = ret >= 0 as fed; err = the errno).
//   step                  ok                          err
//   mountinfo_open        fd → defer; next            ENOENT on thread-self → retry /proc/self; else fail
//   mountinfo_read        n > 0 → repeat; 0 → next    fail
//   parent_propagation    next (walk done)            below "/": EINVAL (crun: any) → go up, repeat; else fail
//   detach_old_root       hardened/crun: repeat        EINVAL after ≥1 success → next (loop end); else fail
//   mask_propagation      next                        ENOENT → skip this mount (runc b8bf572); else fail
//   mask_umount           next                        EINVAL|EPERM (crun: EINVAL) → insert mask_cover; else fail
//   pivot_root            next                        hardened auto, EINVAL, / on ramfs → fall back to move
//   close_*               pop the defer; next         ignored (as Go's deferred Close)
//   check_cwd             next if cwd == "/"          fail with runc's CVE-2024-21626 message
//   any other             next                        fail

export function start(rootfs: ArrayBuffer, profile: i32, strategy: i32, propagation: i32, options: i32): i32 {
  reset();
  const c = new Config();
  c.rootfs = rootfs; c.profile = profile; c.strategy = strategy; c.propagation = propagation; c.options = options;
  S.cfg = c;
  S.started = true;
  const bad = check(c);
  if (bad.length > 0) { failWith(Op.none, 0, Step.none, null, "invalid config: " + bad); S.terminal = Op.FAILED; return 1; }
  S.plan = build(c);
  S.walkLen = rootfs.byteLength;
  return 0;
}

export function next(): usize {
  if (!S.started) throw new Error("protocol: next() before start()");
  if (S.pending) throw new Error("protocol: next() called twice without feed() (pending request " + S.seq.toString() + ", step " + STEP_NAME[S.step] + ")");
  if (S.terminal != Op.none) return terminal(S.terminal);
  if (S.unwinding) return unwind();
  if (S.seq >= MAX_REQUESTS) { failWith(Op.none, 0, S.step, null, "the run exceeded " + MAX_REQUESTS.toString() + " requests"); return unwind(); }
  while (S.pc < S.plan.length && isControl(S.plan[S.pc] & 0xff)) expand(S.plan[S.pc]);
  if (S.unwinding) return unwind();
  if (S.pc >= S.plan.length) return terminal(Op.DONE);
  const entry = S.plan[S.pc];
  S.step = entry & 0xff;
  S.arg = entry >> 8;
  emit(S.step, S.arg);
  S.pending = true;
  return R.REQ;
}

export function feed(ret: i32, errno: i32): void {
  if (!S.pending) {
    const where = S.terminal != Op.none ? "the run has ended" : S.started ? "step " + STEP_NAME[S.step] : "not started";
    throw new Error("protocol: feed() without a pending request (" + where + ")");
  }
  S.pending = false;
  S.seq++;
  if (S.unwinding) return; // a deferred close: its result is ignored, like Go's
  if (errno != 0) onErr(errno);
  else onOk(ret);
}

function onOk(ret: i32): void {
  const st = S.step;
  switch (st) {
    case Step.mountinfo_open: {
      S.fdInfo = opened(ret);
      S.info = new ArrayBuffer(MOUNTINFO_CHUNK);
      S.infoLen = 0;
      break;
    }
    case Step.open_root: S.fdRoot = opened(ret); break;
    case Step.open_old_root: S.fdOld = opened(ret); break;
    case Step.open_new_root: S.fdNew = opened(ret); break;
    case Step.mountinfo_read: if (readChunk(ret)) return; break;
    case Step.mountinfo_close: closed(S.fdInfo); S.fdInfo = -1; if (!parsed()) return; break;
    case Step.close_root: closed(S.fdRoot); break;
    case Step.close_old_root: closed(S.fdOld); break;
    case Step.close_new_root: closed(S.fdNew); break;
    case Step.detach_old_root: {
      if (S.cfg.profile == Profile.hardened || S.cfg.profile == Profile.crun) {
        S.detached++;
        if (S.detached >= MAX_DETACH) { fail(0, "umount2(\".\") kept succeeding: gave up after " + MAX_DETACH.toString() + " unmounts"); }
        return; // repeat until EINVAL
      }
      break;
    }
    case Step.check_cwd: if (!cwdIsRoot(ret)) { fail(0, CWD_BREAKOUT); return; } break;
  }
  if (S.unwinding) return;
  S.pc++;
}

function onErr(errno: i32): void {
  const st = S.step;
  const p = S.cfg.profile;
  // thread-self needs Linux 3.17: on ENOENT try /proc/self (runc 1.1 opens /proc/self already).
  if (st == Step.mountinfo_open && errno == ENOENT && !S.infoFallback && p != Profile.runc_1_1) { S.infoFallback = true; return; }
  // The walk: runc goes up on EINVAL ("not a mount point"); crun 1.8 on any error (§2.2, §3.1).
  if (st == Step.parent_propagation && (errno == EINVAL || p == Profile.crun) && p != Profile.runc_1_1 && walkUp()) return;
  if (st == Step.detach_old_root && errno == EINVAL && S.detached > 0) { S.pc++; return; }
  // runc skips a mount that vanished with an already-detached parent (b8bf572); hardened masks
  // children first, so ENOENT there means something else is wrong and it fails closed.
  if (st == Step.mask_propagation && errno == ENOENT && p != Profile.hardened) { S.pc += 2; return; }
  if (st == Step.mask_umount && (errno == EINVAL || (errno == EPERM && p != Profile.crun))) {
    S.plan[S.pc] = Step.mask_cover | (S.arg << 8);
    return;
  }
  if (st == Step.pivot_root && errno == EINVAL && p == Profile.hardened && S.cfg.strategy == Strategy.auto && S.ramfsRoot) {
    fallBackToMove();
    return;
  }
  if (st == Step.close_root || st == Step.close_old_root || st == Step.close_new_root || st == Step.mountinfo_close) {
    onOk(0); // a failed close still releases the fd (close(2) NOTES); runc ignores it
    return;
  }
  fail(errno, "");
}

/** dirname of the walk's target; false at "/" (the walk is bounded by the path's depth + 1). */
function walkUp(): bool {
  if (S.walkLen <= 1) return false; // EINVAL at "/" is fatal
  let i = S.walkLen - 1;
  const b = changetype<usize>(S.cfg.rootfs);
  while (i > 0 && load<u8>(b + <usize>i) != 0x2f) i--;
  S.walkLen = i > 0 ? i : 1;
  return true;
}

function opened(fd: i32): i32 {
  if (fd < 0) { fail(0, "the host returned fd " + fd.toString() + " for a successful openat"); return -1; }
  S.defers.push(fd);
  return fd;
}

function closed(fd: i32): void {
  const i = S.defers.lastIndexOf(fd);
  if (i >= 0) S.defers.splice(i, 1);
}

/** Consumes one read result; returns true when the read step repeats. */
function readChunk(n: i32): bool {
  const room = S.info.byteLength - S.infoLen;
  if (n < 0) { fail(0, "read returned " + n.toString() + " without an errno"); return true; }
  if (n > room) { fail(0, "read returned " + n.toString() + " bytes for a " + room.toString() + "-byte buffer"); return true; }
  if (n == 0) return false;
  S.infoLen += n;
  if (S.infoLen == S.info.byteLength) {
    if (S.info.byteLength >= MOUNTINFO_CAP) { fail(0, "mountinfo is larger than the " + MOUNTINFO_CAP.toString() + "-byte cap"); return true; }
    const bigger = new ArrayBuffer(S.info.byteLength * 2);
    memory.copy(changetype<usize>(bigger), changetype<usize>(S.info), <usize>S.infoLen);
    S.info = bigger;
  }
  return true;
}

/** Parses the mountinfo read so far; returns false (and fails) on a malformed file. */
function parsed(): bool {
  const t = parse(changetype<usize>(S.info), S.infoLen);
  if (t.error.length > 0) { fail(0, "malformed mountinfo, " + t.error); return false; }
  S.table = t;
  S.masks = [];
  S.parent = null;
  const c = S.cfg;
  for (let i = 0; i < t.mounts.length; i++) {
    const m = t.mounts[i];
    if (equals(m.mountpoint, L.SLASH)) {
      S.initramfs = equals(m.fstype, L.ROOTFS);
      S.ramfsRoot = S.initramfs || equals(m.fstype, L.RAMFS);
    }
    // runc msMoveRoot's filter: a full mount, proc or sysfs, not under the rootfs (plain prefix, §2.4).
    if (equals(m.root, L.SLASH) && (equals(m.fstype, L.PROC_FS) || equals(m.fstype, L.SYSFS)) && !hasPrefix(m.mountpoint, c.rootfs)) {
      S.masks.push(m.mountpoint);
    }
    // runc 1.1 getParentMount: the longest mount point that is a string prefix of rootfs.
    if (hasPrefix(c.rootfs, m.mountpoint) && (S.parent === null || m.mountpoint.byteLength >= (S.parent as ArrayBuffer).byteLength)) {
      S.parent = m.mountpoint;
      S.parentShared = m.shared;
    }
  }
  return true;
}

/** Expands the control entry at pc (CHOOSE, MASKS, PARENT, CRUN_MASKS) into real steps. */
function expand(entry: i32): void {
  const c = S.cfg;
  const items = new Array<i32>();
  switch (entry & 0xff) {
    case CHOOSE: {
      const s = S.initramfs ? Strategy.move : Strategy.pivot;
      S.note = S.initramfs
        ? "auto: / is the initial ramfs (fstype rootfs), where pivot_root fails with EINVAL: using move (MS_MOVE+chroot), as LXC does"
        : "auto: / is not the initial ramfs: using pivot (pivot_root)";
      switchSteps(items, c, s);
      break;
    }
    case MASKS: {
      // hardened goes children-first (reverse mountinfo order), so no mask can vanish with its parent.
      const n = S.masks.length;
      for (let k = 0; k < n; k++) {
        const i = c.profile == Profile.hardened ? n - 1 - k : k;
        items.push(Step.mask_propagation | (i << 8));
        items.push(Step.mask_umount | (i << 8));
      }
      break;
    }
    case CRUN_MASKS:
      S.masks = [L.SYS, L.PROC];
      items.push(Step.mask_umount);
      items.push(Step.mask_umount | (1 << 8));
      break;
    case PARENT: {
      if (S.parent === null) {
        failWith(Op.none, 0, Step.parent_propagation, null, "error preparing rootfs: could not find parent mount of " + String.UTF8.decode(c.rootfs));
        S.pc++;
        return;
      }
      if (S.parentShared) items.push(Step.parent_propagation);
      break;
    }
  }
  replace(S.pc, 1, items);
}

/** plan[at, at+count) = items. */
function replace(at: i32, count: i32, items: i32[]): void {
  S.plan = S.plan.slice(0, at).concat(items).concat(S.plan.slice(at + count));
}

/** hardened: pivot_root said EINVAL on a ramfs root; the rest of the pivot becomes MS_MOVE+chroot. */
function fallBackToMove(): void {
  let end = S.pc;
  while (end < S.plan.length && S.plan[end] != Step.close_old_root) end++;
  S.note = "pivot_root failed with EINVAL while / is on a ramfs: fell back to move (MS_MOVE+chroot); runc PR #4434 and bwrap #592 are still open";
  replace(S.pc, end - S.pc + 1, [Step.close_old_root, MASKS, Step.move_root, Step.chroot_root, Step.chdir_root]);
}

function cwdIsRoot(ret: i32): bool {
  const b = cwdBuffer();
  return ret == 2 && load<u8>(b) == 0x2f && load<u8>(b + 1) == 0;
}

/** Records the failure of the pending request (errno 0: the machine's own verdict) and starts unwinding. */
function fail(errno: i32, message: string): void {
  const op = R.op();
  const slot = op == Op.mount || op == Op.pivot_root ? REQ_STR1 : REQ_STR0;
  const ptr = load<u32>(R.REQ + slot);
  const target = ptr == 0 ? "" : String.UTF8.decodeUnsafe(<usize>ptr, <usize>load<i32>(R.REQ + slot + 4));
  const msg = message.length > 0 ? message : render(S.step, op, errno, target, load<i32>(R.REQ + REQ_FLAGS));
  failWith(op, errno, S.step, target.length > 0 ? utf8(target) : null, msg);
  S.fail.seq = S.seq - 1;
}

function failWith(op: Op, errno: i32, step: i32, path: ArrayBuffer | null, message: string): void {
  const f = S.fail;
  f.op = op; f.errno = errno; f.step = step; f.path = path; f.message = message; f.seq = -1;
  S.unwinding = true;
}

/** Emits the next deferred close, innermost first, or ends FAILED when none is left. */
function unwind(): usize {
  if (S.defers.length == 0) return terminal(Op.FAILED);
  const fd = S.defers.pop();
  S.step = fd == S.fdOld ? Step.close_old_root : fd == S.fdNew ? Step.close_new_root : fd == S.fdInfo
    ? Step.mountinfo_close : Step.close_root;
  emit(Step.close_root, 0); // a close request; begin() stamped it with the fd's own step
  R.setFd(fd);
  S.pending = true;
  return R.REQ;
}

function terminal(op: Op): usize {
  S.terminal = op;
  R.begin(op, S.seq, op == Op.FAILED ? S.fail.step : Step.none, L.EMPTY);
  writeOutcome();
  return R.REQ;
}

let outPath: ArrayBuffer | null = null;
let outMessage: ArrayBuffer = new ArrayBuffer(0);
let outNote: ArrayBuffer = new ArrayBuffer(0);

function writeOutcome(): void {
  const f = S.fail;
  const failed = S.terminal == Op.FAILED;
  memory.fill(OUT, 0, <usize>OUT_SIZE);
  store<i32>(OUT + OUT_OP, failed ? f.op : Op.none);
  store<i32>(OUT + OUT_ERRNO, failed ? f.errno : 0);
  store<i32>(OUT + OUT_STEP, failed ? f.step : Step.none);
  store<i32>(OUT + OUT_SEQ, failed ? f.seq : -1);
  outPath = failed ? f.path : null;
  outMessage = utf8(failed ? f.message : "");
  outNote = utf8(S.note);
  setOut(OUT_PATH, outPath);
  setOut(OUT_MESSAGE, outMessage);
  setOut(OUT_NOTE, outNote);
}

function setOut(slot: i32, b: ArrayBuffer | null): void {
  store<u32>(OUT + slot, b === null ? 0 : <u32>changetype<usize>(b));
  store<i32>(OUT + slot + 4, b === null ? 0 : b.byteLength);
}

export function errnoNameOf(errno: i32): string { return errnoName(errno); }
