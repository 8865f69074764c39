// The full run of `npm run mutate` (no part named), in units that a stopped run resumes from.
// A full run takes about 15 hours on a 2-vCPU machine, longer than any one sitting, and a stopped
// Stryker run keeps nothing. So the run is cut into units: assembly/ (the scripted mutator, which
// saves as it goes), host/*.cc, and each source file of the Stryker folders, run alone with its
// folder's config (every mutant, no incremental reuse). A ledger (mutation/full/ledger.json) records
// each unit's verdict counts, wall time, commit and the hash of the code it mutated; a later
// invocation runs only the units not done, or done on code that has changed since. The full run's
// wall time is recorded when every unit is done: the sum of the units' times, and the sum of the
// invocations' times (which adds the work a stop threw away). Pure functions first, for the tests.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ROOT, ownTmp } from "./mutate-lib.mjs";

export { ownTmp };
import { confirmTimeouts } from "./mutate-confirm.mjs";

/** The Stryker folders and their configs (mutation/stryker/<name>.conf.json). */
export const STRYKER = { "src/hosts/fake": "fake", "src/diff": "diff", "src/strace": "strace", "src/schema.ts": "schema", "src/commands": "commands" };
export const LEDGER = "mutation/full/ledger.json";

/** The files a folder part mutates: its .ts files, sorted, or the one file it names. */
export function filesOf(part, root = ROOT) {
  if (part.endsWith(".ts")) return [part];
  return readdirSync(join(root, part), { recursive: true }).map(String).filter((f) => f.endsWith(".ts")).sort().map((f) => `${part}/${f}`);
}

/** The cc unit's code: the files its scripted mutants edit, and the list itself. */
function ccFiles(root) {
  const list = JSON.parse(readFileSync(join(root, "scripts/mutate-cc-mutants.json"), "utf8"));
  return [...new Set(list.map((m) => m.file))].sort().concat("scripts/mutate-cc-mutants.json");
}

/**
 * Every unit of a full run, in the order run: the cheap ones first, so that an early stop has
 * finished many. Each has the part it scores into and the files whose content it measures.
 */
export function listUnits(root = ROOT) {
  const asm = readdirSync(join(root, "assembly"), { recursive: true }).map(String).filter((f) => f.endsWith(".ts")).sort().map((f) => `assembly/${f}`);
  const units = [
    { unit: "src/schema.ts", part: "src/schema.ts", config: "schema", files: ["src/schema.ts"] },
    { unit: "cc", part: "cc", files: ccFiles(root) },
  ];
  for (const part of ["src/strace", "src/diff", "src/commands"]) for (const f of filesOf(part, root)) units.push({ unit: f, part, config: STRYKER[part], files: [f] });
  units.push({ unit: "asm", part: "asm", files: asm });
  for (const f of filesOf("src/hosts/fake", root)) units.push({ unit: f, part: "src/hosts/fake", config: "fake", files: [f] });
  return units;
}

/**
 * What a unit measures: the SHA-256 of its files' contents, and for a Stryker unit the test command
 * it runs (as unitConfig wraps it). A unit done on other code, or with another command, is stale.
 */
export function codeHash(unit, root = ROOT) {
  const h = createHash("sha256");
  for (const f of unit.files) h.update(f).update("\0").update(existsSync(join(root, f)) ? readFileSync(join(root, f)) : "(missing)").update("\0");
  if (unit.config) h.update("command\0").update(unitConfig(JSON.parse(readFileSync(join(root, `mutation/stryker/${unit.config}.conf.json`), "utf8")), unit.unit, "").commandRunner.command);
  return h.digest("hex").slice(0, 16);
}

/** A new, empty ledger. */
export function newLedger(now = new Date()) {
  return { started: now.toISOString(), invocations: [], units: {} };
}

/**
 * The units an invocation runs, in order: not done, or done on code whose hash has changed since
 * (`hashes`: unit → hash now). Each comes with why it runs: "new", "again" (an invocation stopped
 * inside it), "stale" (the code changed after it was measured), or "confirm" (a Stryker unit done,
 * but its timeouts not yet judged again alone: scripts/mutate-confirm.mjs; only that part runs).
 */
export function pending(ledger, units, hashes) {
  return units.flatMap((u) => {
    const e = ledger.units[u.unit];
    if (!e) return [{ ...u, why: "new" }];
    if (e.status !== "done") return [{ ...u, why: "again" }];
    if (e.hash !== hashes[u.unit]) return [{ ...u, why: "stale" }];
    return needsCheck(u, e) ? [{ ...u, why: "confirm" }] : [];
  });
}

/** A done Stryker unit whose timeouts (kills by the clock alone) have not been judged again. */
const needsCheck = (u, e) => u.config !== undefined && (e.timeout ?? 0) > 0 && !e.timeoutCheck;

/**
 * The full run's wall time, once every unit is done on today's code: the sum of the units' own
 * times, and the sum of the invocations' (lastSeen − started: the time the machine spent, the
 * units' plus set-up and the work thrown away when an invocation stopped). Null while any is left.
 */
export function fullWall(ledger, units, hashes) {
  if (pending(ledger, units, hashes).length > 0) return null;
  const unitSeconds = units.reduce((s, u) => s + ledger.units[u.unit].wallSeconds, 0);
  const invocationSeconds = ledger.invocations.reduce((s, i) => s + (Date.parse(i.lastSeen) - Date.parse(i.started)) / 1000, 0);
  const commits = [...new Set(units.map((u) => ledger.units[u.unit].commit))];
  return { unitSeconds: Math.round(unitSeconds), invocationSeconds: Math.round(invocationSeconds), invocations: ledger.invocations.length, commits };
}

/** A part's score from its units in the ledger (done ones only), and whether every unit is done. */
export function partScore(ledger, units, part, hashes) {
  const mine = units.filter((u) => u.part === part);
  const done = mine.filter((u) => ledger.units[u.unit]?.status === "done" && ledger.units[u.unit].hash === hashes[u.unit]);
  const sum = (k) => done.reduce((s, u) => s + (ledger.units[u.unit][k] ?? 0), 0);
  const killed = sum("killed"), survived = sum("survived");
  return { part, units: mine.length, done: done.length, complete: done.length === mine.length, killed, survived, total: killed + survived,
    timeout: sum("timeout"), timeoutUnjudged: done.reduce((n, u) => n + (needsCheck(u, ledger.units[u.unit]) ? ledger.units[u.unit].timeout ?? 0 : 0), 0),
    compileError: sum("compileError"), noop: sum("noop"), wallSeconds: Math.round(sum("wallSeconds")),
    pct: killed + survived ? (100 * killed) / (killed + survived) : 100 };
}

/**
 * A unit's Stryker config, from its folder's: the one file, every mutant (no incremental reuse,
 * so nothing is carried over from an earlier run), the JSON report where the ledger reads it, and
 * an append-only progress log. The command, timeouts and sandbox rules stay the folder's.
 */
export function unitConfig(base, file, reportPath) {
  const c = structuredClone(base);
  delete c.$schema;
  delete c.incrementalFile;
  delete c.htmlReporter;
  return { ...c, mutate: [file], incremental: false, reporters: ["json", "progress-append-only"], jsonReporter: { fileName: reportPath },
    commandRunner: { ...c.commandRunner, command: ownTmp(c.commandRunner.command) } };
}

/**
 * Stryker's JSON report, cut to what the ledger and a triage need: each mutant's line, operator,
 * replacement, status and the first line of why. Killed and Timeout count as killed; Survived and
 * NoCoverage as survived; CompileError, RuntimeError and Ignored are left out of the score.
 */
export function slimReport(report) {
  const mutants = Object.entries(report.files).flatMap(([file, f]) => f.mutants.map((m) => ({
    file, line: m.location.start.line, col: m.location.start.column, endLine: m.location.end.line, endCol: m.location.end.column, mutator: m.mutatorName,
    replacement: m.replacement === undefined ? undefined : String(m.replacement).slice(0, 120),
    status: m.status, why: m.statusReason ? String(m.statusReason).split("\n")[0].slice(0, 160) : undefined,
  })));
  const n = (...s) => mutants.filter((m) => s.includes(m.status)).length;
  return { counts: { killed: n("Killed", "Timeout"), timeout: n("Timeout"), survived: n("Survived", "NoCoverage"), noCoverage: n("NoCoverage"),
    compileError: n("CompileError"), runtimeError: n("RuntimeError"), ignored: n("Ignored") }, mutants };
}

/** Where a unit's result is kept (committed): mutation/full/<file>.json (asm and cc: their result.json). */
export const resultPath = (unit) => `mutation/full/${unit}.json`;

// ---- the run ----

export function readLedger() {
  const f = join(ROOT, LEDGER);
  return existsSync(f) ? JSON.parse(readFileSync(f, "utf8")) : null;
}

/** Written whole to a temp file and renamed: a stop mid-write never leaves half a ledger. */
function writeLedger(ledger) {
  const f = join(ROOT, LEDGER);
  mkdirSync(dirname(f), { recursive: true });
  writeFileSync(`${f}.tmp`, JSON.stringify(ledger, null, 1) + "\n");
  renameSync(`${f}.tmp`, f);
}

const head = () => spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).stdout.trim() || "unknown";

export function strykerUnit(unit, jobs) {
  return new Promise((resolve) => {
    const tmp = mkdtempSync(join(tmpdir(), `pivotshim-full-${unit.config}-`));
    const report = join(tmp, "report.json");
    const conf = join(tmp, "unit.conf.json");
    const base = JSON.parse(readFileSync(join(ROOT, `mutation/stryker/${unit.config}.conf.json`), "utf8"));
    writeFileSync(conf, JSON.stringify(unitConfig(base, unit.unit, report), null, 1));
    const args = [join(ROOT, "node_modules/@stryker-mutator/core/bin/stryker.js"), "run", conf];
    if (jobs) args.push("--concurrency", String(jobs));
    // Its own TMPDIR, as each part's run has (tests that count their temp dirs).
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: "inherit", env: { ...process.env, TMPDIR: tmp } });
    child.on("close", (code) => {
      let slim = null;
      // Stryker writes the report for a file with no mutants too (an empty one): a missing report is
      // a failure, never a unit with nothing to count.
      if (code === 0 && existsSync(report)) slim = slimReport(JSON.parse(readFileSync(report, "utf8")));
      rmSync(tmp, { recursive: true, force: true });
      resolve({ code, slim });
    });
  });
}

/**
 * Judges a done Stryker unit's timeouts again, alone (scripts/mutate-confirm.mjs), and rewrites its
 * record and counts: its time is added to the unit's. A check that cannot run (the command fails
 * unmutated, a timeout not found again) leaves the unit unchecked, for the next invocation; false.
 */
async function checkTimeouts(u, ledger, log) {
  const file = join(ROOT, resultPath(u.unit));
  try {
    // The file must be the one the unit measured: the timeouts are found again in its text.
    if (codeHash(u) !== ledger.units[u.unit].hash) throw new Error(`${u.unit} changed since the unit ran; the unit is stale and runs again whole`);
    const result = JSON.parse(readFileSync(file, "utf8"));
    const r = await confirmTimeouts(u, result, log);
    writeFileSync(file, JSON.stringify({ ...result, counts: r.counts, mutants: r.records, timeoutCheck: r.check }, null, 0) + "\n");
    const e = ledger.units[u.unit];
    ledger.units[u.unit] = { ...e, ...r.counts, wallSeconds: e.wallSeconds + r.check.seconds, timeoutCheck: r.check };
    log(`mutate: unit ${u.unit}: its ${r.check.hung + r.check.killed + r.check.survived} timeouts alone: ${r.check.hung} hang, ${r.check.killed} fail a test, ${r.check.survived} pass (now survivors); ${r.counts.killed} / ${r.counts.killed + r.counts.survived} killed`);
    return true;
  } catch (e) {
    log(`mutate: unit ${u.unit}: its timeouts could not be judged again (${e.message}); the next invocation tries again`);
    return false;
  }
}

/**
 * Runs the units left (all of them with `restart`), updating the ledger after each and every
 * minute (lastSeen). `runAsm` and `runCc` are the scripted parts, passed in by scripts/mutate.mjs.
 * Returns the ledger, the units and their hashes.
 */
export async function runFull({ restart = false, jobs = null, runAsm, runCc, log = console.error }) {
  const units = listUnits();
  const hashes = Object.fromEntries(units.map((u) => [u.unit, codeHash(u)]));
  let ledger = readLedger();
  if (!ledger || restart || fullWall(ledger, units, hashes)) {
    if (ledger && !restart) log("mutate: the last full run is complete; starting a new one (its ledger is replaced)");
    ledger = newLedger();
  }
  const todo = pending(ledger, units, hashes);
  const done = units.filter((u) => ledger.units[u.unit]?.status === "done" && ledger.units[u.unit].hash === hashes[u.unit]).length;
  log(`mutate: full run started ${ledger.started}: ${done} of ${units.length} units done; ${todo.length} to run${todo.some((u) => u.why !== "new") ? ` (${todo.filter((u) => u.why === "stale").length} stale, ${todo.filter((u) => u.why === "again").length} cut short before, ${todo.filter((u) => u.why === "confirm").length} with timeouts to judge again)` : ""}`);
  const inv = { started: new Date().toISOString(), lastSeen: new Date().toISOString(), commit: head(), units: 0 };
  ledger.invocations.push(inv);
  writeLedger(ledger);
  let current = null; // the unit running now, and when it started
  const beat = setInterval(() => {
    inv.lastSeen = new Date().toISOString();
    if (current) ledger.units[current.unit].secondsSoFar = Math.round((Date.now() - current.t) / 1000);
    writeLedger(ledger);
  }, 60_000);
  let failures = 0;
  try {
    for (const u of todo) {
      if (u.why === "confirm") {
        if (!(await checkTimeouts(u, ledger, log))) failures++;
        inv.lastSeen = new Date().toISOString();
        writeLedger(ledger);
        continue;
      }
      const t = Date.now();
      const prev = ledger.units[u.unit];
      hashes[u.unit] = codeHash(u); // the code as the unit copies it now (it may have changed since the run began)
      const again = prev?.status === "running" && prev.hash === hashes[u.unit];
      ledger.units[u.unit] = { status: "running", part: u.part, hash: hashes[u.unit], commit: head(), started: new Date().toISOString() };
      current = { unit: u.unit, t };
      writeLedger(ledger);
      log(`mutate: unit ${u.unit} (${u.why})`);
      let counts, earlier = 0;
      if (u.unit === "asm") {
        // asm saves as it goes: a unit cut short goes on from its saved verdicts (--new), its
        // earlier time kept; a fresh unit judges every mutant.
        const r = await runAsm({ resume: again, since: prev?.started ?? "" });
        // What it judged before the stop counts: its verdicts are kept, so its time is part of the unit's.
        if (again && r.resumed) earlier = prev.secondsSoFar ?? 0;
        counts = { killed: r.killed, survived: r.survived, compileError: r.compileError, noop: r.noop, timeout: r.timeout };
      } else if (u.unit === "cc") {
        const r = await runCc();
        counts = { killed: r.killed, survived: r.survived, compileError: r.compileError, noop: 0, timeout: r.timeout };
      }
      if (u.unit === "asm" || u.unit === "cc") {
        // Its verdicts, kept with the run: mutation/<part>/result.json is the part's own last run,
        // which a later `npm run mutate -- asm` replaces.
        mkdirSync(join(ROOT, "mutation/full"), { recursive: true });
        copyFileSync(join(ROOT, `mutation/${u.unit}/result.json`), join(ROOT, resultPath(u.unit)));
      } else {
        const r = await strykerUnit(u, jobs);
        if (r.code !== 0 || !r.slim) {
          failures++;
          ledger.units[u.unit] = { ...ledger.units[u.unit], status: "failed", why: `stryker exited ${r.code}` };
          writeLedger(ledger);
          log(`mutate: unit ${u.unit} failed (stryker exit ${r.code}); the run goes on, and the next invocation runs it again`);
          continue;
        }
        const out = join(ROOT, resultPath(u.unit));
        mkdirSync(dirname(out), { recursive: true });
        writeFileSync(out, JSON.stringify({ unit: u.unit, commit: ledger.units[u.unit].commit, hash: hashes[u.unit], ...r.slim }, null, 0) + "\n");
        counts = r.slim.counts;
      }
      current = null;
      const wallSeconds = (Date.now() - t) / 1000 + earlier;
      const { secondsSoFar: _, ...entry } = ledger.units[u.unit];
      ledger.units[u.unit] = { ...entry, status: "done", finished: new Date().toISOString(), wallSeconds: Math.round(wallSeconds), ...counts };
      inv.units++;
      inv.lastSeen = new Date().toISOString();
      writeLedger(ledger);
      const c = ledger.units[u.unit];
      log(`mutate: unit ${u.unit}: ${c.killed} / ${c.killed + c.survived} killed, ${Math.round(wallSeconds)} s`);
      if (needsCheck(u, c)) {
        if (!(await checkTimeouts(u, ledger, log))) failures++;
        writeLedger(ledger);
      }
    }
  } finally {
    clearInterval(beat);
    inv.lastSeen = new Date().toISOString();
    writeLedger(ledger);
  }
  return { ledger, units, hashes, failures };
}
