// The propagation-after probe of src/hosts/fake/propagation-after.ts on end states the scenarios
// never reach: a rootfs that is "/", a symlink, a file or missing; a peer of the rootfs outside one
// side's root; a probe that cannot be mounted. Each row was a Stryker survivor of that file
// (mutation/stryker/fake.rest2.conf.json): a path, a host probe or an "(unreachable)" that nothing
// checked. The details are golden: they are what `check` prints to an auditor.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { MS_PRIVATE, MS_REC } from "../src/abi.js";
import { FakeKernel, checkInvariants, type Invariant } from "../src/hosts/fake/index.js";
import { walkPath } from "../src/rootfs-facts.js";
import { chdir, chroot, mount, run } from "./fixtures/fake/calls.js";
import type { Request } from "../src/request.js";

/** A host whose / is shared and whose /srv/r is a tmpfs in peer group 9, plus `extra` lines. */
const table = (...extra: string[]) => [
  "21 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw",
  "41 21 0:45 / /srv/r rw,relatime shared:9 - tmpfs tmpfs rw",
  ...extra,
].join("\n") + "\n";

/** The propagation-after verdict for strategy chroot on `k` after `reqs` (each must succeed). */
function judge(k: FakeKernel, rootfs: string, reqs: Request[]): Invariant | undefined {
  const before = k.snapshot();
  assert.is(run(k, reqs), null, "the set-up ran");
  return checkInvariants(before, k, "done", { rootfs, strategy: "chroot" }).find((x) => x.id === "propagation-after");
}
const held = (v: Invariant | undefined) => [v?.held, v?.detail, v?.finding];
const chrootFinding = (detail: string) =>
  [true, detail, `${detail} (the chroot strategy changes no mount, so it isolates none: hardened, strategy chroot, rootPropagation (the profile's default))`];

test("a rootfs that is the host's /: the host's probe is /.pivotshim-probe-host, not //.pivotshim-probe-host", () => {
  const v = judge(FakeKernel.fromMountinfo(table()).unshare(), "/", [chroot("/")]);
  assert.equal(held(v), chrootFinding(
    "a mount under the new root appears on the host at /.pivotshim-probe-container; a host mount at /.pivotshim-probe-host appears in the container at /.pivotshim-probe-host"));
});

test("a rootfs given as a symlink: the host's probe goes where the link leads", () => {
  const k = FakeKernel.fromMountinfo(table()).unshare().symlink("/srv/link", "/srv/r");
  assert.equal(held(judge(k, "/srv/link", [chdir("/srv/r"), chroot(".")])), chrootFinding(
    "a mount under the new root appears on the host at /srv/r/.pivotshim-probe-container; a host mount at /srv/r/.pivotshim-probe-host appears in the container at /.pivotshim-probe-host"));
});

test("a rootfs that does not resolve on the host, or is a file: no host probe, so the verdict cannot hold, and the errno is named", () => {
  // A private /srv/r: the container's probe stays inside, so only the missing host probe speaks.
  const k = FakeKernel.fromMountinfo(table().replace(" shared:9", "")).unshare();
  assert.equal(held(judge(k, "/nonexistent", [chdir("/srv/r"), chroot(".")])), [false,
    `not probed: host→container: /nonexistent does not resolve on the host (errno 2) (hardened, strategy chroot, rootPropagation (the profile's default))`, undefined]);
  const file = FakeKernel.scenario("rootfs-not-a-mountpoint", { rootfs: "/home/f", rootfsFacts: walkPath("/home/f", (p) => ({ kind: p === "/home/f" ? "file" : "dir" })) });
  assert.equal(held(judge(file, "/home/f", [mount("", "/", "", MS_REC | MS_PRIVATE, null)])), [false,
    `not probed: host→container: /home/f does not resolve on the host (errno 20) (hardened, strategy chroot, rootPropagation (the profile's default))`, undefined]);
});

test("a peer of the rootfs outside the container's root: the host's probe lands there too, but the container cannot reach it", () => {
  const k = FakeKernel.fromMountinfo(table("42 21 0:45 / /srv/s rw,relatime shared:9 - tmpfs tmpfs rw")).unshare();
  assert.equal(held(judge(k, "/srv/r", [chdir("/srv/r"), chroot(".")])), chrootFinding(
    "a mount under the new root appears on the host at /srv/s/.pivotshim-probe-container, /srv/r/.pivotshim-probe-container; " +
    "a host mount at /srv/r/.pivotshim-probe-host appears in the container at /.pivotshim-probe-host"));
});

test("a host that runs chrooted in /srv: the container's probe reaching a peer outside it is named, marked (unreachable)", () => {
  const k = FakeKernel.fromMountinfo(table("42 21 0:45 / /elsewhere rw,relatime shared:9 - tmpfs tmpfs rw")).mkdir("/srv");
  assert.is(run(k, [chroot("/srv")]), null);
  k.unshare();
  assert.equal(held(judge(k, "/r", [chdir("/r"), chroot(".")])), chrootFinding(
    "a mount under the new root appears on the host at (unreachable)/elsewhere/.pivotshim-probe-container, /r/.pivotshim-probe-container; " +
    "a host mount at /r/.pivotshim-probe-host appears in the container at /.pivotshim-probe-host"));
});

test("a probe that cannot be mounted (a dangling symlink where it goes): its direction saw nothing, which proves nothing, so not held", () => {
  const inContainer = FakeKernel.fromMountinfo(table()).unshare().symlink("/srv/r/.pivotshim-probe-container", "/nowhere");
  assert.equal(held(judge(inContainer, "/srv/r", [chdir("/srv/r"), chroot(".")])), [false,
    "a host mount at /srv/r/.pivotshim-probe-host appears in the container at /.pivotshim-probe-host; " +
    `not probed: container→host: the probe at /.pivotshim-probe-container could not be mounted (errno 2) (hardened, strategy chroot, rootPropagation (the profile's default))`, undefined]);
  const onHost = FakeKernel.fromMountinfo(table()).unshare().symlink("/srv/r/.pivotshim-probe-host", "/nowhere");
  assert.equal(held(judge(onHost, "/srv/r", [chdir("/srv/r"), chroot(".")])), [false,
    "a mount under the new root appears on the host at /srv/r/.pivotshim-probe-container; " +
    `not probed: host→container: the probe at /srv/r/.pivotshim-probe-host could not be mounted (errno 2) (hardened, strategy chroot, rootPropagation (the profile's default))`, undefined]);
  // Both probes refused: before, this read "nothing propagates" and held, on a rootfs shared with the host.
  const both = FakeKernel.fromMountinfo(table()).unshare().symlink("/srv/r/.pivotshim-probe-container", "/nowhere").symlink("/srv/r/.pivotshim-probe-host", "/nowhere");
  const before = both.snapshot();
  assert.is(run(both, [chdir("/srv/r"), chroot(".")]), null);
  const v = checkInvariants(before, both, "done", { rootfs: "/srv/r", strategy: "pivot", profile: "runc" }).find((x) => x.id === "propagation-after");
  assert.equal(held(v), [false, "not probed: container→host: the probe at /.pivotshim-probe-container could not be mounted (errno 2); " +
    "host→container: the probe at /srv/r/.pivotshim-probe-host could not be mounted (errno 2) (runc, strategy pivot, rootPropagation (the profile's default))", undefined]);
});

test.run();
