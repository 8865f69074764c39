/* The real-kernel side of the kernel oracle (test/helpers/kernel-oracle.ts): runs many cases, each
 * in a throwaway child that unshares its mount namespace, makes every copied mount private, and
 * pivots into a fresh tmpfs before any case request runs. It never mounts in its own namespace.
 *
 * Input (stdin), one line each, fields separated by TAB, "-" for NULL:
 *   C                       begin a case         E    end of a case (print the final tables)
 *   P                       print the table now (the fake kernel is built from it)
 *   U                       namespace B: the process forked at the case start (in a new user namespace) copies the mount namespace
 *   A|B m SRC TGT FS FLAGS DATA    mount(2)   (FS "tmpfs": then mkdir TGT/a and TGT/b, symlink TGT/l -> a, TGT/r -> /a)
 *   A|B u TGT FLAGS                umount2(2)
 *   A|B p NEW OLD                  pivot_root(2)
 *   A|B o SLOT PATH FLAGS          open_tree(2) at SLOT's fd (-1: AT_FDCWD); the fd goes to the next slot
 *   A|B v SLOT PATH TSLOT TGT FLAGS  move_mount(2) from SLOT's fd (-1: AT_FDCWD) and PATH to TSLOT's and TGT
 *   A|B s SLOT PATH FLAGS PROP SET mount_setattr(2) of SLOT's fd and PATH: propagation PROP, attr_set SET
 *   A|B c SLOT                     close(2) of SLOT's fd; the slot then names no fd
 *   A|B d PATH                     chdir(2)
 *   A|B r PATH                     chroot(2)
 *   Q                       (after C) mount a proc at /proc in the case's root, before its set-up
 * SLOT -2 is the newest slot. A slot that names no fd (a failed open_tree, a closed one, none yet)
 * is passed as fd 999, which is not open. A mount(2) SRC or TGT "@SLOT[/PATH]" is that slot's fd
 * through procfs, /proc/self/fd/FD[/PATH]: how mount(2) names a detached tree.
 * Output, per case: "R <errno>" per request and U, "T <name> <bytes>\n<mountinfo>" per table, "Z".
 * argv[1] is an empty directory: each case mounts its root tmpfs there, in the case's namespace.
 */
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
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int procfd = -1;

/* The fds of this process's open_tree calls, in order (B's process has its own). */
static int slots[64];
static int nslots;

/* A slot number: -1 is AT_FDCWD, -2 the newest slot (the last open_tree of this process). */
static int slot_index(const char *f) {
  int k = f ? atoi(f) : -1;
  return k == -2 ? nslots - 1 : k;
}

static int slot_fd(const char *f) {
  if (!f || atoi(f) == -1) return AT_FDCWD;
  int k = slot_index(f);
  return k >= 0 && k < nslots && slots[k] >= 0 ? slots[k] : 999;
}

struct attr_v0 { unsigned long long attr_set, attr_clr, propagation, userns_fd; };

static void die(const char *what) {
  printf("X %s: %s\n", what, strerror(errno));
  fflush(stdout);
  _exit(3);
}

static char *field(char **s) {
  char *f = strsep(s, "\t");
  return (f == NULL || strcmp(f, "-") == 0) ? NULL : f;
}

/* "@SLOT[/PATH]" → "/proc/self/fd/FD[/PATH]" in `buf`; any other path as it is. */
static char *at_fd(char *path, char *buf, size_t size) {
  if (!path || path[0] != '@') return path;
  char *rest = NULL;
  long k = strtol(path + 1, &rest, 10);
  char num[16];
  snprintf(num, sizeof num, "%ld", k);
  snprintf(buf, size, "/proc/self/fd/%d%s", slot_fd(num), rest);
  return buf;
}

/* One request (the line after its namespace letter); returns 0 or the errno. */
static int run(char *line) {
  char *s = line;
  char *op = field(&s);
  int r = -1;
  if (op && strcmp(op, "m") == 0) {
    char sbuf[4096], tbuf[4096];
    char *src = at_fd(field(&s), sbuf, sizeof sbuf), *tgt = at_fd(field(&s), tbuf, sizeof tbuf), *fs = field(&s), *fl = field(&s), *data = field(&s);
    r = mount(src, tgt, fs, strtoul(fl, NULL, 10), data);
    if (r == 0 && fs && strcmp(fs, "tmpfs") == 0) {
      char p[4096];
      /* a fresh tmpfs gets the same two directories as every other: the paths the cases use.
       * EEXIST is not an error: TGT "/" names the root under the new mount (the fake agrees). */
      snprintf(p, sizeof p, "%s/a", tgt);
      (void)!mkdir(p, 0755);
      snprintf(p, sizeof p, "%s/b", tgt);
      (void)!mkdir(p, 0755);
      /* and two links the paths may go through: relative, and absolute (from the process's root) */
      snprintf(p, sizeof p, "%s/l", tgt);
      (void)!symlink("a", p);
      snprintf(p, sizeof p, "%s/r", tgt);
      (void)!symlink("/a", p);
    }
  } else if (op && strcmp(op, "u") == 0) {
    char *tgt = field(&s), *fl = field(&s);
    r = umount2(tgt, (int)strtol(fl, NULL, 10));
  } else if (op && strcmp(op, "p") == 0) {
    char *nr = field(&s), *old = field(&s);
    r = (int)syscall(SYS_pivot_root, nr, old);
  } else if (op && strcmp(op, "o") == 0) {
    char *sl = field(&s), *path = field(&s), *fl = field(&s);
    r = (int)syscall(SYS_open_tree, slot_fd(sl), path ? path : "", (unsigned)strtoul(fl, NULL, 10));
    int e = errno;
    if (nslots < 64) slots[nslots++] = r;
    if (r >= 0) r = 0;
    errno = e;
  } else if (op && strcmp(op, "v") == 0) {
    char *sl = field(&s), *path = field(&s), *tsl = field(&s), *tgt = field(&s), *fl = field(&s);
    r = (int)syscall(SYS_move_mount, slot_fd(sl), path ? path : "", slot_fd(tsl), tgt ? tgt : "", (unsigned)strtoul(fl, NULL, 10));
  } else if (op && strcmp(op, "s") == 0) {
    char *sl = field(&s), *path = field(&s), *fl = field(&s), *prop = field(&s), *set = field(&s);
    struct attr_v0 a = {set ? strtoull(set, NULL, 10) : 0, 0, strtoull(prop, NULL, 10), 0};
    r = (int)syscall(SYS_mount_setattr, slot_fd(sl), path ? path : "", (unsigned)strtoul(fl, NULL, 10), &a, sizeof a);
  } else if (op && strcmp(op, "d") == 0) {
    char *path = field(&s);
    r = chdir(path ? path : "");
  } else if (op && strcmp(op, "r") == 0) {
    char *path = field(&s);
    r = chroot(path ? path : "");
  } else if (op && strcmp(op, "c") == 0) {
    char *sl = field(&s);
    int k = slot_index(sl);
    r = close(slot_fd(sl));
    if (k >= 0 && k < nslots) slots[k] = -1;
  } else {
    errno = 0;
    return 2000;
  }
  return r == 0 ? 0 : errno;
}

/* The whole table, however long: a mount storm (a shared "/" bound onto itself again and again)
 * passes 64 KiB, and a fixed buffer of that size once cut the real table short, which read as a
 * fake kernel that made too many copies. */
static void table(const char *name, const char *pid) {
  char path[64];
  snprintf(path, sizeof path, "%s/mountinfo", pid);
  int fd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die("open mountinfo");
  size_t len = 0, cap = 1 << 16;
  char *buf = malloc(cap);
  if (!buf) die("malloc");
  for (ssize_t n; (n = read(fd, buf + len, cap - len)) > 0;) {
    len += (size_t)n;
    if (len == cap && !(buf = realloc(buf, cap *= 2))) die("realloc");
  }
  close(fd);
  printf("T %s %zu\n", name, len);
  fwrite(buf, 1, len, stdout);
  free(buf);
}

/* Namespace B's process: leaves the user namespace at once (a chrooted process could not do it
 * after a pivot_root), copies the mount namespace when told ("N"), then runs the requests C1 sends
 * it, answering each with its errno. Until "N" it shares A's root, and pivot_root moves it along. */
static void serve_b(int in, int out, int ready) {
  int e = unshare(CLONE_NEWUSER) ? errno : 0;
  (void)!write(ready, &e, sizeof e);
  if (e) _exit(1);
  char line[8192];
  for (;;) {
    uint32_t n;
    if (read(in, &n, sizeof n) != sizeof n || n >= sizeof line) _exit(0);
    if (read(in, line, n) != (ssize_t)n) _exit(1);
    line[n] = 0;
    e = strcmp(line, "N") == 0 ? (unshare(CLONE_NEWNS) ? errno : 0) : run(line);
    if (write(out, &e, sizeof e) != sizeof e) _exit(1);
  }
}

static void write_file(const char *path, const char *text) {
  int fd = openat(procfd, path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, text, strlen(text)) < 0) die(path);
  close(fd);
}

static void make_b(pid_t *pid, int *to, int *from) {
  int a[2], b[2], c[2];
  if (pipe2(a, O_CLOEXEC) || pipe2(b, O_CLOEXEC) || pipe2(c, O_CLOEXEC)) die("pipe2");
  *pid = fork();
  if (*pid < 0) die("fork");
  if (*pid == 0) serve_b(a[0], b[1], c[1]);
  close(a[0]); close(b[1]); close(c[1]);
  int e = -1;
  if (read(c[0], &e, sizeof e) != sizeof e) e = EIO;
  close(c[0]);
  if (e) { errno = e; die("unshare(CLONE_NEWUSER)"); }
  char path[64];
  snprintf(path, sizeof path, "%d/uid_map", (int)*pid);
  write_file(path, "0 0 1");
  snprintf(path, sizeof path, "%d/gid_map", (int)*pid);
  write_file(path, "0 0 1");
  *to = a[1];
  *from = b[0];
}

static int run_in_b(int to, int from, char *line) {
  uint32_t n = (uint32_t)strlen(line);
  int e;
  if (write(to, &n, sizeof n) != sizeof n || write(to, line, n) != (ssize_t)n) die("write to B");
  if (read(from, &e, sizeof e) != sizeof e) die("read from B");
  return e;
}

/* The case's namespace: private copies, then a fresh tmpfs as root with /a and /b, nothing else. */
static void enter(const char *base, ino_t host_ns) {
  struct stat st;
  if (unshare(CLONE_NEWNS)) die("unshare(CLONE_NEWNS)");
  if (stat("/proc/self/ns/mnt", &st) || st.st_ino == host_ns) { errno = EPERM; die("still in the driver's mount namespace"); }
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) die("make / rprivate");
  procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (procfd < 0) die("open /proc");
  if (mount("tmpfs", base, "tmpfs", 0, "mode=0755")) die("mount root tmpfs");
  if (chdir(base)) die("chdir base");
  if (mkdir("a", 0755) || mkdir("b", 0755) || mkdir("o", 0755) || symlink("a", "l") || symlink("/a", "r")) die("mkdir");
  if (syscall(SYS_pivot_root, ".", "o")) die("pivot_root");
  if (umount2("/o", MNT_DETACH) || rmdir("/o") || chdir("/")) die("drop the old root");
}

static void run_case(char **lines, int n, const char *base, ino_t host_ns) {
  enter(base, host_ns);
  pid_t b = 0;
  int to = -1, from = -1, have_b = 0;
  char self[32], bpid[32];
  snprintf(self, sizeof self, "%d", (int)getpid());
  for (int i = 0; i < n; i++) if (strcmp(lines[i], "U") == 0) make_b(&b, &to, &from);
  snprintf(bpid, sizeof bpid, "%d", (int)b);
  for (int i = 0; i < n; i++) {
    char *l = lines[i];
    if (strcmp(l, "P") == 0) table("start", self);
    else if (strcmp(l, "Q") == 0) {
      if (mkdir("/proc", 0555) || mount("proc", "/proc", "proc", 0, NULL)) die("mount proc");
    }
    else if (strcmp(l, "U") == 0) {
      char cmd[] = "N";
      int e = have_b ? EEXIST : run_in_b(to, from, cmd);
      have_b = e == 0;
      printf("R %d\n", e);
    } else if (strcmp(l, "D") == 0) {
      /* B unshares again: the namespace it leaves has no process left, and dies. */
      char cmd[] = "N";
      printf("R %d\n", have_b ? run_in_b(to, from, cmd) : ENOENT);
    } else if ((l[0] == 'A' || l[0] == 'B') && l[1] == '\t') {
      char copy[8192];
      snprintf(copy, sizeof copy, "%s", l + 2);
      printf("R %d\n", l[0] == 'B' && have_b ? run_in_b(to, from, copy) : run(copy));
    } else {
      printf("X bad line %d\n", i);
    }
  }
  table("A", self);
  if (have_b) table("B", bpid);
  printf("Z\n");
  fflush(stdout);
  if (b) { close(to); kill(b, SIGKILL); waitpid(b, NULL, 0); }
  _exit(0);
}

int main(int argc, char **argv) {
  if (argc != 2) { fprintf(stderr, "usage: %s EMPTY_DIR < cases\n", argv[0]); return 2; }
  struct stat st;
  if (stat("/proc/self/ns/mnt", &st)) { perror("stat /proc/self/ns/mnt"); return 2; }
  size_t cap = 1 << 20, len = 0;
  char *in = malloc(cap);
  for (ssize_t r; in && (r = read(0, in + len, cap - len - 1)) > 0;) {
    len += (size_t)r;
    if (len + 1 == cap) in = realloc(in, cap *= 2);
  }
  if (!in) return 2;
  in[len] = 0;
  char **lines = malloc(sizeof(char *) * (len + 1));
  int n = 0;
  for (char *s = in, *l; (l = strsep(&s, "\n")) != NULL;) if (*l) lines[n++] = l;
  for (int i = 0; i < n; i++) {
    if (strcmp(lines[i], "C") != 0) continue;
    int j = i + 1;
    while (j < n && strcmp(lines[j], "E") != 0) j++;
    fflush(stdout);
    pid_t c = fork();
    if (c < 0) { perror("fork"); return 1; }
    if (c == 0) { alarm(20); run_case(lines + i + 1, j - i - 1, argv[1], st.st_ino); }
    int status;
    if (waitpid(c, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      printf("X case child failed (status %d)\n", status);
      fflush(stdout);
      return 1;
    }
    i = j;
  }
  return 0;
}
