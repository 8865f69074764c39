// The scripted mutator for assembly/ (Stryker cannot parse AssemblyScript decorators, and asc cannot
// compile its instrumentation): line-level operators, one mutant at a time, each rebuilt as the
// release wasm (asc --target release) and judged by the pure tests. Killed = a test failed or timed
// out; no-op = asc produced the very same wasm (an equivalent mutant, not run); compile error = asc
// refused it. Usage: node scripts/mutate-asm.mjs [--list] [--survivors | --resume | --new] [--jobs N] [--file F] [--limit N]
// (--resume: every mutant without a kill runs; --new: only those with no verdict at all, e.g. lines
// written since).
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT, failed, progress, runMutants, score, sh, writeReport } from "./mutate-lib.mjs";

/** The pure tests (no native host): plan goldens, fault tables, propagation rules, protocol, abi, mountinfo, explore. */
export const ASM_TESTS = ["plan-golden", "faults", "faults-profiles", "faults-unfired", "propagation-rules", "protocol",
  "abi", "mountinfo", "explore", "machine-feed", "machine-memory", "config-rules", "predict", "mutation-kills-asm", "crun-messages", "plan-reasons", "runc-messages", "profile-records",
  "crun129", "lxc", "lxc-chroot", "youki", "bwrap"]; // the per-profile suites: each profile's own decisions and messages

// Families from src/abi.ts: a constant is replaced by the next one of its own family.
const FAMILIES = [
  ["MS_PRIVATE", "MS_SLAVE", "MS_SHARED", "MS_UNBINDABLE"],
  ["MS_BIND", "MS_MOVE", "MS_REMOUNT"],
  ["MNT_DETACH", "MNT_FORCE"],
  ["EINVAL", "EPERM", "ENOENT", "EINTR", "EBUSY"],
  ["O_DIRECTORY", "O_PATH", "O_RDONLY"],
  ["Profile.hardened", "Profile.runc", "Profile.runc_1_1", "Profile.crun"],
  ["Strategy.pivot", "Strategy.move", "Strategy.chroot", "Strategy.auto"],
];
// Flags that an OR may lose: `A | MS_REC` → `A`.
/**
 * The flags a mutant drops from an OR, each occurrence on its own: with the pipe after it, or, at the
 * end of the OR, the pipe before it. One global regexp over both forms consumed the pipe between two
 * flags, so `MS_REC | MS_BIND` never lost MS_BIND (the last flag of every OR was never dropped).
 */
const DROPPABLE = /\b(MS_REC|MS_BIND|MS_RDONLY|MS_REMOUNT|MNT_DETACH|O_CLOEXEC|O_DIRECTORY|O_PATH|O_NOFOLLOW)\b/g;

/** The code part of a line: string literals blanked (same length), the trailing // comment cut. */
function codeOf(line) {
  let out = "", q = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) { out += c === q ? c : " "; if (c === "\\") { out += " "; i++; } else if (c === q) q = null; continue; }
    if (c === '"' || c === "'" || c === "`") { q = c; out += c; continue; }
    if (c === "/" && line[i + 1] === "/") break;
    out += c;
  }
  return out;
}

const STMT_SKIP = /^(let|const|var|return|if|for|while|do|switch|case|default|function|export|import|break|continue|else|class|@|\}|\{|\)|\/\/|\*|\/\*)/;

/** Every mutant of one line: [op, mutated line]. */
export function lineMutants(line) {
  const code = codeOf(line);
  const t = code.trim();
  if (!t || /^(import|export \{|export \*|\/\/|\*|\/\*|@)/.test(t) || /^export (enum|declare)/.test(t)) return [];
  const out = [];
  const at = (i, len, rep, op) => out.push([op, line.slice(0, i) + rep + line.slice(i + len)]);
  // Comparison operators (a generic cast <i32>x and arrows are not comparisons).
  for (const m of code.matchAll(/===|!==|==|!=|<<=?|>>>=?|>>=?|=>|<=|>=|<|>/g)) {
    const [tok] = m, i = m.index;
    if (tok === "<" || tok === ">") {
      const before = code.slice(0, i + 1), after = code.slice(i);
      if (tok === "<" && /^<[A-Za-z_][\w.]*(\s*,\s*[\w.]+)*>/.test(after)) continue; // <T> cast / generic
      if (tok === ">" && /<[A-Za-z_][\w.]*(\s*,\s*[\w.]+)*>$/.test(before)) continue;
    }
    // One flip each: equality negated, a relation moved across its boundary (the off-by-one).
    const flips = { "==": ["!="], "!=": ["=="], "===": ["!=="], "!==": ["==="], "<": ["<="], "<=": ["<"], ">": [">="], ">=": [">"] }[tok];
    for (const f of flips ?? []) at(i, tok.length, f, `cmp ${tok}→${f}`);
  }
  for (const m of code.matchAll(/&&|\|\|/g)) at(m.index, 2, m[0] === "&&" ? "||" : "&&", `logic ${m[0]}`);
  for (const m of code.matchAll(/!(?!=)/g)) at(m.index, 1, "", "drop !");
  for (const fam of FAMILIES) {
    for (let k = 0; k < fam.length; k++) {
      const re = new RegExp(`(?<![\\w.])${fam[k].replace(".", "\\.")}(?![\\w])`, "g");
      for (const m of code.matchAll(re)) at(m.index, fam[k].length, fam[(k + 1) % fam.length], `const ${fam[k]}→${fam[(k + 1) % fam.length]}`);
    }
  }
  for (const m of code.matchAll(DROPPABLE)) {
    const after = /^\s*\|\s*/.exec(code.slice(m.index + m[0].length));
    const before = /\s*\|\s*$/.exec(code.slice(0, m.index));
    if (after) at(m.index, m[0].length + after[0].length, "", `drop flag ${m[1]}`);
    else if (before) at(before.index, m.index - before.index + m[0].length, "", `drop flag ${m[1]}`);
  }
  // Statement deletion: a line of expression statements; a one-line case arm.
  if (/^case .*:.*;\s*$/.test(t)) out.push(["delete case arm", ""]);
  else if (/^\w+\s*:\s*[\w<>]+\s*=/.test(t)) { /* a field's initial value, not a statement */ }
  else if (!STMT_SKIP.test(t) && /;\s*$/.test(t) && !/[{}]/.test(t) && /\(|=/.test(t)) out.push(["delete statement", line.replace(t, "")]);
  return out;
}

// The profile records (assembly/profiles.ts DEFS and WIDES): rows of `/* COLUMN */ value,` cells, which the
// line operators would skip as comments. Each cell gets its own mutants: a yes/no flipped, a step
// list or a text taken away, a kind moved to the next of its family, a flag dropped or a constant
// moved to the next of its family. A record column that no test pins survives here.
const KINDS = [["POST_NEVER", "POST_UNLESS_PRIVATE_OR_SLAVE", "POST_ALWAYS"],
  ["PARENT_WALK", "PARENT_WALK_SLAVE", "PARENT_MOUNTINFO"], ["MESSAGES_RUNC", "MESSAGES_RUNC_1_1", "MESSAGES_CRUN"]];

/** The columns that hold a list's address (0: none). */
const LISTS = new Set(["AUTO", "PREPARE", "BARE", "PIVOT", "MOVE", "CHROOT", "MOVE_FIRST", "CHROOT_ALONE", "REASONS"]);

export function recordMutants(line) {
  const out = [];
  for (const m of line.matchAll(/\/\* (\w+) \*\/ ([^,]+),/g)) {
    const [cell, col, value] = m;
    const start = m.index + cell.length - value.length - 1;
    const put = (rep, what) => out.push([`record ${col}: ${what}`, line.slice(0, start) + rep + line.slice(start + value.length)]);
    const v = value.trim();
    if (v === "UNUSED") continue; // no step of that profile reads the column: any value is equivalent
    // A list column with none gets one (a phase or reasons added); a yes/no column is flipped.
    if (v === "0" && LISTS.has(col)) put(col === "REASONS" ? "<u16>CRUN_REASONS" : "<u16>MOUNTINFO", "none→a list");
    else if (v === "0" && col === "EINTR_STEPS") put("EINTR_GO_OPENS", "none→Go's opens retried"); // bit 0 is step none: 1 would be equivalent
    else if (v === "0") put("1", "0→1");
    else if (v === "1") put("0", "1→0");
    else if (/^<u16>\w+$/.test(v)) put("0", `${v.slice(5)}→none`);
    else if (/^T\.\w+$/.test(v)) put("NO_TEXT", `${v}→NO_TEXT`);
    else if (v === "NO_TEXT") put("T.EMPTY", "NO_TEXT→T.EMPTY");
    else {
      const kind = KINDS.find((k) => k.includes(v));
      if (kind) put(kind[(kind.indexOf(v) + 1) % kind.length], `${v}→${kind[(kind.indexOf(v) + 1) % kind.length]}`);
      else if (/ \| \(1 << Step\.\w+\)$/.test(v)) put(v.replace(/ \| \(1 << Step\.\w+\)$/, ""), "a step's bit dropped");
      else for (const [op, mutated] of lineMutants(v)) put(mutated, op);
    }
  }
  return out;
}

/** All mutants of assembly/*.ts (assembly/generated/ is data, not logic). */
export function listMutants() {
  const files = readdirSync(join(ROOT, "assembly")).filter((f) => f.endsWith(".ts")).sort();
  const mutants = [];
  for (const f of files) {
    const file = `assembly/${f}`;
    const lines = readFileSync(join(ROOT, file), "utf8").split("\n");
    let inComment = false;
    lines.forEach((line, idx) => {
      const t = line.trim();
      if (inComment) { if (t.includes("*/")) inComment = false; return; }
      const record = /^\/\* [A-Z_]+ \*\/ /.test(t) && f === "profiles.ts";
      if (t.startsWith("/*") && !record) { if (!t.includes("*/")) inComment = true; return; }
      for (const [op, mutated] of record ? recordMutants(line) : lineMutants(line)) {
        if (mutated === line) continue;
        mutants.push({ id: `${f.replace(/\.ts$/, "")}:${idx + 1}:${mutants.filter((m) => m.file === file && m.line === idx + 1).length}`, file, line: idx + 1, op, original: line, mutated });
      }
    });
  }
  return mutants;
}

const ASC = "node node_modules/assemblyscript/bin/asc.js --target release";

/**
 * Each mutant's key for --resume: its file, line text, mutant text, and which of the same three it
 * is in the file (the n-th). Not its line number: a line added above would renumber every mutant
 * below it, and --resume then ran again (191 of 1391) what it had judged on unchanged lines.
 */
export function keys(list) {
  const seen = new Map();
  return list.map((m) => {
    const k = `${m.file}\u0000${m.original}\u0000${m.mutated}`;
    const n = seen.get(k) ?? 0;
    seen.set(k, n + 1);
    return `${k}\u0000${n}`;
  });
}

/**
 * The judged mutants of a run, by key (what --resume reuses): survivors are left out, so they run
 * again with today's tests, unless `survivors` keeps them (--new: run only what has no verdict).
 */
export function reusable(prevMutants, { survivors = false } = {}) {
  const ks = keys(prevMutants);
  return new Map(prevMutants.flatMap((m, i) => (m.status && (survivors || m.status !== "survived") ? [[ks[i], m]] : [])));
}

/** A result file's mutants with their --resume key (files written before keys were kept get them here). */
export function withKeys(list) {
  if (list.every((m) => m.key !== undefined || m.original === undefined)) return list;
  const ks = keys(list);
  return list.map((m, i) => (m.original === undefined ? m : { ...m, key: ks[i] }));
}

/** The last run's survivors, by key (not by id: an id holds a line number, which an edit above it moves). */
function survivorKeys() {
  const f = join(ROOT, "mutation", "asm", "result.json");
  if (!existsSync(f)) return null;
  return new Set(withKeys(JSON.parse(readFileSync(f, "utf8")).mutants).filter((m) => m.status === "survived").map((m) => m.key));
}

/** The judged mutants of the last run, by key. */
function earlier(part, opts) {
  const f = join(ROOT, "mutation", part, "result.json");
  if (!existsSync(f)) return new Map();
  return reusable(JSON.parse(readFileSync(f, "utf8")).mutants, opts);
}

export async function mutateAsm({ jobs = 2, survivors = false, resume = false, fresh = false, file = null, limit = Infinity } = {}) {
  const t0 = Date.now();
  let mutants = listMutants();
  keys(mutants).forEach((k, i) => { mutants[i].key = k; }); // over the whole list, as earlier() keys it
  if (file) mutants = mutants.filter((m) => m.file.includes(file));
  const again = survivors ? survivorKeys() : null;
  if (survivors && !again) throw new Error("--survivors: no mutation/asm/result.json from an earlier run");
  if (again) mutants = mutants.filter((m) => again.has(m.key));
  // Interleaved order (every 7th, then the next ...): a run cut short is still a spread-out sample.
  mutants = Array.from({ length: 7 }, (_, k) => mutants.filter((_, i) => i % 7 === k)).flat().slice(0, limit);
  // Incremental: a mutant judged before (same file, same line text, same mutant text) is not run again.
  const kept = resume || fresh ? earlier("asm", { survivors: fresh }) : new Map();
  const todo = mutants.filter((m) => { const e = kept.get(m.key); if (e) Object.assign(m, { status: e.status, detail: e.detail, ms: e.ms, reused: true }); return !e; });
  console.error(`asm: ${mutants.length - todo.length} reused from mutation/asm/result.json`);
  const tests = `node --import tsx scripts/uvu.mjs --no-color test '^(${ASM_TESTS.join("|")})\\.test\\.ts$' --bail`;
  let baseline = { wasm: null, testMs: 0, buildMs: 0 };
  console.error(`asm: ${todo.length} mutants to run, ${jobs} worker(s)`);
  let last = 0;
  await runMutants("asm", todo, {
    workers: jobs,
    paths: ["assembly", "src", "test", "bench", "dist", "scripts", "build/wasm", "asconfig.json", "package.json", "tsconfig.json", "docs"],
    async prepare(dir) {
      const b = await sh(ASC, dir, 300_000);
      if (b.code !== 0) throw new Error(`asm: the unmutated build fails in the sandbox:\n${b.out}`);
      const r = await sh(tests, dir, 600_000);
      if (r.code !== 0) throw new Error(`asm: the test subset fails without any mutant:\n${r.out}`);
      baseline = { wasm: readFileSync(join(dir, "build/wasm/release.wasm")), testMs: Math.max(baseline.testMs, r.ms), buildMs: Math.max(baseline.buildMs, b.ms) };
    },
    async judge(dir) {
      const b = await sh(ASC, dir, Math.max(60_000, 5 * baseline.buildMs));
      if (b.code !== 0 || b.timedOut) return { status: "compile-error", detail: b.out.split("\n").find((l) => /ERROR/.test(l)) ?? "" };
      if (readFileSync(join(dir, "build/wasm/release.wasm")).equals(baseline.wasm)) return { status: "no-op" };
      const r = await sh(tests, dir, Math.max(30_000, 3 * baseline.testMs));
      if (r.timedOut) return { status: "timeout" };
      return r.code === 0 ? { status: "survived" } : { status: "killed", detail: failed(r.out) };
    },
    onDone(m, done, total) {
      progress(m, done, total);
      // Saved as it goes (every 30 s): a run cut short keeps what it measured, and --resume goes on from there.
      if (Date.now() - last > 30_000) { last = Date.now(); finish("asm", "Mutation testing: assembly/ (partial)", mutants.filter((x) => x.status), again, t0, mutants.length, file); }
    },
  });
  return finish("asm", "Mutation testing: assembly/", mutants, again, t0, mutants.length, file);
}

/**
 * What a run's report holds, given the last run's mutants (`prev`, null when there is none): a
 * --survivors run (`again`) updates the last run's statuses by key (by id for host/*.cc) and adds mutants listed since; a
 * --file run replaces that file's mutants and keeps the other files' verdicts; any other run is
 * the whole list.
 */
export function merged(prev, mutants, { file = null, again = null } = {}) {
  if (!prev) return mutants;
  if (again) {
    // By key where the mutants have one (assembly/: ids move with line numbers), else by id (host/*.cc's names).
    const idOf = (m) => m.key ?? m.id;
    const before = withKeys(prev);
    const byId = new Map(mutants.map((m) => [idOf(m), m]));
    const had = new Set(before.map(idOf));
    return [...before.map((m) => byId.get(idOf(m)) ?? m), ...mutants.filter((m) => !had.has(idOf(m)))];
  }
  if (file) return [...prev.filter((m) => !m.file.includes(file)), ...mutants];
  return mutants;
}

/**
 * Writes the report; a --survivors run updates the last full run's statuses in place, and a --file
 * run replaces only that file's mutants (the other files' verdicts are kept, not dropped).
 */
export function finish(part, title, mutants, again, t0, listed = mutants.length, file = null) {
  const f = join(ROOT, "mutation", part, "result.json");
  const prev = (file || again) && existsSync(f) ? JSON.parse(readFileSync(f, "utf8")).mutants : null;
  const all = merged(prev, mutants, { file, again });
  if (file && !again) listed += all.length - mutants.length; // the other files' mutants count as listed
  const wallSeconds = (Date.now() - t0) / 1000;
  // How many this invocation judged (the others: reused by --resume/--new, or kept from other files or runs).
  const ran = mutants.filter((m) => m.status && !m.reused).length;
  const s = writeReport(part, title, all, { finished: new Date().toISOString(), wallSeconds, listed, rerun: again ? mutants.length : 0, ran });
  return { part, ...score(all), wallSeconds, survivors: all.filter((m) => m.status === "survived").map((m) => `${m.id} ${m.file}:${m.line ?? ""} ${m.op ?? m.why}`) , s };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const opt = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
  if (argv.includes("--list")) {
    for (const m of listMutants()) console.log(`${m.id}\t${m.op}\t${m.mutated.trim()}`);
  } else {
    const r = await mutateAsm({ jobs: Number(opt("--jobs") ?? 2), survivors: argv.includes("--survivors"), resume: argv.includes("--resume"), fresh: argv.includes("--new"), file: opt("--file") ?? null, limit: Number(opt("--limit") ?? Infinity) });
    console.log(`asm: ${r.killed} / ${r.total} killed (${r.pct.toFixed(1)}%), ${r.noop} no-op, ${r.compileError} compile errors, ${r.wallSeconds.toFixed(0)} s`);
  }
}
