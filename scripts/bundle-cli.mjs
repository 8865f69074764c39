// Builds the installed command (package.json "bin"): dist/cli/main.cjs, the command line bundled by
// esbuild into one CommonJS file; dist/cli/pivotshim.cjs, its launcher (src/cli-launcher.ts); and
// dist/cli/main.cjs.cache, V8's code cache for main.cjs, written by running `--help` and `plan`
// through the launcher so that it holds the functions those compile. Run by `npm run build:ts`.
// Why a bundle and a cache: see src/cli-launcher.ts. The unbundled dist/src/cli.js stays (tsc).
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = `${root}dist/cli`;
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const common = {
  bundle: true, format: "cjs", platform: "node", target: "node20", logLevel: "warning",
  // Identifiers are kept (stacks under PIVOTSHIM_DEBUG=1 stay readable); whitespace and syntax go.
  minifyWhitespace: true, minifySyntax: true, legalComments: "none",
};
/**
 * commander requires node:child_process at load, for the executable subcommands pivotshim does not
 * use; loading it costs every start about 3 ms. Inside commander only, it becomes a stand-in that
 * requires the real module on first use, so nothing changes if commander ever spawns.
 */
const lazyChildProcess = {
  name: "lazy-child-process",
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (a) => (a.importer.includes("/node_modules/commander/") ? { path: "child_process", namespace: "lazy" } : undefined));
    b.onLoad({ filter: /.*/, namespace: "lazy" }, () => ({
      loader: "js",
      contents: "let real; module.exports = new Proxy({}, { get: (_, k) => (real ??= require(\"node:child_process\"))[k] });",
    }));
  },
};

await build({
  ...common, entryPoints: [`${root}src/cli.ts`], outfile: `${out}/main.cjs`, plugins: [lazyChildProcess],
  // The sources find the wasm, the addon and package.json from import.meta.url. main.cjs sits two
  // folders down (dist/cli), as the compiled dist/src/*.js do, so the same relative paths hold.
  define: { "import.meta.url": "__pivotshim_url" },
  banner: { js: "var __pivotshim_url=require(\"node:url\").pathToFileURL(__filename).href;" },
});
// src/cli.ts's "#!" line is kept by esbuild; main.cjs is not run as a script, and the launcher
// wraps it in a function, where "#!" is a syntax error.
writeFileSync(`${out}/main.cjs`, readFileSync(`${out}/main.cjs`, "utf8").replace(/^#![^\n]*\n/, ""));
await build({ ...common, entryPoints: [`${root}src/cli-launcher.ts`], outfile: `${out}/pivotshim.cjs`, banner: { js: "#!/usr/bin/env node" } });
// esbuild marks an output executable only when its entry starts with "#!"; the banner's does not
// count. package.json's bin is this file, and `npx pivotshim` in a checkout runs it as a program
// (sh: Permission denied without the bit), so it is set here.
chmodSync(`${out}/pivotshim.cjs`, 0o755);

// The cache: a run of `--help`, then one of `plan` (which compiles most of what every command
// shares) started from the first run's cache, so the cache it writes holds both.
const tmp = `${out}/main.cjs.cache.tmp`;
for (const args of [["--help"], ["plan"]]) {
  const r = spawnSync(process.execPath, [`${out}/pivotshim.cjs`, ...args], {
    stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, PIVOTSHIM_CODE_CACHE: `write:${tmp}`, NO_COLOR: "1" },
  });
  if (r.status !== 0) throw new Error(`bundle-cli: \`pivotshim ${args.join(" ")}\` exited ${r.status ?? r.signal} while making the code cache`);
  renameSync(tmp, `${out}/main.cjs.cache`);
}
