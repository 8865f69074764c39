// Byte-string literals the plans use, as Strs into the static text (generated/text.ts).
import { Str, txt } from "./bytes";
import * as T from "./generated/text";

export const EMPTY: Str = txt(T.EMPTY);
export const SLASH: Str = txt(T.SLASH);
export const DOT: Str = txt(T.DOT);
export const DOTDOT: Str = txt(T.DOTDOT);
export const BIND: Str = txt(T.BIND);
export const TMPFS: Str = txt(T.TMPFS);
export const SIZE_0K: Str = txt(T.SIZE_0K);
export const SYS: Str = txt(T.SYS);
export const PROC: Str = txt(T.PROC);
export const PROC_FS: Str = txt(T.PROC_FS);
export const SYSFS: Str = txt(T.SYSFS);
export const ROOTFS: Str = txt(T.ROOTFS);
export const RAMFS: Str = txt(T.RAMFS);
export const THREAD_SELF_MOUNTINFO: Str = txt(T.THREAD_SELF_MOUNTINFO);
export const SELF_MOUNTINFO: Str = txt(T.SELF_MOUNTINFO);
export const PROC_SELF_FD: Str = txt(T.PROC_SELF_FD);
export const TMP: Str = txt(T.TMP);
export const NEWROOT: Str = txt(T.NEWROOT);
export const OLDROOT: Str = txt(T.OLDROOT);
export const OLDROOT_ABS: Str = txt(T.OLDROOT_ABS);
export const NEWROOT_ABS: Str = txt(T.NEWROOT_ABS);
export const NEWROOT_SLASH: Str = txt(T.NEWROOT_SLASH);
export const NONE: Str = txt(T.NONE);
export const LXC_ROOTFS_MOUNT: Str = txt(T.LXC_ROOTFS_MOUNT);
export const PROC_SELF_MOUNTINFO_REL: Str = txt(T.PROC_SELF_MOUNTINFO_REL);
