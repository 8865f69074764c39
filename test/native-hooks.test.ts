// run()'s hooks (src/hooks.ts, issue 12): a runtime's own requests between the switch and exec,
// through the same executor, recorded in trace.hooks after the machine's steps, part of the
// prediction. Each case runs for real: hooks that mount in the new root; a proc mount the kernel
// refuses to a rootless executor (predicted, so "hook-failed", not a divergence); a hook whose
// real result leaves the prediction (stopped); and, on a throwaway namespace whose "/" is
// rshared, a hook mount that would propagate into the caller's namespace (refused, nothing run);
// sethostname with a UTS namespace of the executor's own (root, rootless, --hostname).
// Root only; skipped with the reason otherwise.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { fileURLToPath } from "node:url";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../src/run.js";
import { replay } from "../src/replay.js";
import { parseRunTrace } from "../src/trace-schema.js";
import { EIO, MS_NODEV, MS_NOEXEC, MS_NOSUID } from "../src/abi.js";
import { InvalidInputError } from "../src/errors.js";
import type { Hook } from "../src/hooks.js";
import type { AsyncHost } from "../src/hosts/host.js";
import { PROBE, ROOTFS_PREFIX, capture, hostMountinfo, nativeTest, rejects, skipReason, withProbeRootfs } from "./helpers/native-env.js";

const test = suite("run hooks");
const reason = await skipReason("root");
const ROOT = new URL("..", import.meta.url).pathname;
const CHILD = join(ROOT, "test/helpers/hooks-child.ts");
const CLI = fileURLToPath(new URL("../dist/cli/pivotshim.cjs", import.meta.url));

const PROC: Hook = { op: "mount", source: "proc", target: "/proc", filesystemtype: "proc", mountflags: MS_NOSUID | MS_NODEV | MS_NOEXEC, data: null, reason: "the container's /proc" };
const RUN_TMPFS: Hook = { op: "mount", source: "tmpfs", target: "/run", filesystemtype: "tmpfs", mountflags: MS_NOSUID | MS_NODEV, data: "size=1m", reason: "a scratch /run" };

/** The probe's rootfs with the directories the hooks mount on. */
const withRootfs = (fn: (dir: string) => Promise<void>) => withProbeRootfs(fn, ["proc", "run"]);

/** The lines of a final mountinfo with their mount point and fstype: "/proc proc". */
const mounted = (mountinfo: string) => mountinfo.split("\n").filter(Boolean).map((l) => `${l.split(" ")[4]} ${l.split(" - ")[1]!.split(" ")[0]}`);

nativeTest(test, reason, "root: /proc and a /run tmpfs mounted by hooks after the switch, in trace.hooks, numbered on; the trace still replays", () =>
  withRootfs(async (dir) => {
    const { trace, exit } = await run({ rootfs: dir, profile: "runc", strategy: "pivot" }, { command: "/probe", args: ["true"], hooks: [PROC, RUN_TMPFS], final: true });
    assert.equal(exit, { kind: "exited", status: 0 });
    assert.is(trace.outcome.kind, "done");
    const n = trace.steps.length;
    assert.equal(trace.hooks!.map((h) => [h.request.seq, h.request.step, h.request.reason, h.request.op, "ret" in h.result ? h.result.ret : h.result.errnoName]),
      [[n, "hook", "the container's /proc", "mount", 0], [n + 1, "hook", "a scratch /run", "mount", 0]]);
    const table = mounted(trace.final!.mountinfo);
    assert.ok(table.includes("/proc proc") && table.includes("/run tmpfs"), table.join("\n"));
    // The file form loads (hooks are numbered on, step "hook"), and replay keeps to the machine's steps.
    const loaded = parseRunTrace(JSON.parse(JSON.stringify(trace)));
    assert.is(loaded.hooks!.length, 2);
    assert.is(replay(loaded).ok, true, "replay keeps to the machine's steps and ignores the hooks");
  }));

nativeTest(test, reason, "rootless: the executor may not mount proc (its PID namespace is the host's); the model says so too, so exit is hook-failed", () =>
  withRootfs(async (dir) => {
    const { trace, exit } = await run({ rootfs: dir, profile: "runc", strategy: "pivot" }, { command: "/probe", args: ["true"], hooks: [RUN_TMPFS, PROC], rootless: true });
    assert.is(trace.outcome.kind, "done", "not a divergence: the prediction had the same EPERM");
    assert.equal(exit, { kind: "hook-failed", hook: 1, errno: 1, errnoName: "EPERM" });
    assert.equal(trace.hooks!.map((h) => ("errno" in h.result ? h.result.errnoName : h.result.ret)), [0, "EPERM"]);
  }));

nativeTest(test, reason, "a hook result that leaves the prediction stops the run: refused (diverged), nothing exec'd", () =>
  withRootfs(async (dir) => {
    // A wrapper makes the kernel's answer to the hook look like EIO: the model predicted success.
    const host = (ex: AsyncHost): AsyncHost => ({ kind: ex.kind, exec: (req) => (req.step === "hook" ? Promise.resolve({ errno: EIO }) : ex.exec(req)) });
    const { trace, exit } = await run({ rootfs: dir, profile: "runc", strategy: "pivot" }, { command: "/probe", args: ["true"], hooks: [RUN_TMPFS], host: host as never, batch: false });
    assert.equal(exit, { kind: "not-run" });
    assert.is(trace.outcome.kind, "refused");
    if (trace.outcome.kind !== "refused") return;
    assert.is(trace.outcome.reason, "diverged");
    assert.match(trace.outcome.message, /returned -1 EIO where the model predicted 0; a hook's result must be the predicted one/);
    assert.is(trace.hooks!.length, 1, "the hook that ran is recorded as a hook");
    assert.ok(trace.steps.every((s) => s.request.step !== "hook"));
  }));

for (const rootless of [false, true]) {
  nativeTest(test, reason, `${rootless ? "rootless" : "root"}: uts: true and a sethostname hook name the container only; the host keeps its hostname`, () =>
    withRootfs(async (dir) => {
      const before = hostname();
      const out = capture();
      try {
        const { trace, exit } = await run({ rootfs: dir, profile: "runc", strategy: "pivot" },
          { command: "/probe", args: ["hostname"], uts: true, rootless, hooks: [{ op: "sethostname", name: "pivotshim-box" }], stdio: [-1, out.writeFd, -1] });
        out.closeWriteEnd();
        assert.equal(exit, { kind: "exited", status: 0 });
        assert.equal(JSON.parse(await out.text), { hostname: "pivotshim-box" });
        assert.equal(trace.hooks!.map((h) => [h.request.op, "ret" in h.result ? h.result.ret : h.result.errnoName]), [["sethostname", 0]]);
      } finally { out.closeWriteEnd(); }
      assert.is(hostname(), before, "the host's hostname is untouched");
    }));
}

nativeTest(test, reason, "pivotshim run --hostname NAME: the command sees NAME, the host keeps its own", () =>
  withRootfs(async (dir) => {
    const before = hostname();
    const r = spawnSync(process.execPath, [CLI, "run", "--hostname", "cli-box", "--rootfs", dir, "--", "/probe", "hostname"], { encoding: "utf8", timeout: 30_000 });
    assert.is(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout), { hostname: "cli-box" });
    assert.is(hostname(), before);
  }));

test("bad hooks are refused before anything runs, each named", async () => {
  const bad: [unknown, RegExp][] = [
    [[{ op: "mount", target: "/proc" }], /hooks\.0\.source: Invalid input: expected string/],
    [[{ op: "reboot" }], /hooks\.0\.op: unknown op/],
    [[{ ...RUN_TMPFS, seq: 3 }], /hooks\.0: Unrecognized key: "seq"/],
    [Array.from({ length: 65 }, () => RUN_TMPFS), /hooks: at most 64 hooks/],
    // Without a UTS namespace of the executor's own it would rename the host.
    [[{ op: "sethostname", name: "x" }], /hooks\.0: sethostname needs uts: true \(a UTS namespace of the executor's own\); without one it would rename the host/],
  ];
  for (const [hooks, msg] of bad) {
    const e = await rejects(() => run({ rootfs: "/nonexistent-rootfs-for-this-test" }, { command: "/probe", hooks: hooks as Hook[] }), InvalidInputError);
    assert.match(e.message, msg);
  }
});

nativeTest(test, reason, "on a namespace whose / is rshared: a hook mount that would reach the caller is refused before anything runs", async () => {
  const base = mkdtempSync(join(tmpdir(), ROOTFS_PREFIX));
  const before = hostMountinfo();
  try {
    mkdirSync(join(base, "rootfs", "run"), { recursive: true });
    copyFileSync(PROBE, join(base, "rootfs", "probe"));
    // hardened chroot changes no propagation: the executor's copy of "/" stays a peer of the caller's.
    const out = await inChild(join(base, "rootfs"), { profile: "hardened", strategy: "chroot" }, [RUN_TMPFS]);
    assert.is(out.outcome, "refused", JSON.stringify(out));
    assert.is(out.reason, "predicted-damage");
    assert.equal(out.violated, ["host-unchanged"]);
    assert.match(out.message!, /these mounts would appear in the calling namespace:\n {2}\+ .* \S*\/rootfs\/run /);
    assert.equal(out.exit, { kind: "not-run" });
    assert.is(out.unchanged, true, "the caller's table is byte-identical");
    // The same hook after a runc pivot (its "/" made rslave first) harms nothing and runs.
    const fine = await inChild(join(base, "rootfs"), { profile: "runc", strategy: "pivot" }, [RUN_TMPFS]);
    assert.equal([fine.outcome, fine.exit, fine.hooks, fine.unchanged], ["done", { kind: "exited", status: 0 }, 1, true]);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
  assert.is(hostMountinfo(), before);
});

interface ChildOut { outcome: string; reason?: string; violated: string[]; message?: string; exit: unknown; hooks: number; unchanged: boolean }

/** hooks-child.ts in `unshare -m` with "/" made rprivate (no peer of ours), then rshared. */
function inChild(rootfs: string, config: object, hooks: Hook[]): Promise<ChildOut> {
  const script = `set -e; mount --make-rprivate /; mount --make-rshared /
exec "${process.execPath}" --import tsx "${CHILD}" "$1" "$2" "$3"`;
  return new Promise((resolve, reject) => {
    const p = spawn("unshare", ["-m", "--propagation", "unchanged", "sh", "-c", script, "sh", rootfs, JSON.stringify(config), JSON.stringify(hooks)],
      { cwd: ROOT, env: { ...process.env, PIVOTSHIM_HOOKS_CHILD: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    p.stdout.on("data", (d: Buffer) => { out += d; });
    p.stderr.on("data", (d: Buffer) => { err += d; });
    p.on("error", reject);
    p.on("close", (code) => {
      try { resolve(JSON.parse(out.trim().split("\n").pop()!) as ChildOut); } catch { reject(new Error(`hooks-child exited ${code}: ${err}${out}`)); }
    });
  });
}

test.run();
