// Failure messages, rendered the way the profile's runtime prints them: runc (Go errors:
// PathError "op path: err", mountError "mount src=…, dst=…, flags=…: err", wrapped by phase),
// runc 1.1 (mountError "mount src:dst, flags: 0x…: err"), crun ("msg: strerror") and youki (the
// errno alone, "EINVAL: Invalid argument": its error value names no step). Texts are in
// assembly/text.txt; this file only assembles them, as UTF-8, with the builder of bytes.ts.
import { Step, Op, Strategy, MS_REC, MS_SLAVE, MS_MOVE, MNT_DETACH, EINVAL } from "../src/abi";
import { Str, NULL, str, txt, len, ptr, open, close, put, putText, putByte, putDec, putHex, built, builtAt } from "./bytes";
import * as T from "./generated/text";
import { S } from "./state";
import { mountinfoPath } from "./emit";
import { F, my, pick, NO_TEXT, MESSAGES_CRUN, MESSAGES_RUNC_1_1, MESSAGES_ERRNO, MESSAGES_BWRAP, MESSAGES_LXC } from "./profiles";

/** The profile's message style (profiles.ts F.MESSAGES). */
function style(): u32 { return my(F.MESSAGES); }

/** strerror(3) of glibc, or "Unknown error N". */
function strerror(errno: i32): void {
  if (errno >= 0 && errno < T.ERRNO_TEXT_COUNT) { putText(load<u16>(T.ERRNO_TEXT + (<usize>errno << 1))); return; }
  for (let i = 0; i < T.ERRNO_EXTRA_TEXT_COUNT; i++) {
    if (load<i32>(T.ERRNO_EXTRA_NUMBER + (<usize>i << 2)) == errno) { putText(load<u16>(T.ERRNO_EXTRA_TEXT + (<usize>i << 1))); return; }
  }
  putText(T.UNKNOWN_ERROR); putDec(errno);
}

/**
 * nix's Errno Display, "{name}: {desc}" (the nix crate's errno module): youki's whole error value for a failed
 * step. Each step's own words exist only in a tracing::error! log line; the value it returns is
 * SyscallError::Nix(errno) or a NixOther / SyscallOther wrapping it, whose own texts ("failed
 * syscall") name no step (syscall/linux.rs L380-L459, process/init/error.rs L37-L38).
 */
function nixErr(errno: i32): void {
  if (errno > 0 && errno < T.ERRNO_NAME_COUNT) putText(load<u16>(T.ERRNO_NAME + (<usize>errno << 1)));
  else {
    let named = false;
    for (let i = 0; i < T.ERRNO_EXTRA_NAME_COUNT; i++) {
      if (load<i32>(T.ERRNO_EXTRA_NUMBER + (<usize>i << 2)) == errno) { putText(load<u16>(T.ERRNO_EXTRA_NAME + (<usize>i << 1))); named = true; }
    }
    if (!named) putText(T.ERRNO_UNKNOWN);
  }
  putText(T.COLON_SPACE); strerror(errno);
}

/** Go's syscall.Errno.Error(): strerror with a lower-case first letter (all start with ASCII). */
function goErr(errno: i32): void {
  const first = built();
  strerror(errno);
  const c = load<u8>(builtAt(first));
  if (c >= 0x41 && c <= 0x5a) store<u8>(builtAt(first), c + 0x20);
}

/** runc's stringifyMountFlags: names in bit order, "|"-joined. */
function msNames(flags: i32): void {
  let any = false;
  for (let b = 0; b < T.MS_BIT_NAME_COUNT; b++) {
    const name = load<u16>(T.MS_BIT_NAME + (<usize>b << 1));
    if ((flags & (1 << b)) == 0 || len(txt(name)) == 0) continue;
    if (any) putText(T.BAR);
    putText(name);
    any = true;
  }
}

/** A mountError: op, source (NULL or "" = none), target, flags. */
function mountErr(op: u32, src: Str, dst: Str, flags: i32, errno: i32): void {
  putText(op); putText(T.SPACE);
  if (style() == MESSAGES_RUNC_1_1) {
    if (len(src) > 0) { put(src); putText(T.COLON); }
    put(dst);
    if (flags != 0) { putText(T.FLAGS_HEX); putHex(<u32>flags); }
  } else {
    if (len(src) > 0) { putText(T.SRC_EQ); put(src); putText(T.COMMA_SPACE); }
    putText(T.DST_EQ); put(dst);
    if (flags != 0) { putText(T.FLAGS_EQ); msNames(flags); }
  }
  putText(T.COLON_SPACE); goErr(errno);
}

function pathErr(op: u32, path: Str, errno: i32): void {
  putText(op); putText(T.SPACE); put(path); putText(T.COLON_SPACE); goErr(errno);
}

/** "fchdir fd N: err" */
function fdErr(fd: i32, errno: i32): void {
  putText(T.OP_FCHDIR); putText(T.SPACE); putText(T.FD_SPACE); putDec(fd); putText(T.COLON_SPACE); goErr(errno);
}

/** The failure of `step` with `errno`; `target`/`flags` are what the request carried. */
export function render(step: i32, op: Op, errno: i32, target: Str, flags: i32, rootfs: Str): Str {
  open();
  if (style() == MESSAGES_ERRNO) { nixErr(errno); return close(); }
  if (style() == MESSAGES_BWRAP) {
    // die_with_error: "bwrap: " + its text + ": " + strerror(errno) (utils.c L54-L70).
    putText(T.BWRAP_PREFIX);
    const id = pick(BWRAP_TEXT, step);
    if (id == NO_TEXT) { putText(T.OP_STEP); putDec(step); } else fill(id, target, rootfs);
    putText(T.COLON_SPACE); strerror(errno);
    return close();
  }
  if (style() == MESSAGES_LXC) { lxc(step, errno, rootfs); return close(); }
  if (style() == MESSAGES_CRUN) {
    // umount_or_hide reports a failed tmpfs cover as the unmount, with the unmount's saved errno
    // (EINVAL: the only one that leads to a cover), crun 1.8.1 linux.c L2587.
    if (step == Step.mask_cover) { crun(Step.mask_umount, target, rootfs); putText(T.COLON_SPACE); strerror(EINVAL); return close(); }
    crun(step, target, rootfs); putText(T.COLON_SPACE); strerror(errno);
    return close();
  }
  switch (step) {
    case Step.propagate_root:
    case Step.self_bind:
    case Step.parent_propagation: {
      // runc main names the walk "remount-propagation"; 1.1 reports a plain mount (§2.2).
      const walk = step == Step.parent_propagation && style() != MESSAGES_RUNC_1_1;
      putText(T.E_PREPARING);
      mountErr(walk ? T.OP_REMOUNT_PROPAGATION : T.OP_MOUNT, step == Step.self_bind ? rootfs : NULL, target, flags, errno);
      break;
    }
    case Step.mountinfo_open:
    case Step.mountinfo_read:
    case Step.mountinfo_close:
      putText(style() == MESSAGES_RUNC_1_1 && S.pc < firstSwitchStep() ? T.E_PREPARING : T.E_JAILING);
      // Go's (*os.File).Read names the file it reads (&PathError{Op: "read", Path: f.name}): the
      // mountinfo path the open used (emit.ts), not the request's target, which a read has none of.
      pathErr(op == Op.read ? T.OP_READ : T.OP_OPEN, op == Op.read ? mountinfoPath() : target, errno);
      break;
    case Step.open_root: putText(T.E_ROOT_HANDLE); pathErr(T.OP_OPEN, rootfs, errno); break;
    case Step.enter_root: pathErr(T.OP_CHDIR, rootfs, errno); break;
    case Step.close_root: pathErr(T.OP_CLOSE, rootfs, errno); break;
    case Step.post_propagation: putText(T.E_ROOT_PROPAGATION); mountErr(T.OP_MOUNT, NULL, txt(T.SLASH), flags, errno); break;
    case Step.readonly_remount: putText(T.E_READONLY); mountErr(T.OP_MOUNT, NULL, txt(T.SLASH), flags, errno); break;
    case Step.check_cwd: putText(T.CWD_BREAKOUT); break;
    default: putText(T.E_JAILING); jail(step, errno, target, rootfs);
  }
  return close();
}

function jail(step: i32, errno: i32, target: Str, rootfs: Str): void {
  switch (step) {
    case Step.open_old_root: pathErr(T.OP_OPEN, txt(T.SLASH), errno); break;
    case Step.open_new_root: pathErr(T.OP_OPEN, rootfs, errno); break;
    case Step.fchdir_new_root:
      if (style() == MESSAGES_RUNC_1_1) fdErr(S.fdNew, errno); else pathErr(T.OP_CHDIR, rootfs, errno);
      break;
    case Step.pivot_root: pathErr(T.OP_PIVOT_ROOT, txt(T.DOT), errno); break;
    case Step.fchdir_old_root: fdErr(S.fdOld, errno); break;
    case Step.old_root_propagation: mountErr(T.OP_MOUNT, NULL, txt(T.DOT), MS_SLAVE | MS_REC, errno); break;
    // runc prints umount2's MNT_DETACH with mount-flag names, so it reads MS_NOSUID (§2.3 step 6).
    case Step.detach_old_root: mountErr(T.OP_UNMOUNT, NULL, txt(T.DOT), MNT_DETACH, errno); break;
    case Step.mask_propagation: mountErr(T.OP_MOUNT, NULL, target, MS_SLAVE | MS_REC, errno); break;
    case Step.mask_umount: mountErr(T.OP_UNMOUNT, NULL, target, MNT_DETACH, errno); break;
    case Step.mask_cover: mountErr(T.OP_MOUNT, txt(T.TMPFS), target, 0, errno); break;
    case Step.move_root: mountErr(T.OP_MOUNT, rootfs, txt(T.SLASH), MS_MOVE, errno); break;
    case Step.chroot_root: pathErr(T.OP_CHROOT, txt(T.DOT), errno); break;
    case Step.chdir_root: pathErr(T.OP_CHDIR, txt(T.SLASH), errno); break;
    case Step.close_old_root:
    case Step.close_new_root: pathErr(T.OP_CLOSE, txt(T.FD), errno); break;
    default: putText(T.OP_STEP); putDec(step); putText(T.SPACE); put(target); putText(T.COLON_SPACE); goErr(errno);
  }
}

function firstSwitchStep(): i32 { // runc 1.1's jail starts at chdir(rootfs), L127-L129 (enter_root), with or without the self bind
  for (let i = 0; i < S.plan.length; i++) if (S.plan.get(i) == Step.enter_root) return i;
  return 0;
}

/** crun's libcrun_make_error texts (§3): a template with {rootfs} (byte 1) and {target} (byte 2). */
function crun(step: i32, target: Str, rootfs: Str): void {
  const id = crunText(step);
  // make_parent_mount_private's last try is mount("/") with its path buffer still at the first
  // component ("/srv" of "/srv/rootfs"): that is what the message names (crun 1.8.1 linux.c L2403).
  if (step == Step.parent_propagation && len(target) == 1) target = firstComponent(rootfs);
  if (id == NO_TEXT) { putText(T.OP_STEP); putDec(step); return; }
  fill(id, target, rootfs);
}

/** A template text with {rootfs} (byte 1) and {target} (byte 2) filled in. */
function fill(id: u32, target: Str, rootfs: Str): void {
  const p = txt(id);
  for (let i = 0; i < len(p); i++) {
    const c = load<u8>(ptr(p) + <usize>i);
    if (c == 1) put(rootfs); else if (c == 2) put(target); else putByte(c);
  }
}

/** "/srv" of "/srv/rootfs": the rootfs up to its second "/". */
function firstComponent(rootfs: Str): Str {
  const n = len(rootfs);
  let i = 1;
  while (i < n && load<u8>(ptr(rootfs) + <usize>i) != 0x2f) i++;
  return str(ptr(rootfs), i);
}

/** A crun text alone, for an error crun makes with errno 0 (no ": strerror"): crun 1.29's walk end. */
export function crunBare(id: u32): Str {
  open(); fill(id, NULL, S.cfg.rootfs);
  return close();
}

/** crun 1.8.1's libcrun_make_error template per step, as (step, text id) pairs that profiles.ts pick()
 * reads (this and BWRAP_TEXT as lists, not switches: −115 B); chdir_root's is crunText's. */
const CRUN_TEXT: usize = memory.data<u16>([
  <u16>Step.propagate_root, T.CRUN_PROPAGATE_ROOT, <u16>Step.parent_propagation, T.CRUN_PARENT,
  <u16>Step.readonly_root, T.CRUN_READONLY_ROOT, <u16>Step.close_root, T.CRUN_CLOSE_ROOT,
  <u16>Step.self_bind, T.CRUN_SELF_BIND, <u16>Step.self_private, T.CRUN_SELF_PRIVATE,
  <u16>Step.self_remount, T.CRUN_SELF_REMOUNT, <u16>Step.open_root, T.CRUN_OPEN_ROOTFS,
  <u16>Step.open_old_root, T.CRUN_OPEN_OLD, <u16>Step.open_new_root, T.CRUN_OPEN_ROOTFS,
  <u16>Step.fchdir_new_root, T.CRUN_FCHDIR_ROOTFS, <u16>Step.pivot_root, T.CRUN_PIVOT,
  <u16>Step.fchdir_old_root, T.CRUN_FCHDIR_ROOTFS, <u16>Step.old_root_propagation, T.CRUN_OLD_PROPAGATION,
  <u16>Step.detach_old_root, T.CRUN_DETACH, <u16>Step.chdir_rootfs, T.CRUN_CHDIR_ROOTFS,
  <u16>Step.mask_umount, T.CRUN_MASK_UMOUNT, <u16>Step.move_root, T.CRUN_MOVE, <u16>Step.chroot_root, T.CRUN_CHROOT,
  <u16>Step.post_propagation, T.CRUN_PROPAGATE_ROOT,
  // crun 1.29 (docs/sources.md#crun-1-29).
  <u16>Step.open_rootfs_src, T.CRUN_OPEN_ROOTFS, <u16>Step.walk_open, T.CRUN_OPEN_ROOTFS,
  <u16>Step.tree_namespace, T.CRUN_OPEN_TREE, <u16>Step.enter_tree, T.CRUN_SETNS,
  <u16>Step.remount_slash, T.CRUN_REMOUNT_SLASH, <u16>Step.private_slash, T.CRUN_PROPAGATE_ROOT,
  <u16>Step.walk_up, T.CRUN_WALK_UP, <u16>Step.readonly_setattr, T.CRUN_READONLY_ROOT, 0,
]);

function crunText(step: i32): u32 {
  // do_pivot's chdir("/") is "chdir to newroot", move_root's names the rootfs, and the last one,
  // in libcrun_do_pivot_root, is "chdir to /" (crun 1.8.1 linux.c L1878, L2638, L2676). By the
  // step before it: a do_pivot's follows the detach, move_root's its chroot(".") (crun 1.29 runs
  // more steps after the switch, so "not the last step" no longer tells them apart).
  if (step == Step.chdir_root) {
    const prev = S.pc > 0 ? S.plan.get(S.pc - 1) & 0xff : 0;
    if (prev == Step.detach_old_root) return T.CRUN_CHDIR_NEWROOT;
    return prev == Step.chroot_root && S.cfg.strategy != Strategy.chroot ? T.CRUN_CHDIR_ROOTFS : T.CRUN_CHDIR_ROOT;
  }
  return pick(CRUN_TEXT, step);
}

/** bwrap 0.8.0's die_with_error text per step (bubblewrap.c L3055-L3176); none (NO_TEXT): a step bwrap
 * has not. bind_rootfs and bind_remount: die_with_bind_result's (bind-mount.c L553-L578), the op's
 * text, then the bind_mount result's. */
const BWRAP_TEXT: usize = memory.data<u16>([
  <u16>Step.propagate_root, T.BWRAP_PROPAGATE_ROOT, <u16>Step.stage_tmpfs, T.BWRAP_STAGE_TMPFS,
  <u16>Step.chdir_stage, T.BWRAP_CHDIR_STAGE, <u16>Step.mkdir_newroot, T.BWRAP_MKDIR_NEWROOT,
  <u16>Step.bind_newroot, T.BWRAP_BIND_NEWROOT, <u16>Step.mkdir_oldroot, T.BWRAP_MKDIR_OLDROOT,
  <u16>Step.stage_pivot, T.BWRAP_STAGE_PIVOT, <u16>Step.chdir_stage_root, T.BWRAP_CHDIR_STAGE_ROOT,
  <u16>Step.bind_rootfs, T.BWRAP_BIND_ROOTFS, <u16>Step.bind_remount, T.BWRAP_BIND_REMOUNT,
  <u16>Step.stage_old_private, T.BWRAP_OLD_PRIVATE, <u16>Step.stage_old_detach, T.BWRAP_OLD_DETACH,
  <u16>Step.open_old_root, T.BWRAP_OPEN_OLD, <u16>Step.chdir_newroot, T.BWRAP_CHDIR_NEWROOT,
  <u16>Step.pivot_root, T.BWRAP_PIVOT, <u16>Step.fchdir_old_root, T.BWRAP_FCHDIR_OLD,
  <u16>Step.detach_old_root, T.BWRAP_DETACH, <u16>Step.chdir_root, T.BWRAP_CHDIR_ROOT, 0,
]);

/**
 * LXC 5.0.2's SYSERROR line without its log prefix: the function, its text, " - " and strerror
 * (log.h's errno suffix). The steps LXC only logs (dependent_mount, the mountinfo reads) or ignores
 * (lxc_chroot's umount2 calls) never fail.
 */
function lxc(step: i32, errno: i32, rootfs: Str): void {
  // lxc_chroot: chdir("/") fails silently ("return -1"), and its caller logs without an errno (conf.c L1475-L1477, L4481-L4483).
  if (step == Step.chdir_root) { putText(T.LXC_SETUP_SWITCH); return; }
  const fn = pick(LXC_FN, step);
  putText(fn == NO_TEXT ? T.LXC_PIVOT_FN : fn);
  const id = pick(LXC_TEXT, step);
  if (id == NO_TEXT) { putText(T.OP_STEP); putDec(step); }
  else fill(id, step == Step.open_rootfs_src ? rootfs : txt(T.LXC_ROOTFS_MOUNT), rootfs);
  putText(T.LXC_ERR_SEP); strerror(errno);
}

/** The function each SYSERROR names, per step (lxc_pivot_root's where none), and its text; the
 * target is LXC's rootfs mount point but for the source's open. Lists, not a switch: −122 B. */
const LXC_FN: usize = memory.data<u16>([<u16>Step.open_host, T.LXC_PREPARE_FN, <u16>Step.open_mountpoint, T.LXC_DIR_FN,
  <u16>Step.open_rootfs_src, T.LXC_DIR_FN, <u16>Step.clone_rootfs, T.LXC_BIND_FN, <u16>Step.attach_rootfs, T.LXC_DIR_FN,
  <u16>Step.open_mnt, T.LXC_MOUNT_FN, <u16>Step.bind_root, T.LXC_CHROOT_FN, <u16>Step.private_root, T.LXC_CHROOT_FN,
  <u16>Step.pass_open, T.LXC_CHROOT_FN, <u16>Step.chdir_up, T.LXC_CHROOT_FN, <u16>Step.chroot_root, T.LXC_CHROOT_FN, 0]);
const LXC_TEXT: usize = memory.data<u16>([<u16>Step.open_host, T.LXC_OPEN_HOST, <u16>Step.open_mountpoint, T.LXC_OPEN_TARGET,
  <u16>Step.open_rootfs_src, T.LXC_OPEN_TARGET, <u16>Step.clone_rootfs, T.LXC_CLONE, <u16>Step.attach_rootfs, T.LXC_ATTACH,
  <u16>Step.open_mnt, T.LXC_OPEN_MNT, <u16>Step.open_old_root, T.LXC_OPEN_OLD, <u16>Step.fchdir_new_root, T.LXC_FCHDIR_NEW,
  <u16>Step.pivot_root, T.LXC_PIVOT, <u16>Step.fchdir_old_root, T.LXC_FCHDIR_OLD, <u16>Step.old_root_propagation, T.LXC_OLD_PROP,
  <u16>Step.detach_old_root, T.LXC_DETACH, <u16>Step.share_root, T.LXC_SHARE, <u16>Step.bind_root, T.LXC_BIND_ROOT,
  <u16>Step.private_root, T.LXC_PRIVATE_ROOT, <u16>Step.pass_open, T.LXC_PASS_OPEN, <u16>Step.chdir_up, T.LXC_CHDIR_UP,
  <u16>Step.chroot_root, T.LXC_CHROOT, 0]);
