// Tests written for survivors of `npm run mutate -- src/diff` (mutation/stryker/diff.conf.json).
// Each reads like a golden log: a plan, an `strace -f -o`-style log bent on purpose, and the exact
// report diff() gives for it. The goldens of test/diff.test.ts run in the slow half of the config's
// command; these cover every section of the text report in its fast half.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { plan } from "../src/plan.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import { formatStrace } from "../src/format/index.js";
import { InvalidInputError } from "../src/errors.js";
import { diff, parseTracedList, renderJson, renderText } from "../src/diff/index.js";
import { fixture } from "./helpers.js";

test("renderText: every section of a differing report, in order (runc-1.1 pivot against a bent log)", () => {
  // Before the window: a mount of the same process and a line that is no strace line (not a
  // note: outside the window). In the window: the mountinfo reads left out (read is absent from the
  // whole log: not traced), two SIGURGs (Go's preemption signal, one while a futex waits), a flag
  // strace names that abi.ts does not, a failed chdir padded as strace -o pads it, an unrelated
  // mkdir, a futex split by <unfinished ...> (shown on one line), a broken line of another process
  // (not a note) and one of this process (a note), the new root's fchdir on the old root's fd,
  // MS_SLAVE turned MS_PRIVATE, no umount2, and a broken line after the window (not a note).
  const r = diff(plan({ rootfs: "/r", profile: "runc-1.1", strategy: "pivot" }), [
    '100  mount("tmpfs", "/tmp/x", "tmpfs", 0, NULL) = 0',
    "100  junk before the window",
    '100  chdir("/tmp") = 0',
    '100  mount("", "/", "", MS_REC|MS_SLAVE, NULL) = 0',
    '100  openat(AT_FDCWD, "/proc/self/mountinfo", O_RDONLY|O_CLOEXEC) = 7',
    "100  close(7)                                = 0",
    '100  mount("", "/r", "", MS_PRIVATE|MS_NOUSER, NULL) = 0',
    "100  --- SIGURG {si_signo=SIGURG, si_code=SI_TKILL, si_pid=100, si_uid=0} ---",
    "200  garbage of another process",
    '100  mount("/r", "/r", "bind", MS_BIND|MS_REC, NULL) = 0',
    '100  chdir("/r")                             = -1 ENOENT (No such file or directory)',
    '100  mkdir("/r/dev", 0755) = 0',
    "100  futex(0xc000050148, FUTEX_WAIT_PRIVATE, 0, NULL <unfinished ...>",
    "100  --- SIGURG {si_signo=SIGURG, si_code=SI_TKILL, si_pid=100, si_uid=0} ---",
    "100  <... futex resumed>)                    = 0",
    "100  garbage",
    '100  openat(AT_FDCWD, "/", O_RDONLY|O_DIRECTORY) = 5',
    '100  openat(AT_FDCWD, "/r", O_RDONLY|O_DIRECTORY) = 6',
    "100  fchdir(5) = 0",
    '100  pivot_root(".", ".") = 0',
    "100  fchdir(5) = 0",
    '100  mount("", ".", "", MS_REC|MS_PRIVATE, NULL) = 0',
    '100  chdir("/") = 0',
    "100  close(6) = 0",
    "100  close(5) = 0",
    "100  junk after the window",
  ].join("\n") + "\n");
  assert.fixture(renderText(r), `plan: runc-1.1 profile, strategy pivot, rootfs /r (18 steps, done, dry-run host)
log:  pid 100, lines 4–25 (pivot_root at line 20; 17 calls, 2 signals)

✗ before the window: 1 mount/umount2 call of the same process that no plan step expects:
  line  1  mount("tmpfs", "/tmp/x", "tmpfs", 0, NULL) = 0

✓  1  mount("", "/", "", MS_REC|MS_SLAVE, NULL) = 0  [propagate_root]  ← line 4
✓  2  openat(AT_FDCWD, "/proc/self/mountinfo", O_RDONLY|O_CLOEXEC) = 3  [mountinfo_open]  ← line 5
?  3  read(3, "22 1 8:1 / / rw,relatime shared:"..., 4096) = 1172  [mountinfo_read]
      not traced: cannot be checked
?  4  read(3, "", 2924) = 0  [mountinfo_read]
      not traced: cannot be checked
✓  5  close(3) = 0  [mountinfo_close]  ← line 6
✓  6  mount("", "/r", "", MS_PRIVATE, NULL) = 0  [parent_propagation]  ← line 7
✓  7  mount("/r", "/r", "bind", MS_BIND|MS_REC, NULL) = 0  [self_bind]  ← line 10
✗  8  chdir("/r") = 0  [enter_root]
      log line 11: chdir("/r") = -1 ENOENT (No such file or directory)
      result differs: plan 0, log -1 ENOENT
✓  9  openat(AT_FDCWD, "/", O_RDONLY|O_DIRECTORY) = 3  [open_old_root]  ← line 17
✓ 10  openat(AT_FDCWD, "/r", O_RDONLY|O_DIRECTORY) = 4  [open_new_root]  ← line 18
✗ 11  fchdir(4) = 0  [fchdir_new_root]
      log line 19: fchdir(5) = 0
      fd differs: plan 4, log 5 (plan uses the fd of plan call #10, log uses the fd of log call #9; the plan's fd corresponds to log call #10's)
✓ 12  pivot_root(".", ".") = 0  [pivot_root]  ← line 20
✓ 13  fchdir(3) = 0  [fchdir_old_root]  ← line 21
✗ 14  mount("", ".", "", MS_REC|MS_SLAVE, NULL) = 0  [old_root_propagation]
      log line 22: mount("", ".", "", MS_REC|MS_PRIVATE, NULL) = 0
      mountflags differs: plan MS_REC|MS_SLAVE, log MS_REC|MS_PRIVATE
− 15  umount2(".", MNT_DETACH) = 0  [detach_old_root]
      missing from the log
✓ 16  chdir("/") = 0  [chdir_root]  ← line 23
✓ 17  close(4) = 0  [close_new_root]  ← line 24
✓ 18  close(3) = 0  [close_old_root]  ← line 25

fds: plan 3 = log 7 (line 5), plan 3 = log 5 (line 17), plan 4 = log 6 (line 18)

not part of the plan: 2 calls in the window (not differences)
  line 12  mkdir("/r/dev", 0755) = 0
  line 13  futex(0xc000050148, FUTEX_WAIT_PRIVATE, 0, NULL) = 0

notes:
  line 7: flag MS_NOUSER is not in abi.ts
  line 16: not parsed (not a call, signal or exit line)

not traced by the log: read (2 plan steps cannot be checked)

DIFFERS: 3 steps differ, 1 missing from the log, 12 matched, 1 unexpected mount/umount2 before the window (16 of 18 steps checked)
`);
  assert.equal(r.summary, { matched: 12, differs: 3, missing: 1, notTraced: 2, beforeWindow: 1, notPartOfPlan: 2 });
  assert.is(r.equivalent, false);
});

test("renderText: the singular forms, a log without pid prefixes, close not traced (runc pivot)", () => {
  // strace without -f: no pid column, "the process". No close in the whole log: close was left out
  // of -e trace=, so the plan's two closes cannot be checked. One SIGURG where the umount2 was.
  const lines = formatStrace(plan({ rootfs: "/r", profile: "runc", strategy: "pivot" })).trimEnd().split("\n")
    .filter((l) => !l.startsWith("#") && !l.startsWith("close("))
    .map((l) => (l === 'umount2(".", MNT_DETACH) = 0' ? "--- SIGURG {si_signo=SIGURG} ---"
      : l === 'mount("", "/r", "", MS_PRIVATE, NULL) = 0' ? 'mount("", "/r", "", MS_SLAVE, NULL) = 0\nmkdir("/r/x", 0755) = 0' : l));
  const r = diff(plan({ rootfs: "/r", profile: "runc", strategy: "pivot" }), lines.join("\n"));
  assert.fixture(renderText(r), `plan: runc profile, strategy pivot, rootfs /r (14 steps, done, dry-run host)
log:  the process, lines 1–13 (pivot_root at line 9; 12 calls, 1 signal)

✓  1  mount("", "/", "", MS_REC|MS_SLAVE, NULL) = 0  [propagate_root]  ← line 1
✗  2  mount("", "/r", "", MS_PRIVATE, NULL) = 0  [parent_propagation]
      log line 2: mount("", "/r", "", MS_SLAVE, NULL) = 0
      mountflags differs: plan MS_PRIVATE, log MS_SLAVE
✓  3  mount("/r", "/r", "bind", MS_BIND|MS_REC, NULL) = 0  [self_bind]  ← line 4
✓  4  openat(AT_FDCWD, "/r", O_RDONLY|O_CLOEXEC|O_PATH|O_DIRECTORY) = 3  [open_root]  ← line 5
✓  5  fchdir(3) = 0  [enter_root]  ← line 6
✓  6  openat(AT_FDCWD, "/", O_RDONLY|O_PATH|O_DIRECTORY) = 4  [open_old_root]  ← line 7
✓  7  fchdir(3) = 0  [fchdir_new_root]  ← line 8
✓  8  pivot_root(".", ".") = 0  [pivot_root]  ← line 9
✓  9  fchdir(4) = 0  [fchdir_old_root]  ← line 10
✓ 10  mount("", ".", "", MS_REC|MS_SLAVE, NULL) = 0  [old_root_propagation]  ← line 11
− 11  umount2(".", MNT_DETACH) = 0  [detach_old_root]
      missing from the log
✓ 12  chdir("/") = 0  [chdir_root]  ← line 13
? 13  close(4) = 0  [close_old_root]
      not traced: cannot be checked
? 14  close(3) = 0  [close_root]
      not traced: cannot be checked

fds: plan 3 = log 3 (line 5), plan 4 = log 4 (line 7)

not part of the plan: 1 call in the window (not differences)
  line  3  mkdir("/r/x", 0755) = 0

not traced by the log: close (2 plan steps cannot be checked)

DIFFERS: 1 step differs, 1 missing from the log, 10 matched (12 of 14 steps checked)
`);
});

test("a read cut by strace -s is no note: its data is never compared (the plan's own runc-1.1 text)", () => {
  // formatStrace prints the mountinfo read as strace -s 32 would: "22 1 8:1 / / rw,relatime shared:"...
  const t = plan({ rootfs: "/r", profile: "runc-1.1", strategy: "pivot" });
  const text = formatStrace(t);
  assert.ok(text.includes('read(3, "22 1 8:1 / / rw,relatime shared:"..., 4096) = 1172'));
  const r = diff(t, text);
  assert.equal([r.equivalent, r.notes, r.summary], [true, [], { matched: 18, differs: 0, missing: 0, notTraced: 0, beforeWindow: 0, notPartOfPlan: 0 }]);
  // Nothing untraced, no note: the text ends with the (empty) calls outside the plan and the verdict.
  assert.equal(renderText(r).split("\n").slice(-4), ["not part of the plan: 0 calls in the window (not differences)", "", "equivalent: all 18 plan steps matched", ""]);
});

/** The hardened chroot plan's own strace text, as a log without pid prefixes (strace without -f). */
const hardened = () => plan({ rootfs: "/r", profile: "hardened", strategy: "chroot" });
const ownLines = () => formatStrace(hardened()).trimEnd().split("\n").filter((l) => !l.startsWith("#"));

test("renderText: one untraced step, no signal, nothing outside the plan (hardened chroot, getcwd not traced)", () => {
  const r = diff(hardened(), ownLines().filter((l) => !l.startsWith("getcwd(")).join("\n"));
  assert.fixture(renderText(r), `plan: hardened profile, strategy chroot, rootfs /r (6 steps, done, dry-run host)
log:  the process, lines 1–5 (chroot at line 3; 5 calls)

✓ 1  openat(AT_FDCWD, "/r", O_RDONLY|O_CLOEXEC|O_PATH|O_DIRECTORY) = 3  [open_root]  ← line 1
✓ 2  fchdir(3) = 0  [enter_root]  ← line 2
✓ 3  chroot(".") = 0  [chroot_root]  ← line 3
✓ 4  chdir("/") = 0  [chdir_root]  ← line 4
✓ 5  close(3) = 0  [close_root]  ← line 5
? 6  getcwd("/", 4096) = 2  [check_cwd]
     not traced: cannot be checked

fds: plan 3 = log 3 (line 1)

not part of the plan: 0 calls in the window (not differences)

not traced by the log: getcwd (1 plan step cannot be checked)

equivalent on the traced calls (5 of 6 steps checked)
`);
  assert.equal(JSON.parse(renderJson(r)), JSON.parse(JSON.stringify(r)));
  assert.ok(renderJson(r).endsWith("\n}\n"), "pretty-printed, one newline at the end");
});

test("a differing step alone makes the report differ; two untraced ops are listed in plan order", () => {
  // chroot("/r") where the plan has chroot("."): same op, so a counterpart that differs (not missing).
  const r = diff(hardened(), ownLines().filter((l) => !l.startsWith("getcwd(") && !l.startsWith("close("))
    .map((l) => (l === 'chroot(".") = 0' ? 'chroot("/r") = 0' : l)).join("\n"));
  assert.equal([r.equivalent, r.summary], [false, { matched: 3, differs: 1, missing: 0, notTraced: 2, beforeWindow: 0, notPartOfPlan: 0 }]);
  const text = renderText(r).split("\n");
  assert.equal(text.slice(5, 8), ["✗ 3  chroot(\".\") = 0  [chroot_root]", "     log line 3: chroot(\"/r\") = 0", "     path differs: plan \".\", log \"/r\""]);
  assert.equal(text.slice(-4), [
    "not traced by the log: close, getcwd (2 plan steps cannot be checked)", "",
    "DIFFERS: 1 step differs, 0 missing from the log, 3 matched (4 of 6 steps checked)", ""]);
});

test("no openat in the log: no fds line, and the fchdir's fd is one opened before the window", () => {
  const r = diff(hardened(), ownLines().filter((l) => !/^(getcwd|close|openat)\(/.test(l)).join("\n"));
  assert.fixture(renderText(r), `plan: hardened profile, strategy chroot, rootfs /r (6 steps, done, dry-run host)
log:  the process, lines 1–3 (chroot at line 2; 3 calls)

− 1  openat(AT_FDCWD, "/r", O_RDONLY|O_CLOEXEC|O_PATH|O_DIRECTORY) = 3  [open_root]
     missing from the log
✗ 2  fchdir(3) = 0  [enter_root]
     log line 1: fchdir(3) = 0
     fd differs: plan 3, log 3 (plan uses the fd of plan call #1, log uses an fd opened before the window)
✓ 3  chroot(".") = 0  [chroot_root]  ← line 2
✓ 4  chdir("/") = 0  [chdir_root]  ← line 3
? 5  close(3) = 0  [close_root]
     not traced: cannot be checked
? 6  getcwd("/", 4096) = 2  [check_cwd]
     not traced: cannot be checked

not part of the plan: 0 calls in the window (not differences)

not traced by the log: close, getcwd (2 plan steps cannot be checked)

DIFFERS: 1 step differs, 1 missing from the log, 2 matched (4 of 6 steps checked)
`);
});

test("a log with no call line at all is refused as input, not compared", () => {
  assert.throws(() => diff(hardened(), "+++ exited with 0 +++\n"),
    (e: unknown) => e instanceof InvalidInputError && e.message === "the strace log contains no system call line (is it strace -f -o output?)");
});

test("--traced: a name with a trailing blank is refused, and the issue names --traced", () => {
  const message = '--traced must list syscall names separated by commas, as in strace -e trace=LIST (no classes such as %file, no spaces), not "chdir " in "mount,chdir "';
  assert.throws(() => parseTracedList("mount,chdir "), (e: unknown) =>
    e instanceof InvalidInputError && e.message === message && JSON.stringify(e.issues) === JSON.stringify([{ path: "--traced", message }]));
  assert.equal(parseTracedList("mount,umount2,pivot_root"), ["mount", "umount2", "pivot_root"]);
});

// ---- align.ts: which call is a plan step's counterpart ----

/** A plan's own strace text with some lines replaced (a line mapped to [] is dropped, to two is one inserted). */
const bent = (c: { profile: "runc" | "hardened"; strategy: "pivot" | "chroot" }, edit: (l: string) => string[]) =>
  formatStrace(plan({ rootfs: "/r", ...c })).trimEnd().split("\n").filter((l) => !l.startsWith("#")).flatMap(edit).join("\n");
/** Each step as [status, step] (plus the differing fields), and the calls outside the plan. */
const outcome = (c: { profile: "runc" | "hardened"; strategy: "pivot" | "chroot" }, edit: (l: string) => string[]) => {
  const r = diff(plan({ rootfs: "/r", ...c }), bent(c, edit));
  return [r.steps.map((s) => (s.status === "differs" ? [s.status, s.plan.step, s.fields.map((f) => f.field)] : [s.status, s.plan.step])), r.notPartOfPlan.map((x) => x.text)];
};
const RUNC = { profile: "runc", strategy: "pivot" } as const;
const HARDENED = { profile: "hardened", strategy: "chroot" } as const;
const runcSteps = (...changed: [number, unknown[]][]) => {
  const steps: unknown[][] = ["propagate_root", "parent_propagation", "self_bind", "open_root", "enter_root", "open_old_root", "fchdir_new_root",
    "pivot_root", "fchdir_old_root", "old_root_propagation", "detach_old_root", "chdir_root", "close_old_root", "close_root"].map((s) => ["match", s]);
  for (const [i, v] of changed) steps[i] = v;
  return steps;
};

test("a counterpart acts on the same thing: a umount2 of another target, an openat of another path, a read or close of another fd are not", () => {
  // The step is missing and the call is listed apart, instead of a pair that "differs" in what it acts on.
  assert.equal(outcome(RUNC, (l) => [l === 'umount2(".", MNT_DETACH) = 0' ? 'umount2("/old", MNT_DETACH) = 0' : l]),
    [runcSteps([10, ["missing", "detach_old_root"]]), ['umount2("/old", MNT_DETACH) = 0']]);
  assert.equal(outcome(HARDENED, (l) => [l.replace('openat(AT_FDCWD, "/r"', 'openat(AT_FDCWD, "/x"')]), [
    [["missing", "open_root"], ["differs", "enter_root", ["fd"]], ["match", "chroot_root"], ["match", "chdir_root"], ["missing", "close_root"], ["match", "check_cwd"]],
    ['openat(AT_FDCWD, "/x", O_RDONLY|O_CLOEXEC|O_PATH|O_DIRECTORY) = 3', "close(3) = 0"],
  ]);
  // runc-1.1 reads mountinfo through fd 3; a read of fd 9 (opened before the window) is not that read.
  const r11 = plan({ rootfs: "/r", profile: "runc-1.1", strategy: "pivot" });
  const reads = diff(r11, formatStrace(r11).replace('read(3, "", 2924) = 0', 'read(9, "", 2924) = 0'));
  assert.equal([reads.steps.filter((x) => x.status !== "match").map((x) => [x.status, x.plan.step]), reads.notPartOfPlan.map((x) => x.text)],
    [[["missing", "mountinfo_read"]], ['read(9, "", 2924) = 0']]);
  // runc closes the old root's fd, then the new root's; the log closes them the other way round.
  assert.equal(outcome(RUNC, (l) => [l === "close(4) = 0" ? "close(3) = 0" : l === "close(3) = 0" ? "close(4) = 0" : l]),
    [runcSteps([12, ["missing", "close_old_root"]]), ["close(4) = 0"]]);
});

test("of candidate calls, an equivalent one outweighs any number of differing ones, then fewer differing fields win", () => {
  // An exact mount before a differing one of the same target: the step matches the exact one.
  assert.equal(outcome(RUNC, (l) => (l === 'mount("", "/r", "", MS_PRIVATE, NULL) = 0' ? [l, 'mount("", "/r", "", MS_SLAVE, NULL) = 0'] : [l])),
    [runcSteps(), ['mount("", "/r", "", MS_SLAVE, NULL) = 0']]);
  // Two differing binds: flags only, then flags and source. The step pairs with the first.
  assert.equal(outcome(RUNC, (l) => (l === 'mount("/r", "/r", "bind", MS_BIND|MS_REC, NULL) = 0' ? ['mount("/r", "/r", "bind", MS_BIND, NULL) = 0', 'mount("/x", "/r", "bind", MS_BIND, NULL) = 0'] : [l])),
    [runcSteps([2, ["differs", "self_bind", ["mountflags"]]]), ['mount("/x", "/r", "bind", MS_BIND, NULL) = 0']]);
  // An exact umount2 first, then a differing old-root mount and a differing umount2: in order, the
  // exact pair and the two differing ones exclude each other; the exact one outweighs both.
  assert.equal(outcome(RUNC, (l) => (l === 'mount("", ".", "", MS_REC|MS_SLAVE, NULL) = 0' ? []
    : l === 'umount2(".", MNT_DETACH) = 0' ? [l, 'mount("", ".", "", MS_REC|MS_PRIVATE, NULL) = 0', 'umount2(".", MNT_FORCE) = 0'] : [l])),
    [runcSteps([9, ["missing", "old_root_propagation"]]), ['mount("", ".", "", MS_REC|MS_PRIVATE, NULL) = 0', 'umount2(".", MNT_FORCE) = 0']]);
});

// ---- index.ts: fds that a dup copies ----

test("crun readonly: its dup(3) = 5 followed through dup, dup2 and dup3, with and without -y", () => {
  // The capture (test/fixtures/real/crun-pivot-readonly.strace) remounts /proc/self/fd/5, a dup of
  // the rootfs fd 3; the plan remounts /proc/self/fd/3. dup2 and dup3 copy an fd the same way
  // (dup2(3, 5), dup3(3, 5, O_CLOEXEC)); strace without -y prints the fd as a bare number.
  const host = readFileSync(fixture("diff/capture-host.mountinfo"), "utf8");
  const t = plan({ rootfs: "/tmp/pvs/rootfs", profile: "crun", strategy: "pivot", readonly: true }, { host: FakeKernel.fromMountinfo(host).mkdir("/tmp/pvs/rootfs").unshare() });
  const log = readFileSync(fixture("real/crun-pivot-readonly.strace"), "utf8");
  const dup = "4064  dup(3</tmp/pvs/rootfs>)           = 5</tmp/pvs/rootfs>";
  assert.ok(log.includes(dup));
  const readonlyRoot = (text: string) => {
    const r = diff(t, text);
    const s = r.steps.find((x) => x.plan.step === "readonly_root")!;
    return [r.equivalent, s.status, s.status === "match" ? s.log.text : ""];
  };
  const matched = [true, "match", 'mount(NULL, "/proc/self/fd/5", NULL, MS_RDONLY|MS_REMOUNT|MS_BIND, NULL) = 0'];
  for (const call of ["dup(3</tmp/pvs/rootfs>) = 5</tmp/pvs/rootfs>", "dup2(3</tmp/pvs/rootfs>, 5</tmp/pvs/rootfs>) = 5</tmp/pvs/rootfs>",
    "dup3(3</tmp/pvs/rootfs>, 5</tmp/pvs/rootfs>, O_CLOEXEC) = 5</tmp/pvs/rootfs>", "dup(3) = 5"]) {
    assert.equal(readonlyRoot(log.replace(dup, `4064  ${call}`)), matched, call);
  }
  // Without the dup the log's fd 5 is one opened before the window, not the plan's rootfs fd: the
  // remount acts on something else, so the step has no counterpart.
  assert.equal(readonlyRoot(log.replace(dup, "4064  getpid() = 4064")).slice(0, 2), [false, "missing"]);
});

// ---- compare.ts: results and fds as the kernel answered them ----

test("results as the kernel answered: a read's end of file, a failed openat, `= ?`, an openat relative to another fd", () => {
  // The runc-1.1 plan's own text with four calls changed. The failed openat leaves the log's fd 3 as
  // the one opened before the window, so the later fchdir(3) differs too (with the mapping hint), and
  // the log's final close(3) is not the plan's. `= ?` (the process died in umount2) is also a note.
  const t = plan({ rootfs: "/r", profile: "runc-1.1", strategy: "pivot" });
  const log = formatStrace(t)
    .replace('read(3, "", 2924) = 0', 'read(3, "x", 2924) = 1')
    .replace('openat(AT_FDCWD, "/r", O_RDONLY|O_DIRECTORY) = 4', 'openat(3, "/r", O_RDONLY|O_DIRECTORY) = 4')
    .replace('openat(AT_FDCWD, "/", O_RDONLY|O_DIRECTORY) = 3', 'openat(AT_FDCWD, "/", O_RDONLY|O_DIRECTORY) = -1 EMFILE (Too many open files)')
    .replace('umount2(".", MNT_DETACH) = 0', 'umount2(".", MNT_DETACH) = ?');
  assert.fixture(renderText(diff(t, log)), `plan: runc-1.1 profile, strategy pivot, rootfs /r (18 steps, done, dry-run host)
log:  the process, lines 1–17 (pivot_root at line 12; 17 calls)

✓  1  mount("", "/", "", MS_REC|MS_SLAVE, NULL) = 0  [propagate_root]  ← line 1
✓  2  openat(AT_FDCWD, "/proc/self/mountinfo", O_RDONLY|O_CLOEXEC) = 3  [mountinfo_open]  ← line 2
✓  3  read(3, "22 1 8:1 / / rw,relatime shared:"..., 4096) = 1172  [mountinfo_read]  ← line 3
✗  4  read(3, "", 2924) = 0  [mountinfo_read]
      log line 4: read(3, "x", 2924) = 1
      result differs: plan 0, log 1 (end of file on one side only)
✓  5  close(3) = 0  [mountinfo_close]  ← line 5
✓  6  mount("", "/r", "", MS_PRIVATE, NULL) = 0  [parent_propagation]  ← line 6
✓  7  mount("/r", "/r", "bind", MS_BIND|MS_REC, NULL) = 0  [self_bind]  ← line 7
✓  8  chdir("/r") = 0  [enter_root]  ← line 8
✗  9  openat(AT_FDCWD, "/", O_RDONLY|O_DIRECTORY) = 3  [open_old_root]
      log line 9: openat(AT_FDCWD, "/", O_RDONLY|O_DIRECTORY) = -1 EMFILE (Too many open files)
      result differs: plan 3, log -1 EMFILE
✗ 10  openat(AT_FDCWD, "/r", O_RDONLY|O_DIRECTORY) = 4  [open_new_root]
      log line 10: openat(3, "/r", O_RDONLY|O_DIRECTORY) = 4
      dirfd differs: plan AT_FDCWD, log 3 (plan uses AT_FDCWD, log uses an fd opened before the window)
✓ 11  fchdir(4) = 0  [fchdir_new_root]  ← line 11
✓ 12  pivot_root(".", ".") = 0  [pivot_root]  ← line 12
✗ 13  fchdir(3) = 0  [fchdir_old_root]
      log line 13: fchdir(3) = 0
      fd differs: plan 3, log 3 (plan uses the fd of plan call #9, log uses an fd opened before the window; the plan's fd corresponds to log call #9's)
✓ 14  mount("", ".", "", MS_REC|MS_SLAVE, NULL) = 0  [old_root_propagation]  ← line 14
✗ 15  umount2(".", MNT_DETACH) = 0  [detach_old_root]
      log line 15: umount2(".", MNT_DETACH) = ?
      result differs: plan 0, log ?
✓ 16  chdir("/") = 0  [chdir_root]  ← line 16
✓ 17  close(4) = 0  [close_new_root]  ← line 17
− 18  close(3) = 0  [close_old_root]
      missing from the log

fds: plan 3 = log 3 (line 2), plan 4 = log 4 (line 10)

not part of the plan: 0 calls in the window (not differences)

notes:
  line 15: no return value

DIFFERS: 5 steps differ, 1 missing from the log, 12 matched
`);
});

test.run();
