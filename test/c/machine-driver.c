/* machine-driver.c: drives libpivotshim's C machine from a script on stdin and prints every request
 * and outcome, so test/c-machine.test.ts can compare it byte for byte with the wasm machine in V8
 * (which prints the same lines from the same blocks). Not part of the library.
 *
 * stdin, one line each:
 *   S <profile> <strategy> <root_propagation> <options> <rootfs hex>   start a run
 *   F <ret> <errno> <data hex or ->                                     feed the pending request
 * stdout, per next():
 *   R <op> <seq> <fd> <flags> <count> <step> <mode> <buf?> <str0> <str1> <str2> <str3> <reason>
 *   O <op> <errno> <step> <seq> <path> <message> <note>                 after a terminal request
 *   X <what>                                                            the script and the run disagree
 * Strings are hex, or - for NULL. A trap prints "T <message>" and the run is over. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pivotshim.h"

static void hex(const char *p, uint32_t n) {
  if (!p) { fputs(" -", stdout); return; }
  putchar(' ');
  if (n == 0) putchar('=');  /* "" (a valid pointer to no bytes), distinct from NULL */
  for (uint32_t i = 0; i < n; i++) printf("%02x", (unsigned char)p[i]);
}

static size_t unhex(const char *s, unsigned char *out, size_t cap) {
  size_t n = 0;
  if (strcmp(s, "-") == 0 || strcmp(s, "=") == 0) return 0;
  for (; s[0] && s[1] && n < cap; s += 2) {
    unsigned v;
    if (sscanf(s, "%2x", &v) != 1) break;
    out[n++] = (unsigned char)v;
  }
  return n;
}

static char line[1 << 25];          /* a feed line carries up to 16 MiB of mountinfo, in hex */
static unsigned char data[1 << 24];

int main(void) {
  ps_machine *m = ps_new();
  if (!m) { fputs("X cannot create the machine\n", stdout); return 1; }
  int have = fgets(line, sizeof line, stdin) != NULL;
  while (have) {
    if (line[0] != 'S') { fputs("X expected a start line\n", stdout); have = fgets(line, sizeof line, stdin) != NULL; continue; }
    int profile, strategy, prop, options;
    char rootfs_hex[2 * 4200 + 2] = "";
    if (sscanf(line, "S %d %d %d %d %8401s", &profile, &strategy, &prop, &options, rootfs_hex) < 4) { fputs("X bad start line\n", stdout); return 2; }
    unsigned char rootfs[4200];
    size_t rn = unhex(rootfs_hex, rootfs, sizeof rootfs);
    if (m == NULL || ps_trap_message(m)) { ps_free(m); m = ps_new(); }
    printf("S %d\n", ps_start(m, (const char *)rootfs, rn, profile, strategy, prop, options));
    have = fgets(line, sizeof line, stdin) != NULL;
    for (;;) {
      ps_request r;
      int op = ps_next(m, &r);
      if (op == PS_TRAPPED) { printf("T %s\n", ps_trap_message(m)); break; }
      printf("R %d %d %d %d %d %d %d %d", r.op, r.seq, r.fd, r.flags, r.count, r.step, r.mode, r.buf != NULL);
      for (int i = 0; i < 4; i++) hex(r.str[i].ptr, r.str[i].len);
      hex(r.reason.ptr, r.reason.len);
      putchar('\n');
      if (op == PS_DONE || op == PS_FAILED) {
        ps_outcome o;
        ps_outcome_get(m, &o);
        printf("O %d %d %d %d", o.op, o.err, o.step, o.seq);
        hex(o.path.ptr, o.path.len);
        hex(o.message.ptr, o.message.len);
        hex(o.note.ptr, o.note.len);
        putchar('\n');
        break;
      }
      if (!have || line[0] != 'F') { fputs("X out of results\n", stdout); break; }
      int ret, err;
      char *rest = NULL;
      if (sscanf(line, "F %d %d", &ret, &err) != 2) { fputs("X bad feed line\n", stdout); return 2; }
      rest = strchr(line + 2, ' ');
      rest = rest ? strchr(rest + 1, ' ') : NULL;
      size_t n = 0;
      if (rest) { rest++; rest[strcspn(rest, "\n")] = 0; n = unhex(rest, data, sizeof data); }
      int f = ps_feed(m, ret, err, data, n);
      if (f == PS_TRAPPED) { printf("T %s\n", ps_trap_message(m)); have = fgets(line, sizeof line, stdin) != NULL; break; }
      if (f != 0) printf("X feed %d\n", f);
      have = fgets(line, sizeof line, stdin) != NULL;
    }
    int extra = 0;
    while (have && line[0] == 'F') { extra++; have = fgets(line, sizeof line, stdin) != NULL; }
    if (extra) printf("X %d results left over\n", extra);
  }
  ps_free(m);
  return 0;
}
