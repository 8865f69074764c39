// Tests written for survivors of the Stryker run of src/hosts/fake/sys-mount.ts (docs/mutation.md,
// "sys-mount.ts"): mount(2)'s lookups, its namespace checks, the filesystem types and who may
// mount them, and proc/sysfs visibility. Each answer was seen on Linux 6.18 first: the kept cases
// run again on the kernel as root (test/helpers/kernel-oracle.ts); the fd, symlink, file and
// filesystem-type cases were run by hand under unshare -m (the oracle's vocabulary has none).
// Where the fake stops short of the kernel, the case says so.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import { applyPathFacts } from "../src/hosts/fake/path-facts.js";
import type { Request } from "../src/request.js";
import { type Call, type Case, type Step, bind, move, propagate, tmpfs, keptCaseTests, type Kept } from "./helpers/kernel-oracle.js";
import { errnoOf, fchdir, mount, openat, umount2 } from "./fixtures/fake/calls.js";

const { EINVAL, ENODEV, ENOENT, ENOTDIR, EPERM, MNT_DETACH, MS_BIND, MS_MOVE, MS_NOATIME, MS_RDONLY, MS_REMOUNT, MS_SHARED,
  MS_UNBINDABLE, O_DIRECTORY, O_PATH } = abi;
const e = (k: FakeKernel, r: Request): number => errnoOf(k.exec(r));
const fdOf = (k: FakeKernel, r: Request): number => {
  const res = k.exec(r);
  if ("errno" in res) throw new Error(`open failed: ${res.errno}`);
  return res.ret;
};
const tail = (k: FakeKernel, from: number): string[] => k.mountinfo().split("\n").filter(Boolean).slice(from);

test("mount(2) follows a symlink target, and a symlink source of MS_BIND and MS_MOVE (LOOKUP_FOLLOW)", () => {
  const k = FakeKernel.scenario("private-host");
  k.mkdir("/srv/d").mkdir("/srv/e").mkdir("/srv/u");
  k.symlink("/srv/ld", "d").symlink("/srv/lr", "/run");
  assert.is(e(k, mount("tmpfs", "/srv/ld", "tmpfs", 0)), 0);
  assert.is(e(k, mount("/srv/lr", "/srv/e", null, MS_BIND)), 0);
  assert.is(e(k, mount("/srv/lr", "/srv/u", null, MS_MOVE)), 0);
  assert.equal(tail(k, 6), [
    "49 43 0:24 / /srv/u rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw,size=812344k,mode=755,inode64",
    "50 43 0:45 / /var/lib/pivotshim/rootfs rw,relatime - overlay overlay rw,lowerdir=/var/lib/pivotshim/l/A,upperdir=/var/lib/pivotshim/d/diff,workdir=/var/lib/pivotshim/d/work",
    "51 43 0:100 / /srv/d rw,relatime - tmpfs tmpfs rw",
    "52 43 0:24 / /srv/e rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw,size=812344k,mode=755,inode64",
  ]);
});

test("mount(2) without CAP_SYS_ADMIN is EPERM (may_mount)", () => {
  const k = FakeKernel.fromMountinfo("21 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n", { cap: false });
  k.mkdir("/mnt");
  assert.is(e(k, mount("tmpfs", "/mnt", "tmpfs", 0)), EPERM);
  assert.is(e(k, mount("/mnt", "/mnt", null, MS_BIND)), EPERM);
  assert.is(k.mountinfo(), "21 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n");
});

test("a mount of another namespace (reached through an fd opened there before unshare) cannot be remounted, bound, bound onto, moved or moved onto: EINVAL (check_mnt)", () => {
  const k = FakeKernel.scenario("private-host");
  k.mkdir("/mnt/m").mkdir("/mnt/y");
  const fd = fdOf(k, openat("/", O_PATH | O_DIRECTORY));
  k.unshare();
  assert.is(e(k, fchdir(fd)), 0, "cwd: the other namespace's /");
  assert.is(e(k, mount(null, "run", null, MS_REMOUNT | MS_BIND | MS_RDONLY)), EINVAL);
  assert.is(e(k, mount("/mnt/m", "mnt/y", null, MS_BIND)), EINVAL, "onto the other namespace");
  assert.is(e(k, mount("mnt/m", "/mnt/y", null, MS_BIND)), EINVAL, "of the other namespace");
  assert.is(e(k, mount("/run", "mnt/y", null, MS_MOVE)), EINVAL, "onto the other namespace");
  assert.is(e(k, mount("run", "/mnt/y", null, MS_MOVE)), EINVAL, "of the other namespace");
  assert.is(e(k, mount("tmpfs", "mnt/y", "tmpfs", 0)), EINVAL, "a new mount onto the other namespace");
});

test("a new mount's superblock options: rw or ro, then the data as given, after a comma", () => {
  const k = FakeKernel.scenario("private-host");
  k.mkdir("/mnt/a").mkdir("/mnt/b");
  assert.is(e(k, mount("tmpfs", "/mnt/a", "tmpfs", 0, "mode=755")), 0);
  assert.is(e(k, mount("tmpfs", "/mnt/b", "tmpfs", MS_RDONLY, null)), 0);
  assert.equal(tail(k, 8), [
    "51 43 0:100 / /mnt/a rw,relatime - tmpfs tmpfs rw,mode=755",
    "52 43 0:101 / /mnt/b ro,relatime - tmpfs tmpfs ro",
  ]);
});

test("bug fixed: the propagation of another live namespace's mount can be changed (Linux 6.18: 0, and that namespace sees it); a detached mount's cannot (EINVAL)", () => {
  const k = FakeKernel.scenario("private-host");
  k.mkdir("/mnt/v");
  assert.is(e(k, mount("tmpfs", "/mnt/v", "tmpfs", 0)), 0);
  const fd = fdOf(k, openat("/", O_PATH | O_DIRECTORY));
  const fdv = fdOf(k, openat("/mnt/v", O_PATH | O_DIRECTORY));
  assert.is(e(k, umount2("/mnt/v", MNT_DETACH)), 0);
  const before = k.state.current;
  k.unshare();
  assert.is(e(k, fchdir(fd)), 0);
  assert.is(e(k, mount(null, "run", null, MS_SHARED)), 0);
  assert.ok(k.mountinfo(before).includes("49 43 0:24 / /run rw,nosuid,nodev,noexec,relatime shared:1 - tmpfs tmpfs "), k.mountinfo(before));
  assert.not.ok(k.mountinfo().includes("shared:"), "this namespace's copy of /run is not touched");
  assert.is(e(k, fchdir(fdv)), 0);
  assert.is(e(k, mount(null, ".", null, MS_SHARED)), EINVAL);
});

test("MS_BIND and MS_MOVE without a source are EINVAL; a file bound onto a directory, or the other way, is ENOTDIR; a directory mount moved onto a file is EINVAL", () => {
  const k = FakeKernel.scenario("private-host");
  k.mkdir("/srv/d");
  applyPathFacts(k.state, k.process, [{ path: "/srv/f", kind: "file" }]);
  assert.is(e(k, mount(null, "/srv/d", null, MS_BIND)), EINVAL);
  assert.is(e(k, mount("", "/srv/d", null, MS_BIND)), EINVAL);
  assert.is(e(k, mount(null, "/srv/d", null, MS_MOVE)), EINVAL);
  assert.is(e(k, mount("", "/srv/d", null, MS_MOVE)), EINVAL);
  assert.is(e(k, mount("/srv/f", "/srv/d", null, MS_BIND)), ENOTDIR);
  assert.is(e(k, mount("/srv/d", "/srv/f", null, MS_BIND)), ENOTDIR);
  assert.is(e(k, mount("/run", "/srv/f", null, MS_MOVE)), EINVAL);
  assert.equal(tail(k, 8), []);
});

test("MS_MOVE and MS_BIND onto a directory of a lazily unmounted tree are ENOENT (lock_mount)", () => {
  const k = FakeKernel.scenario("private-host");
  k.mkdir("/mnt/v").mkdir("/srv/e");
  assert.is(e(k, mount("tmpfs", "/mnt/v", "tmpfs", 0)), 0);
  k.mkdir("/mnt/v/w");
  const fd = fdOf(k, openat("/mnt/v/w", O_PATH | O_DIRECTORY));
  assert.is(e(k, umount2("/mnt/v", MNT_DETACH)), 0);
  assert.is(e(k, fchdir(fd)), 0);
  assert.is(e(k, mount("/run", ".", null, MS_MOVE)), ENOENT);
  assert.is(e(k, mount("/run", ".", null, MS_BIND)), ENOENT);
  assert.equal(tail(k, 8), []);
});

// Not run on the kernel: the oracle cannot make a namespace whose root has no parent (an initramfs).
test("MS_MOVE of a mount with no parent (the initramfs's rootfs) is EINVAL", () => {
  const k = FakeKernel.scenario("initramfs");
  k.mkdir("/mnt");
  assert.is(e(k, mount("/", "/mnt", null, MS_MOVE)), EINVAL);
});

test("filesystem types: each one the model knows mounts in the host namespace; an unknown type is ENODEV", () => {
  const k = FakeKernel.scenario("private-host");
  const got: Record<string, number> = {};
  for (const t of ["tmpfs", "ramfs", "proc", "sysfs", "devpts", "mqueue", "cgroup2", "devtmpfs", "bogus"]) {
    k.mkdir(`/mnt/${t}`);
    got[t] = e(k, mount(t, `/mnt/${t}`, t, 0));
  }
  assert.equal(got, { tmpfs: 0, ramfs: 0, proc: 0, sysfs: 0, devpts: 0, mqueue: 0, cgroup2: 0, devtmpfs: 0, bogus: ENODEV });
  assert.equal(tail(k, 8).map((l) => l.split(" - ")[1]!.split(" ")[0]), ["tmpfs", "ramfs", "proc", "sysfs", "devpts", "mqueue", "cgroup2", "devtmpfs"]);
});

// On the kernel, mqueue and cgroup2 need IPC and cgroup namespaces owned by the user namespace (EPERM
// without them, 0 with them: both run by hand); the rootless scenario's process is the runtime's
// container process, which has them, as it has PID and network namespaces of its own.
test("filesystem types in a user-namespace-owned namespace: FS_USERNS_MOUNT ones mount, devtmpfs is EPERM", () => {
  const k = FakeKernel.scenario("rootless");
  const got: Record<string, number> = {};
  for (const t of ["tmpfs", "ramfs", "proc", "sysfs", "devpts", "mqueue", "cgroup2", "devtmpfs", "bogus"]) {
    k.mkdir(`/mnt/${t}`);
    got[t] = e(k, mount(t, `/mnt/${t}`, t, 0));
  }
  assert.equal(got, { tmpfs: 0, ramfs: 0, proc: 0, sysfs: 0, devpts: 0, mqueue: 0, cgroup2: 0, devtmpfs: EPERM, bogus: ENODEV });
});

// The kernel's overlayfs wants a lowerdir, and two of them when there is no upperdir: one alone is
// EINVAL ("overlayfs: at least 2 lowerdir are needed while upperdir nonexistent", Linux 6.18, seen
// with mount -t overlay under unshare -m), one with an upperdir and workdir mounts.
test("overlay needs a lowerdir, and two without an upperdir: each as Linux 6.18 answered (also in a user-namespace-owned namespace)", () => {
  for (const name of ["private-host", "rootless"] as const) {
    const k = FakeKernel.scenario(name);
    for (const d of ["o1", "o2", "o3", "o4", "o5", "o6"]) k.mkdir(`/mnt/${d}`);
    assert.is(e(k, mount("overlay", "/mnt/o1", "overlay", 0, "lowerdir=/srv/a:/srv/b")), 0, name);
    assert.is(e(k, mount("overlay", "/mnt/o2", "overlay", 0, null)), EINVAL, name);
    assert.is(e(k, mount("overlay", "/mnt/o3", "overlay", 0, "upperdir=/srv/u")), EINVAL, name);
    assert.is(e(k, mount("overlay", "/mnt/o4", "overlay", 0, "lowerdir=/srv/a")), EINVAL, `${name}: one lowerdir alone`);
    assert.is(e(k, mount("overlay", "/mnt/o5", "overlay", 0, "lowerdir=/srv/a\\:b")), EINVAL, `${name}: an escaped colon is one layer`);
    assert.is(e(k, mount("overlay", "/mnt/o6", "overlay", 0, "lowerdir=/srv/a,upperdir=/srv/u,workdir=/srv/w")), 0, `${name}: one lowerdir with an upperdir`);
  }
});

const HOST = [
  "21 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw",
  "22 21 0:22 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw",
  "23 21 0:21 / /sys rw,nosuid,nodev,noexec,relatime - sysfs sysfs rw",
  "24 23 0:25 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw",
];
/** A container process in a user-namespace-owned copy of `host`, with PID and network namespaces of its own. */
function inUserns(host: readonly string[]): FakeKernel {
  const k = FakeKernel.fromMountinfo(host.map((l) => l + "\n").join(""));
  k.mkdir("/mnt/p");
  k.unshare({ userns: true });
  k.process.ownsPidNet = true;
  return k;
}

// mnt_already_visible. The fake's rule is narrower than the kernel's (docs/mutation.md): these are
// the cases where both agree.
test("proc and sysfs in a user namespace: allowed where a full one is visible (a child on a permanently empty directory, /sys/fs/cgroup, does not count)", () => {
  const k = inUserns(HOST);
  assert.is(e(k, mount("proc", "/mnt/p", "proc", 0)), 0);
  assert.is(e(k, mount("sysfs", "/mnt/p", "sysfs", 0)), 0);
  assert.equal(tail(k, 4), [
    "30 26 0:100 / /mnt/p rw,relatime - proc proc rw",
    "31 30 0:101 / /mnt/p rw,relatime - sysfs sysfs rw",
  ]);
});

test("proc in a user namespace is EPERM where no full proc is visible: none, only a subdirectory bound, one covered at its root by a locked mount, or one only in another namespace", () => {
  assert.is(e(inUserns(["21 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw"]), mount("proc", "/mnt/p", "proc", 0)), EPERM, "none");
  assert.is(e(inUserns(["21 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw", "22 21 0:22 /sys /proc rw,relatime - proc proc rw"]),
    mount("proc", "/mnt/p", "proc", 0)), EPERM, "a bound subdirectory");
  assert.is(e(inUserns([...HOST, "25 22 0:30 / /proc rw,relatime - tmpfs tmpfs rw"]), mount("proc", "/mnt/p", "proc", 0)), EPERM, "covered");
  const k = inUserns(["21 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw"]);
  const container = k.state.current;
  k.state.current = k.state.hostPid;
  k.mkdir("/mnt/q");
  assert.is(e(k, mount("proc", "/mnt/q", "proc", 0)), 0, "the host mounts one");
  k.state.current = container;
  assert.is(e(k, mount("proc", "/mnt/p", "proc", 0)), EPERM, "in another namespace");
});

test("sysfs in a user namespace is EPERM where no full sysfs is visible; proc and sysfs are EPERM for a process without PID and network namespaces of its own", () => {
  assert.is(e(inUserns(["21 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw", "22 21 0:22 / /proc rw,relatime - proc proc rw"]),
    mount("sysfs", "/mnt/p", "sysfs", 0)), EPERM, "no sysfs");
  const k = inUserns(HOST);
  k.process.ownsPidNet = false;
  assert.is(e(k, mount("proc", "/mnt/p", "proc", 0)), EPERM);
  assert.is(e(k, mount("sysfs", "/mnt/p", "sysfs", 0)), EPERM);
  assert.is(e(k, mount("tmpfs", "/mnt/p", "tmpfs", 0)), 0);
});

const mnt = (source: string | null, target: string, filesystemtype: string | null, mountflags: number, data: string | null = null): Call =>
  ({ op: "mount", source, target, filesystemtype, mountflags, data });
const A = (call: Call): Step => ({ ns: "A", call });
const B = (call: Call): Step => ({ ns: "B", call });


// With userns set, results has one more entry: the unshare that makes B (0), before ops[userns].
const KEPT: Kept[] = [
  {
    name: "a bind remount without atime flags keeps the mount's atime (path_mount: MNT_ATIME_MASK of the mount)",
    case: { setup: [tmpfs("/a")], userns: null, ops: [A(mnt(null, "/a", null, MS_REMOUNT | MS_BIND | MS_NOATIME)), A(mnt(null, "/a", null, MS_REMOUNT | MS_BIND | MS_RDONLY))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime - tmpfs tmpfs rw\n",
    results: [0, 0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a ro,noatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "a plain remount without MS_RDONLY makes a read-only superblock read-write",
    case: { setup: [mnt("tmpfs", "/a", "tmpfs", MS_RDONLY)], userns: null, ops: [A(mnt(null, "/a", null, MS_REMOUNT))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a ro,relatime - tmpfs tmpfs ro\n",
    results: [0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "in B, an rbind is refused (EPERM) only for a locked unbindable submount under the bound directory, not beside it",
    case: { setup: [tmpfs("/a"), tmpfs("/a/b")], userns: 0, ops: [B(propagate("/a/b", MS_UNBINDABLE)), B(bind("/a/a", "/b", true)), B(bind("/a", "/b", true))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime - tmpfs tmpfs rw\n44 43 0:41 / /a/b rw,relatime - tmpfs tmpfs rw\n",
    results: [0, 0, 0, EPERM],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
      "A3 A2 dev3 / /a/b rw,relatime private tmpfs tmpfs rw",
      "B1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "B2 B1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
      "B3 B2 dev3 / /a/b rw,relatime unbindable tmpfs tmpfs rw",
      "B4 B1 dev2 /a /b rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "an unbindable mount may be moved onto a private mount",
    case: { setup: [tmpfs("/a"), propagate("/a", MS_UNBINDABLE), tmpfs("/b")], userns: null, ops: [A(move("/a", "/b/a"))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime unbindable - tmpfs tmpfs rw\n44 63 0:41 / /b rw,relatime - tmpfs tmpfs rw\n",
    results: [0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /b rw,relatime private tmpfs tmpfs rw",
      "A3 A2 dev3 / /b/a rw,relatime unbindable tmpfs tmpfs rw",
    ],
  },
];

keptCaseTests(test, KEPT);

test.run();
