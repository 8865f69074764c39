// What `npm pack` ships: what an installing user needs (the compiled library and CLI, the release
// wasm, the prebuilt addon, the native host's sources with CMakeLists.txt and the abi.ts it reads,
// the install hook, README, LICENSE and docs/) and nothing else: no tests, fixtures, AssemblyScript
// sources, benches or maps. (The dry run skips prepack, so prebuilds/ shows only after a real pack:
// test/pack-install.test.ts checks it there. A real pack leaves prebuilds/ in the tree, so a second
// test run lists both of its files here: the stress runs of scripts/stress-ci.sh failed on that.)
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const files: string[] = (JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" })) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);

const ALLOWED = [
  /^package\.json$/, /^README\.md$/, /^LICENSE$/, /^docs\/[\w.-]+\.(md|svg)$/, /^prebuilds\/linux-x64\/(pivotshim\.glibc\.node|pivotshim-child)$/, /^CMakeLists\.txt$/, /^src\/abi\.ts$/, /^scripts\/install\.mjs$/,
  /^build\/wasm\/release\.wasm$/, /^host\/[a-z_-]+\.(cc|h)$/, /^dist\/src\/[\w/-]+\.(js|d\.ts)$/, /^dist\/cli\/(pivotshim\.cjs|main\.cjs|main\.cjs\.cache)$/,
];
const REQUIRED = [
  "package.json", "README.md", "CMakeLists.txt", "src/abi.ts", "scripts/install.mjs", "build/wasm/release.wasm",
  "LICENSE", "docs/ABI.md", "host/addon.cc", "host/child.cc", "dist/src/cli.js", "dist/cli/pivotshim.cjs", "dist/cli/main.cjs", "dist/cli/main.cjs.cache", "dist/src/index.js", "dist/src/index.d.ts", "dist/src/abi.js",
];

test("every packed file is one an installing user needs", () => {
  assert.equal(files.filter((f) => !ALLOWED.some((re) => re.test(f))), []);
});

test("everything an installing user needs is packed", () => {
  assert.equal(REQUIRED.filter((f) => !files.includes(f)), []);
});

test("no test, fixture, AssemblyScript source, bench or source map leaks in", () => {
  assert.equal(files.filter((f) => /^(test|assembly|bench|dist\/bench)\/|\.map$/.test(f)), []);
});

test.run();
