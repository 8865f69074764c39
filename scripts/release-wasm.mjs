// Builds the release machine: asc --target release (asconfig.json: -O3, shrinkLevel 2), then one pass
// of binaryen's wasm-opt -Oz over its output. asc runs binaryen's -O3/-Os pipeline already; -Oz after
// it still inlines the single-caller helpers and re-packs the data segments asc leaves: −131 B
// (22073 → 21942). wasm-opt is the binaryen that assemblyscript installs (node_modules), so the build
// stays offline. `node scripts/release-wasm.mjs` writes build/wasm/release.wasm (npm run build:wasm);
// bench/profile-size.ts runs wasmOpt() on the full machine it builds.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const ASC = fileURLToPath(new URL("../node_modules/assemblyscript/bin/asc.js", import.meta.url));
const WASM_OPT = fileURLToPath(new URL("../node_modules/binaryen/bin/wasm-opt", import.meta.url));

/** The features asc enables by default (asc --help): wasm-opt must be told, or it refuses the module. */
export const FEATURES = ["--enable-bulk-memory", "--enable-bulk-memory-opt", "--enable-sign-ext",
  "--enable-mutable-globals", "--enable-nontrapping-float-to-int"];

/** The wasm-opt pass over `file` (in place). */
export function wasmOpt(file) {
  execFileSync(process.execPath, [WASM_OPT, ...FEATURES, "-Oz", file, "-o", file], { stdio: ["ignore", "ignore", "inherit"] });
}

if (process.argv[1] && import.meta.url === new URL(process.argv[1], "file://").href) {
  execFileSync(process.execPath, [ASC, "assembly/index.ts", "--target", "release"], { cwd: root, stdio: "inherit" });
  wasmOpt(fileURLToPath(new URL("../build/wasm/release.wasm", import.meta.url)));
}
