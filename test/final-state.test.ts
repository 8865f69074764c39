// Final tables on both sides (src/final-state.ts, trace `final`): plan records the fake kernel's
// mountinfo, root and cwd; run --trace-out the child's, read before exec; the two agree once ids
// are masked. The trace schema takes `final` and a refused outcome; v1 traces still load and replay.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { check } from "../src/check.js";
import { replay } from "../src/replay.js";
import { run } from "../src/run.js";
import { parseRunTrace, parseTrace, TraceSchema } from "../src/trace-schema.js";
import { InvalidInputError } from "../src/errors.js";
import { rootfsFacts } from "../src/rootfs-facts.js";
import { fixture } from "./helpers.js";
import { parseConfig } from "../src/schema.js";
import { predict } from "../src/predict.js";
import { refusalOf } from "../src/verify-run.js";
import { walkPath } from "../src/rootfs-facts.js";
import { eitherMode, makeRootfs, nativeTest } from "./helpers/native-env.js";

const test = suite("final state");
const json = (v: unknown): any => JSON.parse(JSON.stringify(v));
const cli = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], { encoding: "utf8" });

test("plan's trace carries the fake kernel's final mountinfo, root and cwd, and still replays", () => {
  const t = check({ profile: "runc", strategy: "pivot" }).trace;
  assert.ok(t.final, "final recorded");
  assert.equal([t.final!.root, t.final!.cwd], ["/", "/"]);
  assert.match(t.final!.mountinfo, /^\d+ \d+ 0:45 \/ \/ rw,relatime - overlay overlay /);
  assert.equal(parseTrace(json(t)).final, t.final);
  assert.equal(replay(json(t)).trace.steps, json(t).steps);
  const out = cli("plan", "--rootfs", "/r", "--format", "json");
  assert.is(out.status, 0, out.stderr);
  assert.equal(Object.keys(JSON.parse(out.stdout).final), ["mountinfo", "root", "cwd"]);
});

test("every v1 fixture trace (no final) still loads and replays", () => {
  const dir = fixture("traces/");
  const names = readdirSync(dir).filter((n) => n.endsWith(".json"));
  assert.ok(names.length >= 4);
  for (const n of names) {
    const t = JSON.parse(readFileSync(new URL(n, dir), "utf8"));
    assert.is(t.final, undefined, n);
    assert.ok(replay(t).ok, n);
  }
});

/** A refused run's trace, as run --trace-out writes it (src/verify-run.ts refusalOf). */
const refused = () => ({
  ...json(check({}).trace), steps: [], final: undefined,
  outcome: {
    kind: "refused", reason: "predicted-damage", message: "refused: the plan would unmount /proc of the calling namespace", note: "nothing was executed",
    violated: [{ id: "host-unchanged", detail: "- 23 21 0:22 / /proc rw - proc proc rw" }],
    damage: { unmounted: ["23 21 0:22 / /proc rw - proc proc rw"], changed: [], mounted: [] },
  },
});

test("the schema takes a refused outcome; replay says there is nothing to replay, in one line", () => {
  const t = refused();
  assert.is(parseRunTrace(t).outcome.kind, "refused");
  assert.ok(TraceSchema.safeParse(t).success);
  assert.throws(() => replay(t), (e: unknown) => e instanceof InvalidInputError && /^nothing to replay: the trace ends refused \(predicted-damage\): run refused it before the executor existed, so no request ran; its message: refused: the plan would unmount/.test(e.message));
  const bad = { ...t, outcome: { ...t.outcome, reason: "because" } };
  assert.throws(() => parseRunTrace(bad), /outcome\.reason/);
  const dir = mkdtempSync(join(tmpdir(), "pivotshim-final-"));
  try {
    writeFileSync(join(dir, "refused.json"), JSON.stringify(t));
    const r = cli("replay", join(dir, "refused.json"));
    assert.is(r.status, 2, r.stderr);
    assert.is(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, /nothing to replay/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("what run writes when it refuses (refusalOf, from a real prediction) loads as written", () => {
  const mountinfo = "27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n22 27 0:21 / /proc rw,relatime shared:2 - proc proc rw\n";
  const config = parseConfig({ rootfs: "/srv/r", strategy: "move", prepare: false });
  const p = predict(config, { mountinfo, facts: walkPath("/srv/r", () => ({ kind: "dir" })), rootless: false });
  const t = refusalOf(config, p, { host: "native", kernel: "test" })!;
  assert.is(t.outcome.kind, "refused");
  assert.equal(parseRunTrace(json(t)), json(t));
});

test("final is bounded and strict", () => {
  const t = json(check({}).trace);
  assert.not.ok(TraceSchema.safeParse({ ...t, final: { ...t.final, extra: 1 } }).success);
  assert.not.ok(TraceSchema.safeParse({ ...t, final: { ...t.final, root: "x".repeat(5000) } }).success);
});

/** mountinfo with mount ids, parent ids and peer group ids masked (they differ between any two kernels). */
const masked = (t: string) => t.split("\n").filter((l) => l !== "").map((l) => l.replace(/^\d+ \d+ /, "N N ").replace(/(shared|master|propagate_from):\d+/g, "$1:N")).join("\n");

const { mode, reason } = await eitherMode();

nativeTest(test, reason, `run (${mode}) records the child's final table, root and cwd: the plan's on a model of this namespace, ids masked`, async () => {
  const rootfs = makeRootfs();
  try {
    const rootless = mode === "rootless";
    for (const strategy of ["pivot", "move", "chroot"] as const) {
      const config = { rootfs: rootfs.dir, strategy };
      const real = await run(config, { command: "/probe", args: ["true"], rootless, final: true });
      assert.is(real.trace.outcome.kind, "done", JSON.stringify(real.trace.outcome));
      const plan = check(config, { mountinfo: readFileSync("/proc/self/mountinfo", "utf8"), rootfsFacts: rootfsFacts(rootfs.dir) }).trace;
      const [r, p] = [real.trace.final!, plan.final!];
      assert.equal([r.root, r.cwd], [p.root, p.cwd], strategy);
      assert.is(masked(r.mountinfo), masked(p.mountinfo), strategy);
      assert.is((await run(config, { command: "/probe", args: ["true"], rootless })).trace.final, undefined, "only when asked");
    }
    const dir = mkdtempSync(join(tmpdir(), "pivotshim-final-"));
    try {
      const out = cli("run", "--rootfs", rootfs.dir, ...(rootless ? ["--rootless"] : []), "--trace-out", join(dir, "t.json"), "--", "/probe", "true");
      assert.is(out.status, 0, out.stderr);
      const t = parseRunTrace(JSON.parse(readFileSync(join(dir, "t.json"), "utf8")));
      assert.ok(t.final && t.final.mountinfo.length > 0, JSON.stringify(t.final));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    rootfs.cleanup();
  }
});

test.run();
