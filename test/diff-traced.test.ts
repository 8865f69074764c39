// diff knows what the log traced (src/diff/traced.ts): the real captures with their read and
// getcwd lines dropped (an `strace -e trace=` list without them) are equivalent on the traced
// calls, a mount missing from such a log still differs, and --traced names the rest.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { plan } from "../src/plan.js";
import { DryRunHost } from "../src/hosts/dry-run.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import { formatStrace } from "../src/format/index.js";
import { diff, renderText, parseTracedList, type DiffReport } from "../src/diff/index.js";
import type { ConfigInput } from "../src/schema.js";
import { fixture } from "./helpers.js";

const ROOTFS = "/tmp/pvs/rootfs";
const CLI = new URL("../dist/cli/pivotshim.cjs", import.meta.url).pathname;
const read = (name: string) => readFileSync(fixture(name), "utf8");
const PRIVATE_HOST = read("diff/capture-host.mountinfo");
const SHARED_HOST = read("diff/capture-host-rshared.mountinfo");

/** The log as `strace -e trace=` without `names` would have written it (resumed halves included). */
function without(log: string, names: readonly string[]): string {
  const drop = new RegExp(`^(\\d+\\s+)?(\\S+\\s+)?(${names.join("|")})\\(|<\\.\\.\\. (${names.join("|")}) resumed>`);
  return log.split("\n").filter((l) => !drop.test(l)).join("\n");
}

const runc = (log: string, extra: Partial<ConfigInput>) => {
  const shared = log.includes("rshared");
  const config: ConfigInput = { rootfs: ROOTFS, profile: "runc-1.1", strategy: log.includes("nopivot") ? "move" : "pivot", ...extra };
  return plan(config, { host: new DryRunHost({ rootfs: ROOTFS, mountinfo: shared ? SHARED_HOST : PRIVATE_HOST }) });
};
const crun = (log: string, extra: Partial<ConfigInput>) =>
  plan({ rootfs: ROOTFS, profile: "crun", strategy: log.includes("nopivot") ? "move" : "pivot", ...extra }, { host: FakeKernel.fromMountinfo(PRIVATE_HOST).mkdir(ROOTFS).unshare() });

const CAPTURES: [string, Partial<ConfigInput>][] = [
  ["default", {}], ["default-tt", {}], ["default-noy", {}], ["readonly", { readonly: true }], ["rshared", { rootPropagation: "rshared" }],
];
const lastLine = (r: DiffReport) => renderText(r).trimEnd().split("\n").at(-1)!;

for (const [variant, extra] of CAPTURES) {
  for (const mode of variant.includes("-") ? ["pivot"] : ["pivot", "nopivot"]) {
    const log = `runc-${mode}-${variant}`;
    test(`${log} without read and getcwd: equivalent on the traced calls`, () => {
      const t = runc(log, extra);
      const r = diff(t, without(read(`real/${log}.strace`), ["read", "getcwd"]));
      assert.ok(r.equivalent, renderText(r));
      const reads = t.steps.filter((s) => s.request.op === "read").length;
      assert.ok(reads >= 2);
      assert.equal(r.untraced, ["read"]);
      assert.is(r.summary.notTraced, reads);
      assert.equal(r.steps.filter((s) => s.status === "not-traced").map((s) => s.plan.step), t.steps.filter((s) => s.request.op === "read").map((s) => s.request.step));
      assert.is(lastLine(r), `equivalent on the traced calls (${t.steps.length - reads} of ${t.steps.length} steps checked)`);
    });
    const clog = `crun-${mode}-${variant}`;
    test(`${clog} without read and getcwd: equivalent (crun's plan reads nothing)`, () => {
      const r = diff(crun(clog, extra), without(read(`real/${clog}.strace`), ["read", "getcwd"]));
      assert.ok(r.equivalent, renderText(r));
      assert.match(lastLine(r), /^equivalent: all \d+ plan steps matched$/);
    });
  }
}

test("a mount missing from a log without read still differs", () => {
  const log = without(read("real/runc-pivot-default.strace"), ["read", "getcwd"])
    .split("\n").filter((l) => !l.includes(`mount("${ROOTFS}", "${ROOTFS}"`)).join("\n");
  const r = diff(runc("runc-pivot-default", {}), log);
  assert.not.ok(r.equivalent);
  assert.equal(r.steps.filter((s) => s.status === "missing").map((s) => s.plan.step), ["self_bind"]);
  assert.match(lastLine(r), /^DIFFERS: 0 steps differ, 1 missing from the log, \d+ matched \(\d+ of \d+ steps checked\)$/);
});

/** hardened plans read, close and check getcwd: its own strace text minus some syscalls. */
const hardened = () => plan({ rootfs: "/r", profile: "hardened", strategy: "move" });
const ownLog = (drop: readonly string[]) => formatStrace(hardened()).split("\n").filter((l) => l !== "" && !l.startsWith("#") && !drop.some((n) => l.startsWith(`${n}(`))).map((l) => `100  ${l}`).join("\n") + "\n";

test("read, getcwd and close absent from the whole log are not traced; any other syscall is missing", () => {
  const r = diff(hardened(), ownLog(["read", "getcwd", "close"]));
  assert.ok(r.equivalent, renderText(r));
  assert.equal(r.untraced.sort(), ["close", "getcwd", "read"]);
  const noFchdir = diff(hardened(), ownLog(["fchdir"]));
  assert.not.ok(noFchdir.equivalent);
  assert.equal([...new Set(noFchdir.steps.filter((s) => s.status === "missing").map((s) => s.plan.text.split("(")[0]))], ["fchdir"]);
});

test("--traced: a syscall left out of the list is not traced; one in it that the log lacks is missing", () => {
  const all = ["openat", "mount", "umount2", "chroot", "chdir", "close", "getcwd"];
  const r = diff(hardened(), ownLog(["read", "fchdir"]), { traced: all });
  assert.ok(r.equivalent, renderText(r));
  assert.equal(r.untraced.sort(), ["fchdir", "read"]);
  const listed = diff(hardened(), ownLog(["read"]), { traced: [...all, "read", "fchdir"] });
  assert.not.ok(listed.equivalent, "the list says read was traced: the plan's reads are missing");
  assert.ok(listed.steps.some((s) => s.status === "missing" && s.plan.step === "mountinfo_read"));
});

test("parseTracedList takes strace's names, refuses classes and spaces with one line", () => {
  assert.equal(parseTracedList("mount,umount2,pivot_root"), ["mount", "umount2", "pivot_root"]);
  for (const bad of ["%file", "mount, umount2", "", "mount,,chdir"]) assert.throws(() => parseTracedList(bad), /--traced must list syscall names/);
});

test("pivotshim diff: exit 0 and the qualified verdict; --traced %file is exit 2 in one line", () => {
  const dir = mkdtempSync(join(tmpdir(), "pivotshim-diff-traced-"));
  try {
    const log = join(dir, "log");
    const mi = join(dir, "mi");
    writeFileSync(log, without(read("real/runc-pivot-default.strace"), ["read", "getcwd"]));
    writeFileSync(mi, PRIVATE_HOST);
    const cli = (...extra: string[]) => spawnSync(process.execPath, [CLI, "diff", "--profile", "runc-1.1", "--strategy", "pivot", "--rootfs", ROOTFS, "--mountinfo", mi, "--strace", log, ...extra], { encoding: "utf8" });
    const ok = cli();
    assert.is(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /not traced by the log: read \(2 plan steps cannot be checked\)\n\nequivalent on the traced calls \(\d+ of \d+ steps checked\)\n$/);
    const bad = cli("--traced", "%file");
    assert.is(bad.status, 2);
    assert.is(bad.stderr.trim().split("\n").length, 1, bad.stderr);
    assert.match(bad.stderr, /--traced must list syscall names/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
