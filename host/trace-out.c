/* trace-out.c: the trace JSON of pivotshim-exec --trace-out (trace-out.h), in the shape of
 * src/trace.ts and the words of its names: request fields per op as src/request.ts decodes them,
 * results as toTraceResult writes them ({ret}, {ret, text} for valid UTF-8 data, else
 * {ret, base64}; {errno, errnoName}), strings as JSON.stringify writes the surrogateescaped text
 * (src/utf8.ts: a byte that is not UTF-8 is U+DC80+byte). */
#define _GNU_SOURCE
#include "trace-out.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

static const char *const STEP_NAMES[] = PS_STEP_NAMES;
static const char *const OP_NAMES[] = PS_OP_NAMES;

typedef struct { char *ptr; uint32_t len; int null; } str_copy;

typedef struct {
  int32_t op, seq, step, fd, flags, count, mode;
  str_copy str[4], reason, data;
  ps_result res;
} step_rec;

struct trace_steps {
  step_rec *steps;
  size_t n, cap;
};

trace_steps *trace_new(void) { return calloc(1, sizeof(trace_steps)); }

static void free_str(str_copy *s) { free(s->ptr); }

void trace_free(trace_steps *t) {
  if (!t) return;
  for (size_t i = 0; i < t->n; i++) {
    for (int k = 0; k < 4; k++) free_str(&t->steps[i].str[k]);
    free_str(&t->steps[i].reason);
    free_str(&t->steps[i].data);
  }
  free(t->steps);
  free(t);
}

static int copy(str_copy *out, const void *p, uint32_t n, int null) {
  out->null = null;
  out->len = n;
  out->ptr = NULL;
  if (null) return 0;
  out->ptr = malloc(n ? n : 1);
  if (!out->ptr) return -1;
  if (n) memcpy(out->ptr, p, n);
  return 0;
}

int trace_step(void *ctx, const ps_request *r, ps_result res) {
  trace_steps *t = ctx;
  if (t->n == t->cap) {
    size_t cap = t->cap ? 2 * t->cap : 32;
    step_rec *more = realloc(t->steps, cap * sizeof *more);
    if (!more) return 1;
    t->steps = more;
    t->cap = cap;
  }
  step_rec *s = &t->steps[t->n];
  memset(s, 0, sizeof *s);
  s->op = r->op, s->seq = r->seq, s->step = r->step, s->fd = r->fd, s->flags = r->flags, s->count = r->count, s->mode = r->mode;
  s->res = res;
  int bad = 0;
  for (int k = 0; k < 4; k++) bad |= copy(&s->str[k], r->str[k].ptr, r->str[k].len, r->str[k].ptr == NULL);
  bad |= copy(&s->reason, r->reason.ptr, r->reason.len, r->reason.ptr == NULL);
  int data = res.err == 0 && res.ret > 0 && (r->op == PS_READ || r->op == PS_GETCWD) && r->buf;
  bad |= copy(&s->data, r->buf, data ? (uint32_t)res.ret : 0, !data);
  t->n++;  /* counted even when a copy failed, so trace_free frees what was copied */
  return bad ? 1 : 0;
}

/* The length of a valid UTF-8 sequence at p (1-4), or 0: what a fatal TextDecoder rejects
 * (overlongs, surrogates, past U+10FFFF, cut sequences) is not one. */
static int utf8_len(const unsigned char *p, size_t left) {
  unsigned c = p[0];
  if (c < 0x80) return 1;
  int n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
  if (n == 0 || c > 0xf4 || (size_t)n > left) return 0;
  for (int i = 1; i < n; i++) if ((p[i] & 0xc0) != 0x80) return 0;
  if (c == 0xe0 && p[1] < 0xa0) return 0;  /* overlong */
  if (c == 0xed && p[1] >= 0xa0) return 0;  /* a surrogate */
  if (c == 0xf0 && p[1] < 0x90) return 0;  /* overlong */
  if (c == 0xf4 && p[1] >= 0x90) return 0;  /* past U+10FFFF */
  return n;
}

/* A JSON string of these bytes: UTF-8 as is, a byte that is not UTF-8 as \udcXX, as
 * JSON.stringify writes the surrogateescaped string. */
static void json_bytes(FILE *f, const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  fputc('"', f);
  for (size_t i = 0; i < n;) {
    unsigned c = p[i];
    if (c == '"' || c == '\\') { fputc('\\', f); fputc((int)c, f); i++; continue; }
    if (c < 0x20) {
      const char *esc = c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r" : c == '\b' ? "\\b" : c == '\f' ? "\\f" : NULL;
      if (esc) fputs(esc, f); else fprintf(f, "\\u%04x", c);
      i++;
      continue;
    }
    int k = utf8_len(p + i, n - i);
    if (k == 0) { fprintf(f, "\\u%04x", 0xdc00 + c); i++; continue; }
    fwrite(p + i, 1, (size_t)k, f);
    i += (size_t)k;
  }
  fputc('"', f);
}

static void json_str(FILE *f, const char *s) { json_bytes(f, s, strlen(s)); }

static void json_copy(FILE *f, const str_copy *s) {
  if (s->null) fputs("null", f);
  else json_bytes(f, s->ptr, s->len);
}

/* A string argument the machine's decoder reads as "" when NULL (src/request.ts s()). */
static void json_path(FILE *f, const str_copy *s) {
  if (s->null) fputs("\"\"", f);
  else json_bytes(f, s->ptr, s->len);
}

static int valid_utf8(const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n;) {
    int k = utf8_len(p + i, n - i);
    if (k == 0) return 0;
    i += (size_t)k;
  }
  return 1;
}

static void base64(FILE *f, const unsigned char *p, size_t n) {
  static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  fputc('"', f);
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
    fputc(A[v >> 18 & 63], f);
    fputc(A[v >> 12 & 63], f);
    fputc(i + 1 < n ? A[v >> 6 & 63] : '=', f);
    fputc(i + 2 < n ? A[v & 63] : '=', f);
  }
  fputc('"', f);
}

static const char *errno_name(int e) {
  const char *n = strerrorname_np(e);
  return n ? n : "";
}

static const char *step_name(int code) {
  return code >= 0 && code < PS_STEP_COUNT && STEP_NAMES[code][0] ? STEP_NAMES[code] : "none";
}

static void request(FILE *f, const step_rec *s) {
  fprintf(f, "{\"seq\":%d,\"step\":", s->seq);
  json_str(f, step_name(s->step));
  fputs(",\"reason\":", f);
  json_path(f, &s->reason);
  fputs(",\"op\":", f);
  json_str(f, s->op > 0 && s->op < PS_OP_COUNT ? OP_NAMES[s->op] : "unknown");
  switch (s->op) {
    case PS_OPENAT: fprintf(f, ",\"dirfd\":%d,\"pathname\":", s->fd); json_path(f, &s->str[0]); fprintf(f, ",\"flags\":%d,\"mode\":%d", s->flags, s->mode); break;
    case PS_READ: fprintf(f, ",\"fd\":%d,\"count\":%d", s->fd, s->count); break;
    case PS_CLOSE: case PS_FCHDIR: fprintf(f, ",\"fd\":%d", s->fd); break;
    case PS_CHDIR: case PS_CHROOT: fputs(",\"path\":", f); json_path(f, &s->str[0]); break;
    case PS_PIVOT_ROOT: fputs(",\"new_root\":", f); json_path(f, &s->str[0]); fputs(",\"put_old\":", f); json_path(f, &s->str[1]); break;
    case PS_MOUNT:
      fputs(",\"source\":", f); json_copy(f, &s->str[0]);
      fputs(",\"target\":", f); json_path(f, &s->str[1]);
      fputs(",\"filesystemtype\":", f); json_copy(f, &s->str[2]);
      fprintf(f, ",\"mountflags\":%d,\"data\":", s->flags); json_copy(f, &s->str[3]);
      break;
    case PS_UMOUNT2: fputs(",\"target\":", f); json_path(f, &s->str[0]); fprintf(f, ",\"flags\":%d", s->flags); break;
    case PS_GETCWD: fprintf(f, ",\"size\":%d", s->count); break;
    case PS_SETHOSTNAME: fputs(",\"name\":", f); json_path(f, &s->str[0]); break;
    case PS_MKDIR: fputs(",\"pathname\":", f); json_path(f, &s->str[0]); fprintf(f, ",\"mode\":%d", s->mode); break;  /* ABI 4 */
    case PS_OPENAT2:  /* ABI 5 */
      fprintf(f, ",\"dirfd\":%d,\"pathname\":", s->fd); json_path(f, &s->str[0]);
      fprintf(f, ",\"flags\":%d,\"mode\":%d,\"resolve\":%d", s->flags, s->mode, s->count);
      break;
    case PS_OPEN_TREE: fprintf(f, ",\"dirfd\":%d,\"pathname\":", s->fd); json_path(f, &s->str[0]); fprintf(f, ",\"flags\":%d", s->flags); break;
    case PS_MOVE_MOUNT:
      fprintf(f, ",\"from_dirfd\":%d,\"from_pathname\":", s->fd); json_path(f, &s->str[0]);
      fprintf(f, ",\"to_dirfd\":%d,\"to_pathname\":", s->count); json_path(f, &s->str[1]);
      fprintf(f, ",\"flags\":%d", s->flags);
      break;
    case PS_SETNS: fprintf(f, ",\"fd\":%d,\"nstype\":%d", s->fd, s->flags); break;  /* ABI 6 */
    case PS_MOUNT_SETATTR:
      fprintf(f, ",\"dirfd\":%d,\"pathname\":", s->fd); json_path(f, &s->str[0]);
      fprintf(f, ",\"flags\":%d,\"attr_set\":%d,\"propagation\":%d", s->flags, s->mode, s->count);
      break;
    default: break;
  }
  fputc('}', f);
}

static void result(FILE *f, const step_rec *s) {
  if (s->res.err) {
    fprintf(f, "{\"errno\":%d,\"errnoName\":", s->res.err);
    json_str(f, errno_name(s->res.err));
    fputc('}', f);
    return;
  }
  fprintf(f, "{\"ret\":%d", s->res.ret);
  if (!s->data.null) {
    const unsigned char *p = (const unsigned char *)s->data.ptr;
    if (valid_utf8(p, s->data.len)) { fputs(",\"text\":", f); json_bytes(f, s->data.ptr, s->data.len); }
    else { fputs(",\"base64\":", f); base64(f, p, s->data.len); }
  }
  fputc('}', f);
}

static void ps_json(FILE *f, ps_str s) {
  if (!s.ptr) fputs("null", f);
  else json_bytes(f, s.ptr, s.len);
}

static void ps_text(FILE *f, ps_str s) {
  if (!s.ptr) fputs("\"\"", f);
  else json_bytes(f, s.ptr, s.len);
}

int trace_write(FILE *f, const trace_steps *t, const trace_config *c, const ps_outcome *o, int diverged, const char *diverged_message) {
  struct utsname u;
  if (uname(&u) < 0) strcpy(u.release, "unknown");
  fputs("{\"version\":1,\"config\":{\"rootfs\":", f);
  json_str(f, c->rootfs);
  fputs(",\"profile\":", f);
  json_str(f, c->profile);
  fputs(",\"strategy\":", f);
  json_str(f, c->strategy);
  if (c->root_propagation) { fputs(",\"rootPropagation\":", f); json_str(f, c->root_propagation); }
  fprintf(f, ",\"readonly\":%s,\"prepare\":%s,\"selfBind\":%s},", c->readonly ? "true" : "false", c->prepare ? "true" : "false", c->self_bind ? "true" : "false");
  fputs("\"source\":{\"host\":\"native\",\"kernel\":", f);
  json_str(f, u.release);
  fputs(",\"note\":\"pivotshim-exec\"},\"steps\":[", f);
  for (size_t i = 0; i < t->n; i++) {
    fputs(i ? ",{\"request\":" : "{\"request\":", f);
    request(f, &t->steps[i]);
    fputs(",\"result\":", f);
    result(f, &t->steps[i]);
    fputc('}', f);
  }
  fputs("],\"outcome\":", f);
  if (diverged >= 0) {
    fputs("{\"kind\":\"refused\",\"reason\":\"diverged\",\"message\":", f);
    json_str(f, diverged_message);
    fprintf(f, ",\"note\":\"\",\"violated\":[],\"seq\":%d}", diverged);
  } else if (o->done) {
    fputs("{\"kind\":\"done\",\"note\":", f);
    ps_text(f, o->note);
    fputc('}', f);
  } else {
    fputs("{\"kind\":\"failed\",\"op\":", f);
    json_str(f, o->op > 0 && o->op < PS_OP_COUNT ? OP_NAMES[o->op] : "none");
    fputs(",\"path\":", f);
    ps_json(f, o->path);
    fprintf(f, ",\"errno\":%d,\"errnoName\":", o->err);
    json_str(f, o->err ? errno_name(o->err) : "");
    fputs(",\"step\":", f);
    json_str(f, step_name(o->step));
    fprintf(f, ",\"seq\":%d,\"message\":", o->seq);
    ps_text(f, o->message);
    fputs(",\"note\":", f);
    ps_text(f, o->note);
    fputc('}', f);
  }
  fputs("}\n", f);
  return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
