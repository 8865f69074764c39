// Tests written for survivors of `npm run mutate -- asm` (docs/mutation.md): the machine's own
// config check (assembly/config.ts), driven through the wasm directly. zod (src/schema.ts) refuses
// most of these first, so without this file a broken check in the machine went unseen (issue 11).
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import { Machine, type Encoded } from "../src/machine.js";

const base: Encoded = { rootfs: "/srv/rootfs", profile: abi.Profile.runc, strategy: abi.Strategy.pivot, rootPropagation: 0, options: 0 };

/** The machine's verdict on a config: "ok" (it emits a first request) or its invalid-config message. */
function verdict(over: Partial<Encoded>): string {
  const m = Machine.create();
  m.start({ ...base, ...over });
  const n = m.next();
  if (!n.done) return "ok";
  assert.is(n.outcome.kind, "failed");
  return n.outcome.kind === "failed" ? n.outcome.message : "";
}

const DOTS = "invalid config: rootfs must not contain . or .. components";

test("rootfs components that start with dots but are not . or .. are accepted", () => {
  for (const rootfs of ["/srv/.rootfs", "/.x/y", "/srv/..x", "/srv/..x/y", "/srv/a.", "/srv/a..", "/srv/.../y", "/a/.b.c"])
    assert.is(verdict({ rootfs }), "ok", rootfs);
});

test(". and .. components are refused wherever they are", () => {
  for (const rootfs of ["/srv/.", "/srv/..", "/./srv", "/../srv", "/srv/./y", "/srv/../y", "/a/b/.."])
    assert.is(verdict({ rootfs }), DOTS, rootfs);
});

test("a double slash is refused, at the end of the path too", () => {
  assert.match(verdict({ rootfs: "/srv//y" }), /^invalid config: /);
  assert.match(verdict({ rootfs: "//srv" }), /^invalid config: /);
  assert.is(verdict({ rootfs: "/s/y" }), "ok");
});

test("profile and strategy: every member is accepted, one past either end is refused", () => {
  for (const profile of [abi.Profile.hardened, abi.Profile.runc, abi.Profile.runc_1_1, abi.Profile.crun])
    assert.is(verdict({ profile }), "ok", `profile ${profile}`);
  for (const profile of [abi.Profile.hardened - 1, abi.Profile.crun + 1])
    assert.match(verdict({ profile }), /^invalid config: .*profile/, `profile ${profile}`);
  for (const strategy of [abi.Strategy.auto, abi.Strategy.pivot, abi.Strategy.move, abi.Strategy.chroot])
    assert.is(verdict({ strategy, profile: abi.Profile.hardened }), "ok", `strategy ${strategy}`);
  for (const strategy of [abi.Strategy.auto - 1, abi.Strategy.chroot + 1])
    assert.match(verdict({ strategy }), /^invalid config: .*strategy/, `strategy ${strategy}`);
});

test("root propagation: each kind alone (with or without MS_REC) is accepted, anything else refused", () => {
  for (const kind of [abi.MS_SHARED, abi.MS_PRIVATE, abi.MS_SLAVE, abi.MS_UNBINDABLE])
    for (const rec of [0, abi.MS_REC]) assert.is(verdict({ rootPropagation: kind | rec, profile: abi.Profile.hardened }), "ok", `${kind | rec}`);
  for (const bad of [abi.MS_REC, abi.MS_BIND, abi.MS_PRIVATE | abi.MS_SLAVE, abi.MS_PRIVATE | abi.MS_RDONLY, abi.MS_SHARED | abi.MS_MOVE])
    assert.match(verdict({ rootPropagation: bad }), /^invalid config: /, `${bad}`);
});

test("the machine refuses the rule table's configs itself (rprivate + move for runc-like, chroot + any propagation)", () => {
  assert.match(verdict({ strategy: abi.Strategy.move, rootPropagation: abi.MS_PRIVATE | abi.MS_REC }), /^invalid config: /);
  assert.is(verdict({ strategy: abi.Strategy.move, rootPropagation: abi.MS_SLAVE | abi.MS_REC }), "ok");
  assert.match(verdict({ strategy: abi.Strategy.chroot, rootPropagation: abi.MS_SLAVE }), /^invalid config: /);
  assert.is(verdict({ strategy: abi.Strategy.chroot }), "ok");
});

test.run();
