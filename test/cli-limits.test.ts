// Limits that tell the truth, through the compiled CLI (dist/): each refusal is one line naming the
// bound, exit 2 (input) or 3 (environment), decided before anything acts. None of these needs
// root: every check here runs before an executor is spawned.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAX_TIMEOUT_MS } from "../src/abi.js";
import { nativeUnavailable } from "../src/hosts/native.js";
import { loadErrorCode } from "../src/commands/load-error.js";

const CLI = new URL("../dist/cli/pivotshim.cjs", import.meta.url).pathname;
/** The unbundled entry (tsc's output, about a hundred modules): the one a low open-file limit hits. */
const UNBUNDLED = new URL("../dist/src/cli.js", import.meta.url).pathname;
const PROBE = new URL("../build/probe/probe", import.meta.url).pathname;
const cli = (args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", cwd: opts.cwd, env: { ...process.env, NO_COLOR: "1", ...opts.env }, maxBuffer: 1 << 26 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
/** No stack frame, no Node banner: the user gets lines that start with "pivotshim:" (or commander's "error:"). */
const noStack = (stderr: string) => {
  assert.not.match(stderr, /^\s+at /m, stderr);
  assert.not.match(stderr, /Node\.js v\d/, stderr);
};

const dir = mkdtempSync(join(tmpdir(), "pivotshim-limits-"));
const rootfs = join(dir, "rootfs");
spawnSync("mkdir", [rootfs]);
if (existsSync(PROBE)) copyFileSync(PROBE, join(rootfs, "probe"));
test.after(() => rmSync(dir, { recursive: true, force: true }));
/** The exec frame's bounds come from the addon (host/wire.h): without it, run says so instead (exit 3). */
const noAddon = nativeUnavailable();
const withAddon = (name: string, fn: () => void) => {
  if (noAddon) { console.error(`SKIP ${name}: ${noAddon}`); test.skip(name, fn); } else test(name, fn);
};

test("--timeout 2^31 (which Node would turn into 1 ms) is refused with the bound; 2^31 - 1 is not", () => {
  const r = cli(["run", "--rootfs", rootfs, "--timeout", String(2 ** 31), "--", "/probe"]);
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`--timeout must be at most ${MAX_TIMEOUT_MS} ms`));
  assert.is(r.stdout, "");
  noStack(r.stderr);
});

for (const cmd of [["plan"], ["explore"], ["graph"], ["replay", "TRACE"], ["run", "--rootfs", rootfs, "--", "/probe"]]) {
  test(`${cmd[0]} --trace-out DIR: exit 2 naming the path and EISDIR; nothing ran (stdout empty)`, () => {
    const trace = join(dir, "good.json");
    if (cmd[0] === "replay") writeFileSync(trace, cli(["plan", "--format", "json"]).stdout);
    const args = cmd.map((a) => (a === "TRACE" ? trace : a));
    const at = args.indexOf("--") === -1 ? args.length : args.indexOf("--");
    const r = cli([...args.slice(0, at), "--trace-out", dir, ...args.slice(at)]);
    assert.is(r.code, 2, r.stderr);
    assert.is(r.stderr, `pivotshim: cannot write --trace-out ${dir}: EISDIR (Is a directory)\n`);
    assert.is(r.stdout, "");
  });
}

test("--trace-out in a missing folder: exit 2, ENOENT, one line", () => {
  const r = cli(["plan", "--trace-out", join(dir, "no/such/dir/t.json")]);
  assert.is(r.code, 2);
  assert.match(r.stderr, /^pivotshim: cannot write --trace-out .*no\/such\/dir\/t\.json: ENOENT \(No such file or directory\)\n$/);
});

test("--trace-out that cannot be written at the end (/dev/full): exit 3, one line, the file named", () => {
  const r = cli(["plan", "--trace-out", "/dev/full"]);
  assert.is(r.code, 3, r.stderr);
  assert.is(r.stderr, "pivotshim: cannot write /dev/full: ENOSPC (No space left on device): this machine is out of space on the device\n");
});

test("--trace-out: a file this run created is removed when the command then fails on its input", () => {
  const out = join(dir, "fresh.json");
  writeFileSync(join(dir, "garbage"), "not a mountinfo line\n");  // refused by the model, after the open
  const r = cli(["plan", "--trace-out", out, "--mountinfo", join(dir, "garbage")]);
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /--mountinfo .*garbage: .*line 1: /);
  assert.not.ok(existsSync(out), "an empty trace file was left behind");
  const ok = cli(["plan", "--trace-out", out]);
  assert.is(ok.code, 0, ok.stderr);
  assert.is(JSON.parse(readFileSync(out, "utf8")).outcome.kind, "done");
});

withAddon("more than kMaxStrings arguments: one line naming the limit, exit 2, before spawning", () => {
  const many = Array.from({ length: 4096 }, (_, i) => String(i));
  const r = cli(["run", "--rootfs", rootfs, "--", "/probe", ...many]);
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /^pivotshim: too many arguments and environment entries: 4097 \+ \d+; the executor takes at most 4094 in all \(host\/wire\.h kMaxStrings = 4096/);
  noStack(r.stderr);
});

withAddon("more than 4,090 -e options: the same limit, exit 2", () => {
  const env = Array.from({ length: 4091 }, (_, i) => ["-e", `K${i}=v`]).flat();
  const r = cli(["run", "--rootfs", rootfs, ...env, "--", "/probe"], { env: { TERM: "dumb" } });
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /too many arguments and environment entries: 1 \+ 4094; .*kMaxStrings/);
});

withAddon("more than 1 MiB of arguments: one line naming kMaxFrame, exit 2", () => {
  const big = Array.from({ length: 11 }, () => "a".repeat(100_000));
  const r = cli(["run", "--rootfs", rootfs, "--", "/probe", ...big]);
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /^pivotshim: the arguments and environment are too large: \d+ bytes .*at most 1048576 \(host\/wire\.h kMaxFrame\)\n$/);
});

const prlimit = spawnSync("prlimit", ["--version"]).status === 0;
/** As withAddon: without prlimit(1) each test is skipped and says why (the line was once inside a skipped body, so never printed). */
const withPrlimit = (name: string, fn: () => void) => {
  if (!prlimit) { console.error(`SKIP ${name}: prlimit(1) is not installed (util-linux)`); test.skip(name, fn); } else test(name, fn);
};
withPrlimit("RLIMIT_NOFILE 40, unbundled: exit 3, one line naming the limit (Node cannot even load the program)", () => {
  const r = spawnSync("prlimit", ["--nofile=40", process.execPath, UNBUNDLED, "plan"], { encoding: "utf8" });
  assert.is(r.status, 3, r.stderr);
  assert.is(r.stderr, "pivotshim: cannot load: EMFILE (Too many open files): the open-file limit (RLIMIT_NOFILE) is 40; raise it, e.g. ulimit -n 1024\n");
});

// Node's resolver sometimes reports the EMFILE as "Cannot find package '<pkg>/index.js'" (its
// legacy-main fallback after the package.json read fails): 2 in 15 at 30-32 on Node 20. Twenty
// runs around that limit make the race visible; each must still name the limit.
withPrlimit("RLIMIT_NOFILE 28-34, unbundled, 20 runs: every one names the limit, none claims a missing package", () => {
  for (let i = 0; i < 20; i++) {
    const limit = 28 + (i % 4) * 2;
    const r = spawnSync("prlimit", [`--nofile=${limit}`, process.execPath, UNBUNDLED, "plan"], { encoding: "utf8" });
    assert.is(r.stderr, `pivotshim: cannot load: EMFILE (Too many open files): the open-file limit (RLIMIT_NOFILE) is ${limit}; raise it, e.g. ulimit -n 1024\n`, `run ${i}`);
    assert.is(r.status, 3);
  }
});

// The installed command is one file (dist/cli/main.cjs, read by its launcher): below 19 descriptors
// Node cannot read the launcher itself (its own error, before any code of ours), and from 19 up
// `plan` needs no more than Node does. Measured on Node 20.20: 18 fails in Node, 19-40 plan.
withPrlimit("RLIMIT_NOFILE 19-40, installed command: plan works as with no limit", () => {
  const want = cli(["plan"]);
  assert.is(want.code, 0);
  for (const limit of [19, 20, 24, 28, 30, 32, 34, 40]) {
    const r = spawnSync("prlimit", [`--nofile=${limit}`, process.execPath, CLI, "plan"], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    assert.equal([r.status, r.stdout, r.stderr], [0, want.stdout, want.stderr], `limit ${limit}`);
  }
});

test("a load error naming a package whose package.json is there is the open-file limit, not a missing package", () => {
  const pkg = join(dir, "node_modules", "somepkg");
  spawnSync("mkdir", ["-p", pkg]);
  writeFileSync(join(pkg, "package.json"), "{}");
  const fake = (named: string) => Object.assign(new Error(`Cannot find package '${named}' imported from /x.js`), { code: "ERR_MODULE_NOT_FOUND" });
  assert.is(loadErrorCode(fake(join(pkg, "index.js"))), "EMFILE");
  assert.is(loadErrorCode(fake(`file://${join(pkg, "package.json")}`)), "EMFILE");
  assert.is(loadErrorCode(fake(join(dir, "node_modules", "absent", "index.js"))), "ERR_MODULE_NOT_FOUND");
  assert.is(loadErrorCode(Object.assign(new Error("x"), { code: "ENOMEM" })), "ENOMEM");
});

test("control bytes in a path are escaped in the message (no ESC, CSI or BEL reaches the terminal)", () => {
  const evil = "/nonexistent/\x1b[2J\x1b]0;owned\x07\u009b31m";
  const r = cli(["plan", "--mountinfo", evil]);
  assert.is(r.code, 2);
  assert.not.match(r.stderr, /[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
  assert.match(r.stderr, /\/nonexistent\/\\x1b\[2J\\x1b\]0;owned\\x07\\x9b31m/);
  const opt = cli(["plan", "--\x1b[31mred"]);
  assert.is(opt.code, 2);
  assert.match(opt.stderr, /unknown option '--\\x1b\[31mred'/);
});

test("run --rootfs /proc: refused (statfs says procfs), exit 2, before anything is spawned", () => {
  const r = cli(["run", "--rootfs", "/proc", "--", "/probe"]);
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /^pivotshim: rootfs \/proc is on proc \(statfs f_type 0x9fa0\), a pseudo-filesystem/);
  const below = cli(["run", "--rootfs", "/proc/1/root", "--", "/probe"]);
  assert.is(below.code, 2);
  assert.match(below.stderr, /rootfs \/proc\/1\/root lies below \/proc, which is on proc/);
  const sys = cli(["run", "--rootfs", "/sys/kernel", "--", "/probe"]);
  assert.is(sys.code, 2);
  assert.match(sys.stderr, /lies below \/sys, which is on sysfs/);
});

test("run --help says plainly that root mode is not a sandbox and --rootless is confined", () => {
  const h = cli(["run", "--help"]);
  assert.is(h.code, 0);
  assert.match(h.stdout, /NOT a sandbox/);
  assert.match(h.stdout, /\/proc\/\$PPID\/root/);
  assert.match(h.stdout, /--rootless/);
  assert.match(h.stdout, /--rootfs \.\/rootfs/);
});

test.run();
