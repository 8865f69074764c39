// Re-plants a Stryker report's survivors into the file as it is now and runs the given tests on
// each, so the triage of a long Stryker run can check the tests written since without a new run
// (src/diff/window.ts: 494 mutants took 3441 s; its 156 survivors take a few minutes). A survivor
// is mapped by its line's text: the report's line of the file at --from (a commit) must occur once
// in the file now, and the mutant is that line with Stryker's replacement at the same columns; else
// the mutated code itself (8 characters or more) must occur once in the file. Anything else is
// listed as "gone", never guessed.
//
//   node scripts/mutate-replant.mjs --report mutation/src/diff/window-report.json \
//     --file src/diff/window.ts --from 75a1cf0 (or file:PATH) --tests '^(diff.*|bwrap|youki|lxc)\.test\.ts$' [--jobs 1] [--only s1,s36] [--status Timeout]
//
// Writes mutation/replant/<file's base name>/ (result.json, report.md, index.html; not committed)
// and prints killed / re-planted. The work tree is never written (scripts/mutate-lib.mjs sandboxes).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { ROOT, asPasted, failed, progress, runMutants, sh, writeReport } from "./mutate-lib.mjs";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || i + 1 >= process.argv.length) {
    if (dflt !== undefined) return dflt;
    console.error(`mutate-replant: --${name} is required (see the first lines of scripts/mutate-replant.mjs)`);
    process.exit(2);
  }
  return process.argv[i + 1];
};
const reportPath = arg("report"), file = arg("file"), from = arg("from"), tests = arg("tests");
const jobs = Number(arg("jobs", "1"));
/** --only s1,s36: these survivors alone (the ones a previous replant left, say). */
const only = arg("only", "") ? new Set(arg("only", "").split(",")) : null;
/**
 * --status Timeout: the report's mutants of these statuses (default Survived,NoCoverage). A run on a
 * loaded machine counts slow test runs as timeouts, so kills: re-run them here, with 120 s each.
 */
const statuses = new Set(arg("status", "Survived,NoCoverage").split(","));

const report = JSON.parse(readFileSync(join(ROOT, reportPath), "utf8"));
const entry = report.files[file];
if (!entry) { console.error(`mutate-replant: ${reportPath} has no file ${file}`); process.exit(2); }
// --from COMMIT (git show), or --from file:PATH (the file as it was, saved: for a tree that is no checkout).
const oldLines = (from.startsWith("file:") ? readFileSync(from.slice(5), "utf8")
  : execFileSync("git", ["show", `${from}:${file}`], { cwd: ROOT, encoding: "utf8" })).split("\n");
const nowLines = readFileSync(join(ROOT, file), "utf8").split("\n");

// Stryker's locations: 1-based lines, 1-based columns (mutation-testing-report-schema).
const mutants = [];
const gone = [];
for (const m of entry.mutants.filter((x) => statuses.has(x.status) && (!only || only.has(`s${x.id}`)))) {
  const { start, end } = m.location;
  const old = oldLines[start.line - 1];
  const where = `${file}:${start.line}:${start.column}`;
  if (start.line !== end.line) { gone.push({ id: `s${m.id}`, where, why: "spans lines" }); continue; }
  const at = nowLines.flatMap((l, i) => (l === old ? [i] : []));
  if (at.length === 1) {
    const mutated = old.slice(0, start.column - 1) + asPasted(m.mutatorName, m.replacement) + old.slice(end.column - 1);
    mutants.push({ id: `s${m.id}`, file, line: at[0] + 1, original: old, mutated, op: m.mutatorName });
    continue;
  }
  // The line changed (or now occurs twice): the mutated code itself may still occur exactly once
  // in the file, long enough to name one place (8 characters or more: a lone "" or 0 could be anywhere).
  const snippet = old.slice(start.column - 1, end.column - 1);
  const hits = nowLines.flatMap((l, i) => (l.split(snippet).length - 1 > 0 ? [i] : []));
  if (snippet.length >= 8 && hits.length === 1 && nowLines[hits[0]].split(snippet).length === 2) {
    const line = nowLines[hits[0]];
    mutants.push({ id: `s${m.id}`, file, line: hits[0] + 1, original: line, mutated: line.replace(snippet, () => asPasted(m.mutatorName, m.replacement)), op: m.mutatorName, by: "snippet" });
    continue;
  }
  gone.push({ id: `s${m.id}`, where, why: at.length ? "its line occurs more than once now" : "its line changed" });
}

const t0 = Date.now();
console.error(`mutate-replant: ${mutants.length} survivors re-planted, ${gone.length} gone (${gone.map((g) => `${g.id} ${g.why}`).join("; ") || "none"})`);
await runMutants(`replant-${basename(file, ".ts")}`, mutants, {
  workers: jobs,
  paths: ["src", "test", "package.json", "tsconfig.json", "build", "dist", "docs", "README.md", "assembly", "host", "scripts", "bench"],
  // The tests must pass unmutated first: a mutant "killed" by a suite that fails anyway is no kill.
  prepare: async (dir) => {
    const r = await sh(`node --import tsx scripts/uvu.mjs --no-color test '${tests}'`, dir, 600_000);
    if (r.code !== 0) { console.error(`mutate-replant: the tests fail without any mutant:\n${r.out}`); process.exit(1); }
  },
  judge: async (dir) => {
    const r = await sh(`node --import tsx scripts/uvu.mjs --no-color test '${tests}' --bail`, dir, 120_000);
    if (r.timedOut) return { status: "timeout", detail: "over 120 s" };
    return r.code === 0 ? { status: "survived" } : { status: "killed", detail: failed(r.out) };
  },
  onDone: progress,
});
const s = writeReport(join("replant", basename(file, ".ts")), `Stryker survivors of ${file} re-planted (from ${from})`, mutants,
  { finished: new Date().toISOString(), wallSeconds: (Date.now() - t0) / 1000, gone, report: reportPath, tests });
console.log(`${file}: ${s.killed} of ${s.total} re-planted survivors killed now; ${gone.length} gone; ${s.survived} still survive`);

