// pivotshim-child: the executor child as a program of its own. The addon (addon.cc Spawn) starts
// it with clone(CLONE_VM|CLONE_VFORK) + execve, never with fork(): Node's address space (100 MB
// and more) is then neither copied at spawn nor shared copy-on-write while the child lives, so
// neither side pays a page fault for every page it writes (docs/ABI.md §15). Owns the argument
// vector the addon writes; everything after it is child_main (child.cc), as before.
//
// argv: pivotshim-child SHA SOCK STDIN STDOUT STDERR FLAGS UID GID PARENT NS_DEV NS_INO MASK NS_FD ROOT_FD AUTO_BYTES
//   SHA       the wasm SHA-256 the addon was built with, or "-": must be this program's own
//   SOCK      the channel (the child's end of the socketpair)
//   STD*      fds to install as 0/1/2, -1 keeps the inherited one
//   FLAGS     bit 0 rootless, bit 1 PID namespace, bit 2 UTS namespace
//   MASK      the caller's signal mask (signals 1-64 as bits 0-63, hex), restored before execve
//   NS_FD, ROOT_FD  -1, or the mount namespace to copy and that process's root
//   AUTO_BYTES  0, or the C machine's memory for autonomous mode
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "child-auto.h"
#include "child.h"

namespace {

constexpr int kArgs = 16;

[[noreturn]] void usage(const char* why) {
  fprintf(stderr, "pivotshim-child: %s\npivotshim-child is started by pivotshim's native addon; it is not a command to run by hand\n", why);
  _exit(2);
}

/** argv's decimal whole number in [lo, hi], or usage(). */
long long num(const char* s, long long lo, long long hi) {
  char* end = nullptr;
  errno = 0;
  long long v = s && *s ? strtoll(s, &end, 10) : 0;
  if (!s || !*s || errno || *end || v < lo || v > hi) usage("an argument is not a whole number in its range");
  return v;
}

/** argv's unsigned number in hex (MASK) or decimal (NS_DEV, NS_INO), or usage(). */
unsigned long long unum(const char* s, int base) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = s && *s && *s != '-' ? strtoull(s, &end, base) : 0;
  if (!s || !*s || *s == '-' || errno || *end) usage("an argument is not an unsigned number");
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != kArgs) usage("wrong number of arguments");
  ChildPlan plan{};
  plan.sock = int(num(argv[2], 0, INT_MAX));
  struct stat st;
  if (fstat(plan.sock, &st) < 0 || !S_ISSOCK(st.st_mode)) usage("SOCK is not a socket");
  for (int i = 0; i < 3; i++) plan.stdio[i] = int(num(argv[3 + i], -1, INT_MAX));
  long long flags = num(argv[6], 0, 7);
  plan.rootless = flags & 1, plan.pid_ns = flags & 2, plan.uts = flags & 4;
  plan.uid = uid_t(num(argv[7], 0, UINT32_MAX)), plan.gid = gid_t(num(argv[8], 0, UINT32_MAX));
  plan.parent = pid_t(num(argv[9], 1, INT_MAX));
  plan.parent_ns_dev = dev_t(unum(argv[10], 10)), plan.parent_ns_ino = ino_t(unum(argv[11], 10));
  unsigned long long mask = unum(argv[12], 16);  // bit n-1 is signal n
  sigemptyset(&plan.exec_mask);
  for (int sig = 1; sig <= 64; sig++)
    if (mask >> (sig - 1) & 1) sigaddset(&plan.exec_mask, sig);
  plan.ns_fd = int(num(argv[13], -1, INT_MAX)), plan.root_fd = int(num(argv[14], -1, INT_MAX));
  long long auto_bytes = num(argv[15], 0, 1LL << 30);
  // The addon and this program come from one build (CMakeLists.txt); one left over from another
  // build may speak another wire: it says so in its hello, and serves nothing.
  const char* mine = auto_sha256();
  if (strcmp(argv[1], mine ? mine : "-") != 0)
    plan.setup_refusal = "pivotshim-child was built from another wasm than the addon (npm run build:native rebuilds both)";
  // The C machine is made here, before any request (child_main never allocates): a program of its
  // own may allocate at start. The hello says whether it is ready.
  plan.auto_ready = !plan.setup_refusal && mine && auto_bytes > 0 && auto_prepare(size_t(auto_bytes));
  child_main(plan);
}
