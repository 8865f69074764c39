// open_tree(2) and move_mount(2) on the model (ABI 5; LXC's rootfs bind), and close(2) of the fd
// of a detached tree. A detached tree is what OPEN_TREE_CLONE makes: copies (copy_tree: unbindable
// submounts skipped, locks kept) in no namespace of the model (ns 0; anon.ts tells a held tree, in
// an anonymous namespace, from a mount in none), held by one O_PATH fd marked `tree`. A mount event
// gives it no copy, an unmount reaches it (propagation.ts). move_mount attaches it
// (attach_recursive_mnt: graft), or puts it into another held tree; closing the fd while it is
// still detached unmounts it (dissolve_on_fput). Calls the helpers of model.ts, mounts.ts, links.ts, propagation.ts and
// resolve.ts; changes only the mounts it makes or moves and the fd table.
import * as abi from "../../abi.js";
import { EBADF, EINVAL, ELOOP, ENOENT, EPERM, O_CLOEXEC } from "./flags.js";
import type { Result } from "../../request.js";
import { type Mount, type Pos, type Proc, type State } from "./model.js";
import { cloneMount, copyTree, hasLockedChildren, mnt, skipsLocked, subtree, subtreeDetached, traverse } from "./mounts.js";
import { graft, makePrivate } from "./propagation.js";
import { setParent } from "./links.js";
import { cloneLike } from "./pnode.js";
import { isDirAt, lookup } from "./resolve.js";
import { sysClose } from "./sys-fs.js";
import { dropNamespace, openTreeNamespace, openTreeValid } from "./sys-ns.js";
import { type TreeFd, heldAsTree, inAnonNs, treeOrigin, treeTopOf } from "./anon.js";

const MOVE_MOUNT_VALID = abi.MOVE_MOUNT_F_SYMLINKS | abi.MOVE_MOUNT_F_AUTOMOUNTS | abi.MOVE_MOUNT_F_EMPTY_PATH |
  abi.MOVE_MOUNT_T_SYMLINKS | abi.MOVE_MOUNT_T_AUTOMOUNTS | abi.MOVE_MOUNT_T_EMPTY_PATH | abi.MOVE_MOUNT_SET_GROUP |
  abi.MOVE_MOUNT_BENEATH;

/** The place a (dirfd, path) pair names, with AT_EMPTY_PATH: "" is the dirfd's own file. */
function where(s: State, p: Proc, dirfd: number, path: string, emptyPath: boolean, follow: boolean): { pos: Pos } | { errno: number } {
  if (path === "") {
    if (!emptyPath) return { errno: ENOENT };
    const f = p.fds.get(dirfd);
    if (!f || f.kind === "tty") return { errno: EBADF };
    return { pos: { mnt: f.mnt, ino: f.ino } };
  }
  return lookup(s, p, dirfd, path, { follow });
}

function newFd(p: Proc, f: TreeFd): Result {
  let fd = 0;
  while (p.fds.has(fd)) fd++;
  p.fds.set(fd, f);
  return { ret: fd };
}

/**
 * open_tree(dirfd, path, flags) (fs/namespace.c): unknown flags, or AT_RECURSIVE without
 * OPEN_TREE_CLONE, are EINVAL. Without OPEN_TREE_CLONE it is an O_PATH open of the place. With it:
 * may_mount (EPERM, before the lookup), then __do_loopback: an unbindable mount, a mount that
 * may_copy_tree refuses (another namespace's, or a detached tree not made from the caller's), and
 * (not recursive) a mount with locked submounts under the place are EINVAL; the copy is of the
 * mount rooted at the place, with its submounts when AT_RECURSIVE.
 */
export function sysOpenTree(s: State, p: Proc, dirfd: number, path: string, flags: number): Result {
  if ((flags & ~openTreeValid(s)) !== 0) return { errno: EINVAL }; // OPEN_TREE_NAMESPACE: Linux 7.0 only (sys-ns.ts)
  const namespace = (flags & abi.OPEN_TREE_NAMESPACE) !== 0;
  const clone = (flags & abi.OPEN_TREE_CLONE) !== 0;
  const rec = (flags & abi.AT_RECURSIVE) !== 0;
  if (rec && !clone && !namespace) return { errno: EINVAL };
  // vfs_open_tree: may_mount before the lookup, so a missing path is EPERM too without the capability
  if (clone && !namespace && !p.cap) return { errno: EPERM };
  const at = where(s, p, dirfd, path, (flags & abi.AT_EMPTY_PATH) !== 0, (flags & abi.AT_SYMLINK_NOFOLLOW) === 0);
  if ("errno" in at) return at;
  if (namespace) return openTreeNamespace(s, p, at.pos, flags, (f) => newFd(p, f));
  const cloexec = (flags & abi.OPEN_TREE_CLOEXEC) !== 0;
  if (!clone) return newFd(p, { kind: "path", mnt: at.pos.mnt, ino: at.pos.ino, cloexec, offset: 0 });
  const old = mnt(s, at.pos.mnt);
  if (old.unbindable || !mayCopyTree(s, p, old)) return { errno: EINVAL };
  if (!rec && hasLockedChildren(s, old, at.pos.ino)) return { errno: EINVAL };
  if (rec && skipsLocked(s, old, at.pos.ino)) return { errno: EPERM };
  const pairs: [Mount, Mount][] = rec ? copyTree(s, old, at.pos.ino, true) : [[old, cloneMount(s, old, at.pos.ino)]];
  for (const [orig, copy] of pairs) {
    cloneLike(s, copy, orig); // clone_mnt: a peer of a shared original, a slave of a slave's master
  }
  const top = pairs[0]![1];
  return newFd(p, { kind: "path", mnt: top.id, ino: top.root, cloexec: cloexec || (flags & O_CLOEXEC) !== 0, offset: 0, tree: true, origin: p.ns });
}


/**
 * move_mount(from_dirfd, from_path, to_dirfd, to_path, flags) (fs/namespace.c do_move_mount):
 * unknown flags EINVAL; MOVE_MOUNT_SET_GROUP and MOVE_MOUNT_BENEATH are not modelled (EINVAL here,
 * the machine never asks). The source must be a mount's root (EINVAL), either the top of a detached
 * tree this process holds, or an attached mount of its namespace, movable as by MS_MOVE; the target
 * (the top of its mount stack, looked up first) must be of the source's kind (EINVAL), in the
 * caller's namespace (a lazily unmounted one or a dead namespace's: ENOENT; another live
 * namespace's: EINVAL), not inside the source (ELOOP); an unbindable mount may not go under a
 * shared one (EINVAL). Since 6.15 it may also be in a detached tree of the caller's, when the
 * source is another detached tree (moveOnto). Without CAP_SYS_ADMIN everything is EPERM (may_mount
 * comes first).
 */
export function sysMoveMount(s: State, p: Proc, fromDirfd: number, fromPath: string, toDirfd: number, toPath: string, flags: number): Result {
  if (!p.cap) return { errno: EPERM }; // may_mount first, before the flags
  if ((flags & ~MOVE_MOUNT_VALID) !== 0 || (flags & (abi.MOVE_MOUNT_SET_GROUP | abi.MOVE_MOUNT_BENEATH)) !== 0) return { errno: EINVAL };
  // The target is looked up first: a bad source fd with a missing target is ENOENT (seen on 6.18,
  // found by test/kernel-oracle.test.ts).
  const to = where(s, p, toDirfd, toPath, (flags & abi.MOVE_MOUNT_T_EMPTY_PATH) !== 0, (flags & abi.MOVE_MOUNT_T_SYMLINKS) !== 0);
  if ("errno" in to) return to;
  const from = where(s, p, fromDirfd, fromPath, (flags & abi.MOVE_MOUNT_F_EMPTY_PATH) !== 0, (flags & abi.MOVE_MOUNT_F_SYMLINKS) !== 0);
  if ("errno" in from) return from;
  const old = mnt(s, from.pos.mnt);
  if (from.pos.ino !== old.root) return { errno: EINVAL };
  if (isDirAt(s, traverse(s, to.pos)) !== isDirAt(s, from.pos)) return { errno: EINVAL };
  return moveOnto(s, p, old, traverse(s, to.pos)); // lock_mount: on top of whatever is mounted there
}

/**
 * do_move_mount from lock_mount on, for move_mount(2) and mount(MS_MOVE) alike: `old` (a mount's
 * root, of the target's kind) onto `dest`, the top of the target's stack.
 */
export function moveOnto(s: State, p: Proc, old: Mount, dest: Pos): Result {
  const parent = mnt(s, dest.mnt);
  // lock_mount before the source's rule: a lazily unmounted target, or one of a namespace that
  // died (sys-ns.ts dropIfDead), is in no namespace: ENOENT even where the source is not movable
  // (6.18, found by test/kernel-oracle.test.ts; recorded in test/mutation-kills-fake-open-tree.test.ts).
  if (parent.ns === 0 && !inAnonNs(s, parent)) return { errno: ENOENT };
  // Another, live, namespace's mount: EINVAL (recorded on 6.18, the same test).
  if (parent.ns !== 0 && parent.ns !== p.ns) return { errno: EINVAL };
  const src = moveSource(s, p, old);
  if (typeof src !== "boolean") return src;
  // Since 6.15 a detached tree of the caller's (held by an fd) takes another detached tree: it
  // joins that anonymous namespace, and a shared mount there still sends copies to its peers in
  // live namespaces. An attached mount does not go into one, nor a tree into itself (EINVAL;
  // recorded on 6.18 by test/kernel-oracle-regressions.test.ts).
  if (parent.ns === 0 && (!src || treeTopOf(s, parent) === old || treeOrigin(s, parent) !== p.ns)) return { errno: EINVAL };
  return moveTree(s, old, parent, dest.ino, src);
}

/**
 * do_move_mount's rule for the source (a mount's root, checked by the caller), shared by
 * move_mount(2) and mount(2) with MS_MOVE (do_move_mount_old only looks the source up, following
 * links, and calls do_move_mount): the top of a detached tree this process holds (true), or an
 * attached mount of its namespace that is not its root, not locked, and not in a shared parent
 * (false); else EINVAL.
 */
export function moveSource(s: State, p: Proc, old: Mount): boolean | { errno: number } {
  if (heldAsTree(p, old.id)) return true; // only a detached tree's top is held (anon.ts anonRoot)
  if (old.ns !== p.ns || old.parent === 0 || old.locked) return { errno: EINVAL };
  if (mnt(s, old.parent).peer !== 0) return { errno: EINVAL }; // a mount in a shared parent stays
  return false;
}

/**
 * do_move_mount's end, for move_mount(2) and MS_MOVE alike: no unbindable mount under a shared
 * one (EINVAL), not into itself (ELOOP); then `old` (a detached tree's top when `detached`) goes
 * onto (parent, ino), copied to the receivers of a shared parent.
 */
export function moveTree(s: State, old: Mount, parent: Mount, ino: number, detached: boolean): Result {
  const moved = detached ? subtreeDetached(s, old) : subtree(s, old);
  if (parent.peer !== 0 && moved.some((m) => m.unbindable)) return { errno: EINVAL };
  if (moved.includes(parent)) return { errno: ELOOP };
  if (!detached) setParent(s, old, 0, old.mp);
  graft(s, old, parent, ino);
  // Attached, the tree's anonymous namespace is gone: an fd that held it now names a mount like
  // any other, and after a lazy unmount one that cannot be attached again (EINVAL; recorded on
  // 6.18: test/mutation-kills-fake-open-tree.test.ts).
  if (detached) for (const q of s.procs.values()) for (const f of q.fds.values()) if (f.mnt === old.id) delete (f as TreeFd).tree;
  return { ret: 0 };
}


/**
 * may_copy_tree (fs/namespace.c, since 6.15): a bind or an open_tree clone copies a mount of the
 * caller's namespace, or one in an anonymous namespace made from it (check_anonymous_mnt: its
 * seq_origin is the caller's namespace; anon.ts treeOrigin). Recorded on 6.18:
 * test/native-detached-move.test.ts, test/mutation-kills-fake-open-tree.test.ts.
 */
export function mayCopyTree(s: State, p: Proc, old: Mount): boolean {
  return old.ns === p.ns || (old.ns === 0 && treeOrigin(s, old) === p.ns);
}


/**
 * close(fd); if the fd held a detached tree that is still detached and no other fd holds it, the
 * tree is unmounted (dissolve_on_fput → umount_tree): its mounts leave their peer groups and stay
 * in no namespace, as a lazily unmounted tree does.
 */
export function sysCloseFd(s: State, p: Proc, fd: number): Result {
  const f = p.fds.get(fd) as TreeFd | undefined;
  const r = sysClose(p, fd);
  if (f?.kind === "mntns" && !("errno" in r)) dropNamespace(s, f);
  if (!f?.tree || "errno" in r) return r;
  const top = s.mounts.get(f.mnt);
  if (!top || top.ns !== 0 || top.parent !== 0) return r;
  for (const q of s.procs.values()) if (heldAsTree(q, top.id)) return r;
  const tree = subtreeDetached(s, top);
  const going = new Set(tree.map((m) => m.id));
  for (const m of tree) makePrivate(s, m, going);
  for (const m of subtreeDetached(s, top)) if (m !== top) setParent(s, m, 0, m.mp);
  return r;
}
