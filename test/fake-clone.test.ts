// clone() gives explore a fresh kernel per fault path: clones are independent of the original and
// of each other. (How fast they are is measured by `npm run bench`, never asserted in a test.)
import { test } from "uvu";
import * as assert from "uvu/assert";
import { FakeKernel } from "../src/hosts/fake/index.js";
import { runcSequence } from "./fixtures/fake/calls.js";

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

test.run();
