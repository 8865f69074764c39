// Tests written for survivors of `npm run mutate -- src/hosts/fake` in links.ts (docs/mutation.md):
// the reverse indexes as the syscalls show them: peer group ids handed out lowest free first and
// reused once released, and a peer group read back in creation order after a member left.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { MS_BIND, MS_PRIVATE, MS_SHARED, MS_SLAVE } from "../src/abi.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import { linksConsistent } from "../src/hosts/fake/links.js";
import { errnoOf, mount } from "./fixtures/fake/calls.js";

/** "mount point:optional fields" of each line with any. */
const groups = (k: FakeKernel): string =>
  k.mountinfo().split("\n").filter(Boolean).map((l) => `${l.split(" ")[4]}:${l.split(" - ")[0]!.split(" ").slice(6).join(",")}`)
    .filter((t) => !t.endsWith(":")).join(" ");

test("peer group ids: the lowest free one, reused once its last member leaves (mnt_alloc_group_id: IDA from 1; mnt_release_group_id)", () => {
  const k = FakeKernel.scenario("private-host");
  const steps: string[] = [];
  for (const [path, flag] of [
    ["/run", MS_SHARED], ["/dev", MS_SHARED], ["/proc", MS_SHARED], ["/run", MS_PRIVATE], ["/sys", MS_SHARED],
    ["/dev", MS_SLAVE], ["/proc", MS_PRIVATE], ["/", MS_SHARED], ["/sys/fs/cgroup", MS_SHARED],
  ] as const) {
    assert.is(errnoOf(k.exec(mount(null, path, null, flag, null))), 0);
    steps.push(groups(k));
  }
  assert.equal(steps, [
    "/run:shared:1",
    "/dev:shared:2 /run:shared:1",
    "/proc:shared:3 /dev:shared:2 /run:shared:1",
    "/proc:shared:3 /dev:shared:2", // 1 is free again
    "/sys:shared:1 /proc:shared:3 /dev:shared:2",
    "/sys:shared:1 /proc:shared:3", // a slave of a group of one: no master left (do_make_slave), 2 is free
    "/sys:shared:1",
    "/:shared:2 /sys:shared:1",
    "/:shared:2 /sys:shared:1 /sys/fs/cgroup:shared:3",
  ]);
  assert.is(linksConsistent(k.state), null);
});

test("a peer group of five loses its second member: propagation still visits the rest in creation order (copies' ids in order)", () => {
  const k = FakeKernel.scenario("private-host");
  k.mkdir("/mnt/a");
  assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt/a", "tmpfs", 0, null))), 0);
  assert.is(errnoOf(k.exec(mount(null, "/mnt/a", null, MS_SHARED, null))), 0);
  for (let i = 0; i < 4; i++) {
    k.mkdir(`/mnt/b${i}`);
    assert.is(errnoOf(k.exec(mount("/mnt/a", `/mnt/b${i}`, null, MS_BIND, null))), 0);
  }
  assert.is(errnoOf(k.exec(mount(null, "/mnt/b0", null, MS_PRIVATE, null))), 0);
  k.mkdir("/mnt/a/x");
  assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt/a/x", "tmpfs", 0, null))), 0);
  assert.equal(k.mountinfo().split("\n").filter((l) => l.includes(" 0:101 ")).map((l) => l.split(" ").slice(0, 5).join(" ")), [
    "56 51 0:101 / /mnt/a/x", "57 53 0:101 / /mnt/b1/x", "58 54 0:101 / /mnt/b2/x", "59 55 0:101 / /mnt/b3/x",
  ]);
});

test.run();
