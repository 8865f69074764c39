// The Node-API surface of the native host: fork the executor child (child.cc), signal it, reap it
// (one waitpid thread per child, reporting through a thread-safe function, so the libuv thread pool
// is never held), and a pipe() helper for stdio. Throws TypeError only for a programming error;
// failures of the system come back as { errno, syscall }. TS view: src/hosts/native.ts.
#include <napi.h>

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "abi_ops.h"
#include "child-auto.h"
#include "child.h"
#include "wire.h"

namespace {

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

/**
 * spawn({ rootless, pidNamespace, uts, stdio, mountNsOf, onExit(code, signal, waitErrno) }) → { pid, fd, pidfd } | { errno, syscall }
 * mountNsOf: 0, or a pid whose mount namespace the child copies instead of this process's.
 */
Napi::Value Spawn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsObject()) return type_error(env, "spawn(opts): opts must be an object");
  Napi::Object o = info[0].As<Napi::Object>();
  Napi::Value on_exit = o.Get("onExit");
  if (!on_exit.IsFunction()) return type_error(env, "spawn: opts.onExit must be a function");
  ChildPlan plan{};
  if (!read_stdio(o.Get("stdio"), plan.stdio)) return type_error(env, "spawn: opts.stdio must be [int, int, int] (-1 = inherit)");
  plan.rootless = o.Get("rootless").ToBoolean().Value();
  plan.pid_ns = o.Get("pidNamespace").ToBoolean().Value();
  plan.uts = o.Get("uts").ToBoolean().Value();
  int ns_of = 0;
  Napi::Value ns_v = o.Get("mountNsOf");
  if (!ns_v.IsUndefined() && !to_int(ns_v, 0, INT_MAX, ns_of)) return type_error(env, "spawn: opts.mountNsOf must be a pid, or 0 for this process's namespace");
  plan.ns_fd = plan.root_fd = -1;
  if (ns_of > 0) {
    char path[48];
    snprintf(path, sizeof path, "/proc/%d/ns/mnt", ns_of);
    plan.ns_fd = open(path, O_RDONLY | O_CLOEXEC);
    if (plan.ns_fd < 0) return sys_failure(env, "open /proc/<mountNsOf>/ns/mnt", errno);
    snprintf(path, sizeof path, "/proc/%d/root", ns_of);
    plan.root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (plan.root_fd < 0) {
      int e = errno;
      close(plan.ns_fd);
      return sys_failure(env, "open /proc/<mountNsOf>/root", e);
    }
  }
  plan.uid = geteuid();
  plan.gid = getegid();
  plan.parent = getpid();
  struct stat ns;
  if (stat("/proc/self/ns/mnt", &ns) < 0) return sys_failure(env, "stat /proc/self/ns/mnt", errno);
  plan.parent_ns_dev = ns.st_dev;
  plan.parent_ns_ino = ns.st_ino;
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
    int e = errno;
    if (plan.ns_fd >= 0) close(plan.ns_fd), close(plan.root_fd);
    return sys_failure(env, "socketpair", e);
  }
  plan.sock = sv[1];
  auto tsfn = Napi::ThreadSafeFunction::New(env, on_exit.As<Napi::Function>(), "pivotshim-reaper", 0, 1);

  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &plan.exec_mask);  // no Node handler may run in the child
  pid_t pid = fork();
  if (pid == 0) child_main(plan);
  int fork_err = errno;
  close(sv[1]);
  if (plan.ns_fd >= 0) close(plan.ns_fd), close(plan.root_fd);
  bool reaping = pid > 0 && start_reaper(pid, tsfn);
  pthread_sigmask(SIG_SETMASK, &plan.exec_mask, nullptr);
  if (pid < 0 || !reaping) {
    if (pid > 0) {  // no thread to reap it: do it here, it has not done anything yet
      kill(pid, SIGKILL);
      while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {}
    }
    close(sv[0]);
    tsfn.Release();
    return sys_failure(env, pid < 0 ? "fork" : "pthread_create", pid < 0 ? fork_err : EAGAIN);
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

/**
 * prepareAutonomous(bytes) → boolean: the C machine of autonomous mode (child-auto.h), made once,
 * with at least `bytes` of memory, before the next spawn forks it. false: not built in, or no memory.
 */
Napi::Value PrepareAutonomous(const Napi::CallbackInfo& info) {
  double bytes = info.Length() == 1 && info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : -1;
  if (!(bytes >= 0 && bytes <= double(1u << 30))) return type_error(info.Env(), "prepareAutonomous(bytes): 0 to 2^30 bytes");
  return Napi::Boolean::New(info.Env(), auto_prepare(size_t(bytes)));
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
  W(kExitChannelLost); W(kExitFraming);
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
  exports.Set("prepareAutonomous", Napi::Function::New(env, PrepareAutonomous, "prepareAutonomous"));
  // The wasm the child's C machine was translated from (null: built without it, no autonomous mode).
  const char* sha = auto_sha256();
  exports.Set("autonomous", sha ? Napi::Value(Napi::String::New(env, sha)) : env.Null());
  return exports;
}

}  // namespace

NODE_API_MODULE(host, Init)
