// umount2(2) (can_umount + do_umount + umount_tree, lazy and not) and pivot_root(2), with the
// kernel's checks in the kernel's order (docs/sources.md#kernel-pivot-root, fs/namespace.c).
import type { Result } from "../../request.js";
import {
  AT_FDCWD, EAGAIN, EBUSY, EINVAL, ENOENT, EPERM, MNT_DETACH, MNT_EXPIRE, MNT_FORCE, UMOUNT_NOFOLLOW, UMOUNT_VALID,
} from "./flags.js";
import { type Mount, type Proc, type State, setSuperOpts } from "./model.js";
import { childAt, children, fsOf, isReachable, mnt, mountInUse, samePos, subtree, traverse } from "./mounts.js";
import { makePrivate, propagateMountUnlock, propagateUmount, receivers } from "./propagation.js";
import { lookup } from "./resolve.js";
import { allKidsOf, setParent } from "./links.js";

const ok: Result = { ret: 0 };
const err = (errno: number): Result => ({ errno });

export function sysUmount2(s: State, p: Proc, target: string, flags: number): Result {
  if (flags & ~UMOUNT_VALID) return err(EINVAL);
  const r = lookup(s, p, AT_FDCWD, target, { follow: (flags & UMOUNT_NOFOLLOW) === 0, mountpoint: true, linkItself: true });
  if ("errno" in r) return r;
  // can_umount
  if (!p.cap) return err(EPERM);
  const m = mnt(s, r.pos.mnt);
  if (r.pos.ino !== m.root || m.ns !== p.ns || m.locked) return err(EINVAL);
  // do_umount
  if (flags & MNT_EXPIRE) {
    if (m.id === p.root.mnt || flags & (MNT_FORCE | MNT_DETACH)) return err(EINVAL);
    // mnt_get_count != 2: a submount, an open fd or a cwd holds it.
    if (children(s, m.id).length > 0 || mountInUse(s, m.id)) return err(EBUSY);
    // The first marks it (xchg(&mnt_expiry_mark, 1)) and is EAGAIN; the next, the mark still set,
    // unmounts (recorded on Linux 6.18: test/kernel-oracle-regressions.test.ts).
    s.expiry ??= new Set();
    if (!s.expiry.has(m.id)) { s.expiry.add(m.id); return err(EAGAIN); }
    // The mark stays set (xchg): a copy found busy below leaves it, and the next call goes on
    // (seen on 6.18: test/native-umount-busy.test.ts, "expire"). Only a use clears it.
  }
  if (m.id === p.root.mnt && !(flags & MNT_DETACH)) {
    // "Unmounting" the root without MNT_DETACH remounts its superblock read-only (do_umount_root).
    if (s.nss.get(p.ns)?.userns && !fsOf(s, m).userns) return err(EPERM);
    setSuperOpts(s, fsOf(s, m), fsOf(s, m).superOpts.replace(/^rw/, "ro"));
    return ok;
  }
  if (!(flags & MNT_DETACH) && propagateMountBusy(s, m)) return err(EBUSY);
  s.expiry?.delete(m.id);
  umountTree(s, m);
  return ok;
}

/**
 * propagate_mount_busy (fs/pnode.c): `m` has a submount or is in use (an fd, a cwd, a root), or a
 * copy the unmount would take with it is: the mount at m's mount point in each receiver of its
 * parent, unless it has a submount other than one that covers it whole (then the unmount leaves
 * it, and it blocks nothing; its overmount's hold on it does not count). Seen on 6.18: an open fd
 * on a peer's copy makes the unmount EBUSY (test/native-umount-busy.test.ts). The model had looked
 * at `m` alone, and took the copy from under the fd.
 */
export function propagateMountBusy(s: State, m: Mount): boolean {
  if (children(s, m.id).length > 0 || mountInUse(s, m.id)) return true;
  if (m.parent === 0) return false;
  for (const r of receivers(s, mnt(s, m.parent))) {
    const c = childAt(s, r.m.id, m.mp);
    if (!c || c === m) continue;
    const kids = allKidsOf(s, c.id);
    if (kids.length > 1 || (kids.length === 1 && kids[0]!.mp !== c.root)) continue;
    if (mountInUse(s, c.id)) return true;
  }
  return false;
}

/**
 * umount_tree(UMOUNT_PROPAGATE): the mount, everything under it, and what the unmount reaches
 * through shared parents, leave their namespace and become private. In a lazy unmount a locked
 * child stays connected to its (also unmounted) parent; everything else is disconnected.
 */
export function umountTree(s: State, top: Mount): void {
  propagateMountUnlock(s, top);
  const gone = subtree(s, top);
  const set = new Set<number>();
  for (const m of gone) set.add(m.id);
  propagateUmount(s, set, gone);
  // What propagateUmount added comes after the subtree in the set's order: only those are looked up.
  let i = 0;
  const n = gone.length;
  set.forEach((id) => { if (i++ >= n) gone.push(mnt(s, id)); }); // forEach: for-of made an iterator result per id
  unmountAll(s, gone, set);
}

/**
 * The end of umount_tree, for the mounts `gone` (in next_mnt's order; `set`: their ids): each is
 * cut off its parent (disconnect_mount), but a locked one whose parent goes too stays on it (what
 * it covers stays covered); all leave their namespace; then bulk_make_private (6.17): each one's
 * slaves go to the first mount not going. An unmount and a namespace's death (sys-ns.ts
 * dropIfDead) both end here.
 */
export function unmountAll(s: State, gone: readonly Mount[], set: ReadonlySet<number>): void {
  for (const m of gone) {
    if (!(m.locked && set.has(m.parent))) setParent(s, m, 0, m.mp);
  }
  for (const m of gone) m.ns = 0;
  s.unmounts = (s.unmounts ?? 0) + 1; // a mountinfo read resuming after this renders anew (sys-fs.ts liveTail)
  for (const m of gone) makePrivate(s, m, set);
}

export function sysPivotRoot(s: State, p: Proc, newRoot: string, putOld: string): Result {
  if (!p.cap) return err(EPERM);
  const n = lookup(s, p, AT_FDCWD, newRoot, { follow: true, directory: true });
  if ("errno" in n) return n;
  const o = lookup(s, p, AT_FDCWD, putOld, { follow: true, directory: true });
  if ("errno" in o) return o;
  const root = p.root;
  const old = traverse(s, o.pos); // lock_mount(&old): ENOENT once put_old's mount is detached
  if (mnt(s, old.mnt).ns === 0) return err(ENOENT);
  const newM = mnt(s, n.pos.mnt);
  const rootM = mnt(s, root.mnt);
  const oldM = mnt(s, old.mnt);
  const parentOf = (m: Mount) => (m.parent === 0 ? m : mnt(s, m.parent)); // a root is its own mnt_parent
  if (oldM.peer || parentOf(newM).peer || parentOf(rootM).peer) return err(EINVAL);
  if (rootM.ns !== p.ns || newM.ns !== p.ns || newM.locked) return err(EINVAL);
  if (newM === rootM || oldM === rootM) return err(EBUSY);
  if (root.ino !== rootM.root || rootM.parent === 0) return err(EINVAL); // not a mount root / initramfs
  if (n.pos.ino !== newM.root || newM.parent === 0) return err(EINVAL);
  if (!isReachable(s, old, n.pos) || !isReachable(s, n.pos, root)) return err(EINVAL);
  const [rootParent, rootMp] = [rootM.parent, rootM.mp];
  setParent(s, newM, 0, newM.mp);
  if (rootM.locked) {
    newM.locked = true; // the lock moves with the root (pivot_root, MNT_LOCKED)
    rootM.locked = false;
  }
  setParent(s, rootM, oldM.id, old.ino); // the old root goes on put_old...
  setParent(s, newM, rootParent, rootMp); // ...and new_root where the old root was
  // chroot_fs_refs: whoever had the old root as root or cwd now has new_root.
  for (const q of s.procs.values()) {
    if (samePos(q.root, root)) q.root = { ...n.pos };
    if (samePos(q.cwd, root)) q.cwd = { ...n.pos };
  }
  return ok;
}
