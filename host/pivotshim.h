/* pivotshim.h: the root-switch machine for C (and cgo) callers. The public header of
 * libpivotshim: the same machine as build/wasm/release.wasm, translated to C at build time by
 * Debian's wasm2c (scripts/build-c.sh), behind the ABI of docs/ABI.md: start, then next/feed until
 * a terminal request. The machine makes no syscall and does no I/O; ps_exec and ps_run
 * (host/exec.c) execute its requests for a caller that wants the switch done in its own process.
 *
 * Rules (docs/ABI.md, "C"):
 *  - One machine runs one run at a time; machines are not thread-safe, and a trap uses one
 *    process-wide jump buffer, so drive machines from one thread.
 *  - Strings in a request or outcome point into the machine's memory and stay valid until the
 *    next call on that machine; they are not NUL-terminated (ps_str.len bytes).
 *  - A trap (a protocol error, or a bug) ends the machine: every later call returns PS_TRAPPED and
 *    ps_trap_message() says why. Free it and make a new one. */
#ifndef PIVOTSHIM_H
#define PIVOTSHIM_H

#include <stddef.h>
#include <stdint.h>

/* The numbers (PS_ABI_VERSION, the ops PS_OPENAT..PS_FAILED, PS_OPT_*, PS_MS_*, the block
 * offsets), generated from src/abi.ts into build/c by scripts/gen-c-abi.mjs. */
#include "pivotshim-abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Returned instead of an op or a status after a trap. */
#define PS_TRAPPED (-1)

typedef struct ps_machine ps_machine;

/* A string argument: ptr NULL means the C argument NULL; otherwise len bytes at ptr. */
typedef struct {
  const char *ptr;
  uint32_t len;
} ps_str;

/* One request, decoded from the request block (docs/ABI.md §5). */
typedef struct {
  int32_t op, seq, fd, flags, count, step, mode;  /* mode: mkdir's (ABI 4), openat's, mount_setattr's attr_set (ABI 6); count: openat2's resolve, move_mount's to_dirfd (ABI 5), mount_setattr's propagation (ABI 6); flags: setns's nstype */
  uint8_t *buf;      /* read/getcwd: where to put the bytes (count of room); else NULL */
  ps_str str[4];     /* openat: pathname; mount: source, target, fstype, data; ... */
  ps_str reason;     /* why the step exists, with its source */
} ps_request;

/* The outcome of an ended run (docs/ABI.md §6). `done` is the terminal request's op (PS_DONE),
 * the only sign of success: a run the machine itself failed (a bound) has op 0 and seq -1 too. */
typedef struct {
  int32_t done;
  int32_t op, err, step, seq;
  ps_str path, message, note;
} ps_outcome;

/* A new machine, or NULL (out of memory, or the translated module is not ABI PS_ABI_VERSION). */
ps_machine *ps_new(void);
void ps_free(ps_machine *m);

/* Starts a run (discarding any): 0, or 1 when the config is invalid (the run is then already
 * FAILED, with the reason in the outcome), or PS_TRAPPED. A rootfs longer than 4095 bytes is
 * invalid. profile: 0 hardened, 1 runc, 2 runc-1.1, 3 crun; strategy: 0 auto, 1 pivot, 2 move,
 * 3 chroot; root_propagation: 0 or PS_MS_* (docs/ABI.md §3); options: PS_OPT_*. */
int ps_start(ps_machine *m, const char *rootfs, size_t len, int profile, int strategy,
             int root_propagation, int options);

/* The next request into *out; returns its op (PS_DONE or PS_FAILED when the run has ended). */
int ps_next(ps_machine *m, ps_request *out);

/* The result of the pending request: err 0 is success with ret (>= 0); else ret is ignored. For a
 * successful read or getcwd, n bytes of data go to the request's buf first (ret must equal n).
 * Returns 0, PS_TRAPPED, or -2 when n is larger than the request's count (nothing is fed). */
int ps_feed(ps_machine *m, int32_t ret, int32_t err, const void *data, size_t n);

/* The outcome of the ended run; valid until the next ps_start. */
void ps_outcome_get(ps_machine *m, ps_outcome *out);

/* Grows the machine's linear memory now to at least `bytes` (rounded up to 64 KiB pages), so
 * that later runs needing no more than that never allocate: call it before fork() for an
 * allocation-free child (wasm2c's runtime grows memory with realloc). 0, or -1 (out of memory, or
 * past the module's maximum). ps_memory_size() is the current size in bytes. */
int ps_reserve(ps_machine *m, size_t bytes);
/* Enough for any run: one whose mountinfo is at the 16 MiB cap needs about 36 MiB
 * (test/c/reserve-check.c measures it). */
#define PS_RESERVE_ANY_RUN ((size_t)48 << 20)
size_t ps_memory_size(const ps_machine *m);
/* No more growth: from now on a run that needs more memory than the machine has traps (wasm's
 * memory.grow fails) instead of calling realloc. For a forked child of a threaded process, where
 * malloc may hold another thread's lock: ps_reserve before fork, ps_seal in the child. */
void ps_seal(ps_machine *m);
/* Growth on demand, never past `bytes` (rounded up to 64 KiB pages, and never below the current
 * size): allocates nothing now, so a program that may allocate later (pivotshim-child, exec'd
 * and single-threaded) pays only for the pages a run uses. A run that needs more traps. 0, or -1
 * when `bytes` is past the module's maximum. */
int ps_cap(ps_machine *m, size_t bytes);

/* Why the machine trapped ("protocol: ..." for a caller's mistake), or NULL if it has not. */
const char *ps_trap_message(const ps_machine *m);

/* ---- Executing: one request as one raw syscall, and a whole switch (host/exec.c) ---- */

/* Runs `r` as its raw syscall (no libc wrapper decides anything): returns ret >= 0, or -errno.
 * read and getcwd write into r->buf (at most r->count bytes). An op it does not know is -ENOSYS. */
long ps_exec(const ps_request *r);

/* One result, as a run saw it or as a plan predicts it. */
typedef struct { int32_t ret, err; } ps_result;

/* Called after each request has run, with its result (for a trace; a read's bytes are at r->buf);
 * may be NULL. Returns 0 to go on, or nonzero to stop the run before the next request (PS_STOPPED). */
typedef int (*ps_step_cb)(void *ctx, const ps_request *r, ps_result res);

/* Called before each request runs; may be NULL. Returns 0 to run it, or nonzero to stop the run
 * there, with nothing of that request executed (PS_STOPPED). E.g. to admit only a verified plan's
 * requests. */
typedef int (*ps_admit_cb)(void *ctx, const ps_request *r);

#define PS_REFUSED (-3)   /* the namespace guard refused: nothing ran */
#define PS_DIVERGED (-4)  /* a result differed from the expected one: the run stopped there */
#define PS_STOPPED (-5)   /* the step callback asked to stop: the run stopped there */

/* Runs a whole switch in the calling process: ps_start, then ps_next / ps_exec / ps_feed until
 * the end, and the outcome into *out. Guard: the mount namespace (guard_dev, guard_ino) of
 * /proc/self/ns/mnt is the one that must not be touched (the caller's, stat()ed before its own
 * clone(CLONE_NEWNS)); if this process is still in it, nothing runs (PS_REFUSED). guard_ino 0
 * is refused too: say which namespace to spare. With `expect` (n_expect results, a verified plan's
 * prediction), the run stops at the first result that differs (a read's by kind: data or EOF, as
 * its byte count follows the mount ids), before the next syscall, and
 * returns PS_DIVERGED with *diverged_at its seq; `admit` refusing a request before it runs, or
 * `cb` returning nonzero after one ran, stops it the same way (PS_STOPPED, *diverged_at that
 * request's seq). Returns 0 when the run ended (done or failed: see out->op), 1 for an invalid
 * config, PS_TRAPPED, PS_REFUSED, PS_DIVERGED or PS_STOPPED. No allocation. */
int ps_run(ps_machine *m, const char *rootfs, size_t len, int profile, int strategy,
           int root_propagation, int options, unsigned long guard_dev, unsigned long guard_ino,
           const ps_result *expect, size_t n_expect, int32_t *diverged_at,
           ps_admit_cb admit, ps_step_cb cb, void *ctx, ps_outcome *out);

#ifdef __cplusplus
}
#endif

#endif /* PIVOTSHIM_H */
