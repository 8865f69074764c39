// openat2(2) on the model (ABI 5; LXC's handles): struct open_how's checks, then the RESOLVE_*
// restrictions of the walk, then openat's own rules (sys-fs.ts). Reads the model through
// resolve.ts's lookup, one prefix of the path at a time; changes nothing but the fd table.
import * as abi from "../../abi.js";
import { EINVAL, O_CREAT, O_DIRECTORY } from "./flags.js";
import type { Result } from "../../request.js";
import type { Proc, State } from "./model.js";
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
 * root; a magic link's jump in a scoped walk (BENEATH, IN_ROOT) is EXDEV. All are checked inside
 * the walk (resolve.ts lookup), where Linux checks them: a ".." of a symlink's target, a link that
 * lands where a name count would not say, a crossing inside a link's target. Found by a review
 * against 6.18 (test/fake-openat2-walk.test.ts); the model had counted names beside the walk.
 * RESOLVE_CACHED is accepted and not modelled (the machine never asks for it).
 */
export function sysOpenat2(s: State, p: Proc, dirfd: number, pathname: string, flags: number, mode: number, resolve: number): Result {
  if ((flags & ~VALID_OPEN) !== 0 || (resolve & ~RESOLVE_ALL) !== 0) return { errno: EINVAL };
  if (mode !== 0 && (flags & (O_CREAT | 0o20000000)) === 0) return { errno: EINVAL };
  if ((resolve & abi.RESOLVE_BENEATH) && (resolve & abi.RESOLVE_IN_ROOT)) return { errno: EINVAL };
  // Since Linux 6.4 O_DIRECTORY|O_CREAT is EINVAL; O_PATH takes only O_PATH_FLAGS (openat2 sets no
  // O_LARGEFILE with O_PATH), where openat(2) drops the others (build_open_how). Recorded on 6.18.
  if ((flags & (O_DIRECTORY | O_CREAT)) === (O_DIRECTORY | O_CREAT)) return { errno: EINVAL };
  if ((flags & abi.O_PATH) !== 0 && (flags & ~O_PATH_FLAGS) !== 0) return { errno: EINVAL };
  // The RESOLVE_* restrictions are the walk's own: resolve.ts's lookup checks each where Linux
  // does, as it goes (IN_ROOT's root, BENEATH's scope, NO_XDEV's crossings, the links).
  return sysOpenat(s, p, dirfd, pathname, flags, resolve);
}

