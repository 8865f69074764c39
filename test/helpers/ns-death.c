/* A mount namespace that dies, on the real kernel, for test/fake-namespace-death.test.ts.
 * Usage: ns-death alive|dead BASE. In a mount namespace of its own (never the caller's), under a
 * tmpfs at BASE: s, a shared tmpfs; v, a shared tmpfs; w, a bind of v made its slave. Then
 * unshare(CLONE_NEWNS) again: with "dead" nothing is left in the first namespace, which dies
 * (its mounts are unmounted and leave their peer groups); with "alive" a forked keeper stays
 * there until the end. Prints the mounts under BASE ("T1"), then MS_SLAVE on s and MS_PRIVATE
 * on v, and prints them again ("T2"). Each table: "T<n>" then its mountinfo lines under BASE.
 * Then "H": before the second unshare it also made m (a tmpfs) with m/onlyM and m/sub (a tmpfs
 * holding inner), and kept O_PATH fds on m and m/sub; after it, openat through each fd prints
 * "H <what> <errno>". */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what) {
  fprintf(stderr, "ns-death: %s: %s\n", what, strerror(errno));
  exit(1);
}

static ino_t ns_ino(void) {
  struct stat st;
  if (stat("/proc/self/ns/mnt", &st)) die("stat /proc/self/ns/mnt");
  return st.st_ino;
}

static void table(const char *name, const char *base) {
  FILE *f = fopen("/proc/self/mountinfo", "r");
  if (!f) die("open mountinfo");
  printf("%s\n", name);
  char line[4096], mp[4096];
  size_t n = strlen(base);
  while (fgets(line, sizeof line, f)) {
    if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 && strncmp(mp, base, n) == 0 && (mp[n] == '/' || mp[n] == 0)) fputs(line, stdout);
  }
  fclose(f);
  fflush(stdout);
}

static void at(char *out, const char *base, const char *sub) { snprintf(out, 4096, "%s/%s", base, sub); }

int main(int argc, char **argv) {
  if (argc != 3 || (strcmp(argv[1], "alive") && strcmp(argv[1], "dead"))) { fprintf(stderr, "usage: ns-death alive|dead BASE\n"); return 2; }
  const char *base = argv[2];
  char s[4096], v[4096], w[4096];
  at(s, base, "s"); at(v, base, "v"); at(w, base, "w");
  ino_t caller = ns_ino();
  if (unshare(CLONE_NEWNS)) die("unshare(CLONE_NEWNS)");
  /* The guard: every mount below is in this process's own namespace, never the caller's. */
  if (ns_ino() == caller) { errno = EPERM; die("still in the caller's mount namespace"); }
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) die("make / rprivate");
  if (mount("tmpfs", base, "tmpfs", 0, "mode=0755")) die("mount base");
  if (mkdir(s, 0755) || mkdir(v, 0755) || mkdir(w, 0755)) die("mkdir");
  if (mount("tmpfs", s, "tmpfs", 0, NULL) || mount(NULL, s, NULL, MS_SHARED, NULL)) die("s");
  if (mount("tmpfs", v, "tmpfs", 0, NULL) || mount(NULL, v, NULL, MS_SHARED, NULL)) die("v");
  if (mount(v, w, NULL, MS_BIND, NULL) || mount(NULL, w, NULL, MS_SLAVE, NULL)) die("w");
  char m[4096], msub[4096], p[8192];
  at(m, base, "m"); at(msub, base, "m/sub");
  if (mkdir(m, 0755) || mount("tmpfs", m, "tmpfs", 0, NULL)) die("m");
  snprintf(p, sizeof p, "%s/onlyM", m);
  if (mkdir(p, 0755) || mkdir(msub, 0755) || mount("tmpfs", msub, "tmpfs", 0, NULL)) die("m/sub");
  snprintf(p, sizeof p, "%s/inner", msub);
  if (mkdir(p, 0755)) die("m/sub/inner");
  int fm = open(m, O_PATH | O_DIRECTORY | O_CLOEXEC), fsub = open(msub, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fm < 0 || fsub < 0) die("open m, m/sub");
  pid_t keeper = -1;
  if (strcmp(argv[1], "alive") == 0) {
    keeper = fork();
    if (keeper < 0) die("fork");
    if (keeper == 0) { for (;;) pause(); }
  }
  if (unshare(CLONE_NEWNS)) die("unshare(CLONE_NEWNS) again");
  table("T1", base);
  if (mount(NULL, s, NULL, MS_SLAVE, NULL)) die("make s slave");
  if (mount(NULL, v, NULL, MS_PRIVATE, NULL)) die("make v private");
  table("T2", base);
  struct { const char *what; int fd; const char *path; } held[] = {
    {"m/onlyM", fm, "onlyM"}, {"m/sub/inner", fm, "sub/inner"}, {"sub/../onlyM", fsub, "../onlyM"}, {"sub/inner", fsub, "inner"},
  };
  for (size_t i = 0; i < sizeof held / sizeof held[0]; i++) {
    int fd = openat(held[i].fd, held[i].path, O_PATH | O_CLOEXEC);
    printf("H %s %d\n", held[i].what, fd < 0 ? errno : 0);
    if (fd >= 0) close(fd);
  }
  fflush(stdout);
  if (keeper > 0) { kill(keeper, SIGKILL); if (waitpid(keeper, NULL, 0) != keeper) die("waitpid"); }
  return 0;
}
