// Building a model: from a mountinfo text (one namespace, one process), mkdir -p through a
// process's view, fork + unshare(CLONE_NEWNS [, CLONE_NEWUSER]) copying a namespace the way
// copy_mnt_ns does. Used by FakeKernel.fromMountinfo and the scenarios; no syscall logic here.
import { LOCKABLE } from "./flags.js";
import {
  type Fd, type Fs, type Mount, type Proc, type State, EMPTY_TREE, ROOT_INO, addNode, emptyState, mkdirs, mkdirsIn, newTree, ownTree, procTree,
} from "./model.js";
import { type Entry, parseMountInfoOpts, parseMountinfo } from "./mountinfo.js";
import { addMount, bySeq, children, fsOf, mnt, traverse } from "./mounts.js";
import { nodeAt } from "./resolve.js";
import { checkTable } from "./table.js";
import { setParent } from "./links.js";
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

function relative(e: Entry, parent: Entry): string {
  const mp = e.mountpoint, parentMp = parent.mountpoint;
  if (parentMp === "/") return mp.slice(1);
  if (mp === parentMp) return "";
  if (mp.startsWith(parentMp) && mp[parentMp.length] === "/") return mp.slice(parentMp.length + 1);
  const what = `mount point ${JSON.stringify(mp)} is not below ${JSON.stringify(parentMp)}, where its parent ${parent.id} is mounted`;
  throw new MountinfoError(`malformed mountinfo, line ${e.line}: ${what}`, e.line);
}

interface Propagation { peer: number; master: number; propFrom: number; unbindable: boolean }

function propagation(e: Entry): Propagation {
  const out = { peer: 0, master: 0, propFrom: 0, unbindable: false };
  for (const tag of e.optional) {
    const colon = tag.indexOf(":");
    const k = colon < 0 ? tag : tag.slice(0, colon);
    let v: string | undefined; // what follows the first colon, up to the next (split(":")[1])
    if (colon >= 0) { const end = tag.indexOf(":", colon + 1); v = tag.slice(colon + 1, end < 0 ? undefined : end); }
    if (k === "shared") out.peer = Number(v);
    else if (k === "master") out.master = Number(v);
    else if (k === "propagate_from") out.propFrom = Number(v);
    else if (k === "unbindable") out.unbindable = true;
  }
  return out;
}

/** The state for a mountinfo text: one namespace (ids, devs and order kept) and process 1 in it. */
export function stateFromMountinfo(text: string, o: FromMountinfoOptions = {}): State {
  const s = emptyState();
  const entries = parseMountinfo(text);
  const { root: rootE, byId } = checkTable(entries);
  s.nss.set(1, { id: 1, userns: o.userns ?? false, owner: o.userns ? 1 : 0 });
  s.hostNs = 1;
  // One superblock per (dev, fstype, super options); by dev first, which is nearly always enough.
  const fsByDev = new Map<string, Fs | Fs[]>();
  const fsFor = (e: Entry): Fs => {
    const have = fsByDev.get(e.dev);
    const same = (f: Fs) => f.fstype === e.fstype && f.superOpts === e.superOpts;
    if (have !== undefined && !Array.isArray(have) && same(have)) return have;
    const found = Array.isArray(have) ? have.find(same) : undefined;
    if (found) return found;
    const fs = newFs(s, e.fstype, e.dev, e.superOpts, false);
    fsByDev.set(e.dev, have === undefined ? fs : Array.isArray(have) ? [...have, fs] : [have, fs]);
    s.nextAnonDev = Math.max(s.nextAnonDev, anonMinor(e.dev) + 1);
    return fs;
  };
  const optsCache = new Map<string, { flags: number; extra: string }>();
  if (rootE.parent !== rootE.id && !byId.has(rootE.parent)) {
    // The initial rootfs under "/" is outside every reader's root: never listed, always there.
    const fs = newFs(s, "rootfs", "0:1", "rw", false);
    addMount(s, hiddenRoot(fs), rootE.parent);
  }
  for (const e of entries) {
    const fs = fsFor(e);
    let opts = optsCache.get(e.opts);
    if (!opts) optsCache.set(e.opts, (opts = parseMountInfoOpts(e.opts)));
    const p = propagation(e);
    addMount(s, {
      parent: e.parent === e.id ? 0 : e.parent, mp: ROOT_INO, fs: fs.id, root: mkdirsIn(fs, ROOT_INO, e.root),
      flags: opts.flags, extraOpts: opts.extra, lockedFlags: 0, lockAtime: false, locked: false, ns: 1, source: e.source,
      peer: p.peer, master: p.master, propFrom: p.propFrom, unbindable: p.unbindable,
    }, e.id);
  }
  for (const e of entries) if (e !== rootE) placeMountpoint(s, e, byId);
  const root = { mnt: rootE.id, ino: mnt(s, rootE.id).root };
  s.procs.set(1, { pid: 1, ns: 1, root, cwd: { ...root }, fds: stdFds(), cap: o.cap ?? true });
  s.current = 1;
  s.hostPid = 1;
  return s;
}

function hiddenRoot(fs: Fs): Omit<Mount, "id" | "seq" | "rank"> {
  return {
    parent: 0, mp: ROOT_INO, fs: fs.id, root: ROOT_INO, flags: 0, extraOpts: "", lockedFlags: 0, lockAtime: false,
    locked: false, ns: 1, peer: 0, master: 0, propFrom: 0, unbindable: false, source: "rootfs",
  };
}

function anonMinor(dev: string): number {
  const [maj, min] = dev.split(":");
  return maj === "0" ? Number(min) : 0;
}

function placeMountpoint(s: State, e: Entry, byId: Map<number, Entry>): void {
  const pe = byId.get(e.parent)!; // checkTable: every parent but the root's is listed
  const parent = mnt(s, pe.id);
  const m = mnt(s, e.id);
  setParent(s, m, m.parent, mkdirsIn(fsOf(s, parent), parent.root, relative(e, pe)));
}

/** mkdir -p `path` as `proc` sees it, creating missing directories in whatever mount they fall in. */
export function mkdirp(s: State, proc: Proc, path: string): void {
  let cur = path.startsWith("/") ? proc.root : proc.cwd;
  for (const c of path.split("/").filter((x) => x !== "" && x !== ".")) {
    const n = nodeAt(s, cur);
    let ino = n.children?.get(c);
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
  const done = new Set<number>();
  const stack: Mount[] = [];
  for (const m of s.mounts.values()) if (m.ns === proc.ns && (m.parent === 0 || !s.mounts.has(m.parent))) stack.push(m);
  stack.sort(bySeq).reverse();
  for (let m = stack.pop(); m; m = stack.pop()) {
    if (done.has(m.id)) continue;
    done.add(m.id);
    list.push(m);
    const kids = children(s, m.id).sort(bySeq);
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!); // no spread: 100k args overflow the stack
  }
  // The copies take the next ids in list order, so each is filed under its parent's copy at once.
  const ids = new Map<number, number>();
  list.forEach((o, i) => ids.set(o.id, s.nextMountId + i));
  for (const o of list) {
    const parent = o.parent === 0 ? 0 : ids.get(o.parent) ?? 0;
    // clone_mnt leaves mnt_t_flags (T_UNBINDABLE) behind: no copy is unbindable (seen on 6.18,
    // test/kernel-oracle.test.ts; docs/sources.md#kernel-umount-mount). Written out field by
    // field, not spread: 100k spreads were a third of this copy's time.
    const c = addMount(s, {
      parent, mp: o.mp, fs: o.fs, root: o.root, flags: o.flags, extraOpts: o.extraOpts,
      lockedFlags: userns ? o.flags & LOCKABLE : o.lockedFlags, lockAtime: userns || o.lockAtime, locked: userns || o.locked,
      ns, peer: userns ? 0 : o.peer, master: userns ? o.peer || o.master : o.master, propFrom: 0, unbindable: false, source: o.source,
    });
    if (c.id !== ids.get(o.id)) throw new RangeError(`unshare: mount id ${c.id} taken out of order`);
  }
  const map = (p: { mnt: number; ino: number }) => ({ mnt: ids.get(p.mnt) ?? p.mnt, ino: p.ino });
  proc.ns = ns;
  proc.root = map(proc.root);
  proc.cwd = map(proc.cwd);
}
