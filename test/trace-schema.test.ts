// The trace schema at the border: a plan's own JSON passes (every profile, with read data and
// faults), and each kind of damage is rejected with a readable JSON path naming the spot.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { plan } from "../src/plan.js";
import { parseTrace, parseTraceText } from "../src/trace-schema.js";
import { InvalidInputError } from "../src/errors.js";
import { PROFILES } from "../src/schema.js";
import { fixture } from "./helpers.js";
import * as abi from "../src/abi.js";

const json = (v: unknown) => JSON.parse(JSON.stringify(v));
const runcJson = () => json(plan({ rootfs: "/r", profile: "runc" }));

/** Parses and returns the error's issues as "path: message" lines; fails if nothing is thrown. */
function problems(t: unknown): string[] {
  try { parseTrace(t); } catch (e) {
    assert.instance(e, InvalidInputError);
    return (e as InvalidInputError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.unreachable("parseTrace accepted a broken trace");
  return [];
}

test("a plan's JSON parses back to an equal trace, for every profile (move reads mountinfo)", () => {
  for (const profile of PROFILES) {
    // bwrap has no move (pivot_only) and no chroot call: its plan with an mkdir fault instead.
    // lxc (no move either): a plan with an open_tree fault, its ABI-5 requests in the trace.
    const t = json(profile === "bwrap" ? plan({ rootfs: "/r", profile }, { faults: ["mkdir#2=EEXIST"] })
      : profile === "lxc" ? plan({ rootfs: "/r", profile, strategy: "auto" }, { faults: ["open_tree=EPERM"] })
      : plan({ rootfs: "/r", profile, strategy: "move" }, { faults: ["chroot=EPERM"] }));
    assert.equal(parseTrace(t), t, profile);
  }
});

test("a recorded fake-kernel trace file parses", () => {
  const t = parseTraceText(readFileSync(fixture("traces/hardened-auto.fake-kernel.json"), "utf8"));
  assert.is(t.source.host, "fake-kernel");
  assert.ok(t.steps.some((s) => s.request.op === "read" && "text" in s.result && s.result.text!.includes(" - ")));
});

test("a wrong type names the request's field with its index", () => {
  const t = runcJson();
  t.steps[3].request.flags = "O_RDONLY";
  assert.equal(problems(t), ["steps[3].request.flags: expected number, received string"]);
});

test("every problem is listed, not just the first", () => {
  const t = runcJson();
  t.version = 2;
  t.config.rootfs = "r";
  t.steps[5].request.op = "fsopen"; // openat2 was unknown until ABI 5 (LXC)
  t.steps[6].result = { errno: 22 };
  delete t.outcome.note;
  const p = problems(t);
  assert.equal(p, [
    "version: expected 1",
    "config.rootfs: must be an absolute path (start with /)",
    "steps[5].request.op: unknown op: expected one of openat, read, close, fchdir, chdir, chroot, pivot_root, mount, umount2, getcwd, sethostname, mkdir, openat2, open_tree, move_mount, setns, mount_setattr",
    "steps[6].result.errnoName: expected string, received undefined",
    "outcome.note: expected string, received undefined",
  ]);
});

test("a result is {ret, text?|base64?} or {errno, errnoName}, never a mix", () => {
  const t = runcJson();
  t.steps[0].result = { ret: 0, text: "a", base64: "YQ==" };
  t.steps[1].result = { ret: 0, errno: 1 };
  t.steps[2].result = { ret: 1.5 };
  const p = problems(t);
  assert.is(p.length, 4, p.join("\n"));
  assert.match(p[0]!, /^steps\[0\]\.result: a result carries text or base64, not both/);
  assert.match(p[1]!, /^steps\[0\]\.result\.text: only a read or getcwd result carries data, not mount/);
  assert.match(p[2]!, /^steps\[1\]\.result(\.errno)?: /);
  assert.match(p[3]!, /^steps\[2\]\.result\.ret: expected int/);
});

/** A fixture with a read and an injected EPERM (steps[6] read, steps[11] mount EPERM). */
const fixtureJson = () => JSON.parse(readFileSync(fixture("traces/runc-move.fake-kernel.mount-5-EPERM.json"), "utf8"));

test("every number is bounded to what the ABI carries, with the JSON path of each", () => {
  const cases: [(t: any) => void, RegExp][] = [
    [(t) => { t.steps[11].result.errno = 2 ** 40 + 1; }, /^steps\[11\]\.result\.errno: Too big: expected number to be <=4095$/],
    [(t) => { t.steps[11].result.errno = 0; }, /^steps\[11\]\.result\.errno: Too small: expected number to be >=1$/],
    [(t) => { t.steps[11].result.errnoName = "ENOENT"; }, /^steps\[11\]\.result\.errnoName: expected "EPERM" for errno 1$/],
    [(t) => { t.steps[0].result.ret = 2 ** 32; }, /^steps\[0\]\.result\.ret: Too big: expected number to be <=2147483647$/],
    [(t) => { t.steps[0].result.ret = -1; }, /^steps\[0\]\.result\.ret: Too small: expected number to be >=0$/],
    [(t) => { t.steps[4].request.fd = 2 ** 31; }, /^steps\[4\]\.request\.fd: Too big/],
    [(t) => { t.steps[6].request.count = -4096; }, /^steps\[6\]\.request\.count: Too small/],
    [(t) => { t.steps[1].request.mountflags = 2 ** 40; }, /^steps\[1\]\.request\.mountflags: Too big/],
    [(t) => { t.steps[0].request.seq = 2 ** 40; }, new RegExp(`^steps\\[0\\]\\.request\\.seq: Too big: expected number to be <=${abi.MAX_REQUESTS}$`)],
    [(t) => { t.outcome.errno = 2 ** 40; }, /^outcome\.errno: Too big/],
    [(t) => { t.outcome.seq = 2 ** 40; }, /^outcome\.seq: Too big/],
  ];
  for (const [damage, re] of cases) {
    const t = fixtureJson();
    damage(t);
    const p = problems(t).filter((l) => !/expected \d+ \(requests are numbered/.test(l));
    assert.is(p.length, 1, p.join("\n"));
    assert.match(p[0]!, re);
  }
});

test("a read's ret is tied to its data: equal to the bytes carried, at most the buffer", () => {
  const at = (t: any) => t.steps[6];
  const cases: [(t: any) => void, RegExp][] = [
    [(t) => { at(t).result.ret += 100; }, /^steps\[6\]\.result\.ret: 1069 but the result carries 969 bytes: a read's ret is the number of bytes it wrote$/],
    [(t) => { delete at(t).result.text; }, /^steps\[6\]\.result\.ret: 969 but the result carries 0 bytes/],
    [(t) => { at(t).result.ret = 5000; }, /^steps\[6\]\.result\.ret: 5000 is more than the request's 4096-byte buffer$/],
    [(t) => { t.steps[0].result.text = "x"; }, /^steps\[0\]\.result\.text: only a read or getcwd result carries data, not mount$/],
  ];
  for (const [damage, re] of cases) {
    const t = fixtureJson();
    damage(t);
    const p = problems(t);
    assert.is(p.length, 1, p.join("\n"));
    assert.match(p[0]!, re);
  }
  // Bytes are counted as the seam writes them: a lone surrogate is one raw byte (utf8.ts), base64 its decoded length.
  const t = fixtureJson();
  at(t).result = { ret: 2, text: "\udcff\n" };
  parseTrace(t);
  at(t).result = { ret: 3, base64: "AAEC" };
  parseTrace(t);
});

test("NULL and \"\" both pass for a mount's string arguments; a number does not", () => {
  const t = json(plan({ rootfs: "/r", profile: "crun" }));
  const m = t.steps.findIndex((s: { request: { op: string } }) => s.request.op === "mount");
  assert.is(t.steps[m].request.source, null);
  t.steps[m].request.source = "";
  parseTrace(t);
  t.steps[m].request.source = 0;
  assert.equal(problems(t), [`steps[${m}].request.source: expected string, received number`]);
});

test("unknown fields and out-of-order seq are rejected", () => {
  const t = runcJson();
  t.steps[2].request.extra = 1;
  assert.match(problems(t)[0]!, /^steps\[2\]\.request: Unrecognized key: "extra"/);
  const u = runcJson();
  u.steps[4].request.seq = 7;
  assert.equal(problems(u), ["steps[4].request.seq: expected 4 (requests are numbered from 0 in order)"]);
});

test("bad JSON text says where", () => {
  try { parseTraceText('{"version": 1,\n  oops}', "t.json"); assert.unreachable(); } catch (e) {
    assert.instance(e, InvalidInputError);
    assert.match((e as Error).message, /^t\.json is not valid JSON at line 2, column 3: /);
  }
});

test.run();
