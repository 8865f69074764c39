// A full-run unit's timeouts, judged again alone (scripts/mutate-full.mjs). Stryker counts a mutant
// whose test command outlives its limit (1.5 × the first run + the config's timeoutMS) as killed.
// On this 2-vCPU machine a unit runs two test commands at once, often beside a CI run, so a slow
// run can pass for a hang and a mutant the tests let through counts as a kill. Each timeout is
// planted again into a sandbox copy, on its own, and its folder's command is run with a wider
// limit (3 × the unmutated command's time, measured there first, + 60 s):
//   still running at the limit → a hang (the kill stands, as a confirmed timeout);
//   a test fails               → killed (a kill, no longer a timeout);
//   the tests pass             → survived: the timeout was the machine's load, not the tests.
// A mutant is found again through Stryker's own instrumenter on the file as the unit measured it,
// by the line, column, operator and replacement the unit kept; the planted text is the
// instrumenter's, so nothing is guessed from the shortened replacement in the unit's record.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Instrumenter } from "@stryker-mutator/instrumenter";
import ts from "typescript";
import { ROOT, asPasted, failed, ownTmp, runMutants, sh } from "./mutate-lib.mjs";

const quiet = { isTraceEnabled: () => false, isDebugEnabled: () => false, isInfoEnabled: () => false, isWarnEnabled: () => true, isErrorEnabled: () => true,
  trace() {}, debug() {}, info() {}, warn: (...a) => console.error("mutate: instrumenter:", ...a), error: (...a) => console.error("mutate: instrumenter:", ...a), fatal() {} };

/**
 * Every mutant Stryker makes of `content`, with 1-based lines and columns (the report's, which
 * the unit's record keeps) and the replacement's code. The same instrumenter and options as the
 * run (Stryker 9.6's defaults: every mutator), so a file gives the same mutants in the same order.
 */
export async function instrumented(file, content) {
  const r = await new Instrumenter(quiet).instrument([{ name: file, content, mutate: true }],
    { plugins: null, excludedMutations: [], ignorers: [], mutationRanges: [], noHeader: true });
  return r.mutants.map((m) => ({
    mutator: m.mutatorName, replacement: m.replacement,
    start: { line: m.location.start.line + 1, col: m.location.start.column + 1 },
    end: { line: m.location.end.line + 1, col: m.location.end.column + 1 },
  }));
}

/** A 1-based (line, col) as an offset into `text`. */
function offsetOf(text, { line, col }) {
  let at = 0;
  for (let l = 1; l < line; l++) {
    at = text.indexOf("\n", at) + 1;
    if (at === 0) throw new RangeError(`line ${line} is past the end of the file`);
  }
  return at + col - 1;
}

/**
 * The unit's Timeout records, each planted: the whole file with the instrumenter's mutant in
 * place. A record is matched by its line, column, operator and replacement (the record keeps the
 * first 120 characters), and by its end where the record has one (records of units run before
 * 2026-12-04 do not). Mutants that differ only in their end (`true` for `a && b` and for
 * `a && b && c`) are paired with their records in order when every such record has the same
 * status: the verdicts are then the same whichever way they pair. Anything else is listed in
 * `lost`, never planted by guess.
 */
export function plantTimeouts(file, content, records, mutants) {
  const key = (line, col, mutator, repl) => `${line}:${col}:${mutator}:${repl}`;
  const recKey = (r) => key(r.line, r.col, r.mutator, r.replacement ?? "");
  const mutKey = (m, r) => key(m.start.line, m.start.col, m.mutator, r.replacement === undefined ? "" : m.replacement.slice(0, 120));
  const planted = [], lost = [];
  const taken = new Map(); // key → how many of its mutants are paired
  records.forEach((r, i) => {
    if (r.status !== "Timeout") return;
    const where = `${file}:${r.line}:${r.col} ${r.mutator}`;
    const ends = (m) => r.endLine === undefined || (m.end.line === r.endLine && m.end.col === r.endCol);
    const hits = mutants.filter((m) => mutKey(m, r) === recKey(r) && ends(m));
    const twins = records.filter((x) => recKey(x) === recKey(r) && (r.endLine === undefined || (x.endLine === r.endLine && x.endCol === r.endCol)));
    const k = recKey(r);
    const n = taken.get(k) ?? 0;
    if (hits.length === 0 || hits.length !== twins.length || (hits.length > 1 && twins.some((x) => x.status !== r.status))) {
      lost.push({ index: i, where, why: hits.length ? `${hits.length} mutants and ${twins.length} records match, not all of the same status` : "no mutant matches" });
      return;
    }
    taken.set(k, n + 1);
    const m = hits[n];
    const whole = content.slice(0, offsetOf(content, m.start)) + asPasted(m.mutator, m.replacement) + content.slice(offsetOf(content, m.end));
    // A paste that does not parse would be "killed" by a syntax error, not by a test.
    const bad = ts.transpileModule(whole, { reportDiagnostics: true, fileName: file }).diagnostics ?? [];
    if (bad.length) { lost.push({ index: i, where, why: `the planted file does not parse: ${ts.flattenDiagnosticMessageText(bad[0].messageText, " ")}` }); return; }
    planted.push({ id: `t${i}`, index: i, file, whole, where, op: m.mutator });
  });
  return { planted, lost };
}

/**
 * The unit's counts and records after the re-judging: a passed mutant moves from killed to
 * survived, a failed one stays killed but is no timeout, a hang stays both. `verdicts` are the
 * planted mutants with status hung | killed | survived. Pure: the records are copied.
 */
export function applyVerdicts(counts, records, verdicts, limitSeconds) {
  const out = records.map((r) => ({ ...r }));
  const n = { hung: 0, killed: 0, survived: 0 };
  for (const v of verdicts) {
    if (!(v.status in n)) throw new Error(`${v.where ?? `record ${v.index}`}: no verdict (${v.status})`);
    n[v.status]++;
    const r = out[v.index];
    const secs = (v.ms / 1000).toFixed(0);
    if (v.status === "hung") r.why = `confirmed alone: still running after ${limitSeconds} s`;
    else if (v.status === "killed") { r.status = "Killed"; r.why = `timed out in the run; alone, a test fails in ${secs} s: ${v.detail ?? ""}`.slice(0, 160); }
    else { r.status = "Survived"; r.why = `timed out in the run; alone, the tests pass in ${secs} s (limit ${limitSeconds} s): the machine's load, not the tests`; }
  }
  return {
    counts: { ...counts, killed: counts.killed - n.survived, survived: counts.survived + n.survived, timeout: counts.timeout - n.killed - n.survived },
    records: out, check: n,
  };
}

/**
 * Re-judges a unit's timeouts (`result`: its mutation/full/<file>.json) with its folder's command,
 * one at a time. Returns the new counts and records and what the check found, or throws when the
 * command fails unmutated (then nothing can be judged).
 */
export async function confirmTimeouts(unit, result, log = console.error) {
  const conf = JSON.parse(readFileSync(join(ROOT, `mutation/stryker/${unit.config}.conf.json`), "utf8"));
  const cmd = ownTmp(conf.commandRunner.command); // as the unit ran it
  const content = readFileSync(join(ROOT, unit.unit), "utf8");
  const { planted, lost } = plantTimeouts(unit.unit, content, result.mutants, await instrumented(unit.unit, content));
  if (lost.length) throw new Error(`${lost.length} of the unit's timeouts match no single mutant of ${unit.unit} as it is now (${lost.map((l) => `${l.where}: ${l.why}`).join("; ")})`);
  const t0 = Date.now();
  let limitSeconds = 0, baselineSeconds = 0;
  const judged = planted.map((p) => ({ ...p, before: content })); // runMutants writes each verdict into its mutant
  await runMutants(`confirm-${unit.config}`, judged, {
    workers: 1,
    // What Stryker's sandbox has: the checkout as it is, built (its ignorePatterns leave out these).
    paths: readdirSync(ROOT).filter((f) => ![".git", "node_modules", "mutation", "prebuilds", "coverage"].includes(f) && !f.startsWith(".stryker-tmp")),
    prepare: async (dir) => {
      const r = await sh(cmd, dir, 900_000);
      if (r.code !== 0) throw new Error(`the unit's command fails without any mutant, so no timeout can be judged:\n${r.out}`);
      baselineSeconds = Math.round(r.ms / 1000);
      limitSeconds = 3 * baselineSeconds + 60;
      log(`mutate: ${unit.unit}: ${planted.length} timeouts judged again alone; the command takes ${baselineSeconds} s unmutated, so each gets ${limitSeconds} s`);
    },
    judge: async (dir) => {
      const r = await sh(cmd, dir, limitSeconds * 1000);
      if (r.timedOut) return { status: "hung" };
      return r.code === 0 ? { status: "survived" } : { status: "killed", detail: failed(r.out) };
    },
    onDone: (m, done, total) => log(`mutate: [${done}/${total}] ${m.status.padEnd(8)} ${m.where} ${(m.ms / 1000).toFixed(0)} s`),
  });
  const { counts, records, check } = applyVerdicts(result.counts, result.mutants, judged, limitSeconds);
  return { counts, records, check: { ...check, limitSeconds, baselineSeconds, seconds: Math.round((Date.now() - t0) / 1000) } };
}
