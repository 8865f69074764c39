// strace's arguments (src/strace/args.ts) against a plain reading written again here from the rules
// its comments state: each kind of argument by its regular expression, tried in the same order; C
// escapes undone by one regular expression; a line split by a scanner that finds strings, comments
// and `-y` annotations with regular expressions and trims parts with String.trim. The reader's fast
// paths (reading by hand within a range of the line, interning, a shared byte slab, indexOf scans)
// must give what the plain reading gives, on generated arguments and lines made of the characters
// those paths test. Written for the survivors of args.ts's first Stryker run (docs/mutation.md).
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { type Arg, type Sink, clearPlain, decodeC, parseArg, parseArgAt, scanArgs, splitArgs, unescapeC } from "../src/strace/args.js";
import { decodeBytes, encodeString } from "../src/utf8.js";

const SIMPLE: Record<string, number> = { n: 10, t: 9, r: 13, v: 11, f: 12, a: 7, b: 8, e: 27, "\\": 92, '"': 34, "'": 39, "?": 63 };

/** C escapes by one regular expression: \ooo (1-3), \xH or \xHH, the simple ones, else kept as printed. */
function plainUnescape(text: string): Uint8Array {
  const out: number[] = [];
  let last = 0;
  for (const m of text.matchAll(/\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|([ntrvfabe\\"'?])|([^]))|\\$/gu)) {
    out.push(...encodeString(text.slice(last, m.index)));
    last = m.index + m[0].length;
    if (m[1] !== undefined) out.push(parseInt(m[1], 8) & 0xff);
    else if (m[2] !== undefined) out.push(parseInt(m[2], 16));
    else if (m[3] !== undefined) out.push(SIMPLE[m[3]]!);
    else out.push(...encodeString(m[0])); // unknown escape, or a trailing backslash: as printed
  }
  out.push(...encodeString(text.slice(last)));
  return Uint8Array.from(out);
}

const plainDecode = (text: string): string => decodeBytes(plainUnescape(text));

/** One argument by the regular expressions args.ts's comments give, in its order. */
function plainArg(t: string): Arg {
  const raw: Arg = { kind: "raw", text: t };
  if (t.startsWith('"')) {
    const m = /^"((?:[^"\\]|\\[^])*)"(\.\.\.)?$/.exec(t);
    if (!m) return raw;
    const bytes = plainUnescape(m[1]!);
    return { kind: "str", value: decodeBytes(bytes), bytes, truncated: m[2] !== undefined };
  }
  if (/^[-0-9]/.test(t)) {
    if (/^-?\d+$/.test(t)) return { kind: "num", value: /^0[0-7]+$/.test(t) ? parseInt(t, 8) : Number(t) };
    if (/^0x[0-9a-fA-F]+$/.test(t)) return { kind: "addr", addr: t.toLowerCase() };
    const fd = /^(\d+)<([^]*)>(\(deleted\))?$/.exec(t);
    if (fd) return { kind: "fd", fd: Number(fd[1]), path: plainDecode(fd[2]!), ...(fd[3] ? { deleted: true as const } : {}) };
    return raw;
  }
  if (t === "NULL") return { kind: "null" };
  const at = /^AT_FDCWD(?:<([^]*)>)?$/.exec(t);
  if (at) return at[1] === undefined ? { kind: "at_fdcwd" } : { kind: "at_fdcwd", path: plainDecode(at[1]) };
  const PART = "(?:[A-Z_][A-Z0-9_]*|0x[0-9a-fA-F]+|\\d+)";
  if (/^[A-Z_]/.test(t) && new RegExp(`^${PART}(?:\\|${PART})*$`).test(t)) {
    const parts = t.split("|");
    const numbers = parts.filter((p) => /^\d|^0x/.test(p));
    return {
      kind: "flags", names: parts.filter((p) => !/^\d/.test(p)),
      residue: numbers.length ? Number(numbers.reduce((r, p) => r | BigInt(p), 0n)) : 0,
    };
  }
  return raw;
}

/**
 * The arguments after `start` split at top-level commas: strings, comments and annotations found
 * by regular expressions, each part trimmed; `end` is the `)` that closes them, or -1.
 */
function plainSplit(s: string, start: number): { parts: string[]; end: number } {
  const parts: string[] = [];
  const push = (a: number, b: number, last: boolean): void => {
    const t = s.slice(a, b).trim();
    if (!last || t !== "") parts.push(t);
  };
  const STRING = /"(?:[^"\\]|\\[^])*"/y;
  const COMMENT = /\/\*[^]*?\*\//y;
  const CLOSE = /(?<!-)>/g; // an annotation's end: a ">" that is not the head of "->"
  let depth = 0;
  let from = start;
  for (let i = start; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '"') {
      STRING.lastIndex = i;
      i = STRING.test(s) ? STRING.lastIndex - 1 : s.length;
    } else if (ch === "<" && (/\d$/.test(s.slice(from, i)) || s.slice(from, i).endsWith("AT_FDCWD"))) {
      CLOSE.lastIndex = i;
      const m = CLOSE.exec(s);
      const first = s.indexOf(">", i);
      i = m ? m.index : first >= 0 ? first : s.length;
    } else if (s.startsWith("/*", i)) {
      COMMENT.lastIndex = i;
      i = COMMENT.test(s) ? COMMENT.lastIndex - 1 : s.length;
    } else if ("([{".includes(ch)) depth++;
    else if (")]}".includes(ch)) {
      if (depth === 0) { push(from, i, true); return { parts, end: i }; }
      depth--;
    } else if (ch === "," && depth === 0) { push(from, i, false); from = i + 1; }
  }
  push(from, s.length, true);
  return { parts, end: -1 };
}

/** An Arg with its bytes as a plain array and -0 visible, for deep comparison. */
function shown(a: Arg): unknown {
  if (a.kind === "str") return { ...a, bytes: [...a.bytes] };
  if (a.kind === "num") return { ...a, value: Object.is(a.value, -0) ? "-0" : a.value };
  return a;
}

// The characters the fast paths test: quotes and backslashes, the octal digits' edges (7, 8) and
// hex digits' (9, a, f, g, A, F, G), the escape letters and one that is none, the separators and
// brackets, "<", ">", "-" (an arrow), space and a space trim() knows past ASCII, a byte as the
// seam decodes it (U+DC80), lone surrogates at both ends of their range, a pair, two-byte é and
// U+0080 (the first code point past ASCII).
const chars = fc.constantFrom(
  '"', "\\", "0", "1", "7", "8", "9", "a", "f", "g", "A", "F", "G", "x", "n", "e", "q", "?", "'",
  ",", "(", ")", "[", "]", "{", "}", "<", ">", "-", "|", "/", "*", ".", " ", "\u00a0", "_", "Z",
  "\uDC80", "\uD83D", "\uD800", "\uDFFF", "😀", "é", "\u0080",
);
/** n items, n from min to max, as a string: an explicit length, since fast-check's default size stops arrays at 10. */
const sized = (item: fc.Arbitrary<string>, min: number, max: number) =>
  fc.integer({ min, max }).chain((n) => fc.array(item, { minLength: n, maxLength: n })).map((a) => a.join(""));
const text = (max: number) => sized(chars, 0, max);
const digits = (min: number, max: number) => sized(fc.constantFrom("0", "0", "1", "5", "7", "8", "9"), min, max);
const hex = sized(fc.constantFrom("0", "9", "a", "f", "A", "F", "g"), 0, 18);
const flagName = fc.tuple(fc.constantFrom("A", "Z", "_", "M", "a", "0"), fc.array(fc.constantFrom("A", "_", "0", "9", "S", "a", "-"), { maxLength: 8 }))
  .map(([h, t]) => h + t.join(""));
const flagPart = fc.oneof(flagName, fc.constant("MS_BIND"), digits(0, 20), hex.map((h) => "0x" + h), hex.map((h) => "1x" + h));
const escape = fc.oneof(
  fc.constantFrom("\\n", "\\t", "\\\\", '\\"', "\\?", "\\e", "\\q", "\\é", "\\😀", "\\\uDC80", "\\x", "\\xg", "\\x4", "\\x41", "\\xFf0"),
  digits(1, 4).map((d) => "\\" + d),
);
/** A run of one character, up to 300 long: the decoder's buffer starts at 64 bytes and must grow past one append. */
const run = fc.tuple(fc.constantFrom("a", "é", "\uDC80", "😀"), fc.integer({ min: 1, max: 300 })).map(([c, n]) => c.repeat(n));
const inner = fc.array(fc.oneof({ weight: 4, arbitrary: text(4) }, { weight: 2, arbitrary: escape }, { weight: 1, arbitrary: run }), { maxLength: 6 }).map((a) => a.join(""));

/** An argument as strace prints one, or nearly: each kind, its edges, and garbage. */
const arg: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(inner, fc.constantFrom("", "", "...", "..", "x", '"', " ")).map(([s, tail]) => `"${s}"${tail}`),
  inner.map((s) => `"${s}`), // never closed
  fc.tuple(fc.constantFrom("", "-", "--"), digits(0, 26)).map(([m, d]) => m + d),
  // Octal past 17 digits: summed digit by digit, a double rounds where parseInt does not (0735...: 20 digits).
  sized(fc.constantFrom("0", "1", "3", "5", "7"), 15, 24).map((d) => "0" + d),
  hex.map((h) => "0x" + h),
  fc.tuple(digits(0, 18), text(8), fc.constantFrom("", ">", ">(deleted)", "(deleted)", ">(deleted)>", ">x")).map(([d, p, t]) => `${d}<${p}${t}`),
  fc.tuple(fc.constantFrom("0", "1", "9", "-", "", "00"), fc.constantFrom("x", "X"), hex).map(([h, x, t]) => h + x + t), // 0x's near misses
  fc.tuple(fc.constantFrom("AT_FDCWD", "AT_FDCWDX", "AT_FDCWD<"), text(6), fc.constantFrom("", ">", "x")).map(([h, p, t]) => h + p + t),
  fc.constantFrom("NULL", "NULLX", "NUL", "AT_FDCWD", "AT_FDCWD<>", "3<>(deleted)", "0x", "-", "-0", "00", "0", "089", "0777777777777777777", "07350100337170700113", "0x7fffffffffffffff"),
  fc.array(flagPart, { minLength: 1, maxLength: 5 }).map((p) => p.join("|")),
  text(10),
);

test("parseArg reads every generated argument as the plain reading does", () => {
  fc.assert(fc.property(arg, (t) => {
    clearPlain();
    assert.equal(shown(parseArg(t)), shown(plainArg(t)), JSON.stringify(t));
    assert.equal(shown(parseArg(t)), shown(plainArg(t)), `read again (shared values): ${JSON.stringify(t)}`);
  }), { numRuns: 10000, seed: 11 });
});

test("unescapeC and decodeC undo the escapes as one regular expression does", () => {
  fc.assert(fc.property(inner, (t) => {
    assert.equal([...unescapeC(t)], [...plainUnescape(t)], JSON.stringify(t));
    assert.is(decodeC(t), plainDecode(t), JSON.stringify(t));
  }), { numRuns: 5000, seed: 12 });
});

test("long plain strings, and more of them than the shared byte slab holds (64 KiB), keep their own bytes", () => {
  clearPlain();
  const long = "a".repeat(70_000);
  const one = parseArg(`"${long}"`);
  assert.ok(one.kind === "str" && one.bytes.length === 70_000 && one.bytes.every((b) => b === 0x61), "a 70 000-byte string");
  // 600 distinct strings of 200 bytes: 120 KB through the slab, each string's bytes its own.
  const args = Array.from({ length: 600 }, (_, i) => parseArg(`"${String(i).padStart(4, "0")}${"b".repeat(196)}"`));
  args.forEach((a, i) => {
    assert.ok(a.kind === "str", String(i));
    if (a.kind === "str") assert.equal([...a.bytes], [...encodeString(a.value)], `string ${i}`);
  });
});

/** A line's arguments: generated ones, nested brackets, comments, annotations with commas in them. */
const piece: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: arg },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom("{", "[", "("), fc.array(arg, { maxLength: 3 }), fc.constantFrom("}", "]", ")", "")).map(([o, a, c]) => o + a.join(", ") + c) },
  { weight: 1, arbitrary: fc.tuple(text(4), fc.constantFrom("/* a, b) */", "/*/", "/* unclosed", "*/")).map(([t, c]) => t + c) },
  { weight: 1, arbitrary: fc.constantFrom("3</a,b)>", "4<TCP:[1.1.1.1:80->2.2.2.2:9]>", "5</x->", "AT_FDCWD</a, b>", "x<a,b>", "7<a->b,c>d", "3<never closed, (x", '"never closed, (x') },
);
const line = fc.tuple(fc.constantFrom("", "openat", "mount"), fc.array(piece, { maxLength: 6 }), fc.array(fc.constantFrom(",", ", ", " ,", ",\t"), { minLength: 6, maxLength: 6 }), fc.constantFrom(")", ") = 0", "", " <unfinished ...>", ")x)"))
  .map(([name, parts, seps, tail]) => `${name}(${parts.map((p, i) => (i ? seps[i]! : "") + p).join("")}${tail}`);

test("splitArgs and scanArgs split every generated line as the plain scanner does, each part read as plainArg reads it", () => {
  fc.assert(fc.property(line, (s) => {
    const start = s.indexOf("(") + 1;
    const want = plainSplit(s, start);
    assert.equal(splitArgs(s, start), want, JSON.stringify(s));
    clearPlain();
    const sink: Sink<unknown> = { items: [], n: 0 };
    assert.is(scanArgs(s, start, sink, (x, a, b) => shown(parseArgAt(x, a, b))), want.end, JSON.stringify(s));
    assert.equal(sink.items.slice(0, sink.n), want.parts.map((p) => shown(plainArg(p))), JSON.stringify(s));
  }), { numRuns: 5000, seed: 13 });
});

test("the generators reach every kind of argument and both ends of a line (else the properties above test less than they say)", () => {
  const kinds = new Set<string>();
  const ends = new Set<string>();
  fc.sample(arg, { numRuns: 5000, seed: 14 }).forEach((t) => {
    const a = plainArg(t);
    kinds.add(a.kind === "str" && a.truncated ? "str..." : a.kind === "fd" && a.deleted ? "fd deleted" : a.kind === "flags" && a.residue ? "flags+n" : a.kind);
    // Past 15 digits a number is read through a slice, past 17 an octal one through parseInt.
    if (/^-?\d{18,}$/.test(t)) kinds.add("num of 18+ digits");
    if (/^0[0-7]{17,}$/.test(t)) kinds.add("octal of 18+ digits");
    if (a.kind === "fd" && /^\d{16,}</.test(t)) kinds.add("fd of 16+ digits");
    if (a.kind === "str" && a.bytes.length > 128) kinds.add("str of 129+ bytes");
  });
  fc.sample(line, { numRuns: 2000, seed: 15 }).forEach((s) => ends.add(plainSplit(s, s.indexOf("(") + 1).end < 0 ? "unfinished" : "closed"));
  assert.equal([...kinds].sort(), [
    "addr", "at_fdcwd", "fd", "fd deleted", "fd of 16+ digits", "flags", "flags+n", "null", "num", "num of 18+ digits", "octal of 18+ digits",
    "raw", "str", "str of 129+ bytes", "str...",
  ]);
  assert.equal([...ends].sort(), ["closed", "unfinished"]);
});

test.run();
