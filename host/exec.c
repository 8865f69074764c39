/* exec.c: libpivotshim's executor. ps_exec runs one request as its raw syscall, as host/child.cc
 * does for the Node addon; ps_run drives a whole switch in the calling process behind the same
 * namespace guard, optionally checking each result against a verified plan's prediction and
 * stopping before the next syscall at the first difference (docs/verify.md). No allocation: the
 * strings are NUL-terminated in fixed buffers here. */
#define _GNU_SOURCE
#include "pivotshim.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "syscall-numbers.h"

enum { PATH_CAP = PS_PATH_MAX };  /* no request string is longer (docs/ABI.md §7) */

/* The request's strings, NUL-terminated (NULL stays NULL); 0, or -ENAMETOOLONG. */
static int terminate(const ps_request *r, char bufs[4][PATH_CAP], const char *out[4]) {
  for (int i = 0; i < 4; i++) {
    out[i] = NULL;
    if (!r->str[i].ptr) continue;
    if (r->str[i].len >= PATH_CAP) return -ENAMETOOLONG;
    memcpy(bufs[i], r->str[i].ptr, r->str[i].len);
    bufs[i][r->str[i].len] = 0;
    out[i] = bufs[i];
  }
  return 0;
}

long ps_exec(const ps_request *r) {
  static char bufs[4][PATH_CAP];  /* one thread (pivotshim.h): static, not 16 KiB of stack */
  const char *s[4];
  int bad = terminate(r, bufs, s);
  if (bad) return bad;
  long ret;
  switch (r->op) {
    case PS_OPENAT: ret = syscall(SYS_openat, r->fd, s[0], r->flags, r->mode); break;
    case PS_READ: ret = r->buf ? syscall(SYS_read, r->fd, r->buf, (size_t)r->count) : (errno = EFAULT, -1); break;
    case PS_CLOSE: ret = syscall(SYS_close, r->fd); break;
    case PS_FCHDIR: ret = syscall(SYS_fchdir, r->fd); break;
    case PS_CHDIR: ret = syscall(SYS_chdir, s[0]); break;
    case PS_CHROOT: ret = syscall(SYS_chroot, s[0]); break;
    case PS_PIVOT_ROOT: ret = syscall(SYS_pivot_root, s[0], s[1]); break;
    case PS_MOUNT: ret = syscall(SYS_mount, s[0], s[1], s[2], (unsigned long)(uint32_t)r->flags, s[3]); break;
    case PS_UMOUNT2: ret = syscall(SYS_umount2, s[0], r->flags); break;
    case PS_GETCWD: ret = r->buf ? syscall(SYS_getcwd, r->buf, (size_t)r->count) : (errno = EFAULT, -1); break;  /* length incl. the NUL */
    case PS_SETHOSTNAME: ret = s[0] ? syscall(SYS_sethostname, s[0], strlen(s[0])) : (errno = EFAULT, -1); break;
#ifdef SYS_mkdir
    case PS_MKDIR: ret = syscall(SYS_mkdir, s[0], (mode_t)r->mode); break;  /* ABI 4 */
#else
    case PS_MKDIR: ret = syscall(SYS_mkdirat, AT_FDCWD, s[0], (mode_t)r->mode); break;  /* ABI 4: arm64 has only mkdirat */
#endif
    /* ABI 5 (LXC): struct open_how written out (three u64s, linux/openat2.h); resolve and move_mount's
     * to_dirfd ride in REQ_COUNT (docs/ABI.md §5). */
    case PS_OPENAT2: {
      struct { uint64_t flags, mode, resolve; } how = { (uint32_t)r->flags, (uint32_t)r->mode, (uint32_t)r->count };
      ret = syscall(SYS_openat2, r->fd, s[0], &how, sizeof how);
      break;
    }
    case PS_OPEN_TREE: ret = syscall(SYS_open_tree, r->fd, s[0], (unsigned)r->flags); break;
    case PS_MOVE_MOUNT: ret = syscall(SYS_move_mount, r->fd, s[0], r->count, s[1], (unsigned)r->flags); break;
    /* ABI 6 (crun 1.29): setns's nstype in REQ_FLAGS; struct mount_attr written out (four u64s,
     * linux/mount.h): attr_set from REQ_MODE, propagation from REQ_COUNT, attr_clr and userns_fd 0. */
    case PS_SETNS: ret = syscall(SYS_setns, r->fd, r->flags); break;
    case PS_MOUNT_SETATTR: {
      struct { uint64_t attr_set, attr_clr, propagation, userns_fd; } attr = { (uint32_t)r->mode, 0, (uint32_t)r->count, 0 };
      ret = syscall(SYS_mount_setattr, r->fd, s[0], (unsigned)r->flags, &attr, sizeof attr);
      break;
    }
    default: return -ENOSYS;
  }
  return ret < 0 ? -errno : ret;
}

int ps_run(ps_machine *m, const char *rootfs, size_t len, int profile, int strategy,
           int root_propagation, int options, unsigned long guard_dev, unsigned long guard_ino,
           const ps_result *expect, size_t n_expect, int32_t *diverged_at,
           ps_admit_cb admit, ps_step_cb cb, void *ctx, ps_outcome *out) {
  struct stat st;
  memset(out, 0, sizeof *out);
  /* The guard comes first: nothing runs in a namespace that must not change (host/child.cc). */
  if (guard_ino == 0 || stat("/proc/self/ns/mnt", &st) < 0) return PS_REFUSED;
  if ((unsigned long)st.st_dev == guard_dev && (unsigned long)st.st_ino == guard_ino) return PS_REFUSED;
  int started = ps_start(m, rootfs, len, profile, strategy, root_propagation, options);
  if (started == PS_TRAPPED) return PS_TRAPPED;
  for (;;) {
    ps_request r;
    int op = ps_next(m, &r);
    if (op == PS_TRAPPED) return PS_TRAPPED;
    if (op == PS_DONE || op == PS_FAILED) break;
    if (admit && admit(ctx, &r) != 0) {
      if (diverged_at) *diverged_at = r.seq;
      return PS_STOPPED;
    }
    long ret = ps_exec(&r);
    ps_result res = { ret < 0 ? -1 : (int32_t)ret, ret < 0 ? (int32_t)-ret : 0 };
    if (cb && cb(ctx, &r, res) != 0) {
      if (diverged_at) *diverged_at = r.seq;
      return PS_STOPPED;
    }
    if (expect) {
      /* A read is compared by kind, data or EOF: its byte count follows the mount ids in the text,
       * which a fresh namespace numbers afresh (src/verify-run.ts sameResult, the same rule). */
      size_t i = (size_t)r.seq;
      int same = i < n_expect && expect[i].err == res.err &&
                 (res.err != 0 || (r.op == PS_READ ? (expect[i].ret > 0) == (res.ret > 0) : expect[i].ret == res.ret));
      if (!same) {
        if (diverged_at) *diverged_at = r.seq;
        return PS_DIVERGED;
      }
    }
    size_t n = (res.err == 0 && (r.op == PS_READ || r.op == PS_GETCWD) && res.ret > 0) ? (size_t)res.ret : 0;
    int f = ps_feed(m, res.ret, res.err, r.buf, n);
    if (f != 0) return f == PS_TRAPPED ? PS_TRAPPED : PS_DIVERGED;
  }
  ps_outcome_get(m, out);
  return started == 1 ? 1 : 0;
}
