/* c-init.c: a minimal container init that switches its root with libpivotshim, for a runtime
 * author to copy. The runtime's part: clone a child in a new mount namespace, and there call
 * ps_run (the whole switch, behind the guard that spares the parent's namespace), then exec the
 * command. Build (after npm run build:c):
 *   cc -Ihost -Ibuild/c -o c-init examples/c-init.c build/c/libpivotshim.a -lm
 * Run as root: ./c-init /srv/rootfs /bin/sh
 * Profile runc, strategy pivot; see host/pivotshim.h for the others. test/native-c-example.test.ts
 * builds and runs this file. */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pivotshim.h"

struct args { char **argv; struct stat parent_ns; };

/* The container's init: runs in the new mount namespace. */
static int init(void *p) {
  struct args *a = p;
  ps_machine *m = ps_new();
  if (!m) { fputs("c-init: cannot create the machine\n", stderr); return 1; }
  ps_outcome o;
  int r = ps_run(m, a->argv[1], strlen(a->argv[1]), 1 /* runc */, 1 /* pivot */, 0, 0,
                 (unsigned long)a->parent_ns.st_dev, (unsigned long)a->parent_ns.st_ino, NULL, 0, NULL, NULL, NULL, NULL, &o);
  if (r != 0 || !o.done) {
    fprintf(stderr, "c-init: the switch failed: %.*s\n", (int)o.message.len, o.message.ptr ? o.message.ptr : "(no run)");
    return 1;
  }
  ps_free(m);
  /* Nothing of the host's may reach the command: close every inherited fd above 2 (the
   * CVE-2024-21626 class). A real runtime also resets signals and the environment. */
  syscall(SYS_close_range, 3U, ~0U, 0U);
  execv(a->argv[2], a->argv + 2);
  perror("c-init: execv");
  return 127;
}

int main(int argc, char **argv) {
  if (argc < 3) { fputs("usage: c-init ROOTFS COMMAND [ARG...]\n", stderr); return 2; }
  struct args a = { argv, { 0 } };
  if (stat("/proc/self/ns/mnt", &a.parent_ns) < 0) { perror("c-init: stat /proc/self/ns/mnt"); return 3; }
  static char stack[1 << 16];
  pid_t pid = clone(init, stack + sizeof stack, CLONE_NEWNS | SIGCHLD, &a);
  if (pid < 0) { perror("c-init: clone(CLONE_NEWNS)"); return 3; }
  int status;
  while (waitpid(pid, &status, 0) < 0) {}
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
