/* launch.c: times cold launches for bench/native.ts coldExec, without Node's spawn in the sample.
 * usage: launch N CMD... [::: CMD...]...  Runs the commands interleaved, N rounds (after 3 warm-up
 * rounds): fork, execvp with stdout and stderr on /dev/null, waitpid, each timed with
 * CLOCK_MONOTONIC around the three. Prints one line per command: "<median µs> <min µs>", or
 * "fail <status>" when a run exits non-zero. Not part of the library. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { MAX_CMDS = 8, MAX_ROUNDS = 1000 };

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc < 3) { fputs("usage: launch N CMD... [::: CMD...]...\n", stderr); return 2; }
  int rounds = atoi(argv[1]);
  if (rounds < 1 || rounds > MAX_ROUNDS) { fputs("launch: N must be 1 to 1000\n", stderr); return 2; }
  char **cmds[MAX_CMDS];
  int n = 0;
  cmds[n++] = argv + 2;
  for (int i = 2; i < argc; i++) {
    if (strcmp(argv[i], ":::") != 0) continue;
    argv[i] = NULL;
    if (n == MAX_CMDS) { fputs("launch: at most 8 commands\n", stderr); return 2; }
    cmds[n++] = argv + i + 1;
  }
  static double t[MAX_CMDS][MAX_ROUNDS];
  int failed[MAX_CMDS] = { 0 };
  int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
  for (int r = -3; r < rounds; r++) {
    for (int c = 0; c < n; c++) {
      if (failed[c]) continue;
      double t0 = now_us();
      pid_t pid = fork();
      if (pid == 0) {
        dup2(devnull, 1), dup2(devnull, 2);
        execvp(cmds[c][0], cmds[c]);
        _exit(127);
      }
      int st = 0;
      while (waitpid(pid, &st, 0) < 0) {}
      double dt = now_us() - t0;
      if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) { failed[c] = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st); continue; }
      if (r >= 0) t[c][r] = dt;
    }
  }
  for (int c = 0; c < n; c++) {
    if (failed[c]) { printf("fail %d\n", failed[c]); continue; }
    qsort(t[c], (size_t)rounds, sizeof t[c][0], cmp);
    printf("%.1f %.1f\n", t[c][rounds / 2], t[c][0]);
  }
  return 0;
}
