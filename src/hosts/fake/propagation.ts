// Mount propagation (shared subtrees, Documentation/filesystems/sharedsubtree.rst): peer groups,
// slaves, propagation type changes, and the propagation of mount and unmount events to peers and
// slaves, across namespaces. A slave receives from its master group, never the other way.
import type { Mount, Pos, State } from "./model.js";
import { isSubdir } from "./model.js";
import { LOCKABLE } from "./flags.js";
import { attach, childAt, children, copyTree, fsOf, isReachable, mnt, subtree } from "./mounts.js";
import { eachPeerAndSlave, hasPeers, lowestFreeGroup, peersOf, setMasterId, setParent, setPeer, slavesOf } from "./links.js";

export function members(s: State, g: number): Mount[] {
  return peersOf(s, g);
}

/** The lowest free peer group id, like the kernel's IDA. */
export function allocGroup(s: State): number {
  return lowestFreeGroup(s);
}

function setMaster(s: State, m: Mount, g: number): void {
  if (m.master !== g) m.propFrom = 0;
  setMasterId(s, m, g);
}

/** do_make_slave: leave the peer group; slave of the former peers, or of our own master if alone. */
export function makeSlave(s: State, m: Mount): void {
  const g = m.peer;
  if (g === 0) return;
  setPeer(s, m, 0);
  if (hasPeers(s, g)) return setMaster(s, m, g);
  // Last member: the group's slaves are handed to its master (or become private).
  for (const x of slavesOf(s, g)) setMaster(s, x, m.master);
}

export function makePrivate(s: State, m: Mount): void {
  makeSlave(s, m);
  setMaster(s, m, 0);
  m.unbindable = false;
}

/** change_mnt_propagation for one mount; `type` is one of MS_SHARED/SLAVE/PRIVATE/UNBINDABLE names. */
export function changeType(s: State, m: Mount, type: "shared" | "slave" | "private" | "unbindable"): void {
  if (type === "shared") {
    if (m.peer === 0) setPeer(s, m, allocGroup(s));
    m.unbindable = false;
  } else if (type === "slave") {
    // change_mnt_propagation (fs/pnode.c): MS_SLAVE only does do_make_slave, so an unbindable
    // mount stays unbindable (mountinfo keeps the tag); shared and private clear it. Found by the
    // differential suite (test/native-diff-setups.test.ts, "an unbindable parent").
    makeSlave(s, m);
  } else {
    makePrivate(s, m);
    m.unbindable = type === "unbindable";
  }
}

export interface Receiver { m: Mount; peerOfSource: boolean }

/**
 * Every attached mount that receives events sent to `src`'s peer group (peers, slaves, their
 * peers...) and can hold them: a mount of another superblock is walked through but never returned.
 * The kernel reaches the same result per receiver: propagate_one's is_subdir() and
 * __lookup_mnt(m, mountpoint) never match a dentry of another superblock. A parsed table can carry
 * such a member (a hostile or hand-written `master:1` on another device); the fake once looked its
 * inode up in the wrong tree and threw.
 */
export function receivers(s: State, src: Mount): Receiver[] {
  const out: Receiver[] = [];
  if (src.peer === 0) return out;
  const seen = new Set<number>([src.peer]);
  const got = new Set<number>([src.id]);
  const queue = [src.peer];
  const visit = (m: Mount): void => {
    if (m.ns === 0) return;
    if (!got.has(m.id)) {
      got.add(m.id);
      if (m.fs === src.fs) out.push({ m, peerOfSource: m.peer === src.peer });
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
 * tree becomes shared and a copy goes to each receiver of dest that can see `ino`.
 */
export function graft(s: State, top: Mount, dest: Mount, ino: number): void {
  const shared = dest.peer !== 0;
  const recv = shared ? receivers(s, dest) : [];
  attach(s, top, dest, ino);
  if (!shared) return;
  const source = subtree(s, top);
  // invent_group_ids gives the source's unshared mounts their groups now, but set_mnt_shared marks
  // them shared only after propagate_mnt: a receiver among them (a slave in a moved tree) gets a
  // plain slave copy, as an unshared receiver does (recorded on Linux 6.18, seed 6).
  const fresh = new Set(source.filter((m) => m.peer === 0).map((m) => m.id));
  for (const m of source) if (m.peer === 0) setPeer(s, m, allocGroup(s));
  // Every copy is made before any is attached, as propagate_mnt builds them all before
  // attach_recursive_mnt commits one (fs/namespace.c): attaching one tucks what was at its spot on
  // top of it, and a later copy would copy that too. A moved tree receives copies of itself where
  // its mounts are receivers of dest (recorded on Linux 6.18, test/kernel-oracle-regressions.test.ts
  // "a move onto a peer", "a moved tree's receivers each get the tree as it was before any copy").
  const groupMap = new Map<string, number>();
  const copies: [Mount, Receiver][] = [];
  for (const r of recv) {
    if (!isSubdir(fsOf(s, r.m).tree, ino, r.m.root)) continue;
    copies.push([propagateCopy(s, top, r, groupMap, dest.peer, dest.ns, fresh.has(r.m.id)), r]);
  }
  for (const [copyTop, r] of copies) attachCopy(s, copyTop, r.m, ino);
}

/**
 * The group a receiver's copy of `orig` is a slave of: the copy made in the nearest group up its
 * chain of masters that already got one, else the original's group once the chain reaches the
 * source's own. propagate_one() does this with MNT_MARK on the masters it copied into, then moves
 * last_source up to the copy in the receiver's master group (fs/pnode.c). A copy in a slave of a
 * slave group is a slave of its master group's copy, not of the original: found by recording
 * "/b shared:2 master:1, /b/b a slave of it" on Linux 6.18 (test/kernel-oracle-regressions.test.ts).
 * `groupMap` holds, per receiving peer group and original, the group its copies were given.
 */
function masterOfCopy(s: State, m: Mount, orig: Mount, sourceGroup: number, groupMap: Map<string, number>): number {
  const seen = new Set<number>();
  for (let g = m.master; g !== 0 && g !== sourceGroup && !seen.has(g);) {
    seen.add(g);
    const copied = groupMap.get(`${g}:${orig.id}`);
    if (copied !== undefined) return copied;
    g = members(s, g)[0]?.master ?? 0; // a group's members share their master
  }
  return orig.peer;
}

/** One receiver's copy of the source tree, its groups and locks set, not attached yet. */
function propagateCopy(s: State, top: Mount, r: Receiver, groupMap: Map<string, number>, sourceGroup: number, sourceNs: number, notYetShared: boolean): Mount {
  // copy_tree keeps a submount's MNT_LOCKED in a propagated copy too: in a user-namespace-owned
  // namespace, a copy of an rbind whose submount is locked has that submount locked (recorded on
  // Linux 6.18: test/mutation-kills-fake-propagation.test.ts).
  const pairs = copyTree(s, top, top.root, true);
  for (const [orig, copy] of pairs) {
    if (r.peerOfSource) {
      setPeer(s, copy, orig.peer);
      setMasterId(s, copy, orig.master);
      continue;
    }
    setMasterId(s, copy, masterOfCopy(s, r.m, orig, sourceGroup, groupMap));
    if (r.m.peer === 0 || notYetShared) continue;
    const key = `${r.m.peer}:${orig.id}`;
    if (!groupMap.has(key)) groupMap.set(key, allocGroup(s));
    setPeer(s, copy, groupMap.get(key)!);
  }
  const copyTop = pairs[0]![1];
  // Propagation into a namespace of another owner locks the copy (lock_mnt_tree): its flags and
  // atime, and, below its top, every mount (MNT_LOCKED: what it covers must stay hidden).
  // Recorded on Linux 6.18: moving such a copy's submount in B is EINVAL
  // (test/kernel-oracle-regressions.test.ts "a propagated submount is locked in B").
  if (s.nss.get(r.m.ns)?.owner !== s.nss.get(sourceNs)?.owner) {
    for (const [, c] of pairs) {
      c.lockAtime = true;
      c.lockedFlags = c.flags & LOCKABLE;
      c.locked = c !== copyTop;
    }
  }
  return copyTop;
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
  const allIn = (m: Mount) => subtree(s, m).every((x) => inS(x.id));
  for (let changed = true; changed; ) { // maximal non-shifting subset
    changed = false;
    for (const id of cand) {
      const m = mnt(s, id);
      if (children(s, id).every((c) => c === overmount(m) || allIn(c))) continue;
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
