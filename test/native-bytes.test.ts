// A rootfs whose name is not UTF-8 (a 0xff byte): the library names it with the U+DC80+b escape
// (src/utf8.ts), and the executor must switch into exactly that directory. Real kernel, root or
// rootless (whichever this machine allows), skipped with the reason otherwise.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chmodSync, copyFileSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { run } from "../src/run.js";
import { PROBE, ROOTFS_PREFIX, eitherMode, hostMountinfo, nativeTest } from "./helpers/native-env.js";

const { mode, reason } = await eitherMode();

nativeTest(test, reason, `a rootfs named with a 0xff byte: the switch and the probe happen inside it (${mode})`, async () => {
  const before = hostMountinfo();
  const name = `${tmpdir()}/${ROOTFS_PREFIX}bytes-${process.pid}-`;
  const raw = Buffer.concat([Buffer.from(name), Buffer.from([0xff])]);
  mkdirSync(raw);
  try {
    copyFileSync(PROBE, Buffer.concat([raw, Buffer.from("/probe")]));
    chmodSync(raw, 0o755);
    const { trace, exit } = await run({ rootfs: `${name}\udcff`, profile: "runc", strategy: "pivot" },
      { command: "/probe", args: ["true"], rootless: mode === "rootless" });
    assert.is(trace.outcome.kind, "done", JSON.stringify(trace.outcome));
    assert.equal(exit, { kind: "exited", status: 0 }, "/probe was found: the root is the 0xff directory");
  } finally {
    rmSync(raw, { recursive: true, force: true });
  }
  assert.is(hostMountinfo(), before);
});

test.run();
