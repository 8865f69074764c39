// npm's install hook. In a git checkout (assembly/ is there) it builds everything: the wasm, the
// TypeScript and the native addon with the test probe. In an installed package (dist/ and the wasm
// ship prebuilt) it only compiles the native addon, and if that fails (no compiler, no cmake) it
// says so and carries on: plan, explore, replay, diff and graph do not need it; run and doctor do.
import { execSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const sh = (cmd) => execSync(cmd, { cwd: root, stdio: "inherit" });

if (existsSync(new URL("../assembly", import.meta.url))) {
  sh("npm run build");
} else {
  try {
    sh("npx cmake-js compile --out build/native");
  } catch {
    console.warn("pivotshim: the native addon did not build (needs cmake and a C++17 compiler); " +
      "`pivotshim run` and `doctor` will say so, everything else works without it.");
  }
}
