// What the rootfs path really is, component by component, for the fake kernel (which does no
// I/O): a walk that resolves symlinks the way path lookup does, asking an lstat() for each
// component, either the real one (run, plan --mountinfo /proc/self/mountinfo) or one made up
// from --rootfs-kind (built-in scenarios, tables from other machines). Also what each profile's
// runtime does with those facts before its first syscall (rootfsRule).
import { lstatSync, readlinkSync } from "node:fs";
import { realDir, type PathFact } from "./hosts/fake/path-facts.js";
import type { Config } from "./schema.js";
import { InvalidInputError, EnvironmentError } from "./errors.js";
import { decodeBytes, encodeString } from "./utf8.js";

export type { PathFact };
/** One lstat() answer, without the path. */
export type Stat = { kind: "dir" | "file" | "missing" } | { kind: "symlink"; target: string };
export type Lstat = (path: string) => Stat;

/** The kernel's limit on symlinks followed in one lookup (MAXSYMLINKS, 40). */
const MAX_LINKS = 40;

const join = (dir: string, name: string): string => (dir === "/" ? `/${name}` : `${dir}/${name}`);
const up = (dir: string): string => dir.slice(0, Math.max(1, dir.lastIndexOf("/")));

/**
 * lstat()s each component of `path` from "/", following a symlink's target (from "/" if absolute,
 * else from the link's directory), as path_lookupat does. Each fact's parent is a real directory.
 * Stops at the first component that is missing or not a directory.
 */
export function walkPath(path: string, lstat: Lstat): PathFact[] {
  const facts: PathFact[] = [];
  const seen = new Set<string>();
  let cur = "/";
  const stack = path.split("/").filter((c) => c !== "").reverse();
  let links = 0;
  while (stack.length > 0) {
    const c = stack.pop()!;
    if (c === ".") continue;
    if (c === "..") { cur = up(cur); continue; }
    const p = join(cur, c);
    const st = { path: p, ...lstat(p) } as PathFact;
    if (!seen.has(p)) { facts.push(st); seen.add(p); }
    if (st.kind === "missing" || st.kind === "file") break;
    if (st.kind === "symlink") {
      if (++links > MAX_LINKS) break;
      if (st.target.startsWith("/")) cur = "/";
      stack.push(...st.target.split("/").filter((x) => x !== "").reverse());
      continue;
    }
    cur = p;
  }
  return facts;
}

/**
 * walkPath for paths as a process rooted at `root` sees them (a hook, after the switch): each
 * component is lstat()ed at `root` + path, an absolute symlink target resolves from `root` and ".."
 * stops there. The facts are named as the host sees them (`root` + path) for applyPathFacts; a
 * symlink keeps its target as written, which the model resolves from the process's new root.
 */
export function walkInRoot(root: string, path: string, lstat: Lstat): PathFact[] {
  const host = (p: string) => (p === "/" ? root : root === "/" ? p : root + p);
  return walkPath(path, (p) => lstat(host(p))).map((f) => ({ ...f, path: host(f.path) }));
}

/** The real lstat(2): what this machine has at `path`. Anything but a directory or a symlink is a "file". */
export const realLstat: Lstat = (path) => {
  // The path's own bytes (a rootfs may be named with bytes that are not UTF-8: src/utf8.ts).
  const bytes = Buffer.from(encodeString(path));
  let st;
  try {
    st = lstatSync(bytes, { throwIfNoEntry: false });
  } catch (e) {
    throw new EnvironmentError(`cannot lstat ${path} to model the rootfs: ${(e as Error).message}`, { cause: e });
  }
  if (st === undefined) return { kind: "missing" };
  if (st.isSymbolicLink()) return { kind: "symlink", target: decodeBytes(readlinkSync(bytes, { encoding: "buffer" })) };
  return { kind: st.isDirectory() ? "dir" : "file" };
};

export const ROOTFS_KINDS = ["dir", "missing", "file", "symlink:TARGET"] as const;

/** --rootfs-kind: what `rootfs` is; every other path on the walk (a symlink's target too) is a directory. */
export function rootfsKindLstat(rootfs: string, kind: string): Lstat {
  const st = parseRootfsKind(kind);
  return (p) => (p === rootfs ? st : { kind: "dir" });
}

function parseRootfsKind(kind: string): Stat {
  if (kind === "dir" || kind === "missing" || kind === "file") return { kind };
  if (kind.startsWith("symlink:") && kind.length > "symlink:".length && !kind.includes("\0")) return { kind: "symlink", target: kind.slice("symlink:".length) };
  throw new InvalidInputError(`--rootfs-kind "${kind}": expected one of dir, missing, file, symlink:TARGET (e.g. symlink:/srv/real-rootfs)`, [{ path: "rootfsKind", message: "unknown kind" }]);
}

/** The facts for `rootfs`: from --rootfs-kind when given, else from this machine's lstat. */
export function rootfsFacts(rootfs: string, kind?: string): PathFact[] {
  return walkPath(rootfs, kind === undefined ? realLstat : rootfsKindLstat(rootfs, kind));
}

/** This process's own mountinfo, under the names /proc gives it. */
export function isLiveMountinfo(path: string): boolean {
  return ["/proc/self/mountinfo", "/proc/thread-self/mountinfo", `/proc/${process.pid}/mountinfo`].includes(path);
}

/**
 * The facts plan and explore model: --rootfs-kind when given; with the live table
 * (--mountinfo /proc/self/mountinfo) what lstat says; otherwise undefined (a directory, as before).
 */
export function factsFor(rootfs: string, kind: string | undefined, mountinfoPath: string | undefined): PathFact[] | undefined {
  if (kind !== undefined) return rootfsFacts(rootfs, kind);
  if (mountinfoPath !== undefined && isLiveMountinfo(mountinfoPath)) return rootfsFacts(rootfs);
  return undefined;
}

/** The symlinks the walk went through ("/r -> /srv/real"), in order. */
const links = (facts: readonly PathFact[]) => facts.flatMap((f) => (f.kind === "symlink" ? [`${f.path} -> ${f.target}`] : []));

/**
 * What the profile's runtime does with the rootfs as it really is, before any syscall: the config
 * the machine is then started with, or an InvalidInputError when the runtime refuses it.
 * - runc and runc-1.1 validate the config (libcontainer/configs/validate, `rootfs`):
 *   filepath.EvalSymlinks of the path must be the path itself, so a symlink anywhere on it is
 *   refused (docs/sources.md#runc-main). The same check's os.Stat also refuses a missing rootfs;
 *   that is left to the kernel here (ENOENT at runc's first step naming it: the same "failed",
 *   another message; docs/profiles.md lists it).
 * - crun 1.8.1 calls realpath() on it and uses the result everywhere; when realpath fails it keeps
 *   the path as given, and the kernel answers (docs/sources.md#crun-1-8).
 * - youki canonicalizes it (std::fs::canonicalize, realpath(3)) when it loads the spec and uses the
 *   result everywhere; unlike crun it stops there when that fails, so a missing rootfs is refused
 *   before any call (container/init_builder.rs L171; docs/sources.md#youki).
 * - bwrap 0.8.0 does the same to every bind source before its first mount (resolve_symlinks_in_ops,
 *   realpath(3)): the resolved path is what it binds, and a missing one ends the run with "Can't find
 *   source path" (bubblewrap.c L1516-L1537; docs/sources.md#bwrap).
 * - hardened refuses a symlink anywhere on the path, as runc does: a path resolved once in user
 *   space and used later can be swapped between the two, and a name that is not the real path
 *   never matches the mount points mountinfo lists (docs/sources.md#hardened). A missing rootfs
 *   is left to the kernel (ENOENT at the first step that names it).
 * Without facts (a directory, as the built-in scenarios assume) the config is unchanged.
 */
export function rootfsRule(config: Config, facts: readonly PathFact[] | undefined): Config {
  if (!facts || facts.length === 0) return config;
  const via = links(facts);
  const real = realDir(facts);
  const rule = SYMLINKED_ROOTFS[config.profile];
  if (rule === "canonicalize" && facts.some((f) => f.kind === "missing")) {
    refuse(config.profile === "bwrap"
      ? `bwrap refuses the rootfs: "Can't find source path ${config.rootfs}: No such file or directory" (realpath of its bind source)`
      : `youki refuses the rootfs: canonicalizing ${config.rootfs} fails with ENOENT (No such file or directory)`, "create the rootfs first");
  }
  if (via.length === 0) return config;
  if (rule === "realpath" || rule === "canonicalize") return real === null ? config : { ...config, rootfs: real };
  return refuse(rule(via.join(", ")), real ? `pass the real path: --rootfs ${real}` : "pass the real path");
}

/**
 * Each runtime's answer to a rootfs reached through a symlink: "realpath" (use the resolved path),
 * "canonicalize" (the same, and a missing rootfs is refused), or the refusal it words. One entry per profile, so a new profile cannot inherit another's rule
 * unnoticed (the type requires its entry).
 */
const SYMLINKED_ROOTFS: Readonly<Record<Config["profile"], "realpath" | "canonicalize" | ((via: string) => string)>> = {
  hardened: (via) => `hardened refuses a rootfs reached through a symlink (${via}): resolving it once and using the path later can be raced, and mountinfo names only the real path`,
  runc: runcRefuses("runc"),
  "runc-1.1": runcRefuses("runc-1.1"),
  crun: "realpath",
  // crun main still realpath()s def->root->path (container.c L793, ba38286).
  "crun-1.29": "realpath",
  youki: "canonicalize",
  bwrap: "canonicalize",
  // LXC opens the rootfs with openat2(O_PATH|O_NOFOLLOW|O_DIRECTORY, resolve 0): a symlink on the
  // way is followed by the kernel, a final one fails with ENOTDIR; the model is not given that case.
  lxc: (via) => `lxc: a rootfs reached through a symlink (${via}) is not modelled: LXC opens the path as given with openat2, where the kernel follows a link on the way and refuses a final one (O_NOFOLLOW|O_DIRECTORY: ENOTDIR)`,
};

/**
 * Directories outside the rootfs that a profile's plan uses before its switch, which a model of a
 * host must know: bwrap mounts its staging tmpfs on /tmp (bubblewrap.c L2803, docs/sources.md#bwrap);
 * LXC binds the rootfs onto /usr/lib/x86_64-linux-gnu/lxc/rootfs (docs/sources.md#lxc).
 * `run` lstat()s them as it does the rootfs; a model built from a mount table alone assumes them,
 * as every Linux host has them (a wrong guess shows as a result the prediction did not make, and
 * run stops there). One entry per profile.
 */
export const HOST_DIRS: Readonly<Record<Config["profile"], readonly string[]>> = {
  hardened: [], runc: [], "runc-1.1": [], crun: [], "crun-1.29": [], youki: [], bwrap: ["/tmp"],
  // LXC binds the rootfs onto its LXCROOTFSMOUNT, which the lxc package ships (docs/sources.md#lxc).
  lxc: ["/usr/lib/x86_64-linux-gnu/lxc/rootfs"],
};

/** The rootfs's facts plus the facts of the profile's host directories as lstat() sees them now (what run models). */
export const withHostDirs = (profile: Config["profile"], rootfs: readonly PathFact[]): PathFact[] =>
  [...rootfs, ...HOST_DIRS[profile].flatMap((d) => walkPath(d, realLstat)).filter((f) => !rootfs.some((g) => g.path === f.path))];

/** The host directories of the profile that `facts` do not already describe (for a model to mkdir). */
export const assumedHostDirs = (profile: Config["profile"], facts: readonly PathFact[] = []): string[] =>
  HOST_DIRS[profile].filter((d) => !facts.some((f) => f.path === d || d.startsWith(f.path + "/") || f.path.startsWith(d + "/")));

/** runc's config validation, the same in main and 1.1.5. */
function runcRefuses(profile: string): (via: string) => string {
  return (via) => `${profile} refuses the rootfs: "invalid rootfs: not an absolute path, or a symlink" (its config validation; ${via})`;
}

/** A refusal is one line, as every runtime's is: a newline in a path or link target shows as \n. */
function refuse(why: string, todo: string): never {
  const line = (s: string) => s.replace(/\n/g, "\\n");
  throw new InvalidInputError(`${line(why)}; ${line(todo)}`, [{ path: "rootfs", message: line(why) }]);
}
