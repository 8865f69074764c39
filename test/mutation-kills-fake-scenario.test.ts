// The built-in scenarios (src/hosts/fake/scenario.ts, scenarios.ts): what building one refuses, where
// its directories go when the rootfs is not a directory, and the descriptions `plan --help` and
// `explore --help` list. Written for the survivors of the scenario files' first Stryker run
// (docs/mutation.md, "scenario.ts, scenarios.ts").
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import { FakeKernel, SCENARIOS } from "../src/hosts/fake/index.js";
import { rootfsFacts } from "../src/rootfs-facts.js";
import type { Request, Result } from "../src/request.js";
import { cli } from "./helpers/cli-in-process.js";

const c = { seq: 0, step: "test", reason: "scenario test" };
const open = (k: FakeKernel, pathname: string): Result =>
  k.exec({ ...c, op: "openat", dirfd: abi.AT_FDCWD, pathname, flags: abi.O_PATH | abi.O_CLOEXEC, mode: 0 } as Request);
const exists = (k: FakeKernel, path: string): boolean => !("errno" in open(k, path));

test("an unknown scenario is refused by name (a library caller's string, not one of the built-in names)", () => {
  assert.throws(() => FakeKernel.scenario("bogus" as "docker-host"), (e: Error) => e instanceof RangeError && e.message === 'unknown scenario "bogus"');
});

test("a relative rootfs is refused, naming it: the scenario's table puts the rootfs at that path", () => {
  assert.throws(() => FakeKernel.scenario("docker-host", { rootfs: "srv/r" }), (e: Error) => e instanceof RangeError && e.message === 'rootfs must be absolute: "srv/r"');
  assert.not.throws(() => FakeKernel.scenario("docker-host", { rootfs: "/srv/r" }));
});

test("a missing rootfs gets none of the {rootfs}/... directories, anywhere; the host's own (/tmp) are made", () => {
  const k = FakeKernel.scenario("rootfs-not-a-mountpoint", { rootfs: "/srv/r", rootfsFacts: rootfsFacts("/srv/r", "missing") });
  assert.is(exists(k, "/tmp"), true);
  for (const p of ["/srv/r", "/srv/r/proc", "/null", "/null/proc"]) assert.is(exists(k, p), false, p);
  const dir = FakeKernel.scenario("rootfs-not-a-mountpoint", { rootfs: "/srv/r" });
  for (const p of ["/srv/r/proc", "/srv/r/tmp", "/tmp"]) assert.is(exists(dir, p), true, `${p} with a directory rootfs`);
});

test("plan --help and explore --help list every scenario with its description", async () => {
  for (const command of ["plan", "explore"]) {
    const h = await cli(command, "--help");
    assert.is(h.code, 0);
    assert.ok(h.stdout.includes("Scenarios (--scenario; the fake kernel's host, default docker-host):\n"), command);
    for (const [name, data] of Object.entries(SCENARIOS)) {
      assert.ok(data.description.length > 20, name);
      assert.match(h.stdout, new RegExp(`\\n  ${name} *  ${data.description.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}\\n`), `${command}: ${name}`);
    }
    // One column: every description starts two spaces past the longest name.
    const width = Math.max(...Object.keys(SCENARIOS).map((n) => n.length));
    for (const [name, data] of Object.entries(SCENARIOS)) assert.ok(h.stdout.includes(`\n  ${name.padEnd(width)}  ${data.description}\n`), `${command}: ${name} aligned`);
  }
});

test("the initial ramfs scenario is root's, not rootless: its mounts are not locked, so lxc's detach of the old tree goes through", () => {
  const k = FakeKernel.scenario("initramfs", { rootfs: "/srv/r" });
  const ns = k.state.nss.get(k.state.procs.get(k.state.current)!.ns)!;
  assert.is(ns.userns ?? false, false);
  assert.is(k.state.procs.get(k.state.current)!.ownsPidNet ?? false, false, "a root runtime's process is not marked as owning a rootless PID namespace");
  const rootless = FakeKernel.scenario("rootless");
  assert.is(rootless.state.nss.get(rootless.state.procs.get(rootless.state.current)!.ns)!.userns, true);
});

test.run();
