// What src/strace/to-requests.ts makes of arguments that are not what the request field wants,
// and of the flag words at the edges of their range: each is reported as a problem with what was
// there, or read as strace means it. Written for the survivors of to-requests.ts's Stryker run,
// re-planted into today's file (docs/mutation.md, "src/strace/"): an unknown-flag comment matched
// anywhere in a raw argument (s129, s130), a number taken as a string without a word (s162, s167,
// s240), a hex word where a number goes (s183, s185), a flag word with every bit set (s231).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseStrace, toRequests } from "../src/strace/parse.js";

/** One log line mapped: its request's fields and its problems. */
function mapped(line: string): { request: Record<string, unknown>; problems: string[] } {
  const [t] = toRequests(parseStrace(`100 ${line}\n`).calls);
  if (!t) throw new Error(`not mapped: ${line}`);
  return { request: t.request as unknown as Record<string, unknown>, problems: t.problems };
}

test("a number where a path goes is a problem that names the argument and its kind, and the path is null", () => {
  const m = mapped(`mount(5, "/x", "tmpfs", 0, NULL) = 0`);
  assert.is(m.request.source, null);
  assert.equal(m.problems, ["argument 0 is not a string: num"]);
  const raw = mapped(`chdir({a=1}) = 0`);
  assert.is(raw.request.path, null);
  assert.equal(raw.problems, ["argument 0 is not a string: {a=1}"]);
});

test("a hex word where a number goes is that number (mkdir's mode printed as 0x1ed is 0755)", () => {
  const m = mapped(`mkdir("/x", 0x1ed) = 0`);
  assert.is(m.request.mode, 0o755);
  assert.equal(m.problems, []);
});

test("strace's comment for a flag word with no known bit is read only as the whole argument", () => {
  // As strace prints it: the value, then /* MNT_??? */.
  const ok = mapped(`umount2("/x", 0x10 /* MNT_??? */) = 0`);
  assert.is(ok.request.flags, 0x10);
  assert.equal(ok.problems, []);
  // Anything before or after it makes the argument something else: a problem, not 0x10.
  for (const arg of ["x0x10 /* MNT_??? */", "0x10 /* MNT_??? */ x"]) {
    const bad = mapped(`umount2("/x", ${arg}) = 0`);
    assert.is(bad.request.flags, 0, arg);
    assert.equal(bad.problems, [`argument 1 is not a number: ${arg}`], arg);
  }
});

test("a flag word of every bit (0xffffffff) is the i32 -1, with its names OR'ed in; past 32 bits it is a problem", () => {
  const all = mapped(`umount2("/x", MNT_DETACH|0xffffffff) = 0`);
  assert.is(all.request.flags, -1);
  assert.equal(all.problems, []);
  const past = mapped(`umount2("/x", MNT_DETACH|0x100000000) = 0`);
  assert.equal(past.problems.length, 1, past.problems.join("; "));
});

test.run();
