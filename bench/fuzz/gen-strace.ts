// Structure-aware strace logs for the strace parser, toRequests and diff: a slice of a real log
// (corpus.ts), mostly around its root switch, with line-level edits: calls split into
// <unfinished ...>/<... resumed> pairs (interleaved, orphaned, never resumed), long lines, odd
// escapes and quotes, odd pid prefixes and return values, byte noise.
import fc from "fast-check";
import { STRACE_SEEDS } from "./corpus.js";
import { mutate, prng } from "../fuzz-mutator.js";

export type StraceEdit =
  | { op: "del" | "dup"; i: number }
  | { op: "swap"; i: number; j: number }
  | { op: "split"; i: number; cut: number; gap: number; orphan: number }
  | { op: "long"; i: number; n: number; piece: string }
  | { op: "escape"; i: number; cut: number; esc: string }
  | { op: "prefix"; i: number; p: string }
  | { op: "ret"; i: number; r: string }
  | { op: "insert"; i: number; line: string }
  | { op: "bytes"; seed: number };

const nat = fc.nat({ max: 10_000 });
const ESCAPES = ["\\", "\\x", "\\x4", "\\777", "\\8", "\\0", "\\u0041", "\"", "\\\"", "{", "}", "[", "]", "(", ")", ",", "...", "\udc80", "\ufffd", "\x1b", "\\t", "\\n"] as const;
const PREFIXES = ["", "[pid 12] ", "99999999999999999999 ", "-1 ", "0 ", "12 12:00:00 ", "12 1700000000.123456 ", "12 0.000123 ", "[pid x] ", "12  "] as const;
const RETURNS = ["= ?", "= -1 EFOO (Foo)", "= -1 ENOENT", "= 0x7fffffffffffffff", "= 3</x>", "= -1", "= 0 <0.0001>", "= -4095 EINVAL (x)", "=", "= 3<", "= 99999999999999999999", "= 0 (Timeout)"] as const;
const LINES = ["--- SIGCHLD {si_signo=SIGCHLD} ---", "+++ exited with 0 +++", "+++ killed by SIGKILL (core dumped) +++", "12 <... pivot_root resumed>) = 0", "12 pivot_root(\".\", \".\" <unfinished ...>", "12 mount(NULL, \"/\", NULL, MS_REC|MS_SLAVE, NULL) = 0", "12 chdir(\"/\") = 0", "", "garbage", "12 +++ exited with 99999999999999999999 +++"] as const;

export const straceEditArb: fc.Arbitrary<StraceEdit> = fc.oneof(
  fc.record({ op: fc.constantFrom("del", "dup"), i: nat }),
  fc.record({ op: fc.constant("swap"), i: nat, j: nat }),
  { weight: 3, arbitrary: fc.record({ op: fc.constant("split"), i: nat, cut: nat, gap: fc.nat({ max: 5 }), orphan: fc.nat({ max: 3 }) }) },
  fc.record({ op: fc.constant("long"), i: nat, n: fc.oneof({ weight: 200, arbitrary: fc.integer({ min: 100, max: 8192 }) }, { weight: 10, arbitrary: fc.integer({ min: 8192, max: 1 << 16 }) }, { weight: 1, arbitrary: fc.integer({ min: 1 << 16, max: 1 << 20 }) }), piece: fc.constantFrom("a", "\\1", "\\x", "\\\\", "\\\"", ", ", "|MS_REC") }),
  { weight: 2, arbitrary: fc.record({ op: fc.constant("escape"), i: nat, cut: nat, esc: fc.constantFrom(...ESCAPES) }) },
  fc.record({ op: fc.constant("prefix"), i: nat, p: fc.constantFrom(...PREFIXES) }),
  fc.record({ op: fc.constant("ret"), i: nat, r: fc.constantFrom(...RETURNS) }),
  fc.record({ op: fc.constant("insert"), i: nat, line: fc.constantFrom(...LINES) }),
  fc.record({ op: fc.constant("bytes"), seed: fc.nat() }),
) as fc.Arbitrary<StraceEdit>;

/** `12  name(args) = 3` → [prefix incl. pid, the rest]. */
const PID = /^(\[pid +\d+\] |\d+ +)?/;

export function applyStraceEdits(lines0: readonly string[], edits: readonly StraceEdit[]): string {
  const lines = lines0.filter((l) => l !== "");
  const text: StraceEdit[] = [];
  for (const e of edits) {
    if (e.op === "bytes") { text.push(e); continue; }
    if (!lines.length) { if (e.op === "insert") lines.push(e.line); continue; }
    const i = e.i % lines.length;
    const L = lines[i]!;
    const cut = "cut" in e ? e.cut % (L.length + 1) : 0;
    if (e.op === "del") lines.splice(i, 1);
    else if (e.op === "dup") lines.splice(i, 0, L);
    else if (e.op === "swap") { const j = e.j % lines.length; [lines[i], lines[j]] = [lines[j]!, L]; }
    else if (e.op === "insert") lines.splice(i, 0, e.line);
    else if (e.op === "escape") lines[i] = L.slice(0, cut) + e.esc + L.slice(cut);
    else if (e.op === "prefix") lines[i] = e.p + L.replace(PID, "");
    else if (e.op === "ret") lines[i] = L.replace(/=[^=]*$/, e.r);
    else if (e.op === "long") {
      const q = L.indexOf("\"");
      const piece = e.piece.repeat(Math.ceil(e.n / e.piece.length));
      lines[i] = q < 0 ? L + piece : L.slice(0, q + 1) + piece + L.slice(q + 1);
    } else if (e.op === "split") {
      // strace -f: "PID name(args <unfinished ...>" ... "PID <... name resumed>rest"; orphan 1 drops the
      // resume, 2 drops the start, 3 renames the resumed call.
      const pid = PID.exec(L)![0];
      const name = /^(\w+)\(/.exec(L.slice(pid.length))?.[1] ?? "x";
      const at = Math.max(cut, pid.length);
      const start = `${L.slice(0, at)} <unfinished ...>`;
      const resumed = `${pid}<... ${e.orphan === 3 ? "other" : name} resumed>${L.slice(at)}`;
      const parts = e.orphan === 1 ? [start] : e.orphan === 2 ? [resumed] : [start];
      lines.splice(i, 1, ...parts);
      if (e.orphan === 0 || e.orphan === 3) lines.splice(Math.min(i + 1 + e.gap, lines.length), 0, resumed);
    }
  }
  let out = lines.join("\n") + "\n";
  for (const e of text) if (e.op === "bytes") out = mutate(out, prng(e.seed));
  return out;
}

/** Where each log switches root (its first pivot_root, MS_MOVE or chroot line). */
const SWITCH_AT = STRACE_SEEDS.map((ls) => Math.max(0, ls.findIndex((l) => /pivot_root\(|MS_MOVE|chroot\(/.test(l))));

/** A slice of a real log: 3 in 4 around the switch (the window diff looks for), else anywhere. */
const slice = fc.record({
  log: fc.nat({ max: STRACE_SEEDS.length - 1 }),
  near: fc.nat({ max: 3 }),
  from: fc.integer({ min: -40, max: 10 }),
  anywhere: fc.nat({ max: 10_000 }),
  len: fc.integer({ min: 1, max: 60 }),
}).map(({ log, near, from, anywhere, len }) => {
  const ls = STRACE_SEEDS[log]!;
  const start = near ? Math.max(0, SWITCH_AT[log]! + from) : anywhere % ls.length;
  return ls.slice(start, start + len);
});

/** An strace log text: a slice of a real log with 0-5 edits. */
export const straceArb: fc.Arbitrary<string> = fc.record({ lines: slice, edits: fc.array(straceEditArb, { maxLength: 5 }) })
  .map(({ lines, edits }) => applyStraceEdits(lines, edits));
