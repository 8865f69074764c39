// The test command's guard (scripts/uvu.mjs): uvu 0.5.6 exits 0 when a test throws a value that is
// not an Error, having skipped the rest of that suite. The guard fails such a run, and a run with
// no test at all, and passes a run that passed.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const test = suite("uvu guard");
const ROOT = fileURLToPath(new URL("../", import.meta.url));

function uvu(runner: string, pattern: string): { status: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", runner, "--no-color", "test/fixtures/uvu-guard", pattern],
    { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

test("why it exists: bare uvu passes a suite whose test threw undefined, with 1 of 3 passed", () => {
  const r = uvu("node_modules/uvu/bin.js", "^throws-undefined\\.ts$");
  assert.is(r.status, 0, "if uvu now fails this run, it was fixed upstream and scripts/uvu.mjs can go");
  assert.match(r.out, /\(1 \/ 3\)/);
});

test("a test that throws undefined fails the run, naming the suite that stopped", () => {
  const r = uvu("scripts/uvu.mjs", "^throws-undefined\\.ts$");
  assert.is(r.status, 1);
  assert.match(r.err, /uvu counted 3 tests and 1 passed, yet reported no failure/);
  assert.match(r.err, /throws-undefined\.ts \(1 of 3\)/);
});

test("a test that throws a string fails the run", () => {
  const r = uvu("scripts/uvu.mjs", "^throws-string\\.ts$");
  assert.is(r.status, 1);
  assert.match(r.err, /uvu counted 1 tests and 0 passed/);
});

test("a pattern that matches no test file fails the run", () => {
  const r = uvu("scripts/uvu.mjs", "^no-such-file\\.ts$");
  assert.is(r.status, 1);
  assert.match(r.err, /uvu ran no test/);
});

test("a suite that passes (one test skipped) passes, and says nothing more", () => {
  const r = uvu("scripts/uvu.mjs", "^passes\\.ts$");
  assert.is(r.status, 0, r.err);
  assert.is(r.err, "");
  assert.match(r.out, /Skipped: +1/);
});

test.run();
