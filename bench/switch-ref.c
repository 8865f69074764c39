/* The C reference for the root-switch benchmark (bench/native.ts): runc's pivotRoot sequence as
 * direct syscalls, in a fresh mount namespace of this process, timed with clock_gettime around
 * the switch. Usage: switch-ref ROOTFS N. Prints one line: the switch times in ns, space-separated.
 * Each iteration forks a child that unshares its own namespace; it refuses to act if it did not
 * leave the parent's mount namespace. Built by scripts/build-bench.sh. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#define CHECK(call, what) do { if ((call) < 0) { perror(what); _exit(10); } } while (0)

/* runc: rslave /, the parent walk (MS_PRIVATE up the path until one is a mount point), the self
 * bind, then pivot_root(".", ".") with the two handles, rslave and detach the old root. */
static void the_switch(const char *rootfs) {
  CHECK(mount("", "/", "", MS_REC | MS_SLAVE, ""), "mount / rslave");
  char p[4096];
  snprintf(p, sizeof p, "%s", rootfs);
  while (mount("", p, "", MS_PRIVATE, "") < 0) {
    if (errno != EINVAL || strcmp(p, "/") == 0) { perror("parent walk"); _exit(10); }
    char *slash = strrchr(p, '/');
    if (slash == p) p[1] = '\0'; else *slash = '\0';
  }
  CHECK(mount(rootfs, rootfs, "bind", MS_BIND | MS_REC, ""), "self bind");
  int newroot = open(rootfs, O_RDONLY | O_CLOEXEC | O_PATH | O_DIRECTORY);
  CHECK(newroot, "open rootfs");
  CHECK(fchdir(newroot), "fchdir rootfs");
  int oldroot = open("/", O_RDONLY | O_PATH | O_DIRECTORY);
  CHECK(oldroot, "open /");
  CHECK(fchdir(newroot), "fchdir new root");
  CHECK(syscall(SYS_pivot_root, ".", "."), "pivot_root");
  CHECK(fchdir(oldroot), "fchdir old root");
  CHECK(mount("", ".", "", MS_REC | MS_SLAVE, ""), "mount . rslave");
  CHECK(umount2(".", MNT_DETACH), "umount2");
  CHECK(chdir("/"), "chdir /");
  CHECK(close(oldroot), "close old root");
  CHECK(close(newroot), "close new root");
}

static ino_t mntns(void) {
  struct stat st;
  return stat("/proc/self/ns/mnt", &st) == 0 ? st.st_ino : 0;
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: switch-ref ROOTFS N\n"); return 2; }
  int n = atoi(argv[2]);
  ino_t parent_ns = mntns();
  for (int i = 0; i < n; i++) {
    int fds[2];
    if (pipe(fds) < 0) { perror("pipe"); return 1; }
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 1; }
    if (pid == 0) {
      close(fds[0]);
      CHECK(unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)");
      if (parent_ns == 0 || mntns() == parent_ns) { fprintf(stderr, "still in the parent's mount namespace\n"); _exit(11); }
      long long t0 = now_ns();
      the_switch(argv[1]);
      long long dt = now_ns() - t0;
      if (write(fds[1], &dt, sizeof dt) != sizeof dt) _exit(12);
      _exit(0);
    }
    close(fds[1]);
    long long dt = -1;
    ssize_t got = read(fds[0], &dt, sizeof dt);
    close(fds[0]);
    int st;
    if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0 || got != sizeof dt) {
      fprintf(stderr, "iteration %d failed (status %d)\n", i, st);
      return 1;
    }
    printf(i ? " %lld" : "%lld", dt);
  }
  printf("\n");
  return 0;
}
