// Building a model: from a mountinfo text (one namespace, one process), mkdir -p through a
// process's view, fork + unshare(CLONE_NEWNS [, CLONE_NEWUSER]) copying a namespace the way
// copy_mnt_ns does. Used by FakeKernel.fromMountinfo and the scenarios; no syscall logic here.
import { LOCKABLE } from "./flags.js";
import {
  type Fd, type Fs, type Mount, type PnodeField, type Proc, type State, EMPTY_TREE, ROOT_INO, addNode, emptyState, mkdirs, mkdirsAfter,
  mkdirsIn, mkdirsMemo, newTree, node, ownTree, procTree,
} from "./model.js";
import { type Entry, decimal, entryAt, mountinfoHeads, parseMountInfoOpts } from "./mountinfo-parse.js";
import { addMount, addMountOf, byChildOrder, children, fsOf, mnt, traverse } from "./mounts.js";
import { nodeAt } from "./resolve.js";
import { checkTable } from "./table.js";
import { mayHaveKids, orphans, setParent } from "./links.js";
import { linkListed, ringLinkAfter, slaveAtHeadOf, slaveBehindOf } from "./pnode.js";
import { MountinfoError } from "../../errors.js";

export interface FromMountinfoOptions {
  /** CAP_SYS_ADMIN over the namespace owner (default true). */
  cap?: boolean;
  /** The namespace is owned by a user namespace (default false). */
  userns?: boolean;
}

const TTY: Fd = { kind: "tty", mnt: 0, ino: 0, cloexec: false, offset: 0 };

export function stdFds(): Map<number, Fd> {
  return new Map([[0, { ...TTY }], [1, { ...TTY }], [2, { ...TTY }]]);
}

/** A superblock of the given type with an empty tree (proc gets its magic entries). */
export function newFs(s: State, fstype: string, dev: string, superOpts: string, userns: boolean): Fs {
  let tree = EMPTY_TREE;
  if (fstype === "proc") tree = procTree();
  if (fstype === "sysfs") mkdirs((tree = newTree()), ROOT_INO, "fs/cgroup");
  const fs: Fs = { id: s.nextFsId++, fstype, superOpts, dev, tree, userns };
  s.fss.set(fs.id, fs);
  return fs;
}

/** Where a mount point lies below its parent's (`line`, `parentId` name them in the error). */
function relative(mp: string, parentMp: string, line: number, parentId: number): string {
  if (parentMp === "/") return mp.slice(1);
  if (mp === parentMp) return "";
  if (mp.startsWith(parentMp) && mp[parentMp.length] === "/") return mp.slice(parentMp.length + 1);
  const what = `mount point ${JSON.stringify(mp)} is not below ${JSON.stringify(parentMp)}, where its parent ${parentId} is mounted`;
  throw new MountinfoError(`malformed mountinfo, line ${line}: ${what}`, line);
}

/**
 * The state for a mountinfo text: one namespace (ids, devs and order kept) and process 1 in it.
 * The table's shape is checked on its lines' heads first; then each line is split in full, made a
 * mount, and dropped (only its mount point is kept, for placing its children): no Entry outlives
 * its line.
 */
export function stateFromMountinfo(text: string, o: FromMountinfoOptions = {}): State {
  const s = emptyState();
  const h = mountinfoHeads(text);
  const { root: rootI, byId } = checkTable(h);
  s.nss.set(1, { id: 1, userns: o.userns ?? false, owner: o.userns ? 1 : 0 });
  s.hostNs = 1;
  // One superblock per (dev, fstype, super options); by dev first, which is nearly always enough.
  const fsByDev = new Map<string, Fs | Fs[]>();
  const fsFor = (e: Entry): Fs => {
    const have = fsByDev.get(e.dev);
    if (have !== undefined) { // the first of the dev's superblocks with the same type and options
      if (!Array.isArray(have)) { if (have.fstype === e.fstype && have.superOpts === e.superOpts) return have; }
      else for (const f of have) if (f.fstype === e.fstype && f.superOpts === e.superOpts) return f;
    }
    const fs = newFs(s, (lastType = same(e.fstype, lastType)), e.dev, e.superOpts, false);
    fsByDev.set(e.dev, have === undefined ? fs : Array.isArray(have) ? [...have, fs] : [have, fs]);
    s.nextAnonDev = Math.max(s.nextAnonDev, anonMinor(e.dev) + 1);
    return fs;
  };
  const optsCache = new Map<string, { flags: number; extra: string }>();
  // A type or source equal to the line before's is kept as that one string: the line's own copy
  // dies young instead of being moved by the collector with the mount (100k "overlay"s twice).
  let lastType = "";
  let lastSource = "";
  const rootId = h.ids[rootI]!;
  const rootParent = h.parents[rootI]!;
  if (rootParent !== rootId && !byId.has(rootParent)) {
    // The initial rootfs under "/" is outside every reader's root: never listed, always there.
    const fs = newFs(s, "rootfs", "0:1", "rw", false);
    addMount(s, hiddenRoot(fs), rootParent);
  }
  // Each line's mount point, mount and filesystem, by line, for placing the mounts below (a
  // lookup by id in 100k-entry maps was ~40 ms of it).
  const mps: string[] = [];
  const recs: Mount[] = [];
  const fsOfLine: Fs[] = [];
  for (let i = 0; i < h.ids.length; i++) {
    const e = entryAt(text, h, i);
    mps.push(e.mountpoint);
    const fs = fsFor(e);
    fsOfLine.push(fs);
    let opts = optsCache.get(e.opts);
    if (!opts) optsCache.set(e.opts, (opts = parseMountInfoOpts(e.opts)));
    // The optional fields, read in place: no object per line, no slice per tag (13 + 10 MB of a
    // 100k-line build). The machine's grammar took only the tags the kernel writes (shared:N,
    // master:N, propagate_from:N with N from 1 to 2^31 - 1, unbindable alone), each once; any
    // other tag is skipped, as the machine skips it.
    let peer = 0, master = 0, propFrom = 0, unbindable = false;
    for (const tag of e.optional) {
      const colon = tag.indexOf(":");
      if (tagIs(tag, colon, "shared")) peer = decimal(tag, colon + 1, tag.length);
      else if (tagIs(tag, colon, "master")) master = decimal(tag, colon + 1, tag.length);
      else if (tagIs(tag, colon, "propagate_from")) propFrom = decimal(tag, colon + 1, tag.length);
      else if (tagIs(tag, colon, "unbindable")) unbindable = true;
    }
    recs.push(addMountOf(
      s, e.id, e.parent === e.id ? 0 : e.parent, ROOT_INO, fs.id, mkdirsIn(fs, ROOT_INO, e.root), opts.flags, opts.extra, 0, false, false, 1,
      peer, master, propFrom, unbindable, (lastSource = same(e.source, lastSource)),
    ));
  }
  linkListed(s, recs);
  const dirs = mkdirsMemo();
  let lastParent = NaN;
  let pi = -1;
  for (let i = 0; i < h.ids.length; i++) {
    if (i === rootI) continue;
    // checkTable: every parent but the root's is listed. Lines in a row often share one.
    if (h.parents[i] !== lastParent) pi = byId.get((lastParent = h.parents[i]!))!;
    const parent = recs[pi]!;
    const m = recs[i]!;
    const at = mkdirsAfter(fsOfLine[pi]!, parent.root, relative(mps[i]!, mps[pi]!, h.lines[i]!, h.ids[pi]!), dirs);
    setParent(s, m, m.parent, at);
    // A table says nothing of its parents' children lists: take its listing (creation) order, also
    // for a mount at its parent's root, which setParent did not move (parent and place unchanged).
    m.childSeq = m.seq;
  }
  const root = { mnt: rootId, ino: mnt(s, rootId).root };
  s.procs.set(1, { pid: 1, ns: 1, root, cwd: { ...root }, fds: stdFds(), cap: o.cap ?? true });
  s.current = 1;
  s.hostPid = 1;
  return s;
}

function hiddenRoot(fs: Fs): Omit<Mount, "id" | "seq" | "childSeq" | "rank" | PnodeField> {
  return {
    parent: 0, mp: ROOT_INO, fs: fs.id, root: ROOT_INO, flags: 0, extraOpts: "", lockedFlags: 0, lockAtime: false,
    locked: false, ns: 1, peer: 0, master: 0, propFrom: 0, unbindable: false, source: "rootfs",
  };
}

/** The tag's name (up to its first colon, at `colon`, or all of it) is `k`. */
const tagIs = (tag: string, colon: number, k: string): boolean => (colon < 0 ? tag.length : colon) === k.length && tag.startsWith(k);

/** `was` when it equals `s` (one string kept for many equal ones), else `s`. */
const same = (s: string, was: string): string => (s === was ? was : s);

/** The minor of a "0:minor" dev (what split(":") gives: Number(undefined) is NaN), else 0. */
function anonMinor(dev: string): number {
  const c = dev.indexOf(":");
  if (c < 0) return dev === "0" ? NaN : 0;
  if (c !== 1 || dev.charCodeAt(0) !== 0x30) return 0;
  const end = dev.indexOf(":", 2);
  return Number(dev.slice(2, end < 0 ? undefined : end));
}

/** mkdir -p `path` as `proc` sees it, creating missing directories in whatever mount they fall in. */
export function mkdirp(s: State, proc: Proc, path: string): void {
  let cur = path.startsWith("/") ? proc.root : proc.cwd;
  for (const c of path.split("/").filter((x) => x !== "" && x !== ".")) {
    // A plain walk: it follows no link and knows no "..", and procfs is no place for directories.
    // Such a path is refused, not walked wrong (it once made /proc/self/fd/3/a as plain
    // directories inside procfs): a test names the place plainly, or makes it with mkdir(2).
    const fs = fsOf(s, mnt(s, cur.mnt));
    if (c === ".." || fs.fstype === "proc") {
      throw new RangeError(`mkdir ${path}: the set-up helper walks plain directories only, and "${c}" ${c === ".." ? "is .." : "is in a procfs"}; name the place without it, or make it with exec({ op: "mkdir" })`);
    }
    const n = nodeAt(s, cur);
    let ino = n.children?.get(c);
    if (ino !== undefined && node(fs.tree, ino).kind !== "dir") {
      throw new RangeError(`mkdir ${path}: "${c}" is a ${node(fs.tree, ino).kind}, not a directory; the set-up helper follows no link: name the place without it, or make it with exec({ op: "mkdir" })`);
    }
    if (ino === undefined) {
      ino = mkdirs(ownTree(fsOf(s, mnt(s, cur.mnt))), cur.ino, c); // copy on write: clones share trees
    }
    cur = traverse(s, { mnt: cur.mnt, ino });
  }
}

/** Creates a symlink `path` -> `target` (the parent directory must exist) as `proc` sees it. */
export function symlinkp(s: State, proc: Proc, path: string, target: string): void {
  const cut = path.lastIndexOf("/");
  const dir = cut <= 0 ? (path.startsWith("/") ? "/" : ".") : path.slice(0, cut);
  mkdirp(s, proc, dir);
  let cur = path.startsWith("/") ? proc.root : proc.cwd;
  for (const c of dir.split("/").filter((x) => x !== "" && x !== ".")) {
    cur = traverse(s, { mnt: cur.mnt, ino: nodeAt(s, cur).children!.get(c)! });
  }
  addNode(ownTree(fsOf(s, mnt(s, cur.mnt))), cur.ino, path.slice(cut + 1), "symlink", target);
}

/** fork(): a new process sharing nothing but what it inherits (namespace, root, cwd, fds). */
export function fork(s: State, parent: Proc): Proc {
  const pid = Math.max(...s.procs.keys()) + 1;
  const fds = new Map([...parent.fds].map(([k, f]) => [k, { ...f }] as const));
  const child: Proc = { ...parent, pid, root: { ...parent.root }, cwd: { ...parent.cwd }, fds };
  s.procs.set(pid, child);
  return child;
}



/**
 * unshare(CLONE_NEWNS): copy the process's namespace. Shared mounts stay peers of the originals;
 * into a user-namespace-owned namespace they become slaves instead, and every copy is locked
 * (copy_mnt_ns with CL_SHARED_TO_SLAVE, then lock_mnt_tree).
 */
export function unshare(s: State, proc: Proc, userns: boolean): void {
  let ns = 0;
  for (const k of s.nss.keys()) ns = Math.max(ns, k);
  ns++;
  // A new user namespace owns the copy; without one, the copy keeps its parent's owner.
  const from = s.nss.get(proc.ns);
  s.nss.set(ns, userns ? { id: ns, userns: true, owner: ns } : { id: ns, userns: from?.userns ?? false, owner: from?.owner ?? 0 });
  // copy_mnt_ns copies with copy_tree, parents before children, depth first (next_mnt): the
  // copies' ids, and so the new namespace's mountinfo order, follow the tree, not the old order.
  // (A table whose root names parent 0 gets a hidden root with id 0, its own "parent": hence `done`.)
  const list: Mount[] = [];
  // under[i]: the index in `list` of the mount list[i] was found under (its parent, whose copy is
  // its copy's parent), -1 for a root; so no map from old ids to new ones is needed.
  const under: number[] = [];
  // Only through a mount 0 (listed under itself) is a mount reached twice; without one, no set.
  const dedupe = s.mounts.has(0);
  const done = new Set<number>();
  const stack: Mount[] = [];
  const foundUnder: number[] = []; // for each stacked mount, the index of the one it was found under
  for (const m of orphans(s)) if (m.ns === proc.ns) stack.push(m); // the namespace's roots
  stack.sort((a, b) => a.seq - b.seq || a.rank - b.rank).reverse(); // by seq, then creation (s.mounts order)
  for (let i = 0; i < stack.length; i++) foundUnder.push(-1);
  for (let m = stack.pop(); m; m = stack.pop()) {
    const up = foundUnder.pop()!;
    if (dedupe) {
      if (done.has(m.id)) continue;
      done.add(m.id);
    }
    const at = list.length;
    list.push(m);
    under.push(up);
    if (!mayHaveKids(s, m.id)) continue; // a leaf: no array made for it
    const kids = byChildOrder(children(s, m.id));
    for (let i = kids.length - 1; i >= 0; i--) { // no spread: 100k args overflow the stack
      stack.push(kids[i]!);
      foundUnder.push(at);
    }
  }
  // The copies take the next ids in list order (given, not drawn: list[i]'s copy is first + i), so
  // each is filed under its parent's copy at once.
  const first = s.nextMountId;
  for (let i = 0; i < list.length; i++) {
    const o = list[i]!;
    // A mount found under another has it as parent (children()); a root's parent, 0 or not a
    // mount, has no copy (the hidden root's children are roots too, with parent 0).
    const parent = o.parent === 0 || under[i]! < 0 ? 0 : first + under[i]!;
    // clone_mnt leaves mnt_t_flags (T_UNBINDABLE) behind: no copy is unbindable (seen on 6.18,
    // test/kernel-oracle.test.ts; docs/sources.md#kernel-umount-mount). Written out field by
    // field, not spread: 100k spreads were a third of this copy's time.
    const c = addMountOf(
      s, first + i, parent, o.mp, o.fs, o.root, o.flags, o.extraOpts, userns ? o.flags & LOCKABLE : o.lockedFlags,
      userns || o.lockAtime, userns || o.locked, ns, userns ? 0 : o.peer, userns ? o.peer || o.master : o.master, 0, false, o.source,
    );
    // clone_mnt's lists: a peer right after its original; into a new user namespace
    // (CL_SHARED_TO_SLAVE) a shared original's slave, first in its list; a slave's copy right
    // behind it, a slave of the same master.
    if (o.peer !== 0 && !userns) ringLinkAfter(s, c, o);
    if (o.peer !== 0 && userns) slaveAtHeadOf(s, c, o);
    else if (o.master !== 0) slaveBehindOf(s, c, o);
  }
  const copyOf = (id: number): number => { const i = list.findIndex((m) => m.id === id); return i < 0 ? id : first + i; };
  const map = (p: { mnt: number; ino: number }) => ({ mnt: copyOf(p.mnt), ino: p.ino });
  proc.ns = ns;
  proc.root = map(proc.root);
  proc.cwd = map(proc.cwd);
}
