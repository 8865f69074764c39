// npm's install hook. In a git checkout (assembly/ is there) it builds everything: the wasm, the
// TypeScript, then the native addon with the test probe. In an installed package (dist/, the wasm
// and a prebuilt addon for linux-x64 ship) it compiles the addon only when no prebuilt one fits.
// A failed native build never fails the install: plan, explore, replay, diff and graph do not need
// the addon; run and doctor say exactly how to get it.
import { execSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const sh = (cmd) => execSync(cmd, { cwd: root, stdio: "inherit" });
const checkout = existsSync(new URL("../assembly", import.meta.url));

if (checkout) {
  sh("npm run build:wasm");
  sh("npm run build:ts");
}
const { addonCandidates, buildHint } = await import("../dist/src/hosts/native-location.js");
if (!checkout && addonCandidates().some((f) => existsSync(f))) process.exit(0); // the prebuilt one fits
// The C machine (build/c) first: the addon builds it in for autonomous mode (CMakeLists.txt), and
// C callers and its own tests use it. Without wasm2c it says how to get it and builds nothing; it
// never fails the install, and the addon then drives one request at a time.
if (checkout) {
  try {
    sh("npm run build:c");
  } catch {
    console.warn("pivotshim: the C machine did not build (scripts/build-c.sh); the addon is built without autonomous mode.");
  }
}
try {
  sh(checkout ? "npm run build:native" : "npx cmake-js compile --out build/native");
} catch {
  console.warn(`pivotshim: the native addon did not build: ${buildHint()}. ` +
    "`pivotshim run` and `doctor` need it; plan, explore, replay, diff and graph work without it.");
}
