// A test driver of the executor child (host/child.cc) without Node, built only in the sanitizer
// build (CMakeLists.txt PIVOTSHIM_ASAN, scripts/test-asan.sh). It forks child_main() the way the
// addon does and plays the parent over a socketpair, sending frames at the bounds of every static
// buffer (g_in, g_out, g_arena, g_str) and frames that lie, so ASan and UBSan see each bound hit.
// The child only unshares its own mount namespace (and user namespace when not root); it never
// mounts. Prints one line per case and a uvu-style summary (Total/Passed/Skipped), which
// scripts/test-stage.sh adds to the CI's "N passed, N failed" line. Exit 1 if a case failed.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "abi_ops.h"
#include "child.h"
#include "wire.h"

namespace {

using Bytes = std::vector<unsigned char>;

void put32(Bytes& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; i++) b[at + size_t(i)] = (v >> (8 * i)) & 0xff;
}
uint32_t get32(const unsigned char* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

struct Str { bool null; std::string s; int32_t claimed; };  // claimed: the length field, may lie
Str S(const std::string& s) { return {false, s, int32_t(s.size())}; }
const Str kNull{true, "", -1};

/** A request payload (no length prefix): header fields, then the strings as given. */
Bytes request(uint32_t op, int32_t fd, uint32_t flags, uint32_t count, const std::vector<Str>& strs, uint32_t nstr = ~0u) {
  Bytes b(wire::kReqHeader);
  put32(b, wire::kReqOp, op);
  put32(b, wire::kReqFd, uint32_t(fd));
  put32(b, wire::kReqFlags, flags);
  put32(b, wire::kReqCount, count);
  put32(b, wire::kReqNstr, nstr == ~0u ? uint32_t(strs.size()) : nstr);
  for (const Str& s : strs) {
    size_t at = b.size();
    b.resize(at + 4);
    put32(b, at, uint32_t(s.claimed));
    if (!s.null) b.insert(b.end(), s.s.begin(), s.s.end());
  }
  return b;
}

Bytes framed(const Bytes& payload, uint32_t len) {
  Bytes b(4);
  put32(b, 0, len);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}
Bytes framed(const Bytes& payload) { return framed(payload, uint32_t(payload.size())); }

/** A batch payload: `n` entries of `entry`, each expecting `ret` (any = 1 for the last). */
Bytes batch(uint32_t n, const Bytes& entry, int32_t ret) {
  Bytes b = request(wire::kOpBatch, 0, 0, n, {});
  for (uint32_t i = 0; i < n; i++) {
    size_t at = b.size();
    b.resize(at + wire::kBatEntHeader + 4);
    put32(b, at + wire::kBatEntRet, uint32_t(ret));
    put32(b, at + wire::kBatEntErrno, 0);
    put32(b, at + wire::kBatEntAny, i + 1 == n ? 1 : 0);
    put32(b, at + wire::kBatEntHeader, uint32_t(entry.size()));
    b.insert(b.end(), entry.begin(), entry.end());
  }
  return b;
}

struct Reply { bool eof; uint32_t kind; int32_t ret, err; Bytes data; };

bool read_full(int fd, unsigned char* p, size_t n) {
  while (n) {
    ssize_t r = read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r, n -= size_t(r);
  }
  return true;
}

struct Child {
  pid_t pid = -1;
  int fd = -1;
  Reply hello{};

  bool start() {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) return false;
    ChildPlan plan{};
    plan.sock = sv[1];
    plan.stdio[0] = plan.stdio[1] = plan.stdio[2] = -1;
    plan.rootless = geteuid() != 0;
    plan.uid = geteuid();
    plan.gid = getegid();
    plan.parent = getpid();
    struct stat ns;
    if (stat("/proc/self/ns/mnt", &ns) < 0) return false;
    plan.parent_ns_dev = ns.st_dev;
    plan.parent_ns_ino = ns.st_ino;
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, &plan.exec_mask);
    pid = fork();
    if (pid == 0) child_main(plan);
    sigprocmask(SIG_SETMASK, &plan.exec_mask, nullptr);
    close(sv[1]);
    fd = sv[0];
    hello = next();
    return pid > 0 && !hello.eof && hello.kind == wire::kHello && hello.ret >= wire::kChannelFdMin;
  }
  void send(const Bytes& b) const {
    size_t at = 0;
    while (at < b.size()) {
      ssize_t w = ::send(fd, b.data() + at, b.size() - at, MSG_NOSIGNAL);
      if (w <= 0) return;  // the child went: the next read says EOF
      at += size_t(w);
    }
  }
  Reply next() const {
    Reply r{};
    unsigned char head[4];
    if (!read_full(fd, head, 4)) return r.eof = true, r;
    uint32_t len = get32(head);
    if (len < wire::kRepHeader || len > wire::kMaxReply) return r.eof = true, r;
    Bytes body(len);
    if (!read_full(fd, body.data(), len)) return r.eof = true, r;
    r.kind = get32(&body[wire::kRepKind]);
    r.ret = int32_t(get32(&body[wire::kRepRet]));
    r.err = int32_t(get32(&body[wire::kRepErrno]));
    r.data.assign(body.begin() + wire::kRepHeader, body.end());
    return r;
  }
  /** Closes the channel and reaps: the exit status, or -1 for a signal. */
  int finish() {
    if (fd >= 0) close(fd);
    fd = -1;
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
};

int passed = 0, failed = 0;

void check(const char* name, bool ok, const char* why) {
  if (ok) passed++, printf("ok   %s\n", name);
  else failed++, printf("FAIL %s: %s\n", name, why);
}

#define EXPECT(c) do { if (!(c)) { check(name, false, #c); child.finish(); return; } } while (0)

/** Sends `frame` to a fresh child; the reply must be `kind` (errno `err` unless -1), kind 0: EOF. */
void one(const char* name, const Bytes& frame, uint32_t kind, int err, int exit_status) {
  Child child;
  if (!child.start()) return check(name, false, "no hello");
  child.send(frame);
  Reply r = child.next();
  if (kind == 0) EXPECT(r.eof);
  else EXPECT(!r.eof && r.kind == kind && (err < 0 || r.err == err));
  if (exit_status == wire::kExitFraming) EXPECT(child.next().eof);
  int st = child.finish();
  EXPECT(st == exit_status);
  check(name, true, "");
}

void run_cases() {
  const std::string long_path(wire::kMaxFrame - wire::kReqHeader - 4, 'a');
  one("hello, then getcwd", framed(request(PS_OP_getcwd, 0, 0, 4096, {})), wire::kResult, 0, 0);
  one("chdir with the largest frame (one string filling it)", framed(request(PS_OP_chdir, 0, 0, 0, {S(long_path)})),
      wire::kResult, ENAMETOOLONG, 0);
  one("frame length 2^32 - 1: framing lost", framed(request(PS_OP_getcwd, 0, 0, 16, {}), 0xffffffffu),
      wire::kProtocol, EINVAL, wire::kExitFraming);
  one("frame length kMaxFrame + 1: framing lost", framed(request(PS_OP_getcwd, 0, 0, 16, {}), wire::kMaxFrame + 1),
      wire::kProtocol, EINVAL, wire::kExitFraming);
  one("a string claiming more than the frame", framed(request(PS_OP_chdir, 0, 0, 0, {Str{false, "/", 0x7fffffff}})),
      wire::kProtocol, EINVAL, 0);
  one("nstr kMaxStrings + 1", framed(request(PS_OP_chdir, 0, 0, 0, {}, wire::kMaxStrings + 1)), wire::kProtocol, EINVAL, 0);
  one("exec with argc 2^32 - 1", framed(request(wire::kOpExec, 0, 0, 0xffffffffu, {S("/bin/true"), kNull})),
      wire::kExecFailed, EINVAL, 0);
  one("exec with argc 2^32 - 2", framed(request(wire::kOpExec, 0, 0, 0xfffffffeu, {S("/bin/true"), kNull})),
      wire::kExecFailed, EINVAL, 0);
  std::vector<Str> many(wire::kMaxStrings, S(""));
  many[0] = S("/nonexistent/pivotshim");
  many[1] = kNull;
  one("exec with kMaxStrings strings, all argv", framed(request(wire::kOpExec, 0, 0, wire::kMaxStrings - 2, many)),
      wire::kExecFailed, ENOENT, 0);
  one("exec with kMaxStrings strings, all env", framed(request(wire::kOpExec, 0, 0, 0, many)), wire::kExecFailed, ENOENT, 0);
  one("exec /bin/true: EOF, status 0", framed(request(wire::kOpExec, 0, 0, 1, {S("/bin/true"), kNull, S("true")})),
      0, -1, 0);
  const Bytes cwd = request(PS_OP_getcwd, 0, 0, 64, {});
  one("a batch of getcwd (it ends the batch)", framed(batch(1, cwd, 2)), wire::kBatch, 0, 0);
  one("a batch of kMaxBatch + 1", framed(batch(wire::kMaxBatch + 1, cwd, 2)), wire::kProtocol, EINVAL, 0);
  one("a batch of 0", framed(batch(0, cwd, 2)), wire::kProtocol, EINVAL, 0);
  Bytes lying = batch(2, cwd, 2);
  put32(lying, wire::kReqHeader + wire::kBatEntHeader, 0x7fffffff);  // entry 0's length
  one("a batch entry claiming more than the batch", framed(lying), wire::kProtocol, EINVAL, 0);
}

/** A read of /dev/zero at kMaxData inside a full batch: the largest reply there is (kMaxReply). */
void largest_reply() {
  const char* name = "a full batch ending in a kMaxData read: a kMaxReply-byte reply";
  Child child;
  if (!child.start()) return check(name, false, "no hello");
  child.send(framed(request(PS_OP_openat, AT_FDCWD, O_RDONLY | O_CLOEXEC, 0, {S("/dev/zero")})));
  Reply open = child.next();
  EXPECT(!open.eof && open.kind == wire::kResult && open.ret >= 0);
  // A read or getcwd ends a batch, so the 63 before the read are fchdir(-1): EBADF, as expected.
  Bytes b = request(wire::kOpBatch, 0, 0, wire::kMaxBatch, {});
  Bytes fchdir = request(PS_OP_fchdir, -1, 0, 0, {});
  Bytes rd = request(PS_OP_read, open.ret, 0, 0xffffffffu, {});
  for (uint32_t i = 0; i < wire::kMaxBatch; i++) {
    const Bytes& e = i + 1 == wire::kMaxBatch ? rd : fchdir;
    size_t at = b.size();
    b.resize(at + wire::kBatEntHeader + 4);
    put32(b, at + wire::kBatEntRet, uint32_t(-1));
    put32(b, at + wire::kBatEntErrno, EBADF);
    put32(b, at + wire::kBatEntAny, i + 1 == wire::kMaxBatch ? 1 : 0);
    put32(b, at + wire::kBatEntHeader, uint32_t(e.size()));
    b.insert(b.end(), e.begin(), e.end());
  }
  child.send(framed(b));
  Reply r = child.next();
  EXPECT(!r.eof && r.kind == wire::kBatch && r.ret == int32_t(wire::kMaxBatch));
  EXPECT(r.data.size() + wire::kRepHeader == wire::kMaxReply);
  EXPECT(child.finish() == 0);
  check(name, true, "");
}

}  // namespace

int main() {
  setvbuf(stdout, nullptr, _IOLBF, 0);
  run_cases();
  largest_reply();
  printf("\n  Total:     %d\n  Passed:    %d\n  Skipped:   0\n", passed + failed, passed);
  return failed ? 1 : 0;
}
