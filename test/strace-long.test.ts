// Long lines parse correctly (the parser is linear; its speed is in `npm run bench`, not here):
// a 1 MB read string with escapes, a 1 MB run of blanks before `= 0` and before
// `<unfinished ...>`, and many arguments. Each shape used to go quadratic (minutes per MB).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseStrace } from "../src/strace/parse.js";
import { quote } from "../src/format/strace.js";

const MB = 1 << 20;

test("a 1 MB read line with escapes decodes to the exact bytes", () => {
  const data = "22 1 8:1 / / rw shared:1 - ext4 /dev/sda1 rw\n\t\\\"\xff".repeat(Math.ceil(MB / 50)).slice(0, MB);
  const line = `read(3, ${quote(data)}, ${MB}) = ${MB}`;
  assert.ok(line.length > MB);
  const { calls, events } = parseStrace(line);
  assert.is(events.length, 0);
  const a = calls[0]!.args[1]!;
  assert.ok(a.kind === "str");
  assert.is(a.kind === "str" && a.value, data);
  assert.is(calls[0]!.ret, MB);
});

test("a 1 MB run of blanks before = 0, before a -T duration, and before <unfinished ...>", () => {
  const blanks = " ".repeat(MB);
  const [a] = parseStrace(`close(3)${blanks}= 0`).calls;
  assert.equal([a!.name, a!.ret, a!.args.length], ["close", 0, 1]);
  const [b] = parseStrace(`close(3) = 0${blanks}<0.000012>`).calls;
  assert.equal([b!.ret, b!.duration], [0, "0.000012"]);
  const [c] = parseStrace(`close(3) = 0${blanks}x`).calls;
  assert.equal([c!.ret, c!.retExtra], [0, "x"]);
  const p = parseStrace(`1 read(3, ${blanks}<unfinished ...>\n1 <... read resumed>"ab", 2) = 2\n`);
  assert.is(p.calls.length, 1);
  assert.equal([p.calls[0]!.ret, p.calls[0]!.args.length, p.calls[0]!.endLine], [2, 3, 2]);
});

test("a 1 MB line of 200k arguments, -y fds and empty strings", () => {
  const n = 200_000;
  const fds = parseStrace(`f(${"3</a\\\\b>, ".repeat(n)}4) = 0`).calls[0]!;
  assert.is(fds.args.length, n + 1);
  assert.equal(fds.args[0], { kind: "fd", fd: 3, path: "/a\\b" });
  const strs = parseStrace(`f(${'"", '.repeat(n)}"x") = 0`).calls[0]!;
  assert.is(strs.args.length, n + 1);
  assert.is(strs.args[n]!.kind === "str" && (strs.args[n] as { value: string }).value, "x");
});

test.run();
