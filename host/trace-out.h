/* trace-out.h: pivotshim-exec --trace-out, the run's trace as the JSON `pivotshim run --trace-out`
 * writes (src/trace.ts; the schema is `pivotshim schema trace`): the config, the source, every
 * request with its result, and the outcome. Steps are recorded by ps_run's step callback. */
#ifndef PIVOTSHIM_TRACE_OUT_H
#define PIVOTSHIM_TRACE_OUT_H

#include <stdio.h>

#include "pivotshim.h"

typedef struct trace_steps trace_steps;

/* The config as the trace names it (names, not codes; root_propagation NULL: the profile's). */
typedef struct {
  const char *rootfs, *profile, *strategy, *root_propagation;
  int readonly, prepare, self_bind;
} trace_config;

/* An empty record of steps, or NULL (out of memory). */
trace_steps *trace_new(void);
void trace_free(trace_steps *t);

/* ps_run's step callback: copies the request, its result and a read's or getcwd's bytes. Returns
 * nonzero (stop the run) only when out of memory: a trace must not miss a step that ran. */
int trace_step(void *ctx, const ps_request *r, ps_result res);

/* Writes the whole trace. With `diverged` >= 0 the outcome is run's "refused, diverged" at that
 * request (the verified plan left); else the machine's outcome `o`. 0, or -1 (errno set). */
int trace_write(FILE *f, const trace_steps *t, const trace_config *c, const ps_outcome *o, int diverged, const char *diverged_message);

#endif
