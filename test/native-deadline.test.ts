// run()'s two limits and its AbortSignal (issue 12): `timeoutMs` bounds each request of the switch,
// `deadlineMs` bounds the command from its exec; an AbortSignal stops the run at any point. The
// executor and the command are always killed and reaped, and the host's table never changes.
// The exit is a tagged union (RunExit). Root only; skipped with the reason otherwise.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { run, RunAbortedError, type RunSpec } from "../src/run.js";
import { InvalidInputError } from "../src/errors.js";
import type { Executor } from "../src/hosts/native.js";
import type { AsyncHost } from "../src/hosts/host.js";
import { nativeTest, rejects, skipReason, withProbeRootfs } from "./helpers/native-env.js";
import { childrenOf, until } from "./helpers/native-proc.js";

const test = suite("run deadlines and abort");
const reason = await skipReason("root");
const config = { profile: "runc", strategy: "pivot" } as const;
const sleep = (ms: number) => ({ command: "/probe", args: ["sleep", String(ms)] });
const CLI = fileURLToPath(new URL("../dist/cli/pivotshim.cjs", import.meta.url));

/** Children of ours running the probe (the executor exec'd it): none may outlive a run. */
const probes = () => childrenOf().filter((c) => c.comm === "probe");

nativeTest(test, reason, "deadlineMs: a command still running at its deadline is killed, exit { kind: 'deadline' }", () =>
  withProbeRootfs(async (dir) => {
    const { trace, exit } = await run({ ...config, rootfs: dir }, { ...sleep(20_000), deadlineMs: 300 });
    assert.is(trace.outcome.kind, "done");
    assert.equal(exit, { kind: "deadline", deadlineMs: 300, signal: "SIGKILL" });
    assert.equal(probes(), []);
  }));

nativeTest(test, reason, "deadlineMs: a command that ends first keeps its own status", () =>
  withProbeRootfs(async (dir) => {
    const { exit } = await run({ ...config, rootfs: dir }, { command: "/probe", args: ["exit", "7"], deadlineMs: 20_000 });
    assert.equal(exit, { kind: "exited", status: 7 });
  }));

nativeTest(test, reason, "timeoutMs bounds each request of the switch, not the command: a 600 ms command outlives a 200 ms timeout", () =>
  withProbeRootfs(async (dir) => {
    const { exit } = await run({ ...config, rootfs: dir }, { ...sleep(600), timeoutMs: 200 });
    assert.equal(exit, { kind: "exited", status: 0 });
  }));

nativeTest(test, reason, "the other kinds: a signal, an exec that fails, a switch that fails", () =>
  withProbeRootfs(async (dir) => {
    const ac = new AbortController();
    let pid = -1;
    // SIGTERM the command from outside: exit { kind: "signaled" }.
    const p = run({ ...config, rootfs: dir }, { ...sleep(20_000), host: (ex) => { pid = ex.pid; return ex; }, signal: ac.signal });
    assert.ok(await until(() => probes().some((c) => c.pid === pid)), "the command started");
    process.kill(pid, "SIGTERM");
    assert.equal((await p).exit, { kind: "signaled", signal: "SIGTERM" });
    assert.equal((await run({ ...config, rootfs: dir }, { command: "/nonexistent" })).exit, { kind: "exec-failed", errno: 2, errnoName: "ENOENT" });
    const failed = await run({ ...config, rootfs: `${dir}/missing` }, { command: "/probe" });
    assert.equal(failed.exit, { kind: "not-run" });
    assert.is(failed.trace.outcome.kind, "failed");
  }));

nativeTest(test, reason, "signal: aborted before the call, nothing is spawned; the rejection is an AbortError naming the reason", () =>
  withProbeRootfs(async (dir) => {
    const ours = () => childrenOf().filter((c) => c.comm !== "esbuild").length;
    const before = ours();
    const e = await rejects(() => run({ ...config, rootfs: dir }, { command: "/probe", signal: AbortSignal.abort(new Error("shutting down")) }), RunAbortedError);
    assert.is(e.name, "AbortError");
    assert.match(e.message, /run aborted: shutting down/);
    assert.is(ours(), before);
  }));

nativeTest(test, reason, "signal: aborted while the command runs, the command is killed and reaped before run() rejects", () =>
  withProbeRootfs(async (dir) => {
    const ac = new AbortController();
    let pid = -1;
    const p = run({ ...config, rootfs: dir }, { ...sleep(20_000), host: (ex) => { pid = ex.pid; return ex; }, signal: ac.signal });
    assert.ok(await until(() => probes().some((c) => c.pid === pid)), "the command started");
    ac.abort();
    const e = await rejects(() => p, RunAbortedError);
    assert.is((e as RunAbortedError).code, "ABORT_ERR");
    assert.equal(childrenOf().filter((c) => c.pid === pid), [], "the command is gone, reaped");
  }));

nativeTest(test, reason, "signal: aborted in the middle of the switch, the executor is killed and reaped before run() rejects", () =>
  withProbeRootfs(async (dir) => {
    const ac = new AbortController();
    let pid = -1;
    // Abort at the fourth request: the executor is killed while the request is in flight.
    const host = (ex: Executor): AsyncHost => (pid = ex.pid, { kind: ex.kind, exec: (req) => { if (req.seq === 3) ac.abort("stop"); return ex.exec(req); } });
    const e = await rejects(() => run({ ...config, rootfs: dir }, { command: "/probe", host, batch: false, signal: ac.signal }), RunAbortedError);
    assert.match(e.message, /run aborted: stop/);
    assert.equal(childrenOf().filter((c) => c.pid === pid), []);
  }));

test("bad limits and signals are refused before anything runs, each named", async () => {
  const bad: [Partial<RunSpec>, RegExp][] = [
    [{ deadlineMs: 0 }, /deadlineMs: must be at least 1 ms/],
    [{ deadlineMs: 2 ** 31 }, /deadlineMs: must be at most 2147483647 ms/],
    [{ deadlineMs: 1.5 }, /deadlineMs: must be a whole number/],
    [{ signal: "stop" as unknown as AbortSignal }, /signal: must be an AbortSignal/],
  ];
  for (const [spec, msg] of bad) {
    const e = await rejects(() => run({ rootfs: "/nonexistent-rootfs-for-this-test" }, { command: "/probe", ...spec }), InvalidInputError);
    assert.match(e.message, msg);
  }
});

nativeTest(test, reason, "pivotshim run --deadline: exit 124 and one line; a bad value is exit 2", () =>
  withProbeRootfs(async (dir) => {
    const late = spawnSync(process.execPath, [CLI, "run", "--rootfs", dir, "--deadline", "300", "--", "/probe", "sleep", "20000"], { encoding: "utf8", timeout: 30_000 });
    assert.is(late.status, 124, late.stderr);
    assert.match(late.stderr, /pivotshim: "\/probe" was still running at --deadline 300 ms: killed with SIGKILL/);
    const bad = spawnSync(process.execPath, [CLI, "run", "--rootfs", dir, "--deadline", "soon", "--", "/probe"], { encoding: "utf8", timeout: 30_000 });
    assert.is(bad.status, 2);
    assert.match(bad.stderr, /--deadline must be a positive number of milliseconds, got "soon"/);
  }));

test.run();
