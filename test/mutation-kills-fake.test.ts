// Tests written for survivors of `npm run mutate -- src/hosts/fake` (docs/mutation.md): the fake
// kernel's propagate_umount takes a mount that an unmount reaches through a shared parent only if
// all its children go too (the kernel's rule; its removal escaped the issue-11 review).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { MS_BIND, MS_PRIVATE, MS_SHARED } from "../src/abi.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import { errnoOf, mount, umount2 } from "./fixtures/fake/calls.js";

const points = (k: FakeKernel): string[] => k.mountinfo().split("\n").filter(Boolean).map((l) => l.split(" ")[4]!);

/** /mnt/a shared, /mnt/b its peer (a bind), /mnt/a/x mounted and so propagated to /mnt/b/x. */
function peers(): FakeKernel {
  const k = FakeKernel.scenario("docker-host");
  k.mkdir("/mnt/a").mkdir("/mnt/b");
  assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt/a", "tmpfs", 0, null))), 0);
  assert.is(errnoOf(k.exec(mount(null, "/mnt/a", null, MS_SHARED, null))), 0);
  assert.is(errnoOf(k.exec(mount("/mnt/a", "/mnt/b", null, MS_BIND, null))), 0);
  k.mkdir("/mnt/a/x");
  assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt/a/x", "tmpfs", 0, null))), 0);
  assert.ok(points(k).includes("/mnt/b/x"), "the mount propagated to the peer");
  return k;
}

test("umount propagates to a peer's copy that has no children of its own", () => {
  const k = peers();
  assert.is(errnoOf(k.exec(umount2("/mnt/a/x", 0))), 0);
  assert.not.ok(points(k).includes("/mnt/a/x"));
  assert.not.ok(points(k).includes("/mnt/b/x"), "the copy went with it");
});

test("umount does not take a peer's copy that still has a child (propagate_umount: only if all children go)", () => {
  const k = peers();
  // A private child under the copy only: the unmount of /mnt/a/x does not reach it.
  assert.is(errnoOf(k.exec(mount(null, "/mnt/b/x", null, MS_PRIVATE, null))), 0);
  k.mkdir("/mnt/b/x/y");
  assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt/b/x/y", "tmpfs", 0, null))), 0);
  assert.not.ok(points(k).includes("/mnt/a/x/y"));
  assert.is(errnoOf(k.exec(umount2("/mnt/a/x", 0))), 0);
  assert.not.ok(points(k).includes("/mnt/a/x"));
  assert.ok(points(k).includes("/mnt/b/x") && points(k).includes("/mnt/b/x/y"), points(k).join(" "));
});

test.run();
