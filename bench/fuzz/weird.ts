// Values that break parsers, shared by the structure-aware generators: numbers past every width,
// non-numbers that Number() still reads, escapes, non-UTF-8 (lone surrogates, as src/utf8.ts
// decodes a bad byte), control bytes, huge and deeply nested strings. Data only, plus fc arbitraries.
import fc from "fast-check";

/** Tokens that look like numbers, or parse to one in some reader and not another. */
export const NUMBERISH = [
  "0", "-1", "1", "00", "0x1f", "1e3", "1.5", " 1", "+1", "2147483647", "2147483648", "4294967296",
  "9007199254740993", "99999999999999999999", "NaN", "Infinity", "-0", "",
] as const;

/** Field text that trips escapes, separators and decoders. */
export const ODD_TEXT = [
  "x", "-", "\\", "\\040", "\\134", "\\011", "\\012", "\\777", "\\0", "\\12", "\\x41", "\\", "\ufffd",
  "\udc80", "\udcff", "\ud800", "\u0000", "\t", "\r", "\x1b[31m", "é", "/", "//", "/.", "/..", "..",
  "/proc", "/sys", "shared:", "master:x", "propagate_from:0", "unbindable", "shared:1", "a b",
] as const;

/** A string of `n` copies of a short piece: a huge field (up to 256 KiB). */
export const huge = fc.tuple(fc.constantFrom("a", "/a", "\\040", "9", "\udc80", "é"), fc.integer({ min: 1_000, max: 1 << 18 }))
  .map(([s, n]) => s.repeat(Math.ceil(n / s.length)));

/** A field value: odd, numeric-looking, random (any UTF-16 code unit), or rarely huge. */
export const weirdField: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ODD_TEXT) },
  { weight: 4, arbitrary: fc.constantFrom(...NUMBERISH) },
  { weight: 2, arbitrary: fc.nat({ max: 100 }).map(String) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
  { weight: 1, arbitrary: huge },
);

/** A JSON value that a schema must refuse or bound: widths past int32, fractions, wrong types. */
export const weirdJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<unknown>(2 ** 31, 2 ** 32, 2 ** 40, 2 ** 53, -(2 ** 31) - 1, -1, 0, 4095, 4096, 1e308, 0.5, -0, "", "x", "1", null, true, false, [], {}) },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 16 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/** Number literals that JSON.parse reads to something no int field may hold. */
export const NUMBER_LITERALS = ["1e400", "-1e400", "123456789012345678901234567890", "1.0", "-0", "1e-7", "2147483648", "4294967295", "9007199254740993"] as const;
