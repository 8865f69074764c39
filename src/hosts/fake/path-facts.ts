// What a path really is on the modelled machine, handed in by the caller (the command layer
// lstat()s each component; --rootfs-kind makes them up): a directory, a regular file, a symlink
// with its target, or nothing. Applied to a kernel state as mkdir/creat/symlink. No I/O here.
import { addNode, ownTree, type Proc, type State } from "./model.js";
import { mkdirp, symlinkp } from "./build.js";
import { fsOf, mnt, traverse } from "./mounts.js";
import { nodeAt } from "./resolve.js";

/**
 * One lstat() answer, for an absolute path whose parent directories are real (no symlink among
 * them: the walk that produced the facts resolved them first, as the kernel does).
 */
export type PathFact =
  | { path: string; kind: "dir" | "file" | "missing" }
  | { path: string; kind: "symlink"; target: string };

/**
 * Applies `facts` in order, as `proc` sees the paths: "dir" is mkdir -p, "file" a regular file,
 * "symlink" a link to its target, "missing" nothing at all (the model simply has no such entry).
 * Throws RangeError when the model already has a directory there (a mount point from the table):
 * a path the table mounts on cannot be missing, a file or a symlink.
 */
export function applyPathFacts(s: State, proc: Proc, facts: readonly PathFact[]): void {
  for (const f of facts) {
    if (f.kind === "dir") { mkdirp(s, proc, f.path); continue; }
    if (exists(s, proc, f.path)) throw new RangeError(`${f.path} is a mount point (or lies on the way to one) in the mount table, so it cannot be ${f.kind === "missing" ? "missing" : `a ${f.kind}`}`);
    if (f.kind === "symlink") symlinkp(s, proc, f.path, f.target);
    else if (f.kind === "file") creat(s, proc, f.path);
  }
}

/** The directory a walk ended in (the rootfs's real path), or null when it ended missing or at a file. */
export function realDir(facts: readonly PathFact[]): string | null {
  const last = facts[facts.length - 1];
  return last && last.kind === "dir" ? last.path : null;
}

/** The parent directory's position (it must exist as directories), and the last name. */
function parentOf(s: State, proc: Proc, path: string): { at: { mnt: number; ino: number }; name: string } {
  const cut = path.lastIndexOf("/");
  const dir = cut <= 0 ? "/" : path.slice(0, cut);
  mkdirp(s, proc, dir);
  let at = proc.root;
  for (const c of dir.split("/").filter((x) => x !== "")) at = traverse(s, { mnt: at.mnt, ino: nodeAt(s, at).children!.get(c)! });
  return { at, name: path.slice(cut + 1) };
}

function exists(s: State, proc: Proc, path: string): boolean {
  const { at, name } = parentOf(s, proc, path);
  return nodeAt(s, at).children?.has(name) ?? false;
}

/** A regular file at `path` (open(O_CREAT) in the model's terms). */
function creat(s: State, proc: Proc, path: string): void {
  const { at, name } = parentOf(s, proc, path);
  addNode(ownTree(fsOf(s, mnt(s, at.mnt))), at.ino, name, "file"); // copy on write: clones share trees
}
