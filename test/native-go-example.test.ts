// examples/go-init, the embedding example for Go runtimes (runc is Go): it builds through cgo with
// the command its header gives, offline, and switches for real: the probe runs at / of the rootfs
// with fds 0-2. Started under `unshare -m --propagation private`, so even the namespace it spares
// is a throwaway copy. Skipped with the reason without root, Go (apt-get install golang-go) or
// the C library.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = new URL("..", import.meta.url).pathname;
const EXAMPLE = join(ROOT, "examples/go-init");
const LIB = join(ROOT, "build/c/libpivotshim.a");
const PROBE = join(ROOT, "build/probe/probe");
const why = process.geteuid?.() !== 0 ? "not root: the example's clone(CLONE_NEWNS) needs CAP_SYS_ADMIN"
  : spawnSync("go", ["version"]).status !== 0 ? "no Go toolchain: apt-get install golang-go"
  : !existsSync(LIB) ? "build/c/libpivotshim.a is not built: install wasm2c (apt-get install wabt), then npm run build:c"
  : !existsSync(PROBE) ? "build/probe/probe is not built (npm run build:native)" : null;

if (why) {
  console.error(`SKIP examples/go-init: ${why}`);
  test.skip("examples/go-init");
} else {
  test("examples/go-init builds through cgo as its header says and runs the probe in the rootfs", () => {
    const dir = mkdtempSync(join(tmpdir(), "pivotshim-go-example-"));
    try {
      const header = readFileSync(join(EXAMPLE, "main.go"), "utf8");
      const build = /^\/\/\s+(CGO_ENABLED=1 go build .*)$/m.exec(header)?.[1];
      assert.ok(build, "the header names its build command");
      const bin = join(dir, "go-init");
      // Offline and in throwaway caches: the example needs nothing but the standard library.
      const env = { ...process.env, LD_PRELOAD: "", GOCACHE: join(dir, "cache"), GOPATH: join(dir, "gopath"), GOPROXY: "off", GOFLAGS: "-mod=mod", GOTOOLCHAIN: "local" };
      const go = spawnSync("sh", ["-c", build!.replace("-o go-init", `-o ${bin}`)], { cwd: EXAMPLE, encoding: "utf8", env, timeout: 300_000 });
      assert.is(go.status, 0, go.stderr);
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
      assert.match(bad.stderr, /^go-init: the switch failed: error preparing rootfs: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
