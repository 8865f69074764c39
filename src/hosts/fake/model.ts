// The fake kernel's data: filesystems (immutable dentry trees, shared between clones), mounts,
// mount namespaces, processes and their fd tables, plus the deep copy (clone) of all of it.
// Plain records with numeric ids only, so that clone() is a cheap loop. No syscall logic here.
import { type Links, cloneLinks } from "./links.js";

/** A dentry. `children` maps a name to an inode number in the same tree. */
export interface Node {
  name: string;
  parent: number;
  kind: "dir" | "file" | "symlink" | "mountinfo" | "fddir";
  target?: string;
  children?: Children;
}

/** A directory's entries, read with get and has; addNode alone adds to them. */
export type Children = Map<string, number> | OneChild;

/**
 * The entries of a directory with one (a container's mount point directory holds just "merged"):
 * a Map for one entry was ~190 bytes, a fifth of what a 100k-mount table's build kept alive for
 * the collector to move. Never changed: the second entry makes a Map in its place (addNode).
 */
export class OneChild {
  constructor(readonly name: string, readonly ino: number) {}
  get(name: string): number | undefined { return name === this.name ? this.ino : undefined; }
  has(name: string): boolean { return name === this.name; }
}

/**
 * A dentry tree. Once shared between clones (cloneState sets `shared`) it is never mutated again:
 * mkdir copies it first (ownTree, copy on write). A tree only one state holds is changed in place.
 */
export interface Tree {
  nodes: Node[];
  shared?: boolean;
  /**
   * Set on a copy (copyTree): its nodes below `base` are the shared tree's, never changed, until
   * one is copied in turn before its first change and listed in `own` (addNode). From `base` on,
   * the nodes are the copy's own.
   */
  base?: number;
  own?: Set<number>;
}

/**
 * A superblock. Its fields other than the tree are never changed in place: a remount replaces the
 * record (setSuperOpts), so a view that kept the old one still has what it saw (host-view.ts).
 */
export interface Fs {
  id: number;
  fstype: string;
  /** Per-superblock options, rendered as is (e.g. "rw,errors=continue"). */
  superOpts: string;
  /** "major:minor" */
  dev: string;
  tree: Tree;
  /** Created inside a user-namespace-owned mount namespace (its owner may remount it). */
  userns: boolean;
}

/** No mount, in a Mount's propagation-list fields (a parsed table's mount ids may include 0). */
export const NONE = -1;
/** The propagation-list fields (pnode.ts), which only pnode.ts writes. */
export type PnodeField = "shareNext" | "sharePrev" | "masterMnt" | "slaveFirst" | "slaveNext" | "slavePrev";

/** One mount. Only primitives, so a clone is `{ ...m }`. */
export interface Mount {
  id: number;
  /** Parent mount id; 0 for a namespace root or a detached mount. */
  parent: number;
  /** Mount point dentry, in the parent's filesystem. */
  mp: number;
  fs: number;
  /** Root dentry inside `fs`. */
  root: number;
  /** Per-mount MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC|MS_NOATIME|MS_NODIRATIME|MS_RELATIME|MS_NOSYMFOLLOW. */
  flags: number;
  /** Unknown per-mount options kept from a parsed mountinfo (",idmapped"), rendered last. */
  extraOpts: string;
  /** MS_* bits of `flags` an unprivileged owner may not change (MNT_LOCK_READONLY...). */
  lockedFlags: number;
  lockAtime: boolean;
  /** MNT_LOCKED: cannot be unmounted alone (it would reveal what it covers). */
  locked: boolean;
  /** Mount namespace id; 0 once detached. */
  ns: number;
  /** Peer group id when shared, else 0. */
  peer: number;
  /** Peer group this mount receives from when a slave, else 0. */
  master: number;
  /** propagate_from as parsed from a mountinfo text; dropped when `master` changes. */
  propFrom: number;
  unbindable: boolean;
  /** mnt_devname: the source shown in mountinfo; null renders "none". */
  source: string | null;
  /** Position in the namespace's mount list (mountinfo order). */
  seq: number;
  /**
   * Position in its parent's list of children (mnt_mounts), from the same counter as seq. Each
   * attach puts a mount at that list's end (__attach_mnt's list_add_tail), a move too, while its
   * place in the namespace list (seq) stays: copy_tree walks children in this order, so it sets
   * the order of an unshare's or a recursive bind's copies. Seen on 6.18: a mount moved under a
   * parent is copied after its later siblings (test/kernel-oracle-order.test.ts).
   */
  childSeq: number;
  /**
   * The kernel's propagation lists (pnode.ts), by mount id, NONE (-1) for none: the peer ring
   * (mnt_share) around this mount's group, this mount's own master mount (mnt_master; `master` is
   * its group), and the master's list of slaves (mnt_slave_list, mnt_slave). They fix the order in
   * which propagate_mnt visits receivers, so which copy gets which mount id and group id.
   */
  shareNext: number;
  sharePrev: number;
  masterMnt: number;
  slaveFirst: number;
  slaveNext: number;
  slavePrev: number;
  /** Creation order (place in s.mounts, which never deletes): the order links.ts returns mounts in. */
  rank: number;
}

/**
 * A mount namespace. `userns`: owned by a user namespace other than the initial one; `owner` names
 * that user namespace (0: the initial one), so two namespaces can be told to share an owner:
 * propagation between different owners locks what it copies (attach_recursive_mnt, lock_mnt_tree).
 */
export interface Ns { id: number; userns: boolean; owner: number }

export interface Pos { mnt: number; ino: number }

export interface Fd {
  /** "mntns": an nsfs fd of a mount namespace (open_tree OPEN_TREE_NAMESPACE, Linux 7.0); mnt is its root mount. */
  kind: "path" | "dir" | "file" | "mountinfo" | "tty" | "mntns";
  mnt: number;
  ino: number;
  cloexec: boolean;
  /** The mountinfo text as far as it is known (kind "mountinfo"): rendered at open, and its tail
   * again at a read on a record boundary after the table changed (sys-fs.ts liveTail). */
  data?: Uint8Array;
  /** The mount seq of each record of data, in order; the table's signature when data was rendered. */
  seqs?: number[];
  sig?: string;
  /** The opener's root and mount namespace (kind "mountinfo"): mounts_open_common keeps both for the file's life. */
  seenFrom?: { root: Pos; ns: number };
  offset: number;
}

export interface Proc {
  pid: number;
  ns: number;
  root: Pos;
  cwd: Pos;
  fds: Map<number, Fd>;
  /** CAP_SYS_ADMIN (and CAP_SYS_CHROOT) over the user namespace owning its mount namespace. */
  cap: boolean;
  /**
   * Its PID and network namespaces belong to that same user namespace (a runtime's container init,
   * cloned into new ones), so it may mount proc and sysfs there. False for the host's processes and
   * for pivotshim's executor, which unshares a mount (and user) namespace only. Absent: false.
   */
  ownsPidNet?: boolean;
  /** In a UTS namespace of its own (unshare(CLONE_NEWUTS) with its mount namespace). Absent: the host's. */
  ownUts?: boolean;
  /** Its UTS namespace's hostname, once set (sethostname); the host's is never modelled. */
  hostname?: string;
}

export interface State {
  fss: Map<number, Fs>;
  mounts: Map<number, Mount>;
  nss: Map<number, Ns>;
  procs: Map<number, Proc>;
  /** The process that executes requests. */
  current: number;
  /** A process of the host namespace, the viewpoint of invariant (1). */
  hostPid: number;
  hostNs: number;
  nextMountId: number;
  nextFsId: number;
  nextSeq: number;
  nextAnonDev: number;
  nextRank: number;
  /** Reverse indexes (links.ts), built on first use; a clone gets a copy. */
  links?: Links | undefined;
  /**
   * Mounts a umount2(MNT_EXPIRE) has marked (mnt_expiry_mark): the next MNT_EXPIRE unmounts them,
   * unless a path lookup has used them since (mntput clears the mark). Absent until the first.
   */
  expiry?: Set<number>;
  /** The kernel the model answers as (sys-ns.ts KERNELS); absent: Linux 6.18. */
  kernel?: "6.18" | "7.0";
  /** How many umount_tree calls so far (absent: none): part of what a live mountinfo read compares. */
  unmounts?: number;
}

/** A superblock's options after a remount: a new record in place of the old (see Fs). */
export function setSuperOpts(s: State, f: Fs, superOpts: string): void {
  s.fss.set(f.id, { ...f, superOpts });
}

export function emptyState(): State {
  return {
    fss: new Map(), mounts: new Map(), nss: new Map(), procs: new Map(),
    current: 0, hostPid: 0, hostNs: 0, nextMountId: 1, nextFsId: 1, nextSeq: 1, nextAnonDev: 100, nextRank: 0,
  };
}

/** Deep copy. Dentry trees are shared from now on (both states copy one before changing it). */
export function cloneState(s: State): State {
  const fss = new Map<number, Fs>();
  for (const [k, f] of s.fss) {
    if (!f.tree.shared) f.tree.shared = true; // (EMPTY_TREE is frozen, and shared already)
    fss.set(k, { ...f });
  }
  const mounts = new Map<number, Mount>();
  for (const [k, m] of s.mounts) mounts.set(k, copyMount(m));
  const nss = new Map<number, Ns>();
  for (const [k, n] of s.nss) nss.set(k, { ...n });
  const procs = new Map<number, Proc>();
  for (const [k, p] of s.procs) procs.set(k, cloneProc(p));
  return { ...s, fss, mounts, nss, procs, links: s.links ? cloneLinks(s.links, mounts) : undefined, ...(s.expiry ? { expiry: new Set(s.expiry) } : {}) };
}

/**
 * A mount record's copy, written out field by field in addMount's order (mounts.ts): the copies
 * share the records' shape, and 200k of them copy in ~65 ms where `{ ...m }` took ~115.
 */
export function copyMount(m: Mount): Mount {
  return {
    id: m.id, parent: m.parent, mp: m.mp, fs: m.fs, root: m.root, flags: m.flags, extraOpts: m.extraOpts,
    lockedFlags: m.lockedFlags, lockAtime: m.lockAtime, locked: m.locked, ns: m.ns, peer: m.peer, master: m.master,
    propFrom: m.propFrom, unbindable: m.unbindable, source: m.source, seq: m.seq, childSeq: m.childSeq, rank: m.rank,
    shareNext: m.shareNext, sharePrev: m.sharePrev, masterMnt: m.masterMnt, slaveFirst: m.slaveFirst, slaveNext: m.slaveNext,
    slavePrev: m.slavePrev,
  };
}

function cloneProc(p: Proc): Proc {
  const fds = new Map<number, Fd>();
  for (const [k, f] of p.fds) fds.set(k, { ...f });
  return { ...p, root: { ...p.root }, cwd: { ...p.cwd }, fds };
}

// ---- dentry trees ----

export const ROOT_INO = 0;

/** An empty tree: a root directory (its children map comes with its first child). */
export function newTree(): Tree {
  return { nodes: [{ name: "", parent: ROOT_INO, kind: "dir", children: undefined }] };
}

/**
 * The tree of a new superblock with nothing in it yet: one tree for all of them, shared from the
 * start, so the first mkdir copies it (ownTree). 100k overlay mounts then cost no tree each.
 */
export const EMPTY_TREE: Tree = Object.freeze({ nodes: Object.freeze([Object.freeze({ name: "", parent: ROOT_INO, kind: "dir", children: undefined })]) as Node[], shared: true });

/**
 * A copy of a tree that can be changed without touching other clones. Only the list of nodes is
 * copied; a node is copied when it first changes (ownNode): copying every node of a 100k-mount
 * host's root filesystem for one mkdir took 120 ms.
 */
export function copyTree(t: Tree): Tree {
  return { nodes: t.nodes.slice(), base: t.nodes.length, own: new Set() };
}

/** The node at `ino`, to be changed: a copy's node still shared with the tree it was copied from is copied first. */
function ownNode(t: Tree, ino: number): Node {
  const n = node(t, ino);
  if (t.own === undefined || ino >= t.base! || t.own.has(ino)) return n;
  const c: Node = n.children instanceof Map ? { ...n, children: new Map(n.children) } : { ...n }; // a OneChild never changes
  t.nodes[ino] = c;
  t.own.add(ino);
  return c;
}

/** The filesystem's tree, made private to this state first if clones share it (copy on write). */
export function ownTree(f: Fs): Tree {
  if (f.tree.shared) f.tree = copyTree(f.tree);
  return f.tree;
}

export function node(t: Tree, ino: number): Node {
  const n = t.nodes[ino];
  if (!n) throw new RangeError(`no inode ${ino}`);
  return n;
}

export function isDirKind(k: Node["kind"]): boolean {
  return k === "dir" || k === "fddir";
}

/** Adds a child (the tree must be a private copy). Returns the existing inode if there is one. */
export function addNode(t: Tree, parent: number, name: string, kind: Node["kind"], target?: string): number {
  const have = node(t, parent).children?.get(name);
  if (have !== undefined) return have;
  const p = ownNode(t, parent);
  const ino = t.nodes.length;
  // Every node made with a children slot (empty until its first child): added later, it took a
  // separate property store per directory, 4 MB of a 100k-mount table's tree.
  const n: Node = { name, parent, kind, children: undefined };
  if (target !== undefined) n.target = target;
  t.nodes.push(n);
  const ch = p.children;
  if (ch === undefined) p.children = new OneChild(name, ino);
  else if (ch instanceof OneChild) p.children = new Map([[ch.name, ch.ino], [name, ino]]);
  else ch.set(name, ino);
  return ino;
}

/** mkdir -p of a "/"-separated path below `from`; returns the last inode. Tree must be private. */
export function mkdirs(t: Tree, from: number, path: string): number {
  let cur = from;
  for (const c of path.split("/")) if (c !== "" && c !== ".") cur = addNode(t, cur, c, "dir");
  return cur;
}

/** mkdirs in the filesystem's own tree (copied first if shared); nothing is copied for "/" or "". */
export function mkdirsIn(f: Fs, from: number, path: string): number {
  if (path === "" || path === "/") return from;
  return mkdirs(ownTree(f), from, path);
}

/**
 * What mkdirsAfter remembers of the path before: its tree and start, and where each of its
 * components ends (`ends`, an offset in `path`) with the inode it led to (`inos`), `k` of them.
 */
export interface MkdirsMemo { tree: Tree | null; from: number; path: string; ends: number[]; inos: number[]; k: number; name: string }

export function mkdirsMemo(): MkdirsMemo {
  return { tree: null, from: -1, path: "", ends: [], inos: [], k: 0, name: "" };
}

/**
 * mkdirsIn for many paths in a row (a parsed table's mount points, build.ts): the leading
 * components a path shares with the one before in the same tree from the same start are not
 * looked up again, and not cut out of the path (100k mount points under one directory: a fifth
 * of the table's build, ~60 ms, was finding /var/lib/containers again for each). The same inodes
 * as mkdirsIn: a name, once added, always leads to the same inode (a tree only gains nodes, and
 * a copy keeps their numbers).
 */
export function mkdirsAfter(f: Fs, from: number, path: string, memo: MkdirsMemo): number {
  if (path === "" || path === "/") return from;
  const t = ownTree(f);
  if (memo.tree !== t || memo.from !== from) {
    memo.tree = t;
    memo.from = from;
    memo.path = "";
    memo.k = 0;
  }
  const prev = memo.path;
  const lim = Math.min(prev.length, path.length);
  let common = 0;
  while (common < lim && prev.charCodeAt(common) === path.charCodeAt(common)) common++;
  // The deepest remembered component inside the common part that ends where one of `path` ends.
  let j = memo.k;
  while (j > 0) {
    const e = memo.ends[j - 1]!;
    if (e <= common && (e === path.length || path.charCodeAt(e) === 0x2f)) break;
    j--;
  }
  let cur = j > 0 ? memo.inos[j - 1]! : from;
  for (let at = j > 0 ? memo.ends[j - 1]! : 0; at < path.length;) {
    let cut = path.indexOf("/", at);
    if (cut < 0) cut = path.length;
    if (cut > at && !(cut === at + 1 && path.charCodeAt(at) === 0x2e)) { // mkdirs skips "" and "."
      let name = path.slice(at, cut);
      if (name === memo.name) name = memo.name; // one string for a name every path ends in ("merged")
      else memo.name = name;
      cur = addNode(t, cur, name, "dir");
      memo.ends[j] = cut;
      memo.inos[j] = cur;
      j++;
    }
    at = cut + 1;
  }
  memo.k = j;
  memo.path = path;
  return cur;
}

/** is_subdir(): `ino` equals `anc` or lies below it. */
export function isSubdir(t: Tree, ino: number, anc: number): boolean {
  for (let cur = ino; ; cur = node(t, cur).parent) {
    if (cur === anc) return true;
    if (cur === ROOT_INO) return false;
  }
}

/** The path of a dentry from its filesystem's root ("/" for the root). */
export function dentryPath(t: Tree, ino: number): string {
  const parts: string[] = [];
  for (let cur = ino; cur !== ROOT_INO; cur = node(t, cur).parent) parts.push(node(t, cur).name);
  return "/" + parts.reverse().join("/");
}

/** A proc superblock's tree: the magic entries the runtimes use. */
export function procTree(): Tree {
  const t = newTree();
  for (const self of ["self", "thread-self"]) {
    const d = addNode(t, ROOT_INO, self, "dir");
    addNode(t, d, "mountinfo", "mountinfo");
    addNode(t, d, "fd", "fddir");
  }
  return t;
}
