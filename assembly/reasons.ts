// Why each step exists, with its source: the text every request carries and every plan prints.
// The texts are in assembly/text.txt (R_*); this file picks one per step, the profile's record
// (profiles.ts) first.
import { Step } from "../src/abi";
import * as T from "./generated/text";
import { F, my, reasonOverride, NO_TEXT } from "./profiles";

/** The reason's text id (bytes.ts txt()): the profile's own (profiles.ts F.REASONS), else the default. */
export function reason(step: i32, auto: bool): u32 {
  // A profile that detects the ramfs in steps of its own (DETECT: LXC) reads mountinfo first for another reason.
  if (step == Step.mountinfo_open && auto && my(F.DETECT) == 0) return T.R_MI_OPEN_AUTO;
  const own = reasonOverride(step);
  if (own != NO_TEXT) return own;
  return step >= 0 && step < STEPS ? load<u16>(DEFAULT + (<usize>step << 1)) : T.R_NONE;
}

/** The default reason of each step, at its number (src/abi.ts Step), T.R_NONE where no step is: a
 * table, not a switch (−258 B). A new step adds its reason at its number, and STEPS grows with it. */
const STEPS = 93;
// A step added to abi.ts (and its name to src/names.ts) without its line here stops every module at
// start, not silently gives R_NONE: the check folds away while the counts agree (0 B).
if (STEPS != T.STEP_NAME_COUNT) unreachable();
const DEFAULT: usize = memory.data<u16>([
  /* 0 none */ T.R_NONE,
  /* propagate_root */ T.R_PROPAGATE_RUNC,
  /* mountinfo_open */ T.R_MI_OPEN,
  /* mountinfo_read */ T.R_MI_READ,
  /* mountinfo_close */ T.R_MI_CLOSE,
  /* 5 */ T.R_NONE,
  /* parent_propagation */ T.R_PARENT_RUNC,
  /* 7 */ T.R_NONE,
  /* 8 */ T.R_NONE,
  /* self_bind */ T.R_SELF_BIND,
  /* self_private */ T.R_SELF_PRIVATE,
  /* self_remount */ T.R_SELF_REMOUNT,
  /* open_root */ T.R_OPEN_ROOT,
  /* enter_root */ T.R_ENTER_ROOT,
  /* readonly_root */ T.R_READONLY_ROOT,
  /* 15 */ T.R_NONE,
  /* 16 */ T.R_NONE,
  /* 17 */ T.R_NONE,
  /* 18 */ T.R_NONE,
  /* 19 */ T.R_NONE,
  /* open_old_root */ T.R_OPEN_OLD,
  /* open_new_root */ T.R_OPEN_NEW,
  /* fchdir_new_root */ T.R_FCHDIR_NEW,
  /* pivot_root */ T.R_PIVOT,
  /* fchdir_old_root */ T.R_FCHDIR_OLD,
  /* old_root_propagation */ T.R_OLD_PROP_RUNC,
  /* detach_old_root */ T.R_DETACH,
  /* chdir_root */ T.R_CHDIR_ROOT,
  /* close_new_root */ T.R_CLOSE_NEW,
  /* close_old_root */ T.R_CLOSE_OLD,
  /* chdir_rootfs */ T.R_CHDIR_ROOTFS,
  /* mask_propagation */ T.R_MASK_PROP,
  /* mask_umount */ T.R_MASK_UMOUNT,
  /* mask_cover */ T.R_MASK_COVER,
  /* move_root */ T.R_MOVE,
  /* chroot_root */ T.R_CHROOT,
  /* 36 */ T.R_NONE,
  /* 37 */ T.R_NONE,
  /* 38 */ T.R_NONE,
  /* 39 */ T.R_NONE,
  /* close_root */ T.R_CLOSE_ROOT,
  /* post_propagation */ T.R_POST_PROP,
  /* readonly_remount */ T.R_READONLY,
  /* check_cwd */ T.R_CHECK_CWD,
  /* 44 */ T.R_NONE,
  /* 45 */ T.R_NONE,
  /* 46 */ T.R_NONE,
  /* 47 */ T.R_NONE,
  /* 48 */ T.R_NONE,
  /* 49 */ T.R_NONE,
  /* stage_tmpfs */ T.R_STAGE_TMPFS,
  /* chdir_stage */ T.R_CHDIR_STAGE,
  /* mkdir_newroot */ T.R_MKDIR_NEWROOT,
  /* bind_newroot */ T.R_BIND_NEWROOT,
  /* mkdir_oldroot */ T.R_MKDIR_OLDROOT,
  /* stage_pivot */ T.R_STAGE_PIVOT,
  /* bind_rootfs */ T.R_BIND_ROOTFS,
  /* bind_remount */ T.R_BIND_REMOUNT,
  /* stage_old_private */ T.R_STAGE_OLD_PRIVATE,
  /* stage_old_detach */ T.R_STAGE_OLD_DETACH,
  /* chdir_newroot */ T.R_CHDIR_NEWROOT,
  /* chdir_stage_root */ T.R_CHDIR_STAGE_ROOT,
  /* open_host */ T.R_OPEN_HOST_LXC,
  /* dependent_mount */ T.R_DEPENDENT_LXC,
  /* open_mountpoint */ T.R_OPEN_MOUNTPOINT_LXC,
  /* open_rootfs_src */ T.R_OPEN_ROOTFS_SRC_LXC,
  /* clone_rootfs */ T.R_CLONE_ROOTFS_LXC,
  /* attach_rootfs */ T.R_ATTACH_ROOTFS_LXC,
  /* close_tree */ T.R_CLOSE_TREE_LXC,
  /* close_mountpoint */ T.R_CLOSE_MOUNTPOINT_LXC,
  /* close_rootfs_src */ T.R_CLOSE_ROOTFS_SRC_LXC,
  /* open_mnt */ T.R_OPEN_MNT_LXC,
  /* share_root */ T.R_SHARE_ROOT_LXC,
  /* close_host */ T.R_CLOSE_HOST_LXC,
  /* ramfs_open */ T.R_RAMFS_OPEN_LXC,
  /* tree_namespace */ T.R_TREE_NS_CRUN,
  /* enter_tree */ T.R_ENTER_TREE_CRUN,
  /* remount_slash */ T.R_REMOUNT_SLASH_CRUN,
  /* private_slash */ T.R_PRIVATE_SLASH_CRUN,
  /* walk_open */ T.R_WALK_OPEN_CRUN,
  /* walk_setattr */ T.R_WALK_SETATTR_CRUN,
  /* walk_procfd */ T.R_WALK_PROCFD_CRUN,
  /* walk_up */ T.R_WALK_UP_CRUN,
  /* walk_drop */ T.R_WALK_DROP_CRUN,
  /* walk_close */ T.R_WALK_CLOSE_CRUN,
  /* keep_old_root */ T.R_KEEP_OLD_CRUN,
  /* readonly_setattr */ T.R_READONLY_SETATTR_CRUN,
  /* bind_root */ T.R_BIND_ROOT_LXC,
  /* private_root */ T.R_PRIVATE_ROOT_LXC,
  /* pass_open */ T.R_PASS_OPEN_LXC,
  /* pass_umount */ T.R_PASS_UMOUNT_LXC,
  /* umount_proc */ T.R_UMOUNT_PROC_LXC,
  /* chdir_up */ T.R_CHDIR_UP_LXC,
]);
