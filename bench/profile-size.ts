// The release wasm's size per profile (issue 14): what one profile's record costs, measured by
// building the machine without it. Each variant is a copy of assembly/ (with src/abi.ts, src/names.ts
// and asconfig.json) whose profiles.ts lacks one record of DEFS and of WIDES (PROFILES one less), whose step
// and reason lists that no other record names are then never compiled (asc compiles what is used),
// and whose text.txt lacks the texts no live source names any more; it goes through gen-text and
// asc as the release build does (scripts/release-wasm.mjs). A profile's size is full − variant,
// both as asc leaves them: the wasm-opt pass after it (2 s a build) changes code, which is shared,
// and leaves the data as it is (measured: 9041 B of data before and after it).
// Not attributed: code (every step kind, message style and rule is code all records share, even one
// only bwrap's steps reach) and lists or texts two profiles share (runc's prepare: hardened's too).
// Those are the core: the released size − the sum of the profiles. 8 asc builds in this process and
// one wasm-opt (the full machine, to check build/wasm/release.wasm is what the sources give): ~12 s.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import asc from "assemblyscript/asc";
import { PROFILES } from "../src/schema.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url)); // dist/bench/ → the checkout

/** The `/* COLUMN *\/ value,` cells of a record table (DEFS: the u16 columns, WIDES: the u32 ones),
 * in order, and where its list is in profiles.ts. */
function cells(src: string, table: string): { cells: string[]; start: number; end: number } {
  const start = src.indexOf(table);
  const end = src.indexOf("]);", start);
  if (start < 0 || end < 0) throw new Error(`profile-size: no ${table} list in assembly/profiles.ts`);
  const body = src.slice(start, end).split("\n").map((l) => l.replace(/\/\/.*$/, "")).join("\n");
  return { cells: [...body.matchAll(/\/\* (\w+) \*\/ ([^,]+),/g)].map((m) => `/* ${m[1]} */ ${m[2]!.trim()},`), start, end };
}

const TABLES = ["const DEFS: usize = memory.data<u16>([", "const WIDES: usize = memory.data<u32>(["];

/** The text names (T.NAME) that assembly/*.ts name, generated/ aside. */
function textsNamed(dir: string): Set<string> {
  const out = new Set<string>();
  for (const f of readdirSync(join(dir, "assembly")).filter((f) => f.endsWith(".ts"))) {
    for (const m of readFileSync(join(dir, "assembly", f), "utf8").matchAll(/\bT\.([A-Z][A-Z0-9_]*)/g)) out.add(m[1]!);
  }
  return out;
}

/** A copy of what the release build reads, in `dir`. */
function copyTree(dir: string): void {
  mkdirSync(join(dir, "src"), { recursive: true });
  mkdirSync(join(dir, "build", "wasm"), { recursive: true });
  cpSync(join(ROOT, "assembly"), join(dir, "assembly"), { recursive: true });
  for (const f of ["src/abi.ts", "src/names.ts", "asconfig.json"]) cpSync(join(ROOT, f), join(dir, f));
}

/** Makes the copy in `dir` a machine without record `p`: its cells, its own lists, its own texts. */
function dropProfile(dir: string, p: number, liveInFull: Set<string>): void {
  const file = join(dir, "assembly", "profiles.ts");
  let src = readFileSync(file, "utf8");
  let mine = "";
  for (const table of TABLES) {
    const { cells: all, start, end } = cells(src, table);
    const count = all.length / PROFILES.length;
    if (!Number.isInteger(count)) throw new Error(`profile-size: ${all.length} cells for ${PROFILES.length} profiles in ${table}`);
    const kept = all.filter((_, i) => Math.floor(i / count) !== p);
    mine += all.slice(p * count, (p + 1) * count).join(" ");
    src = src.slice(0, start) + table + "\n" + kept.join("\n") + "\n" + src.slice(end);
  }
  src = src.replace(/export const PROFILES: i32 = (\d+);/, (_, n: string) => `export const PROFILES: i32 = ${Number(n) - 1};`);
  // A list only this record named is dead: drop its declaration, so its texts count as the profile's.
  for (const [, name] of mine.matchAll(/<u16>(\w+)/g)) {
    if (src.split(new RegExp(`\\b${name}\\b`)).length === 2) src = src.replace(new RegExp(`const ${name}: usize = memory\\.data<\\w+>\\(\\[[^]*?\\]\\);\\n`), "");
  }
  writeFileSync(file, src);
  const live = textsNamed(dir);
  const textFile = join(dir, "assembly", "text.txt");
  const lines = readFileSync(textFile, "utf8").split("\n");
  writeFileSync(textFile, lines.filter((l) => { const n = /^([A-Z][A-Z0-9_]*) "/.exec(l)?.[1]; return !n || !liveInFull.has(n) || live.has(n); }).join("\n"));
}

const WASM = join("build", "wasm", "release.wasm");

/** gen-text, then asc --target release, in this process: after the first, a build takes ~0.7 s, not 4. */
async function build(dir: string): Promise<number> {
  const gen = await import(pathToFileURL(join(ROOT, "scripts/gen-text.mjs")).href) as { generate(base: URL): Promise<string> };
  writeFileSync(join(dir, "assembly", "generated", "text.ts"), await gen.generate(pathToFileURL(dir + "/")));
  const { error, stderr } = await asc.main(["assembly/index.ts", "--target", "release", "--outFile", WASM, "--baseDir", dir], {});
  if (error) throw new Error(`profile-size: asc failed in ${dir}: ${String(stderr)}`);
  return statSync(join(dir, WASM)).size;
}

export interface ProfileSizes { full: number; profiles: { name: string; bytes: number }[]; core: number }

/** full: the machine as released (after wasm-opt); per profile: asc's full − asc's without its record; core: the rest. */
export async function profileSizes(): Promise<ProfileSizes> {
  const tmp = mkdtempSync(join(tmpdir(), "pivotshim-size-"));
  try {
    const dirs = ["full", ...PROFILES].map((n) => join(tmp, n));
    dirs.forEach(copyTree);
    const liveInFull = textsNamed(dirs[0]!);
    PROFILES.forEach((_, p) => dropProfile(dirs[p + 1]!, p, liveInFull));
    const sizes: number[] = [];
    for (const dir of dirs) sizes.push(await build(dir)); // one at a time: asc's compiler is warm after the first
    const profiles = PROFILES.map((name, p) => ({ name, bytes: sizes[0]! - sizes[p + 1]! }));
    const opt = await import(pathToFileURL(join(ROOT, "scripts/release-wasm.mjs")).href) as { wasmOpt(file: string): void };
    opt.wasmOpt(join(dirs[0]!, WASM));
    const full = statSync(join(dirs[0]!, WASM)).size;
    return { full, profiles, core: full - profiles.reduce((a, b) => a + b.bytes, 0) };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
