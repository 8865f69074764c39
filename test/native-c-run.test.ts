// libpivotshim's executor against the real kernel: ps_run does the whole switch in a process of
// its own mount namespace (test/c/run-driver.c, itself started under `unshare -m --propagation
// private`, so even its parent's namespace is a throwaway copy). Every profile × strategy must
// end done, in the rootfs, with cwd "/", and every result must be the one the fake kernel
// predicts from the child's own mountinfo (check() with that table): the C executor, the C
// machine and the model agree on a real kernel. The same rootless (a user namespace too, judged
// against the rootless model from the table before the unshare). Then the guard, the
// expected-results stop, and the callbacks that stop a run.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as abi from "../src/abi.js";
import { check } from "../src/check.js";
import { predict as predictRun } from "../src/predict.js";
import { rootfsFacts, withHostDirs } from "../src/rootfs-facts.js";
import { encode } from "../src/config.js";
import { PROFILES, STRATEGIES, parseConfig, staticRule } from "../src/schema.js";
import { errnoNumber } from "../src/names-ts.js";
import { cProgram } from "./helpers/c-dir.js";
import { hostDirsReason, nativeTest } from "./helpers/native-env.js";
import { leavesCwdOutside, strategiesOf } from "./helpers.js";

const DRIVER = cProgram("run-driver");
const why = process.geteuid?.() !== 0 ? "not root: the switch needs CAP_SYS_ADMIN"
  : !existsSync(DRIVER) ? "build/c/run-driver is not built: install wasm2c (apt-get install wabt), then npm run build:c"
  : spawnSync("unshare", ["--version"]).status !== 0 ? "unshare(1) is not installed" : null;

interface Ran { before: string; mountinfo: string; steps: { seq: number; op: number; step: number; ret: number; err: number }[]; outcome: string | null; stopped: [number, number] | null; cwd: string; marker: boolean; status: number | null; stderr: string }

function runC(rootfs: string, cfg: ReturnType<typeof encode>, opts: { expect?: [number, number][]; noUnshare?: boolean; stopAt?: number; refuseAt?: number; rootless?: boolean } = {}): Ran {
  const args = ["-m", "--propagation", "private", DRIVER, rootfs, String(cfg.profile), String(cfg.strategy), String(cfg.rootPropagation), String(cfg.options)];
  if (opts.noUnshare) args.push("--no-unshare");
  if (opts.rootless) args.push("--rootless");
  // Without the sanitizer stage's LD_PRELOAD: unshare(1) is not built with ASan, and the driver,
  // when it is (build/asan/c), links the runtime itself.
  const env = { ...process.env, LD_PRELOAD: "", ...(opts.stopAt !== undefined ? { PS_STOP_AT: String(opts.stopAt) } : {}),
    ...(opts.refuseAt !== undefined ? { PS_REFUSE_AT: String(opts.refuseAt) } : {}) };
  const r = spawnSync("unshare", args, { input: (opts.expect ?? []).map(([ret, err]) => `${ret} ${err}\n`).join(""), encoding: "utf8", timeout: 60_000, env });
  const out: Ran = { before: "", mountinfo: "", steps: [], outcome: null, stopped: null, cwd: "", marker: false, status: r.status, stderr: r.stderr };
  for (const l of r.stdout.split("\n")) {
    const f = l.split(" ");
    if (f[0] === "M") out.mountinfo = Buffer.from(f[1] ?? "", "hex").toString("utf8");
    if (f[0] === "P") out.before = Buffer.from(f[1] ?? "", "hex").toString("utf8");
    if (f[0] === "E") out.steps.push({ seq: +f[1]!, op: +f[2]!, step: +f[3]!, ret: +f[4]!, err: +f[5]! });
    if (f[0] === "O") out.outcome = `${f[1]} ${f[2]} ${f[3]} ${f[4]} ${f[5]} ${Buffer.from(f[6] ?? "", "hex").toString("utf8")}`;
    if (f[0] === "Z") out.stopped = [+f[1]!, +f[2]!];
    if (f[0] === "C") { out.cwd = f[1]!; out.marker = f[2] === "1"; }
  }
  return out;
}

const base = mkdtempSync(join(tmpdir(), "pivotshim-c-run-"));
test.after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
/** A fresh rootfs folder with a marker file no other root has. */
function rootfs(): string {
  const d = join(base, `r${n++}`);
  mkdirSync(d);
  writeFileSync(join(d, "pivotshim-marker"), "");
  return d;
}

/** The fake kernel's prediction from the child's own table: [ret, err] per request, and the outcome kind. */
function predict(config: ReturnType<typeof parseConfig>, mountinfo: string) {
  const t = check(config, { mountinfo }).trace;
  return { results: t.steps.map((s) => ("errno" in s.result ? [-1, s.result.errno] : [s.result.ret, 0]) as [number, number]), outcome: t.outcome.kind, ops: t.steps.map((s) => abi.Op[s.request.op as keyof typeof abi.Op] as number) };
}

const hostTable = () => readFileSync("/proc/self/mountinfo", "utf8");

if (why) {
  console.error(`SKIP native C run: ${why}`);
  test.skip("native C run");
} else {
  for (const profile of PROFILES) for (const strategy of strategiesOf(profile)) {
    if (staticRule({ profile, strategy }) !== 0 || leavesCwdOutside(profile, strategy)) continue; // youki chroot: cwd outside, by design
    nativeTest(test, hostDirsReason(profile), `${profile} ${strategy}: ps_run switches for real, and every result is the model's prediction`, () => {
      const dir = rootfs();
      const config = parseConfig({ rootfs: dir, profile, strategy });
      const before = hostTable();
      const ran = runC(dir, encode(config));
      assert.is(ran.status, 0, ran.stderr);
      assert.is(hostTable(), before, "this process's mount table is unchanged");
      assert.ok(ran.outcome?.startsWith("1 0 0 0 -1"), `done: ${ran.outcome ?? `stopped ${ran.stopped}`}\n${ran.stderr}`);
      assert.equal([ran.cwd, ran.marker], ["/", true], "in the rootfs, at its /");
      const want = predict(config, ran.mountinfo);
      assert.is(want.outcome, "done");
      assert.equal(ran.steps.map((s) => s.op), want.ops, "the same requests");
      // A read by kind (data or EOF): its byte count follows the mount ids, which the model numbers
      // in its own copy of the table (the rule of src/verify-run.ts).
      // lxc move ignores every umount2 error (lxc_chroot): which errno Linux gives for a path under
      // a detached mount depends on directories the model cannot see (test/helpers.ts lxcMoveKnown).
      const ignored = (op: number) => profile === "lxc" && strategy === "move" && op === abi.Op.umount2;
      const kind = (op: number, [ret, err]: [number, number]) => (err ? (ignored(op) ? "-1 (ignored)" : `-1 ${err}`) : op === abi.Op.read ? (ret > 0 ? "data" : "eof") : `${ret}`);
      assert.equal(ran.steps.map((s) => kind(s.op, [s.ret, s.err])), want.results.map((r, i) => kind(want.ops[i]!, r)), "the same results");
    });
  }

  // Rootless: the child unshares a user namespace too (as run --rootless's executor does), so the
  // mounts it copies are locked; the prediction models that from the table before the unshare.
  for (const profile of PROFILES) for (const strategy of strategiesOf(profile)) {
    if (staticRule({ profile, strategy }) !== 0 || leavesCwdOutside(profile, strategy)) continue;
    // Not skipped without LXC's mount point: the prediction then says where the plan stops, and this holds it to that.
    test(`${profile} ${strategy}, rootless: ps_run switches in a user namespace, and every result is the rootless model's prediction`, () => {
      const dir = rootfs();
      const config = parseConfig({ rootfs: dir, profile, strategy });
      const before = hostTable();
      const ran = runC(dir, encode(config), { rootless: true });
      assert.is(ran.status, 0, ran.stderr);
      assert.is(hostTable(), before, "this process's mount table is unchanged");
      // The host directories the profile uses as lstat() sees them, as run models them (LXC's mount point).
      const want = predictRun(config, { mountinfo: ran.before, facts: withHostDirs(profile, rootfsFacts(dir)), rootless: true });
      assert.equal(ran.steps.map((s) => s.op), want.trace.steps.map((s) => abi.Op[s.request.op as keyof typeof abi.Op] as number), "the same requests");
      const kind = (op: number, [ret, err]: [number, number]) => (err ? `-1 ${err}` : op === abi.Op.read ? (ret > 0 ? "data" : "eof") : `${ret}`);
      assert.equal(ran.steps.map((s) => kind(s.op, [s.ret, s.err])),
        want.trace.steps.map((s) => kind(abi.Op[s.request.op as keyof typeof abi.Op] as number, "errno" in s.result ? [-1, s.result.errno] : [s.result.ret, 0])), "the same results");
      if (want.trace.outcome.kind === "done") {
        assert.ok(ran.outcome?.startsWith("1 0 0 0 -1"), `done: ${ran.outcome ?? `stopped ${ran.stopped}`}\n${ran.stderr}`);
        assert.equal([ran.cwd, ran.marker], ["/", true], "in the rootfs, at its /");
      } else assert.ok(ran.outcome?.startsWith("0 "), `failed as predicted: ${ran.outcome}`);
    });
  }

  test("with the prediction as the expected results, the run goes to the end; one wrong result stops it before the next syscall", () => {
    const dir = rootfs();
    const config = parseConfig({ rootfs: dir, profile: "hardened", strategy: "pivot" });
    const first = runC(dir, encode(config));
    const want = predict(config, first.mountinfo).results;
    const ok = runC(rootfs(), encode(parseConfig({ rootfs: dir, profile: "hardened", strategy: "pivot" })), { expect: want });
    assert.is(ok.stopped, null, ok.stderr);
    assert.ok(ok.outcome?.startsWith("1 0 0 0 -1"));
    // Request 2 (the parent walk's first try, EINVAL here) expected to succeed: stop right after it.
    const wrong = want.map((r, i) => (i === 2 ? ([0, 0] as [number, number]) : r));
    assert.is(want[2]![1], errnoNumber("EINVAL"));
    const stopped = runC(dir, encode(config), { expect: wrong });
    assert.equal(stopped.stopped, [-4, 2]);
    assert.is(stopped.steps.length, 3, "nothing after the differing result ran");
    assert.is(stopped.outcome, null);
  });

  test("a step callback that returns nonzero stops the run before the next syscall (PS_STOPPED, the autonomous child's full reply)", () => {
    const dir = rootfs();
    const ran = runC(dir, encode(parseConfig({ rootfs: dir, profile: "hardened", strategy: "pivot" })), { stopAt: 4 });
    assert.equal(ran.stopped, [-5, 4]);
    assert.equal(ran.steps.map((s) => s.seq), [0, 1, 2, 3, 4], "the callback saw request 4; nothing after it ran");
    assert.is(ran.outcome, null);
    assert.not.ok(ran.marker, "the switch never happened");
  });

  test("an admit callback that refuses a request stops the run before it: nothing of it runs (PS_STOPPED)", () => {
    const dir = rootfs();
    const config = parseConfig({ rootfs: dir, profile: "runc", strategy: "pivot" });
    const all = runC(rootfs(), encode(parseConfig({ rootfs: dir, profile: "runc", strategy: "pivot" })));
    const k = all.steps.findIndex((s) => s.op === abi.Op.pivot_root);
    assert.ok(k > 0);
    const ran = runC(dir, encode(config), { refuseAt: k });
    assert.equal(ran.stopped, [-5, k]);
    assert.equal(ran.steps.map((s) => s.seq), all.steps.slice(0, k).map((s) => s.seq), "the refused request is not among the steps that ran");
    assert.not.ok(ran.marker, "no pivot: still outside the rootfs");
  });

  test("the guard: in the namespace it was told to spare, ps_run runs nothing", () => {
    const dir = rootfs();
    const before = hostTable();
    const ran = runC(dir, encode(parseConfig({ rootfs: dir, profile: "runc", strategy: "pivot" })), { noUnshare: true });
    assert.equal(ran.stopped, [-3, -1]);
    assert.is(ran.steps.length, 0);
    assert.not.ok(ran.marker, "still outside the rootfs");
    assert.is(hostTable(), before);
  });
}

test.run();
