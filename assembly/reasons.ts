// Why each step exists, with its source: the text every request carries and every plan prints.
// The texts are in assembly/text.txt (R_*); this file picks one per step, the profile's record
// (profiles.ts) first.
import { Step, Profile } from "../src/abi";
import * as T from "./generated/text";
import { F, col, reasonOverride, NO_TEXT } from "./profiles";

/** The reason's text id (bytes.ts txt()): the profile's own (profiles.ts F.REASONS), else the default. */
export function reason(step: i32, p: Profile, auto: bool): u32 {
  // A profile that detects the ramfs in steps of its own (DETECT: LXC) reads mountinfo first for another reason.
  if (step == Step.mountinfo_open && auto && col(p, F.DETECT) == 0) return T.R_MI_OPEN_AUTO;
  const own = reasonOverride(p, step);
  if (own != NO_TEXT) return own;
  switch (step) {
    case Step.propagate_root: return T.R_PROPAGATE_RUNC;
    case Step.mountinfo_open: return T.R_MI_OPEN;
    case Step.mountinfo_read: return T.R_MI_READ;
    case Step.mountinfo_close: return T.R_MI_CLOSE;
    case Step.parent_propagation: return T.R_PARENT_RUNC;
    case Step.self_bind: return T.R_SELF_BIND;
    case Step.self_private: return T.R_SELF_PRIVATE;
    case Step.self_remount: return T.R_SELF_REMOUNT;
    case Step.open_root: return T.R_OPEN_ROOT;
    case Step.enter_root: return T.R_ENTER_ROOT;
    case Step.open_old_root: return T.R_OPEN_OLD;
    case Step.open_new_root: return T.R_OPEN_NEW;
    case Step.fchdir_new_root: return T.R_FCHDIR_NEW;
    case Step.pivot_root: return T.R_PIVOT;
    case Step.fchdir_old_root: return T.R_FCHDIR_OLD;
    case Step.old_root_propagation: return T.R_OLD_PROP_RUNC;
    case Step.detach_old_root: return T.R_DETACH;
    case Step.chdir_root: return T.R_CHDIR_ROOT;
    case Step.close_new_root: return T.R_CLOSE_NEW;
    case Step.close_old_root: return T.R_CLOSE_OLD;
    case Step.chdir_rootfs: return T.R_CHDIR_ROOTFS;
    case Step.mask_propagation: return T.R_MASK_PROP;
    case Step.mask_umount: return T.R_MASK_UMOUNT;
    case Step.mask_cover: return T.R_MASK_COVER;
    case Step.move_root: return T.R_MOVE;
    case Step.chroot_root: return T.R_CHROOT;
    case Step.readonly_root: return T.R_READONLY_ROOT;
    case Step.close_root: return T.R_CLOSE_ROOT;
    case Step.post_propagation: return T.R_POST_PROP;
    case Step.readonly_remount: return T.R_READONLY;
    case Step.check_cwd: return T.R_CHECK_CWD;
    case Step.stage_tmpfs: return T.R_STAGE_TMPFS;
    case Step.chdir_stage: return T.R_CHDIR_STAGE;
    case Step.mkdir_newroot: return T.R_MKDIR_NEWROOT;
    case Step.bind_newroot: return T.R_BIND_NEWROOT;
    case Step.mkdir_oldroot: return T.R_MKDIR_OLDROOT;
    case Step.stage_pivot: return T.R_STAGE_PIVOT;
    case Step.chdir_stage_root: return T.R_CHDIR_STAGE_ROOT;
    case Step.bind_rootfs: return T.R_BIND_ROOTFS;
    case Step.bind_remount: return T.R_BIND_REMOUNT;
    case Step.stage_old_private: return T.R_STAGE_OLD_PRIVATE;
    case Step.stage_old_detach: return T.R_STAGE_OLD_DETACH;
    case Step.chdir_newroot: return T.R_CHDIR_NEWROOT;
    case Step.open_host: return T.R_OPEN_HOST_LXC;
    case Step.dependent_mount: return T.R_DEPENDENT_LXC;
    case Step.open_mountpoint: return T.R_OPEN_MOUNTPOINT_LXC;
    case Step.open_rootfs_src: return T.R_OPEN_ROOTFS_SRC_LXC;
    case Step.clone_rootfs: return T.R_CLONE_ROOTFS_LXC;
    case Step.attach_rootfs: return T.R_ATTACH_ROOTFS_LXC;
    case Step.close_tree: return T.R_CLOSE_TREE_LXC;
    case Step.close_mountpoint: return T.R_CLOSE_MOUNTPOINT_LXC;
    case Step.close_rootfs_src: return T.R_CLOSE_ROOTFS_SRC_LXC;
    case Step.open_mnt: return T.R_OPEN_MNT_LXC;
    case Step.share_root: return T.R_SHARE_ROOT_LXC;
    case Step.close_host: return T.R_CLOSE_HOST_LXC;
    case Step.ramfs_open: return T.R_RAMFS_OPEN_LXC;
    case Step.bind_root: return T.R_BIND_ROOT_LXC;
    case Step.private_root: return T.R_PRIVATE_ROOT_LXC;
    case Step.pass_open: return T.R_PASS_OPEN_LXC;
    case Step.pass_umount: return T.R_PASS_UMOUNT_LXC;
    case Step.umount_proc: return T.R_UMOUNT_PROC_LXC;
    case Step.chdir_up: return T.R_CHDIR_UP_LXC;
    default: return T.R_NONE;
  }
}
