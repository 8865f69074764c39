// The verdicts of src/hosts/fake/invariants.ts on end states that no plan of ours reaches but a
// buggy plan would: a "pivot" that only chrooted, a root on the wrong filesystem or directory, a
// new fd that is not the kept one, a host proc already gone. Each row was a Stryker survivor of
// invariants.ts (mutation/stryker/fake.rest2.conf.json): a "held" that nothing could make false.
// The details are golden: they are what `check` prints to an auditor.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { MNT_DETACH, MS_BIND, MS_MOVE, MS_PRIVATE, MS_REC, O_CLOEXEC, O_DIRECTORY, O_PATH, O_RDONLY } from "../src/abi.js";
import { FakeKernel, checkInvariants, type Invariant, type InvariantId, type RunConfig } from "../src/hosts/fake/index.js";
import { beforeRun } from "../src/hosts/fake/invariants.js";
import { chdir, chroot, close, mount, openat, run, umount2 } from "./fixtures/fake/calls.js";
import type { Request } from "../src/request.js";

const ROOTFS = "/var/lib/pivotshim/rootfs";

/** docker-host's container process after `reqs` (each must succeed), judged against before. */
function judge(reqs: Request[], cfg: Partial<RunConfig> = {}, outcome: "done" | "failed" = "done"): Record<InvariantId, Invariant> {
  const k = FakeKernel.scenario("docker-host");
  const before = k.snapshot();
  assert.is(run(k, reqs), null, "the set-up ran");
  const out = checkInvariants(before, k, outcome, { rootfs: ROOTFS, strategy: "pivot", ...cfg });
  return Object.fromEntries(out.map((v) => [v.id, v])) as Record<InvariantId, Invariant>;
}
const held = (v: Invariant | undefined) => [v?.held, v?.detail, v?.finding];

test("strategy pivot, but the plan only chrooted: every host mount is still in the namespace, outside the new root", () => {
  const v = judge([chdir(ROOTFS), chroot(".")]);
  assert.equal(held(v["old-root-unreachable"]), [false, [
    "mount 44 (sysfs /) is still in the namespace, outside the new root",
    "mount 45 (cgroup2 /) is still in the namespace, outside the new root",
    "mount 46 (proc /) is still in the namespace, outside the new root",
    "mount 47 (devtmpfs /) is still in the namespace, outside the new root",
    "mount 48 (devpts /) is still in the namespace, outside the new root",
    "mount 49 (tmpfs /) is still in the namespace, outside the new root",
  ].join("; "), undefined]);
  // The same end state judged as chroot: that strategy leaves the host's mounts by design.
  assert.equal(held(judge([chdir(ROOTFS), chroot(".")], { strategy: "chroot" })["old-root-unreachable"]), [true, "nothing outside the new root", undefined]);
  assert.equal(held(v["root-is-rootfs"]), [true, `root: mount 50 (overlay /) is ${ROOTFS}; cwd: /`, undefined]);
});

test("root-is-rootfs needs both the filesystem and the directory: the root of another filesystem, or another directory of the rootfs's, is not the rootfs", () => {
  // /run is a tmpfs: its root has the same inode number as the overlay's root, on another filesystem.
  assert.equal(held(judge([chdir("/run"), chroot(".")])["root-is-rootfs"]), [false, `root: mount 49 (tmpfs /) is not ${ROOTFS}; cwd: /`, undefined]);
  const k = FakeKernel.scenario("docker-host").mkdir(`${ROOTFS}/usr`);
  const before = k.snapshot();
  assert.is(run(k, [chdir(`${ROOTFS}/usr`), chroot(".")]), null);
  const v = checkInvariants(before, k, "done", { rootfs: ROOTFS, strategy: "chroot" }).find((x) => x.id === "root-is-rootfs");
  assert.equal(held(v), [false, `root: mount 50 (overlay /) at /usr is not ${ROOTFS}; cwd: /`, undefined]);
  // The right root with the cwd left elsewhere (under the root): not held either.
  const cwd = judge([chdir(ROOTFS), chroot("."), chdir("/proc")], { strategy: "chroot" })["root-is-rootfs"];
  assert.equal(held(cwd), [false, `root: mount 50 (overlay /) is ${ROOTFS}; cwd: /proc`, undefined]);
});

test("a rootfs that did not resolve before the run: root-is-rootfs and no-host-proc-sysfs fail, whatever the end state", () => {
  const k = FakeKernel.scenario("docker-host");
  const v = Object.fromEntries(checkInvariants(k.snapshot(), k, "done", { rootfs: "/nonexistent", strategy: "move" }).map((x) => [x.id, x]));
  const detail = "/nonexistent did not resolve before the run (errno 2)";
  assert.equal(held(v["root-is-rootfs"]), [false, detail, undefined]);
  assert.equal(held(v["no-host-proc-sysfs"]), [false, detail, undefined]);
});

test("a Before view is judged only for the config it was taken for", () => {
  const k = FakeKernel.scenario("docker-host");
  const b = beforeRun(k, { rootfs: ROOTFS, strategy: "pivot" });
  assert.throws(() => checkInvariants(b, k, "done", { rootfs: "/srv", strategy: "pivot" }),
    (e: Error) => e instanceof TypeError && e.message === `a Before view taken for another config (${ROOTFS}), judged for /srv, strategy pivot`);
  // Taken without proc/sysfs (pivot), it cannot judge move, which needs them.
  assert.throws(() => checkInvariants(b, k, "done", { rootfs: ROOTFS, strategy: "move" }),
    (e: Error) => e.message === `a Before view taken for another config (${ROOTFS}), judged for ${ROOTFS}, strategy move`);
});

test("fds-unchanged: same count, another fd; same fd, another file or another O_CLOEXEC; all fail", () => {
  const base = [openat("/", O_DIRECTORY | O_PATH | O_CLOEXEC)]; // fd 3 before the run
  const fds = (reqs: Request[]) => {
    const k = FakeKernel.scenario("docker-host");
    assert.is(run(k, base), null);
    const before = k.snapshot();
    assert.is(run(k, reqs), null);
    return checkInvariants(before, k, "failed", { rootfs: ROOTFS, strategy: "pivot" }).find((x) => x.id === "fds-unchanged");
  };
  assert.equal(held(fds([])), [true, "fds 0:tty 1:tty 2:tty 3:path+cloexec", undefined]);
  assert.equal(held(fds([close(3), openat("/", O_DIRECTORY | O_PATH)])),
    [false, "before 0:tty 1:tty 2:tty 3:path+cloexec; after 0:tty 1:tty 2:tty 3:path", undefined]);
  assert.equal(held(fds([close(3), openat("/proc", O_DIRECTORY | O_PATH | O_CLOEXEC)])),
    [false, "before 0:tty 1:tty 2:tty 3:path+cloexec; after 0:tty 1:tty 2:tty 3:path+cloexec", undefined]);
  assert.equal(held(fds([openat("/", O_DIRECTORY | O_PATH | O_CLOEXEC), close(3)])),
    [false, "before 0:tty 1:tty 2:tty 3:path+cloexec; after 0:tty 1:tty 2:tty 4:path+cloexec", undefined]);
});

test("fds-unchanged: only crun-1.29, only at Done, only new O_CLOEXEC fds with every old one kept, is a finding", () => {
  const k0 = FakeKernel.scenario("docker-host");
  assert.is(run(k0, [openat("/", O_DIRECTORY | O_PATH | O_CLOEXEC)]), null); // fd 3, the run's own
  const fds = (reqs: Request[], profile: string | undefined, outcome: "done" | "failed") => {
    const k = k0.clone();
    const before = k.snapshot();
    assert.is(run(k, reqs), null);
    return checkInvariants(before, k, outcome, { rootfs: ROOTFS, strategy: "chroot", profile }).find((x) => x.id === "fds-unchanged");
  };
  const keep = [openat("/", O_DIRECTORY | O_PATH | O_CLOEXEC)]; // fd 4: crun's get_old_root_fd
  const was = "before 0:tty 1:tty 2:tty 3:path+cloexec";
  assert.equal(held(fds(keep, "crun-1.29", "done")),
    [true, `${was}; after 0:tty 1:tty 2:tty 3:path+cloexec 4:path+cloexec`, "fd 4 (path, O_CLOEXEC) kept open at Done, as crun-1.29 keeps it until exec closes it"]);
  assert.equal(held(fds(keep, undefined, "done")), [false, `${was}; after 0:tty 1:tty 2:tty 3:path+cloexec 4:path+cloexec`, undefined], "hardened keeps nothing");
  assert.equal(held(fds(keep, "crun-1.29", "failed")), [false, `${was}; after 0:tty 1:tty 2:tty 3:path+cloexec 4:path+cloexec`, undefined], "a failed run never reaches exec");
  assert.equal(held(fds([openat("/", O_DIRECTORY | O_PATH)], "crun-1.29", "done")),
    [false, `${was}; after 0:tty 1:tty 2:tty 3:path+cloexec 4:path`, undefined], "without O_CLOEXEC it leaks into the command");
  assert.equal(held(fds([...keep, openat("/", O_DIRECTORY | O_PATH)], "crun-1.29", "done")),
    [false, `${was}; after 0:tty 1:tty 2:tty 3:path+cloexec 4:path+cloexec 5:path`, undefined], "one of two new fds without O_CLOEXEC");
  assert.equal(held(fds([...keep, ...keep], "crun-1.29", "done")),
    [true, `${was}; after 0:tty 1:tty 2:tty 3:path+cloexec 4:path+cloexec 5:path+cloexec`,
      "fd 4 (path, O_CLOEXEC), fd 5 (path, O_CLOEXEC) kept open at Done, as crun-1.29 keeps it until exec closes it"]);
  assert.equal(held(fds([...keep, close(3)], "crun-1.29", "done")),
    [false, `${was}; after 0:tty 1:tty 2:tty 4:path+cloexec`, undefined], "an old fd closed: not what crun does");
});

test("move: a host proc and sysfs unmounted before the move are gone, not left behind; kept ones are named with where they are", () => {
  const bind = mount(ROOTFS, ROOTFS, null, MS_BIND | MS_REC, null);
  const move = [bind, chdir(ROOTFS), mount(ROOTFS, "/", null, MS_MOVE, null), chroot("."), chdir("/")];
  const priv = mount("", "/", "", MS_REC | MS_PRIVATE, null);
  const gone = judge([priv, umount2("/proc", MNT_DETACH), umount2("/sys", MNT_DETACH), ...move], { strategy: "move" });
  assert.equal(held(gone["no-host-proc-sysfs"]), [true, "no full host proc/sysfs in the namespace (the rootfs's own are the container's)", undefined]);
  assert.equal(held(gone["host-unchanged"]), [true, "host mountinfo byte-identical", undefined]);
  const kept = judge([priv, ...move], { strategy: "move" });
  assert.equal(held(kept["no-host-proc-sysfs"]), [false,
    "mount 44 (sysfs /), the host's /sys, hidden under the new root; mount 46 (proc /), the host's /proc, hidden under the new root", undefined]);
  // The host's /proc moved into the rootfs first (MS_MOVE keeps the mount): reachable from the new root.
  const k = FakeKernel.scenario("docker-host").mkdir(`${ROOTFS}/proc`);
  const before = k.snapshot();
  assert.is(run(k, [priv, bind, mount("/proc", `${ROOTFS}/proc`, null, MS_MOVE, null), ...move.slice(1)]), null);
  const moved = checkInvariants(before, k, "done", { rootfs: ROOTFS, strategy: "move" }).find((x) => x.id === "no-host-proc-sysfs");
  assert.equal(held(moved), [false,
    "mount 44 (sysfs /), the host's /sys, hidden under the new root; mount 46 (proc /), the host's /proc, reachable at /proc", undefined]);
});

test("move: only a full proc or sysfs counts (mount_too_revealing): a bind of part of one, or the old ext4 root, left hidden is not judged", () => {
  const k = FakeKernel.fromMountinfo([
    "21 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw",
    "23 21 0:22 / /proc rw,relatime - proc proc rw",
    "24 21 0:22 /sys /mnt rw,relatime - proc proc rw",
    "25 21 0:21 /kernel /opt rw,relatime - sysfs sysfs rw",
    "41 21 0:45 / /srv/r rw,relatime - tmpfs tmpfs rw",
  ].join("\n") + "\n").unshare();
  const before = k.snapshot();
  assert.is(run(k, [umount2("/proc", MNT_DETACH), chdir("/srv/r"), mount("/srv/r", "/", null, MS_MOVE, null), chroot(".")]), null);
  const v = checkInvariants(before, k, "done", { rootfs: "/srv/r", strategy: "move" }).find((x) => x.id === "no-host-proc-sysfs");
  assert.equal(held(v), [true, "no full host proc/sysfs in the namespace (the rootfs's own are the container's)", undefined]);
});

test("host-unchanged names each line gone and each line added", () => {
  // Without the rprivate, the unmounts and the move reach the host's peers.
  const v = judge([umount2("/proc", MNT_DETACH), mount(ROOTFS, ROOTFS, null, MS_BIND | MS_REC, null), chdir(ROOTFS),
    mount(ROOTFS, "/", null, MS_MOVE, null), chroot(".")], { strategy: "move" });
  assert.equal(held(v["host-unchanged"]), [false, [
    "- 23 21 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:3 - proc proc rw",
    // shared:3 again: /proc's group number is free once /proc is gone (the kernel's IDA gives the lowest).
    "+ 52 21 0:45 / / rw,relatime shared:3 - overlay overlay rw,lowerdir=/var/lib/pivotshim/l/A,upperdir=/var/lib/pivotshim/d/diff,workdir=/var/lib/pivotshim/d/work",
  ].join("\n"), undefined]);
});

test("propagation-after: both directions in one detail; no profile means hardened; the config is named in full", () => {
  const mountinfo = [
    "21 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw",
    "23 21 0:22 / /proc rw,relatime shared:3 - proc proc rw",
    "41 21 0:45 / /srv/r rw,relatime shared:9 - tmpfs tmpfs rw",
  ].join("\n") + "\n";
  const verdict = (cfg: RunConfig) => {
    const k = FakeKernel.fromMountinfo(mountinfo).unshare();
    const before = k.snapshot();
    assert.is(run(k, [chdir("/srv/r"), chroot(".")]), null); // the rootfs stays a peer of the host's
    return checkInvariants(before, k, "done", cfg).find((x) => x.id === "propagation-after");
  };
  const both = "a mount under the new root appears on the host at /srv/r/.pivotshim-probe-container; a host mount at /srv/r/.pivotshim-probe-host appears in the container at /.pivotshim-probe-host";
  assert.equal(held(verdict({ rootfs: "/srv/r", strategy: "pivot", prepare: false })),
    [false, `${both} (hardened, strategy pivot, rootPropagation (the profile's default), no prepare)`, undefined]);
  assert.equal(held(verdict({ rootfs: "/srv/r", strategy: "chroot" })),
    [true, both, `${both} (the chroot strategy changes no mount, so it isolates none: hardened, strategy chroot, rootPropagation (the profile's default))`]);
  assert.equal(held(verdict({ rootfs: "/srv/r", strategy: "pivot", profile: "runc", rootPropagation: "rslave", prepare: true })),
    [true, both, `${both} (what the real runtime does with runc, strategy pivot, rootPropagation rslave)`]);
  // A second peer of the rootfs on the host (/srv/s) and a bind of it inside (/mnt): every place is named.
  const k = FakeKernel.fromMountinfo(mountinfo + "42 21 0:45 / /srv/s rw,relatime shared:9 - tmpfs tmpfs rw\n").unshare().mkdir("/srv/r/mnt");
  const before = k.snapshot();
  assert.is(run(k, [mount("/srv/r", "/srv/r/mnt", null, MS_BIND, null), chdir("/srv/r"), chroot(".")]), null);
  const many = checkInvariants(before, k, "done", { rootfs: "/srv/r", strategy: "chroot" }).find((x) => x.id === "propagation-after");
  assert.is(many?.detail, "a mount under the new root appears on the host at /srv/s/mnt/.pivotshim-probe-container, /srv/r/mnt/.pivotshim-probe-container, " +
    "/srv/s/.pivotshim-probe-container, /srv/r/.pivotshim-probe-container; a host mount at /srv/r/.pivotshim-probe-host appears in the container at " +
    "/.pivotshim-probe-host, /mnt/.pivotshim-probe-host");
  // Asked for host → container (rshared), but the container → host crossing was not: a violation.
  assert.equal(held(verdict({ rootfs: "/srv/r", strategy: "pivot", rootPropagation: "rshared" })),
    [false, `${both} (hardened, strategy pivot, rootPropagation rshared)`, undefined]);
});

test.run();
