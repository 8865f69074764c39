// Structure-aware mountinfo tables for the fake kernel's parser (plan's default path): a real table
// (corpus.ts) with line-level edits (parent cycles, duplicate ids, id == parent, non-numeric ids,
// no "/" line, huge fields, deep or wide nesting, non-UTF-8 bytes, byte-level noise), or a random
// forest. Each edit is an fc value, so fast-check shrinks a counterexample to the edits that matter.
import fc from "fast-check";
import { MOUNTINFO_SEEDS } from "./corpus.js";
import { weirdField } from "./weird.js";
import { mutate, prng } from "../fuzz-mutator.js";

export type Edit =
  | { op: "del" | "dup" | "self"; i: number }
  | { op: "swap" | "parentOf" | "cycle"; i: number; j: number }
  | { op: "field"; i: number; f: number; v: string }
  | { op: "sameId"; i: number; v: string }
  | { op: "noRoot" }
  | { op: "nest"; i: number; n: number; seg: string }
  | { op: "wide"; i: number; n: number }
  | { op: "tag"; i: number; tag: string }
  | { op: "bytes"; seed: number }
  | { op: "eol"; kind: number };

const nat = fc.nat({ max: 1000 });
// Big tables are rare: the fake kernel's cost grows faster than linearly in mounts (issue 10's scale
// item, measured in npm run bench), and one slow input costs as much as hundreds of small ones.
const count = fc.oneof({ weight: 60, arbitrary: fc.integer({ min: 1, max: 30 }) }, { weight: 1, arbitrary: fc.integer({ min: 100, max: 2000 }) });

export const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ op: fc.constantFrom("del", "dup", "self"), i: nat }),
  fc.record({ op: fc.constantFrom("swap", "parentOf", "cycle"), i: nat, j: nat }),
  { weight: 3, arbitrary: fc.record({ op: fc.constant("field"), i: nat, f: fc.nat({ max: 12 }), v: weirdField }) },
  fc.record({ op: fc.constant("sameId"), i: nat, v: weirdField }),
  fc.constant({ op: "noRoot" }),
  fc.record({ op: fc.constant("nest"), i: nat, n: count, seg: fc.constantFrom("a", "x y", "\\040", "\udc80", "é", ".", "..", "") }),
  fc.record({ op: fc.constant("wide"), i: nat, n: count }),
  fc.record({ op: fc.constant("tag"), i: nat, tag: fc.constantFrom("shared:1", "shared:0", "master:1", "master:99", "propagate_from:2", "unbindable", "shared:x", "master:", "weird:1", "shared:4294967296") }),
  fc.record({ op: fc.constant("bytes"), seed: fc.nat() }),
  fc.record({ op: fc.constant("eol"), kind: fc.nat({ max: 4 }) }),
) as fc.Arbitrary<Edit>;

const at = <T>(xs: T[], i: number): number => (xs.length ? i % xs.length : -1);

/** Applies edits to a table (lines of space-separated fields); "bytes" and "eol" act on the text last. */
export function applyEdits(table: string, edits: readonly Edit[]): string {
  const lines = table.split("\n").filter((l) => l !== "").map((l) => l.split(" "));
  let nextId = 100_000;
  const textEdits: Edit[] = [];
  for (const e of edits) {
    if (e.op === "bytes" || e.op === "eol") { textEdits.push(e); continue; }
    if (e.op === "noRoot") { for (let k = lines.length - 1; k >= 0; k--) if (lines[k]![4] === "/") lines.splice(k, 1); continue; }
    const i = at(lines, e.i);
    if (i < 0) continue;
    const L = lines[i]!;
    if (e.op === "del") lines.splice(i, 1);
    else if (e.op === "dup") lines.splice(i, 0, [...L]);
    else if (e.op === "self") L[1] = L[0]!;
    else if (e.op === "swap") { const j = at(lines, e.j); [lines[i], lines[j]] = [lines[j]!, L]; }
    else if (e.op === "parentOf") L[1] = lines[at(lines, e.j)]![0]!;
    else if (e.op === "cycle") { const J = lines[at(lines, e.j)]!; L[1] = J[0]!; J[1] = L[0]!; }
    else if (e.op === "field") L[e.f % Math.max(L.length, 1)] = e.v;
    else if (e.op === "sameId") { L[0] = e.v; L[1] = e.v; }
    else if (e.op === "tag") L.splice(Math.min(6, L.length), 0, e.tag);
    else if (e.op === "nest" || e.op === "wide") {
      let parent = L;
      // Nesting under a huge mount point grows quadratically: stop at ~4 MB of new lines (the
      // machine's own cap is 16 MiB, and the fuzz wants many inputs, not one giant one).
      let budget = 4 << 20;
      for (let k = 0; k < e.n && budget > 0; k++) {
        const mp = (parent[4] === "/" ? "" : parent[4] ?? "") + "/" + (e.op === "nest" ? e.seg : `w${k}`);
        const child = [String(nextId++), parent[0]!, "0:99", "/", mp, "rw", "-", "tmpfs", "tmpfs", "rw"];
        lines.push(child);
        budget -= mp.length + 40;
        if (e.op === "nest") parent = child;
      }
    }
  }
  let text = lines.map((l) => l.join(" ") + "\n").join("");
  for (const e of textEdits) {
    if (e.op === "bytes") text = mutate(text, prng(e.seed));
    else if (e.op === "eol") text = [text.replaceAll("\n", "\r\n"), text.replace(/\n$/, ""), text.replaceAll("\n", "\n\n"), "\n" + text, text.replaceAll(" ", "  ")][e.kind]!;
  }
  return text;
}

/** A random forest: ids and parents from a small pool (cycles, duplicates, dangling parents), paths from a few names. */
const forest = fc.array(fc.record({
  id: fc.oneof(fc.nat({ max: 8 }).map(String), weirdField),
  parent: fc.oneof(fc.nat({ max: 8 }).map(String), weirdField),
  mp: fc.oneof(fc.constantFrom("/", "/a", "/a/b", "/b", "/proc", "/a/b/c"), weirdField),
  root: fc.constantFrom("/", "/x", "/a/b"),
}), { minLength: 0, maxLength: 12 }).map((rows) =>
  rows.map((r) => `${r.id} ${r.parent} 0:${r.id.length} ${r.root} ${r.mp} rw - tmpfs t rw\n`).join(""));

const mutated = fc.record({ table: fc.nat({ max: MOUNTINFO_SEEDS.length - 1 }), edits: fc.array(editArb, { minLength: 1, maxLength: 6 }) })
  .map(({ table, edits }) => applyEdits(MOUNTINFO_SEEDS[table]!, edits));

/** A mountinfo text: mostly mutated real tables, some random forests. */
export const mountinfoArb: fc.Arbitrary<string> = fc.oneof({ weight: 5, arbitrary: mutated }, { weight: 1, arbitrary: forest });
