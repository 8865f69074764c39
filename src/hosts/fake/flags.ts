// The abi.ts numbers the fake kernel uses, re-exported in one place, plus the few masks the
// kernel derives from them (never a literal flag or errno: each mask is built from abi.ts names).
export {
  AT_FDCWD, EBADF, EBUSY, EINVAL, EISDIR, ELOOP, EMFILE, ENODEV, ENOENT, ENOTDIR, EPERM, ERANGE, EROFS, EAGAIN,
  MNT_DETACH, MNT_EXPIRE, MNT_FORCE, UMOUNT_NOFOLLOW, MS_BIND, MS_MOVE, MS_NOATIME, MS_NODEV, MS_NODIRATIME,
  MS_NOEXEC, MS_NOSUID, MS_NOSYMFOLLOW, MS_PRIVATE, MS_PROPAGATION, MS_RDONLY, MS_REC, MS_RELATIME, MS_REMOUNT,
  MS_SHARED, MS_SILENT, MS_SLAVE, MS_STRICTATIME, MS_UNBINDABLE, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_NOFOLLOW,
  O_PATH, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY,
} from "../../abi.js";
import * as abi from "../../abi.js";

/** O_ACCMODE: the access-mode bits. */
export const O_ACCMODE_MASK = abi.O_WRONLY | abi.O_RDWR;
/** MNT_ATIME_MASK, in MS_* terms. */
export const ATIME_MASK = abi.MS_NOATIME | abi.MS_NODIRATIME | abi.MS_RELATIME;
/** Per-mount flags (as opposed to superblock flags). */
export const PER_MOUNT = abi.MS_RDONLY | abi.MS_NOSUID | abi.MS_NODEV | abi.MS_NOEXEC | ATIME_MASK | abi.MS_NOSYMFOLLOW;
/** Flags that MNT_LOCK_* can freeze on a mount inherited into a user namespace. */
export const LOCKABLE = abi.MS_RDONLY | abi.MS_NOSUID | abi.MS_NODEV | abi.MS_NOEXEC;
/** umount2 accepts only these. */
export const UMOUNT_VALID = abi.MNT_FORCE | abi.MNT_DETACH | abi.MNT_EXPIRE | abi.UMOUNT_NOFOLLOW;
