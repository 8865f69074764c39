/* pivotshim-exec: the root switch without Node. A static binary around libpivotshim: new
 * namespaces (mount; user too with --rootless), the switch through ps_run behind the namespace
 * guard, then fd hygiene, signal resets and execve of the command, which replaces this process
 * (its exit status is the command's). It cannot run the TypeScript fake kernel, so it takes the
 * verification as input: --expect TRACE, a plan that `pivotshim plan --mountinfo
 * /proc/self/mountinfo --trace-out TRACE` verified (every invariant held), for this exact config;
 * the switch stops at the first result that leaves it. Exit codes as `pivotshim run`: 1 the
 * switch failed or was stopped, 2 bad usage or input, 3 the environment, 126 the command could
 * not be executed, 127 it was not found. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "expect.h"
#include "pivotshim.h"
#include "trace-out.h"

extern char **environ;

static const char *HELP =
  "usage: pivotshim-exec [options] -- COMMAND [ARG...]\n"
  "Switches the root in a new mount namespace as pivotshim run does, then executes COMMAND there.\n"
  "  --rootfs PATH            the new root (default /var/lib/pivotshim/rootfs)\n"
  "  --profile NAME           hardened (default), runc, runc-1.1, crun\n"
  "  --strategy NAME          auto (default), pivot, move, chroot\n"
  "  --root-propagation MODE  shared, rshared, slave, rslave, private, rprivate, unbindable, runbindable\n"
  "  --readonly               remount the new root read-only\n"
  "  --no-prepare             switch only: no propagation of /, parent walk or self bind\n"
  "  --no-self-bind           skip the self bind\n"
  "  --rootless               a user namespace too (uid 0 inside is you)\n"
  "  --expect TRACE           a verified plan: pivotshim plan --mountinfo /proc/self/mountinfo\n"
  "                           --trace-out TRACE, with the same options; the switch stops at the first\n"
  "                           result that leaves it\n"
  "  --no-verify              run without --expect (move and auto are refused without one)\n"
  "  --hostname NAME          a UTS namespace of its own, with this hostname set after the switch\n"
  "  --pid-ns                 a new PID namespace too: the command is its PID 1, this process stays\n"
  "                           outside as its init (signals sent to it are passed on)\n"
  "  --deadline MS            how long the command may run from its exec: then it is killed\n"
  "                           (SIGKILL), exit 124\n"
  "  --trace-out FILE         write the switch's trace as JSON (pivotshim run --trace-out's format);\n"
  "                           checked writable before anything acts\n"
  "  -e, --env KEY=VALUE      add to the command's environment (default PATH, HOME=/, TERM)\n"
  "  -h, --help               this text\n"
  "Not here (use pivotshim run): --timeout (nothing is waited on: the switch runs in this\n"
  "process), hooks; and the prediction itself, which needs the fake kernel: give it as --expect.\n";

static void die(int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("pivotshim-exec: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(code);
}

static int index_of(const char *s, const char *const *names, int n) {
  for (int i = 0; i < n; i++) if (!strcmp(s, names[i])) return i;
  return -1;
}

static const char *const PROFILES[] = PS_PROFILE_NAMES;
static const char *const STRATEGIES[] = PS_STRATEGY_NAMES;
static const char *const PROPAGATIONS[] = { "shared", "rshared", "slave", "rslave", "private", "rprivate", "unbindable", "runbindable" };
/* Each alone and with MS_REC, in PROPAGATIONS' order (the numbers: src/abi.ts). */
static const int PROPAGATION_FLAGS[] = { PS_MS_SHARED, PS_MS_SHARED | PS_MS_REC, PS_MS_SLAVE, PS_MS_SLAVE | PS_MS_REC,
                                         PS_MS_PRIVATE, PS_MS_PRIVATE | PS_MS_REC, PS_MS_UNBINDABLE, PS_MS_UNBINDABLE | PS_MS_REC };

enum { MAX_ENV = 256 };

static int write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = write(fd, text, strlen(text));
  close(fd);
  return n == (ssize_t)strlen(text) ? 0 : -1;
}

static char *read_all(const char *path, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  for (;;) {
    if (!buf) { close(fd); return NULL; }
    if (n == cap) {
      if (cap >= (size_t)64 << 20) { free(buf); close(fd); errno = EFBIG; return NULL; }
      char *more = realloc(buf, cap *= 2);
      if (!more) { free(buf); close(fd); return NULL; }
      buf = more;
    }
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) { int e = errno; free(buf); close(fd); errno = e; return NULL; }
    if (r == 0) break;
    n += (size_t)r;
  }
  close(fd);
  *len = n;
  return buf;
}

/* The expected trace must be a verified plan of this very config (docs/verify.md). */
static void check_expect(const char *file, const expect_trace *t, const char *rootfs, int profile, int strategy,
                         int prop, int readonly, int prepare, int self_bind) {
  if (t->version != 1) die(2, "--expect %s: trace version %d; this executor reads version 1", file, t->version);
  if (strcmp(t->host, "fake-kernel") != 0)
    die(2, "--expect %s: written by the %s host, not the fake kernel: nothing verified it; make it with pivotshim plan --mountinfo /proc/self/mountinfo --trace-out", file, t->host[0] ? t->host : "(no)");
  if (t->faults) die(2, "--expect %s: the plan has injected faults (--fail): it predicts a run with errors the kernel will not make", file);
  if (t->n_verdicts == 0) die(2, "--expect %s: the trace has no verdicts (written by an older pivotshim, or not by plan)", file);
  if (t->n_held != t->n_verdicts) die(1, "refused: --expect %s: the model found invariant %s violated: this plan would harm the host", file, t->violated);
  if (strcmp(t->outcome, "done") != 0) die(1, "refused: --expect %s: the verified plan ends %s, not done", file, t->outcome[0] ? t->outcome : "(none)");
  const char *want_prop = prop < 0 ? "" : PROPAGATIONS[prop];
  if (strcmp(t->rootfs, rootfs) || strcmp(t->profile, PROFILES[profile]) || strcmp(t->strategy, STRATEGIES[strategy]) ||
      strcmp(t->root_propagation, want_prop) || t->readonly != readonly || t->prepare != prepare || t->self_bind != self_bind)
    die(2, "--expect %s: planned for rootfs %s, profile %s, strategy %s%s%s%s%s%s; these options differ: plan again with the same ones",
        file, t->rootfs, t->profile, t->strategy, t->root_propagation[0] ? ", root propagation " : "", t->root_propagation,
        t->readonly == 1 ? ", readonly" : "", t->prepare == 0 ? ", no prepare" : "", t->self_bind == 0 ? ", no self bind" : "");
}

/* A rootfs that is, or lies below, a pseudo-filesystem (statfs f_type; src/run-input.ts, the same
 * rule and words as run): the kernel's own views, never a container's root. A prefix that cannot
 * be statfs'd ends the check; the switch reports what is wrong with it. */
static void refuse_pseudo_fs(const char *rootfs) {
  static const struct { unsigned long magic; const char *name; } PSEUDO[] = {
#define X(magic, name) { magic, name },
    PS_PSEUDO_FS_LIST(X)
#undef X
  };
  char path[PS_PATH_MAX];
  size_t n = strlen(rootfs);
  if (n >= sizeof path) return;  /* the machine refuses it as too long */
  for (size_t i = 1; i <= n; i++) {
    if (i < n && rootfs[i] != '/') continue;
    memcpy(path, rootfs, i);
    path[i] = 0;
    struct statfs st;
    if (statfs(path, &st) < 0) return;
    for (size_t k = 0; k < sizeof PSEUDO / sizeof PSEUDO[0]; k++) {
      if ((unsigned long)(unsigned)st.f_type != PSEUDO[k].magic) continue;
      if (i == n) die(2, "rootfs %s is on %s (statfs f_type 0x%lx), a pseudo-filesystem of the kernel: a root switch into it would expose the host; use a directory holding a root filesystem", rootfs, PSEUDO[k].name, PSEUDO[k].magic);
      die(2, "rootfs %s lies below %s, which is on %s (statfs f_type 0x%lx), a pseudo-filesystem of the kernel: a root switch into it would expose the host; use a directory holding a root filesystem", rootfs, path, PSEUDO[k].name, PSEUDO[k].magic);
    }
  }
}

/* Closes every fd above 2 and undoes inherited signal state, just before execve. */
static void hygiene(void) {
  if (syscall(SYS_close_range, 3U, ~0U, 0U) < 0) {
    long max = sysconf(_SC_OPEN_MAX);
    for (long fd = 3; fd < (max > 0 ? max : 1024); fd++) close((int)fd);
  }
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; s++) sigaction(s, &dfl, NULL);  /* KILL/STOP and the reserved ones just fail */
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
}

/* --trace-out's file: opened before anything acts, written once the switch ran. */
typedef struct {
  trace_steps *steps;
  int fd, dir;       /* the file, and its directory (O_PATH), valid after the root moves */
  const char *name;  /* its last component, to remove it from `dir` */
  int created;
} trace_out;

static void open_trace(const char *file, trace_out *out) {
  const char *slash = strrchr(file, '/');
  char dir[PS_PATH_MAX];
  if (slash && (size_t)(slash - file) >= sizeof dir) die(2, "--trace-out %s: the path is too long", file);
  if (slash) { memcpy(dir, file, (size_t)(slash - file)); dir[slash - file] = 0; }
  out->name = slash ? slash + 1 : file;
  out->dir = open(slash ? (slash == file ? "/" : dir) : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (out->dir < 0) die(2, "--trace-out %s: its directory: %s", file, strerror(errno));
  out->fd = openat(out->dir, out->name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  out->created = out->fd >= 0;
  if (out->fd < 0 && errno == EEXIST) out->fd = openat(out->dir, out->name, O_WRONLY | O_CLOEXEC);
  if (out->fd < 0) die(2, "--trace-out %s: %s", file, strerror(errno));
  struct stat st;
  if (fstat(out->fd, &st) < 0 || !S_ISREG(st.st_mode)) die(2, "--trace-out %s: not a regular file", file);
  /* Out of the plan's way: the switch's openat calls get the lowest free fds (3, 4...), as the
   * verified plan predicts them; these two must not take them (the executor's channel: >= 64). */
  for (int *fd = &out->fd; fd; fd = fd == &out->fd ? &out->dir : NULL) {
    int high = fcntl(*fd, F_DUPFD_CLOEXEC, 64);
    if (high < 0) die(3, "--trace-out %s: move its fd above 63 (F_DUPFD_CLOEXEC): %s", file, strerror(errno));
    close(*fd);
    *fd = high;
  }
  out->steps = trace_new();
  if (!out->steps) die(3, "--trace-out %s: out of memory", file);
}

/* No trace comes of this run: a file this created goes again; one that was there is untouched. */
static void drop_trace(trace_out *out) {
  if (!out->steps) return;
  if (out->created) unlinkat(out->dir, out->name, 0);
  close(out->fd);
  close(out->dir);
  trace_free(out->steps);
  out->steps = NULL;
}

static void write_trace(trace_out *out, const trace_config *c, const ps_outcome *o, int diverged, const char *why) {
  FILE *f = ftruncate(out->fd, 0) == 0 ? fdopen(out->fd, "w") : NULL;
  if (!f || trace_write(f, out->steps, c, o, diverged, why) < 0) die(3, "--trace-out: writing the trace: %s", strerror(errno));
  fclose(f);
  close(out->dir);
  trace_free(out->steps);
  out->steps = NULL;
}

/* execvp the command with its environment; returns only to die with run's codes (127 not found, 126). */
static void exec_command(char **argv, char **envp) {
  hygiene();
  environ = envp;
  execvp(argv[0], argv);
  int e = errno;
  die(e == ENOENT || e == ENOTDIR ? 127 : 126, "%s: %s", argv[0], strerror(e));
}

/* The command's status as this process's exit code: its own, or 128+N when signal N killed it. */
static int status_code(int st) {
  return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
}

/*
 * --pid-ns or --deadline: the command runs in a child (PID 1 of the new PID namespace with
 * --pid-ns), and this process waits outside as its init: every signal sent to it but SIGCHLD is
 * passed on, and past the deadline the command is killed (SIGKILL) and reaped: exit 124, as
 * pivotshim run --deadline. Otherwise it exits as the command did.
 */
static void supervise(char **argv, char **envp, long deadline_ms) {
  sigset_t all, was;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, &was);  /* from here signals are read, not delivered */
  pid_t pid = fork();
  if (pid < 0) die(3, "fork: %s", strerror(errno));
  if (pid == 0) exec_command(argv, envp);  /* hygiene() unblocks and resets */
  struct timespec end;
  clock_gettime(CLOCK_MONOTONIC, &end);
  end.tv_sec += deadline_ms / 1000;
  end.tv_nsec += (deadline_ms % 1000) * 1000000L;
  if (end.tv_nsec >= 1000000000L) end.tv_sec++, end.tv_nsec -= 1000000000L;
  for (;;) {
    int st;
    pid_t w = waitpid(pid, &st, WNOHANG);
    if (w == pid) exit(status_code(st));
    siginfo_t si;
    int sig;
    if (deadline_ms > 0) {
      struct timespec now, left;
      clock_gettime(CLOCK_MONOTONIC, &now);
      left.tv_sec = end.tv_sec - now.tv_sec;
      left.tv_nsec = end.tv_nsec - now.tv_nsec;
      if (left.tv_nsec < 0) left.tv_sec--, left.tv_nsec += 1000000000L;
      if (left.tv_sec < 0) left.tv_sec = 0, left.tv_nsec = 0;
      sig = sigtimedwait(&all, &si, &left);
      if (sig < 0 && errno == EAGAIN) {
        kill(pid, SIGKILL);
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
        die(124, "the command ran past --deadline %ld ms: killed (SIGKILL)", deadline_ms);
      }
    } else {
      sig = sigwaitinfo(&all, &si);
    }
    if (sig > 0 && sig != SIGCHLD) kill(pid, sig);
  }
}

int main(int argc, char **argv) {
  const char *rootfs = "/var/lib/pivotshim/rootfs", *expect_file = NULL;
  int profile = 0, strategy = 0, prop = -1, readonly = 0, prepare = 1, self_bind = 1, rootless = 0, no_verify = 0, pid_ns = 0;
  const char *hostname = NULL, *trace_file = NULL;
  long deadline_ms = 0;
  char *env[MAX_ENV + 4];
  int n_env = 0;
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define VALUE() (v ? (i++, v) : (die(2, "%s needs a value; see --help", a), ""))
    if (!strcmp(a, "--")) { i++; break; }
    else if (!strcmp(a, "-h") || !strcmp(a, "--help")) { fputs(HELP, stdout); return 0; }
    else if (!strcmp(a, "--rootfs")) rootfs = VALUE();
    else if (!strcmp(a, "--profile")) { const char *x = VALUE(); if ((profile = index_of(x, PROFILES, PS_PROFILE_COUNT)) < 0) die(2, "--profile %s: expected hardened, runc, runc-1.1 or crun", x); }
    else if (!strcmp(a, "--strategy")) { const char *x = VALUE(); if ((strategy = index_of(x, STRATEGIES, PS_STRATEGY_COUNT)) < 0) die(2, "--strategy %s: expected auto, pivot, move or chroot", x); }
    else if (!strcmp(a, "--root-propagation")) { const char *x = VALUE(); if ((prop = index_of(x, PROPAGATIONS, 8)) < 0) die(2, "--root-propagation %s: expected one of shared, rshared, slave, rslave, private, rprivate, unbindable, runbindable", x); }
    else if (!strcmp(a, "--readonly")) readonly = 1;
    else if (!strcmp(a, "--no-prepare")) prepare = 0;
    else if (!strcmp(a, "--no-self-bind")) self_bind = 0;
    else if (!strcmp(a, "--rootless")) rootless = 1;
    else if (!strcmp(a, "--no-verify")) no_verify = 1;
    else if (!strcmp(a, "--expect")) expect_file = VALUE();
    else if (!strcmp(a, "--pid-ns")) pid_ns = 1;
    else if (!strcmp(a, "--trace-out")) trace_file = VALUE();
    else if (!strcmp(a, "--hostname")) {
      hostname = VALUE();
      /* sethostname(2) takes 1 to HOST_NAME_MAX (64) bytes */
      if (hostname[0] == 0 || strlen(hostname) > 64) die(2, "--hostname %s: expected 1 to 64 bytes (HOST_NAME_MAX)", hostname);
    } else if (!strcmp(a, "--deadline")) {
      const char *x = VALUE();
      char *rest;
      errno = 0;
      deadline_ms = strtol(x, &rest, 10);
      /* the same bound as run's --deadline (src/abi.ts MAX_TIMEOUT_MS) */
      if (errno || *rest || rest == x || deadline_ms < 1 || deadline_ms > 2147483647L)
        die(2, "--deadline %s: expected a whole number of milliseconds from 1 to 2147483647", x);
    }
    else if (!strcmp(a, "-e") || !strcmp(a, "--env")) {
      const char *x = VALUE();
      if (!strchr(x, '=') || x[0] == '=') die(2, "%s %s: expected KEY=VALUE", a, x);
      if (n_env >= MAX_ENV) die(2, "more than %d environment entries", MAX_ENV);
      env[n_env++] = (char *)x;
    } else die(2, "unknown option %s; see --help", a);
#undef VALUE
  }
  if (i >= argc) die(2, "no command: pivotshim-exec [options] -- COMMAND [ARG...]");
  if (rootfs[0] != '/') die(2, "--rootfs %s: expected an absolute path", rootfs);
  if (expect_file && no_verify) die(2, "--expect and --no-verify contradict each other: choose one");
  refuse_pseudo_fs(rootfs);
  int risky = !strcmp(STRATEGIES[strategy], "move") || !strcmp(STRATEGIES[strategy], "auto");
  if (!expect_file && !no_verify && risky)
    die(2, "refused: --strategy %s can harm the caller's namespace (docs/verify.md); give a verified plan with --expect TRACE, or --no-verify", STRATEGIES[strategy]);

  /* Everything about the input is checked before anything acts. */
  static expect_trace t;
  if (expect_file) {
    size_t len = 0;
    char *text = read_all(expect_file, &len);
    if (!text) die(2, "--expect %s: %s", expect_file, strerror(errno));
    const char *bad = expect_parse(text, len, &t);
    if (bad) die(2, "--expect %s: not a trace: expected %s at byte %zu", expect_file, bad, t.error_at);
    free(text);
    check_expect(expect_file, &t, rootfs, profile, strategy, prop, readonly, prepare, self_bind);
  }
  int options = (readonly ? PS_OPT_READONLY : 0) | (prepare ? 0 : PS_OPT_NO_PREPARE) | (self_bind ? 0 : PS_OPT_NO_SELF_BIND);
  /* --trace-out: writable, checked now; written after the switch (the file is not truncated
   * before, and one this created is removed again when no trace comes of the run). */
  trace_out out = { NULL, -1, -1, NULL, 0 };
  if (trace_file) open_trace(trace_file, &out);
  ps_machine *m = ps_new();
  if (!m) die(3, "cannot create the machine (out of memory)");

  struct stat ns;
  if (stat("/proc/self/ns/mnt", &ns) < 0) die(3, "stat /proc/self/ns/mnt: %s (is /proc mounted?)", strerror(errno));
  uid_t uid = getuid();
  gid_t gid = getgid();
  /* CLONE_NEWPID takes effect for the children made later: the command's (supervise). */
  int extra = (pid_ns ? CLONE_NEWPID : 0) | (hostname ? CLONE_NEWUTS : 0);
  if (rootless) {
    char map[64];
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS | extra) < 0) die(3, "unshare(CLONE_NEWUSER|CLONE_NEWNS%s%s): %s", pid_ns ? "|CLONE_NEWPID" : "", hostname ? "|CLONE_NEWUTS" : "", strerror(errno));
    if (write_file("/proc/self/setgroups", "deny") < 0) die(3, "write /proc/self/setgroups: %s", strerror(errno));
    snprintf(map, sizeof map, "0 %u 1\n", (unsigned)uid);
    if (write_file("/proc/self/uid_map", map) < 0) die(3, "write /proc/self/uid_map: %s", strerror(errno));
    snprintf(map, sizeof map, "0 %u 1\n", (unsigned)gid);
    if (write_file("/proc/self/gid_map", map) < 0) die(3, "write /proc/self/gid_map: %s", strerror(errno));
  } else if (unshare(CLONE_NEWNS | extra) < 0) {
    die(3, "unshare(CLONE_NEWNS%s%s): %s (root needed, or --rootless)", pid_ns ? "|CLONE_NEWPID" : "", hostname ? "|CLONE_NEWUTS" : "", strerror(errno));
  }

  ps_outcome o;
  int32_t at = -1;
  int r = ps_run(m, rootfs, strlen(rootfs), profile, strategy, prop < 0 ? 0 : PROPAGATION_FLAGS[prop], options,
                 (unsigned long)ns.st_dev, (unsigned long)ns.st_ino, expect_file ? t.steps : NULL, t.n_steps, &at,
                 NULL, out.steps ? trace_step : NULL, out.steps, &o);
  if (r == PS_REFUSED) { drop_trace(&out); die(3, "still in the caller's mount namespace: nothing was run"); }
  if (r == PS_TRAPPED) { drop_trace(&out); die(70, "the machine trapped: %s (a bug in pivotshim, please report it)", ps_trap_message(m)); }
  if (r == PS_STOPPED) die(3, "--trace-out %s: out of memory recording request %d; the switch stopped there", trace_file, at);
  trace_config tc = { rootfs, PROFILES[profile], STRATEGIES[strategy], prop < 0 ? NULL : PROPAGATIONS[prop], readonly, prepare, self_bind };
  char why[512];
  snprintf(why, sizeof why, "stopped: the result of request %d left the verified plan (--expect %s); nothing after it ran", at, expect_file ? expect_file : "");
  if (out.steps) write_trace(&out, &tc, &o, r == PS_DIVERGED ? at : -1, why);
  if (r == PS_DIVERGED) die(1, "%s", why);
  if (r == 1) die(2, "%.*s", (int)o.message.len, o.message.ptr);
  if (!o.done) die(1, "%.*s", (int)o.message.len, o.message.ptr ? o.message.ptr : "");
  if (expect_file) {
    /* Done with fewer requests than the plan is leaving it too (next() repeats the terminal block,
     * whose seq is the number of requests made: docs/ABI.md §6). */
    ps_request end;
    ps_next(m, &end);
    if ((size_t)end.seq != t.n_steps) die(1, "stopped: the switch ended after %d requests, the verified plan after %zu", end.seq, t.n_steps);
  }
  ps_free(m);
  /* In the UTS namespace of its own unshared above: never the host's name. */
  if (hostname && sethostname(hostname, strlen(hostname)) < 0) die(1, "sethostname %s: %s", hostname, strerror(errno));

  const char *term = getenv("TERM");
  char termvar[256];
  char *envp[MAX_ENV + 4];
  int n = 0;
  envp[n++] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  envp[n++] = "HOME=/";
  if (term && snprintf(termvar, sizeof termvar, "TERM=%s", term) < (int)sizeof termvar) envp[n++] = termvar;
  for (int k = 0; k < n_env; k++) {
    size_t key = (size_t)(strchr(env[k], '=') - env[k]);
    int j = 0;
    while (j < n && !(strncmp(envp[j], env[k], key + 1) == 0)) j++;
    envp[j] = env[k];  /* -e KEY=... replaces a default KEY */
    if (j == n) n++;
  }
  envp[n] = NULL;
  if (pid_ns || deadline_ms > 0) supervise(argv + i, envp, deadline_ms);
  exec_command(argv + i, envp);
  return 127;
}
