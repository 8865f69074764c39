// The kernel's propagation lists, kept beside the group ids (links.ts): each peer group's ring
// (mnt_share), each slave's own master mount (mnt_master) and each master's list of slaves
// (mnt_slave_list, an hlist since Linux 6.17). The group ids say who receives an event; these
// lists say in which order propagate_mnt visits the receivers, and so which copy is made first and
// gets the lower mount id and peer group id. Ordering rules, from fs/namespace.c and fs/pnode.c
// (6.17-6.18; docs/sources.md#kernel-propagation-order):
//  - clone_mnt puts a peer copy right after its original in the ring (list_add), a copy made a
//    slave of its original at the head of the original's slaves (hlist_add_head), and a copy of a
//    slave right behind the original (hlist_add_behind);
//  - change_mnt_propagation hands a leaving mount's slaves to the head of their new master's list
//    (transfer_propagation), and a mount made a slave goes to the head of its master's list.
// Only this file writes the list fields (Mount.shareNext ... slavePrev); it writes the group ids
// through links.ts's setPeer/setMasterId, so both stay in step.
import { type Mount, type State, NONE } from "./model.js";
import { setMasterId, setPeer } from "./links.js";

const at = (s: State, id: number): Mount => s.mounts.get(id)!;

/** next_peer: the next mount of m's ring; m itself when m is alone (or not shared). */
export function nextPeer(s: State, m: Mount): Mount {
  return m.shareNext === NONE ? m : at(s, m.shareNext);
}

/** The mount m is a slave of (mnt_master), if the fake knows it. */
export function masterOf(s: State, m: Mount): Mount | undefined {
  return m.masterMnt === NONE ? undefined : at(s, m.masterMnt);
}

export function firstSlave(s: State, m: Mount): Mount | undefined {
  return m.slaveFirst === NONE ? undefined : at(s, m.slaveFirst);
}

export function nextSlave(s: State, m: Mount): Mount | undefined {
  return m.slaveNext === NONE ? undefined : at(s, m.slaveNext);
}

/** The mounts of m's ring from m on, m first (get_peer_under_root's walk). */
export function ringFrom(s: State, m: Mount): Mount[] {
  const out = [m];
  for (let p = nextPeer(s, m); p !== m; p = nextPeer(s, p)) out.push(p);
  return out;
}

/** Links m into old's ring right after old (no group id change). */
export function ringLinkAfter(s: State, m: Mount, old: Mount): void {
  const next = nextPeer(s, old);
  m.sharePrev = old.id;
  m.shareNext = next.id;
  old.shareNext = m.id;
  next.sharePrev = m.id;
}

function ringUnlink(s: State, m: Mount): void {
  if (m.shareNext !== NONE) {
    const next = at(s, m.shareNext);
    const prev = at(s, m.sharePrev);
    if (next === prev) { // two in the ring: the other is left alone
      next.shareNext = NONE;
      next.sharePrev = NONE;
    } else {
      prev.shareNext = next.id;
      next.sharePrev = prev.id;
    }
  }
  m.shareNext = NONE;
  m.sharePrev = NONE;
}

/** clone_mnt of a shared mount: m joins old's peer group, right after old in the ring. */
export function joinPeerAfter(s: State, m: Mount, old: Mount): void {
  ringUnlink(s, m);
  setPeer(s, m, old.peer);
  ringLinkAfter(s, m, old);
}

/**
 * clone_mnt's propagation for a plain copy (a bind, open_tree's clone, a namespace copy by the same
 * owner): a copy of a shared mount is its peer, right after it in the ring; a copy of a slave is a
 * slave of the same master, right behind it.
 */
export function cloneLike(s: State, c: Mount, o: Mount): void {
  if (o.peer !== 0) joinPeerAfter(s, c, o);
  if (o.master !== 0) slaveBehind(s, c, o);
}

/** A new peer group g (set_mnt_shared after mnt_alloc_group_id), m its only member. */
export function newGroup(s: State, m: Mount, g: number): void {
  ringUnlink(s, m);
  setPeer(s, m, g);
}

/** m leaves its peer group (its slaves are the caller's: transferSlaves first). */
export function leaveGroup(s: State, m: Mount): void {
  ringUnlink(s, m);
  setPeer(s, m, 0);
}

function slaveUnlink(s: State, m: Mount): void {
  if (m.slavePrev !== NONE) at(s, m.slavePrev).slaveNext = m.slaveNext;
  else if (m.masterMnt !== NONE && at(s, m.masterMnt).slaveFirst === m.id) at(s, m.masterMnt).slaveFirst = m.slaveNext;
  if (m.slaveNext !== NONE) at(s, m.slaveNext).slavePrev = m.slavePrev;
  m.slaveNext = NONE;
  m.slavePrev = NONE;
}

/** The master group changes: the mountinfo propagate_from read with the old one goes. */
function setMasterGroup(s: State, m: Mount, g: number): void {
  if (m.master !== g) m.propFrom = 0;
  setMasterId(s, m, g);
}

/** m becomes a slave of `master`, first in its list of slaves (hlist_add_head). */
export function slaveAtHead(s: State, m: Mount, master: Mount): void {
  slaveUnlink(s, m);
  setMasterGroup(s, m, master.peer);
  slaveAtHeadOf(s, m, master);
}

/** The list part of slaveAtHead, for a copy made with its group ids set (unshare's). */
export function slaveAtHeadOf(s: State, m: Mount, master: Mount): void {
  m.masterMnt = master.id;
  m.slaveNext = master.slaveFirst;
  if (master.slaveFirst !== NONE) at(s, master.slaveFirst).slavePrev = m.id;
  master.slaveFirst = m.id;
}

/** m becomes a slave of old's master, right behind old in its list (hlist_add_behind). */
export function slaveBehind(s: State, m: Mount, old: Mount): void {
  slaveUnlink(s, m);
  setMasterGroup(s, m, old.master);
  slaveBehindOf(s, m, old);
}

/** The list part of slaveBehind, for a copy made with its group ids set (unshare's). */
export function slaveBehindOf(s: State, m: Mount, old: Mount): void {
  m.masterMnt = old.masterMnt;
  if (old.masterMnt === NONE) return; // a master the table does not show: no list to be in
  m.slavePrev = old.id;
  m.slaveNext = old.slaveNext;
  if (old.slaveNext !== NONE) at(s, old.slaveNext).slavePrev = m.id;
  old.slaveNext = m.id;
}

/** m is no one's slave any more. */
export function unslave(s: State, m: Mount): void {
  slaveOfGroup(s, m, 0);
}

/** m is a slave of group g through no mount the fake knows (a table's outside master), or of none. */
export function slaveOfGroup(s: State, m: Mount, g: number): void {
  slaveUnlink(s, m);
  m.masterMnt = NONE;
  setMasterGroup(s, m, g);
}

/**
 * transfer_propagation (6.17): m's slaves become `to`'s, at the head of its list in their order;
 * with no `to`, slaves of `toGroup` through no known mount (0: no one's slaves).
 */
export function transferSlaves(s: State, m: Mount, to: Mount | undefined, toGroup: number): void {
  const slaves: Mount[] = [];
  for (let x = firstSlave(s, m); x; x = nextSlave(s, x)) slaves.push(x);
  m.slaveFirst = NONE;
  for (const x of slaves) { x.slaveNext = NONE; x.slavePrev = NONE; x.masterMnt = NONE; }
  if (!to) {
    for (const x of slaves) setMasterGroup(s, x, toGroup);
    return;
  }
  for (let i = slaves.length - 1; i >= 0; i--) slaveAtHead(s, slaves[i]!, to);
}

/**
 * The lists of a table read from mountinfo, which no line shows: each group's ring in listing
 * order, each slave a slave of its master group's first listed member, after the ones listed
 * before it. The kernel made them in an order the text does not keep (a host's ring order is
 * unknowable), so this is a guess, and only propagation order can tell. A master no line shows
 * stays unknown (slaveOfGroup); so does one that would make a slave its own master, directly or
 * through its group (only a hand-written table can say so, and a propagation walk would not end).
 */
export function linkListed(s: State, ms: readonly Mount[]): void {
  const first = new Map<number, Mount>();
  const last = new Map<number, Mount>();
  for (const m of ms) {
    if (m.peer === 0) continue;
    const l = last.get(m.peer);
    if (l) ringLinkAfter(s, m, l);
    else first.set(m.peer, m);
    last.set(m.peer, m);
  }
  const tail = new Map<number, Mount>(); // a master's last slave so far
  for (const m of ms) {
    if (m.master === 0) continue;
    const master = first.get(m.master);
    if (!master || closesCycle(s, m, master)) continue;
    m.masterMnt = master.id;
    const t = tail.get(master.id);
    if (t) { m.slavePrev = t.id; t.slaveNext = m.id; } else master.slaveFirst = m.id;
    tail.set(master.id, m);
  }
}

/** Whether m's master would be m, a peer of m, or one whose masters reach either. */
function closesCycle(s: State, m: Mount, master: Mount): boolean {
  for (let x: Mount | undefined = master; x; x = masterOf(s, x)) {
    if (x === m || (m.peer !== 0 && x.peer === m.peer)) return true;
  }
  return false;
}

/**
 * null when the lists agree with the group ids, else the first disagreement: each group's members
 * form one ring, each known master is a shared mount of the slave's master group, and each slave
 * list links back. For tests (test/fake-links.test.ts, the kernel oracle's fakes).
 */
export function pnodeConsistent(s: State): string | null {
  const members = new Map<number, number>();
  for (const m of s.mounts.values()) if (m.peer !== 0) members.set(m.peer, (members.get(m.peer) ?? 0) + 1);
  for (const m of s.mounts.values()) {
    if (m.peer === 0) {
      if (m.shareNext !== NONE || m.sharePrev !== NONE) return `mount ${m.id}: in a ring but in no group`;
    } else {
      let n = 0;
      for (let p = m; ; ) {
        if (p.peer !== m.peer) return `mount ${m.id}: its ring reaches ${p.id} of group ${p.peer}`;
        if (at(s, nextPeer(s, p).sharePrev === NONE ? p.id : nextPeer(s, p).sharePrev) !== p) return `mount ${p.id}: ring links disagree`;
        n++;
        p = nextPeer(s, p);
        if (p === m) break;
        if (n > members.get(m.peer)!) return `mount ${m.id}: its ring does not come back`;
      }
      if (n !== members.get(m.peer)) return `mount ${m.id}: its ring holds ${n} of group ${m.peer}'s ${members.get(m.peer)} members`;
    }
    const master = masterOf(s, m);
    if (master) {
      if (master.peer === 0 || m.master !== master.peer) return `mount ${m.id}: master ${master.id} is not of its master group ${m.master}`;
      let found = false;
      let prev: Mount | undefined;
      for (let x = firstSlave(s, master); x; prev = x, x = nextSlave(s, x)) {
        if (x.masterMnt !== master.id) return `mount ${x.id}: in ${master.id}'s slaves but a slave of ${x.masterMnt}`;
        if ((prev?.id ?? NONE) !== x.slavePrev) return `mount ${x.id}: slave links disagree`;
        if (x === m) found = true;
      }
      if (!found) return `mount ${m.id}: not in its master ${master.id}'s slaves`;
    } else if (m.slaveNext !== NONE || m.slavePrev !== NONE) return `mount ${m.id}: in a slave list with no master`;
  }
  return null;
}
