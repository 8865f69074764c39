// Replay: every plan replays identically (each profile × strategy, with faults, from the fake
// kernel and from recorded files); a tampered trace fails with both requests side by side; the
// CLI's exit codes are 0 identical, 1 diverged, 2 invalid file.
import type { FaultSpec } from "../src/hosts/faults.js";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { plan } from "../src/plan.js";
import { check } from "../src/check.js";
import { replay } from "../src/replay.js";
import { ReplayMismatchError } from "../src/errors.js";
import { PROFILES, STRATEGIES } from "../src/schema.js";
import type { Trace } from "../src/trace.js";
import { fixture, readonlyCases, strategiesOf } from "./helpers.js";

// A deep copy as plain JSON, loosely typed: the tests tamper with it field by field.
const json = (v: unknown): any => JSON.parse(JSON.stringify(v));

/** Replays and checks the new run carries the same requests, results and outcome. */
function expectIdentical(t: Trace, what: string): void {
  const r = replay(json(t));
  assert.is(r.trace.source.host, "replay", what);
  assert.equal(r.trace.steps, json(t).steps, what);
  assert.equal(r.trace.outcome, t.outcome, what);
}

function mismatch(t: unknown): ReplayMismatchError {
  try { replay(t); } catch (e) {
    if (e instanceof ReplayMismatchError) return e;
    throw e;
  }
  assert.unreachable("replay accepted a diverging trace");
  throw new Error();
}

test("a dry-run trace replays identically for every profile × strategy (and readonly)", () => {
  for (const profile of PROFILES) for (const { strategy, readonly } of readonlyCases(profile)) {
    expectIdentical(plan({ rootfs: "/r", profile, strategy, readonly }), `${profile} ${strategy} ${readonly}`);
  }
});

test("traces with faults replay, failed outcome included", () => {
  // runc, runc 1.1, youki and lxc unmount the old root once; hardened and crun loop, so they have a second umount2.
  // lxc also replays faults of its ABI-5 calls, and its openat2 fallback.
  const faults = (p: string): FaultSpec[][] => [["pivot_root=EINVAL"], [p.startsWith("runc") || p === "youki" || p === "lxc" ? "umount2=EBUSY" : "umount2#2=EBUSY"], ["close=EIO"], ["mount#2=EINVAL"],
    // lxc opens with openat2 only (strategy pivot has no openat), and replays faults of its other ABI-5 calls and the fallback.
    ...(p === "lxc" ? [["openat2=EMFILE"], ["open_tree=EPERM"], ["move_mount=EINVAL"], ["openat2#3=ENOSYS"]] as FaultSpec[][] : [["openat=EMFILE"]] as FaultSpec[][])];
  for (const profile of PROFILES) for (const f of faults(profile)) {
    const t = plan({ rootfs: "/r", profile, strategy: "pivot" }, { faults: f });
    expectIdentical(t, `${profile} ${f}`);
    assert.equal(replay(json(t)).trace.source.faults, f);
  }
});

test("recorded on the fake kernel, replayed: the requests are identical", () => {
  for (const profile of PROFILES) for (const strategy of strategiesOf(profile)) {
    expectIdentical(check({ rootfs: "/var/lib/pivotshim/rootfs", profile, strategy }).trace, `${profile} ${strategy}`);
  }
});

test("the recorded fixture traces replay", () => {
  for (const name of ["runc-pivot.dry-run", "hardened-auto.fake-kernel", "crun-pivot.umount2-2-EBUSY", "runc-move.fake-kernel.mount-5-EPERM"]) {
    const t = JSON.parse(readFileSync(fixture(`traces/${name}.json`), "utf8"));
    assert.is(replay(t).trace.steps.length, t.steps.length, name);
  }
});

test("a changed flag fails at that request, with both calls side by side and the reasons", () => {
  const t = json(plan({ rootfs: "/r", profile: "runc", strategy: "pivot", prepare: false }));
  t.steps[2].request.flags |= 0o2000000; // O_CLOEXEC on the old root: what runc does not do
  const e = mismatch(t);
  assert.is(e.index, 2);
  assert.is((e.expected as { flags: number }).flags, t.steps[2].request.flags);
  assert.is((e.actual as { step: string }).step, "open_old_root");
  const lines = e.message.split("\n");
  assert.is(lines[0], "replay diverged at request 2:");
  assert.match(lines[1]!, /^\s+expected \(recorded\)\s+actual \(machine\)$/);
  assert.match(lines[2]!, /^ {2}step +open_old_root +open_old_root$/);
  assert.is(lines[3], '  call   openat(AT_FDCWD, "/", O_RDONLY|O_CLOEXEC|O_PATH|O_DIRECTORY)   openat(AT_FDCWD, "/", O_RDONLY|O_PATH|O_DIRECTORY)');
  assert.is(lines[4], "  differs in: flags");
  assert.match(lines[5]!, /^ {2}expected reason: a handle on the old root/);
  assert.match(lines[6]!, /^ {2}actual reason: {3}a handle on the old root/);
});

test("a NULL turned into \"\" is a divergence (crun passes NULL, runc \"\")", () => {
  const t = json(plan({ rootfs: "/r", profile: "crun", strategy: "pivot" }));
  t.steps[0].request.source = "";
  const e = mismatch(t);
  assert.is(e.index, 0);
  assert.match(e.message, /call +mount\("", "\/", NULL, MS_REC\|MS_PRIVATE, NULL\) +mount\(NULL, "\/", NULL/);
  assert.match(e.message, /differs in: source/);
});

test("a trace that stops early, one with a request too many, and a changed outcome all diverge", () => {
  const t = json(plan({ rootfs: "/r", profile: "runc" }));
  const short = json(t);
  short.steps.pop();
  const a = mismatch(short);
  assert.is(a.index, t.steps.length - 1);
  assert.match(a.message, /\(end of trace: the recorded run ended done\) +close\(3\)/);
  const long = json(t);
  long.steps.push({ ...json(t.steps[0]), request: { ...json(t.steps[0].request), seq: t.steps.length } });
  const b = mismatch(long);
  assert.is(b.index, t.steps.length);
  assert.match(b.message, /mount\("", "\/", "", MS_REC\|MS_SLAVE, NULL\) +\(the machine ended: done\)/);
  const other = json(t);
  other.outcome = { ...other.outcome, note: "something else" };
  assert.match(mismatch(other).message, /outcome differs/);
});

test("a changed result changes what the machine does next: that diverges too", () => {
  const t = json(plan({ rootfs: "/r", profile: "hardened", strategy: "pivot" }));
  const i = t.steps.findIndex((s: { request: { op: string } }) => s.request.op === "pivot_root");
  t.steps[i].result = { errno: 22, errnoName: "EINVAL" };
  const e = mismatch(t);
  assert.is(e.index, i + 1);
  assert.match(e.message, /close\(4\)/);
});

// The CLI, from source (no build needed).
const CLI = new URL("../src/cli.ts", import.meta.url).pathname;
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, ["--import", "tsx", CLI, ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const dir = mkdtempSync(join(tmpdir(), "pivotshim-replay-"));
const write = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };

test("pivotshim replay: 0 and a one-line summary when identical; --trace-out writes the replayed run", () => {
  const out = join(dir, "out.json");
  const r = cli("replay", fixture("traces/runc-pivot.dry-run.json").pathname, "--trace-out", out);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, "replayed 14 requests: identical\n");
  assert.is(JSON.parse(readFileSync(out, "utf8")).source.host, "replay");
});

test("pivotshim replay: 1 and the side-by-side report on a divergence", () => {
  const t = JSON.parse(readFileSync(fixture("traces/runc-pivot.dry-run.json"), "utf8"));
  t.steps[7].request.put_old = "/old";
  const r = cli("replay", write("tampered.json", JSON.stringify(t)));
  assert.is(r.code, 1);
  assert.match(r.stdout, /^replay diverged at request 7:\n/);
  assert.match(r.stdout, /call +pivot_root\("\.", "\/old"\) +pivot_root\("\.", "\."\)\n/);
  assert.match(r.stderr, /replay diverged at request 7/);
});

test("pivotshim replay: 2 for a missing file, bad JSON, or an invalid trace, with nothing on stdout", () => {
  const t = JSON.parse(readFileSync(fixture("traces/runc-pivot.dry-run.json"), "utf8"));
  t.steps[3].request.flags = "x";
  const cases: [string, RegExp][] = [
    [join(dir, "missing.json"), /cannot read trace file .*missing\.json/],
    [write("bad.json", '{"version": 1,'), /bad\.json is not valid JSON/],
    [write("invalid.json", JSON.stringify(t)), /invalid trace:\n {2}steps\[3\]\.request\.flags: expected number, received string/],
  ];
  for (const [file, re] of cases) {
    const r = cli("replay", file);
    assert.is(r.code, 2, file);
    assert.is(r.stdout, "");
    assert.match(r.stderr, re);
  }
});

test("pivotshim replay: 2 for a number the ABI cannot carry (errno 2^40+1 wraps to EPERM in an i32), not \"identical\"", () => {
  const t = JSON.parse(readFileSync(fixture("traces/runc-move.fake-kernel.mount-5-EPERM.json"), "utf8"));
  t.steps[11].result.errno = 2 ** 40 + 1;
  const r = cli("replay", write("huge-errno.json", JSON.stringify(t)));
  assert.is(r.code, 2, r.stdout);
  assert.is(r.stdout, "");
  assert.match(r.stderr, /steps\[11\]\.result\.errno: Too big: expected number to be <=4095/);
});

test("pivotshim replay: 2 for a read whose ret claims more bytes than its text", () => {
  const t = JSON.parse(readFileSync(fixture("traces/runc-move.fake-kernel.mount-5-EPERM.json"), "utf8"));
  t.steps[6].result.ret += 1;
  const r = cli("replay", write("long-ret.json", JSON.stringify(t)));
  assert.is(r.code, 2, r.stdout);
  assert.match(r.stderr, /steps\[6\]\.result\.ret: 970 but the result carries 969 bytes/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
