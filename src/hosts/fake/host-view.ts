// The host's mountinfo as the fields its lines are made of, copied instead of rendered: the
// "before" of invariant (1), host-unchanged. A 100k-mount host renders in ~270 ms; copying what
// the render reads takes a tenth of that, and comparing it again after the run less. Two equal
// views render to the same text, because renderMountinfo (mountinfo.ts) reads nothing else:
//   - the reader: the host process's namespace and root;
//   - each mount of that namespace, in s.mounts order: id, parent, mp, fs, root, flags,
//     extraOpts, peer, master, propFrom, unbindable, source, seq (the list's order is by seq);
//   - each of their filesystems: dev, fstype, superOpts (a remount replaces the record: model.ts
//     setSuperOpts, so the view keeps a reference and compares it);
//   - the dominating peer group of each master group (propagate_from), which can depend on
//     mounts of other namespaces, so it is computed, not copied;
//   - dentry names and parents, which never change (a tree only gains nodes: model.ts).
// When the views differ, both texts are rendered (the view's own through renderView) and the text
// decides, so a false "differs" costs time, never a verdict. Pure model: no I/O.
import { type Fs, type Mount, type Pos, type Proc, type State, NONE, emptyState } from "./model.js";
import { mnt } from "./mounts.js";
import { renderMountinfo } from "./mountinfo.js";
import { dominatingGroup } from "./propagation.js";

/** The numeric fields of a line (sameLine's), per mount, in this order: FIELDS numbers a mount. */
const FIELDS = 11;
const ID = 0, PARENT = 1, MP = 2, FS = 3, ROOT = 4, FLAGS = 5, PEER = 6, MASTER = 7, PROP_FROM = 8, UNBINDABLE = 9, SEQ = 10;

/**
 * What the host's mountinfo is made of, at one moment. Each mount's fields are kept in flat arrays
 * (numbers in one, FIELDS a mount, strings in two), not as a copy of its record: 100k record
 * copies were 20 MB of young objects for the collector to move, one big array is not. A plain
 * array, not a Float64Array: 9 MB of ArrayBuffer per check() made V8 start full collections for
 * external memory pressure.
 */
export interface HostView {
  ns: number;
  root: Pos;
  /** How many mounts the namespace had (in s.mounts order). */
  n: number;
  nums: number[];
  extraOpts: string[];
  sources: (string | null)[];
  /** Each mount's filesystem record, as it was (records are replaced, not changed: Fs). */
  fss: Fs[];
  /** master group → dominating group as the reader sees it (0: none). */
  dom: Map<number, number>;
}

/** The view of the mountinfo `reader` would read from `s` now. */
export function takeHostView(s: State, reader: Proc): HostView {
  let n = 0;
  s.mounts.forEach((m) => { if (m.ns === reader.ns) n++; });
  const nums: number[] = new Array<number>(n * FIELDS).fill(0);
  const extraOpts: string[] = [];
  const sources: (string | null)[] = [];
  const fss: Fs[] = [];
  const dom = new Map<number, number>();
  let i = 0;
  s.mounts.forEach((m) => {
    if (m.ns !== reader.ns) return;
    const at = i * FIELDS;
    nums[at + ID] = m.id; nums[at + PARENT] = m.parent; nums[at + MP] = m.mp; nums[at + FS] = m.fs; nums[at + ROOT] = m.root;
    nums[at + FLAGS] = m.flags; nums[at + PEER] = m.peer; nums[at + MASTER] = m.master; nums[at + PROP_FROM] = m.propFrom;
    nums[at + UNBINDABLE] = m.unbindable ? 1 : 0; nums[at + SEQ] = m.seq;
    extraOpts.push(m.extraOpts);
    sources.push(m.source);
    const f = s.fss.get(m.fs);
    if (!f) throw new RangeError(`no filesystem ${m.fs}`);
    fss.push(f);
    // get_dominating_id depends on the master group and the reader alone: one walk per group.
    if (m.master !== 0 && !dom.has(m.master)) dom.set(m.master, dominatingGroup(s, m, reader.ns, reader.root));
    i++;
  });
  return { ns: reader.ns, root: { ...reader.root }, n, nums, extraOpts, sources, fss, dom };
}

/** The fields a line is made of (renderMountinfo's), equal in the view's i-th mount and `b`. */
function sameLine(v: HostView, i: number, b: Mount): boolean {
  const x = v.nums;
  const at = i * FIELDS;
  return x[at + ID] === b.id && x[at + PARENT] === b.parent && x[at + MP] === b.mp && x[at + FS] === b.fs && x[at + ROOT] === b.root &&
    x[at + FLAGS] === b.flags && v.extraOpts[i] === b.extraOpts && x[at + PEER] === b.peer && x[at + MASTER] === b.master &&
    x[at + PROP_FROM] === b.propFrom && x[at + UNBINDABLE] === (b.unbindable ? 1 : 0) && v.sources[i] === b.source && x[at + SEQ] === b.seq;
}

/** True when `reader` would read from `s` exactly the text `view` renders to (every input equal). */
export function sameHostView(view: HostView, s: State, reader: Proc): boolean {
  if (reader.ns !== view.ns || reader.root.mnt !== view.root.mnt || reader.root.ino !== view.root.ino) return false;
  let i = 0;
  let same = true;
  s.mounts.forEach((m) => {
    if (!same || m.ns !== view.ns) return;
    if (i >= view.n || !sameLine(view, i, m) || s.fss.get(m.fs) !== view.fss[i]) same = false;
    i++;
  });
  if (!same || i !== view.n) return false;
  for (const [g, d] of view.dom) if (dominatingGroup(s, mnt(s, firstWithMaster(view, g)), view.ns, view.root) !== d) return false;
  return true;
}

function firstWithMaster(view: HostView, g: number): number {
  for (let i = 0; i < view.n; i++) if (view.nums[i * FIELDS + MASTER] === g) return view.nums[i * FIELDS + ID]!;
  throw new RangeError(`no mount with master ${g} in the view`);
}

/**
 * The view's i-th mount as a record: the fields a line is made of; the rest (locks, creation
 * order, the place among its parent's children), which no line shows, as a new mount has them.
 */
function viewMount(v: HostView, i: number): Mount {
  const x = v.nums;
  const at = i * FIELDS;
  return {
    id: x[at + ID]!, parent: x[at + PARENT]!, mp: x[at + MP]!, fs: x[at + FS]!, root: x[at + ROOT]!, flags: x[at + FLAGS]!,
    extraOpts: v.extraOpts[i]!, lockedFlags: 0, lockAtime: false, locked: false, ns: v.ns, peer: x[at + PEER]!, master: x[at + MASTER]!,
    propFrom: x[at + PROP_FROM]!, unbindable: x[at + UNBINDABLE] === 1, source: v.sources[i]!, seq: x[at + SEQ]!, childSeq: x[at + SEQ]!, rank: i,
    shareNext: NONE, sharePrev: NONE, masterMnt: NONE, slaveFirst: NONE, slaveNext: NONE, slavePrev: NONE,
  };
}

/** The text the view's reader read when it was taken. */
export function renderView(view: HostView): string {
  const s = emptyState();
  for (let i = 0; i < view.n; i++) {
    const m = viewMount(view, i);
    s.mounts.set(m.id, m);
    s.fss.set(m.fs, view.fss[i]!);
  }
  s.nss.set(view.ns, { id: view.ns, userns: false, owner: 0 });
  const reader: Proc = { pid: 1, ns: view.ns, root: { ...view.root }, cwd: { ...view.root }, fds: new Map(), cap: true };
  s.procs.set(1, reader);
  s.current = s.hostPid = 1;
  s.hostNs = view.ns;
  return renderMountinfo(s, reader, new Map(view.dom));
}
