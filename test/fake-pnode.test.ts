// The fake kernel's propagation lists (src/hosts/fake/pnode.ts) on their own: the order each list
// operation leaves, as fs/namespace.c and fs/pnode.c (6.17-6.18) leave it, read back through the
// lists; and pnodeConsistent, the check the kernel oracle and test/fake-links.test.ts rely on,
// finding each kind of broken list (a check that never fails would pass every run).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { MS_BIND, MS_PRIVATE, MS_SHARED, MS_SLAVE } from "../src/abi.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import { NONE, type Mount, type State } from "../src/hosts/fake/model.js";
import { firstSlave, masterOf, nextSlave, pnodeConsistent, ringFrom, transferSlaves } from "../src/hosts/fake/pnode.js";
import { errnoOf, mount } from "./fixtures/fake/calls.js";

/** The mount at `mp` in the current process's namespace (the top of its stack). */
function at(k: FakeKernel, mp: string): Mount {
  const line = k.mountinfo().split("\n").filter((l) => l.split(" ")[4] === mp).pop()!;
  return k.state.mounts.get(Number(line.split(" ")[0]))!;
}
const mps = (k: FakeKernel, ms: readonly Mount[]): string[] => {
  const byId = new Map(k.mountinfo().split("\n").filter(Boolean).map((l) => [Number(l.split(" ")[0]), l.split(" ")[4]!]));
  return ms.map((m) => byId.get(m.id) ?? `#${m.id}`);
};
const slaves = (s: State, m: Mount): Mount[] => {
  const out: Mount[] = [];
  for (let x = firstSlave(s, m); x; x = nextSlave(s, x)) out.push(x);
  return out;
};
const ok = (k: FakeKernel, call: ReturnType<typeof mount>) => assert.is(errnoOf(k.exec(call)), 0);

/** A shared tmpfs on /mnt/a and three binds of it: the ring a, d, c, b (each bind right after a). */
function ring(): FakeKernel {
  const k = FakeKernel.scenario("private-host");
  for (const d of ["a", "b", "c", "d"]) k.mkdir(`/mnt/${d}`);
  ok(k, mount("tmpfs", "/mnt/a", "tmpfs", 0, null));
  ok(k, mount(null, "/mnt/a", null, MS_SHARED, null));
  for (const d of ["b", "c", "d"]) ok(k, mount("/mnt/a", `/mnt/${d}`, null, MS_BIND, null));
  return k;
}

test("clone_mnt's ring: each bind goes right after its original, so the newest follows it", () => {
  const k = ring();
  assert.equal(mps(k, ringFrom(k.state, at(k, "/mnt/a"))), ["/mnt/a", "/mnt/d", "/mnt/c", "/mnt/b"]);
  assert.equal(mps(k, ringFrom(k.state, at(k, "/mnt/c"))), ["/mnt/c", "/mnt/b", "/mnt/a", "/mnt/d"]);
  // A bind of c goes right after c.
  k.mkdir("/mnt/e");
  ok(k, mount("/mnt/c", "/mnt/e", null, MS_BIND, null));
  assert.equal(mps(k, ringFrom(k.state, at(k, "/mnt/a"))), ["/mnt/a", "/mnt/d", "/mnt/c", "/mnt/e", "/mnt/b"]);
  assert.is(pnodeConsistent(k.state), null);
});

test("change_mnt_propagation: MS_SLAVE makes a mount its next peer's slave, first in that list; MS_PRIVATE hands its slaves to its next peer", () => {
  const k = ring();
  const s = k.state;
  ok(k, mount(null, "/mnt/d", null, MS_SLAVE, null)); // next peer of d: c
  ok(k, mount(null, "/mnt/b", null, MS_SLAVE, null)); // next peer of b: a
  assert.equal(mps(k, [masterOf(s, at(k, "/mnt/d"))!, masterOf(s, at(k, "/mnt/b"))!]), ["/mnt/c", "/mnt/a"]);
  assert.equal(mps(k, ringFrom(s, at(k, "/mnt/a"))), ["/mnt/a", "/mnt/c"]);
  // c leaves too: its slave d goes to c's next peer, a, at the head of a's slaves, then c itself first.
  ok(k, mount(null, "/mnt/c", null, MS_SLAVE, null));
  assert.equal(mps(k, slaves(s, at(k, "/mnt/a"))), ["/mnt/c", "/mnt/d", "/mnt/b"]);
  // MS_SLAVE again on b (already a's slave) moves it to the head of the list.
  ok(k, mount(null, "/mnt/b", null, MS_SLAVE, null));
  assert.equal(mps(k, slaves(s, at(k, "/mnt/a"))), ["/mnt/b", "/mnt/c", "/mnt/d"]);
  // a goes private, alone in its group and without a master: its slaves are no one's.
  ok(k, mount(null, "/mnt/a", null, MS_PRIVATE, null));
  for (const d of ["b", "c", "d"]) assert.equal([at(k, `/mnt/${d}`).master, at(k, `/mnt/${d}`).masterMnt], [0, NONE], d);
  assert.is(pnodeConsistent(s), null);
});

test("transfer_propagation keeps the slaves' order and puts them before the new master's own", () => {
  const k = ring();
  const s = k.state;
  ok(k, mount(null, "/mnt/c", null, MS_SLAVE, null)); // the ring a, d, b; c a slave of b (its next peer)
  ok(k, mount(null, "/mnt/d", null, MS_SLAVE, null)); // the ring a, b; d a slave of b, first
  assert.equal(mps(k, slaves(s, at(k, "/mnt/b"))), ["/mnt/d", "/mnt/c"]);
  transferSlaves(s, at(k, "/mnt/b"), at(k, "/mnt/a"), 0);
  assert.equal(mps(k, slaves(s, at(k, "/mnt/a"))), ["/mnt/d", "/mnt/c"]);
  assert.equal(mps(k, slaves(s, at(k, "/mnt/b"))), []);
  assert.is(pnodeConsistent(s), null);
});

test("a table's lists: each ring in listing order, each slave under its master group's first listed member, in listing order; an unseen master stays unknown", () => {
  const k = FakeKernel.fromMountinfo([
    "21 1 8:1 / / rw shared:1 - ext4 /dev/sda1 rw",
    "22 21 0:30 / /a rw master:1 - tmpfs a rw",
    "23 21 8:1 / /b rw shared:1 - ext4 /dev/sda1 rw",
    "24 21 0:31 / /c rw master:1 - tmpfs c rw",
    "25 21 0:32 / /d rw master:9 - tmpfs d rw",
    "",
  ].join("\n"));
  const s = k.state;
  const m = (id: number) => s.mounts.get(id)!;
  assert.equal(ringFrom(s, m(21)).map((x) => x.id), [21, 23]);
  assert.equal(slaves(s, m(21)).map((x) => x.id), [22, 24]);
  assert.equal(slaves(s, m(23)).map((x) => x.id), []);
  assert.equal([m(25).master, m(25).masterMnt], [9, NONE]);
  assert.is(pnodeConsistent(s), null);
});

test("MS_SLAVE again on a table's slave of an unseen master keeps it, and its propagate_from (the group did not change)", () => {
  // A container's view: master group 5 has no member here, the nearest seen group up the chain is
  // 2 (get_dominating_id). Re-slaving changes neither, so the line stays as the kernel renders it.
  const k = FakeKernel.fromMountinfo([
    "21 1 8:1 / / rw shared:2 - ext4 /dev/sda1 rw",
    "22 21 0:30 / /a rw master:5 propagate_from:2 - tmpfs a rw",
    "",
  ].join("\n"));
  const before = k.mountinfo().split("\n")[1];
  ok(k, mount(null, "/a", null, MS_SLAVE, null));
  assert.is(k.mountinfo().split("\n")[1], before);
  assert.match(before!, / master:5 propagate_from:2 /);
  assert.is(pnodeConsistent(k.state), null);
});

test("pnodeConsistent finds each kind of broken list, and nothing in a sound one", () => {
  const k = ring();
  const s = k.state;
  ok(k, mount(null, "/mnt/b", null, MS_SLAVE, null));
  ok(k, mount(null, "/mnt/c", null, MS_SLAVE, null));
  assert.is(pnodeConsistent(s), null);
  const [a, b, c, d] = ["a", "b", "c", "d"].map((x) => at(k, `/mnt/${x}`)) as [Mount, Mount, Mount, Mount];
  // The ring is a, d (b and c left it); a's slaves are c, b.
  assert.equal(mps(k, ringFrom(s, a)), ["/mnt/a", "/mnt/d"]);
  assert.equal(mps(k, slaves(s, a)), ["/mnt/c", "/mnt/b"]);
  const seen: string[] = [];
  const spoil = (...edits: (readonly [Mount, keyof Mount, number])[]) => {
    const was = edits.map(([m, key]) => [m, key, m[key]] as const);
    for (const [m, key, v] of edits) (m as unknown as Record<string, number>)[key] = v;
    seen.push(pnodeConsistent(s) ?? "null");
    for (const [m, key, v] of was) (m as unknown as Record<string, unknown>)[key] = v;
    assert.is(pnodeConsistent(s), null);
  };
  spoil([b, "shareNext", a.id]); // a ring link on a mount in no group
  spoil([d, "peer", 999]); // a ring member of another group
  spoil([a, "sharePrev", a.id]); // a back link that disagrees
  spoil([a, "shareNext", d.id], [d, "shareNext", NONE], [d, "sharePrev", NONE]); // a ring that never comes back to a
  spoil([a, "shareNext", NONE], [a, "sharePrev", NONE], [d, "shareNext", NONE], [d, "sharePrev", NONE]); // two members, two rings of one
  spoil([b, "master", 999]); // a master of another group than the slave's
  spoil([a, "slaveFirst", NONE]); // slaves not in their master's list
  spoil([c, "masterMnt", d.id]); // in a's list, but d's slave (b, checked first, walks a's list)
  spoil([b, "masterMnt", NONE]); // in a slave list without a master
  spoil([b, "slavePrev", b.id]); // a slave list's back link that disagrees
  assert.equal(seen.map((x) => x.replace(/\d+/g, "N")), [
    "mount N: in a ring but in no group",
    "mount N: its ring reaches N of group N",
    "mount N: ring links disagree",
    "mount N: its ring does not come back",
    "mount N: its ring holds N of group N's N members",
    "mount N: master N is not of its master group N",
    "mount N: not in its master N's slaves",
    "mount N: in N's slaves but a slave of N",
    "mount N: in a slave list with no master",
    "mount N: slave links disagree",
  ]);
});

test.run();
