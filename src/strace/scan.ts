// Character scans shared by the strace parser's hand-written paths (args.ts, parse.ts). Each one
// stands in for a piece of a regex or a trim the parser used to run, and must match exactly what
// that piece matched: \s and String.prototype.trim strip the same set, ECMA-262's WhiteSpace and
// LineTerminator; \d is ASCII 0-9 only (no u flag).

export const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
export const isAlpha = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/** \s, and what trim() strips. */
export function isSpace(c: number): boolean {
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 ||
    c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

const two = (s: string, j: number): boolean => isDigit(s.charCodeAt(j)) && isDigit(s.charCodeAt(j + 1));

/** Index of the first non-\s character at or after `i` (s.length when none). */
export function spaces(s: string, i: number): number {
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return i;
}

/** End of the run of \d that starts at `i`. */
export function digitsEnd(s: string, i: number): number {
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  return i;
}

/** s.slice(from, to).trim(), as one string instead of two. */
export function trimmed(s: string, from: number, to: number): string {
  while (from < to && isSpace(s.charCodeAt(from))) from++;
  while (to > from && isSpace(s.charCodeAt(to - 1))) to--;
  return s.slice(from, to);
}

/**
 * Number(s.slice(a, b)) for a run of \d, without the slice: exact up to 15 digits (below 2^53).
 * Past 15 digits it gives Infinity, so a caller bounding the value (a pid_t) refuses it.
 */
export function smallNumber(s: string, a: number, b: number): number {
  if (b - a > 15) return Infinity;
  let v = 0;
  for (let i = a; i < b; i++) v = v * 10 + s.charCodeAt(i) - 0x30;
  return v;
}

/** /^\d+\.\d+$/ on s[a, b): the -T duration. Digits past b are not looked at (the caller's is a `>`). */
export function isDuration(s: string, a: number, b: number): boolean {
  const dot = digitsEnd(s, a);
  if (!(dot > a && dot + 1 < b && s.charCodeAt(dot) === 0x2e)) return false;
  for (let i = dot + 1; i < b; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
}

/**
 * End of the timestamp at `i` as `(\d{2}:\d{2}:\d{2}(?:\.\d+)?|\d+\.\d+)\s+` reads one (its end,
 * before the \s+), or `i` when there is none. The clock form is tried first, with and then without
 * its fraction, and wins only when \s follows; else the regex backtracks into `\d+\.\d+`.
 */
export function timeEnd(s: string, i: number): number {
  if (two(s, i) && s.charCodeAt(i + 2) === 0x3a && two(s, i + 3) && s.charCodeAt(i + 5) === 0x3a && two(s, i + 6)) {
    const e = i + 8;
    if (s.charCodeAt(e) === 0x2e) {
      const f = digitsEnd(s, e + 1);
      if (f > e + 1 && isSpace(s.charCodeAt(f))) return f;
    }
    if (isSpace(s.charCodeAt(e))) return e;
  }
  const dot = digitsEnd(s, i);
  if (dot > i && s.charCodeAt(dot) === 0x2e) {
    const f = digitsEnd(s, dot + 1);
    if (f > dot + 1 && isSpace(s.charCodeAt(f))) return f;
  }
  return i;
}

/**
 * A bounded table keyed by a range of a string, s[a, b), looked up without slicing it out: a hit
 * allocates nothing. Open addressing over SLOTS slots, filled to half at most; once full it only
 * answers (a hostile log with millions of distinct names just stops being shared).
 */
export class SliceTable<V> {
  static readonly SLOTS = 8192;
  #keys: (string | undefined)[] = new Array(SliceTable.SLOTS).fill(undefined);
  #values: (V | undefined)[] = new Array(SliceTable.SLOTS).fill(undefined);
  #size = 0;

  get(s: string, a: number, b: number): V | undefined {
    const mask = SliceTable.SLOTS - 1;
    for (let at = hashOf(s, a, b) & mask; ; at = (at + 1) & mask) {
      const k = this.#keys[at];
      if (k === undefined) return undefined;
      if (k.length === b - a && s.startsWith(k, a)) return this.#values[at];
    }
  }

  /** Adds `key` (not yet present) unless the table is half full. */
  set(key: string, value: V): void {
    if (this.#size >= SliceTable.SLOTS / 2) return;
    const mask = SliceTable.SLOTS - 1;
    let at = hashOf(key, 0, key.length) & mask;
    while (this.#keys[at] !== undefined) at = (at + 1) & mask;
    this.#keys[at] = key;
    this.#values[at] = value;
    this.#size++;
  }

  clear(): void {
    if (this.#size === 0) return;
    this.#keys.fill(undefined);
    this.#values.fill(undefined);
    this.#size = 0;
  }
}

/** FNV-1a over the UTF-16 units of s[a, b). */
function hashOf(s: string, a: number, b: number): number {
  let h = 0x811c9dc5;
  for (let i = a; i < b; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * s.slice(a, b), shared with an earlier equal string of this parse when there is one. Call names,
 * flag names, durations and `-y` paths repeat on almost every line of a log; one string per distinct value
 * (instead of one per line) is that many fewer objects for each scavenge to copy, and a hit slices
 * nothing. Strings are immutable, so sharing them is invisible. parseStrace clears the table first.
 */
export function intern(s: string, a: number, b: number): string {
  if (b - a > INTERN_LONGEST) return s.slice(a, b);
  const seen = names.get(s, a, b);
  if (seen !== undefined) return seen;
  const t = s.slice(a, b);
  names.set(t, t);
  return t;
}

export function clearInterned(): void {
  names.clear();
}

const INTERN_LONGEST = 256;
const names = new SliceTable<string>();
