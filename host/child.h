// The executor child: what runs in pivotshim-child (child-main.cc, which the addon execs) up to
// the command's execve. Owns the namespace set-up, the request loop and the final exec. Must not
// allocate, use stdio or throw once it serves (test/asan/executor-driver.cc forks it directly).
#pragma once
#include <signal.h>
#include <sys/types.h>

struct ChildPlan {
  int sock;             // the child's end of the socketpair
  int stdio[3];         // fds to install as 0/1/2; -1 keeps the inherited one
  bool rootless;        // CLONE_NEWUSER|CLONE_NEWNS with a one-id map, else CLONE_NEWNS only
  bool pid_ns = false;  // CLONE_NEWPID too: the command becomes PID 1, the child its init outside
  bool uts = false;     // CLONE_NEWUTS too: a hostname of its own
  uid_t uid;            // read before fork: the ids the rootless map points at
  gid_t gid;
  pid_t parent;         // to notice a parent that died before PR_SET_PDEATHSIG took hold
  dev_t parent_ns_dev;  // stat("/proc/self/ns/mnt") of the parent: the child must differ
  ino_t parent_ns_ino;
  sigset_t exec_mask;   // the signal mask to restore just before execve
  int ns_fd = -1;       // -1, or /proc/<pid>/ns/mnt of the namespace to copy instead of the parent's
  int root_fd = -1;     // with ns_fd: /proc/<pid>/root (O_PATH), that process's root, taken as ours
  bool auto_ready = false;              // the C machine of autonomous mode is made (auto_prepare)
  const char* setup_refusal = nullptr;  // set: say so in a failed hello and serve nothing
};

/** Runs in the executor child; never returns. */
[[noreturn]] void child_main(const ChildPlan& plan);
