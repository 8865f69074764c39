// The fd and directory syscalls: openat, read, close, chdir, fchdir, chroot, getcwd, with the
// errnos their man pages list. The model's files are read-only: only mountinfo has content, and
// it reads as the kernel's seq_file does (whole records: seq-file.ts).
import {
  AT_FDCWD, EBADF, EISDIR, ELOOP, EMFILE, ENOTDIR, EPERM, ERANGE, EROFS, O_ACCMODE_MASK, O_CLOEXEC, O_CREAT, O_DIRECTORY,
  O_NOFOLLOW, O_PATH, O_RDONLY, O_TRUNC,
} from "./flags.js";
import type { Result } from "../../request.js";
import { type Fd, type Pos, type Proc, type State, isDirKind } from "./model.js";
import { renderMountinfoBytes } from "./mountinfo.js";
import { isDirAt, lookup, nodeAt, pathFrom } from "./resolve.js";
import { encodeString } from "../../utf8.js";
import { seqRead } from "./seq-file.js";

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
    const data = renderMountinfoBytes(s, p); // encodeString(renderMountinfo(s, p)): names are surrogateescaped (utf8.ts)
    return { mnt: pos.mnt, ino: pos.ino, cloexec, offset: 0, kind: "mountinfo", data };
  }
  return fd("file");
}

export function sysOpenat(s: State, p: Proc, dirfd: number, pathname: string, flags: number): Result {
  const r = lookup(s, p, dirfd, pathname, {
    follow: (flags & O_NOFOLLOW) === 0, directory: (flags & O_DIRECTORY) !== 0,
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

export function sysRead(p: Proc, fd: number, count: number): Result {
  const f = p.fds.get(fd);
  if (!f || f.kind === "path") return { errno: EBADF };
  if (f.kind === "dir") return { errno: EISDIR };
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
  if (f.kind === "tty" || !isDirAt(s, pos)) return { errno: ENOTDIR };
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
