// Rootfs paths that are legal on Linux but awkward, end to end: the plan, the prediction on the
// fake kernel, and the real run in an executor child's own mount namespace. Names with a space, a
// tab, a newline, a backslash or a literal "\040", as plain directories and as mount points, and
// rootfs mounts that are read-only, stacked or shared all agree with the kernel (checked by hand,
// not repeated here). These tests pin what did not:
// - a rootfs of 4074..4095 bytes: the model's propagation-after probe (rootfs + "/.pivotshim-probe-host")
//   is longer than PATH_MAX, so the invariant is "violated" and run refuses a plan the kernel runs;
// - a --rootfs that is not UTF-8 on the command line: Node's argv turns the byte into U+FFFD, so
//   the CLI plans and runs another directory (the library, given U+DC80+byte, is right);
// - a relative --rootfs with ".." after a symlink: resolved lexically (path.resolve), so run
//   switches into a directory the kernel would not reach by that path (the absolute form is refused);
// - a path with a newline in a one-line error: the line breaks (a tab is shown as \x09).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, symlinkSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { check } from "../src/check.js";
import { run } from "../src/run.js";
import { InvalidInputError } from "../src/errors.js";
import { PATH_MAX } from "../src/abi.js";
import { PROBE, capture, makeRootfs, nativeTest, skipReason, withProbeRootfs } from "./helpers/native-env.js";
import { cli } from "./helpers/cli-in-process.js";

const test = suite("awkward rootfs paths");
const REPO = new URL("..", import.meta.url).pathname;
const reason = await skipReason("root");

/** `base` extended by components of at most 200 bytes to exactly `total` bytes. */
function longPath(base: string, total: number): string {
  let p = base;
  for (let i = 0; p.length < total; i++) {
    const room = total - p.length - 1;
    const n = room - Math.min(200, room) === 1 ? 199 : Math.min(200, room);
    p += "/" + String.fromCharCode(97 + (i % 26)).repeat(n);
  }
  assert.is(p.length, total);
  return p;
}

/** run() with the probe's stdout captured: the trace, the exit, and what the probe printed. */
async function runProbe(rootfs: string, opts: { profile?: "runc" | "crun"; strategy?: "pivot" | "move"; verify?: boolean } = {}) {
  const out = capture();
  try {
    const r = await run({ rootfs, profile: opts.profile ?? "runc", strategy: opts.strategy ?? "pivot" },
      { command: "/probe", stdio: [-1, out.writeFd, -1], ...(opts.verify === false ? { verify: false } : {}) });
    out.closeWriteEnd();
    return { ...r, stdout: await out.text };
  } finally {
    out.closeWriteEnd();
  }
}

const PROBE_OK = { cwd: "/", rootIsRoot: true, fds: [0, 1, 2], uid: 0, gid: 0 };

test("model: a rootfs of up to PATH_MAX - 1 bytes has its propagation probed, not reported violated", () => {
  // The schema takes up to 4095 bytes; the probe below the rootfs must not be named by a path
  // longer than PATH_MAX (ENAMETOOLONG, errno 36, from 4074 bytes on).
  for (const n of [4073, 4074, PATH_MAX - 1]) {
    for (const scenario of ["rootfs-not-a-mountpoint", "docker-host"] as const) {
      const r = check({ rootfs: longPath("/r", n), profile: "runc", strategy: "pivot" }, { scenario });
      assert.is(r.trace.outcome.kind, "done");
      const v = r.verdicts.find((x) => x.id === "propagation-after")!;
      assert.ok(v.held, `${n} bytes, ${scenario}: ${v.detail.replace(/([a-z])\1{20,}/g, "$1…")}`);
    }
  }
});

for (const profile of ["runc", "crun"] as const) {
  for (const strategy of ["pivot", "move"] as const) {
    nativeTest(test, reason, `run ${profile} / ${strategy}: a 4095-byte rootfs switches as the kernel does (the prediction does not refuse it)`, async () => {
      await withProbeRootfs(async (dir) => {
        const rootfs = longPath(`${dir}/long`, PATH_MAX - 1);
        mkdirSync(rootfs, { recursive: true });
        // ${rootfs}/probe is longer than PATH_MAX: the probe goes in (and out) relative to the cwd.
        const cwd = process.cwd();
        process.chdir(rootfs);
        try { copyFileSync(PROBE, "probe"); } finally { process.chdir(cwd); }
        try {
          // The kernel's answer, unverified: the switch is done and the probe runs in the new root.
          const real = await runProbe(rootfs, { profile, strategy, verify: false });
          assert.is(real.trace.outcome.kind, "done", JSON.stringify(real.trace.outcome).slice(-300));
          assert.equal(JSON.parse(real.stdout), PROBE_OK);
          // The same run, verified: the prediction must agree with it, not refuse it.
          const verified = await runProbe(rootfs, { profile, strategy });
          assert.is(verified.trace.outcome.kind, "done", JSON.stringify(verified.trace.outcome).slice(-300));
          assert.equal(verified.exit, { kind: "exited", status: 0 });
          assert.equal(JSON.parse(verified.stdout), PROBE_OK);
        } finally {
          process.chdir(rootfs);
          try { unlinkSync("probe"); } finally { process.chdir(cwd); }
        }
      });
    });
  }
}

/** The CLI (src/cli.ts) with `--rootfs DIR/<raw bytes>`: the shell's printf writes the byte, as a user's shell would. */
function cliWithRawRootfs(dir: string, printfName: string, [command, ...rest]: string[]) {
  const script = `cmd="$1"; dir="$2"; shift 2; exec "$0" --import tsx src/cli.ts "$cmd" --rootfs "$(printf "%s/${printfName}" "$dir")" "$@"`;
  return spawnSync("sh", ["-c", script, process.execPath, command!, dir, ...rest], { cwd: REPO, encoding: "utf8" });
}

test("plan: a --rootfs byte that is not UTF-8 is planned as that byte, not as U+FFFD", () => {
  const r = cliWithRawRootfs("/nonexistent", "a\\377b", ["plan", "--host", "dry-run", "--profile", "runc", "--strategy", "pivot", "--format", "json"]);
  assert.is(r.status, 0, r.stderr);
  const rootfs = (JSON.parse(r.stdout) as { config: { rootfs: string } }).config.rootfs;
  // src/utf8.ts: byte 0xff is U+DCFF in a JS string; U+FFFD would be the bytes EF BF BD on the kernel's side.
  assert.is(JSON.stringify(rootfs), JSON.stringify("/nonexistent/a\udcffb"));
});

nativeTest(test, reason, "run: a --rootfs byte that is not UTF-8 switches into that directory, not into its U+FFFD twin", async () => {
  await withProbeRootfs(async (dir) => {
    const named = Buffer.concat([Buffer.from(`${dir}/a`), Buffer.from([0xff]), Buffer.from("b")]);
    mkdirSync(named);
    copyFileSync(PROBE, Buffer.concat([named, Buffer.from("/probe")]));
    mkdirSync(`${dir}/a\ufffdb`);  // the twin: no probe in it
    for (const [profile, strategy] of [["runc", "pivot"], ["crun", "move"]] as const) {
      const r = cliWithRawRootfs(dir, "a\\377b", ["run", "--profile", profile, "--strategy", strategy, "--", "/probe"]);
      assert.is(r.status, 0, `${profile}/${strategy}: ${r.stderr}`);
      assert.equal(JSON.parse(r.stdout), PROBE_OK);
    }
  });
});

nativeTest(test, reason, "run: a relative rootfs with .. after a symlink is refused as the absolute one is, or names what the kernel reaches", async () => {
  await withProbeRootfs(async (dir) => {
    // link -> real/sub, so the kernel reads link/../plain as real/plain; lexically it is ./plain.
    mkdirSync(`${dir}/real/sub`, { recursive: true });
    mkdirSync(`${dir}/real/plain`);
    copyFileSync(PROBE, `${dir}/real/plain/probe`);
    symlinkSync("real/sub", `${dir}/link`);
    mkdirSync(`${dir}/plain`);  // the lexical twin: no probe in it
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      for (const profile of ["runc", "crun"] as const) {
        let r: Awaited<ReturnType<typeof runProbe>>;
        try {
          r = await runProbe("link/../plain", { profile });
        } catch (e) {
          assert.ok(e instanceof InvalidInputError && /\.\./.test(e.message), String(e));
          continue;
        }
        assert.is.not(r.trace.config.rootfs, join(dir, "plain"), `${profile}: switched into ${r.trace.config.rootfs}, which link/../plain does not name for the kernel`);
        assert.is(r.trace.config.rootfs, join(dir, "real/plain"));
        assert.equal(r.exit, { kind: "exited", status: 0 });
      }
    } finally {
      process.chdir(cwd);
    }
  });
});

test("run: runc's refusal of a symlinked rootfs stays one line when the target has a newline", async () => {
  const scratch = makeRootfs();
  try {
    symlinkSync("a\nb", `${scratch.dir}/link`);
    const r = await cli("run", "--rootfs", `${scratch.dir}/link`, "--profile", "runc", "--", "/probe");
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /invalid rootfs: not an absolute path, or a symlink/);
    assert.is(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
  } finally {
    scratch.cleanup();
  }
});

nativeTest(test, reason, "run: a failed switch's one-line message stays one line when the rootfs has a newline", async () => {
  await withProbeRootfs(async (dir) => {
    mkdirSync(`${dir}/a\nb`);
    const r = await cli("run", "--rootfs", `${dir}/a\nb/missing`, "--profile", "runc", "--strategy", "pivot", "--", "/probe");
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, /no such file or directory/);
    assert.is(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
  });
});

test.run();
