// Tests written for survivors of `npm run mutate -- src/hosts/fake` in mounts.ts (docs/mutation.md):
// the mount tree's queries and edits as the syscalls show them: "..", a mount's busy references,
// rbind's copy of a subdirectory, the namespace list order of new and moved mounts, mount ids
// after a parsed table, the order of a parent's children after a detached tree is attached, and
// the fake's own lookups naming a missing record.
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  AT_FDCWD, EBUSY, EINVAL, MNT_DETACH, MOVE_MOUNT_F_EMPTY_PATH, MS_BIND, MS_MOVE, MS_REC, MS_SHARED, O_DIRECTORY, O_PATH,
  OPEN_TREE_CLONE,
} from "../src/abi.js";
import type { Request } from "../src/request.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import { fork } from "../src/hosts/fake/build.js";
import { fsOf, mnt } from "../src/hosts/fake/mounts.js";
import { chdir, chroot, close, errnoOf, mount, openat, umount2 } from "./fixtures/fake/calls.js";

/** The namespace's lines after the scenario's eight (43..50), as the current process reads them. */
const tail = (k: FakeKernel): string[] => k.mountinfo().split("\n").filter(Boolean).slice(8);
const points = (k: FakeKernel): string[] => k.mountinfo().split("\n").filter(Boolean).map((l) => l.split(" ")[4]!);

test("\"..\" from a directory inside the root mount climbs one directory (follow_dotdot: only the process root stops it)", () => {
  const k = FakeKernel.scenario("private-host");
  assert.is(errnoOf(k.exec(chdir("/var/lib"))), 0);
  assert.is(errnoOf(k.exec(chdir(".."))), 0);
  assert.is(k.cwd(), "/var");
  assert.is(errnoOf(k.exec(chdir(".."))), 0);
  assert.is(errnoOf(k.exec(chdir(".."))), 0, "at the process root \"..\" stays there");
  assert.is(k.cwd(), "/");
});

test("rbind copies its mounts in tree order, each listed after its parent (commit_tree appends to the namespace list)", () => {
  const k = FakeKernel.scenario("private-host");
  k.mkdir("/mnt/d");
  assert.is(errnoOf(k.exec(mount("/dev", "/mnt/d", null, MS_BIND | MS_REC, null))), 0);
  assert.equal(tail(k), [
    "51 43 0:5 / /mnt/d rw,nosuid,relatime - devtmpfs udev rw,size=4008612k,nr_inodes=1002153,mode=755,inode64",
    "52 51 0:23 / /mnt/d/pts rw,nosuid,noexec,relatime - devpts devpts rw,gid=5,mode=620,ptmxmode=000",
  ]);
});

test("MS_MOVE keeps the mount's id and its place in mountinfo (do_move_mount attaches, never commit_tree)", () => {
  const k = FakeKernel.scenario("private-host");
  k.mkdir("/mnt/m");
  assert.is(errnoOf(k.exec(mount("/run", "/mnt/m", null, MS_MOVE, null))), 0);
  assert.equal(points(k), ["/", "/sys", "/sys/fs/cgroup", "/proc", "/dev", "/dev/pts", "/mnt/m", "/var/lib/pivotshim/rootfs"]);
  assert.match(k.mountinfo(), /^49 43 0:24 \/ \/mnt\/m rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs /m);
});

test("rbind of a subdirectory copies only the submounts below it (copy_tree: is_subdir(r->mnt_mountpoint, dentry))", () => {
  const k = FakeKernel.scenario("private-host");
  k.mkdir("/sys/a/b").mkdir("/mnt/s");
  // /sys/fs/cgroup is a submount of /sys, but not under /sys/a: it is not copied.
  assert.is(errnoOf(k.exec(mount("/sys/a", "/mnt/s", null, MS_BIND | MS_REC, null))), 0);
  assert.equal(tail(k), ["51 43 0:21 /a /mnt/s rw,nosuid,nodev,noexec,relatime - sysfs sysfs rw"]);
});

test("rbind of a subdirectory copies the whole tree of each submount below it, nested ones too (copy_tree: next_mnt)", () => {
  const k = FakeKernel.scenario("private-host");
  k.mkdir("/sys/a/b").mkdir("/mnt/s");
  assert.is(errnoOf(k.exec(mount("tmpfs", "/sys/a/b", "tmpfs", 0, null))), 0);
  k.mkdir("/sys/a/b/y");
  assert.is(errnoOf(k.exec(mount("tmpfs", "/sys/a/b/y", "tmpfs", 0, null))), 0);
  // Only the submounts of the top are judged against the bound directory; deeper ones come along.
  assert.is(errnoOf(k.exec(mount("/sys/a", "/mnt/s", null, MS_BIND | MS_REC, null))), 0);
  assert.equal(tail(k), [
    "51 44 0:100 / /sys/a/b rw,relatime - tmpfs tmpfs rw",
    "52 51 0:101 / /sys/a/b/y rw,relatime - tmpfs tmpfs rw",
    "53 43 0:21 /a /mnt/s rw,nosuid,nodev,noexec,relatime - sysfs sysfs rw",
    "54 53 0:100 / /mnt/s/b rw,relatime - tmpfs tmpfs rw",
    "55 54 0:101 / /mnt/s/b/y rw,relatime - tmpfs tmpfs rw",
  ]);
});

test("rbind in a user-namespace-owned namespace keeps the submounts' MNT_LOCKED (copy_tree copies it)", () => {
  const k = FakeKernel.scenario("rootless");
  k.mkdir("/mnt/s");
  assert.is(errnoOf(k.exec(mount("/sys", "/mnt/s", null, MS_BIND | MS_REC, null))), 0);
  assert.equal(tail(k), [
    "51 43 0:21 / /mnt/s rw,nosuid,nodev,noexec,relatime master:2 - sysfs sysfs rw",
    "52 51 0:25 / /mnt/s/fs/cgroup rw,nosuid,nodev,noexec,relatime master:7 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot",
  ]);
  // can_umount: a locked mount cannot be unmounted alone; the copy's top (not locked) can, with it.
  assert.is(errnoOf(k.exec(umount2("/mnt/s/fs/cgroup", MNT_DETACH))), EINVAL);
  assert.is(errnoOf(k.exec(umount2("/mnt/s", MNT_DETACH))), 0);
  assert.equal(tail(k), []);
});

test("umount2 without MNT_DETACH: a cwd or an open fd on the mount is EBUSY, an fd elsewhere is not (do_umount: propagate_mount_busy)", () => {
  const k = FakeKernel.scenario("private-host");
  k.mkdir("/mnt/t");
  const tmpfs = () => assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt/t", "tmpfs", 0, null))), 0);
  tmpfs();
  // The process's cwd holds a reference.
  assert.is(errnoOf(k.exec(chdir("/mnt/t"))), 0);
  assert.is(errnoOf(k.exec(umount2("/mnt/t", 0))), EBUSY);
  assert.is(errnoOf(k.exec(chdir("/"))), 0);
  assert.is(errnoOf(k.exec(umount2("/mnt/t", 0))), 0);
  // So does an open fd, O_PATH included, until it is closed.
  tmpfs();
  assert.equal(k.exec(openat("/mnt/t", O_PATH | O_DIRECTORY)), { ret: 3 });
  assert.is(errnoOf(k.exec(umount2("/mnt/t", 0))), EBUSY);
  assert.is(errnoOf(k.exec(close(3))), 0);
  assert.is(errnoOf(k.exec(umount2("/mnt/t", 0))), 0);
  // An fd on another mount (and the tty on 0-2) holds nothing here.
  tmpfs();
  assert.equal(k.exec(openat("/run", O_PATH | O_DIRECTORY)), { ret: 3 });
  assert.is(errnoOf(k.exec(umount2("/mnt/t", 0))), 0);
  assert.not.ok(points(k).includes("/mnt/t"));
});

test("umount2 without MNT_DETACH: another process's root on the mount is EBUSY (do_umount: its fs_struct holds a reference)", () => {
  const k = FakeKernel.scenario("private-host");
  k.mkdir("/mnt/t");
  assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt/t", "tmpfs", 0, null))), 0);
  // A forked process in the same namespace chroots into the mount, then the first one unmounts it.
  const me = k.state.current;
  k.state.current = fork(k.state, k.process).pid;
  assert.is(errnoOf(k.exec(chroot("/mnt/t"))), 0);
  k.state.current = me;
  assert.is(errnoOf(k.exec(umount2("/mnt/t", 0))), EBUSY);
  assert.is(errnoOf(k.exec(umount2("/mnt/t", MNT_DETACH))), 0, "a lazy unmount does not wait for it");
});

test("a mount made after a parsed table gets an id no parsed mount has (consecutive ids 21, 22: the next is 23)", () => {
  // Real tables list consecutive ids; the last one must still be taken (the fake hands out ids above
  // the table's; the kernel's IDA the lowest free one: either way never an id in use).
  const k = FakeKernel.fromMountinfo("21 1 8:1 / / rw - ext4 /dev/sda1 rw\n22 21 0:5 / /proc rw - proc proc rw\n");
  k.mkdir("/mnt");
  assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt", "tmpfs", 0, null))), 0);
  assert.is(k.mountinfo(), [
    "21 1 8:1 / / rw - ext4 /dev/sda1 rw",
    "22 21 0:5 / /proc rw - proc proc rw",
    "23 21 0:100 / /mnt rw,relatime - tmpfs tmpfs rw",
    "",
  ].join("\n"));
});

/** The lines under /mnt, by mount id (on Linux 6.18 that is their mountinfo order here; see the test). */
const underMnt = (k: FakeKernel): string[] => k.mountinfo().split("\n").filter((l) => / \/mnt\//.test(l))
  .sort((a, b) => Number(a.split(" ")[0]) - Number(b.split(" ")[0]));
const c = { seq: 0, step: "x", reason: "" };

test("a detached tree attached by move_mount is its parent's last child: rbind copies it last, MS_REC|MS_SHARED numbers it last (attach_mnt: list_add_tail on mnt_mounts; copy_tree and do_change_type walk next_mnt)", () => {
  const k = FakeKernel.scenario("private-host");
  k.mkdir("/mnt/p").mkdir("/mnt/src").mkdir("/mnt/r");
  assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt/p", "tmpfs", 0, null))), 0);
  k.mkdir("/mnt/p/x").mkdir("/mnt/p/y");
  assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt/src", "tmpfs", 0, null))), 0);
  // The clone (53) is made before the tmpfs on /mnt/p/y (54) but attached after it.
  const tree: Request = { ...c, op: "open_tree", dirfd: AT_FDCWD, pathname: "/mnt/src", flags: OPEN_TREE_CLONE };
  assert.equal(k.exec(tree), { ret: 3 });
  assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt/p/y", "tmpfs", 0, null))), 0);
  const move: Request = { ...c, op: "move_mount", from_dirfd: 3, from_pathname: "", to_dirfd: AT_FDCWD, to_pathname: "/mnt/p/x", flags: MOVE_MOUNT_F_EMPTY_PATH };
  assert.is(errnoOf(k.exec(move)), 0);
  assert.is(errnoOf(k.exec(mount("/mnt/p", "/mnt/r", null, MS_BIND | MS_REC, null))), 0);
  assert.is(errnoOf(k.exec(mount(null, "/mnt/p", null, MS_SHARED | MS_REC, null))), 0);
  // Run on Linux 6.18 (unshare -m, the same steps): 68 /mnt/p/x, 69 /mnt/p/y; the rbind's copies 71
  // /mnt/r/y then 72 /mnt/r/x; shared:2 for /mnt/p/y, shared:3 for /mnt/p/x. Sorted by id here:
  // the listing order (by allocation, as Linux 6.18 lists) is test/kernel-oracle-order.test.ts's.
  assert.equal(underMnt(k), [
    "51 43 0:100 / /mnt/p rw,relatime shared:1 - tmpfs tmpfs rw",
    "52 43 0:101 / /mnt/src rw,relatime - tmpfs tmpfs rw",
    "53 51 0:101 / /mnt/p/x rw,relatime shared:3 - tmpfs tmpfs rw",
    "54 51 0:102 / /mnt/p/y rw,relatime shared:2 - tmpfs tmpfs rw",
    "55 43 0:100 / /mnt/r rw,relatime - tmpfs tmpfs rw",
    "56 55 0:102 / /mnt/r/y rw,relatime - tmpfs tmpfs rw",
    "57 55 0:101 / /mnt/r/x rw,relatime - tmpfs tmpfs rw",
  ]);
});

test("the fake's own lookups name a mount or superblock it does not have (a bug in the fake, never an errno: mounts and superblocks are never deleted)", () => {
  const k = FakeKernel.scenario("private-host");
  assert.throws(() => mnt(k.state, 999), (e: unknown) => e instanceof RangeError && e.message === "no mount 999");
  const m = { ...mnt(k.state, 43), fs: 999 };
  assert.throws(() => fsOf(k.state, m), (e: unknown) => e instanceof RangeError && e.message === "no filesystem 999");
  assert.is(fsOf(k.state, mnt(k.state, 43)).fstype, "ext4");
});

test.run();
