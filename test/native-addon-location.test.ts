// PIVOTSHIM_ADDON names the one addon file to load (npm run test:asan points it at build/asan):
// set, it is the only candidate, resolved from the working directory, and when the file is not
// there the hint names the variable and the file instead of "run npm run build:native". Unset or
// empty, the usual search applies (a local build, then the prebuilt one).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { resolve } from "node:path";
import { ADDON_ENV, addonCandidates, buildHint } from "../src/hosts/native-location.js";

const test = suite("native addon location");

function withEnv(value: string | undefined, fn: () => void): void {
  const saved = process.env[ADDON_ENV];
  if (value === undefined) delete process.env[ADDON_ENV]; else process.env[ADDON_ENV] = value;
  try { fn(); } finally {
    if (saved === undefined) delete process.env[ADDON_ENV]; else process.env[ADDON_ENV] = saved;
  }
}

test("set: the named file is the only candidate, resolved from the working directory", () => {
  withEnv("build/asan/Release/host.node", () => {
    assert.equal(addonCandidates(), [resolve("build/asan/Release/host.node")]);
  });
});

test("set to a missing file: the hint names the variable and the file", () => {
  withEnv("/nonexistent/pivotshim/host.node", () => {
    assert.is(buildHint(), "PIVOTSHIM_ADDON names /nonexistent/pivotshim/host.node, which is not there: build it (npm run test:asan builds build/asan/Release/host.node) or unset PIVOTSHIM_ADDON");
  });
});

test("unset or empty: the local build, then the prebuilt one", () => {
  for (const v of [undefined, ""]) {
    withEnv(v, () => {
      const c = addonCandidates();
      assert.is(c.length, 2);
      assert.match(c[0]!, /\/build\/native\/Release\/host\.node$/);
      assert.match(c[1]!, /\/prebuilds\/linux-x64\/pivotshim\.(glibc|musl)\.node$|\/prebuilds\//);
      assert.match(buildHint(), /npm run build:native|npm rebuild pivotshim/);
    });
  }
});

test.run();
