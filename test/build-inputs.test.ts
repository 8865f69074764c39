// The build skip of `npm test` (scripts/wasm-inputs.mjs): the wasm is rebuilt only when the hash of
// its inputs changes, so an input left out of the list keeps a stale machine after an edit. These
// rows check that the list is every file the compiler reads from the project: all of assembly/,
// and what it imports from outside (src/abi.ts: the ops, options and bounds), closed under
// imports; and that an edit to any of those changes the hash.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, appendFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
// @ts-expect-error: a build script in plain JavaScript, without types
import { relativeImports, resolveImport, wasmInputs, wasmInputsDigest } from "../scripts/wasm-inputs.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const rel = (f: string) => relative(ROOT, f);
const inputs: string[] = wasmInputs(ROOT);

test("the specifiers read: from and bare imports, multi-line, relative only", () => {
  const text = 'import {\n  A,\n  B,\n} from "../src/abi";\nexport * from "./x";\nimport "./side";\nimport { y } from "assemblyscript/std";\n// from \"./in-a-comment\" (followed too: an input too many costs nothing)\n';
  assert.equal(relativeImports(text), ["../src/abi", "./x", "./side", "./in-a-comment"]);
  assert.is(resolveImport(join(ROOT, "assembly/mountinfo.ts"), "../src/abi"), join(ROOT, "src/abi.ts"), "asc adds .ts");
  assert.is(resolveImport(join(ROOT, "assembly/mountinfo.ts"), "./no-such-module"), null);
});

test("every file under assembly/ is an input, and so is src/abi.ts, which assembly/ imports", () => {
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]);
  for (const f of walk(join(ROOT, "assembly"))) assert.ok(inputs.includes(f), rel(f));
  assert.ok(inputs.includes(join(ROOT, "src/abi.ts")));
  for (const f of ["asconfig.json", "scripts/build-wasm.mjs", "scripts/release-wasm.mjs", "scripts/wasm-inputs.mjs",
    "node_modules/assemblyscript/package.json", "node_modules/binaryen/package.json"]) assert.ok(inputs.includes(join(ROOT, f)), f);
  assert.is(new Set(inputs).size, inputs.length, "no file twice");
});

test("the list is closed under imports: every relative import of an input resolves to an input", () => {
  let followed = 0;
  for (const f of inputs.filter((i) => i.endsWith(".ts"))) {
    for (const spec of relativeImports(readFileSync(f, "utf8"))) {
      const target = resolveImport(f, spec);
      assert.ok(target !== null, `${rel(f)} imports ${spec}, which resolves to no file: asc would fail, and the hash would miss it`);
      assert.ok(inputs.includes(target), `${rel(f)} imports ${rel(target)}, which is not hashed`);
      followed++;
    }
  }
  assert.ok(followed > 20, `${followed} imports followed`);
});

test("an edit to any kind of input changes the hash: a machine file, src/abi.ts, the config, a compiler version", () => {
  const dir = mkdtempSync(join(tmpdir(), "pivotshim-build-inputs-"));
  try {
    for (const f of inputs) {
      mkdirSync(dirname(join(dir, rel(f))), { recursive: true });
      cpSync(f, join(dir, rel(f)));
    }
    const before = wasmInputsDigest(dir);
    assert.is(before, wasmInputsDigest(ROOT), "the same bytes at the same relative paths: the same hash");
    let last = before;
    for (const f of ["assembly/mountinfo.ts", "src/abi.ts", "asconfig.json", "node_modules/binaryen/package.json"]) {
      appendFileSync(join(dir, f), "\n");
      const now = wasmInputsDigest(dir);
      assert.is.not(now, last, f);
      last = now;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
