// LXC's window end ("handles-closed", src/diff/window.ts handlesClosed): the last successful close,
// before the exec, of an fd that a call of the window opened (openat, openat2, open_tree) before
// the switch and that was still open at it. Each row is a one-process log and the line where the
// window must end; each row moves the end if its rule is dropped. Written for the survivors of
// window.ts's Stryker run of 2026-12-03 (docs/mutation.md, "Triage: src/diff/window.ts").
import { test } from "uvu";
import * as assert from "uvu/assert";
import { NoSwitchError, findWindow, windowStart } from "../src/diff/index.js";
import * as abi from "../src/abi.js";
import { parseStrace } from "../src/strace/parse.js";

const OPENAT2_ROOT = 'openat2(AT_FDCWD, "/", {flags=O_RDONLY|O_CLOEXEC|O_PATH|O_DIRECTORY, resolve=RESOLVE_NO_XDEV}, 24) = 3';
/** The window of a one-process log as LXC's profile finds it: it starts at openat2 of "/" and ends by handles-closed. */
const windowOf = (lines: string[]) => findWindow(parseStrace(lines.map((l) => `7 ${l}`).join("\n") + "\n"), ["pivot"], undefined,
  { kind: "first-step", first: { op: "openat2", path: "/", count: 1 } }, "handles-closed");

/** [what, log, the window's last line (1-based)] */
const ROWS: [string, string[], number][] = [
  ["the last close of a held fd ends it", [OPENAT2_ROOT, 'pivot_root(".", ".") = 0', "close(3) = 0", "getpid() = 7"], 3],
  ["nothing held: the switch ends it", ['openat2(AT_FDCWD, "/", {flags=O_RDONLY}, 24) = -1 ENOENT (No such file or directory)', 'pivot_root(".", ".") = 0', "close(3) = 0"], 2],
  ["a failed close leaves the fd held; its later close ends it", [OPENAT2_ROOT, 'pivot_root(".", ".") = 0', "close(3) = -1 EINTR (Interrupted system call)", "getpid() = 7", "close(3) = 0"], 5],
  ["a close after the exec is not part of the window", [OPENAT2_ROOT, 'openat(AT_FDCWD, "/r", O_RDONLY) = 4', 'pivot_root(".", ".") = 0', "close(4) = 0", 'execve("/sbin/init", ["init"], 0x7ffc /* 0 vars */) = 0', "close(3) = 0"], 4],
  ["execveat is an exec too", [OPENAT2_ROOT, 'openat(AT_FDCWD, "/r", O_RDONLY) = 4', 'pivot_root(".", ".") = 0', "close(4) = 0", 'execveat(4, "", ["init"], 0x7ffc /* 0 vars */, AT_EMPTY_PATH) = 0', "close(3) = 0"], 4],
  ["an fd opened before the window's start is not held", ['openat(AT_FDCWD, "/etc/hostname", O_RDONLY) = 9', OPENAT2_ROOT, 'pivot_root(".", ".") = 0', "close(3) = 0", "close(9) = 0"], 4],
  ["an fd opened and closed before the switch is not held", [OPENAT2_ROOT, 'openat(AT_FDCWD, "/tmp/x", O_RDONLY) = 6', "close(6) = 0", 'pivot_root(".", ".") = 0', "close(3) = 0", 'openat(AT_FDCWD, "/y", O_RDONLY) = 6', "close(6) = 0"], 5],
  ["the open just before the switch holds its fd", [OPENAT2_ROOT, 'openat(AT_FDCWD, "/r", O_RDONLY|O_DIRECTORY) = 4', 'pivot_root(".", ".") = 0', "close(3) = 0", "close(4) = 0"], 5],
  ["an fd opened after the switch is not held", [OPENAT2_ROOT, 'pivot_root(".", ".") = 0', 'openat(AT_FDCWD, "/z", O_RDONLY) = 5', "close(3) = 0", "close(5) = 0"], 4],
  ["only opens hold fds: the 0 a successful call returns is no fd", [OPENAT2_ROOT, 'chdir("/r") = 0', 'pivot_root(".", ".") = 0', "close(3) = 0", "close(0) = 0"], 4],
  ["a failed open holds nothing, and the switch's fd numbers are not opens", ['openat(AT_FDCWD, "/", O_RDONLY) = -1 EACCES (Permission denied)', OPENAT2_ROOT, 'pivot_root(".", ".") = 0', "close(3) = 0", "close(0) = 0"], 4],
  ["fd 0 can be held (stdin closed before)", [OPENAT2_ROOT, 'open_tree(AT_FDCWD, "/r", OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC) = 0', 'pivot_root(".", ".") = 0', "close(3) = 0", "close(0) = 0"], 5],
  ["open_tree and openat2 hold their fds", [OPENAT2_ROOT, 'open_tree(AT_FDCWD, "/r", OPEN_TREE_CLONE) = 5', 'pivot_root(".", ".") = 0', "close(3) = 0", "getpid() = 7", "close(5) = 0"], 6],
  ["closes with the fd's path (strace -y) count as their number", [OPENAT2_ROOT, 'openat(AT_FDCWD, "/r", O_RDONLY) = 4</r>', 'pivot_root(".", ".") = 0', "close(3</>) = 0", "close(4</r>) = 0"], 5],
  ["a held fd never closed: the last close of the others, the loop stopping at the log's end", [OPENAT2_ROOT, 'openat(AT_FDCWD, "/r", O_RDONLY) = 4', 'pivot_root(".", ".") = 0', "close(4) = 0", "getpid() = 7"], 4],
  ["a held fd never closed, with an exec: the loop stops at the exec", [OPENAT2_ROOT, 'openat(AT_FDCWD, "/r", O_RDONLY) = 4', 'pivot_root(".", ".") = 0', "close(4) = 0", 'execve("/sbin/init", ["init"], 0x7ffc /* 0 vars */) = 0', "close(3) = 0"], 4],
  ["an fd closed before the switch by number drops from the held set", [OPENAT2_ROOT, 'openat(AT_FDCWD, "/r", O_RDONLY) = 4', "close(4) = 0", 'pivot_root(".", ".") = 0', "close(3) = 0", "close(4) = 0"], 5],
  ["an exec before the window does not bound it", ['execve("/usr/bin/lxc-start", ["lxc-start"], 0x7ffc /* 0 vars */) = 0', OPENAT2_ROOT, 'pivot_root(".", ".") = 0', "close(3) = 0"], 4],
  ["an fd closed before the switch with its path (-y) drops too", [OPENAT2_ROOT, 'openat(AT_FDCWD, "/r", O_RDONLY) = 4</r>', "close(4</r>) = 0", 'pivot_root(".", ".") = 0', "close(3</>) = 0", "close(4</r>) = 0"], 5],
];

test("handles-closed: where LXC's window ends, rule by rule", () => {
  const wrong: string[] = [];
  for (const [what, log, end] of ROWS) {
    const w = windowOf(log);
    if (w.endLine !== end) wrong.push(`${what}: ended at line ${w.endLine}, not ${end}`);
  }
  assert.equal(wrong, []);
});

test("the window's calls run from its start to its end, the switch among them", () => {
  const w = windowOf(['openat(AT_FDCWD, "/etc/hostname", O_RDONLY) = 9', OPENAT2_ROOT, 'pivot_root(".", ".") = 0', "close(3) = 0", "getpid() = 7"]);
  assert.equal([w.startLine, w.switchLine, w.endLine, w.calls.map((c) => c.name)], [2, 3, 4, ["openat2", "pivot_root", "close"]]);
});

const SLAVE_ROOT = 'mount(NULL, "/", NULL, MS_REC|MS_SLAVE, NULL) = 0';
const PIVOT = 'pivot_root(".", ".") = 0';
const log = (lines: string[]) => parseStrace(lines.map((l) => `7 ${l}`).join("\n") + "\n");
/** The chdir-root end (runc, crun, youki, hardened, bwrap): the window of a log starting at the propagation of "/". */
const endLine = (lines: string[]) => findWindow(log(lines), ["pivot"], undefined, { kind: "root-propagation" }).endLine;

test("chdir-root: an exec bounds the tail (execveat too), one before the window does not", () => {
  assert.is(endLine(['execve("/usr/bin/runc", ["runc", "init"], 0x7ffc /* 0 vars */) = 0', SLAVE_ROOT, PIVOT, 'chdir("/") = 0']), 4);
  assert.is(endLine([SLAVE_ROOT, PIVOT, 'execveat(3, "", ["x"], 0x7ffc /* 0 vars */, AT_EMPTY_PATH) = 0', 'chdir("/") = 0']), 2);
});

test("chdir-root: crun 1.29's openat of \"/\" after chdir(\"/\") stays in the tail (fd 0 too); another path, a failed one, or one never answered, ends it", () => {
  assert.is(endLine([SLAVE_ROOT, PIVOT, 'chdir("/") = 0', 'openat(AT_FDCWD, "/", O_RDONLY|O_DIRECTORY) = 0', 'mount_setattr(0, "", AT_EMPTY_PATH, {attr_set=MOUNT_ATTR_RDONLY, attr_clr=0, propagation=0, userns_fd=0}, 32) = 0']), 5);
  assert.is(endLine([SLAVE_ROOT, PIVOT, 'chdir("/") = 0', 'openat(AT_FDCWD, "/etc/hostname", O_RDONLY) = 5', "close(5) = 0"]), 3);
  assert.is(endLine([SLAVE_ROOT, PIVOT, 'chdir("/") = 0', 'openat(AT_FDCWD, "/", O_RDONLY <unfinished ...>']), 3);
  assert.is(endLine([SLAVE_ROOT, PIVOT, 'chdir("/") = 0', 'openat(AT_FDCWD, "/", O_RDONLY|O_DIRECTORY) = -1 EACCES (Permission denied)', "close(3) = 0"]), 3);
});

test("chdir-root: a mount_setattr stays in the tail only on an fd still open; a failed open or AT_FDCWD is no such fd", () => {
  const setattr = (fd: string) => `mount_setattr(${fd}, "/", AT_RECURSIVE, {attr_set=MOUNT_ATTR_RDONLY, attr_clr=0, propagation=0, userns_fd=0}, 32) = 0`;
  assert.is(endLine([SLAVE_ROOT, 'openat(AT_FDCWD, "/r", O_RDONLY) = 4', PIVOT, 'chdir("/") = 0', setattr("4")]), 5);
  assert.is(endLine([SLAVE_ROOT, 'openat(AT_FDCWD, "/x", O_RDONLY) = -1 ENOENT (No such file or directory)', PIVOT, 'chdir("/") = 0', setattr("-1")]), 4);
  assert.is(endLine([SLAVE_ROOT, "dup2(3, 1) = 1", PIVOT, 'chdir("/") = 0', setattr("AT_FDCWD")]), 4);
});

test("findWindow's default start is the propagation of \"/\"; a pivot or move plan finds either switch, a chroot-only plan only chroot", () => {
  const w = findWindow(log(['openat(AT_FDCWD, "/proc/self/mountinfo", O_RDONLY) = 3', SLAVE_ROOT, 'chdir("/r") = 0', PIVOT, 'chdir("/") = 0']), ["pivot"]);
  assert.equal([w.startLine, w.start], [2, "root-propagation"]);
  const moved = log([SLAVE_ROOT, 'mount("/r", "/", NULL, MS_MOVE, NULL) = 0', 'chroot(".") = 0', 'chdir("/") = 0']);
  assert.is(findWindow(moved, ["pivot"]).switchCall, "mount", "a pivot plan's runtime may fall back to MS_MOVE");
  assert.is(findWindow(log([SLAVE_ROOT, PIVOT, 'chroot("/") = 0']), ["chroot"]).switchCall, "chroot");
  assert.is(findWindow(log([SLAVE_ROOT, 'chroot("/r") = 0', PIVOT]), ["chroot", "pivot"]).switchCall, "pivot_root", "a plan with both looks for pivot_root");
});

test("no switch in the log: the error names the call looked for, and the process when --pid names one", () => {
  const none = log(['chdir("/") = 0']);
  const message = (kinds: Parameters<typeof findWindow>[1], pid?: number) => {
    try { findWindow(none, kinds, pid); } catch (e) { assert.instance(e, NoSwitchError); return (e as Error).message; }
    return "no error";
  };
  assert.is(message(["chroot"]), "no process in the strace log calls chroot: no root switch to compare with the plan");
  assert.is(message(["setns"]), "no process in the strace log calls setns(..., CLONE_NEWNS): no root switch to compare with the plan");
  assert.is(message(["pivot"], 7), 'process 7 does not call pivot_root or mount(..., "/", ..., MS_MOVE, ...) in the strace log: no root switch to compare with the plan');
});

test("windowStart: the rule's fallback, a chdir as the first step, and the first step counted up to the switch only (setns and a first-step switch)", () => {
  assert.is(windowStart("runc", "pivot", [{ op: "mount", target: "/r", mountflags: abi.MS_BIND }, { op: "pivot_root" }]).kind, "first-step",
    "a mount, but no propagation change of \"/\": runc's rule has nothing to find");
  assert.equal(windowStart("lxc", "pivot", [{ op: "chdir", path: "/r" }, { op: "pivot_root" }]).first, { op: "chdir", path: "/r", count: 1 });
  assert.equal(windowStart("crun-1.29", "pivot", [{ op: "openat", pathname: "/r" }, { op: "setns" }, { op: "openat", pathname: "/r" }, { op: "pivot_root" }]).first,
    { op: "openat", path: "/r", count: 1 }, "setns is the switch: the openat after it does not count");
  assert.equal(windowStart("crun", "chroot", [{ op: "chroot", path: "/r" }, { op: "chroot", path: "/r" }]).first,
    { op: "chroot", path: "/r", count: 1 }, "the first step is the switch: only it counts");
});

test.run();
