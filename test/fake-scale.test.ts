// The fake kernel's data structures that make 100k-mount tables affordable keep their meaning:
// crowded index slots (one mount, an array, a Set), indexes copied into a clone instead of rebuilt,
// and dentry trees changed in place until a clone shares them (then copied on write).
// Speed itself is measured by `npm run bench` ("fake kernel at scale"), never asserted here.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { MNT_DETACH, MS_BIND, MS_PRIVATE, MS_REC, MS_SHARED } from "../src/abi.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import { links, linksConsistent, peersOf } from "../src/hosts/fake/links.js";
import { lookup } from "../src/hosts/fake/resolve.js";
import { AT_FDCWD } from "../src/hosts/fake/flags.js";
import { errnoOf, mount, umount2 } from "./fixtures/fake/calls.js";
import { check } from "../src/check.js";
import { PROFILES } from "../src/schema.js";
import { flatTable, stackedTable } from "../bench/fake.js";
import { SCENARIO_NAMES } from "../src/hosts/fake/index.js";
import { isReachable, reachability } from "../src/hosts/fake/mounts.js";
import { drive } from "../src/driver.js";
import { parseConfig } from "../src/schema.js";

const TABLE = "21 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n";

test("40 mounts stacked on /mnt, then unmounted one by one: the kept index equals a fresh build at every step", () => {
  const k = FakeKernel.fromMountinfo(TABLE).mkdir("/mnt");
  links(k.state);
  assert.is(errnoOf(k.exec(mount(null, "/", null, MS_REC | MS_PRIVATE))), 0);
  // Each tmpfs goes on top of the one before, each made shared (its own group).
  for (let i = 0; i < 40; i++) {
    assert.is(errnoOf(k.exec(mount("none", "/mnt", "tmpfs", 0))), 0);
    assert.is(errnoOf(k.exec(mount(null, "/mnt", null, MS_SHARED))), 0);
    assert.is(linksConsistent(k.state), null, `after mount ${i}`);
  }
  const c = k.clone();
  assert.is(linksConsistent(c.state), null, "the clone's copied index");
  for (let i = 0; i < 40; i++) {
    assert.is(errnoOf(k.exec(umount2("/mnt", MNT_DETACH))), 0, `umount ${i}`);
    assert.is(linksConsistent(k.state), null, `after umount ${i}`);
  }
  assert.is(errnoOf(k.exec(umount2("/mnt", MNT_DETACH))), 22, "nothing left on /mnt (EINVAL)");
  assert.is(linksConsistent(c.state), null, "the clone is untouched by the original's unmounts");
  assert.is(c.mountinfo().split("\n").filter((l) => l.includes(" /mnt ")).length, 40);
});

test("many peers in one group: the slot becomes a Set, members come back in creation order", () => {
  const k = FakeKernel.fromMountinfo(TABLE).mkdir("/src");
  for (let i = 0; i < 30; i++) k.mkdir(`/a/m${i}`);
  // / private, so nothing propagates; 30 binds of a shared tmpfs are 30 more peers of its group.
  assert.is(errnoOf(k.exec(mount(null, "/", null, MS_REC | MS_PRIVATE))), 0);
  assert.is(errnoOf(k.exec(mount("none", "/src", "tmpfs", 0))), 0);
  assert.is(errnoOf(k.exec(mount(null, "/src", null, MS_SHARED))), 0);
  for (let i = 0; i < 30; i++) assert.is(errnoOf(k.exec(mount("/src", `/a/m${i}`, null, MS_BIND))), 0);
  const g = k.state.mounts.get(Math.max(...k.state.mounts.keys()))!.peer;
  const group = peersOf(k.state, g);
  assert.is(group.length, 31);
  assert.equal(group.map((x) => x.rank), [...group.map((x) => x.rank)].sort((a, b) => a - b), "creation order");
  assert.is(linksConsistent(k.state), null);
  const c = k.clone();
  assert.is(linksConsistent(c.state), null);
  // The clone's index points at the clone's own records, not the original's.
  for (const x of peersOf(c.state, g)) assert.is(c.state.mounts.get(x.id), x, `mount ${x.id} of the clone's index`);
  for (let i = 0; i < 30; i += 2) assert.is(errnoOf(c.exec(umount2(`/a/m${i}`, 0))), 0);
  assert.is(peersOf(c.state, g).length, 16);
  assert.is(peersOf(k.state, g).length, 31, "the original's group is untouched");
  assert.is(linksConsistent(c.state), null);
  assert.is(linksConsistent(k.state), null);
});

test("a tree is changed in place until a clone shares it; then each side copies before writing", () => {
  const k = FakeKernel.fromMountinfo(TABLE);
  const fs = k.state.fss.get(k.state.mounts.get(21)!.fs)!;
  k.mkdir("/one"); // the first mkdir copies the one empty tree all new superblocks start with
  const tree = fs.tree;
  k.mkdir("/one/more");
  assert.is(fs.tree, tree, "not shared: no copy");
  const c = k.clone();
  k.mkdir("/two");
  c.mkdir("/three");
  const has = (x: FakeKernel, p: string) => "pos" in lookup(x.state, x.process, AT_FDCWD, p, { follow: true });
  assert.ok(has(k, "/one") && has(c, "/one"), "what was there before the clone is in both");
  assert.ok(has(k, "/two") && !has(c, "/two"), "the original's mkdir after the clone stays its own");
  assert.ok(has(c, "/three") && !has(k, "/three"), "the clone's mkdir stays its own");
  assert.is.not(fs.tree, tree, "the original copied the shared tree before writing");
});

test("the bench's own tables, small: every profile plans them to Done without throwing", () => {
  // The bench once crashed ("no inode 8") on its flat table and no test noticed: its overlays are
  // `master:1` slaves of / on other devices, and the propagation-after probe looked their inode up
  // in the wrong dentry tree.
  for (const [name, text] of [["flat", flatTable(60)], ["stacked", stackedTable(60)]] as const) {
    for (const profile of PROFILES) {
      const r = check({ rootfs: "/r", profile }, { mountinfo: text });
      assert.is(r.trace.outcome.kind, "done", `${name} ${profile}`);
    }
  }
});

test("a peer-group member on another superblock receives nothing: the kernel's is_subdir never matches across superblocks", () => {
  const table = TABLE + "30 21 0:30 / /var/x rw master:1 - overlay overlay rw\n";
  const k = FakeKernel.fromMountinfo(table).mkdir("/var/x/sub").mkdir("/sub");
  const before = k.mountinfo();
  assert.is(errnoOf(k.exec(mount("none", "/sub", "tmpfs", 0))), 0, "a mount under the shared /");
  const after = k.mountinfo().split("\n").filter((l) => !before.includes(l) && l);
  assert.is(after.length, 1, `one new line, nothing propagated into /var/x: ${after.join(" | ")}`);
  assert.match(after[0]!, / \/sub /);
  assert.is(errnoOf(k.exec(umount2("/sub", 0))), 0, "and its unmount propagates nowhere either");
  assert.is(k.mountinfo(), before);
});

test("reachability() answers as isReachable() for every mount, on every scenario before and after every profile's switch", () => {
  let compared = 0;
  for (const name of SCENARIO_NAMES) {
    for (const profile of PROFILES) {
      const k = FakeKernel.scenario(name, { rootfs: "/r" });
      const states = [k.clone()];
      drive(parseConfig({ rootfs: "/r", profile }), k);
      states.push(k);
      for (const x of states) {
        for (const root of [x.process.root, x.hostProcess.root, ...[...x.state.mounts.values()].slice(0, 6).map((m) => ({ mnt: m.id, ino: m.root }))]) {
          const fast = reachability(x.state, root);
          for (const m of x.state.mounts.values()) {
            assert.is(fast(m), isReachable(x.state, { mnt: m.id, ino: m.root }, root), `${name} ${profile}: mount ${m.id} from ${root.mnt}:${root.ino}`);
            compared++;
          }
        }
      }
    }
  }
  assert.ok(compared > 1000, `${compared} compared`);
});

test.run();
