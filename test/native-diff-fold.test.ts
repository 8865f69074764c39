// The differential suite's comparison (test/helpers/native-diff.ts) itself: a mountinfo read in a
// different number of chunks is a note, not a mismatch; anything else that differs is reported.
// Pure: builds traces by hand, needs no privileges.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { differences, readCountNotes, type DiffRun } from "./helpers/native-diff.js";
import type { Trace } from "../src/trace.js";

const c = { step: "mountinfo", reason: "r" };
const open = { request: { ...c, seq: 0, op: "openat", dirfd: -100, pathname: "/proc/self/mountinfo", flags: 0, mode: 0 }, result: { ret: 5 } };
const read = (seq: number, ret: number) => ({ request: { ...c, seq, op: "read", fd: 5, count: 4096 }, result: ret ? { ret, text: "" } : { ret: 0 } });
const close = (seq: number) => ({ request: { ...c, seq, op: "close", fd: 5 }, result: { ret: 0 } });
const trace = (steps: unknown[]) => ({ steps, outcome: { kind: "done", note: "" } }) as unknown as Trace;
const run = (real: unknown[], fake: unknown[]): DiffRun => ({
  initial: { real: "", fake: "" }, real: trace(real), fake: trace(fake), tables: { real: [], fake: [] }, reads: { real: [], fake: [] },
});

test("two reads of data then EOF vs one read then EOF: no difference, one note", () => {
  const d = run([open, read(1, 4047), read(2, 49), read(3, 0), close(4)], [open, read(1, 4096), read(2, 0), close(3)]);
  assert.equal(differences(d), []);
  assert.equal(readCountNotes(d).length, 1);
  assert.match(readCountNotes(d)[0]!, /3 reads real vs 2 fake/);
});

test("EOF at once vs data: a difference", () => {
  const d = run([open, read(1, 0), close(2)], [open, read(1, 100), read(2, 0), close(3)]);
  assert.equal(differences(d), ['request #1 {"op":"read","fd":5}: real read -> EOF vs fake read -> data, EOF']);
});

test("a read error after data: a difference", () => {
  const err = { request: { ...c, seq: 2, op: "read", fd: 5, count: 4096 }, result: { errno: 5, errnoName: "EIO" } };
  const d = run([open, read(1, 100), err, close(3)], [open, read(1, 100), read(2, 0), close(3)]);
  assert.equal(differences(d), ['request #1 {"op":"read","fd":5}: real read -> data, EIO vs fake read -> data, EOF']);
});

test("a different call after the reads: reported at its request", () => {
  const d = run([open, read(1, 9), read(2, 0), close(3)], [open, read(1, 9), read(2, 0)]);
  assert.equal(differences(d), ['request #3: real {"op":"close","fd":5} vs fake (none)']);
});

test.run();
