// Builds the release machine: asc --target release (asconfig.json: -O3, shrinkLevel 2), then one pass
// of binaryen's wasm-opt -Oz over its output. asc runs binaryen's -O3/-Os pipeline already; -Oz after
// it still inlines the single-caller helpers and re-packs the data segments asc leaves: −131 B
// (22073 → 21942). wasm-opt is the binaryen that assemblyscript installs (node_modules), so the build
// stays offline. `node scripts/release-wasm.mjs` writes build/wasm/release.wasm (npm run build:wasm);
// bench/profile-size.ts builds its variants with releaseWasm().
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const ASC = fileURLToPath(new URL("../node_modules/assemblyscript/bin/asc.js", import.meta.url));
const WASM_OPT = fileURLToPath(new URL("../node_modules/binaryen/bin/wasm-opt", import.meta.url));

/** The features asc enables by default (asc --help): wasm-opt must be told, or it refuses the module. */
export const FEATURES = ["--enable-bulk-memory", "--enable-bulk-memory-opt", "--enable-sign-ext",
  "--enable-mutable-globals", "--enable-nontrapping-float-to-int"];

/** Compiles `dir`'s assembly/index.ts (dir: a checkout, or a copy of one) to `out` (relative to dir). */
export function releaseWasm(dir = root, out = "build/wasm/release.wasm") {
  const run = (args) => execFileSync(process.execPath, args, { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
  run([ASC, "assembly/index.ts", "--target", "release", "--outFile", out]);
  run([WASM_OPT, ...FEATURES, "-Oz", out, "-o", out]);
}

if (process.argv[1] && import.meta.url === new URL(process.argv[1], "file://").href) releaseWasm();
