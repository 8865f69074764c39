// Names for the numbers in abi.ts: errno names and texts, mount flag names, step names.
// Shared by the machine (scripts/gen-text.mjs packs them as UTF-8 into assembly/generated/text.ts,
// which renders messages with them) and the shell (src/ formats traces); written in the subset both
// asc and tsc compile: plain array literals, no imports.

/** errno names, indexed by errno (Linux asm-generic numbers 0-40 are dense). */
export const ERRNO_NAME = [
  "", "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG", "ENOEXEC", "EBADF", "ECHILD",
  "EAGAIN", "ENOMEM", "EACCES", "EFAULT", "ENOTBLK", "EBUSY", "EEXIST", "EXDEV", "ENODEV", "ENOTDIR",
  "EISDIR", "EINVAL", "ENFILE", "EMFILE", "ENOTTY", "ETXTBSY", "EFBIG", "ENOSPC", "ESPIPE", "EROFS",
  "EMLINK", "EPIPE", "EDOM", "ERANGE", "EDEADLK", "ENAMETOOLONG", "ENOLCK", "ENOSYS", "ENOTEMPTY", "ELOOP",
];

/** strerror(3) texts (glibc), indexed like ERRNO_NAME. Go's syscall.Errno text is the same with a lower-case first letter. */
export const ERRNO_TEXT = [
  "Success", "Operation not permitted", "No such file or directory", "No such process",
  "Interrupted system call", "Input/output error", "No such device or address", "Argument list too long",
  "Exec format error", "Bad file descriptor", "No child processes", "Resource temporarily unavailable",
  "Cannot allocate memory", "Permission denied", "Bad address", "Block device required",
  "Device or resource busy", "File exists", "Invalid cross-device link", "No such device", "Not a directory",
  "Is a directory", "Invalid argument", "Too many open files in system", "Too many open files",
  "Inappropriate ioctl for device", "Text file busy", "File too large", "No space left on device",
  "Illegal seek", "Read-only file system", "Too many links", "Broken pipe",
  "Numerical argument out of domain", "Numerical result out of range", "Resource deadlock avoided",
  "File name too long", "No locks available", "Function not implemented", "Directory not empty",
  "Too many levels of symbolic links",
];

/** errnos past 40 that the man pages of our syscalls list. */
export const ERRNO_EXTRA_NUMBER = [75, 95, 122];
export const ERRNO_EXTRA_NAME = ["EOVERFLOW", "EOPNOTSUPP", "EDQUOT"];
export const ERRNO_EXTRA_TEXT = [
  "Value too large for defined data type", "Operation not supported", "Disk quota exceeded",
];

/** mount(2) flag names by bit index, in the kernel's (and strace's) ascending order; "" = unnamed. */
export const MS_BIT_NAME = [
  "MS_RDONLY", "MS_NOSUID", "MS_NODEV", "MS_NOEXEC", "MS_SYNCHRONOUS", "MS_REMOUNT", "MS_MANDLOCK",
  "MS_DIRSYNC", "MS_NOSYMFOLLOW", "", "MS_NOATIME", "MS_NODIRATIME", "MS_BIND", "MS_MOVE", "MS_REC",
  "MS_SILENT", "MS_POSIXACL", "MS_UNBINDABLE", "MS_PRIVATE", "MS_SLAVE", "MS_SHARED", "MS_RELATIME",
  "MS_KERNMOUNT", "MS_I_VERSION", "MS_STRICTATIME", "MS_LAZYTIME",
];

/** Step names, indexed by the Step code in abi.ts; "" = unused code. */
export const STEP_NAME = [
  "none", "propagate_root", "mountinfo_open", "mountinfo_read", "mountinfo_close", "",
  "parent_propagation", "", "", "self_bind", "self_private", "self_remount",
  "open_root", "enter_root", "readonly_root", "", "", "", "", "",
  "open_old_root", "open_new_root", "fchdir_new_root", "pivot_root", "fchdir_old_root",
  "old_root_propagation", "detach_old_root", "chdir_root", "close_new_root", "close_old_root",
  "chdir_rootfs", "mask_propagation", "mask_umount", "mask_cover", "move_root", "chroot_root", "", "", "", "",
  "close_root", "post_propagation", "readonly_remount", "check_cwd", "", "", "", "", "", "",
  "stage_tmpfs", "chdir_stage", "mkdir_newroot", "bind_newroot", "mkdir_oldroot", "stage_pivot",
  "bind_rootfs", "bind_remount", "stage_old_private", "stage_old_detach", "chdir_newroot", "chdir_stage_root",
  "open_host", "dependent_mount", "open_mountpoint", "open_rootfs_src", "clone_rootfs", "attach_rootfs",
  "close_tree", "close_mountpoint", "close_rootfs_src", "open_mnt", "share_root", "close_host", "ramfs_open",
  "tree_namespace", "enter_tree", "remount_slash", "private_slash", "walk_open", "walk_setattr", "walk_procfd",
  "walk_up", "walk_drop", "walk_close", "keep_old_root", "readonly_setattr",
  "bind_root", "private_root", "pass_open", "pass_umount", "umount_proc", "chdir_up",
];
