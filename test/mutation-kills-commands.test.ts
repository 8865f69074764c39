// Golden exit codes and messages of the command line's error handling (src/commands/exit.ts,
// failure.ts, load-error.ts, trace-out.ts, run.ts), written for the mutants Stryker left alive
// (docs/mutation.md, "Triage: src/commands/"). The rules (README, `pivotshim --help`): bad input
// exits 2 with one line naming what and where; the environment (a resource running out) exits 3;
// anything else reaching the top is a bug, exit 70, one line. Run in process, on the sources, so a
// Stryker run of src/commands sees them without spawning the CLI.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { EXIT } from "../src/commands/exit.js";
import { exitCodeOfError, bugMessage, isSystemError } from "../src/commands/failure.js";
import { loadErrorCode, openFileLimit } from "../src/commands/load-error.js";
import { openTraceOut, withTraceOut } from "../src/commands/trace-out.js";
import { cli } from "./helpers/cli-in-process.js";
import { InvalidInputError, EnvironmentError, ProtocolError, PivotshimError } from "../src/errors.js";
import type { Trace } from "../src/trace.js";

// NO_COLOR for this file's tests only: uvu runs every test file in one process, and a setting
// left at the top level reached the other files' CLI children (test/colour.test.ts lost its colours).
const hadNoColor = process.env.NO_COLOR;
test.before.each(() => { process.env.NO_COLOR = "1"; });
test.after.each(() => { if (hadNoColor === undefined) delete process.env.NO_COLOR; else process.env.NO_COLOR = hadNoColor; });
const dir = mkdtempSync(join(tmpdir(), "pivotshim-kills-commands-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** The OS error a real call throws (Node's SystemError: code, errno, syscall, path). */
function osError(fn: () => unknown): Error {
  try { fn(); } catch (e) { return e as Error; }
  throw new Error("the call did not fail");
}
/** A system error as Node makes them, for errnos this machine cannot be made to produce. */
const sysError = (code: string, syscall: string, path?: string) =>
  Object.assign(new Error(`${code}: ${syscall}${path ? ` '${path}'` : ""}`), { code, errno: -1, syscall, ...(path !== undefined ? { path } : {}) });
const BUG = (what: string) => `internal error (a bug in pivotshim, please report it): ${what} (run with PIVOTSHIM_DEBUG=1 for the stack)`;

// --- exit.ts ----------------------------------------------------------------------------------------

test("the documented exit codes (pivotshim --help): 0 ok, 1 failed, 2 usage, 3 environment, 70 a bug", () => {
  assert.equal({ ...EXIT }, { ok: 0, failed: 1, usage: 2, environment: 3, bug: 70 });
});

// --- failure.ts -------------------------------------------------------------------------------------

test("pivotshim's own errors: input 2, environment 3, any other failure 1 with its code", () => {
  assert.equal(exitCodeOfError(new InvalidInputError("invalid config:\n  rootfs: x"), []), { code: 2, message: "invalid config:\n  rootfs: x" });
  assert.equal(exitCodeOfError(new EnvironmentError("no user namespaces here"), []), { code: 3, message: "no user namespaces here" });
  assert.equal(exitCodeOfError(new ProtocolError("answered twice"), []), { code: 1, message: "E_PROTOCOL: answered twice" });
  assert.equal(exitCodeOfError(new PivotshimError("E_X", "it failed"), []), { code: 1, message: "E_X: it failed" });
});

test("an OS error on a path the user gave is exit 2: the path, the call, the errno spelled out", () => {
  const missing = join(dir, "no", "such");
  const e = osError(() => openSync(missing, "r"));
  assert.equal(exitCodeOfError(e, ["plan", "--mountinfo", missing]), { code: 2, message: `${missing}: cannot open: ENOENT (No such file or directory)` });
  // --flag=value, and a relative path as the user wrote it (Node's error has it as given to open).
  assert.equal(exitCodeOfError(e, ["plan", `--mountinfo=${missing}`]).code, 2);
  const rel = relative(process.cwd(), missing);
  assert.equal(exitCodeOfError(osError(() => openSync(rel, "r")), ["plan", "--mountinfo", `./${rel}`]), { code: 2, message: `${rel}: cannot open: ENOENT (No such file or directory)` });
  const isDir = osError(() => openSync(dir, "w"));
  assert.equal(exitCodeOfError(isDir, ["plan", "--trace-out", dir]), { code: 2, message: `${dir}: cannot open: EISDIR (Is a directory)` });
});

test("every errno that means 'this path cannot be used' is exit 2 when the path is the user's", () => {
  const texts: Record<string, string> = {
    EACCES: "Permission denied", EISDIR: "Is a directory", ENOENT: "No such file or directory", ENOTDIR: "Not a directory",
    ENAMETOOLONG: "File name too long", ELOOP: "Too many levels of symbolic links", EROFS: "Read-only file system", EPERM: "Operation not permitted",
  };
  for (const [code, text] of Object.entries(texts)) {
    assert.equal(exitCodeOfError(sysError(code, "open", "/srv/x"), ["/srv/x"]), { code: 2, message: `/srv/x: cannot open: ${code} (${text})` }, code);
  }
});

test("the same OS error on a path the user did not give, or with an errno that is not about the path, is a bug (70)", () => {
  const e = osError(() => openSync(join(dir, "absent"), "r"));
  assert.equal(exitCodeOfError(e, ["plan", "--mountinfo", join(dir, "other")]), { code: 70, message: BUG(`Error: ${e.message}`) });
  assert.is(exitCodeOfError(e, []).code, 70);
  // An empty argument is no path: it does not make an error on the cwd the user's.
  assert.is(exitCodeOfError(sysError("ENOENT", "open", process.cwd()), ["plan", ""]).code, 70);
  assert.is(exitCodeOfError(sysError("EBADF", "write", "/srv/x"), ["/srv/x"]).code, 70);
  assert.is(exitCodeOfError(sysError("ENOENT", "open"), ["/srv/x"]).code, 70, "no path: nothing to name");
});

test("a machine resource running out is exit 3, one line naming the call and what ran out", () => {
  const ROWS: [string, string][] = [
    ["ENOSPC", "ENOSPC (No space left on device): this machine is out of space on the device"],
    ["EDQUOT", "EDQUOT (Disk quota exceeded): this machine is out of disk quota"],
    ["ENOMEM", "ENOMEM (Cannot allocate memory): this machine is out of memory"],
    ["EMFILE", "EMFILE (Too many open files): this machine is out of open files for this process (raise the limit: ulimit -n)"],
    ["ENFILE", "ENFILE (Too many open files in system): this machine is out of open files system-wide (sysctl fs.file-max)"],
  ];
  for (const [code, said] of ROWS) {
    assert.equal(exitCodeOfError(sysError(code, "write", "/srv/t.json"), []), { code: 3, message: `cannot write /srv/t.json: ${said}` }, code);
    assert.equal(exitCodeOfError(sysError(code, "spawn"), []), { code: 3, message: `cannot spawn: ${said}` }, code);
  }
  const full = osError(() => { const fd = openSync("/dev/full", "w"); try { writeFileSync(fd, "x"); } finally { closeSync(fd); } });
  assert.is(exitCodeOfError(full, []).code, 3);
});

test("only a real system error is classified: code, errno and syscall, on an Error", () => {
  const like = { code: "ENOENT", errno: -2, syscall: "open", path: "/srv/x", message: "x" };
  assert.is(isSystemError(sysError("ENOENT", "open", "/srv/x")), true);
  assert.is(isSystemError(like), false, "not an Error");
  assert.equal(exitCodeOfError(like, ["/srv/x"]), { code: 70, message: BUG("[object Object]") });
  for (const drop of ["code", "errno", "syscall"] as const) {
    const e = sysError("ENOSPC", "write", "/srv/x") as unknown as Record<string, unknown>;
    delete e[drop];
    assert.is(isSystemError(e), false, drop);
    assert.is(exitCodeOfError(e, ["/srv/x"]).code, 70, drop);
  }
  assert.is(isSystemError(Object.assign(new Error("x"), { code: -2, errno: -2, syscall: "open" })), false, "code is a name");
  assert.is(isSystemError(Object.assign(new Error("x"), { code: "ENOENT", errno: "-2", syscall: "open" })), false, "errno is a number");
  assert.is(isSystemError(Object.assign(new Error("x"), { code: "ENOENT", errno: -2, syscall: 5 })), false, "syscall is a name");
});

test("a bug is one line (the first of its message) unless PIVOTSHIM_DEBUG=1 asks for the stack", () => {
  const e = new TypeError("x is not a function\nsecond line");
  assert.is(bugMessage(e), BUG("TypeError: x is not a function"));
  assert.is(bugMessage("thrown string"), BUG("thrown string"));
  assert.equal(exitCodeOfError(e, []), { code: 70, message: BUG("TypeError: x is not a function") });
  process.env.PIVOTSHIM_DEBUG = "1";
  try {
    assert.is(bugMessage(e), `internal error (a bug in pivotshim): ${e.stack}`);
    assert.is(bugMessage(7), "internal error (a bug in pivotshim): 7");
    const noStack = Object.assign(new Error("bare"), { stack: "" });
    assert.is(bugMessage(noStack), "internal error (a bug in pivotshim): Error: bare");
  } finally { delete process.env.PIVOTSHIM_DEBUG; }
  process.env.PIVOTSHIM_DEBUG = "0";
  try { assert.is(bugMessage(e), BUG("TypeError: x is not a function")); } finally { delete process.env.PIVOTSHIM_DEBUG; }
});

// --- load-error.ts ------------------------------------------------------------------------------------

test("openFileLimit is the soft RLIMIT_NOFILE, as /proc/self/limits shows it", () => {
  const soft = /^Max open files\s+(\S+)/m.exec(readFileSync("/proc/self/limits", "utf8"))![1]!;
  assert.is(openFileLimit(), soft === "unlimited" ? "-1" : soft);
});

test("openFileLimit: '?' when Node's report has no limit or cannot be made (the message still names the limit)", () => {
  const real = process.report.getReport;
  try {
    process.report.getReport = (() => ({ userLimits: {} })) as typeof real;
    assert.is(openFileLimit(), "?");
    process.report.getReport = (() => { throw new Error("EMFILE"); }) as typeof real;
    assert.is(openFileLimit(), "?");
  } finally { process.report.getReport = real; }
});

test("a failed load: EMFILE when the 'missing' module, or the package.json beside it, is there", () => {
  const pkg = join(dir, "node_modules", "p");
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, "main.js"), "");
  const notFound = (message: string) => Object.assign(new Error(message), { code: "ERR_MODULE_NOT_FOUND" });
  assert.is(loadErrorCode(notFound(`Cannot find module '${join(pkg, "main.js")}' imported from /x.js`)), "EMFILE", "the file is there");
  assert.is(loadErrorCode(notFound(`Cannot find module 'file://${join(pkg, "main.js")}' imported from /x.js`)), "EMFILE", "a file: URL");
  writeFileSync(join(pkg, "package.json"), "{}");
  assert.is(loadErrorCode(notFound(`Cannot find package '${join(pkg, "index.js")}' imported from /x.js`)), "EMFILE", "its package.json is there");
  assert.is(loadErrorCode(notFound(`Cannot find module '${join(dir, "absent", "index.js")}'`)), "ERR_MODULE_NOT_FOUND");
  assert.is(loadErrorCode(notFound(`Cannot find module '${join(dir, "index.js")}'`)), "ERR_MODULE_NOT_FOUND", "its folder is there, but no package.json in it");
  assert.is(loadErrorCode(notFound(`Cannot find module ${join(pkg, "main.js")}`)), "ERR_MODULE_NOT_FOUND", "no quoted name");
  assert.is(loadErrorCode(Object.assign(new Error(`open '${join(pkg, "main.js")}'`), { code: "ENOMEM" })), "ENOMEM", "only a not-found is second-guessed");
  assert.is(loadErrorCode(new Error("no code")), undefined);
});

// --- trace-out.ts -------------------------------------------------------------------------------------

const TRACE = { version: 1, steps: [] } as unknown as Trace;
const TRACE_TEXT = '{\n  "version": 1,\n  "steps": []\n}\n';

test("--trace-out that cannot be opened: exit-2 input error naming the flag, the path and the errno", () => {
  const cases: [string, string][] = [[dir, "EISDIR (Is a directory)"], [join(dir, "no", "t.json"), "ENOENT (No such file or directory)"]];
  for (const [path, errno] of cases) {
    const e = osError(() => openTraceOut(path));
    assert.instance(e, InvalidInputError);
    assert.is(e.message, `cannot write --trace-out ${path}: ${errno}`);
    assert.equal((e as InvalidInputError).issues, [{ path: "--trace-out", message: "not writable" }]);
    assert.is(((e as InvalidInputError).cause as NodeJS.ErrnoException).code, errno.split(" ")[0], "the OS error is the cause");
    assert.is(exitCodeOfError(e, []).code, 2);
  }
});

test("--trace-out: a new file gets the trace as indented JSON; one this run created and never wrote is removed", () => {
  const path = join(dir, "new.json");
  const out = openTraceOut(path);
  assert.is(out.path, path);
  assert.ok(existsSync(path), "opened (created) before the command acts");
  assert.is(statSync(path).mode & 0o777, 0o666 & ~process.umask());
  out.write(TRACE);
  assert.is(readFileSync(path, "utf8"), TRACE_TEXT);
  out.discard();
  assert.ok(existsSync(path), "written, so kept");
  const unused = join(dir, "unused.json");
  openTraceOut(unused).discard();
  assert.not.ok(existsSync(unused), "created and never written: removed");
});

test("--trace-out over an existing file: untouched until the trace is there, then replaced whole; kept if never written", () => {
  const path = join(dir, "old.json");
  const before = "x".repeat(200) + "\n";
  writeFileSync(path, before);
  const out = openTraceOut(path);
  assert.is(readFileSync(path, "utf8"), before, "not truncated at open");
  out.discard();
  assert.is(readFileSync(path, "utf8"), before, "not ours: kept as it was");
  const again = openTraceOut(path);
  again.write(TRACE);
  assert.is(readFileSync(path, "utf8"), TRACE_TEXT, "the longer old content is gone");
});

test("--trace-out to a device is written, not truncated; a full device names the file and is exit 3", () => {
  const out = openTraceOut("/dev/null");
  out.write(TRACE);
  out.discard();
  const e = osError(() => openTraceOut("/dev/full").write(TRACE));
  assert.equal(exitCodeOfError(e, []), { code: 3, message: "cannot write /dev/full: ENOSPC (No space left on device): this machine is out of space on the device" });
});

test("withTraceOut: no flag, no file; the file is removed when the command throws before writing", () => {
  assert.is(withTraceOut(undefined, (out) => (out === null ? "none" : "file")), "none");
  const path = join(dir, "thrown.json");
  assert.throws(() => withTraceOut(path, () => { assert.ok(existsSync(path)); throw new InvalidInputError("bad"); }), /bad/);
  assert.not.ok(existsSync(path));
  const kept = join(dir, "kept.json");
  assert.is(withTraceOut(kept, (out) => { out!.write(TRACE); return 5; }), 5);
  assert.is(readFileSync(kept, "utf8"), TRACE_TEXT);
});

// --- the program: main(argv) in process ---------------------------------------------------------------

const USAGE = "usage: pivotshim run --rootfs DIR [options] -- CMD [ARGS...]";

test("run: bad usage is exit 2, the reason and the usage line, before anything is spawned", async () => {
  const ROWS: [string[], string][] = [
    [["run", "--rootfs", "/r"], "missing the command to run in the new root (after --)"],
    [["run", "--", "/bin/true"], "--rootfs is required: the directory that becomes the new root"],
    [["run", "--rootfs", "/r", "--timeout", "0", "--", "/x"], '--timeout must be a positive number of milliseconds, got "0"'],
    [["run", "--rootfs", "/r", "--timeout", "1e3", "--", "/x"], '--timeout must be a positive number of milliseconds, got "1e3"'],
    [["run", "--rootfs", "/r", "--timeout", "-5", "--", "/x"], '--timeout must be a positive number of milliseconds, got "-5"'],
    [["run", "--rootfs", "/r", "--timeout", "99999999999999999999", "--", "/x"], '--timeout must be a positive number of milliseconds, got "99999999999999999999"'],
    [["run", "--rootfs", "/r", "--timeout", "2147483648", "--", "/x"], "--timeout must be at most 2147483647 ms (2^31 - 1, about 24.8 days: the longest wait a Node timer takes), got 2147483648"],
    [["run", "--rootfs", "/r", "--deadline", "0", "--", "/x"], '--deadline must be a positive number of milliseconds, got "0"'],
    [["run", "--rootfs", "/r", "-e", "A=1", "-e", "NOEQUALS", "--", "/x"], '--env expects KEY=VALUE, got "NOEQUALS"'],
  ];
  for (const [argv, why] of ROWS) {
    assert.equal(await cli(...argv), { code: 2, stdout: "", stderr: `pivotshim: ${why}\n${USAGE}\n` }, argv.join(" "));
  }
});

test("run: --timeout and --deadline of 2^31 - 1 are accepted (the next check, a rootfs on proc, is what refuses)", async () => {
  const proc = "pivotshim: rootfs /proc is on proc (statfs f_type 0x9fa0), a pseudo-filesystem of the kernel: a root switch into it would expose the host; use a directory holding a root filesystem\n";
  assert.equal(await cli("run", "--rootfs", "/proc", "--timeout", "2147483647", "--deadline", "2147483647", "--", "/x"), { code: 2, stdout: "", stderr: proc });
});

// --- plan (plan.ts) and the shared flags (common.ts), goldens from the README ------------------------

test("README: plan --host dry-run --rootfs /r --profile runc --no-prepare --format strace is runc's pivotRoot, exit 0", async () => {
  const r = await cli("plan", "--host", "dry-run", "--rootfs", "/r", "--profile", "runc", "--no-prepare", "--format", "strace");
  assert.equal(r, { code: 0, stdout: readFileSync(new URL("./fixtures/plans/runc-switch-only.strace", import.meta.url), "utf8"), stderr: "" });
});

test("README: --fail pivot_root=EINVAL is exit 1, the closes in the plan, runc's message as the one stderr line", async () => {
  const r = await cli("plan", "--rootfs", "/r", "--profile", "runc", "--fail", "pivot_root=EINVAL", "--format", "strace");
  assert.is(r.code, 1);
  assert.ok(r.stdout.endsWith('pivot_root(".", ".") = -1 EINVAL (Invalid argument)\nclose(4) = 0\nclose(3) = 0\n# failed: error jailing process inside rootfs: pivot_root .: invalid argument\n'), r.stdout);
  assert.not.match(r.stdout, /# invariant/, "strace output stays pure strace");
  assert.is(r.stderr, "pivotshim: error jailing process inside rootfs: pivot_root .: invalid argument\n");
});

test("README: plan --profile runc (text) ends with the host, one line per invariant, then the findings", async () => {
  const r = await cli("plan", "--profile", "runc");
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stderr, "");
  assert.match(r.stdout, / 8 {2}pivot_root\("\.", "\."\) = 0\n {6}pivot_root: the new root becomes \/; the old root is stacked on top and stays our cwd \(pivot_root\(2\) NOTES\)\n/);
  const tail = r.stdout.slice(r.stdout.indexOf("# done\n"));
  const lines = tail.split("\n");
  assert.equal(lines.slice(0, 3), ["# done", "# host: fake kernel, docker-host", "# invariant host-unchanged: held (host mountinfo byte-identical)"]);
  assert.ok(lines.slice(2, 8).every((l) => /^# invariant [a-z-]+: held \(/.test(l)), tail);
  assert.match(tail, /\n# finding no-getcwd: no getcwd\(\) check after the switch \(CVE-2024-21626\)\n$/);
  assert.match(tail, /\n# finding no-cloexec \(step 6\): old root opened without O_CLOEXEC\n/);
});

test("plan: a violated invariant is exit 1 and one stderr line per violation; --format json has no verdict lines", async () => {
  const r = await cli("plan", "--profile", "runc", "--scenario", "stacked-root");
  assert.is(r.code, 1);
  assert.match(r.stdout, /\n# invariant old-root-unreachable: VIOLATED \(mount \d+ /);
  const err = r.stderr.split("\n").filter(Boolean);
  assert.ok(err.length >= 1 && err.every((l) => /^pivotshim: invariant [a-z-]+ violated: /.test(l)), r.stderr);
  assert.match(r.stderr, /^pivotshim: invariant old-root-unreachable violated: mount \d+ /m);
  const json = await cli("plan", "--profile", "runc", "--scenario", "stacked-root", "--format", "json");
  assert.is(json.code, 1);
  assert.is(JSON.parse(json.stdout).outcome.kind, "done");
});

test("verdictLines: held, held with a finding, VIOLATED; a detail's newlines become '; '", async () => {
  const { verdictLines } = await import("../src/commands/plan.js");
  assert.is(verdictLines([
    { id: "a", held: true, detail: "one\ntwo" }, { id: "b", held: false, detail: "gone" }, { id: "c", held: true, detail: "x", finding: "f1\nf2" },
  ]), "# invariant a: held (one; two)\n# invariant b: VIOLATED (gone)\n# invariant c: held, finding (f1; f2)\n");
});

test("plan --trace-out: the fake kernel's trace carries each verdict's id and held; a dry run's none", async () => {
  const fake = join(dir, "plan-fake.json"), dry = join(dir, "plan-dry.json");
  assert.is((await cli("plan", "--rootfs", "/r", "--format", "json", "--trace-out", fake)).code, 0);
  const t = JSON.parse(readFileSync(fake, "utf8"));
  assert.ok(t.verdicts.length >= 4 && t.verdicts.every((v: { id: string; held: boolean }) => Object.keys(v).join() === "id,held" && v.held === true), JSON.stringify(t.verdicts));
  assert.is((await cli("plan", "--host", "dry-run", "--rootfs", "/r", "--trace-out", dry)).code, 0);
  assert.is(JSON.parse(readFileSync(dry, "utf8")).verdicts, undefined);
});

test("the config flags reach the config: --readonly, --no-prepare, --no-self-bind, --root-propagation, --strategy, --profile", async () => {
  const r = await cli("plan", "--host", "dry-run", "--format", "json", "--rootfs", "/r", "--profile", "crun", "--strategy", "pivot", "--root-propagation", "rslave", "--readonly", "--no-self-bind");
  assert.is(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).config, { rootfs: "/r", profile: "crun", strategy: "pivot", rootPropagation: "rslave", readonly: true, prepare: true, selfBind: false });
  const d = await cli("plan", "--host", "dry-run", "--format", "json", "--no-prepare");
  assert.equal(JSON.parse(d.stdout).config, { rootfs: "/var/lib/pivotshim/rootfs", profile: "hardened", strategy: "auto", readonly: false, prepare: false, selfBind: true });
});

test("--mountinfo: unreadable is exit 2 naming the file; refused by the parser is exit 2 naming the file and the line", async () => {
  const missing = join(dir, "none.mountinfo");
  assert.equal(await cli("plan", "--mountinfo", missing), { code: 2, stdout: "", stderr: `pivotshim: cannot read --mountinfo file ${missing}: ENOENT: no such file or directory, open '${missing}'\n` });
  const bad = join(dir, "bad.mountinfo");
  writeFileSync(bad, "1 0 0:1 / / rw - ext4 /dev/root rw\nx\n");
  assert.equal(await cli("plan", "--mountinfo", bad), { code: 2, stdout: "", stderr: `pivotshim: --mountinfo ${bad}: malformed mountinfo, line 2: expected at least 10 fields, found 1\n` });
});

test("run's exit status is the command's as a shell reports it: N, 128 + the signal's number, 1 with neither", async () => {
  const { exitCodeOf } = await import("../src/commands/run.js");
  assert.is(exitCodeOf({ status: 7, signal: null }), 7);
  assert.is(exitCodeOf({ status: 0, signal: null }), 0);
  assert.is(exitCodeOf({ status: null, signal: "SIGKILL" }), 137);
  assert.is(exitCodeOf({ status: null, signal: "SIGTERM" }), 143);
  assert.is(exitCodeOf({ status: null, signal: null }), 1);
});

test("replay FILE that cannot be read: exit 2, one line naming what the file is and the OS error", async () => {
  const missing = join(dir, "none.json");
  assert.equal(await cli("replay", missing), { code: 2, stdout: "", stderr: `pivotshim: cannot read trace file ${missing}: ENOENT: no such file or directory, open '${missing}'\n` });
});

test("plan --host dry-run --fail: the fault reaches the dry run too (exit 1, runc's message)", async () => {
  const r = await cli("plan", "--host", "dry-run", "--rootfs", "/r", "--profile", "runc", "--no-prepare", "--fail", "pivot_root=EINVAL", "--format", "strace");
  assert.is(r.code, 1);
  assert.ok(r.stdout.endsWith("# failed: error jailing process inside rootfs: pivot_root .: invalid argument\n"), r.stdout);
  assert.is(r.stderr, "pivotshim: error jailing process inside rootfs: pivot_root .: invalid argument\n");
});

test("plan --rootfs-kind reaches the fake kernel: a missing rootfs that the scenario mounts is refused, exit 2", async () => {
  assert.equal(await cli("plan", "--rootfs", "/r", "--rootfs-kind", "missing"), {
    code: 2, stdout: "",
    stderr: "pivotshim: --rootfs-kind contradicts scenario docker-host: /r is a mount point (or lies on the way to one) in the mount table, so it cannot be missing; use --rootfs-kind dir, or another --rootfs\n",
  });
});

test("colour forced (FORCE_COLOR=1): the strace format stays byte-exact strace, the text format is painted", async () => {
  process.env.FORCE_COLOR = "1";
  const was = process.env.NO_COLOR;
  delete process.env.NO_COLOR;
  try {
    const r = await cli("plan", "--host", "dry-run", "--rootfs", "/r", "--profile", "runc", "--no-prepare", "--format", "strace");
    assert.is(r.stdout, readFileSync(new URL("./fixtures/plans/runc-switch-only.strace", import.meta.url), "utf8"));
    const t = await cli("plan", "--host", "dry-run", "--rootfs", "/r", "--profile", "runc", "--no-prepare");
    assert.match(t.stdout, /\x1b\[32m# done\x1b\[39m/);
  } finally { delete process.env.FORCE_COLOR; process.env.NO_COLOR = was; }
});

test("bug fixed: a bad --rootfs-kind is exit 2 on the dry-run host too (it was ignored there, exit 0)", async () => {
  const bad = 'pivotshim: --rootfs-kind "bogus": expected one of dir, missing, file, symlink:TARGET (e.g. symlink:/srv/real-rootfs)\n';
  for (const host of ["dry-run", "fake-kernel"]) {
    assert.equal(await cli("plan", "--host", host, "--rootfs", "/r", "--rootfs-kind", "bogus"), { code: 2, stdout: "", stderr: bad }, host);
  }
  assert.is((await cli("plan", "--host", "dry-run", "--rootfs", "/r", "--rootfs-kind", "missing", "--format", "strace")).code, 0, "a valid kind: the dry run has no host to model it on");
});

test.run();
