// Speculative batches: the predictor's kernel answers; execBatch runs a batch in the child and stops
// at the first surprise; run() gives the same trace batched and unbatched for every profile and
// strategy (root only; mount ids in mountinfo text differ per namespace and are masked).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import { driveAsync } from "../src/driver.js";
import { run } from "../src/run.js";
import { PROFILES, STRATEGIES } from "../src/schema.js";
import { Predictor } from "../src/hosts/native-batch.js";
import { loadAddon } from "../src/hosts/native.js";
import { fromTraceResult, type RunTrace } from "../src/trace.js";
import type { Request } from "../src/request.js";
import { eitherMode, hostDirsReason, hostMountinfo, leftoverRootfs, makeRootfs, nativeTest, rejects, skipReason } from "./helpers/native-env.js";
import { leavesCwdOutside, lxcMoveKnown, strategiesOf } from "./helpers.js";

const test = suite("native batch");
const { mode, reason, spawn } = await eitherMode();
const rootReason = await skipReason("root");
const c = { seq: 0, step: "test", reason: "native batch test" };
const probeTrue = { command: "/probe", args: ["true"] };

test("the predictor answers as a healthy kernel: lowest free fd, EBADF, umount2 and propagation EINVAL", () => {
  const p = new Predictor({ fds: [0, 2, 64], mounts: ["/", "/proc", "/a b"] }, 64);
  const open: Request = { ...c, op: "openat", dirfd: abi.AT_FDCWD, pathname: "/", flags: 0, mode: 0 };
  assert.equal(p.expect(open), { ret: 1 });
  p.observe(open, { ret: 1 });
  assert.equal(p.expect(open), { ret: 3 });
  assert.equal(p.expect({ ...c, op: "close", fd: 64 }), { errno: abi.EBADF }, "the channel is not the plan's");
  assert.equal(p.expect({ ...c, op: "close", fd: 9 }), { errno: abi.EBADF });
  assert.is(p.expect({ ...c, op: "read", fd: 1, count: 8 }), null);
  assert.is(p.expect({ ...c, op: "getcwd", size: 8 }), null);
  const priv = (target: string): Request => ({ ...c, op: "mount", source: "", target, filesystemtype: "", mountflags: abi.MS_PRIVATE, data: null });
  assert.equal(p.expect(priv("/tmp/r")), { errno: abi.EINVAL }, "not a mount point");
  assert.equal(p.expect(priv("/a b/")), { ret: 0 });
  const bind: Request = { ...c, op: "mount", source: "/tmp/r", target: "/tmp/r", filesystemtype: null, mountflags: abi.MS_BIND | abi.MS_REC, data: null };
  assert.equal(p.expect(bind), { ret: 0 });
  p.observe(bind, { ret: 0 });
  assert.equal(p.expect(priv("/tmp/r")), { ret: 0 }, "the bind made it one");
  const detach: Request = { ...c, op: "umount2", target: ".", flags: abi.MNT_DETACH };
  assert.equal(p.expect(detach), { ret: 0 });
  p.observe(detach, { ret: 0 });
  assert.equal(p.expect(detach), { errno: abi.EINVAL });
  p.observe({ ...c, op: "pivot_root", new_root: ".", put_old: "." }, { ret: 0 });
  assert.equal(p.expect(detach), { ret: 0 }, "a new pivot_root stacks a new old root");
  assert.equal(p.expect(priv("/elsewhere")), { ret: 0 }, "after the root moved, paths are not known");
});

test("the batch bound is the addon's", () => {
  assert.is(loadAddon().wire.kMaxBatch, 64);
  assert.is(loadAddon().wire.kMaxBatchFrame, 64 * 1024);
});

nativeTest(test, reason, `execBatch (${mode}): runs in order, stops at the first surprise, reports it`, async () => {
  const ex = await spawn();
  try {
    const cd = (path: string): Request => ({ ...c, op: "chdir", path });
    const r = await ex.execBatch([
      { request: cd("/"), expect: { ret: 0 } },
      { request: cd("/nonexistent/pivotshim"), expect: { ret: 0 } },
      { request: cd("/proc"), expect: { ret: 0 } },
    ]);
    assert.equal(r, [{ ret: 0 }, { errno: abi.ENOENT }], "stopped after the surprise; /proc not entered");
    const r2 = await ex.execBatch([
      { request: cd("/nonexistent/pivotshim"), expect: { errno: abi.ENOENT } },
      { request: { ...c, op: "getcwd", size: abi.GETCWD_SIZE }, expect: null },
    ]);
    assert.equal(r2, [{ errno: abi.ENOENT }, { ret: 2, data: new Uint8Array(Buffer.from("/\0")) }], "an expected errno goes on");
    assert.equal(ex.batchStats.frames, 2);
    assert.equal(ex.batchStats.requests, 4);
    await rejects(() => ex.execBatch([{ request: { ...c, op: "getcwd", size: 8 }, expect: null }, { request: cd("/"), expect: { ret: 0 } }]), /only the last entry/);
    const many = Array.from({ length: loadAddon().wire.kMaxBatch + 6 }, () => ({ request: cd("/"), expect: { ret: 0 } }));
    assert.is((await ex.execBatch(many)).length, ex.maxBatch, "the longest prefix within the bound");
    assert.equal(await ex.exec(cd("/nonexistent/pivotshim")), { errno: abi.ENOENT }, "exec() still works");
  } finally {
    assert.equal(await ex.close(), { status: 0, signal: null });
  }
});

/**
 * A trace as JSON with what differs between two namespaces masked: mount and peer-group ids in the
 * mountinfo text, and so the byte counts of the reads (an id can gain a digit between two runs).
 */
const maskIds = (text: string) => text.replace(/^\d+ \d+ /gm, "N N ").replace(/\b(shared|master|propagate_from):\d+/g, "$1:N");
const normal = (t: RunTrace): string => JSON.stringify({ ...t, steps: t.steps.map((s) => {
  if (s.request.op !== "read" || !("ret" in s.result)) return s;
  return { ...s, request: { ...s.request, count: 0 }, result: { ...s.result, ret: 0, text: maskIds(s.result.text ?? "") } };
}) });

for (const profile of PROFILES) {
  for (const strategy of strategiesOf(profile)) {
    if (leavesCwdOutside(profile, strategy)) continue; // run() refuses it: nothing to compare
    nativeTest(test, rootReason ?? hostDirsReason(profile), `${profile} / ${strategy}: batched and unbatched runs give the same trace`, async () => {
      const before = hostMountinfo();
      const left = leftoverRootfs();
      const rootfs = makeRootfs();
      try {
        const cfg = { rootfs: rootfs.dir, profile, strategy };
        let frames = 0;
        const batched = await run(cfg, { ...probeTrue, autonomous: false, host: (ex) => { const la = ex.lookahead.bind(ex); return { kind: ex.kind, exec: (r) => ex.exec(r), lookahead: (k, m) => { const a = la(k, m); return { run: async (r) => { frames++; return a.run(r); } }; } }; } });
        const plain = await run(cfg, { ...probeTrue, batch: false });
        const known = lxcMoveKnown(profile, strategy, batched.trace.outcome);
        if (known) { console.error(`KNOWN ${profile} / ${strategy}: ${known}`); assert.equal(plain.trace.outcome, batched.trace.outcome); return; }
        assert.is(batched.trace.outcome.kind, "done", JSON.stringify(batched.trace.outcome));
        assert.equal(batched.exit, { kind: "exited", status: 0 });
        assert.equal(plain.exit, { kind: "exited", status: 0 });
        assert.ok(frames >= 1 && frames < batched.trace.steps.length, `${frames} round trips for ${batched.trace.steps.length} requests`);
        assert.fixture(normal(batched.trace), normal(plain.trace));
        // Byte for byte: the batched run's own results, fed one request per round trip, make the same trace.
        const results = batched.trace.steps.map((s) => fromTraceResult(s.result));
        const again = await driveAsync(cfg, { kind: "native", exec: async () => results.shift()! }, { source: batched.trace.source });
        assert.fixture(JSON.stringify(again), JSON.stringify(batched.trace));
      } finally {
        rootfs.cleanup();
      }
      assert.is(hostMountinfo(), before);
      assert.equal(leftoverRootfs(), left);
    });
  }
}

test.run();
