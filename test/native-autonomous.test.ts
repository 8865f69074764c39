// Autonomous mode (src/hosts/native-auto.ts, host/child-auto.cc): the child runs the whole switch
// on the C machine in one round trip; the JS machine is fed its results and must emit the very
// requests the child ran. Frames and decoding without the addon; then real runs of every profile
// and strategy (the same trace as one request per round trip), a result that leaves the verified
// plan (the child stops before the next syscall), and the fallback for a wasm of another build.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import { drive, driveAsync } from "../src/driver.js";
import { run } from "../src/run.js";
import { compile } from "../src/machine.js";
import { encode } from "../src/config.js";
import { PROFILES, STRATEGIES, parseConfig } from "../src/schema.js";
import { DryRunHost } from "../src/hosts/dry-run.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import { enterSwitchNamespace } from "../src/switch-namespace.js";
import { AUTO_DIVERGED, AUTO_ENDED, AUTO_REFUSED, AUTO_STOPPED, AUTO_TRAPPED, AutoLookahead, autoFrame, decodeAuto, requestOfPayload, type AutoRun } from "../src/hosts/native-auto.js";
import { requestFrame } from "../src/hosts/native-frames.js";
import { loadAddon, nativeUnavailable, type Executor, type Wire } from "../src/hosts/native.js";
import { VerifyingHost } from "../src/verify-run.js";
import { predictLive } from "../src/predict.js";
import { fromTraceResult, type RunTrace, type Trace } from "../src/trace.js";
import { ProtocolError } from "../src/errors.js";
import type { Request } from "../src/request.js";
import { readFileSync } from "node:fs";
import { eitherMode, hostDirsReason, hostMountinfo, leftoverRootfs, makeRootfs, nativeTest, rejects, skipReason } from "./helpers/native-env.js";
import { leavesCwdOutside, lxcMoveKnown, strategiesOf } from "./helpers.js";

const test = suite("autonomous mode");
const noAddon = nativeUnavailable();
const w: Wire | null = noAddon ? null : loadAddon().wire;
const noAuto = noAddon ?? (loadAddon().autonomous === null ? "the addon was built without the C machine (npm run build:c needs wasm2c)" : null);
const { mode, spawn } = await eitherMode();
const realReason = (await skipReason(mode)) ?? noAuto;
const probeTrue = { command: "/probe", args: ["true"] };
const readFile = (path: string): string => readFileSync(path, "utf8");

/** Every request of the fake kernel's plans for every profile × strategy on docker-host. */
function allRequests(): Request[] {
  const out: Request[] = [];
  for (const profile of PROFILES) for (const strategy of strategiesOf(profile)) {
    let cfg;
    try { cfg = parseConfig({ profile, strategy }); } catch { continue; }
    const k = enterSwitchNamespace(FakeKernel.scenario("docker-host"), cfg, true);
    out.push(...drive(cfg, k).steps.map((s) => s.request));
  }
  return out;
}

/** A kAuto reply's data for these steps, as child-auto.cc writes it. */
function replyData(wire: Wire, steps: Trace["steps"]): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.alloc(wire.kAutRepHeader);
  head.writeBigUInt64LE(1234n, wire.kAutRepNs);
  head.writeUInt32LE(steps.length, wire.kAutRepCount);
  parts.push(head);
  for (const s of steps) {
    const r = fromTraceResult(s.result);
    const data = "errno" in r ? Buffer.alloc(0) : Buffer.from(r.data ?? new Uint8Array(0));
    const h = Buffer.alloc(wire.kAutResHeader);
    h.writeInt32LE(s.request.seq, wire.kAutResSeq);
    h.writeInt32LE(abi.Step[s.request.step as keyof typeof abi.Step] ?? -1, wire.kAutResStep);
    h.writeInt32LE("errno" in r ? -1 : r.ret, wire.kAutResRet);
    h.writeInt32LE("errno" in r ? r.errno : 0, wire.kAutResErrno);
    h.writeUInt32LE(data.length, wire.kAutResLen);
    const req = requestFrame(wire, s.request);
    const reason = Buffer.from(s.request.reason);
    const rl = Buffer.alloc(4);
    rl.writeUInt32LE(reason.length);
    parts.push(h, data, req, rl, reason);
  }
  return Buffer.concat(parts);
}

nativeTest(test, noAddon, "a request payload decodes back into the request it frames, for every request of every plan", () => {
  const c = { seq: 7, step: "pivot_root", reason: "hand-made: every op, NULL and non-UTF-8 strings" };
  const reqs: Request[] = [...allRequests(),
    { ...c, op: "sethostname", name: "box" }, { ...c, op: "getcwd", size: 4096 }, { ...c, op: "chroot", path: "/srv/\udcff\udc80x" },
    { ...c, op: "mount", source: null, target: "/a b", filesystemtype: null, mountflags: abi.MS_PRIVATE, data: null },
    { ...c, op: "mount", source: "", target: "é", filesystemtype: "tmpfs", mountflags: 0, data: "size=0k" },
    { ...c, op: "openat", dirfd: -100, pathname: "", flags: abi.O_PATH, mode: 0o644 },
    // ABI 5: a negative to_dirfd (the wire's count is unsigned, so it rides in the mode field) and an openat2 mode.
    { ...c, op: "move_mount", from_dirfd: -100, from_pathname: "/a", to_dirfd: -100, to_pathname: "/b", flags: abi.MOVE_MOUNT_F_SYMLINKS },
    { ...c, op: "openat2", dirfd: -9, pathname: "x", flags: abi.O_CREAT, mode: 0o600, resolve: abi.RESOLVE_BENEATH },
    // ABI 6: mount_setattr with a set attribute and a propagation (count and mode fields), setns.
    { ...c, op: "mount_setattr", dirfd: -100, pathname: "/a", flags: abi.AT_RECURSIVE, attr_set: abi.MOUNT_ATTR_RDONLY | abi.MOUNT_ATTR_NOSUID, propagation: abi.MS_SLAVE },
    { ...c, op: "setns", fd: 5, nstype: abi.CLONE_NEWNS }];
  assert.ok(reqs.length > 200, `${reqs.length} requests`);
  assert.equal(new Set(reqs.map((r) => r.op)).size, 17, "every op (mkdir: ABI 4, bwrap; openat2, open_tree, move_mount: ABI 5, lxc; setns, mount_setattr: ABI 6, crun-1.29)");
  for (const r of reqs) {
    const f = requestFrame(w!, r);
    const back = requestOfPayload(w!, f.subarray(w!.kLenSize), r.seq, abi.Step[r.step as keyof typeof abi.Step], r.reason);
    assert.equal(back, r);
  }
});

nativeTest(test, noAddon, "the kOpAuto frame: the config in the header, the rootfs, then root propagation, has_expect, the expected results and the predicted requests", () => {
  const cfg = parseConfig({ rootfs: "/srv/r", profile: "crun", strategy: "pivot", rootPropagation: "rslave", readonly: true });
  const enc = encode(cfg);
  const c = { seq: 0, step: "test", reason: "" };
  const open: Request = { ...c, op: "openat", dirfd: abi.AT_FDCWD, pathname: "/", flags: 0, mode: 0 };
  const bind: Request = { ...c, seq: 1, op: "mount", source: "/srv/r", target: "/srv/r", filesystemtype: null, mountflags: abi.MS_BIND, data: null };
  const f = autoFrame(w!, enc, cfg.rootfs, [{ request: open, result: { ret: 3 } }, { request: bind, result: { errno: abi.EINVAL } }]);
  const h = w!.kLenSize;
  assert.is(f.readUInt32LE(0), f.length - h);
  assert.equal([f.readUInt32LE(h + w!.kReqOp), f.readInt32LE(h + w!.kReqFd), f.readUInt32LE(h + w!.kReqFlags), f.readUInt32LE(h + w!.kReqCount), f.readUInt32LE(h + w!.kReqMode), f.readUInt32LE(h + w!.kReqNstr)],
    [w!.kOpAuto, enc.profile, enc.options, 2, enc.strategy, 1]);
  let at = h + w!.kReqHeader;
  assert.is(f.readInt32LE(at), 6);
  assert.is(f.subarray(at + 4, at + 10).toString(), "/srv/r");
  at += 10;
  assert.equal([f.readInt32LE(at), f.readUInt32LE(at + 4)], [enc.rootPropagation, 1]);
  assert.equal([f.readInt32LE(at + 8), f.readInt32LE(at + 12), f.readInt32LE(at + 16), f.readInt32LE(at + 20)], [3, 0, -1, abi.EINVAL]);
  // Then the predicted requests, each as its own frame.
  const reqs = Buffer.concat([requestFrame(w!, open), requestFrame(w!, bind)]);
  assert.equal(f.subarray(at + 24), reqs);
  const none = autoFrame(w!, enc, cfg.rootfs, null);
  assert.equal([none.readUInt32LE(h + w!.kReqCount), none.readUInt32LE(none.length - 4)], [0, 0], "no prediction: has_expect 0");
});

nativeTest(test, noAddon, "a kAuto reply decodes into the steps it carries; a cut or padded one is a ProtocolError", () => {
  const cfg = parseConfig({ profile: "runc-1.1", strategy: "pivot" });
  const t = drive(cfg, enterSwitchNamespace(FakeKernel.scenario("docker-host"), cfg, true));
  const data = replyData(w!, t.steps);
  const ran = decodeAuto(w!, AUTO_ENDED, -1, data);
  assert.is(ran.ns, 1234);
  assert.equal(ran.steps.map((s) => s.request), t.steps.map((s) => s.request));
  assert.equal(ran.steps.map((s) => s.result), t.steps.map((s) => fromTraceResult(s.result)));
  assert.throws(() => decodeAuto(w!, AUTO_ENDED, -1, data.subarray(0, data.length - 1)), (e: Error) => e instanceof ProtocolError && /ends inside the reason of record \d+/.test(e.message));
  assert.throws(() => decodeAuto(w!, AUTO_ENDED, -1, Buffer.concat([data, Buffer.alloc(3)])), /3 bytes after its \d+ records/);
});

nativeTest(test, noAddon, "a record's NULL reason (-1) reads as none and the next record still decodes; another negative length is a ProtocolError", () => {
  const cfg = parseConfig({ profile: "runc", strategy: "pivot" });
  const t = drive(cfg, new DryRunHost());
  const two = t.steps.slice(0, 2).map((s) => ({ ...s, request: { ...s.request, reason: "" } }));
  const data = replyData(w!, two);
  // The first record's reason length (0 here) becomes -1, as put_str writes a NULL string.
  const firstReasonAt = w!.kAutRepHeader + w!.kAutResHeader + requestFrame(w!, two[0]!.request).length;
  data.writeInt32LE(-1, firstReasonAt);
  const ran = decodeAuto(w!, AUTO_ENDED, -1, data);
  assert.equal(ran.steps.map((s) => [s.request.op, s.request.reason]), two.map((s) => [s.request.op, ""]));
  data.writeInt32LE(-2, firstReasonAt);
  assert.throws(() => decodeAuto(w!, AUTO_ENDED, -1, data), /gives record 0 a reason of -2 bytes/);
  // A string of the request payload: -1 is NULL, -2 is no length at all.
  const mount = t.steps.find((s) => s.request.op === "mount")!.request;
  const f = requestFrame(w!, mount).subarray(w!.kLenSize);
  f.writeInt32LE(-2, w!.kReqHeader);
  assert.throws(() => requestOfPayload(w!, f, 3, 0, "r"), /request 3: a string of -2 bytes/);
});

/** An AutoSource that answers with the given run, for the lookahead alone. */
const source = (ran: AutoRun) => ({ runAuto: async () => ran, rest: () => ({ run: async (r: Request) => [{ request: r, result: { ret: 0 } }] }) });

test("the two engines are compared: a child's request that differs from the JS machine's stops the run", async () => {
  const cfg = parseConfig({ profile: "runc", strategy: "pivot" });
  const t = drive(cfg, new DryRunHost());
  const steps = t.steps.map((s) => ({ request: s.request, result: fromTraceResult(s.result) }));
  // The same run, whole: the trace is the dry run's.
  const same = await driveAsync(cfg, { kind: "native", exec: async () => { throw new Error("no request goes past the lookahead"); }, lookahead: () => new AutoLookahead(source({ status: AUTO_ENDED, at: -1, ns: 0, steps })) });
  assert.equal(same.steps, t.steps);
  // A mount as another build of the machine might make it: another flag.
  const m = steps.findIndex((s) => s.request.op === "mount");
  const other = steps.map((s, i) => (i === m && s.request.op === "mount" ? { ...s, request: { ...s.request, mountflags: s.request.mountflags ^ abi.MS_REC } } : s));
  assert.ok(m >= 0);
  await rejects(() => driveAsync(cfg, { kind: "native", exec: async () => ({ ret: 0 }), lookahead: () => new AutoLookahead(source({ status: AUTO_ENDED, at: -1, ns: 0, steps: other })) }), /the lookahead ran .* but the machine emitted/);
  // The C machine ended early: the JS machine's next request is a difference too.
  await rejects(() => driveAsync(cfg, { kind: "native", exec: async () => ({ ret: 0 }), lookahead: () => new AutoLookahead(source({ status: AUTO_ENDED, at: -1, ns: 0, steps: steps.slice(0, 4) })) }), /the C machine ended after 4 requests, but the JS machine asks for request 4/);
  // Stopped early (a result off the plan): the rest goes on through the fallback, which sees request 4 next.
  const rest: Request[] = [];
  const src = { runAuto: async () => ({ status: AUTO_DIVERGED, at: 3, ns: 0, steps: steps.slice(0, 4) }), rest: (ran: readonly unknown[]) => ({ run: async (r: Request) => { rest.push(r); assert.is(ran.length, 4); return [{ request: r, result: fromTraceResult(t.steps[r.seq]!.result) }]; } }) };
  const resumed = await driveAsync(cfg, { kind: "native", exec: async () => ({ ret: 0 }), lookahead: () => new AutoLookahead(src) });
  assert.equal(resumed.steps, t.steps);
  assert.is(rest[0]!.seq, 4);
});

test("a run the child could not finish is a ProtocolError naming why: trapped, refused by the guard, or a reply too small", async () => {
  const cfg = parseConfig({ profile: "runc", strategy: "pivot" });
  const t = drive(cfg, new DryRunHost());
  const steps = t.steps.map((s) => ({ request: s.request, result: fromTraceResult(s.result) }));
  const host = (ran: AutoRun) => ({ kind: "native" as const, exec: async () => ({ ret: 0 }), lookahead: () => new AutoLookahead(source(ran)) });
  await rejects(() => driveAsync(cfg, host({ status: AUTO_TRAPPED, at: -1, ns: 0, steps: steps.slice(0, 2) })), /^autonomous mode: the C machine trapped after 2 requests, where the JS machine did not$/);
  await rejects(() => driveAsync(cfg, host({ status: AUTO_REFUSED, at: -1, ns: 0, steps: [] })), /^autonomous mode: the child's namespace guard refused to act/);
  await rejects(() => driveAsync(cfg, host({ status: AUTO_STOPPED, at: 3, ns: 0, steps: steps.slice(0, 3) })), /^autonomous mode: request 3 ran, but its record did not fit in the reply/);
  await rejects(() => driveAsync(cfg, host({ status: AUTO_ENDED, at: -1, ns: 0, steps: [] })), /^autonomous mode: the C machine ended without a request, but the JS machine asks for request 0/);
});

/** Masks what differs between two namespaces (mount and group ids, so read sizes), as test/native-batch.test.ts. */
const maskIds = (text: string) => text.replace(/^\d+ \d+ /gm, "N N ").replace(/\b(shared|master|propagate_from):\d+/g, "$1:N");
const normal = (t: RunTrace): string => JSON.stringify({ ...t, steps: t.steps.map((s) => {
  if (s.request.op !== "read" || !("ret" in s.result)) return s;
  return { ...s, request: { ...s.request, count: 0 }, result: { ...s.result, ret: 0, text: maskIds(s.result.text ?? "") } };
}) });

// Both modes where this process can make both (root): rootless is a user namespace as well.
const modes = [...new Set([mode, ...(mode === "root" ? ["rootless" as const] : [])])];
const modeReason = new Map(await Promise.all(modes.map(async (m) => [m, (await skipReason(m)) ?? noAuto] as const)));
for (const m of modes) for (const profile of PROFILES) for (const strategy of strategiesOf(profile)) {
  let refused = false;
  try { parseConfig({ profile, strategy }); } catch { refused = true; }
  if (refused || leavesCwdOutside(profile, strategy)) continue; // run() refuses it: nothing to compare
  nativeTest(test, modeReason.get(m) ?? hostDirsReason(profile), `${profile} / ${strategy} (${m}): one round trip for the whole switch, the same trace as one request at a time`, async () => {
    const before = hostMountinfo();
    const left = leftoverRootfs();
    const rootfs = makeRootfs();
    try {
      const cfg = { rootfs: rootfs.dir, profile, strategy };
      let ex: Executor | null = null;
      const auto = await run(cfg, { ...probeTrue, rootless: m === "rootless", host: (e) => (ex = e) });
      const plain = await run(cfg, { ...probeTrue, rootless: m === "rootless", batch: false });
      const known = lxcMoveKnown(profile, strategy, auto.trace.outcome);
      if (known) { console.error(`KNOWN ${profile} / ${strategy} (${m}): ${known}`); assert.equal(plain.trace.outcome, auto.trace.outcome); return; }
      assert.equal(auto.exit, { kind: "exited", status: 0 }, JSON.stringify(auto.trace.outcome));
      assert.equal(plain.exit, { kind: "exited", status: 0 });
      assert.equal([ex!.autoStats.runs, ex!.batchStats.frames], [1, 0], "one autonomous run, no batch");
      assert.fixture(normal(auto.trace), normal(plain.trace));
    } finally {
      rootfs.cleanup();
    }
    assert.is(hostMountinfo(), before);
    assert.equal(leftoverRootfs(), left);
  });
}

nativeTest(test, realReason, `a result that leaves the verified plan (${mode}): the child stops before the next syscall, and the run is refused`, async () => {
  const rootfs = makeRootfs();
  const ex = await spawn();
  try {
    const cfg = parseConfig({ rootfs: rootfs.dir, profile: "hardened", strategy: "pivot" });
    const p = predictLive(cfg, { rootless: mode === "rootless" });
    assert.is(p.trace.outcome.kind, "done");
    // The prediction made to say the first mount (request 4, / made rslave) fails with EINVAL:
    // it succeeds for real, and no verified branch covers a success there.
    const k = p.trace.steps.findIndex((s) => s.request.op === "mount");
    const doctored: Trace = { ...p.trace, steps: p.trace.steps.map((s, i) => (i === k ? { ...s, result: { errno: abi.EINVAL, errnoName: "EINVAL" } } : s)) };
    const host = new VerifyingHost(ex, ex, doctored, () => ({ trace: p.trace, held: false }));
    await rejects(() => driveAsync(cfg, host), /returned 0 where the model predicted -1 EINVAL; no verified branch covers a success there/);
    assert.equal([ex.autoStats.runs, ex.batchStats.frames], [1, 0]);
    assert.is(host.steps.length, k + 1, "the steps up to the differing one came back, nothing after it");
    // Nothing after it ran: the child's table has no self bind of the rootfs.
    assert.not.ok(readFile(`/proc/${ex.pid}/mountinfo`).includes(` ${rootfs.dir} `), "the rootfs was never bound");
  } finally {
    await ex.kill();
    rootfs.cleanup();
  }
});

const rootAuto = (await skipReason("root")) ?? noAuto;

nativeTest(test, rootAuto, "a mountinfo of almost 16 MiB (the machine's cap) goes through the autonomous child within the memory cap the executor gave it (ps_cap), in one reply", async () => {
  // A holder executor stacks tmpfs mounts on one directory with a long name in its own namespace,
  // until its table is just under abi.MOUNTINFO_CAP; the autonomous child copies that namespace.
  const rootfs = makeRootfs();
  const { mkdirSync } = await import("node:fs");
  const { join } = await import("node:path");
  let dir = join(rootfs.dir, "deep");
  while (dir.length < 3800) dir = join(dir, "d".repeat(200));
  mkdirSync(dir, { recursive: true });
  const holder = await spawn({ rootless: false });
  let ex: Executor | null = null;
  try {
    const c = { seq: 0, step: "test", reason: "stack mounts" };
    const table = () => readFile(`/proc/${holder.pid}/mountinfo`);
    const line = dir.length + 60;
    const want = Math.floor((abi.MOUNTINFO_CAP - table().length - 200_000) / line);
    for (let i = 0; i < want; i++) {
      const r = await holder.exec({ ...c, op: "mount", source: "x", target: dir, filesystemtype: "tmpfs", mountflags: 0, data: null });
      assert.equal(r, { ret: 0 });
    }
    const size = table().length;
    assert.ok(size > abi.MOUNTINFO_CAP - 400_000 && size < abi.MOUNTINFO_CAP, `${size} bytes`);
    // A minute: 16 MiB through the machine is slow under the sanitizer stage's ASan build.
    ex = await spawn({ rootless: false, mountNamespaceOf: holder.pid, timeoutMs: 60_000 });
    const cfg = parseConfig({ rootfs: rootfs.dir, profile: "hardened", strategy: "auto" }); // auto reads the whole table first
    const t = await driveAsync(cfg, ex);
    assert.is(t.outcome.kind, "done", JSON.stringify(t.outcome));
    assert.equal([ex.autoStats.runs, ex.batchStats.frames], [1, 0], "the whole switch in one autonomous run");
    const read = t.steps.filter((s) => s.request.op === "read").reduce((n, s) => n + ("ret" in s.result && s.result.ret > 0 ? s.result.ret : 0), 0);
    assert.ok(read > abi.MOUNTINFO_CAP - 400_000, `the machine read ${read} bytes of mountinfo`);
  } finally {
    await ex?.kill();
    await holder.kill();
    rootfs.cleanup();
  }
});

nativeTest(test, realReason, `a request that is not the predicted one (${mode}): the child does not run it, and the run is refused`, async () => {
  const rootfs = makeRootfs();
  const ex = await spawn();
  try {
    const cfg = parseConfig({ rootfs: rootfs.dir, profile: "hardened", strategy: "pivot" });
    const p = predictLive(cfg, { rootless: mode === "rootless" });
    // The prediction made to name another flag for the self bind: the machine's real request
    // differs from it, so the child must refuse to run the machine's.
    const k = p.trace.steps.findIndex((s) => s.request.step === "self_bind");
    assert.ok(k > 0, "hardened's plan has a self bind");
    const doctored: Trace = { ...p.trace, steps: p.trace.steps.map((s, i) => (i === k && s.request.op === "mount" ? { ...s, request: { ...s.request, mountflags: s.request.mountflags ^ abi.MS_REC } } : s)) };
    const host = new VerifyingHost(ex, ex, doctored, () => ({ trace: p.trace, held: false }));
    await rejects(() => driveAsync(cfg, host), new RegExp(`^request ${k} is not the predicted one`));
    assert.equal([ex.autoStats.runs, ex.batchStats.frames], [1, 0], "the autonomous run stopped; no batch ran the request either");
    assert.is(host.steps.length, k, "the steps before it came back; it did not run");
    assert.not.ok(readFile(`/proc/${ex.pid}/mountinfo`).includes(` ${rootfs.dir} `), "the rootfs was never bound");
  } finally {
    await ex.kill();
    rootfs.cleanup();
  }
});

nativeTest(test, realReason, `a read's count is not compared (${mode}): it follows the byte counts, which the mount ids in the text change`, async () => {
  const rootfs = makeRootfs();
  const ex = await spawn();
  try {
    const cfg = parseConfig({ rootfs: rootfs.dir, profile: "hardened", strategy: "auto" });
    const p = predictLive(cfg, { rootless: mode === "rootless" });
    const k = p.trace.steps.findIndex((s) => s.request.op === "read");
    assert.ok(k >= 0, "hardened auto reads mountinfo");
    // As if the model's table were a byte shorter than the child's: the predicted count differs.
    const doctored: Trace = { ...p.trace, steps: p.trace.steps.map((s, i) => (i === k && s.request.op === "read" ? { ...s, request: { ...s.request, count: s.request.count + 1 } } : s)) };
    const t = await driveAsync(cfg, new VerifyingHost(ex, ex, doctored, () => ({ trace: p.trace, held: false })));
    assert.is(t.outcome.kind, "done");
    assert.equal([ex.autoStats.runs, ex.batchStats.frames], [1, 0], "the child ran the read and everything after it");
  } finally {
    await ex.kill();
    rootfs.cleanup();
  }
});

nativeTest(test, realReason, "an addon built without the C machine: autonomous mode is off, saying how to get it, and the run goes in batches", async () => {
  const addon = loadAddon() as { autonomous: string | null };
  const sha = addon.autonomous;
  const rootfs = makeRootfs();
  const warnings: string[] = [];
  const onWarning = (w: Error & { code?: string }) => { if (w.code === "PIVOTSHIM_NO_AUTONOMOUS") warnings.push(w.message); };
  process.on("warning", onWarning);
  try {
    addon.autonomous = null; // as CMakeLists.txt builds it without build/c (no wasm2c)
    let ex: Executor | null = null;
    const r = await run({ rootfs: rootfs.dir, profile: "crun", strategy: "pivot" }, { ...probeTrue, rootless: mode === "rootless", host: (e) => (ex = e) });
    assert.equal(r.exit, { kind: "exited", status: 0 });
    assert.equal([ex!.autoStats.runs, ex!.batchStats.frames > 0], [0, true]);
    assert.is(ex!.autonomousOff(), "the native addon was built without the C machine (npm run build:c needs wasm2c (apt-get install wabt), then npm run build:native)");
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(warnings, [`autonomous mode is off: ${ex!.autonomousOff()}; the switch runs in batches of requests instead`], "said, once");
  } finally {
    process.off("warning", onWarning);
    addon.autonomous = sha;
    rootfs.cleanup();
  }
});

nativeTest(test, realReason, "a wasm of another build: autonomous mode is off (not said again: once a process), and the run goes in batches with the same outcome", async () => {
  const rootfs = makeRootfs();
  const warnings: string[] = [];
  const onWarning = (w: Error & { code?: string }) => { if (w.code === "PIVOTSHIM_NO_AUTONOMOUS") warnings.push(w.message); };
  process.on("warning", onWarning);
  try {
    const module = compile("debug"); // the same machine, other bytes: not the wasm the C machine came from
    let ex: Executor | null = null;
    const r = await run({ rootfs: rootfs.dir, profile: "runc", strategy: "pivot" }, { ...probeTrue, rootless: mode === "rootless", drive: { module }, host: (e) => (ex = e) });
    assert.equal(r.exit, { kind: "exited", status: 0 });
    assert.is(ex!.autoStats.runs, 0);
    assert.ok(ex!.batchStats.frames >= 1);
    assert.match(ex!.autonomousOff(module) ?? "", /^the addon's C machine comes from another wasm \([0-9a-f]{12}, this process loads [0-9a-f]{12}\): npm run build:c && npm run build:native$/);
    assert.is(ex!.autonomousOff(), null, "the release wasm is the C machine's");
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(warnings, [], "the test before said it already: once a process, however many runs");
  } finally {
    process.off("warning", onWarning);
    rootfs.cleanup();
  }
});

test.run();
