// Tests written for the survivors of src/strace/parse.ts that a re-plant with today's strace tests left
// (the `strace.stage2` Stryker run, docs/mutation.md). Lines are as strace 6.1 prints them where a
// real line can tell the mutant apart; where only a line strace never prints can, the line is a
// hand-made near miss and the expected value is the grammar parse.ts documents (PREFIX, parseReturn's
// `= value [ERRNO (text)] [extra]` then ` <duration>`, "a line that matches no form becomes unparsed").
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseStrace, type Entry } from "../src/strace/parse.js";

/** An entry without its raw text. */
const shape = (e: Entry): Record<string, unknown> => {
  const { raw: _r, ...rest } = e as unknown as Record<string, unknown>;
  return rest;
};
const entries = (log: string) => parseStrace(log).entries.map(shape);
const unparsed = (line: number) => ({ line, kind: "unparsed", reason: "not a call, signal or exit line" });

// ---- lines the parser must not accept ----

test("an event line with text after its closing marker is unparsed, not an event with the text dropped", () => {
  // Two lines joined where a newline was lost: the call after the marker must not vanish into an event.
  // s35 (SIGNAL without $), s42 (EXITED without $), s47 (KILLED without $).
  assert.equal(entries([
    "4000  --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=4001, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---4000  close(3) = 0",
    "4001  +++ exited with 0 +++4000  close(3) = 0",
    "4001  +++ killed by SIGKILL +++4000  close(3) = 0",
  ].join("\n")), [{ pid: 4000, ...unparsed(1) }, { pid: 4001, ...unparsed(2) }, { pid: 4001, ...unparsed(3) }]);
});

test("the program's text that reads like a call, before strace's line: unparsed, not a call that takes strace's return", () => {
  // strace -f sharing the program's stderr (as in test/mutation-kills-strace.test.ts): the program
  // wrote "hi(1) " without a newline just before strace's line. After "hi(1)" comes no `= value`, so
  // this is no call line; the `= 0` further on is close's. s235 (the return regex without ^).
  assert.equal(entries("hi(1) [pid 13333] close(11)                   = 0"), [unparsed(1)]);
});

test("a return needs its `=`: another sign before the value is no return, and the line is unparsed", () => {
  // s462 (fastReturn's `=` check → false), s463 (→ ===): the fast path read `- 0` as the return 0.
  assert.equal(entries("close(3) - 0\n3895  close(4) : 1 <0.000012>"), [unparsed(1), { pid: 3895, ...unparsed(2) }]);
});

test("near misses of the `[pid N] ` prefix give no pid and no call: an empty pid, a pid not closed by ]", () => {
  // PREFIX wants `[pid\s+\d+\]\s+`; neither line matches it, nor any other form. s297 (the fast path
  // took `[pid ]` as pid 0), s299 (it took `[pid 5)` as pid 5).
  assert.equal(entries("[pid ] close(3) = 0\n[pid 5) close(3) = 0"), [unparsed(1), unparsed(2)]);
});

test("pid 0 is a pid: the call keeps it, with a plain return and with an errno", () => {
  // PREFIX reads the pid as \d+, 0 included; the fast path must give the general path's pid.
  // s399 (the fast switch's `pid >= 0` → `> 0`), s386 (the same in the parseReturn branch).
  const calls = parseStrace("0 close(3) = 0\n0 close(4) = -1 EBADF (Bad file descriptor)").calls;
  assert.equal(calls.map((c) => [c.pid, c.ret, c.errno]), [[0, 0, undefined], [0, -1, "EBADF"]]);
});

// ---- the return part: `= value [ERRNO (text)] [extra]`, then an optional ` <duration>` ----

test("any run of blanks after `=`, on a plain return and on an errno return alike", () => {
  // The fast path reads `=` then \s+ (fastReturn), so `=  0` is 0; the general reading must agree when
  // an errno follows. s237 (`=\s+` → `=\s`: the errno line became unparsed).
  const calls = parseStrace("close(3) =  0\nclose(4) =  -1 EBADF (Bad file descriptor)").calls;
  assert.equal(calls.map((c) => [c.name, c.ret, c.errno, c.errText, c.retExtra]), [
    ["close", 0, undefined, undefined, undefined],
    ["close", -1, "EBADF", "Bad file descriptor", undefined],
  ]);
});

test("an errno is the word right after the value with its text closing the line; anything else stays retExtra, whole", () => {
  // s267 (the errno regex without ^: an E-word later in the extra was taken), s268 (without $: the
  // text after the errno's parentheses was dropped).
  const calls = parseStrace([
    "fcntl(3, F_GETFD) = 0x1 (flags FD_CLOEXEC) EBADF (Bad file descriptor)",
    "close(3) = -1 EBADF (Bad file descriptor) x",
  ].join("\n")).calls;
  assert.equal(calls.map((c) => [c.ret, c.errno, c.errText, c.retExtra]), [
    [1, undefined, undefined, "(flags FD_CLOEXEC) EBADF (Bad file descriptor)"],
    [-1, undefined, undefined, "EBADF (Bad file descriptor) x"],
  ]);
});

test("a -T duration is digits.digits between < and >; other text after the value is kept as printed", () => {
  // s62 (DURATION without $: `<1.2.3>` became a duration), s219 (no `<`: the ternary's -1 → +1 read
  // `= 1.5x` as the duration 1.5 and the line as unparsed).
  const calls = parseStrace('read(0, "x", 1) = 1 <1.2.3>\nclose(3) = 1.5x').calls;
  assert.equal(calls.map((c) => [c.ret, c.duration, c.retExtra]), [[1, undefined, "<1.2.3>"], [1, undefined, ".5x"]]);
});

test("a resumed call with no return value: unfinished, with a -T duration only when one follows its `)`", () => {
  // parseReturn reads the part after `)`, the ` <duration>` first. s224 (`lt >= 0` → `> 0`: a return
  // part that is only `<0.000012>` lost it), s207 (no `)`: the arguments were read as a return part
  // and their last `<0.000012>` as a duration), s223 (`lt >= 0` → true: `1.5>` with no `<` read as 1.5).
  const merged = (resumed: string) => entries(`5 f(3 <unfinished ...>\n5 <... f resumed>${resumed}`);
  assert.equal(merged(") <0.000012>"), [
    { kind: "call", name: "f", args: [{ kind: "num", value: 3 }], ret: null, line: 1, pid: 5, duration: "0.000012", unfinished: true, endLine: 2 },
  ]);
  assert.equal(merged(", 4 <0.000012>"), [
    { kind: "call", name: "f", args: [{ kind: "num", value: 3 }, { kind: "raw", text: "4 <0.000012>" }], ret: null, line: 1, pid: 5, unfinished: true, endLine: 2 },
  ]);
  assert.equal(merged(") 1.5>"), [
    { kind: "call", name: "f", args: [{ kind: "num", value: 3 }], ret: null, line: 1, pid: 5, unfinished: true, endLine: 2 },
  ]);
});

test.run();
