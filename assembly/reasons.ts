// Why each step exists, with its source: the text every request carries and every plan prints.
// Encoded once at module start. Keep each under ~120 characters; details go to docs/profiles.md.
import { Step, Profile } from "../src/abi";
import { utf8 } from "./bytes";

const R_PROPAGATE_RUNC = utf8("make / rslave (or the configured propagation) before any mount, so nothing we do reaches the host: runc prepareRoot");
const R_PROPAGATE_CRUN = utf8("make / rprivate (crun's default) or the configured propagation before any mount: crun libcrun_set_mounts");
const R_MI_OPEN = utf8("read mountinfo as a runtime does: /proc/thread-self first, /proc/self on ENOENT (moby/sys/mountinfo)");
const R_MI_OPEN_AUTO = utf8("read mountinfo first: is / the initial ramfs (fstype rootfs, LXC detect_ramfs_rootfs)? and which proc/sysfs to mask");
const R_MI_OPEN_11 = utf8("find the rootfs's parent mount in mountinfo: runc 1.1 getParentMount (racy before Linux 5.8: runc #2404)");
const R_MI_READ = utf8("read mountinfo until EOF into a buffer the machine owns (grows, capped at 16 MiB)");
const R_MI_CLOSE = utf8("close the mountinfo fd");
const R_PARENT_RUNC = utf8("pivot_root refuses a shared parent; EINVAL means 'not a mount point', so walk up to the parent: runc PR #4417");
const R_PARENT_11 = utf8("the parent mount is shared in mountinfo: make it private so pivot_root accepts it: runc 1.1 (PR #1148)");
const R_PARENT_CRUN = utf8("pivot_root refuses a shared parent: make this path private; on error go up one level: crun PR #39");
const R_SELF_BIND = utf8("bind the rootfs onto itself so it is a mount point, as pivot_root requires: runc prepareRoot");
const R_SELF_PRIVATE = utf8("make the rootfs bind rprivate: crun libcrun_set_mounts");
const R_SELF_REMOUNT = utf8("remount the bind with its flags (read-only if asked): crun libcrun_set_mounts");
const R_OPEN_ROOT = utf8("pre-open the root handle after the self bind, so later steps act on this mount: runc 28cb321");
const R_OPEN_ROOT_CRUN = utf8("a handle on the rootfs for the container mounts: crun libcrun_set_mounts");
const R_READONLY_ROOT = utf8("read-only root: crun remounts the rootfs bind read-only through its fd, before the switch");
const R_CLOSE_ROOT_CRUN = utf8("close the root handle before do_pivot: crun 1.8");
const R_ENTER_ROOT = utf8("cwd = rootfs, so that \".\" names it from here on: runc prepareRootfs");
const R_OPEN_OLD = utf8("a handle on the old root, to come back to it after pivot_root(\".\", \".\"): runc pivotRoot (LXC's idea, PR #1125)");
const R_OPEN_OLD_HARD = utf8("a handle on the old root, O_CLOEXEC so it can never reach the container (CVE-2024-21626 class; runc omits it)");
const R_OPEN_NEW = utf8("open the rootfs to fchdir into it: runc 1.1 pivotRoot / crun do_pivot");
const R_FCHDIR_NEW = utf8("cwd = the new root, so pivot_root(\".\", \".\") acts on it");
const R_PIVOT = utf8("the new root becomes /; the old root is stacked on top and stays our cwd (pivot_root(2) NOTES)");
const R_FCHDIR_OLD = utf8("the kernel promises nothing about cwd after pivot_root: go to the old root explicitly (runc pivotRoot)");
const R_OLD_PROP_RUNC = utf8("rslave first so the detach cannot propagate to the host: runc #1125, #1500 (not rprivate: moby #33846)");
const R_OLD_PROP_CRUN = utf8("rprivate first so the detach cannot propagate to the host: crun do_pivot");
const R_DETACH = utf8("lazily unmount the old root stacked on / (MNT_DETACH: it is our cwd): runc pivotRoot");
const R_DETACH_LOOP = utf8("lazily unmount the old root, again until EINVAL so stacked mounts are peeled too: crun df308e2");
const R_CHDIR_ROOT = utf8("cwd = / of the new root");
const R_CLOSE_NEW = utf8("close the new-root handle (deferred close)");
const R_CLOSE_OLD = utf8("close the old-root handle (deferred close): no host fd survives the switch");
const R_CHDIR_ROOTFS = utf8("cwd = rootfs before MS_MOVE: crun move_root");
const R_MASK_PROP = utf8("rslave this full proc/sysfs first so its unmount cannot propagate to the host: runc msMoveRoot");
const R_MASK_UMOUNT = utf8("unmount the host's full proc/sysfs: left visible, it lets the container mount a fresh procfs (runc PR #1962)");
const R_MASK_UMOUNT_CRUN = utf8("unmount the host's /sys and /proc, or hide them: crun move_root (PR #951)");
const R_MASK_COVER = utf8("the unmount was refused (locked in a user namespace): cover it with an empty tmpfs: runc PR #1962");
const R_MASK_COVER_CRUN = utf8("the unmount was refused with EINVAL: cover it with an empty tmpfs (size=0k): crun PR #951");
const R_MOVE = utf8("MS_MOVE the rootfs onto /: the switch without pivot_root (initramfs, --no-pivot)");
const R_CHROOT = utf8("make the current directory the process root");
const R_CLOSE_ROOT = utf8("close the root handle: nothing of the host stays open");
const R_POST_PROP = utf8("re-apply the configured root propagation after the switch: runc 04be81b (runc #1755)");
const R_POST_PROP_CRUN = utf8("set the spec's root propagation on the new / after the switch: crun libcrun_do_pivot_root");
const R_READONLY = utf8("read-only root: bind-remount / read-only: runc setReadonly");
const R_CHECK_CWD = utf8("refuse to finish unless cwd is / of the new root: runc's CVE-2024-21626 check");
const R_NONE = utf8("");

export function reason(step: i32, p: Profile, auto: bool): ArrayBuffer {
  const crun = p == Profile.crun;
  switch (step) {
    case Step.propagate_root: return crun ? R_PROPAGATE_CRUN : R_PROPAGATE_RUNC;
    case Step.mountinfo_open: return auto ? R_MI_OPEN_AUTO : p == Profile.runc_1_1 ? R_MI_OPEN_11 : R_MI_OPEN;
    case Step.mountinfo_read: return R_MI_READ;
    case Step.mountinfo_close: return R_MI_CLOSE;
    case Step.parent_propagation: return crun ? R_PARENT_CRUN : p == Profile.runc_1_1 ? R_PARENT_11 : R_PARENT_RUNC;
    case Step.self_bind: return R_SELF_BIND;
    case Step.self_private: return R_SELF_PRIVATE;
    case Step.self_remount: return R_SELF_REMOUNT;
    case Step.open_root: return crun ? R_OPEN_ROOT_CRUN : R_OPEN_ROOT;
    case Step.enter_root: return R_ENTER_ROOT;
    case Step.open_old_root: return p == Profile.hardened ? R_OPEN_OLD_HARD : R_OPEN_OLD;
    case Step.open_new_root: return R_OPEN_NEW;
    case Step.fchdir_new_root: return R_FCHDIR_NEW;
    case Step.pivot_root: return R_PIVOT;
    case Step.fchdir_old_root: return R_FCHDIR_OLD;
    case Step.old_root_propagation: return crun ? R_OLD_PROP_CRUN : R_OLD_PROP_RUNC;
    case Step.detach_old_root: return crun || p == Profile.hardened ? R_DETACH_LOOP : R_DETACH;
    case Step.chdir_root: return R_CHDIR_ROOT;
    case Step.close_new_root: return R_CLOSE_NEW;
    case Step.close_old_root: return R_CLOSE_OLD;
    case Step.chdir_rootfs: return R_CHDIR_ROOTFS;
    case Step.mask_propagation: return R_MASK_PROP;
    case Step.mask_umount: return crun ? R_MASK_UMOUNT_CRUN : R_MASK_UMOUNT;
    case Step.mask_cover: return crun ? R_MASK_COVER_CRUN : R_MASK_COVER;
    case Step.move_root: return R_MOVE;
    case Step.chroot_root: return R_CHROOT;
    case Step.readonly_root: return R_READONLY_ROOT;
    case Step.close_root: return crun ? R_CLOSE_ROOT_CRUN : R_CLOSE_ROOT;
    case Step.post_propagation: return crun ? R_POST_PROP_CRUN : R_POST_PROP;
    case Step.readonly_remount: return R_READONLY;
    case Step.check_cwd: return R_CHECK_CWD;
    default: return R_NONE;
  }
}
