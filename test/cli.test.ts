// The command line as a user meets it: the golden plan on stdout, exit codes, and bad input
// rejected with exit 2, a message on stderr that says what and where, and nothing on stdout.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fixture } from "./helpers.js";

const CLI = new URL("../dist/cli/pivotshim.cjs", import.meta.url).pathname;
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

test("plan --rootfs /r --profile runc --no-prepare --format strace prints the seed's plan", () => {
  const r = run("plan", "--host", "dry-run", "--rootfs", "/r", "--profile", "runc", "--no-prepare", "--format", "strace");
  assert.is(r.code, 0);
  assert.fixture(r.stdout, readFileSync(fixture("plans/runc-switch-only.strace"), "utf8"));
});

test("--fail pivot_root=EINVAL: exit 1, runc's message on stderr, closes in the plan", () => {
  const r = run("plan", "--rootfs", "/r", "--profile", "runc", "--format", "strace", "--fail", "pivot_root=EINVAL");
  assert.is(r.code, 1);
  assert.match(r.stdout, /pivot_root\("\.", "\."\) = -1 EINVAL \(Invalid argument\)\nclose\(4\) = 0\nclose\(3\) = 0\n# failed: /);
  assert.is(r.stderr, "pivotshim: error jailing process inside rootfs: pivot_root .: invalid argument\n");
});

test("default plan: fake kernel, docker-host, every invariant held (the main job plans and verifies)", () => {
  const r = run("plan");
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /# done\n# host: fake kernel, docker-host\n/);
  for (const id of ["host-unchanged", "root-is-rootfs", "old-root-unreachable", "fds-unchanged"]) {
    assert.match(r.stdout, new RegExp(`# invariant ${id}: held`));
  }
});

test("plan --scenario initramfs: auto picks move and says why", () => {
  const r = run("plan", "--scenario", "initramfs");
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /# note: auto: \/ is the initial ramfs \(fstype rootfs\).*using move/);
  assert.match(r.stdout, /mount\("\/var\/lib\/pivotshim\/rootfs", "\/", "", MS_MOVE, NULL\) = 0/);
});

test("an invariant violation exits 1 and names it (runc leaves the lower of a stacked old root)", () => {
  const r = run("plan", "--profile", "runc", "--scenario", "stacked-root");
  assert.is(r.code, 1);
  assert.match(r.stderr, /invariant old-root-unreachable violated/);
});

test("explore: summary, exit 0 for hardened; --scenario checked", () => {
  const r = run("explore", "--strategy", "pivot");
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /# paths explored: \d+, ok: \d+, violations: 0/);
  const bad = run("explore", "--scenario", "moon");
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /Allowed choices are docker-host/);
});

test("text format: numbered steps with their reasons", () => {
  const r = run("plan", "--rootfs", "/r", "--profile", "runc");
  assert.is(r.code, 0);
  assert.match(r.stdout, / 8  pivot_root\("\.", "\."\) = 0\n\s+pivot_root: the new root becomes \//);
  assert.match(r.stdout, /old_root_propagation: rslave first so the detach cannot propagate to the host: runc #1125, #1500/);
});

test("json format is the trace", () => {
  const r = run("plan", "--rootfs", "/r", "--format", "json");
  const t = JSON.parse(r.stdout);
  assert.is(t.version, 1);
  assert.is(t.config.profile, "hardened");
  assert.is(t.outcome.kind, "done");
});

const BAD: [string[], RegExp][] = [
  [["--rootfs", "r"], /rootfs: must be an absolute path/],
  [["--rootfs", "/"], /rootfs: must not be \/ itself/],
  [["--rootfs", "/a/../b"], /rootfs: must be clean: no \. or \.\. components/],
  [["--rootfs", "/a//b"], /rootfs: must not contain \/\//],
  [["--rootfs", "/a/b/"], /rootfs: must not end with \//],
  [["--rootfs", "/a/./b"], /must be clean/],
  [["--rootfs", "/" + "x".repeat(4096)], /at most 4095 bytes/],
  [["--profile", "docker"], /argument 'docker' is invalid. Allowed choices are hardened, runc, runc-1.1, crun/],
  [["--strategy", "jump"], /Allowed choices are auto, pivot, move, chroot/],
  [["--fail", "pivot_root=EWHAT"], /unknown errno "EWHAT"/],
  [["--fail", "pivotroot=EINVAL"], /unknown op "pivotroot"/],
  [["--fail", "pivot_root"], /is not OP=ERRNO or OP#N=ERRNO/],
  [["--fail", "mount#0=EPERM"], /counted from 1/],
  [["--strategy", "move", "--profile", "runc", "--root-propagation", "rprivate"], /not safe without pivot_root.*PR #1606/],
  [["--strategy", "chroot", "--root-propagation", "rslave"], /chroot strategy runs without a mount namespace/],
  [["--mountinfo", "/nonexistent/mountinfo"], /cannot read --mountinfo file \/nonexistent\/mountinfo/],
  [["--bogus"], /unknown option '--bogus'/],
];
for (const [args, re] of BAD) {
  test(`bad input ${args.join(" ").slice(0, 60)} → exit 2, says why, prints nothing`, () => {
    const r = run("plan", ...args);
    assert.is(r.code, 2, r.stderr);
    assert.is(r.stdout, "");
    assert.match(r.stderr, re);
  });
}

test("--rootfs with a NUL byte is refused (through the library: argv cannot carry NUL)", async () => {
  const { plan } = await import("../src/plan.js");
  assert.throws(() => plan({ rootfs: "/a\0b" }), /must not contain a NUL byte/);
});

test("stdout closed early (| head): exits quietly, no EPIPE stack", () => {
  const r = spawnSync("bash", ["-o", "pipefail", "-c", `"${process.execPath}" "${CLI}" explore --double --format markdown | head -1`], { encoding: "utf8" });
  assert.is(r.status, 0);
  assert.is(r.stdout, "# Fault exploration: hardened / auto\n");
  assert.not.match(r.stderr, /EPIPE|Unhandled/);
});

test("--help has examples; --version prints the version", () => {
  const h = run("plan", "--help");
  assert.is(h.code, 0);
  assert.match(h.stdout, /Examples:\n  pivotshim plan .*\n  pivotshim plan --rootfs \/r --profile runc --format strace\n/);
  const v = run("--version");
  assert.is(v.code, 0);
  assert.match(v.stdout, /^\d+\.\d+\.\d+\n$/);
});

test.run();
