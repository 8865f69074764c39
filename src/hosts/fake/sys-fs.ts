// The fd and directory syscalls: openat, read, close, chdir, fchdir, chroot, getcwd, with the
// errnos their man pages list. The model's files are read-only: only mountinfo has content, and
// it reads as the kernel's seq_file does (whole records: seq-file.ts), live: a read that starts a
// record after the table changed renders the mounts after the last one shown (liveTail).
import {
  AT_FDCWD, EBADF, EINVAL, EISDIR, ELOOP, EMFILE, ENOTDIR, EPERM, ERANGE, EROFS, O_ACCMODE_MASK, O_CLOEXEC, O_CREAT, O_DIRECTORY,
  O_NOFOLLOW, O_PATH, O_RDONLY, O_TRUNC,
} from "./flags.js";
import type { Result } from "../../request.js";
import { type Fd, type Pos, type Proc, type State, isDirKind } from "./model.js";
import { renderMountinfoBytes } from "./mountinfo.js";
import { isDirAt, lookup, nodeAt, pathFrom } from "./resolve.js";
import { encodeString } from "../../utf8.js";
import { type SeqState, seqRead } from "./seq-file.js";

const FD_LIMIT = 1024;

/** The lowest free descriptor, as the kernel allocates (EMFILE past RLIMIT_NOFILE). */
function allocFd(p: Proc): number {
  let fd = 0;
  while (p.fds.has(fd)) fd++;
  return fd;
}

function openKind(s: State, p: Proc, pos: Pos, flags: number): Fd | { errno: number } {
  const n = nodeAt(s, pos);
  const cloexec = (flags & O_CLOEXEC) !== 0;
  // Each record written out: V8 11 (Node 20) adds a property after a spread on a slow path (~0.6 µs).
  const fd = (kind: Fd["kind"]): Fd => ({ mnt: pos.mnt, ino: pos.ino, cloexec, offset: 0, kind });
  if (flags & O_PATH) return fd("path");
  if (n.kind === "symlink") return { errno: ELOOP }; // O_NOFOLLOW on a symlink
  const writing = (flags & O_ACCMODE_MASK) !== O_RDONLY || (flags & O_TRUNC) !== 0;
  if (isDirKind(n.kind)) return writing ? { errno: EISDIR } : fd("dir");
  if (writing) return { errno: EROFS };
  if (n.kind === "mountinfo") {
    const seqs: number[] = [];
    const data = renderMountinfoBytes(s, p, 0, seqs); // encodeString(renderMountinfo(...)): names are surrogateescaped (utf8.ts)
    return { mnt: pos.mnt, ino: pos.ino, cloexec, offset: 0, kind: "mountinfo", data, seqs, sig: signature(s), seenFrom: { root: p.root, ns: p.ns } };
  }
  return fd("file");
}

export function sysOpenat(s: State, p: Proc, dirfd: number, pathname: string, flags: number, resolve = 0): Result {
  const r = lookup(s, p, dirfd, pathname, {
    follow: (flags & O_NOFOLLOW) === 0, directory: (flags & O_DIRECTORY) !== 0, opath: (flags & O_PATH) !== 0, resolve,
  });
  if ("errno" in r) return r;
  if (flags & O_CREAT && !(flags & O_PATH) && isDirAt(s, r.pos)) return { errno: EISDIR };
  const f = openKind(s, p, r.pos, flags);
  if ("errno" in f) return f;
  const fd = allocFd(p);
  if (fd >= FD_LIMIT) return { errno: EMFILE };
  p.fds.set(fd, f);
  return { ret: fd };
}

/**
 * What a change of the table shows: mounts added or removed (umount, bind, move of a new mount).
 * Propagation and flag changes keep it: a later record still shows the text it had at open. Linux
 * does not keep it (a record not yet read shows a remount or MS_SHARED made after the open: recorded
 * on Linux 6.18, docs/mutation.md, the sys-fs.ts triage); only an unmount or a new mount re-renders.
 */
const signature = (s: State): string => `${s.unmounts ?? 0}:${s.nextSeq}`;

/**
 * seq_file keeps no text between reads, only its position: since Linux 6.8 mountinfo's m_start
 * finds the first mount whose unique id is at least the next one after the last shown
 * (mnt_find_id_at), so a read after an umount skips what went and shows what came
 * (test/native-lxc-chroot.test.ts, Linux 6.18: lxc_chroot's second read no longer lists the
 * children detached with their parents). The bytes already read stay; the rest is rendered anew,
 * after what the kernel's buffer holds (seq-file.ts): the rest of a record read in part, or a
 * record held whole. seq_read_iter flushes that first, as it was, then starts after it
 * (test/mutation-kills-fake-fs.test.ts, Linux 6.18: read into m1's record or with it held, then an
 * umount and remounts: m1 keeps its old options, the records after it are new).
 */
function liveTail(s: State, p: Proc, f: Fd): void {
  const data = f.data!;
  if (!f.seqs || f.offset > data.length || f.sig === signature(s)) return;
  let keep = f.offset;
  if ((f as SeqState).held || (keep > 0 && data[keep - 1] !== 0x0a)) {
    const nl = data.indexOf(0x0a, keep);
    keep = nl < 0 ? data.length : nl + 1;
  }
  let shown = 0;
  for (let i = 0; i < keep; i++) if (data[i] === 0x0a) shown++;
  const seqs = f.seqs.slice(0, shown);
  // As the opener saw the table: a chroot, pivot_root or setns since changes nothing here (the
  // test "mountinfo read across a chroot" in test/mutation-kills-fake-fs.test.ts, Linux 6.18).
  const reader = f.seenFrom ? { ...p, root: f.seenFrom.root, ns: f.seenFrom.ns } : p;
  const tail = renderMountinfoBytes(s, reader, seqs[shown - 1] ?? 0, seqs);
  const next = new Uint8Array(keep + tail.length);
  next.set(data.subarray(0, keep));
  next.set(tail, keep);
  f.data = next;
  f.seqs = seqs;
  f.sig = signature(s);
}

export function sysRead(s: State, p: Proc, fd: number, count: number): Result {
  const f = p.fds.get(fd);
  if (!f || f.kind === "path") return { errno: EBADF };
  if (f.kind === "dir") return { errno: EISDIR };
  if (f.kind === "mntns") return { errno: EINVAL }; // nsfs has no read
  if (f.kind === "mountinfo") liveTail(s, p, f);
  const data = f.data ?? new Uint8Array(0);
  const at = f.offset;
  // The fd carries seq_file's state (offset, and a record held whole), cloned with it.
  const n = f.kind === "mountinfo" ? seqRead(data, f, count) : Math.min(Math.max(0, count), data.length - at);
  if (f.kind !== "mountinfo") f.offset += n;
  return { ret: n, data: data.subarray(at, at + n) };
}

export function sysClose(p: Proc, fd: number): Result {
  return p.fds.delete(fd) ? { ret: 0 } : { errno: EBADF };
}

export function sysChdir(s: State, p: Proc, path: string): Result {
  const r = lookup(s, p, AT_FDCWD, path, { follow: true, directory: true });
  if ("errno" in r) return r;
  p.cwd = r.pos;
  return { ret: 0 };
}

export function sysFchdir(s: State, p: Proc, fd: number): Result {
  const f = p.fds.get(fd);
  if (!f) return { errno: EBADF };
  const pos = { mnt: f.mnt, ino: f.ino };
  if (f.kind === "tty" || f.kind === "mntns" || !isDirAt(s, pos)) return { errno: ENOTDIR };
  p.cwd = pos;
  return { ret: 0 };
}

export function sysChroot(s: State, p: Proc, path: string): Result {
  const r = lookup(s, p, AT_FDCWD, path, { follow: true, directory: true });
  if ("errno" in r) return r;
  if (!p.cap) return { errno: EPERM };
  p.root = r.pos;
  return { ret: 0 };
}

/** The cwd as the kernel's getcwd(2) writes it (with "(unreachable)" when it is not under the root). */
export function cwdString(s: State, p: Proc): string {
  const at = pathFrom(s, p.cwd, p.root);
  return (at.unreachable ? "(unreachable)" : "") + at.path;
}

export function sysGetcwd(s: State, p: Proc, size: number): Result {
  const bytes = encodeString(cwdString(s, p) + "\0");
  if (size < bytes.length) return { errno: ERANGE };
  return { ret: bytes.length, data: bytes };
}
