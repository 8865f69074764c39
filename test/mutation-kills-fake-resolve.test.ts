// Tests written for survivors of `npm run mutate -- src/hosts/fake` in resolve.ts (docs/mutation.md):
// path_lookupat's limits and starting points, "/proc/self/fd/N", ".." across mount roots
// (follow_dotdot, choose_mountpoint) and mountinfo paths of a mount listed before its new parents
// or read inside a chroot; the terminal's /proc/self/fd/N.
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR, MNT_DETACH, MS_MOVE, O_DIRECTORY, O_PATH, O_RDONLY, UMOUNT_NOFOLLOW,
} from "../src/abi.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import { fork } from "../src/hosts/fake/build.js";
import { chdir, chroot, errnoOf, mount, openat, umount2 } from "./fixtures/fake/calls.js";

const points = (k: FakeKernel): string[] => k.mountinfo().split("\n").filter(Boolean).map((l) => l.split(" ")[4]!);

test("limits: a path of PATH_MAX-1 bytes resolves, PATH_MAX is ENAMETOOLONG; a name of 255 bytes is looked up, 256 is not (getname, NAME_MAX)", () => {
  const k = FakeKernel.scenario("private-host");
  const p4095 = "/" + "./".repeat(2047); // "/" then 2047 "./": 4095 bytes, all of them "."
  assert.is(p4095.length, 4095);
  assert.is(errnoOf(k.exec(chdir(p4095))), 0);
  assert.is(errnoOf(k.exec(chdir(p4095 + "/"))), ENAMETOOLONG, "4096 bytes: no room for the NUL");
  assert.is(errnoOf(k.exec(chdir("/" + "x".repeat(255)))), ENOENT);
  assert.is(errnoOf(k.exec(chdir("/" + "x".repeat(256)))), ENAMETOOLONG);
});

test("symlinks: 40 in one lookup are followed, the 41st is ELOOP (MAXSYMLINKS)", () => {
  const k = FakeKernel.scenario("private-host");
  k.mkdir("/tmp");
  for (let i = 0; i <= 40; i++) k.symlink(`/l${i}`, i === 40 ? "/tmp" : `/l${i + 1}`);
  assert.is(errnoOf(k.exec(chdir("/l1"))), 0, "l1 .. l40: 40 links");
  assert.is(k.cwd(), "/tmp");
  assert.is(errnoOf(k.exec(chdir("/l0"))), ELOOP, "l0 .. l40: 41 links");
});

test("a symlink in a middle component is followed even without LOOKUP_FOLLOW (umount2 UMOUNT_NOFOLLOW)", () => {
  const k = FakeKernel.scenario("private-host");
  k.mkdir("/mnt/t").symlink("/m", "/mnt");
  assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt/t", "tmpfs", 0, null))), 0);
  assert.is(errnoOf(k.exec(umount2("/m/t", UMOUNT_NOFOLLOW))), 0);
  assert.not.ok(points(k).includes("/mnt/t"));
});

test("dirfd: a lookup starts at a directory fd; a tty or a file is ENOTDIR (path_init: d_can_lookup)", () => {
  const k = FakeKernel.scenario("private-host");
  assert.equal(k.exec(openat("/dev", O_PATH | O_DIRECTORY)), { ret: 3 });
  assert.equal(k.exec(openat("pts", O_PATH | O_DIRECTORY, 3)), { ret: 4 });
  assert.equal(k.fdTable().slice(3), [
    { fd: 3, kind: "path", mount: 47, ino: 0, cloexec: false },
    { fd: 4, kind: "path", mount: 48, ino: 0, cloexec: false }, // devpts on /dev/pts: the stack was climbed
  ]);
  assert.is(errnoOf(k.exec(openat("pts", O_PATH, 0))), ENOTDIR, "fd 0 is the tty");
  assert.equal(k.exec(openat("/proc/self/mountinfo", O_RDONLY)), { ret: 5 });
  assert.is(errnoOf(k.exec(openat("pts", O_PATH, 5))), ENOTDIR, "fd 5 is a file");
});

test("/proc/self/fd/N: a number of two digits is an fd; a leading zero is no fd name (proc_lookupfd: name_to_int)", () => {
  const k = FakeKernel.scenario("private-host");
  for (let fd = 3; fd <= 10; fd++) assert.equal(k.exec(openat("/dev", O_PATH | O_DIRECTORY)), { ret: fd });
  assert.equal(k.exec(openat("/proc/self/fd/10/pts", O_PATH | O_DIRECTORY)), { ret: 11 });
  assert.is(k.fdTable()[11]!.mount, 48, "through fd 10 (/dev) to /dev/pts");
  assert.is(errnoOf(k.exec(openat("/proc/self/fd/010", O_PATH))), ENOENT);
  assert.is(errnoOf(k.exec(openat("/proc/self/fd/03", O_PATH))), ENOENT);
});

test("\"..\" at a mount root goes to the parent of its mount point, past a whole stack (follow_dotdot, choose_mountpoint)", () => {
  const k = FakeKernel.scenario("private-host");
  const cwds: string[] = [];
  for (const p of ["/dev/pts", "..", ".."]) {
    assert.is(errnoOf(k.exec(chdir(p))), 0);
    cwds.push(k.cwd());
  }
  assert.equal(cwds, ["/dev/pts", "/dev", "/"]);
  // Two tmpfs stacked on /mnt/t: ".." from the top one leaves both.
  k.mkdir("/mnt/t");
  assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt/t", "tmpfs", 0, null))), 0);
  assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt/t", "tmpfs", 0, null))), 0);
  assert.is(errnoOf(k.exec(chdir("/mnt/t"))), 0);
  assert.is(errnoOf(k.exec(chdir(".."))), 0);
  assert.is(k.cwd(), "/mnt");
});

test("\"..\" at the root of a detached mount stays there (choose_mountpoint: no parent)", () => {
  const k = FakeKernel.scenario("private-host");
  k.mkdir("/mnt/t");
  assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt/t", "tmpfs", 0, null))), 0);
  assert.is(errnoOf(k.exec(chdir("/mnt/t"))), 0);
  assert.is(errnoOf(k.exec(umount2("/mnt/t", MNT_DETACH))), 0);
  assert.is(errnoOf(k.exec(chdir(".."))), 0);
  assert.is(k.cwd(), "(unreachable)/");
  assert.is(k.process.cwd.ino, 0);
});

test("\"..\" never leaves a chroot: at its root, and at the root of a mount on the chroot directory (choose_mountpoint)", () => {
  const k = FakeKernel.scenario("private-host");
  k.mkdir("/mnt/x/in");
  const me = k.state.current;
  const jailed = fork(k.state, k.process).pid;
  k.state.current = jailed;
  assert.is(errnoOf(k.exec(chroot("/dev"))), 0);
  assert.is(errnoOf(k.exec(chdir("/.."))), 0);
  assert.is(k.cwd(), "/", "the root of a chroot into a mount root");
  assert.is(errnoOf(k.exec(chroot("/"))), 0);
  // Back in /, the same process chroots into a plain directory; then a tmpfs is mounted over it.
  k.state.current = me;
  const other = fork(k.state, k.process).pid;
  k.state.current = other;
  assert.is(errnoOf(k.exec(chroot("/mnt/x"))), 0);
  assert.is(errnoOf(k.exec(chdir("/"))), 0);
  k.state.current = me;
  assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt/x", "tmpfs", 0, null))), 0);
  k.state.current = other;
  assert.is(errnoOf(k.exec(chdir(".."))), 0, "at the root: onto the tmpfs stacked there");
  assert.is(k.process.cwd.mnt, 51);
  assert.is(errnoOf(k.exec(chdir(".."))), 0, "at the tmpfs root, mounted on the process root: stays");
  assert.equal([k.process.cwd, k.cwd()], [{ mnt: 51, ino: 0 }, "/"]);
});

test("mountinfo of a mount moved under two newer mounts: each line has its own mount point (prepend_path per mount)", () => {
  const k = FakeKernel.scenario("private-host");
  k.mkdir("/mnt/z");
  assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt/z", "tmpfs", 0, null))), 0);
  k.mkdir("/mnt/z/y");
  assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt/z/y", "tmpfs", 0, null))), 0);
  k.mkdir("/mnt/z/y/x");
  // /run (49) keeps its place in the list, ahead of its new parents 51 and 52.
  assert.is(errnoOf(k.exec(mount("/run", "/mnt/z/y/x", null, MS_MOVE, null))), 0);
  assert.equal(k.mountinfo().split("\n").filter((l) => / 0:(24|100|101) /.test(l)), [
    "49 52 0:24 / /mnt/z/y/x rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw,size=812344k,mode=755,inode64",
    "51 43 0:100 / /mnt/z rw,relatime - tmpfs tmpfs rw",
    "52 51 0:101 / /mnt/z/y rw,relatime - tmpfs tmpfs rw",
  ]);
});

test("mountinfo read in a chroot into a plain directory: a mount's path stops at the reader's root, also through a parent's memoized path (prepend_path; show_mountinfo skips what is outside)", () => {
  // fs/d_path.c prepend_path walks up until it meets the reader's root, which here is /mnt/x, a
  // directory inside the root mount 43, not a mount root. /dev, /run... are outside it: their
  // walk climbs past 43's root and leaves 43's own path memoized as unreachable. 51's mount point
  // /mnt/x/in meets the root at /mnt/x ("/in"); 52's line asks for 51's path (resolve.ts
  // mountRootFast), which must stop at /mnt/x too, not climb on to 43's unreachable root.
  const k = FakeKernel.scenario("private-host");
  k.mkdir("/mnt/x/in");
  const me = k.state.current;
  const jailed = fork(k.state, k.process).pid;
  k.state.current = jailed;
  assert.is(errnoOf(k.exec(chroot("/mnt/x"))), 0);
  k.state.current = me;
  assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt/x/in", "tmpfs", 0, null))), 0);
  k.mkdir("/mnt/x/in/deep");
  assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt/x/in/deep", "tmpfs", 0, null))), 0);
  k.state.current = jailed;
  assert.is(k.mountinfo(), [
    "51 43 0:100 / /in rw,relatime - tmpfs tmpfs rw",
    "52 51 0:101 / /in/deep rw,relatime - tmpfs tmpfs rw",
    "",
  ].join("\n"));
});

test("/proc/self/fd/0 on the terminal is no way into the mount table: a lookup through it fails with an errno (proc_fd_link)", () => {
  // Linux: fd 0's magic link leads to the tty (a character device): chdir gives ENOTDIR and so does
  // a name below it; open(O_PATH) succeeds. The fake has no inode for the terminal and answers
  // ENOENT for all three (a simplification: only the failure is pinned here); what it must not do is follow
  // the tty's placeholder position {mnt 0, ino 0} as if it were a directory of a mount.
  const k = FakeKernel.scenario("private-host");
  for (const p of ["/proc/self/fd/0", "/proc/self/fd/0/x", "/proc/self/fd/2/."]) {
    const errno = errnoOf(k.exec(chdir(p)));
    assert.ok(errno > 0, `${p}: errno ${errno}`);
  }
});

test.run();
