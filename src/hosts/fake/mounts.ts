// Queries and edits of the mount tree: children, the top of a mount stack, subtrees, ancestors,
// new mounts and copies (clone_mnt, copy_tree), attach and detach. Propagation is not here
// (propagation.ts); callers decide when events propagate.
import { type Fs, type Mount, type PnodeField, type Pos, type State, NONE, isSubdir, node } from "./model.js";
import { allKidsOf, firstAt, kidsOf, linkNew, mayHaveKids, setParent } from "./links.js";

export function mnt(s: State, id: number): Mount {
  const m = s.mounts.get(id);
  if (!m) throw new RangeError(`no mount ${id}`);
  return m;
}

export function fsOf(s: State, m: Mount): Fs {
  const f = s.fss.get(m.fs);
  if (!f) throw new RangeError(`no filesystem ${m.fs}`);
  return f;
}

export function kindAt(s: State, p: Pos): string {
  const m = mnt(s, p.mnt);
  return node(fsOf(s, m).tree, p.ino).kind;
}

/** The mount attached directly on (parent, dentry), if any (__lookup_mnt). */
export function childAt(s: State, parent: number, ino: number): Mount | undefined {
  return firstAt(s, parent, ino);
}

/** follow_mount: climb to the top of the stack of mounts on `p`. */
export function traverse(s: State, p: Pos): Pos {
  let cur = p;
  for (let c = childAt(s, cur.mnt, cur.ino); c; c = childAt(s, cur.mnt, cur.ino)) cur = { mnt: c.id, ino: c.root };
  return cur;
}

export function children(s: State, id: number): Mount[] {
  return kidsOf(s, id);
}

/**
 * The mount and every mount below it in next_mnt's order: depth first, each mount's children in
 * attach order (mnt_mounts). The order is seen where a walk changes lists one mount at a time:
 * MS_REC|MS_SLAVE puts each mount first among its master's slaves, so the last one walked is
 * the first a later propagation reaches (recorded on Linux 6.18: test/kernel-oracle-order.test.ts,
 * "an rslave walk is depth first").
 */
export function subtree(s: State, top: Mount): Mount[] {
  const out: Mount[] = [];
  const stack = [top];
  for (let m = stack.pop(); m; m = stack.pop()) {
    out.push(m);
    if (!mayHaveKids(s, m.id)) continue; // a leaf: no array made for it (100k of them under one parent)
    const kids = byChildOrder(children(s, m.id));
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!); // reversed: the first child is popped first
  }
  return out;
}

export const bySeq = (a: Mount, b: Mount): number => a.seq - b.seq;

/** ms sorted by seq, in place; not sorted when it already is (sort copies the array first: 100k children). */
export function bySeqOrder(ms: Mount[]): Mount[] {
  for (let i = 1; i < ms.length; i++) if (ms[i]!.seq < ms[i - 1]!.seq) return ms.sort(bySeq);
  return ms;
}

const byChildSeq = (a: Mount, b: Mount): number => a.childSeq - b.childSeq;

/** Children as their parent's mnt_mounts lists them (Mount.childSeq), in place, as bySeqOrder. */
export function byChildOrder(ms: Mount[]): Mount[] {
  for (let i = 1; i < ms.length; i++) if (ms[i]!.childSeq < ms[i - 1]!.childSeq) return ms.sort(byChildSeq);
  return ms;
}

export function isMountRoot(s: State, p: Pos): boolean {
  return mnt(s, p.mnt).root === p.ino;
}

export function samePos(a: Pos, b: Pos): boolean {
  return a.mnt === b.mnt && a.ino === b.ino;
}

/** is_path_reachable(): walking up from (m, ino) through mount points reaches `root`'s mount, under its dentry. */
export function isReachable(s: State, p: Pos, root: Pos): boolean {
  let m = mnt(s, p.mnt);
  let ino = p.ino;
  while (m.id !== root.mnt && m.parent !== 0) {
    ino = m.mp;
    m = mnt(s, m.parent);
  }
  return m.id === root.mnt && isSubdir(fsOf(s, m).tree, ino, root.ino);
}

/**
 * isReachable for many mounts' roots against one `root`, linear in the table however deep it is:
 * each mount's answer is remembered, and a walk stops at the first remembered ancestor. Valid
 * because above the first mount point crossed, the walk no longer depends on the dentry it
 * started from, only on the mounts (10k mounts stacked on /mnt took 1.8 s walk by walk).
 * For one state that does not change while the returned function is in use.
 */
export function reachability(s: State, root: Pos): (m: Mount) => boolean {
  const memo = new Map<number, boolean>();
  const chain: number[] = [];
  return (m: Mount): boolean => {
    if (m.id === root.mnt) return isSubdir(fsOf(s, m).tree, m.root, root.ino);
    let cur = m;
    let ino = m.root;
    let known: boolean | undefined;
    chain.length = 0;
    for (;;) {
      known = memo.get(cur.id);
      if (known !== undefined) break;
      if (cur.id === root.mnt) { known = isSubdir(fsOf(s, cur).tree, ino, root.ino); break; }
      chain.push(cur.id);
      if (cur.parent === 0) { known = false; break; }
      ino = cur.mp;
      cur = mnt(s, cur.parent);
    }
    for (const id of chain) memo.set(id, known);
    return known;
  };
}

/** The chain of parents of a mount, nearest first. */
export function ancestors(s: State, m: Mount): Mount[] {
  const out: Mount[] = [];
  for (let p = m.parent; p !== 0; p = mnt(s, p).parent) out.push(mnt(s, p));
  return out;
}

/**
 * Registers a new mount record with a fresh id at the end of the namespace's list. Every record is
 * made here (or copied by model.ts's copyMount), fields in one order, so all mounts share one
 * object shape (V8 keeps property reads on them monomorphic; mixed spreads made 100k-mount
 * tables several times slower).
 */
export function addMount(s: State, m: Omit<Mount, "id" | "seq" | "childSeq" | "rank" | PnodeField>, id?: number): Mount {
  return addMountOf(s, id, m.parent, m.mp, m.fs, m.root, m.flags, m.extraOpts, m.lockedFlags, m.lockAtime, m.locked, m.ns, m.peer, m.master, m.propFrom, m.unbindable, m.source);
}

/**
 * addMount with the fields as arguments, in the record's order, for the loops that make 100k
 * mounts (a table's build, unshare): the object made only to pass them was not optimized away,
 * 14 MB of a 100k-line build. The record itself is made here alone.
 */
export function addMountOf(
  s: State, id: number | undefined, parent: number, mp: number, fs: number, root: number, flags: number, extraOpts: string,
  lockedFlags: number, lockAtime: boolean, locked: boolean, ns: number, peer: number, master: number, propFrom: number,
  unbindable: boolean, source: string | null,
): Mount {
  const rec: Mount = {
    id: id ?? s.nextMountId++, parent, mp, fs, root, flags, extraOpts, lockedFlags, lockAtime, locked, ns, peer, master,
    propFrom, unbindable, source, seq: s.nextSeq, childSeq: s.nextSeq++, rank: s.nextRank++,
    shareNext: NONE, sharePrev: NONE, masterMnt: NONE, slaveFirst: NONE, slaveNext: NONE, slavePrev: NONE,
  };
  if (rec.id >= s.nextMountId) s.nextMountId = rec.id + 1;
  s.mounts.set(rec.id, rec);
  linkNew(s, rec);
  return rec;
}

/** clone_mnt: same superblock, flags and source; rooted at `root`; detached; no propagation yet. */
export function cloneMount(s: State, old: Mount, root: number): Mount {
  return addMount(s, {
    ...old, parent: 0, mp: 0, root, ns: 0, peer: 0, master: 0, propFrom: 0, unbindable: false, locked: false,
  });
}

/**
 * copy_tree: copies `top` (rooted at `root`) and the submounts visible under that dentry, skipping
 * unbindable ones (and what is under them). Depth first, each mount's children in attach order
 * (next_mnt over mnt_mounts), so the copies' ids and mountinfo order follow the tree as the
 * kernel's do (recorded on 6.18: test/kernel-oracle-order.test.ts). Returns pairs
 * [original, copy] in that order, the copy of `top` first.
 */
export function copyTree(s: State, top: Mount, root: number, keepLocks: boolean): [Mount, Mount][] {
  const first = cloneMount(s, top, root);
  const pairs: [Mount, Mount][] = [[top, first]];
  const tree = fsOf(s, top).tree;
  const stack: [Mount, Mount][] = []; // [a mount to copy, the copy of its parent]
  const push = (orig: Mount, copy: Mount): void => {
    // A tree not in a namespace yet (a new bind, or propagate_mnt's copy made from the one
    // before) is copied with its detached submounts.
    const kids = byChildOrder(orig.ns === 0 ? allKidsOf(s, orig.id) : children(s, orig.id));
    for (let i = kids.length - 1; i >= 0; i--) { // reversed: the first child is popped first
      const c = kids[i]!;
      if (c.unbindable) continue;
      if (orig === top && !isSubdir(tree, c.mp, root)) continue;
      stack.push([c, copy]);
    }
  };
  push(top, first);
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [c, parentCopy] = next;
    const cc = cloneMount(s, c, c.root);
    setParent(s, cc, parentCopy.id, c.mp);
    if (keepLocks) cc.locked = c.locked;
    pairs.push([c, cc]);
    push(c, cc);
  }
  return pairs;
}

/** Attaches a tree (top + the mounts connected below it) on (parent, ino), in parent's namespace. */
export function attach(s: State, top: Mount, parent: Mount, ino: number): void {
  setParent(s, top, parent.id, ino);
  // The namespace lists its mounts by mnt_id_unique, given when each was made (mnt_add_to_ns's
  // rbtree, Linux 6.8 on), not when it was attached: a new mount keeps the seq it was made with,
  // and a moved one its place (recorded on 6.18: test/kernel-oracle-order.test.ts).
  for (const m of subtreeDetached(s, top)) m.ns = parent.ns;
}

/**
 * Like subtree(), in the same order (next_mnt's: depth first), but also for mounts not attached to
 * any namespace yet: an open_tree clone, a lazily unmounted tree. The order is seen where a walk
 * hands out numbers: invent_group_ids gives a detached tree moved under a shared mount its peer
 * groups depth first (recorded on Linux 6.18:
 * test/native-group-order.test.ts).
 */
export function subtreeDetached(s: State, top: Mount): Mount[] {
  const out: Mount[] = [];
  const stack = [top];
  for (let m = stack.pop(); m; m = stack.pop()) {
    out.push(m);
    if (!mayHaveKids(s, m.id)) continue;
    const kids = byChildOrder(allKidsOf(s, m.id));
    for (let i = kids.length - 1; i >= 0; i--) if (kids[i] !== top) stack.push(kids[i]!);
  }
  return out;
}

/** Any process root, cwd or fd on this mount (the refcount part of propagate_mount_busy). */
export function mountInUse(s: State, id: number): boolean {
  for (const p of s.procs.values()) {
    if (p.root.mnt === id || p.cwd.mnt === id) return true;
    for (const f of p.fds.values()) if (f.mnt === id && f.kind !== "tty" && f.kind !== "mntns") return true;
  }
  return false;
}

/**
 * copy_tree skips unbindable submounts, but not a locked one: skipping it would reveal what it
 * covers, so the copy fails with EPERM (found by test/kernel-oracle.test.ts on 6.18; what is under
 * a skipped mount is not looked at; open_tree(AT_RECURSIVE) copies with copy_tree too, so the same
 * EPERM: found by test/kernel-oracle.test.ts). docs/sources.md#kernel-umount-mount.
 */
export function skipsLocked(s: State, top: Mount, root: number): boolean {
  const tree = fsOf(s, top).tree;
  const queue = everyChild(s, top).filter((c) => isSubdir(tree, c.mp, root));
  for (let i = 0; i < queue.length; i++) {
    const c = queue[i]!;
    if (c.unbindable) { if (c.locked) return true; continue; }
    for (const k of everyChild(s, c)) queue.push(k);
  }
  return false;
}

/**
 * The children copy_tree and has_locked_children walk (mnt_mounts): a detached tree's own
 * submounts too, which keep MNT_LOCKED when a tree is copied (copy_tree; recorded on 6.18:
 * test/mutation-kills-fake-open-tree.test.ts), so a plain copy of such a copy is EINVAL as well.
 */
const everyChild = (s: State, m: Mount): Mount[] => (m.ns === 0 ? allKidsOf(s, m.id) : children(s, m.id));

/** has_locked_children: a locked submount under `ino` of `m` (a plain copy would uncover what it hides). */
export function hasLockedChildren(s: State, m: Mount, ino: number): boolean {
  const tree = fsOf(s, m).tree;
  return everyChild(s, m).some((c) => c.locked && isSubdir(tree, c.mp, ino));
}
