// Fault injection as a host wrapper: OP=ERRNO fails the first such call, OP#N=ERRNO the Nth.
// Also the one table of which errnos each syscall's man page lists (used by the fault tables
// and by explore). Wraps any synchronous host; the wrapped host never sees a failed call, except
// close, which releases the fd even when it fails.
import type { Host } from "./host.js";
import type { OpName, Request, Result } from "../request.js";
import type { Fault } from "../schema.js";
import { errnoNumber } from "../names-ts.js";
import { FaultNotFiredError } from "../errors.js";
import { wraps } from "./trust.js";

/**
 * ERRORS sections of the man pages (man-pages 5.13: open.2, read.2, close.2, chdir.2, chroot.2, pivot_root.2, mount.2, umount.2,
 * getcwd.3, gethostname.2, mkdir.2; man-pages 6.9: openat2.2, open_tree.2, move_mount.2, setns.2, mount_setattr.2). openat2 adds ENOSYS: a kernel before
 * 5.6 has no such call, and LXC's open_at falls back to openat then.
 */
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
  sethostname: ["EFAULT", "EINVAL", "EPERM"],
  mkdir: ["EACCES", "EDQUOT", "EEXIST", "EFAULT", "EINVAL", "ELOOP", "EMLINK", "ENAMETOOLONG", "ENOENT", "ENOMEM",
    "ENOSPC", "ENOTDIR", "EPERM", "EROFS"],
  openat2: ["E2BIG", "EAGAIN", "EACCES", "EBADF", "EFAULT", "EINTR", "EINVAL", "ELOOP", "EMFILE", "ENAMETOOLONG", "ENFILE",
    "ENOENT", "ENOMEM", "ENOSYS", "ENOTDIR", "EPERM", "EXDEV"],
  open_tree: ["EACCES", "EBADF", "EFAULT", "EINVAL", "ELOOP", "EMFILE", "ENAMETOOLONG", "ENFILE", "ENOENT", "ENOMEM", "ENOTDIR", "EPERM"],
  move_mount: ["EACCES", "EBADF", "EBUSY", "EFAULT", "EINVAL", "ELOOP", "ENAMETOOLONG", "ENOENT", "ENOMEM", "ENOTDIR", "EPERM"],
  setns: ["EBADF", "EINVAL", "ENOMEM", "EPERM", "ESRCH"],
  mount_setattr: ["E2BIG", "EBADF", "EBUSY", "EINVAL", "ENOENT", "ENOMEM", "EOPNOTSUPP", "EPERM"],
};

/**
 * A fault spec as the API takes it: "pivot_root=EINVAL" fails the first pivot_root, "umount2#2=EBUSY"
 * the second umount2. The op is checked by the type; the errno name is checked by parseFaults.
 */
export type FaultSpec = `${OpName}=E${string}` | `${OpName}#${number}=E${string}`;

/** A fault at a request index (0-based) rather than by op count: what explore enumerates. */
export interface IndexFault { seq: number; errno: number }

export class FaultyHost implements Host {
  readonly kind;
  readonly #inner: Host;
  readonly #faults: readonly Fault[];
  readonly #byIndex: readonly IndexFault[];
  readonly #counts = new Map<string, number>();
  /** The seq of every call per op, so an unfired fault can say which calls did happen. */
  readonly #calls = new Map<string, number[]>();
  readonly #fired = new Set<Fault | IndexFault>();
  #seq = 0;

  constructor(inner: Host, faults: readonly Fault[] = [], byIndex: readonly IndexFault[] = []) {
    this.kind = inner.kind;
    this.#inner = inner;
    wraps(this, inner);  // trusted (results unchecked) only when `inner` is (hosts/trust.ts)
    this.#faults = faults;
    this.#byIndex = byIndex;
  }

  /** The op faults that matched no call, with the seqs of the calls of that op; index faults too. */
  unfiredFaults(): UnfiredFault[] {
    const out: UnfiredFault[] = [];
    for (const f of this.#faults) {
      if (this.#fired.has(f)) continue;
      const nth = f.nth === 1 ? "" : `#${f.nth}`;
      out.push({ spec: `${f.op}${nth}=${f.errno}`, op: f.op, nth: f.nth, calls: this.#calls.get(f.op) ?? [] });
    }
    for (const f of this.#byIndex) {
      if (!this.#fired.has(f)) out.push({ spec: `#${f.seq}=${f.errno}`, op: "", nth: 0, calls: [] });
    }
    return out;
  }

  exec(req: Request): Result {
    const seq = this.#seq++;
    const n = (this.#counts.get(req.op) ?? 0) + 1;
    this.#counts.set(req.op, n);
    if (this.#faults.length) this.#calls.set(req.op, [...(this.#calls.get(req.op) ?? []), req.seq]);
    const byOp = this.#faults.find((f) => f.op === req.op && f.nth === n);
    const byIdx = this.#byIndex.find((f) => f.seq === seq);
    const errno = byOp ? errnoNumber(byOp.errno)! : byIdx?.errno;
    if (errno === undefined) return this.#inner.exec(req);
    this.#fired.add((byOp ?? byIdx)!);
    // close(2) is the one call whose failure still has its effect: on Linux the fd is released
    // even when close returns an error (close(2) NOTES), so the host still sees the close.
    if (req.op === "close") this.#inner.exec(req);
    return { errno };
  }
}

/** A fault that matched no request: what was asked, and the calls of that op that did happen. */
export interface UnfiredFault { spec: string; op: string; nth: number; calls: readonly number[] }

/**
 * Throws FaultNotFiredError when a fault of `host` never answered a request: a fault-injection run
 * that printed the normal plan would pass for the wrong reason (plan and check call this).
 */
export function requireFired(host: FaultyHost): void {
  const missed = host.unfiredFaults();
  if (!missed.length) return;
  const say = (u: UnfiredFault) => {
    const made = u.calls.length === 0 ? `the run made no ${u.op} call`
      : `the run made ${u.calls.length} ${u.op} call${u.calls.length === 1 ? "" : "s"} (request${u.calls.length === 1 ? "" : "s"} ${u.calls.map((c) => `#${c}`).join(", ")})`;
    return `fault "${u.spec}" never fired: ${made}`;
  };
  throw new FaultNotFiredError(missed.map(say).join("; ") + "; pick a call that happens (see the plan without --fail)", missed);
}
