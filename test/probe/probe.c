/* The probe: a tiny static program run inside the new root by the native tests.
 * No argument: prints one JSON line {cwd, rootIsRoot, fds, uid, gid}. "true": exits 0.
 * "exit N": exits N. "sleep MS": sleeps. "pid": prints {"pid":N,"ppid":N}. "orphan MS": leaves a
 * child that sleeps MS, then exits 0. "term-sleep MS": sleeps, and exits 143 on SIGTERM (a handler:
 * what a PID 1 needs to receive it). "mount-proc": mounts a proc on /proc, prints {"mount":errno}. "hostname": prints {"hostname":...}. It must not open any fd before listing them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <errno.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static void json_string(const char *s) {
  putchar('"');
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') printf("\\%c", c);
    else if (c < 0x20) printf("\\u%04x", c);
    else putchar(c);
  }
  putchar('"');
}

static int info(void) {
  int open_fds[1024], n = 0;
  for (int fd = 0; fd < 1024; fd++) /* first, before stdio may open anything */
    if (fcntl(fd, F_GETFD) >= 0) open_fds[n++] = fd;
  char cwd[4096];
  const char *where = getcwd(cwd, sizeof cwd) ? cwd : "(getcwd failed)";
  struct stat root, up;
  int same = stat("/", &root) == 0 && stat("/..", &up) == 0 &&
             root.st_dev == up.st_dev && root.st_ino == up.st_ino;
  printf("{\"cwd\":");
  json_string(where);
  printf(",\"rootIsRoot\":%s,\"fds\":[", same ? "true" : "false");
  for (int i = 0; i < n; i++) printf(i ? ",%d" : "%d", open_fds[i]);
  printf("],\"uid\":%u,\"gid\":%u}\n", (unsigned)getuid(), (unsigned)getgid());
  return fflush(stdout) == 0 ? 0 : 1;
}

static void on_term(int sig) { (void)sig; _exit(143); }

int main(int argc, char **argv) {
  if (argc < 2) return info();
  if (strcmp(argv[1], "true") == 0) return 0;
  if (strcmp(argv[1], "exit") == 0 && argc > 2) return atoi(argv[2]);
  if (strcmp(argv[1], "sleep") == 0 && argc > 2) {
    long ms = atol(argv[2]);
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
    return 0;
  }
  if (strcmp(argv[1], "pid") == 0) {
    printf("{\"pid\":%d,\"ppid\":%d}\n", (int)getpid(), (int)getppid());
    return fflush(stdout) == 0 ? 0 : 1;
  }
  if (strcmp(argv[1], "orphan") == 0 && argc > 2) {
    if (fork() == 0) execl("/probe", "probe", "sleep", argv[2], (char *)NULL);
    return 0;
  }
  if (strcmp(argv[1], "term-sleep") == 0 && argc > 2) {
    signal(SIGTERM, on_term);
    long ms = atol(argv[2]);
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
    return 0;
  }
  if (strcmp(argv[1], "hostname") == 0) {  /* the UTS namespace's nodename, as a JSON line */
    struct utsname u;
    if (uname(&u) != 0) return 1;
    printf("{\"hostname\":");
    json_string(u.nodename);
    printf("}\n");
    return fflush(stdout) == 0 ? 0 : 1;
  }
  if (strcmp(argv[1], "mount-proc") == 0) {  /* mkdir /proc, mount a proc there: 0 or errno */
    mkdir("/proc", 0555);
    int r = mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    printf("{\"mount\":%d}\n", r == 0 ? 0 : errno);
    return fflush(stdout) == 0 ? 0 : 1;
  }
  fprintf(stderr, "probe: unknown mode %s\n", argv[1]);
  return 2;
}
