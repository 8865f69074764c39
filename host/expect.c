/* expect.c: a small JSON reader for one document shape, the trace (src/trace.ts, schema in
 * src/trace-schema.ts). Strict where it matters to pivotshim-exec: strings are decoded (escapes,
 * \uXXXX with surrogate pairs, to UTF-8) so the rootfs compares byte for byte; numbers are the
 * integers a trace holds; anything malformed is an error naming what was expected. */
#include "expect.h"

#include <stdint.h>
#include <string.h>

typedef struct { const char *p, *end; const char *err; } cur;

static void ws(cur *c) { while (c->p < c->end && (*c->p == ' ' || *c->p == '\n' || *c->p == '\r' || *c->p == '\t')) c->p++; }
static int fail(cur *c, const char *why) { if (!c->err) c->err = why; return 0; }
static int eat(cur *c, char ch) { ws(c); if (c->p < c->end && *c->p == ch) { c->p++; return 1; } return 0; }

static int hex4(cur *c, unsigned *v) {
  *v = 0;
  for (int i = 0; i < 4; i++) {
    if (c->p >= c->end) return 0;
    char h = *c->p++;
    *v <<= 4;
    if (h >= '0' && h <= '9') *v |= (unsigned)(h - '0');
    else if (h >= 'a' && h <= 'f') *v |= (unsigned)(h - 'a' + 10);
    else if (h >= 'A' && h <= 'F') *v |= (unsigned)(h - 'A' + 10);
    else return 0;
  }
  return 1;
}

/* A string into out (cap bytes with its NUL; out may be NULL to skip). Too long is an error. */
static int string(cur *c, char *out, size_t cap) {
  size_t n = 0;
  if (!eat(c, '"')) return fail(c, "a string");
  while (c->p < c->end && *c->p != '"') {
    unsigned char b[4];
    int k = 1;
    unsigned ch = (unsigned char)*c->p++;
    if (ch < 0x20) return fail(c, "no control character in a string");
    if (ch == '\\') {
      if (c->p >= c->end) return fail(c, "an escape");
      char e = *c->p++;
      switch (e) {
        case '"': case '\\': case '/': b[0] = (unsigned char)e; break;
        case 'b': b[0] = '\b'; break;
        case 'f': b[0] = '\f'; break;
        case 'n': b[0] = '\n'; break;
        case 'r': b[0] = '\r'; break;
        case 't': b[0] = '\t'; break;
        case 'u': {
          unsigned u;
          if (!hex4(c, &u)) return fail(c, "four hex digits after \\u");
          if (u >= 0xd800 && u < 0xdc00 && c->end - c->p >= 6 && c->p[0] == '\\' && c->p[1] == 'u') {
            const char *save = c->p;
            unsigned lo;
            c->p += 2;
            if (hex4(c, &lo) && lo >= 0xdc00 && lo < 0xe000) u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
            else c->p = save;
          }
          if (u < 0x80) b[0] = (unsigned char)u;
          else if (u < 0x800) { b[0] = (unsigned char)(0xc0 | u >> 6); b[1] = (unsigned char)(0x80 | (u & 0x3f)); k = 2; }
          else if (u < 0x10000) { b[0] = (unsigned char)(0xe0 | u >> 12); b[1] = (unsigned char)(0x80 | ((u >> 6) & 0x3f)); b[2] = (unsigned char)(0x80 | (u & 0x3f)); k = 3; }
          else { b[0] = (unsigned char)(0xf0 | u >> 18); b[1] = (unsigned char)(0x80 | ((u >> 12) & 0x3f)); b[2] = (unsigned char)(0x80 | ((u >> 6) & 0x3f)); b[3] = (unsigned char)(0x80 | (u & 0x3f)); k = 4; }
          break;
        }
        default: return fail(c, "a known escape");
      }
    } else {
      b[0] = (unsigned char)ch;
    }
    if (out) {
      if (n + (size_t)k >= cap) return fail(c, "a shorter string");
      memcpy(out + n, b, (size_t)k);
    }
    n += (size_t)k;
  }
  if (c->p >= c->end) return fail(c, "the end of a string");
  c->p++;
  if (out) out[n] = 0;
  return 1;
}

static int integer(cur *c, int64_t *v) {
  ws(c);
  int neg = 0, digits = 0;
  int64_t x = 0;
  if (c->p < c->end && *c->p == '-') { neg = 1; c->p++; }
  while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
    if (++digits > 12) return fail(c, "a smaller integer");
    x = x * 10 + (*c->p++ - '0');
  }
  if (!digits) return fail(c, "an integer");
  if (c->p < c->end && (*c->p == '.' || *c->p == 'e' || *c->p == 'E')) return fail(c, "an integer, not a fraction");
  *v = neg ? -x : x;
  return 1;
}

static int word(cur *c, const char *w) {
  size_t n = strlen(w);
  ws(c);
  if ((size_t)(c->end - c->p) >= n && memcmp(c->p, w, n) == 0) { c->p += n; return 1; }
  return 0;
}

static int boolean(cur *c, int *v) {
  if (word(c, "true")) { *v = 1; return 1; }
  if (word(c, "false")) { *v = 0; return 1; }
  return fail(c, "true or false");
}

static int skip(cur *c, int depth);

/* Walks an object: for each key, calls on(key) which reads the value (or skips it). */
#define OBJECT(c, key, body)                                                    \
  do {                                                                          \
    if (!eat(c, '{')) return fail(c, "an object");                             \
    if (!eat(c, '}')) {                                                         \
      do {                                                                      \
        char key[64];                                                           \
        if (!string(c, key, sizeof key) || !eat(c, ':')) return fail(c, "a key and a colon"); \
        body                                                                    \
        if (c->err) return 0;                                                   \
      } while (eat(c, ','));                                                    \
      if (!eat(c, '}')) return fail(c, "a comma or the end of an object");     \
    }                                                                           \
  } while (0)

static int skip(cur *c, int depth) {
  int64_t i;
  int b;
  ws(c);
  if (depth > 64) return fail(c, "less nesting");
  if (c->p >= c->end) return fail(c, "a value");
  switch (*c->p) {
    case '"': return string(c, NULL, 0);
    case '{': OBJECT(c, k, { (void)k; skip(c, depth + 1); }); return 1;
    case '[':
      c->p++;
      if (eat(c, ']')) return 1;
      do { if (!skip(c, depth + 1)) return 0; } while (eat(c, ','));
      return eat(c, ']') ? 1 : fail(c, "a comma or the end of an array");
    case 't': case 'f': return boolean(c, &b);
    case 'n': return word(c, "null") ? 1 : fail(c, "null");
    default:
      if (!integer(c, &i)) return 0;
      return 1;
  }
}

static int config(cur *c, expect_trace *t) {
  OBJECT(c, k, {
    if (!strcmp(k, "rootfs")) string(c, t->rootfs, sizeof t->rootfs);
    else if (!strcmp(k, "profile")) string(c, t->profile, sizeof t->profile);
    else if (!strcmp(k, "strategy")) string(c, t->strategy, sizeof t->strategy);
    else if (!strcmp(k, "rootPropagation")) string(c, t->root_propagation, sizeof t->root_propagation);
    else if (!strcmp(k, "readonly")) boolean(c, &t->readonly);
    else if (!strcmp(k, "prepare")) boolean(c, &t->prepare);
    else if (!strcmp(k, "selfBind")) boolean(c, &t->self_bind);
    else skip(c, 1);
  });
  return 1;
}

static int result(cur *c, ps_result *r) {
  int seen = 0;
  r->ret = 0; r->err = 0;
  OBJECT(c, k, {
    int64_t v = 0;
    if (!strcmp(k, "ret")) { if (integer(c, &v)) { r->ret = (int32_t)v; seen |= 1; } }
    else if (!strcmp(k, "errno")) { if (integer(c, &v)) { r->ret = -1; r->err = (int32_t)v; seen |= 2; } }
    else skip(c, 2);
  });
  if (seen != 1 && seen != 2) return fail(c, "a result with ret or errno");
  if (seen == 2 && (r->err < 1 || r->err > 4095)) return fail(c, "an errno from 1 to 4095");
  return 1;
}

static int steps(cur *c, expect_trace *t) {
  if (!eat(c, '[')) return fail(c, "the steps array");
  if (eat(c, ']')) return 1;
  do {
    if (t->n_steps >= EXPECT_MAX_STEPS) return fail(c, "fewer steps");
    ps_result *r = &t->steps[t->n_steps++];
    int got = 0;
    OBJECT(c, k, {
      if (!strcmp(k, "result")) { result(c, r); got = 1; }
      else skip(c, 2);
    });
    if (!got) return fail(c, "a result in every step");
  } while (eat(c, ','));
  return eat(c, ']') ? 1 : fail(c, "the end of the steps array");
}

static int verdicts(cur *c, expect_trace *t) {
  if (!eat(c, '[')) return fail(c, "the verdicts array");
  if (eat(c, ']')) return 1;
  do {
    char id[64] = "";
    int held = -1;
    OBJECT(c, k, {
      if (!strcmp(k, "id")) string(c, id, sizeof id);
      else if (!strcmp(k, "held")) boolean(c, &held);
      else skip(c, 2);
    });
    if (held < 0 || !id[0]) return fail(c, "a verdict with id and held");
    t->n_verdicts++;
    if (held) t->n_held++;
    else if (!t->violated[0]) memcpy(t->violated, id, sizeof id);
  } while (eat(c, ','));
  return eat(c, ']') ? 1 : fail(c, "the end of the verdicts array");
}

static int outcome(cur *c, expect_trace *t) {
  OBJECT(c, k, {
    if (!strcmp(k, "kind")) string(c, t->outcome, sizeof t->outcome);
    else skip(c, 1);
  });
  return 1;
}

static int source(cur *c, expect_trace *t) {
  OBJECT(c, k, {
    if (!strcmp(k, "host")) string(c, t->host, sizeof t->host);
    else if (!strcmp(k, "faults")) { t->faults = 1; skip(c, 1); }
    else skip(c, 1);
  });
  return 1;
}

static int document(cur *c, expect_trace *t) {
  OBJECT(c, k, {
    int64_t v = 0;
    if (!strcmp(k, "version")) { if (integer(c, &v)) t->version = (int)v; }
    else if (!strcmp(k, "config")) config(c, t);
    else if (!strcmp(k, "source")) source(c, t);
    else if (!strcmp(k, "steps")) steps(c, t);
    else if (!strcmp(k, "outcome")) outcome(c, t);
    else if (!strcmp(k, "verdicts")) verdicts(c, t);
    else skip(c, 1);
  });
  ws(c);
  return c->p == c->end ? 1 : fail(c, "nothing after the trace");
}

const char *expect_parse(const char *text, size_t len, expect_trace *t) {
  memset(t, 0, sizeof *t);
  t->readonly = t->prepare = t->self_bind = -1;
  cur c = { text, text + len, NULL };
  if (!document(&c, t) && !c.err) c.err = "a trace";
  t->error_at = (size_t)(c.p - text);
  return c.err;
}
