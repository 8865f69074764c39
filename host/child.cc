// The executor child (see child.h). Everything here is async-signal-safe: raw syscalls on static
// buffers allocated at load time. No malloc, no stdio, no exceptions, no locks.
// The child refuses every request unless it has left the parent's mount namespace.
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>

#include "abi_ops.h"

#include "syscall-numbers.h"
#include "child-auto.h"
#include "wire.h"

namespace {

// Static, so the child never allocates.
unsigned char g_in[wire::kMaxFrame];
unsigned char g_out[wire::kMaxReply];
char g_arena[wire::kMaxFrame + wire::kMaxStrings];
char* g_str[wire::kMaxStrings + 2];  // decoded strings, NULL kept as nullptr; +2 for argv/env ends
uint32_t g_nstr;
uint32_t g_in_len;  // payload length of the frame in g_in

struct Decoded {
  uint32_t op;
  int32_t fd;
  uint32_t flags;
  uint32_t count;
  uint32_t mode;
};

uint32_t get_u32(const unsigned char* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

void put_u32(unsigned char* p, uint32_t v) {
  p[0] = v & 0xff, p[1] = (v >> 8) & 0xff, p[2] = (v >> 16) & 0xff, p[3] = v >> 24;
}

bool read_full(int fd, unsigned char* buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, buf + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    got += size_t(r);
  }
  return true;
}

/**
 * Sends the length and the frame as one sendmsg, looping over short sends. Two sends woke the
 * parent on the 4-byte length, and on a busy machine the woken parent took the CPU before this
 * child sent the rest (strace -T of one autonomous run: 246 µs between the two sends).
 */
bool send_frame(int fd, const unsigned char* head, size_t head_n, const unsigned char* body, size_t body_n) {
  size_t put = 0, total = head_n + body_n;
  while (put < total) {
    struct iovec v[2];
    int n = 0;
    if (put < head_n) v[n++] = {const_cast<unsigned char*>(head + put), head_n - put};
    size_t from = put < head_n ? 0 : put - head_n;
    v[n++] = {const_cast<unsigned char*>(body + from), body_n - from};
    struct msghdr m = {};
    m.msg_iov = v;
    m.msg_iovlen = size_t(n);
    // MSG_NOSIGNAL: a parent that went away must not kill us with SIGPIPE mid-reply.
    ssize_t r = sendmsg(fd, &m, MSG_NOSIGNAL);  // async-signal-safe (POSIX), like send
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    put += size_t(r);
  }
  return true;
}

/** Sends one reply frame from `buf`: header from kind/ret/err, then `len` data bytes already in it. */
void reply_from(unsigned char* buf, int sock, uint32_t kind, int32_t ret, int32_t err, uint32_t len) {
  unsigned char head[wire::kLenSize];
  put_u32(head, wire::kRepHeader + len);
  put_u32(buf + wire::kRepKind, kind);
  put_u32(buf + wire::kRepRet, uint32_t(ret));
  put_u32(buf + wire::kRepErrno, uint32_t(err));
  if (!send_frame(sock, head, sizeof head, buf, wire::kRepHeader + len))
    _exit(wire::kExitChannelLost);  // the parent's end is gone: nothing left to serve
}

/** Sends one reply frame: header from kind/ret/err, then `len` data bytes already in g_out. */
void reply(int sock, uint32_t kind, int32_t ret, int32_t err, uint32_t len = 0) {
  reply_from(g_out, sock, kind, ret, err, len);
}

uint32_t put_text(const char* s) {
  uint32_t n = 0;
  while (s[n] && n < wire::kMaxData) g_out[wire::kRepHeader + n] = s[n], n++;
  return n;
}

/** Decodes one request payload (p, len) into d; strings land NUL-terminated in g_arena. */
bool decode(const unsigned char* p, uint32_t len, Decoded& d) {
  if (len < wire::kReqHeader) return false;
  d = {get_u32(p + wire::kReqOp), int32_t(get_u32(p + wire::kReqFd)), get_u32(p + wire::kReqFlags),
       get_u32(p + wire::kReqCount), get_u32(p + wire::kReqMode)};
  g_nstr = get_u32(p + wire::kReqNstr);
  if (g_nstr > wire::kMaxStrings) return false;
  uint32_t at = wire::kReqHeader, out = 0;
  for (uint32_t i = 0; i < g_nstr; i++) {
    if (at + 4 > len) return false;
    int32_t n = int32_t(get_u32(p + at));
    at += 4;
    if (n < 0) { g_str[i] = nullptr; continue; }
    if (uint32_t(n) > len - at) return false;
    g_str[i] = g_arena + out;
    memcpy(g_arena + out, p + at, size_t(n));  // memcpy is async-signal-safe (POSIX 2016)
    out += uint32_t(n);
    g_arena[out++] = '\0';
    at += uint32_t(n);
  }
  return true;
}

/** Reads and decodes one frame into g_in; false on EOF. */
bool next_frame(int sock, Decoded& d, bool& malformed) {
  unsigned char head[wire::kLenSize];
  malformed = false;
  if (!read_full(sock, head, sizeof head)) return false;
  uint32_t len = get_u32(head);
  if (len < wire::kReqHeader || len > wire::kMaxFrame) {  // framing is lost for good: say so, go
    reply(sock, wire::kProtocol, -1, EINVAL);
    _exit(wire::kExitFraming);
  }
  if (!read_full(sock, g_in, len)) return false;
  g_in_len = len;
  malformed = !decode(g_in, len, d);
  return true;
}

const char* str(uint32_t i) { return i < g_nstr ? g_str[i] : nullptr; }

/** One syscall, raw: no libc wrapper decides anything for us. read/getcwd write into `data`. */
long run_syscall(const Decoded& d, int sock, uint32_t& data_len, unsigned char* data) {
  data_len = 0;
  size_t count = d.count < wire::kMaxData ? d.count : wire::kMaxData;  // a short read is legal
  switch (d.op) {
    case PS_OP_openat: return syscall(SYS_openat, d.fd, str(0), d.flags, d.mode);
    case PS_OP_read: {
      if (d.fd == sock) return errno = EBADF, -1;  // the channel is not the machine's fd
      long r = syscall(SYS_read, d.fd, data, count);
      if (r > 0) data_len = uint32_t(r);
      return r;
    }
    case PS_OP_close:
      if (d.fd == sock) return errno = EBADF, -1;
      return syscall(SYS_close, d.fd);
    case PS_OP_fchdir: return syscall(SYS_fchdir, d.fd);
    case PS_OP_chdir: return syscall(SYS_chdir, str(0));
    case PS_OP_chroot: return syscall(SYS_chroot, str(0));
    case PS_OP_pivot_root: return syscall(SYS_pivot_root, str(0), str(1));
    case PS_OP_mount:
      return syscall(SYS_mount, str(0), str(1), str(2), (unsigned long)d.flags, str(3));
    case PS_OP_umount2: return syscall(SYS_umount2, str(0), d.flags);
    case PS_OP_sethostname: return str(0) ? syscall(SYS_sethostname, str(0), strlen(str(0))) : (errno = EFAULT, -1);
    // ABI 4: mkdir(2) itself where the architecture has it (x86-64: strace then shows the call the
    // plan names), else mkdirat(AT_FDCWD, ...), which is the same call (arm64 has only mkdirat).
#ifdef SYS_mkdir
    case PS_OP_mkdir: return syscall(SYS_mkdir, str(0), (mode_t)d.mode);
#else
    case PS_OP_mkdir: return syscall(SYS_mkdirat, AT_FDCWD, str(0), (mode_t)d.mode);
#endif
    // ABI 5 (LXC): the new mount API and openat2, raw. struct open_how is three u64s (linux/openat2.h,
    // written out so no header of a given libc is needed); resolve rides in the frame's count field,
    // move_mount's to_dirfd in its mode field (native-frames.ts requestFrame).
    case PS_OP_openat2: {
      struct { uint64_t flags, mode, resolve; } how = {d.flags, d.mode, d.count};
      return syscall(SYS_openat2, d.fd, str(0), &how, sizeof how);
    }
    case PS_OP_open_tree: return syscall(SYS_open_tree, d.fd, str(0), (unsigned)d.flags);
    case PS_OP_move_mount: return syscall(SYS_move_mount, d.fd, str(0), int32_t(d.mode), str(1), (unsigned)d.flags);
    // ABI 6 (crun 1.29): setns's nstype rides in the flags field; mount_setattr's struct mount_attr
    // (four u64s, linux/mount.h, written out) takes attr_set from the mode field and propagation from
    // the count field; attr_clr and userns_fd are 0 (native-frames.ts requestFrame).
    case PS_OP_setns: return syscall(SYS_setns, d.fd, d.flags);
    case PS_OP_mount_setattr: {
      struct { uint64_t attr_set, attr_clr, propagation, userns_fd; } attr = {uint32_t(d.mode), 0, d.count, 0};
      return syscall(SYS_mount_setattr, d.fd, str(0), (unsigned)d.flags, &attr, sizeof attr);
    }
    case PS_OP_getcwd: {
      long r = syscall(SYS_getcwd, data, count);  // returns the length including the NUL
      if (r > 0) data_len = uint32_t(r);
      return r;
    }
    default: return errno = ENOSYS, -1;
  }
}

/** chdir(cwd) if given, then execve; returns only on failure, with errno set. */
const char* exec_command(const Decoded& d, const ChildPlan& plan) {
  uint32_t argc = d.count;
  // Path and cwd, then argc strings: compared by subtraction, since 2 + argc wraps for a forged
  // count near 2^32 (and then argv would end before it starts and envp point inside it).
  if (g_nstr < 2 || argc > g_nstr - 2 || !str(0)) return errno = EINVAL, "request";
  // argv and env are contiguous in g_str: shift env up one slot to end argv with NULL.
  for (uint32_t i = g_nstr; i > 2 + argc; i--) g_str[i] = g_str[i - 1];
  g_str[2 + argc] = nullptr;
  g_str[g_nstr + 1] = nullptr;
  char* const* argv = g_str + 2;
  char* const* envp = g_str + 3 + argc;
  if (str(1) && syscall(SYS_chdir, str(1)) < 0) return "chdir";
  // Dispositions were reset at start (SIG_IGN would survive execve, e.g. Node's SIGPIPE);
  // the mask is set again to what the Node thread had, in case a request changed nothing else.
  sigprocmask(SIG_SETMASK, &plan.exec_mask, nullptr);
  syscall(SYS_execve, str(0), argv, envp);
  return "execve";
}

/** How the command ended, as this process's own end: the same code, or the same signal. */
[[noreturn]] void end_as(int status) {
  if (WIFEXITED(status)) _exit(WEXITSTATUS(status));
  int sig = WIFSIGNALED(status) ? WTERMSIG(status) : SIGKILL;
  struct rlimit none = {0, 0};
  setrlimit(RLIMIT_CORE, &none);  // the command's core (if any) is its own; ours would be noise
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigaction(sig, &dfl, nullptr);
  sigset_t one;
  sigemptyset(&one);
  sigaddset(&one, sig);
  sigprocmask(SIG_UNBLOCK, &one, nullptr);
  kill(getpid(), sig);
  _exit(128 + sig);  // a signal whose default is not to end (the command was stopped for good?)
}

/**
 * The executor as the minimal init outside the command's PID namespace, after its exec: a
 * subreaper that forwards the signals a process sends it to the command, reaps (the command, then
 * whatever the kernel kills when a namespace's PID 1 ends) and ends as the command ended. Signals
 * a terminal sends already reach the command (one process group), so only si_code <= 0 (kill,
 * sigqueue, tgkill) are forwarded. As in any PID namespace, its PID 1 gets only the signals it
 * handles, besides SIGKILL and SIGSTOP (pid_namespaces(7)).
 */
[[noreturn]] void init_outside(pid_t cmd) {
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  sigset_t all;
  sigfillset(&all);
  int status = 0;
  bool ended = false;
  for (;;) {
    siginfo_t si;
    int sig = sigwaitinfo(&all, &si);
    if (sig < 0) continue;  // EINTR
    if (sig != SIGCHLD) {
      if (!ended && si.si_code <= 0) kill(cmd, sig);
      continue;
    }
    for (;;) {
      int w;
      pid_t p = waitpid(-1, &w, WNOHANG);
      if (p == cmd) status = w, ended = true;
      if (p > 0) continue;
      if (p < 0 && errno == ECHILD && ended) end_as(status);
      break;
    }
  }
}

/**
 * plan.pid_ns, at the first exec request: the executor forks the command's PID 1 of the namespace
 * unshared at set-up, and the two part ways. The child takes over the channel and serves on: it
 * runs this exec request and, when one fails, the next (a PATH search), since a PID namespace whose
 * PID 1 has exited takes no new process (fork gets ENOMEM). The parent closes its end of the
 * channel and becomes init_outside(); Node sees the same EOF on a successful exec as without a
 * PID namespace. The child dies with the parent (PR_SET_PDEATHSIG), checked through a pipe in
 * case the parent died before prctl took hold. Returns nullptr in the child, or the failed step.
 */
const char* become_pid1(int sock) {
  int life[2];
  if (pipe2(life, O_CLOEXEC) < 0) return "pipe2 (liveness)";
  sigset_t all, was;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, &was);  // the parent handles nothing from now on: init_outside waits
  long pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);  // fork() without the parent's atfork handlers
  if (pid < 0) {
    int e = errno;
    sigprocmask(SIG_SETMASK, &was, nullptr);
    close(life[0]), close(life[1]);
    return errno = e, "clone (the command as PID 1)";
  }
  if (pid > 0) {
    close(sock), close(life[0]);
    init_outside(pid_t(pid));
  }
  sigprocmask(SIG_SETMASK, &was, nullptr);
  close(life[1]);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  struct pollfd pf = {life[0], POLLIN, 0};
  if (poll(&pf, 1, 0) != 0) _exit(wire::kExitParentGone);  // the parent's end is gone: it died
  close(life[0]);
  return nullptr;
}

void reset_signals() {
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; sig++) sigaction(sig, &dfl, nullptr);  // EINVAL for 9/19: fine
}

/** close_range(2) (Linux 5.9); before that, close() each fd below RLIMIT_NOFILE. */
bool close_from_to(unsigned first, unsigned last) {
  if (syscall(SYS_close_range, first, last, 0) == 0) return true;
  if (errno != ENOSYS) return false;
  struct rlimit lim;
  if (getrlimit(RLIMIT_NOFILE, &lim) < 0) return false;
  for (unsigned fd = first; fd <= last && fd < lim.rlim_cur; fd++) close(int(fd));
  return true;
}

/**
 * Moves the channel to a high fd, installs stdio, closes everything else. Returns nullptr, or the
 * step that failed with errno set. *sock is the channel to report on in either case: the moved
 * one, or the parent's plan.sock while the move itself has not happened.
 */
const char* arrange_fds(const ChildPlan& plan, int* sock) {
  static const char* const kCopy[3] = {"copy stdio[0] above the channel (F_DUPFD_CLOEXEC)",
    "copy stdio[1] above the channel (F_DUPFD_CLOEXEC)", "copy stdio[2] above the channel (F_DUPFD_CLOEXEC)"};
  static const char* const kInstall[3] = {"install stdio[0] as fd 0 (dup2)",
    "install stdio[1] as fd 1 (dup2)", "install stdio[2] as fd 2 (dup2)"};
  *sock = plan.sock;
  // With RLIMIT_NOFILE <= kChannelFdMin there is no fd that high (EINVAL): say so on the channel.
  int moved = fcntl(plan.sock, F_DUPFD_CLOEXEC, wire::kChannelFdMin);
  if (moved < 0) return "move the channel above wire::kChannelFdMin (F_DUPFD_CLOEXEC)";
  *sock = moved;
  int tmp[3];
  for (int i = 0; i < 3; i++) {  // copy first, so [1, 0, 2] style permutations work
    tmp[i] = plan.stdio[i] < 0 ? -1 : fcntl(plan.stdio[i], F_DUPFD_CLOEXEC, wire::kChannelFdMin);
    if (plan.stdio[i] >= 0 && tmp[i] < 0) return kCopy[i];
  }
  for (int i = 0; i < 3; i++) {
    if (tmp[i] >= 0 && dup2(tmp[i], i) < 0) return kInstall[i];  // dup2 clears FD_CLOEXEC on 0..2
    // An fd i kept as it is (stdio[i] = -1) came through this program's own execve, so it is not
    // close-on-exec: Node marks its 0-2 FD_CLOEXEC, and the addon's exec_child clears that first.
  }
  if (!close_from_to(3, unsigned(moved) - 1) || !close_from_to(unsigned(moved) + 1, ~0U))
    return "close the inherited fds (close_range)";
  return nullptr;
}

bool write_file(const char* path, const char* text) {
  int fd = int(syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CLOEXEC));
  if (fd < 0) return false;
  size_t n = strlen(text);
  bool ok = write(fd, text, n) == ssize_t(n);
  int err = errno;
  close(fd);
  errno = err;
  return ok;
}

/** "0 <id> 1\n" into buf, without snprintf. */
const char* id_map(char* buf, unsigned id) {
  char digits[16];
  int n = 0;
  do digits[n++] = char('0' + id % 10), id /= 10; while (id);
  int at = 0;
  buf[at++] = '0', buf[at++] = ' ';
  while (n) buf[at++] = digits[--n];
  buf[at++] = ' ', buf[at++] = '1', buf[at++] = '\n', buf[at] = '\0';
  return buf;
}

/** Leaves the parent's namespaces. Returns nullptr on success, else the step that failed. */
const char* enter_namespaces(const ChildPlan& plan) {
  char buf[32];
  // CLONE_NEWPID affects only the children made later: the command's (exec_as_pid1).
  int extra = (plan.pid_ns ? CLONE_NEWPID : 0) | (plan.uts ? CLONE_NEWUTS : 0);
  if (plan.rootless) {
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS | extra) < 0) return "unshare(CLONE_NEWUSER|CLONE_NEWNS, with the PID/UTS namespaces asked for)";
    if (!write_file("/proc/self/setgroups", "deny")) return "write /proc/self/setgroups";
    if (!write_file("/proc/self/uid_map", id_map(buf, plan.uid))) return "write /proc/self/uid_map";
    if (!write_file("/proc/self/gid_map", id_map(buf, plan.gid))) return "write /proc/self/gid_map";
  } else if (unshare(CLONE_NEWNS | extra) < 0) {
    return extra ? "unshare(CLONE_NEWNS, with the PID/UTS namespaces asked for)" : "unshare(CLONE_NEWNS)";
  }
  struct stat st;
  if (stat("/proc/self/ns/mnt", &st) < 0) return "stat /proc/self/ns/mnt";
  if (st.st_dev == plan.parent_ns_dev && st.st_ino == plan.parent_ns_ino)
    return errno = EPERM, "mount namespace check";
  return nullptr;
}

bool is_syscall_op(uint32_t op) {
#define X(name) if (op == PS_OP_##name) return true;
  PS_OP_LIST(X)
#undef X
  return false;
}

/** Entry i of the batch in g_in: where its request payload starts and how long it is. */
struct Entry { uint32_t at; uint32_t len; };

/** Walks the batch's entries; false if one is out of bounds, malformed, or not a syscall. */
bool check_batch(uint32_t count, uint32_t total) {
  if (count == 0 || count > wire::kMaxBatch || total > wire::kMaxBatchFrame) return false;
  if (get_u32(g_in + wire::kReqNstr) != 0) return false;
  uint32_t at = wire::kReqHeader;
  Decoded d;
  for (uint32_t i = 0; i < count; i++) {
    if (total - at < wire::kBatEntHeader + wire::kLenSize) return false;
    uint32_t len = get_u32(g_in + at + wire::kBatEntHeader);
    at += wire::kBatEntHeader + wire::kLenSize;
    if (len > total - at || !decode(g_in + at, len, d) || !is_syscall_op(d.op)) return false;
    at += len;
  }
  return at == total;
}

long elapsed_ns(const struct timespec& a, const struct timespec& b) {
  return (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec);
}

/**
 * Runs a checked batch (wire.h, kOpBatch): each request is one syscall, in order, until the first
 * surprise (a result other than the expected one), a read/getcwd, or the end. Replies once.
 */
void run_batch(int sock, uint32_t count) {
  unsigned char* out = g_out + wire::kRepHeader + wire::kBatRepHeader;
  uint32_t at = wire::kReqHeader, n = 0;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);  // async-signal-safe (POSIX)
  while (n < count) {
    const unsigned char* e = g_in + at;
    uint32_t len = get_u32(e + wire::kBatEntHeader);
    at += wire::kBatEntHeader + wire::kLenSize;
    Decoded d;
    decode(g_in + at, len, d);  // cannot fail: check_batch decoded it already
    at += len;
    uint32_t data_len = 0;
    long r = run_syscall(d, sock, data_len, out + wire::kBatResHeader);
    int err = r < 0 ? errno : 0;
    put_u32(out + wire::kBatResRet, uint32_t(int32_t(r)));
    put_u32(out + wire::kBatResErrno, uint32_t(err));
    put_u32(out + wire::kBatResLen, data_len);
    out += wire::kBatResHeader + data_len;
    n++;
    bool any = get_u32(e + wire::kBatEntAny) != 0;
    bool expected = int32_t(get_u32(e + wire::kBatEntRet)) == int32_t(r) && int32_t(get_u32(e + wire::kBatEntErrno)) == err;
    if (!(any || expected) || d.op == PS_OP_read || d.op == PS_OP_getcwd) break;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  uint64_t ns = uint64_t(elapsed_ns(t0, t1));
  put_u32(g_out + wire::kRepHeader + wire::kBatRepNs, uint32_t(ns));
  put_u32(g_out + wire::kRepHeader + wire::kBatRepNs + 4, uint32_t(ns >> 32));
  reply(sock, wire::kBatch, int32_t(n), 0, uint32_t(out - (g_out + wire::kRepHeader)));
}

/** The kAuto reply (every byte of mountinfo a run can read, and the records): static, as g_out. */
unsigned char g_auto[wire::kRepHeader + wire::kMaxAutoData];

/**
 * Autonomous mode (wire.h kOpAuto): checks the whole frame, then runs the switch in this process
 * on the C machine (child-auto.cc) behind the namespace guard, and replies once. A frame that
 * does not parse exactly runs nothing (kProtocol).
 */
void run_auto(int sock, const Decoded& d, const ChildPlan& plan) {
  if (auto_sha256() == nullptr) return reply(sock, wire::kProtocol, -1, ENOSYS);  // built without the C machine
  uint32_t at = wire::kReqHeader;
  if (g_nstr != 1 || !g_str[0] || g_in_len - at < 4) return reply(sock, wire::kProtocol, -1, EINVAL);
  uint32_t n = get_u32(g_in + at);  // decode() checked that the string fits
  at += 4 + n;
  if (g_in_len - at < wire::kAutoTail || d.count > wire::kMaxAutoExpect || g_in_len - at - wire::kAutoTail < 8 * d.count)
    return reply(sock, wire::kProtocol, -1, EINVAL);
  bool has_expect = get_u32(g_in + at + 4) != 0;
  if (!has_expect && d.count != 0) return reply(sock, wire::kProtocol, -1, EINVAL);
  // The predicted requests: count entries [u32 len][payload], up to the frame's end exactly.
  uint32_t req = at + wire::kAutoTail + 8 * d.count, end = req;
  for (uint32_t i = 0; i < d.count; i++) {
    if (g_in_len - end < 4) return reply(sock, wire::kProtocol, -1, EINVAL);
    uint32_t len = get_u32(g_in + end);
    if (len < wire::kReqHeader || len > g_in_len - end - 4) return reply(sock, wire::kProtocol, -1, EINVAL);
    end += 4 + len;
  }
  if (end != g_in_len) return reply(sock, wire::kProtocol, -1, EINVAL);
  AutoArgs a{};
  a.rootfs = g_str[0], a.rootfs_len = n;
  a.profile = int(d.fd), a.strategy = int(d.mode), a.options = int(d.flags);
  a.root_propagation = int(get_u32(g_in + at));
  a.has_expect = has_expect;
  a.expect = g_in + at + wire::kAutoTail, a.n_expect = d.count;
  a.requests = g_in + req;
  a.guard_dev = (unsigned long)plan.parent_ns_dev, a.guard_ino = (unsigned long)plan.parent_ns_ino;
  int32_t status = 0, stopped = -1;
  uint32_t len = auto_run(a, g_auto + wire::kRepHeader, wire::kMaxAutoData, &status, &stopped);
  reply_from(g_auto, sock, wire::kAuto, status, stopped, len);
}

[[noreturn]] void serve(int sock, const ChildPlan& plan, bool refuse) {
  Decoded d;
  bool bad;
  bool paused = false;
  bool pid1 = false;  // plan.pid_ns: this process is the command's PID 1 (become_pid1 forked it)
  while (next_frame(sock, d, bad)) {
    uint32_t len = 0;
    if (d.op == wire::kOpQuit) _exit(0);
    if (bad) { reply(sock, wire::kProtocol, -1, EINVAL); continue; }
    if (paused) {
      if (d.op != wire::kOpResume) { reply(sock, wire::kProtocol, -1, EINVAL); continue; }
      paused = false;
      reply(sock, wire::kResumed, 0, 0);
      continue;
    }
    if (refuse) { reply(sock, wire::kRefused, -1, EPERM); continue; }
    if (d.op == wire::kOpPause) {
      paused = true;
      reply(sock, wire::kPaused, int32_t(getpid()), 0);
    } else if (d.op == wire::kOpResume) {
      reply(sock, wire::kProtocol, -1, EINVAL);
    } else if (d.op == wire::kOpBatch) {
      if (!check_batch(d.count, g_in_len)) reply(sock, wire::kProtocol, -1, EINVAL);
      else run_batch(sock, d.count);
    } else if (d.op == wire::kOpAuto) {
      run_auto(sock, d, plan);
    } else if (d.op == wire::kOpExec) {
      const char* what = nullptr;
      if (plan.pid_ns && !pid1) what = become_pid1(sock), pid1 = what == nullptr;
      if (!what) what = exec_command(d, plan);
      int err = errno;
      reply(sock, wire::kExecFailed, -1, err, put_text(what));
    } else {
      long r = run_syscall(d, sock, len, g_out + wire::kRepHeader);
      reply(sock, wire::kResult, int32_t(r), r < 0 ? errno : 0, len);
    }
  }
  _exit(0);  // EOF: the parent closed the channel
}

}  // namespace

namespace {

/** A set-up step failed before the namespaces: name it in a failed hello, serve nothing. */
[[noreturn]] void setup_failed(int sock, const char* step) {
  int err = errno;
  reply(sock, wire::kHello, -1, err, put_text(step));
  _exit(wire::kExitSetup);
}

}  // namespace

void child_main(const ChildPlan& plan) {
  // Signals stay blocked (the addon blocked them around clone, and execve keeps the mask) until set-up is over.
  reset_signals();
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) setup_failed(plan.sock, "prctl(PR_SET_PDEATHSIG, SIGKILL)");
  // The parent died before prctl() (between clone and here): its channel end is gone, nobody reads a hello.
  if (getppid() != plan.parent) _exit(wire::kExitParentGone);
  if (plan.setup_refusal) {
    errno = EINVAL;
    setup_failed(plan.sock, plan.setup_refusal);
  }
  // Copy another process's mount namespace instead of the parent's (a test's throwaway "host"):
  // join it, take that process's root as ours (setns puts us at the top of the namespace's "/"
  // stack, which that process may not see), then unshare as always: as if it had forked us.
  // Before arrange_fds, which closes both fds with the rest.
  if (plan.ns_fd >= 0) {
    if (setns(plan.ns_fd, CLONE_NEWNS) < 0) setup_failed(plan.sock, "setns(CLONE_NEWNS) into the mount namespace to copy");
    if (fchdir(plan.root_fd) < 0 || chroot(".") < 0) setup_failed(plan.sock, "chroot to the root of the process whose namespace is copied");
  }
  int sock = -1;
  if (const char* step = arrange_fds(plan, &sock)) setup_failed(sock, step);
  const char* failed = enter_namespaces(plan);
  int err = failed ? errno : 0;
  sigprocmask(SIG_SETMASK, &plan.exec_mask, nullptr);
  uint32_t len = failed ? put_text(failed) : 1;
  if (!failed) {  // which of 0, 1, 2 are open: the speculation predicts fds from them
    g_out[wire::kRepHeader] = plan.auto_ready ? wire::kHelloAutoReady : 0;
    for (int i = 0; i < 3; i++) if (fcntl(i, F_GETFD) >= 0) g_out[wire::kRepHeader] |= 1 << i;
  }
  reply(sock, wire::kHello, failed ? -1 : sock, err, len);
  serve(sock, plan, failed != nullptr);
}
