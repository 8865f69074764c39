// A rootfs reached through a symlink, per profile (src/rootfs-facts.ts rootfsRule): runc main and
// runc 1.1.5 refuse it in their config validation, before any syscall; crun 1.8.1 realpath()s it
// and uses the real path everywhere; hardened refuses it. root-is-rootfs judges the real path.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { check } from "../src/check.js";
import { drive } from "../src/driver.js";
import { FakeKernel, checkInvariants } from "../src/hosts/fake/index.js";
import { explore } from "../src/explore.js";
import { predict } from "../src/predict.js";
import { run } from "../src/run.js";
import { parseConfig, type ConfigInput } from "../src/schema.js";
import { InvalidInputError } from "../src/errors.js";
import { walkPath, rootfsKindLstat, type Stat } from "../src/rootfs-facts.js";
import { straceLine } from "../src/format/strace.js";
import { eitherMode, nativeTest } from "./helpers/native-env.js";

const test = suite("symlinked rootfs");
const link = walkPath("/r", rootfsKindLstat("/r", "symlink:/srv/real"));
const plan = (input: ConfigInput, scenario: "rootfs-not-a-mountpoint" | "docker-host" = "rootfs-not-a-mountpoint") =>
  check({ rootfs: "/r", ...input }, { scenario, rootfsFacts: link });
const refusal = (profile: string, re: RegExp) => (e: unknown) => e instanceof InvalidInputError && re.test(e.message) && !e.message.includes("\n") || (console.error(profile, e), false);

test("runc and runc-1.1 refuse it as their config validation does, before any request: plan, explore and predict alike", () => {
  for (const profile of ["runc", "runc-1.1"] as const) {
    const re = new RegExp(`^${profile.replace(".", "\\.")} refuses the rootfs: "invalid rootfs: not an absolute path, or a symlink" \\(its config validation; /r -> /srv/real\\); pass the real path: --rootfs /srv/real$`);
    assert.throws(() => plan({ profile }), refusal(profile, re));
    assert.throws(() => explore({ rootfs: "/r", profile }, { scenario: "rootfs-not-a-mountpoint", rootfsFacts: link }), refusal(profile, re));
    const mountinfo = "21 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n23 21 0:22 / /proc rw shared:3 - proc proc rw\n";
    assert.throws(() => predict(parseConfig({ rootfs: "/r", profile }), { mountinfo, facts: link, rootless: false }), refusal(profile, re));
  }
});

test("a symlink anywhere on the path counts, as filepath.EvalSymlinks resolves every component", () => {
  const fs: Record<string, Stat> = { "/var": { kind: "symlink", target: "/data" }, "/data": { kind: "dir" }, "/data/r": { kind: "dir" } };
  const facts = walkPath("/var/r", (p) => fs[p] ?? { kind: "missing" });
  assert.throws(() => check({ rootfs: "/var/r", profile: "runc" }, { scenario: "rootfs-not-a-mountpoint", rootfsFacts: facts }), refusal("runc", /\/var -> \/data\); pass the real path: --rootfs \/data\/r$/));
  const crun = check({ rootfs: "/var/r", profile: "crun" }, { scenario: "rootfs-not-a-mountpoint", rootfsFacts: facts });
  assert.is(crun.trace.config.rootfs, "/data/r");
});

test("crun resolves it first: every request names the real path, and root-is-rootfs judges that path", () => {
  for (const scenario of ["rootfs-not-a-mountpoint", "docker-host"] as const) {
    for (const strategy of ["pivot", "move"] as const) {
      const r = plan({ profile: "crun", strategy }, scenario);
      assert.is(r.trace.config.rootfs, "/srv/real", `${scenario} ${strategy}`);
      assert.is(r.trace.outcome.kind, "done");
      const lines = r.trace.steps.map(straceLine);
      assert.ok(lines.some((l) => l.includes('"/srv/real"')), lines.join("\n"));
      assert.not.ok(lines.some((l) => /"\/r[/"]/.test(l)), `no request names the link:\n${lines.join("\n")}`);
      assert.equal(r.verdicts.filter((v) => !v.held), [], `${scenario} ${strategy}`);
      assert.match(r.verdicts.find((v) => v.id === "root-is-rootfs")!.detail, /is \/srv\/real/);
    }
  }
});

test("hardened refuses it and names the real path; a rootfs without symlinks is unchanged for every profile", () => {
  assert.throws(() => plan({}), refusal("hardened", /^hardened refuses a rootfs reached through a symlink \(\/r -> \/srv\/real\): .*; pass the real path: --rootfs \/srv\/real$/));
  for (const profile of ["hardened", "runc", "runc-1.1", "crun"] as const) {
    const r = check({ rootfs: "/r", profile }, { scenario: "rootfs-not-a-mountpoint", rootfsFacts: walkPath("/r", rootfsKindLstat("/r", "dir")) });
    assert.is(r.trace.config.rootfs, "/r");
    assert.is(r.trace.outcome.kind, "done", profile);
  }
});

test("the CLI: one line and exit 2 for the refusal, crun's plan on the real path", () => {
  const cli = (args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "src/cli.ts", "plan", "--rootfs", "/r", "--rootfs-kind", "symlink:/srv/real", "--scenario", "rootfs-not-a-mountpoint", ...args], { encoding: "utf8" });
  const runc = cli(["--profile", "runc"]);
  assert.is(runc.status, 2, runc.stderr);
  assert.is(runc.stderr.trimEnd().split("\n").length, 1, runc.stderr);
  assert.match(runc.stderr, /invalid rootfs: not an absolute path, or a symlink/);
  const crun = cli(["--profile", "crun", "--format", "strace"]);
  assert.is(crun.status, 0, crun.stderr);
  assert.match(crun.stdout, /mount\("\/srv\/real", "\/srv\/real", NULL, MS_BIND\|MS_REC/);
});

test("root-is-rootfs resolves a link the config names (a model with no facts) and names the real path", () => {
  const k = FakeKernel.scenario("rootfs-not-a-mountpoint", { rootfs: "/srv/real" }).symlink("/r", "/srv/real");
  const before = k.clone().freeze();
  const after = before.clone();
  const t = drive(parseConfig({ rootfs: "/r", profile: "crun" }), after);
  assert.is(t.outcome.kind, "done");
  const v = checkInvariants(before, after, "done", { rootfs: "/r", strategy: "pivot" }).find((x) => x.id === "root-is-rootfs")!;
  assert.equal([v.held, v.detail.replace(/^root: mount \d+ /, "")], [true, "(ext4 /srv/real) is /r (really /srv/real); cwd: /"]);
});

const { mode, reason } = await eitherMode();

nativeTest(test, reason, `run (${mode}): crun switches into the real path, runc refuses before an executor exists`, async () => {
  const dir = mkdtempSync(join(tmpdir(), "pivotshim-symlink-"));
  try {
    mkdirSync(join(dir, "real"));
    symlinkSync("real", join(dir, "link"));
    const rootless = mode === "rootless";
    const cr = await run({ rootfs: join(dir, "link"), profile: "crun", strategy: "pivot" }, { command: "/none", rootless });
    assert.is(cr.trace.config.rootfs, join(dir, "real"));
    assert.is(cr.trace.outcome.kind, "done", JSON.stringify(cr.trace.outcome));
    for (const profile of ["runc", "runc-1.1", "hardened"] as const) {
      await run({ rootfs: join(dir, "link"), profile }, { command: "/none", rootless }).then(
        () => assert.unreachable(`${profile} ran`),
        (e) => assert.ok(e instanceof InvalidInputError && /symlink/.test(e.message), String(e)));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
