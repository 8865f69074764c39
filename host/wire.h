// The executor's wire format: the ONE place for frame layout, control ops and reply kinds.
// Syscall op codes are not here: they come from src/abi.ts through the generated abi_ops.h.
// The addon exports every constant below to src/hosts/native.ts (no number is repeated there).
#pragma once
#include <cstdint>

#include "abi_ops.h"  // generated from src/abi.ts (CMakeLists.txt): the ops and the bounds

namespace wire {

// A frame on the SOCK_STREAM socketpair: u32 payload length (little-endian), then the payload.
constexpr uint32_t kLenSize = 4;

// Request payload: six u32/i32 fields, then `nstr` strings, each `i32 len` + bytes (no NUL).
// len == -1 is the NULL pointer; len == 0 is "" (kept distinct, as the machine requires).
constexpr uint32_t kReqOp = 0;     // abi.Op code, or one of the control ops below
constexpr uint32_t kReqFd = 4;     // dirfd / fd
constexpr uint32_t kReqFlags = 8;  // O_* / MS_* / MNT_* as the kernel takes them; setns's nstype (ABI 6)
constexpr uint32_t kReqCount = 12; // read count, getcwd size; argc for kOpExec; openat2's resolve (ABI 5); mount_setattr's attr.propagation (ABI 6)
constexpr uint32_t kReqMode = 16;  // openat mode, mkdir mode (ABI 4), openat2 mode; move_mount's to_dirfd (ABI 5: count must be >= 0); mount_setattr's attr.attr_set (ABI 6)
constexpr uint32_t kReqNstr = 20;  // number of strings that follow
constexpr uint32_t kReqHeader = 24;

// Control ops: outside the abi.Op range on purpose (they are not syscalls of the plan).
constexpr uint32_t kOpPause = 1000;  // reply kPaused (ret = pid), then wait for kOpResume
constexpr uint32_t kOpResume = 1001; // reply kResumed
constexpr uint32_t kOpExec = 1002;   // strings: path, cwd|NULL, argv[count], env[...]
constexpr uint32_t kOpQuit = 1003;   // no reply: the child _exit(0)s
constexpr uint32_t kOpBatch = 1004;  // count = n entries, nstr = 0; reply kBatch (see below)
constexpr uint32_t kOpAuto = 1005;   // the whole switch in the child (autonomous mode, see below)

// A batch (speculative execution, src/hosts/native-batch.ts): after the 24-byte header come
// `count` entries, each an expected result then one ordinary request frame (u32 len + payload):
//   [i32 expect_ret][i32 expect_errno][u32 expect_any][u32 len][request payload]
// The child first checks the whole frame (so a malformed one runs nothing), then runs the requests
// in order, one syscall each, and stops after the first whose actual result differs from the
// expected one (ret and errno both compared; expect_any = 1 matches anything), after a read or
// getcwd (data the parent cannot predict, so it is always last), or after the last entry.
constexpr uint32_t kBatEntRet = 0;
constexpr uint32_t kBatEntErrno = 4;
constexpr uint32_t kBatEntAny = 8;
constexpr uint32_t kBatEntHeader = 12;  // then the request frame, u32 len first
// Bounds: a batch is small by design (a whole switch is ~15-20 requests).
constexpr uint32_t kMaxBatch = 64;             // entries per batch
constexpr uint32_t kMaxBatchFrame = 64u << 10; // batch payload bytes, header and entries included

// Autonomous mode (kOpAuto, host/child-auto.cc): the child runs the whole switch on the C machine
// (libpivotshim's ps_run, the same wasm translated by wasm2c) with no round trip per request, and
// replies once. Header: fd = profile, mode = strategy, flags = options, count = n expected results,
// nstr = 1 (the rootfs); after the string: [i32 root_propagation][u32 has_expect], then count
// pairs [i32 ret][i32 errno], a verified plan's predicted results, then count entries
// [u32 len][request payload], its predicted requests. ps_run runs a request only if it is the
// predicted one (a read's count aside), and stops before the next syscall at the first result that
// differs (a read's by kind). Without has_expect, count is 0. Nothing else may follow.
constexpr uint32_t kAutoTail = 8;               // root_propagation, has_expect
constexpr uint32_t kMaxAutoExpect = PS_ABI_MAX_REQUESTS;  // src/abi.ts: no run makes more
constexpr uint32_t kMaxPath = PS_ABI_PATH_MAX;              // src/abi.ts: no request string is longer
// Reply kAuto: ret = ps_run's status (0 ended, 1 invalid config, -1 trapped, -3 refused,
// -4 diverged, -5 stopped: the reply was full), errno = the seq it stopped at, or -1; data =
// [u64 ns in ps_run][u32 n], then n records, each a request that ran and its result:
//   [i32 seq][i32 step][i32 ret][i32 errno][u32 len][len bytes of read/getcwd data]
//   [u32 len][the request as a request payload (above), as src/hosts/native-frames.ts frames it]
//   [u32 len][the step's reason, UTF-8]
constexpr uint32_t kAutRepNs = 0;
constexpr uint32_t kAutRepCount = 8;
constexpr uint32_t kAutRepHeader = 12;
constexpr uint32_t kAutResSeq = 0;
constexpr uint32_t kAutResStep = 4;
constexpr uint32_t kAutResRet = 8;
constexpr uint32_t kAutResErrno = 12;
constexpr uint32_t kAutResLen = 16;
constexpr uint32_t kAutResHeader = 20;
// The reply's room: every byte of mountinfo the machine can take (src/abi.ts MOUNTINFO_CAP, 16 MiB)
// plus 8 MiB for the records: ~300 bytes each for the reads of a table at the cap (MAX_REQUESTS
// of them at most), ~17 KiB at most for a request with four full paths. The child stops a run
// whose next record would not fit (PS_STOPPED) rather than send part of it.
constexpr uint32_t kMaxAutoData = PS_ABI_MOUNTINFO_CAP + (8u << 20);

// Reply payload: u32 kind, i32 ret, i32 errno, then data bytes (read, getcwd, hello).
constexpr uint32_t kRepKind = 0;
constexpr uint32_t kRepRet = 4;
constexpr uint32_t kRepErrno = 8;
constexpr uint32_t kRepHeader = 12;

constexpr uint32_t kHello = 1;      // once, after set-up: ret = channel fd (or -1), errno, data = the
                                    // failed step, or on success one byte: bit i set = fd i (0-2) open,
                                    // and kHelloAutoReady when the C machine is made (autonomous mode)
constexpr unsigned char kHelloAutoReady = 1u << 3;
constexpr uint32_t kResult = 2;     // a syscall's {ret | errno}
constexpr uint32_t kPaused = 3;     // ret = pid
constexpr uint32_t kResumed = 4;
constexpr uint32_t kExecFailed = 5; // errno of chdir(cwd) or execve; data = which one
constexpr uint32_t kRefused = 6;    // set-up failed or the namespace check failed: nothing runs
constexpr uint32_t kProtocol = 7;   // malformed or unexpected frame
constexpr uint32_t kBatch = 8;      // ret = n results (1..count); data = u64 ns, then n records
constexpr uint32_t kAuto = 9;       // ret = ps_run's status, errno = seq or -1; data: see kOpAuto

// kBatch data: u64 nanoseconds the child spent running the batch's syscalls (CLOCK_MONOTONIC,
// for the benchmark), then n records [i32 ret][i32 errno][u32 len][len bytes of read/getcwd data].
constexpr uint32_t kBatRepNs = 0;
constexpr uint32_t kBatRepHeader = 8;
constexpr uint32_t kBatResRet = 0;
constexpr uint32_t kBatResErrno = 4;
constexpr uint32_t kBatResLen = 8;
constexpr uint32_t kBatResHeader = 12;

// Limits: buffers are static (allocated at load time), so the child never allocates.
constexpr uint32_t kMaxFrame = 1u << 20;          // request payload
constexpr uint32_t kMaxData = 1u << 20;           // read/getcwd data in a reply (a batch has at most one)
constexpr uint32_t kMaxReply = kRepHeader + kBatRepHeader + kMaxBatch * kBatResHeader + kMaxData;
// The largest reply of any kind (an autonomous run's, g_auto): what the parent's reader accepts.
constexpr uint32_t kMaxAnyReply = kRepHeader + kMaxAutoData > kMaxReply ? kRepHeader + kMaxAutoData : kMaxReply;
constexpr uint32_t kMaxStrings = 4096;            // argv + env + fixed strings
constexpr int kChannelFdMin = 64;                 // the child moves its socket to >= this fd

// Exit statuses of the child before execve (after it, the status is the command's own). The
// child says what failed on the channel whenever it still can; these say it when it cannot.
constexpr int kExitDone = 0;           // kOpQuit, or EOF: the parent closed the channel
constexpr int kExitSetup = 121;        // a set-up step failed; its hello named the step
constexpr int kExitParentGone = 122;   // the parent died before PR_SET_PDEATHSIG took hold
constexpr int kExitChannelLost = 123;  // a reply could not be written (the parent's end is gone)
constexpr int kExitFraming = 124;      // a frame length out of bounds: framing is lost for good

}  // namespace wire
