// pivot_root rules and the runc / crun pivot sequences on the fake kernel's scenarios.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { EBUSY, EINVAL, EPERM, MNT_DETACH, MS_BIND, MS_PRIVATE, MS_REC, MS_SLAVE } from "../src/abi.js";
import { FakeKernel, checkInvariants, scenarioRootfs } from "../src/hosts/fake/index.js";
import {
  chdir, close, crunUntilDetach, errnoOf, getcwd, mount, pivotRoot, run, runcSequence, umount2,
} from "./fixtures/fake/calls.js";

const ROOTFS = "/var/lib/pivotshim/rootfs";
const held = (k: FakeKernel, before: FakeKernel, outcome: "done" | "failed" = "done", rootfs = ROOTFS) =>
  Object.fromEntries(checkInvariants(before, k, outcome, { rootfs, strategy: "pivot" }).map((i) => [i.id, i.held]));

test("rootfs not a mount point: pivot_root EINVAL (its parent / is shared)", () => {
  const k = FakeKernel.scenario("rootfs-not-a-mountpoint");
  assert.is(errnoOf(k.exec(chdir(ROOTFS))), 0);
  assert.is(errnoOf(k.exec(pivotRoot(".", "."))), EINVAL);
});

test("rootfs not a mount point, / made rslave: EBUSY, since new_root is on the root mount (checked before EINVAL)", () => {
  const k = FakeKernel.scenario("rootfs-not-a-mountpoint");
  assert.is(run(k, [mount("", "/", "", MS_SLAVE | MS_REC, null), chdir(ROOTFS)]), null);
  assert.is(errnoOf(k.exec(pivotRoot(".", "."))), EBUSY);
});

test("rootfs under a shared parent (/tmp): pivot_root EINVAL, and the self bind propagated to the host", () => {
  const k = FakeKernel.scenario("shared-tmp");
  const rootfs = scenarioRootfs("shared-tmp");
  const before = k.hostMountinfo();
  assert.is(run(k, [mount(rootfs, rootfs, "bind", MS_BIND | MS_REC, ""), chdir(rootfs)]), null);
  assert.is(errnoOf(k.exec(pivotRoot(".", "."))), EINVAL);
  assert.ok(k.hostMountinfo().includes(` ${rootfs} `), "the bind reached the host's /tmp peer");
  assert.is.not(k.hostMountinfo(), before);
});

test("shared-tmp with /tmp made private first: the pivot works", () => {
  const k = FakeKernel.scenario("shared-tmp");
  const rootfs = scenarioRootfs("shared-tmp");
  const before = k.snapshot();
  assert.is(run(k, [mount("", "/tmp", "", MS_PRIVATE, ""), ...runcSequence(rootfs)]), null);
  assert.equal(held(k, before, "done", rootfs), {
    "host-unchanged": true, "root-is-rootfs": true, "old-root-unreachable": true, "fds-unchanged": true, "propagation-after": true,
  });
});

test("initramfs: pivot_root EINVAL (the root mount has no parent)", () => {
  const k = FakeKernel.scenario("initramfs");
  const steps = runcSequence(ROOTFS);
  const failed = run(k, steps);
  assert.ok(failed);
  assert.is(failed.req.op, "pivot_root");
  assert.is(failed.errno, EINVAL);
});

test("new_root = / : EBUSY on a private host; EINVAL first when / is shared", () => {
  const priv = FakeKernel.scenario("private-host");
  assert.is(errnoOf(priv.exec(pivotRoot("/", "/"))), EBUSY);
  const shared = FakeKernel.scenario("docker-host");
  assert.is(errnoOf(shared.exec(pivotRoot("/", "/"))), EINVAL);
});

test("pivot_root without CAP_SYS_ADMIN: EPERM before any lookup", () => {
  const k = FakeKernel.scenario("docker-host");
  k.process.cap = false;
  assert.is(errnoOf(k.exec(pivotRoot("/does/not/exist", "."))), EPERM);
});

test("runc sequence on docker-host: host mountinfo byte-identical, every invariant held", () => {
  const k = FakeKernel.scenario("docker-host");
  const before = k.snapshot();
  const hostBefore = k.hostMountinfo();
  assert.is(run(k, runcSequence(ROOTFS)), null);
  assert.is(k.hostMountinfo(), hostBefore);
  assert.equal(held(k, before), {
    "host-unchanged": true, "root-is-rootfs": true, "old-root-unreachable": true, "fds-unchanged": true, "propagation-after": true,
  });
  assert.is(k.cwd(), "/");
  assert.equal(k.mountinfo().split("\n").filter(Boolean).map((l) => l.split(" ")[4]), ["/"]);
});

test("runc sequence WITHOUT the rslave of the old root: the detach propagates and the host loses mounts", () => {
  const k = FakeKernel.scenario("docker-host");
  const before = k.snapshot();
  assert.is(run(k, runcSequence(ROOTFS, { slave: false })), null);
  const inv = checkInvariants(before, k, "done", { rootfs: ROOTFS, strategy: "pivot" });
  const host = inv.find((i) => i.id === "host-unchanged")!;
  assert.is(host.held, false);
  // Every mount under the shared / goes, the private overlay too: it is the parent that propagates.
  for (const mp of ["/proc", "/sys", "/sys/fs/cgroup", "/dev", "/dev/pts", "/run", ROOTFS]) {
    assert.not.ok(k.hostMountinfo().includes(` ${mp} `), `host still has ${mp}`);
    assert.ok(host.detail.includes(` ${mp} `), `detail names ${mp}`);
  }
  assert.equal(k.hostMountinfo().split("\n").filter(Boolean).map((l) => l.split(" ")[4]), ["/"]);
});

test("pivot without the detach: the old root stays on top of / (invariant 3 fails)", () => {
  const k = FakeKernel.scenario("docker-host");
  const before = k.snapshot();
  const seq = runcSequence(ROOTFS).filter((r) => r.op !== "umount2");
  assert.is(run(k, seq), null);
  assert.is(held(k, before)["old-root-unreachable"], false);
  assert.is(errnoOf(k.exec(chdir("/.."))), 0);
  assert.ok(k.mountinfo().includes(" /proc "), "mountinfo from the new root still lists the old /proc");
});

test("crun: repeated umount2(\".\") detaches the old root, then answers EINVAL", () => {
  const k = FakeKernel.scenario("docker-host");
  assert.is(run(k, crunUntilDetach(ROOTFS)), null);
  assert.is(errnoOf(k.exec(umount2(".", MNT_DETACH))), 0);
  assert.is(errnoOf(k.exec(umount2(".", MNT_DETACH))), EINVAL);
});

test("stacked-root: runc's single detach leaves the lower old root; crun's loop removes both", () => {
  const runc = FakeKernel.scenario("stacked-root");
  const before = runc.snapshot();
  assert.is(run(runc, runcSequence(ROOTFS)), null);
  assert.is(held(runc, before)["old-root-unreachable"], false);
  assert.is(held(runc, before)["host-unchanged"], true);

  const crun = FakeKernel.scenario("stacked-root");
  const b2 = crun.snapshot();
  assert.is(run(crun, crunUntilDetach(ROOTFS)), null);
  let detached = 0;
  while (errnoOf(crun.exec(umount2(".", MNT_DETACH))) === 0) detached++;
  assert.is(detached, 2);
  assert.is(run(crun, [chdir("/"), close(3), close(4)]), null);
  assert.equal(held(crun, b2), {
    "host-unchanged": true, "root-is-rootfs": true, "old-root-unreachable": true, "fds-unchanged": true, "propagation-after": true,
  });
});

test("getcwd after the pivot, before chdir(\"/\"): the detached old root is (unreachable)/", () => {
  const k = FakeKernel.scenario("docker-host");
  const seq = runcSequence(ROOTFS);
  assert.is(run(k, seq.slice(0, seq.findIndex((r) => r.op === "chdir"))), null);
  const r = k.exec(getcwd(4096));
  assert.ok("data" in r && r.data);
  assert.is(new TextDecoder().decode(r.data), "(unreachable)/\0");
  assert.is("ret" in r && r.ret, "(unreachable)/".length + 1);
});

test("rootless: the pivot works (the root's lock moves to new_root) and the host is untouched", () => {
  const k = FakeKernel.scenario("rootless");
  const before = k.snapshot();
  assert.is(run(k, runcSequence(ROOTFS)), null);
  assert.equal(held(k, before), {
    "host-unchanged": true, "root-is-rootfs": true, "old-root-unreachable": true, "fds-unchanged": true, "propagation-after": true,
  });
  assert.is(errnoOf(k.exec(umount2("/", MNT_DETACH))), EINVAL, "the new root is now locked");
});

test.run();
