// `npm run mutate [-- part ...] [--resume] [--new] [--survivors] [--jobs N] [--mutate FILE] [--force] [--summary] [--restart]`:
// mutation testing, measured (docs/mutation.md). No part named: the full run, in units that a stop
// resumes from (scripts/mutate-full.mjs; --restart begins a new one). --summary runs nothing and rebuilds the summary
// from the result files left by earlier (also partial) runs. Parts: asm (scripts/mutate-asm.mjs), cc (scripts/mutate-cc.mjs), and the
// src/ folders through StrykerJS with one config each (mutation/stryker/*.conf.json). No part
// named: all of them. Prints killed / total per part with its survivors, and keeps the score and
// wall time of each part in mutation/summary.{json,md}. Not part of `npm test`: it takes hours.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./mutate-lib.mjs";
import { listMutants, mutateAsm } from "./mutate-asm.mjs";
import { mutateCc } from "./mutate-cc.mjs";
import { STRYKER, codeHash, fullWall, listUnits, ownTmp, partScore, readLedger, runFull } from "./mutate-full.mjs";

const ALL = ["asm", ...Object.keys(STRYKER), "cc"];
const argv = process.argv.slice(2);
const flag = (f) => argv.includes(f);
const jobsAt = argv.indexOf("--jobs");
const jobs = jobsAt >= 0 ? Number(argv[jobsAt + 1]) : 2;
const named = argv.filter((a, i) => !a.startsWith("--") && argv[i - 1] !== "--jobs" && argv[i - 1] !== "--mutate").map((a) => a.replace(/\/$/, ""));
const full = named.length === 0 && !flag("--summary"); // every part: the resumable full run (scripts/mutate-full.mjs)
for (const f of ["--resume", "--new", "--survivors", "--mutate", "--force"]) {
  if (full && flag(f)) {
    console.error(`mutate: ${f} applies to one part; name it (e.g. npm run mutate -- asm ${f}). With no part named, a full run goes on from its ledger (${"mutation/full/ledger.json"}) by itself; --restart begins a new one`);
    process.exit(2);
  }
}
const parts = named.length === 0 ? ALL : named.flatMap((p) => (p === "src" ? Object.keys(STRYKER) : p === "assembly" ? ["asm"] : p === "host" ? ["cc"] : [p]));
for (const p of parts) {
  if (!ALL.includes(p)) {
    console.error(`mutate: unknown part "${p}": name one of ${ALL.join(", ")} (or src, assembly, host)`);
    process.exit(2);
  }
}

/** Stryker's JSON report → killed / total (Killed, Timeout count as killed; Survived, NoCoverage not). */
function strykerScore(name) {
  const report = JSON.parse(readFileSync(join(ROOT, `mutation/src/${name}/report.json`), "utf8"));
  const all = Object.entries(report.files).flatMap(([file, f]) => f.mutants.map((m) => ({ ...m, file })));
  const killed = all.filter((m) => m.status === "Killed" || m.status === "Timeout").length;
  const surv = all.filter((m) => m.status === "Survived" || m.status === "NoCoverage");
  const total = killed + surv.length;
  // A run restricted with --mutate covers part of the folder: say which files.
  const folder = Object.keys(STRYKER).find((k) => STRYKER[k] === name);
  const inFolder = folder.endsWith(".ts") ? 1 : readdirSync(join(ROOT, folder), { recursive: true }).filter((f) => String(f).endsWith(".ts")).length;
  const files = Object.keys(report.files);
  const scope = files.length < inFolder ? `partial: ${files.length} of ${inFolder} files (${files.map((f) => f.split("/").pop()).join(", ")})` : "full";
  return { scope,
    killed, survived: surv.length, total, pct: total ? (100 * killed) / total : 100,
    compileError: all.filter((m) => m.status === "CompileError").length,
    survivors: surv.map((m) => `${m.file}:${m.location.start.line} ${m.mutatorName}${m.replacement !== undefined ? ` → ${JSON.stringify(m.replacement).slice(0, 60)}` : ""}`),
  };
}

/**
 * The incremental file keeps each killed mutant's whole test output (statusReason, KBs each), 3.6 MB
 * for one file of the fake kernel: cut it to its first line, which is all a later run needs.
 */
function slim(name) {
  const f = join(ROOT, `mutation/stryker/${name}.incremental.json`);
  if (!existsSync(f)) return;
  const d = JSON.parse(readFileSync(f, "utf8"));
  for (const file of Object.values(d.files)) for (const m of file.mutants) if (m.statusReason) m.statusReason = m.statusReason.split("\n")[0].slice(0, 200);
  writeFileSync(f, JSON.stringify(d));
}

function stryker(name) {
  return new Promise((resolve) => {
    // Its own TMPDIR: tests that count their temp dirs (native-cli's pivotshim-native-*) failed when a
    // second run shared one (docs/mutation.md, "The leaves"); and each test run of its workers gets
    // a dir of its own inside it (ownTmp), so the two workers do not see each other's either.
    const tmp = mkdtempSync(join(tmpdir(), `pivotshim-stryker-${name}-`));
    const conf = JSON.parse(readFileSync(join(ROOT, `mutation/stryker/${name}.conf.json`), "utf8"));
    delete conf.$schema;
    conf.commandRunner = { ...conf.commandRunner, command: ownTmp(conf.commandRunner.command) };
    writeFileSync(join(tmp, "run.conf.json"), JSON.stringify(conf, null, 1));
    const args = [join(ROOT, "node_modules/@stryker-mutator/core/bin/stryker.js"), "run", join(tmp, "run.conf.json")];
    if (flag("--force")) args.push("--force");
    if (jobsAt >= 0) args.push("--concurrency", String(jobs)); // --jobs N: Stryker's concurrency too (else the config's)
    const only = argv.indexOf("--mutate"); // e.g. --mutate src/hosts/fake/propagation.ts: one file of the folder
    if (only >= 0) args.push("--mutate", argv[only + 1]);
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: "inherit", env: { ...process.env, TMPDIR: tmp } });
    child.on("close", (code) => { rmSync(tmp, { recursive: true, force: true }); resolve(code); });
  });
}

const summaryFile = join(ROOT, "mutation/summary.json");
const summary = existsSync(summaryFile) ? JSON.parse(readFileSync(summaryFile, "utf8")) : { parts: {} };
const t0 = Date.now();
const lines = [];
const done = []; // the parts this run measured (or, with --summary, read back)
/** --summary: no run, the summary rebuilt from the result files the parts left (partial runs too). */
function fromFiles(p) {
  if (p === "asm" || p === "cc") {
    const f = join(ROOT, `mutation/${p}/result.json`);
    if (!existsSync(f)) return null;
    const d = JSON.parse(readFileSync(f, "utf8"));
    const judged = d.mutants.filter((m) => m.status);
    const killed = judged.filter((m) => m.status === "killed" || m.status === "timeout").length;
    const surv = judged.filter((m) => m.status === "survived");
    return { killed, total: killed + surv.length, pct: killed + surv.length ? (100 * killed) / (killed + surv.length) : 100,
      noop: judged.filter((m) => m.status === "no-op").length, compileError: judged.filter((m) => m.status === "compile-error").length,
      survivors: surv.map((m) => `${m.id} ${m.file}:${m.line ?? ""} ${m.op ?? m.why}`), wallSeconds: d.wallSeconds,
      judged: judged.length, listed: p === "asm" && judged.length < listMutants().length ? listMutants().length : null,
      finished: d.finished, scope: d.ran !== undefined && d.ran < judged.length ? `the last run judged ${d.ran} of ${judged.length} (the wall time is its own); the rest kept from earlier runs` : null };
  }
  const f = join(ROOT, `mutation/src/${STRYKER[p]}/report.json`);
  if (!existsSync(f)) return null;
  return { ...strykerScore(STRYKER[p]), wallSeconds: summary.parts[p]?.wallSeconds ?? 0 };
}

/** The full run's rows, from its ledger: each part's units done, score and time so far. */
function fullRun(ledger, units, hashes) {
  const wall = fullWall(ledger, units, hashes);
  const parts = Object.fromEntries(ALL.map((p) => {
    const s = partScore(ledger, units, p, hashes);
    return [p, { ...s, pct: Number(s.pct.toFixed(1)), target: p === "asm" || p === "src/hosts/fake" ? 85 : 80 }];
  }));
  return { started: ledger.started, invocations: ledger.invocations.length, complete: wall !== null, wall, parts,
    unitsDone: Object.values(parts).reduce((n, s) => n + s.done, 0), units: units.length };
}

if (full) {
  // A cut-short asm unit goes on from its saved verdicts, if they were saved by this unit (after
  // it started), never from an older run's.
  const runAsm = ({ resume, since }) => {
    const f = join(ROOT, "mutation/asm/result.json");
    const ours = resume && existsSync(f) && JSON.parse(readFileSync(f, "utf8")).finished >= since;
    return mutateAsm({ jobs, fresh: ours }).then((r) => ({ ...r, resumed: ours }));
  };
  const r = await runFull({ restart: flag("--restart"), jobs: jobsAt >= 0 ? jobs : null, runAsm, runCc: () => mutateCc({}) });
  if (r.failures) process.exitCode = 1;
  summary.fullRun = fullRun(r.ledger, r.units, r.hashes);
  if (summary.fullRun.complete) summary.fullRunWallSeconds = summary.fullRun.wall.unitSeconds;
  for (const [p, s] of Object.entries(summary.fullRun.parts)) lines.push(`${p.padEnd(16)} ${String(s.killed).padStart(5)} / ${String(s.total).padEnd(5)} killed  ${s.pct.toFixed(1).padStart(5)}%  (target ${s.target}%)  ${s.done} of ${s.units} units  ${s.wallSeconds} s`);
}

if (flag("--summary") && named.length === 0 && readLedger()) {
  const units = listUnits();
  summary.fullRun = fullRun(readLedger(), units, Object.fromEntries(units.map((u) => [u.unit, codeHash(u)])));
  if (summary.fullRun.complete) summary.fullRunWallSeconds = summary.fullRun.wall.unitSeconds;
}

for (const p of full ? [] : parts) {
  const t = Date.now();
  let r;
  if (flag("--summary")) { if (STRYKER[p]) slim(STRYKER[p]); r = fromFiles(p); if (!r) continue; }
  else if (p === "asm") r = await mutateAsm({ jobs, resume: flag("--resume"), fresh: flag("--new"), survivors: flag("--survivors") });
  else if (p === "cc") r = await mutateCc({ survivors: flag("--survivors") });
  else {
    const code = await stryker(STRYKER[p]);
    if (code !== 0) { console.error(`mutate: stryker failed for ${p} (exit ${code})`); process.exitCode = 1; continue; }
    slim(STRYKER[p]);
    r = { ...strykerScore(STRYKER[p]), wallSeconds: (Date.now() - t) / 1000 };
  }
  const target = p === "asm" || p === "src/hosts/fake" ? 85 : 80;
  done.push(p);
  summary.parts[p] = { killed: r.killed, total: r.total, pct: Number(r.pct.toFixed(1)), target, survived: r.survivors.length,
    compileError: r.compileError, noop: r.noop ?? 0, scope: r.scope ?? null, judged: r.judged ?? null, listed: r.listed ?? null, wallSeconds: Math.round(r.wallSeconds),
    // --summary keeps when each part was measured; a run is measured now
    finished: (flag("--summary") ? r.finished ?? summary.parts[p]?.finished : undefined) ?? new Date().toISOString() };
  const line = `${p.padEnd(16)} ${String(r.killed).padStart(5)} / ${String(r.total).padEnd(5)} killed  ${r.pct.toFixed(1).padStart(5)}%  (target ${target}%)  ${Math.round(r.wallSeconds)} s`;
  lines.push(line, ...r.survivors.slice(0, 40).map((s) => `    survived: ${s}`), ...(r.survivors.length > 40 ? [`    ... ${r.survivors.length - 40} more: mutation/${p === "asm" || p === "cc" ? p : `src/${STRYKER[p]}`}/`] : []));
}
const wall = (Date.now() - t0) / 1000;
// A run takes hours, and parts may be run by separate commands meanwhile: write this run's parts
// over the summary as it is now on disk, not over the copy read at the start.
const onDisk = existsSync(summaryFile) ? JSON.parse(readFileSync(summaryFile, "utf8")) : { parts: {} };
for (const p of done) onDisk.parts[p] = summary.parts[p];
Object.assign(summary, onDisk, { parts: onDisk.parts }, summary.fullRun ? { fullRun: summary.fullRun, fullRunWallSeconds: summary.fullRunWallSeconds } : {});
if (!flag("--summary")) summary.lastRun = { parts, wallSeconds: Math.round(wall), finished: new Date().toISOString() };
writeFileSync(summaryFile, JSON.stringify(summary, null, 1) + "\n");
/** The full run's section of summary.md: its state, each part's score from its units, and the wall time once complete. */
function fullRunLines(f) {
  if (!f) return ["No full run recorded yet: parts were run one by one."];
  const head = f.complete
    ? [`## Full run (started ${f.started.slice(0, 16)}, ${f.invocations} invocation(s)): complete`, "",
      `Wall time: **${f.wall.unitSeconds} s** (${(f.wall.unitSeconds / 3600).toFixed(1)} h), the sum of its ${f.units} units; ${f.wall.invocationSeconds} s summed over the invocations (with set-up and the work a stop threw away). Commits measured: ${f.wall.commits.join(", ")}.`]
    : [`## Full run (started ${f.started.slice(0, 16)}, ${f.invocations} invocation(s)): ${f.unitsDone} of ${f.units} units done`, "",
      "Not complete: `npm run mutate` goes on from mutation/full/ledger.json. The wall time is recorded once every unit is done."];
  return [...head, "", "| part | killed | total | score | target | survived | timeouts (in killed; each judged again alone) | units done | wall time (s) |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    // A part with no unit done has no score yet: a dash, not 100%.
    ...Object.entries(f.parts).map(([p, s]) => s.done === 0 ? `| ${p} | - | - | - | ${s.target}% | - | - | 0 of ${s.units} | - |`
      : `| ${p} | ${s.killed} | ${s.total} | ${s.pct}% | ${s.target}% | ${s.survived} | ${s.timeout}${s.timeoutUnjudged ? ` (${s.timeoutUnjudged} not yet judged alone)` : ""} | ${s.done} of ${s.units} | ${s.wallSeconds} |`)];
}
const md = ["# Mutation scores (generated by `npm run mutate`; see docs/mutation.md)", "",
  "| part | killed | total | score | target | survived | run | wall time (s) | measured |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ...Object.entries(summary.parts).map(([p, s]) => `| ${p} | ${s.killed} | ${s.total} | ${s.pct}% | ${s.target}% | ${s.survived} | ${s.listed ? `partial: ${s.judged} of ${s.listed} mutants judged` : s.scope ?? "full"} | ${s.wallSeconds} | ${s.finished.slice(0, 16)} |`),
  "", "These rows are the folder-wide runs of this script, each as of its date. Runs of single files and line ranges made since",
  "(their own configs in mutation/stryker/), with every survivor's verdict, are in docs/mutation.md, \"Targets and measured scores\".",
  "Stryker runs before 2026-12-04 gave their two workers one TMPDIR, and tests that count their temp dir's entries then failed",
  "each other: some of those kills were not the tests' (docs/mutation.md, \"The strace survivors matched\"). The full run below does not.", "",
  ...fullRunLines(summary.fullRun), ""];
writeFileSync(join(ROOT, "mutation/summary.md"), md.join("\n"));
console.log(lines.join("\n"));
console.log(`wall time ${wall.toFixed(0)} s; summary in mutation/summary.md, reports under mutation/`);
