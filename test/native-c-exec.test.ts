// pivotshim-exec, the static executor without Node, on the real kernel. Each run is started under
// `unshare -m --propagation private`, so the namespace it spares is itself a throwaway copy, and
// the verified plans (--expect) are made in that same namespace, as a user would make them in
// theirs. The command is the static probe (build/probe/probe): it reports cwd, whether / is the
// rootfs, its fds and ids.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, release, tmpdir } from "node:os";
import { join } from "node:path";
import { NOBODY, nobodyReason } from "./helpers/nobody.js";
import { cProgram } from "./helpers/c-dir.js";
import { parseRunTrace, parseTraceText } from "../src/trace-schema.js";

const EXEC = cProgram("pivotshim-exec");
const CLI = new URL("../dist/cli/pivotshim.cjs", import.meta.url).pathname;
const PROBE = new URL("../build/probe/probe", import.meta.url).pathname;
const why = process.geteuid?.() !== 0 ? "not root: the switch needs CAP_SYS_ADMIN (rootless is tested from root as nobody)"
  : !existsSync(EXEC) ? "build/c/pivotshim-exec is not built: install wasm2c (apt-get install wabt), then npm run build:c"
  : !existsSync(PROBE) ? "build/probe/probe is not built (npm run build:native)"
  : spawnSync("unshare", ["--version"]).status !== 0 ? "unshare(1) is not installed" : null;

const base = mkdtempSync(join(tmpdir(), "pivotshim-c-exec-"));
chmodSync(base, 0o755);
test.after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
function rootfs(): string {
  const d = join(base, `r${n++}`);
  mkdirSync(d);
  chmodSync(d, 0o755);
  copyFileSync(PROBE, join(d, "probe"));
  chmodSync(join(d, "probe"), 0o755);
  return d;
}

/** A shell script run in a throwaway namespace; its stdout, stderr and status. */
function inThrowaway(script: string, opts: { stdio?: ("pipe" | "ignore")[] } = {}) {
  const r = spawnSync("unshare", ["-m", "--propagation", "private", "sh", "-c", script], { encoding: "utf8", timeout: 60_000, env: { ...process.env, LD_PRELOAD: "" }, stdio: opts.stdio ?? "pipe" });
  return { out: r.stdout ?? "", err: r.stderr ?? "", status: r.status };
}
const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
const exec = (args: string[]) => [EXEC, ...args].map(q).join(" ");
const plan = (args: string[], trace: string) => `${q(process.execPath)} ${q(CLI)} plan --mountinfo /proc/self/mountinfo --trace-out ${q(trace)} ${args.map(q).join(" ")} >/dev/null`;
const probeSays = (out: string) => JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as { cwd: string; rootIsRoot: boolean; fds: number[]; uid: number };

if (why) {
  console.error(`SKIP native pivotshim-exec: ${why}`);
  test.skip("native pivotshim-exec");
} else {
  for (const profile of ["hardened", "runc", "runc-1.1", "crun"]) for (const strategy of ["pivot", "chroot"]) {
    test(`${profile} ${strategy}: the command runs at / of the rootfs with fds 0-2 only, and its exit status is pivotshim-exec's`, () => {
      const dir = rootfs();
      const before = readFileSync("/proc/self/mountinfo", "utf8");
      const r = inThrowaway(exec(["--rootfs", dir, "--profile", profile, "--strategy", strategy, "--", "/probe"]) + " 7>/dev/null");
      assert.is(r.status, 0, r.err);
      assert.equal(probeSays(r.out), { cwd: "/", rootIsRoot: true, fds: [0, 1, 2], uid: 0, gid: 0 });
      assert.is(readFileSync("/proc/self/mountinfo", "utf8"), before);
      const seven = inThrowaway(exec(["--rootfs", dir, "--profile", profile, "--strategy", strategy, "--", "/probe", "exit", "7"]));
      assert.is(seven.status, 7, seven.err);
    });
  }

  test("move and auto need a verified plan: refused without one (exit 2), run with --no-verify or --expect", () => {
    const dir = rootfs();
    for (const strategy of ["move", "auto"]) {
      const r = inThrowaway(exec(["--rootfs", dir, "--strategy", strategy, "--", "/probe"]));
      assert.is(r.status, 2);
      assert.is(r.err, `pivotshim-exec: refused: --strategy ${strategy} can harm the caller's namespace (docs/verify.md); give a verified plan with --expect TRACE, or --no-verify\n`);
      assert.is(r.out, "", "nothing ran");
      const nv = inThrowaway(exec(["--rootfs", dir, "--strategy", strategy, "--no-verify", "--", "/probe"]));
      assert.is(nv.status, 0, nv.err);
      const trace = join(base, `t${n++}.json`);
      const ex = inThrowaway(`${plan(["--rootfs", dir, "--strategy", strategy], trace)} && ${exec(["--rootfs", dir, "--strategy", strategy, "--expect", trace, "--", "/probe"])}`);
      assert.is(ex.status, 0, ex.err);
      assert.equal(probeSays(ex.out).cwd, "/");
    }
  });

  test("--expect refuses what is not a verified plan of this config, before anything acts", () => {
    const dir = rootfs();
    const trace = join(base, `t${n++}.json`);
    const made = inThrowaway(plan(["--rootfs", dir, "--strategy", "move"], trace));
    assert.is(made.status, 0, made.err);
    const t = JSON.parse(readFileSync(trace, "utf8"));
    const write = (name: string, v: unknown) => { const f = join(base, name); writeFileSync(f, typeof v === "string" ? v : JSON.stringify(v)); return f; };
    const cases: [string, string, number, RegExp][] = [
      ["another strategy", trace, 2, /planned for rootfs .*, profile hardened, strategy move; these options differ/],
      ["a violated invariant", write("violated.json", { ...t, verdicts: [{ id: "host-unchanged", held: false }] }), 1, /^pivotshim-exec: refused: .*invariant host-unchanged violated/],
      ["no verdicts", write("old.json", { ...t, verdicts: undefined }), 2, /has no verdicts/],
      ["a dry-run trace", write("dry.json", { ...t, source: { host: "dry-run" } }), 2, /written by the dry-run host, not the fake kernel/],
      ["a failed plan", write("failed.json", { ...t, outcome: { kind: "failed" } }), 1, /ends failed, not done/],
      ["a plan with injected faults", write("faults.json", { ...t, source: { ...t.source, faults: ["umount2=EBUSY"] } }), 2, /has injected faults \(--fail\)/],
      ["not JSON", write("bad.json", '{"version": 1, "steps": [}'), 2, /not a trace: expected an object at byte 25/],
      ["a missing file", join(base, "none.json"), 2, /none\.json: No such file or directory/],
    ];
    for (const [what, file, code, msg] of cases) {
      const strategy = what === "another strategy" ? "pivot" : "move";
      const r = inThrowaway(exec(["--rootfs", dir, "--strategy", strategy, "--expect", file, "--", "/probe"]));
      assert.is(r.status, code, `${what}: ${r.err}`);
      assert.match(r.err, msg, what);
      assert.is(r.out, "", `${what}: nothing ran`);
    }
  });

  test("a result that leaves the verified plan stops the switch there: exit 1, the command never runs", () => {
    const dir = rootfs();
    const trace = join(base, `t${n++}.json`);
    // The plan is made for a table where the first unmount of the parent walk succeeds; here it is EINVAL.
    const made = inThrowaway(plan(["--rootfs", dir, "--strategy", "pivot", "--profile", "runc"], trace));
    assert.is(made.status, 0, made.err);
    const t = JSON.parse(readFileSync(trace, "utf8"));
    const at = t.steps.findIndex((s: { result: { errno?: number } }) => s.result.errno === 22);
    assert.ok(at > 0, "the plan has an EINVAL to doctor");
    t.steps[at].result = { ret: 0 };
    const doctored = join(base, "doctored.json");
    writeFileSync(doctored, JSON.stringify(t));
    const out = join(base, `t${n++}.json`);
    const r = inThrowaway(exec(["--rootfs", dir, "--strategy", "pivot", "--profile", "runc", "--expect", doctored, "--trace-out", out, "--", "/probe"]));
    assert.is(r.status, 1, r.err);
    assert.is(r.err, `pivotshim-exec: stopped: the result of request ${at} left the verified plan (--expect ${doctored}); nothing after it ran\n`);
    assert.is(r.out, "");
    // Its trace says so, as run's does: refused, diverged at that request, the steps up to it.
    const written = parseRunTrace(JSON.parse(readFileSync(out, "utf8")));
    assert.equal(written.outcome, { kind: "refused", reason: "diverged", message: r.err.slice("pivotshim-exec: ".length, -1), note: "", violated: [], seq: at });
    assert.is(written.steps.length, at + 1);
  });

  for (const profile of ["hardened", "runc", "runc-1.1", "crun"]) {
    test(`--trace-out (${profile}): the trace run --trace-out writes for the same switch, and it replays identical`, () => {
      const dir = rootfs();
      const [mine, runs] = [join(base, `t${n++}.json`), join(base, `t${n++}.json`)];
      // pivotshim run loads the addon: under the sanitizer stage it is the ASan build, which needs
      // the stage's LD_PRELOAD back (inThrowaway clears it for the plain C programs).
      const node = `LD_PRELOAD=${q(process.env.LD_PRELOAD ?? "")} ${q(process.execPath)} ${q(CLI)}`;
      const r = inThrowaway(`${exec(["--rootfs", dir, "--strategy", "pivot", "--profile", profile, "--trace-out", mine, "--", "/probe"])} && ${node} run --rootfs ${q(dir)} --strategy pivot --profile ${profile} --trace-out ${q(runs)} -- /probe true`);
      assert.is(r.status, 0, r.err);
      assert.equal(probeSays(r.out.split("\n")[0]!).fds, [0, 1, 2], "the trace file is not the command's");
      // Mount ids (so read sizes) differ between two namespaces: reads by kind; the sources differ.
      const shape = (t: ReturnType<typeof parseTraceText>) => ({ config: t.config, outcome: t.outcome, steps: t.steps.map((s) => (s.request.op === "read"
        ? { request: { ...s.request, count: 0 }, result: "ret" in s.result && s.result.ret > 0 ? "data" : "eof" } : s)) });
      const a = parseTraceText(readFileSync(mine, "utf8"));
      assert.equal(a.source, { host: "native", kernel: release(), note: "pivotshim-exec" });
      assert.equal(shape(a), shape(parseTraceText(readFileSync(runs, "utf8"))));
      const replayed = spawnSync(process.execPath, [CLI, "replay", mine], { encoding: "utf8" });
      assert.is(replayed.status, 0, replayed.stderr);
      assert.match(replayed.stdout, /^replayed \d+ requests: identical$/m);
    });
  }

  test("--trace-out that cannot be written: exit 2 before anything acts", () => {
    const dir = rootfs();
    for (const [where, why] of [[base, "Is a directory"], [join(base, "missing", "t.json"), "its directory: No such file or directory"]] as const) {
      const r = inThrowaway(exec(["--rootfs", dir, "--strategy", "pivot", "--trace-out", where, "--", "/probe"]));
      assert.equal([r.status, r.err, r.out], [2, `pivotshim-exec: --trace-out ${where}: ${why}\n`, ""]);
    }
  });

  test("exit codes: usage 2, not found 127, not executable 126", () => {
    const dir = rootfs();
    writeFileSync(join(dir, "data"), "not a program");
    const cases: [string[], number, RegExp][] = [
      [["--rootfs", dir, "--profile", "podman", "--", "/probe"], 2, /--profile podman: expected hardened, runc, runc-1\.1 or crun/],
      [["--rootfs", "rel", "--", "/probe"], 2, /--rootfs rel: expected an absolute path/],
      [["--rootfs", dir], 2, /no command/],
      [["--rootfs", dir, "--strategy", "pivot", "--", "/nope"], 127, /\/nope: No such file or directory/],
      [["--rootfs", dir, "--strategy", "pivot", "--", "/data"], 126, /\/data: Permission denied/],
      [["--rootfs", dir + "/", "--strategy", "pivot", "--", "/probe"], 2, /invalid config: rootfs must not end with/],
      // run's pre-check, the same words (src/run-input.ts): a rootfs on a pseudo-filesystem.
      [["--rootfs", "/proc/1/root", "--strategy", "pivot", "--", "/probe"], 2, /^pivotshim-exec: rootfs \/proc\/1\/root lies below \/proc, which is on proc \(statfs f_type 0x9fa0\), a pseudo-filesystem of the kernel/],
      [["--rootfs", "/sys", "--strategy", "pivot", "--", "/probe"], 2, /^pivotshim-exec: rootfs \/sys is on sysfs/],
    ];
    for (const [args, code, msg] of cases) {
      const r = inThrowaway(exec(args));
      assert.is(r.status, code, `${args.join(" ")}: ${r.err}`);
      assert.match(r.err, msg);
    }
  });

  test("--hostname: a UTS namespace of its own, its name set after the switch; the host keeps its own", () => {
    const dir = rootfs();
    const host = hostname();
    const r = inThrowaway(exec(["--rootfs", dir, "--strategy", "pivot", "--hostname", "box", "--", "/probe", "hostname"]));
    assert.is(r.status, 0, r.err);
    assert.equal(probeSays(r.out), { hostname: "box" });
    assert.is(hostname(), host);
  });

  test("--pid-ns: the command is PID 1 of a new PID namespace, and its exit status is pivotshim-exec's", () => {
    const dir = rootfs();
    const r = inThrowaway(exec(["--rootfs", dir, "--strategy", "pivot", "--pid-ns", "--", "/probe", "pid"]));
    assert.is(r.status, 0, r.err);
    assert.equal(probeSays(r.out), { pid: 1, ppid: 0 });
    assert.is(inThrowaway(exec(["--rootfs", dir, "--strategy", "pivot", "--pid-ns", "--", "/probe", "exit", "7"])).status, 7);
    const missing = inThrowaway(exec(["--rootfs", dir, "--strategy", "pivot", "--pid-ns", "--", "/nope"]));
    assert.equal([missing.status, missing.err], [127, "pivotshim-exec: /nope: No such file or directory\n"], "the child's exec failure is the exit status");
  });

  test("--deadline: a command past it is killed and reaped, exit 124 as run's; one that ends in time keeps its status", () => {
    const dir = rootfs();
    const late = inThrowaway(exec(["--rootfs", dir, "--strategy", "pivot", "--deadline", "200", "--", "/probe", "sleep", "60000"]));
    assert.equal([late.status, late.err], [124, "pivotshim-exec: the command ran past --deadline 200 ms: killed (SIGKILL)\n"]);
    const ok = inThrowaway(exec(["--rootfs", dir, "--strategy", "pivot", "--deadline", "60000", "--", "/probe", "exit", "9"]));
    assert.is(ok.status, 9, ok.err);
    for (const [v, code] of [["0", 2], ["abc", 2], ["2147483648", 2], ["12ms", 2]] as const) {
      const bad = inThrowaway(exec(["--rootfs", dir, "--strategy", "pivot", "--deadline", v, "--", "/probe"]));
      assert.equal([bad.status, bad.err, bad.out], [code, `pivotshim-exec: --deadline ${v}: expected a whole number of milliseconds from 1 to 2147483647\n`, ""]);
    }
    for (const name of ["", "x".repeat(65)]) {
      const bad = inThrowaway(exec(["--rootfs", dir, "--strategy", "pivot", "--hostname", name, "--", "/probe"]));
      assert.equal([bad.status, bad.err], [2, `pivotshim-exec: --hostname ${name}: expected 1 to 64 bytes (HOST_NAME_MAX)\n`]);
    }
  });

  const nb = nobodyReason();
  (nb ? test.skip : test)("rootless, as nobody: uid 0 inside, the switch, fds 0-2", () => {
    const dir = rootfs();
    const r = spawnSync("setpriv", [...NOBODY, EXEC, "--rootless", "--rootfs", dir, "--strategy", "pivot", "--", "/probe"], { encoding: "utf8", env: { ...process.env, LD_PRELOAD: "" } });
    assert.is(r.status, 0, r.stderr);
    assert.equal(probeSays(r.stdout), { cwd: "/", rootIsRoot: true, fds: [0, 1, 2], uid: 0, gid: 0 });
  });
  if (nb) console.error(`SKIP rootless pivotshim-exec as nobody: ${nb}`);
}

test.run();
