// openat, read, close, chdir, fchdir, chroot, getcwd and path resolution on the fake kernel.
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  EBADF, EISDIR, ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR, EPERM, ERANGE, MNT_DETACH, MS_BIND, MS_REC, MS_SLAVE,
  O_CLOEXEC, O_DIRECTORY, O_NOFOLLOW, O_PATH, O_RDONLY, PATH_MAX,
} from "../src/abi.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import {
  chdir, chroot, close, errnoOf, fchdir, getcwd, mount, openat, pivotRoot, read, run, umount2,
} from "./fixtures/fake/calls.js";

const dec = new TextDecoder();
const cwdOf = (k: FakeKernel): string => {
  const r = k.exec(getcwd(4096));
  return "data" in r && r.data ? dec.decode(r.data).replace(/\0$/, "") : `errno ${errnoOf(r)}`;
};

test("openat hands out the lowest free descriptor, like the kernel", () => {
  const k = FakeKernel.scenario("docker-host");
  assert.equal(k.exec(openat("/", O_PATH)), { ret: 3 });
  assert.equal(k.exec(openat("/proc", O_PATH | O_CLOEXEC)), { ret: 4 });
  assert.equal(k.exec(close(3)), { ret: 0 });
  assert.equal(k.exec(openat("/sys", O_PATH)), { ret: 3 });
  assert.equal(k.exec(close(1)), { ret: 0 });
  assert.equal(k.exec(openat("/dev", O_PATH)), { ret: 1 });
  assert.equal(k.fdTable().map((f) => [f.fd, f.cloexec]), [[0, false], [1, false], [2, false], [3, false], [4, true]]);
});

test("close, read, fchdir: EBADF on a closed fd; read of a directory fd EISDIR, of an O_PATH fd EBADF", () => {
  const k = FakeKernel.scenario("docker-host");
  assert.is(errnoOf(k.exec(close(7))), EBADF);
  assert.is(errnoOf(k.exec(read(7, 10))), EBADF);
  assert.is(errnoOf(k.exec(fchdir(7))), EBADF);
  assert.equal(k.exec(openat("/", O_RDONLY | O_DIRECTORY)), { ret: 3 });
  assert.is(errnoOf(k.exec(read(3, 10))), EISDIR);
  assert.equal(k.exec(openat("/", O_PATH)), { ret: 4 });
  assert.is(errnoOf(k.exec(read(4, 10))), EBADF);
});

test("mountinfo: read returns at most count bytes, then 0; live: a mount made after open is listed (m_start by mount id)", () => {
  const k = FakeKernel.scenario("docker-host");
  const want = k.mountinfo();
  assert.equal(k.exec(openat("/proc/thread-self/mountinfo", O_RDONLY | O_CLOEXEC)), { ret: 3 });
  k.mkdir("/run/later");
  assert.is(errnoOf(k.exec(mount("tmpfs", "/run/later", "tmpfs", 0, null))), 0);
  let got = "";
  for (;;) {
    const r = k.exec(read(3, 100));
    assert.ok("ret" in r && r.data);
    assert.ok(r.ret <= 100);
    if (r.ret === 0) break;
    got += dec.decode(r.data);
  }
  assert.is(got, k.mountinfo());
  assert.ok(got.startsWith(want) && got.trimEnd().split("\n").at(-1)!.includes(" /run/later "), "listed last, as Linux 6.18 does (test/native-lxc-chroot.test.ts)");
  assert.is(errnoOf(k.exec(openat("/proc/self/mountinfo", O_DIRECTORY))), ENOTDIR);
});

test("/proc/self/mountinfo is ENOENT once no proc is mounted at /proc in the process's view", () => {
  const k = FakeKernel.scenario("docker-host");
  assert.is(errnoOf(k.exec(openat("/proc/self/mountinfo", O_RDONLY))), 0);
  assert.is(errnoOf(k.exec(umount2("/proc", MNT_DETACH))), 0);
  assert.is(errnoOf(k.exec(openat("/proc/self/mountinfo", O_RDONLY))), ENOENT);
});

test("path resolution: .. stops at the root, crosses mounts upward, ENOTDIR, ENAMETOOLONG", () => {
  const k = FakeKernel.scenario("docker-host");
  assert.is(errnoOf(k.exec(chdir("/../../sys/fs/cgroup/../../../proc/.."))), 0);
  assert.is(cwdOf(k), "/");
  assert.is(errnoOf(k.exec(chdir("/sys/fs/cgroup/.."))), 0);
  assert.is(cwdOf(k), "/sys/fs");
  assert.is(errnoOf(k.exec(chdir("/proc/self/mountinfo/x"))), ENOTDIR);
  assert.is(errnoOf(k.exec(chdir("/" + "a".repeat(256)))), ENAMETOOLONG);
  assert.is(errnoOf(k.exec(chdir("/" + "a/".repeat(PATH_MAX / 2)))), ENAMETOOLONG);
  assert.is(errnoOf(k.exec(chdir(""))), ENOENT);
});

test("symlinks: followed, relative to their directory; ELOOP after 40; O_NOFOLLOW", () => {
  const k = FakeKernel.scenario("docker-host");
  k.mkdir("/srv/real").symlink("/srv/rel", "real").symlink("/srv/abs", "/sys/fs").symlink("/srv/loop", "loop");
  assert.is(errnoOf(k.exec(chdir("/srv/rel"))), 0);
  assert.is(cwdOf(k), "/srv/real");
  assert.is(errnoOf(k.exec(chdir("/srv/abs/cgroup"))), 0);
  assert.is(cwdOf(k), "/sys/fs/cgroup");
  assert.is(errnoOf(k.exec(chdir("/srv/loop"))), ELOOP);
  assert.is(errnoOf(k.exec(openat("/srv/rel", O_RDONLY | O_NOFOLLOW))), ELOOP);
  assert.equal(k.exec(openat("/srv/rel", O_PATH | O_NOFOLLOW)), { ret: 3 });
  assert.is(errnoOf(k.exec(fchdir(3))), ENOTDIR);
});

test("relative lookups start at cwd or at a dirfd", () => {
  const k = FakeKernel.scenario("docker-host");
  assert.equal(k.exec(openat("/sys", O_PATH | O_DIRECTORY)), { ret: 3 });
  assert.equal(k.exec(openat("fs/cgroup", O_PATH, 3)), { ret: 4 });
  assert.is(errnoOf(k.exec(openat("fs", O_PATH, 9))), EBADF);
  assert.is(errnoOf(k.exec(fchdir(4))), 0);
  assert.is(cwdOf(k), "/sys/fs/cgroup");
});

test("getcwd: ERANGE when the buffer is short; returns length + 1 with a NUL", () => {
  const k = FakeKernel.scenario("docker-host");
  assert.is(errnoOf(k.exec(chdir("/sys/fs"))), 0);
  assert.is(errnoOf(k.exec(getcwd(7))), ERANGE);
  const r = k.exec(getcwd(8));
  assert.ok("ret" in r);
  assert.is(r.ret, 8);
  assert.equal([...(r.data ?? [])], [...new TextEncoder().encode("/sys/fs\0")]);
});

test("getcwd prints (unreachable) when cwd is outside the root (chroot, then an old fd)", () => {
  const k = FakeKernel.scenario("docker-host");
  assert.equal(k.exec(openat("/run", O_PATH | O_DIRECTORY)), { ret: 3 });
  assert.is(errnoOf(k.exec(chroot("/var/lib/pivotshim/rootfs"))), 0);
  assert.is(errnoOf(k.exec(fchdir(3))), 0);
  assert.is(cwdOf(k), "(unreachable)/run");
  assert.is(errnoOf(k.exec(chdir("/"))), 0);
  assert.is(cwdOf(k), "/");
});

test("chroot without CAP_SYS_ADMIN: EPERM, after the lookup", () => {
  const k = FakeKernel.scenario("docker-host");
  k.process.cap = false;
  assert.is(errnoOf(k.exec(chroot("/nonexistent"))), ENOENT);
  assert.is(errnoOf(k.exec(chroot("/run"))), EPERM);
});

test("pivot_root(\".\", \".\") stacks the old root on top of the new one; cwd stays on the new root", () => {
  const k = FakeKernel.scenario("docker-host");
  const rootfs = "/var/lib/pivotshim/rootfs";
  assert.is(run(k, [mount("", "/", "", MS_SLAVE | MS_REC, ""), mount(rootfs, rootfs, "", MS_BIND | MS_REC, ""), chdir(rootfs)]), null);
  assert.is(errnoOf(k.exec(pivotRoot(".", "."))), 0);
  assert.is(cwdOf(k), "/");
  const mps = k.mountinfo().split("\n").filter(Boolean).map((l) => l.split(" ")[4]);
  assert.equal(mps.filter((m) => m === "/").length, 2, "new root and, on top of it, the old root");
  assert.is(errnoOf(k.exec(umount2(".", MNT_DETACH))), 0);
  assert.equal(k.mountinfo().split("\n").filter(Boolean).map((l) => l.split(" ")[4]), ["/"]);
});

test.run();
