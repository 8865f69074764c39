// Every runtime the machine reproduces, as one record each: its steps per strategy, the flags and
// strings of its calls, which errnos each step handles and how, its message style and the reasons
// it gives. The rest of the machine (plan.ts, emit.ts, machine.ts, messages.ts, reasons.ts) reads
// these records through the accessors below and never compares a profile id, so a new runtime that
// uses the existing request kinds is one record here (plus its goldens and docs).
// Static data only (memory.data): the arena is reset by every start() (index.ts).
// Sources, per runtime: docs/sources.md#runc-main, #runc-1-1, #crun-1-8, #crun-1-29, #youki, #bwrap, #lxc; hardened: docs/profiles.md.
import { Step, RESOLVE_NO_XDEV, RESOLVE_NO_MAGICLINKS, RESOLVE_NO_SYMLINKS, O_NOFOLLOW, MS_REC, MS_SLAVE, MS_PRIVATE, MS_RDONLY, MS_SILENT, MS_NOSUID, MS_NODEV, MS_RELATIME, O_RDONLY, O_CLOEXEC, O_PATH, O_DIRECTORY } from "../src/abi";
import { Str, NULL, txt } from "./bytes";
import * as T from "./generated/text";

// ---- plan vocabulary ---------------------------------------------------------------------------

/** Control entries: they emit nothing; the machine expands them. Step lists are 0-terminated u8. */
export const CHOOSE: i32 = 200; // auto: pick move on initramfs, else pivot (after mountinfo)
export const MASKS: i32 = 201; //  move: one mask_propagation + mask_umount pair per full proc/sysfs
export const PARENT: i32 = 202; // the parent from mountinfo: remount it private if it is shared
export const FIXED_MASKS: i32 = 203; // move: umount (or hide) /sys then /proc, fixed paths
export const DEPENDENT: i32 = 204; // lxc: one dependent_mount per shared mount of the mountinfo read
export const LXC_CHOOSE: i32 = 205; // lxc auto: lxc_pivot_root, or lxc_chroot (MOVE) when / is the initial ramfs
export const TREE_CHOOSE: i32 = 206; // crun 1.29: TREE_PATH if open_tree(OPEN_TREE_NAMESPACE) gave an fd, else CLASSIC_PREPARE
export const SET_MOUNTS_CLOSE: i32 = 207; // crun 1.29: close_root, unless readonly keeps the handle for after the switch
export const LXC_PASS: i32 = 208; //   lxc_chroot: one more pass over mountinfo, unless the last one unmounted nothing

// runc main (the seed): prepareRoot, root handle, fchdir (rootswitch §2.1, §2.2).
const RUNC_PREPARE: usize = memory.data<u8>([<u8>Step.propagate_root, <u8>Step.parent_propagation,
  <u8>Step.self_bind, <u8>Step.open_root, <u8>Step.enter_root, 0]);
const OPEN_AND_ENTER: usize = memory.data<u8>([<u8>Step.open_root, <u8>Step.enter_root, 0]);
const RUNC_PIVOT: usize = memory.data<u8>([<u8>Step.open_old_root, <u8>Step.fchdir_new_root,
  <u8>Step.pivot_root, <u8>Step.fchdir_old_root, <u8>Step.old_root_propagation, <u8>Step.detach_old_root,
  <u8>Step.chdir_root, <u8>Step.close_old_root, 0]);
const RUNC_MOVE: usize = memory.data<u8>([<u8>Step.mountinfo_open, <u8>Step.mountinfo_read,
  <u8>Step.mountinfo_close, <u8>MASKS, <u8>Step.move_root, <u8>Step.chroot_root, <u8>Step.chdir_root, 0]);
const CHROOT_DOT: usize = memory.data<u8>([<u8>Step.chroot_root, <u8>Step.chdir_root, 0]);

// runc 1.1.5 (Debian 12): getParentMount from mountinfo, chdir(rootfs), opens both roots (§2.7).
const RUNC11_PREPARE: usize = memory.data<u8>([<u8>Step.propagate_root, <u8>Step.mountinfo_open,
  <u8>Step.mountinfo_read, <u8>Step.mountinfo_close, <u8>PARENT, <u8>Step.self_bind, <u8>Step.enter_root, 0]);
const ENTER: usize = memory.data<u8>([<u8>Step.enter_root, 0]);
const BOTH_ROOTS_PIVOT: usize = memory.data<u8>([<u8>Step.open_old_root, <u8>Step.open_new_root,
  <u8>Step.fchdir_new_root, <u8>Step.pivot_root, <u8>Step.fchdir_old_root, <u8>Step.old_root_propagation,
  <u8>Step.detach_old_root, <u8>Step.chdir_root, <u8>Step.close_new_root, <u8>Step.close_old_root, 0]);

// crun 1.8.1 (Debian 12), as straced (test/fixtures/real/WINDOWS.md): libcrun_set_mounts walks the
// parent by path, binds, opens the root handle, remounts it read-only through /proc/self/fd if
// asked, and closes the handle before do_pivot / move_root (§3.1-3.3). Without a mount namespace
// it skips its mount setup and chroots to the rootfs.
const CRUN_PREPARE: usize = memory.data<u8>([<u8>Step.propagate_root, <u8>Step.parent_propagation,
  <u8>Step.self_bind, <u8>Step.self_private, <u8>Step.self_remount, <u8>Step.open_root,
  <u8>Step.readonly_root, <u8>Step.close_root, 0]);
const CRUN_MOVE: usize = memory.data<u8>([<u8>Step.chdir_rootfs, <u8>FIXED_MASKS, <u8>Step.move_root,
  <u8>Step.chroot_root, <u8>Step.chdir_root, 0]);

// youki main (bc78720, docs/sources.md#youki): mount_to_rootfs reads mountinfo for the parent and
// binds (rootfs/rootfs.rs L51-L79); pivot_rootfs opens both roots as OwnedFds, dropped (closed)
// newest first when it returns (syscall/linux.rs L380-L459); move_root is crun's with an MS_RDONLY
// cover (process/init/process.rs L719-L743); without a mount namespace, chroot(rootfs) alone (L764).
const YOUKI_PREPARE: usize = memory.data<u8>([<u8>Step.propagate_root, <u8>Step.mountinfo_open,
  <u8>Step.mountinfo_read, <u8>Step.mountinfo_close, <u8>PARENT, <u8>Step.self_bind, 0]);
const CHROOT_ONLY: usize = memory.data<u8>([<u8>Step.chroot_root, 0]);

// bwrap 0.8.0 (Debian 12), as straced (test/fixtures/real/WINDOWS.md): "/" rslave, a tmpfs on /tmp
// as the staging root, a first pivot into it with the host's root on "oldroot", the rootfs bound
// onto /newroot/ through /oldroot and remounted nosuid,nodev[,ro], the old root made rprivate and
// detached, then pivot_root(".", ".") into /newroot with a handle on the staging root, closed as
// its scope ends (bubblewrap.c L3055-L3176, docs/sources.md#bwrap). Its sandbox set-up between
// the pivots (--proc, --dev) is not part of the switch.
const BWRAP_PREPARE: usize = memory.data<u8>([<u8>Step.propagate_root, 0]);
const BWRAP_PIVOT: usize = memory.data<u8>([<u8>Step.stage_tmpfs, <u8>Step.chdir_stage,
  <u8>Step.mkdir_newroot, <u8>Step.bind_newroot, <u8>Step.mkdir_oldroot, <u8>Step.stage_pivot,
  <u8>Step.chdir_stage_root, <u8>Step.bind_rootfs, <u8>Step.bind_remount, <u8>Step.stage_old_private,
  <u8>Step.stage_old_detach, <u8>Step.open_old_root, <u8>Step.chdir_newroot, <u8>Step.pivot_root,
  <u8>Step.fchdir_old_root, <u8>Step.detach_old_root, <u8>Step.chdir_root, <u8>Step.close_old_root, 0]);

// LXC 5.0.2 (Debian 12), as straced (test/fixtures/real/WINDOWS.md): dfd_host, the dependent-mounts
// pass over mountinfo read beneath it, the rootfs bound onto LXC's mount point with open_tree +
// move_mount (dir_mount, __fd_bind_mount), dfd_mnt; then under auto detect_ramfs_rootfs, and
// lxc_pivot_root: pivot_root(".", ".") between fchdirs, the old root rslave and detached, the new
// root rshared; dfd_host and dfd_mnt are closed at the end of the set-up (docs/sources.md#lxc).
const LXC_PREPARE: usize = memory.data<u8>([<u8>Step.open_host, <u8>Step.mountinfo_open, <u8>Step.mountinfo_read,
  <u8>DEPENDENT, <u8>Step.mountinfo_close, <u8>Step.open_mountpoint, <u8>Step.open_rootfs_src, <u8>Step.clone_rootfs,
  <u8>Step.attach_rootfs, <u8>Step.close_tree, <u8>Step.close_mountpoint, <u8>Step.close_rootfs_src, <u8>Step.open_mnt, 0]);
const LXC_BARE: usize = memory.data<u8>([<u8>Step.open_host, <u8>Step.open_mnt, 0]);
const LXC_DETECT: usize = memory.data<u8>([<u8>Step.ramfs_open, <u8>Step.mountinfo_read, <u8>Step.mountinfo_close, <u8>LXC_CHOOSE, 0]);
const LXC_PIVOT: usize = memory.data<u8>([<u8>Step.open_old_root, <u8>Step.fchdir_new_root, <u8>Step.pivot_root,
  <u8>Step.fchdir_old_root, <u8>Step.old_root_propagation, <u8>Step.detach_old_root, <u8>Step.fchdir_new_root,
  <u8>Step.share_root, <u8>Step.close_old_root, <u8>Step.close_host, 0]);
// lxc_chroot (conf.c L1465-L1553): realpath (no request: a libc walk), chdir("/"), the rootfs mount
// point bound recursively onto "/", "/" made rprivate, passes over the old tree's mountinfo until
// one unmounts nothing, its /proc, then chdir("..") onto the new root and chroot(".").
const LXC_CHROOT: usize = memory.data<u8>([<u8>Step.chdir_root, <u8>Step.bind_root, <u8>Step.private_root,
  <u8>LXC_PASS, <u8>Step.umount_proc, <u8>Step.chdir_up, <u8>Step.chroot_root, <u8>Step.close_host, 0]);
/** One pass (machine.ts LXC_PASS): fopen, the getline reads (each read's lines unmounted before the
 * next, machine.ts passLines), fclose, and the test for another. */
export const LXC_PASS_STEPS: usize = memory.data<u8>([<u8>Step.pass_open, <u8>Step.mountinfo_read, <u8>Step.mountinfo_close,
  <u8>LXC_PASS, 0]);

// crun main (ba38286, docs/sources.md#crun-1-29): libcrun_do_pivot_root runs setup_mount_namespace
// before the container mounts (linux.c L3934-L3958). It first tries OPEN_TREE_NAMESPACE
// (maybe_open_tree_namespace L3529-L3551): the rootfs handle, open_tree, its close.
const CRUN129_PREPARE: usize = memory.data<u8>([<u8>Step.open_rootfs_src, <u8>Step.tree_namespace,
  <u8>Step.close_rootfs_src, <u8>TREE_CHOOSE, 0]);
/** Linux 7.0: setns into the copy, remount and rprivate "/", the spec's propagation, the mounts' root
 * handle on "/", get_old_root_fd, tree_fd's cleanup_close, chdir("/") (L3829-L3852, L3879-L3920, L3947-L3954),
 * then libcrun_set_mounts's handle (L3353): no pivot_root at all. */
export const CRUN129_TREE: usize = memory.data<u8>([<u8>Step.enter_tree, <u8>Step.remount_slash, <u8>Step.private_slash,
  <u8>Step.propagate_root, <u8>Step.open_root, <u8>Step.close_root, <u8>Step.keep_old_root, <u8>Step.close_tree,
  <u8>Step.chdir_root, <u8>Step.open_root, <u8>SET_MOUNTS_CLOSE, 0]);
/** Otherwise: the spec's propagation on "/", make_parent_mount_private (L3287-L3341), the rbind made
 * rprivate and remounted (do_mount L3869), the mounts' root handle (L3879-L3914), get_old_root_fd
 * (L3920), libcrun_set_mounts's handle (L3353); the switch is deferred to libcrun_finalize_mounts. */
export const CRUN129_CLASSIC: usize = memory.data<u8>([<u8>Step.propagate_root, <u8>Step.walk_open, <u8>Step.walk_setattr,
  <u8>Step.walk_procfd, <u8>Step.walk_up, <u8>Step.walk_drop, <u8>Step.walk_close, <u8>Step.self_bind, <u8>Step.self_private,
  <u8>Step.self_remount, <u8>Step.open_root, <u8>Step.close_root, <u8>Step.keep_old_root, <u8>Step.open_root, 0]);
/** libcrun_finalize_mounts (L3478-L3524): the handle closed, then do_pivot (O_PATH new root, >= 1.28) or move_root. */
const CRUN129_PIVOT: usize = memory.data<u8>([<u8>SET_MOUNTS_CLOSE, <u8>Step.open_old_root, <u8>Step.open_new_root,
  <u8>Step.fchdir_new_root, <u8>Step.pivot_root, <u8>Step.fchdir_old_root, <u8>Step.old_root_propagation,
  <u8>Step.detach_old_root, <u8>Step.chdir_root, <u8>Step.close_new_root, <u8>Step.close_old_root, 0]);
const CRUN129_MOVE: usize = memory.data<u8>([<u8>SET_MOUNTS_CLOSE, <u8>Step.chdir_rootfs, <u8>FIXED_MASKS, <u8>Step.move_root,
  <u8>Step.chroot_root, <u8>Step.chdir_root, 0]);
/** Without a mount namespace: chroot(rootfs), chdir("/") (L3959-L3963), then libcrun_set_mounts on "/". */
const CRUN129_CHROOT: usize = memory.data<u8>([<u8>Step.chroot_root, <u8>Step.chdir_root, <u8>Step.open_root,
  <u8>SET_MOUNTS_CLOSE, 0]);
/** Without prepare: libcrun_set_mounts's handle only. */
const OPEN_ROOT: usize = memory.data<u8>([<u8>Step.open_root, 0]);

// hardened: reads mountinfo first when it may need it (auto, move), masks children first, and in
// the caller's namespace (chroot) changes no mount.
const MOUNTINFO: usize = memory.data<u8>([<u8>Step.mountinfo_open, <u8>Step.mountinfo_read,
  <u8>Step.mountinfo_close, 0]);
const MOUNTINFO_CHOOSE: usize = memory.data<u8>([<u8>Step.mountinfo_open, <u8>Step.mountinfo_read,
  <u8>Step.mountinfo_close, <u8>CHOOSE, 0]);
const HARDENED_MOVE: usize = memory.data<u8>([<u8>MASKS, <u8>Step.move_root, <u8>Step.chroot_root,
  <u8>Step.chdir_root, 0]);
const HARDENED_CHROOT: usize = memory.data<u8>([<u8>Step.open_root, <u8>Step.enter_root,
  <u8>Step.chroot_root, <u8>Step.chdir_root, 0]);

// ---- the record ------------------------------------------------------------------------------

/** Columns of a record, one u16 each (DEFS; the flags beyond 16 bits are the wide columns, W). A step
 * list is an address (0: none); a text is an id or NO_TEXT. */
export enum F {
  /** auto: the whole plan's start (it ends in CHOOSE); 0: auto is pivot. */
  AUTO,
  /** Steps before the switch, with prepare on; and with prepare off (OPT_NO_PREPARE). */
  PREPARE, BARE,
  /** The switch, per strategy. */
  PIVOT, MOVE, CHROOT,
  /** move: steps before everything else (hardened reads mountinfo first); 0: none. */
  MOVE_FIRST,
  /** chroot: the whole switch, with no prepare (no mount namespace to prepare); 0: prepare + CHROOT. */
  CHROOT_ALONE,
  /** Strategy chroot chroots to the rootfs by path, not to "." after entering it (crun; youki, which runs its prepare first). */
  CHROOT_ALONE_BY_PATH,
  /** Finalize: close the root handle; re-apply the propagation (a POST_ kind); chdir("/") after it; the read-only remount; the cwd check. */
  CLOSE_ROOT_AFTER, POST, CHDIR_AFTER_POST, READONLY_AFTER, CHECK_CWD,
  /** Go strings: "" for an absent source and fstype, "bind" as the bind's fstype; else C's NULL. */
  GO,
  /** How a configured propagation becomes the first mount of "/" (a ROOT_ kind). */
  ROOT_RULE,
  /** Opens /proc/self/mountinfo directly; else /proc/thread-self/mountinfo, then /proc/self on ENOENT. */
  MOUNTINFO_SELF,
  /** How the rootfs's parent mount is found and changed (a PARENT_ kind). */
  PARENT_RULE,
  /** enter_root is chdir(rootfs); else fchdir(root handle). */
  ENTER_BY_PATH,
  /** The detach repeats until EINVAL (bounded by MAX_DETACH). */
  DETACH_LOOPS,
  /** A mask that cannot be unmounted is covered: mount(SOURCE, mask, "tmpfs", FLAGS, DATA). */
  COVER_SOURCE, COVER_FLAGS, COVER_DATA,
  /** umount2 EPERM on a mask is covered too (as EINVAL always is). */
  COVER_ON_EPERM,
  /** mask_propagation ENOENT (the mount vanished with its parent) skips that mask. */
  MASK_VANISHED_SKIPS,
  /** Masks go children first (reverse mountinfo order). */
  MASKS_CHILDREN_FIRST,
  /** move_root's fstype and data arguments. */
  MOVE_FSTYPE, MOVE_DATA,
  /** auto: pivot_root EINVAL on a ramfs root falls back to MS_MOVE. */
  RAMFS_FALLBACK,
  /** Every mountinfo read asks for this many bytes (a reader's fixed buffer); 0: the room left in the machine's buffer. */
  READ_SIZE,
  /** The read-only remount is made under strategy chroot too (the runtime does it whatever the namespace). */
  READONLY_IN_CHROOT,
  /** Handles are opened with openat2 (resolve flags per step, emit.ts), again with openat on ENOSYS (LXC's open_at). */
  OPENAT2,
  /** A failed mountinfo open or read is logged, not fatal: the steps that use it are skipped (LXC). */
  MOUNTINFO_OPTIONAL,
  /** mountinfo is parsed at its end of file, before its close: the mounts it decides come while the fd is open (LXC's __do_close). */
  PARSE_AT_EOF,
  /** auto: steps between prepare and the switch, ending in a control entry that picks it (LXC's detect_ramfs_rootfs); 0: none. */
  DETECT,
  /** Read-only root: mount_setattr(MOUNT_ATTR_RDONLY) on the root handle, then its close, after everything (crun 1.29 finalize_mounts). */
  READONLY_SETATTR,
  /** How failures are worded (a MESSAGES_ kind). */
  MESSAGES,
  /** Reasons that differ from the default ones (reasons.ts): (step, text id) pairs, ending at step 0; 0: none.
   * A u16 list, memory.data<u16>([<u16>Step.x, T.R_X, ..., 0]): a u32 one would compile and be misread. */
  REASONS,
  COUNT,
}

/** The wide columns of a record (WIDES, one u32 each): flags beyond 16 bits. */
export enum W {
  /** The propagation of "/" when none is configured. */
  ROOT_PROPAGATION,
  /** open flags: the root handle, the old root, the new root. */
  OPEN_ROOT_FLAGS, OPEN_OLD_FLAGS, OPEN_NEW_FLAGS,
  /** The old root's propagation before its detach. */
  OLD_ROOT_PROPAGATION,
  /** Steps (bit 1 << step, all below 32) repeated on EINTR, at most MAX_EINTR times. */
  EINTR_STEPS,
  /** The bind's remount (bind_remount) adds these to MS_SILENT|MS_BIND|MS_REMOUNT: the flags bwrap ORs in over the ones it assumes the mount has. */
  BIND_REMOUNT_FLAGS,
  COUNT,
}

export const POST_NEVER: u16 = 0; //                runc 1.1
export const POST_UNLESS_PRIVATE_OR_SLAVE: u16 = 1; // runc main (§2.1 step 8)
export const POST_ALWAYS: u16 = 2; //               crun's libcrun_do_pivot_root (§3.1)
export const POST_SHARED_OR_UNBINDABLE: u16 = 3; // youki adjust_root_mount_propagation: the kind alone, no MS_REC

export const PARENT_WALK: u16 = 0; //               up the path on EINVAL, MS_PRIVATE (crun 1.8.1)
export const PARENT_WALK_SLAVE: u16 = 1; //         the same, MS_SLAVE when the root propagation is slave (runc PR #5200)
export const PARENT_MOUNTINFO: u16 = 2; //          the longest mount point prefix, MS_PRIVATE if shared (runc 1.1)
export const PARENT_MOUNTINFO_PATH: u16 = 3; //     the same by path components, undecoded names, last of equals (youki)

export const ROOT_AS_CONFIGURED: u16 = 0; //        the configured flags as they are (runc, crun)
export const ROOT_REC_KIND_OR_SLAVE: u16 = 1; //    MS_REC with shared or private, else MS_REC|MS_SLAVE (youki rootfs.rs L41-L49)

export const MESSAGES_RUNC: u16 = 0;
export const MESSAGES_RUNC_1_1: u16 = 1;
export const MESSAGES_CRUN: u16 = 2;
export const MESSAGES_ERRNO: u16 = 3; //            youki: the error value is the errno alone (nix Errno's Display)
export const MESSAGES_BWRAP: u16 = 4; //            bwrap: "bwrap: " + its die_with_error text + ": " + strerror
export const MESSAGES_LXC: u16 = 5; //              LXC: "<function>: " + its SYSERROR text + " - " + strerror

export const NO_TEXT: u16 = 0xffff;
/** A column the profile's steps never read (e.g. the new root's open flags where no step opens it). */
const UNUSED: u16 = 0;

const EINTR_GO_OPENS: u32 = (1 << Step.mountinfo_open) | (1 << Step.mountinfo_read) | (1 << Step.open_root);

const HARDENED_REASONS: usize = memory.data<u16>([<u16>Step.open_old_root, T.R_OPEN_OLD_HARD,
  <u16>Step.detach_old_root, T.R_DETACH_LOOP, 0]);
const RUNC11_REASONS: usize = memory.data<u16>([<u16>Step.mountinfo_open, T.R_MI_OPEN_11,
  <u16>Step.parent_propagation, T.R_PARENT_11, 0]);
const CRUN_REASONS: usize = memory.data<u16>([<u16>Step.propagate_root, T.R_PROPAGATE_CRUN,
  <u16>Step.parent_propagation, T.R_PARENT_CRUN, <u16>Step.open_root, T.R_OPEN_ROOT_CRUN,
  <u16>Step.old_root_propagation, T.R_OLD_PROP_CRUN, <u16>Step.detach_old_root, T.R_DETACH_LOOP,
  <u16>Step.mask_umount, T.R_MASK_UMOUNT_CRUN, <u16>Step.mask_cover, T.R_MASK_COVER_CRUN,
  <u16>Step.close_root, T.R_CLOSE_ROOT_CRUN, <u16>Step.post_propagation, T.R_POST_PROP_CRUN, 0]);

const CRUN129_REASONS: usize = memory.data<u16>([<u16>Step.propagate_root, T.R_PROPAGATE_CRUN,
  <u16>Step.open_root, T.R_OPEN_ROOT_CRUN129, <u16>Step.old_root_propagation, T.R_OLD_PROP_CRUN, <u16>Step.detach_old_root, T.R_DETACH_LOOP,
  <u16>Step.mask_umount, T.R_MASK_UMOUNT_CRUN, <u16>Step.mask_cover, T.R_MASK_COVER_CRUN, <u16>Step.open_rootfs_src, T.R_TREE_OPEN_CRUN,
  <u16>Step.close_rootfs_src, T.R_TREE_CLOSE_CRUN, <u16>Step.close_tree, T.R_CLOSE_TREE_NS_CRUN, <u16>Step.close_root, T.R_CLOSE_ROOT_CRUN129, <u16>Step.post_propagation, T.R_POST_PROP_CRUN, 0]);

const YOUKI_REASONS: usize = memory.data<u16>([<u16>Step.propagate_root, T.R_PROPAGATE_YOUKI,
  <u16>Step.mountinfo_open, T.R_MI_OPEN_YOUKI, <u16>Step.parent_propagation, T.R_PARENT_YOUKI, <u16>Step.self_bind, T.R_SELF_BIND_YOUKI,
  <u16>Step.chdir_rootfs, T.R_CHDIR_ROOTFS_YOUKI,
  <u16>Step.open_old_root, T.R_OPEN_OLD_YOUKI, <u16>Step.open_new_root, T.R_OPEN_NEW_YOUKI,
  <u16>Step.old_root_propagation, T.R_OLD_PROP_YOUKI, <u16>Step.mask_umount, T.R_MASK_UMOUNT_YOUKI,
  <u16>Step.mask_cover, T.R_MASK_COVER_YOUKI, <u16>Step.chroot_root, T.R_CHROOT_YOUKI,
  <u16>Step.post_propagation, T.R_POST_PROP_YOUKI, <u16>Step.readonly_remount, T.R_READONLY_YOUKI, 0]);

const LXC_REASONS: usize = memory.data<u16>([<u16>Step.mountinfo_open, T.R_MI_OPEN_LXC, <u16>Step.open_old_root, T.R_OPEN_OLD_LXC,
  <u16>Step.chdir_root, T.R_CHDIR_ROOT_LXC,
  <u16>Step.fchdir_new_root, T.R_FCHDIR_NEW_LXC, <u16>Step.old_root_propagation, T.R_OLD_PROP_LXC, <u16>Step.close_old_root, T.R_CLOSE_OLD_LXC,
  <u16>Step.close_root, T.R_CLOSE_ROOT_LXC, 0]);

/** LXC's PROTECT_OPATH_DIRECTORY (open_utils.h L70): O_PATH|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC. */
export const LXC_OPATH_DIRECTORY: u32 = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
/** LXC's PROTECT_LOOKUP_ABSOLUTE: no mount crossing, no magic links, no symlinks. */
export const LXC_LOOKUP_ABSOLUTE: u32 = RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS;

const BWRAP_REASONS: usize = memory.data<u16>([<u16>Step.propagate_root, T.R_PROPAGATE_BWRAP,
  <u16>Step.open_old_root, T.R_OPEN_OLD_BWRAP, <u16>Step.detach_old_root, T.R_DETACH_BWRAP, <u16>Step.close_old_root, T.R_CLOSE_OLD_BWRAP, 0]);

/** bwrap's bind_mount: MS_NOSUID and MS_NODEV (no --dev-bind) over the mount's own flags, assumed relatime. */
const BWRAP_BIND_FLAGS: u32 = MS_NOSUID | MS_NODEV | MS_RELATIME;

/** The records, in Profile order (abi.ts), F.COUNT u16 columns each (u32 columns, their upper halves
 * mostly zero, made the release wasm 298 B larger). A step list's address fits while static data ends
 * below 64 KiB (checked below); a value that needs more bits is a wide column (WIDES). */
const DEFS: usize = memory.data<u16>([
  // hardened (docs/profiles.md): runc main's calls with O_CLOEXEC on every handle, mountinfo first
  // when it may move, children-first masks, a detach loop, the cwd check, the ramfs fallback.
  /* AUTO */ <u16>MOUNTINFO_CHOOSE, /* PREPARE */ <u16>RUNC_PREPARE, /* BARE */ <u16>OPEN_AND_ENTER,
  /* PIVOT */ <u16>RUNC_PIVOT, /* MOVE */ <u16>HARDENED_MOVE, /* CHROOT */ UNUSED,
  /* MOVE_FIRST */ <u16>MOUNTINFO, /* CHROOT_ALONE */ <u16>HARDENED_CHROOT, /* CHROOT_ALONE_BY_PATH */ 0,
  /* CLOSE_ROOT_AFTER */ 1, /* POST */ POST_UNLESS_PRIVATE_OR_SLAVE, /* CHDIR_AFTER_POST */ 0, /* READONLY_AFTER */ 1, /* CHECK_CWD */ 1,
  /* GO */ 1, /* ROOT_RULE */ ROOT_AS_CONFIGURED, /* MOUNTINFO_SELF */ 0, /* PARENT_RULE */ PARENT_WALK_SLAVE, /* ENTER_BY_PATH */ 0,
  /* DETACH_LOOPS */ 1, /* COVER_SOURCE */ T.TMPFS, /* COVER_FLAGS */ 0, /* COVER_DATA */ NO_TEXT, /* COVER_ON_EPERM */ 1,
  /* MASK_VANISHED_SKIPS */ 0, /* MASKS_CHILDREN_FIRST */ 1, /* MOVE_FSTYPE */ T.EMPTY, /* MOVE_DATA */ NO_TEXT, /* RAMFS_FALLBACK */ 1,
  /* READ_SIZE */ 0, /* READONLY_IN_CHROOT */ 0,   /* OPENAT2 */ 0, /* MOUNTINFO_OPTIONAL */ 0, /* PARSE_AT_EOF */ 0, /* DETECT */ 0, /* READONLY_SETATTR */ 0,
  /* MESSAGES */ MESSAGES_RUNC, /* REASONS */ <u16>HARDENED_REASONS,

  // runc main (76d9cf5): Go's os.Open retries EINTR, and so does its linux.Open of the old root.
  /* AUTO */ 0, /* PREPARE */ <u16>RUNC_PREPARE, /* BARE */ <u16>OPEN_AND_ENTER,
  /* PIVOT */ <u16>RUNC_PIVOT, /* MOVE */ <u16>RUNC_MOVE, /* CHROOT */ <u16>CHROOT_DOT,
  /* MOVE_FIRST */ 0, /* CHROOT_ALONE */ 0, /* CHROOT_ALONE_BY_PATH */ 0,
  /* CLOSE_ROOT_AFTER */ 1, /* POST */ POST_UNLESS_PRIVATE_OR_SLAVE, /* CHDIR_AFTER_POST */ 0, /* READONLY_AFTER */ 1, /* CHECK_CWD */ 0,
  /* GO */ 1, /* ROOT_RULE */ ROOT_AS_CONFIGURED, /* MOUNTINFO_SELF */ 0, /* PARENT_RULE */ PARENT_WALK_SLAVE, /* ENTER_BY_PATH */ 0,
  /* DETACH_LOOPS */ 0, /* COVER_SOURCE */ T.TMPFS, /* COVER_FLAGS */ 0, /* COVER_DATA */ NO_TEXT, /* COVER_ON_EPERM */ 1,
  /* MASK_VANISHED_SKIPS */ 1, /* MASKS_CHILDREN_FIRST */ 0, /* MOVE_FSTYPE */ T.EMPTY, /* MOVE_DATA */ NO_TEXT, /* RAMFS_FALLBACK */ 0,
  /* READ_SIZE */ 0, /* READONLY_IN_CHROOT */ 0,   /* OPENAT2 */ 0, /* MOUNTINFO_OPTIONAL */ 0, /* PARSE_AT_EOF */ 0, /* DETECT */ 0, /* READONLY_SETATTR */ 0,
  /* MESSAGES */ MESSAGES_RUNC, /* REASONS */ 0,

  // runc 1.1.5: opens /proc/self/mountinfo, chdir(rootfs), both roots with unix.Open (no EINTR retry).
  /* AUTO */ 0, /* PREPARE */ <u16>RUNC11_PREPARE, /* BARE */ <u16>ENTER,
  /* PIVOT */ <u16>BOTH_ROOTS_PIVOT, /* MOVE */ <u16>RUNC_MOVE, /* CHROOT */ <u16>CHROOT_DOT,
  /* MOVE_FIRST */ 0, /* CHROOT_ALONE */ 0, /* CHROOT_ALONE_BY_PATH */ 0,
  /* CLOSE_ROOT_AFTER */ 0, /* POST */ POST_NEVER, /* CHDIR_AFTER_POST */ UNUSED, /* READONLY_AFTER */ 1, /* CHECK_CWD */ 0,
  /* GO */ 1, /* ROOT_RULE */ ROOT_AS_CONFIGURED, /* MOUNTINFO_SELF */ 1, /* PARENT_RULE */ PARENT_MOUNTINFO, /* ENTER_BY_PATH */ 1,
  /* DETACH_LOOPS */ 0, /* COVER_SOURCE */ T.TMPFS, /* COVER_FLAGS */ 0, /* COVER_DATA */ NO_TEXT, /* COVER_ON_EPERM */ 1,
  /* MASK_VANISHED_SKIPS */ 1, /* MASKS_CHILDREN_FIRST */ 0, /* MOVE_FSTYPE */ T.EMPTY, /* MOVE_DATA */ NO_TEXT, /* RAMFS_FALLBACK */ 0,
  /* READ_SIZE */ 0, /* READONLY_IN_CHROOT */ 0,   /* OPENAT2 */ 0, /* MOUNTINFO_OPTIONAL */ 0, /* PARSE_AT_EOF */ 0, /* DETECT */ 0, /* READONLY_SETATTR */ 0,
  /* MESSAGES */ MESSAGES_RUNC_1_1, /* REASONS */ <u16>RUNC11_REASONS,

  // crun 1.8.1: C strings (NULL), rprivate, O_PATH root handle closed before the switch, fixed
  // masks hidden with tmpfs size=0k on EINVAL only, a detach loop, open(2) called once.
  /* AUTO */ 0, /* PREPARE */ <u16>CRUN_PREPARE, /* BARE */ 0,
  /* PIVOT */ <u16>BOTH_ROOTS_PIVOT, /* MOVE */ <u16>CRUN_MOVE, /* CHROOT */ UNUSED,
  /* MOVE_FIRST */ 0, /* CHROOT_ALONE */ <u16>CHROOT_DOT, /* CHROOT_ALONE_BY_PATH */ 1,
  /* CLOSE_ROOT_AFTER */ 0, /* POST */ POST_ALWAYS, /* CHDIR_AFTER_POST */ 1, /* READONLY_AFTER */ 0, /* CHECK_CWD */ 0,
  /* GO */ 0, /* ROOT_RULE */ ROOT_AS_CONFIGURED, /* MOUNTINFO_SELF */ UNUSED, /* PARENT_RULE */ PARENT_WALK, /* ENTER_BY_PATH */ UNUSED,
  /* DETACH_LOOPS */ 1, /* COVER_SOURCE */ NO_TEXT, /* COVER_FLAGS */ 0, /* COVER_DATA */ T.SIZE_0K, /* COVER_ON_EPERM */ 0,
  /* MASK_VANISHED_SKIPS */ UNUSED, /* MASKS_CHILDREN_FIRST */ UNUSED, /* MOVE_FSTYPE */ T.EMPTY, /* MOVE_DATA */ T.EMPTY, /* RAMFS_FALLBACK */ 0,
  /* READ_SIZE */ 0, /* READONLY_IN_CHROOT */ 0,   /* OPENAT2 */ 0, /* MOUNTINFO_OPTIONAL */ 0, /* PARSE_AT_EOF */ 0, /* DETECT */ 0, /* READONLY_SETATTR */ 0,
  /* MESSAGES */ MESSAGES_CRUN, /* REASONS */ <u16>CRUN_REASONS,

  // youki main (bc78720): C-style NULLs (nix's None), rslave unless shared/private, the parent from
  // /proc/self/mountinfo, both roots O_PATH|O_CLOEXEC, one detach, fixed masks covered read-only,
  // chroot(rootfs) with no chdir, the errno as its only message.
  // std's BufReader (8 KiB) retries an interrupted read; pathrs's open does not (docs/sources.md#youki).
  /* AUTO */ 0, /* PREPARE */ <u16>YOUKI_PREPARE, /* BARE */ 0,
  /* PIVOT */ <u16>BOTH_ROOTS_PIVOT, /* MOVE */ <u16>CRUN_MOVE, /* CHROOT */ <u16>CHROOT_ONLY,
  /* MOVE_FIRST */ 0, /* CHROOT_ALONE */ 0, /* CHROOT_ALONE_BY_PATH */ 1,
  /* CLOSE_ROOT_AFTER */ 0, /* POST */ POST_SHARED_OR_UNBINDABLE, /* CHDIR_AFTER_POST */ 0, /* READONLY_AFTER */ 1, /* CHECK_CWD */ 0,
  /* GO */ 0, /* ROOT_RULE */ ROOT_REC_KIND_OR_SLAVE, /* MOUNTINFO_SELF */ 1,
  /* PARENT_RULE */ PARENT_MOUNTINFO_PATH, /* ENTER_BY_PATH */ UNUSED,
  /* DETACH_LOOPS */ 0, /* COVER_SOURCE */ NO_TEXT, /* COVER_FLAGS */ <u16>MS_RDONLY, /* COVER_DATA */ T.SIZE_0K, /* COVER_ON_EPERM */ 0,
  /* MASK_VANISHED_SKIPS */ UNUSED, /* MASKS_CHILDREN_FIRST */ UNUSED, /* MOVE_FSTYPE */ NO_TEXT, /* MOVE_DATA */ NO_TEXT, /* RAMFS_FALLBACK */ 0,
  /* READ_SIZE */ 8192, /* READONLY_IN_CHROOT */ 1,   /* OPENAT2 */ 0, /* MOUNTINFO_OPTIONAL */ 0, /* PARSE_AT_EOF */ 0, /* DETECT */ 0, /* READONLY_SETATTR */ 0,
  /* MESSAGES */ MESSAGES_ERRNO, /* REASONS */ <u16>YOUKI_REASONS,

  // bwrap 0.8.0: C NULLs, a fixed rslave of "/" with MS_SILENT, its own staging pivot, the old
  // root opened O_DIRECTORY|O_RDONLY without O_CLOEXEC, one detach, no MS_MOVE fallback (move and
  // chroot are refused by the config rule pivot_only, abi.ts), die_with_error's messages.
  // bwrap calls open(2) and mount(2) once each: no EINTR retry (a signal-free single thread).
  /* AUTO */ 0, /* PREPARE */ <u16>BWRAP_PREPARE, /* BARE */ 0,
  /* PIVOT */ <u16>BWRAP_PIVOT, /* MOVE */ UNUSED, /* CHROOT */ UNUSED,
  /* MOVE_FIRST */ 0, /* CHROOT_ALONE */ 0, /* CHROOT_ALONE_BY_PATH */ 0,
  /* CLOSE_ROOT_AFTER */ 0, /* POST */ POST_NEVER, /* CHDIR_AFTER_POST */ 0, /* READONLY_AFTER */ 0, /* CHECK_CWD */ 0,
  /* GO */ 0, /* ROOT_RULE */ ROOT_AS_CONFIGURED, /* MOUNTINFO_SELF */ UNUSED,
  /* PARENT_RULE */ UNUSED, /* ENTER_BY_PATH */ UNUSED,
  /* DETACH_LOOPS */ 0, /* COVER_SOURCE */ NO_TEXT, /* COVER_FLAGS */ 0, /* COVER_DATA */ NO_TEXT, /* COVER_ON_EPERM */ 0,
  /* MASK_VANISHED_SKIPS */ UNUSED, /* MASKS_CHILDREN_FIRST */ UNUSED, /* MOVE_FSTYPE */ NO_TEXT, /* MOVE_DATA */ NO_TEXT, /* RAMFS_FALLBACK */ 0,
  /* READ_SIZE */ 0, /* READONLY_IN_CHROOT */ 0,   /* OPENAT2 */ 0, /* MOUNTINFO_OPTIONAL */ 0, /* PARSE_AT_EOF */ 0, /* DETECT */ 0, /* READONLY_SETATTR */ 0,
  /* MESSAGES */ MESSAGES_BWRAP, /* REASONS */ <u16>BWRAP_REASONS,

  // LXC 5.0.2: "" strings (mount("", ".", "", ...)), openat2 handles with the openat fallback, the
  // dependent-mounts pass logged not fatal, one detach, the new root made rshared; move is
  // lxc_chroot, chroot refused (config rule lxc_no_chroot, abi.ts); SYSERROR's messages.
  // fd_to_fd and getline read with lxc_read_nointr / stdio, which retry EINTR; the opens do not (file_utils.c).
  /* AUTO */ 0, /* PREPARE */ <u16>LXC_PREPARE, /* BARE */ <u16>LXC_BARE,
  /* PIVOT */ <u16>LXC_PIVOT, /* MOVE */ <u16>LXC_CHROOT, /* CHROOT */ UNUSED,
  /* MOVE_FIRST */ 0, /* CHROOT_ALONE */ 0, /* CHROOT_ALONE_BY_PATH */ 0,
  /* CLOSE_ROOT_AFTER */ 1, /* POST */ POST_NEVER, /* CHDIR_AFTER_POST */ 0, /* READONLY_AFTER */ 0, /* CHECK_CWD */ 0,
  /* GO */ 1, /* ROOT_RULE */ ROOT_AS_CONFIGURED, /* MOUNTINFO_SELF */ 1,
  /* PARENT_RULE */ UNUSED, /* ENTER_BY_PATH */ UNUSED,
  /* DETACH_LOOPS */ 0, /* COVER_SOURCE */ NO_TEXT, /* COVER_FLAGS */ 0, /* COVER_DATA */ NO_TEXT, /* COVER_ON_EPERM */ 0,
  /* MASK_VANISHED_SKIPS */ UNUSED, /* MASKS_CHILDREN_FIRST */ UNUSED, /* MOVE_FSTYPE */ NO_TEXT, /* MOVE_DATA */ NO_TEXT, /* RAMFS_FALLBACK */ 0,
  /* READ_SIZE */ 4096, /* READONLY_IN_CHROOT */ 0,   /* OPENAT2 */ 1, /* MOUNTINFO_OPTIONAL */ 1, /* PARSE_AT_EOF */ 1, /* DETECT */ <u16>LXC_DETECT, /* READONLY_SETATTR */ 0,
  /* MESSAGES */ MESSAGES_LXC, /* REASONS */ <u16>LXC_REASONS,

  // crun main (ba38286): crun 1.8.1's calls where they did not change (C NULLs, rprivate, the detach
  // loop, move_root, umount_or_hide), O_PATH|O_CLOEXEC handles, the OPEN_TREE_NAMESPACE try, the
  // fd walk, the switch after the mounts, the read-only root by mount_setattr at the very end.
  /* AUTO */ 0, /* PREPARE */ <u16>CRUN129_PREPARE, /* BARE */ <u16>OPEN_ROOT,
  /* PIVOT */ <u16>CRUN129_PIVOT, /* MOVE */ <u16>CRUN129_MOVE, /* CHROOT */ UNUSED,
  /* MOVE_FIRST */ 0, /* CHROOT_ALONE */ <u16>CRUN129_CHROOT, /* CHROOT_ALONE_BY_PATH */ 1,
  /* CLOSE_ROOT_AFTER */ 0, /* POST */ POST_ALWAYS, /* CHDIR_AFTER_POST */ 1, /* READONLY_AFTER */ 0, /* CHECK_CWD */ 0,
  /* GO */ 0, /* ROOT_RULE */ ROOT_AS_CONFIGURED, /* MOUNTINFO_SELF */ UNUSED, /* PARENT_RULE */ UNUSED, /* ENTER_BY_PATH */ UNUSED,
  /* DETACH_LOOPS */ 1, /* COVER_SOURCE */ NO_TEXT, /* COVER_FLAGS */ 0, /* COVER_DATA */ T.SIZE_0K, /* COVER_ON_EPERM */ 0,
  /* MASK_VANISHED_SKIPS */ UNUSED, /* MASKS_CHILDREN_FIRST */ UNUSED, /* MOVE_FSTYPE */ T.EMPTY, /* MOVE_DATA */ T.EMPTY, /* RAMFS_FALLBACK */ 0,
  /* READ_SIZE */ 0, /* READONLY_IN_CHROOT */ 0,   /* OPENAT2 */ 0, /* MOUNTINFO_OPTIONAL */ 0, /* PARSE_AT_EOF */ 0, /* DETECT */ 0, /* READONLY_SETATTR */ 1,
  /* MESSAGES */ MESSAGES_CRUN, /* REASONS */ <u16>CRUN129_REASONS,]);

// A list's address in a u16 cell: the module stops at start if static data ever reaches 64 KiB
// (folds away while it does not: 0 B).
if (__heap_base > 0x10000) unreachable();

/** The wide columns (W) of each record, in Profile order: flags beyond 16 bits. */
const WIDES: usize = memory.data<u32>([
  // hardened
  /* ROOT_PROPAGATION */ MS_SLAVE | MS_REC, /* OPEN_ROOT_FLAGS */ O_RDONLY | O_CLOEXEC | O_PATH | O_DIRECTORY,
  /* OPEN_OLD_FLAGS */ O_RDONLY | O_CLOEXEC | O_PATH | O_DIRECTORY, /* OPEN_NEW_FLAGS */ UNUSED,
  /* OLD_ROOT_PROPAGATION */ MS_SLAVE | MS_REC, /* EINTR_STEPS */ EINTR_GO_OPENS | (1 << Step.open_old_root),
  /* BIND_REMOUNT_FLAGS */ UNUSED,

  // runc main
  /* ROOT_PROPAGATION */ MS_SLAVE | MS_REC, /* OPEN_ROOT_FLAGS */ O_RDONLY | O_CLOEXEC | O_PATH | O_DIRECTORY,
  /* OPEN_OLD_FLAGS */ O_RDONLY | O_PATH | O_DIRECTORY, /* OPEN_NEW_FLAGS */ UNUSED,
  /* OLD_ROOT_PROPAGATION */ MS_SLAVE | MS_REC, /* EINTR_STEPS */ EINTR_GO_OPENS | (1 << Step.open_old_root),
  /* BIND_REMOUNT_FLAGS */ UNUSED,

  // runc 1.1
  /* ROOT_PROPAGATION */ MS_SLAVE | MS_REC, /* OPEN_ROOT_FLAGS */ UNUSED,
  /* OPEN_OLD_FLAGS */ O_RDONLY | O_DIRECTORY, /* OPEN_NEW_FLAGS */ O_RDONLY | O_DIRECTORY,
  /* OLD_ROOT_PROPAGATION */ MS_SLAVE | MS_REC, /* EINTR_STEPS */ EINTR_GO_OPENS,
  /* BIND_REMOUNT_FLAGS */ UNUSED,

  // crun 1.8.1
  /* ROOT_PROPAGATION */ MS_REC | MS_PRIVATE, /* OPEN_ROOT_FLAGS */ O_PATH | O_CLOEXEC,
  /* OPEN_OLD_FLAGS */ O_RDONLY | O_PATH | O_DIRECTORY, /* OPEN_NEW_FLAGS */ O_RDONLY | O_DIRECTORY,
  /* OLD_ROOT_PROPAGATION */ MS_REC | MS_PRIVATE, /* EINTR_STEPS */ 0, /* BIND_REMOUNT_FLAGS */ UNUSED,

  // youki
  /* ROOT_PROPAGATION */ MS_REC | MS_SLAVE, /* OPEN_ROOT_FLAGS */ UNUSED,
  /* OPEN_OLD_FLAGS */ O_DIRECTORY | O_PATH | O_CLOEXEC, /* OPEN_NEW_FLAGS */ O_DIRECTORY | O_PATH | O_CLOEXEC,
  /* OLD_ROOT_PROPAGATION */ MS_SLAVE | MS_REC, /* EINTR_STEPS */ 1 << Step.mountinfo_read,
  /* BIND_REMOUNT_FLAGS */ UNUSED,

  // bwrap
  /* ROOT_PROPAGATION */ MS_SILENT | MS_SLAVE | MS_REC, /* OPEN_ROOT_FLAGS */ UNUSED,
  /* OPEN_OLD_FLAGS */ O_DIRECTORY | O_RDONLY, /* OPEN_NEW_FLAGS */ UNUSED, /* OLD_ROOT_PROPAGATION */ UNUSED,
  /* EINTR_STEPS */ 0, /* BIND_REMOUNT_FLAGS */ BWRAP_BIND_FLAGS,

  // LXC
  /* ROOT_PROPAGATION */ UNUSED, /* OPEN_ROOT_FLAGS */ UNUSED, /* OPEN_OLD_FLAGS */ LXC_OPATH_DIRECTORY,
  /* OPEN_NEW_FLAGS */ UNUSED, /* OLD_ROOT_PROPAGATION */ MS_SLAVE | MS_REC,
  /* EINTR_STEPS */ 1 << Step.mountinfo_read, /* BIND_REMOUNT_FLAGS */ UNUSED,

  // crun 1.29
  /* ROOT_PROPAGATION */ MS_REC | MS_PRIVATE, /* OPEN_ROOT_FLAGS */ O_PATH | O_CLOEXEC,
  /* OPEN_OLD_FLAGS */ O_DIRECTORY | O_PATH | O_CLOEXEC, /* OPEN_NEW_FLAGS */ O_DIRECTORY | O_PATH | O_CLOEXEC,
  /* OLD_ROOT_PROPAGATION */ MS_REC | MS_PRIVATE, /* EINTR_STEPS */ 0, /* BIND_REMOUNT_FLAGS */ UNUSED,
]);

/**
 * How many records DEFS holds: the profile ids a config may name are 0 to PROFILES - 1. A column
 * added to F but not to every record shifts the records after it: every golden then fails.
 */
export const PROFILES: i32 = 8;

/**
 * This run's record: start() points it at the checked profile's (use()), so a column read is one
 * load at a constant offset, not S.cfg.profile * COUNT at every read (−664 B of code).
 */
let REC: usize = DEFS;
/** The same for its wide columns (WIDES). */
let WREC: usize = WIDES;

/** Makes profile `p`'s record the run's (p is checked by config.ts first). */
export function use(p: i32): void {
  REC = DEFS + ((<usize>p * <usize>F.COUNT) << 1);
  WREC = WIDES + ((<usize>p * <usize>W.COUNT) << 2);
}

/** A column of this run's profile. */
// @ts-ignore: decorator
@inline export function my(f: F): u32 { return load<u16>(REC + (<usize>f << 1)); }

/** A wide column of this run's profile. */
// @ts-ignore: decorator
@inline export function wide(w: W): u32 { return load<u32>(WREC + (<usize>w << 2)); }

/** A yes/no column of this run's profile. */
// @ts-ignore: decorator
@inline export function has(f: F): bool { return my(f) != 0; }

/** A text column of this run's profile as a Str: NULL for NO_TEXT. */
export function text(f: F): Str {
  const id = my(f);
  return id == NO_TEXT ? NULL : txt(id);
}

/** The parent is picked from mountinfo (runc 1.1, youki), not walked up the path by EINVAL. */
export function parentFromMountinfo(rule: u32): bool { return rule == PARENT_MOUNTINFO || rule == PARENT_MOUNTINFO_PATH; }

/** The text id paired with `step` in a list of (step, text id) u16 pairs ending at step 0 (list 0:
 * none), or NO_TEXT: the records' REASONS, and messages.ts's per-step texts. */
export function pick(list: usize, step: i32): u32 {
  if (list != 0) for (let at = list; load<u16>(at) != 0; at += 4) if (load<u16>(at) == <u32>step) return load<u16>(at + 2);
  return NO_TEXT;
}

/** The reason text id this run's profile gives for `step` in place of the default one, or NO_TEXT. */
export function reasonOverride(step: i32): u32 { return pick(<usize>my(F.REASONS), step); }
