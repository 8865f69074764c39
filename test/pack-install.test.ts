// The package installs where it claims to: `npm pack` (its prepack builds dist/ and copies the
// addon and pivotshim-child to prebuilds/), then the tarball is installed into a throwaway project inside a child's
// own mount namespace where cc, c++, g++, gcc, cmake, make and ninja are /dev/null, HOME and the
// npm cache are empty. There `plan` works, `require("pivotshim")` works from CommonJS, and (root)
// `run` works with the prebuilt addon. Root only (the mount namespace); skipped with the reason.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { makeRootfs, nativeTest, skipReason } from "./helpers/native-env.js";

const test = suite("pack and install without a compiler");
const root = fileURLToPath(new URL("..", import.meta.url));
const npmReachable = () => spawnSync("npm", ["ping"], { encoding: "utf8", timeout: 30_000 }).status === 0;
const reason = (await skipReason("root")) ?? (npmReachable() ? null : "the npm registry does not answer `npm ping` (the install fetches the dependencies)");

/** Every compiler and build tool on PATH, resolved, to be hidden under /dev/null. */
function buildTools(): string[] {
  const names = ["cc", "c++", "g++", "gcc", "cmake", "make", "ninja"];
  return names.map((n) => spawnSync("sh", ["-c", `command -v ${n}`], { encoding: "utf8" }).stdout.trim()).filter((p) => p !== "");
}

nativeTest(test, reason, "packed tarball: installs with no compiler, plan works, require() works, run works", async () => {
  const work = mkdtempSync(join(tmpdir(), "pivotshim-pack-"));
  const rootfs = makeRootfs();
  try {
    const packed = spawnSync("npm", ["pack", "--pack-destination", work], { cwd: root, encoding: "utf8" });
    assert.is(packed.status, 0, packed.stderr);
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
    assert.ok(tarball, "npm pack wrote a tarball");
    const listed = execFileSync("tar", ["-tzf", join(work, tarball!)], { encoding: "utf8" });
    assert.match(listed, /^package\/prebuilds\/linux-x64\/pivotshim\.glibc\.node$/m);
    // The executor child the addon execs, beside it, executable (the run below starts it).
    const modes = execFileSync("tar", ["-tvzf", join(work, tarball!)], { encoding: "utf8" });
    assert.match(modes, /^-rwxr-xr-x .* package\/prebuilds\/linux-x64\/pivotshim-child$/m);
    assert.match(listed, /^package\/LICENSE$/m);
    assert.match(listed, /^package\/docs\/ABI\.md$/m);
    assert.not.match(listed, /\.map$/m);

    const consumer = join(work, "consumer");
    mkdirSync(join(work, "home"));
    mkdirSync(consumer);
    writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
    const hide = buildTools().map((t) => `mount --bind /dev/null '${t}'`).join("\n");
    const script = `set -e
${hide}
for t in cc c++ g++ gcc cmake make ninja; do if command -v $t >/dev/null && $t --version >/dev/null 2>&1; then echo "$t still works" >&2; exit 90; fi; done
cd '${consumer}'
npm install --no-audit --no-fund --loglevel=error '${join(work, tarball!)}' >/dev/null
echo "== plan"; npx --no pivotshim plan --profile runc --format strace | tail -n 1
echo "== require"; node -e 'const p = require("pivotshim"); console.log(typeof p.plan, p.plan({ rootfs: "/r" }).outcome.kind)'
echo "== run"; npx --no pivotshim run --rootfs '${rootfs.dir}' -- /probe exit 7 || echo "exit $?"
`;
    const cafile = spawnSync("npm", ["config", "get", "cafile"], { encoding: "utf8" }).stdout.trim();
    const r = spawnSync("unshare", ["-m", "--propagation", "private", "sh", "-c", script], {
      encoding: "utf8",
      env: {
        PATH: process.env.PATH, HOME: join(work, "home"), npm_config_cache: join(work, "npm-cache"), NO_COLOR: "1",
        // the registry's TLS trust, which lives in the (now empty) home's .npmrc on these machines
        ...(cafile && cafile !== "null" && cafile !== "undefined" ? { npm_config_cafile: cafile } : {}),
      },
    });
    assert.is(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.is(r.stdout, "== plan\n# done\n== require\nfunction done\n== run\nexit 7\n", r.stderr);
  } finally {
    rootfs.cleanup();
    rmSync(work, { recursive: true, force: true });
  }
});

test.run();
