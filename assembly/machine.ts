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
//
// Memory: a run lives in one arena that start() resets (index.ts), so nothing here frees anything.
// Texts are UTF-8 Strs (bytes.ts) into static data, the rootfs copy or the mountinfo buffer; the
// parser (mountinfo.ts) visits each mount and only the mount points kept are ever stored.
import { Op, Step, Strategy, EINVAL, ENOENT, EPERM, EINTR, ENOSYS, MAX_EINTR, MAX_REQUESTS, MAX_DETACH,
  MOUNTINFO_CHUNK, MOUNTINFO_CAP, REQ_STR0, REQ_STR1, OUT_OP, OUT_ERRNO, OUT_STEP,
  OUT_SEQ, OUT_PATH, OUT_MESSAGE, OUT_NOTE, OUT_SIZE } from "../src/abi";
import { S, reset } from "./state";
import { Config, check } from "./config";
import { build, switchSteps, isControl, pushPrepare, readonlyTail, CHOOSE, MASKS, PARENT, FIXED_MASKS, DEPENDENT, LXC_CHOOSE, TREE_CHOOSE, SET_MOUNTS_CLOSE, LXC_PASS } from "./plan";
import { F, W, has, my, wide, use, PARENT_MOUNTINFO_PATH, MESSAGES_ERRNO, parentFromMountinfo, CRUN129_TREE, CRUN129_CLASSIC, LXC_PASS_STEPS } from "./profiles";
import { emit, cwdBuffer } from "./emit";
import { render, crunBare } from "./messages";
import * as MI from "./mountinfo";
import * as R from "./request";
import * as L from "./lit";
import * as T from "./generated/text";
import { Str, NULL, str, ptr, len, txt, equals, hasPrefix, open, close, put, putText, putDec, trap } from "./bytes";
import { Vec } from "./vec";

export const OUT: usize = memory.data(OUT_SIZE, 8);

// RULES: what a result does, per step (ok = ret >= 0 as fed; err = the errno).
//   step                  ok                          err
//   mountinfo_open        fd → defer; next            ENOENT on thread-self → retry /proc/self; else fail
//   mountinfo_read        n > 0 → repeat; 0 → next    fail
//   parent_propagation    next (walk done)            below "/": EINVAL → go up, repeat; else fail
//   detach_old_root       DETACH_LOOPS: repeat         EINVAL after ≥1 success → next (loop end); else fail
//   mask_propagation      next                        MASK_VANISHED_SKIPS, ENOENT → skip this mount (runc b8bf572); else fail
//   mask_umount           next                        EINVAL, or EPERM with COVER_ON_EPERM → insert mask_cover; else fail
//   pivot_root            next                        RAMFS_FALLBACK, auto, EINVAL, / on ramfs → fall back to move
//   close_*               pop the defer; next         ignored (as Go's deferred Close)
//   any in EINTR_STEPS    -                           EINTR → repeat, ≤ MAX_EINTR (Go's os.Open and Read)
// (the capitals are columns of the profile's record, profiles.ts)
//   check_cwd             next if cwd == "/"          fail with runc's CVE-2024-21626 message
//   an openat2 (OPENAT2)  -                           ENOSYS → the same step as openat (LXC open_at)
//   mountinfo_open/read,  -                           MOUNTINFO_OPTIONAL: skip to after the close (the read:
//   ramfs_open                                        to the close), and the steps that use it (LXC logs it)
//   dependent_mount       next                        ignored: logged and skipped (LXC)
//   mountinfo_read of an  n > 0 → its lines' umounts,   as EOF (getline's -1): the rest, then the close
//   lxc_chroot pass       then another read; 0 → the
//                         last line's, then the close
//   pass_umount           count it (progress); next   ignored (lxc_chroot: "ret == 0 → progress++")
//   umount_proc           next                        ignored ("(void)umount2")
//   tree_namespace        fd → defer; next            EINVAL, ENOSYS, EPERM → next (TREE_CHOOSE takes the classic path)
//   walk_setattr/procfd   skip to walk_close          next (the other call, then up)
//   walk_up               fd → defer; next (drop)     fail ("cannot open component"); at "/": fail, errno 0
//   walk_drop             back to walk_setattr        ignored (as a close)
//   keep_old_root         fd → defer (kept); next     next (get_old_root_fd ignores it)
//   any other             next                        fail

export function start(rootfs: Str, profile: i32, strategy: i32, propagation: i32, options: i32): i32 {
  reset();
  const c = new Config();
  c.rootfs = rootfs; c.profile = profile; c.strategy = strategy; c.propagation = propagation; c.options = options;
  S.cfg = c;
  S.started = true;
  const bad = check(c);
  if (bad != 0) {
    open(); putText(T.INVALID_CONFIG); putText(bad);
    failWith(Op.none, 0, Step.none, NULL, close());
    S.terminal = Op.FAILED;
    return 1;
  }
  use(profile);
  S.plan = build(c);
  S.walkLen = len(rootfs);
  S.collectShared = planHasControl(DEPENDENT);
  return 0;
}

export function next(): usize {
  if (!S.started) trap(txt(T.P_NEXT_BEFORE_START));
  if (S.pending) {
    open(); putText(T.P_NEXT_TWICE); putDec(S.seq); putText(T.P_COMMA_STEP); stepName(S.step); putText(T.P_CLOSE);
    trap(close());
  }
  if (S.terminal != Op.none) return terminal(S.terminal);
  if (S.unwinding) return unwind();
  if (S.seq >= MAX_REQUESTS) {
    open(); putText(T.RUN_EXCEEDED); putDec(MAX_REQUESTS); putText(T.REQUESTS);
    failWith(Op.none, 0, S.step, NULL, close());
    return unwind();
  }
  while (S.pc < S.plan.length && isControl(entry(S.pc) & 0xff)) expand(entry(S.pc));
  if (S.unwinding) return unwind();
  if (S.pc >= S.plan.length) return terminal(Op.DONE);
  const e = entry(S.pc);
  S.step = e & 0xff;
  S.arg = e >> 8;
  emit(S.step, S.arg);
  S.pending = true;
  return R.REQ;
}

export function feed(ret: i32, errno: i32): void {
  if (!S.pending) {
    open(); putText(T.P_FEED_NOTHING);
    if (S.terminal != Op.none) putText(T.P_ENDED);
    else if (S.started) { putText(T.OP_STEP); stepName(S.step); } else putText(T.P_NOT_STARTED);
    putText(T.P_CLOSE);
    trap(close());
  }
  S.pending = false;
  S.seq++;
  if (S.unwinding) return; // a deferred close: its result is ignored, like Go's
  if (errno != 0) onErr(errno);
  else onOk(ret);
}

function entry(i: i32): i32 { return <i32>S.plan.get(i); }

function stepName(step: i32): void {
  if (step >= 0 && step < T.STEP_NAME_COUNT) putText(load<u16>(T.STEP_NAME + (<usize>step << 1)));
}

function onOk(ret: i32): void {
  const st = S.step;
  S.eintr = 0;
  S.openatFallback = false;
  switch (st) {
    case Step.mountinfo_open:
    case Step.ramfs_open:
    case Step.pass_open: {
      S.fdInfo = opened(ret);
      S.passing = st == Step.pass_open;
      S.passAt = 0;
      S.infoFailed = false;
      S.infoCap = max(MOUNTINFO_CHUNK, <i32>my(F.READ_SIZE));
      S.info = heap.alloc(<usize>S.infoCap);
      // start() resets the arena without clearing it: zero the buffer, so bytes a host claims but
      // never wrote read as zeros, never as the last run's mountinfo (docs/ABI.md §5).
      memory.fill(S.info, 0, <usize>S.infoCap);
      S.infoLen = 0;
      break;
    }
    case Step.open_root: S.fdRoot = opened(ret); break;
    case Step.open_old_root: S.fdOld = opened(ret); break;
    case Step.open_new_root: S.fdNew = opened(ret); break;
    case Step.mountinfo_read: {
      const more = readChunk(ret); // one call: inlined
      if (S.passing) { if (!S.unwinding) passLines(more); return; }
      if (more || (has(F.PARSE_AT_EOF) && !parsed())) return;
      break;
    }
    case Step.pass_umount: S.detached++; break;
    case Step.mountinfo_close: closed(S.fdInfo); S.fdInfo = -1; if (!S.infoFailed && !has(F.PARSE_AT_EOF) && !parsed()) return; break;
    case Step.open_host: S.fdHost = opened(ret); break;
    case Step.open_mountpoint: S.fdTarget = opened(ret); break;
    case Step.open_rootfs_src: S.fdSource = opened(ret); break;
    case Step.clone_rootfs: S.fdTree = opened(ret); break;
    case Step.open_mnt: S.fdRoot = opened(ret); break;
    // Forgotten once closed: the number comes back from the next open, and unwind() names fds by them.
    case Step.close_tree: closed(S.fdTree); S.fdTree = -1; break;
    case Step.close_mountpoint: closed(S.fdTarget); S.fdTarget = -1; break;
    case Step.close_rootfs_src: closed(S.fdSource); S.fdSource = -1; break;
    case Step.close_host: closed(S.fdHost); S.fdHost = -1; break;
    case Step.close_root: closed(S.fdRoot); break;
    case Step.close_old_root: closed(S.fdOld); break;
    case Step.close_new_root: closed(S.fdNew); break;
    case Step.detach_old_root: {
      if (has(F.DETACH_LOOPS)) {
        S.detached++;
        if (S.detached >= MAX_DETACH) {
          open(); putText(T.DETACH_GAVE_UP); putDec(MAX_DETACH); putText(T.UNMOUNTS);
          fail(0, close());
        }
        return; // repeat until EINVAL
      }
      break;
    }
    case Step.check_cwd: if (!cwdIsRoot(ret)) { fail(0, txt(T.CWD_BREAKOUT)); return; } break;
    // crun 1.29 (docs/sources.md#crun-1-29).
    case Step.tree_namespace: S.fdTree = opened(ret); break;
    case Step.enter_tree: S.rootSlash = true; break;
    // crun 1.29's libcrun_do_pivot_root without a mount namespace: *rootfs = "/" after chroot (linux.c L3968).
    case Step.chroot_root: if (S.cfg.strategy == Strategy.chroot && has(F.READONLY_SETATTR)) S.rootSlash = true; break;
    case Step.walk_open: S.fdWalk = opened(ret); break;
    case Step.walk_setattr: case Step.walk_procfd: S.pc = find(Step.walk_close, 1); return; // private: done
    case Step.walk_up: {
      S.fdWalkPrev = S.fdWalk;
      S.fdWalk = opened(ret);
      // fstat(parent) == fstat(this): ".." of "/" is itself, the walk found no mount to change
      // (a98380b, linux.c L3331-L3333): "make `%s` private" with no errno (L3340). fstat is no request kind:
      // the machine knows "/" by the path it walked (docs/profiles.md, deviations).
      if (S.walkLen <= 1) { fail(0, crunBare(T.CRUN_WALK_END)); return; }
      walkUp();
      break;
    }
    case Step.walk_drop: closed(S.fdWalkPrev); S.fdWalkPrev = -1; S.pc = find(Step.walk_setattr, -1); return;
    case Step.walk_close: closed(S.fdWalk); S.fdWalk = -1; break;
    case Step.keep_old_root: S.fdKeep = opened(ret); break;
  }
  if (S.unwinding) return;
  S.pc++;
}

function onErr(errno: i32): void {
  const st = S.step;
  if (errno == EINTR && retriesEintr(st) && ++S.eintr < MAX_EINTR) return; // the same request again
  // LXC's open_at: openat2 unknown to the kernel (before 5.6) → the same open with openat.
  if (errno == ENOSYS && R.op() == Op.openat2 && has(F.OPENAT2)) { S.openatFallback = true; return; }
  S.openatFallback = false;
  // SYSERROR(...) "Continuing..." (conf.c L3945-L3948); lxc_chroot counts only successes and ignores the rest (L1531-L1533, L1541).
  if (st == Step.dependent_mount || st == Step.pass_umount || st == Step.umount_proc) { S.pc++; return; }
  if (st == Step.mountinfo_read && S.passing) { passLines(false); return; } // getline's -1 on a read error ends the file
  // crun 1.29: an unknown flag (Linux < 7.0), no open_tree, or no privilege: the classic path (linux.c L3545-L3546);
  // either call of the walk failing tries the next (L3308-L3318); get_old_root_fd ignores a failure (L1037).
  if (st == Step.tree_namespace && (errno == EINVAL || errno == ENOSYS || errno == EPERM)) { S.pc++; return; }
  if (st == Step.walk_setattr || st == Step.walk_procfd || st == Step.keep_old_root) { S.pc++; return; }
  if (has(F.MOUNTINFO_OPTIONAL) && (st == Step.mountinfo_open || st == Step.ramfs_open || st == Step.mountinfo_read)) {
    // turn_into_dependent_mounts returns on a failed open or copy; detect_ramfs_rootfs answers false.
    S.infoFailed = true;
    if (st == Step.mountinfo_read) { S.pc++; return; } // on to the close; its users (DEPENDENT) find nothing
    let at = S.pc + 1; // a failed open: past its reads, its users and its close
    while (at < S.plan.length && entry(at) != Step.mountinfo_close) at++;
    S.pc = at + 1;
    return;
  }
  // thread-self needs Linux 3.17: on ENOENT try /proc/self (runc 1.1 opens /proc/self already).
  if (st == Step.mountinfo_open && errno == ENOENT && !S.infoFallback && !has(F.MOUNTINFO_SELF)) { S.infoFallback = true; return; }
  // The walk goes up on EINVAL ("not a mount point"), runc's and crun 1.8.1's alike: any other errno
  // fails (make_parent_mount_private, crun 1.8.1 linux.c L2403; crun went up on any errno only from
  // 1.20, with its /proc/self/fd walk: docs/sources.md#crun-1-8).
  if (st == Step.parent_propagation && errno == EINVAL && !parentFromMountinfo(my(F.PARENT_RULE)) && walkUp()) return;
  if (st == Step.detach_old_root && errno == EINVAL && S.detached > 0) { S.pc++; return; }
  // runc skips a mount that vanished with an already-detached parent (b8bf572); hardened masks
  // children first, so ENOENT there means something else is wrong and it fails closed.
  if (st == Step.mask_propagation && errno == ENOENT && has(F.MASK_VANISHED_SKIPS)) { S.pc += 2; return; }
  if (st == Step.mask_umount && (errno == EINVAL || (errno == EPERM && has(F.COVER_ON_EPERM)))) {
    S.plan.set(S.pc, Step.mask_cover | (S.arg << 8));
    return;
  }
  if (st == Step.pivot_root && errno == EINVAL && has(F.RAMFS_FALLBACK) && S.cfg.strategy == Strategy.auto && S.ramfsRoot) {
    fallBackToMove();
    return;
  }
  if (st == Step.close_root || st == Step.close_old_root || st == Step.close_new_root || st == Step.mountinfo_close ||
      st == Step.close_tree || st == Step.close_mountpoint || st == Step.close_rootfs_src || st == Step.close_host ||
      st == Step.walk_drop || st == Step.walk_close) {
    onOk(0); // a failed close still releases the fd (close(2) NOTES); runc ignores it
    return;
  }
  fail(errno, NULL);
}

/**
 * Which calls the runtime repeats on EINTR (the record's EINTR_STEPS): Go's os.Open and
 * os.File.Read (the root handle, the mountinfo reads) and runc main's linux.Open of the old root
 * (§2.3 step 1). runc 1.1 opens the roots with unix.Open, which does not retry; crun calls open(2) once.
 */
function retriesEintr(st: i32): bool {
  return st < 32 && (wide(W.EINTR_STEPS) & (1 << st)) != 0;
}

/** dirname of the walk's target; false at "/" (the walk is bounded by the path's depth + 1). */
function walkUp(): bool {
  if (S.walkLen <= 1) return false; // EINVAL at "/" is fatal
  let i = S.walkLen - 1;
  const b = ptr(S.cfg.rootfs);
  while (i > 0 && load<u8>(b + <usize>i) != 0x2f) i--;
  S.walkLen = i > 0 ? i : 1;
  return true;
}

function opened(fd: i32): i32 {
  if (fd < 0) {
    open(); putText(T.HOST_RETURNED_FD); putDec(fd); putText(T.FOR_OPENAT);
    fail(0, close());
    return -1;
  }
  S.defers.push(fd);
  return fd;
}

function closed(fd: i32): void {
  const d = S.defers;
  const i = d.lastIndexOf(fd);
  if (i >= 0) d.splice(i, 1, new Vec());
}

/** Consumes one read result; returns true when the read step repeats. */
function readChunk(n: i32): bool {
  const room = S.infoCap - S.infoLen;
  if (n < 0 || n > room) {
    open(); putText(T.READ_RETURNED); putDec(n);
    if (n < 0) putText(T.WITHOUT_ERRNO);
    else { putText(T.BYTES_FOR_A); putDec(room); putText(T.BYTE_BUFFER); }
    fail(0, close());
    return true;
  }
  if (n == 0) return false;
  S.infoLen += n;
  // A fixed-size reader (READ_SIZE) asks for its whole buffer every time: keep that much room.
  const fixed = <i32>my(F.READ_SIZE);
  if (S.infoLen == S.infoCap || (fixed != 0 && S.infoCap - S.infoLen < fixed && S.infoCap < MOUNTINFO_CAP)) {
    if (S.infoCap >= MOUNTINFO_CAP) {
      open(); putText(T.MOUNTINFO_LARGER); putDec(MOUNTINFO_CAP); putText(T.BYTE_CAP);
      fail(0, close());
      return true;
    }
    const bigger = heap.alloc(<usize>S.infoCap << 1);
    memory.copy(bigger, S.info, <usize>S.infoLen);
    memory.fill(bigger + <usize>S.infoLen, 0, <usize>S.infoCap); // the new half, as above
    S.info = bigger;
    S.infoCap <<= 1;
  }
  return true;
}

/**
 * The lines of an lxc_chroot pass's read (`more`: readChunk's answer, false at end of file or on a
 * read error, getline's -1). stdio hands getline the lines as they come, so each read's whole lines
 * become umount2 calls before the next read; at end of file getline returns the last line even
 * without its newline (glibc getdelim). Leaves pc past the read.
 */
function passLines(more: bool): void {
  const items = new Vec();
  const b = S.info;
  const end = S.infoLen;
  for (let i = S.passAt; i <= end; i++) {
    if (i < end ? load<u8>(b + <usize>i) != 0x0a : more || S.passAt == end) continue;
    // One line [passAt, i) as lxc_chroot reads it (conf.c L1512-L1529): the 4th space after the
    // line's first byte (strchr from slider1 + 1, four times) and the next one bound the mount point,
    // as printed (\ooo left in); LXC writes "." over the space before it, and so does this. "/" and
    // "/proc" are skipped; a line with fewer spaces too.
    let n = 0;
    let s = 0;
    for (let j = S.passAt + 1; j < i; j++) {
      if (load<u8>(b + <usize>j) != 0x20) continue;
      if (++n == 4) { s = j; continue; }
      if (n != 5) continue;
      store<u8>(b + <usize>s, 0x2e);
      const p = str(b + <usize>s, j - s);
      // Not "./" nor "./proc": "." and the mount points "/" and "/proc".
      if ((j - s != 2 || load<u8>(b + <usize>s + 1) != 0x2f) && !equals(p, txt(T.DOT_PROC))) {
        items.push(Step.pass_umount | (S.lines.length << 8));
        S.lines.push(p);
      }
      break;
    }
    S.passAt = i + 1;
  }
  if (more) items.push(Step.mountinfo_read);
  S.plan.splice(S.pc + 1, 0, items);
  S.pc++;
}

/** Parses the mountinfo read so far; returns false (and fails) on a malformed file. */
function parsed(): bool {
  S.masks = new Vec(); // runc 1.1 move reads mountinfo twice: the second read decides alone
  S.shared = new Vec();
  S.parent = NULL;
  const err = MI.parse(S.info, S.infoLen, visitMount);
  if (err == NULL) return true;
  open(); putText(T.MALFORMED_MOUNTINFO); put(err);
  fail(0, close());
  return false;
}

/** One mount of mountinfo, in file order: keeps only what the plans use. */
function visitMount(): void {
  const c = S.cfg;
  const mp = MI.mountpoint();
  if (equals(mp, L.SLASH)) {
    const t = MI.fstype();
    S.initramfs = equals(t, txt(T.ROOTFS));
    S.ramfsRoot = S.initramfs || equals(t, txt(T.RAMFS));
  }
  // runc msMoveRoot's filter: a full mount, proc or sysfs, not under the rootfs (plain prefix, §2.4).
  if (equals(MI.root(), L.SLASH) && !hasPrefix(mp, c.rootfs)) {
    const t = MI.fstype();
    if (equals(t, txt(T.PROC_FS)) || equals(t, txt(T.SYSFS))) S.masks.push(mp);
  }
  // LXC turn_into_dependent_mounts: the first optional field contains "shared"; field 5 as printed,
  // escapes and all (conf.c L3928-L3943). The kernel prints shared:N before master:N.
  if (S.collectShared && MI.isShared()) S.shared.push(MI.rawMountpoint());
  // runc 1.1 getParentMount: the longest mount point that is a string prefix of rootfs; of equal
  // ones the first listed, because it replaces its pick only on `len > maxlen`
  // (libcontainer/rootfs_linux.go in v1.1.5; docs/sources.md#runc-1-1).
  if (my(F.PARENT_RULE) == PARENT_MOUNTINFO_PATH) { youkiParent(); return; }
  if (hasPrefix(c.rootfs, mp) && (S.parent == NULL || len(mp) > len(S.parent))) {
    S.parent = mp;
    S.parentShared = MI.isShared();
  }
}

/**
 * youki find_parent_mount: the longest mount point that is a component-wise prefix of the rootfs
 * (Path::starts_with), the last of equal ones (Iterator::max_by), compared as procfs-core leaves it:
 * \ooo escapes not decoded, so a mount point with a space never matches (rootfs/mount.rs
 * L1002-L1015; docs/sources.md#youki).
 */
function youkiParent(): void {
  const mp = MI.rawMountpoint();
  const r = S.cfg.rootfs;
  const n = len(mp);
  const under = equals(mp, L.SLASH) || (hasPrefix(r, mp) && (len(r) == n || load<u8>(ptr(r) + <usize>n) == 0x2f));
  if (under && (S.parent == NULL || n >= len(S.parent))) {
    S.parent = mp;
    S.parentShared = MI.isShared();
  }
}

/** Expands the control entry at pc (CHOOSE, MASKS, PARENT, FIXED_MASKS) into real steps. */
function expand(e: i32): void {
  const c = S.cfg;
  const items = new Vec();
  switch (e & 0xff) {
    case CHOOSE: {
      S.note = txt(S.initramfs ? T.NOTE_AUTO_MOVE : T.NOTE_AUTO_PIVOT);
      switchSteps(items, c, S.initramfs ? Strategy.move : Strategy.pivot);
      break;
    }
    case MASKS: {
      // hardened goes children-first (reverse mountinfo order), so no mask can vanish with its parent.
      const n = S.masks.length;
      for (let k = 0; k < n; k++) {
        const i = has(F.MASKS_CHILDREN_FIRST) ? n - 1 - k : k;
        items.push(Step.mask_propagation | (i << 8));
        items.push(Step.mask_umount | (i << 8));
      }
      break;
    }
    case DEPENDENT: {
      if (!S.infoFailed) for (let i = 0; i < S.shared.length; i++) items.push(Step.dependent_mount | (i << 8));
      break;
    }
    case LXC_CHOOSE: {
      // detect_ramfs_rootfs: "- rootfs " after the "/" line; an unreadable mountinfo means no.
      const ramfs = !S.infoFailed && S.initramfs;
      S.note = txt(ramfs ? T.NOTE_LXC_CHROOT : T.NOTE_LXC_PIVOT);
      items.pushAll(<usize>my(ramfs ? F.MOVE : F.PIVOT));
      break;
    }
    case LXC_PASS: {
      // lxc_chroot's for (;;): a pass that unmounted nothing ends it (conf.c L1536-L1537). The loop
      // is unbounded in LXC; here MAX_REQUESTS bounds it (a host that says 0 to every umount2).
      if (S.passes > 0 && S.detached == 0) break;
      S.passes++;
      S.detached = 0;
      S.lines = new Vec();
      items.pushAll(LXC_PASS_STEPS);
      break;
    }
    case TREE_CHOOSE: {
      // crun 1.29 setup_mount_namespace: with a tree fd, setns into it and no switch at all: what
      // the plan held after this entry (the switch, the re-applied propagation) goes (linux.c L3829-L3852).
      if (S.fdTree >= 0) {
        S.note = txt(T.NOTE_TREE_NS);
        items.pushAll(CRUN129_TREE);
        readonlyTail(items, c);
        S.plan.splice(S.pc, S.plan.length - S.pc, items);
        return;
      }
      S.note = txt(c.userns ? T.NOTE_TREE_USERNS : T.NOTE_TREE_FALLBACK);
      pushPrepare(items, c, CRUN129_CLASSIC);
      break;
    }
    // libcrun_finalize_mounts closes the handle before the switch; a read-only root keeps it (crun dup()s it) for finalize_mounts.
    case SET_MOUNTS_CLOSE: if (!c.readonly || !has(F.READONLY_SETATTR)) items.push(Step.close_root); break;
    case FIXED_MASKS:
      S.masks = new Vec();
      S.masks.push(txt(T.SYS));
      S.masks.push(txt(T.PROC));
      items.push(Step.mask_umount);
      items.push(Step.mask_umount | (1 << 8));
      break;
    case PARENT: {
      if (S.parent == NULL) {
        open();
        // youki's MountError::Custom names the rootfs with Debug quotes (rootfs/mount.rs L1011).
        if (my(F.MESSAGES) == MESSAGES_ERRNO) { putText(T.NO_PARENT_YOUKI); put(c.rootfs); putText(T.QUOTE); }
        else { putText(T.NO_PARENT); put(c.rootfs); }
        failWith(Op.none, 0, Step.parent_propagation, NULL, close());
        S.pc++;
        return;
      }
      if (S.parentShared) items.push(Step.parent_propagation);
      break;
    }
  }
  S.plan.splice(S.pc, 1, items);
}

/** hardened: pivot_root said EINVAL on a ramfs root; the rest of the pivot becomes MS_MOVE+chroot. */
function fallBackToMove(): void {
  let end = S.pc;
  while (end < S.plan.length && entry(end) != Step.close_old_root) end++;
  S.note = txt(T.NOTE_FALLBACK);
  const items = new Vec();
  items.push(Step.close_old_root); items.push(MASKS); items.push(Step.move_root);
  items.push(Step.chroot_root); items.push(Step.chdir_root);
  S.plan.splice(S.pc, end - S.pc + 1, items);
}

/** The plan index of the nearest `step` from pc on, going `dir` (+1 or -1); pc if there is none (a bug in the plans). */
function find(step: i32, dir: i32): i32 {
  for (let i = S.pc; i >= 0 && i < S.plan.length; i += dir) if (entry(i) == step) return i;
  return S.pc;
}

function planHasControl(e: i32): bool {
  for (let i = 0; i < S.plan.length; i++) if (entry(i) == e) return true;
  return false;
}

function cwdIsRoot(ret: i32): bool {
  const b = cwdBuffer();
  return ret == 2 && load<u8>(b) == 0x2f && load<u8>(b + 1) == 0;
}

/** Records the failure of the pending request (errno 0: the machine's own verdict) and starts unwinding. */
function fail(errno: i32, message: Str): void {
  const op = R.op();
  // The request's strings point into the rootfs copy, the mountinfo buffer or static text, all
  // alive until the next start(): the outcome can keep them as they are.
  const target = R.getStr(op == Op.mount || op == Op.pivot_root ? REQ_STR1 : REQ_STR0);
  // crun 1.29 names "/" once it is the root (after setns, or chroot): its *rootfs became "/" (linux.c L3850, L3968).
  const msg = message != NULL ? message : render(S.step, op, errno, target, R.flags(), S.rootSlash ? L.SLASH : S.cfg.rootfs);
  failWith(op, errno, S.step, len(target) > 0 ? target : NULL, msg);
  S.fail.seq = S.seq - 1;
}

function failWith(op: Op, errno: i32, step: i32, path: Str, message: Str): void {
  const f = S.fail;
  f.op = op; f.errno = errno; f.step = step; f.path = path; f.message = message; f.seq = -1;
  S.unwinding = true;
}

/** Emits the next deferred close, innermost first, or ends FAILED when none is left. */
function unwind(): usize {
  if (S.defers.length == 0) return terminal(Op.FAILED);
  const fd = <i32>S.defers.pop();
  S.step = fd == S.fdOld ? Step.close_old_root : fd == S.fdNew ? Step.close_new_root : fd == S.fdInfo
    ? Step.mountinfo_close : fd == S.fdTree ? Step.close_tree : fd == S.fdSource ? Step.close_rootfs_src
    : fd == S.fdTarget ? Step.close_mountpoint : fd == S.fdHost ? Step.close_host : fd == S.fdWalk ? Step.walk_close
    : fd == S.fdWalkPrev ? Step.walk_drop : fd == S.fdKeep ? Step.close_old_root : Step.close_root;
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

function writeOutcome(): void {
  const f = S.fail;
  const failed = S.terminal == Op.FAILED;
  memory.fill(OUT, 0, <usize>OUT_SIZE);
  store<i32>(OUT + OUT_OP, failed ? f.op : Op.none);
  store<i32>(OUT + OUT_ERRNO, failed ? f.errno : 0);
  store<i32>(OUT + OUT_STEP, failed ? f.step : Step.none);
  store<i32>(OUT + OUT_SEQ, failed ? f.seq : -1);
  setOut(OUT_PATH, failed ? f.path : NULL);
  setOut(OUT_MESSAGE, failed ? f.message : L.EMPTY);
  setOut(OUT_NOTE, S.note);
}

function setOut(slot: i32, s: Str): void {
  store<u32>(OUT + slot, <u32>ptr(s));
  store<i32>(OUT + slot + 4, len(s));
}
