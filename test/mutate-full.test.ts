// The full mutation run's ledger (scripts/mutate-full.mjs): which units a stopped run runs again,
// when the full run's wall time may be recorded, each part's score from its units, and the
// per-file Stryker config derived from a folder's. A wrong answer here records a wall time for a
// run that never finished, or a score for code that changed under it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
// @ts-expect-error: a plain .mjs script, no types
import * as full from "../scripts/mutate-full.mjs";
// @ts-expect-error: a plain .mjs script, no types
import * as confirm from "../scripts/mutate-confirm.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
interface Unit { unit: string; part: string; config?: string; files: string[] }
const units: Unit[] = full.listUnits();
const hashes: Record<string, string> = Object.fromEntries(units.map((u) => [u.unit, full.codeHash(u)]));

/** A ledger with every unit done on today's code, each 10 s, 9 killed and 1 survived. */
function allDone() {
  const l = full.newLedger(new Date("2026-12-03T00:00:00Z"));
  l.invocations.push({ started: "2026-12-03T00:00:00Z", lastSeen: "2026-12-03T05:00:00Z" }, { started: "2026-12-04T00:00:00Z", lastSeen: "2026-12-04T00:30:00Z" });
  for (const u of units) l.units[u.unit] = { status: "done", part: u.part, hash: hashes[u.unit], commit: u.part === "asm" ? "bbb" : "aaa", wallSeconds: 10, killed: 9, survived: 1, timeout: 2, ...(u.config ? { timeoutCheck: { hung: 2, killed: 0, survived: 0 } } : {}) };
  return l;
}

test("the units: asm, cc, and every source file of each Stryker folder once, each with its folder's config", () => {
  const names = units.map((u) => u.unit);
  assert.is(new Set(names).size, names.length, "a unit listed twice");
  for (const p of ["src/hosts/fake", "src/diff", "src/strace", "src/commands"]) {
    const files: string[] = full.filesOf(p);
    assert.ok(files.length > 0, p);
    for (const f of files) assert.equal(units.find((u) => u.unit === f), { unit: f, part: p, config: full.STRYKER[p], files: [f] });
  }
  assert.ok(names.includes("asm") && names.includes("cc") && names.includes("src/schema.ts"));
  assert.ok(units.find((u) => u.unit === "cc")!.files.includes("host/child.cc"), "cc measures the executor's code");
  assert.ok(units.find((u) => u.unit === "asm")!.files.includes("assembly/index.ts"));
});

test("pending: a new ledger runs every unit; a done unit is skipped; a running or failed one runs again; a changed file makes it stale", () => {
  const l = full.newLedger();
  assert.is(full.pending(l, units, hashes).length, units.length);
  const d = allDone();
  assert.equal(full.pending(d, units, hashes), []);
  const [a, b, c] = [units[0]!, units[5]!, units[units.length - 1]!];
  d.units[a.unit].status = "running";
  d.units[b.unit].status = "failed";
  const changed = { ...hashes, [c.unit]: "0000000000000000" };
  const p = full.pending(d, units, changed);
  assert.equal(p.map((u: Unit & { why: string }) => [u.unit, u.why]), [[a.unit, "again"], [b.unit, "again"], [c.unit, "stale"]]);
  delete d.units[b.unit];
  assert.equal(full.pending(d, units, hashes).map((u: Unit & { why: string }) => u.why), ["again", "new"]);
});

test("the wall time is recorded only when every unit is done on today's code: units summed, invocations summed, commits listed", () => {
  const d = allDone();
  assert.equal(full.fullWall(d, units, hashes), { unitSeconds: 10 * units.length, invocationSeconds: 5 * 3600 + 1800, invocations: 2, commits: ["aaa", "bbb"] });
  d.units[units[3]!.unit].status = "running";
  assert.is(full.fullWall(d, units, hashes), null, "one unit still running");
  const e = allDone();
  assert.is(full.fullWall(e, units, { ...hashes, asm: "changed" }), null, "asm's code changed after it was measured");
  assert.is(full.fullWall(full.newLedger(), units, hashes), null);
});

test("a part's score counts only its units done on today's code", () => {
  const d = allDone();
  const fake = units.filter((u) => u.part === "src/hosts/fake");
  const s = full.partScore(d, units, "src/hosts/fake", hashes);
  assert.equal([s.units, s.done, s.complete, s.killed, s.survived, s.total, s.timeout, s.wallSeconds], [fake.length, fake.length, true, 9 * fake.length, fake.length, 10 * fake.length, 2 * fake.length, 10 * fake.length]);
  d.units[fake[0]!.unit].status = "running";
  const t = full.partScore(d, units, "src/hosts/fake", { ...hashes, [fake[1]!.unit]: "x" });
  assert.equal([t.done, t.complete, t.killed], [fake.length - 2, false, 9 * (fake.length - 2)]);
  assert.equal(full.partScore(d, units, "asm", hashes).total, 10);
  const strace = units.filter((u) => u.part === "src/strace");
  delete d.units[strace[0]!.unit].timeoutCheck;
  assert.equal([full.partScore(d, units, "src/strace", hashes).timeoutUnjudged, full.partScore(d, units, "asm", hashes).timeoutUnjudged], [2, 0],
    "a part's timeouts not yet judged alone are counted (asm judges its own)");
});

test("a unit's config: the folder's command, timeouts and sandbox rules, one file, no incremental reuse, the report where the ledger reads it", () => {
  const base = JSON.parse(readFileSync(join(ROOT, "mutation/stryker/fake.conf.json"), "utf8"));
  const c = full.unitConfig(base, "src/hosts/fake/anon.ts", "/tmp/r.json");
  assert.equal(c.mutate, ["src/hosts/fake/anon.ts"]);
  assert.is(c.incremental, false);
  assert.is(c.incrementalFile, undefined, "no incremental file: nothing is read from, or written over, the folder's");
  assert.equal(c.jsonReporter, { fileName: "/tmp/r.json" });
  assert.ok(c.reporters.includes("json"));
  for (const k of ["ignorePatterns", "timeoutMS", "concurrency", "testRunner", "disableTypeChecks"]) assert.equal(c[k], base[k], k);
  assert.is(c.commandRunner.command, full.ownTmp(base.commandRunner.command), "the folder's command, each run with a temp dir of its own");
  assert.ok(base.incremental, "the folder's own config is not changed");
  const cmds = JSON.parse(readFileSync(join(ROOT, "mutation/stryker/commands.conf.json"), "utf8"));
  assert.is(full.unitConfig(cmds, "src/commands/run.ts", "/r").buildCommand, cmds.buildCommand, "the CLI bundle is still built from the mutated sources");
});

const FILE = ["src", "any.ts"].join("/"); // built: a literal path would be checked as a reference (test/links.test.ts)

test("a Stryker report slimmed: Killed and Timeout are kills, Survived and NoCoverage survive, the rest are left out", () => {
  const m = (status: string, line: number) => ({ mutatorName: "EqualityOperator", replacement: "a !== b", status, statusReason: `line one\nline two`, location: { start: { line, column: 3 }, end: { line, column: 9 } } });
  const r = full.slimReport({ files: { [FILE]: { mutants: [m("Killed", 1), m("Timeout", 2), m("Survived", 3), m("NoCoverage", 4), m("CompileError", 5), m("Ignored", 6), m("RuntimeError", 7)] } } });
  assert.equal(r.counts, { killed: 2, timeout: 1, survived: 2, noCoverage: 1, compileError: 1, runtimeError: 1, ignored: 1 });
  assert.equal(r.mutants[2], { file: FILE, line: 3, col: 3, endLine: 3, endCol: 9, mutator: "EqualityOperator", replacement: "a !== b", status: "Survived", why: "line one" });
  assert.equal(full.slimReport({ files: {} }).counts.killed, 0);
});

test("pending: a Stryker unit done with timeouts not yet judged alone runs again for that check only; asm, cc and a unit without timeouts never", () => {
  const d = allDone();
  const strace = units.find((u) => u.part === "src/strace")!;
  delete d.units[strace.unit].timeoutCheck;
  d.units.asm.timeoutCheck = undefined;
  d.units.cc.timeoutCheck = undefined;
  const schema = units.find((u) => u.unit === "src/schema.ts")!;
  d.units[schema.unit] = { ...d.units[schema.unit], timeout: 0, timeoutCheck: undefined };
  assert.equal(full.pending(d, units, hashes).map((u: Unit & { why: string }) => [u.unit, u.why]), [[strace.unit, "confirm"]]);
  assert.is(full.fullWall(d, units, hashes), null, "no wall time while a check is left");
  d.units[strace.unit].hash = "changed";
  assert.equal(full.pending(d, units, hashes).map((u: Unit & { why: string }) => u.why), ["stale"], "changed code: the whole unit again");
});

// A file whose `return` makes three `true` mutants at one start (the whole condition, `a < b &&
// c !== 1` and `a < b`): they differ only in their end.
const SRC = "export function f(a: number, b: number, c: number): boolean {\n  return a < b && c !== 1 && b > 0;\n}\n";

test("a timeout found again: by line, column, operator and replacement; its whole mutated file; twins paired only when their verdicts agree", async () => {
  const ms = await confirm.instrumented(FILE, SRC);
  const trues = ms.filter((m: { mutator: string; replacement: string; start: { line: number; col: number } }) => m.mutator === "ConditionalExpression" && m.replacement === "true" && m.start.line === 2 && m.start.col === 10);
  assert.equal(trues.map((m: { start: unknown; end: unknown }) => [m.start, m.end]), [[{ line: 2, col: 10 }, { line: 2, col: 35 }], [{ line: 2, col: 10 }, { line: 2, col: 26 }], [{ line: 2, col: 10 }, { line: 2, col: 15 }]]);
  const rec = (status: string, mutator: string, replacement: string, col = 10, end?: number) => ({ file: FILE, line: 2, col, mutator, replacement, status, ...(end ? { endLine: 2, endCol: end } : {}) });
  const eq = rec("Timeout", "EqualityOperator", "c === 1", 19);
  const one = confirm.plantTimeouts(FILE, SRC, [rec("Killed", "EqualityOperator", "a <= b"), eq], ms);
  assert.equal(one.lost, []);
  assert.equal(one.planted.map((p: { index: number; whole: string }) => [p.index, p.whole]), [[1, SRC.replace("c !== 1", "(c === 1)")]]);
  // Three twins, all timeouts: any pairing gives the same verdicts, so each is planted once.
  const t = rec("Timeout", "ConditionalExpression", "true");
  const all = confirm.plantTimeouts(FILE, SRC, [t, t, t], ms);
  assert.equal(all.planted.map((p: { whole: string }) => p.whole).sort(), ["a < b && c !== 1 && b > 0", "a < b && c !== 1", "a < b"].map((x) => SRC.replace(x, "(true)")).sort());
  // Twins whose verdicts differ cannot be told apart without their ends: lost, not guessed.
  const mixed = confirm.plantTimeouts(FILE, SRC, [t, rec("Killed", "ConditionalExpression", "true"), t], ms);
  assert.equal([mixed.planted.length, mixed.lost.map((l: { index: number }) => l.index)], [0, [0, 2]]);
  // With their ends (records since 2026-12-04) each is its own.
  const ended = confirm.plantTimeouts(FILE, SRC, [rec("Timeout", "ConditionalExpression", "true", 10, 26), rec("Killed", "ConditionalExpression", "true", 10, 35), rec("Killed", "ConditionalExpression", "true", 10, 15)], ms);
  assert.equal(ended.planted.map((p: { whole: string }) => p.whole), [SRC.replace("a < b && c !== 1", "(true)")]);
  // Stryker swaps the node: `a < b || c !== 1` for the left operand of `… && b > 0` keeps that
  // grouping. Pasted bare it would read `a < b || (c !== 1 && b > 0)`, another mutant.
  const or = confirm.plantTimeouts(FILE, SRC, [rec("Timeout", "LogicalOperator", "a < b || c !== 1", 10, 26)], ms);
  assert.equal(or.planted.map((p: { whole: string }) => p.whole), [SRC.replace("a < b && c !== 1", "(a < b || c !== 1)")]);
  const block = confirm.plantTimeouts(FILE, SRC, [{ file: FILE, line: 1, col: 61, mutator: "BlockStatement", replacement: "{}", status: "Timeout" }], ms);
  assert.equal(block.planted.map((p: { whole: string }) => p.whole), ["export function f(a: number, b: number, c: number): boolean {}\n"], "a block is pasted as it is");
  // A paste that does not parse is no mutant (its syntax error would pass for a kill): lost.
  const broken = [{ mutator: "BlockStatement", replacement: "{ return", start: { line: 1, col: 61 }, end: { line: 3, col: 2 } }];
  assert.match(confirm.plantTimeouts(FILE, SRC, [{ file: FILE, line: 1, col: 61, mutator: "BlockStatement", replacement: "{ return", status: "Timeout" }], broken).lost[0].why, /does not parse/);
  assert.equal(confirm.plantTimeouts(FILE, SRC, [rec("Timeout", "EqualityOperator", "a == b")], ms).lost.map((l: { why: string }) => l.why), ["no mutant matches"]);
});

test("each run of a unit's command gets a temp dir of its own, under the run's, removed after; the command's status is kept", async () => {
  const base = mkdtempSync(join(tmpdir(), "own-tmp-"));
  try {
    // Two at once, as Stryker's two workers: each must see only its own file.
    const cmd = full.ownTmp('touch "$TMPDIR/mine-$$"; sleep 0.3; echo "$TMPDIR $(ls "$TMPDIR" | wc -l)"; exit 5');
    const one = () => new Promise<{ out: string; code: number | null }>((resolve) => {
      const c = spawn("sh", ["-c", cmd], { env: { ...process.env, TMPDIR: base } });
      let out = "";
      c.stdout.on("data", (b: Buffer) => { out += b; });
      c.on("close", (code) => resolve({ out: out.trim(), code }));
    });
    const [a, b] = await Promise.all([one(), one()]);
    for (const r of [a, b]) {
      assert.is(r.code, 5);
      assert.match(r.out, new RegExp(`^${base}/run-\\w{6} 1$`));
    }
    assert.is.not(a.out, b.out);
    assert.equal(readdirSync(base), [], "removed after");
  } finally { rmSync(base, { recursive: true, force: true }); }
});

test("a Stryker unit is stale when its folder's test command changes, not only its file", () => {
  const root = mkdtempSync(join(tmpdir(), "unit-hash-"));
  try {
    mkdirSync(join(root, "mutation/stryker"), { recursive: true });
    mkdirSync(join(root, "src"));
    writeFileSync(join(root, FILE), "export const x = 1;\n");
    const unit = { unit: FILE, part: "src", config: "t", files: [FILE] };
    const conf = (command: string) => writeFileSync(join(root, "mutation/stryker/t.conf.json"), JSON.stringify({ commandRunner: { command } }));
    conf("run tests");
    const h1 = full.codeHash(unit, root);
    conf("run more tests");
    const h2 = full.codeHash(unit, root);
    assert.is.not(h1, h2);
    assert.is(full.codeHash({ ...unit, config: undefined }, root), full.codeHash({ ...unit, config: undefined }, root));
  } finally { rmSync(root, { recursive: true, force: true }); }
});

test("the verdicts alone: a hang stays a timed-out kill, a failing test a kill, a pass moves to the survivors", () => {
  const records = [{ status: "Timeout" }, { status: "Killed" }, { status: "Timeout" }, { status: "Timeout" }];
  const r = confirm.applyVerdicts({ killed: 10, timeout: 3, survived: 2 }, records, [
    { index: 0, status: "hung", ms: 160_000 }, { index: 2, status: "killed", ms: 5_000, detail: "a test" }, { index: 3, status: "survived", ms: 20_000 }], 150);
  assert.equal(r.counts, { killed: 9, timeout: 1, survived: 3 });
  assert.equal(r.check, { hung: 1, killed: 1, survived: 1 });
  assert.equal(r.records.map((m: { status: string }) => m.status), ["Timeout", "Killed", "Killed", "Survived"]);
  assert.match(r.records[0].why, /still running after 150 s/);
  assert.match(r.records[3].why, /the tests pass in 20 s \(limit 150 s\)/);
  assert.is(records[3]!.status, "Timeout", "the unit's records are not changed in place");
  assert.throws(() => confirm.applyVerdicts({ killed: 1, timeout: 1, survived: 0 }, [{ status: "Timeout" }], [{ index: 0 }], 150), /no verdict/, "a mutant never judged is no verdict");
});

test.run();
