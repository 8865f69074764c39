// Autonomous mode (host/wire.h kOpAuto): the executor child runs the whole switch on the C machine
// (libpivotshim, the release wasm translated by wasm2c) instead of one request per round trip.
// pivotshim-child makes the machine at start, capped at the memory its table needs; it runs it
// with ps_run and records every request and result for the one reply. Built only when the C
// machine was (PIVOTSHIM_AUTONOMOUS, CMakeLists.txt); otherwise auto_sha256() is nullptr.
#pragma once
#include <cstddef>
#include <cstdint>

/** The SHA-256 (hex) of the release wasm the C machine was translated from; nullptr without it. */
const char* auto_sha256();

/**
 * At the child's start, before it serves: the machine (made once), its linear memory capped at
 * `bytes` (ps_cap). false when there is no C machine or no memory for it.
 */
bool auto_prepare(size_t bytes);

/**
 * What one autonomous run needs. With has_expect: `expect` points at `n_expect` (ret, errno) i32
 * pairs, little-endian, and `requests` at n_expect [u32 len][request payload] entries, the
 * predicted requests (the frame was checked: every entry is in bounds).
 */
struct AutoArgs {
  const char* rootfs;
  size_t rootfs_len;
  int profile, strategy, root_propagation, options;
  bool has_expect;
  const unsigned char* expect;
  uint32_t n_expect;
  const unsigned char* requests;
  unsigned long guard_dev, guard_ino;  // the parent's mount namespace: ps_run refuses to act in it
};

/**
 * Child side: runs the switch, and writes the kAuto reply data (host/wire.h) into `out` (room
 * `cap`). Returns its length; *status is ps_run's status and *at the seq it stopped at (or -1).
 * No stdio; the machine's memory may grow up to its cap (realloc, in the child's own process).
 */
uint32_t auto_run(const AutoArgs& a, unsigned char* out, uint32_t cap, int32_t* status, int32_t* at);
