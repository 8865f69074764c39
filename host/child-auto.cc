// Autonomous mode in the executor child (child-auto.h): ps_run on the C machine, each step
// recorded as host/wire.h's kAuto record. The request is written in the same payload layout as
// src/hosts/native-frames.ts requestFrame() gives the same request, so the parent compares the two
// engines' requests byte for byte on every run.
#include "child-auto.h"

#include <cstring>

#include "wire.h"

#ifdef PIVOTSHIM_AUTONOMOUS

#include <sys/stat.h>
#include <time.h>

#include "pivotshim.h"

namespace {

ps_machine* g_machine = nullptr;
ps_result g_expect[wire::kMaxAutoExpect];
const unsigned char* g_want[wire::kMaxAutoExpect];  // the predicted request payloads, by seq
uint32_t g_want_len[wire::kMaxAutoExpect];
unsigned char g_scratch[4 + wire::kReqHeader + 4 * (4 + wire::kMaxPath)];  // one request, encoded to compare

void put_u32(unsigned char* p, uint32_t v) {
  p[0] = v & 0xff, p[1] = (v >> 8) & 0xff, p[2] = (v >> 16) & 0xff, p[3] = v >> 24;
}

uint32_t get_u32(const unsigned char* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

/**
 * Where the records go; `full` once one did not fit (the run is then stopped after it). It is the
 * callbacks' context, so it also says whether requests are admitted against a prediction, and
 * whether one was refused.
 */
struct Sink {
  unsigned char* out;
  uint32_t cap;
  uint32_t len;
  uint32_t count;
  bool full;
  bool checked;
  uint32_t n_want;
  bool refused;
};

/** Appends n bytes, or marks the sink full. */
bool put(Sink& s, const void* p, uint32_t n) {
  if (s.full || n > s.cap - s.len) return s.full = true, false;
  if (n > 0) memcpy(s.out + s.len, p, n);  // p may be NULL for nothing (a request without data): memcpy must not see it
  s.len += n;
  return true;
}

bool put_i32(Sink& s, int32_t v) {
  unsigned char b[4];
  put_u32(b, uint32_t(v));
  return put(s, b, 4);
}

/** A string as the request payload has it: i32 length (-1: NULL), then the bytes. */
bool put_str(Sink& s, ps_str v) {
  return v.ptr ? put_i32(s, int32_t(v.len)) && put(s, v.ptr, v.len) : put_i32(s, -1);
}

/**
 * The request payload of `r`: the fields each op takes, as requestFrame() (native-frames.ts)
 * fills them (0 elsewhere), and its strings in the kernel's argument order.
 */
bool put_request(Sink& s, const ps_request& r) {
  int32_t fd = 0, flags = 0, count = 0, mode = 0;
  int nstr = 0;
  switch (r.op) {
    case PS_OPENAT: fd = r.fd, flags = r.flags, mode = r.mode, nstr = 1; break;
    case PS_READ: fd = r.fd, count = r.count; break;
    case PS_CLOSE: case PS_FCHDIR: fd = r.fd; break;
    case PS_CHDIR: case PS_CHROOT: case PS_SETHOSTNAME: nstr = 1; break;
    case PS_PIVOT_ROOT: nstr = 2; break;
    case PS_MOUNT: flags = r.flags, nstr = 4; break;
    case PS_UMOUNT2: flags = r.flags, nstr = 1; break;
    case PS_GETCWD: count = r.count; break;
    case PS_MKDIR: mode = r.mode, nstr = 1; break;  // ABI 4
    case PS_OPENAT2: fd = r.fd, flags = r.flags, count = r.count, mode = r.mode, nstr = 1; break;  // ABI 5: resolve in count
    case PS_OPEN_TREE: fd = r.fd, flags = r.flags, nstr = 1; break;
    case PS_MOVE_MOUNT: fd = r.fd, flags = r.flags, mode = r.count, nstr = 2; break;  // to_dirfd: the wire's mode field
    case PS_SETNS: fd = r.fd, flags = r.flags; break;  // ABI 6: nstype in flags
    case PS_MOUNT_SETATTR: fd = r.fd, flags = r.flags, count = r.count, mode = r.mode, nstr = 1; break;  // propagation, attr_set
    default: break;
  }
  uint32_t start = s.len;
  if (!put_i32(s, 0)) return false;  // the length, filled in below
  bool ok = put_i32(s, r.op) && put_i32(s, fd) && put_i32(s, flags) && put_i32(s, count) && put_i32(s, mode) && put_i32(s, nstr);
  for (int i = 0; ok && i < nstr; i++) ok = put_str(s, r.str[i]);
  if (ok) put_u32(s.out + start, s.len - start - 4);
  return ok;
}

/**
 * ps_run's admission: before a request runs, it must be the predicted one, byte for byte as a
 * request payload; a read's count may differ (it is what is left of the buffer, so it follows the
 * real byte counts: src/verify-run.ts matches() has the same rule). Nonzero: not run.
 */
int admit(void* ctx, const ps_request* r) {
  Sink& s = *static_cast<Sink*>(ctx);
  if (!s.checked) return 0;
  uint32_t seq = uint32_t(r->seq);
  if (r->seq < 0 || seq >= s.n_want) return s.refused = true, 1;  // past the prediction
  Sink mine{g_scratch, sizeof g_scratch, 0, 0, false, false, 0, false};
  if (!put_request(mine, *r)) return s.refused = true, 1;
  const unsigned char* want = g_want[seq];
  uint32_t n = g_want_len[seq];
  // put_request wrote [u32 len][payload]; the prediction is the payload alone.
  if (mine.len - 4 != n) return s.refused = true, 1;
  for (uint32_t i = 0; i < n; i++) {
    bool count = r->op == PS_READ && i >= wire::kReqCount && i < wire::kReqCount + 4;
    if (!count && g_scratch[4 + i] != want[i]) return s.refused = true, 1;
  }
  return 0;
}

/** ps_run's callback: one kAuto record; nonzero (stop) once the reply is full. */
int record(void* ctx, const ps_request* r, ps_result res) {
  Sink& s = *static_cast<Sink*>(ctx);
  bool data = res.err == 0 && res.ret > 0 && (r->op == PS_READ || r->op == PS_GETCWD) && r->buf;
  uint32_t n = data ? uint32_t(res.ret) : 0;
  uint32_t start = s.len;
  bool ok = put_i32(s, r->seq) && put_i32(s, r->step) && put_i32(s, res.ret) && put_i32(s, res.err) &&
            put_i32(s, int32_t(n)) && put(s, r->buf, n) && put_request(s, *r) && put_str(s, r->reason);
  if (!ok) {  // this step ran but is not in the reply: drop what of it was written, and stop
    s.len = start;
    return 1;
  }
  s.count++;
  return 0;
}

}  // namespace

const char* auto_sha256() { return PIVOTSHIM_WASM_SHA256; }

bool auto_prepare(size_t bytes) {
  if (!g_machine) g_machine = ps_new();
  // Capped, not reserved: growing 4 MiB or more at start would zero (touch) every page of it at
  // each spawn; pivotshim-child is a single-threaded program of its own, so the machine's
  // realloc during a run is safe, and a run past the cap traps as a sealed one did.
  return g_machine && ps_cap(g_machine, bytes) == 0;
}

uint32_t auto_run(const AutoArgs& a, unsigned char* out, uint32_t cap, int32_t* status, int32_t* at) {
  *at = -1;
  Sink s{out, cap, wire::kAutRepHeader, 0, false, a.has_expect, a.n_expect, false};
  if (!g_machine || cap < wire::kAutRepHeader) {
    *status = PS_TRAPPED;
    return 0;
  }
  const unsigned char* req = a.requests;
  for (uint32_t i = 0; i < a.n_expect; i++) {
    g_expect[i].ret = int32_t(get_u32(a.expect + 8 * i));
    g_expect[i].err = int32_t(get_u32(a.expect + 8 * i + 4));
    g_want_len[i] = get_u32(req);
    g_want[i] = req + 4;
    req += 4 + g_want_len[i];
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  ps_outcome o;
  *status = ps_run(g_machine, a.rootfs, a.rootfs_len, a.profile, a.strategy, a.root_propagation, a.options,
                   a.guard_dev, a.guard_ino, a.has_expect ? g_expect : nullptr, a.n_expect, at, admit, record, &s, &o);
  if (*status == PS_STOPPED && s.refused) *status = PS_DIVERGED;  // a request off the plan: not run
  clock_gettime(CLOCK_MONOTONIC, &t1);
  uint64_t ns = uint64_t((t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec));
  put_u32(out + wire::kAutRepNs, uint32_t(ns));
  put_u32(out + wire::kAutRepNs + 4, uint32_t(ns >> 32));
  put_u32(out + wire::kAutRepCount, s.count);
  return s.len;
}

#else  // built without the C machine: no autonomous mode

const char* auto_sha256() { return nullptr; }
bool auto_prepare(size_t) { return false; }
uint32_t auto_run(const AutoArgs&, unsigned char*, uint32_t, int32_t* status, int32_t* at) {
  *status = -1, *at = -1;
  return 0;
}

#endif
