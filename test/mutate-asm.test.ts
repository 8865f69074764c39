// scripts/mutate-asm.mjs, the scripted mutator of assembly/ (docs/mutation.md): which mutants a
// line gives, and the bookkeeping that decides which verdicts a --resume, --file or --survivors run
// keeps. Both went wrong once without a test: --resume keyed verdicts by line number (one added line
// sent 191 of 1391 mutants to run again), and a --file run overwrote the other files' verdicts.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
// @ts-expect-error: a plain .mjs script, without types
import { keys, lineMutants, listMutants, merged, recordMutants, reusable } from "../scripts/mutate-asm.mjs";

interface Mutant { id: string; file: string; line: number; op: string; original: string; mutated: string; status?: string }
const ops = (line: string): [string, string][] => lineMutants(line);

test("a line's operators: comparisons flipped, && and || swapped, ! dropped, a flag dropped, the statement deleted", () => {
  const line = "  if (a == b && !c) flags = MS_REC | MS_BIND;"; // each flag of an OR is dropped, the last one too
  const got = ops(line);
  const by = (op: string) => got.filter(([o]) => o === op).map(([, m]) => m);
  assert.equal(by("cmp ==→!="), ["  if (a != b && !c) flags = MS_REC | MS_BIND;"]);
  assert.equal(by("logic &&"), ["  if (a == b || !c) flags = MS_REC | MS_BIND;"]);
  assert.equal(by("drop !"), ["  if (a == b && c) flags = MS_REC | MS_BIND;"]);
  assert.ok(by("drop flag MS_REC").includes("  if (a == b && !c) flags = MS_BIND;"), JSON.stringify(got));
  assert.ok(by("drop flag MS_BIND").includes("  if (a == b && !c) flags = MS_REC;"), JSON.stringify(got));
  assert.ok(got.every(([, m]) => m !== line), "every mutant changes the line");
});

test("text in strings and comments is not mutated; an expression statement can be deleted, a declaration not", () => {
  assert.equal(ops(`  log("a == b && !c"); // x == y`).filter(([o]) => o !== "delete statement"), []);
  assert.equal(ops("  fail(EPERM);").find(([o]) => o === "delete statement"), ["delete statement", "  "]);
  assert.is(ops("  let x = f(1);").find(([o]) => o === "delete statement"), undefined);
  assert.is(ops("  case 3: return 1;").find(([o]) => o === "delete case arm")?.[1], "");
});

test("a constant moves to the next of its family in src/abi.ts's order (MNT_DETACH is one, as a flag it is also dropped)", () => {
  const got = ops("  umount2(p, MNT_DETACH);");
  assert.ok(got.some(([o, m]) => o.startsWith("const MNT_DETACH→") && !m.includes("MNT_DETACH")), JSON.stringify(got));
});

test("a profile record's cells: UNUSED is never mutated, a yes/no is flipped, a missing list gets one", () => {
  assert.equal(recordMutants("  /* SHARED */ UNUSED,"), []);
  assert.equal(recordMutants("  /* CLOSE_FDS */ 1,"), [["record CLOSE_FDS: 1→0", "  /* CLOSE_FDS */ 0,"]]);
  assert.equal(recordMutants("  /* PIVOT */ 0,"), [["record PIVOT: none→a list", "  /* PIVOT */ <u16>MOUNTINFO,"]]);
  assert.equal(recordMutants("  /* PIVOT */ <u16>PIVOT_STEPS,"), [["record PIVOT: PIVOT_STEPS→none", "  /* PIVOT */ 0,"]]);
});

test("listMutants over today's assembly/: unique ids, each names its line as it is in the file, each changes it", () => {
  const all: Mutant[] = listMutants();
  assert.ok(all.length > 1000, `${all.length} mutants`);
  assert.is(new Set(all.map((m) => m.id)).size, all.length, "ids are unique");
  const text = new Map<string, string[]>();
  for (const m of all) {
    if (!text.has(m.file)) text.set(m.file, readFileSync(new URL(`../${m.file}`, import.meta.url), "utf8").split("\n"));
    assert.is(text.get(m.file)![m.line - 1], m.original, m.id);
    assert.is.not(m.mutated, m.original, m.id);
  }
  assert.not.ok(all.some((m) => m.file.startsWith("assembly/generated/")), "generated data is not mutated");
});

const mk = (file: string, line: number, original: string, mutated: string, status?: string): Mutant =>
  ({ id: `${file}:${line}`, file, line, op: "op", original, mutated, ...(status ? { status } : {}) });

test("--resume keys: a line added above keeps every key below it; the same mutant twice in a file is told apart", () => {
  const before = [mk("a.ts", 10, "x == y", "x != y"), mk("a.ts", 20, "x == y", "x != y"), mk("b.ts", 10, "x == y", "x != y")];
  const after = before.map((m) => ({ ...m, line: m.file === "a.ts" ? m.line + 1 : m.line }));
  assert.equal(keys(after), keys(before));
  const k: string[] = keys(before);
  assert.is(new Set(k).size, 3, "the two copies in a.ts and the one in b.ts have three keys");
  const edited = [mk("a.ts", 10, "x == z", "x != z"), ...before.slice(1)];
  assert.is.not(keys(edited)[0], k[0], "an edited line is a new mutant");
});

test("--resume reuses killed, timed-out and no-op verdicts, never a survivor (it runs again, with today's tests)", () => {
  const prev = [mk("a.ts", 1, "p", "q", "killed"), mk("a.ts", 2, "r", "s", "survived"), mk("a.ts", 3, "t", "u", "timeout"), mk("a.ts", 4, "v", "w", "no-op"), mk("a.ts", 5, "y", "z")];
  const kept = reusable(prev) as Map<string, Mutant>;
  assert.equal([...kept.values()].map((m) => m.line), [1, 3, 4]);
  const k: string[] = keys(prev);
  assert.ok(kept.has(k[0]!) && !kept.has(k[1]!) && !kept.has(k[4]!));
  const fresh = reusable(prev, { survivors: true }) as Map<string, Mutant>;
  assert.equal([...fresh.values()].map((m) => m.line), [1, 2, 3, 4], "--new keeps survivors too: only the unjudged run");
});

test("a --file run replaces that file's verdicts and keeps the others'", () => {
  const prev = [mk("fixture/a.ts", 1, "p", "q", "killed"), mk("fixture/b.ts", 1, "p", "q", "survived"), mk("fixture/b.ts", 2, "p", "r", "survived")];
  const bRun = [mk("fixture/b.ts", 1, "p", "q", "killed")];
  assert.equal(merged(prev, bRun, { file: "b.ts" }).map((m: Mutant) => `${m.file}:${m.status}`), ["fixture/a.ts:killed", "fixture/b.ts:killed"]);
  assert.equal(merged(prev, bRun, {}), bRun, "a whole run is its own list");
  assert.equal(merged(null, bRun, { file: "b.ts" }), bRun, "no earlier run: nothing to keep");
});

test("a --survivors run updates the earlier verdicts by key, so a line added above since does not mix them up", () => {
  // The earlier result (written before keys were kept: they are worked out from its list).
  const prev = [mk("fixture/a.ts", 1, "p", "q", "killed"), mk("fixture/b.ts", 1, "x", "y", "survived"), mk("fixture/b.ts", 2, "u", "v", "survived")];
  // Today's listing: a line was added at the top of b.ts, so b's ids (file:line) moved; c.ts is new.
  const now = [mk("fixture/a.ts", 1, "p", "q"), mk("fixture/b.ts", 2, "x", "y"), mk("fixture/b.ts", 3, "u", "v"), mk("fixture/c.ts", 9, "p", "q")];
  (keys(now) as string[]).forEach((k, i) => { (now[i] as Mutant & { key: string }).key = k; });
  const again = new Set([...(keys(prev) as string[])].filter((_, i) => prev[i]!.status === "survived"));
  const rerun = now.filter((m) => again.has((m as Mutant & { key: string }).key) || m.file.endsWith("c.ts"));
  assert.equal(rerun.map((m) => m.id), ["fixture/b.ts:2", "fixture/b.ts:3", "fixture/c.ts:9"], "the survivors found by key, at their new lines");
  rerun[1]!.status = "killed"; rerun[0]!.status = "survived"; rerun[2]!.status = "killed";
  assert.equal(merged(prev, rerun, { again }).map((m: Mutant) => `${m.id}:${m.original}:${m.status}`),
    ["fixture/a.ts:1:p:killed", "fixture/b.ts:2:x:survived", "fixture/b.ts:3:u:killed", "fixture/c.ts:9:p:killed"]);
});

test("host/*.cc mutants have no line text: a --survivors run matches them by their names", () => {
  const cc = (id: string, status: string) => ({ id, file: "host/child.cc", status, find: "a", replace: "b" });
  assert.equal(merged([cc("exec-mask", "survived"), cc("guard", "killed")], [cc("exec-mask", "killed")], { again: new Set(["exec-mask"]) }).map((m: { id: string; status: string }) => `${m.id}:${m.status}`),
    ["exec-mask:killed", "guard:killed"]);
});

test.run();
