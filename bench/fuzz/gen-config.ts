// Configs for the zod config schema (parseConfig), as a library caller or a JSON file could pass
// them: anything at all, or near-valid records whose fields are valid, odd or of the wrong type,
// with rootfs paths built to probe every rule (NUL, //, . and .., the 4095-byte bound in UTF-8,
// non-UTF-8, control bytes). Also the rootfs paths the strace self-diff uses.
import fc from "fast-check";
import { PROFILES, STRATEGIES, PROPAGATIONS } from "../../src/schema.js";
import { weirdJson } from "./weird.js";

const SEGMENTS = ["a", "rootfs", ".", "..", "", "é", "\udc80", "\ud800", "\u0000", "a b", "\\", "\"", "\n", "\x1b[2J", "%s", "\ufffd"] as const;

/** "/" + segments, sometimes padded towards PATH_MAX with 1-, 2- or 4-byte characters. */
export const rootfsArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 5 }).map((s) => "/" + s.join("/")) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom("a", "é", "😀", "\udc80"), fc.integer({ min: 4080, max: 4100 })).map(([c, bytes]) => "/" + c.repeat(Math.ceil((bytes - 1) / Buffer.byteLength(c)))) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
);

const choice = <T extends readonly string[]>(xs: T) => fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...xs) }, { weight: 1, arbitrary: weirdJson });
const flag = fc.oneof({ weight: 4, arbitrary: fc.boolean() }, { weight: 1, arbitrary: weirdJson });

const nearValid = fc.record({
  rootfs: fc.oneof({ weight: 4, arbitrary: rootfsArb }, { weight: 1, arbitrary: weirdJson }),
  profile: choice(PROFILES),
  strategy: choice(STRATEGIES),
  rootPropagation: choice(PROPAGATIONS),
  readonly: flag,
  prepare: flag,
  selfBind: flag,
}, { requiredKeys: [] });

/** Keys the schema does not know (a strict object refuses them), and prototype-looking ones. */
const withExtras = fc.tuple(nearValid, fc.record({ extra: weirdJson, ["__proto__" as string]: weirdJson, constructor: weirdJson, toString: weirdJson }, { requiredKeys: [] }))
  .map(([a, b]) => Object.assign(Object.create(null) as object, a, b));

/** Anything a caller could pass to parseConfig. */
export const configArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: nearValid },
  { weight: 1, arbitrary: withExtras },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 2, withNullPrototype: true, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withBoxedValues: true }) },
);
