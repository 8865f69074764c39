// Byte-string literals the plans use, encoded once at module start (GC roots, stable pointers).
import { utf8 } from "./bytes";

export const EMPTY = utf8("");
export const SLASH = utf8("/");
export const DOT = utf8(".");
export const BIND = utf8("bind");
export const TMPFS = utf8("tmpfs");
export const SIZE_0K = utf8("size=0k");
export const SYS = utf8("/sys");
export const PROC = utf8("/proc");
export const PROC_FS = utf8("proc");
export const SYSFS = utf8("sysfs");
export const ROOTFS = utf8("rootfs");
export const RAMFS = utf8("ramfs");
export const THREAD_SELF_MOUNTINFO = utf8("/proc/thread-self/mountinfo");
export const SELF_MOUNTINFO = utf8("/proc/self/mountinfo");
