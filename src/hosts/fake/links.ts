// Reverse indexes of the mount graph, so that no query scans every mount (a 100k-mount table made
// each lookup, propagation change and mountinfo line O(n)): children by parent and by mount point,
// peer-group members, slaves by master group, and the lowest free group id. Built lazily from
// s.mounts and kept current by the ONLY writers of Mount.parent/.mp/.peer/.master (the set*
// functions below; test/fake-links.test.ts greps for any other). cloneState drops them.
// Reads return mounts in s.mounts order (creation order): the order of the scans they replace.
import type { Mount, State } from "./model.js";

export interface Links {
  /** Creation order of each mount (its place in s.mounts, which never deletes). */
  rank: Map<number, number>;
  nextRank: number;
  kids: Map<number, Set<Mount>>;
  /** parent id → mount point dentry → mounts there. */
  at: Map<number, Map<number, Set<Mount>>>;
  peers: Map<number, Set<Mount>>;
  slaves: Map<number, Set<Mount>>;
  /** No group id below this is free (the kernel's IDA hands out the lowest free one). */
  freeHint: number;
}

export function links(s: State): Links {
  if (s.links) return s.links;
  const l: Links = { rank: new Map(), nextRank: 0, kids: new Map(), at: new Map(), peers: new Map(), slaves: new Map(), freeHint: 1 };
  for (const m of s.mounts.values()) file(l, m);
  s.links = l;
  return l;
}

function bucket<K, V>(map: Map<K, Set<V>>, k: K): Set<V> {
  let b = map.get(k);
  if (!b) map.set(k, (b = new Set()));
  return b;
}

function atBucket(l: Links, parent: number, mp: number): Set<Mount> {
  let byMp = l.at.get(parent);
  if (!byMp) l.at.set(parent, (byMp = new Map()));
  return bucket(byMp, mp);
}

function file(l: Links, m: Mount): void {
  l.rank.set(m.id, l.nextRank++);
  bucket(l.kids, m.parent).add(m);
  atBucket(l, m.parent, m.mp).add(m);
  if (m.peer) bucket(l.peers, m.peer).add(m);
  if (m.master) bucket(l.slaves, m.master).add(m);
}

/** addMount's hook: a new record, last in creation order. */
export function linkNew(s: State, m: Mount): void {
  if (s.links) file(s.links, m);
}

/** Moves `m` under (parent, mp): attach, detach (parent 0), pivot, tucking. */
export function setParent(s: State, m: Mount, parent: number, mp: number): void {
  const l = s.links;
  if (l && (m.parent !== parent || m.mp !== mp)) {
    l.kids.get(m.parent)?.delete(m);
    l.at.get(m.parent)?.get(m.mp)?.delete(m);
    bucket(l.kids, parent).add(m);
    atBucket(l, parent, mp).add(m);
  }
  m.parent = parent;
  m.mp = mp;
}

function released(l: Links, g: number): void {
  if (g !== 0 && g < l.freeHint && !l.peers.get(g)?.size && !l.slaves.get(g)?.size) l.freeHint = g;
}

export function setPeer(s: State, m: Mount, g: number): void {
  const l = s.links;
  const was = m.peer;
  m.peer = g;
  if (!l || was === g) return;
  if (was) l.peers.get(was)?.delete(m);
  if (g) bucket(l.peers, g).add(m);
  released(l, was);
}

/** The raw master field (propagation.ts's setMaster also drops propagate_from). */
export function setMasterId(s: State, m: Mount, g: number): void {
  const l = s.links;
  const was = m.master;
  m.master = g;
  if (!l || was === g) return;
  if (was) l.slaves.get(was)?.delete(m);
  if (g) bucket(l.slaves, g).add(m);
  released(l, was);
}

/** A bucket's mounts in creation order (sorted only when they are not already). */
function ordered(s: State, b: Set<Mount> | undefined, keep: (m: Mount) => boolean = () => true): Mount[] {
  if (!b) return [];
  const rank = links(s).rank;
  const out: Mount[] = [];
  let sorted = true;
  let last = -1;
  for (const m of b) {
    if (!keep(m)) continue;
    const r = rank.get(m.id)!;
    if (r < last) sorted = false;
    last = r;
    out.push(m);
  }
  if (!sorted) out.sort((a, c) => rank.get(a.id)! - rank.get(c.id)!);
  return out;
}

const attached = (m: Mount) => m.ns !== 0;

/** Attached mounts whose parent is `id`. */
export function kidsOf(s: State, id: number): Mount[] { return ordered(s, links(s).kids.get(id), attached); }
/** Every mount whose parent is `id`, detached ones too. */
export function allKidsOf(s: State, id: number): Mount[] { return ordered(s, links(s).kids.get(id)); }
/** The first attached mount on (parent, ino), in creation order. */
export function firstAt(s: State, parent: number, ino: number): Mount | undefined {
  const b = links(s).at.get(parent)?.get(ino);
  if (!b || b.size === 0) return undefined;
  if (b.size === 1) { const [m] = b; return attached(m!) ? m : undefined; }
  return ordered(s, b, attached)[0];
}
export function peersOf(s: State, g: number): Mount[] { return g === 0 ? [] : ordered(s, links(s).peers.get(g)); }
export function slavesOf(s: State, g: number): Mount[] { return g === 0 ? [] : ordered(s, links(s).slaves.get(g)); }
/** Peers and slaves of g, in creation order. */
export function peersAndSlaves(s: State, g: number): Mount[] {
  const l = links(s);
  const both = new Set<Mount>([...(l.peers.get(g) ?? []), ...(l.slaves.get(g) ?? [])]);
  return ordered(s, both);
}

/** The lowest group id no mount uses as peer or master. */
export function lowestFreeGroup(s: State): number {
  const l = links(s);
  let g = l.freeHint;
  while (l.peers.get(g)?.size || l.slaves.get(g)?.size) g++;
  l.freeHint = g;
  return g;
}

/** Test support: the indexes rebuilt from scratch equal the maintained ones. */
export function linksConsistent(s: State): string | null {
  if (!s.links) return null;
  const kept = s.links;
  s.links = undefined;
  const fresh = links(s);
  s.links = kept;
  const show = (map: Map<number, Set<Mount>>) =>
    JSON.stringify([...map].filter(([, b]) => b.size > 0).map(([k, b]) => [k, [...b].map((m) => m.id).sort((a, c) => a - c)]).sort((a, c) => (a[0] as number) - (c[0] as number)));
  for (const key of ["kids", "peers", "slaves"] as const) {
    if (show(kept[key]) !== show(fresh[key])) return `${key}: kept ${show(kept[key])}, fresh ${show(fresh[key])}`;
  }
  for (const [p, byMp] of fresh.at) for (const [mp, b] of byMp) {
    const k = kept.at.get(p)?.get(mp);
    if ((k?.size ?? 0) !== b.size || [...b].some((m) => !k!.has(m))) return `at ${p}/${mp} differs`;
  }
  for (const [id, r] of fresh.rank) if (kept.rank.has(id) && kept.rank.get(id) !== r) return `rank of ${id} differs`;
  for (let g = 1; g < kept.freeHint; g++) if (!fresh.peers.get(g)?.size && !fresh.slaves.get(g)?.size) return `group ${g} is free below the hint ${kept.freeHint}`;
  return null;
}
