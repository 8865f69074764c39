// The /proc/self/mountinfo parser (proc(5), docs/sources.md#kernel-mountinfo). Pure: bytes in, one visit per
// mount out. Splits on single spaces, finds "-" by scanning back (moby's way, tolerant of the old
// cifs bug), skips unknown optional tags but refuses a known one the kernel cannot have written,
// checks \ooo escapes without allocating and decodes a field only when the visitor asks for it.
// Never traps on bad input: the error names the line.
import { Str, NULL, str, equals, txt, open, close, putText, putDec } from "./bytes";
import * as T from "./generated/text";
import { I32_MAX } from "../src/abi";

const MAX_FIELDS = 256;
const STARTS: usize = memory.data(MAX_FIELDS << 2, 4);
const ENDS: usize = memory.data(MAX_FIELDS << 2, 4);
// Bits of `escaped`: which of the fields a visitor reads have \ooo escapes.
const ROOT = 1, MOUNTPOINT = 2, FSTYPE = 4;
// The optional tags show_mountinfo (fs/proc_namespace.c) writes, each at most once per mount.
const SHARED = 1, MASTER = 2, PROPAGATE_FROM = 4, UNBINDABLE = 8;

let base: usize = 0; // the text being parsed
let lineEnd = 0; //     where the current line's "\n" (or the text) ends
let sep = 0; //         the field index of "-"
let escaped = 0;
let shared = false;
let errCount = 0; //    the number a field-count error names
let scratch: usize = 0; // where the next decoded field goes: a bump region in the run's arena
let scratchRoom = 0;

// @ts-ignore: decorator
@inline function start(f: i32): i32 { return load<i32>(STARTS + (<usize>f << 2)); }
// @ts-ignore: decorator
@inline function end(f: i32): i32 { return load<i32>(ENDS + (<usize>f << 2)); }
// @ts-ignore: decorator
@inline function at(i: i32): i32 { return <i32>load<u8>(base + <usize>i); }

/** The current mount's fields, \ooo decoded; valid until the next start() (nothing is reused). */
export function root(): Str { return field(3, ROOT); }
export function mountpoint(): Str { return field(4, MOUNTPOINT); }
export function fstype(): Str { return field(sep + 1, FSTYPE); }
/** The mount point as the file spells it, \ooo escapes left as they are (procfs-core's MountInfo). */
export function rawMountpoint(): Str { return str(base + <usize>start(4), end(4) - start(4)); }
/** An optional field says shared:N. */
export function isShared(): bool { return shared; }

/** Parses n bytes at b, calling visit() once per mount in file order; NULL, or "line N: what". */
export function parse(b: usize, n: i32, visit: () => void): Str {
  base = b;
  scratchRoom = 0; // the last run's scratch is gone with its arena
  let i = 0;
  let lineNo = 1;
  while (i < n) {
    if (at(i) != 0x0a) {
      const err = line(i, n);
      if (err != 0) return lineError(lineNo, err);
      visit();
      i = lineEnd;
    }
    i++;
    lineNo++;
  }
  return NULL;
}

function lineError(lineNo: i32, err: u32): Str {
  open();
  putText(T.M_LINE); putDec(lineNo); putText(T.COLON_SPACE); putText(err);
  if (err == T.M_MORE_THAN) { putDec(MAX_FIELDS); putText(T.M_FIELDS); }
  if (err == T.M_EXPECTED) putDec(errCount);
  if (err == T.M_TAG) { putDec(errCount); putText(T.M_TAG_WHY); }
  return close();
}

/** Checks one line and sets the fields; 0, or the text id of what is wrong. */
function line(from: i32, n: i32): u32 {
  const count = split(from, n);
  if (count > MAX_FIELDS) return T.M_MORE_THAN;
  if (count < 10) { errCount = count; return T.M_EXPECTED; }
  sep = -1;
  for (let f = count - 4; f >= 6; f--) {
    if (end(f) - start(f) == 1 && at(start(f)) == 0x2d) { sep = f; break; }
  }
  if (sep < 0) return T.M_SEPARATOR;
  if (number(0) < 0 || number(1) < 0) return T.M_IDS;
  if (!majorMinor(2)) return T.M_MAJOR_MINOR;
  let tags = 0;
  for (let f = 6; f < sep; f++) {
    const t = tag(f);
    if (t == 0) continue;
    errCount = f + 1; // fields are numbered from 1 in the messages, as "field 3" is
    if (t < 0 || (tags & t) != 0) return T.M_TAG;
    tags |= t;
  }
  // The kernel writes propagate_from only inside its master branch (a slave's dominating group).
  if ((tags & (PROPAGATE_FROM | MASTER)) == PROPAGATE_FROM) return T.M_TAG_ALONE;
  shared = (tags & SHARED) != 0;
  const r = escapes(3), m = escapes(4), t = escapes(sep + 1), s = escapes(sep + 2);
  if ((r | m | t | s) < 0) return T.M_ESCAPE;
  escaped = r * ROOT | m * MOUNTPOINT | t * FSTYPE;
  return 0;
}

/** Splits the line at `from` on single spaces, up to "\n" or n; the field count, or MAX_FIELDS + 1. */
function split(from: i32, n: i32): i32 {
  let f = 0;
  let s = from;
  let i = from;
  for (; i < n; i++) {
    const c = at(i);
    if (c > 0x20) continue; // most bytes: one compare
    if (c == 0x0a) break;
    if (c != 0x20) continue;
    if (f == MAX_FIELDS) return MAX_FIELDS + 1;
    store<i32>(STARTS + (<usize>f << 2), s);
    store<i32>(ENDS + (<usize>f << 2), i);
    f++;
    s = i + 1;
  }
  lineEnd = i;
  if (f == MAX_FIELDS) return MAX_FIELDS + 1;
  store<i32>(STARTS + (<usize>f << 2), s);
  store<i32>(ENDS + (<usize>f << 2), i);
  return f + 1;
}

/**
 * Which known tag field f is (a bit above), 0 for a tag the kernel does not write (skipped, as
 * proc(5) tells parsers to), -1 for a known name the kernel cannot have written so: shared,
 * master and propagate_from come as NAME:%i of a group ID from 1 (ida_alloc_min(..., 1): up to
 * 2147483647, no sign, no leading zero), unbindable alone. A lenient reading of "shared:0x10" or
 * "shared" would make the machine and the fake kernel disagree about the table.
 */
function tag(f: i32): i32 {
  const s = start(f), e = end(f);
  let colon = s;
  while (colon < e && at(colon) != 0x3a) colon++;
  const name = str(base + <usize>s, colon - s);
  let bit = 0;
  if (equals(name, txt(T.M_TAG_SHARED))) bit = SHARED;
  else if (equals(name, txt(T.M_TAG_MASTER))) bit = MASTER;
  else if (equals(name, txt(T.M_TAG_PROPAGATE_FROM))) bit = PROPAGATE_FROM;
  else if (equals(name, txt(T.M_TAG_UNBINDABLE))) return colon == e ? UNBINDABLE : -1;
  else return 0;
  return groupId(colon + 1, e) ? bit : -1;
}

/** [s, e) is a group ID as %i prints one: 1 to I32_MAX in decimal, no leading zero. */
function groupId(s: i32, e: i32): bool {
  if (s >= e || e - s > 10 || at(s) == 0x30) return false;
  let v: i64 = 0;
  for (let i = s; i < e; i++) {
    const c = at(i) - 0x30;
    if (c < 0 || c > 9) return false;
    v = v * 10 + c;
  }
  return v <= I32_MAX;
}

/** Decimal field value, -1 when empty, not a number or too large. */
function number(f: i32): i32 {
  const s = start(f), e = end(f);
  if (e == s || e - s > 9) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = at(i) - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function majorMinor(f: i32): bool {
  const s = start(f), e = end(f);
  let colon = -1;
  for (let i = s; i < e; i++) {
    const c = at(i);
    if (c == 0x3a) { if (colon >= 0) return false; colon = i; continue; }
    if (c < 0x30 || c > 0x39) return false;
  }
  return colon > s && colon < e - 1;
}

/** 0: no escape; 1: valid \ooo escapes; -1: a backslash not followed by 3 octal digits ≤ 0377. */
function escapes(f: i32): i32 {
  const e = end(f);
  let found = 0;
  for (let i = start(f); i < e; i++) {
    if (at(i) != 0x5c) continue;
    if (i + 4 > e || octal(i + 1) > 3 || octal(i + 2) > 7 || octal(i + 3) > 7) return -1;
    found = 1;
    i += 3;
  }
  return found;
}

/** The octal digit at i, or 8+ when it is none (u32: a byte below "0" wraps to a large value). */
function octal(i: i32): u32 { return <u32>(at(i) - 0x30); }

/** Field f as bytes: the text itself, or (when it has escapes) decoded into the line's scratch. */
function field(f: i32, bit: i32): Str {
  const s = start(f), e = end(f);
  if ((escaped & bit) == 0) return str(base + <usize>s, e - s);
  if (e - s > scratchRoom) { scratchRoom = max(e - s, 256) << 1; scratch = heap.alloc(<usize>scratchRoom); }
  const out = scratch;
  let w: usize = 0;
  for (let i = s; i < e; i++, w++) {
    let c = at(i);
    if (c == 0x5c) { c = (octal(i + 1) << 6 | octal(i + 2) << 3 | octal(i + 3)) as i32; i += 3; }
    store<u8>(out + w, <u8>c);
  }
  scratch += w; // the next decode must not overwrite this one
  scratchRoom -= <i32>w;
  return str(out, <i32>w);
}
