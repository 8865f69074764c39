// Path resolution (path_lookupat): absolute, relative to cwd or a dirfd, through mount stacks,
// "..", symlinks, the /proc/self/fd/N magic links; and the reverse, a position's path as seen from a
// root (prepend_path), for getcwd and mountinfo. Reads state only; never changes it.
import { AT_FDCWD, EBADF, ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR, EXDEV, PATH_MAX, RESOLVE_BENEATH, RESOLVE_IN_ROOT, RESOLVE_NO_MAGICLINKS,
  RESOLVE_NO_SYMLINKS, RESOLVE_NO_XDEV } from "../../abi.js";
import { type Mount, type Pos, type Proc, type State, type Tree, ROOT_INO, isDirKind, node } from "./model.js";
import { fsOf, mnt, samePos, traverse } from "./mounts.js";

export interface LookupOpts {
  /** Follow a symlink in the last component (LOOKUP_FOLLOW). */
  follow: boolean;
  /** Climb the mount stack on the result (LOOKUP_MOUNTPOINT, umount2). */
  mountpoint?: boolean;
  /** The result must be a directory (LOOKUP_DIRECTORY). */
  directory?: boolean;
  /**
   * An open's O_PATH, given by open calls only: with `follow` false a last /proc/self/fd/N is the
   * link itself, not what it names. Seen on 6.18 (test/mutation-kills-fake-openat2.test.ts):
   * O_DIRECTORY says ENOTDIR, an open without O_PATH ELOOP (as for any symlink), and O_PATH alone
   * opens the link; here that fd names the target instead (the model has no node for the link).
   */
  opath?: boolean;
  /**
   * Given by umount2 and mount_setattr: with `follow` false a last /proc/self/fd/N is the link
   * itself, an entry of the fd directory and no mount's root, so both say EINVAL (seen on 6.18:
   * test/fake-magic-link-nofollow.test.ts). The result is the fd directory, which no mount has as
   * its root either. open_tree still takes the target (the kernel opens the link itself).
   */
  linkItself?: boolean;
  /**
   * openat2's RESOLVE_* bits (LOOKUP_NO_XDEV, LOOKUP_NO_MAGICLINKS, LOOKUP_NO_SYMLINKS,
   * LOOKUP_BENEATH, LOOKUP_IN_ROOT), checked where fs/namei.c checks them, as the walk goes: at a
   * jump to the root (nd_jump_root), a ".." (follow_dotdot), a mount crossed (traverse_mounts), a
   * link followed (pick_link) and a magic link's jump (nd_jump_link). Absent: none.
   */
  resolve?: number;
}

export type Lookup = { pos: Pos } | { errno: number };

const NAME_MAX = 255;
const MAX_LINKS = 40;

export function nodeAt(s: State, p: Pos) {
  return node(fsOf(s, mnt(s, p.mnt)).tree, p.ino);
}

export function isDirAt(s: State, p: Pos): boolean {
  return isDirKind(nodeAt(s, p).kind);
}

function start(s: State, proc: Proc, dirfd: number, path: string): Lookup {
  if (path.startsWith("/")) return { pos: proc.root };
  if (dirfd === AT_FDCWD) return { pos: proc.cwd };
  const f = proc.fds.get(dirfd);
  if (!f || f.kind === "tty" || f.kind === "mntns") return { errno: f ? ENOTDIR : EBADF };
  const pos = { mnt: f.mnt, ino: f.ino };
  return isDirAt(s, pos) ? { pos } : { errno: ENOTDIR };
}

export function lookup(s: State, proc: Proc, dirfd: number, path: string, o: LookupOpts): Lookup {
  if (path.length === 0) return { errno: ENOENT };
  if (path.length >= PATH_MAX) return { errno: ENAMETOOLONG };
  const rs = o.resolve ?? 0;
  const beneath = (rs & RESOLVE_BENEATH) !== 0;
  const inRoot = (rs & RESOLVE_IN_ROOT) !== 0;
  const noXdev = (rs & RESOLVE_NO_XDEV) !== 0;
  const noSymlinks = (rs & RESOLVE_NO_SYMLINKS) !== 0;
  const noMagic = noSymlinks || (rs & RESOLVE_NO_MAGICLINKS) !== 0;
  const scoped = beneath || inRoot;
  // nd->root: the process's root, or the dirfd's place for a scoped walk (path_init). A relative
  // walk has none until a ".." or an absolute link sets it (set_root): NO_XDEV's jump check then
  // sees a root mount of NULL, and refuses any jump (nd_jump_root).
  let root = proc.root;
  let rootSet = scoped || path.startsWith("/");
  if (scoped) {
    const d = start(s, proc, dirfd, ".");
    if ("errno" in d) return d;
    root = d.pos;
  }
  if (path.startsWith("/") && beneath) return { errno: EXDEV };
  const first = scoped && path.startsWith("/") ? { pos: root } : start(s, proc, dirfd, path);
  if ("errno" in first) return first;
  let cur = first.pos;
  let trailing = path.endsWith("/");
  const stack = path.split("/").filter((c) => c !== "").reverse();
  let links = 0;
  /** traverse_mounts with LOOKUP_NO_XDEV: crossing onto a mount is EXDEV. */
  const down = (p: Pos): Pos | null => {
    const t = traverse(s, p);
    return noXdev && t.mnt !== p.mnt ? null : t;
  };
  while (stack.length > 0) {
    const c = stack.pop()!;
    const last = stack.length === 0;
    const n = nodeAt(s, cur);
    const followed = !last || o.follow || trailing;
    /**
     * A magic link met (to a place on mount `to`): NO_SYMLINKS refuses it even as a last link not
     * followed, as any symlink (seen on 6.18: test/mutation-kills-fake-openat2.test.ts); followed,
     * pick_link counts it, and nd_jump_link refuses it under NO_MAGICLINKS (ELOOP), onto another
     * mount under NO_XDEV (EXDEV), and in any scoped walk (EXDEV, "not currently safe").
     */
    const magicRefused = (to: number): Lookup | null => {
      if (noSymlinks) return { errno: ELOOP };
      if (!followed) return null;
      if (++links > MAX_LINKS) return { errno: ELOOP };
      if (noMagic) return { errno: ELOOP };
      if (noXdev && to !== cur.mnt) return { errno: EXDEV };
      if (scoped) return { errno: EXDEV };
      return null;
    };
    /** A last magic link not followed: what an open (`opath`) or umount2 (`linkItself`) makes of the link itself. */
    const asTheLink = (): Lookup | null => {
      if (!last || o.follow || trailing) return null;
      if (o.opath !== undefined) {
        if (o.directory) return { errno: ENOTDIR };
        if (!o.opath) return { errno: ELOOP };
      }
      return o.linkItself ? { pos: cur } : null;
    };
    if (!isDirKind(n.kind)) return { errno: ENOTDIR };
    if (c.length > NAME_MAX) return { errno: ENAMETOOLONG };
    if (c === ".") continue;
    if (c === "..") {
      rootSet = true;
      const up = dotdot(s, root, cur, beneath, noXdev);
      if ("errno" in up) return up;
      cur = up.pos;
      continue;
    }
    if (n.kind === "fddir") {
      // /proc/self/fd/N: a magic link straight to what the fd refers to. N is decimal without a
      // leading zero ("03" is ENOENT: fs/proc/util.c name_to_int, used by proc_lookupfd_common).
      const f = /^(?:0|[1-9]\d*)$/.test(c) ? proc.fds.get(Number(c)) : undefined;
      if (!f) return { errno: ENOENT };
      const refused = magicRefused(f.mnt);
      if (refused) return refused;
      // A terminal or an nsfs file is no directory: a name or a slash after it is ENOTDIR (seen on
      // 6.18 with /dev/null's and /proc/self/ns/mnt's fds). The link alone opens that file in Linux;
      // the model has no inode for it, so that is ENOENT here (no plan opens one), unless the walk
      // wants a directory (O_DIRECTORY, pivot_root's LOOKUP_DIRECTORY): ENOTDIR, as in Linux.
      if (f.kind === "tty" || f.kind === "mntns") return { errno: last && !trailing && !o.directory ? ENOENT : ENOTDIR };
      const itself = asTheLink();
      if (itself) return itself;
      cur = { mnt: f.mnt, ino: f.ino };
      continue;
    }
    // /proc/self/cwd and /proc/self/root: magic links to the process's cwd and root
    // (proc_cwd_link, proc_root_link), as the fd links are to an fd's file. The model's procfs has
    // no node for them (model.ts procTree); they are found here by name. Seen on 6.18 as
    // pivot_root's arguments, and through openat (test/fake-openat2-walk.test.ts).
    if ((c === "cwd" || c === "root") && n.children?.get(c) === undefined && n.parent === ROOT_INO && (n.name === "self" || n.name === "thread-self") &&
      fsOf(s, mnt(s, cur.mnt)).fstype === "proc") {
      const to = c === "cwd" ? proc.cwd : proc.root;
      const refused = magicRefused(to.mnt);
      if (refused) return refused;
      const itself = asTheLink();
      if (itself) return itself;
      cur = { ...to };
      continue;
    }
    const child = n.children?.get(c);
    if (child === undefined) return { errno: ENOENT };
    const cn = nodeAt(s, { mnt: cur.mnt, ino: child });
    // /proc/self and /proc/thread-self are plain symlinks in Linux (to "<pid>", "<pid>/task/<tid>");
    // the model keeps them as directories (model.ts procTree), so here they count as links.
    const procSelf = (c === "self" || c === "thread-self") && cur.ino === ROOT_INO && fsOf(s, mnt(s, cur.mnt)).fstype === "proc";
    if (procSelf && followed) {
      if (noSymlinks) return { errno: ELOOP };
      if (++links > MAX_LINKS) return { errno: ELOOP };
    }
    if (cn.kind === "symlink" && followed) {
      if (noSymlinks) return { errno: ELOOP };
      if (++links > MAX_LINKS) return { errno: ELOOP };
      const t = cn.target ?? "";
      if (t === "") return { errno: ENOENT };
      if (t.startsWith("/")) {
        // nd_jump_root: BENEATH refuses it; NO_XDEV refuses a jump onto another mount, and any
        // jump before the walk has its root.
        if (beneath) return { errno: EXDEV };
        if (noXdev && (!rootSet || root.mnt !== cur.mnt)) return { errno: EXDEV };
        rootSet = true;
        cur = root;
      }
      // A "/" after the target's last name makes a last link's walk follow its end and want a
      // directory, as a trailing "/" of the path does (lookup_last reads the byte after the name).
      if (last && t.endsWith("/")) trailing = true;
      stack.push(...t.split("/").filter((x) => x !== "").reverse());
      continue;
    }
    const next = down({ mnt: cur.mnt, ino: child });
    if (!next) return { errno: EXDEV };
    cur = next;
  }
  if (o.mountpoint) cur = traverse(s, cur);
  if ((o.directory || trailing) && !isDirAt(s, cur)) return { errno: ENOTDIR };
  // Using a mount clears its expiry mark (mntput); umount2's own lookup does not
  // (path_umount puts it with mntput_no_expire). Only the last mount of the walk is modelled.
  if (!o.mountpoint && s.expiry?.size) s.expiry.delete(cur.mnt);
  return { pos: cur };
}

/**
 * follow_dotdot, then step_into the parent: at the walk's root stay there (BENEATH: EXDEV); at a
 * mount root go to where it is mounted (NO_XDEV: EXDEV); then climb the stack on the result
 * (NO_XDEV: EXDEV if there is one).
 */
function dotdot(s: State, root: Pos, cur: Pos, beneath: boolean, noXdev: boolean): Lookup {
  const climb = (p: Pos): Lookup => {
    const t = traverse(s, p);
    return noXdev && t.mnt !== p.mnt ? { errno: EXDEV } : { pos: t };
  };
  if (samePos(cur, root)) return beneath ? { errno: EXDEV } : climb(cur);
  let at = cur;
  if (cur.ino === mnt(s, cur.mnt).root) {
    const up = chooseMountpoint(s, cur.mnt, root);
    if (!up) return beneath ? { errno: EXDEV } : climb(cur);
    if (noXdev) return { errno: EXDEV };
    at = up;
  }
  const parent = node(fsOf(s, mnt(s, at.mnt)).tree, at.ino).parent;
  return climb({ mnt: at.mnt, ino: parent });
}

function chooseMountpoint(s: State, id: number, root: Pos): Pos | null {
  let m = mnt(s, id);
  while (m.parent !== 0) {
    const mp = m.mp;
    m = mnt(s, m.parent);
    if (root.mnt === m.id && root.ino === mp) return null;
    if (mp !== m.root) return { mnt: m.id, ino: mp };
  }
  return null;
}

/** prepend_path: the path of `pos` seen from `root`, and whether the walk missed the root. */
export function pathFrom(s: State, pos: Pos, root: Pos): { path: string; unreachable: boolean } {
  const parts: string[] = [];
  let m = mnt(s, pos.mnt);
  let ino = pos.ino;
  let unreachable = false;
  const tree = () => fsOf(s, m).tree;
  while (!(m.id === root.mnt && ino === root.ino)) {
    if (ino === m.root || ino === ROOT_INO) {
      if (m.parent === 0) {
        unreachable = true;
        break;
      }
      ino = m.mp;
      m = mnt(s, m.parent);
      continue;
    }
    const n = node(tree(), ino);
    parts.push(n.name);
    ino = n.parent;
  }
  return { path: "/" + parts.reverse().join("/"), unreachable };
}

export interface PathAt { path: string; unreachable: boolean }

const AT_ROOT: PathAt = { path: "/", unreachable: false };
const OFF_ROOT: PathAt = { path: "/", unreachable: true };

/** mountRootFast's names of one segment, leaf first (reused: one array, not one per mount). */
const NAMES: string[] = [];

/** "" or "/a/b" (a suffix) after a path. */
const join = (prefix: string, suffix: string): string => (suffix === "" ? prefix : prefix === "/" ? suffix : prefix + suffix);

/**
 * The common case of a mountinfo line, without pathFromMemo's arrays: `pos` is the root of a mount
 * (not the reader's root) whose parent is the reader's root mount or already in the memo. Returns
 * null for anything else (the general walk handles it).
 */
function mountRootFast(s: State, pos: Pos, root: Pos, memo: Map<number, PathAt>): PathAt | null {
  const m = mnt(s, pos.mnt);
  if (pos.ino !== m.root || m.parent === 0 || (m.id === root.mnt && pos.ino === root.ino)) return null;
  const known = memo.get(m.id);
  if (known) return known;
  const p = mnt(s, m.parent);
  const tree = fsOf(s, p).tree;
  const names = NAMES;
  names.length = 0;
  let reached = false;
  for (let ino = m.mp; ; ) {
    if (p.id === root.mnt && ino === root.ino) { reached = true; break; }
    if (ino === p.root || ino === ROOT_INO) break;
    const n = node(tree, ino);
    names.push(n.name);
    ino = n.parent;
  }
  const above = reached ? AT_ROOT : memo.get(p.id);
  if (!above) return null;
  // One flat string ("/a/b"): "/" + name + seg made a chain of partial strings per mount, kept by
  // the memo until a regexp (escape) flattened it, most of a 100k-mount render in the collector.
  let seg = "";
  if (names.length > 0) { names.push(""); seg = names.reverse().join("/"); }
  const at = seg === "" ? above : { path: join(above.path, seg), unreachable: above.unreachable };
  memo.set(m.id, at);
  return at;
}

/**
 * Names gathered leaf first into a reused array, the first `n` of them current. Not emptied with
 * `length = 0`: that drops the array's storage, and refilling it allocated again for every line.
 */
export interface NameList {
  list: string[];
  n: number;
  /** The parent mount and tree of the last call with `memo` (valid while that memo is: one render). */
  lastMemo?: Map<number, PathAt> | undefined;
  lastParent?: Mount | undefined;
  lastTree?: Tree | undefined;
}

/**
 * Where the root of `m` is seen from `root`, for a mountinfo line, in two parts: the path above
 * (the reader's root, or where m's parent is mounted, from the memo or found and memoized) and
 * the names from m's mount point up to it, filled into `names` leaf first; the path is their
 * join. Nothing is memoized for m itself and no string is made for it: a 100k-mount render made
 * a path string and a memo entry per line (its most of 300 ms), where only a parent's path is
 * ever asked for again. Null for what this does not handle (m is the reader's root, or has no
 * parent): the caller uses pathFromMemo. Same state and memo rules as pathFromMemo.
 */
export function mountPathSplit(s: State, m: Mount, root: Pos, memo: Map<number, PathAt>, names: NameList): PathAt | null {
  if (m.parent === 0 || (m.id === root.mnt && m.root === root.ino)) return null;
  names.n = 0;
  const known = memo.get(m.id);
  if (known) return known;
  // Lines in a row mostly share a parent: it and its tree are looked up once for them.
  if (names.lastMemo !== memo || names.lastParent?.id !== m.parent) {
    names.lastMemo = memo;
    names.lastParent = mnt(s, m.parent);
    names.lastTree = fsOf(s, names.lastParent).tree;
  }
  const p = names.lastParent!;
  const tree = names.lastTree!;
  let reached = false;
  for (let ino = m.mp; ; ) {
    if (p.id === root.mnt && ino === root.ino) { reached = true; break; }
    if (ino === p.root || ino === ROOT_INO) break;
    const n = node(tree, ino);
    names.list[names.n++] = n.name;
    ino = n.parent;
  }
  if (reached) return AT_ROOT;
  return memo.get(p.id) ?? pathFromMemo(s, { mnt: p.id, ino: p.root }, root, memo);
}

/**
 * pathFrom with a memo of where each mount is mounted (as seen from `root`), for rendering a whole
 * mountinfo: each mount's path is then its parent's plus a few names, not a walk to the root (10k
 * stacked mounts made the file O(n²)). The state must not change while the memo is in use.
 */
export function pathFromMemo(s: State, pos: Pos, root: Pos, memo: Map<number, PathAt>): PathAt {
  const fast = mountRootFast(s, pos, root, memo);
  if (fast !== null) return fast;
  // Walk up segment by segment (one per mount). Each segment but the first was entered through a
  // mount point; that mount's own entry is the path found above it (filled in on the way back).
  const segs: string[] = [];
  const through: Mount[] = [];
  let m = mnt(s, pos.mnt);
  let ino = pos.ino;
  let above: PathAt;
  for (;;) {
    const tree = fsOf(s, m).tree;
    let seg = "";
    let reached = false;
    for (;;) {
      if (m.id === root.mnt && ino === root.ino) { reached = true; break; }
      if (ino === m.root || ino === ROOT_INO) break;
      const n = node(tree, ino);
      seg = "/" + n.name + seg;
      ino = n.parent;
    }
    segs.push(seg);
    if (reached) { above = AT_ROOT; break; }
    const known = memo.get(m.id);
    if (known) { above = known; break; }
    if (m.parent === 0) { above = OFF_ROOT; break; }
    through.push(m);
    ino = m.mp;
    m = mnt(s, m.parent);
  }
  let acc = above;
  for (let i = segs.length - 1; i >= 0; i--) {
    const seg = segs[i]!;
    if (seg !== "") acc = { path: join(acc.path, seg), unreachable: acc.unreachable };
    if (i > 0) memo.set(through[i - 1]!.id, acc);
  }
  return acc;
}
