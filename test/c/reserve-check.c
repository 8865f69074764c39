/* reserve-check.c: for test/c-machine.test.ts. Runs a runc 1.1 plan (it reads mountinfo) whose
 * mountinfo is almost MOUNTINFO_CAP (16 MiB), fed in the chunks the machine asks for, and prints
 * the outcome and whether the machine's memory grew during the run: "<reserve> <grew> <done>".
 * With ps_reserve(64 MiB) first it must not grow (no allocation in a forked child); without, it
 * does, which shows the check can fail. With "seal" after it, ps_seal follows the reservation: a
 * run that needs more then traps instead of growing ("trapped"). With "cap", RESERVE_BYTES is
 * ps_cap's bound instead (pivotshim-child's): the memory grows on demand, and past it the run traps.
 * usage: reserve-check RESERVE_BYTES|any (PS_RESERVE_ANY_RUN) [seal|cap] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pivotshim.h"

int main(int argc, char **argv) {
  size_t reserve = argc > 1 ? (strcmp(argv[1], "any") == 0 ? PS_RESERVE_ANY_RUN : strtoull(argv[1], NULL, 10)) : 0;
  /* Valid lines, "/" first, until just under the cap. */
  size_t cap = 16u << 20, n = 0;
  char *text = malloc(cap);
  if (!text) return 1;
  n += (size_t)snprintf(text, cap, "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n");
  for (unsigned id = 100; ; id++) {
    char line[160];
    int k = snprintf(line, sizeof line, "%u 22 0:%u / /var/lib/containers/%08x/merged rw,relatime - overlay overlay rw\n", id, id, id);
    if (n + (size_t)k >= cap - 1) break;
    memcpy(text + n, line, (size_t)k);
    n += (size_t)k;
  }
  ps_machine *m = ps_new();
  int capped = argc > 2 && strcmp(argv[2], "cap") == 0;
  if (!m || (reserve && (capped ? ps_cap(m, reserve) : ps_reserve(m, reserve)) != 0)) { puts("setup failed"); return 1; }
  if (argc > 2 && strcmp(argv[2], "seal") == 0) ps_seal(m);
  size_t before = ps_memory_size(m);
  ps_start(m, "/srv/rootfs", 11, 2 /* runc-1.1 */, 1 /* pivot */, 0, 0);
  size_t off = 0;
  int op;
  ps_request r;
  while ((op = ps_next(m, &r)) > 0 && op < PS_DONE) {
    if (op == PS_READ) {
      size_t k = n - off < (size_t)r.count ? n - off : (size_t)r.count;
      ps_feed(m, (int32_t)k, 0, text + off, k);
      off += k;
    } else {
      ps_feed(m, op == PS_OPENAT ? 3 : op == PS_GETCWD ? 2 : 0, 0, op == PS_GETCWD ? "/" : NULL, op == PS_GETCWD ? 2 : 0);
    }
  }
  printf("%zu %d %s %zu\n", reserve, ps_memory_size(m) != before, op == PS_DONE ? "done" : op == PS_TRAPPED ? "trapped" : "failed", off);
  ps_free(m);
  free(text);
  return 0;
}
