// The arguments of one strace call: splits the text inside `name(...)` at top-level commas and
// decodes each piece into a typed Arg (C strings, NULL, addresses, numbers, flag sets, `-y` fds).
// It knows no syscall: which argument means what is to-requests.ts's job. No numbers from abi.ts
// are needed here; flag names stay names (to-requests.ts turns them back into numbers).
// Linear in the line: a 1 MB argument is scanned a constant number of times (bench: strace parse).
import { decodeBytes, encodeString } from "../utf8.js";
import { digitsEnd, isDigit, trimmed } from "./scan.js";

/** One decoded argument. `kind` tells them apart; `raw` keeps what nothing else recognises. */
export type Arg =
  /** A C string. `value` is the bytes decoded byte-exactly (utf8.ts); `truncated` when strace printed `"..."...` (-s). */
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
    if (bs < 0) { out.bytes(encodeString(text.slice(i))); break; }
    if (bs > i) out.bytes(encodeString(text.slice(i, bs)));
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
  out.bytes(encodeString(ch));
  return i + ch.length;
}

/** The C string escapes decoded to a JS string, byte-exactly (utf8.ts: invalid bytes → U+DC80+byte). */
export const decodeC = (text: string): string =>
  (!text.includes("\\") && !SURROGATE.test(text) ? text : decodeBytes(unescapeC(text)));

/**
 * Splits the arguments that start at `start` (just after the `(`) at top-level commas, up to the
 * matching `)`. Quotes, brackets and `-y` annotations (`3<a,b)>`: strace escapes `<` and `>` inside
 * them) are skipped over. `end` is the index of the `)`, or -1 when the text stops first (an
 * `<unfinished ...>` call that never resumed). Each part is trimmed; an empty last part is dropped.
 */
export function splitArgs(s: string, start: number): { parts: string[]; end: number } {
  const parts: string[] = [];
  const end = scanArgs(s, start, parts, identity);
  return { parts, end };
}

const identity = (t: string): string => t;

/**
 * splitArgs's scan, handing each trimmed part straight to `map` and pushing the result onto `out`:
 * parseCall decodes a 1 MB line of 300k arguments without an array of 300k part strings kept
 * alive until the end (young garbage is nearly free; what survives a scavenge is what costs).
 */
export function scanArgs<T>(s: string, start: number, out: T[], map: (t: string) => T): number {
  let depth = 0;
  let from = start;
  for (let i = start; i < s.length; i++) {
    switch (s.charCodeAt(i)) {
      case 0x22: i = skipQuoted(s, i); break; // "
      case 0x3c: // < after an fd or AT_FDCWD: a -y annotation
        if (isDigit(s.charCodeAt(i - 1)) && i - 1 >= from || i - 8 >= from && s.startsWith("AT_FDCWD", i - 8)) {
          const close = s.indexOf(">", i);
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
        if (depth === 0) { pushLast(s, from, i, out, map); return i; }
        depth--;
        break;
      case 0x2c: // ,
        if (depth === 0) { out.push(map(trimmed(s, from, i))); from = i + 1; }
        break;
    }
  }
  pushLast(s, from, s.length, out, map);
  return -1;
}

function pushLast<T>(s: string, from: number, to: number, out: T[], map: (t: string) => T): void {
  const t = trimmed(s, from, to);
  if (t !== "") out.push(map(t)); // `f()` has no argument; `read(3, <unfinished ...>` has no third one yet
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

/** Decodes one argument, as split by splitArgs. Dispatches on the first character; no regex, no match arrays. */
export function parseArg(t: string): Arg {
  const c = t.charCodeAt(0);
  if (c === 0x22) return quoted(t);
  if (isDigit(c) || c === 0x2d /* - */) return numeric(t);
  if (t === "NULL") return { kind: "null" };
  if (t.startsWith("AT_FDCWD")) {
    // /^AT_FDCWD(?:<([^]*)>)?$/
    if (t.length === 8) return { kind: "at_fdcwd" };
    if (t.length >= 10 && t.charCodeAt(8) === 0x3c && t.charCodeAt(t.length - 1) === 0x3e) {
      return { kind: "at_fdcwd", path: decodeC(t.slice(9, -1)) };
    }
  }
  if ((c >= 0x41 && c <= 0x5a) || c === 0x5f) return flags(t);
  return { kind: "raw", text: t };
}

/**
 * An argument that starts with a digit or `-`: a number (/^-?\d+$/), an address (/^0x[0-9a-fA-F]+$/),
 * a `-y` fd (/^(\d+)<([^]*)>(\(deleted\))?$/), else raw. By hand, tried in the regexes' order.
 */
function numeric(t: string): Arg {
  const neg = t.charCodeAt(0) === 0x2d ? 1 : 0;
  const d = digitsEnd(t, neg);
  if (d === t.length && d > neg) return { kind: "num", value: parseNumber(t) };
  if (neg === 0 && d === 1 && t.charCodeAt(0) === 0x30 && t.charCodeAt(1) === 0x78 && isHex(t, 2)) {
    return { kind: "addr", addr: t.toLowerCase() };
  }
  if (neg === 0 && d > 0 && t.charCodeAt(d) === 0x3c) {
    // The greedy [^]* ends at the last `>` that only `(deleted)` or nothing follows.
    if (t.charCodeAt(t.length - 1) === 0x3e) return { kind: "fd", fd: Number(t.slice(0, d)), path: decodeC(t.slice(d + 1, -1)) };
    if (t.length - 10 > d && t.endsWith(">(deleted)")) {
      return { kind: "fd", fd: Number(t.slice(0, d)), path: decodeC(t.slice(d + 1, -10)), deleted: true };
    }
  }
  return { kind: "raw", text: t };
}

/** t from `i` on is one or more hex digits. */
function isHex(t: string, i: number): boolean {
  if (i >= t.length) return false;
  for (; i < t.length; i++) if (hexValue(t.charCodeAt(i)) < 0) return false;
  return true;
}

/** Lone or paired UTF-16 surrogates: a string with none is its own surrogateescape decoding. */
const SURROGATE = /[\ud800-\udfff]/;

/** The bytes of "": one shared, frozen, empty array (a line of 300k `""` needs no 300k views). */
const NO_BYTES: Uint8Array = Object.freeze(new Uint8Array(0)) as Uint8Array;

/** A quoted C string. Without escapes or surrogates the text is already the value (no decode). */
function quoted(t: string): Arg {
  const close = skipQuoted(t, 0);
  if (close >= t.length) return { kind: "raw", text: t };
  const tail = t.length - close - 1; // what follows the closing quote: nothing, or `...` (-s)
  const truncated = tail === 3 && t.endsWith("...");
  if (tail !== 0 && !truncated) return { kind: "raw", text: t };
  if (close === 1) return { kind: "str", value: "", bytes: NO_BYTES, truncated };
  const inner = t.slice(1, close);
  if (!inner.includes("\\") && !SURROGATE.test(inner)) {
    return { kind: "str", value: inner, bytes: shortBytes(inner), truncated };
  }
  const bytes = unescapeC(inner);
  return { kind: "str", value: decodeBytes(bytes), bytes, truncated };
}

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

/** `A|B|0x10`: names in printed order, plus the OR of the numeric parts; else raw. */
function flags(t: string): Arg {
  // Validate every part first (a part that is not a flag makes the whole argument raw).
  for (let a = 0; a <= t.length;) {
    const b = partEnd(t, a);
    if (!isFlagPart(t, a, b)) return { kind: "raw", text: t };
    a = b + 1;
  }
  const names: string[] = [];
  let residue = 0n;
  let numeric = false;
  for (let a = 0; a <= t.length;) {
    const b = partEnd(t, a);
    const c = t.charCodeAt(a);
    const p = a === 0 && b === t.length ? t : t.slice(a, b);
    if ((c >= 0x41 && c <= 0x5a) || c === 0x5f) names.push(p);
    else { residue |= BigInt(p); numeric = true; }
    a = b + 1;
  }
  return { kind: "flags", names, residue: numeric ? Number(residue) : 0 };
}

/** Where the `|`-separated part that starts at `a` ends. */
function partEnd(t: string, a: number): number {
  const bar = t.indexOf("|", a);
  return bar < 0 ? t.length : bar;
}

/** /^(?:[A-Z_][A-Z0-9_]*|0x[0-9a-fA-F]+|\d+)$/ on t[a, b), by hand. */
function isFlagPart(t: string, a: number, b: number): boolean {
  if (a >= b) return false;
  const c = t.charCodeAt(a);
  if ((c >= 0x41 && c <= 0x5a) || c === 0x5f) {
    for (let i = a + 1; i < b; i++) {
      const d = t.charCodeAt(i);
      if (!((d >= 0x41 && d <= 0x5a) || d === 0x5f || isDigit(d))) return false;
    }
    return true;
  }
  if (c === 0x30 && b - a > 2 && t.charCodeAt(a + 1) === 0x78) {
    let hex = true;
    for (let i = a + 2; i < b && hex; i++) hex = hexValue(t.charCodeAt(i)) >= 0;
    if (hex) return true;
  }
  for (let i = a; i < b; i++) if (!isDigit(t.charCodeAt(i))) return false;
  return true;
}

/** Decimal, or octal when written with a leading 0 (strace prints modes that way: 0755). */
function parseNumber(t: string): number {
  return /^0[0-7]+$/.test(t) ? parseInt(t, 8) : Number(t);
}
