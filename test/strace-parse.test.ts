// Tests for src/strace/parse.ts and args.ts: a table of single lines (taken verbatim from the real
// captures in test/fixtures/real/, plus hand-made edge cases for every form), merging of
// unfinished/resumed pairs, and a sweep over every fixture (no line may end up unparsed).
import { readdirSync, readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseArg, splitArgs, type Arg } from "../src/strace/args.js";
import { parseStrace, type Call, type Entry } from "../src/strace/parse.js";

const REAL = new URL("./fixtures/real/", import.meta.url);
const enc = new TextEncoder();
const str = (value: string, truncated = false): Arg => ({ kind: "str", value, bytes: enc.encode(value), truncated });
const bytes = (value: string, b: number[]): Arg => ({ kind: "str", value, bytes: Uint8Array.from(b), truncated: false });
const NUL: Arg = { kind: "null" };
const addr = (a: string): Arg => ({ kind: "addr", addr: a });
const num = (value: number): Arg => ({ kind: "num", value });
const flags = (names: string[], residue = 0): Arg => ({ kind: "flags", names, residue });
const fd = (n: number, path: string): Arg => ({ kind: "fd", fd: n, path });
const cwd = (path?: string): Arg => (path === undefined ? { kind: "at_fdcwd" } : { kind: "at_fdcwd", path });
const one = (line: string): Entry => {
  const { entries } = parseStrace(line);
  assert.is(entries.length, 1, line);
  return entries[0]!;
};
/** The fields a row checks; `raw` and `line` are checked once below. */
const shape = (e: Entry): Record<string, unknown> => {
  const { raw: _r, line: _l, ...rest } = e;
  return rest;
};
const call = (c: Partial<Call>): Record<string, unknown> => ({ kind: "call", ret: 0, ...c });

// [what, line, expected] — every form of the brief, real lines first.
const LINES: [string, string, Record<string, unknown>][] = [
  ["runc: Go passes \"\" for source, strace prints the ignored fstype as an address, data NULL",
    `3895  mount("", "/", 0xc00013e794, MS_REC|MS_SLAVE, NULL) = 0`,
    call({ pid: 3895, name: "mount", args: [str(""), str("/"), addr("0xc00013e794"), flags(["MS_REC", "MS_SLAVE"]), NUL] })],
  ["crun: C passes NULL",
    `4030  mount(NULL, "/tmp/pvs", NULL, MS_PRIVATE, NULL) = -1 EINVAL (Invalid argument)`,
    call({ pid: 4030, name: "mount", args: [NUL, str("/tmp/pvs"), NUL, flags(["MS_PRIVATE"]), NUL], ret: -1, errno: "EINVAL", errText: "Invalid argument" })],
  ["-y dirfd and returned fd",
    `3895  openat(AT_FDCWD</tmp/pvs/rootfs>, "/", O_RDONLY|O_DIRECTORY) = 6</>`,
    call({ pid: 3895, name: "openat", args: [cwd("/tmp/pvs/rootfs"), str("/"), flags(["O_RDONLY", "O_DIRECTORY"])], ret: 6, retPath: "/" })],
  ["padding before = and an fd argument",
    `3895  fchdir(10</tmp/pvs/rootfs>)       = 0`,
    call({ pid: 3895, name: "fchdir", args: [fd(10, "/tmp/pvs/rootfs")] })],
  ["no -y: plain numbers",
    `4148  openat(AT_FDCWD, "/", O_RDONLY|O_PATH|O_DIRECTORY) = 3`,
    call({ pid: 4148, name: "openat", args: [cwd(), str("/"), flags(["O_RDONLY", "O_PATH", "O_DIRECTORY"])], ret: 3 })],
  ["-tt timestamp",
    `4104  14:09:44.221470 pivot_root(".", ".") = 0`,
    call({ pid: 4104, time: "14:09:44.221470", name: "pivot_root", args: [str("."), str(".")] })],
  ["-t timestamp, no pid", `14:10:45 chdir("/")                     = 0`, call({ time: "14:10:45", name: "chdir", args: [str("/")] })],
  ["-ttt timestamp", `4338  1795961445.089847 chdir("/tmp")   = 0`, call({ pid: 4338, time: "1795961445.089847", name: "chdir", args: [str("/tmp")] })],
  ["-r with [pid N] (stderr form)",
    `[pid  4328]      0.001368 chdir("/tmp") = 0`, call({ pid: 4328, time: "0.001368", name: "chdir", args: [str("/tmp")] })],
  ["-r, no pid", `     0.000123 umount2(".", MNT_DETACH) = 0`, call({ time: "0.000123", name: "umount2", args: [str("."), flags(["MNT_DETACH"])] })],
  ["escapes: \\t \\n \\\" \\\\ and octal",
    `read(3, "a\\tb\\nc\\"d\\\\e\\1f\\303\\251", 64) = 11`,
    call({ name: "read", args: [num(3), bytes("a\tb\nc\"d\\e\x01fé", [97, 9, 98, 10, 99, 34, 100, 92, 101, 1, 102, 0xc3, 0xa9]), num(64)], ret: 11 })],
  ["three-digit octal before a digit, and \\x (strace -x)",
    `chdir("\\0011\\x2f")        = -1 ENOENT (No such file or directory)`,
    call({ name: "chdir", args: [bytes("\x011/", [1, 49, 47])], ret: -1, errno: "ENOENT", errText: "No such file or directory" })],
  ["truncated string (-s)",
    `3895  read(6</proc/3895/mountinfo>, "44 43 254:0 / / rw"..., 4096) = 1487`,
    call({ pid: 3895, name: "read", args: [fd(6, "/proc/3895/mountinfo"), str("44 43 254:0 / / rw", true), num(4096)], ret: 1487 })],
  ["-y path with escaped < > and a space", `close(3</tmp/a\\74b\\76c d>)              = 0`, call({ name: "close", args: [fd(3, "/tmp/a<b>c d")] })],
  ["deleted file behind an fd",
    `3893  close(8</tmp/pvs/state/r-default/exec.fifo>(deleted)) = 0`,
    call({ pid: 3893, name: "close", args: [{ kind: "fd", fd: 8, path: "/tmp/pvs/state/r-default/exec.fifo", deleted: true }] })],
  ["octal mode", `4097  mkdir("oldroot", 0755)            = 0`, call({ pid: 4097, name: "mkdir", args: [str("oldroot"), num(0o755)] })],
  ["flag set with a name abi.ts lacks is still parsed",
    `4097  mount("newroot", "newroot", NULL, MS_MGC_VAL|MS_BIND|MS_REC|MS_SILENT, NULL) = 0`,
    call({ pid: 4097, name: "mount", args: [str("newroot"), str("newroot"), NUL, flags(["MS_MGC_VAL", "MS_BIND", "MS_REC", "MS_SILENT"]), NUL] })],
  ["numeric residue in a flag set", `umount2("/x", MNT_DETACH|0x10) = 0`, call({ name: "umount2", args: [str("/x"), flags(["MNT_DETACH"], 16)] })],
  ["struct argument kept raw, -y return",
    `4030  openat2(3</tmp/pvs/rootfs>, "proc", {flags=O_RDONLY|O_CLOEXEC|O_PATH, resolve=RESOLVE_IN_ROOT}, 24) = 6</tmp/pvs/rootfs/proc>`,
    call({ pid: 4030, name: "openat2", args: [fd(3, "/tmp/pvs/rootfs"), str("proc"), { kind: "raw", text: "{flags=O_RDONLY|O_CLOEXEC|O_PATH, resolve=RESOLVE_IN_ROOT}" }, num(24)], ret: 6, retPath: "/tmp/pvs/rootfs/proc" })],
  ["getcwd", `4097  getcwd("/tmp/pvs", 4096)          = 9`, call({ pid: 4097, name: "getcwd", args: [str("/tmp/pvs"), num(4096)], ret: 9 })],
  ["= ? with a restart errno",
    `3889  read(12<pipe:[7607]>, 0xc0001be000, 32768) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)`,
    call({ pid: 3889, name: "read", args: [fd(12, "pipe:[7607]"), addr("0xc0001be000"), num(32768)], ret: null, errno: "ERESTARTSYS", errText: "To be restarted if SA_RESTART is set" })],
  ["= ? alone", `exit_group(0)                           = ?`, call({ name: "exit_group", args: [num(0)], ret: null })],
  ["extra text after the return, and -T", `poll([{fd=3, events=POLLIN}], 1, 0) = 0 (Timeout) <0.000012>`,
    call({ name: "poll", args: [{ kind: "raw", text: "[{fd=3, events=POLLIN}]" }, num(1), num(0)], retExtra: "(Timeout)", duration: "0.000012" })],
  ["no arguments", `getpid()                                = 42`, call({ name: "getpid", args: [], ret: 42 })],
  ["signal line",
    `3895  --- SIGURG {si_signo=SIGURG, si_code=SI_TKILL, si_pid=1, si_uid=0} ---`,
    { kind: "signal", pid: 3895, signal: "SIGURG", info: "{si_signo=SIGURG, si_code=SI_TKILL, si_pid=1, si_uid=0}" }],
  ["exit line", `[pid  4328]      0.000171 +++ exited with 1 +++`, { kind: "exit", pid: 4328, time: "0.000171", code: 1 }],
  ["killed line", `77 +++ killed by SIGKILL (core dumped) +++`, { kind: "killed", pid: 77, signal: "SIGKILL", coreDumped: true }],
  ["anything else is kept as unparsed", `strace: Process 4328 attached`, { kind: "unparsed", reason: "not a call, signal or exit line" }],
];

for (const [what, line, expected] of LINES) {
  test(`line: ${what}`, () => {
    const e = one(line);
    assert.equal(shape(e), expected);
    assert.is(e.raw, line);
    assert.is(e.line, 1);
  });
}

test("unfinished/resumed pairs merge per pid, at the start position", () => {
  const log = [
    `3895  read(3<socket:[7608]>,  <unfinished ...>`,
    `3896  close(5)                         = 0`,
    `3895  <... read resumed>"{\\"type\\":\\"procResume\\"}", 512) = 29`,
    `3936  chdir("/tmp/pvs/rootfs" <unfinished ...>`,
    `3936  <... chdir resumed>)              = 0`,
  ].join("\n");
  const { calls } = parseStrace(log);
  assert.equal(calls.map((c) => [c.pid, c.name, c.line, c.endLine]), [[3895, "read", 1, 3], [3896, "close", 2, undefined], [3936, "chdir", 4, 5]]);
  assert.equal(calls[0]!.args, [fd(3, "socket:[7608]"), str('{"type":"procResume"}'), num(512)]);
  assert.is(calls[0]!.ret, 29);
  assert.is(calls[0]!.unfinished, undefined);
  assert.is(calls[0]!.raw.split("\n").length, 2);
  assert.equal(calls[2]!.args, [str("/tmp/pvs/rootfs")]);
});

test("strace -f to stderr: a call resumed after the other processes are gone has no pid, and resumes its process's pending call", () => {
  // Recorded with strace 6.1 (Debian 12): strace -f -e trace=wait4,exit_group sh -c '/bin/sleep 0.2; true' 2> log.
  // Without -o, "[pid N] " is printed only while more than one process is traced.
  const log = [
    "strace: Process 6831 attached",
    "[pid  6829] wait4(-1,  <unfinished ...>",
    "[pid  6831] exit_group(0)               = ?",
    "[pid  6831] +++ exited with 0 +++",
    "<... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 6831",
    "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=6831, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---",
    "wait4(-1, 0x7ffed5d712ec, WNOHANG, NULL) = -1 ECHILD (No child processes)",
  ].join("\n");
  const { calls } = parseStrace(log);
  assert.equal(calls.map((c) => [c.pid, c.name, c.ret, c.line, c.endLine, c.unfinished]), [
    [6829, "wait4", 6831, 2, 5, undefined], [6831, "exit_group", null, 3, undefined, undefined], [undefined, "wait4", -1, 7, undefined, undefined],
  ]);
  // Two pending calls of that name: which one resumed is not known, so nothing is guessed.
  const two = parseStrace("[pid 7] wait4(-1,  <unfinished ...>\n[pid 8] wait4(-1,  <unfinished ...>\n<... wait4 resumed>, 0, NULL) = 9");
  assert.equal(two.events.map((e) => e.kind), ["unparsed"]);
  assert.equal(two.calls.map((c) => c.unfinished), [true, true]);
});

test("an unfinished call that never resumes stays, marked, with ret null", () => {
  const { calls, events } = parseStrace(`9  read(3,  <unfinished ...>\n9  +++ killed by SIGKILL +++`);
  assert.is(calls.length, 1);
  assert.is(calls[0]!.unfinished, true);
  assert.is(calls[0]!.ret, null);
  assert.equal(calls[0]!.args, [num(3)]);
  assert.is(events[0]!.kind, "killed");
});

test("a resume with no pending call (or another name) is reported, not guessed", () => {
  const { events } = parseStrace(`9  <... read resumed>, 4) = 4\n10  mount(NULL, "/" <unfinished ...>\n10  <... umount2 resumed>) = 0`);
  assert.equal(events.map((e) => e.kind), ["unparsed", "unparsed"]);
});

test("splitArgs: commas and parens inside strings, -y paths and structs do not split", () => {
  const s = `f("a,b)", 3</x,y)>, {a=1, b=(2)}, [1, 2]) = 0`;
  const { parts, end } = splitArgs(s, 2);
  assert.equal(parts, [`"a,b)"`, "3</x,y)>", "{a=1, b=(2)}", "[1, 2]"]);
  assert.is(s.slice(end), ") = 0");
});

test("parseArg: NULL, \"\" and an address are three different things", () => {
  assert.equal([parseArg("NULL"), parseArg('""'), parseArg("0x0")], [NUL, str(""), addr("0x0")]);
  assert.equal(parseArg("-100"), num(-100));
  assert.equal(parseArg("AT_FDCWD"), cwd());
});

test("every real capture parses: no unparsed line, no call left unfinished", () => {
  const files = readdirSync(REAL).filter((f) => f.endsWith(".strace"));
  assert.ok(files.length >= 17, `expected the 17 captures, found ${files.length}`);
  for (const f of files) {
    const text = readFileSync(new URL(f, REAL), "utf8");
    const { entries, calls, events } = parseStrace(text);
    assert.equal(events.filter((e) => e.kind === "unparsed").map((e) => e.raw), [], f);
    assert.equal(calls.filter((c) => c.unfinished).map((c) => c.raw), [], f);
    const covered = entries.reduce((n, e) => n + e.raw.split("\n").length, 0);
    assert.is(covered, text.split("\n").filter((l) => l.trim() !== "").length, `${f}: every line is in one entry`);
    assert.ok(calls.some((c) => c.name === "pivot_root" || c.name === "chroot"), `${f} switches root`);
  }
});

test.run();
