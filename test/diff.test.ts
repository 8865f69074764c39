// diff() and `pivotshim diff` on logs we can bend: the plan's own strace text (renumbered, with
// unrelated calls slipped in) and deliberately altered real captures. Each equivalence rule has a
// case where it holds and one where the difference must show; goldens are test/fixtures/diff/*.txt.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { plan } from "../src/plan.js";
import { DryRunHost } from "../src/hosts/dry-run.js";
import { formatStrace } from "../src/format/index.js";
import { diff, renderText, NoSwitchError, type DiffReport } from "../src/diff/index.js";
import type { ConfigInput } from "../src/schema.js";
import { fixture } from "./helpers.js";

const read = (name: string) => readFileSync(fixture(name), "utf8");
const CAPTURE_HOST = read("diff/capture-host.mountinfo");
const runc11 = () => plan({ rootfs: "/tmp/pvs/rootfs", profile: "runc-1.1", strategy: "pivot" }, { host: new DryRunHost({ rootfs: "/tmp/pvs/rootfs", mountinfo: CAPTURE_HOST }) });
const planOf = (c: ConfigInput) => plan({ rootfs: "/r", ...c });

/** The plan's own strace lines as a `strace -f -o` log of pid 100 (comments dropped). */
const logOf = (lines: string[], pid = 100) => lines.filter((l) => !l.startsWith("#")).map((l) => `${pid}  ${l}`).join("\n") + "\n";
const planLines = (c: ConfigInput) => formatStrace(planOf(c)).trimEnd().split("\n");
const bad = (r: DiffReport) => r.steps.filter((s) => s.status !== "match");

/** Compares with test/fixtures/diff/<name>; UPDATE_FIXTURES=1 writes it. */
function golden(actual: string, name: string): void {
  const file = fixture(`diff/${name}`);
  if (process.env.UPDATE_FIXTURES === "1") writeFileSync(file, actual);
  else if (!existsSync(file)) throw new Error(`missing fixture diff/${name}: run with UPDATE_FIXTURES=1 and review it`);
  assert.fixture(actual, readFileSync(file, "utf8"));
}

test("the plan's own strace text is equivalent to the plan, for every profile and strategy", () => {
  for (const profile of ["hardened", "runc", "runc-1.1", "crun"] as const) {
    for (const strategy of ["pivot", "move", "chroot", "auto"] as const) {
      const c = { profile, strategy };
      const r = diff(planOf(c), logOf(planLines(c)));
      assert.ok(r.equivalent, `${profile}/${strategy}\n${renderText(r)}`);
      assert.is(r.notPartOfPlan.length, 0, `${profile}/${strategy}`);
    }
  }
});

test("fds match through their openat: the plan's 3/4 are the log's 6/10, not literally", () => {
  const c = { profile: "runc", strategy: "pivot" } as const;
  const renumber = (l: string) => l.replace(/(= |close\(|fchdir\()3\b/, "$16").replace(/(= |close\(|fchdir\()4\b/, "$110");
  const r = diff(planOf(c), logOf(planLines(c).map(renumber)));
  assert.ok(r.equivalent, renderText(r));
  assert.equal(r.fds.map((f) => [f.plan, f.log]), [[3, 6], [4, 10]]);
  // The same numbers swapped in one fchdir: fchdir(old root) where the plan enters the new root.
  const lines = planLines(c).map(renumber);
  const i = lines.indexOf("fchdir(6) = 0");
  lines[i] = "fchdir(10) = 0";
  const swapped = diff(planOf(c), logOf(lines));
  assert.not.ok(swapped.equivalent);
  const d = bad(swapped)[0]!;
  assert.ok(d.status === "differs" && d.fields[0]!.field === "fd", renderText(swapped));
});

test("unrelated calls inside the window are 'not part of the plan', not differences", () => {
  const c = { profile: "runc", strategy: "pivot" } as const;
  const lines = planLines(c);
  const at = lines.findIndex((l) => l.startsWith("pivot_root"));
  lines.splice(at, 0,
    'openat(AT_FDCWD, "/r/proc", O_RDONLY|O_CLOEXEC|O_PATH) = 7',
    'mount("proc", "/proc/self/fd/7", "proc", 0, NULL) = 0',
    "close(7) = 0",
    'mount("/dev/null", "/proc/kcore", 0xc00013faaa, MS_BIND, NULL) = -1 ENOENT (No such file or directory)',
    'openat(AT_FDCWD, "/proc/self/fd", O_RDONLY|O_CLOEXEC) = 7',
    'read(7, "abc", 4096) = 3',
    "close(7) = 0",
    'mkdir("/r/dev/pts", 0755) = 0');
  const r = diff(planOf(c), logOf(lines));
  assert.ok(r.equivalent, renderText(r));
  assert.equal(r.notPartOfPlan.map((x) => x.text.split("(")[0]), ["openat", "mount", "close", "mount", "openat", "read", "close", "mkdir"]);
  assert.match(renderText(r), /not part of the plan: 8 calls in the window \(not differences\)/);
});

test("ignored mount arguments: NULL, \"\" and an address are the same; elsewhere an address is not a string", () => {
  const c = { profile: "runc", strategy: "pivot" } as const;
  const asC = planLines(c).map((l) => l.replace(/^mount\(""/, "mount(NULL").replace(/, "", (MS_[A-Z_|]+), NULL\)/, ", 0xc000123, $1, 0xc000456)").replace('"bind"', "0xc000789"));
  assert.ok(diff(planOf(c), logOf(asC)).equivalent);
  // A propagation change's source is ignored, a bind's is not.
  const wrongSource = planLines(c).map((l) => l.replace('mount("/r", "/r"', 'mount("/x", "/r"'));
  const r = diff(planOf(c), logOf(wrongSource));
  assert.equal(bad(r).map((s) => s.status === "differs" ? s.fields.map((f) => f.field) : []), [["source"]]);
  // An address where the kernel reads the argument (a bind's source) proves nothing: a difference.
  const addrSource = planLines(c).map((l) => l.replace('mount("/r", "/r"', 'mount(0xc000111, "/r"'));
  const a = bad(diff(planOf(c), logOf(addrSource)))[0]!;
  assert.ok(a.status === "differs" && a.fields[0]!.why === "strace printed an address, not the string");
});

test("flag sets are compared as sets, whatever order strace printed them in", () => {
  const c = { profile: "runc", strategy: "pivot" } as const;
  const reordered = planLines(c).map((l) => l.replace("MS_REC|MS_SLAVE", "MS_SLAVE|MS_REC").replace("O_RDONLY|O_CLOEXEC|O_PATH|O_DIRECTORY", "O_DIRECTORY|O_PATH|O_CLOEXEC"));
  assert.ok(diff(planOf(c), logOf(reordered)).equivalent);
});

test("errnos are compared exactly; read sizes and data are not", () => {
  const c = { profile: "crun", strategy: "pivot" } as const;
  const ebusy = planLines(c).map((l) => l.replace("= -1 EINVAL (Invalid argument)", "= -1 EBUSY (Device or resource busy)"));
  const r = diff(planOf(c), logOf(ebusy));
  const d = bad(r);
  assert.is(d.length, 1);
  assert.ok(d[0]!.status === "differs" && d[0]!.fields[0]!.log === "-1 EBUSY", renderText(r));
  const h = { profile: "runc-1.1", strategy: "pivot" } as const;
  const reads = planLines(h).map((l) => l.replace(/^read\(3, "22 1[^]*$/, 'read(3, "other data", 8192) = 10'));
  assert.ok(diff(planOf(h), logOf(reads)).equivalent);
});

test("/proc/self/mountinfo is not /proc/thread-self/mountinfo", () => {
  const c = { profile: "hardened", strategy: "move" } as const;
  const self = planLines(c).map((l) => l.replace("/proc/thread-self/mountinfo", "/proc/self/mountinfo"));
  const r = diff(planOf(c), logOf(self));
  assert.not.ok(r.equivalent);
  assert.equal(bad(r).map((s) => `${s.status} ${s.plan.step}`).slice(0, 1), ["missing mountinfo_open"]);
});

test("no process switches root: NoSwitchError; --pid picks the process", () => {
  const c = { profile: "runc", strategy: "pivot" } as const;
  assert.throws(() => diff(planOf(c), '1  chdir("/") = 0\n'), (e: unknown) => e instanceof NoSwitchError && /no process in the strace log calls pivot_root/.test(e.message));
  const two = logOf(planLines(c), 100) + logOf(planLines(c).map((l) => l.replace("MS_REC|MS_SLAVE", "MS_REC|MS_PRIVATE")), 200);
  assert.is(diff(planOf(c), two).window.pid, 100);
  const r = diff(planOf(c), two, { pid: 200 });
  assert.is(r.window.pid, 200);
  assert.is(bad(r).length, 2);
  assert.throws(() => diff(planOf(c), two, { pid: 300 }), /process 300 does not call pivot_root/);
});

test("a log without pid prefixes (strace without -f) is one process", () => {
  const c = { profile: "crun", strategy: "move" } as const;
  const r = diff(planOf(c), planLines(c).filter((l) => !l.startsWith("#")).join("\n"));
  assert.is(r.window.pid, null);
  assert.ok(r.equivalent);
});

const SLAVE_LINE = 'mount("", ".", 0xc00013f8e6, MS_REC|MS_SLAVE, NULL) = 0';
const real = () => read("real/runc-pivot-default.strace");

test("altered capture: MS_SLAVE → MS_PRIVATE on the old root is a difference naming the step", () => {
  const log = real().replace(SLAVE_LINE, SLAVE_LINE.replace("MS_SLAVE", "MS_PRIVATE"));
  const r = diff(runc11(), log);
  assert.not.ok(r.equivalent);
  const d = bad(r);
  assert.is(d.length, 1);
  assert.is(d[0]!.plan.step, "old_root_propagation");
  golden(renderText(r), "runc-slave-to-private.txt");
});

test("altered capture: the umount2 removed is a missing step", () => {
  const log = real().replace('3895  umount2(".", MNT_DETACH)          = 0\n', "");
  const r = diff(runc11(), log);
  assert.equal(bad(r).map((s) => [s.status, s.plan.step]), [["missing", "detach_old_root"]]);
  golden(renderText(r), "runc-no-umount.txt");
});

const CLI = new URL("../src/cli.ts", import.meta.url).pathname;
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, ["--import", "tsx", CLI, "diff", ...args], { encoding: "utf8", cwd: new URL("..", import.meta.url).pathname });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

test("CLI: exit 0 equivalent, 1 with the readable diff, 2 for bad input", () => {
  const dir = mkdtempSync(join(tmpdir(), "pivotshim-diff-"));
  try {
    const base = ["--profile", "runc-1.1", "--strategy", "pivot", "--rootfs", "/tmp/pvs/rootfs", "--mountinfo", fixture("diff/capture-host.mountinfo").pathname];
    const ok = cli(...base, "--strace", fixture("real/runc-pivot-default.strace").pathname);
    assert.is(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /equivalent: all 17 plan steps matched\n$/);
    const altered = join(dir, "altered.strace");
    writeFileSync(altered, real().replace(SLAVE_LINE, SLAVE_LINE.replace("MS_SLAVE", "MS_PRIVATE")));
    const differs = cli(...base, "--strace", altered);
    assert.is(differs.code, 1);
    assert.fixture(differs.stdout.replace(altered, "LOG"), read("diff/runc-slave-to-private.txt"));
    const json = JSON.parse(cli(...base, "--strace", altered, "--format", "json").stdout) as DiffReport;
    assert.is(json.summary.differs, 1);
    const traceFile = join(dir, "trace.json");
    writeFileSync(traceFile, JSON.stringify(runc11()));
    assert.is(cli("--trace", traceFile, "--strace", fixture("real/runc-pivot-default.strace").pathname).code, 0);
    const none = cli("--profile", "runc", "--strategy", "chroot", "--strace", fixture("real/bwrap-default.strace").pathname);
    assert.is(none.code, 1);
    assert.match(none.stderr, /no process in the strace log calls chroot/);
    for (const [args, msg] of [
      [["--strace", join(dir, "nope")], /cannot read --strace log/],
      [["--trace", traceFile, "--profile", "crun", "--strace", altered], /do not combine it with config flags/],
      [["--pid", "x", "--strace", altered], /--pid must be a positive process id/],
      [["--pid", "4294967297", "--strace", altered], /--pid must be a positive process id \(at most 2147483647\), not "4294967297"/],
      [["--trace", altered, "--strace", altered], /is not valid JSON/],
      [["--strace", traceFile], /contains no system call line/],
      [["--profile", "nope", "--strace", altered], /argument 'nope' is invalid/],
    ] as [string[], RegExp][]) {
      const r = cli(...args);
      assert.is(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, msg);
      assert.is(r.stdout, "");
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--help documents the equivalences", () => {
  const r = cli("--help");
  assert.is(r.code, 0);
  for (const s of ["flag sets are compared as sets", "NULL, \"\" and an unprinted address", "fds match through the alignment", "/proc/self and /proc/thread-self are NOT equivalent", "errnos are compared exactly", "not part of the plan"]) {
    assert.ok(r.stdout.includes(s), s);
  }
});

test.run();
