// openat2(2) on the model (ABI 5; LXC's handles): struct open_how's checks, then the RESOLVE_*
// restrictions of the walk, then openat's own rules (sys-fs.ts). Reads the model through
// resolve.ts's lookup, one prefix of the path at a time; changes nothing but the fd table.
import * as abi from "../../abi.js";
import { EINVAL, ELOOP, O_CREAT, O_DIRECTORY, O_NOFOLLOW } from "./flags.js";
import type { Result } from "../../request.js";
import { type Pos, type Proc, type State, ROOT_INO } from "./model.js";
import { fsOf, mnt } from "./mounts.js";
import { lookup, nodeAt } from "./resolve.js";
import { sysOpenat } from "./sys-fs.js";

const RESOLVE_ALL = abi.RESOLVE_NO_XDEV | abi.RESOLVE_NO_MAGICLINKS | abi.RESOLVE_NO_SYMLINKS | abi.RESOLVE_BENEATH |
  abi.RESOLVE_IN_ROOT | abi.RESOLVE_CACHED;
/** The open flags build_open_flags accepts (VALID_OPEN_FLAGS, plus O_LARGEFILE which openat2 sets itself). */
const VALID_OPEN = abi.O_WRONLY | abi.O_RDWR | abi.O_CREAT | abi.O_EXCL | abi.O_NOCTTY | abi.O_TRUNC | abi.O_APPEND |
  abi.O_NONBLOCK | abi.O_DSYNC | abi.O_DIRECT | abi.O_LARGEFILE | abi.O_DIRECTORY | abi.O_NOFOLLOW | abi.O_NOATIME |
  abi.O_CLOEXEC | abi.O_PATH | 0o20000000 /* __O_TMPFILE */ | 0o4010000 /* __O_SYNC */ | 0o20000 /* FASYNC */;
/** The flags O_PATH may come with (O_PATH_FLAGS, fs/open.c). */
const O_PATH_FLAGS = abi.O_DIRECTORY | abi.O_NOFOLLOW | abi.O_PATH | abi.O_CLOEXEC;

/**
 * openat2(dirfd, pathname, {flags, mode, resolve}). build_open_flags first (fs/open.c): an unknown
 * flag or resolve bit, a mode without O_CREAT/O_TMPFILE, RESOLVE_BENEATH with RESOLVE_IN_ROOT,
 * O_DIRECTORY with O_CREAT, or O_PATH with a flag outside O_PATH_FLAGS is EINVAL. Then the walk:
 * RESOLVE_BENEATH refuses an absolute path and ".." above the start (EXDEV), RESOLVE_NO_XDEV any
 * mount crossing, the start's mount included (EXDEV), RESOLVE_NO_SYMLINKS any symlink it would
 * follow (ELOOP; a trailing "/" follows the last one even with O_NOFOLLOW), RESOLVE_NO_MAGICLINKS
 * (implied by NO_SYMLINKS) a /proc/self/fd/N link (ELOOP), RESOLVE_IN_ROOT a walk with dirfd as its
 * root. RESOLVE_CACHED is accepted and not modelled (the machine never asks for it), and so are
 * the ".." components of a symlink's target under RESOLVE_BENEATH and a magic link's jump under
 * RESOLVE_IN_ROOT (EXDEV in Linux).
 */
export function sysOpenat2(s: State, p: Proc, dirfd: number, pathname: string, flags: number, mode: number, resolve: number): Result {
  if ((flags & ~VALID_OPEN) !== 0 || (resolve & ~RESOLVE_ALL) !== 0) return { errno: EINVAL };
  if (mode !== 0 && (flags & (O_CREAT | 0o20000000)) === 0) return { errno: EINVAL };
  if ((resolve & abi.RESOLVE_BENEATH) && (resolve & abi.RESOLVE_IN_ROOT)) return { errno: EINVAL };
  // Since Linux 6.4 O_DIRECTORY|O_CREAT is EINVAL; O_PATH takes only O_PATH_FLAGS (openat2 sets no
  // O_LARGEFILE with O_PATH), where openat(2) drops the others (build_open_how). Recorded on 6.18.
  if ((flags & (O_DIRECTORY | O_CREAT)) === (O_DIRECTORY | O_CREAT)) return { errno: EINVAL };
  if ((flags & abi.O_PATH) !== 0 && (flags & ~O_PATH_FLAGS) !== 0) return { errno: EINVAL };
  // RESOLVE_IN_ROOT: the walk is scoped to dirfd as if it were the root: "/" and an absolute
  // symlink start there, ".." stops there (nd->root = dirfd's path, LOOKUP_IN_ROOT). The same
  // process with that root does the walk; its fd table is the process's own.
  let q = p;
  if (resolve & abi.RESOLVE_IN_ROOT) {
    const at = lookup(s, p, dirfd, ".", { follow: true });
    if ("errno" in at) return at;
    q = { ...p, root: at.pos };
  }
  const refused = walkRefused(s, q, dirfd, pathname, flags, resolve);
  if (refused !== 0) return { errno: refused };
  return sysOpenat(s, q, dirfd, pathname, flags);
}

/** The errno a RESOLVE_* restriction gives this walk, or 0 (errors of the walk itself are left to openat). */
function walkRefused(s: State, p: Proc, dirfd: number, pathname: string, flags: number, resolve: number): number {
  const xdev = (resolve & abi.RESOLVE_NO_XDEV) !== 0;
  const noSymlinks = (resolve & abi.RESOLVE_NO_SYMLINKS) !== 0;
  const noMagic = noSymlinks || (resolve & abi.RESOLVE_NO_MAGICLINKS) !== 0;
  const beneath = (resolve & abi.RESOLVE_BENEATH) !== 0;
  if (!xdev && !noMagic && !beneath) return 0;
  const absolute = pathname.startsWith("/");
  if (beneath && absolute) return abi.EXDEV;
  const parts = pathname.split("/").filter((c) => c !== "" && c !== ".");
  // The last component is followed unless O_NOFOLLOW, and always with a trailing "/" (lookup_last).
  const followLast = (flags & O_NOFOLLOW) === 0 || pathname.endsWith("/");
  const start = lookup(s, p, dirfd, absolute ? "/" : ".", { follow: true });
  if ("errno" in start) return 0;
  let depth = 0;
  let prev: Pos = start.pos;
  for (let k = 0; k < parts.length; k++) {
    const c = parts[k]!;
    if (c === "..") {
      if (beneath && depth === 0) return abi.EXDEV;
      depth = Math.max(0, depth - 1);
    } else depth++;
    const last = k === parts.length - 1;
    // A last /proc/self/fd/N not followed (O_NOFOLLOW, no trailing "/") is no jump, so
    // NO_MAGICLINKS lets it be (the open then says what it says of the link: resolve.ts's opath);
    // NO_SYMLINKS still refuses it, as any symlink. Seen on 6.18 (mutation-kills-fake-openat2).
    if (noMagic && nodeAt(s, prev).kind === "fddir" && c !== ".." && (noSymlinks || !last || followLast)) return ELOOP;
    // /proc/self and /proc/thread-self are symlinks in Linux (to "<pid>", "<pid>/task/<tid>"), plain
    // ones, not magic links; the model keeps them as directories (model.ts procTree), so
    // RESOLVE_NO_SYMLINKS refuses them here (recorded on 6.18: mutation-kills-fake-openat2).
    if (noSymlinks && (c === "self" || c === "thread-self") && prev.ino === ROOT_INO && fsOf(s, mnt(s, prev.mnt)).fstype === "proc" &&
      (!last || followLast)) return ELOOP;
    const prefix = (absolute ? "/" : "") + parts.slice(0, k + 1).join("/");
    const at = lookup(s, p, dirfd, prefix, { follow: false });
    if ("errno" in at) return 0; // ENOENT and the like: openat reports them
    if (nodeAt(s, at.pos).kind === "symlink" && (!last || followLast)) {
      if (noSymlinks) return ELOOP;
      if (beneath && (nodeAt(s, at.pos).target ?? "").startsWith("/")) return abi.EXDEV;
      const followed = lookup(s, p, dirfd, prefix, { follow: true });
      if ("errno" in followed) return 0;
      if (xdev && followed.pos.mnt !== start.pos.mnt) return abi.EXDEV;
      prev = followed.pos;
      continue;
    }
    if (xdev && at.pos.mnt !== start.pos.mnt) return abi.EXDEV;
    prev = at.pos;
  }
  return 0;
}
