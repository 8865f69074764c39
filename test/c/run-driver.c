/* run-driver.c: runs one switch for real through libpivotshim's ps_run, for
 * test/native-c-run.test.ts. The test starts it under `unshare -m --propagation private`, so the
 * namespace it is born in is already a throwaway copy; it forks a child that unshares once more
 * (the guard spares the driver's namespace), prints the child's mountinfo, runs the switch and
 * reports. Not part of the library.
 *
 * usage: run-driver ROOTFS PROFILE STRATEGY ROOT_PROPAGATION OPTIONS [--no-unshare|--rootless] [< expected]
 * With stdin lines "ret err" (one per request), they are the expected results (ps_run's `expect`).
 * stdout: "M <mountinfo hex>" (with --rootless, "P <hex>" before it: the table before the unshare),
 * then "E <seq> <op> <step> <ret> <err>" per request, then
 * "O <done> <op> <err> <step> <seq> <message hex>" or "Z <status> <seq>" for a run that did not end
 * (PS_REFUSED, PS_DIVERGED, PS_TRAPPED), then "C <cwd> <marker>": the child's cwd after the run
 * and whether /pivotshim-marker (a file only the rootfs has) is visible at its root. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pivotshim.h"

/* PS_REFUSE_AT=N in the environment: the admit callback refuses request N before it runs (PS_STOPPED). */
static int admit(void *ctx, const ps_request *r) {
  (void)ctx;
  const char *refuse = getenv("PS_REFUSE_AT");
  return refuse && atoi(refuse) == r->seq;
}

/* PS_STOP_AT=N in the environment: the callback asks ps_run to stop after request N (PS_STOPPED). */
static int step(void *ctx, const ps_request *r, ps_result res) {
  (void)ctx;
  printf("E %d %d %d %d %d\n", r->seq, r->op, r->step, res.ret, res.err);
  const char *stop = getenv("PS_STOP_AT");
  return stop && atoi(stop) == r->seq;
}

/* This process's mountinfo as hex, after a tag the caller printed. */
static void mountinfo(void) {
  FILE *f = fopen("/proc/self/mountinfo", "r");
  int c;
  while (f && (c = fgetc(f)) != EOF) printf("%02x", c);
  putchar('\n');
  if (f) fclose(f);
}

/* "0 <id> 1" into a /proc/self/{uid,gid}_map, as the executor maps the caller to root. */
static int map_id(const char *file, unsigned id) {
  FILE *f = fopen(file, "w");
  if (!f) return -1;
  int ok = fprintf(f, "0 %u 1\n", id) > 0;
  return fclose(f) == 0 && ok ? 0 : -1;
}

int main(int argc, char **argv) {
  if (argc < 6) { fputs("usage: run-driver ROOTFS PROFILE STRATEGY ROOT_PROPAGATION OPTIONS [--no-unshare|--rootless]\n", stderr); return 2; }
  int no_unshare = argc > 6 && strcmp(argv[6], "--no-unshare") == 0;
  /* --rootless: a user namespace as well, the caller mapped to 0 (src/hosts/native.ts's rootless
   * executor); "P <hex>" is then the table before the unshare, what the prediction starts from. */
  int rootless = argc > 6 && strcmp(argv[6], "--rootless") == 0;
  static ps_result expect[4096];
  size_t n_expect = 0;
  int has_expect = !isatty(0);
  while (has_expect && n_expect < 4096 && scanf("%d %d", &expect[n_expect].ret, &expect[n_expect].err) == 2) n_expect++;
  struct stat ns;
  if (stat("/proc/self/ns/mnt", &ns) < 0) { perror("stat ns"); return 1; }
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) { perror("fork"); return 1; }
  if (pid == 0) {
    if (rootless) {
      unsigned uid = getuid(), gid = getgid();
      fputs("P ", stdout);
      mountinfo();
      if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) { perror("unshare(CLONE_NEWUSER|CLONE_NEWNS)"); _exit(1); }
      FILE *sg = fopen("/proc/self/setgroups", "w");
      if (!sg || fputs("deny", sg) < 0 || fclose(sg) != 0) { perror("setgroups"); _exit(1); }
      if (map_id("/proc/self/uid_map", uid) < 0 || map_id("/proc/self/gid_map", gid) < 0) { perror("id map"); _exit(1); }
    } else if (!no_unshare && unshare(CLONE_NEWNS) < 0) { perror("unshare"); _exit(1); }
    fputs("M ", stdout);
    mountinfo();
    ps_machine *m = ps_new();
    if (!m) { puts("Z new 0"); _exit(1); }
    ps_outcome o;
    int32_t at = -1;
    int r = ps_run(m, argv[1], strlen(argv[1]), atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), atoi(argv[5]),
                   (unsigned long)ns.st_dev, (unsigned long)ns.st_ino, n_expect ? expect : NULL, n_expect, &at, admit, step, NULL, &o);
    if (r == 0 || r == 1) {
      printf("O %d %d %d %d %d ", o.done, o.op, o.err, o.step, o.seq);
      for (uint32_t i = 0; i < o.message.len; i++) printf("%02x", (unsigned char)o.message.ptr[i]);
      putchar('\n');
    } else {
      printf("Z %d %d\n", r, at);
    }
    char cwd[4096] = "?";
    if (!getcwd(cwd, sizeof cwd)) strcpy(cwd, "?");
    printf("C %s %d\n", cwd, access("/pivotshim-marker", F_OK) == 0);
    fflush(stdout);
    ps_free(m);
    _exit(0);
  }
  int status;
  while (waitpid(pid, &status, 0) < 0) {}
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
