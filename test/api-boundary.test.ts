// The library's front door: what run, plan, check, explore and drive are given is checked as the
// CLI checks it (zod), a host the caller wrote has its every answer checked (built-in hosts are
// trusted), and the command line maps each error to one line and one exit code.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { openSync, readFileSync } from "node:fs";
import { plan } from "../src/plan.js";
import { check } from "../src/check.js";
import { explore } from "../src/explore.js";
import { drive, driveAsync } from "../src/driver.js";
import { run } from "../src/run.js";
import { runConfig } from "../src/run-input.js";
import { spawnExecutor } from "../src/hosts/native.js";
import { DryRunHost } from "../src/hosts/dry-run.js";
import { FaultyHost } from "../src/hosts/faults.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import { isTrusted } from "../src/hosts/trust.js";
import { InvalidInputError, ProtocolError, EnvironmentError } from "../src/errors.js";
import type { Host } from "../src/hosts/host.js";
import type { Result } from "../src/request.js";
import { exitCodeOfError } from "../src/commands/failure.js";
import { escapeControls } from "../src/commands/colour.js";
import { rejects } from "./helpers/native-env.js";

test("RunSpec is checked before anything is spawned: args must be an array, not split into characters", async () => {
  let spawned = false;
  const host = () => { spawned = true; throw new Error("not reached"); };
  const e = await rejects(() => run({ rootfs: "/r" }, { command: "/bin/true", args: "abc" as never, host }), InvalidInputError);
  assert.match(e.message, /args: /);
  await rejects(() => run({ rootfs: "/r" }, { command: "", host }), /command: must not be empty/);
  await rejects(() => run({ rootfs: "/r" }, { command: "/x", argv: ["a"] } as never), /Unrecognized key.*argv/);
  await rejects(() => run({ rootfs: "/r" }, { command: "/x", env: ["NOEQUALS"] }), /env.*KEY=VALUE/);
  await rejects(() => run({ rootfs: "/r/../x" }, { command: "/x", host }), /rootfs: must be clean/);
  assert.is(spawned, false);
});

test("timeoutMs of 2^31 or more (Node would make it 1 ms) is an InvalidInputError naming the bound", async () => {
  const e = await rejects(() => run({ rootfs: "/r" }, { command: "/x", timeoutMs: 2 ** 31 }), InvalidInputError);
  assert.match(e.message, /timeoutMs: must be at most 2147483647 ms/);
  const s = await rejects(() => spawnExecutor({ timeoutMs: 2 ** 31 }), InvalidInputError);
  assert.match(s.message, /from 1 to 2147483647/);
  await rejects(() => spawnExecutor({ timeoutMs: 0 }), InvalidInputError);
});

test("run refuses a rootfs on a pseudo-filesystem (statfs), before spawning", async () => {
  let spawned = false;
  const host = () => { spawned = true; throw new Error("not reached"); };
  const e = await rejects(() => run({ rootfs: "/proc" }, { command: "/x", host }), InvalidInputError);
  assert.match(e.message, /on proc \(statfs f_type 0x9fa0\)/);
  await rejects(() => run({ rootfs: "/sys/fs" }, { command: "/x", host }), /lies below \/sys, which is on sysfs/);
  assert.is(spawned, false);
});

test("a relative rootfs is resolved once against the cwd, and the note says so; an absolute one is left alone", () => {
  const r = runConfig({ rootfs: "./rootfs", profile: "runc" });
  assert.is(r.config.rootfs, `${process.cwd()}/rootfs`);
  assert.is(r.config.profile, "runc");
  assert.is(r.note, `rootfs "./rootfs" resolved against the cwd: ${process.cwd()}/rootfs`);
  assert.equal(runConfig({ rootfs: "/abs" }), { config: runConfig({ rootfs: "/abs" }).config });
  assert.is(runConfig({}).note, undefined);
  assert.throws(() => plan({ rootfs: "./rootfs" }), /rootfs: must be an absolute path/);  // plan has no cwd to resolve against
  // ".." is read as text by the resolving, which after a symlink is not where the kernel goes: refused, as in an absolute rootfs.
  for (const rootfs of ["link/../plain", "..", "a/.."]) {
    assert.throws(() => runConfig({ rootfs }), (e: unknown) => e instanceof InvalidInputError && /^invalid config:\n  rootfs: must be clean: no \.\. components/.test(e.message) && e.issues[0]?.path === "rootfs", rootfs);
  }
  assert.is(runConfig({ rootfs: "a/./b" }).config.rootfs, `${process.cwd()}/a/b`, "a . component names the same place either way");
});

test("{} is a valid config and options object wherever defaults exist", () => {
  assert.is(plan({}).outcome.kind, "done");
  assert.is(check({}, {}).trace.outcome.kind, "done");
});

test("options of plan, check and explore are checked (zod), not used as whatever they happen to be", () => {
  assert.throws(() => plan({}, { faults: "pivot_root=EINVAL" as never }), (e: unknown) => e instanceof InvalidInputError && /faults/.test((e as Error).message));
  assert.throws(() => plan({}, { host: {} as never }), /host: must be a host/);
  assert.throws(() => check({}, { scenario: 7 as never }), /scenario/);
  assert.throws(() => explore({}, 5 as never), /invalid explore options/);
  assert.throws(() => explore({}, () => ({}) as never), /makeHost\(\) must return/);
  assert.throws(() => explore({}, () => ({ host: new DryRunHost() }), { dobule: true } as never), /Unrecognized key.*dobule/);
  assert.throws(() => drive({}, null as never), /the host must be an object with an exec/);
});

const userHost = (answer: (op: string) => unknown): Host => ({ kind: "dry-run", exec: (req) => answer(req.op) as Result });

const BAD_RESULTS: [string, unknown][] = [
  ["{}", {}], ["null", null], ["{ ret: 1.5 }", { ret: 1.5 }], ["{ ret: 2^31 }", { ret: 2 ** 31 }], ["{ ret: '0' }", { ret: "0" }],
  ["{ errno: 0 }", { errno: 0 }], ["{ errno: 4096 }", { errno: 4096 }], ["{ errno: -22 }", { errno: -22 }],
  ["{ ret: 0, errno: 22 }", { ret: 0, errno: 22 }], ["{ ret: 3, data: 'text' }", { ret: 3, data: "text" }],
];
for (const [name, bad] of BAD_RESULTS) {
  test(`a user host answering ${name} is a ProtocolError naming the request, not success`, () => {
    const host = userHost((op) => (op === "pivot_root" ? bad : { ret: 3 }));
    const e = (() => { try { plan({ strategy: "pivot" }, { host }); } catch (x) { return x; } return null; })();
    assert.instance(e, ProtocolError);
    // The shape is checked for hosts you supply (src/hosts/trust.ts), the bounds for every host (Machine.feed).
    assert.match((e as Error).message, /^pivot_root \(request \d+, step pivot_root\) answered .*(: a result is \{ ret: an int32|: an errno is an integer from 1 to 4095|: a ret is an integer that fits in 32 bits)/);
  });
}

test("a user host with well-formed answers runs as before (errno values are results, not errors)", () => {
  const t = plan({ profile: "runc" }, { host: userHost((op) => (op === "pivot_root" ? { errno: 22 } : { ret: 3 })) });
  assert.is(t.outcome.kind, "failed");
  assert.is(t.outcome.kind === "failed" && t.outcome.errno, 22);
});

test("an asynchronous user host is checked too", async () => {
  await rejects(() => driveAsync({}, { kind: "native", exec: async () => ({}) as Result }), ProtocolError);
});

test("built-in hosts are trusted (no check, explore pays nothing); an override or a user host under FaultyHost is not", () => {
  const dry = new DryRunHost();
  assert.ok(isTrusted(dry));
  assert.ok(isTrusted(FakeKernel.scenario("docker-host", { rootfs: "/r" })));
  assert.ok(isTrusted(new FaultyHost(dry)));
  const mine = userHost(() => ({ ret: 0 }));
  assert.not.ok(isTrusted(mine));
  assert.not.ok(isTrusted(new FaultyHost(mine)));
  class Sneaky extends DryRunHost { override exec(): Result { return {} as Result; } }
  assert.not.ok(isTrusted(new Sneaky()));
  assert.throws(() => plan({}, { host: new Sneaky() }), (e: unknown) => e instanceof ProtocolError);
  const own = new DryRunHost();
  own.exec = () => ({}) as Result;
  assert.not.ok(isTrusted(own));
});

// ---------------------------------------------------------------------------------------------
// The command line's error mapping (src/commands/failure.ts).

const osError = (fn: () => unknown): Error => { try { fn(); } catch (e) { return e as Error; } throw new Error("no error"); };

test("an OS error on a path the user gave is exit 2, one line; the same error elsewhere is a bug (70)", () => {
  const e = osError(() => readFileSync("/nonexistent/pivotshim"));
  assert.equal(exitCodeOfError(e, ["plan", "--mountinfo", "/nonexistent/pivotshim"]),
    { code: 2, message: "/nonexistent/pivotshim: cannot open: ENOENT (No such file or directory)" });
  assert.equal(exitCodeOfError(osError(() => openSync("/", "w")), ["--x=/"]), { code: 2, message: "/: cannot open: EISDIR (Is a directory)" });
  assert.is(exitCodeOfError(e, ["plan"]).code, 70);
});

test("a machine resource running out is exit 3, one line", () => {
  const e = Object.assign(new Error("EMFILE: too many open files, open '/x'"), { code: "EMFILE", errno: -24, syscall: "open", path: "/x" });
  assert.equal(exitCodeOfError(e, []), { code: 3, message: "cannot open /x: EMFILE (Too many open files): this machine is out of open files for this process (raise the limit: ulimit -n)" });
  const full = Object.assign(new Error("ENOSPC"), { code: "ENOSPC", errno: -28, syscall: "write" });
  assert.is(exitCodeOfError(full, []).code, 3);
});

test("a bug is exit 70 and one line with the message and how to get the stack; PIVOTSHIM_DEBUG=1 gives the stack", () => {
  const bug = new TypeError("Cannot read properties of undefined (reading 'x')");
  const r = exitCodeOfError(bug, []);
  assert.is(r.code, 70);
  assert.is(r.message, "internal error (a bug in pivotshim, please report it): TypeError: Cannot read properties of undefined (reading 'x') (run with PIVOTSHIM_DEBUG=1 for the stack)");
  process.env.PIVOTSHIM_DEBUG = "1";
  try { assert.match(exitCodeOfError(bug, []).message, /\n\s+at /); } finally { delete process.env.PIVOTSHIM_DEBUG; }
  assert.equal(exitCodeOfError(new InvalidInputError("bad"), []), { code: 2, message: "bad" });
  assert.equal(exitCodeOfError(new EnvironmentError("no userns"), []), { code: 3, message: "no userns" });
});

test("escapeControls: C0 (not the newline), DEL, C1 and a raw byte kept as U+DC00+b; valid text untouched", () => {
  assert.is(escapeControls("a\x1b[31mb\tc\nd\x7f\u009b\udcff"), "a\\x1b[31mb\\x09c\nd\\x7f\\x9b\\xff");
  assert.is(escapeControls("/srv/rootfs é 💀"), "/srv/rootfs é 💀");
});

test.run();
