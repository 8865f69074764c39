/* expect.h: reads a verified plan (a trace written by `pivotshim plan --trace-out` on the fake
 * kernel) for pivotshim-exec --expect: its config, every step's result, its outcome and its
 * verdicts. Only what the executor needs is kept; the rest of the JSON is checked for syntax and
 * skipped. */
#ifndef PIVOTSHIM_EXPECT_H
#define PIVOTSHIM_EXPECT_H

#include <stddef.h>
#include "pivotshim.h"

/* A trace holds at most MAX_REQUESTS + 1 steps (src/trace-schema.ts); a rootfs under PATH_MAX bytes. */
enum { EXPECT_MAX_STEPS = PS_MAX_REQUESTS + 1, EXPECT_STR = PS_PATH_MAX };

typedef struct {
  int version;
  char rootfs[EXPECT_STR];
  char profile[32], strategy[32], root_propagation[32], host[32], outcome[32];
  int readonly, prepare, self_bind;  /* -1: absent */
  int faults;                        /* source.faults present: a run with injected errors, no prediction */
  size_t n_steps;
  ps_result steps[EXPECT_MAX_STEPS];
  int n_verdicts, n_held;
  char violated[64];                 /* the first invariant not held, if any */
  size_t error_at;                   /* where expect_parse found what it names */
} expect_trace;

/* Parses the JSON text (len bytes) into *t. Returns NULL, or what was expected and was not there
 * (a static string), with t->error_at the byte offset. */
const char *expect_parse(const char *text, size_t len, expect_trace *t);

#endif
