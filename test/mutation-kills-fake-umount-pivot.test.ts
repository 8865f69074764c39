// Tests written for survivors of the Stryker run of src/hosts/fake/sys-umount-pivot.ts
// (docs/mutation.md, "sys-umount-pivot.ts"): umount2's lookup and checks, and pivot_root's lookup,
// namespace and root checks and its cwd handover. Each answer was seen on Linux 6.18 first: the
// kept cases below run again on the kernel as root (test/helpers/kernel-oracle.ts); the symlink,
// file, chroot and fd cases were run by hand under unshare -m (the oracle's vocabulary has none).
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import { applyPathFacts } from "../src/hosts/fake/path-facts.js";
import type { Request } from "../src/request.js";
import { type Case, type Step, pivot, tmpfs, umount, keptCaseTests, type Kept } from "./helpers/kernel-oracle.js";
import { chdir, chroot, errnoOf, fchdir, mount, openat, pivotRoot, umount2 } from "./fixtures/fake/calls.js";

const { EINVAL, ENOTDIR, EPERM, MNT_DETACH, MNT_EXPIRE, O_DIRECTORY, O_PATH, UMOUNT_NOFOLLOW } = abi;
const R = "/var/lib/pivotshim/rootfs";
const e = (k: FakeKernel, r: Request): number => errnoOf(k.exec(r));
const fdOf = (k: FakeKernel, r: Request): number => {
  const res = k.exec(r);
  if ("errno" in res) throw new Error(`open failed: ${res.errno}`);
  return res.ret;
};
const lines = (k: FakeKernel): string[] => k.mountinfo().split("\n").filter(Boolean);
const A = (call: Step["call"]): Step => ({ ns: "A", call });
const B = (call: Step["call"]): Step => ({ ns: "B", call });

test("umount2 with UMOUNT_NOFOLLOW on a symlink to a mount is EINVAL (the link is no mount root); without it the link is followed", () => {
  const k = FakeKernel.scenario("private-host");
  k.mkdir("/mnt/m");
  assert.is(e(k, mount("tmpfs", "/mnt/m", "tmpfs", 0)), 0);
  k.symlink("/mnt/l", "m");
  assert.is(e(k, umount2("/mnt/l", UMOUNT_NOFOLLOW)), EINVAL);
  assert.is(lines(k).at(-1), "51 43 0:100 / /mnt/m rw,relatime - tmpfs tmpfs rw");
  assert.is(e(k, umount2("/mnt/l", 0)), 0);
  assert.is(lines(k).at(-1), "50 43 0:45 / /var/lib/pivotshim/rootfs rw,relatime - overlay overlay rw,lowerdir=/var/lib/pivotshim/l/A,upperdir=/var/lib/pivotshim/d/diff,workdir=/var/lib/pivotshim/d/work");
});

test("umount2 without CAP_SYS_ADMIN is EPERM (may_mount), before anything is looked at", () => {
  const k = FakeKernel.fromMountinfo("21 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n", { cap: false });
  assert.is(e(k, umount2("/", MNT_DETACH)), EPERM);
  assert.is(e(k, umount2("/", 0)), EPERM);
  assert.is(k.mountinfo(), "21 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n");
});

// The kernel never edits the option text: it sets SB_RDONLY, and the text's leading rw/ro follows.
test("umount2 of the root remounts it read-only: only the leading rw of the superblock options changes", () => {
  const k = FakeKernel.fromMountinfo("21 1 8:1 / / rw,relatime - overlay overlay rw,lowerdir=/srv/rw/l,upperdir=/srv/rw/u\n");
  assert.is(e(k, umount2("/", 0)), 0);
  assert.is(k.mountinfo(), "21 1 8:1 / / rw,relatime - overlay overlay ro,lowerdir=/srv/rw/l,upperdir=/srv/rw/u\n");
  assert.is(e(k, umount2("/", 0)), 0, "again: already read-only");
  assert.is(k.mountinfo(), "21 1 8:1 / / rw,relatime - overlay overlay ro,lowerdir=/srv/rw/l,upperdir=/srv/rw/u\n");
});

test("pivot_root follows symlinks in new_root and put_old (user_path_at with LOOKUP_FOLLOW)", () => {
  const k = FakeKernel.scenario("private-host");
  k.symlink("/ln", R).symlink("/lo", R + "/tmp");
  assert.is(e(k, pivotRoot("/ln", "/lo")), 0);
  assert.equal(lines(k).map((l) => l.split(" ").slice(0, 5).join(" ")), [
    "43 50 8:1 / /tmp", "44 43 0:21 / /tmp/sys", "45 44 0:25 / /tmp/sys/fs/cgroup", "46 43 0:22 / /tmp/proc",
    "47 43 0:5 / /tmp/dev", "48 47 0:23 / /tmp/dev/pts", "49 43 0:24 / /tmp/run", "50 42 0:45 / /",
  ]);
  assert.is(k.cwd(), "/");
});

test("pivot_root on a regular file, as new_root or as put_old, is ENOTDIR (LOOKUP_DIRECTORY)", () => {
  const k = FakeKernel.scenario("private-host");
  applyPathFacts(k.state, k.process, [{ path: "/srv/f", kind: "file" }, { path: R + "/f", kind: "file" }]);
  assert.is(e(k, pivotRoot("/srv/f", R + "/tmp")), ENOTDIR);
  assert.is(e(k, pivotRoot(R, R + "/f")), ENOTDIR);
  assert.is(lines(k)[0], "43 42 8:1 / / rw,relatime - ext4 /dev/sda1 rw,errors=remount-ro");
});

test("pivot_root when the process root is not a mount root (chrooted into a directory) is EINVAL", () => {
  const k = FakeKernel.scenario("private-host");
  assert.is(e(k, chroot("/var")), 0);
  assert.is(e(k, chdir("/")), 0);
  assert.is(e(k, pivotRoot("/lib/pivotshim/rootfs", "/lib/pivotshim/rootfs/tmp")), EINVAL);
});

test("pivot_root with the root in another mount namespace (chroot through an fd opened before unshare) is EINVAL (check_mnt)", () => {
  const k = FakeKernel.scenario("private-host");
  const fd = fdOf(k, openat("/", O_PATH | O_DIRECTORY));
  k.unshare();
  assert.is(e(k, fchdir(fd)), 0);
  assert.is(e(k, chroot(".")), 0);
  assert.is(e(k, chdir("/")), 0);
  assert.is(e(k, pivotRoot(R, R + "/tmp")), EINVAL);
});

test("pivot_root of a new_root in another mount namespace (relative to a cwd there) is EINVAL; the same path from the root is fine", () => {
  const k = FakeKernel.scenario("private-host");
  const fd = fdOf(k, openat("/var/lib/pivotshim", O_PATH | O_DIRECTORY));
  k.unshare();
  assert.is(e(k, fchdir(fd)), 0);
  assert.is(e(k, pivotRoot("rootfs", "rootfs/tmp")), EINVAL);
  assert.is(e(k, pivotRoot(R, R + "/tmp")), 0);
});

test("pivot_root onto a locked mount (rootless: the rootfs is inherited, not bound first) is EINVAL", () => {
  const k = FakeKernel.scenario("rootless");
  assert.is(e(k, pivotRoot(R, R + "/tmp")), EINVAL);
  assert.is(lines(k)[0], "43 42 8:1 / / rw,relatime master:1 - ext4 /dev/sda1 rw,errors=remount-ro");
});

test("pivot_root hands the old root over as cwd (chroot_fs_refs): a cwd at the old root moves to new_root", () => {
  const k = FakeKernel.scenario("private-host");
  assert.is(e(k, pivotRoot(R, R + "/tmp")), 0);
  assert.is(k.cwd(), "/");
  assert.is(fdOf(k, openat(".", O_PATH | O_DIRECTORY)), 3);
  assert.equal(k.fdTable().at(-1), { fd: 3, kind: "path", mount: 50, ino: k.state.mounts.get(50)!.root, cloexec: false });
});

test("pivot_root leaves a cwd elsewhere where it was: it is now under put_old", () => {
  const k = FakeKernel.scenario("private-host");
  assert.is(e(k, chdir("/run")), 0);
  assert.is(e(k, pivotRoot(R, R + "/tmp")), 0);
  assert.is(k.cwd(), "/tmp/run");
});


// With userns set, results has one more entry: the unshare that makes B (0), before ops[userns].
const KEPT: Kept[] = [
  {
    name: "MNT_EXPIRE on the process root is EINVAL (do_umount), not EBUSY",
    case: { setup: [], userns: null, ops: [A(umount("/", MNT_EXPIRE))] },
    start: "84 63 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n",
    results: [EINVAL],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "in B, pivot_root onto a locked mount (inherited from A) is EINVAL",
    case: { setup: [tmpfs("/a")], userns: 0, ops: [B(pivot("/a", "/a/a"))] },
    start: "85 63 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n65 85 0:40 / /a rw,relatime - tmpfs tmpfs rw\n",
    results: [0, EINVAL],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
      "B1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "B2 B1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
    ],
  },
];

keptCaseTests(test, KEPT);

test.run();
