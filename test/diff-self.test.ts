// Self-check: our own executor, run for real under strace for every profile × strategy, must be
// equivalent to the trace run() returned (read through the --trace path). Root only; otherwise
// each case prints SKIP with the reason. The host's mountinfo must be byte-identical afterwards.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseTraceText } from "../src/trace-schema.js";
import { diff, renderText } from "../src/diff/index.js";
import { PROFILES, STRATEGIES } from "../src/schema.js";
import { PROBE, hostDirsReason, hostMountinfo, skipReason } from "./helpers/native-env.js";
import { leavesCwdOutside, lxcMoveKnown, strategiesOf } from "./helpers.js";

const REPO = new URL("..", import.meta.url).pathname;
const PREFIX = "pivotshim-diff-self-";
const TRACED = "pivot_root,mount,umount2,chroot,chdir,fchdir,openat,close,read,getcwd,mkdir,openat2,open_tree,move_mount,setns,mount_setattr";

function hasStrace(): boolean {
  if (spawnSync("strace", ["-V"]).status === 0) return true;
  spawnSync("sh", ["-c", "apt-get install -y strace >/dev/null 2>&1 || (apt-get update >/dev/null 2>&1 && apt-get install -y strace >/dev/null 2>&1)"]);
  return spawnSync("strace", ["-V"]).status === 0;
}

async function whyNot(): Promise<string | null> {
  const native = await skipReason("root");
  if (native) return native;
  return hasStrace() ? null : "strace is not installed and apt-get could not install it";
}

/** The script strace runs: every profile × strategy through run(), each in its own rootfs; writes one trace file per run. */
const RUNNER = `
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from ${JSON.stringify(join(REPO, "src/run.ts"))};
const [dir, probe, casesJson] = process.argv.slice(2);
const out = [];
for (const [profile, strategy] of JSON.parse(casesJson)) {
  const rootfs = mkdtempSync(join(dir, "rootfs-"));
  copyFileSync(probe, join(rootfs, "probe"));
  let pid = -1;
  try {
    const { trace, exit } = await run({ rootfs, profile, strategy },
      { command: "/probe", args: ["true"], host: (ex) => { pid = ex.pid; return ex; } });
    const file = join(dir, profile + "-" + strategy + ".json");
    writeFileSync(file, JSON.stringify(trace));
    out.push({ profile, strategy, pid, file, exit, outcome: trace.outcome.kind });
  } finally {
    rmSync(rootfs, { recursive: true, force: true });
  }
}
writeFileSync(join(dir, "runs.json"), JSON.stringify(out));
`;

interface RunRecord { profile: string; strategy: string; pid: number; file: string; exit: unknown; outcome: string }

const reason = await whyNot();
// youki chroot is refused by run() (its cwd stays outside the root, test/helpers.ts CWD_LEFT_OUTSIDE).
const all = PROFILES.flatMap((p) => strategiesOf(p).map((s) => [p, s] as const)).filter(([p, s]) => !leavesCwdOutside(p, s));
// A profile whose host directory is missing here (lxc without the lxc package) is skipped, saying why.
const cases = all.filter(([p]) => hostDirsReason(p) === null);
for (const [p, s] of all.filter(([q]) => hostDirsReason(q) !== null)) {
  console.error(`SKIP diff self-check ${p} / ${s}: ${hostDirsReason(p)}`);
  test.skip(`${p} / ${s}: the executor's strace window ≡ the trace run() returned`, () => {});
}

if (reason) {
  for (const [p, s] of cases) {
    console.error(`SKIP diff self-check ${p} / ${s}: ${reason}`);
    test.skip(`${p} / ${s}: the executor's strace window ≡ the trace run() returned`, () => {});
  }
} else {
  const before = hostMountinfo();
  const leftovers = () => readdirSync(tmpdir()).filter((n) => n.startsWith(PREFIX)).sort();
  const left = leftovers();
  const dir = mkdtempSync(join(tmpdir(), PREFIX));
  let runs: RunRecord[] = [];
  let log = "";
  let failure = "";
  try {
    mkdirSync(join(dir, "bin"));
    writeFileSync(join(dir, "bin", "runner.mts"), RUNNER);
    copyFileSync(PROBE, join(dir, "bin", "probe"));
    const r = spawnSync("strace", ["-f", "-qq", "-s", "256", "-y", "-e", `trace=${TRACED}`, "-o", join(dir, "log"),
      process.execPath, "--import", "tsx", join(dir, "bin", "runner.mts"), dir, join(dir, "bin", "probe"), JSON.stringify(cases)],
    { cwd: REPO, encoding: "utf8", timeout: 300_000 });
    if (r.status !== 0) failure = `strace/runner exited ${r.status}: ${r.stderr}`;
    else {
      runs = JSON.parse(readFileSync(join(dir, "runs.json"), "utf8")) as RunRecord[];
      log = readFileSync(join(dir, "log"), "utf8");
      for (const run of runs) run.file = readFileSync(run.file, "utf8"); // keep the text: the dir goes away below
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  test("the runner ran every case under strace", () => {
    assert.is(failure, "");
    assert.equal(runs.map((r) => `${r.profile}/${r.strategy}`), cases.map(([p, s]) => `${p}/${s}`));
  });

  for (const [profile, strategy] of cases) {
    test(`${profile} / ${strategy}: the executor's strace window ≡ the trace run() returned`, () => {
      const run = runs.find((r) => r.profile === profile && r.strategy === strategy);
      assert.ok(run, failure || "no run");
      // lxc move meets what a mountinfo text does not tell the model (test/helpers.ts lxcMoveKnown): said, not hidden.
      const known = run.outcome === "refused" ? lxcMoveKnown(profile, strategy, (JSON.parse(run.file) as { outcome: { kind: string } }).outcome) : null;
      if (known) { console.error(`KNOWN ${profile} / ${strategy}: ${known}`); return; }
      assert.is(run.outcome, "done");
      assert.equal(run.exit, { kind: "exited", status: 0 });
      const trace = parseTraceText(run.file, `${profile}-${strategy}.json`);
      const report = diff(trace, log, { pid: run.pid });
      assert.ok(report.equivalent, renderText(report));
      assert.is(report.summary.matched, trace.steps.length);
    });
  }

  test("the host is unchanged and the temp dirs are gone", () => {
    assert.is(hostMountinfo(), before);
    assert.equal(leftovers(), left);
  });
}

test.run();
