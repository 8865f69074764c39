// `npm run build:wasm`: assembly/generated/text.ts from the text table (gen-text.mjs), then the
// debug machine (asc --target debug) and the release machine (release-wasm.mjs). `npm test`
// builds on every run, and the two asc runs were 45 s of it under load, so they are skipped when
// nothing they are made of changed (scripts/wasm-inputs.mjs: assembly/, what it imports from src/,
// the config, the scripts, the compiler versions), hashed. Any change to one of them rebuilds
// both; so does a missing output.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { wasmInputsDigest } from "./wasm-inputs.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const node = (...args) => execFileSync(process.execPath, args, { cwd: root, stdio: "inherit" });

node("scripts/gen-text.mjs");

const digest = wasmInputsDigest(root);

const stamp = join(root, "build/wasm/.inputs.sha256");
const outputs = ["debug.wasm", "debug.wat", "debug.wasm.map", "release.wasm"].map((f) => join(root, "build/wasm", f));
if (outputs.every((f) => existsSync(f)) && existsSync(stamp) && readFileSync(stamp, "utf8").trim() === digest) {
  console.log("pivotshim: build/wasm is up to date (its inputs' hash is the last build's)");
} else {
  rmSync(stamp, { force: true }); // a build cut short must not leave the old hash beside new inputs
  node("node_modules/assemblyscript/bin/asc.js", "--target", "debug");
  node("scripts/release-wasm.mjs");
  writeFileSync(stamp, digest + "\n");
}
