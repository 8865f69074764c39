// Mount propagation (shared subtrees, Documentation/filesystems/sharedsubtree.rst): peer groups,
// slaves, propagation type changes, and the propagation of mount and unmount events to peers and
// slaves, across namespaces. A slave receives from its master group, never the other way.
import { type Mount, type Pos, type State, NONE, isSubdir } from "./model.js";
import { LOCKABLE } from "./flags.js";
import { attach, childAt, copyTree, fsOf, isReachable, mnt, subtree, subtreeDetached } from "./mounts.js";
import { allKidsOf, eachPeerAndSlave, lowestFreeGroup, peersOf, setParent } from "./links.js";
import { inAnonNs } from "./anon.js";
import { firstSlave, joinPeerAfter, leaveGroup, masterOf, newGroup, nextPeer, nextSlave, slaveAtHead, slaveBehind, slaveOfGroup, transferSlaves, unslave } from "./pnode.js";

export function members(s: State, g: number): Mount[] {
  return peersOf(s, g);
}

/** The lowest free peer group id, like the kernel's IDA. */
export function allocGroup(s: State): number {
  return lowestFreeGroup(s);
}

/**
 * propagation_source (fs/pnode.c, 6.17): where a leaving mount's slaves go: the next peer in its
 * ring that is not itself going (`marked`: a umount's set), else up its masters to the first
 * that is not going. Undefined: nowhere (they become private).
 */
function propagationSource(s: State, m: Mount, marked: ReadonlySet<number> | undefined): Mount | undefined {
  let x: Mount | undefined = m;
  do {
    for (let p = nextPeer(s, x); p !== x; p = nextPeer(s, p)) if (!marked?.has(p.id)) return p;
    x = masterOf(s, x);
  } while (x && marked?.has(x.id));
  return x;
}

/**
 * change_mnt_propagation (fs/pnode.c, 6.17-6.18) for MS_SLAVE, MS_PRIVATE and MS_UNBINDABLE: a
 * shared mount leaves its group, and its slaves go to propagation_source (the next peer, else its
 * own master); made a slave, it is its former next peer's slave (or stays its master's), first in
 * that list; else it is no one's slave.
 */
function leavePropagation(s: State, m: Mount, type: "slave" | "private" | "unbindable", marked?: ReadonlySet<number>): void {
  // The new master: a mount, or only a group when the table shows no member of it (a parsed
  // "master:N" of a group outside the table keeps its number and has no list to be in).
  let to = masterOf(s, m);
  let toGroup = m.master;
  if (m.peer !== 0) {
    if (type === "slave" || firstSlave(s, m)) {
      to = propagationSource(s, m, marked);
      toGroup = to ? to.peer : m.masterMnt === NONE ? m.master : 0;
    }
    leaveGroup(s, m);
    transferSlaves(s, m, to, toGroup);
  }
  if (type !== "slave") {
    unslave(s, m);
    m.unbindable = type === "unbindable";
  } else if (to) slaveAtHead(s, m, to);
  else slaveOfGroup(s, m, toGroup);
}

/** MS_PRIVATE; `marked`: the other mounts a umount takes, which the slaves must not go to. */
export function makePrivate(s: State, m: Mount, marked?: ReadonlySet<number>): void {
  leavePropagation(s, m, "private", marked);
}

/** change_mnt_propagation for one mount; `type` is one of MS_SHARED/SLAVE/PRIVATE/UNBINDABLE names. */
export function changeType(s: State, m: Mount, type: "shared" | "slave" | "private" | "unbindable"): void {
  if (type === "shared") {
    if (m.peer === 0) newGroup(s, m, allocGroup(s));
    m.unbindable = false;
    return;
  }
  // change_mnt_propagation (fs/pnode.c): MS_SLAVE only does do_make_slave, so an unbindable
  // mount stays unbindable (mountinfo keeps the tag); shared and private clear it. Found by the
  // differential suite (test/native-diff-setups.test.ts, "an unbindable parent").
  leavePropagation(s, m, type);
}

export interface Receiver { m: Mount }

/**
 * Every attached mount that receives events sent to `src`'s peer group (peers, slaves, their
 * peers...) and can hold them: a mount of another superblock is walked through but never returned.
 * The kernel reaches the same result per receiver: is_subdir() and __lookup_mnt(m, mountpoint)
 * never match a dentry of another superblock. A parsed table can carry such a member (a hostile or
 * hand-written `master:1` on another device); the fake once looked its inode up in the wrong tree
 * and threw. For the unmount side (propagate_mount_unlock, gather_candidates), where only the set
 * matters; a mount's copies are made in the kernel's order by propagateMnt.
 */
export function receivers(s: State, src: Mount): Receiver[] {
  const out: Receiver[] = [];
  if (src.peer === 0) return out;
  const seen = new Set<number>([src.peer]);
  const got = new Set<number>([src.id]);
  const queue = [src.peer];
  // A detached tree (an open_tree clone, in its anonymous namespace) is reached too: unlike
  // propagate_mnt's IS_MNT_NEW, the unmount side skips no namespace (recorded on Linux 6.18:
  // test/native-detached-umount.test.ts). A lazily unmounted mount has left its group already.
  const visit = (m: Mount): void => {
    if (!got.has(m.id)) {
      got.add(m.id);
      if (m.fs === src.fs) out.push({ m });
    }
    if (m.peer !== 0 && !seen.has(m.peer)) {
      seen.add(m.peer);
      queue.push(m.peer);
    }
  };
  for (let i = 0; i < queue.length; i++) eachPeerAndSlave(s, queue[i]!, visit);
  return out;
}

/**
 * attach_recursive_mnt: puts the tree `top` on (dest, ino). Under a shared dest, every mount of the
 * tree becomes shared and a copy goes to each receiver of dest that can see `ino`, made in
 * propagate_mnt's order (propagateMnt) before any is attached.
 */
export function graft(s: State, top: Mount, dest: Mount, ino: number): void {
  if (dest.peer === 0) return attach(s, top, dest, ino);
  const source = top.ns === 0 ? subtreeDetached(s, top) : subtree(s, top);
  // invent_group_ids gives the source's unshared mounts their groups now, but set_mnt_shared marks
  // them shared only after propagate_mnt: a receiver among them (a slave in a moved tree) gets a
  // plain slave copy, as an unshared receiver does (recorded on Linux 6.18, seed 6).
  const fresh = new Set(source.filter((m) => m.peer === 0).map((m) => m.id));
  for (const m of source) if (m.peer === 0) newGroup(s, m, allocGroup(s));
  // Every copy is made before any is attached, as propagate_mnt builds them all before
  // attach_recursive_mnt commits one (fs/namespace.c): attaching one tucks what was at its spot on
  // top of it, and a later copy would copy that too. A moved tree receives copies of itself where
  // its mounts are receivers of dest (recorded on Linux 6.18, test/kernel-oracle-regressions.test.ts
  // "a move onto a peer", "a moved tree's receivers each get the tree as it was before any copy").
  const copies = propagateMnt(s, dest, ino, top, fresh);
  attach(s, top, dest, ino);
  // Propagation into a namespace of another owner locks the copy (lock_mnt_tree, at commit, so
  // after every copy is made: a copy made from an earlier one does not inherit its locks): its
  // flags and atime, and, below its top, every mount (MNT_LOCKED: what it covers must stay hidden).
  // Recorded on Linux 6.18: moving such a copy's submount in B is EINVAL
  // (test/kernel-oracle-regressions.test.ts "a propagated submount is locked in B").
  const owner = s.nss.get(dest.ns)?.owner;
  for (let i = copies.length - 1; i >= 0; i--) { // tree_list: hlist_add_head, so the last made first
    const [copyTop, receiver] = copies[i]!;
    if (s.nss.get(receiver.ns)?.owner !== owner) {
      for (const c of subtreeDetached(s, copyTop)) {
        c.lockAtime = true;
        c.lockedFlags = c.flags & LOCKABLE;
        c.locked = c !== copyTop;
      }
    }
    attachCopy(s, copyTop, receiver, ino);
  }
}

/**
 * propagate_mnt (fs/pnode.c, 6.15-6.18): the copies of `top` for the receivers of dest, each
 * [copy, receiver], in the order the kernel makes them. The walk: dest's own peers around its
 * ring from dest, then every slave group depth first (next_group), each around its ring from the
 * member met first. In dest's group each copy is a peer copy of the one before (the first of
 * `top`); the first copy in a slave group is a slave of the copy find_master picks, the rest its
 * peers. A receiver must be in a namespace (not new, not detached) and see `ino` (need_secondary).
 * `fresh`: the source's mounts invent_group_ids gave a group to, not shared until after the walk.
 */
function propagateMnt(s: State, dest: Mount, ino: number, top: Mount, fresh: ReadonlySet<number>): [Mount, Mount][] {
  const out: [Mount, Mount][] = [];
  const marks = new Set<number>(); // MNT_MARK: the masters of receivers copied into
  const parentOf = new Map<number, Mount>(); // mnt_set_mountpoint: a copy's receiver before commit
  const isNew = (m: Mount) => m.ns === 0; // IS_MNT_NEW or in an anonymous namespace: propagate_one skips both
  // next_group's IS_MNT_NEW is only "in no namespace" (the copies made here): the slaves of a peer
  // in a detached tree held by an fd are walked (6.18, found by test/kernel-oracle.test.ts: a bind
  // made a slave of a clone's mount got its copies).
  const noNamespace = (m: Mount) => m.ns === 0 && !inAnonNs(s, m);
  const shared = (m: Mount) => m.peer !== 0 && !fresh.has(m.id);
  const peers = (a: Mount, b: Mount) => a.peer !== 0 && a.peer === b.peer;
  const tree = fsOf(s, dest).tree;
  // need_secondary; is_subdir never matches a dentry of another superblock, so a receiver of
  // another filesystem (a hand-written "master:1" on another device) gets nothing.
  const needSecondary = (n: Mount) => !isNew(n) && n.fs === dest.fs && isSubdir(tree, ino, n.root);
  const mark = (m: Mount) => { const p = masterOf(s, m); if (p) marks.add(p.id); };
  const findMaster = (n: Mount, lastCopy: Mount): Mount => {
    let m = n;
    let p: Mount | undefined;
    for (;;) { // up to the nearest master already copied into
      p = masterOf(s, m);
      if (!p || marks.has(p.id)) break;
      m = p;
    }
    while (!peers(lastCopy, top)) { // down the copies' masters to the one made for p's group
      const parent = parentOf.get(lastCopy.id)!; // not top's peer: a copy made in this walk
      if (masterOf(s, parent) === p) {
        if (!peers(parent, m)) lastCopy = masterOf(s, lastCopy)!;
        break;
      }
      lastCopy = masterOf(s, lastCopy)!;
    }
    return lastCopy;
  };
  const nextGroup = (start: Mount): Mount | undefined => {
    let m = start;
    for (;;) {
      for (;;) {
        if (!noNamespace(m) && m.slaveFirst !== NONE) return firstSlave(s, m);
        const next = nextPeer(s, m);
        if (m.peer === dest.peer) {
          if (next === dest) return undefined;
        } else if (m.slaveNext !== next.id) break;
        m = next;
      }
      for (;;) { // m is the last peer of its group: on to its master's next slave, or up
        const master = masterOf(s, m)!;
        if (m.slaveNext !== NONE) return nextSlave(s, m);
        m = nextPeer(s, master);
        if (master.peer === dest.peer) break;
        if (master.slaveNext === m.id) break;
        m = master;
      }
      if (m === dest) return undefined;
    }
  };
  mark(dest);
  let copy = top;
  const starts = new Set<number>(); // each group is entered once; a second time would be a cycle
  for (let m: Mount | undefined = dest; m; m = nextGroup(m)) {
    if (starts.has(m.id)) throw new Error(`fake kernel: propagate_mnt met mount ${m.id} twice (a cycle in the propagation lists)`);
    starts.add(m.id);
    let slave: boolean, makeShared: boolean, n: Mount;
    if (m === dest) {
      copy = top;
      slave = false;
      makeShared = true;
      n = nextPeer(s, m);
      if (n === m) continue;
    } else {
      slave = true;
      makeShared = shared(m);
      n = m;
    }
    do {
      if (!needSecondary(n)) continue;
      if (slave) copy = findMaster(n, copy);
      const made = cloneForPropagation(s, copy, slave, makeShared);
      parentOf.set(made.id, n);
      mark(n);
      copy = made;
      out.push([made, n]);
      slave = false;
      makeShared = true;
    } while ((n = nextPeer(s, n)) !== m);
  }
  return out;
}

/**
 * copy_tree(copy, CL_SLAVE and/or CL_MAKE_SHARED), clone_mnt's propagation part for each mount:
 * a slave copy is its original's slave (first in its list) and, made shared, alone in a new
 * group; a peer copy joins its original's group right after it (and, a slave's copy, its master's
 * list right behind it). copy_tree keeps a submount's MNT_LOCKED (recorded on Linux 6.18:
 * test/mutation-kills-fake-propagation.test.ts).
 */
function cloneForPropagation(s: State, copy: Mount, slave: boolean, makeShared: boolean): Mount {
  const pairs = copyTree(s, copy, copy.root, true);
  for (const [o, c] of pairs) {
    if (slave) {
      if (makeShared) newGroup(s, c, allocGroup(s));
      slaveAtHead(s, c, o);
      continue;
    }
    if (o.peer !== 0) joinPeerAfter(s, c, o);
    else newGroup(s, c, allocGroup(s));
    if (o.master !== 0) slaveBehind(s, c, o);
  }
  return pairs[0]![1];
}

/**
 * Commits a propagated copy at (receiver, ino). It goes under what is already there
 * (mnt_change_mountpoint, "tucking"): what was there goes on top of the copy's own stack on its
 * root (attach_recursive_mnt walks r->overmount up to the top first; found by
 * test/kernel-oracle.test.ts on a shared "/" stack).
 */
function attachCopy(s: State, copyTop: Mount, receiver: Mount, ino: number): void {
  const existing = childAt(s, receiver.id, ino);
  attach(s, copyTop, receiver, ino);
  if (existing) {
    let top = copyTop;
    for (let o = childAt(s, top.id, top.root); o && o !== existing; o = childAt(s, top.id, top.root)) top = o;
    setParent(s, existing, top.id, top.root);
  }
}

/**
 * propagate_mount_unlock, which umount_tree(UMOUNT_PROPAGATE) calls before anything else: every
 * copy of `top` that the unmount reaches (the mount at top's mount point in each receiver of its
 * parent) loses MNT_LOCKED. Unmounting the original reveals nothing its copies hide, so a copy
 * locked by a user namespace (B's /a/x under B's /a) goes with it although its parent stays.
 * Only those copies: their locked children still need their parent in the set (propagate_umount).
 * Sources: docs/sources.md#kernel-umount-mount (fs/namespace.c umount_tree, fs/pnode.c).
 */
export function propagateMountUnlock(s: State, top: Mount): void {
  if (top.parent === 0) return;
  for (const r of receivers(s, mnt(s, top.parent))) {
    const c = childAt(s, r.m.id, top.mp);
    if (c) c.locked = false;
  }
}

/**
 * propagate_umount (fs/pnode.c since 6.16, Documentation/filesystems/propagate_umount.txt): adds
 * to the closed set `set` the mounts it reaches (at the same mount point, in a receiver of the
 * parent), cut down to the largest subset that is
 *  - non-shifting: a taken mount has nothing left strictly inside it; only a mount on its very root
 *    (its "overmount") may stay, and slides down to where the bottom of the stack was attached;
 *  - non-revealing: a locked mount goes only with its parent.
 * Sources: docs/sources.md#kernel-umount-mount.
 */
export function propagateUmount(s: State, set: Set<number>, members?: readonly Mount[]): void {
  const cand = gatherCandidates(s, set, members);
  const inS = (id: number) => set.has(id) || cand.has(id);
  const overmount = (m: Mount) => childAt(s, m.id, m.root);
  // Every child, in a namespace or not: a candidate in a detached tree (an open_tree clone, which
  // the unmount reaches) keeps a submount of its own there, and mnt_mounts lists it. Seen only
  // through attached mounts, the model took such a copy where Linux 6.18 keeps it
  // (test/native-detached-umount.test.ts, "a detached copy with a submount of its own").
  const allIn = (m: Mount) => subtreeDetached(s, m).every((x) => inS(x.id));
  for (let changed = true; changed; ) { // maximal non-shifting subset
    changed = false;
    for (const id of cand) {
      const m = mnt(s, id);
      if (allKidsOf(s, id).every((c) => c === overmount(m) || allIn(c))) continue;
      cand.delete(id);
      changed = true;
    }
  }
  for (let changed = true; changed; ) { // maximal non-revealing subset
    changed = false;
    for (const id of cand) {
      const m = mnt(s, id);
      if (!m.locked || inS(m.parent)) continue;
      cand.delete(id);
      changed = true;
    }
  }
  for (const id of cand) set.add(id);
  for (const id of cand) { // reparent: an overmount that stays goes where its stack was attached
    const ov = overmount(mnt(s, id));
    if (!ov || set.has(ov.id)) continue;
    let p = mnt(s, id);
    let mp = p.mp;
    for (; set.has(p.id); p = mnt(s, p.parent)) mp = p.mp;
    setParent(s, ov, p.id, mp);
  }
}

/**
 * gather_candidates: every mount at the mount point of a member, in a receiver of its parent.
 * `members`: the set's mounts in its order, when the caller has them (not looked up again by id).
 */
function gatherCandidates(s: State, set: Set<number>, members?: readonly Mount[]): Set<number> {
  const cand = new Set<number>();
  // Receivers of each parent, found once: a detached tree's 100k mounts share one parent, and
  // nothing changes while the candidates are gathered.
  const byParent = new Map<number, Receiver[]>();
  let lastParent = 0;
  let recv: Receiver[] = [];
  for (const m of members ?? [...set].map((id) => mnt(s, id))) {
    if (m.parent === 0) continue;
    if (m.parent !== lastParent) { // members in a row mostly share a parent
      lastParent = m.parent;
      const known = byParent.get(m.parent);
      if (known !== undefined) recv = known;
      else byParent.set(m.parent, (recv = receivers(s, mnt(s, m.parent))));
    }
    for (const r of recv) {
      const c = childAt(s, r.m.id, m.mp);
      if (c && !set.has(c.id)) cand.add(c.id);
    }
  }
  return cand;
}

/** get_dominating_id: the nearest master group with a member the reader can see, or 0. */
export function dominatingGroup(s: State, m: Mount, ns: number, root: Pos): number {
  const seen = new Set<number>();
  for (let g = m.master; g !== 0 && !seen.has(g); ) {
    seen.add(g);
    const ms = members(s, g);
    if (ms.some((x) => x.ns === ns && isReachable(s, { mnt: x.id, ino: x.root }, root))) return g;
    g = ms[0]?.master ?? 0;
  }
  return 0;
}
