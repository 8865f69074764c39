// What request each step makes: the syscall, its flags and its strings, as the profile's record
// (profiles.ts) says, with "" and NULL as the runtime passes them (Go passes "" for source/fstype
// and NULL for empty data; C passes NULL). Reads the state, writes the request block; decides
// nothing about results.
import { Op, Step, Strategy, AT_FDCWD, O_RDONLY, O_CLOEXEC, MS_REC, MS_SLAVE, MS_PRIVATE, MS_SHARED,
  MS_BIND, MS_REMOUNT, MS_RDONLY, MS_MOVE, MS_PROPAGATION, MS_SILENT, MS_NODEV, MS_NOSUID, MS_MGC_VAL,
  MNT_DETACH, GETCWD_SIZE, EBADF, O_NOCTTY, O_NOFOLLOW, RESOLVE_NO_MAGICLINKS, RESOLVE_NO_SYMLINKS, RESOLVE_BENEATH,
  OPEN_TREE_CLONE, OPEN_TREE_CLOEXEC, AT_EMPTY_PATH, AT_RECURSIVE, MOVE_MOUNT_F_EMPTY_PATH, MOVE_MOUNT_T_EMPTY_PATH,
  OPEN_TREE_NAMESPACE, CLONE_NEWNS, MOUNT_ATTR_RDONLY } from "../src/abi";
import { Str, NULL, str, ptr, txt, open, put, putDec, close, trap } from "./bytes";
import * as R from "./request";
import * as L from "./lit";
import { S } from "./state";
import { reason } from "./reasons";
import { F, W, my, wide, has, text, LXC_OPATH_DIRECTORY, LXC_LOOKUP_ABSOLUTE, PARENT_WALK_SLAVE, POST_SHARED_OR_UNBINDABLE, ROOT_REC_KIND_OR_SLAVE, parentFromMountinfo } from "./profiles";
import * as T from "./generated/text";

const CWD_BUF: usize = memory.data(GETCWD_SIZE);

function begin(op: Op): void {
  R.begin(op, S.seq, S.step, txt(reason(S.step, S.cfg.strategy == Strategy.auto)));
}

function mount(source: Str, target: Str, fstype: Str, flags: i32, data: Str): void {
  begin(Op.mount);
  R.setStr(R.SOURCE, source);
  R.setStr(R.TARGET, target);
  R.setStr(R.FSTYPE, fstype);
  R.setFlags(flags);
  R.setStr(R.DATA, data);
}

/** A propagation or remount call on `target`: Go passes "" for source and fstype, C passes NULL. */
function remount(target: Str, flags: i32): void {
  const go = has(F.GO);
  mount(go ? L.EMPTY : NULL, target, go ? L.EMPTY : NULL, flags, NULL);
}

function openat(dirfd: i32, path: Str, flags: i32): void {
  begin(Op.openat);
  R.setFd(dirfd);
  R.setStr(R.PATH, path);
  R.setFlags(flags);
}

function withFd(op: Op, fd: i32): void { begin(op); R.setFd(fd); }

/**
 * LXC's open_at (file_utils.c L652-L674): openat2(dfd, path, {flags, mode 0, resolve}); on ENOSYS
 * the same step again as openat(dfd, path, flags, 0) (machine.ts sets openatFallback). LXC passes
 * -EBADF as the dirfd of an absolute path.
 */
function openat2(dirfd: i32, path: Str, flags: i32, resolve: i32): void {
  if (S.openatFallback) { openat(dirfd, path, flags); return; }
  begin(Op.openat2);
  R.setFd(dirfd);
  R.setStr(R.PATH, path);
  R.setFlags(flags);
  R.setCount(resolve);
}
const NO_DIRFD: i32 = -EBADF;

/** mkdir(pathname, mode): bwrap creates its staging directories 0755 (bubblewrap.c L3075, L3081). */
function mkdir(path: Str): void { begin(Op.mkdir); R.setStr(R.PATH, path); R.setMode(0o755); }
function withPath(op: Op, path: Str): void { begin(op); R.setStr(R.PATH, path); }

/** The configured propagation of "/", or the profile's default (runc: MS_SLAVE|MS_REC; crun: MS_REC|MS_PRIVATE; §2.2, §3.1). */
export function rootFlags(): i32 {
  const prop = S.cfg.propagation;
  if (prop == 0) return <i32>wide(W.ROOT_PROPAGATION);
  if (my(F.ROOT_RULE) != ROOT_REC_KIND_OR_SLAVE) return prop;
  // youki mount_to_rootfs: shared and private keep their kind; slave and unbindable become
  // MS_REC|MS_SLAVE (unbindable comes after the jail), rootfs/rootfs.rs L41-L49 (docs/sources.md#youki).
  const kind = prop & MS_PROPAGATION;
  return MS_REC | (kind == MS_SHARED || kind == MS_PRIVATE ? kind : MS_SLAVE);
}

/** The propagation re-applied to "/" after the jail: youki's is the kind alone, without MS_REC
 * (adjust_root_mount_propagation, rootfs/rootfs.rs L129-L148); the others re-apply the first one. */
function postFlags(): i32 {
  return my(F.POST) == POST_SHARED_OR_UNBINDABLE ? S.cfg.propagation & MS_PROPAGATION : rootFlags();
}

/** How many bytes a mountinfo read asks for: the profile's fixed reader buffer (youki: std's
 * BufReader, 8 KiB) while the machine's buffer has that much room, else the room left. */
function readSize(): i32 {
  const room = S.infoCap - S.infoLen;
  const fixed = <i32>my(F.READ_SIZE);
  return fixed != 0 && fixed < room ? fixed : room;
}

export function emit(step: i32, arg: i32): void {
  const c = S.cfg;
  switch (step) {
    case Step.propagate_root: remount(L.SLASH, rootFlags()); break;
    case Step.mountinfo_open:
      // LXC turn_into_dependent_mounts: beneath dfd_host, PROTECT_OPEN with PROTECT_LOOKUP_BENEATH_XDEV
      // minus RESOLVE_NO_SYMLINKS (conf.c L3883-L3884): "/proc" is another mount, /proc/self a symlink.
      if (has(F.OPENAT2)) {
        openat2(S.fdHost, txt(T.PROC_SELF_MOUNTINFO_REL), O_RDONLY | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC, RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH);
        break;
      }
      // runc 1.1.5 opens /proc/self/mountinfo directly (straced); newer moby/sys tries thread-self first.
      openat(AT_FDCWD, mountinfoPath(), O_RDONLY | O_CLOEXEC); break;
    // LXC detect_ramfs_rootfs: fopen("/proc/self/mountinfo", "re") (utils.c L707-L740).
    case Step.ramfs_open: openat(AT_FDCWD, txt(T.SELF_MOUNTINFO), O_RDONLY | O_CLOEXEC); break;
    case Step.mountinfo_read: {
      begin(Op.read);
      R.setFd(S.fdInfo);
      R.setBuf(S.info + <usize>S.infoLen, readSize());
      break;
    }
    case Step.mountinfo_close: withFd(Op.close, S.fdInfo); break;
    case Step.parent_propagation: {
      const rule = my(F.PARENT_RULE);
      if (parentFromMountinfo(rule)) { remount(S.parent, MS_PRIVATE); break; }
      // runc main: MS_SLAVE when the root propagation is slave (PR #5200), else MS_PRIVATE; crun: MS_PRIVATE.
      remount(str(ptr(c.rootfs), S.walkLen), rule == PARENT_WALK_SLAVE && (c.propagation & MS_SLAVE) != 0 ? MS_SLAVE : MS_PRIVATE);
      break;
    }
    case Step.self_bind: mount(c.rootfs, c.rootfs, has(F.GO) ? txt(T.BIND) : NULL, MS_BIND | MS_REC, NULL); break;
    case Step.self_private: remount(c.rootfs, MS_REC | MS_PRIVATE); break;
    case Step.self_remount: remount(c.rootfs, MS_REMOUNT | MS_BIND); break;
    // crun dup()s the handle and remounts through the dup; we use the handle itself (same mount).
    case Step.readonly_root: {
      open(); put(txt(T.PROC_SELF_FD)); putDec(S.fdRoot); // in the run's arena: valid until the next start()
      remount(close(), MS_RDONLY | MS_REMOUNT | MS_BIND);
      break;
    }
    // crun 1.29 names "/" once it is the new root (setns into the tree, or chroot): *rootfs = "/" (linux.c L3850, L3968).
    case Step.open_root:
      openat(AT_FDCWD, S.rootSlash ? L.SLASH : c.rootfs, <i32>wide(W.OPEN_ROOT_FLAGS)); break;
    case Step.enter_root:
      if (has(F.ENTER_BY_PATH)) withPath(Op.chdir, c.rootfs); else withFd(Op.fchdir, S.fdRoot);
      break;
    case Step.open_old_root:
      if (has(F.OPENAT2)) openat2(NO_DIRFD, L.SLASH, <i32>wide(W.OPEN_OLD_FLAGS), LXC_LOOKUP_ABSOLUTE);
      else openat(AT_FDCWD, L.SLASH, <i32>wide(W.OPEN_OLD_FLAGS));
      break;
    case Step.open_new_root: openat(AT_FDCWD, c.rootfs, <i32>wide(W.OPEN_NEW_FLAGS)); break;
    case Step.fchdir_new_root: withFd(Op.fchdir, S.fdNew >= 0 ? S.fdNew : S.fdRoot); break;
    case Step.pivot_root: {
      begin(Op.pivot_root);
      R.setStr(R.PATH, L.DOT);
      R.setStr(R.TARGET, L.DOT);
      break;
    }
    case Step.fchdir_old_root: withFd(Op.fchdir, S.fdOld); break;
    case Step.old_root_propagation: remount(L.DOT, <i32>wide(W.OLD_ROOT_PROPAGATION)); break;
    case Step.detach_old_root: umount2(L.DOT); break;
    case Step.chdir_root: withPath(Op.chdir, L.SLASH); break;
    case Step.close_new_root: withFd(Op.close, S.fdNew); break;
    case Step.close_old_root: withFd(Op.close, S.fdOld); break;
    case Step.chdir_rootfs: withPath(Op.chdir, c.rootfs); break;
    case Step.mask_propagation: remount(S.masks.get(arg), MS_SLAVE | MS_REC); break;
    case Step.mask_umount: umount2(S.masks.get(arg)); break;
    case Step.mask_cover: mount(text(F.COVER_SOURCE), S.masks.get(arg), txt(T.TMPFS), <i32>my(F.COVER_FLAGS), text(F.COVER_DATA)); break;
    case Step.move_root: mount(c.rootfs, L.SLASH, text(F.MOVE_FSTYPE), MS_MOVE, text(F.MOVE_DATA)); break;
    case Step.chroot_root: withPath(Op.chroot, has(F.CHROOT_ALONE_BY_PATH) && c.strategy == Strategy.chroot ? c.rootfs : L.DOT); break;
    case Step.close_root: withFd(Op.close, S.fdRoot); break;
    case Step.post_propagation: remount(L.SLASH, postFlags()); break;
    case Step.readonly_remount: remount(L.SLASH, MS_BIND | MS_REMOUNT | MS_RDONLY); break;
    // bwrap's staging root (bubblewrap.c L3059-L3147; docs/sources.md#bwrap).
    case Step.stage_tmpfs: mount(txt(T.TMPFS), txt(T.TMP), txt(T.TMPFS), MS_NODEV | MS_NOSUID, NULL); break;
    case Step.chdir_stage: withPath(Op.chdir, txt(T.TMP)); break;
    case Step.mkdir_newroot: mkdir(txt(T.NEWROOT)); break;
    case Step.bind_newroot: mount(txt(T.NEWROOT), txt(T.NEWROOT), NULL, MS_SILENT | MS_MGC_VAL | MS_BIND | MS_REC, NULL); break;
    case Step.mkdir_oldroot: mkdir(L.OLDROOT); break;
    case Step.stage_pivot: {
      begin(Op.pivot_root);
      R.setStr(R.PATH, txt(T.TMP));
      R.setStr(R.TARGET, L.OLDROOT);
      break;
    }
    case Step.chdir_stage_root: withPath(Op.chdir, L.SLASH); break;
    case Step.bind_rootfs: {
      // get_oldroot_path: the rootfs as the host's root shows it under /oldroot (utils.c L825-L830);
      // the destination is get_newroot_path("/"), hence the trailing "/" (bubblewrap.c L948-L953).
      open(); put(txt(T.OLDROOT_ABS)); put(c.rootfs); // in the run's arena: valid until the next start()
      mount(close(), txt(T.NEWROOT_SLASH), NULL, MS_SILENT | MS_BIND | MS_REC, NULL);
      break;
    }
    case Step.bind_remount:
      mount(txt(T.NONE), txt(T.NEWROOT_ABS), NULL, MS_SILENT | MS_BIND | MS_REMOUNT | <i32>wide(W.BIND_REMOUNT_FLAGS) | (c.readonly ? MS_RDONLY : 0), NULL);
      break;
    case Step.stage_old_private: mount(L.OLDROOT, L.OLDROOT, NULL, MS_SILENT | MS_REC | MS_PRIVATE, NULL); break;
    case Step.stage_old_detach: umount2(L.OLDROOT); break;
    case Step.chdir_newroot: withPath(Op.chdir, txt(T.NEWROOT_ABS)); break;
    // LXC (docs/sources.md#lxc): lxc_setup_rootfs_prepare_root, turn_into_dependent_mounts, dir_mount,
    // __fd_bind_mount, lxc_mount_rootfs, lxc_pivot_root.
    case Step.open_host: openat2(NO_DIRFD, L.SLASH, LXC_OPATH_DIRECTORY, LXC_LOOKUP_ABSOLUTE); break;
    case Step.dependent_mount: mount(NULL, S.shared.get(arg), NULL, MS_SLAVE, NULL); break;
    case Step.open_mountpoint: openat2(NO_DIRFD, txt(T.LXC_ROOTFS_MOUNT), LXC_OPATH_DIRECTORY, 0); break;
    // crun 1.29 maybe_open_tree_namespace: open(rootfs, O_DIRECTORY|O_PATH|O_CLOEXEC) (linux.c L3536).
    case Step.open_rootfs_src:
      if (has(F.OPENAT2)) openat2(NO_DIRFD, c.rootfs, LXC_OPATH_DIRECTORY, 0);
      else openat(AT_FDCWD, c.rootfs, <i32>wide(W.OPEN_NEW_FLAGS));
      break;
    case Step.clone_rootfs: {
      begin(Op.open_tree);
      R.setFd(S.fdSource);
      R.setStr(R.PATH, L.EMPTY);
      R.setFlags(OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
      break;
    }
    case Step.attach_rootfs: {
      begin(Op.move_mount);
      R.setFd(S.fdTree);
      R.setStr(R.PATH, L.EMPTY);
      R.setCount(S.fdTarget);
      R.setStr(R.TARGET, L.EMPTY);
      R.setFlags(MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
      break;
    }
    case Step.close_tree: withFd(Op.close, S.fdTree); break;
    case Step.close_mountpoint: withFd(Op.close, S.fdTarget); break;
    case Step.close_rootfs_src: withFd(Op.close, S.fdSource); break;
    // PROTECT_LOOKUP_ABSOLUTE_XDEV: the mount point is now a mount, so RESOLVE_NO_XDEV is dropped.
    case Step.open_mnt: openat2(NO_DIRFD, txt(T.LXC_ROOTFS_MOUNT), LXC_OPATH_DIRECTORY, RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS); break;
    case Step.share_root: remount(L.DOT, MS_SHARED | MS_REC); break;
    case Step.close_host: withFd(Op.close, S.fdHost); break;
    // crun 1.29 (docs/sources.md#crun-1-29): OPEN_TREE_NAMESPACE (linux.c L3540-L3543), setns (L3831),
    // the new "/" (L3835-L3845), make_parent_mount_private's walk by fd (L3287-L3341), get_old_root_fd
    // (L1037), finalize_mounts' read-only mount_setattr (L907-L917 through do_mount_setattr L332-L354).
    case Step.tree_namespace: {
      begin(Op.open_tree);
      R.setFd(S.fdSource);
      R.setStr(R.PATH, L.EMPTY);
      R.setFlags(OPEN_TREE_NAMESPACE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
      break;
    }
    case Step.enter_tree: withFd(Op.setns, S.fdTree); R.setFlags(CLONE_NEWNS); break;
    case Step.remount_slash: remount(L.SLASH, MS_REMOUNT | MS_BIND); break;
    case Step.private_slash: remount(L.SLASH, MS_REC | MS_PRIVATE); break;
    case Step.walk_open: openat(AT_FDCWD, c.rootfs, <i32>wide(W.OPEN_ROOT_FLAGS)); break;
    case Step.walk_setattr: mountSetattr(S.fdWalk, 0, MS_PRIVATE); break;
    case Step.walk_procfd: {
      open(); put(txt(T.PROC_SELF_FD)); putDec(S.fdWalk); // in the run's arena: valid until the next start()
      remount(close(), MS_PRIVATE);
      break;
    }
    case Step.walk_up: openat(S.fdWalk, txt(T.DOTDOT), <i32>wide(W.OPEN_ROOT_FLAGS)); break;
    case Step.walk_drop: withFd(Op.close, S.fdWalkPrev); break;
    case Step.walk_close: withFd(Op.close, S.fdWalk); break;
    case Step.keep_old_root: openat(AT_FDCWD, L.SLASH, <i32>wide(W.OPEN_ROOT_FLAGS)); break;
    case Step.readonly_setattr: mountSetattr(S.fdRoot, MOUNT_ATTR_RDONLY, 0); break;
    // lxc_chroot (conf.c L1465-L1553): nroot is realpath(rootfs->mount), LXC's mount point, whose
    // realpath is itself (the lxc package ships it as a plain directory).
    case Step.bind_root: mount(txt(T.LXC_ROOTFS_MOUNT), L.SLASH, NULL, MS_REC | MS_BIND, NULL); break;
    case Step.private_root: mount(NULL, L.SLASH, NULL, MS_REC | MS_PRIVATE, NULL); break;
    // fopen(path, "re") is openat(AT_FDCWD, path, O_RDONLY|O_CLOEXEC), as detect_ramfs_rootfs's.
    case Step.pass_open: openat(AT_FDCWD, txt(T.DOT_PROC_SELF_MOUNTINFO), O_RDONLY | O_CLOEXEC); break;
    case Step.pass_umount: umount2(S.lines.get(arg)); break;
    case Step.umount_proc: umount2(txt(T.DOT_PROC)); break;
    case Step.chdir_up: withPath(Op.chdir, txt(T.DOTDOT)); break;
    case Step.check_cwd: {
      begin(Op.getcwd);
      // Static data outlives runs: clear it, or a host that writes nothing would pass the check
      // with the last run's "/" (docs/ABI.md §5).
      memory.fill(CWD_BUF, 0, GETCWD_SIZE);
      R.setBuf(CWD_BUF, GETCWD_SIZE);
      break;
    }
    default: open(); put(txt(T.NO_REQUEST)); putDec(step); trap(close()); // a bug in the plans
  }
}

/** mount_setattr(dirfd, "", AT_EMPTY_PATH, {attr_set, attr_clr 0, propagation, userns_fd 0}, 32): crun's do_mount_setattr. */
function mountSetattr(dirfd: i32, attrSet: i32, propagation: i32): void {
  begin(Op.mount_setattr);
  R.setFd(dirfd);
  R.setStr(R.PATH, L.EMPTY);
  R.setFlags(AT_EMPTY_PATH);
  R.setMode(attrSet);
  R.setCount(propagation);
}

function umount2(target: Str): void {
  begin(Op.umount2);
  R.setStr(R.PATH, target);
  R.setFlags(MNT_DETACH);
}

export function cwdBuffer(): usize { return CWD_BUF; }

/** The mountinfo file a run opens: /proc/self when the profile opens it directly (runc 1.1) or after the thread-self ENOENT fallback. */
export function mountinfoPath(): Str {
  return S.infoFallback || has(F.MOUNTINFO_SELF) ? txt(T.SELF_MOUNTINFO) : txt(T.THREAD_SELF_MOUNTINFO);
}
