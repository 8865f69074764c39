// Why each step exists, with its source: the text every request carries and every plan prints.
// The texts are in assembly/text.txt (R_*); this file only picks one per step, profile and strategy.
import { Step, Profile } from "../src/abi";
import * as T from "./generated/text";

/** The reason's text id (bytes.ts txt()). */
export function reason(step: i32, p: Profile, auto: bool): u32 {
  const crun = p == Profile.crun;
  switch (step) {
    case Step.propagate_root: return crun ? T.R_PROPAGATE_CRUN : T.R_PROPAGATE_RUNC;
    case Step.mountinfo_open: return auto ? T.R_MI_OPEN_AUTO : p == Profile.runc_1_1 ? T.R_MI_OPEN_11 : T.R_MI_OPEN;
    case Step.mountinfo_read: return T.R_MI_READ;
    case Step.mountinfo_close: return T.R_MI_CLOSE;
    case Step.parent_propagation: return crun ? T.R_PARENT_CRUN : p == Profile.runc_1_1 ? T.R_PARENT_11 : T.R_PARENT_RUNC;
    case Step.self_bind: return T.R_SELF_BIND;
    case Step.self_private: return T.R_SELF_PRIVATE;
    case Step.self_remount: return T.R_SELF_REMOUNT;
    case Step.open_root: return crun ? T.R_OPEN_ROOT_CRUN : T.R_OPEN_ROOT;
    case Step.enter_root: return T.R_ENTER_ROOT;
    case Step.open_old_root: return p == Profile.hardened ? T.R_OPEN_OLD_HARD : T.R_OPEN_OLD;
    case Step.open_new_root: return T.R_OPEN_NEW;
    case Step.fchdir_new_root: return T.R_FCHDIR_NEW;
    case Step.pivot_root: return T.R_PIVOT;
    case Step.fchdir_old_root: return T.R_FCHDIR_OLD;
    case Step.old_root_propagation: return crun ? T.R_OLD_PROP_CRUN : T.R_OLD_PROP_RUNC;
    case Step.detach_old_root: return crun || p == Profile.hardened ? T.R_DETACH_LOOP : T.R_DETACH;
    case Step.chdir_root: return T.R_CHDIR_ROOT;
    case Step.close_new_root: return T.R_CLOSE_NEW;
    case Step.close_old_root: return T.R_CLOSE_OLD;
    case Step.chdir_rootfs: return T.R_CHDIR_ROOTFS;
    case Step.mask_propagation: return T.R_MASK_PROP;
    case Step.mask_umount: return crun ? T.R_MASK_UMOUNT_CRUN : T.R_MASK_UMOUNT;
    case Step.mask_cover: return crun ? T.R_MASK_COVER_CRUN : T.R_MASK_COVER;
    case Step.move_root: return T.R_MOVE;
    case Step.chroot_root: return T.R_CHROOT;
    case Step.readonly_root: return T.R_READONLY_ROOT;
    case Step.close_root: return crun ? T.R_CLOSE_ROOT_CRUN : T.R_CLOSE_ROOT;
    case Step.post_propagation: return crun ? T.R_POST_PROP_CRUN : T.R_POST_PROP;
    case Step.readonly_remount: return T.R_READONLY;
    case Step.check_cwd: return T.R_CHECK_CWD;
    default: return T.R_NONE;
  }
}
