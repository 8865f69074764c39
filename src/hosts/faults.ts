// Fault injection as a host wrapper: OP=ERRNO fails the first such call, OP#N=ERRNO the Nth.
// Also the one table of which errnos each syscall's man page lists (used by the fault tables
// and by explore). Wraps any synchronous host; the wrapped host never sees a failed call, except
// close, which releases the fd even when it fails.
import type { Host } from "./host.js";
import type { OpName, Request, Result } from "../request.js";
import type { Fault } from "../schema.js";
import { errnoNumber } from "../names-ts.js";
import { wraps } from "./trust.js";

/** ERRORS sections of the man pages (man-pages 5.13: open.2, read.2, close.2, chdir.2, chroot.2, pivot_root.2, mount.2, umount.2, getcwd.3). */
export const MAN_ERRNOS: Readonly<Record<OpName, readonly string[]>> = {
  openat: ["EACCES", "EBADF", "EBUSY", "EDQUOT", "EEXIST", "EFAULT", "EFBIG", "EINTR", "EINVAL", "EISDIR", "ELOOP", "EMFILE",
    "ENAMETOOLONG", "ENFILE", "ENODEV", "ENOENT", "ENOMEM", "ENOSPC", "ENOTDIR", "ENXIO", "EOPNOTSUPP", "EOVERFLOW", "EPERM",
    "EROFS", "ETXTBSY", "EAGAIN"],
  read: ["EAGAIN", "EBADF", "EFAULT", "EINTR", "EINVAL", "EIO", "EISDIR"],
  close: ["EBADF", "EINTR", "EIO", "ENOSPC", "EDQUOT"],
  fchdir: ["EACCES", "EBADF", "ENOTDIR"],
  chdir: ["EACCES", "EFAULT", "EIO", "ELOOP", "ENAMETOOLONG", "ENOENT", "ENOMEM", "ENOTDIR"],
  chroot: ["EACCES", "EFAULT", "EIO", "ELOOP", "ENAMETOOLONG", "ENOENT", "ENOMEM", "ENOTDIR", "EPERM"],
  pivot_root: ["EBUSY", "EINVAL", "ENOTDIR", "EPERM", "EACCES", "ELOOP", "ENAMETOOLONG", "ENOENT", "ENOMEM"],
  mount: ["EACCES", "EBUSY", "EFAULT", "EINVAL", "ELOOP", "EMFILE", "ENAMETOOLONG", "ENODEV", "ENOENT", "ENOMEM",
    "ENOTBLK", "ENOTDIR", "ENXIO", "EPERM", "EROFS"],
  umount2: ["EAGAIN", "EBUSY", "EFAULT", "EINVAL", "ENAMETOOLONG", "ENOENT", "ENOMEM", "EPERM"],
  getcwd: ["EACCES", "EFAULT", "EINVAL", "ENAMETOOLONG", "ENOENT", "ENOMEM", "ERANGE"],
};

/** A fault at a request index (0-based) rather than by op count: what explore enumerates. */
export interface IndexFault { seq: number; errno: number }

export class FaultyHost implements Host {
  readonly kind;
  readonly #inner: Host;
  readonly #faults: readonly Fault[];
  readonly #byIndex: readonly IndexFault[];
  readonly #counts = new Map<string, number>();
  #seq = 0;

  constructor(inner: Host, faults: readonly Fault[] = [], byIndex: readonly IndexFault[] = []) {
    this.kind = inner.kind;
    this.#inner = inner;
    wraps(this, inner);  // trusted (results unchecked) only when `inner` is (hosts/trust.ts)
    this.#faults = faults;
    this.#byIndex = byIndex;
  }

  exec(req: Request): Result {
    const seq = this.#seq++;
    const n = (this.#counts.get(req.op) ?? 0) + 1;
    this.#counts.set(req.op, n);
    const byOp = this.#faults.find((f) => f.op === req.op && f.nth === n);
    const byIdx = this.#byIndex.find((f) => f.seq === seq);
    const errno = byOp ? errnoNumber(byOp.errno)! : byIdx?.errno;
    if (errno === undefined) return this.#inner.exec(req);
    // close(2) is the one call whose failure still has its effect: on Linux the fd is released
    // even when close returns an error (close(2) NOTES), so the host still sees the close.
    if (req.op === "close") this.#inner.exec(req);
    return { errno };
  }
}
