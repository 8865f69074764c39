// Soak: 200 real runs (runc pivot, then the probe's `true`) one after another. The host's mount
// table must not change, and this process's fds and children must come back to the baseline
// taken after a warm-up run (which loads the addon and compiles the wasm). Root only.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { run } from "../src/run.js";
import { hostMountinfo, leftoverRootfs, makeRootfs, nativeTest, skipReason } from "./helpers/native-env.js";
import { childrenOf, fdCount, timerFires } from "./helpers/native-proc.js";

const test = suite("native soak");
const reason = await skipReason("root");
const RUNS = 200;
const config = { profile: "runc", strategy: "pivot" } as const;
const probeTrue = { command: "/probe", args: ["true"] };

nativeTest(test, reason, `${RUNS} real runs: host unchanged, fds and children back to the baseline`, async () => {
  const before = hostMountinfo();
  const left = leftoverRootfs();
  const rootfs = makeRootfs();
  try {
    await run({ ...config, rootfs: rootfs.dir }, probeTrue); // warm-up
    await timerFires();
    const fds = fdCount();
    // tsx's esbuild service is a child of this process too, and may exit on its own: not ours to count.
    const ours = () => childrenOf().filter((c) => c.comm !== "esbuild").length;
    const kids = ours();
    const t0 = performance.now();
    for (let i = 0; i < RUNS; i++) {
      const { trace, exit } = await run({ ...config, rootfs: rootfs.dir }, probeTrue);
      if (trace.outcome.kind !== "done" || JSON.stringify(exit) !== '{"kind":"exited","status":0}')
        assert.unreachable(`run ${i}: ${JSON.stringify(trace.outcome)} exit ${JSON.stringify(exit)}`);
    }
    const ms = performance.now() - t0;
    await timerFires(); // let libuv close the sockets of the last run
    assert.is(fdCount(), fds, "fd count after the soak");
    assert.is(ours(), kids, "child count after the soak");
    if (process.env.PIVOTSHIM_BENCH) console.error(`${RUNS} runs in ${ms.toFixed(0)} ms (${(ms / RUNS).toFixed(2)} ms each)`);
  } finally {
    rootfs.cleanup();
  }
  assert.is(hostMountinfo(), before, "the host's mount table changed");
  assert.equal(leftoverRootfs(), left);
});

test.run();
