// `npm pack`'s prepack: builds what the package ships (the release wasm and dist/) and copies the
// native addon built here to prebuilds/<platform>-<arch>/pivotshim.<libc>.node (and pivotshim-child
// beside it), so a consumer on
// the same platform installs with no compiler and no cmake (src/hosts/native-location.ts loads it).
// Node-API 8 (package.json binary.napi_versions) keeps one binary good for every Node >= 12.22.
import { execSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const sh = (cmd) => execSync(cmd, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });

sh("npm run build:wasm");
rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true }); // no stale modules ship
sh("npm run build:ts");
// The C machine first, when wasm2c is here: the shipped addon then has autonomous mode, and the
// SHA-256 it embeds is the shipped wasm's (CMakeLists.txt).
sh("sh scripts/build-c.sh");
sh("npx cmake-js compile --out build/native");
const { prebuiltName } = await import("../dist/src/hosts/native-location.js");
const to = new URL(`../${prebuiltName()}`, import.meta.url);
rmSync(new URL("../prebuilds", import.meta.url), { recursive: true, force: true });
mkdirSync(dirname(fileURLToPath(to)), { recursive: true });
const from = new URL("../build/native/Release/host.node", import.meta.url);
if (!existsSync(from)) throw new Error("prebuild: build/native/Release/host.node was not built");
copyFileSync(from, to);
console.log(`prebuild: ${fileURLToPath(to).slice(root.length)}`);
// The executor child the addon execs, beside it (static: one file serves glibc and musl).
const child = new URL("../build/native/Release/pivotshim-child", import.meta.url);
if (!existsSync(child)) throw new Error("prebuild: build/native/Release/pivotshim-child was not built");
const childTo = new URL("pivotshim-child", to);
copyFileSync(child, childTo);
chmodSync(childTo, 0o755);
console.log(`prebuild: ${fileURLToPath(childTo).slice(root.length)}`);
