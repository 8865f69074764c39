// clone() gives explore a fresh kernel per fault path: clones are independent of the original and
// of each other. (How fast they are is measured by `npm run bench`, never asserted in a test.)
import { test } from "uvu";
import * as assert from "uvu/assert";
import { FakeKernel } from "../src/hosts/fake/index.js";
import { runcSequence } from "./fixtures/fake/calls.js";
import { lookup } from "../src/hosts/fake/resolve.js";
import { AT_FDCWD } from "../src/hosts/fake/flags.js";

test("40 clones each run the runc plan; the original and the other clones are untouched", () => {
  const base = FakeKernel.scenario("docker-host");
  const before = base.mountinfo();
  const plan = runcSequence("/var/lib/pivotshim/rootfs");
  const clones = Array.from({ length: 40 }, () => base.clone());
  for (const k of clones) for (const r of plan) assert.ok("ret" in k.exec(r), `${r.op} failed on a clone`);
  assert.is(base.mountinfo(), before, "the original never changed");
  assert.ok(base.mountinfo().includes(" /proc "));
  assert.is.not(clones[0]!.mountinfo(), before, "a clone did change");
  assert.is(new Set(clones.map((k) => k.mountinfo())).size, 1, "every clone ended in the same state");
});

test("mkdir on a clone (its tree copied node by node, on write) is seen by no other clone, nor by the one it was cloned from", () => {
  const base = FakeKernel.scenario("docker-host");
  const has = (k: FakeKernel, path: string) => !("errno" in lookup(k.state, k.process, AT_FDCWD, path, { follow: true, directory: true }));
  const a = base.clone().mkdir("/srv/a/deep");
  const b = base.clone().mkdir("/srv/b");
  const a2 = a.clone().mkdir("/srv/a/deep/er").mkdir("/srv/c");
  a.mkdir("/srv/a/other");
  assert.equal([has(base, "/srv/a"), has(base, "/srv/b"), has(base, "/srv/c")], [false, false, false], "the original");
  assert.equal([has(a, "/srv/a/deep"), has(a, "/srv/a/other"), has(a, "/srv/b"), has(a, "/srv/a/deep/er"), has(a, "/srv/c")], [true, true, false, false, false], "clone a");
  assert.equal([has(b, "/srv/b"), has(b, "/srv/a")], [true, false], "clone b");
  assert.equal([has(a2, "/srv/a/deep/er"), has(a2, "/srv/c"), has(a2, "/srv/a/other")], [true, true, false], "the clone of a");
});

test.run();
