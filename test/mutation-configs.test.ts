// The Stryker configs (mutation/stryker/*.conf.json) must let every test they name run: a test that
// skips inside Stryker's sandbox passes for every mutant, so its kills are counted as survivors.
// That happened to every fake, diff, strace and schema config (docs/mutation.md, "A sandbox without
// the executor"): they copied the addon but not the executor program beside it. Each config must
// copy both, run uvu with PIVOTSHIM_NO_SKIP=1 (scripts/uvu.mjs then fails a run with a skip, so a
// broken sandbox fails Stryker's unmutated first run), and open its 0700 sandbox for nobody.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIR = join(ROOT, "mutation/stryker");
const configs = readdirSync(DIR).filter((f) => f.endsWith(".conf.json")).sort();

interface Conf { ignorePatterns: string[]; commandRunner: { command: string }; mutate: string[] }
const read = (f: string): Conf => JSON.parse(readFileSync(join(DIR, f), "utf8")) as Conf;

test("there are configs to check", () => {
  assert.ok(configs.length >= 10, configs.join(", "));
});

test("every config copies the addon and the executor program it starts into the sandbox", () => {
  for (const f of configs) {
    const ignore = read(f).ignorePatterns;
    for (const keep of ["!/build/native/Release/host.node", "!/build/native/Release/pivotshim-child"])
      assert.ok(ignore.includes(keep), `${f}: ignorePatterns lacks ${keep}`);
    const excluded = ignore.indexOf("/build/native/**");
    if (excluded >= 0) assert.ok(ignore.indexOf("!/build/native/Release/pivotshim-child") > excluded, `${f}: the executor is re-included after build/native is left out`);
  }
});

test("every uvu run in a config's command forbids skips, and the sandbox is opened for the nobody tests", () => {
  for (const f of configs) {
    const cmd = read(f).commandRunner.command;
    const runs = cmd.split("&&").map((s) => s.trim()).filter((s) => s.includes("scripts/uvu.mjs"));
    assert.ok(runs.length > 0, `${f}: no uvu run`);
    // The environment assignments before node: PIVOTSHIM_NO_SKIP=1 must be among them.
    for (const r of runs) assert.ok(/^([A-Z_]+=\S+ )*node --import tsx scripts\/uvu\.mjs/.test(r) && r.split("node --import")[0]!.split(" ").includes("PIVOTSHIM_NO_SKIP=1"), `${f}: ${r}`);
    assert.ok(cmd.startsWith("chmod go+rx . && "), `${f}: the sandbox stays 0700`);
  }
});

test("PIVOTSHIM_NO_SKIP=1: scripts/uvu.mjs fails a run that skipped a test and says why; without it the skip passes", () => {
  const dir = mkdtempSync(join(tmpdir(), "pivotshim-noskip-"));
  try {
    const uvu = pathToFileURL(join(ROOT, "node_modules/uvu/dist/index.mjs")).href;  // the temp dir has no node_modules
    writeFileSync(join(dir, "one.test.mjs"), `import { test } from ${JSON.stringify(uvu)};\ntest("runs", () => {});\ntest.skip("skipped", () => {});\ntest.run();\n`);
    const run = (extra: Record<string, string>) => spawnSync(process.execPath, [join(ROOT, "scripts/uvu.mjs"), "--no-color", dir, "\\.test\\.mjs$"],
      { encoding: "utf8", cwd: ROOT, env: { ...process.env, PIVOTSHIM_NO_SKIP: "", ...extra }, timeout: 60000 });
    const plain = run({});
    assert.is(plain.status, 0, plain.stderr);
    const strict = run({ PIVOTSHIM_NO_SKIP: "1" });
    assert.is(strict.status, 1);
    assert.match(strict.stderr, /uvu skipped 1 tests and PIVOTSHIM_NO_SKIP=1 forbids it: a skipped test cannot kill a mutant/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
