// mount(2) and umount2(2) on the fake kernel: propagation changes, bind and its propagation across
// namespaces, locked mounts in a user-namespace-owned namespace, MS_MOVE, and the move strategy.
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  EBUSY, EINVAL, ELOOP, ENODEV, ENOENT, EPERM, MNT_DETACH, MNT_EXPIRE, MS_BIND, MS_MOVE, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_PRIVATE,
  MS_RDONLY, MS_REC, MS_REMOUNT, MS_SHARED, MS_SILENT, MS_SLAVE, MS_UNBINDABLE, O_CLOEXEC, O_DIRECTORY, O_PATH,
  UMOUNT_NOFOLLOW,
} from "../src/abi.js";
import { FakeKernel, checkInvariants } from "../src/hosts/fake/index.js";
import { chdir, chroot, close, errnoOf, mount, openat, run, umount2 } from "./fixtures/fake/calls.js";

const ROOTFS = "/var/lib/pivotshim/rootfs";
const line = (text: string, mp: string) => text.split("\n").find((l) => l.split(" ")[4] === mp) ?? "";

test("propagation change: two types, or any other flag, is EINVAL; MS_REC and MS_SILENT are fine", () => {
  const k = FakeKernel.scenario("docker-host");
  assert.is(errnoOf(k.exec(mount("", "/", "", MS_SLAVE | MS_PRIVATE, ""))), EINVAL);
  assert.is(errnoOf(k.exec(mount("", "/", "", MS_SHARED | MS_UNBINDABLE | MS_REC, ""))), EINVAL);
  assert.is(errnoOf(k.exec(mount("", "/", "", MS_PRIVATE | MS_NOSUID, ""))), EINVAL);
  assert.is(errnoOf(k.exec(mount("", "/", "", MS_PRIVATE | MS_REC | MS_SILENT, ""))), 0);
  assert.not.ok(k.mountinfo().includes("shared:"), "rprivate reached every mount");
});

test("propagation change on a directory that is not a mount root: EINVAL (runc's parent walk relies on it)", () => {
  const k = FakeKernel.scenario("docker-host");
  assert.is(errnoOf(k.exec(mount("", "/var/lib", "", MS_PRIVATE, ""))), EINVAL);
  assert.is(errnoOf(k.exec(mount("", "/var/lib/none", "", MS_PRIVATE, ""))), ENOENT);
});

test("rslave in the container: its mounts show master:N; the host's peer groups are unchanged", () => {
  const k = FakeKernel.scenario("docker-host");
  const host = k.hostMountinfo();
  assert.is(errnoOf(k.exec(mount("", "/", "", MS_SLAVE | MS_REC, ""))), 0);
  assert.match(line(k.mountinfo(), "/proc"), / master:3 - proc /);
  assert.not.match(line(k.mountinfo(), "/proc"), /shared:/);
  assert.is(k.hostMountinfo(), host);
});

test("a slave receives from its master, never the other way", () => {
  const k = FakeKernel.scenario("docker-host");
  assert.is(errnoOf(k.exec(mount("", "/", "", MS_SLAVE | MS_REC, ""))), 0);
  // container -> host: nothing
  k.mkdir("/run/fromcontainer");
  assert.is(errnoOf(k.exec(mount("tmpfs", "/run/fromcontainer", "tmpfs", 0, null))), 0);
  assert.not.ok(k.hostMountinfo().includes("/run/fromcontainer"));
  // host -> container: the host's new mount appears in the container
  const container = k.state.current;
  k.state.current = k.state.hostPid; // act as the host's init for two calls
  k.mkdir("/run/fromhost");
  assert.is(errnoOf(k.exec(mount("tmpfs", "/run/fromhost", "tmpfs", 0, null))), 0);
  k.state.current = container;
  assert.ok(k.mountinfo().includes(" /run/fromhost "), "the slave /run received the mount");
  assert.match(line(k.mountinfo(), "/run/fromhost"), / master:\d+ - tmpfs /);
});

test("without rslave, a mount in the container reaches the host through the shared peer", () => {
  const k = FakeKernel.scenario("docker-host");
  k.mkdir("/run/leak");
  assert.is(errnoOf(k.exec(mount("tmpfs", "/run/leak", "tmpfs", 0, null))), 0);
  assert.match(line(k.hostMountinfo(), "/run/leak"), / shared:\d+ - tmpfs tmpfs rw$/);
});

test("rbind copies submounts but skips unbindable ones; bind without MS_REC copies one mount", () => {
  const k = FakeKernel.scenario("private-host");
  k.mkdir("/mnt/r").mkdir("/mnt/b");
  assert.is(errnoOf(k.exec(mount("", "/sys/fs/cgroup", "", MS_UNBINDABLE, ""))), 0);
  assert.is(errnoOf(k.exec(mount("/sys", "/mnt/r", null, MS_BIND | MS_REC, null))), 0);
  assert.ok(k.mountinfo().includes(" /mnt/r "));
  assert.not.ok(k.mountinfo().includes(" /mnt/r/fs/cgroup "), "unbindable skipped");
  assert.is(errnoOf(k.exec(mount("/dev", "/mnt/b", null, MS_BIND, null))), 0);
  assert.not.ok(k.mountinfo().includes(" /mnt/b/pts "));
  assert.is(errnoOf(k.exec(mount("/sys/fs/cgroup", "/mnt/b", null, MS_BIND, null))), EINVAL, "unbindable source");
});

test("rootless: inherited /proc and /sys are locked, umount2 EINVAL; locked flags cannot be cleared", () => {
  const k = FakeKernel.scenario("rootless");
  assert.is(errnoOf(k.exec(umount2("/proc", MNT_DETACH))), EINVAL);
  assert.is(errnoOf(k.exec(umount2("/sys", MNT_DETACH))), EINVAL);
  assert.is(errnoOf(k.exec(mount(null, "/proc", null, MS_REMOUNT | MS_BIND, null))), EPERM, "clears nosuid,nodev,noexec");
  assert.is(errnoOf(k.exec(mount(null, "/proc", null, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | MS_NOEXEC, null))), 0);
  assert.is(errnoOf(k.exec(mount("/", "/mnt", null, MS_BIND, null))), ENOENT);
  k.mkdir("/mnt");
  assert.is(errnoOf(k.exec(mount("/", "/mnt", null, MS_BIND, null))), EINVAL, "would reveal what locked mounts hide");
  assert.is(errnoOf(k.exec(mount("/", "/mnt", null, MS_BIND | MS_REC, null))), 0);
  assert.is(errnoOf(k.exec(mount(null, "/", null, MS_REMOUNT | MS_RDONLY, null))), EPERM, "host superblock");
  assert.is(errnoOf(k.exec(mount("proc", "/mnt/proc", "proc", 0, null))), 0, "a full proc is visible");
});

test("umount2: EINVAL for bad flags and non-mount-points; EBUSY when busy without MNT_DETACH", () => {
  const k = FakeKernel.scenario("docker-host");
  assert.is(errnoOf(k.exec(umount2("/proc", UMOUNT_NOFOLLOW << 1 /* the first undefined bit */))), EINVAL);
  assert.is(errnoOf(k.exec(umount2("/var", MNT_DETACH))), EINVAL);
  assert.is(errnoOf(k.exec(umount2("/sys", 0))), EBUSY, "/sys has /sys/fs/cgroup under it");
  assert.is(errnoOf(k.exec(umount2("/proc", MNT_EXPIRE | MNT_DETACH))), EINVAL);
  assert.is(errnoOf(k.exec(chdir("/run"))), 0);
  assert.is(errnoOf(k.exec(umount2("/run", 0))), EBUSY, "our cwd is on it");
  assert.is(errnoOf(k.exec(chdir("/"))), 0);
  assert.is(errnoOf(k.exec(umount2("/run", 0))), 0);
  assert.is(errnoOf(k.exec(umount2("/run", 0))), EINVAL, "now a plain directory");
});

test("MS_MOVE: EINVAL for a non-mount-root source, the root, a shared parent; ELOOP into itself", () => {
  const k = FakeKernel.scenario("docker-host");
  assert.is(errnoOf(k.exec(mount("/var/lib", "/mnt", null, MS_MOVE, null))), ENOENT);
  k.mkdir("/mnt");
  assert.is(errnoOf(k.exec(mount("/var/lib", "/mnt", null, MS_MOVE, null))), EINVAL, "not a mount root");
  assert.is(errnoOf(k.exec(mount("/run", "/mnt", null, MS_MOVE, null))), EINVAL, "parent / is shared");
  assert.is(errnoOf(k.exec(mount("", "/", "", MS_PRIVATE | MS_REC, ""))), 0);
  assert.is(errnoOf(k.exec(mount("/sys", "/sys/fs/cgroup", null, MS_MOVE, null))), ELOOP);
  assert.is(errnoOf(k.exec(mount("/run", "/mnt", null, MS_MOVE, null))), 0);
  assert.ok(k.mountinfo().includes(" /mnt "));
  assert.is(errnoOf(k.exec(mount("nope", "/mnt", "nofs", 0, null))), ENODEV);
});

test("crun's propagation change through the magic link /proc/self/fd/N", () => {
  const k = FakeKernel.scenario("docker-host");
  const r = k.exec(openat(ROOTFS, O_PATH | O_CLOEXEC));
  assert.equal(r, { ret: 3 });
  assert.is(errnoOf(k.exec(mount(null, "/proc/self/fd/3", null, MS_PRIVATE, null))), 0);
  assert.is(errnoOf(k.exec(mount(null, "/proc/self/fd/4", null, MS_PRIVATE, null))), ENOENT);
  assert.is(errnoOf(k.exec(mount(null, "/proc/self/fd/3/..", null, MS_PRIVATE, null))), EINVAL, "/var/lib/pivotshim is no mount");
});

/** runc's msMoveRoot for docker-host: mask /proc and /sys (tmpfs cover if refused), move, chroot. */
function runcMove(k: FakeKernel, mask: boolean): void {
  assert.is(run(k, [
    mount("", "/", "", MS_SLAVE | MS_REC, ""), mount(ROOTFS, ROOTFS, "bind", MS_BIND | MS_REC, ""),
    openat(ROOTFS, O_DIRECTORY | O_CLOEXEC | O_PATH), chdir(ROOTFS),
  ]), null);
  for (const p of mask ? ["/sys", "/proc"] : []) {
    assert.is(errnoOf(k.exec(mount("", p, "", MS_SLAVE | MS_REC, ""))), 0);
    const e = errnoOf(k.exec(umount2(p, MNT_DETACH)));
    if (e === EINVAL || e === EPERM) assert.is(errnoOf(k.exec(mount("tmpfs", p, "tmpfs", 0, ""))), 0);
    else assert.is(e, 0);
  }
  assert.is(run(k, [mount(ROOTFS, "/", "", MS_MOVE, ""), chroot("."), chdir("/"), close(3)]), null);
}

for (const scenario of ["docker-host", "rootless"] as const) {
  test(`move strategy on ${scenario}: with masking every invariant holds; without, a full host proc stays`, () => {
    const k = FakeKernel.scenario(scenario);
    const before = k.snapshot();
    runcMove(k, true);
    const inv = checkInvariants(before, k, "done", { rootfs: ROOTFS, strategy: "move" });
    assert.equal(inv.filter((i) => !i.held), []);
    assert.is(k.cwd(), "/");

    const bare = FakeKernel.scenario(scenario);
    const b2 = bare.snapshot();
    runcMove(bare, false);
    const v = checkInvariants(b2, bare, "done", { rootfs: ROOTFS, strategy: "move" });
    assert.equal(v.filter((i) => !i.held).map((i) => i.id), ["no-host-proc-sysfs"]);
  });
}

// copy_mnt_ns locks and slaves a copy only when the new namespace has another owner
// (`user_ns != ns->user_ns`); unshare(CLONE_NEWNS) alone keeps the owner, so what propagates
// between two namespaces of one user namespace is not locked either (attach_recursive_mnt).
test("a namespace unshared without CLONE_NEWUSER keeps its owner: copies propagated into it are not locked", () => {
  const k = FakeKernel.fromMountinfo("2 1 0:1 / / rw,relatime shared:1 - tmpfs tmpfs rw\n");
  k.mkdir("/a/x");
  k.unshare({ userns: true });
  const b = k.state.current;
  assert.is(errnoOf(k.exec(mount("", "/a", "", MS_SHARED, ""))), EINVAL, "/a is no mount yet");
  assert.is(errnoOf(k.exec(mount("tmpfs", "/a", "tmpfs", 0, ""))), 0);
  assert.is(errnoOf(k.exec(mount("", "/a", "", MS_SHARED, ""))), 0);
  k.unshare();
  const b2 = k.state.current;
  assert.is(k.state.nss.get(k.state.procs.get(b2)!.ns)!.owner, k.state.nss.get(k.state.procs.get(b)!.ns)!.owner);
  k.state.current = b;
  k.mkdir("/a/x");
  assert.is(errnoOf(k.exec(mount("tmpfs", "/a/x", "tmpfs", 0, ""))), 0);
  k.state.current = b2;
  assert.match(line(k.mountinfo(), "/a/x"), / shared:\d+ /, "B2's /a is a peer of B's and received the tmpfs");
  assert.is(errnoOf(k.exec(umount2("/a/x", 0))), 0, "not locked: same owner");
});

test.run();
