// The `pivotshim` command as installed (package.json "bin" = dist/cli/pivotshim.cjs, built from this
// file by scripts/bundle-cli.mjs). It runs dist/cli/main.cjs, the whole command line bundled into
// one CommonJS file by esbuild, with V8's code cache for it when one fits this Node.
//
// Why: a cold `pivotshim plan` spent most of its time before any planning. Node resolved and compiled
// about a hundred ES modules (zod alone is some seventy files), then parsed them; issue "the
// machine inside C runtimes" asks for <= 1.5x `node -e 0` (bench: cold CLI). One bundled file
// removes the resolution; the cache (made at build time by running `plan` and `--help`, so it holds
// the functions they compile) removes most of the parsing and compiling. V8 checks the cache against
// its own version, flags and the source; when it does not fit, it is ignored and the file is
// compiled as usual, with the same behaviour.
//
// Written as a module for the type checker, but only ever run as esbuild's CommonJS output: it uses
// CommonJS's __dirname and require (tsconfig.build.json leaves it out of dist/src).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Script } from "node:vm";
import { EXIT } from "./commands/exit.js";

const main = join(__dirname, "main.cjs");

function read(file: string): Buffer | null {
  try {
    return readFileSync(file);
  } catch (e) {
    if (file !== main) return null; // no cache, or an unreadable one: compile as usual, only slower
    // The one file the command is made of: without it nothing runs. (Out of descriptors cannot
    // happen here: with too few for this read, Node fails to read this launcher first.)
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    process.stderr.write(code === "ENOENT"
      ? `pivotshim: cannot read ${file} (ENOENT): the installation is incomplete; reinstall pivotshim (npm install)\n`
      : `pivotshim: cannot read ${file} (${code}): ${(e as Error).message.replace(/^[A-Z]+: /, "")}\n`);
    process.exit(code === "ENOENT" ? EXIT.bug : EXIT.environment);
  }
}

const source = read(main)!.toString("utf8");
const cache = read(`${main}.cache`);
// The same wrapper Node's CommonJS loader puts around a file, so main.cjs sees require, module and
// its own __filename and __dirname (import.meta.url is derived from __filename by the bundle).
const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, {
  filename: main,
  ...(cache ? { cachedData: cache } : {}),
});
// PIVOTSHIM_CODE_CACHE: "report" says on stderr whether the cache was used (tests); "write:FILE"
// writes a fresh cache to FILE at exit, after the functions this run compiled (the build does this).
const knob = process.env.PIVOTSHIM_CODE_CACHE;
if (knob === "report") process.stderr.write(`pivotshim: code cache ${cache ? (script.cachedDataRejected ? "rejected" : "used") : "absent"}\n`);
if (knob?.startsWith("write:")) process.on("exit", () => writeFileSync(knob.slice(6), script.createCachedData()));
const mod = { exports: {} };
(script.runInThisContext() as (...a: unknown[]) => void)(mod.exports, require, mod, main, __dirname);
