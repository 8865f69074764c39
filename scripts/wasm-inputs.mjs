// What the wasm machine is made of, for build-wasm.mjs's "nothing changed, skip the build" hash:
// every file under assembly/, every file outside it that those import (transitively: assembly/
// takes its numbers from src/abi.ts), asconfig.json, the two build scripts and this one, and the
// package.json of assemblyscript and binaryen (their versions). Imports are followed by reading
// `from "./x"` and `import "./x"` specifiers, as asc resolves them (a missing ".ts" added). A file
// left out here would let a change to it keep a stale wasm; test/build-inputs.test.ts checks the
// list is closed under imports.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const files = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]);

/** The relative module specifiers a TypeScript source names (import/export ... from, bare import). */
export function relativeImports(text) {
  return [...text.matchAll(/\b(?:from|import)\s+"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1]);
}

/** The file a specifier names from `from`, as asc finds it: the path, or the path plus ".ts". */
export function resolveImport(from, spec) {
  const p = resolve(dirname(from), spec);
  return [p, p + ".ts", join(p, "index.ts")].find((c) => existsSync(c) && !c.endsWith("/")) ?? null;
}

/** Every input of the wasm build, absolute paths, in a stable order. */
export function wasmInputs(root) {
  const seen = new Set(files(join(root, "assembly")));
  const queue = [...seen];
  while (queue.length > 0) {
    const f = queue.pop();
    if (!f.endsWith(".ts")) continue;
    for (const spec of relativeImports(readFileSync(f, "utf8"))) {
      const target = resolveImport(f, spec);
      if (target !== null && !seen.has(target)) { seen.add(target); queue.push(target); }
    }
  }
  return [
    ...[...seen].sort(),
    ...["asconfig.json", "scripts/build-wasm.mjs", "scripts/release-wasm.mjs", "scripts/wasm-inputs.mjs",
      "node_modules/assemblyscript/package.json", "node_modules/binaryen/package.json"].map((f) => join(root, f)),
  ];
}

/** The SHA-256 of the inputs: each one's path relative to root and its bytes. */
export function wasmInputsDigest(root) {
  const hash = createHash("sha256");
  for (const f of wasmInputs(root)) hash.update(relative(root, f)).update("\0").update(readFileSync(f)).update("\0");
  return hash.digest("hex");
}
