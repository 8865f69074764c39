// The scripted mutators' shared runner (assembly/ and host/*.cc, where Stryker cannot go): a
// sandbox copy of the tree per worker, one mutant at a time (write, build, test, restore), a
// per-mutant timeout, and the result file + HTML/Markdown report under mutation/<part>/.
// The work tree itself is never written: a Ctrl-C restores and removes the sandboxes.
import { spawn } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** Copies `paths` (relative to ROOT) into a fresh temp dir and links node_modules. */
export function makeSandbox(part, paths) {
  const dir = mkdtempSync(join(tmpdir(), `pivotshim-mutate-${part}-`));
  // Readable by others, as a checkout is: the tests that run as nobody (rootless, refused) skip
  // when nobody cannot read the tree, and a skipped test kills no mutant.
  chmodSync(dir, 0o755);
  for (const p of paths) {
    const from = join(ROOT, p);
    if (!existsSync(from)) continue;
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    cpSync(from, join(dir, p), { recursive: true });
  }
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  // Its own TMPDIR: tests that count their temp dirs (leftoverRootfs) must not see other runs'.
  mkdirSync(join(dir, ".tmp"));
  return dir;
}

const live = new Set(); // child process groups still running
const restores = new Map(); // sandbox file → original text, while a mutant is in it
const sandboxes = new Set();

export function registerSandbox(dir) { sandboxes.add(dir); }

function cleanup() {
  for (const pid of live) { try { process.kill(-pid, "SIGKILL"); } catch { /* gone */ } }
  for (const [file, text] of restores) { try { writeFileSync(file, text); } catch { /* sandbox gone */ } }
  for (const dir of sandboxes) rmSync(dir, { recursive: true, force: true });
}
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(sig, () => { cleanup(); console.error(`\nmutate: ${sig}: sandboxes restored and removed; the work tree was never changed`); process.exit(130); });
}
process.on("exit", () => { for (const pid of live) { try { process.kill(-pid, "SIGKILL"); } catch { /* gone */ } } });

/** Runs `cmd` (through sh) in `cwd`, in its own process group, killed as a group after `ms`. */
export function sh(cmd, cwd, ms, env = {}) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const tmp = existsSync(join(cwd, ".tmp")) ? { TMPDIR: join(cwd, ".tmp") } : {};
    const child = spawn("sh", ["-c", cmd], { cwd, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1", ...tmp, ...env } });
    live.add(child.pid);
    let out = "";
    const keep = (b) => { out = (out + b.toString()).slice(-4000); };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; try { process.kill(-child.pid, "SIGKILL"); } catch { /* gone */ } }, ms);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      live.delete(child.pid);
      // The group may hold grandchildren (an executor child, a sleeping probe): end them too.
      try { process.kill(-child.pid, "SIGKILL"); } catch { /* gone */ }
      resolve({ code, signal, timedOut, out, ms: Date.now() - t0 });
    });
  });
}

/**
 * Runs every mutant: `workers` sandboxes, each takes the next mutant, writes it, calls
 * `judge(sandbox, mutant)` (build + tests → { status, detail }), and restores the file.
 */
export async function runMutants(part, mutants, { workers, paths, prepare, judge, onDone }) {
  const boxes = [];
  let next = 0, done = 0;
  const work = async (dir) => {
    while (next < mutants.length) {
      const m = mutants[next++];
      const file = join(dir, m.file);
      const original = readFileSync(file, "utf8");
      const lines = original.split("\n");
      let mutated;
      if (m.whole !== undefined) {
        // The whole mutated file (a mutant that spans lines), planted only into the text it was made from.
        if (original !== m.before) throw new Error(`${m.file} changed since the mutants were listed (mutant ${m.id})`);
        mutated = m.whole;
      } else if (m.line !== undefined) {
        if (lines[m.line - 1] !== m.original) throw new Error(`${m.file}:${m.line} changed since the mutants were listed`);
        lines[m.line - 1] = m.mutated;
        mutated = lines.join("\n");
      } else {
        if (original.split(m.find).length !== 2) throw new Error(`${m.file}: "${m.find}" must occur exactly once (mutant ${m.id})`);
        mutated = original.replace(m.find, () => m.replace);
      }
      restores.set(file, original);
      writeFileSync(file, mutated);
      const t0 = Date.now();
      try {
        Object.assign(m, await judge(dir, m));
      } finally {
        writeFileSync(file, original);
        restores.delete(file);
      }
      m.ms = Date.now() - t0;
      done++;
      onDone?.(m, done, mutants.length);
    }
  };
  try {
    for (let i = 0; i < Math.min(workers, mutants.length); i++) {
      const dir = makeSandbox(part, paths);
      registerSandbox(dir);
      boxes.push(dir);
      await prepare(dir, i);
    }
    await Promise.all(boxes.map(work));
  } finally {
    for (const dir of boxes) { rmSync(dir, { recursive: true, force: true }); sandboxes.delete(dir); }
  }
}

/** killed (a test failed or timed out) / (killed + survived); no-op and compile errors are left out. */
export function score(mutants) {
  const n = (s) => mutants.filter((m) => m.status === s).length;
  const killed = n("killed") + n("timeout");
  const survived = n("survived");
  const total = killed + survived;
  return { killed, survived, total, timeout: n("timeout"), noop: n("no-op"), compileError: n("compile-error"), pct: total ? (100 * killed) / total : 100 };
}

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

/** mutation/<part>/result.json (kept: the last run, for --survivors), index.html and report.md. */
export function writeReport(part, title, mutants, meta) {
  const dir = join(ROOT, "mutation", part);
  mkdirSync(dir, { recursive: true });
  const s = score(mutants);
  writeFileSync(join(dir, "result.json"), JSON.stringify({ part, ...meta, score: s, mutants }, null, 1) + "\n");
  const rows = mutants.map((m) => [m.id, m.status, m.file + (m.line ? `:${m.line}` : ""), m.op ?? "", m.why ?? "", (m.original ?? m.find ?? "").trim(), (m.mutated ?? m.replace ?? "").trim()]);
  const head = ["id", "status", "where", "operator", "why", "original", "mutant"];
  const md = [
    `# ${title}`, "",
    `Generated by \`npm run mutate\` on ${meta.finished}; wall time ${meta.wallSeconds.toFixed(0)} s${meta.ran !== undefined && meta.ran < mutants.filter((m) => m.status).length ? ` (that run judged ${meta.ran}; the others' verdicts are kept from earlier runs)` : ""}.`, "",
    `Score: **${s.killed} / ${s.total} killed (${s.pct.toFixed(1)}%)**; ${s.noop} no-op (identical build), ${s.compileError} compile errors (not counted).`, "",
    "## Survivors", "",
    ...(s.survived ? mutants.filter((m) => m.status === "survived").map((m) => `- \`${m.id}\` ${m.file}${m.line ? `:${m.line}` : ""} (${m.op ?? m.why}): \`${(m.original ?? m.find).trim()}\` → \`${(m.mutated ?? m.replace).trim()}\``) : ["none"]),
    "",
  ].join("\n");
  writeFileSync(join(dir, "report.md"), md);
  const cls = { killed: "#cfc", timeout: "#cfc", survived: "#fcc", "no-op": "#eee", "compile-error": "#eee" };
  const html = `<!doctype html><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font:14px sans-serif}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;vertical-align:top}code{white-space:pre-wrap}</style>
<h1>${esc(title)}</h1><p>${s.killed} / ${s.total} killed (${s.pct.toFixed(1)}%), ${s.noop} no-op, ${s.compileError} compile errors; wall time ${meta.wallSeconds.toFixed(0)} s; ${esc(meta.finished)}</p>
<table><tr>${head.map((h) => `<th>${h}</th>`).join("")}</tr>
${rows.map((r) => `<tr style="background:${cls[r[1]] ?? "#fff"}">${r.map((c, i) => `<td>${i >= 5 ? `<code>${esc(c)}</code>` : esc(c)}</td>`).join("")}</tr>`).join("\n")}
</table>\n`;
  writeFileSync(join(dir, "index.html"), html);
  return s;
}

/** The last run's survivors' ids, for `--survivors` (re-run only those). */
export function lastSurvivors(part) {
  const f = join(ROOT, "mutation", part, "result.json");
  if (!existsSync(f)) return null;
  return new Set(JSON.parse(readFileSync(f, "utf8")).mutants.filter((m) => m.status === "survived").map((m) => m.id));
}

export function progress(m, done, total) {
  const where = m.file + (m.line ? `:${m.line}` : "");
  process.stderr.write(`[${done}/${total}] ${m.status.padEnd(13)} ${m.id} ${where} ${(m.ms / 1000).toFixed(1)}s\n`);
}

/** Which test failed, from uvu's output: its FAIL lines (suite and test name), else the first error. */
export function failed(out) {
  const fails = [...out.matchAll(/FAIL\s+(.*)/g)].map((m) => m[1].trim());
  return (fails.length ? fails.join("; ") : (out.match(/Error.*|✘.*/) ?? ["(no FAIL line)"])[0]).slice(0, 300);
}

/**
 * A test command with a temp dir of its own for each run. Stryker's workers run in one sandbox
 * with one environment, so they shared TMPDIR, and a test that compares its temp dir's entries
 * before and after (diff-self's pivotshim-diff-self-*, native-*'s rootfs dirs) failed whenever
 * the other worker's copy ran at the same time: a kill the tests did not make (found 2026-12-03,
 * re-planting the full run's strace kills alone: 28 of args.ts's verdicts "equivalent" had been
 * counted killed). The dir is made under the run's TMPDIR, world-writable and sticky as /tmp is
 * (tests also run as nobody), and removed after; the command's status is kept.
 */
export function ownTmp(command) {
  return `d=$(mktemp -d "\${TMPDIR:-/tmp}/run-XXXXXX") && chmod 1777 "$d" && export TMPDIR="$d" || exit 97; ` +
    `( ${command} ); rc=$?; rm -rf "$d"; exit $rc`;
}

/**
 * A Stryker replacement as text to paste where its node was. Stryker swaps AST nodes, and its
 * printer adds the parentheses the new node needs; pasted bare, `a || b` in place of the `a && b`
 * of `a && b && c` reads `a || (b && c)`, another mutant (found 2026-12-03: a re-planted args.ts
 * mutant was killed that Stryker's own survives). Every mutator but BlockStatement replaces an
 * expression, and an expression in parentheses is the same node.
 */
export const asPasted = (mutator, replacement) => (mutator === "BlockStatement" ? replacement : `(${replacement})`);
