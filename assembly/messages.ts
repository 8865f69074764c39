// Failure messages, rendered the way the profile's runtime prints them: runc (Go errors:
// PathError "op path: err", mountError "mount src=…, dst=…, flags=…: err", wrapped by phase),
// runc 1.1 (mountError "mount src:dst, flags: 0x…: err") and crun ("msg: strerror").
import { Step, Profile, Op, MS_REC, MS_SLAVE, MS_MOVE, MNT_DETACH } from "../src/abi";
import { ERRNO_TEXT, ERRNO_NAME, ERRNO_EXTRA_NUMBER, ERRNO_EXTRA_TEXT, ERRNO_EXTRA_NAME, MS_BIT_NAME } from "../src/names";
import { text } from "./bytes";
import { S } from "./state";

export function strerror(errno: i32): string {
  if (errno >= 0 && errno < ERRNO_TEXT.length) return ERRNO_TEXT[errno];
  const i = ERRNO_EXTRA_NUMBER.indexOf(errno);
  return i >= 0 ? ERRNO_EXTRA_TEXT[i] : "Unknown error " + errno.toString();
}

export function errnoName(errno: i32): string {
  if (errno > 0 && errno < ERRNO_NAME.length) return ERRNO_NAME[errno];
  const i = ERRNO_EXTRA_NUMBER.indexOf(errno);
  return i >= 0 ? ERRNO_EXTRA_NAME[i] : "E" + errno.toString();
}

/** Go's syscall.Errno.Error(): strerror with a lower-case first letter. */
function goErr(errno: i32): string {
  const s = strerror(errno);
  const c = s.charCodeAt(0);
  // ASCII only: every strerror text starts with an ASCII capital (avoids the Unicode case tables).
  return (c >= 0x41 && c <= 0x5a ? String.fromCharCode(c + 0x20) : s.charAt(0)) + s.substring(1);
}

/** runc's stringifyMountFlags: names in bit order, "|"-joined. */
export function msNames(flags: i32): string {
  let out = "";
  for (let b = 0; b < MS_BIT_NAME.length; b++) {
    if ((flags & (1 << b)) != 0 && MS_BIT_NAME[b].length > 0) out += (out.length > 0 ? "|" : "") + MS_BIT_NAME[b];
  }
  return out;
}

function hex(v: i32): string { return (<u32>v).toString(16); }

/** The pieces of a mountError: op, source ("" = none), target, flags. */
function mountErr(op: string, src: string, dst: string, flags: i32, errno: i32): string {
  if (S.cfg.profile == Profile.runc_1_1) {
    let out = op + " " + (src.length > 0 ? src + ":" + dst : dst);
    if (flags != 0) out += ", flags: 0x" + hex(flags);
    return out + ": " + goErr(errno);
  }
  let out = op + " " + (src.length > 0 ? "src=" + src + ", " : "") + "dst=" + dst;
  if (flags != 0) out += ", flags=" + msNames(flags);
  return out + ": " + goErr(errno);
}

function pathErr(op: string, path: string, errno: i32): string {
  return op + " " + path + ": " + goErr(errno);
}

/** Renders the failure of `step` with `errno`; `target`/`flags` are what the request carried. */
export function render(step: i32, op: Op, errno: i32, target: string, flags: i32): string {
  if (S.cfg.profile == Profile.crun) return crun(step, errno, target) + ": " + strerror(errno);
  const rootfs = text(S.cfg.rootfs);
  switch (step) {
    case Step.propagate_root:
    case Step.self_bind:
    case Step.parent_propagation: {
      // runc main names the walk "remount-propagation"; 1.1 reports a plain mount (§2.2).
      const walk = step == Step.parent_propagation && S.cfg.profile != Profile.runc_1_1;
      const src = step == Step.self_bind ? rootfs : "";
      return "error preparing rootfs: " + mountErr(walk ? "remount-propagation" : "mount", src, target, flags, errno);
    }
    case Step.mountinfo_open:
    case Step.mountinfo_read:
    case Step.mountinfo_close: {
      const inner = pathErr(op == Op.read ? "read" : "open", target, errno);
      return (S.cfg.profile == Profile.runc_1_1 && S.pc < firstSwitchStep() ? "error preparing rootfs: " : "error jailing process inside rootfs: ") + inner;
    }
    case Step.open_root: return "open rootfs handle: " + pathErr("open", rootfs, errno);
    case Step.enter_root: return pathErr("chdir", rootfs, errno);
    case Step.close_root: return pathErr("close", rootfs, errno);
    case Step.post_propagation: return "unable to apply root propagation flags: " + mountErr("mount", "", "/", flags, errno);
    case Step.readonly_remount: return "error setting rootfs as readonly: " + mountErr("mount", "", "/", flags, errno);
    case Step.check_cwd: return CWD_BREAKOUT;
    default: return "error jailing process inside rootfs: " + jail(step, errno, target, flags, rootfs);
  }
}

export const CWD_BREAKOUT = "current working directory is outside of container mount namespace root -- possible container breakout detected";

function jail(step: i32, errno: i32, target: string, flags: i32, rootfs: string): string {
  switch (step) {
    case Step.open_old_root: return pathErr("open", "/", errno);
    case Step.open_new_root: return pathErr("open", rootfs, errno);
    case Step.fchdir_new_root:
      return S.cfg.profile == Profile.runc_1_1 ? pathErr("fchdir", "fd " + S.fdNew.toString(), errno) : pathErr("chdir", rootfs, errno);
    case Step.pivot_root: return pathErr("pivot_root", ".", errno);
    case Step.fchdir_old_root: return pathErr("fchdir", "fd " + S.fdOld.toString(), errno);
    case Step.old_root_propagation: return mountErr("mount", "", ".", MS_SLAVE | MS_REC, errno);
    // runc prints umount2's MNT_DETACH with mount-flag names, so it reads MS_NOSUID (§2.3 step 6).
    case Step.detach_old_root: return mountErr("unmount", "", ".", MNT_DETACH, errno);
    case Step.mask_propagation: return mountErr("mount", "", target, MS_SLAVE | MS_REC, errno);
    case Step.mask_umount: return mountErr("unmount", "", target, MNT_DETACH, errno);
    case Step.mask_cover: return mountErr("mount", "tmpfs", target, 0, errno);
    case Step.move_root: return mountErr("mount", rootfs, "/", MS_MOVE, errno);
    case Step.chroot_root: return pathErr("chroot", ".", errno);
    case Step.chdir_root: return pathErr("chdir", "/", errno);
    case Step.close_old_root:
    case Step.close_new_root: return pathErr("close", "fd", errno);
    default: return pathErr("step " + step.toString(), target, errno);
  }
}

function firstSwitchStep(): i32 {
  for (let i = 0; i < S.plan.length; i++) if (S.plan[i] == Step.self_bind) return i;
  return 0;
}

/** crun's libcrun_make_error texts (§3). */
function crun(step: i32, errno: i32, target: string): string {
  const rootfs = text(S.cfg.rootfs);
  switch (step) {
    case Step.propagate_root: return "set propagation for `/`";
    case Step.parent_propagation: return "make `" + rootfs + "` private";
    case Step.readonly_root: return "remount `" + rootfs + "` read-only";
    case Step.close_root: return "close `" + rootfs + "`";
    case Step.self_bind: return "mount `" + rootfs + "` to `" + rootfs + "`";
    case Step.self_private: return "set propagation for `" + rootfs + "`";
    case Step.self_remount: return "remount `" + rootfs + "`";
    case Step.open_root: return "open `" + rootfs + "`";
    case Step.open_old_root: return "open `/`";
    case Step.open_new_root: return "open `" + rootfs + "`";
    case Step.fchdir_new_root: return "fchdir `" + rootfs + "`";
    case Step.pivot_root: return "pivot_root";
    case Step.fchdir_old_root: return "fchdir `" + rootfs + "`";
    case Step.old_root_propagation: return "set propagation for `.`";
    case Step.detach_old_root: return "umount2 oldroot";
    case Step.chdir_root: return S.pc < S.plan.length - 1 ? "chdir to newroot" : "chdir to `/`";
    case Step.chdir_rootfs: return "chdir to `" + rootfs + "`";
    case Step.mask_umount: return "umount `" + target + "`";
    case Step.mask_cover: return "mount tmpfs on `" + target + "`";
    case Step.move_root: return "mount MS_MOVE to `/`";
    case Step.chroot_root: return "chroot to `" + target + "`";
    case Step.post_propagation: return "set propagation for `/`";
    default: return "step " + step.toString();
  }
}

