// The arguments of one strace call: splits the text inside `name(...)` at top-level commas and
// decodes each piece into a typed Arg (C strings, NULL, addresses, numbers, flag sets, `-y` fds).
// It knows no syscall: which argument means what is to-requests.ts's job. No numbers from abi.ts
// are needed here; flag names stay names (to-requests.ts turns them back into numbers).
// Linear in the line: a 1 MB argument is scanned a constant number of times (bench: strace parse).
import { decodeBytes, encodeString } from "../utf8.js";
import { intern, isDigit, isSpace, SliceTable, smallNumber } from "./scan.js";

/** One decoded argument. `kind` tells them apart; `raw` keeps what nothing else recognises. */
export type Arg =
  /**
   * A C string. `value` is the bytes decoded byte-exactly (utf8.ts); `truncated` when strace printed
   * `"..."...` (-s). `bytes` is read-only: arguments of equal value may share one array.
   */
  | { kind: "str"; value: string; bytes: Uint8Array; truncated: boolean }
  /** The NULL pointer (C callers: crun, bwrap). */
  | { kind: "null" }
  /** A pointer strace printed as an address, not dereferenced (e.g. the ignored fstype of a bind mount). */
  | { kind: "addr"; addr: string }
  /** A decimal number, or an octal one written with a leading 0 (modes such as 0755). */
  | { kind: "num"; value: number }
  /** `A|B|0x10`: names in printed order, plus the OR of any numeric parts (0 when none). */
  | { kind: "flags"; names: string[]; residue: number }
  /** A file descriptor with its `-y` annotation: `3</x>`, `3<socket:[7608]>`, `8</x>(deleted)`. */
  | { kind: "fd"; fd: number; path: string; deleted?: true }
  /** The AT_FDCWD dirfd; `path` is the cwd when strace ran with -y. */
  | { kind: "at_fdcwd"; path?: string }
  /** Anything else (structs, arrays, comments), kept as printed. */
  | { kind: "raw"; text: string };

const SIMPLE_ESCAPE: Record<string, number> = {
  n: 10, t: 9, r: 13, v: 11, f: 12, a: 7, b: 8, e: 27, "\\": 92, '"': 34, "'": 39, "?": 63,
};

/** A growable byte buffer: escapes and runs of plain text are appended in O(total). */
class ByteSink {
  #buf = new Uint8Array(64);
  #len = 0;
  #room(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const bigger = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + n));
    bigger.set(this.#buf.subarray(0, this.#len));
    this.#buf = bigger;
  }
  byte(b: number): void { this.#room(1); this.#buf[this.#len++] = b; }
  bytes(b: Uint8Array): void { this.#room(b.length); this.#buf.set(b, this.#len); this.#len += b.length; }
  /**
   * text[from, to) as bytes: ASCII copied as is, the rest (from its first non-ASCII character on)
   * through encodeString. A TextEncoder call per short run cost a microsecond each: a 1 MB line of
   * `\x` escapes took 300 ms (npm run fuzz's watchdog saw a hang).
   */
  text(text: string, from: number, to: number): void {
    this.#room(to - from);
    for (let i = from; i < to; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) { this.bytes(encodeString(text.slice(i, to))); return; }
      this.#buf[this.#len++] = c;
    }
  }
  done(): Uint8Array { return this.#buf.slice(0, this.#len); }
}

const isOctal = (c: number) => c >= 0x30 && c <= 0x37;
const hexValue = (c: number) => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1);

/**
 * Decodes strace's C escapes (`\t \n \" \\ \ooo \xHH`) into bytes; the text between them is
 * encoded with utf8.ts, so a raw byte the log file carried (read as surrogateescape) is that byte
 * again. One pass: plain runs are found with indexOf and copied whole.
 */
export function unescapeC(text: string): Uint8Array {
  if (!text.includes("\\")) return encodeString(text);
  const out = new ByteSink();
  let i = 0;
  while (i < text.length) {
    const bs = text.indexOf("\\", i);
    if (bs < 0) { out.text(text, i, text.length); break; }
    if (bs > i) out.text(text, i, bs);
    i = escapeAt(text, bs + 1, out);
  }
  return out.done();
}

/** Appends the escape whose letter is at `i` (just after the backslash); returns where the text resumes. */
function escapeAt(text: string, i: number, out: ByteSink): number {
  if (i >= text.length) { out.byte(92); return i; } // a trailing backslash: kept as printed
  const c = text.charCodeAt(i);
  if (isOctal(c)) {
    let v = 0;
    let j = i;
    for (; j < i + 3 && j < text.length && isOctal(text.charCodeAt(j)); j++) v = v * 8 + text.charCodeAt(j) - 0x30;
    out.byte(v & 0xff);
    return j;
  }
  if (c === 0x78 /* x */ && i + 1 < text.length && hexValue(text.charCodeAt(i + 1)) >= 0) {
    const hi = hexValue(text.charCodeAt(i + 1));
    const lo = i + 2 < text.length ? hexValue(text.charCodeAt(i + 2)) : -1;
    out.byte(lo >= 0 ? hi * 16 + lo : hi);
    return lo >= 0 ? i + 3 : i + 2;
  }
  const simple = SIMPLE_ESCAPE[text[i]!];
  if (simple !== undefined) { out.byte(simple); return i + 1; }
  // An unknown escape: keep it as printed (the backslash and the whole character after it).
  const ch = String.fromCodePoint(text.codePointAt(i)!);
  out.byte(92);
  out.text(ch, 0, ch.length);
  return i + ch.length;
}

/** The C string escapes decoded to a JS string, byte-exactly (utf8.ts: invalid bytes → U+DC80+byte). */
export const decodeC = (text: string): string =>
  (!text.includes("\\") && !SURROGATE.test(text) ? text : decodeBytes(unescapeC(text)));
/** Where scanArgs puts the arguments it decodes: items[0, n). A reused sink grows once, not per line. */
export interface Sink<T> { items: T[]; n: number }

/**
 * Splits the arguments that start at `start` (just after the `(`) at top-level commas, up to the
 * matching `)`. Quotes, brackets and `-y` annotations (`3<a,b)>`: strace escapes `<` and `>` inside
 * them) are skipped over. `end` is the index of the `)`, or -1 when the text stops first (an
 * `<unfinished ...>` call that never resumed). Each part is trimmed; an empty last part is dropped.
 */
export function splitArgs(s: string, start: number): { parts: string[]; end: number } {
  const sink: Sink<string> = { items: [], n: 0 };
  const end = scanArgs(s, start, sink, sliceOf);
  return { parts: sink.items, end };
}

const sliceOf = (s: string, a: number, b: number): string => s.slice(a, b);

/**
 * The ">" that closes a -y annotation opened at `open`: the first one that is not the head of an
 * arrow, so that a -yy socket, `4<TCP:[127.0.0.1:8080->127.0.0.1:45678]>`, is one argument. An
 * arrow with no ">" after it (a path ending in "-") closes it, as the first ">" always did.
 */
function annotationEnd(s: string, open: number): number {
  const first = s.indexOf(">", open);
  for (let close = first; close >= 0; close = s.indexOf(">", close + 1)) {
    if (s.charCodeAt(close - 1) !== 0x2d) return close; // not the ">" of "->"
  }
  return first;
}

/**
 * splitArgs's scan, handing each trimmed part, as a range of `s`, straight to `map` (parseArgAt):
 * no part string, no array of them kept alive to the end of a 1 MB line. What a scavenge pays for
 * is survivors, and a young generation that is mostly survivors is promoted a page at a time.
 */
export function scanArgs<T>(s: string, start: number, sink: Sink<T>, map: (s: string, a: number, b: number) => T): number {
  let depth = 0;
  let from = start;
  for (let i = start; i < s.length; i++) {
    switch (s.charCodeAt(i)) {
      case 0x22: i = skipQuoted(s, i); break; // "
      case 0x3c: // < after an fd or AT_FDCWD: a -y annotation
        if (isDigit(s.charCodeAt(i - 1)) && i - 1 >= from || i - 8 >= from && s.startsWith("AT_FDCWD", i - 8)) {
          const close = annotationEnd(s, i);
          i = close < 0 ? s.length : close;
        }
        break;
      case 0x2f: // /* comment */
        if (s.charCodeAt(i + 1) === 0x2a) {
          const close = s.indexOf("*/", i + 2);
          i = close < 0 ? s.length : close + 1;
        }
        break;
      case 0x28: case 0x5b: case 0x7b: depth++; break; // ( [ {
      case 0x29: case 0x5d: case 0x7d: // ) ] }
        if (depth === 0) { part(s, from, i, sink, map, true); return i; }
        depth--;
        break;
      case 0x2c: // ,
        if (depth === 0) { part(s, from, i, sink, map, false); from = i + 1; }
        break;
    }
  }
  part(s, from, s.length, sink, map, true);
  return -1;
}

/** One part, trimmed. An empty last one is no argument: `f()`, or `read(3, <unfinished ...>`. */
function part<T>(s: string, a: number, b: number, sink: Sink<T>, map: (s: string, a: number, b: number) => T, last: boolean): void {
  while (a < b && isSpace(s.charCodeAt(a))) a++;
  while (b > a && isSpace(s.charCodeAt(b - 1))) b--;
  if (!last || a < b) sink.items[sink.n++] = map(s, a, b);
}

/**
 * Index of the closing quote of the string that opens at `i` (s.length when there is none). Found
 * with indexOf: a quote is escaped exactly when an odd run of backslashes precedes it.
 */
function skipQuoted(s: string, i: number): number {
  for (let from = i + 1; ;) {
    const q = s.indexOf('"', from);
    if (q < 0) return s.length;
    let k = q - 1;
    while (k > i && s.charCodeAt(k) === 0x5c) k--;
    if ((q - 1 - k) % 2 === 0) return q;
    from = q + 1;
  }
}

/** Decodes one argument, as split by splitArgs. */
export const parseArg = (t: string): Arg => parseArgAt(t, 0, t.length);

/**
 * Decodes the argument s[a, b) (trimmed, as scanArgs hands it over). Dispatches on the first
 * character and reads by hand, without slicing the part out or running a regex over it.
 */
export function parseArgAt(s: string, a: number, b: number): Arg {
  const c = a < b ? s.charCodeAt(a) : -1;
  if (c === 0x22) return quoted(s, a, b);
  if (isDigit(c) || c === 0x2d /* - */) return numeric(s, a, b);
  if (b - a === 4 && s.startsWith("NULL", a)) return { kind: "null" };
  if (b - a >= 8 && s.startsWith("AT_FDCWD", a)) {
    // /^AT_FDCWD(?:<([^]*)>)?$/
    if (b - a === 8) return { kind: "at_fdcwd" };
    if (b - a >= 10 && s.charCodeAt(a + 8) === 0x3c && s.charCodeAt(b - 1) === 0x3e) {
      return { kind: "at_fdcwd", path: decodeCAt(s, a + 9, b - 1) };
    }
  }
  if ((c >= 0x41 && c <= 0x5a) || c === 0x5f) return flags(s, a, b);
  return { kind: "raw", text: s.slice(a, b) };
}

/** End of the run of \d that starts at `i`, at most `b`. */
function digitsTo(s: string, i: number, b: number): number {
  while (i < b && isDigit(s.charCodeAt(i))) i++;
  return i;
}

/**
 * An argument that starts with a digit or `-`: a number (/^-?\d+$/), an address (/^0x[0-9a-fA-F]+$/),
 * a `-y` fd (/^(\d+)<([^]*)>(\(deleted\))?$/), else raw. By hand, tried in the regexes' order.
 */
function numeric(s: string, a: number, b: number): Arg {
  const neg = s.charCodeAt(a) === 0x2d ? 1 : 0;
  const d = digitsTo(s, a + neg, b);
  if (d === b && d > a + neg) return { kind: "num", value: numberAt(s, a, b) };
  if (neg === 0 && d === a + 1 && s.charCodeAt(a) === 0x30 && s.charCodeAt(a + 1) === 0x78 && isHex(s, a + 2, b)) {
    return { kind: "addr", addr: s.slice(a, b).toLowerCase() };
  }
  if (neg === 0 && d > a && s.charCodeAt(d) === 0x3c) {
    // The greedy [^]* ends at the last `>` that only `(deleted)` or nothing follows.
    if (s.charCodeAt(b - 1) === 0x3e) return { kind: "fd", fd: decimalAt(s, a, d), path: decodeCAt(s, d + 1, b - 1) };
    if (b - 10 > d && s.startsWith(">(deleted)", b - 10)) {
      return { kind: "fd", fd: decimalAt(s, a, d), path: decodeCAt(s, d + 1, b - 10), deleted: true };
    }
  }
  return { kind: "raw", text: s.slice(a, b) };
}

/** s[i, b) is one or more hex digits. */
function isHex(s: string, i: number, b: number): boolean {
  if (i >= b) return false;
  for (; i < b; i++) if (hexValue(s.charCodeAt(i)) < 0) return false;
  return true;
}

/** Number() of the digits s[a, b), read by hand when exact (15 digits), else through a slice. */
function decimalAt(s: string, a: number, b: number): number {
  return b - a <= 15 ? smallNumber(s, a, b) : Number(s.slice(a, b));
}

/**
 * The value of /^-?\d+$/ s[a, b) as strace means it: octal when written with a leading 0 and only
 * octal digits (/^0[0-7]+$/: modes such as 0755, read as parseInt(t, 8)), else decimal (Number(t),
 * so "-0" is -0 and "089" is 89).
 */
function numberAt(s: string, a: number, b: number): number {
  if (b - a >= 2 && s.charCodeAt(a) === 0x30) {
    let v = 0;
    let i = a + 1;
    for (; i < b && isOctal(s.charCodeAt(i)); i++) v = v * 8 + s.charCodeAt(i) - 0x30;
    if (i === b) return b - a <= 17 ? v : parseInt(s.slice(a, b), 8); // 8^17 = 2^51: exact
  }
  if (s.charCodeAt(a) === 0x2d) return -decimalAt(s, a + 1, b);
  return decimalAt(s, a, b);
}

/** The bytes of "": one shared, frozen, empty array (a line of 300k `""` needs no 300k views). */
const NO_BYTES: Uint8Array = Object.freeze(new Uint8Array(0)) as Uint8Array;

/** A quoted C string. Without escapes or surrogates the text is already the value (no decode). */
function quoted(s: string, a: number, b: number): Arg {
  const close = skipQuoted(s, a);
  if (close >= b) return { kind: "raw", text: s.slice(a, b) };
  const tail = b - close - 1; // what follows the closing quote: nothing, or `...` (-s)
  const truncated = tail === 3 && s.startsWith("...", close + 1);
  if (tail !== 0 && !truncated) return { kind: "raw", text: s.slice(a, b) };
  if (close === a + 1) return { kind: "str", value: "", bytes: NO_BYTES, truncated };
  if (plainEnd(s, a + 1, close) === close) {
    // Plain: no escape, no surrogate (so the text is its own byte-exact decoding).
    const seen = plain(s, a + 1, close);
    return { kind: "str", value: seen.value, bytes: seen.bytes, truncated };
  }
  const bytes = unescapeC(s.slice(a + 1, close));
  return { kind: "str", value: decodeBytes(bytes), bytes, truncated };
}

/** Index of the first `\\` or UTF-16 surrogate in s[a, b), or b: before it, the text is its own decoding. */
function plainEnd(s: string, a: number, b: number): number {
  for (let c = s.charCodeAt(a); a < b && c !== 0x5c && (c < 0xd800 || c > 0xdfff); c = s.charCodeAt(++a));
  return a;
}

/**
 * decodeC(s.slice(a, b)) for a `-y` path: a plain one (the usual case) is interned, since a log
 * names the same few fds' paths on line after line.
 */
function decodeCAt(s: string, a: number, b: number): string {
  return plainEnd(s, a, b) === b ? intern(s, a, b) : decodeC(s.slice(a, b));
}

/** Lone or paired UTF-16 surrogates: a string with none is its own surrogateescape decoding. */
const SURROGATE = /[\ud800-\udfff]/;

/**
 * The value and bytes of the plain string s[a, b), shared with every earlier equal one of this
 * parse: a log names the same few paths on line after line, and one string and one view per
 * distinct path (not per argument) is that many fewer objects for each scavenge to copy. Hence
 * `bytes` may be shared between arguments: it is read-only (see Arg). Bounded (scan.ts SliceTable):
 * past PLAIN_LONGEST characters, or once the table is full, no sharing.
 */
function plain(s: string, a: number, b: number): { value: string; bytes: Uint8Array } {
  const long = b - a > PLAIN_LONGEST;
  const seen = long ? undefined : plainSeen.get(s, a, b);
  if (seen !== undefined) return seen;
  const value = s.slice(a, b);
  const fresh = { value, bytes: shortBytes(value) };
  if (!long) plainSeen.set(value, fresh);
  return fresh;
}

/** parseStrace calls this first: nothing is shared across parses. */
export function clearPlain(): void {
  plainSeen.clear();
}

const PLAIN_LONGEST = 256;
const plainSeen = new SliceTable<{ value: string; bytes: Uint8Array }>();

let slab = new Uint8Array(0);
let slabUsed = 0;

/**
 * The UTF-8 of a surrogate-free string. A short ASCII one is copied into a shared 64 KiB slab and
 * handed out as a view: one small object instead of an ArrayBuffer per string argument, which is
 * what a long log's garbage collection spent its time on. Nobody writes to these bytes.
 */
function shortBytes(s: string): Uint8Array {
  if (s.length > 256) return encodeString(s);
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return encodeString(s);
  if (slabUsed + s.length > slab.length) { slab = new Uint8Array(1 << 16); slabUsed = 0; }
  const at = slabUsed;
  for (let i = 0; i < s.length; i++) slab[at + i] = s.charCodeAt(i);
  slabUsed += s.length;
  return slab.subarray(at, slabUsed);
}

/** `A|B|0x10` in s[a, b): names in printed order, plus the OR of the numeric parts; else raw. */
function flags(s: string, a: number, b: number): Arg {
  // Validate every part first (a part that is not a flag makes the whole argument raw), counting names.
  let count = 0;
  for (let p = a; p <= b;) {
    const q = partEnd(s, p, b);
    if (!isFlagPart(s, p, q)) return { kind: "raw", text: s.slice(a, b) };
    if (!isDigit(s.charCodeAt(p))) count++;
    p = q + 1;
  }
  const names = new Array<string>(count); // exact: a pushed array would keep 16 spare slots
  let residue = 0n;
  let numeric = false;
  for (let p = a, n = 0; p <= b;) {
    const q = partEnd(s, p, b);
    if (!isDigit(s.charCodeAt(p))) names[n++] = intern(s, p, q);
    else { residue |= BigInt(s.slice(p, q)); numeric = true; }
    p = q + 1;
  }
  return { kind: "flags", names, residue: numeric ? Number(residue) : 0 };
}

/** Where the `|`-separated part that starts at `p` ends (at most `b`). */
function partEnd(s: string, p: number, b: number): number {
  const bar = s.indexOf("|", p);
  return bar < 0 || bar > b ? b : bar;
}

/** /^(?:[A-Z_][A-Z0-9_]*|0x[0-9a-fA-F]+|\d+)$/ on s[a, b), by hand. */
function isFlagPart(s: string, a: number, b: number): boolean {
  if (a >= b) return false;
  const c = s.charCodeAt(a);
  if ((c >= 0x41 && c <= 0x5a) || c === 0x5f) {
    for (let i = a + 1; i < b; i++) {
      const d = s.charCodeAt(i);
      if (!((d >= 0x41 && d <= 0x5a) || d === 0x5f || isDigit(d))) return false;
    }
    return true;
  }
  if (c === 0x30 && b - a > 2 && s.charCodeAt(a + 1) === 0x78 && isHex(s, a + 2, b)) return true;
  return digitsTo(s, a, b) === b;
}
