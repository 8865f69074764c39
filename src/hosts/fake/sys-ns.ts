// ABI 6 (crun 1.29): open_tree(OPEN_TREE_NAMESPACE), setns(fd, CLONE_NEWNS) and mount_setattr(2)
// on the model. OPEN_TREE_NAMESPACE exists from Linux 7.0 only: a state built for 6.18 (the default,
// the kernel this project runs on) refuses the flag as unknown (EINVAL), as 6.18 does; with
// `kernel: "7.0"` the copy becomes the root of a new mount namespace, held by an nsfs fd (kind
// "mntns") that setns enters. The 7.0 rules are from source, unverified (crun 25790ca's commit text
// and its use in setup_mount_namespace, docs/sources.md#crun-1-29). Changes only the mounts it makes
// or changes, the namespaces and the calling process.
import * as abi from "../../abi.js";
import { EBADF, EINVAL, EPERM, MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_NOSYMFOLLOW, MS_NODIRATIME } from "./flags.js";
import type { Result } from "../../request.js";
import type { Fd, Mount, Pos, Proc, State } from "./model.js";
import { cloneMount, copyTree, hasLockedChildren, mnt, subtree, subtreeDetached, traverse } from "./mounts.js";
import { cloneLike } from "./pnode.js";
import { changeType } from "./propagation.js";
import { lookup } from "./resolve.js";
import { canChangeLockedFlags } from "./sys-mount.js";
import { anonRoot, namespaceAlive } from "./anon.js";
import { unmountAll } from "./sys-umount-pivot.js";

/** The kernels the model answers as: 6.18 (default) and 7.0 (OPEN_TREE_NAMESPACE). */
export const KERNELS = ["6.18", "7.0"] as const;
export type Kernel = (typeof KERNELS)[number];

/** open_tree's flags on 6.18 (fs/namespace.c): anything else is EINVAL. */
const OPEN_TREE_VALID = abi.OPEN_TREE_CLONE | abi.OPEN_TREE_CLOEXEC | abi.AT_EMPTY_PATH | abi.AT_NO_AUTOMOUNT |
  abi.AT_RECURSIVE | abi.AT_SYMLINK_NOFOLLOW;

/** Whether this model's kernel knows OPEN_TREE_NAMESPACE (Linux 7.0). */
export const hasTreeNamespace = (s: State): boolean => s.kernel === "7.0";

/** The flags open_tree accepts on this model's kernel. */
export const openTreeValid = (s: State): number => OPEN_TREE_VALID | (hasTreeNamespace(s) ? abi.OPEN_TREE_NAMESPACE : 0);

/**
 * open_tree(dirfd, path, OPEN_TREE_NAMESPACE|...) on 7.0 (sys-open-tree.ts checked the flags): with
 * OPEN_TREE_CLONE too, EINVAL; may_mount (EPERM); the mount at the place must be of the caller's
 * namespace and bindable (EINVAL), and not recursive over locked submounts (EINVAL), as a clone; the
 * copy (submounts too with AT_RECURSIVE; copies of shared mounts join their groups, as copy_mnt_ns
 * makes them) is the root of a new namespace with the caller's namespace's owner.
 */
export function openTreeNamespace(s: State, p: Proc, at: Pos, flags: number, newFd: (f: Fd) => Result): Result {
  if (flags & abi.OPEN_TREE_CLONE) return { errno: EINVAL };
  if (!p.cap) return { errno: EPERM };
  const old = mnt(s, at.mnt);
  if (old.unbindable || old.ns !== p.ns) return { errno: EINVAL };
  const rec = (flags & abi.AT_RECURSIVE) !== 0;
  if (!rec && hasLockedChildren(s, old, at.ino)) return { errno: EINVAL };
  const kept: [Mount, Mount][] = rec ? copyTree(s, old, at.ino, true) : [[old, cloneMount(s, old, at.ino)]];
  for (const [orig, copy] of kept) {
    cloneLike(s, copy, orig); // clone_mnt: a peer of a shared original, a slave of a slave's master
  }
  let ns = 0;
  for (const k of s.nss.keys()) ns = Math.max(ns, k);
  ns++;
  const from = s.nss.get(p.ns);
  s.nss.set(ns, { id: ns, userns: from?.userns ?? false, owner: from?.owner ?? 0 });
  const top = kept[0]![1];
  for (const m of subtreeDetached(s, top)) { m.ns = ns; m.seq = s.nextSeq++; }
  return newFd({ kind: "mntns", mnt: top.id, ino: top.root, cloexec: (flags & abi.OPEN_TREE_CLOEXEC) !== 0, offset: 0 });
}

/**
 * setns(fd, nstype) for a mount namespace (kernel/nsproxy.c, mntns_install): no such fd, or an
 * O_PATH one (fdget refuses FMODE_PATH files; seen on 6.18, test/native-crun129-calls.test.ts), is
 * EBADF; any other fd that is not a namespace's, or an nstype other than 0 or CLONE_NEWNS, EINVAL; without
 * CAP_SYS_ADMIN (and CAP_SYS_CHROOT) EPERM. Root and cwd become the namespace's root, on top of
 * whatever is mounted there.
 */
export function sysSetns(s: State, p: Proc, fd: number, nstype: number): Result {
  const f = p.fds.get(fd);
  if (!f || f.kind === "path") return { errno: EBADF };
  if (f.kind !== "mntns" || (nstype !== 0 && nstype !== abi.CLONE_NEWNS)) return { errno: EINVAL };
  if (!p.cap) return { errno: EPERM };
  const root = mnt(s, f.mnt);
  if (root.ns === 0) return { errno: EINVAL }; // the namespace is gone (not reachable in this model)
  const left = p.ns;
  p.ns = root.ns;
  p.root = traverse(s, { mnt: root.id, ino: root.root });
  p.cwd = { ...p.root };
  // The namespace it left dies if nothing else holds it (put_mnt_ns), as crun 1.29's container
  // process leaves the one it unshared.
  if (left !== p.ns) dropIfDead(s, left);
  return { ret: 0 };
}

/** close(2) of a namespace fd: the namespace dies if nothing else holds it (dropIfDead). */
export function dropNamespace(s: State, f: Fd): void {
  dropIfDead(s, mnt(s, f.mnt).ns);
}

/**
 * A namespace that no process is in and no nsfs fd holds dies (put_mnt_ns → umount_tree): its
 * mounts leave their peer groups and belong to no namespace. So a peer that was copied out of it
 * is left alone in its group, and MS_SLAVE then makes that peer private, where it would be a
 * slave while the namespace lives (seen on 6.18: test/fake-namespace-death.test.ts).
 */
export function dropIfDead(s: State, ns: number): void {
  if (ns === 0 || namespaceAlive(s, ns)) return;
  const mine = [...s.mounts.values()].filter((m) => m.ns === ns);
  const ids = new Set(mine.map((m) => m.id));
  // umount_tree(ns->root, 0): the whole tree in next_mnt's order, from its root(s). Not
  // UMOUNT_CONNECTED, so every mount but a locked one is cut off its parent: an fd still held on a
  // mount of it reaches none of its submounts, and ".." stops at its root (seen on 6.18:
  // test/fake-namespace-death.test.ts, its "H" lines).
  const gone = mine.filter((m) => !ids.has(m.parent)).flatMap((root) => subtree(s, root));
  unmountAll(s, gone, ids);
}

/** MOUNT_ATTR_* → the per-mount MS_* bit it sets (the atime values are not modelled: EINVAL). */
const ATTR_TO_MS: readonly [number, number][] = [[abi.MOUNT_ATTR_RDONLY, MS_RDONLY], [abi.MOUNT_ATTR_NOSUID, MS_NOSUID],
  [abi.MOUNT_ATTR_NODEV, MS_NODEV], [abi.MOUNT_ATTR_NOEXEC, MS_NOEXEC], [abi.MOUNT_ATTR_NODIRATIME, MS_NODIRATIME],
  [abi.MOUNT_ATTR_NOSYMFOLLOW, MS_NOSYMFOLLOW]];
const MOUNT_SETATTR_FLAGS = abi.AT_EMPTY_PATH | abi.AT_RECURSIVE | abi.AT_SYMLINK_NOFOLLOW | abi.AT_NO_AUTOMOUNT;
const PROPAGATIONS = new Map([[abi.MS_SHARED, "shared"], [abi.MS_SLAVE, "slave"], [abi.MS_PRIVATE, "private"], [abi.MS_UNBINDABLE, "unbindable"]] as const);

/**
 * mount_setattr(dirfd, path, flags, {attr_set, 0, propagation, 0}, 32) (fs/namespace.c): unknown
 * flags EINVAL; may_mount (EPERM); all zero is a no-op (0, before the lookup); more than one
 * propagation type or an attribute the model does not know, EINVAL; the lookup's errnos; the place
 * must be a mount's root, in the caller's namespace or the top of a detached tree (anon_ns_root),
 * else EINVAL; a locked flag stays (can_change_locked_flags: attributes are only set, so only a
 * locked atime can refuse, NODIRATIME: EPERM, for the whole call). Then the attributes, then the
 * propagation, recursive with AT_RECURSIVE. Seen on 6.18: test/mutation-kills-fake-ns.test.ts.
 */
export function sysMountSetattr(s: State, p: Proc, dirfd: number, path: string, flags: number, attrSet: number, propagation: number): Result {
  if ((flags & ~MOUNT_SETATTR_FLAGS) !== 0) return { errno: EINVAL };
  if (!p.cap) return { errno: EPERM };
  if (attrSet === 0 && propagation === 0) return { ret: 0 };
  const type = PROPAGATIONS.get(propagation);
  if (propagation !== 0 && !type) return { errno: EINVAL };
  let set = 0;
  let rest = attrSet;
  for (const [attr, ms] of ATTR_TO_MS) if (rest & attr) { set |= ms; rest &= ~attr; }
  if (rest !== 0) return { errno: EINVAL };
  const at = place(s, p, dirfd, path, flags);
  if ("errno" in at) return at;
  const m = mnt(s, at.pos.mnt);
  const detached = anonRoot(s, m);
  if (at.pos.ino !== m.root || (m.ns !== p.ns && !detached)) return { errno: EINVAL };
  const rec = (flags & abi.AT_RECURSIVE) !== 0;
  const targets: Mount[] = !rec ? [m] : detached ? subtreeDetached(s, m) : subtree(s, m);
  if (targets.some((t) => !canChangeLockedFlags(t, t.flags | set))) return { errno: EPERM };
  for (const t of targets) t.flags |= set;
  if (type) for (const t of targets) changeType(s, t, type);
  return { ret: 0 };
}


/**
 * The place (dirfd, path) names; "" with AT_EMPTY_PATH is the fd's own file. A terminal (the
 * model's fds 0-2, no inode here) or an nsfs file is no mount's root: EINVAL, do_mount_setattr's
 * path_mounted check (seen on 6.18 with /dev/null and /proc/self/ns/mnt).
 */
function place(s: State, p: Proc, dirfd: number, path: string, flags: number): { pos: Pos } | { errno: number } {
  if (path !== "" || (flags & abi.AT_EMPTY_PATH) === 0) {
    return lookup(s, p, dirfd, path, { follow: (flags & abi.AT_SYMLINK_NOFOLLOW) === 0, linkItself: true });
  }
  if (dirfd === abi.AT_FDCWD) return { pos: p.cwd };
  const f = p.fds.get(dirfd);
  if (!f) return { errno: EBADF };
  if (f.kind === "tty" || f.kind === "mntns") return { errno: EINVAL };
  return { pos: { mnt: f.mnt, ino: f.ino } };
}
