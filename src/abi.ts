// The ONE place for numbers shared by the machine (assembly/) and the shell (src/): ABI version,
// op codes, states, request layout, config codes, the kernel's flag values and errno numbers.
// Written in the subset both asc and tsc compile: enums and plain numeric consts only. No imports,
// no functions, no strings (names live in src/names.ts, generated into assembly/generated/text.ts).

/** Bumped on any change to exports, the request/outcome layout or the meaning of a code. */
export const ABI_VERSION = 6;

/** What a request asks for. One op = one syscall, named as the kernel names it. */
export enum Op {
  none = 0,
  openat = 1,
  read = 2,
  close = 3,
  fchdir = 4,
  chdir = 5,
  chroot = 6,
  pivot_root = 7,
  mount = 8,
  umount2 = 9,
  getcwd = 10,
  /** Host-only: the machine never emits it; run's hooks do (a new UTS namespace only). ABI 3. */
  sethostname = 11,
  /** mkdir(pathname, mode): bwrap's staging directories. ABI 4. */
  mkdir = 12,
  /** openat2(dirfd, pathname, &how, sizeof how): how.flags in REQ_FLAGS, how.mode in REQ_MODE, how.resolve in REQ_COUNT. LXC. ABI 5. */
  openat2 = 13,
  /** open_tree(dirfd, pathname, flags): LXC's rootfs bind (OPEN_TREE_CLONE). ABI 5. */
  open_tree = 14,
  /** move_mount(from_dirfd, from_pathname, to_dirfd, to_pathname, flags): from_dirfd in REQ_FD, to_dirfd in REQ_COUNT. ABI 5. */
  move_mount = 15,
  /** setns(fd, nstype): nstype in REQ_FLAGS. crun 1.29 enters the namespace open_tree(OPEN_TREE_NAMESPACE) made. ABI 6. */
  setns = 16,
  /** mount_setattr(dirfd, pathname, flags, &attr, 32): attr.propagation in REQ_COUNT, attr.attr_set in REQ_MODE;
   * attr_clr and userns_fd are 0 (no profile clears an attribute). crun 1.29. ABI 6. */
  mount_setattr = 17,
  /** Terminal: the switch is complete. */
  DONE = 100,
  /** Terminal: the switch failed; see the outcome block. */
  FAILED = 101,
}

// Request block, filled by next() at request_ptr(). All fields are little-endian u32/i32.
// A string argument is (ptr, len); ptr == 0 means NULL, and "" is a non-zero ptr with len 0.
export const REQ_OP = 0; //         Op
export const REQ_SEQ = 4; //        0-based index of this request in the run
export const REQ_FD = 8; //         dirfd (openat, openat2, open_tree, mount_setattr), fd (read, close, fchdir, setns), from_dirfd (move_mount)
export const REQ_FLAGS = 12; //     O_* (openat, openat2's how.flags), MS_* (mount), MNT_* (umount2), OPEN_TREE_*|AT_* (open_tree), MOVE_MOUNT_* (move_mount), CLONE_* (setns), AT_* (mount_setattr)
export const REQ_COUNT = 16; //     buffer size (read, getcwd); how.resolve (openat2); to_dirfd (move_mount); attr.propagation (mount_setattr)
export const REQ_BUF = 20; //       buffer ptr the host writes into (read, getcwd)
export const REQ_STR0 = 24; //      path / source / new_root / target / from_pathname (ptr at +0, len at +4)
export const REQ_STR1 = 32; //      target (mount) / put_old (pivot_root) / to_pathname (move_mount)
export const REQ_STR2 = 40; //      fstype (mount)
export const REQ_STR3 = 48; //      data (mount)
export const REQ_REASON = 56; //    why this step exists, with its source (UTF-8)
export const REQ_STEP = 64; //      Step code: which step of the plan this request belongs to
export const REQ_MODE = 68; //      mode: mkdir's (0755 for bwrap); openat's and openat2's how.mode, always 0 here; attr.attr_set (mount_setattr)
export const REQ_SIZE = 72;

// Outcome block, valid once next() returned DONE or FAILED, at outcome_ptr().
export const OUT_OP = 0; //         Op that failed (FAILED), or Op.none
export const OUT_ERRNO = 4; //      errno fed back for the failing request, 0 if none
export const OUT_STEP = 8; //       Step code of the failing request
export const OUT_SEQ = 12; //       request index of the failing request, -1 if none
export const OUT_PATH = 16; //      the path the runtime names in its error (ptr, len)
export const OUT_MESSAGE = 24; //   the message as the profile's runtime prints it (ptr, len)
export const OUT_NOTE = 32; //      a decision the machine took and why (e.g. auto → move), may be ""
export const OUT_SIZE = 40;

/**
 * The steps of a plan. Every request carries the step it belongs to; names in src/names.ts.
 * Steps 1-13 are the prepare phase, 20-29 the pivot switch, 30-39 the move and chroot switches,
 * 40-49 finalize, 50-61 bwrap's staging root (a tmpfs on /tmp, pivoted into first), 62-74 LXC's
 * prepare and pivot (openat2 handles, the rootfs bound with open_tree + move_mount), 75-86 crun
 * 1.29's (the tree namespace, the parent walk, the kept old root), 87-92 LXC's lxc_chroot (the
 * ramfs path). A step can emit several requests (the parent walk, the detach loop, the reads).
 */
export enum Step {
  none = 0,
  propagate_root = 1, //       mount(_, "/", _, F): make / rslave/rprivate before anything else
  mountinfo_open = 2, //       openat(/proc/thread-self/mountinfo)
  mountinfo_read = 3, //       read(fd, buf, n) until EOF
  mountinfo_close = 4, //      close(fd)
  parent_propagation = 6, //   the walk: mount(_, p, _, G) up the path until one is a mount point
  self_bind = 9, //            mount(rootfs, rootfs, _, MS_BIND|MS_REC): make rootfs a mount point
  self_private = 10, //        crun: MS_REC|MS_PRIVATE on the bind
  self_remount = 11, //        crun: MS_REMOUNT|MS_BIND on the bind
  readonly_root = 14, //       crun: MS_RDONLY|MS_REMOUNT|MS_BIND through /proc/self/fd/N, before the switch
  open_root = 12, //           the root handle
  enter_root = 13, //          fchdir(root handle) / chdir(rootfs)
  open_old_root = 20, //       openat("/"): a handle on the old root, to come back to it
  open_new_root = 21, //       openat(rootfs): crun, runc 1.1
  fchdir_new_root = 22, //     fchdir(new root)
  pivot_root = 23, //          pivot_root(".", ".")
  fchdir_old_root = 24, //     fchdir(old root)
  old_root_propagation = 25, // mount(_, ".", _, MS_REC|MS_SLAVE): so the detach cannot reach the host
  detach_old_root = 26, //     umount2(".", MNT_DETACH)
  chdir_root = 27, //          chdir("/")
  close_new_root = 28, //      close(new root)
  close_old_root = 29, //      close(old root)
  chdir_rootfs = 30, //        crun move: chdir(rootfs)
  mask_propagation = 31, //    move: mount(_, p, _, MS_SLAVE|MS_REC) on a full proc/sysfs
  mask_umount = 32, //         move: umount2(p, MNT_DETACH)
  mask_cover = 33, //          move: mount("tmpfs", p, "tmpfs"): when the umount is refused
  move_root = 34, //           mount(rootfs, "/", _, MS_MOVE)
  chroot_root = 35, //         chroot(".")
  close_root = 40, //          close(root handle) (crun: before the switch)
  post_propagation = 41, //    mount(_, "/", _, P): the root propagation re-applied after the switch
  readonly_remount = 42, //    mount(_, "/", _, MS_BIND|MS_REMOUNT|MS_RDONLY)
  check_cwd = 43, //           getcwd(): CVE-2024-21626 check
  stage_tmpfs = 50, //         bwrap: mount("tmpfs", "/tmp", "tmpfs", MS_NODEV|MS_NOSUID): the staging root
  chdir_stage = 51, //         bwrap: chdir("/tmp")
  mkdir_newroot = 52, //       bwrap: mkdir("newroot", 0755)
  bind_newroot = 53, //        bwrap: mount("newroot", "newroot", NULL, MS_SILENT|MS_MGC_VAL|MS_BIND|MS_REC)
  mkdir_oldroot = 54, //       bwrap: mkdir("oldroot", 0755)
  stage_pivot = 55, //         bwrap: pivot_root("/tmp", "oldroot"): the staging tmpfs becomes "/"
  bind_rootfs = 56, //         bwrap: mount("/oldroot" + rootfs, "/newroot/", NULL, MS_BIND|MS_REC|MS_SILENT)
  bind_remount = 57, //        bwrap: mount("none", "/newroot", NULL, MS_REMOUNT|MS_BIND|... nosuid, nodev[, ro])
  stage_old_private = 58, //   bwrap: mount("oldroot", "oldroot", NULL, MS_REC|MS_SILENT|MS_PRIVATE)
  stage_old_detach = 59, //    bwrap: umount2("oldroot", MNT_DETACH)
  chdir_newroot = 60, //       bwrap: chdir("/newroot") before pivot_root(".", ".")
  chdir_stage_root = 61, //    bwrap: chdir("/") right after the first pivot
  open_host = 62, //           lxc: openat2("/", O_PATH, RESOLVE_NO_XDEV|...): dfd_host, the host's root
  dependent_mount = 63, //     lxc: mount(NULL, mp, NULL, MS_SLAVE, NULL) for each shared mount (turn_into_dependent_mounts)
  open_mountpoint = 64, //     lxc: openat2(its rootfs mount point, O_PATH|O_DIRECTORY): the bind's target
  open_rootfs_src = 65, //     lxc: openat2(rootfs, O_PATH|O_DIRECTORY): the bind's source
  clone_rootfs = 66, //        lxc: open_tree(source, "", OPEN_TREE_CLONE|AT_RECURSIVE|...): a detached copy
  attach_rootfs = 67, //       lxc: move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH|MOVE_MOUNT_T_EMPTY_PATH)
  close_tree = 68, //          lxc: close(tree)
  close_mountpoint = 69, //    lxc: close(target)
  close_rootfs_src = 70, //    lxc: close(source)
  open_mnt = 71, //            lxc: openat2(mount point, O_PATH|O_DIRECTORY, RESOLVE_NO_SYMLINKS|...): dfd_mnt
  share_root = 72, //          lxc: mount("", ".", "", MS_REC|MS_SHARED) after fchdir(dfd_mnt)
  close_host = 73, //          lxc: close(dfd_host)
  ramfs_open = 74, //          lxc: openat(AT_FDCWD, "/proc/self/mountinfo") for detect_ramfs_rootfs
  tree_namespace = 75, //      crun 1.29: open_tree(rootfs fd, "", OPEN_TREE_NAMESPACE|...): a new mount namespace (Linux 7.0)
  enter_tree = 76, //          crun 1.29: setns(tree, CLONE_NEWNS)
  remount_slash = 77, //       crun 1.29: mount(NULL, "/", NULL, MS_REMOUNT|MS_BIND, NULL) in the new namespace
  private_slash = 78, //       crun 1.29: mount(NULL, "/", NULL, MS_REC|MS_PRIVATE, NULL) in the new namespace
  walk_open = 79, //           crun 1.29 make_parent_mount_private: open(rootfs, O_PATH|O_CLOEXEC)
  walk_setattr = 80, //        crun 1.29: mount_setattr(fd, "", AT_EMPTY_PATH, {propagation=MS_PRIVATE})
  walk_procfd = 81, //         crun 1.29: mount(NULL, "/proc/self/fd/N", NULL, MS_PRIVATE, NULL)
  walk_up = 82, //             crun 1.29: openat(fd, "..", O_PATH|O_CLOEXEC)
  walk_drop = 83, //           crun 1.29: close(the child's fd) after going up
  walk_close = 84, //          crun 1.29: close(the walk's fd)
  keep_old_root = 85, //       crun 1.29 get_old_root_fd: open("/", O_PATH|O_CLOEXEC), kept until exec (O_CLOEXEC)
  readonly_setattr = 86, //    crun 1.29 finalize_mounts: mount_setattr(root handle, "", AT_EMPTY_PATH, {attr_set=MOUNT_ATTR_RDONLY})
  bind_root = 87, //           lxc_chroot: mount(nroot, "/", NULL, MS_REC|MS_BIND, NULL): the rootfs stacked on "/"
  private_root = 88, //        lxc_chroot: mount(NULL, "/", NULL, MS_REC|MS_PRIVATE, NULL)
  pass_open = 89, //           lxc_chroot: fopen("./proc/self/mountinfo", "re"): the old tree's, through cwd
  pass_umount = 90, //         lxc_chroot: umount2("." + mount point, MNT_DETACH), errors ignored
  umount_proc = 91, //         lxc_chroot: umount2("./proc", MNT_DETACH), errors ignored
  chdir_up = 92, //            lxc_chroot: chdir(".."): from the old root onto the top of "/"'s stack, the new root
}

/** Which runtime the plan reproduces. */
export enum Profile {
  hardened = 0,
  runc = 1,
  runc_1_1 = 2,
  crun = 3,
  youki = 4,
  bwrap = 5,
  lxc = 6,
  crun_1_29 = 7,
}

/** How the root is switched. */
export enum Strategy {
  auto = 0,
  pivot = 1,
  move = 2,
  chroot = 3,
}

/** Config option bits passed to start(). */
export const OPT_READONLY = 1;
/** Skip the prepare phase (propagation of /, parent walk, self bind): switch only. */
export const OPT_NO_PREPARE = 2;
/** Skip only the self bind mount (the rootfs must already be a mount point). */
export const OPT_NO_SELF_BIND = 4;
/** The container has a user namespace, or the runtime runs in one: crun 1.29 then keeps to its classic
 * path without trying OPEN_TREE_NAMESPACE (can_use_open_tree_namespace, ef5802d). ABI 6. */
export const OPT_USERNS = 8;

/**
 * Hard bounds on every loop in the machine (documented in docs/ABI.md). MAX_REQUESTS leaves room
 * to read a table at MOUNTINFO_CAP from a real kernel: a mountinfo read returns at most a page of
 * whole records, or one record larger than that (seq_read_iter, fs/seq_file.c), so at least 2 KiB
 * a read below the cap: 8192 reads, plus the plan.
 */
export const MAX_REQUESTS = 16384;
export const MAX_DETACH = 64;
/** Go's os.Open/os.File.Read and runc's linux.Open retry EINTR; the machine does too, this often. */
export const MAX_EINTR = 64;
export const MOUNTINFO_CHUNK = 4096;
export const MOUNTINFO_CAP = 16777216;
export const GETCWD_SIZE = 4096;
export const PATH_MAX = 4096;
/** The fake kernel models at most this many mounts from one mountinfo table: the kernel's default
 * fs.mount-max (Documentation/admin-guide/sysctl/fs.rst), the most one namespace can hold. */
export const FAKE_MOUNT_MAX = 100000;
/** run() keeps the verified predictions of this many distinct inputs (src/predict.ts, docs/verify.md#the-memo). */
export const PREDICTION_MEMO = 4;
/** The largest errno: the kernel returns -1..-MAX_ERRNO as errors (include/linux/err.h). */
export const MAX_ERRNO = 4095;
/** The range of the i32 slots a result's ret, an fd or a flag word travels in. */
export const I32_MAX = 2147483647;
export const I32_MIN = -2147483647 - 1;

// openat(2) flags, x86-64 / generic values.
export const AT_FDCWD = -100;
export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_DSYNC = 0o10000;
export const O_DIRECT = 0o40000;
export const O_LARGEFILE = 0o100000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_NOATIME = 0o1000000;
export const O_CLOEXEC = 0o2000000;
export const O_PATH = 0o10000000;

// mount(2) flags.
export const MS_RDONLY = 1;
export const MS_NOSUID = 2;
export const MS_NODEV = 4;
export const MS_NOEXEC = 8;
export const MS_SYNCHRONOUS = 16;
export const MS_REMOUNT = 32;
export const MS_MANDLOCK = 64;
export const MS_DIRSYNC = 128;
export const MS_NOSYMFOLLOW = 256;
export const MS_NOATIME = 1024;
export const MS_NODIRATIME = 2048;
export const MS_BIND = 4096;
export const MS_MOVE = 8192;
export const MS_REC = 16384;
export const MS_SILENT = 32768;
export const MS_POSIXACL = 1 << 16;
export const MS_UNBINDABLE = 1 << 17;
export const MS_PRIVATE = 1 << 18;
export const MS_SLAVE = 1 << 19;
export const MS_SHARED = 1 << 20;
export const MS_RELATIME = 1 << 21;
export const MS_KERNMOUNT = 1 << 22;
export const MS_I_VERSION = 1 << 23;
export const MS_STRICTATIME = 1 << 24;
export const MS_LAZYTIME = 1 << 25;
/** The old magic number in the top 16 bits of mountflags (bwrap still passes it; the kernel drops it). */
export const MS_MGC_VAL = 0xc0ed << 16;
export const MS_MGC_MSK = 0xffff << 16;
/** Any one of these makes a mount(2) call a propagation change. */
export const MS_PROPAGATION = (1 << 17) | (1 << 18) | (1 << 19) | (1 << 20);

// umount2(2) flags.
export const MNT_FORCE = 1;
export const MNT_DETACH = 2;
export const MNT_EXPIRE = 4;
export const UMOUNT_NOFOLLOW = 8;

// openat2(2) how.resolve, open_tree(2) and move_mount(2) flags (uapi linux/openat2.h, linux/mount.h, fcntl.h). ABI 5.
export const RESOLVE_NO_XDEV = 0x01;
export const RESOLVE_NO_MAGICLINKS = 0x02;
export const RESOLVE_NO_SYMLINKS = 0x04;
export const RESOLVE_BENEATH = 0x08;
export const RESOLVE_IN_ROOT = 0x10;
export const RESOLVE_CACHED = 0x20;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_NO_AUTOMOUNT = 0x800;
export const AT_EMPTY_PATH = 0x1000;
export const AT_RECURSIVE = 0x8000;
export const OPEN_TREE_CLONE = 1;
export const OPEN_TREE_CLOEXEC = 0o2000000;
export const MOVE_MOUNT_F_SYMLINKS = 0x01;
export const MOVE_MOUNT_F_AUTOMOUNTS = 0x02;
export const MOVE_MOUNT_F_EMPTY_PATH = 0x04;
export const MOVE_MOUNT_T_SYMLINKS = 0x10;
export const MOVE_MOUNT_T_AUTOMOUNTS = 0x20;
export const MOVE_MOUNT_T_EMPTY_PATH = 0x40;
export const MOVE_MOUNT_SET_GROUP = 0x100;
export const MOVE_MOUNT_BENEATH = 0x200;

// setns(2), open_tree(2)'s OPEN_TREE_NAMESPACE and mount_setattr(2) (uapi linux/sched.h, linux/mount.h). ABI 6.
export const CLONE_NEWNS = 0x00020000;
/** Linux 7.0: open_tree makes a new mount namespace holding a copy of the tree; crun defines it as 2
 * when the headers lack it (crun ba38286 linux.c L91-L93, docs/sources.md#crun-1-29). Unknown before 7.0: EINVAL. */
export const OPEN_TREE_NAMESPACE = 2;
export const MOUNT_ATTR_RDONLY = 0x01;
export const MOUNT_ATTR_NOSUID = 0x02;
export const MOUNT_ATTR_NODEV = 0x04;
export const MOUNT_ATTR_NOEXEC = 0x08;
export const MOUNT_ATTR__ATIME = 0x70;
export const MOUNT_ATTR_NOATIME = 0x10;
export const MOUNT_ATTR_STRICTATIME = 0x20;
export const MOUNT_ATTR_NODIRATIME = 0x80;
export const MOUNT_ATTR_IDMAP = 0x100000;
export const MOUNT_ATTR_NOSYMFOLLOW = 0x200000;
/** sizeof(struct mount_attr): attr_set, attr_clr, propagation, userns_fd, u64 each. */
export const MOUNT_ATTR_SIZE_VER0 = 32;

// errno values (asm-generic).
export const EPERM = 1;
export const ENOENT = 2;
export const ESRCH = 3;
export const EINTR = 4;
export const EIO = 5;
export const ENXIO = 6;
export const E2BIG = 7;
export const ENOEXEC = 8;
export const EBADF = 9;
export const ECHILD = 10;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EACCES = 13;
export const EFAULT = 14;
export const ENOTBLK = 15;
export const EBUSY = 16;
export const EEXIST = 17;
export const EXDEV = 18;
export const ENODEV = 19;
export const ENOTDIR = 20;
export const EISDIR = 21;
export const EINVAL = 22;
export const ENFILE = 23;
export const EMFILE = 24;
export const ENOTTY = 25;
export const ETXTBSY = 26;
export const EFBIG = 27;
export const ENOSPC = 28;
export const ESPIPE = 29;
export const EROFS = 30;
export const EMLINK = 31;
export const EPIPE = 32;
export const ERANGE = 34;
export const ENAMETOOLONG = 36;
export const ENOSYS = 38;
export const ELOOP = 40;
export const EOVERFLOW = 75;
export const EOPNOTSUPP = 95;
export const EDQUOT = 122;

// ---- The static config rule: ONE table, read by assembly/config.ts check() and src/schema.ts (zod).
// The only configs refused before planning. Two kinds only: what the runtime itself refuses, and
// what is destructive on every host. Everything else is planned, and its damage on a given host is
// a finding (plan, explore, diff) or a refusal by run's prediction (src/predict.ts).
export enum ConfigRule {
  /** runc refuses MoveRoot (no pivot_root) with [r]private rootfsPropagation: specconv, runc PR #1606 (issue #1602). */
  private_move = 1,
  /** chroot runs in the caller's mount namespace: changing propagation there changes every host's table. */
  chroot_propagation = 2,
  /** youki knows only shared, private, slave and unbindable: an r* value is UnknownRootfsPropagation
   * before its first mount (youki bc78720, crates/libcontainer/src/rootfs/rootfs.rs L42-L47). */
  recursive_propagation = 3,
  /** bwrap has only pivot_root: no MS_MOVE fallback (bubblewrap issue #592, open) and no chroot mode
   * (bubblewrap 0.8.0 bubblewrap.c L3084, L3171). The row's kinds column is 0: it refuses whatever the propagation. */
  pivot_only = 4,
  /** LXC has two switches: lxc_pivot_root (pivot) and lxc_chroot (move: a bind onto "/", not MS_MOVE),
   * which auto takes when "/" is the initial ramfs; it has no chroot mode (LXC 5.0.2 conf.c
   * lxc_setup_rootfs_switch_root L1656-L1665): strategy chroot is refused. */
  lxc_no_chroot = 5,
  /** LXC applies lxc.rootfs.options=ro as a mount_setattr(MOUNT_ATTR_RDONLY) on the detached copy of
   * the rootfs (LXC 5.0.2 conf.c lxc_mount_rootfs); the profile does not model it, and a plan without
   * it would show a writable root where LXC makes it read-only: refused, not planned without it. */
  lxc_readonly = 6,
  /** LXC sets lxc.rootfs.options' propagation on the copy too, not modelled: refused like lxc_readonly. */
  lxc_propagation = 7,
  /** hardened chroot has no mount namespace of its own: a read-only remount of the rootfs would change
   * the host's mount (the reason chroot_propagation exists). runc and crun ignore the setting there, as
   * their profiles reproduce; hardened refuses it rather than plan a writable root it was asked not to. */
  chroot_readonly = 8,
}

const RUNC_LIKE = (1 << Profile.hardened) | (1 << Profile.runc) | (1 << Profile.runc_1_1);
const ANY_PROFILE = RUNC_LIKE | (1 << Profile.crun) | (1 << Profile.youki) | (1 << Profile.bwrap) | (1 << Profile.lxc) | (1 << Profile.crun_1_29);
const ANY_STRATEGY = (1 << Strategy.auto) | (1 << Strategy.pivot) | (1 << Strategy.move) | (1 << Strategy.chroot);

/**
 * Columns of CONFIG_RULES: rule, profiles (1 << Profile), strategies (1 << Strategy), propagation
 * kinds (MS_* bits), options (OPT_* bits the config must all have). MS_REC in the kinds column
 * narrows the row to the recursive (r*) values.
 */
export const RULE_COLUMNS = 5;

/**
 * A config is refused by the first row whose profile bit, strategy bit, propagation kind and options
 * all match; an unset propagation (0) never matches a row with kinds, a row whose kinds column is 0
 * matches every propagation, unset included (pivot_only), and a row whose options column is 0 matches
 * any options. crun and youki are absent from private_move: they
 * accept move + rprivate / private (and so must we; youki has no such check, process.rs L719).
 */
export const CONFIG_RULES = [
  ConfigRule.pivot_only, 1 << Profile.bwrap, (1 << Strategy.move) | (1 << Strategy.chroot), 0, 0,
  ConfigRule.lxc_no_chroot, 1 << Profile.lxc, 1 << Strategy.chroot, 0, 0,
  ConfigRule.lxc_readonly, 1 << Profile.lxc, ANY_STRATEGY, 0, OPT_READONLY,
  ConfigRule.lxc_propagation, 1 << Profile.lxc, ANY_STRATEGY, MS_PROPAGATION, 0,
  ConfigRule.private_move, RUNC_LIKE, 1 << Strategy.move, MS_PRIVATE, 0,
  ConfigRule.recursive_propagation, 1 << Profile.youki, ANY_STRATEGY, MS_PROPAGATION | MS_REC, 0,
  ConfigRule.chroot_propagation, ANY_PROFILE, 1 << Strategy.chroot, MS_PROPAGATION, 0,
  ConfigRule.chroot_readonly, 1 << Profile.hardened, 1 << Strategy.chroot, 0, OPT_READONLY,
];
/**
 * The longest wait a Node timer can take (2^31 - 1 ms, lib/internal/timers.js TIMEOUT_MAX): a longer
 * delay is silently set to 1 ms, so the executor's per-request timeout is refused above it.
 */
export const MAX_TIMEOUT_MS = 2147483647;
/** At most this many hooks per run (src/hooks.ts): a runtime's handful of steps, not a second plan. */
export const MAX_HOOKS = 64;
/** HOST_NAME_MAX: sethostname's longest name (kernel/sys.c, __NEW_UTS_LEN); longer is EINVAL. */
export const HOST_NAME_MAX = 64;

// statfs(2) f_type of pseudo-filesystems (include/uapi/linux/magic.h): a rootfs on one of these is
// the kernel's own view (procfs, sysfs, cgroup, ...), never a container's root; `run` refuses them.
export const PROC_SUPER_MAGIC = 0x9fa0;
export const SYSFS_MAGIC = 0x62656572;
export const CGROUP_SUPER_MAGIC = 0x27e0eb;
export const CGROUP2_SUPER_MAGIC = 0x63677270;
export const DEBUGFS_MAGIC = 0x64626720;
export const TRACEFS_MAGIC = 0x74726163;
export const SECURITYFS_MAGIC = 0x73636673;
export const SELINUX_MAGIC = 0xf97cff8c;
export const SMACK_MAGIC = 0x43415d53;
export const BPF_FS_MAGIC = 0xcafe4a11;
export const PSTOREFS_MAGIC = 0x6165676c;
export const EFIVARFS_MAGIC = 0xde5e81e4;
export const DEVPTS_SUPER_MAGIC = 0x1cd1;
export const BINFMTFS_MAGIC = 0x42494e4d;
export const NSFS_MAGIC = 0x6e736673;
export const RDTGROUP_SUPER_MAGIC = 0x7655821;
