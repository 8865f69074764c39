// Tests written for survivors of `npm run mutate -- src/strace` (docs/mutation.md#triage-srcstrace).
// Each reads like a golden log: lines as strace 6.1 printed them (captured on Linux 6.18 for this
// file, in a private mount namespace, or taken from test/fixtures/real/), and the exact values the
// parser and the request mapping must give for them.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import { fastCall, parseStrace, stripUnfinished, toRequests, type Entry, type Traced } from "../src/strace/parse.js";

const map = (log: string): Traced[] => toRequests(parseStrace(log).calls);
/** A request without seq/step/reason, its result and its problems: what a row checks. */
const row = (t: Traced): [Record<string, unknown>, unknown, string[]] => {
  const { seq: _s, step: _t, reason: _r, ...req } = t.request as unknown as Record<string, unknown>;
  return [req, t.result, t.problems];
};

/** An entry without its raw text (checked apart where it matters). */
const shape = (e: Entry): Record<string, unknown> => {
  const { raw: _r, ...rest } = e as unknown as Record<string, unknown>;
  return rest;
};
const entries = (log: string) => parseStrace(log).entries.map(shape);

// ---- parse.ts: event lines, returns, line endings ----

test("event lines as strace 6.1 prints them: real-time signals, a two-digit exit code, kills", () => {
  assert.equal(entries([
    "18721 --- SIGRT_14 {si_signo=SIGRT_14, si_code=SI_USER, si_pid=18721, si_uid=0} ---",
    "18721 --- SIGRT_2 {si_signo=SIGRT_2, si_code=SI_USER, si_pid=18721, si_uid=0} ---",
    "19007 +++ exited with 42 +++",
    "19142 +++ killed by SIGABRT +++",
    "+++ killed by SIGRT_2 +++",
  ].join("\n")), [
    { pid: 18721, line: 1, kind: "signal", signal: "SIGRT_14", info: "{si_signo=SIGRT_14, si_code=SI_USER, si_pid=18721, si_uid=0}" },
    { pid: 18721, line: 2, kind: "signal", signal: "SIGRT_2", info: "{si_signo=SIGRT_2, si_code=SI_USER, si_pid=18721, si_uid=0}" },
    { pid: 19007, line: 3, kind: "exit", code: 42 },
    { pid: 19142, line: 4, kind: "killed", signal: "SIGABRT", coreDumped: false },
    { line: 5, kind: "killed", signal: "SIGRT_2", coreDumped: false },
  ]);
});

test("hex return values (brk, mmap) are numbers, not 0 followed by text", () => {
  const calls = parseStrace([
    "brk(NULL)                               = 0x555d8dbf9000",
    "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7fb4c72d3000",
  ].join("\n")).calls;
  assert.equal(calls.map((c) => [c.name, c.ret, c.retExtra]), [["brk", 0x555d8dbf9000, undefined], ["mmap", 0x7fb4c72d3000, undefined]]);
});

test("strace's stderr shared with the program's (no -o): a line the program began is reported, not read as strace's", () => {
  // Captured with `strace -f ... 2>&1` while the program wrote "hi", "yo", "hello", "ho" to
  // stderr without a newline; the last line is the same kind of join for a resumed call.
  const log = [
    "[pid 13401] read(0,  <unfinished ...>",
    "hi--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER, si_pid=13352, si_uid=0} ---",
    "yo[pid 13333] close(11)                   = 0",
    "hello+++ exited with 3 +++",
    "ho+++ killed by SIGKILL +++",
    'hi[pid 13401] <... read resumed>"", 1) = 0',
  ].join("\n");
  const { entries: all, calls } = parseStrace(log);
  assert.equal(all.slice(1).map((e) => [e.kind, e.kind === "unparsed" ? e.reason : ""]), Array(5).fill(["unparsed", "not a call, signal or exit line"]));
  assert.equal([calls.length, calls[0]!.unfinished, calls[0]!.endLine], [1, true, undefined]);
});

test("-T durations of ten seconds and more, after an errno and after a plain return", () => {
  // A read interrupted by SIGALRM after 11 s, then restarted (strace -T).
  const [a, b] = parseStrace([
    "read(0, 0x7f64f8912870, 1)              = ? ERESTARTSYS (To be restarted if SA_RESTART is set) <11.010719>",
    'read(0, "", 1)                          = 0 <18.475195>',
  ].join("\n")).calls;
  assert.equal([a!.ret, a!.errno, a!.errText, a!.duration, a!.retExtra], [null, "ERESTARTSYS", "To be restarted if SA_RESTART is set", "11.010719", undefined]);
  assert.equal([b!.ret, b!.duration], [0, "18.475195"]);
});

test("a -y return path that ends in digits.digits is a path, not a -T duration", () => {
  const [c] = parseStrace(`openat(AT_FDCWD</tmp/cap>, "/tmp/cap/1.2", O_RDONLY|O_CLOEXEC) = 3</tmp/cap/1.2>`).calls;
  assert.equal([c!.ret, c!.retPath, c!.duration, c!.retExtra], [3, "/tmp/cap/1.2", undefined, undefined]);
});

test("a log with CRLF line ends (saved on Windows) parses as with LF: calls, merged pairs, events", () => {
  const lf = [
    "20154 read(0,  <unfinished ...>",
    "20090 getcwd(\"/tmp/cap\", 1024)          = 9",
    "20154 <... read resumed>\"x\", 10)        = 1",
    "20154 --- SIGRT_2 {si_signo=SIGRT_2, si_code=SI_USER, si_pid=18721, si_uid=0} ---",
    "20154 +++ exited with 0 +++",
  ].join("\n");
  // The blank line before the end is "\r" alone: still a blank line.
  const crlf = entries(lf.replaceAll("\n", "\r\n") + "\r\n\r\n");
  assert.equal(crlf, entries(lf));
  assert.equal(crlf.map((e) => [e.kind, e.line, e.endLine]), [["call", 1, 3], ["call", 2, undefined], ["signal", 4, undefined], ["exit", 5, undefined]]);
});

test("a log cut mid-line (strace killed while writing it): the last line is unparsed, or keeps what was written", () => {
  const last = (log: string) => entries(log).at(-1);
  const cut = { line: 2, kind: "unparsed", reason: "not a call, signal or exit line" };
  assert.equal(last(`3895  chdir("/") = 0\n3895  close(6</>`), { pid: 3895, ...cut });
  assert.equal(last(`3895  chdir("/") = 0\n3895  close(6</>)`), { pid: 3895, ...cut });
  // Cut inside the -T duration: the return is whole, the rest is kept as printed.
  assert.equal(last(`3895  chdir("/") = 0\n3895  close(6</>) = 0 <0.0000`),
    { kind: "call", name: "close", args: [{ kind: "fd", fd: 6, path: "/" }], ret: 0, line: 2, pid: 3895, retExtra: "<0.0000" });
});

test("a log that starts inside a call (cut from a longer one): the resume has no pending call", () => {
  assert.equal(entries(`3895  <... read resumed>"{\\"type\\":\\"procReady\\"}", 512) = 22\n3895  close(3) = 0`)[0],
    { pid: 3895, line: 1, kind: "unparsed", reason: "resumed read with no pending call" });
});

test("stripUnfinished drops the marker and the padding strace put before it, nothing else", () => {
  assert.is(stripUnfinished("read(3<socket:[7608]>,  <unfinished ...>"), "read(3<socket:[7608]>,");
  assert.is(stripUnfinished(`chdir("/tmp/pvs/rootfs" <unfinished ...>`), `chdir("/tmp/pvs/rootfs"`);
  assert.is(stripUnfinished(`chdir("/tmp/pvs/rootfs") = 0`), null);
});

test("pid_t's edge: 2147483647 is a process, one more is not, and that line is kept whole and unparsed", () => {
  const log = "2147483647 +++ exited with 0 +++\n2147483648 +++ exited with 0 +++";
  assert.equal(parseStrace(log).entries, [
    { pid: 2147483647, raw: "2147483647 +++ exited with 0 +++", line: 1, kind: "exit", code: 0 },
    { raw: "2147483648 +++ exited with 0 +++", line: 2, kind: "unparsed", reason: "pid 2147483648 is larger than a pid_t" },
  ]);
});

test("every timestamp form before events and a split call: -t, -tt, -ttt and -r, as strace -f -o prints them", () => {
  // Event lines and <unfinished ...>/resumed pairs never take the fast path: splitPrefix reads their
  // timestamps. strace -t prints 12:00:01, -tt adds microseconds, -ttt is epoch seconds, -r relative.
  assert.equal(entries([
    "18721 12:00:01 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=18722, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---",
    "18722 12:00:01.123456 +++ exited with 0 +++",
    "18723 1700000000.123456 read(0,  <unfinished ...>",
    "18724 1700000000.123460 +++ killed by SIGKILL +++",
    '18723 1700000000.223456 <... read resumed>"x", 1) = 1',
    "18723      0.000123 +++ exited with 0 +++",
  ].join("\n")), [
    { pid: 18721, time: "12:00:01", line: 1, kind: "signal", signal: "SIGCHLD", info: "{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=18722, si_uid=0, si_status=0, si_utime=0, si_stime=0}" },
    { pid: 18722, time: "12:00:01.123456", line: 2, kind: "exit", code: 0 },
    { kind: "call", name: "read", args: [{ kind: "num", value: 0 }, { kind: "str", value: "x", bytes: new Uint8Array([120]), truncated: false }, { kind: "num", value: 1 }],
      ret: 1, line: 3, pid: 18723, time: "1700000000.123456", endLine: 5 },
    { pid: 18724, time: "1700000000.123460", line: 4, kind: "killed", signal: "SIGKILL", coreDumped: false },
    { pid: 18723, time: "0.000123", line: 6, kind: "exit", code: 0 },
  ]);
});

test("the program's text before an <unfinished ...> line: that line is unparsed, so its resume has no pending call", () => {
  // Same capture as above (strace -f sharing the program's stderr): "hi" was written just before
  // strace's line. The call name is not at the start of the line, so it is not taken as a call.
  assert.equal(entries(['hi[pid 13401] read(0,  <unfinished ...>', '[pid 13401] <... read resumed>"", 1) = 0'].join("\n")), [
    { line: 1, kind: "unparsed", reason: "not a call, signal or exit line" },
    { pid: 13401, line: 2, kind: "unparsed", reason: "resumed read with no pending call" },
  ]);
});

test("a -yy socket return: the annotation keeps its `->` and ends at the last `>`", () => {
  // strace -Tttyyvf of an accept4 on a TCP listener: the peer socket returns as TCP:[local->peer].
  const [c] = parseStrace(`14561 16:35:02.506310 accept4(3<TCP:[127.0.0.1:3920]>, {sa_family=AF_INET, sin_port=htons(48638), sin_addr=inet_addr("127.0.0.1")}, [16], SOCK_CLOEXEC) = 8<TCP:[127.0.0.1:3920->127.0.0.1:48638]> <0.000012>`).calls;
  assert.equal([c!.ret, c!.retPath, c!.retExtra, c!.duration], [8, "TCP:[127.0.0.1:3920->127.0.0.1:48638]", undefined, "0.000012"]);
});

test("the fast path takes every ordinary call line shape, not only the -o captures', and gives the general path's call", () => {
  // test/fixtures/real/ are all `strace -f -o` logs ("3895  name(...)"). strace -f to stderr prints
  // "[pid N] " (padded to 5 digits), -t/-tt/-ttt/-r put a time first, -T a duration last; a declined
  // line still parses (general path) but costs the allocations fastCall exists to avoid.
  const lines = [
    "[pid 13333] close(11)                   = 0",
    '[pid  1234] 12:34:56 chdir("/") = 0',
    '3895  12:34:56.123456 mount("", "/", NULL, MS_REC|MS_SLAVE, NULL) = 0 <0.000012>',
    '1700000000.123456 umount2(".", MNT_DETACH) = 0',
    "     0.000123 close(3) = 0",
    'read(3, "", 4096) = -1 EAGAIN (Resource temporarily unavailable) <0.000005>',
    "exit_group(0)                           = ?",
    '[pid 13401] read(0, "x", 1) = 1 <0.000010>',
    "close(3) = 0   ",
    "3895  getpid() = 3895",
    "[pid  4242] _llseek(3, 0, [0], SEEK_SET) = 0", // i386: a name that starts with "_"
  ];
  const json = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (x instanceof Uint8Array ? [...x] : x));
  for (const l of lines) assert.is(json(fastCall(l, 1)), json(parseStrace(l, false).calls[0]), l);
  assert.equal(lines.map((l) => { const c = fastCall(l, 1)!; return [c.pid, c.time, c.ret, c.duration, c.errno]; }), [
    [13333, undefined, 0, undefined, undefined],
    [1234, "12:34:56", 0, undefined, undefined],
    [3895, "12:34:56.123456", 0, "0.000012", undefined],
    [undefined, "1700000000.123456", 0, undefined, undefined],
    [undefined, "0.000123", 0, undefined, undefined],
    [undefined, undefined, -1, "0.000005", "EAGAIN"],
    [undefined, undefined, null, undefined, undefined],
    [13401, undefined, 1, "0.000010", undefined],
    [undefined, undefined, 0, undefined, undefined],
    [3895, undefined, 3895, undefined, undefined],
    [4242, undefined, 0, undefined, undefined],
  ]);
});

// ---- args.ts: C strings as strace prints them ----

/** The bytes and the value of chdir's path argument in each line. */
const paths = (log: string) => parseStrace(log).calls.map((c) => {
  const a = c.args[0]!;
  return a.kind === "str" ? [[...a.bytes], a.value] : a;
});
const b = (s: string) => [...s].map((ch) => ch.charCodeAt(0));

test("every escape strace 6.1 prints: octal of 1 to 3 digits, the letter escapes, -x hex", () => {
  // Paths with bytes 1 to 0xff passed to chdir(2) (python): strace prints the shortest octal form
  // unless an octal digit follows, and \t \n \v \f \r \" \\ by letter.
  assert.equal(paths([
    `chdir("/tmp/x/a\\1\\7\\10\\t\\n\\v\\f\\r\\33\\"\\\\?'\\177\\200\\377z") = -1 ENOENT (No such file or directory)`,
    `chdir("/tmp/x/\\0011\\78\\n1\\0337")        = -1 ENOENT (No such file or directory)`,
    `chdir("/tmp/x/\\1777\\377\\200x\\303\\251")  = -1 ENOENT (No such file or directory)`,
    `chdir("/tmp/x/\\\\q\\\\")                   = -1 ENOENT (No such file or directory)`,
    // strace -x: a string with a non-ASCII byte is printed all in hex.
    `chdir("\\x2f\\x74\\x6d\\x70\\x2f\\x78\\x2f\\x01\\x31\\xff") = -1 ENOENT (No such file or directory)`,
  ].join("\n")), [
    [[...b("/tmp/x/a"), 1, 7, 8, 9, 10, 11, 12, 13, 27, 34, 92, 63, 39, 127, 128, 255, 122], "/tmp/x/a\x01\x07\b\t\n\v\f\r\x1b\"\\?'\x7f\udc80\udcffz"],
    [[...b("/tmp/x/"), 1, 49, 7, 56, 10, 49, 27, 55], "/tmp/x/\x011\x078\n1\x1b7"],
    [[...b("/tmp/x/"), 127, 55, 255, 128, 120, 0xc3, 0xa9], "/tmp/x/\x7f7\udcff\udc80x\u00e9"],
    [b("/tmp/x/\\q\\"), "/tmp/x/\\q\\"],
    [[...b("/tmp/x/"), 1, 49, 255], "/tmp/x/\x011\udcff"],
  ]);
});

test("text a filter wrote back raw between escapes keeps its bytes: UTF-8 as UTF-8, a raw byte as itself", () => {
  // strace itself escapes every byte >= 0x80; a log that went through a filter undoing that has é
  // (read as U+00E9), U+0080 and a lone 0xff byte (read as U+DCFF) next to strace's own \t.
  assert.equal(paths(`chdir("/tmp/\u00e9\\t\u0080\udcff") = -1 ENOENT (No such file or directory)`), [
    [[...b("/tmp/"), 0xc3, 0xa9, 9, 0xc2, 0x80, 0xff], "/tmp/\u00e9\t\u0080\udcff"],
  ]);
});

test("escapes strace never prints (a hand-edited log) decode as C's, and what is no escape is kept as written", () => {
  assert.equal(paths([
    // C's other letter escapes, and \x with upper-case or a single hex digit (also at the end).
    `chdir("\\a\\b\\e\\'\\?\\xFF\\x4\\x4g\\x4") = 0`,
    // No escape: \q, \x without a hex digit, a backslash before é and before an astral character.
    `chdir("\\q\\xg\\\u00e9\\\u{1f600}") = 0`,
  ].join("\n")), [
    [[7, 8, 27, 39, 63, 255, 4, 4, 103, 4], "\x07\b\x1b'?\udcff\x04\x04g\x04"],
    [[92, 113, 92, 120, 103, 92, 0xc3, 0xa9, 92, 0xf0, 0x9f, 0x98, 0x80], "\\q\\xg\\\u00e9\\\u{1f600}"],
  ]);
  // A -y path that ends in a lone backslash keeps it.
  assert.equal(parseStrace("close(3</tmp/a\\>) = 0").calls[0]!.args, [{ kind: "fd", fd: 3, path: "/tmp/a\\" }]);
});

// ---- to-requests.ts: flag words, results and problems, as strace prints them ----

test("flag words: 0, single and OR'ed names of mount(2) and umount2(2), and an errno result", () => {
  const t = map([
    `mount("none", "/tmp/cap/m", "tmpfs", 0, NULL) = 0`,
    `mount("none", "/tmp/cap/m", "tmpfs", MS_RDONLY|MS_NOSUID, "size=1m") = 0`,
    `umount2("/tmp/cap/nonexist", UMOUNT_NOFOLLOW) = -1 ENOENT (No such file or directory)`,
    `umount2("/tmp/cap/m", MNT_FORCE|MNT_EXPIRE) = -1 EINVAL (Invalid argument)`,
    `umount2("/tmp/cap/m", 0)                = 0`,
  ].join("\n"));
  assert.equal(t.map(row), [
    [{ op: "mount", source: "none", target: "/tmp/cap/m", filesystemtype: "tmpfs", mountflags: 0, data: null }, { ret: 0 }, []],
    [{ op: "mount", source: "none", target: "/tmp/cap/m", filesystemtype: "tmpfs", mountflags: abi.MS_RDONLY | abi.MS_NOSUID, data: "size=1m" }, { ret: 0 }, []],
    [{ op: "umount2", target: "/tmp/cap/nonexist", flags: abi.UMOUNT_NOFOLLOW }, { errno: abi.ENOENT }, []],
    [{ op: "umount2", target: "/tmp/cap/m", flags: abi.MNT_FORCE | abi.MNT_EXPIRE }, { errno: abi.EINVAL }, []],
    [{ op: "umount2", target: "/tmp/cap/m", flags: 0 }, { ret: 0 }, []],
  ]);
});

test("a mask and a name that is not a flag are reported, not mapped: only abi.ts's single flags are flag names", () => {
  // MS_PROPAGATION is abi.ts's mask of the four propagation flags, AT_FDCWD a dirfd: strace prints neither in a flag word.
  const t = map(`mount(NULL, "/", NULL, MS_REC|MS_PROPAGATION, NULL) = 0\numount2("/x", MNT_DETACH|AT_FDCWD) = 0`);
  assert.equal(t.map(row), [
    [{ op: "mount", source: null, target: "/", filesystemtype: null, mountflags: abi.MS_REC, data: null }, { ret: 0 }, ["flag MS_PROPAGATION is not in abi.ts"]],
    [{ op: "umount2", target: "/x", flags: abi.MNT_DETACH }, { ret: 0 }, ["flag AT_FDCWD is not in abi.ts"]],
  ]);
});

test("errnos strace names outside the numbered table: EOPNOTSUPP, EOVERFLOW, EDQUOT", () => {
  const t = map([
    `openat(AT_FDCWD, "/proc", O_RDWR|O_CLOEXEC|O_TMPFILE, 0600) = -1 EOPNOTSUPP (Operation not supported)`,
    `openat(AT_FDCWD, "/big", O_RDONLY) = -1 EOVERFLOW (Value too large for defined data type)`,
    `openat(AT_FDCWD, "/q/new", O_WRONLY|O_CREAT, 0600) = -1 EDQUOT (Disk quota exceeded)`,
  ].join("\n"));
  assert.equal(t.map((x) => x.result), [{ errno: abi.EOPNOTSUPP }, { errno: abi.EOVERFLOW }, { errno: abi.EDQUOT }]);
  assert.equal(t[0]!.problems, ["flag O_TMPFILE is not in abi.ts"]);
});

test("a log cut short while a read was pending: its count is missing, the call never finished, no return value", () => {
  // strace -f prints the buffer argument only on return, so a read that never returns stops after the fd.
  const t = map(`20090 getcwd("/tmp/cap", 1024)          = 9\n20154 read(0,  <unfinished ...>`);
  assert.equal(t.map(row), [
    [{ op: "getcwd", size: 1024 }, { ret: 9, data: new TextEncoder().encode("/tmp/cap") }, []],
    [{ op: "read", fd: 0, count: 0 }, null, ["argument 2 is missing", "argument 2 is not a number: ", "the call never finished", "no return value"]],
  ]);
});

test("mount data cut by strace -s is kept as printed and noted (paths are never cut)", () => {
  // strace -s 16: the data string is cut, the source, target and fstype are printed whole.
  const [t] = map(`mount("none", "/tmp/cap/m", "tmpfs", 0, "size=1m,mode=075"...) = 0`);
  assert.equal(row(t!), [{ op: "mount", source: "none", target: "/tmp/cap/m", filesystemtype: "tmpfs", mountflags: 0, data: "size=1m,mode=075" }, { ret: 0 }, ["argument 4 was truncated by strace -s"]]);
});

test("flag words past 32 bits and unknown flag bits, as strace prints them", () => {
  const t = map([
    // x86_64 passes mountflags as an unsigned long: strace prints the high bits it has no name for.
    `mount("", "/tmp/cap/m", "", MS_NOUSER|0xffffffff00000000, NULL) = -1 EINVAL (Invalid argument)`,
    // No bit strace knows: the number, then its comment.
    `umount2("/tmp/cap/m", 0x10 /* MNT_??? */) = -1 EINVAL (Invalid argument)`,
    `umount2("/tmp/cap/m", MNT_DETACH|0x10)  = -1 EINVAL (Invalid argument)`,
  ].join("\n"));
  const big = Number(0xffffffff00000000n);
  assert.equal(t.map(row), [
    [{ op: "mount", source: "", target: "/tmp/cap/m", filesystemtype: "", mountflags: big, data: null }, { errno: abi.EINVAL }, [`argument 3 (${big}) does not fit the 32-bit slot of the request`]],
    [{ op: "umount2", target: "/tmp/cap/m", flags: 0x10 }, { errno: abi.EINVAL }, []],
    [{ op: "umount2", target: "/tmp/cap/m", flags: abi.MNT_DETACH | 0x10 }, { errno: abi.EINVAL }, []],
  ]);
});

test("the edges of the 32-bit slots: an fd, a return value, a flag word printed as a number", () => {
  const fit = (i: number, v: number) => `argument ${i} (${v}) does not fit the 32-bit slot of the request`;
  const t = map([
    "close(2147483647) = -1 EBADF (Bad file descriptor)",
    "close(-2147483648) = -1 EBADF (Bad file descriptor)",
    "close(-2147483649) = -1 EBADF (Bad file descriptor)",
    'read(3, "", 4096) = 2147483647',
    'read(3, "", 4096) = -2147483648',
    'read(3, "", 4096) = -2147483649',
    'umount2("/x", 4294967295) = 0',
    'umount2("/x", 4294967296) = 0',
    'umount2("/x", -2147483649) = 0',
  ].join("\n"));
  assert.equal(t.map((x) => [Object.values(x.request)[4], x.problems]), [
    [2147483647, []],
    [-2147483648, []],
    [-2147483649, [fit(0, -2147483649)]],
    [3, []],
    [3, []],
    [3, ["return value -2147483649 does not fit the 32-bit slot of a result"]],
    ["/x", []],
    ["/x", [fit(1, 4294967296)]],
    ["/x", [fit(1, -2147483649)]],
  ]);
  assert.equal(t.slice(6).map((x) => (x.request as { flags: number }).flags), [-1, 4294967296, -2147483649], "u32 as the i32 slot holds it; the rest kept, never wrapped");
});

test("a -yy socket fd argument keeps its \"->\": the annotation ends at the > that ends the argument", () => {
  // strace -yy prints a connected socket as 4<TCP:[local->peer]>; the first ">" is the arrow's.
  const { calls } = parseStrace([
    "1234  read(4<TCP:[127.0.0.1:8080->127.0.0.1:45678]>, \"x\", 1) = 1",
    "1234  close(5<UNIX-STREAM:[7608->7609]>) = 0",
    "1234  read(3</srv/a->b>, \"\", 1) = 0",
  ].join("\n"));
  assert.equal(calls.map((c) => [c.name, c.args[0], c.ret]), [
    ["read", { kind: "fd", fd: 4, path: "TCP:[127.0.0.1:8080->127.0.0.1:45678]" }, 1],
    ["close", { kind: "fd", fd: 5, path: "UNIX-STREAM:[7608->7609]" }, 0],
    ["read", { kind: "fd", fd: 3, path: "/srv/a->b" }, 0],
  ]);
});

test.run();
