// The window finder's rules, one table each, written out: which switch kinds a plan has, where a
// plan's window starts (its profile's rule, or its first step and how often that step comes before
// the switch), and which log lines open and close the window. Stryker measured src/diff/window.ts
// at 68% with the diff suites alone (docs/mutation.md): most survivors were these edge rules, which
// whole-log tests only ever meet on their common path.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import { NoSwitchError, findWindow, switchKinds, windowStart } from "../src/diff/index.js";
import { parseStrace } from "../src/strace/parse.js";

const { MS_MOVE, MS_REC, MS_SLAVE, MS_BIND, MS_PRIVATE, MS_REMOUNT, MS_RDONLY } = abi;
const mount = (target: string, mountflags?: number) => ({ op: "mount", target, ...(mountflags === undefined ? {} : { mountflags }) });

test("switchKinds: pivot_root, chroot and an MS_MOVE onto / are the switches; a move hides its chroot; none means pivot or move", () => {
  const rows: [string, { op: string; target?: string; mountflags?: number }[], string[]][] = [
    ["nothing", [], ["pivot", "move"]],
    ["pivot_root", [{ op: "pivot_root" }], ["pivot"]],
    ["chroot", [{ op: "chroot" }], ["chroot"]],
    ["MS_MOVE onto / then chroot", [mount("/", MS_MOVE), { op: "chroot" }], ["move"]],
    ["MS_MOVE|MS_REC onto /", [mount("/", MS_MOVE | MS_REC)], ["move"]],
    ["MS_MOVE elsewhere", [mount("/r", MS_MOVE)], ["pivot", "move"]],
    ["a bind onto /", [mount("/", MS_BIND)], ["pivot", "move"]],
    ["a mount with no flags", [mount("/")], ["pivot", "move"]],
    ["pivot then chroot, in that order", [{ op: "pivot_root" }, { op: "chroot" }], ["pivot", "chroot"]],
    ["chroot then pivot", [{ op: "chroot" }, { op: "pivot_root" }], ["chroot", "pivot"]],
    ["an open of / is no switch", [{ op: "openat" }, { op: "chdir" }], ["pivot", "move"]],
  ];
  for (const [what, ops, want] of rows) assert.equal(switchKinds(ops), want, what);
});

test("windowStart: the profile's rule when the plan has a call of its kind, else its first step; the step counted up to the switch", () => {
  const slave = mount("/", MS_REC | MS_SLAVE);
  const rows: [string, Parameters<typeof windowStart>, ReturnType<typeof windowStart>][] = [
    ["runc, / made rslave first", ["runc", "pivot", [slave, { op: "pivot_root" }]], { kind: "root-propagation", first: { op: "mount", path: "/", count: 1 } }],
    ["runc, no change of / (--no-prepare)", ["runc", "pivot", [{ op: "chdir", path: "/r" }, { op: "pivot_root" }]], { kind: "first-step", first: { op: "chdir", path: "/r", count: 1 } }],
    ["runc, a bind onto / is no propagation", ["runc", "pivot", [mount("/", MS_BIND), { op: "pivot_root" }]], { kind: "first-step", first: { op: "mount", path: "/", count: 1 } }],
    ["runc, a remount of / is no propagation", ["runc", "pivot", [mount("/", MS_REMOUNT | MS_RDONLY)]], { kind: "first-step", first: { op: "mount", path: "/", count: 1 } }],
    ["runc, the propagation of another path", ["runc", "pivot", [mount("/r", MS_PRIVATE)]], { kind: "first-step", first: { op: "mount", path: "/r", count: 1 } }],
    ["runc-1.1 chroot: its first mount", ["runc-1.1", "chroot", [mount("/r", MS_PRIVATE), { op: "chroot", path: "/r" }]], { kind: "first-mount", first: { op: "mount", path: "/r", count: 1 } }],
    ["runc-1.1 chroot without a mount", ["runc-1.1", "chroot", [{ op: "chroot", path: "/r" }]], { kind: "first-step", first: { op: "chroot", path: "/r", count: 1 } }],
    ["runc-1.1 pivot: the propagation rule", ["runc-1.1", "pivot", [slave]], { kind: "root-propagation", first: { op: "mount", path: "/", count: 1 } }],
    ["crun chroot: first step", ["crun", "chroot", [{ op: "chroot", path: "/r" }]], { kind: "first-step", first: { op: "chroot", path: "/r", count: 1 } }],
    ["hardened: always its first step, counted before the switch only", ["hardened", "auto",
      [{ op: "openat", pathname: "/proc/self/mountinfo" }, { op: "openat", pathname: "/proc/self/mountinfo" }, { op: "pivot_root" }, { op: "openat", pathname: "/proc/self/mountinfo" }]],
      { kind: "first-step", first: { op: "openat", path: "/proc/self/mountinfo", count: 2 } }],
    ["the count stops at an MS_MOVE onto /", ["hardened", "move", [mount("/", MS_REC | MS_SLAVE), mount("/", MS_MOVE), mount("/", MS_REC | MS_SLAVE)]],
      { kind: "first-step", first: { op: "mount", path: "/", count: 2 } }],
    ["the count stops at chroot", ["hardened", "chroot", [{ op: "chdir", path: "/r" }, { op: "chroot", path: "." }, { op: "chdir", path: "/r" }]],
      { kind: "first-step", first: { op: "chdir", path: "/r", count: 1 } }],
    ["no switch: every call counts", ["hardened", "pivot", [{ op: "umount2", target: "/x" }, { op: "umount2", target: "/x" }, { op: "umount2", target: "/y" }]],
      { kind: "first-step", first: { op: "umount2", path: "/x", count: 2 } }],
    ["a first step with no path gives no first", ["hardened", "pivot", [{ op: "fchdir" }, { op: "pivot_root" }]], { kind: "first-step" }],
    ["an empty plan", ["lxc", "pivot", []], { kind: "first-step" }],
  ];
  for (const [what, args, want] of rows) assert.equal(windowStart(...args), want, what);
});

/** A log of one process, lines numbered from 1. */
const log = (...lines: string[]) => parseStrace(lines.map((l) => `7 ${l}`).join("\n") + "\n");
const lines = (w: ReturnType<typeof findWindow>) => [w.startLine, w.switchLine, w.endLine, w.calls.length];

test("findWindow: starts at the rule's call before the switch, else at the plan's first step, else at the first call", () => {
  const text = [
    'openat(AT_FDCWD, "/proc/self/mountinfo", O_RDONLY|O_CLOEXEC) = 3', //  1
    'mount(NULL, "/", NULL, MS_REC|MS_SLAVE, NULL) = 0', //                 2
    'chdir("/r") = 0', //                                                   3
    'pivot_root(".", ".") = 0', //                                           4
    'mount(NULL, "/", NULL, MS_REC|MS_SLAVE, NULL) = 0', //                 5 (after the switch: never a start)
    'chdir("/") = 0', //                                                    6
  ];
  const p = log(...text);
  assert.equal(lines(findWindow(p, ["pivot"], undefined, { kind: "root-propagation" })), [2, 4, 6, 5]);
  assert.equal(lines(findWindow(p, ["pivot"], undefined, { kind: "first-mount" })), [2, 4, 6, 5]);
  assert.equal(lines(findWindow(p, ["pivot"], undefined, { kind: "first-step", first: { op: "chdir", path: "/r", count: 1 } })), [3, 4, 6, 4]);
  assert.equal(lines(findWindow(p, ["pivot"], undefined, { kind: "first-step", first: { op: "openat", path: "/proc/self/mountinfo", count: 1 } })), [1, 4, 6, 6]);
  // A rule the log has no call for falls back to the first step, then to the process's first call.
  const noProp = log(text[0]!, text[2]!, text[3]!, text[5]!);
  assert.equal(lines(findWindow(noProp, ["pivot"], undefined, { kind: "root-propagation", first: { op: "chdir", path: "/r", count: 1 } })), [2, 3, 4, 3]);
  assert.equal(lines(findWindow(noProp, ["pivot"], undefined, { kind: "root-propagation" })), [1, 3, 4, 4]);
  // count: the count-th last such call before the switch; the earliest when the log has fewer.
  const twice = log('chdir("/r") = 0', 'chdir("/r") = 0', 'chdir("/r") = 0', 'pivot_root(".", ".") = 0', 'chdir("/") = 0');
  assert.equal(lines(findWindow(twice, ["pivot"], undefined, { kind: "first-step", first: { op: "chdir", path: "/r", count: 2 } })), [2, 4, 5, 4]);
  assert.equal(lines(findWindow(twice, ["pivot"], undefined, { kind: "first-step", first: { op: "chdir", path: "/r", count: 9 } })), [1, 4, 5, 5]);
  // A propagation change of another path is not the start; a move onto / is a propagation of no kind.
  const other = log('mount(NULL, "/r", NULL, MS_PRIVATE, NULL) = 0', 'mount(NULL, "/", NULL, MS_REC|MS_PRIVATE, NULL) = 0', 'pivot_root(".", ".") = 0', 'chdir("/") = 0');
  assert.equal(lines(findWindow(other, ["pivot"], undefined, { kind: "root-propagation" })), [2, 3, 4, 3]);
});

test("findWindow: ends at the last successful chdir(\"/\") before an execve, then takes the closes of fds it opened; a read of another fd is skipped, any other call stops it", () => {
  const p = log(
    'mount(NULL, "/", NULL, MS_REC|MS_SLAVE, NULL) = 0', //                              1
    'openat(AT_FDCWD, "/", O_RDONLY|O_DIRECTORY) = 3', //                                2
    'pivot_root(".", ".") = 0', //                                                       3
    'chdir("/") = 0', //                                                                  4 the last successful chdir("/")
    'read(9, "x", 1) = 1', //                                                             5 another fd's read (a sync pipe): skipped
    'close(3) = 0', //                                                                    6 opened in the window: the end
    'chdir("/") = -1 ENOENT (No such file or directory)', //                              7 failed: stops the tail
    'close(4) = 0', //                                                                    8
  );
  assert.equal(lines(findWindow(p, ["pivot"])), [1, 3, 6, 6]);
  const exec = log('mount(NULL, "/", NULL, MS_REC|MS_SLAVE, NULL) = 0', 'pivot_root(".", ".") = 0', 'chdir("/") = 0', 'execve("/bin/true", ["true"], 0x0 /* 0 vars */) = 0', 'chdir("/") = 0');
  assert.equal(lines(findWindow(exec, ["pivot"])), [1, 2, 3, 3], "a chdir after execve is the container's, not the switch's");
  const dup = log('mount(NULL, "/", NULL, MS_REC|MS_SLAVE, NULL) = 0', 'openat(AT_FDCWD, "/", O_RDONLY) = 3', 'dup(3) = 5', 'pivot_root(".", ".") = 0', 'chdir("/") = 0', 'close(5) = 0', 'close(3) = 0', 'close(4) = 0');
  assert.equal(lines(findWindow(dup, ["pivot"])), [1, 4, 7, 7], "a dup'd fd and its origin close inside; an fd never opened there does not");
  const readOwn = log('openat(AT_FDCWD, "/", O_RDONLY) = 3', 'pivot_root(".", ".") = 0', 'chdir("/") = 0', 'read(3, "x", 1) = 1', 'close(3) = 0');
  assert.equal(lines(findWindow(readOwn, ["pivot"])), [1, 2, 3, 3], "a read of the window's own fd after the end stops the tail");
});

test("findWindow: a plan whose first step is the switch itself (crun's chroot) starts there, not at the process's first call", () => {
  const p = log('getpid() = 7', 'chdir("/x") = 0', 'chroot("/r") = 0', 'chdir("/") = 0');
  assert.equal(windowStart("crun", "chroot", [{ op: "chroot", path: "/r" }, { op: "chdir", path: "/" }]).first, { op: "chroot", path: "/r", count: 1 });
  assert.equal(lines(findWindow(p, ["chroot"], undefined, { kind: "first-step", first: { op: "chroot", path: "/r", count: 1 } })), [3, 3, 4, 2]);
  // A first step with the switch's op and path (a mount of "/" before the MS_MOVE onto "/"): the
  // window starts at that mount, not at the move.
  const move = log('getpid() = 7', 'mount(NULL, "/", NULL, MS_REC|MS_SLAVE, NULL) = 0', 'mount("/r", "/", NULL, MS_MOVE, NULL) = 0', 'chroot(".") = 0', 'chdir("/") = 0');
  const first = windowStart("hardened", "move", [mount("/", MS_REC | MS_SLAVE), mount("/", MS_MOVE), { op: "chroot", path: "." }]).first!;
  assert.equal(first, { op: "mount", path: "/", count: 2 });
  assert.equal(lines(findWindow(move, ["move"], undefined, { kind: "first-step", first })), [2, 3, 5, 4]);
});

test("findWindow: the switch looked for follows the plan's kinds (chroot alone only when the plan has nothing else)", () => {
  const p = log('chroot("/r") = 0', 'mount("/r", "/", NULL, MS_MOVE, NULL) = 0', 'chroot(".") = 0', 'chdir("/") = 0');
  assert.equal(findWindow(p, ["chroot"]).switchLine, 1);
  assert.equal(findWindow(p, ["move"]).switchLine, 2);
  assert.equal(findWindow(p, ["pivot", "move"]).switchLine, 2);
  assert.equal(findWindow(p, ["move"]).switchCall.startsWith("mount"), true);
});

test("findWindow: an MS_MOVE elsewhere is no switch; an MS_UNBINDABLE of / starts the window; a chdir elsewhere, a remount elsewhere or a chdir(\"/\") that never returned does not end it", () => {
  // A move of another mount (a runtime's own staging) before the pivot: the switch is pivot_root.
  const moved = log('mount(NULL, "/", NULL, MS_REC|MS_SLAVE, NULL) = 0', 'mount("/a", "/b", NULL, MS_MOVE, NULL) = 0', 'pivot_root(".", ".") = 0', 'chdir("/") = 0');
  assert.equal(lines(findWindow(moved, ["pivot", "move"])), [1, 3, 4, 4]);
  assert.is(findWindow(moved, ["pivot", "move"]).switchCall, "pivot_root");
  // runc with rootPropagation runbindable: prepareRoot's first call is MS_REC|MS_UNBINDABLE on "/".
  const unbindable = log('getpid() = 7', 'mount(NULL, "/", NULL, MS_REC|MS_UNBINDABLE, NULL) = 0', 'pivot_root(".", ".") = 0', 'chdir("/") = 0');
  const w = findWindow(unbindable, ["pivot"], undefined, { kind: "root-propagation" });
  assert.equal([...lines(w), w.start], [2, 3, 4, 3, "root-propagation"]);
  // After chdir("/"): runc's chdir to the process's cwd and its read-only paths (a remount of
  // /proc/sys) are the container's set-up, not the switch; a remount of "/" is (READONLY_AFTER).
  const tail = log('mount(NULL, "/", NULL, MS_REC|MS_SLAVE, NULL) = 0', 'pivot_root(".", ".") = 0', 'chdir("/") = 0',
    'mount("/proc/sys", "/proc/sys", NULL, MS_RDONLY|MS_REMOUNT|MS_BIND, NULL) = 0', 'chdir("/home") = 0', 'mount(NULL, "/", NULL, MS_RDONLY|MS_REMOUNT|MS_BIND, NULL) = 0');
  assert.equal(lines(findWindow(tail, ["pivot"])), [1, 2, 3, 3]);
  const cwd = log('mount(NULL, "/", NULL, MS_REC|MS_SLAVE, NULL) = 0', 'pivot_root(".", ".") = 0', 'chdir("/") = 0', 'chdir("/home") = 0', 'getcwd("/home", 4096) = 6');
  assert.equal(lines(findWindow(cwd, ["pivot"])), [1, 2, 3, 3]);
  const bindRoot = log('mount(NULL, "/", NULL, MS_REC|MS_SLAVE, NULL) = 0', 'pivot_root(".", ".") = 0', 'chdir("/") = 0', 'mount("/x", "/", NULL, MS_BIND, NULL) = 0');
  assert.equal(lines(findWindow(bindRoot, ["pivot"])), [1, 2, 3, 3], "a bind onto / is neither a remount nor a propagation change");
  // A chdir("/") strace saw start and never return (the log was cut, the process killed) did not succeed.
  const cut = log('mount(NULL, "/", NULL, MS_REC|MS_SLAVE, NULL) = 0', 'pivot_root(".", ".") = 0', 'chdir("/") = 0', 'close(3) = 0', 'chdir("/" <unfinished ...>');
  assert.equal(lines(findWindow(cut, ["pivot"])), [1, 2, 3, 3]);
});

test("findWindow: a mount whose flags strace printed as a number, or a call cut short of its arguments, is read as no propagation change (no crash)", () => {
  const numeric = log('mount(NULL, "/", NULL, 0, NULL) = 0', 'mount(NULL, "/", NULL, MS_REC|MS_SLAVE, NULL) = 0', 'pivot_root(".", ".") = 0', 'chdir("/") = 0');
  assert.equal(lines(findWindow(numeric, ["pivot"], undefined, { kind: "root-propagation" })), [2, 3, 4, 3]);
  const short = log('mount(NULL) = -1 EFAULT (Bad address)', 'mount(NULL, "/") = -1 EFAULT (Bad address)', 'chdir() = -1 EFAULT (Bad address)', 'mount(NULL, "/", NULL, MS_REC|MS_SLAVE, NULL) = 0', 'pivot_root(".", ".") = 0', 'chdir("/") = 0', 'chdir() = -1 EFAULT (Bad address)', 'mount(NULL) = -1 EFAULT (Bad address)');
  assert.equal(lines(findWindow(short, ["pivot", "move"], undefined, { kind: "root-propagation" })), [4, 5, 6, 3]);
});

test("windowStart: only an MS_MOVE onto / ends the count of the first step (a move elsewhere is no switch)", () => {
  const slave = mount("/", MS_REC | MS_SLAVE);
  assert.equal(windowStart("hardened", "pivot", [slave, mount("/a", MS_MOVE), slave, { op: "pivot_root" }, slave]).first, { op: "mount", path: "/", count: 2 });
});

test("findWindow: the start rule's call is searched up to and including the switch, never after it; the fallbacks say first-step and leave nothing of the window in `before`", () => {
  // first-mount (runc 1.1 chroot): the first mount, whatever it is (a bind here), not the first propagation of "/".
  const bind = log('mount("/r", "/r", NULL, MS_BIND|MS_REC, NULL) = 0', 'mount(NULL, "/", NULL, MS_REC|MS_SLAVE, NULL) = 0', 'chroot("/r") = 0', 'chdir("/") = 0');
  assert.equal([...lines(findWindow(bind, ["chroot"], undefined, { kind: "first-mount" })), findWindow(bind, ["chroot"], undefined, { kind: "first-mount" }).start], [1, 3, 4, 4, "first-mount"]);
  // The switch itself may be the rule's call (a move is a mount): first-mount starts at the move.
  const move = log('getpid() = 7', 'mount("/r", "/", NULL, MS_MOVE, NULL) = 0', 'chroot(".") = 0', 'chdir("/") = 0');
  assert.equal(lines(findWindow(move, ["move"], undefined, { kind: "first-mount" })), [2, 2, 4, 3]);
  // A propagation change of "/" only after the switch: the rule falls back; with no first step, to
  // the first call, said as first-step, and the window's mounts are not listed as before it.
  const late = log('getpid() = 7', 'mount("/r", "/r", NULL, MS_BIND, NULL) = 0', 'pivot_root(".", ".") = 0', 'mount(NULL, "/", NULL, MS_REC|MS_SLAVE, NULL) = 0', 'chdir("/") = 0');
  const w = findWindow(late, ["pivot"], undefined, { kind: "root-propagation" });
  assert.equal([...lines(w), w.start, w.before.length], [1, 3, 5, 5, "first-step", 0]);
  // A first step the log does not have: the same fallback.
  const missing = findWindow(late, ["pivot"], undefined, { kind: "first-step", first: { op: "chdir", path: "/nowhere", count: 1 } });
  assert.equal([...lines(missing), missing.start, missing.before.length], [1, 3, 5, 5, "first-step", 0]);
  // A first step found: said as first-step, and the mounts and unmounts before it are `before`.
  const found = log('mount(NULL, "/x", NULL, MS_PRIVATE, NULL) = 0', 'umount2("/y", MNT_DETACH) = 0', 'getpid() = 7', 'chdir("/r") = 0', 'pivot_root(".", ".") = 0', 'chdir("/") = 0');
  const f = findWindow(found, ["pivot"], undefined, { kind: "first-step", first: { op: "chdir", path: "/r", count: 1 } });
  assert.equal([...lines(f), f.start, f.before.map((c) => c.name)], [4, 5, 6, 3, "first-step", ["mount", "umount2"]]);
});

test("findWindow: a plan with pivot_root and chroot looks for pivot_root or a move, not for chroot", () => {
  const p = log('chroot("/x") = 0', 'mount(NULL, "/", NULL, MS_REC|MS_SLAVE, NULL) = 0', 'pivot_root(".", ".") = 0', 'chdir("/") = 0');
  assert.is(findWindow(p, ["pivot", "chroot"]).switchLine, 3);
  assert.is(findWindow(p, ["chroot"]).switchLine, 1);
});

test("findWindow: counts the signals delivered inside the window only", () => {
  const sig = "--- SIGURG {si_signo=SIGURG, si_code=SI_TKILL, si_pid=7, si_uid=0} ---";
  const p = log(sig, 'mount(NULL, "/", NULL, MS_REC|MS_SLAVE, NULL) = 0', sig, 'pivot_root(".", ".") = 0', sig, 'chdir("/") = 0', sig, sig);
  assert.is(findWindow(p, ["pivot"]).signals, 2);
});

test("findWindow: the tail takes closes of fds opened up to the chdir(\"/\") (by openat or any dup, fd 0 too), not of fds closed before it; a call without arguments stops it", () => {
  // The fd opened by the call just before chdir("/") is the window's: its close is in the tail.
  const justBefore = log('mount(NULL, "/", NULL, MS_REC|MS_SLAVE, NULL) = 0', 'pivot_root(".", ".") = 0', 'openat(AT_FDCWD, "/", O_RDONLY) = 5', 'chdir("/") = 0', 'close(5) = 0');
  assert.equal(lines(findWindow(justBefore, ["pivot"])), [1, 2, 5, 5]);
  const dup3 = log('openat(AT_FDCWD, "/", O_RDONLY) = 3', 'dup3(3, 8, O_CLOEXEC) = 8', 'dup2(3, 9) = 9', 'pivot_root(".", ".") = 0', 'chdir("/") = 0', 'close(8) = 0', 'close(9) = 0');
  assert.equal(lines(findWindow(dup3, ["pivot"], undefined, { kind: "first-step", first: { op: "openat", path: "/", count: 1 } })), [1, 4, 7, 7]);
  const zero = log('openat(AT_FDCWD, "/", O_RDONLY) = 0', 'pivot_root(".", ".") = 0', 'chdir("/") = 0', 'close(0) = 0');
  assert.equal(lines(findWindow(zero, ["pivot"], undefined, { kind: "first-step", first: { op: "openat", path: "/", count: 1 } })), [1, 2, 4, 4]);
  // strace -y: fds print as 3</path>. One closed inside the window is no longer the window's.
  const y = log('openat(AT_FDCWD</>, "/", O_RDONLY) = 3</>', 'close(3</>) = 0', 'pivot_root(".", ".") = 0', 'chdir("/") = 0', 'close(3</x>) = 0');
  assert.equal(lines(findWindow(y, ["pivot"], undefined, { kind: "first-step", first: { op: "openat", path: "/", count: 1 } })), [1, 3, 4, 4]);
  const noArgs = log('mount(NULL, "/", NULL, MS_REC|MS_SLAVE, NULL) = 0', 'openat(AT_FDCWD, "/", O_RDONLY) = 3', 'pivot_root(".", ".") = 0', 'chdir("/") = 0', 'getpid() = 7', 'close(3) = 0');
  assert.equal(lines(findWindow(noArgs, ["pivot"])), [1, 3, 4, 4]);
});

test("findWindow: the default rule is root-propagation, and says so; a first step that is an open is matched by its path (the second argument)", () => {
  const p = log('getpid() = 7', 'mount(NULL, "/", NULL, MS_REC|MS_SLAVE, NULL) = 0', 'pivot_root(".", ".") = 0', 'chdir("/") = 0');
  assert.is(findWindow(p, ["pivot"]).start, "root-propagation");
  const open = log('getpid() = 7', 'openat(AT_FDCWD, "/proc/self/mountinfo", O_RDONLY|O_CLOEXEC) = 3', 'close(3) = 0', 'pivot_root(".", ".") = 0', 'chdir("/") = 0');
  const w = findWindow(open, ["pivot"], undefined, { kind: "first-step", first: { op: "openat", path: "/proc/self/mountinfo", count: 1 } });
  assert.equal([...lines(w), w.start], [2, 4, 5, 4, "first-step"]);
  const open2 = log('getpid() = 7', 'openat2(AT_FDCWD, "/", {flags=O_PATH|O_DIRECTORY, resolve=RESOLVE_NO_XDEV}, 24) = 3', 'pivot_root(".", ".") = 0', 'chdir("/") = 0');
  assert.equal(lines(findWindow(open2, ["pivot"], undefined, { kind: "first-step", first: { op: "openat2", path: "/", count: 1 } })), [2, 3, 4, 3]);
});

test("no switch in the log: NoSwitchError with its stable code, for callers that branch on it", () => {
  assert.throws(() => findWindow(log('chdir("/") = 0'), ["pivot"]), (e: unknown) => e instanceof NoSwitchError && e.code === "E_NO_SWITCH");
});

test.run();
