// Tests written for survivors of `npm run mutate -- src/hosts/fake` in links.ts (docs/mutation.md):
// the reverse indexes as the syscalls show them: peer group ids handed out lowest free first and
// reused once released, and a peer group read back in creation order after a member left; and
// linksConsistent, the check test/fake-links.test.ts relies on, finding each kind of stale index;
// and a parsed table's side mounts (several mounts on one mount point of one parent).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { MS_BIND, MS_PRIVATE, MS_SHARED, MS_SLAVE } from "../src/abi.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import { linksConsistent } from "../src/hosts/fake/links.js";
import { mnt } from "../src/hosts/fake/mounts.js";
import { errnoOf, mount, umount2 } from "./fixtures/fake/calls.js";

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

// The ring order (mnt_share): each bind of /mnt/a goes right after it (clone_mnt's list_add), so
// the ring runs a, b3, b2, b1, b0; b0 leaves it; propagate_mnt walks it from a (next_peer). Recorded
// on Linux 6.18 with the same steps in `unshare -m` (tmpfs at a, --make-shared, four --bind, b0
// --make-private, a tmpfs at a/x): ids 68 a/x, 69 b3/x, 70 b2/x, 71 b1/x. The fake once visited
// peers in creation order (b1 first), and this test pinned that.
test("a peer group of five loses its second member: propagation visits the rest around the ring from the source (newest bind first), as Linux 6.18 does", () => {
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
    "56 51 0:101 / /mnt/a/x", "57 55 0:101 / /mnt/b3/x", "58 54 0:101 / /mnt/b2/x", "59 53 0:101 / /mnt/b1/x",
  ]);
});

test("side mounts in a parsed table: lookups find the first one listed, and once it is unmounted the next one listed (the mount hash before Linux 4.11: a propagated copy went behind the mount already there)", () => {
  // Before 4.11 (fs/namespace.c, commit 1064f874abc0 "mnt: Tuck mounts under others instead of
  // creating shadow/side mounts") propagation put a copy behind the mount already on the same
  // (parent, mount point) in the mount hash, and __lookup_mnt found the older one; since then a
  // parent and mount point hold one mount. Only an old kernel's table (or a hand-written one) has them.
  const k = FakeKernel.fromMountinfo([
    "21 1 8:1 / / rw - ext4 /dev/sda1 rw",
    "22 21 0:30 / /srv rw - tmpfs a rw",
    "23 21 0:31 / /srv rw - tmpfs b rw",
    "24 21 0:32 / /srv rw - tmpfs c rw",
    "",
  ].join("\n"));
  const left: string[] = [];
  for (let i = 0; i < 3; i++) {
    assert.is(errnoOf(k.exec(umount2("/srv", 0))), 0);
    left.push(k.mountinfo().split("\n").filter((l) => l.includes(" /srv ")).map((l) => l.split(" ")[0]).join(" "));
  }
  // The second umount2 takes 23, not 24: the slot (an array) lost 22 by swapping 24 into its place.
  assert.equal(left, ["23 24", "24", ""]);
  assert.is(linksConsistent(k.state), null);
});

test("linksConsistent finds each kind of stale index, field by field (a check that never fails would pass every run of fake-links.test.ts)", () => {
  const k = FakeKernel.scenario("private-host");
  const s = k.state;
  for (const d of ["a", "b", "c", "d"]) k.mkdir(`/mnt/${d}`);
  // Two peer groups of two: 51, 52 (shared:1) and 53, 54 (shared:2), all four on 43.
  for (const [src, dst] of [["/mnt/a", "/mnt/b"], ["/mnt/c", "/mnt/d"]] as const) {
    assert.is(errnoOf(k.exec(mount("tmpfs", src, "tmpfs", 0, null))), 0);
    assert.is(errnoOf(k.exec(mount(null, src, null, MS_SHARED, null))), 0);
    assert.is(errnoOf(k.exec(mount(src, dst, null, MS_BIND, null))), 0);
  }
  assert.is(linksConsistent(s), null);
  const [a, b, c] = [mnt(s, 51), mnt(s, 52), mnt(s, 53)];
  const seen: (string | null)[] = [];
  const with_ = (spoil: () => void, mend: () => void) => { spoil(); seen.push(linksConsistent(s)); mend(); assert.is(linksConsistent(s), null); };
  // Two mounts trade groups behind setPeer's back: same groups, same sizes, other members.
  const tradePeers = () => { [a.peer, c.peer] = [c.peer, a.peer]; };
  with_(tradePeers, tradePeers);
  // Two mounts trade mount points behind setParent's back: same slots, same sizes, other members.
  const tradeMps = () => { [a.mp, c.mp] = [c.mp, a.mp]; };
  with_(tradeMps, tradeMps);
  // A one-mount slot held as an array, and a parent with no slots left (both invisible to the lists above).
  const byMp = s.links!.at.get(43)!;
  with_(() => byMp.set(a.mp, [a]), () => byMp.set(a.mp, a));
  with_(() => s.links!.at.set(999, new Map()), () => s.links!.at.delete(999));
  // The free-group hint above a free group (3): lowestFreeGroup would skip it.
  const hint = s.links!.freeHint;
  with_(() => { s.links!.freeHint = 5; }, () => { s.links!.freeHint = hint; });
  // Two records with one rank: creation order no longer decides.
  const rank = b.rank;
  with_(() => { b.rank = a.rank; }, () => { b.rank = rank; });
  assert.equal(seen.map((x) => x?.replace(/\[\[0,0,.*\]\], fresh \[\[0,0,.*\]\]$/, "<the whole table>")), [
    "peers: kept [[1,[51,52]],[2,[53,54]]], fresh [[1,[52,53]],[2,[51,54]]]",
    "children: kept <the whole table>",
    "slot 43/16 is an array of 1",
    "parent 999 has an empty slot map",
    "group 3 is free below the hint 5",
    `rank of 52 (${a.rank}) is not above the one before (${a.rank})`,
  ]);
  // The table part of the children line: the two traded slots differ, nothing else.
  tradeMps();
  assert.match(linksConsistent(s)!, /^children: kept \[.*\[43,16,\[51\]\],\[43,17,\[52\]\],\[43,18,\[53\]\].*\], fresh \[.*\[43,16,\[53\]\],\[43,17,\[52\]\],\[43,18,\[51\]\].*\]$/);
  tradeMps();
  // No index built yet: nothing to compare, only the ranks are checked.
  s.links = undefined;
  assert.is(linksConsistent(s), null);
});

test("a peer group of twenty (kept in a Set past 16) and twenty slaves of one master: a mount under one member reaches every other (propagate_mnt), and its unmount takes every copy (propagate_umount)", () => {
  const k = FakeKernel.scenario("private-host");
  k.mkdir("/mnt/a").mkdir("/mnt/m");
  assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt/a", "tmpfs", 0, null))), 0);
  assert.is(errnoOf(k.exec(mount(null, "/mnt/a", null, MS_SHARED, null))), 0);
  for (let i = 1; i < 20; i++) {
    k.mkdir(`/mnt/p${i}`);
    assert.is(errnoOf(k.exec(mount("/mnt/a", `/mnt/p${i}`, null, MS_BIND, null))), 0);
  }
  // A second group: one shared master, /mnt/m, and twenty slaves of it.
  assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt/m", "tmpfs", 0, null))), 0);
  assert.is(errnoOf(k.exec(mount(null, "/mnt/m", null, MS_SHARED, null))), 0);
  for (let i = 1; i <= 20; i++) {
    k.mkdir(`/mnt/s${i}`);
    assert.is(errnoOf(k.exec(mount("/mnt/m", `/mnt/s${i}`, null, MS_BIND, null))), 0);
    assert.is(errnoOf(k.exec(mount(null, `/mnt/s${i}`, null, MS_SLAVE, null))), 0);
  }
  k.mkdir("/mnt/a/x").mkdir("/mnt/m/y");
  assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt/p7/x", "tmpfs", 0, null))), 0);
  assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt/m/y", "tmpfs", 0, null))), 0);
  const points = k.mountinfo().split("\n").filter(Boolean).map((l) => l.split(" ")[4]!);
  assert.is(points.filter((p) => p.endsWith("/x")).length, 20, "the mount and its 19 peers' copies");
  assert.is(points.filter((p) => p.endsWith("/y")).length, 21, "the master's mount and its 20 slaves' copies");
  assert.is(linksConsistent(k.state), null);
  // And an unmount of one member takes every copy (propagate_umount, over the same groups).
  assert.is(errnoOf(k.exec(umount2("/mnt/a/x", 0))), 0);
  assert.is(errnoOf(k.exec(umount2("/mnt/m/y", 0))), 0);
  assert.equal(k.mountinfo().split("\n").filter(Boolean).map((l) => l.split(" ")[4]!).filter((p) => /\/(x|y)$/.test(p)), []);
  assert.is(linksConsistent(k.state), null);
});

test("umount reaches a private copy in a peer of the parent's group that also has one slave (gather_candidates over every peer and slave)", () => {
  // Seen on Linux 6.18: /a and /b peers, /c their slave; a tmpfs on /a/x reaches /b/x and /c/x,
  // both made private; umount /a/x takes both copies (they are found through /a's group, not /x's).
  const k = FakeKernel.scenario("private-host");
  k.mkdir("/mnt/a").mkdir("/mnt/b").mkdir("/mnt/c");
  assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt/a", "tmpfs", 0, null))), 0);
  assert.is(errnoOf(k.exec(mount(null, "/mnt/a", null, MS_SHARED, null))), 0);
  assert.is(errnoOf(k.exec(mount("/mnt/a", "/mnt/b", null, MS_BIND, null))), 0);
  assert.is(errnoOf(k.exec(mount("/mnt/a", "/mnt/c", null, MS_BIND, null))), 0);
  assert.is(errnoOf(k.exec(mount(null, "/mnt/c", null, MS_SLAVE, null))), 0);
  k.mkdir("/mnt/a/x");
  assert.is(errnoOf(k.exec(mount("tmpfs", "/mnt/a/x", "tmpfs", 0, null))), 0);
  assert.is(errnoOf(k.exec(mount(null, "/mnt/b/x", null, MS_PRIVATE, null))), 0);
  assert.is(errnoOf(k.exec(mount(null, "/mnt/c/x", null, MS_PRIVATE, null))), 0);
  assert.is(errnoOf(k.exec(umount2("/mnt/a/x", 0))), 0);
  assert.is(groups(k).split(" ").filter((t) => t.startsWith("/mnt/")).join(" "), "/mnt/a:shared:1 /mnt/b:shared:1 /mnt/c:master:1");
  assert.equal(k.mountinfo().split("\n").filter((l) => / \/mnt\/[abc]\/x /.test(l)), []);
});

test.run();
