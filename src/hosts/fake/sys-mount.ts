// mount(2), dispatched as path_mount does: bind-remount, remount, bind/rbind, propagation change,
// MS_MOVE, new superblock; each with its errnos in the kernel's order (fs/namespace.c).
// fstype and data are ignored wherever the kernel ignores them.
import type { Request, Result } from "../../request.js";
import {
  AT_FDCWD, ATIME_MASK, EINVAL, ENODEV, ENOENT, ENOTDIR, EPERM, LOCKABLE, MS_BIND, MS_MOVE, MS_NOATIME,
  MS_NODEV, MS_NODIRATIME, MS_NOEXEC, MS_NOSUID, MS_NOSYMFOLLOW, MS_PRIVATE, MS_PROPAGATION, MS_RDONLY, MS_REC,
  MS_RELATIME, MS_REMOUNT, MS_SHARED, MS_SILENT, MS_SLAVE, MS_STRICTATIME, MS_UNBINDABLE,
} from "./flags.js";
import { type Mount, type Pos, type Proc, type State, ROOT_INO, setSuperOpts } from "./model.js";
import { children, cloneMount, copyTree, fsOf, hasLockedChildren, mnt, skipsLocked, subtree, subtreeDetached, traverse, addMount } from "./mounts.js";
import { changeType, graft } from "./propagation.js";
import { cloneLike } from "./pnode.js";
import { isDirAt, lookup } from "./resolve.js";
import { mayCopyTree, moveOnto } from "./sys-open-tree.js";
import { inAnonNs } from "./anon.js";
import { newFs } from "./build.js";

type MountReq = Extract<Request, { op: "mount" }>;
const ok: Result = { ret: 0 };
const err = (errno: number): Result => ({ errno });

export function sysMount(s: State, p: Proc, req: MountReq): Result {
  const t = lookup(s, p, AT_FDCWD, req.target, { follow: true });
  if ("errno" in t) return t;
  if (!p.cap) return err(EPERM); // may_mount()
  const f = req.mountflags;
  if ((f & (MS_REMOUNT | MS_BIND)) === (MS_REMOUNT | MS_BIND)) return reconfigure(s, p, t.pos, f, false);
  if (f & MS_REMOUNT) return reconfigure(s, p, t.pos, f, true);
  if (f & MS_BIND) return bind(s, p, req.source, t.pos, (f & MS_REC) !== 0);
  if (f & MS_PROPAGATION) return propagationChange(s, p, t.pos, f);
  if (f & MS_MOVE) return move(s, p, req.source, t.pos);
  return newMount(s, p, req, t.pos);
}

/** The per-mount flags a mount(2) call asks for (path_mount's mnt_flags). */
export function mountFlags(f: number, remountOf?: Mount): number {
  let m = f & MS_NOATIME ? 0 : MS_RELATIME;
  m |= f & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RDONLY | MS_NOSYMFOLLOW);
  if (f & MS_STRICTATIME) m &= ~(MS_RELATIME | MS_NOATIME);
  if (remountOf && (f & (MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME)) === 0) {
    m = (m & ~ATIME_MASK) | (remountOf.flags & ATIME_MASK); // remount keeps the atime flags
  }
  return m;
}

/** can_change_locked_flags: a locked ro/nosuid/nodev/noexec stays set; locked atime flags stay as they are. */
export function canChangeLockedFlags(m: Mount, flags: number): boolean {
  if ((m.lockedFlags & LOCKABLE & ~flags) !== 0) return false;
  return !m.lockAtime || (m.flags & ATIME_MASK) === (flags & ATIME_MASK);
}

/** do_reconfigure_mnt (MS_REMOUNT|MS_BIND) and do_remount (MS_REMOUNT: the superblock too). */
function reconfigure(s: State, p: Proc, pos: Pos, f: number, superblock: boolean): Result {
  const m = mnt(s, pos.mnt);
  if (m.ns !== p.ns || pos.ino !== m.root) return err(EINVAL);
  const flags = mountFlags(f, m);
  if (!canChangeLockedFlags(m, flags)) return err(EPERM);
  if (superblock) {
    const fs = fsOf(s, m);
    if (s.nss.get(p.ns)?.userns && !fs.userns) return err(EPERM); // ns_capable(sb->s_user_ns)
    setSuperOpts(s, fs, fs.superOpts.replace(/^r[ow]/, f & MS_RDONLY ? "ro" : "rw"));
  }
  m.flags = flags;
  return ok;
}

/**
 * lock_mount (do_lock_mount): the top of the stack of mounts on `target`, or ENOENT when that
 * mount is no longer attached (a lazily unmounted tree cannot be mounted on). fs/namespace.c:
 * "if (unlikely(cant_mount(dentry) || !is_mounted(mnt))) break; // not to be mounted on", err = -ENOENT.
 */
export function lockMount(s: State, target: Pos): Pos | { errno: number } {
  const dest = traverse(s, target);
  const m = mnt(s, dest.mnt);
  // is_mounted: a mount in an anonymous namespace (a held detached tree) is, so a new mount or a
  // bind gets past this and is EINVAL later (check_mnt), and move_mount may go there. A dead
  // namespace's mounts were unmounted with it (sys-ns.ts dropIfDead): in none, ENOENT as well.
  const mounted = m.ns !== 0 || inAnonNs(s, m);
  return mounted ? dest : { errno: ENOENT };
}



/** do_loopback: MS_BIND, recursive with MS_REC (unbindable submounts are skipped). */
function bind(s: State, p: Proc, source: string | null, target: Pos, rec: boolean): Result {
  if (!source) return err(EINVAL);
  const o = lookup(s, p, AT_FDCWD, source, { follow: true });
  if ("errno" in o) return o;
  const dest = lockMount(s, target); // on top of whatever is mounted there
  if ("errno" in dest) return dest;
  const parent = mnt(s, dest.mnt);
  if (parent.ns !== p.ns) return err(EINVAL);
  const old = mnt(s, o.pos.mnt);
  if (old.unbindable || !mayCopyTree(s, p, old)) return err(EINVAL);
  if (!rec && hasLockedChildren(s, old, o.pos.ino)) return err(EINVAL); // would reveal what they hide
  if (rec && skipsLocked(s, old, o.pos.ino)) return err(EPERM);
  if (isDirAt(s, dest) !== isDirAt(s, o.pos)) return err(ENOTDIR);
  const pairs = rec ? copyTree(s, old, o.pos.ino, true) : [[old, cloneMount(s, old, o.pos.ino)] as [Mount, Mount]];
  for (const [orig, copy] of pairs) {
    cloneLike(s, copy, orig); // clone_mnt: a peer of a shared original, a slave of a slave's master
  }
  graft(s, pairs[0]![1], parent, dest.ino);
  return ok;
}

const TYPES: readonly [number, "shared" | "slave" | "private" | "unbindable"][] = [
  [MS_SHARED, "shared"], [MS_SLAVE, "slave"], [MS_PRIVATE, "private"], [MS_UNBINDABLE, "unbindable"],
];

/** do_change_type: exactly one propagation type, plus only MS_REC / MS_SILENT. */
export function propagationChange(s: State, p: Proc, pos: Pos, f: number): Result {
  const m = mnt(s, pos.mnt);
  if (pos.ino !== m.root) return err(EINVAL);
  const rest = f & ~(MS_REC | MS_SILENT);
  const type = TYPES.find(([bit]) => bit === rest);
  if (!type) return err(EINVAL);
  // may_change_propagation: the mount must be in a namespace. A mount of another live namespace
  // (reached through an fd opened there) changes type (recorded on Linux 6.18:
  // test/mutation-kills-fake-sys-mount.test.ts), and so does one in a detached tree that an
  // open_tree fd holds (its anonymous namespace; test/native-detached-move.test.ts). Only a
  // lazily unmounted or dissolved mount, in none, is refused, and so is a dead namespace's (6.18).
  if (m.ns === 0 && !inAnonNs(s, m)) return err(EINVAL);
  const targets = !(f & MS_REC) ? [m] : m.ns === 0 ? subtreeDetached(s, m) : subtree(s, m);
  for (const t of targets) changeType(s, t, type[1]);
  return ok;
}

/** do_move_mount_old (MS_MOVE). */
function move(s: State, p: Proc, source: string | null, target: Pos): Result {
  if (!source) return err(EINVAL);
  const o = lookup(s, p, AT_FDCWD, source, { follow: true });
  if ("errno" in o) return o;
  const old = mnt(s, o.pos.mnt);
  // Since 6.17 the source must be a mount root, and of the target's kind, before lock_mount
  // (ENOENT on a detached target): fs/namespace.c do_move_mount, docs/sources.md#kernel-umount-mount.
  if (o.pos.ino !== old.root) return err(EINVAL);
  if (isDirAt(s, traverse(s, target)) !== isDirAt(s, o.pos)) return err(EINVAL);
  // The rest is do_move_mount's, as for move_mount(2): a detached tree's top named by
  // /proc/self/fd/N moves too, into a held detached tree as well (recorded on 6.18:
  // test/native-detached-move.test.ts).
  return moveOnto(s, p, old, traverse(s, target));
}

/** Filesystem types the model can create; the value says whether a user namespace may (FS_USERNS_MOUNT). */
const FS_TYPES = new Map<string, boolean>([
  ["tmpfs", true], ["ramfs", true], ["proc", true], ["sysfs", true], ["devpts", true], ["mqueue", true],
  ["cgroup2", true], ["overlay", true], ["devtmpfs", false],
]);

/**
 * proc and sysfs belong to the mounting task's PID and network namespaces, and in a user namespace
 * they may be mounted only by a task whose PID (proc) or network (sysfs) namespace that user
 * namespace owns (proc_init_fs_context, sysfs_init_fs_context: fc->user_ns is that namespace's
 * owner), and then only where a full one is already visible (mnt_already_visible). pivotshim's
 * executor never leaves the host's PID and network namespaces (unshare(CLONE_NEWPID) moves only
 * later children), so a hook of its gets EPERM (test/native-hooks.test.ts, against the kernel).
 */
const OWNED_BY_TASK_NS = new Set(["proc", "sysfs"]);

/** mnt_already_visible: a user namespace may mount proc/sysfs only where a full one is already visible. */
function alreadyVisible(s: State, p: Proc, fstype: string): boolean {
  for (const m of s.mounts.values()) {
    if (m.ns !== p.ns || m.root !== ROOT_INO || fsOf(s, m).fstype !== fstype) continue;
    if (!children(s, m.id).some((c) => c.mp === ROOT_INO)) return true;
  }
  return false;
}

/**
 * overlayfs's layer rule: a lowerdir is required, and without an upperdir (a read-only overlay)
 * at least two lower layers ("overlayfs: at least 2 lowerdir are needed while upperdir nonexistent",
 * EINVAL on Linux 6.18, test/mutation-kills-fake-sys-mount.test.ts). Layers are split on ":" not
 * escaped with "\". Nothing else of the data is checked (the layers' paths are not looked up).
 */
function overlayLayersOk(data: string): boolean {
  const opts = data.split(",");
  const lower = opts.find((o) => o.startsWith("lowerdir="));
  if (lower === undefined) return false;
  if (opts.some((o) => o.startsWith("upperdir="))) return true;
  return lower.slice("lowerdir=".length).split(/(?<!\\):/).filter((l) => l !== "").length >= 2;
}

/** do_new_mount: a new superblock of `filesystemtype` (its data is not parsed, but for overlayfs's layer rule). */
function newMount(s: State, p: Proc, req: MountReq, target: Pos): Result {
  const fstype = req.filesystemtype;
  if (fstype === null) return err(EINVAL);
  const userOk = FS_TYPES.get(fstype);
  if (userOk === undefined) return err(ENODEV);
  const userns = s.nss.get(p.ns)?.userns ?? false;
  if (userns && !userOk) return err(EPERM);
  if (fstype === "overlay" && !overlayLayersOk(req.data ?? "")) return err(EINVAL);
  if (userns && OWNED_BY_TASK_NS.has(fstype) && !(p.ownsPidNet && alreadyVisible(s, p, fstype))) return err(EPERM);
  const dest = lockMount(s, target);
  if ("errno" in dest) return dest;
  const parent = mnt(s, dest.mnt);
  if (parent.ns !== p.ns) return err(EINVAL);
  // graft_tree: a new filesystem's root is a directory, so it goes only on a directory (a tmpfs on
  // a regular file is ENOTDIR; seen on 6.18: test/fake-openat2-walk.test.ts).
  if (!isDirAt(s, dest)) return err(ENOTDIR);
  const f = req.mountflags;
  const opts = (f & MS_RDONLY ? "ro" : "rw") + (req.data ? "," + req.data : "");
  const fs = newFs(s, fstype, `0:${s.nextAnonDev++}`, opts, userns);
  const m = addMount(s, {
    parent: 0, mp: ROOT_INO, fs: fs.id, root: ROOT_INO, flags: mountFlags(f), extraOpts: "", lockedFlags: 0,
    lockAtime: false, locked: false, ns: 0, peer: 0, master: 0, propFrom: 0, unbindable: false, source: req.source,
  });
  graft(s, m, parent, dest.ino);
  return ok;
}
