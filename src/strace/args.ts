// The arguments of one strace call: splits the text inside `name(...)` at top-level commas and
// decodes each piece into a typed Arg (C strings, NULL, addresses, numbers, flag sets, `-y` fds).
// It knows no syscall: which argument means what is to-requests.ts's job. No numbers from abi.ts
// are needed here; flag names stay names (to-requests.ts turns them back into numbers).

/** One decoded argument. `kind` tells them apart; `raw` keeps what nothing else recognises. */
export type Arg =
  /** A C string. `value` is the bytes decoded as UTF-8; `truncated` when strace printed `"..."...` (-s). */
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

const utf8 = new TextDecoder("utf-8", { fatal: false });
const SIMPLE_ESCAPE: Record<string, number> = {
  n: 10, t: 9, r: 13, v: 11, f: 12, a: 7, b: 8, e: 27, "\\": 92, '"': 34, "'": 39, "?": 63,
};

/** Decodes strace's C escapes (`\t \n \" \\ \ooo \xHH`) into bytes; other characters are UTF-8. */
export function unescapeC(text: string): Uint8Array {
  const out: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== "\\" || i + 1 >= text.length) {
      out.push(...enc.encode(c));
      continue;
    }
    const n = text[++i]!;
    const oct = /^[0-7]{1,3}/.exec(text.slice(i, i + 3));
    const hex = n === "x" ? /^[0-9a-fA-F]{1,2}/.exec(text.slice(i + 1, i + 3)) : null;
    if (oct) {
      out.push(parseInt(oct[0], 8) & 0xff);
      i += oct[0].length - 1;
    } else if (hex) {
      out.push(parseInt(hex[0], 16));
      i += hex[0].length;
    } else if (n in SIMPLE_ESCAPE) {
      out.push(SIMPLE_ESCAPE[n]!);
    } else {
      out.push(92, ...enc.encode(n)); // unknown escape: keep it as printed
    }
  }
  return Uint8Array.from(out);
}

/** The C string escapes decoded to a JS string (bytes → UTF-8, invalid sequences → U+FFFD). */
export const decodeC = (text: string): string => utf8.decode(unescapeC(text));

const OPEN = "([{";
const CLOSE = ")]}";

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
    const c = s[i]!;
    if (c === '"') {
      i = skipQuoted(s, i);
    } else if (c === "<" && /(?:\d|AT_FDCWD)$/.test(s.slice(Math.max(from, i - 8), i))) {
      const close = s.indexOf(">", i);
      i = close < 0 ? s.length : close;
    } else if (c === "/" && s[i + 1] === "*") {
      const close = s.indexOf("*/", i + 2);
      i = close < 0 ? s.length : close + 1;
    } else if (OPEN.includes(c)) {
      depth++;
    } else if (CLOSE.includes(c)) {
      if (depth === 0) return { parts: pushPart(parts, s.slice(from, i)), end: i };
      depth--;
    } else if (c === "," && depth === 0) {
      parts.push(s.slice(from, i).trim());
      from = i + 1;
    }
  }
  return { parts: pushPart(parts, s.slice(from)), end: -1 };
}

function pushPart(parts: string[], last: string): string[] {
  const t = last.trim();
  if (t !== "") parts.push(t); // `f()` has no argument; `read(3, <unfinished ...>` has no third one yet
  return parts;
}

/** Index of the closing quote of the string that opens at `i`. */
function skipQuoted(s: string, i: number): number {
  for (let j = i + 1; j < s.length; j++) {
    if (s[j] === "\\") j++;
    else if (s[j] === '"') return j;
  }
  return s.length;
}

const FLAG_PART = /^(?:[A-Z_][A-Z0-9_]*|0x[0-9a-fA-F]+|\d+)$/;

/** Decodes one argument, as split by splitArgs. */
export function parseArg(t: string): Arg {
  if (t.startsWith('"')) {
    const close = skipQuoted(t, 0);
    const rest = t.slice(close + 1);
    if (close < t.length && (rest === "" || rest === "...")) {
      const bytes = unescapeC(t.slice(1, close));
      return { kind: "str", value: utf8.decode(bytes), bytes, truncated: rest === "..." };
    }
    return { kind: "raw", text: t };
  }
  if (t === "NULL") return { kind: "null" };
  const cwd = /^AT_FDCWD(?:<([^]*)>)?$/.exec(t);
  if (cwd) return cwd[1] === undefined ? { kind: "at_fdcwd" } : { kind: "at_fdcwd", path: decodeC(cwd[1]) };
  const fd = /^(\d+)<([^]*)>(\(deleted\))?$/.exec(t);
  if (fd) {
    const arg: Arg = { kind: "fd", fd: Number(fd[1]), path: decodeC(fd[2]!) };
    return fd[3] === undefined ? arg : { ...arg, deleted: true };
  }
  if (/^0x[0-9a-fA-F]+$/.test(t)) return { kind: "addr", addr: t.toLowerCase() };
  if (/^-?\d+$/.test(t)) return { kind: "num", value: parseNumber(t) };
  const parts = t.split("|");
  if (/^[A-Z_]/.test(t) && parts.every((p) => FLAG_PART.test(p))) {
    const names = parts.filter((p) => /^[A-Z_]/.test(p));
    const residue = parts.filter((p) => !/^[A-Z_]/.test(p)).reduce((acc, p) => acc | BigInt(p), 0n);
    return { kind: "flags", names, residue: Number(residue) };
  }
  return { kind: "raw", text: t };
}

/** Decimal, or octal when written with a leading 0 (strace prints modes that way: 0755). */
function parseNumber(t: string): number {
  return /^0[0-7]+$/.test(t) ? parseInt(t, 8) : Number(t);
}
