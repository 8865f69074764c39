// The installed command (package.json "bin" = dist/cli/pivotshim.cjs: the launcher, the bundle
// main.cjs and its V8 code cache, scripts/bundle-cli.mjs) behaves exactly as the unbundled
// dist/src/cli.js, with its cache used, rejected or absent, and stays lazy inside one file.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { hasStrace, openedFiles } from "./helpers/opened-files.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "dist/cli/pivotshim.cjs");
const UNBUNDLED = join(ROOT, "dist/src/cli.js");

/**
 * A copy of the installed layout in a temporary folder: dist/cli/ with the launcher and the bundle
 * (and not the cache), package.json and build/ linked, as main.cjs finds them (../../).
 */
function layout(files: string[]): { dir: string; bin: string } {
  const dir = mkdtempSync(join(tmpdir(), "pivotshim-bundle-"));
  try {
    mkdirSync(join(dir, "dist/cli"), { recursive: true });
    for (const f of files) copyFileSync(join(ROOT, "dist/cli", f), join(dir, "dist/cli", f));
    for (const f of ["package.json", "build"]) symlinkSync(join(ROOT, f), join(dir, f));
  } catch (e) {
    rmSync(dir, { recursive: true, force: true }); // a copy that failed (dist/ being rebuilt) leaves no folder
    throw e;
  }
  return { dir, bin: join(dir, "dist/cli/pivotshim.cjs") };
}

const run = (entry: string, args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [entry, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1", ...env } });

test("package.json's bin is the launcher", () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { bin: Record<string, string> };
  assert.equal(pkg.bin, { pivotshim: "dist/cli/pivotshim.cjs" });
  assert.ok(readFileSync(BIN, "utf8").startsWith("#!/usr/bin/env node\n"));
  // README's first command, `npx pivotshim plan`, runs the bin as a program from the checkout.
  assert.is(statSync(BIN).mode & 0o111, 0o111, "dist/cli/pivotshim.cjs is not executable (scripts/bundle-cli.mjs chmods it)");
});

test("README's command: npx pivotshim runs the bin from the checkout", () => {
  const r = spawnSync("npx", ["--no-install", "pivotshim", "--version"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
  assert.equal([r.status, r.stdout.trim(), r.stderr], [0, pkg.version, ""]);
});

// One invocation per command and per way out: ok, failed (1), usage (2), a plan with a fault, JSON.
const CASES: string[][] = [
  ["--help"], ["-V"], ["plan"], ["plan", "--profile", "crun", "--format", "strace"], ["plan", "--fail", "pivot_root=EINVAL"],
  ["plan", "--rootfs", "relative"], ["explore", "--profile", "runc-1.1", "--scenario", "rootless"], ["graph", "--format", "dot"],
  ["schema", "trace"], ["schema", "nope"], ["help", "diff"], ["plann"], ["diff", "--strace", "/nonexistent"],
];

test("every case: the same stdout, stderr and exit as the unbundled entry", () => {
  for (const args of CASES) {
    const a = run(BIN, args), b = run(UNBUNDLED, args);
    assert.equal([a.status, a.stdout, a.stderr], [b.status, b.stdout, b.stderr], args.join(" "));
  }
});

test("the build's code cache is used; a corrupt or missing one changes nothing but the speed", () => {
  const { dir, bin } = layout(["pivotshim.cjs", "main.cjs"]);
  try {
    const report = { PIVOTSHIM_CODE_CACHE: "report" };
    const want = run(UNBUNDLED, ["plan"]);
    const used = run(BIN, ["plan"], report);
    assert.is(used.stderr, "pivotshim: code cache used\n");
    const absent = run(bin, ["plan"], report);
    assert.is(absent.stderr, "pivotshim: code cache absent\n");
    const made = join(dir, "dist/cli/main.cjs.cache");
    writeFileSync(made, Buffer.alloc(4096, 0x5a));
    const rejected = run(bin, ["plan"], report);
    assert.is(rejected.stderr, "pivotshim: code cache rejected\n");
    for (const r of [used, absent, rejected]) assert.equal([r.status, r.stdout], [want.status, want.stdout]);
    // write: is how the build makes it; a cache written here is then used here.
    rmSync(made);
    assert.is(run(bin, ["--help"], { PIVOTSHIM_CODE_CACHE: `write:${made}` }).status, 0);
    assert.is(run(bin, ["plan"], report).stderr, "pivotshim: code cache used\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("without main.cjs: one line that says to reinstall, exit 70", () => {
  const { dir, bin } = layout(["pivotshim.cjs"]);
  try {
    const r = run(bin, ["plan"]);
    assert.is(r.status, 70);
    assert.is(r.stdout, "");
    assert.is(r.stderr, `pivotshim: cannot read ${join(dir, "dist/cli/main.cjs")} (ENOENT): the installation is incomplete; reinstall pivotshim (npm install)\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("main.cjs unreadable (here a folder): one line with the error, exit 3", () => {
  const { dir, bin } = layout(["pivotshim.cjs"]);
  try {
    mkdirSync(join(dir, "dist/cli/main.cjs"));
    const r = run(bin, ["plan"]);
    assert.equal([r.status, r.stdout], [3, ""]);
    assert.is(r.stderr, `pivotshim: cannot read ${join(dir, "dist/cli/main.cjs")} (EISDIR): illegal operation on a directory, read\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

(hasStrace ? test : test.skip)("inside the one file, --help still builds no machine: it opens no wasm; plan does", () => {
  const help = openedFiles(BIN, ["--help"]);
  assert.ok(help.includes("/dist/cli/main.cjs"), "the bundle is read");
  assert.not.ok(help.includes("/build/wasm/release.wasm"), "--help opened the wasm");
  assert.ok(openedFiles(BIN, ["plan"]).includes("/build/wasm/release.wasm"), "plan opens the wasm");
});
if (!hasStrace) console.error("SKIP inside the one file, --help still builds no machine: strace is not installed (apt-get install strace)");

test.run();
