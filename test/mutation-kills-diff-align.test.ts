// How diff pairs plan steps with logged calls (src/diff/align.ts), on small hand-made sides: a
// differing call is shown as the step's counterpart only when it acts on the same thing (a mount's
// target, an open's path, the fd a call uses), else the step is missing and the call is extra;
// equal calls tie to the latest, unless the earliest matches strictly more steps. A Stryker run of
// align.ts left 66 of 219 mutants alive (docs/mutation.md, "align.ts").
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import { align } from "../src/diff/align.js";
import { labelFds, type Side } from "../src/diff/compare.js";

type Req = { op: string } & Record<string, unknown>;
type Call = [Req, number];

/** Sides for calls with their return values, fds labelled along the side as diff does. */
function sides(calls: Call[]): Side[] {
  const labels = labelFds(calls.map(([r]) => r), calls.map(([, ret]) => ret));
  return calls.map(([req, ret], i) => ({ req: req as never, result: { ret }, fds: labels[i]! }));
}

/** The alignment in one line per plan step: `step → log N (fields)`, `missing`; then the extra calls. */
function shown(plan: Call[], log: Call[]): string {
  const a = align(sides(plan), sides(log));
  const steps = a.pairs.map((p) => `${p.plan} → ${p.log === null ? "missing" : `log ${p.log}${p.diffs.length ? ` (${p.diffs.map((d) => d.field).join(", ")} differ)` : ""}`}`);
  return [...steps, `extra: ${a.unpaired.join(", ") || "none"}`].join("\n");
}

const at = abi.AT_FDCWD;
const open = (pathname: string, flags = abi.O_RDONLY): Req => ({ op: "openat", dirfd: at, pathname, flags, mode: 0 });

test("a differing call is the step's counterpart only when it acts on the same thing", () => {
  const rows: [string, Call[], Call[]][] = [
    ["openat, same path", [[open("/r"), 3]], [[open("/r", abi.O_RDONLY | abi.O_CLOEXEC), 3]]],
    ["openat, another path", [[open("/r"), 3]], [[open("/s"), 3]]],
    ["openat2, same path", [[{ op: "openat2", dirfd: at, pathname: "/m", flags: abi.O_PATH, mode: 0, resolve: 4 }, 3]], [[{ op: "openat2", dirfd: at, pathname: "/m", flags: abi.O_PATH, mode: 0, resolve: 2 }, 3]]],
    ["openat2, another path", [[{ op: "openat2", dirfd: at, pathname: "/m", flags: abi.O_PATH, mode: 0, resolve: 4 }, 3]], [[{ op: "openat2", dirfd: at, pathname: "/n", flags: abi.O_PATH, mode: 0, resolve: 4 }, 3]]],
    ["mount, same target", [[{ op: "mount", source: null, target: "/r", filesystemtype: null, mountflags: abi.MS_PRIVATE, data: null }, 0]],
      [[{ op: "mount", source: null, target: "/r", filesystemtype: null, mountflags: abi.MS_SLAVE, data: null }, 0]]],
    ["mount, another target", [[{ op: "mount", source: null, target: "/r", filesystemtype: null, mountflags: abi.MS_PRIVATE, data: null }, 0]],
      [[{ op: "mount", source: null, target: "/s", filesystemtype: null, mountflags: abi.MS_PRIVATE, data: null }, 0]]],
    // A target given as /proc/self/fd/N is the fd's file: matched through the open that made it.
    ["mount on /proc/self/fd/3, the same open", [[open("/r"), 3], [{ op: "mount", source: null, target: "/proc/self/fd/3", filesystemtype: null, mountflags: abi.MS_PRIVATE, data: null }, 0]],
      [[open("/r"), 3], [{ op: "mount", source: null, target: "/proc/self/fd/3", filesystemtype: null, mountflags: abi.MS_SLAVE, data: null }, 0]]],
    ["mount on /proc/self/fd/3, another file", [[open("/r"), 3], [{ op: "mount", source: null, target: "/proc/self/fd/3", filesystemtype: null, mountflags: abi.MS_PRIVATE, data: null }, 0]],
      [[open("/r"), 4], [{ op: "mount", source: null, target: "/proc/self/fd/3", filesystemtype: null, mountflags: abi.MS_PRIVATE, data: null }, 0]]],
    ["mount on /proc/self/fd/3 in the plan, on a path in the log", [[open("/r"), 3], [{ op: "mount", source: null, target: "/proc/self/fd/3", filesystemtype: null, mountflags: abi.MS_PRIVATE, data: null }, 0]],
      [[open("/r"), 3], [{ op: "mount", source: null, target: "/r", filesystemtype: null, mountflags: abi.MS_PRIVATE, data: null }, 0]]],
    ["umount2, another target", [[{ op: "umount2", target: ".", flags: abi.MNT_DETACH }, 0]], [[{ op: "umount2", target: "/old", flags: abi.MNT_DETACH }, 0]]],
    ["close of the same open's fd", [[open("/r"), 3], [{ op: "close", fd: 3 }, 0]], [[open("/r"), 3], [{ op: "close", fd: 3 }, -1]]],
    ["close of another fd", [[open("/r"), 3], [{ op: "close", fd: 3 }, 0]], [[open("/r"), 3], [{ op: "close", fd: 4 }, 0]]],
    ["open_tree of the same dirfd", [[open("/r"), 3], [{ op: "open_tree", dirfd: 3, pathname: "", flags: 1 }, 4]], [[open("/r"), 3], [{ op: "open_tree", dirfd: 3, pathname: "", flags: 0x8001 }, 4]]],
    ["open_tree of another dirfd", [[open("/r"), 3], [{ op: "open_tree", dirfd: 3, pathname: "", flags: 1 }, 4]], [[open("/r"), 3], [{ op: "open_tree", dirfd: 5, pathname: "", flags: 1 }, 4]]],
    ["move_mount from the same fd", [[open("/r"), 3], [{ op: "move_mount", from_dirfd: 3, from_pathname: "", to_dirfd: at, to_pathname: "/m", flags: 4 }, 0]],
      [[open("/r"), 3], [{ op: "move_mount", from_dirfd: 3, from_pathname: "", to_dirfd: at, to_pathname: "/n", flags: 4 }, 0]]],
    ["move_mount from another fd", [[open("/r"), 3], [{ op: "move_mount", from_dirfd: 3, from_pathname: "", to_dirfd: at, to_pathname: "/m", flags: 4 }, 0]],
      [[open("/r"), 3], [{ op: "move_mount", from_dirfd: 5, from_pathname: "", to_dirfd: at, to_pathname: "/m", flags: 4 }, 0]]],
    ["setns of another fd", [[open("/r"), 3], [{ op: "setns", fd: 3, nstype: 0x20000 }, 0]], [[open("/r"), 3], [{ op: "setns", fd: 6, nstype: 0x20000 }, 0]]],
    ["mount_setattr of another dirfd", [[open("/r"), 3], [{ op: "mount_setattr", dirfd: 3, pathname: "", flags: 0x1000, attr_set: 1, propagation: 0 }, 0]],
      [[open("/r"), 3], [{ op: "mount_setattr", dirfd: 7, pathname: "", flags: 0x1000, attr_set: 1, propagation: 0 }, 0]]],
    ["chdir, another path (what a chdir acts on is its argument: it pairs anyway)", [[{ op: "chdir", path: "/r" }, 0]], [[{ op: "chdir", path: "/s" }, 0]]],
  ];
  assert.fixture(rows.map(([name, plan, log]) => `${name}:\n${shown(plan, log).replace(/^/gm, "  ")}`).join("\n"), `openat, same path:
  0 → log 0 (flags differ)
  extra: none
openat, another path:
  0 → missing
  extra: 0
openat2, same path:
  0 → log 0 (resolve differ)
  extra: none
openat2, another path:
  0 → missing
  extra: 0
mount, same target:
  0 → log 0 (mountflags differ)
  extra: none
mount, another target:
  0 → missing
  extra: 0
mount on /proc/self/fd/3, the same open:
  0 → log 0
  1 → log 1 (mountflags differ)
  extra: none
mount on /proc/self/fd/3, another file:
  0 → log 0
  1 → missing
  extra: 1
mount on /proc/self/fd/3 in the plan, on a path in the log:
  0 → log 0
  1 → missing
  extra: 1
umount2, another target:
  0 → missing
  extra: 0
close of the same open's fd:
  0 → log 0
  1 → log 1 (result differ)
  extra: none
close of another fd:
  0 → log 0
  1 → missing
  extra: 1
open_tree of the same dirfd:
  0 → log 0
  1 → log 1 (flags differ)
  extra: none
open_tree of another dirfd:
  0 → log 0
  1 → missing
  extra: 1
move_mount from the same fd:
  0 → log 0
  1 → log 1 (to_pathname differ)
  extra: none
move_mount from another fd:
  0 → log 0
  1 → missing
  extra: 1
setns of another fd:
  0 → log 0
  1 → missing
  extra: 1
mount_setattr of another dirfd:
  0 → log 0
  1 → missing
  extra: 1
chdir, another path (what a chdir acts on is its argument: it pairs anyway):
  0 → log 0 (path differ)
  extra: none`);
});

test("equal calls tie to the latest; the earliest wins only when it matches strictly more steps", () => {
  const chdir = (path: string): Req => ({ op: "chdir", path });
  assert.fixture([
    shown([[chdir("/"), 0]], [[chdir("/"), 0], [chdir("/"), 0]]),
    // Neither chdir matches: equal counts keep the latest.
    shown([[chdir("/a"), 0]], [[chdir("/b"), 0], [chdir("/c"), 0]]),
    // LXC opens the same path twice: the latest open leaves the fchdir's fd unmatched, the earliest does not.
    shown([[open("/m"), 3], [{ op: "fchdir", fd: 3 }, 0]], [[open("/m"), 3], [open("/m"), 4], [{ op: "fchdir", fd: 3 }, 0]]),
  ].join("\n--\n"), `0 → log 1
extra: 0
--
0 → log 1 (path differ)
extra: 0
--
0 → log 0
1 → log 2
extra: 1`);
});

test.run();
