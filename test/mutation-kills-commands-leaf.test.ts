// The command line's leaves, in this process (a Stryker run of src/commands affords no CLI child
// per mutant): when colour is on and what it paints (colour.ts), the control bytes made visible
// (escape.ts), doctor's tool search and its report's text (doctor.ts), and the program's own
// parts: the command a line names, the top-level help, --version, and the exit codes (program.ts).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { colourEnabled, complain, paint } from "../src/commands/colour.js";
import { escapeControls } from "../src/commands/escape.js";
import { findTool, formatDoctor, type DoctorReport } from "../src/commands/doctor.js";
import { namedCommand } from "../src/commands/program.js";
import { cli } from "./helpers/cli-in-process.js";

const tty = { isTTY: true } as NodeJS.WriteStream;
const pipe = { isTTY: false } as NodeJS.WriteStream;
const noTty = {} as NodeJS.WriteStream;

/** Runs f with NO_COLOR and FORCE_COLOR set as given (undefined: unset), then puts them back (uvu sets FORCE_COLOR). */
function withEnv<T>(vars: { NO_COLOR?: string; FORCE_COLOR?: string }, f: () => T): T {
  const saved = { NO_COLOR: process.env.NO_COLOR, FORCE_COLOR: process.env.FORCE_COLOR };
  for (const k of ["NO_COLOR", "FORCE_COLOR"] as const) {
    if (vars[k] === undefined) delete process.env[k];
    else process.env[k] = vars[k];
  }
  try { return f(); } finally {
    for (const k of ["NO_COLOR", "FORCE_COLOR"] as const) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

test("colour: a terminal gets it; NO_COLOR (not empty) turns it off, FORCE_COLOR (not 0) on, NO_COLOR first", () => {
  const on = (vars: { NO_COLOR?: string; FORCE_COLOR?: string }, s: NodeJS.WriteStream) => withEnv(vars, () => colourEnabled(s));
  assert.equal([on({}, tty), on({}, pipe), on({}, noTty)], [true, false, false], "by the stream alone");
  assert.equal([on({ NO_COLOR: "1" }, tty), on({ NO_COLOR: "" }, tty)], [false, true], "an empty NO_COLOR is unset (no-color.org)");
  assert.equal([on({ FORCE_COLOR: "1" }, pipe), on({ FORCE_COLOR: "" }, pipe), on({ FORCE_COLOR: "0" }, pipe), on({ FORCE_COLOR: "0" }, tty)],
    [true, true, false, true], "FORCE_COLOR=0 forces nothing either way");
  assert.is(on({ NO_COLOR: "1", FORCE_COLOR: "1" }, tty), false, "NO_COLOR wins");
});

test("paint: outcome and verdict lines red or green, notes yellow, a step's reason dim, the rest as it was", () => {
  const red = (s: string) => `\x1b[31m${s}\x1b[39m`, green = (s: string) => `\x1b[32m${s}\x1b[39m`;
  const yellow = (s: string) => `\x1b[33m${s}\x1b[39m`, dim = (s: string) => `\x1b[2m${s}\x1b[22m`;
  const lines: [string, (s: string) => string][] = [
    ["# failed: error jailing process", red], ["# invariant old-root-unreachable: VIOLATED", red], ["# paths: 12, violations: 3", red],
    ["FAIL the window", red], ["✗ mount", red], ["- missing call", red],
    ["# done", green], ["# invariant host-untouched: held", green], ["# paths: 12, violations: 0", green], ["✓ pivot_root", green],
    ["# note: the rootfs is a symlink", yellow],
    ["  jail: MS_PRIVATE", dim], ["      deep: reason", dim],
    [" one space: not a reason", (s) => s], ["FAILED", (s) => s], ["# violations: 10x", red], ["plain line", (s) => s], ["", (s) => s],
    // Each pattern holds at the start of a line only: the same words inside a line are plain.
    ["mount(...) # failed", (s) => s], ["a FAIL b", (s) => s], ["a ✗ b", (s) => s], ["a - b", (s) => s],
    ["x # done", (s) => s], ["a ✓ b", (s) => s], ["x # note: y", (s) => s], ["x  reason: y", (s) => s],
  ];
  const text = lines.map(([l]) => l).join("\n");
  assert.is(withEnv({ FORCE_COLOR: "1" }, () => paint(text, pipe)), lines.map(([l, c]) => c(l)).join("\n"));
  assert.is(withEnv({}, () => paint(text, pipe)), text, "no colour: the very text");
  assert.is(withEnv({}, () => paint("# done", tty)), green("# done"), "the stream decides");
});

test("complain: 'pivotshim: ' and the message on stderr, control bytes escaped, red only where colour is on", () => {
  const err: string[] = [];
  const w = process.stderr.write;
  process.stderr.write = ((s: string) => { err.push(String(s)); return true; }) as typeof process.stderr.write;
  const isTTY = process.stderr.isTTY;
  try {
    Object.defineProperty(process.stderr, "isTTY", { value: false, configurable: true });
    withEnv({}, () => complain("bad \x1b[2J path"));
    withEnv({ FORCE_COLOR: "1" }, () => complain("oops"));
  } finally {
    process.stderr.write = w;
    Object.defineProperty(process.stderr, "isTTY", { value: isTTY, configurable: true });
  }
  assert.equal(err, ["pivotshim: bad \\x1b[2J path\n", "\x1b[31mpivotshim: oops\x1b[39m\n"]);
});

test("escapeControls at each edge of its classes: C0 but the newline, DEL to the end of C1, raw bytes 0x80-0xff", () => {
  const cases: [string, string][] = [
    ["\x00", "\\x00"], ["\x05", "\\x05"], ["\x09", "\\x09"], ["\n", "\n"], ["\x0b", "\\x0b"], ["\x1f", "\\x1f"], [" ", " "], ["~", "~"],
    ["\x7f", "\\x7f"], ["\x80", "\\x80"], ["\x9f", "\\x9f"], ["\xa0", "\xa0"], ["\udc80", "\\x80"], ["\udcff", "\\xff"], ["\udc7f", "\udc7f"], ["\ud800\udc00", "\ud800\udc00"],
  ];
  for (const [input, out] of cases) assert.is(escapeControls(`a${input}b`), `a${out}b`, JSON.stringify(input));
});

test("findTool: the first executable of that name along PATH (the sbin dirs: the next test); its first non-empty output line as version", () => {
  const dir = mkdtempSync(join(tmpdir(), "pivotshim-tool-"));
  const PATH = process.env.PATH;
  try {
    const a = join(dir, "a"), b = join(dir, "b");
    mkdirSync(a); mkdirSync(b);
    const tool = (d: string, name: string, body: string, mode = 0o755) => { writeFileSync(join(d, name), `#!/bin/sh\n${body}\n`); chmodSync(join(d, name), mode); };
    tool(a, "fake-tool", "echo from a", 0o644); // not executable: skipped
    tool(b, "fake-tool", "echo; echo '   fake-tool 1.2.3  '; echo second");
    tool(b, "fake-err", "echo 'fake-err 9' >&2");
    tool(b, "fake-mute", "true");
    tool(b, "fake-slow", "echo 'fake-slow 1'; exec /bin/sleep 30"); // PATH below has no /bin
    tool(b, "fake-args", "echo \"args: $*\""); // says what it was asked
    tool(b, "fake-blank", "echo '   '; echo 'fake-blank 2'"); // a line of spaces is no version
    process.env.PATH = ["", a, "", b].join(":");
    assert.equal(findTool("fake-tool"), { path: join(b, "fake-tool"), version: "fake-tool 1.2.3" });
    assert.equal(findTool("fake-err"), { path: join(b, "fake-err"), version: "fake-err 9" }, "a version on stderr");
    assert.equal(findTool("fake-mute"), { path: join(b, "fake-mute"), version: "?" }, "no output");
    assert.equal(findTool("fake-slow"), { path: join(b, "fake-slow"), version: "fake-slow 1" }, "stopped at 3 s, its output kept");
    assert.is(findTool("fake-none"), null);
    assert.is(findTool("fake-args")?.version, "args: --version", "asked with --version, its output read as text");
    assert.is(findTool("fake-blank")?.version, "fake-blank 2");
    // An empty PATH entry is not the current directory here: a tool lying in the cwd is not found.
    const cwd = process.cwd();
    try {
      process.chdir(a);
      tool(a, "fake-cwd", "echo cwd", 0o755);
      process.env.PATH = ["", b].join(":");
      assert.is(findTool("fake-cwd"), null);
    } finally { process.chdir(cwd); }
  } finally {
    process.env.PATH = PATH;
    rmSync(dir, { recursive: true, force: true });
  }
});

// A test of its own, skipped (and counted as skipped) where it cannot run: inside the test above, a
// missing or shadowed nologin printed SKIP yet the test passed, with the sbin dirs left unchecked.
const sbinName = "findTool: the sbin dirs are searched when PATH has none (runc lives there)";
const noSbin = existsSync("/usr/sbin/nologin") && !existsSync("/usr/local/sbin/nologin") ? null
  : "/usr/sbin/nologin is missing here (or shadowed in /usr/local/sbin)";
if (noSbin) { console.error(`SKIP ${sbinName}: ${noSbin}`); test.skip(sbinName); }
else test(sbinName, () => {
  const dir = mkdtempSync(join(tmpdir(), "pivotshim-tool-"));
  const PATH = process.env.PATH;
  try {
    process.env.PATH = dir; // no sbin in PATH
    assert.is(findTool("nologin")?.path, "/usr/sbin/nologin");
  } finally {
    process.env.PATH = PATH;
    rmSync(dir, { recursive: true, force: true });
  }
});

const base: DoctorReport = {
  root: true, mountns: true, userns: true, pivotRoot: true, ramfsRoot: false, details: ["mount namespace: made", "user namespace: made"],
  kernel: "6.18.0", native: null, modes: { root: true, rootless: true }, autonomous: "on: run's child switches on the C machine (wasm 0123456789ab)",
  sysctls: { "user.max_user_namespaces": "63907", "kernel.unprivileged_userns_clone": null },
  tools: { strace: { path: "/usr/bin/strace", version: "strace -- version 6.1" }, runc: null },
  invoker: { containerised: false, cases: [], notes: [] }, ok: true,
};

test("formatDoctor: one line per fact, in this order and wording", () => {
  assert.is(formatDoctor(base), [
    "kernel             6.18.0",
    "native host        built",
    "autonomous mode    on: run's child switches on the C machine (wasm 0123456789ab)",
    "running as root    yes",
    "run (root mode)    works",
    "run --rootless     works",
    "pivot_root here    yes",
    "/ is initramfs     no",
    "containerised      no (a listed, non-overlay \"/\", /proc unmasked, the initial user namespace)",
    "sysctl             user.max_user_namespaces = 63907",
    "sysctl             kernel.unprivileged_userns_clone = (absent)",
    "strace             /usr/bin/strace (strace -- version 6.1)",
    "runc               not installed",
    "details:",
    "  mount namespace: made",
    "  user namespace: made",
    "",
  ].join("\n"));
});

test("formatDoctor: what does not work says so, and why run cannot work (root or not, native host or not)", () => {
  const container = { containerised: true, cases: [{ case: "masked-proc" as const, evidence: "/proc/kcore is a bind of /dev/null" }, { case: "userns-locked" as const, evidence: "uid_map 0 1000 1" }], notes: ["/proc/self/uid_map: unreadable"] };
  const user = formatDoctor({ ...base, root: false, userns: false, pivotRoot: false, ramfsRoot: true, modes: { root: false, rootless: false }, invoker: container, ok: false, details: [] });
  const lines = user.split("\n");
  for (const l of [
    "running as root    no", "run (root mode)    no", "run --rootless     no", "pivot_root here    no",
    "/ is initramfs     yes: pivot_root cannot work, use --strategy move or chroot",
    "containerised      yes: masked-proc, userns-locked",
    "  masked-proc      /proc/kcore is a bind of /dev/null",
    "  userns-locked    uid_map 0 1000 1",
    "  note             /proc/self/uid_map: unreadable",
  ]) assert.ok(lines.includes(l), l);
  assert.ok(user.endsWith("details:\npivotshim run cannot work here: run as root, or enable user namespaces (sysctl user.max_user_namespaces > 0) for --rootless\n"), user);
  const rootNo = formatDoctor({ ...base, modes: { root: false, rootless: false }, ok: false });
  assert.ok(rootNo.endsWith("  user namespace: made\npivotshim run cannot work here: see the details above\n"), rootNo);
  const noNative = formatDoctor({ ...base, root: false, native: "build/native/Release/host.node is missing", modes: { root: false, rootless: false }, ok: false });
  assert.ok(noNative.includes("\nnative host        missing: build/native/Release/host.node is missing\n"));
  assert.ok(noNative.endsWith("pivotshim run cannot work here: see the details above\n"), "without the native host, root does not help");
  assert.not.ok(formatDoctor(base).includes("cannot work"));
});

test("namedCommand: the first word that is not an option, or the one after `help`; nothing else", () => {
  assert.is(namedCommand(["plan", "--profile", "runc"]), "plan");
  assert.is(namedCommand(["--format", "json", "explore"]), null, "an option's value comes first: not a command (commander then says so)");
  assert.is(namedCommand(["-q", "diff"]), "diff");
  assert.is(namedCommand(["help", "replay"]), "replay");
  assert.is(namedCommand(["help"]), null);
  assert.is(namedCommand(["bogus"]), null);
  assert.is(namedCommand([]), null);
  assert.is(namedCommand(["--help"]), null);
});

test("the top-level help: every command with its line and arguments, [options] where it has some, the examples and exit codes", async () => {
  const h = await cli("--help");
  assert.is(h.code, 0);
  assert.ok(h.stdout.replace(/\s+/g, " ").startsWith("Usage: pivotshim [options] [command] The root switch of a container runtime (pivot_root, MS_MOVE+chroot, chroot) as an auditable plan Options:"), h.stdout.slice(0, 200));
  for (const usage of ["plan [options]", "explore [options]", "run [options] [command...]", "doctor [options]", "replay [options] <file>", "graph [options]", "diff [options]"]) assert.match(h.stdout, new RegExp(`\\n  ${usage.replace(/[[\].]/g, "\\$&")} +\\S`), usage);
  assert.match(h.stdout, /\n {2}schema <name> +print the JSON Schema/, "schema takes no options");
  assert.not.match(h.stdout, /pivotshim-unloaded/);
  assert.ok(h.stdout.includes("\nExamples:\n  npx pivotshim plan "), "the examples");
  assert.ok(h.stdout.includes("70 a bug in pivotshim (PIVOTSHIM_DEBUG=1\nshows its stack). Colour only on a terminal (NO_COLOR honoured).\n"));
  assert.equal(await cli("help", "graph").then((r) => [r.code, r.stdout.startsWith("Usage: pivotshim graph [options]")]), [0, true]);
});

test("doctor --help: its --json option and what the exit status means", async () => {
  const h = await cli("doctor", "--help");
  assert.is(h.code, 0);
  assert.match(h.stdout, /\n {2}--json +print the report as JSON\n/);
  assert.ok(h.stdout.includes("Exit status: 0 pivotshim run works here in at least one mode (root or --rootless), 3 it does not."));
});

test("--version prints package.json's version; a usage error is 2 on every command, not the process exiting", async () => {
  const v = await cli("--version");
  assert.equal([v.code, v.stdout], [0, `${(JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version}\n`]);
  for (const argv of [["--bogus"], ["plan", "--bogus"], ["schema"], ["run", "--rootless", "--bogus"], ["nonsense"]]) {
    const r = await cli(...argv);
    assert.is(r.code, 2, argv.join(" "));
    assert.ok(r.stderr.length > 0, argv.join(" "));
  }
  const bad = await cli("plan", "--\x1b[31mred");
  assert.match(bad.stderr, /unknown option '--\\x1b\[31mred'/, "commander's own messages have control bytes escaped");
});

test("an error a command throws is one 'pivotshim: ' line with its exit code (2 for bad input)", async () => {
  const r = await cli("plan", "--rootfs", "relative/dir");
  assert.is(r.code, 2);
  assert.is(r.stderr, "pivotshim: invalid config:\n  rootfs: must be an absolute path (start with /)\n");
  assert.is(r.stdout, "");
  const ok = await cli("plan");
  assert.is(ok.code, 0, ok.stderr);
});

test.run();
