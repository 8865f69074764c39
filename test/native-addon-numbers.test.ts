// Every place the addon turns a JS number into a C int (kill, closeFd, spawn's stdio) refuses NaN,
// the infinities, fractions and values outside the int's range with a TypeError (a programming
// error, as the design says), and checks the range BEFORE converting: int(NaN) or int(2^31) is undefined
// behaviour, which x86 happens to hide (it yields INT_MIN) and which the sanitizer build's
// -fsanitize=float-cast-overflow reports (npm run test:asan runs this file). The bounds themselves
// are accepted: the check is not off by one.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import { loadAddon } from "../src/hosts/native.js";
import { nativeUnavailable } from "../src/hosts/native.js";

const test = suite("native addon numbers");
const reason = nativeUnavailable();
const BAD = [NaN, Infinity, -Infinity, 2 ** 31, -(2 ** 31) - 1, 1e300, -1e300, 0.5, 2 ** 53 + 2];

const addonTest = (name: string, fn: () => void): void => {
  if (reason) { console.error(`SKIP ${name}: ${reason}`); test.skip(name, fn); } else test(name, fn);
};

addonTest("kill(pid, pidfd): each bad number is a TypeError, in either place", () => {
  const addon = loadAddon();
  for (const bad of BAD) {
    assert.throws(() => addon.kill(bad, -1), (e: unknown) => e instanceof TypeError && /integers expected/.test((e as Error).message), `pid ${bad}`);
    assert.throws(() => addon.kill(2 ** 31 - 1, bad), (e: unknown) => e instanceof TypeError, `pidfd ${bad}`);
  }
  // The int bounds are in range: no process has pid 2^31 - 1 (pid_max <= 2^22), so ESRCH.
  assert.is(addon.kill(2 ** 31 - 1, -(2 ** 31)), abi.ESRCH);
});

addonTest("closeFd(fd): each bad number is a TypeError; 2^31 - 1 is a (closed) fd", () => {
  const addon = loadAddon();
  for (const bad of [...BAD, -1]) {
    assert.throws(() => addon.closeFd(bad), (e: unknown) => e instanceof TypeError && /non-negative integer/.test((e as Error).message), `fd ${bad}`);
  }
  assert.is(addon.closeFd(2 ** 31 - 1), abi.EBADF);
});

addonTest("spawn({ stdio }): each bad number is a TypeError, and no child is forked", () => {
  const addon = loadAddon();
  for (const bad of [...BAD, -2]) {
    for (let i = 0; i < 3; i++) {
      const stdio = [-1, -1, -1] as [number, number, number];
      stdio[i] = bad;
      let exited = false;
      assert.throws(() => addon.spawn({ rootless: false, stdio, onExit: () => { exited = true; } }),
        (e: unknown) => e instanceof TypeError && /stdio must be \[int, int, int\]/.test((e as Error).message), `stdio[${i}] = ${bad}`);
      assert.not.ok(exited);
    }
  }
});

test.run();
