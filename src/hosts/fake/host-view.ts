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
import { type Fs, type Mount, type Pos, type Proc, type State, copyMount, emptyState } from "./model.js";
import { mnt } from "./mounts.js";
import { renderMountinfo } from "./mountinfo.js";
import { dominatingGroup } from "./propagation.js";

/** What the host's mountinfo is made of, at one moment. */
export interface HostView {
  ns: number;
  root: Pos;
  /** Copies of the namespace's mounts, in s.mounts order. */
  mounts: Mount[];
  /** Each mount's filesystem record, as it was (records are replaced, not changed: Fs). */
  fss: Fs[];
  /** master group → dominating group as the reader sees it (0: none). */
  dom: Map<number, number>;
}

function dominating(s: State, mounts: readonly Mount[], ns: number, root: Pos): Map<number, number> {
  const dom = new Map<number, number>();
  // get_dominating_id depends on the master group and the reader alone: one walk per group.
  for (const m of mounts) if (m.master !== 0 && !dom.has(m.master)) dom.set(m.master, dominatingGroup(s, m, ns, root));
  return dom;
}

/** The view of the mountinfo `reader` would read from `s` now. */
export function takeHostView(s: State, reader: Proc): HostView {
  const mounts: Mount[] = [];
  const fss: Fs[] = [];
  for (const m of s.mounts.values()) {
    if (m.ns !== reader.ns) continue;
    mounts.push(copyMount(m));
    const f = s.fss.get(m.fs);
    if (!f) throw new RangeError(`no filesystem ${m.fs}`);
    fss.push(f);
  }
  return { ns: reader.ns, root: { ...reader.root }, mounts, fss, dom: dominating(s, mounts, reader.ns, reader.root) };
}

/** The fields a line is made of (renderMountinfo's), equal in both. */
function sameLine(a: Mount, b: Mount): boolean {
  return a.id === b.id && a.parent === b.parent && a.mp === b.mp && a.fs === b.fs && a.root === b.root && a.flags === b.flags &&
    a.extraOpts === b.extraOpts && a.peer === b.peer && a.master === b.master && a.propFrom === b.propFrom &&
    a.unbindable === b.unbindable && a.source === b.source && a.seq === b.seq;
}

/** True when `reader` would read from `s` exactly the text `view` renders to (every input equal). */
export function sameHostView(view: HostView, s: State, reader: Proc): boolean {
  if (reader.ns !== view.ns || reader.root.mnt !== view.root.mnt || reader.root.ino !== view.root.ino) return false;
  let i = 0;
  for (const m of s.mounts.values()) {
    if (m.ns !== view.ns) continue;
    const was = view.mounts[i];
    if (was === undefined || !sameLine(was, m) || s.fss.get(m.fs) !== view.fss[i]) return false;
    i++;
  }
  if (i !== view.mounts.length) return false;
  for (const [g, d] of view.dom) if (dominatingGroup(s, mnt(s, firstWithMaster(view, g)), view.ns, view.root) !== d) return false;
  return true;
}

function firstWithMaster(view: HostView, g: number): number {
  for (const m of view.mounts) if (m.master === g) return m.id;
  throw new RangeError(`no mount with master ${g} in the view`);
}

/** The text the view's reader read when it was taken. */
export function renderView(view: HostView): string {
  const s = emptyState();
  view.mounts.forEach((m, i) => {
    s.mounts.set(m.id, copyMount(m));
    s.fss.set(m.fs, view.fss[i]!);
  });
  s.nss.set(view.ns, { id: view.ns, userns: false, owner: 0 });
  const reader: Proc = { pid: 1, ns: view.ns, root: { ...view.root }, cwd: { ...view.root }, fds: new Map(), cap: true };
  s.procs.set(1, reader);
  s.current = s.hostPid = 1;
  s.hostNs = view.ns;
  return renderMountinfo(s, reader, new Map(view.dom));
}
