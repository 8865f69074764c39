// The lifetimes of mount namespaces. Which detached mounts are in an anonymous mount namespace: an
// open_tree(OPEN_TREE_CLONE) copy lives in one while an fd holds its top (FMODE_NEED_UNMOUNT); a
// lazily unmounted or dissolved tree is in no namespace at all. The model files both under
// namespace 0, and the kernel tells them apart in several places (may_change_propagation,
// may_copy_tree, do_move_mount, next_group). And whether a named namespace is still alive.
import type { Fd, Mount, Proc, State } from "./model.js";
import { mnt } from "./mounts.js";

/**
 * An fd that holds a detached tree (open_tree's FMODE_NEED_UNMOUNT), kept by cloneProc's spread;
 * `origin`: the mount namespace the tree was made from (the anonymous namespace's seq_origin).
 */
export type TreeFd = Fd & { tree?: true; origin?: number };

/** `p` has an fd that holds the detached tree whose top is `id`. */
export function heldAsTree(p: Proc, id: number): boolean {
  for (const f of p.fds.values()) if ((f as TreeFd).tree && f.mnt === id) return true;
  return false;
}

/** The top of the tree `m` is in: up its parents to the one filed under 0. */
export function treeTopOf(s: State, m: Mount): Mount {
  let top = m;
  while (top.parent !== 0) top = mnt(s, top.parent);
  return top;
}

/**
 * The processes whose open_tree fd holds the detached tree that `m` is in; none for an attached
 * mount (its top is a namespace's root, which no fd holds as a tree: a shortcut, not a rule).
 */
export function treeHolders(s: State, m: Mount): Proc[] {
  if (m.ns !== 0) return [];
  const top = treeTopOf(s, m);
  return [...s.procs.values()].filter((q) => heldAsTree(q, top.id));
}

/**
 * The namespace the held detached tree that `m` is in was made from, or 0 when `m` is in no
 * anonymous namespace. check_anonymous_mnt compares it with the caller's: a process that has
 * left that namespace since may still attach the tree, but not copy it or move another into it
 * (EINVAL; recorded on 6.18: test/mutation-kills-fake-open-tree.test.ts).
 */
export function treeOrigin(s: State, m: Mount): number {
  if (m.ns !== 0) return 0;
  const top = treeTopOf(s, m);
  for (const q of s.procs.values()) for (const f of q.fds.values()) if ((f as TreeFd).tree && f.mnt === top.id) return (f as TreeFd).origin ?? 0;
  return 0;
}

/** `m` is in an anonymous namespace: detached, and its tree held by an fd. */
export const inAnonNs = (s: State, m: Mount): boolean => treeHolders(s, m).length > 0;

/**
 * anon_ns_root: `m` is the top of a detached tree that an fd holds. Only a top is ever held: an fd
 * is marked when open_tree makes the tree, and the mark goes when the tree is attached.
 */
export const anonRoot = (s: State, m: Mount): boolean => m.parent === 0 && treeHolders(s, m).length > 0;

/**
 * A mount namespace lives while a process is in it or an nsfs fd holds it. When the last goes,
 * Linux unmounts its mounts (free_mnt_ns → umount_tree), so a mount of a dead namespace, still
 * named by an fd opened there, cannot be mounted on (lock_mount: ENOENT), where a mount of a
 * live namespace of another is EINVAL (recorded on 6.18: test/mutation-kills-fake-open-tree.test.ts).
 * The model asks this when a process leaves a namespace or lets go of its nsfs fd (sys-ns.ts
 * dropIfDead): a dead namespace's mounts then belong to none, as a lazily unmounted tree's do.
 */
export function namespaceAlive(s: State, ns: number): boolean {
  if (ns === 0) return false;
  for (const q of s.procs.values()) {
    if (q.ns === ns) return true;
    for (const g of q.fds.values()) if (g.kind === "mntns" && mnt(s, g.mnt).ns === ns) return true;
  }
  return false;
}
