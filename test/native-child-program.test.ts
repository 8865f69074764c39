// The executor child is pivotshim-child, a program of its own beside the addon, started with
// clone(CLONE_VM|CLONE_VFORK) + execve: not a fork of Node. Here: the child really is that
// program; a missing or unexecutable one is a clear EnvironmentError at load; one from another build refuses in
// its hello and serves nothing; run by hand it says what it is and exits 2.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadAddon, nativeUnavailable } from "../src/hosts/native.js";
import { eitherMode, nativeTest } from "./helpers/native-env.js";

const test = suite("pivotshim-child");
const root = fileURLToPath(new URL("..", import.meta.url));
const { reason, spawn } = await eitherMode();

/** Runs `code` (an ES module importing src/ through tsx) in a fresh Node with PIVOTSHIM_ADDON set. */
function nodeWithAddon(addon: string, code: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    cwd: root, encoding: "utf8", env: { ...process.env, PIVOTSHIM_ADDON: addon }, timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

nativeTest(test, reason, "the executor child is pivotshim-child itself, not a copy of Node", async () => {
  const addon = loadAddon();
  const ex = await spawn();
  try {
    assert.is(readlinkSync(`/proc/${ex.pid}/exe`), addon.child);
    // Its address space is its own: none of Node's mappings (the node binary, its heap) is there.
    const maps = readlinkSync(`/proc/${process.pid}/exe`);
    const theirs = spawnSync("cat", [`/proc/${ex.pid}/maps`], { encoding: "utf8" }).stdout;
    assert.not.ok(theirs.includes(maps), `the child maps ${maps}`);
  } finally {
    await ex.kill();
  }
});

nativeTest(test, reason, "an addon with no pivotshim-child beside it: loading it says so, and how to build it", () => {
  const dir = mkdtempSync(join(tmpdir(), "pivotshim-child-test-"));
  try {
    copyFileSync(loadAddon().child!.replace(/pivotshim-child$/, "host.node"), join(dir, "host.node"));
    const r = nodeWithAddon(join(dir, "host.node"), `
      import { nativeUnavailable } from "./src/hosts/native.ts";
      console.log(nativeUnavailable());`);
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout.trim(), `the native host's executor program pivotshim-child is not beside ${join(dir, "host.node")}: PIVOTSHIM_ADDON names ${join(dir, "host.node")}, which is not there: build it (npm run test:asan builds build/asan/Release/host.node) or unset PIVOTSHIM_ADDON`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

nativeTest(test, reason, "a pivotshim-child that cannot be executed: loading the addon says so", () => {
  const dir = mkdtempSync(join(tmpdir(), "pivotshim-child-test-"));
  try {
    const real = loadAddon().child!;
    copyFileSync(real.replace(/pivotshim-child$/, "host.node"), join(dir, "host.node"));
    copyFileSync(real, join(dir, "pivotshim-child"));
    chmodSync(join(dir, "pivotshim-child"), 0o644);
    const r = nodeWithAddon(join(dir, "host.node"), `
      import { nativeUnavailable } from "./src/hosts/native.ts";
      console.log(nativeUnavailable());`);
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout.trim(), `the native host's executor program ${join(dir, "pivotshim-child")} cannot be executed: it must have its x bit, on a filesystem not mounted noexec`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

nativeTest(test, reason, "a pivotshim-child that stops being executable after the addon loaded: spawn says which file, and what it needs", () => {
  // The load-time check cannot see a later chmod (or a remount noexec): execve itself fails in
  // the clone stub, and spawnExecutor names the file instead of a bare EACCES.
  const dir = mkdtempSync(join(tmpdir(), "pivotshim-child-test-"));
  try {
    const real = loadAddon().child!;
    copyFileSync(real.replace(/pivotshim-child$/, "host.node"), join(dir, "host.node"));
    copyFileSync(real, join(dir, "pivotshim-child"));
    chmodSync(join(dir, "pivotshim-child"), 0o755);
    const r = nodeWithAddon(join(dir, "host.node"), `
      import { chmodSync } from "node:fs";
      import { nativeUnavailable, spawnExecutor } from "./src/hosts/native.ts";
      if (nativeUnavailable() !== null) throw new Error("the copy does not load");
      chmodSync(${JSON.stringify(join(dir, "pivotshim-child"))}, 0o644);
      try { await spawnExecutor({ rootless: ${process.geteuid?.() !== 0} }); console.log("served"); }
      catch (e) { console.log(e.constructor.name + ": " + e.message); }`);
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout.trim(), `EnvironmentError: cannot start the executor: execve pivotshim-child: EACCES; ${join(dir, "pivotshim-child")} must be executable, on a filesystem not mounted noexec`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

nativeTest(test, reason, "a pivotshim-child from another build refuses in its hello: nothing is served", () => {
  const dir = mkdtempSync(join(tmpdir(), "pivotshim-child-test-"));
  try {
    const real = loadAddon().child!;
    copyFileSync(real.replace(/pivotshim-child$/, "host.node"), join(dir, "host.node"));
    // The real program, told that the addon was built from another wasm (its first argument).
    writeFileSync(join(dir, "pivotshim-child"), `#!/bin/sh\nshift\nexec '${real}' 0000000000000000000000000000000000000000000000000000000000000000 "$@"\n`, { mode: 0o755 });
    const r = nodeWithAddon(join(dir, "host.node"), `
      import { spawnExecutor } from "./src/hosts/native.ts";
      try { await spawnExecutor({ rootless: ${process.geteuid?.() !== 0} }); console.log("served"); }
      catch (e) { console.log(e.constructor.name + ": " + e.message); }`);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /^EnvironmentError: .*pivotshim-child was built from another wasm than the addon \(npm run build:native rebuilds both\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Needs only the built program (not root, not user namespaces): skipped, and counted as skipped,
// without it. It once printed SKIP and returned, so it passed with nothing checked.
nativeTest(test, nativeUnavailable(), "pivotshim-child run by hand: exit 2, and what it is", () => {
  const child = loadAddon().child!;
  const none = spawnSync(child, [], { encoding: "utf8" });
  assert.is(none.status, 2);
  assert.is(none.stderr, "pivotshim-child: wrong number of arguments\npivotshim-child is started by pivotshim's native addon; it is not a command to run by hand\n");
  // Fifteen arguments, but fd 0 here is /dev/null, not the channel (Node's "pipe" would be a socket).
  const args = ["-", "0", "-1", "-1", "-1", "0", "0", "0", "1", "0", "0", "0", "-1", "-1", "0"];
  const notSock = spawnSync(child, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  assert.is(notSock.status, 2);
  assert.match(notSock.stderr, /^pivotshim-child: SOCK is not a socket\n/);
  const bad = spawnSync(child, ["-", "x", ...args.slice(2)], { encoding: "utf8" });
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /^pivotshim-child: an argument is not a whole number in its range\n/);
});

test.run();
