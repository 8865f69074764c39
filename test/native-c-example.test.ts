// examples/c-init.c, the embedding example for C runtimes, builds with the command its header
// gives and switches for real: the probe runs at / of the rootfs with fds 0-2. Started under
// `unshare -m --propagation private`, so even the namespace it spares is a throwaway copy.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = new URL("..", import.meta.url).pathname;
const LIB = join(ROOT, "build/c/libpivotshim.a");
const PROBE = join(ROOT, "build/probe/probe");
const why = process.geteuid?.() !== 0 ? "not root: the example's clone(CLONE_NEWNS) needs CAP_SYS_ADMIN"
  : !existsSync(LIB) ? "build/c/libpivotshim.a is not built: install wasm2c (apt-get install wabt), then npm run build:c"
  : !existsSync(PROBE) ? "build/probe/probe is not built (npm run build:native)" : null;

if (why) {
  console.error(`SKIP examples/c-init.c: ${why}`);
  test.skip("examples/c-init.c");
} else {
  test("examples/c-init.c builds as its header says and runs the probe in the rootfs", () => {
    const dir = mkdtempSync(join(tmpdir(), "pivotshim-c-example-"));
    try {
      const header = readFileSync(join(ROOT, "examples/c-init.c"), "utf8");
      const build = /^ \*   (cc .*)$/m.exec(header)?.[1];
      assert.ok(build, "the header names its build command");
      const bin = join(dir, "c-init");
      const cc = spawnSync("sh", ["-c", build!.replace("-o c-init", `-o ${bin}`)], { cwd: ROOT, encoding: "utf8" });
      assert.is(cc.status, 0, cc.stderr);
      const rootfs = join(dir, "rootfs");
      mkdirSync(rootfs);
      chmodSync(dir, 0o755);
      copyFileSync(PROBE, join(rootfs, "probe"));
      const before = readFileSync("/proc/self/mountinfo", "utf8");
      const r = spawnSync("unshare", ["-m", "--propagation", "private", bin, rootfs, "/probe"], { encoding: "utf8", env: { ...process.env, LD_PRELOAD: "" } });
      assert.is(r.status, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout.trim()), { cwd: "/", rootIsRoot: true, fds: [0, 1, 2], uid: 0, gid: 0 });
      assert.is(readFileSync("/proc/self/mountinfo", "utf8"), before);
      const bad = spawnSync("unshare", ["-m", "--propagation", "private", bin, join(dir, "missing"), "/probe"], { encoding: "utf8", env: { ...process.env, LD_PRELOAD: "" } });
      assert.is(bad.status, 1);
      assert.match(bad.stderr, /^c-init: the switch failed: error preparing rootfs: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
