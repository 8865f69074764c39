/* Syscall numbers of the new mount API for libc headers too old to name them. Linux 5.2 added
 * open_tree (428) and move_mount (429), 5.6 openat2 (437), 5.12 mount_setattr (442); since the
 * unified syscall table (424 on) each has one number on every architecture. Shared by the executor
 * child (child.cc) and the C executor (exec.c). */
#ifndef PIVOTSHIM_SYSCALL_NUMBERS_H
#define PIVOTSHIM_SYSCALL_NUMBERS_H
#include <sys/syscall.h>
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#endif
