// diff's equivalence rules, call by call (src/diff/compare.ts), as golden tables: for every op, each
// argument it compares changed alone is one difference, rendered as strace writes it; the mount
// arguments the kernel ignores (do_mount); results (errno exact, an fd's number and a read's size
// not compared); and the fd labels that match an fd by the call that opened it. A Stryker run of
// compare.ts left 179 of 514 mutants alive with the diff tests, because those compare whole plans
// where most fields never differ (docs/mutation.md, "compare.ts").
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import { compare, ignoredMountArgs, labelFds, sameFd, showResult, type FdLabel, type OriginMap } from "../src/diff/compare.js";
import type { Addr } from "../src/strace/to-requests.js";

type Req = { op: string } & Record<string, unknown>;
type Res = { ret: number } | { errno: number } | null;
interface Opts { planRes?: Res; logRes?: Res; planFds?: Record<string, FdLabel>; logFds?: Record<string, FdLabel>; map?: OriginMap }

/** compare()'s differences, one line each: `field: plan X, log Y (why)`; "equivalent" when none. */
function diffs(plan: Req, log: Req, o: Opts = {}): string {
  const res = (r: Res | undefined) => (r === undefined ? { ret: 0 } : r);
  const out = compare(
    { req: plan as never, result: res(o.planRes), fds: o.planFds ?? {} },
    { req: log as never, result: res(o.logRes), fds: o.logFds ?? {} },
    o.map ?? new Map(),
  );
  return out.length === 0 ? "equivalent" : out.map((d) => `${d.field}: plan ${d.plan}, log ${d.log}${d.why ? ` (${d.why})` : ""}`).join("\n");
}

const at = abi.AT_FDCWD;
/** One request of every op, with arguments the kernel would take. */
const BASE: Req[] = [
  { op: "openat", dirfd: at, pathname: "/r", flags: abi.O_RDONLY | abi.O_DIRECTORY, mode: 0 },
  { op: "read", fd: 3, count: 4096 },
  { op: "close", fd: 3 },
  { op: "fchdir", fd: 4 },
  { op: "chdir", path: "/r" },
  { op: "chroot", path: "." },
  { op: "pivot_root", new_root: ".", put_old: "." },
  { op: "mount", source: "tmpfs", target: "/r/tmp", filesystemtype: "tmpfs", mountflags: abi.MS_NOSUID, data: "size=0k" },
  { op: "sethostname", name: "box" },
  { op: "umount2", target: ".", flags: abi.MNT_DETACH },
  { op: "getcwd", size: 4096 },
  { op: "mkdir", pathname: "newroot", mode: 0o755 },
  { op: "openat2", dirfd: at, pathname: "/mnt", flags: abi.O_PATH | abi.O_DIRECTORY, mode: 0, resolve: 0x04 },
  { op: "open_tree", dirfd: at, pathname: "/r", flags: 1 | 0x8000 },
  { op: "move_mount", from_dirfd: 5, from_pathname: "", to_dirfd: 6, to_pathname: "", flags: 0x04 | 0x40 },
  { op: "setns", fd: 7, nstype: 0x20000 },
  { op: "mount_setattr", dirfd: 8, pathname: "", flags: 0x1000, attr_set: 1, propagation: abi.MS_PRIVATE },
];
/** A second value for each compared argument: a number changed to one its renderer names differently. */
const OTHER: Record<string, unknown> = {
  dirfd: 9, fd: 5, from_dirfd: 9, to_dirfd: 9,
  pathname: "/s", path: "/s", new_root: "/s", put_old: "/s/old", source: "/dev/sda1", target: "/s", filesystemtype: "ext4",
  data: "size=1k", name: "other", from_pathname: "/a", to_pathname: "/b",
  flags: 0, mode: 0o700, mountflags: abi.MS_NOSUID | abi.MS_NODEV, resolve: 0x02, nstype: 0x10000000, attr_set: 2, propagation: abi.MS_SLAVE,
};

test("every op: the same call is equivalent, and each compared argument changed alone is one difference, in strace's words", () => {
  const lines: string[] = [];
  for (const base of BASE) {
    assert.is(diffs(base, { ...base }), "equivalent", base.op);
    for (const field of Object.keys(base).filter((k) => k !== "op")) lines.push(`${base.op}.${field} → ${diffs(base, { ...base, [field]: OTHER[field] ?? 1 })}`);
  }
  assert.fixture(lines.join("\n"), `openat.dirfd → dirfd: plan AT_FDCWD, log 9
openat.pathname → pathname: plan "/r", log "/s"
openat.flags → flags: plan O_RDONLY|O_DIRECTORY, log O_RDONLY
openat.mode → mode: plan 0, log 0700
read.fd → fd: plan 3, log 5
read.count → equivalent
close.fd → fd: plan 3, log 5
fchdir.fd → fd: plan 4, log 5
chdir.path → path: plan "/r", log "/s"
chroot.path → path: plan ".", log "/s"
pivot_root.new_root → new_root: plan ".", log "/s"
pivot_root.put_old → put_old: plan ".", log "/s/old"
mount.source → source: plan "tmpfs", log "/dev/sda1"
mount.target → target: plan "/r/tmp", log "/s"
mount.filesystemtype → filesystemtype: plan "tmpfs", log "ext4"
mount.mountflags → mountflags: plan MS_NOSUID, log MS_NOSUID|MS_NODEV
mount.data → data: plan "size=0k", log "size=1k"
sethostname.name → name: plan "box", log "other"
umount2.target → target: plan ".", log "/s"
umount2.flags → flags: plan MNT_DETACH, log 0
getcwd.size → equivalent
mkdir.pathname → pathname: plan "newroot", log "/s"
mkdir.mode → mode: plan 0755, log 0700
openat2.dirfd → dirfd: plan AT_FDCWD, log 9
openat2.pathname → pathname: plan "/mnt", log "/s"
openat2.flags → flags: plan O_RDONLY|O_PATH|O_DIRECTORY, log O_RDONLY
openat2.mode → mode: plan 0, log 0700
openat2.resolve → resolve: plan RESOLVE_NO_SYMLINKS, log RESOLVE_NO_MAGICLINKS
open_tree.dirfd → dirfd: plan AT_FDCWD, log 9
open_tree.pathname → pathname: plan "/r", log "/s"
open_tree.flags → flags: plan OPEN_TREE_CLONE|AT_RECURSIVE, log 0
move_mount.from_dirfd → from_dirfd: plan 5, log 9
move_mount.from_pathname → from_pathname: plan "", log "/a"
move_mount.to_dirfd → to_dirfd: plan 6, log 9
move_mount.to_pathname → to_pathname: plan "", log "/b"
move_mount.flags → flags: plan MOVE_MOUNT_F_EMPTY_PATH|MOVE_MOUNT_T_EMPTY_PATH, log 0
setns.fd → fd: plan 7, log 5
setns.nstype → nstype: plan CLONE_NEWNS, log 0x10000000
mount_setattr.dirfd → dirfd: plan 8, log 9
mount_setattr.pathname → pathname: plan "", log "/s"
mount_setattr.flags → flags: plan AT_EMPTY_PATH, log 0
mount_setattr.attr_set → attr_set: plan MOUNT_ATTR_RDONLY, log MOUNT_ATTR_NOSUID
mount_setattr.propagation → propagation: plan MS_PRIVATE, log MS_SLAVE`);
});

test("a call of another op is one difference, the op", () => {
  assert.is(diffs(BASE[2]!, BASE[3]!), "op: plan close, log fchdir");
});

test("the mount arguments the kernel ignores, by do_mount's order of flags", () => {
  const sets: [string, number][] = [
    ["MS_REMOUNT", abi.MS_REMOUNT], ["MS_REMOUNT|MS_BIND", abi.MS_REMOUNT | abi.MS_BIND], ["MS_BIND", abi.MS_BIND],
    ["MS_BIND|MS_REC", abi.MS_BIND | abi.MS_REC], ["MS_PRIVATE", abi.MS_PRIVATE], ["MS_REC|MS_SLAVE", abi.MS_REC | abi.MS_SLAVE],
    ["MS_SHARED", abi.MS_SHARED], ["MS_UNBINDABLE", abi.MS_UNBINDABLE], ["MS_MOVE", abi.MS_MOVE], ["MS_NOSUID (a new mount)", abi.MS_NOSUID],
  ];
  assert.fixture(sets.map(([name, f]) => `${name}: ${[...ignoredMountArgs(f)].sort().join(", ") || "none"}`).join("\n"), `MS_REMOUNT: filesystemtype, source
MS_REMOUNT|MS_BIND: data, filesystemtype, source
MS_BIND: data, filesystemtype
MS_BIND|MS_REC: data, filesystemtype
MS_PRIVATE: data, filesystemtype, source
MS_REC|MS_SLAVE: data, filesystemtype, source
MS_SHARED: data, filesystemtype, source
MS_UNBINDABLE: data, filesystemtype, source
MS_MOVE: data, filesystemtype
MS_NOSUID (a new mount): none`);
});

test("an ignored mount argument: NULL and \"\" are the same, an address hides any string, two strings still differ", () => {
  const m = (mountflags: number, source: string | null | Addr, data: string | null | Addr): Req =>
    ({ op: "mount", source, target: "/r", filesystemtype: null, mountflags, data });
  const addr: Addr = { addr: "0x7ffd1234" };
  assert.fixture([
    diffs(m(abi.MS_PRIVATE, null, null), m(abi.MS_PRIVATE, "", "")),
    diffs(m(abi.MS_PRIVATE, "none", null), m(abi.MS_PRIVATE, addr, addr)),
    diffs(m(abi.MS_PRIVATE, "a", null), m(abi.MS_PRIVATE, "b", null)),
    // A bind's source is used: NULL and "" differ there, and an address proves nothing.
    diffs(m(abi.MS_BIND, null, null), m(abi.MS_BIND, "", null)),
    diffs(m(abi.MS_BIND, "/r", null), m(abi.MS_BIND, addr, null)),
    diffs(m(abi.MS_BIND, "/r", "x"), m(abi.MS_BIND, "/r", addr)),
    // A new mount's data is used.
    diffs(m(0, "tmpfs", "size=0k"), m(0, "tmpfs", addr)),
  ].join("\n"), `equivalent
equivalent
source: plan "a", log "b"
source: plan NULL, log ""
source: plan "/r", log 0x7ffd1234 (strace printed an address, not the string)
equivalent
data: plan "size=0k", log 0x7ffd1234 (strace printed an address, not the string)`);
});

test("results: errnos exactly, `= ?` only against `= ?`, an fd's number and a read's size not compared, getcwd's length not compared", () => {
  const r = (op: Req, planRes: Res, logRes: Res) => `${op.op} ${showResult(planRes)} vs ${showResult(logRes)}: ${diffs(op, op, { planRes, logRes })}`;
  const [openat, read, , , , , , mount, , , getcwd, , openat2, openTree] = BASE as [Req, Req, Req, Req, Req, Req, Req, Req, Req, Req, Req, Req, Req, Req];
  const EPERM = { errno: 1 }, EIO = { errno: 5 }, EINVAL = { errno: 22 };
  assert.fixture([
    r(mount, null, null), r(mount, null, { ret: 0 }), r(mount, { ret: 0 }, null),
    r(mount, EPERM, EPERM), r(mount, EPERM, EINVAL), r(mount, EPERM, { ret: 0 }), r(mount, { ret: 0 }, EINVAL),
    r(mount, { ret: 0 }, { ret: 1 }), r(mount, { ret: 1 }, { ret: 2 }),
    r(openat, { ret: 3 }, { ret: 5 }), r(openat, { ret: 0 }, { ret: 3 }), r(openat, { ret: 3 }, { ret: 0 }), r(openat, { ret: 3 }, EINVAL),
    r(openat, { ret: 3 }, { ret: -1 }), r(openat, { ret: -1 }, { ret: 3 }), // a negative fd with no errno (a hand-written trace)
    r(openat2, { ret: 0 }, { ret: 4 }), r(openTree, { ret: 5 }, { ret: 0 }),
    r(read, { ret: 100 }, { ret: 7 }), r(read, { ret: 0 }, { ret: 0 }), r(read, { ret: 0 }, { ret: 7 }), r(read, EIO, { ret: 7 }), r(read, { ret: 7 }, EIO),
    r(getcwd, { ret: 14 }, { ret: 20 }),
  ].join("\n"), `mount ? vs ?: equivalent
mount ? vs 0: result: plan ?, log 0
mount 0 vs ?: result: plan 0, log ?
mount -1 EPERM vs -1 EPERM: equivalent
mount -1 EPERM vs -1 EINVAL: result: plan -1 EPERM, log -1 EINVAL
mount -1 EPERM vs 0: result: plan -1 EPERM, log 0
mount 0 vs -1 EINVAL: result: plan 0, log -1 EINVAL
mount 0 vs 1: result: plan 0, log 1
mount 1 vs 2: result: plan 1, log 2
openat 3 vs 5: equivalent
openat 0 vs 3: equivalent
openat 3 vs 0: equivalent
openat 3 vs -1 EINVAL: result: plan 3, log -1 EINVAL
openat 3 vs -1: result: plan 3, log -1
openat -1 vs 3: result: plan -1, log 3
openat2 0 vs 4: equivalent
open_tree 5 vs 0: equivalent
read 100 vs 7: equivalent
read 0 vs 0: equivalent
read 0 vs 7: result: plan 0, log 7 (end of file on one side only)
read -1 EIO vs 7: result: plan -1 EIO, log 7
read 7 vs -1 EIO: result: plan 7, log -1 EIO
getcwd 14 vs 20: equivalent`);
});

test("fd arguments: matched by the call that opened them, and each mismatch says what each side's fd is", () => {
  const fchdir: Req = { op: "fchdir", fd: 3 };
  const mount: Req = { op: "mount", source: "/proc/self/fd/3", target: "/r", filesystemtype: null, mountflags: abi.MS_BIND, data: null };
  const map: OriginMap = new Map([[2, 4], [6, 9]]);
  const f = (planFd: FdLabel | undefined, logFd: FdLabel | undefined, req: Req = fchdir, field = "fd") =>
    diffs(req, req, { planFds: planFd === undefined ? {} : { [field]: planFd }, logFds: logFd === undefined ? {} : { [field]: logFd }, map });
  assert.fixture([
    f("o2", "o4"), f("o2", "o5"), f("o6", "o4"), f("o3", "o3"), f("cwd", "cwd"), f("fd:3", "fd:3"), f("fd:3", "fd:4"),
    f("o2", undefined), f(undefined, "o4"), f("cwd", "o4"), f("fd:3", "o4"),
    f("self@o2", "self@o4", mount, "source"), f("self@o2", "thread-self@o4", mount, "source"), f("self@o2", "o4", mount, "source"),
    f("self@fd:3", "self@o4", mount, "source"),
  ].join("\n"), `equivalent
fd: plan 3, log 3 (plan uses the fd of plan call #3, log uses the fd of log call #6; the plan's fd corresponds to log call #5's)
fd: plan 3, log 3 (plan uses the fd of plan call #7, log uses the fd of log call #5; the plan's fd corresponds to log call #10's)
fd: plan 3, log 3 (plan uses the fd of plan call #4, log uses the fd of log call #4)
equivalent
equivalent
fd: plan 3, log 3 (plan uses an fd opened before the plan, log uses an fd opened before the window)
fd: plan 3, log 3 (plan uses the fd of plan call #3, log uses no fd on the log side; the plan's fd corresponds to log call #5's)
fd: plan 3, log 3 (plan uses no fd on the plan side, log uses the fd of log call #5)
fd: plan 3, log 3 (plan uses AT_FDCWD, log uses the fd of log call #5)
fd: plan 3, log 3 (plan uses an fd opened before the plan, log uses the fd of log call #5)
equivalent
source: plan "/proc/self/fd/3", log "/proc/self/fd/3" (plan uses /proc/self/fd: the fd of plan call #3, log uses /proc/thread-self/fd: the fd of log call #5; the plan's fd corresponds to log call #5's)
source: plan "/proc/self/fd/3", log "/proc/self/fd/3" (plan uses /proc/self/fd: the fd of plan call #3, log uses the fd of log call #5; the plan's fd corresponds to log call #5's)
source: plan "/proc/self/fd/3", log "/proc/self/fd/3" (plan uses /proc/self/fd: an fd opened before the plan, log uses /proc/self/fd: the fd of log call #5)`);
  assert.ok(sameFd(undefined, undefined, map), "no fd on either side is the same");
  assert.not.ok(sameFd("o2", undefined, map));
});

test("fd labels along one side: opens start an origin, a successful close ends it, dups copy it, /proc/<self>/fd/N paths are labelled", () => {
  const reqs: (Req | null)[] = [
    { op: "openat", dirfd: at, pathname: "/", flags: 0, mode: 0 }, //          0: fd 0 (stdin closed before)
    { op: "openat", dirfd: at, pathname: "/r", flags: 0, mode: 0 }, //         1: fails
    { op: "openat2", dirfd: 0, pathname: "mnt", flags: 0, mode: 0, resolve: 0 }, // 2: fd 12, relative to call 0's fd
    { op: "dup", fd: 12 }, //                                                  3: → 13, a copy of 12
    { op: "mount", source: "/proc/self/fd/12", target: "/proc/thread-self/fd/13", filesystemtype: null, mountflags: 0, data: null }, // 4
    { op: "close", fd: 13 }, //                                                5: fails: 13 keeps its label
    { op: "fchdir", fd: 13 }, //                                               6
    { op: "close", fd: 12 }, //                                                7: closes 12
    { op: "fchdir", fd: 12 }, //                                               8: 12 is now an fd from before
    null, //                                                                   9: a line that is no call
    { op: "dup", fd: 0 }, //                                                  10: dup whose result was not printed
    { op: "dup", fd: 0 }, //                                                  11: a dup of 0 that fails
    { op: "openat", dirfd: at, pathname: "/x/proc/self/fd/3", flags: 0, mode: 0 }, // 12: not a /proc fd path; no result
    { op: "close", fd: 0 }, //                                                13: closes call 0's fd 0
    { op: "dup", fd: 13 }, //                                                 14: → 0, a copy of 13
    { op: "fchdir", fd: 0 }, //                                               15
    { op: "openat", dirfd: at, pathname: "/proc/self/fd/0", flags: 0, mode: 0 }, // 16: reopens fd 0's file: → 14
    { op: "close", fd: -1 }, //                                               17: EBADF; no failed call above gave -1 a label
  ];
  const rets = [0, -1, 12, 13, 0, -1, 0, 0, 0, null, null, -1, null, 0, 0, 0, 14, -1];
  const dupOf = [null, null, null, 12, null, null, null, null, null, null, 0, 0, null, null, 13, null, null, null];
  const labels = labelFds(reqs, rets, dupOf);
  assert.fixture(labels.map((l, i) => `${i}: ${JSON.stringify(l)}`).join("\n"), `0: {"dirfd":"cwd"}
1: {"dirfd":"cwd"}
2: {"dirfd":"o0"}
3: {"fd":"o2"}
4: {"source":"self@o2","target":"thread-self@o2"}
5: {"fd":"o2"}
6: {"fd":"o2"}
7: {"fd":"o2"}
8: {"fd":"fd:12"}
9: {}
10: {"fd":"o0"}
11: {"fd":"o0"}
12: {"dirfd":"cwd"}
13: {"fd":"o0"}
14: {"fd":"o2"}
15: {"fd":"o2"}
16: {"dirfd":"cwd","pathname":"self@o2"}
17: {"fd":"fd:-1"}`);
});

test.run();
