// Golden exit codes and messages of the commands the first Stryker runs of src/commands left
// unmeasured (docs/mutation.md, "Triage: src/commands/"): diff (the verdict "equivalent" becomes
// exit 0 here), replay ("identical"), explore (a violation is exit 1), graph and schema. Run in
// process (test/helpers/cli-in-process.ts), so a Stryker run of those files costs no CLI child
// per mutant. The expected texts were read against each command's --help and README.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "./helpers/cli-in-process.js";

const hadNoColor = process.env.NO_COLOR;
test.before.each(() => { process.env.NO_COLOR = "1"; });
test.after.each(() => { if (hadNoColor === undefined) delete process.env.NO_COLOR; else process.env.NO_COLOR = hadNoColor; });
const dir = mkdtempSync(join(tmpdir(), "pivotshim-kills-commands-rest-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

// runc's switch on the dry-run host: the plan as a strace log and as a trace file.
const RUNC = ["--rootfs", "/r", "--profile", "runc", "--no-prepare"];
const LOG = join(dir, "runc.strace");
const TRACE = join(dir, "runc.json");
test.before(async () => {
  process.env.NO_COLOR = "1";
  const s = await cli("plan", "--host", "dry-run", ...RUNC, "--format", "strace");
  assert.is(s.code, 0, s.stderr);
  writeFileSync(LOG, s.stdout);
  assert.is((await cli("plan", "--host", "dry-run", ...RUNC, "--trace-out", TRACE)).code, 0);
});
const edited = (name: string, from: string, to: string): string => {
  const text = readFileSync(LOG, "utf8");
  assert.ok(text.includes(from), from);
  const path = join(dir, name);
  writeFileSync(path, text.replace(from, to));
  return path;
};
const EQUIVALENT = "equivalent: all 11 plan steps matched\n";

// --- diff (src/commands/diff.ts) ---------------------------------------------------------------------

test("diff: the plan against its own log is equivalent, exit 0, from the config flags and from the trace file", async () => {
  const a = await cli("diff", ...RUNC, "--strace", LOG);
  assert.is(a.code, 0, a.stderr);
  assert.ok(a.stdout.startsWith("plan: runc profile, strategy auto, rootfs /r (11 steps, done, dry-run host)\n"), a.stdout);
  assert.ok(a.stdout.endsWith(EQUIVALENT), a.stdout);
  assert.is(a.stderr, "");
  const b = await cli("diff", "--trace", TRACE, "--strace", LOG);
  assert.equal(b, a, "the trace file is the same plan");
});

test("diff: a call whose result differs is exit 1, DIFFERS; --format json says equivalent false", async () => {
  const busy = edited("busy.strace", 'pivot_root(".", ".") = 0', 'pivot_root(".", ".") = -1 EBUSY (Device or resource busy)');
  const r = await cli("diff", ...RUNC, "--strace", busy);
  assert.is(r.code, 1);
  assert.ok(r.stdout.endsWith("DIFFERS: 1 step differs, 0 missing from the log, 10 matched\n"), r.stdout);
  const j = await cli("diff", ...RUNC, "--strace", busy, "--format", "json");
  assert.is(j.code, 1);
  assert.is(JSON.parse(j.stdout).equivalent, false);
  const ok = await cli("diff", ...RUNC, "--strace", LOG, "--format", "json");
  assert.is(ok.code, 0);
  assert.is(JSON.parse(ok.stdout).equivalent, true);
  assert.is(JSON.parse(ok.stdout).plan.host, "dry-run");
});

test("diff --trace with any flag that makes a plan is exit 2: the plan comes from the file alone", async () => {
  const why = "pivotshim: --trace takes the plan from the file: do not combine it with config flags, --mountinfo or --host\n";
  const mi = join(dir, "host.mountinfo");
  writeFileSync(mi, "1 1 8:1 / / rw - ext4 /dev/sda rw\n");
  for (const flags of [["--rootfs", "/r"], ["--profile", "runc"], ["--strategy", "pivot"], ["--root-propagation", "rslave"], ["--readonly"],
    ["--mountinfo", mi], ["--no-prepare"], ["--no-self-bind"], ["--host", "fake-kernel"]]) {
    assert.equal(await cli("diff", "--trace", TRACE, ...flags, "--strace", LOG), { code: 2, stdout: "", stderr: why }, flags.join(" "));
  }
  assert.is((await cli("diff", "--trace", TRACE, "--host", "dry-run", "--strace", LOG)).code, 0, "--host dry-run is the default: no plan of its own");
});

test("diff --pid: a positive pid_t in plain decimal, else exit 2; a pid that never switches is exit 1 naming the log", async () => {
  for (const pid of ["0", "01", "-1", "1.5", "x", "2147483648", " 5"]) {
    assert.equal(await cli("diff", ...RUNC, "--strace", LOG, "--pid", pid),
      { code: 2, stdout: "", stderr: `pivotshim: --pid must be a positive process id (at most 2147483647), not "${pid}"\n` }, pid);
  }
  for (const pid of ["5", "2147483647"]) {
    assert.equal(await cli("diff", ...RUNC, "--strace", LOG, "--pid", pid), {
      code: 1, stdout: "",
      stderr: `pivotshim: ${LOG}: process ${pid} does not call pivot_root or mount(..., "/", ..., MS_MOVE, ...) in the strace log: no root switch to compare with the plan\n`,
    }, pid);
  }
});

test("diff: a log with no root switch is exit 1, one line naming the log; no report on stdout", async () => {
  const text = readFileSync(LOG, "utf8").split("\n").slice(0, 4).join("\n") + "\n";
  const none = join(dir, "none.strace");
  writeFileSync(none, text);
  assert.equal(await cli("diff", ...RUNC, "--strace", none), {
    code: 1, stdout: "",
    stderr: `pivotshim: ${none}: no process in the strace log calls pivot_root or mount(..., "/", ..., MS_MOVE, ...): no root switch to compare with the plan\n`,
  });
});

test("diff --host fake-kernel: a table the fake kernel cannot model is exit 2, named as such; the docker-host scenario without --mountinfo", async () => {
  const dup = join(dir, "dup.mountinfo");
  writeFileSync(dup, "1 1 0:1 / / rw - ext4 /dev/root rw\n1 1 0:2 / /x rw - tmpfs t rw\n");
  assert.equal(await cli("diff", "--rootfs", "/r", "--host", "fake-kernel", "--mountinfo", dup, "--strace", LOG), {
    code: 2, stdout: "", stderr: "pivotshim: the --mountinfo file is not a mountinfo table: malformed mountinfo, line 2: mount ID 1 is already used on line 1\n",
  });
  const k = await cli("diff", "--rootfs", "/r", "--profile", "runc", "--host", "fake-kernel", "--strace", LOG, "--format", "json");
  assert.is(JSON.parse(k.stdout).plan.host, "fake-kernel");
  assert.is(JSON.parse(k.stdout).plan.steps, 14, "runc's prepare steps too: the fake kernel's docker-host plan, not the dry run's");
});

test("diff --traced: a step of a call the log did not trace cannot be checked, and the verdict says so; without the list it is missing", async () => {
  // No fchdir in the log: without --traced that is three missing steps (only read, getcwd and
  // close count as untraced when absent); with a list that leaves fchdir out, they cannot be checked.
  const partial = join(dir, "partial.strace");
  writeFileSync(partial, readFileSync(LOG, "utf8").split("\n").filter((l) => !/^(close|fchdir)\(/.test(l)).join("\n"));
  const r = await cli("diff", ...RUNC, "--strace", partial, "--traced", "openat,pivot_root,mount,umount2,chdir");
  assert.is(r.code, 0, r.stdout);
  assert.ok(r.stdout.endsWith("equivalent on the traced calls (6 of 11 steps checked)\n"), r.stdout);
  const without = await cli("diff", ...RUNC, "--strace", partial);
  assert.is(without.code, 1);
  assert.ok(without.stdout.endsWith("DIFFERS: 0 steps differ, 3 missing from the log, 6 matched (9 of 11 steps checked)\n"), without.stdout);
});

// --- replay (src/commands/replay.ts) --------------------------------------------------------------------

test("replay: a recorded trace is identical, exit 0; one edited request is exit 1, the side-by-side on stdout, one line on stderr", async () => {
  assert.equal(await cli("replay", TRACE), { code: 0, stdout: "replayed 11 requests: identical\n", stderr: "" });
  const t = JSON.parse(readFileSync(TRACE, "utf8"));
  t.steps[4].request.new_root = "..";
  const div = join(dir, "div.json");
  writeFileSync(div, JSON.stringify(t));
  const r = await cli("replay", div);
  assert.is(r.code, 1);
  assert.ok(r.stdout.startsWith("replay diverged at request 4:\n"), r.stdout);
  assert.match(r.stdout, /\n {2}call {3}pivot_root\("\.\.", "\."\) {3}pivot_root\("\.", "\."\)\n {2}differs in: new_root\n/);
  assert.is(r.stderr, `pivotshim: ${div}: replay diverged at request 4\n`);
});

test("replay --trace-out writes the replayed run's trace; an invalid trace is exit 2 naming the key", async () => {
  const out = join(dir, "replayed.json");
  assert.is((await cli("replay", TRACE, "--trace-out", out)).code, 0);
  assert.equal(JSON.parse(readFileSync(out, "utf8")).steps, JSON.parse(readFileSync(TRACE, "utf8")).steps);
  const t = JSON.parse(readFileSync(TRACE, "utf8"));
  t.steps[4].request.pathname = "x";
  const bad = join(dir, "bad.json");
  writeFileSync(bad, JSON.stringify(t));
  assert.equal(await cli("replay", bad), { code: 2, stdout: "", stderr: "pivotshim: invalid trace:\n  steps[4].request: Unrecognized key: \"pathname\"\n" });
});

// --- explore (src/commands/explore.ts) ------------------------------------------------------------------

test("explore: no violation is exit 0; a violation is exit 1, listed with its faults", async () => {
  const ok = await cli("explore", "--profile", "runc");
  assert.is(ok.code, 0, ok.stdout);
  assert.ok(ok.stdout.startsWith("# explore: profile runc, strategy auto, rootfs /var/lib/pivotshim/rootfs, scenario docker-host\n"), ok.stdout);
  assert.match(ok.stdout, /\n# paths explored: \d+, ok: (\d+), violations: 0, /);
  const bad = await cli("explore", "--profile", "runc", "--scenario", "stacked-root");
  assert.is(bad.code, 1);
  assert.match(bad.stdout, /\n# paths explored: 156, ok: 143, violations: 14, findings: 3\n/);
  assert.match(bad.stdout, /\n# - no fault: old-root-unreachable: /);
});

test("explore --format json: the scenario, the counts per step, the violating paths only unless --full", async () => {
  const j = JSON.parse((await cli("explore", "--profile", "runc", "--format", "json")).stdout);
  assert.is(j.scenario, "docker-host");
  assert.equal(j.paths, [], "no violating path");
  assert.is(j.trace, undefined, "the trace goes to --trace-out, not the report");
  assert.ok(Array.isArray(j.perStep) && j.perStep.length > 0);
  const full = JSON.parse((await cli("explore", "--profile", "runc", "--format", "json", "--full")).stdout);
  assert.is(full.paths.length, full.summary.paths);
  const bad = JSON.parse((await cli("explore", "--profile", "runc", "--scenario", "stacked-root", "--format", "json")).stdout);
  assert.is(bad.paths.length, 13, "the 13 violating faulted paths");
  assert.is(bad.summary.violations, 14, "and the run without a fault, which is in base, not paths");
  assert.ok(bad.paths.every((p: { ok: boolean }) => !p.ok));
});

test("explore: --mountinfo names the host 'mountinfo file'; --double explores more paths; markdown and --kernel 7.0 are accepted", async () => {
  const mi = join(dir, "explore.mountinfo");
  writeFileSync(mi, "21 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n23 21 0:22 / /proc rw - proc proc rw\n");
  const m = await cli("explore", "--profile", "runc", "--rootfs", "/srv/r", "--mountinfo", mi, "--format", "json");
  assert.is(JSON.parse(m.stdout).scenario, "mountinfo file", m.stderr);
  const one = JSON.parse((await cli("explore", "--profile", "crun", "--format", "json")).stdout).summary.paths;
  const two = JSON.parse((await cli("explore", "--profile", "crun", "--format", "json", "--double")).stdout).summary.paths;
  assert.ok(two > one, `${two} > ${one}`);
  const md = await cli("explore", "--profile", "runc", "--format", "markdown");
  assert.ok(md.stdout.startsWith("# Fault exploration: runc / auto\n"), md.stdout.slice(0, 80));
  assert.is((await cli("explore", "--profile", "crun-1.29", "--kernel", "7.0")).code, 0);
});

test("explore --trace-out writes the base run's trace, which replays identical", async () => {
  const out = join(dir, "explore-trace.json");
  assert.is((await cli("explore", "--profile", "runc", "--trace-out", out)).code, 0);
  assert.equal(await cli("replay", out), { code: 0, stdout: "replayed 14 requests: identical\n", stderr: "" });
});

// --- graph and schema (src/commands/graph.ts, schema.ts) -----------------------------------------------------

test("graph: DOT by default, Mermaid on request; a bad config is exit 2 before --trace-out makes its file", async () => {
  const dot = await cli("graph", "--profile", "runc");
  assert.is(dot.code, 0);
  assert.ok(dot.stdout.startsWith("digraph "), dot.stdout.slice(0, 40));
  const mer = await cli("graph", "--profile", "runc", "--format", "mermaid");
  assert.ok(mer.stdout.startsWith("flowchart "), mer.stdout.slice(0, 40));
  const out = join(dir, "graph.json");
  const bad = await cli("graph", "--rootfs", "relative", "--trace-out", out);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /^pivotshim: invalid config:\n {2}rootfs: /);
  assert.not.ok(existsSync(out), "no trace file for a refused config");
  // The config is judged before the file is opened: with both wrong, the config is what is named.
  const both = await cli("graph", "--rootfs", "relative", "--trace-out", join(dir, "no", "such", "graph.json"));
  assert.is(both.code, 2);
  assert.match(both.stderr, /^pivotshim: invalid config:\n {2}rootfs: /);
  assert.is((await cli("graph", "--profile", "runc", "--trace-out", out)).code, 0);
  assert.equal(JSON.parse(readFileSync(out, "utf8")).source, { host: "dry-run" });
});

test("schema: config and trace are JSON Schemas titled by name; any other name is exit 2 listing both", async () => {
  for (const name of ["config", "trace"]) {
    const r = await cli("schema", name);
    assert.is(r.code, 0);
    const s = JSON.parse(r.stdout);
    assert.is(s.title, `pivotshim ${name}`);
    assert.is(s.$schema, "https://json-schema.org/draft/2020-12/schema");
  }
  assert.ok(JSON.parse((await cli("schema", "config")).stdout).properties.rootfs, "the config's fields");
  for (const name of ["toString", "constructor", "Config", ""]) {
    assert.equal(await cli("schema", name), { code: 2, stdout: "", stderr: `pivotshim: unknown schema "${name}"; expected one of config, trace\n` }, name);
  }
});

// --- survivors of the Stryker run of these files (docs/mutation.md, "Triage: src/commands/") ------------------

test("diff: an unreadable --trace file or --strace log is exit 2 naming which input it was", async () => {
  const gone = join(dir, "gone");
  assert.equal(await cli("diff", "--trace", gone, "--strace", LOG),
    { code: 2, stdout: "", stderr: `pivotshim: cannot read --trace file ${gone}: ENOENT: no such file or directory, open '${gone}'\n` });
  assert.equal(await cli("diff", ...RUNC, "--strace", gone),
    { code: 2, stdout: "", stderr: `pivotshim: cannot read --strace log ${gone}: ENOENT: no such file or directory, open '${gone}'\n` });
});

test("diff: a log with no system call line is bad input (exit 2), not a log without a switch (exit 1)", async () => {
  const empty = join(dir, "empty.strace");
  writeFileSync(empty, "");
  assert.equal(await cli("diff", ...RUNC, "--strace", empty),
    { code: 2, stdout: "", stderr: "pivotshim: the strace log contains no system call line (is it strace -f -o output?)\n" });
});

test("diff --mountinfo on the dry-run host decides the plan: on the initial ramfs, hardened moves instead of pivoting", async () => {
  const ramfs = join(dir, "ramfs.mountinfo");
  writeFileSync(ramfs, "1 0 0:1 / / rw - rootfs rootfs rw\n23 1 0:22 / /proc rw - proc proc rw\n");
  const flags = ["--rootfs", "/r", "--profile", "hardened", "--no-prepare"];
  const s = await cli("plan", "--host", "dry-run", ...flags, "--mountinfo", ramfs, "--format", "strace");
  assert.match(s.stdout, /\nmount\("\/r", "\/", "", MS_MOVE, NULL\) = 0\nchroot\("\."\) = 0\n/);
  const log = join(dir, "ramfs.strace");
  writeFileSync(log, s.stdout);
  const same = await cli("diff", ...flags, "--mountinfo", ramfs, "--strace", log);
  assert.is(same.code, 0, same.stdout);
  assert.ok(same.stdout.endsWith("equivalent: all 13 plan steps matched\n"), same.stdout);
  const pivot = await cli("diff", ...flags, "--strace", log);
  assert.is(pivot.code, 1, "without the table the built-in host is not a ramfs: a pivot plan");
  assert.ok(pivot.stdout.endsWith("DIFFERS: 0 steps differ, 8 missing from the log, 9 matched\n"), pivot.stdout);
});

test("diff --host fake-kernel --mountinfo: the profile's host directories exist (bwrap's /tmp, LXC's rootfs mount point); equivalent to plan's own log", async () => {
  const mi = join(dir, "fk.mountinfo");
  writeFileSync(mi, "21 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n23 21 0:22 / /proc rw - proc proc rw\n");
  for (const [profile, steps] of [["bwrap", 19], ["lxc", 29], ["runc", 16]] as const) {
    const flags = ["--host", "fake-kernel", "--profile", profile, "--rootfs", "/srv/r", "--mountinfo", mi];
    const s = await cli("plan", ...flags, "--format", "strace");
    assert.is(s.code, 0, s.stderr);
    const log = join(dir, `fk-${profile}.strace`);
    writeFileSync(log, s.stdout);
    const d = await cli("diff", ...flags, "--strace", log);
    assert.equal(d.stderr, "", profile);
    assert.ok(d.stdout.endsWith(`equivalent: all ${steps} plan steps matched\n`), `${profile}: ${d.stdout}`);
  }
});

test("diff --help explains the window and what was traced", async () => {
  const h = await cli("diff", "--help");
  assert.is(h.code, 0);
  assert.match(h.stdout, /\nThe window: the process that calls pivot_root or mount\(\.\.\., "\/", \.\.\., MS_MOVE, \.\.\.\)/);
  assert.match(h.stdout, /\nWhat was traced: a plan step whose syscall the log never shows/);
});

/** Runs the command with stderr taken for a terminal (explore's progress line). */
async function onTerminal(...argv: string[]): ReturnType<typeof cli> {
  const had = Object.getOwnPropertyDescriptor(process.stderr, "isTTY");
  Object.defineProperty(process.stderr, "isTTY", { value: true, configurable: true, writable: true });
  try { return await cli(...argv); } finally {
    if (had) Object.defineProperty(process.stderr, "isTTY", had); else delete (process.stderr as { isTTY?: boolean }).isTTY;
  }
}

test("explore on a terminal: a progress line every 100 paths on stderr, erased at the end; none on a pipe", async () => {
  const t = await onTerminal("explore", "--profile", "runc", "--format", "json");
  assert.is(JSON.parse(t.stdout).summary.paths, 156);
  assert.is(t.stderr, "\rexplored 100 paths\r\x1b[K");
  const d = await onTerminal("explore", "--profile", "crun", "--double", "--format", "json");
  const n = JSON.parse(d.stdout).summary.paths;
  const expected = Array.from({ length: Math.floor(n / 100) }, (_, i) => `\rexplored ${(i + 1) * 100} paths`).join("") + "\r\x1b[K";
  assert.is(d.stderr, expected, `${n} paths`);
  assert.is((await cli("explore", "--profile", "runc", "--format", "json")).stderr, "", "not a terminal: no progress, nothing to erase");
});

test("explore --rootfs-kind reaches the fake kernel: a kind the scenario contradicts is exit 2", async () => {
  assert.equal(await cli("explore", "--profile", "runc", "--rootfs", "/srv/r", "--rootfs-kind", "missing"), {
    code: 2, stdout: "",
    stderr: "pivotshim: --rootfs-kind contradicts scenario docker-host: /srv/r is a mount point (or lies on the way to one) in the mount table, so it cannot be missing; use --rootfs-kind dir, or another --rootfs\n",
  });
});

test("explore --full lists every path in text and markdown too; JSON and schema output end with a newline", async () => {
  for (const format of ["text", "markdown"]) {
    const short = (await cli("explore", "--profile", "runc", "--format", format)).stdout.split("\n").length;
    const full = (await cli("explore", "--profile", "runc", "--format", format, "--full")).stdout.split("\n").length;
    assert.ok(full >= short + 150, `${format}: ${full} lines with --full, ${short} without`);
  }
  assert.ok((await cli("explore", "--profile", "runc", "--format", "json")).stdout.endsWith("}\n"));
  assert.ok((await cli("schema", "config")).stdout.endsWith("}\n"));
});

test("explore with FORCE_COLOR: the text is painted, markdown and JSON stay plain", async () => {
  delete process.env.NO_COLOR;
  const had = process.env.FORCE_COLOR;
  process.env.FORCE_COLOR = "1";
  try {
    const text = (await cli("explore", "--profile", "runc")).stdout;
    assert.ok(text.includes("\x1b[32m# paths explored: 156, ok: 156, violations: 0"), text.slice(0, 300));
    for (const format of ["markdown", "json"]) {
      assert.not.ok((await cli("explore", "--profile", "runc", "--format", format)).stdout.includes("\x1b["), format);
    }
  } finally {
    if (had === undefined) delete process.env.FORCE_COLOR; else process.env.FORCE_COLOR = had;
  }
});

test.run();
