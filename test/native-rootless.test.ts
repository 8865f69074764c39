// Rootless mode: a user namespace plus a mount namespace, the caller mapped to 0. Runs in-process
// (as whoever runs the tests) and, when the tests run as root, as nobody (65534) through setpriv.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { chownSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnExecutor } from "../src/hosts/native.js";
import { capture, devIno, hostMountinfo, leftoverRootfs, makeRootfs, nativeTest, procFds, skipReason } from "./helpers/native-env.js";
import { probeRun } from "./helpers/native-plan.js";
import { nobodyReason } from "./helpers/nobody.js";

const test = suite("native rootless");
const reason = await skipReason("rootless");
const root = fileURLToPath(new URL("..", import.meta.url));
const setpriv = nobodyReason();

nativeTest(test, reason, "rootless run in this process: seen from outside while paused, then by the probe", async () => {
  const before = hostMountinfo();
  const left = leftoverRootfs();
  const { report, exit } = await probeRun({ makeRootfs, capture }, (stdio) => spawnExecutor({ rootless: true, stdio }), (ex, rootfs) => {
    assert.is(devIno(`/proc/${ex.pid}/root/`), devIno(rootfs));
    const mounts = readFileSync(`/proc/${ex.pid}/mountinfo`, "utf8").trim().split("\n");
    assert.equal(mounts.map((l) => l.split(" ")[4]), ["/"], "the old root is detached, locked mounts included");
    assert.equal(procFds(ex.pid), [0, 1, 2, ex.channelFd]);
  });
  assert.equal(report, { cwd: "/", rootIsRoot: true, fds: [0, 1, 2], uid: 0, gid: 0 });
  assert.equal(exit, { status: 0, signal: null });
  assert.is(hostMountinfo(), before);
  assert.equal(leftoverRootfs(), left);
});

nativeTest(test, reason ?? setpriv, "rootless run as nobody (65534): works without root; plain mode says why not", () => {
  const before = hostMountinfo();
  // Its own temporary folder, owned by nobody: the run checks that it leaves no rootfs folder
  // behind, and a shared /tmp also holds whatever other test runs on this machine create there.
  const tmp = mkdtempSync(join(tmpdir(), "pivotshim-nobody-"));
  chownSync(tmp, 65534, 65534);
  let stdout: string;
  try {
    stdout = execFileSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups",
      process.execPath, "--import", "tsx", "test/helpers/native-rootless-run.ts"],
      { cwd: root, encoding: "utf8", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: tmp, TMPDIR: tmp }, timeout: 30000 });
    // (tsx, which runs the helper, keeps its compile cache there: tsx-65534)
    assert.equal(readdirSync(tmp).filter((n) => !n.startsWith("tsx-")), [], "the unprivileged run left nothing in its temporary folder");
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const out = JSON.parse(stdout.trim().split("\n").pop()!);
  assert.is(out.uid, 65534);
  assert.is(out.error, undefined);
  assert.equal(out.report, { cwd: "/", rootIsRoot: true, fds: [0, 1, 2], uid: 0, gid: 0 });
  assert.equal(out.exit, { status: 0, signal: null });
  assert.match(out.rootError, /^needs root or --rootless \(unshare\(CLONE_NEWNS\): EPERM\)$/);
  assert.ok(out.hostUnchanged);
  assert.ok(out.noLeftovers);
  assert.is(hostMountinfo(), before);
});

test.run();
