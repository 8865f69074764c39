// The Node-API surface of the native host: start the executor child (pivotshim-child, next to this
// addon: clone(CLONE_VM|CLONE_VFORK) + execve, never fork), signal it, reap it (one waitpid thread
// per child, reporting through a thread-safe function, so the libuv thread pool is never held),
// and a pipe() helper for stdio. Throws TypeError only for a programming error;
// failures of the system come back as { errno, syscall }. TS view: src/hosts/native.ts.
#include <napi.h>

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

#include <string>
#include <vector>

#include "abi_ops.h"
#include "wire.h"

extern char** environ;

namespace {

#ifdef PIVOTSHIM_WASM_SHA256
const char* const kWasmSha = PIVOTSHIM_WASM_SHA256;  // the C machine's wasm, built into pivotshim-child
#else
const char* const kWasmSha = nullptr;
#endif

/** pivotshim-child beside this addon's file ("" when it is not there), found at load. */
std::string g_child;

Napi::Value type_error(Napi::Env env, const char* msg) {
  Napi::TypeError::New(env, msg).ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Value sys_failure(Napi::Env env, const char* syscall_name, int err) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("errno", err);
  o.Set("syscall", syscall_name);
  return o;
}

struct Reaper {
  pid_t pid;
  Napi::ThreadSafeFunction tsfn;
};

struct ExitInfo {
  int status;
  int err;  // waitpid's errno, 0 on success
};

void deliver(Napi::Env env, Napi::Function cb, ExitInfo* info) {
  if (env != nullptr && cb != nullptr) {
    Napi::Value code = env.Null(), sig = env.Null();
    if (info->err == 0 && WIFEXITED(info->status)) code = Napi::Number::New(env, WEXITSTATUS(info->status));
    if (info->err == 0 && WIFSIGNALED(info->status)) sig = Napi::Number::New(env, WTERMSIG(info->status));
    cb.Call({code, sig, Napi::Number::New(env, info->err)});
  }
  delete info;
}

void* reap(void* arg) {
  Reaper* r = static_cast<Reaper*>(arg);
  int status = 0;
  pid_t got;
  do got = waitpid(r->pid, &status, 0);
  while (got < 0 && errno == EINTR);
  ExitInfo* info = new ExitInfo{status, got < 0 ? errno : 0};
  if (r->tsfn.BlockingCall(info, deliver) != napi_ok) delete info;  // Node is shutting down
  r->tsfn.Release();
  delete r;
  return nullptr;
}

/**
 * A JS number as an int in [lo, hi], or false. The range is checked on the double before the
 * conversion: int(d) is undefined behaviour when d truncated does not fit an int (NaN, infinities,
 * 2^31 and up: C++17 [conv.fpint]), so "convert, then compare back" is no check. NaN fails every
 * comparison, so it fails here.
 */
bool to_int(Napi::Value v, int lo, int hi, int& out) {
  if (!v.IsNumber()) return false;
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= double(lo) && d <= double(hi))) return false;
  int i = int(d);
  if (double(i) != d) return false;  // a fraction
  out = i;
  return true;
}

/** Reads opts.stdio: undefined/null → inherit all; else [fd0, fd1, fd2], -1 = inherit. */
bool read_stdio(Napi::Value v, int out[3]) {
  out[0] = out[1] = out[2] = -1;
  if (v.IsUndefined() || v.IsNull()) return true;
  if (!v.IsArray() || v.As<Napi::Array>().Length() != 3) return false;
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < 3; i++) {
    if (!to_int(a.Get(i), -1, INT_MAX, out[i])) return false;
  }
  return true;
}

bool start_reaper(pid_t pid, Napi::ThreadSafeFunction tsfn) {
  Reaper* r = new Reaper{pid, tsfn};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t th;
  int e = pthread_create(&th, &attr, reap, r);  // inherits the all-blocked mask: Node's threads get signals
  pthread_attr_destroy(&attr);
  if (e != 0) delete r;
  return e == 0;
}

/** What start_child hands the child: its program, argv, and the fds that must survive execve. */
struct Spawned {
  int sock;
  int stdio[3];
  int ns_fd, root_fd;
  const char* path;
  char** argv;
  int err;  // written by the child (CLONE_VM: this very struct) when execve failed
  void close_ns() {
    if (ns_fd >= 0) close(ns_fd), close(root_fd);
  }
};

/**
 * The child between clone and execve. It shares our memory (CLONE_VM) while we wait (CLONE_VFORK),
 * so it runs raw syscalls only, on its own stack: keep the fds pivotshim-child needs across execve
 * (in its own copy of the fd table), then execve. On failure it leaves errno in sp->err and exits.
 * Not instrumented by ASan: its frame never returns (execve or _exit), so the redzones ASan would
 * poison around `keep` stay poisoned in the shadow memory this child shares with Node, and once
 * the stack is unmapped V8 may put its heap there; the sanitizer stage then reported a
 * "stack-buffer-underflow" inside V8's scavenger, at the shadow of a 36-byte array (this one).
 */
__attribute__((no_sanitize("address"))) int exec_child(void* arg) {
  Spawned* sp = static_cast<Spawned*>(arg);
  // The channel, the stdio to install, the namespace to copy, and 0-2 kept as they are (Node
  // marks its own 0-2 FD_CLOEXEC); child.cc arrange_fds closes every other fd after execve.
  int keep[] = {sp->sock, sp->stdio[0], sp->stdio[1], sp->stdio[2], sp->ns_fd, sp->root_fd, 0, 1, 2};
  for (int fd : keep) {
    if (fd < 0 || fcntl(fd, F_GETFD) < 0) continue;
    if (fcntl(fd, F_SETFD, 0) < 0) {
      sp->err = errno;
      _exit(127);
    }
  }
  execve(sp->path, sp->argv, environ);
  sp->err = errno;
  _exit(127);
}

/**
 * Starts pivotshim-child: clone(CLONE_VM|CLONE_VFORK), so Node's memory is neither copied (fork
 * of a 100 MB process costs about a millisecond in page tables alone) nor shared copy-on-write
 * afterwards (every page either side writes first would fault and be copied). Returns the pid,
 * or -1 with errno and *step set.
 */
pid_t start_child(Spawned& sp, const char** step) {
  const size_t kStack = 64 * 1024;
  void* stack = mmap(nullptr, kStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return *step = "mmap (the child's stack)", -1;
  sp.err = 0;
  pid_t pid = clone(exec_child, static_cast<char*>(stack) + kStack, CLONE_VM | CLONE_VFORK | SIGCHLD, &sp);
  int e = errno;
#if defined(__SANITIZE_ADDRESS__)
  __asan_unpoison_memory_region(stack, kStack);  // whatever the child left poisoned (see exec_child)
#endif
  munmap(stack, kStack);  // the child has exec'd or exited: CLONE_VFORK returned after either
  if (pid < 0) return errno = e, *step = "clone", -1;
  if (sp.err != 0) {
    while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {}
    return errno = sp.err, *step = "execve pivotshim-child", -1;
  }
  return pid;
}

/**
 * spawn({ rootless, pidNamespace, uts, stdio, mountNsOf, autoBytes, onExit(code, signal, waitErrno) }) → { pid, fd, pidfd } | { errno, syscall }
 * mountNsOf: 0, or a pid whose mount namespace the child copies instead of this process's.
 * autoBytes: 0, or the memory pivotshim-child gives its C machine (autonomous mode).
 */
Napi::Value Spawn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsObject()) return type_error(env, "spawn(opts): opts must be an object");
  Napi::Object o = info[0].As<Napi::Object>();
  Napi::Value on_exit = o.Get("onExit");
  if (!on_exit.IsFunction()) return type_error(env, "spawn: opts.onExit must be a function");
  if (g_child.empty()) return sys_failure(env, "find pivotshim-child beside the addon", ENOENT);
  Spawned sp{};
  if (!read_stdio(o.Get("stdio"), sp.stdio)) return type_error(env, "spawn: opts.stdio must be [int, int, int] (-1 = inherit)");
  int flags = (o.Get("rootless").ToBoolean().Value() ? 1 : 0) | (o.Get("pidNamespace").ToBoolean().Value() ? 2 : 0) |
              (o.Get("uts").ToBoolean().Value() ? 4 : 0);
  int ns_of = 0, auto_bytes = 0;
  Napi::Value ns_v = o.Get("mountNsOf");
  if (!ns_v.IsUndefined() && !to_int(ns_v, 0, INT_MAX, ns_of)) return type_error(env, "spawn: opts.mountNsOf must be a pid, or 0 for this process's namespace");
  Napi::Value auto_v = o.Get("autoBytes");
  if (!auto_v.IsUndefined() && !to_int(auto_v, 0, 1 << 30, auto_bytes)) return type_error(env, "spawn: opts.autoBytes must be 0 to 2^30 (the C machine's memory; 0: no autonomous mode)");
  sp.ns_fd = sp.root_fd = -1;
  if (ns_of > 0) {
    char path[48];
    snprintf(path, sizeof path, "/proc/%d/ns/mnt", ns_of);
    sp.ns_fd = open(path, O_RDONLY | O_CLOEXEC);
    if (sp.ns_fd < 0) return sys_failure(env, "open /proc/<mountNsOf>/ns/mnt", errno);
    snprintf(path, sizeof path, "/proc/%d/root", ns_of);
    sp.root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (sp.root_fd < 0) {
      int e = errno;
      close(sp.ns_fd);
      return sys_failure(env, "open /proc/<mountNsOf>/root", e);
    }
  }
  struct stat ns;
  if (stat("/proc/self/ns/mnt", &ns) < 0) {
    int e = errno;
    sp.close_ns();
    return sys_failure(env, "stat /proc/self/ns/mnt", e);
  }
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
    int e = errno;
    sp.close_ns();
    return sys_failure(env, "socketpair", e);
  }
  sp.sock = sv[1];
  auto tsfn = Napi::ThreadSafeFunction::New(env, on_exit.As<Napi::Function>(), "pivotshim-reaper", 0, 1);

  sigset_t all, was;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &was);  // no Node handler may run in the child
  // pivotshim-child's argv (child-main.cc): made before clone, since the child must not allocate.
  unsigned long long mask = 0;
  for (int sig = 1; sig <= 64; sig++)
    if (sigismember(&was, sig) == 1) mask |= 1ULL << (sig - 1);
  char hex[24];
  snprintf(hex, sizeof hex, "%llx", mask);
  std::vector<std::string> args = {g_child, kWasmSha ? kWasmSha : "-", std::to_string(sp.sock),
    std::to_string(sp.stdio[0]), std::to_string(sp.stdio[1]), std::to_string(sp.stdio[2]), std::to_string(flags),
    std::to_string(geteuid()), std::to_string(getegid()), std::to_string(getpid()),
    std::to_string((unsigned long long)ns.st_dev), std::to_string((unsigned long long)ns.st_ino), hex,
    std::to_string(sp.ns_fd), std::to_string(sp.root_fd), std::to_string(auto_bytes)};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(&a[0]);
  argv.push_back(nullptr);
  sp.path = g_child.c_str();
  sp.argv = argv.data();
  const char* step = nullptr;
  pid_t pid = start_child(sp, &step);
  int start_err = errno;
  close(sv[1]);
  sp.close_ns();
  bool reaping = pid > 0 && start_reaper(pid, tsfn);
  pthread_sigmask(SIG_SETMASK, &was, nullptr);
  if (pid < 0 || !reaping) {
    if (pid > 0) {  // no thread to reap it: do it here, it has not done anything yet
      kill(pid, SIGKILL);
      while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {}
    }
    close(sv[0]);
    tsfn.Release();
    return sys_failure(env, pid < 0 ? step : "pthread_create", pid < 0 ? start_err : EAGAIN);
  }
  int pidfd = int(syscall(SYS_pidfd_open, pid, 0));  // valid until we close it: the pid cannot be reused
  Napi::Object out = Napi::Object::New(env);
  out.Set("pid", pid);
  out.Set("fd", sv[0]);
  out.Set("pidfd", pidfd);
  return out;
}

bool int_arg(const Napi::CallbackInfo& info, size_t i, int& out) {
  return info.Length() > i && to_int(info[i], INT_MIN, INT_MAX, out);
}

/** kill(pid, pidfd) → 0 | errno. SIGKILL through the pidfd when there is one (no pid reuse race). */
Napi::Value Kill(const Napi::CallbackInfo& info) {
  int pid, pidfd;
  if (!int_arg(info, 0, pid) || !int_arg(info, 1, pidfd) || pid <= 0)
    return type_error(info.Env(), "kill(pid, pidfd): integers expected, pid > 0");
  long r = pidfd >= 0 ? syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0) : kill(pid, SIGKILL);
  return Napi::Number::New(info.Env(), r < 0 ? errno : 0);
}

/** closeFd(fd) → 0 | errno. */
Napi::Value CloseFd(const Napi::CallbackInfo& info) {
  int fd;
  if (!int_arg(info, 0, fd) || fd < 0) return type_error(info.Env(), "closeFd(fd): fd must be a non-negative integer");
  return Napi::Number::New(info.Env(), close(fd) < 0 ? errno : 0);
}

/** pipe() → [readFd, writeFd] (both O_CLOEXEC) | { errno, syscall }. */
Napi::Value Pipe(const Napi::CallbackInfo& info) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) return sys_failure(info.Env(), "pipe2", errno);
  Napi::Array a = Napi::Array::New(info.Env(), 2);
  a.Set(uint32_t(0), fds[0]);
  a.Set(uint32_t(1), fds[1]);
  return a;
}

Napi::Object Wire(Napi::Env env) {
  Napi::Object w = Napi::Object::New(env);
#define W(name) w.Set(#name, Napi::Number::New(env, double(wire::name)))
  W(kLenSize); W(kReqOp); W(kReqFd); W(kReqFlags); W(kReqCount); W(kReqMode); W(kReqNstr);
  W(kReqHeader); W(kOpPause); W(kOpResume); W(kOpExec); W(kOpQuit); W(kRepKind); W(kRepRet);
  W(kRepErrno); W(kRepHeader); W(kHello); W(kResult); W(kPaused); W(kResumed); W(kExecFailed);
  W(kRefused); W(kProtocol); W(kMaxFrame); W(kMaxData); W(kMaxReply); W(kMaxStrings); W(kChannelFdMin);
  W(kOpBatch); W(kBatEntRet); W(kBatEntErrno); W(kBatEntAny); W(kBatEntHeader); W(kMaxBatch);
  W(kMaxBatchFrame); W(kBatch); W(kBatRepNs); W(kBatRepHeader); W(kBatResRet); W(kBatResErrno);
  W(kBatResLen); W(kBatResHeader); W(kExitDone); W(kExitSetup); W(kExitParentGone);
  W(kExitChannelLost); W(kExitFraming); W(kHelloAutoReady);
  W(kOpAuto); W(kAuto); W(kAutoTail); W(kMaxAutoExpect); W(kAutRepNs); W(kAutRepCount); W(kAutRepHeader);
  W(kAutResSeq); W(kAutResStep); W(kAutResRet); W(kAutResErrno); W(kAutResLen); W(kAutResHeader); W(kMaxAutoData); W(kMaxAnyReply);
#undef W
  return w;
}

Napi::Object Ops(Napi::Env env) {
  Napi::Object ops = Napi::Object::New(env);
#define X(name) ops.Set(#name, Napi::Number::New(env, PS_OP_##name));
  PS_OP_LIST(X)
#undef X
  return ops;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("spawn", Napi::Function::New(env, Spawn, "spawn"));
  exports.Set("kill", Napi::Function::New(env, Kill, "kill"));
  exports.Set("closeFd", Napi::Function::New(env, CloseFd, "closeFd"));
  exports.Set("pipe", Napi::Function::New(env, Pipe, "pipe"));
  exports.Set("wire", Wire(env));
  exports.Set("ops", Ops(env));
  // The wasm the child's C machine was translated from (null: built without it, no autonomous mode).
  exports.Set("autonomous", kWasmSha ? Napi::Value(Napi::String::New(env, kWasmSha)) : env.Null());
  // pivotshim-child, beside this file (null: not there; spawn then fails with ENOENT).
  Dl_info self;
  if (dladdr(reinterpret_cast<void*>(&Init), &self) && self.dli_fname) {
    std::string dir = self.dli_fname;
    size_t slash = dir.rfind('/');
    std::string path = (slash == std::string::npos ? std::string(".") : dir.substr(0, slash)) + "/pivotshim-child";
    char real[PATH_MAX];  // absolute, so a later chdir of this process does not lose it
    if (access(path.c_str(), X_OK) == 0 && realpath(path.c_str(), real)) g_child = real;
  }
  exports.Set("child", g_child.empty() ? env.Null() : Napi::Value(Napi::String::New(env, g_child)));
  return exports;
}

}  // namespace

NODE_API_MODULE(host, Init)
