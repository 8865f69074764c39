// The arguments of one strace call: splits the text inside `name(...)` at top-level commas and
// decodes each piece into a typed Arg (C strings, NULL, addresses, numbers, flag sets, `-y` fds).
// It knows no syscall: which argument means what is to-requests.ts's job. No numbers from abi.ts
// are needed here; flag names stay names (to-requests.ts turns them back into numbers).
// Linear in the line: a 1 MB argument is scanned a constant number of times (bench: strace parse).
import { decodeBytes, encodeString } from "../utf8.js";

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
 * `<unfinished ...>` call that never resumed).
 */
export function splitArgs(s: string, start: number): { parts: string[]; end: number } {
  const parts: string[] = [];
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
        if (depth === 0) return { parts: pushPart(parts, s.slice(from, i)), end: i };
        depth--;
        break;
      case 0x2c: // ,
        if (depth === 0) { parts.push(s.slice(from, i).trim()); from = i + 1; }
        break;
    }
  }
  return { parts: pushPart(parts, s.slice(from)), end: -1 };
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

function pushPart(parts: string[], last: string): string[] {
  const t = last.trim();
  if (t !== "") parts.push(t); // `f()` has no argument; `read(3, <unfinished ...>` has no third one yet
  return parts;
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

const FLAG_PART = /^(?:[A-Z_][A-Z0-9_]*|0x[0-9a-fA-F]+|\d+)$/;

/** Decodes one argument, as split by splitArgs. Dispatches on the first character: one regex at most. */
export function parseArg(t: string): Arg {
  const c = t.charCodeAt(0);
  if (c === 0x22) return quoted(t);
  if (isDigit(c) || c === 0x2d /* - */) {
    if (/^-?\d+$/.test(t)) return { kind: "num", value: parseNumber(t) };
    if (c === 0x30 && /^0x[0-9a-fA-F]+$/.test(t)) return { kind: "addr", addr: t.toLowerCase() };
    const fd = /^(\d+)<([^]*)>(\(deleted\))?$/.exec(t);
    if (fd) {
      const arg: Arg = { kind: "fd", fd: Number(fd[1]), path: decodeC(fd[2]!) };
      return fd[3] === undefined ? arg : { ...arg, deleted: true };
    }
    return { kind: "raw", text: t };
  }
  if (t === "NULL") return { kind: "null" };
  if (t.startsWith("AT_FDCWD")) {
    const cwd = /^AT_FDCWD(?:<([^]*)>)?$/.exec(t);
    if (cwd) return cwd[1] === undefined ? { kind: "at_fdcwd" } : { kind: "at_fdcwd", path: decodeC(cwd[1]) };
  }
  if ((c >= 0x41 && c <= 0x5a) || c === 0x5f) return flags(t);
  return { kind: "raw", text: t };
}

/** Lone or paired UTF-16 surrogates: a string with none is its own surrogateescape decoding. */
const SURROGATE = /[\ud800-\udfff]/;

/** A quoted C string. Without escapes or surrogates the text is already the value (no decode). */
function quoted(t: string): Arg {
  const close = skipQuoted(t, 0);
  const rest = close < t.length ? t.slice(close + 1) : "";
  if (close >= t.length || (rest !== "" && rest !== "...")) return { kind: "raw", text: t };
  const inner = t.slice(1, close);
  const truncated = rest === "...";
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
  const parts = t.split("|");
  if (!parts.every((p) => FLAG_PART.test(p))) return { kind: "raw", text: t };
  const names: string[] = [];
  let residue = 0n;
  let numeric = false;
  for (const p of parts) {
    const c = p.charCodeAt(0);
    if ((c >= 0x41 && c <= 0x5a) || c === 0x5f) names.push(p);
    else { residue |= BigInt(p); numeric = true; }
  }
  return { kind: "flags", names, residue: numeric ? Number(residue) : 0 };
}

/** Decimal, or octal when written with a leading 0 (strace prints modes that way: 0755). */
function parseNumber(t: string): number {
  return /^0[0-7]+$/.test(t) ? parseInt(t, 8) : Number(t);
}
