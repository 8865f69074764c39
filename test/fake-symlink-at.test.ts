// FakeKernel.symlinkAt: symlink(2) on the model, by mkdir(2)'s own lookup (src/hosts/fake/sys-mkdir.ts),
// which the kernel oracle uses to put its links where Linux does. The errnos were recorded on Linux
// 6.18 with Python's os.symlink in a scratch directory (a dir "d"), and on /proc, as root.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import type { Result } from "../src/request.js";

const ROOTFS = "1 0 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n2 1 0:2 / /proc rw,relatime shared:2 - proc proc rw\n";
const kernel = () => FakeKernel.fromMountinfo(ROOTFS).mkdir("/s/d");
const errnoOf = (r: Result): number => ("errno" in r ? r.errno : 0);

test("symlink(2)'s errnos as Linux 6.18 gave them: a trailing slash, an existing name, '.', an empty target, a missing or file parent, procfs", () => {
  const k = kernel();
  const rows: [string, string, number][] = [
    ["a", "/s/n/", abi.ENOENT], // a new name ending in "/" asks for a directory
    ["a", "/s/d/", abi.EEXIST],
    ["a", "/s/d", abi.EEXIST],
    ["a", "/s/.", abi.EEXIST],
    ["", "/s/e", abi.ENOENT],
    ["a", "/s/nope/x", abi.ENOENT],
    ["a", "/proc/self/mountinfo/x", abi.ENOTDIR], // a file as the parent
    ["a", "/proc/xx", abi.ENOENT],
    ["a", "/proc/self/fd/zz", abi.ENOENT],
  ];
  assert.equal(rows.map(([t, p]) => [p, errnoOf(k.symlinkAt(t, p))]), rows.map(([, p, e]) => [p, e]));
});

test("a new link is where the lookup of its parent ends (through a link too), and reads as a link there", () => {
  const k = kernel();
  assert.is(errnoOf(k.symlinkAt("d", "/s/l")), 0);
  assert.is(errnoOf(k.symlinkAt("/s/d", "/s/l/in")), 0, "its parent /s/l is followed to /s/d");
  const fd = k.exec({ seq: 0, step: "t", reason: "t", op: "openat", dirfd: abi.AT_FDCWD, pathname: "/s/d/in", flags: abi.O_PATH | abi.O_NOFOLLOW | abi.O_CLOEXEC, mode: 0 });
  assert.ok("ret" in fd, "the link is in /s/d");
  const dir = k.exec({ seq: 0, step: "t", reason: "t", op: "openat", dirfd: abi.AT_FDCWD, pathname: "/s/d/in", flags: abi.O_PATH | abi.O_DIRECTORY | abi.O_CLOEXEC, mode: 0 });
  assert.ok("ret" in dir, "followed, it leads to /s/d, a directory");
  assert.is(errnoOf(k.symlinkAt("x", "/s/d/in")), abi.EEXIST, "a symlink is not followed at the last component");
});

test.run();
