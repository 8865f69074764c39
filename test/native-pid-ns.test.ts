// run({ pidNamespace: true }) / run --pid-ns (issue 12): the command is PID 1 of a new PID
// namespace and the executor stays outside as its minimal init: it forwards the signals a process
// sends it, reaps what the namespace leaves, ends as the command did, and takes the command with it
// when it is killed. Root and rootless. Which configs let the command mount its own /proc is the
// kernel's answer, kept here as a table. Root only; skipped with the reason otherwise.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { run, RunAbortedError, type RunSpec } from "../src/run.js";
import { loadAddon } from "../src/hosts/native.js";
import { nativeTest, rejects, skipReason, withProbeRootfs } from "./helpers/native-env.js";
import { until } from "./helpers/native-proc.js";

const test = suite("run in a PID namespace");
const reason = await skipReason("root");
const CLI = fileURLToPath(new URL("../dist/cli/pivotshim.cjs", import.meta.url));

/** Pids of every process on the machine whose command line is exactly `argv` (ours are unique). */
function running(argv: string[]): number[] {
  const want = argv.join("\0") + "\0";
  return readdirSync("/proc").filter((n) => /^\d+$/.test(n)).filter((n) => {
    try { return readFileSync(`/proc/${n}/cmdline`, "latin1") === want; } catch { return false; }
  }).map(Number);
}

/**
 * A command line no other run of this file has at the same time: these tests find their command by
 * its argv, and a second run of the suite (CI beside a mutation run, say) starts the same commands.
 * Its sleep, in ms, is the base plus this process's pid modulo 100000.
 */
const tag = (base: number): string => String(base + (process.pid % 100_000));

/** The ppid chain of a process, itself first (empty once it is gone). */
function ancestry(pid: number): number[] {
  const chain: number[] = [];
  for (let p = pid; p > 1 && chain.length < 64; ) {
    chain.push(p);
    try { p = Number(/^\d+ \(.*\) \S (\d+)/s.exec(readFileSync(`/proc/${p}/stat`, "latin1"))![1]); } catch { return chain; }
  }
  return chain;
}

/**
 * The processes with this argv below `root` (an executor's pid): another test run on the same
 * machine starts the same commands, and a match of theirs is no sign of this run's (a CI run
 * beside npm run stress-ci saw "kill ESRCH": the other run's command matched before this run's
 * executor was known).
 */
const runningUnder = (root: number, argv: string[]): number[] => (root > 0 ? running(argv).filter((p) => ancestry(p).includes(root)) : []);

/** The process has a handler for SIGTERM (SigCgt in /proc/<pid>/status): signalling earlier races its start. */
function catchesTerm(pid: number): boolean {
  try {
    const m = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m !== null && (BigInt(`0x${m[1]}`) & (1n << 14n)) !== 0n;
  } catch { return false; }
}

/** run() with the command's stdout captured through a pipe. */
async function captured(rootfs: string, config: object, spec: Omit<RunSpec, "stdio">): Promise<{ exit: unknown; out: string }> {
  const addon = loadAddon();
  const fds = addon.pipe();
  if (!Array.isArray(fds)) throw new Error(`pipe2: errno ${fds.errno}`);
  const [r, w] = fds;
  try {
    const { exit } = await run({ rootfs, ...config }, { ...spec, stdio: [-1, w, -1] });
    addon.closeFd(w);
    return { exit, out: readFileSync(r, "utf8").trim() };
  } finally {
    addon.closeFd(r);
    addon.closeFd(w);
  }
}

for (const rootless of [false, true]) {
  nativeTest(test, reason, `${rootless ? "rootless" : "root"}: the command is PID 1 (its parent outside the namespace: ppid 0), and exits as itself`, () =>
    withProbeRootfs(async (dir) => {
      const c = await captured(dir, { profile: "runc", strategy: "pivot" }, { command: "/probe", args: ["pid"], pidNamespace: true, rootless });
      assert.equal(c.exit, { kind: "exited", status: 0 });
      assert.equal(JSON.parse(c.out), { pid: 1, ppid: 0 });
      const plain = await captured(dir, { profile: "runc", strategy: "pivot" }, { command: "/probe", args: ["pid"], rootless });
      assert.is.not(JSON.parse(plain.out).pid, 1, "without pidNamespace the command keeps a pid of this namespace");
      assert.equal((await run({ rootfs: dir }, { command: "/probe", args: ["exit", "9"], pidNamespace: true, rootless })).exit, { kind: "exited", status: 9 });
      // A PATH search: the first entry fails and the same PID 1 tries the next (a fresh fork would get ENOMEM).
      const searched = await run({ rootfs: dir }, { command: "probe", args: ["exit", "4"], env: ["PATH=/nowhere:/"], pidNamespace: true, rootless });
      assert.equal(searched.exit, { kind: "exited", status: 4 });
      assert.equal((await run({ rootfs: dir }, { command: "/nonexistent", pidNamespace: true, rootless })).exit, { kind: "exec-failed", errno: 2, errnoName: "ENOENT" });
    }));

  nativeTest(test, reason, `${rootless ? "rootless" : "root"}: what the namespace leaves is reaped: an orphan sleeping 61 s does not hold the run`, () =>
    withProbeRootfs(async (dir) => {
      // The orphan is killed with the namespace when PID 1 ends; the executor (a subreaper) reaps it.
      // Had the executor waited for it, the deadline would end the run instead.
      const { exit } = await run({ rootfs: dir }, { command: "/probe", args: ["orphan", tag(61000)], pidNamespace: true, rootless, deadlineMs: 30_000 });
      assert.equal(exit, { kind: "exited", status: 0 });
      // The orphan's argv is the probe's execl, "probe sleep MS" (not "/probe": matched that way,
      // an orphan left alive without a PID namespace passed), and until that execl it is still the
      // fork of "/probe orphan MS" (checked too: else the first poll could come before the exec).
      const orphans = () => [...running(["probe", "sleep", tag(61000)]), ...running(["/probe", "orphan", tag(61000)])];
      assert.ok(await until(() => orphans().length === 0), "the orphan is gone");
    }));

  nativeTest(test, reason, `${rootless ? "rootless" : "root"}: SIGTERM sent to the executor reaches the command; a PID 1 without a handler ignores it`, () =>
    withProbeRootfs(async (dir) => {
      let pid = -1;
      const host: RunSpec["host"] = (ex) => { pid = ex.pid; return ex; };
      const handled = run({ rootfs: dir }, { command: "/probe", args: ["term-sleep", tag(62000)], pidNamespace: true, rootless, host });
      assert.ok(await until(() => runningUnder(pid, ["/probe", "term-sleep", tag(62000)]).some(catchesTerm)), "the command started and handles SIGTERM");
      process.kill(pid, "SIGTERM");
      assert.equal((await handled).exit, { kind: "exited", status: 143 }, "forwarded: its handler exits 143");
      // No handler: the kernel drops SIGTERM for a PID 1 (pid_namespaces(7)); the deadline ends it.
      pid = -1;
      const ignored = run({ rootfs: dir }, { command: "/probe", args: ["sleep", tag(63000)], pidNamespace: true, rootless, host, deadlineMs: 1500 });
      assert.ok(await until(() => runningUnder(pid, ["/probe", "sleep", tag(63000)]).length === 1), "the command started");
      process.kill(pid, "SIGTERM");
      assert.equal((await ignored).exit, { kind: "deadline", deadlineMs: 1500, signal: "SIGKILL" });
      assert.ok(await until(() => running(["/probe", "sleep", tag(63000)]).length === 0), "killed with the executor (PR_SET_PDEATHSIG)");
    }));

  nativeTest(test, reason, `${rootless ? "rootless" : "root"}: an abort kills the executor, and the command dies with it`, () =>
    withProbeRootfs(async (dir) => {
      const ac = new AbortController();
      const p = run({ rootfs: dir }, { command: "/probe", args: ["sleep", tag(64000)], pidNamespace: true, rootless, signal: ac.signal });
      assert.ok(await until(() => running(["/probe", "sleep", tag(64000)]).length === 1), "the command started");
      ac.abort();
      await rejects(() => p, RunAbortedError);
      assert.ok(await until(() => running(["/probe", "sleep", tag(64000)]).length === 0), "PR_SET_PDEATHSIG took the command");
    }));
}

// mount("proc", "/proc"): the kernel allows it in a user namespace only with a PID namespace that
// namespace owns, and only while a proc mount is still fully visible in the mount namespace
// (mount_too_revealing): after a pivot the old root and its /proc are detached, so EPERM.
const MOUNT_PROC: [string, boolean, boolean, object, number][] = [
  ["root, runc pivot", false, false, { profile: "runc", strategy: "pivot" }, 0],
  ["root, runc pivot, PID ns", false, true, { profile: "runc", strategy: "pivot" }, 0],
  ["rootless, runc pivot", true, false, { profile: "runc", strategy: "pivot" }, 1],
  ["rootless, runc pivot, PID ns", true, true, { profile: "runc", strategy: "pivot" }, 1],
  ["rootless, hardened pivot, PID ns", true, true, { profile: "hardened", strategy: "pivot" }, 1],
  ["rootless, crun move", true, false, { profile: "crun", strategy: "move" }, 1],
  ["rootless, crun move, PID ns", true, true, { profile: "crun", strategy: "move" }, 0],
  ["rootless, hardened chroot, PID ns", true, true, { profile: "hardened", strategy: "chroot" }, 0],
];

nativeTest(test, reason, "who may mount its own /proc: the kernel's answer per config (0, or EPERM = 1)", () =>
  withProbeRootfs(async (dir) => {
    const got = [];
    for (const [name, rootless, pidNamespace, config] of MOUNT_PROC) {
      const c = await captured(dir, config, { command: "/probe", args: ["mount-proc"], rootless, pidNamespace });
      got.push([name, JSON.parse(c.out).mount as number]);
    }
    assert.equal(got, MOUNT_PROC.map(([name, , , , want]) => [name, want]));
  }));

nativeTest(test, reason, "pivotshim run --pid-ns: the probe is PID 1; SIGTERM to pivotshim reaches it, exit 143", () =>
  withProbeRootfs(async (dir) => {
    const r = spawnSync(process.execPath, [CLI, "run", "--pid-ns", "--rootfs", dir, "--", "/probe", "pid"], { encoding: "utf8", timeout: 30_000 });
    assert.is(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout), { pid: 1, ppid: 0 });
    const child = spawn(process.execPath, [CLI, "run", "--pid-ns", "--rootfs", dir, "--", "/probe", "term-sleep", tag(65000)], { stdio: "ignore" });
    const code = new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    assert.ok(await until(() => running(["/probe", "term-sleep", tag(65000)]).some(catchesTerm)), "the command started and handles SIGTERM");
    child.kill("SIGTERM");
    assert.is(await code, 143);
  }));

test.run();
