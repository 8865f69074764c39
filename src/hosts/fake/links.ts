// Reverse indexes of the mount graph, so that no query scans every mount (a 100k-mount table made
// each lookup, propagation change and mountinfo line O(n)): children by parent and mount point,
// peer-group members, slaves by master group, and the lowest free group id. Built lazily from
// s.mounts and kept current by the ONLY writers of Mount.parent/.mp/.peer/.master (the set*
// functions below; test/fake-links.test.ts greps for any other). cloneState copies them.
// Reads return mounts in creation order (Mount.rank): the order of the scans they replace.
// A slot holds one mount as itself (the usual case: 100k mounts, 100k single-mount slots, no
// per-slot allocation), a few in an array, many in a Set (O(1) removal under a busy parent).
import type { Mount, State } from "./model.js";

/** One mount, a few (array, any order), or many (Set). Never empty: an emptied slot is deleted. */
export type Bag = Mount | Mount[] | Set<Mount>;

export interface Links {
  /** parent id → mount point dentry → mounts there (a parent's children are all its slots). */
  at: Map<number, Map<number, Bag>>;
  peers: Map<number, Bag>;
  slaves: Map<number, Bag>;
  /** No group id below this is free (the kernel's IDA hands out the lowest free one). */
  freeHint: number;
}

/** Arrays up to this size; a Set beyond (removal from an array is a scan). */
const SMALL = 16;

function bagAdd<K>(map: Map<K, Bag>, k: K, m: Mount): void {
  const b = map.get(k);
  if (b === undefined) map.set(k, m);
  else if (b instanceof Set) b.add(m);
  else if (Array.isArray(b)) {
    if (b.includes(m)) return;
    if (b.length < SMALL) b.push(m);
    else map.set(k, new Set(b).add(m));
  } else if (b !== m) map.set(k, [b, m]);
}

function bagDelete<K>(map: Map<K, Bag>, k: K, m: Mount): void {
  const b = map.get(k);
  if (b === undefined) return;
  if (b === m) map.delete(k);
  else if (b instanceof Set) { if (b.delete(m) && b.size === 0) map.delete(k); }
  else if (Array.isArray(b)) {
    const i = b.indexOf(m);
    if (i < 0) return;
    b[i] = b[b.length - 1]!;
    b.pop();
    if (b.length === 1) map.set(k, b[0]!);
  }
}

const used = (map: Map<number, Bag>, g: number): boolean => map.has(g);

/** Calls f on each mount of a slot. */
function each(b: Bag | undefined, f: (m: Mount) => void): void {
  if (b === undefined) return;
  if (b instanceof Set || Array.isArray(b)) for (const m of b) f(m);
  else f(b);
}

export function links(s: State): Links {
  if (s.links) return s.links;
  const l: Links = { at: new Map(), peers: new Map(), slaves: new Map(), freeHint: 1 };
  s.mounts.forEach((m) => file(l, m)); // forEach: a for-of made an iterator result per mount
  s.links = l;
  return l;
}

function atMap(l: Links, parent: number): Map<number, Bag> {
  let byMp = l.at.get(parent);
  if (!byMp) l.at.set(parent, (byMp = new Map()));
  return byMp;
}

function file(l: Links, m: Mount): void {
  bagAdd(atMap(l, m.parent), m.mp, m);
  if (m.peer) bagAdd(l.peers, m.peer, m);
  if (m.master) bagAdd(l.slaves, m.master, m);
}

/**
 * The indexes of a clone (cloneState): the same slots, each mount replaced by its copy in
 * `mounts`. Cheaper than a rebuild, which files every mount again.
 */
export function cloneLinks(l: Links, mounts: Map<number, Mount>): Links {
  const copy = (b: Bag): Bag => {
    if (b instanceof Set) { const out = new Set<Mount>(); for (const m of b) out.add(mounts.get(m.id)!); return out; }
    if (Array.isArray(b)) return b.map((m) => mounts.get(m.id)!);
    return mounts.get(b.id)!;
  };
  const copyMap = <K>(map: Map<K, Bag>): Map<K, Bag> => {
    const out = new Map<K, Bag>();
    for (const [k, b] of map) out.set(k, copy(b));
    return out;
  };
  const at = new Map<number, Map<number, Bag>>();
  for (const [p, byMp] of l.at) at.set(p, copyMap(byMp));
  return { at, peers: copyMap(l.peers), slaves: copyMap(l.slaves), freeHint: l.freeHint };
}

/** addMount's hook: a new record, last in creation order. */
export function linkNew(s: State, m: Mount): void {
  if (s.links) file(s.links, m);
}

/** Moves `m` under (parent, mp): attach, detach (parent 0), pivot, tucking. */
export function setParent(s: State, m: Mount, parent: number, mp: number): void {
  const l = s.links;
  if (l && (m.parent !== parent || m.mp !== mp)) {
    const was = l.at.get(m.parent);
    if (was) {
      bagDelete(was, m.mp, m);
      if (was.size === 0) l.at.delete(m.parent);
    }
    bagAdd(atMap(l, parent), mp, m);
  }
  // Attached anew (another parent or place): the end of the parent's children (__attach_mnt).
  if (m.parent !== parent || m.mp !== mp) m.childSeq = s.nextSeq++;
  m.parent = parent;
  m.mp = mp;
}

function released(l: Links, g: number): void {
  if (g !== 0 && g < l.freeHint && !used(l.peers, g) && !used(l.slaves, g)) l.freeHint = g;
}

export function setPeer(s: State, m: Mount, g: number): void {
  const l = s.links;
  const was = m.peer;
  m.peer = g;
  if (!l || was === g) return;
  if (was) bagDelete(l.peers, was, m);
  if (g) bagAdd(l.peers, g, m);
  released(l, was);
}

/** The raw master field (propagation.ts's setMaster also drops propagate_from). */
export function setMasterId(s: State, m: Mount, g: number): void {
  const l = s.links;
  const was = m.master;
  m.master = g;
  if (!l || was === g) return;
  if (was) bagDelete(l.slaves, was, m);
  if (g) bagAdd(l.slaves, g, m);
  released(l, was);
}

const byRank = (a: Mount, b: Mount): number => a.rank - b.rank;

/** Mounts in creation order (sorted only when they are not already). */
function ordered(out: Mount[]): Mount[] {
  for (let i = 1; i < out.length; i++) if (out[i]!.rank < out[i - 1]!.rank) return out.sort(byRank);
  return out;
}

function collect(b: Bag | undefined, keep: ((m: Mount) => boolean) | null, out: Mount[] = []): Mount[] {
  each(b, (m) => { if (keep === null || keep(m)) out.push(m); });
  return out;
}

const attached = (m: Mount) => m.ns !== 0;

function kids(s: State, id: number, keep: ((m: Mount) => boolean) | null): Mount[] {
  const byMp = links(s).at.get(id);
  const out: Mount[] = [];
  // forEach and the one-mount slot inline: a for-of and a closure per slot were most of listing
  // a parent with 100k children.
  if (byMp) byMp.forEach((b) => {
    if (b instanceof Set || Array.isArray(b)) collect(b, keep, out);
    else if (keep === null || keep(b)) out.push(b);
  });
  return ordered(out);
}

/** Attached mounts whose parent is `id`. */
export function kidsOf(s: State, id: number): Mount[] { return kids(s, id, attached); }
/** Every mount whose parent is `id`, detached ones too. */
export function allKidsOf(s: State, id: number): Mount[] { return kids(s, id, null); }
/**
 * False when no mount at all (attached or not) has `id` as its parent: kidsOf and allKidsOf are
 * then empty. A walk over 100k leaves asks this first instead of making an array for each.
 */
export function mayHaveKids(s: State, id: number): boolean { return links(s).at.has(id); }
/**
 * A mount a lookup finds on its parent (in the mount hash): attached, or a submount of a tree no
 * namespace holds (an open_tree clone, a lazily unmounted tree's locked child), which keeps its
 * parent. Only a tree's detached top (parent 0, filed under 0 with the namespace roots) is not:
 * on 6.18 openat(treefd, "sub/inner") of an OPEN_TREE_CLONE|AT_RECURSIVE copy walks into sub's
 * copy (test/native-new-mount-api.test.ts).
 */
const hashed = (m: Mount) => m.ns !== 0 || m.parent !== 0;

/** The first mount a lookup finds on (parent, ino), in creation order. */
export function firstAt(s: State, parent: number, ino: number): Mount | undefined {
  const b = links(s).at.get(parent)?.get(ino);
  if (b === undefined) return undefined;
  if (!(b instanceof Set) && !Array.isArray(b)) return hashed(b) ? b : undefined;
  let best: Mount | undefined;
  for (const m of b) if (hashed(m) && (best === undefined || m.rank < best.rank)) best = m;
  return best;
}
export function peersOf(s: State, g: number): Mount[] { return g === 0 ? [] : ordered(collect(links(s).peers.get(g), null)); }
export function slavesOf(s: State, g: number): Mount[] { return g === 0 ? [] : ordered(collect(links(s).slaves.get(g), null)); }
/** Peers and slaves of g, in creation order (a mount is never both: peer and master differ). */
export function peersAndSlaves(s: State, g: number): Mount[] {
  const l = links(s);
  const out = collect(l.peers.get(g), null);
  if (!l.slaves.has(g)) return ordered(out);
  const seen = new Set(out);
  each(l.slaves.get(g), (m) => { if (!seen.has(m)) out.push(m); });
  return ordered(out);
}

/**
 * Calls f on each of peersAndSlaves(s, g), in the same order, without making the list when the
 * group is one mount alone (a walk through 100k single-mount groups made an array for each).
 */
export function eachPeerAndSlave(s: State, g: number, f: (m: Mount) => void): void {
  const l = links(s);
  const p = l.peers.get(g);
  const sl = l.slaves.get(g);
  const one = (b: Bag | undefined): b is Mount => b !== undefined && !(b instanceof Set) && !Array.isArray(b);
  if (sl === undefined && one(p)) return f(p);
  if (p === undefined && one(sl)) return f(sl);
  for (const m of peersAndSlaves(s, g)) f(m);
}

/**
 * Every mount whose parent is 0 or not a mount (a namespace's root, a detached mount, a parsed
 * table's root under its unlisted parent), in no particular order: read off the few parents in
 * the index instead of looking up the parent of each of 100k mounts.
 */
export function orphans(s: State): Mount[] {
  const out: Mount[] = [];
  links(s).at.forEach((byMp, parent) => {
    if (parent !== 0 && s.mounts.has(parent)) return;
    byMp.forEach((b) => collect(b, null, out));
  });
  return out;
}

/** The lowest group id no mount uses as peer or master. */
export function lowestFreeGroup(s: State): number {
  const l = links(s);
  let g = l.freeHint;
  while (used(l.peers, g) || used(l.slaves, g)) g++;
  l.freeHint = g;
  return g;
}

/** Test support: the indexes rebuilt from scratch equal the maintained ones. */
export function linksConsistent(s: State): string | null {
  let last = -Infinity;
  for (const m of s.mounts.values()) {
    if (m.rank <= last) return `rank of ${m.id} (${m.rank}) is not above the one before (${last})`;
    last = m.rank;
  }
  if (!s.links) return null;
  const kept = s.links;
  s.links = undefined;
  const fresh = links(s);
  s.links = kept;
  const ids = (b: Bag | undefined) => collect(b, null).map((m) => m.id).sort((a, c) => a - c);
  const show = (map: Map<number, Bag>) =>
    JSON.stringify([...map].map(([k, b]) => [k, ids(b)]).sort((a, c) => (a[0] as number) - (c[0] as number)));
  for (const key of ["peers", "slaves"] as const) {
    if (show(kept[key]) !== show(fresh[key])) return `${key}: kept ${show(kept[key])}, fresh ${show(fresh[key])}`;
  }
  const flat = (l: Links) => JSON.stringify([...l.at].flatMap(([p, byMp]) => [...byMp].map(([mp, b]) => [p, mp, ids(b)]))
    .sort((a, c) => (a[0] as number) - (c[0] as number) || (a[1] as number) - (c[1] as number)));
  if (flat(kept) !== flat(fresh)) return `children: kept ${flat(kept)}, fresh ${flat(fresh)}`;
  for (const l of [kept, fresh]) for (const [p, byMp] of l.at) {
    if (byMp.size === 0) return `parent ${p} has an empty slot map`;
    for (const [mp, b] of byMp) {
      if (Array.isArray(b) && b.length < 2) return `slot ${p}/${mp} is an array of ${b.length}`;
      if (b instanceof Set && b.size === 0) return `slot ${p}/${mp} is an empty Set`;
    }
  }
  for (let g = 1; g < kept.freeHint; g++) if (!used(fresh.peers, g) && !used(fresh.slaves, g)) return `group ${g} is free below the hint ${kept.freeHint}`;
  return null;
}
