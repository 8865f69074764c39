// mkdir(2) on the model (ABI 4; bwrap's staging directories): a new empty directory in the
// filesystem of the parent's mount, with do_mkdirat's errnos in filename_create's order; and
// symlink(2) by the same path, for test set-up that must create a link where the real kernel
// would (the kernel oracle's links in each new tmpfs; FakeKernel.symlinkAt). Calls the tree and lookup code of model.ts,
// mounts.ts and resolve.ts; changes nothing else. No mode or permission model: every process may
// write every writable directory.
import { AT_FDCWD, EEXIST, ENOENT, EROFS, MS_RDONLY } from "../../abi.js";
import type { Result } from "../../request.js";
import { type Proc, type State, addNode, ownTree } from "./model.js";
import { fsOf, mnt } from "./mounts.js";
import { lookup, nodeAt } from "./resolve.js";

/** The superblock was mounted read-only ("ro" first in its options, as mountinfo prints them). */
const superReadonly = (opts: string): boolean => opts === "ro" || opts.startsWith("ro,");

/**
 * mkdir(pathname, mode). The parent is looked up as a directory (ENOENT, ENOTDIR, ELOOP, ...).
 * The last component must be a plain name not yet present: "/", "." and ".." are EEXIST
 * (filename_create refuses a last component that is not LAST_NORM), and so is any existing entry,
 * a symlink too (it is not followed). Only then is the mount's write access checked: EEXIST wins
 * over EROFS, as filename_create reports mnt_want_write's error after the lookup.
 */
export function sysMkdir(s: State, p: Proc, pathname: string): Result {
  return create(s, p, pathname, null);
}

/**
 * symlink(target, pathname): as mkdir, but a trailing "/" on a new name is ENOENT (filename_create:
 * only a directory may be created by a name that ends in one). Recorded on 6.18 (python, in a
 * scratch directory): "n/" ENOENT, an existing "d/" EEXIST, "." EEXIST, an empty target ENOENT,
 * a file as parent ENOTDIR, and a new name in /proc or /proc/self/fd ENOENT, as for mkdir.
 */
export function sysSymlink(s: State, p: Proc, target: string, pathname: string): Result {
  if (target.length === 0) return { errno: ENOENT }; // getname refuses an empty string
  return create(s, p, pathname, target);
}

/** filename_create, then the new directory (target null) or symlink. */
function create(s: State, p: Proc, pathname: string, target: string | null): Result {
  if (pathname.length === 0) return { errno: ENOENT };
  const path = pathname.replace(/\/+$/, "");
  if (path.length === 0) return { errno: EEXIST }; // "/", "//": the root exists
  const cut = path.lastIndexOf("/");
  const name = path.slice(cut + 1);
  const dir = cut < 0 ? "." : cut === 0 ? "/" : path.slice(0, cut);
  const parent = lookup(s, p, AT_FDCWD, dir, { follow: true, directory: true });
  if ("errno" in parent) return parent;
  if (name === "." || name === "..") return { errno: EEXIST };
  if (nodeAt(s, parent.pos).children?.has(name)) return { errno: EEXIST };
  // A trailing "/" asks for a directory: a new symlink is not one (filename_create: "-ENOENT for you").
  if (target !== null && path.length < pathname.length) return { errno: ENOENT };
  const m = mnt(s, parent.pos.mnt);
  const fs = fsOf(s, m);
  if ((m.flags & MS_RDONLY) !== 0 || superReadonly(fs.superOpts)) return { errno: EROFS };
  // /proc and /proc/self/fd create nothing: their lookup of a new name is already ENOENT
  // (proc_root_lookup, proc_lookupfd), before any mkdir or symlink operation is asked for.
  if (fs.fstype === "proc") return { errno: ENOENT };
  if (target === null) addNode(ownTree(fs), parent.pos.ino, name, "dir"); // copy on write: clones share trees
  else addNode(ownTree(fs), parent.pos.ino, name, "symlink", target);
  return { ret: 0 };
}
