// src/strace/scan.ts against what each of its scans stands in for: the regex or the trim the
// parser used to run (scan.ts's first lines). Character classes are compared on every UTF-16 code
// unit; the scanners on random strings over the characters they treat specially (digits, the dot,
// the colon, ASCII and Unicode spaces); the intern table on the one promise that matters, that
// it hands back s.slice(a, b) and ends, however many names it is given.
// Written for the survivors of `npm run mutate -- src/strace --mutate src/strace/scan.ts`
// (docs/mutation.md#triage-srcstrace).
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { clearInterned, digitsEnd, intern, isAlpha, isDigit, isDuration, isSpace, smallNumber, spaces, timeEnd, trimmed } from "../src/strace/scan.js";

/** Every code unit: the classes must agree with the regex on all 65,536, and on NaN (charCodeAt past the end). */
function eachUnit(f: (c: number) => boolean, re: RegExp, name: string): void {
  for (let c = 0; c <= 0xffff; c++) {
    if (f(c) !== re.test(String.fromCharCode(c))) assert.unreachable(`${name}(0x${c.toString(16)}) is ${f(c)}, ${re} says ${!f(c)}`);
  }
  assert.is(f(NaN), false, `${name}(NaN): past the end of a string is no character`);
}

test("isDigit, isAlpha and isSpace agree with \\d, [A-Za-z] and \\s on every code unit", () => {
  eachUnit(isDigit, /^\d$/, "isDigit");
  eachUnit(isAlpha, /^[A-Za-z]$/, "isAlpha");
  eachUnit(isSpace, /^\s$/, "isSpace");
});

/** Strings of the characters the scanners look at, and a few they must pass over. */
const ALPHABET = ["0", "1", "5", "9", ".", ":", " ", "\t", "\n", "\u00a0", "\u2028", "\ufeff", "a", "Z", "-", ">"];
const text = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 24 }).map((cs) => cs.join(""));
/** A string and a position in it, the end included. */
const at = text.chain((s) => fc.tuple(fc.constant(s), fc.nat({ max: s.length })));
/** A string and a range [a, b) of it. */
const range = text.chain((s) => fc.tuple(fc.constant(s), fc.nat({ max: s.length }), fc.nat({ max: s.length })))
  .map(([s, x, y]) => [s, Math.min(x, y), Math.max(x, y)] as const);
const RUNS = { numRuns: 3000 };

/** Where a sticky regex's match at i ends (its first group's end, when it has one), or i. */
function stickyEnd(re: RegExp, s: string, i: number, group = 0): number {
  re.lastIndex = i;
  const m = re.exec(s);
  return m ? i + m[group]!.length : i;
}

test("spaces and digitsEnd end where \\s* and \\d* do", () => {
  fc.assert(fc.property(at, ([s, i]) => spaces(s, i) === stickyEnd(/\s*/y, s, i)), RUNS);
  fc.assert(fc.property(at, ([s, i]) => digitsEnd(s, i) === stickyEnd(/\d*/y, s, i)), RUNS);
});

test("trimmed(s, a, b) is s.slice(a, b).trim()", () => {
  fc.assert(fc.property(range, ([s, a, b]) => trimmed(s, a, b) === s.slice(a, b).trim()), RUNS);
  assert.is(trimmed(" \t x y \u3000", 0, 8), "x y");
  assert.is(trimmed("   ", 0, 3), "");
});

test("isDuration(s, a, b) is /^\\d+\\.\\d+$/ on s.slice(a, b), whatever follows b", () => {
  fc.assert(fc.property(range, ([s, a, b]) => isDuration(s, a, b) === /^\d+\.\d+$/.test(s.slice(a, b))), RUNS);
  // The -T duration inside its brackets, and digits running on past the range's end.
  assert.is(isDuration("<0.000021>", 1, 9), true);
  assert.is(isDuration("1.234", 0, 3), true);
  assert.is(isDuration("1.", 0, 2), false);
  assert.is(isDuration(".5", 0, 2), false);
});

test("timeEnd ends where (clock or seconds.fraction) followed by \\s+ ends, or stays", () => {
  const re = /(\d{2}:\d{2}:\d{2}(?:\.\d+)?|\d+\.\d+)\s+/y;
  fc.assert(fc.property(at, ([s, i]) => timeEnd(s, i) === stickyEnd(re, s, i, 1)), RUNS);
  // Clock strings are rare at random: the forms strace -t, -tt, -ttt print, and near misses.
  const clock = fc.tuple(fc.constantFrom("", "1", "12"), fc.constantFrom(":", "."), fc.constantFrom("", "3", "34"),
    fc.constantFrom(":", "."), fc.constantFrom("", "5", "56"), fc.constantFrom("", ".", ".7", ".789"), fc.constantFrom("", " ", "x", "\u00a0", " 7 ", "x7 "))
    .map((parts) => parts.join(""));
  fc.assert(fc.property(clock, (s) => timeEnd(s, 0) === stickyEnd(re, s, 0, 1)), RUNS);
  assert.equal(["12:34:56 x", "12:34:56.789 x", "1700000000.123456 x", "12:34:56.x", "12:34:5 x", "1:34:56 x"].map((s) => timeEnd(s, 0)),
    [8, 12, 17, 0, 0, 0]);
  assert.is(timeEnd("12:34:56 7 x", 0), 8, "digits after the clock's space are not its fraction");
});

test("smallNumber is Number() of a run of up to 15 digits, and Infinity past that", () => {
  const digits = fc.array(fc.constantFrom("0", "1", "7", "9"), { maxLength: 20 }).map((cs) => cs.join(""));
  fc.assert(fc.property(digits, (d) => smallNumber(`x${d}y`, 1, 1 + d.length) === (d.length > 15 ? Infinity : Number(d))), RUNS);
  assert.is(smallNumber("999999999999999", 0, 15), 999999999999999);
  assert.is(smallNumber("1000000000000000", 0, 16), Infinity);
});

test("intern(s, a, b) is s.slice(a, b): for names sharing a slot, names too long to keep, and past the table's bound", () => {
  clearInterned();
  // Names that are prefixes of each other, looked up inside a line that goes on with the same
  // character: a key is that name only if its length is the range's too.
  const ps = Array.from({ length: 256 }, (_, i) => "p".repeat(i + 1));
  for (const p of ps) assert.is(intern(p, 0, p.length), p);
  const line = "p".repeat(300);
  for (const p of ps) if (intern(line, 3, 3 + p.length) !== p) assert.unreachable(`intern gave ${intern(line, 3, 3 + p.length).length} p's for ${p.length}`);
  clearInterned();
  // 9,000 distinct names: more than the table's 8,192 slots (it keeps 4,096 and must stop there,
  // or a lookup on a full table never ends), and enough that many hash to a slot another name
  // holds. Each is interned from one line and looked up again from another.
  const names = Array.from({ length: 9000 }, (_, i) => `n${i.toString(36)}`);
  for (const n of names) assert.is(intern(` ${n} `, 1, 1 + n.length), n);
  for (const n of names) {
    const line = `open ${n}(`;
    if (intern(line, 5, 5 + n.length) !== n) assert.unreachable(`intern gave ${intern(line, 5, 5 + n.length)} for ${n}`);
  }
  const long = "/".repeat(3) + "p".repeat(300);
  assert.is(intern(`<${long}>`, 1, 1 + long.length), long, "a name past INTERN_LONGEST is sliced, never the whole line");
  clearInterned();
  assert.is(intern("name", 0, 4), "name");
  clearInterned();
});

test.run();
