// Tests written for survivors of `npm run mutate -- src/hosts/fake` in build.ts (docs/mutation.md):
// what a model built from a mountinfo text, a new superblock and an unshare start with: one tree per
// superblock, fresh devs, the namespace's owner, atime locks, and FakeKernel.mkdir/symlink paths;
// optional fields' values, and the order unshare copies a namespace in.
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  AT_FDCWD, ENOENT, EPERM, MNT_DETACH, MOVE_MOUNT_F_EMPTY_PATH, MS_BIND, MS_NOATIME, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_REMOUNT, OPEN_TREE_CLONE,
} from "../src/abi.js";
import * as abi from "../src/abi.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import { chdir, errnoOf, mount, umount2 } from "./fixtures/fake/calls.js";

const line = (k: FakeKernel, mp: string) => k.mountinfo().split("\n").find((l) => l.split(" ")[4] === mp) ?? "";

test("a process starts with fds 0-2 on the terminal", () => {
  assert.equal(FakeKernel.scenario("private-host").fdTable(), [
    { fd: 0, kind: "tty", mount: 0, ino: 0, cloexec: false },
    { fd: 1, kind: "tty", mount: 0, ino: 0, cloexec: false },
    { fd: 2, kind: "tty", mount: 0, ino: 0, cloexec: false },
  ]);
});

test("a new superblock's tree: tmpfs is empty, proc has self/, sysfs has fs/cgroup (the mount point cgroup2 needs)", () => {
  const k = FakeKernel.scenario("private-host");
  k.mkdir("/mnt/t").mkdir("/mnt/p").mkdir("/mnt/s");
  assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt/t", "tmpfs", 0, null))), 0);
  assert.is(errnoOf(k.exec(mount("proc", "/mnt/p", "proc", 0, null))), 0);
  assert.is(errnoOf(k.exec(mount("sysfs", "/mnt/s", "sysfs", 0, null))), 0);
  assert.equal(["/mnt/t/self", "/mnt/p/self", "/mnt/s/fs/cgroup", "/mnt/s/self"].map((p) => errnoOf(k.exec(chdir(p)))), [ENOENT, 0, 0, ENOENT]);
});

/** One dev (0:50) with two super option sets and two types (three superblocks); an 8:200 disk; anonymous 0:120. */
const TABLE = [
  "21 1 8:1 / / rw - ext4 /dev/sda1 rw",
  "22 21 0:50 / /a rw - tmpfs t rw,size=1k",
  "23 21 0:50 / /b rw - tmpfs t rw,size=2k",
  "24 21 0:50 / /c rw - tmpfs t rw,size=1k",
  "25 21 0:50 / /d rw - ramfs t rw,size=1k",
  "26 21 8:200 / /e rw - ext4 /dev/sdb rw",
  "27 21 0:120 / /f rw - tmpfs t rw",
  "28 21 0:50 / /g rw - ramfs t rw,size=1k",
  "",
].join("\n");

test("fromMountinfo: lines with the same dev, type and super options share one superblock (one dentry tree); others do not", () => {
  const k = FakeKernel.fromMountinfo(TABLE);
  k.mkdir("/a/x");
  // /c is the same superblock as /a (a bind mount of it); /b (other options) and /d (other type) are not.
  assert.equal(["/a/x", "/b/x", "/c/x", "/d/x"].map((p) => errnoOf(k.exec(chdir(p)))), [0, ENOENT, 0, ENOENT]);
  k.mkdir("/d/y"); // and /g is /d's (the third superblock on 0:50)
  assert.equal(["/d/y", "/g/y", "/a/y"].map((p) => errnoOf(k.exec(chdir(p)))), [0, 0, ENOENT]);
});

test("fromMountinfo: a new superblock's anonymous dev is above the table's anonymous (major 0) ones, not a disk's minor", () => {
  const k = FakeKernel.fromMountinfo(TABLE);
  k.mkdir("/mnt");
  assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt", "tmpfs", 0, null))), 0);
  assert.is(line(k, "/mnt"), "29 21 0:121 / /mnt rw,relatime - tmpfs tmpfs rw");
});

test("fromMountinfo: an optional field it does not know is dropped, not read as unbindable", () => {
  assert.is(FakeKernel.fromMountinfo("21 1 8:1 / / rw foo:3 - ext4 /dev/sda1 rw\n").mountinfo(), "21 1 8:1 / / rw - ext4 /dev/sda1 rw\n");
});

test("fromMountinfo: a tag is known by its whole name; one that only starts with a known name (sharedx:5, unbindable2) is dropped", () => {
  for (const tag of ["sharedx:5", "shared_by:7", "masterful:3", "unbindable2", "propagate_fromx:2"])
    assert.is(FakeKernel.fromMountinfo(`21 1 8:1 / / rw ${tag} - ext4 /dev/sda1 rw\n`).mountinfo(), "21 1 8:1 / / rw - ext4 /dev/sda1 rw\n", tag);
});

test("fromMountinfo: a hand-written dev with leading zeros (00:5, 00200:7) is not taken as anonymous: new devs stay at 0:100", () => {
  // The kernel writes devs as %u:%u; a table typed by hand may not. Only a literal "0:" major is anonymous.
  for (const dev of ["00:5", "012:5", "00200:7"]) {
    const k = FakeKernel.fromMountinfo(`21 1 ${dev} / / rw - ext4 /dev/sda1 rw\n`);
    k.mkdir("/mnt");
    assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt", "tmpfs", 0, null))), 0);
    assert.is(line(k, "/mnt"), "22 21 0:100 / /mnt rw,relatime - tmpfs tmpfs rw", dev);
  }
});

test("fromMountinfo with userns: the namespace is user-namespace-owned (do_umount_root: EPERM on the host's superblock)", () => {
  const text = "21 1 8:1 / / rw - ext4 /dev/sda1 rw\n";
  assert.is(errnoOf(FakeKernel.fromMountinfo(text, { userns: true }).exec(umount2("/", 0))), EPERM);
  const host = FakeKernel.fromMountinfo(text);
  assert.is(errnoOf(host.exec(umount2("/", 0))), 0, "owned by the initial user namespace: remounted read-only");
  assert.is(host.mountinfo(), "21 1 8:1 / / rw - ext4 /dev/sda1 ro\n");
});

test("unshare(CLONE_NEWNS) without a new user namespace keeps the owner: still no devtmpfs (FS_USERNS_MOUNT)", () => {
  const k = FakeKernel.scenario("rootless").unshare();
  k.mkdir("/mnt/x");
  assert.is(errnoOf(k.exec(mount("none", "/mnt/x", "devtmpfs", 0, null))), EPERM);
  assert.is(errnoOf(k.exec(mount("none", "/mnt/x", "tmpfs", 0, null))), 0);
});

test("unshare(CLONE_NEWNS) without a user namespace locks no atime: remount relatime -> noatime is allowed (can_change_locked_flags)", () => {
  const k = FakeKernel.scenario("private-host");
  assert.is(errnoOf(k.exec(mount(null, "/run", null, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME, null))), 0);
  assert.is(line(k, "/run"), "49 43 0:24 / /run rw,nosuid,nodev,noexec,noatime - tmpfs tmpfs rw,size=812344k,mode=755,inode64");
});

test("unshare(CLONE_NEWNS) copies only the caller's namespace, parents before children, with the next ids (copy_mnt_ns)", () => {
  // docker-host: the host namespace (ids 1..) and the container's (42 its hidden root, 43..50). The
  // copy of the container's takes 51 (hidden root), 52..59, none of the host's.
  const k = FakeKernel.scenario("docker-host").unshare();
  assert.equal(k.mountinfo().split("\n").filter(Boolean).map((l) => l.split(" ").slice(0, 5).join(" ")), [
    "52 51 8:1 / /", "53 52 0:21 / /sys", "54 53 0:25 / /sys/fs/cgroup", "55 52 0:22 / /proc", "56 52 0:5 / /dev",
    "57 56 0:23 / /dev/pts", "58 52 0:24 / /run", "59 52 0:45 / /var/lib/pivotshim/rootfs",
  ]);
  assert.is(k.state.nextMountId, 60);
});

test("FakeKernel.mkdir and .symlink take paths relative to the cwd, with \".\" and doubled slashes", () => {
  const k = FakeKernel.scenario("private-host");
  assert.is(errnoOf(k.exec(chdir("/run"))), 0);
  k.mkdir("a/./b//c").symlink("l", "a/b").symlink("./m", "/dev").mkdir("/q/r");
  assert.is(errnoOf(k.exec(chdir("/q/r"))), 0, "an absolute path starts at the root, not the cwd");
  assert.is(errnoOf(k.exec(chdir("/run"))), 0);
  assert.is(errnoOf(k.exec(chdir("/run/a/b/c"))), 0, "mkdir made it under the cwd");
  assert.is(errnoOf(k.exec(chdir("/run/l/c"))), 0, "symlink l in the cwd, relative target");
  assert.is(k.cwd(), "/run/a/b/c");
  assert.is(errnoOf(k.exec(chdir("/run/m/pts"))), 0);
  assert.is(k.cwd(), "/dev/pts");
  k.symlink("/top", "/run");
  assert.is(errnoOf(k.exec(chdir("/top/a"))), 0, "a symlink directly under /");
  assert.is(k.cwd(), "/run/a");
});

test("fromMountinfo: a dev's second line with another type is another superblock, also when the dev has only one so far", () => {
  // The dev's first superblock is kept alone (not in a list) until a second one appears: that
  // single one is compared by type as well as by super options.
  const k = FakeKernel.fromMountinfo("21 1 8:1 / / rw - ext4 /dev/sda1 rw\n22 21 0:60 / /a rw - tmpfs t rw\n23 21 0:60 / /b rw - ramfs t rw\n");
  k.mkdir("/a/x");
  assert.equal(["/a/x", "/b/x"].map((p) => errnoOf(k.exec(chdir(p)))), [0, ENOENT]);
});

test("fromMountinfo: a known tag's value is one group ID: shared:5:9 is refused (split(\":\")[1] once read it as peer group 5); the largest ID round-trips", () => {
  assert.throws(() => FakeKernel.fromMountinfo("21 1 8:1 / / rw shared:5:9 - ext4 /dev/sda1 rw\n"), /line 1: field 7: the kernel writes shared:N/);
  const max = "21 1 8:1 / / rw shared:2147483647 master:2147483646 propagate_from:1 unbindable - ext4 /dev/sda1 rw\n";
  assert.is(FakeKernel.fromMountinfo(max).mountinfo(), max);
});

const ids = (k: FakeKernel): string[] => k.mountinfo().split("\n").filter(Boolean).map((l) => `${l.split(" ")[0]} ${l.split(" ")[4]}`);

test("unshare(CLONE_NEWNS) of a table whose root names parent 0: the hidden root (mount 0) is copied first, as copy_tree starts at the namespace's root (copy_mnt_ns)", () => {
  // Mount 0 (the hidden rootfs) and "/" (parent 0, so listed under it too) are both roots of the
  // namespace; the older one, mount 0, is taken first: its copy gets 23, "/" 24, /dev 25.
  const k = FakeKernel.fromMountinfo("21 0 8:1 / / rw - ext4 /dev/sda1 rw\n22 21 0:5 / /dev rw - devtmpfs udev rw\n").unshare();
  assert.equal(ids(k), ["24 /", "25 /dev"]);
  assert.is(k.mountinfo().split("\n")[1]!.split(" ")[1], "24", "/dev's parent is the copy of /");
  // The copy of "/" is a root again (parent 0, shown as itself, as "/" was), not a child of mount 0's copy.
  assert.is(k.mountinfo().split("\n")[0]!.split(" ")[1], "24", "the copy of / names itself as parent");
});

test("unshare(CLONE_NEWNS) copies a parent's children in the order they were attached, not created (copy_tree, next_mnt over mnt_mounts)", () => {
  // open_tree(OPEN_TREE_CLONE) makes /run's copy (51) before the tmpfs (52), but move_mount
  // attaches it after the tmpfs: __attach_mnt adds it at the tail of 43's mnt_mounts, so its
  // copy comes last.
  const k = FakeKernel.scenario("private-host");
  k.mkdir("/mnt/a").mkdir("/mnt/b");
  assert.equal(k.exec({ seq: 0, step: "x", reason: "", op: "open_tree", dirfd: AT_FDCWD, pathname: "/run", flags: OPEN_TREE_CLONE }), { ret: 3 });
  assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt/a", "tmpfs", 0, null))), 0);
  const move = { seq: 0, step: "x", reason: "", op: "move_mount", from_dirfd: 3, from_pathname: "", to_dirfd: AT_FDCWD, to_pathname: "/mnt/b", flags: MOVE_MOUNT_F_EMPTY_PATH } as const;
  assert.equal(k.exec(move), { ret: 0 });
  // Listed in the order they were made (mnt_id_unique): the clone first, as Linux 6.18 lists it
  // (test/kernel-oracle-order.test.ts), though it was attached second.
  assert.equal(ids(k).slice(-2), ["51 /mnt/b", "52 /mnt/a"]);
  k.unshare();
  assert.equal(ids(k).slice(-3), ["61 /var/lib/pivotshim/rootfs", "62 /mnt/a", "63 /mnt/b"]);
});

test("fromMountinfo: of a dev's superblocks, a line joins the one with its type and its super options, not the first of its type", () => {
  // 0:60 has three: tmpfs size=1k, tmpfs size=2k (a list by then), and /c, tmpfs size=2k again, is the second.
  const k = FakeKernel.fromMountinfo([
    "21 1 8:1 / / rw - ext4 /dev/sda1 rw", "22 21 0:60 / /a rw - tmpfs t rw,size=1k", "23 21 0:60 / /b rw - tmpfs t rw,size=2k",
    "24 21 0:60 / /c rw - tmpfs t rw,size=2k", "",
  ].join("\n"));
  k.mkdir("/b/x");
  assert.equal(["/a/x", "/b/x", "/c/x"].map((p) => errnoOf(k.exec(chdir(p)))), [ENOENT, 0, 0]);
});

test("FakeKernel.symlink with a bare name of several letters makes the link in the cwd itself", () => {
  const k = FakeKernel.scenario("private-host");
  assert.is(errnoOf(k.exec(chdir("/run"))), 0);
  k.symlink("devlink", "/dev");
  assert.is(errnoOf(k.exec(chdir("/run/devlink/pts"))), 0);
  assert.is(k.cwd(), "/dev/pts");
});

test("unshare(CLONE_NEWNS): a cwd on a lazily unmounted mount stays there; only a root or cwd in the copied tree moves to the copy (copy_mnt_ns)", () => {
  // Seen on Linux 6.18: mount a tmpfs, cd into it, umount -l it, mount another, unshare -m:
  // readlink /proc/self/cwd is still "/x", and getcwd fails (unreachable).
  const k = FakeKernel.scenario("private-host");
  k.mkdir("/mnt/t").mkdir("/mnt/u");
  assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt/t", "tmpfs", 0, null))), 0);
  k.mkdir("/mnt/t/x");
  assert.is(errnoOf(k.exec(chdir("/mnt/t/x"))), 0);
  assert.is(errnoOf(k.exec(umount2("/mnt/t", MNT_DETACH))), 0);
  assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt/u", "tmpfs", 0, null))), 0); // the newest mount is not the detached one
  k.unshare();
  assert.is(k.cwd(), "(unreachable)/x");
  k.mkdir("y");
  assert.is(errnoOf(k.exec(chdir("y"))), 0);
  assert.is(k.cwd(), "(unreachable)/x/y");
});

// The set-up helper k.mkdir walks plain directories. It once walked /proc/self/fd/3/a as plain
// names and made directories inside procfs, where mkdir(2) lands in the fd's own mount (a magic
// link does not cross what is mounted on top; seen on 6.18 by the kernel oracle, deep seed 3).
test("k.mkdir: a plain path is made; one through procfs, a symlink or .. is refused, naming the component", () => {
  const k = FakeKernel.fromMountinfo("21 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n22 21 0:22 / /proc rw - proc proc rw\n");
  k.mkdir("/srv/a/b").symlink("/srv/l", "/srv/a");
  assert.is(errnoOf(k.exec({ seq: 0, step: "t", reason: "t", op: "openat", dirfd: abi.AT_FDCWD, pathname: "/srv/a/b", flags: abi.O_PATH | abi.O_DIRECTORY, mode: 0 })), 0);
  assert.throws(() => k.mkdir("/proc/self/fd/3/a"), /mkdir \/proc\/self\/fd\/3\/a: .*"self" is in a procfs/);
  assert.throws(() => k.mkdir("/srv/l/c"), /"l" is a symlink, not a directory/);
  assert.throws(() => k.mkdir("/srv/a/../x"), /"\.\." is \.\./);
  assert.throws(() => k.mkdir("/proc/x"), /"x" is in a procfs/);
});

test.run();
