// The graph: golden DOT and Mermaid for `graph --profile runc --no-prepare` (diffed as text),
// the branch analysis behind them (grouping, handled errnos, rejoin points), determinism,
// and that Graphviz accepts the DOT when it is installed.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { planBranches, toDot, toMermaid, messageTemplate } from "../src/format/graph.js";
import { fixture } from "./helpers.js";

const CLI = new URL("../src/cli.ts", import.meta.url).pathname;
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, ["--import", "tsx", CLI, ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

/** Compares text with test/fixtures/graph/<name>; UPDATE_FIXTURES=1 rewrites it. */
function expectGolden(actual: string, name: string): void {
  const file = fixture(`graph/${name}`);
  if (process.env.UPDATE_FIXTURES === "1") writeFileSync(file, actual);
  assert.ok(existsSync(file), `missing fixture graph/${name}: run UPDATE_FIXTURES=1 and review it`);
  assert.fixture(actual, readFileSync(file, "utf8"));
}

const runcSwitch = planBranches({ profile: "runc", prepare: false });

test("graph --profile runc --no-prepare --format dot equals the golden DOT", () => {
  const r = cli("graph", "--profile", "runc", "--no-prepare", "--format", "dot");
  assert.is(r.code, 0, r.stderr);
  expectGolden(r.stdout, "runc-switch-only.dot");
  assert.is(r.stdout, toDot(runcSwitch));
});

test("graph --profile runc --no-prepare --format mermaid equals the golden Mermaid", () => {
  const r = cli("graph", "--profile", "runc", "--no-prepare", "--format", "mermaid");
  assert.is(r.code, 0, r.stderr);
  expectGolden(r.stdout, "runc-switch-only.mmd");
});

test("lxc move (lxc_chroot): umount2 errors of the passes and of ./proc are handled branches; bind, remount, the pass's open, chdir(\"..\") and chroot fail with LXC's messages", () => {
  const { trace, branches } = planBranches({ profile: "lxc", strategy: "move" });
  const at = (step: string) => trace.steps.findIndex((s) => s.request.step === step);
  const kinds = (i: number) => [...new Set(branches.filter((b) => b.at === i).map((b) => b.kind))];
  assert.equal(kinds(at("pass_umount")), ["handled"]);
  assert.equal(kinds(at("umount_proc")), ["handled"]);
  for (const step of ["bind_root", "private_root", "pass_open", "chdir_up"]) assert.equal(kinds(at(step)), ["failed"], step);
  assert.match(branches.find((b) => b.at === at("chdir_up"))!.message, /^lxc_chroot: Failed to chdir\("\.\."\) - <error>$/);
});

test("deterministic: two runs draw byte-identical graphs", () => {
  const again = planBranches({ profile: "runc", prepare: false });
  assert.is(toDot(again), toDot(runcSwitch));
  assert.is(toMermaid(again), toMermaid(runcSwitch));
});

test("every explored errno lands in exactly one branch", () => {
  const pb = planBranches({ rootfs: "/r", profile: "crun", strategy: "move" });
  pb.trace.steps.forEach((s, i) => {
    const names = pb.branches.filter((b) => b.at === i).flatMap((b) => b.errnos);
    assert.is(new Set(names).size, names.length, `step ${i}: an errno in two branches`);
  });
  assert.ok(pb.branches.every((b) => b.errnos.length > 0));
});

test("pivot_root: one failure group for all its errnos, closing both handles", () => {
  const at = runcSwitch.trace.steps.findIndex((s) => s.request.op === "pivot_root");
  const bs = runcSwitch.branches.filter((b) => b.at === at);
  assert.is(bs.length, 1);
  assert.equal(bs[0]!.errnos, ["EBUSY", "EINVAL", "ENOTDIR", "EPERM", "EACCES", "ELOOP", "ENAMETOOLONG", "ENOENT", "ENOMEM"]);
  assert.is(bs[0]!.message, "error jailing process inside rootfs: pivot_root .: <error>");
  assert.equal(bs[0]!.after, ["close(4) = 0", "close(3) = 0"]);
});

test("handled errnos: the walk goes up and rejoins, the detach loop's EINVAL is planned, a failed close is ignored", () => {
  const pb = planBranches({ rootfs: "/r", profile: "hardened", strategy: "pivot" });
  const stepOf = (name: string, nth = 0) => pb.trace.steps.map((s, i) => ({ s, i })).filter(({ s }) => s.request.step === name)[nth]!.i;
  const walk = pb.branches.find((b) => b.at === stepOf("parent_propagation") && b.kind === "handled")!;
  assert.equal(walk.errnos, ["EINVAL"]);
  assert.equal(walk.after, ['mount("", "/", "", MS_PRIVATE, NULL) = 0']);
  assert.is(walk.rejoin, stepOf("self_bind"));
  const loopEnd = pb.branches.find((b) => b.at === stepOf("detach_old_root", 1) && b.kind === "handled")!;
  assert.ok(loopEnd.planned);
  const firstDetach = pb.branches.filter((b) => b.at === stepOf("detach_old_root", 0));
  assert.ok(firstDetach.every((b) => b.kind === "failed"), "EINVAL on the first detach (nothing detached yet) is fatal");
  const close = pb.branches.find((b) => b.at === stepOf("close_old_root"))!;
  assert.equal([close.kind, close.rejoin, close.after], ["handled", stepOf("close_old_root") + 1, []]);
  const dot = toDot(pb);
  assert.match(dot, /s\d+ -> h\d+ \[style=dashed, color="#2060a0", fontcolor="#2060a0", label="EINVAL"\];/);
  assert.match(dot, /label="= -1 EINVAL"/);
});

test("messageTemplate replaces the errno's text in either case", () => {
  assert.is(messageTemplate("pivot_root .: invalid argument", "EINVAL"), "pivot_root .: <error>");
  assert.is(messageTemplate("pivot_root: Invalid argument", "EINVAL"), "pivot_root: <error>");
  assert.is(messageTemplate("open `/r`: Permission denied", "EACCES"), "open `/r`: <error>");
});

const noDot = spawnSync("dot", ["-V"], { encoding: "utf8" }).error;
if (noDot) console.error(`SKIP Graphviz accepts the DOT: dot is not installed (${noDot.message}); .ci/run installs graphviz`);
(noDot ? test.skip : test)("Graphviz accepts the DOT", () => {
  const r = spawnSync("dot", ["-Tsvg"], { input: toDot(runcSwitch), encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /<svg /);
  assert.match(r.stdout, /pivot_root\(&quot;\.&quot;, &quot;\.&quot;\)/);
});

test.run();
