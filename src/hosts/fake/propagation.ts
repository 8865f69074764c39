// Mount propagation (shared subtrees, Documentation/filesystems/sharedsubtree.rst): peer groups,
// slaves, propagation type changes, and the propagation of mount and unmount events to peers and
// slaves, across namespaces. A slave receives from its master group, never the other way.
import type { Mount, Pos, State } from "./model.js";
import { isSubdir } from "./model.js";
import { attach, childAt, children, copyTree, fsOf, isReachable, mnt, subtree } from "./mounts.js";
import { lowestFreeGroup, peersAndSlaves, peersOf, setMasterId, setParent, setPeer, slavesOf } from "./links.js";

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
  if (members(s, g).length > 0) return setMaster(s, m, g);
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

/** Every attached mount that receives events sent to `src`'s peer group (peers, slaves, their peers...). */
export function receivers(s: State, src: Mount): Receiver[] {
  const out: Receiver[] = [];
  if (src.peer === 0) return out;
  const seen = new Set<number>([src.peer]);
  const got = new Set<number>([src.id]);
  const queue = [src.peer];
  for (let i = 0; i < queue.length; i++) {
    const g = queue[i]!;
    for (const m of peersAndSlaves(s, g)) {
      if (m.ns === 0) continue;
      if (!got.has(m.id)) {
        got.add(m.id);
        out.push({ m, peerOfSource: m.peer === src.peer });
      }
      if (m.peer !== 0 && !seen.has(m.peer)) {
        seen.add(m.peer);
        queue.push(m.peer);
      }
    }
  }
  return out;
}

/**
 * attach_recursive_mnt: puts the tree `top` on (dest, ino). Under a shared dest, every mount of the
 * tree becomes shared and a copy goes to each receiver of dest that can see `ino`.
 */
export function graft(s: State, top: Mount, dest: Mount, ino: number, moving = false): void {
  const shared = dest.peer !== 0;
  const recv = shared ? receivers(s, dest) : [];
  const moved = moving ? new Set(subtree(s, top).map((m) => m.id)) : new Set<number>();
  attach(s, top, dest, ino, moving);
  if (!shared) return;
  for (const m of subtree(s, top)) if (m.peer === 0) setPeer(s, m, allocGroup(s));
  const groupMap = new Map<string, number>();
  for (const r of recv) {
    if (moved.has(r.m.id)) continue;
    if (!isSubdir(fsOf(s, r.m).tree, ino, r.m.root)) continue;
    propagateCopy(s, top, r, ino, groupMap);
  }
}

function propagateCopy(s: State, top: Mount, r: Receiver, ino: number, groupMap: Map<string, number>): void {
  const pairs = copyTree(s, top, top.root, false);
  for (const [orig, copy] of pairs) {
    if (r.peerOfSource) {
      setPeer(s, copy, orig.peer);
      setMasterId(s, copy, orig.master);
      continue;
    }
    setMasterId(s, copy, orig.peer);
    if (r.m.peer === 0) continue;
    const key = `${r.m.peer}:${orig.id}`;
    if (!groupMap.has(key)) groupMap.set(key, allocGroup(s));
    setPeer(s, copy, groupMap.get(key)!);
  }
  const copyTop = pairs[0]![1];
  const existing = childAt(s, r.m.id, ino);
  attach(s, copyTop, r.m, ino);
  // A propagated mount goes under what is already there (mnt_change_mountpoint, "tucking").
  if (existing) {
    setParent(s, existing, copyTop.id, copyTop.root);
  }
}

/**
 * propagate_umount: adds to `set` the mounts that an unmount of `set` reaches through shared
 * parents. A reached mount is only taken if all its children go too; a locked one only with its parent.
 */
export function propagateUmount(s: State, set: Set<number>): void {
  const queue = [...set];
  const reached = new Set<number>();
  for (let i = 0; i < queue.length; i++) {
    const m = mnt(s, queue[i]!);
    if (m.parent === 0) continue;
    const parent = mnt(s, m.parent);
    for (const r of receivers(s, parent)) {
      const c = childAt(s, r.m.id, m.mp);
      if (!c || set.has(c.id)) continue;
      if (c.locked && !set.has(r.m.id)) continue;
      set.add(c.id);
      reached.add(c.id);
      queue.push(c.id);
    }
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const id of reached) {
      if (children(s, id).every((c) => set.has(c.id))) continue;
      set.delete(id);
      reached.delete(id);
      changed = true;
    }
  }
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
