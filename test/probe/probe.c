/* The probe: a tiny static program run inside the new root by the native tests.
 * No argument: prints one JSON line {cwd, rootIsRoot, fds, uid, gid}. "true": exits 0.
 * "exit N": exits N. "sleep MS": sleeps. It must not open any fd before listing them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
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
  fprintf(stderr, "probe: unknown mode %s\n", argv[1]);
  return 2;
}
