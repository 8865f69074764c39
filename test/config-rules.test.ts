// The static config rule (src/abi.ts CONFIG_RULES): one table, read by the machine's check() and
// by zod. The machine is driven directly with each refused config, bypassing zod, so an embedder
// in another language gets the same refusals; and every config the runtimes accept is accepted.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import { Machine, compile } from "../src/machine.js";
import { encode, propagationFlags } from "../src/config.js";
import { ConfigSchema, PROFILES, PROPAGATIONS, STRATEGIES, staticRule } from "../src/schema.js";

const test = suite("config rules");

/** The machine's own verdict on an encoded config: the first outcome, without any host. */
function machineSays(profile: (typeof PROFILES)[number], strategy: (typeof STRATEGIES)[number], rootPropagation?: (typeof PROPAGATIONS)[number]) {
  const m = Machine.create(compile());
  m.start({ ...encode({ rootfs: "/r", profile, strategy, readonly: false, prepare: true, selfBind: true }), rootPropagation: propagationFlags(rootPropagation) });
  const n = m.next();
  return n.done && n.outcome.kind === "failed" && n.outcome.op === "none" && n.outcome.seq === -1 ? n.outcome.message : null;
}

const all = PROFILES.flatMap((profile) => STRATEGIES.flatMap((strategy) => [undefined, ...PROPAGATIONS].map((rootPropagation) => ({ profile, strategy, rootPropagation }))));

test("each refused config is refused by the wasm itself, with zod's reason", () => {
  const refused = all.filter((c) => staticRule(c) !== 0);
  assert.ok(refused.length > 0);
  for (const c of refused) {
    const said = machineSays(c.profile, c.strategy, c.rootPropagation);
    assert.ok(said !== null, `the machine accepted ${JSON.stringify(c)}`);
    const rule = staticRule(c);
    assert.match(said!, rule === abi.ConfigRule.private_move ? /not safe without pivot_root/
      : rule === abi.ConfigRule.recursive_propagation ? /unknown rootfs propagation: youki/
      : rule === abi.ConfigRule.pivot_only ? /bwrap switches root only with pivot_root/
      : rule === abi.ConfigRule.lxc_pivot_only ? /lxc switches root with lxc_pivot_root/ : /needs a mount namespace/, JSON.stringify(c));
    assert.not.ok(ConfigSchema.safeParse({ rootfs: "/r", ...c }).success, `zod accepted ${JSON.stringify(c)}`);
  }
});

test("every other config is accepted by both: the machine emits a first request", () => {
  for (const c of all.filter((x) => staticRule(x) === 0)) {
    assert.is(machineSays(c.profile, c.strategy, c.rootPropagation), null, JSON.stringify(c));
    assert.ok(ConfigSchema.safeParse({ rootfs: "/r", ...c }).success, JSON.stringify(c));
  }
});

test("exactly these: runc-like [r]private + move and youki's r* (the runtimes refuse), chroot + any propagation, and bwrap's and lxc's move and chroot whatever the propagation", () => {
  const refused = all.filter((c) => staticRule(c) !== 0).map((c) => `${c.profile}/${c.strategy}/${c.rootPropagation}`);
  const want = [
    ...["hardened", "runc", "runc-1.1"].flatMap((p) => ["private", "rprivate"].map((x) => `${p}/move/${x}`)),
    ...["auto", "pivot", "move"].flatMap((s) => ["rshared", "rslave", "rprivate", "runbindable"].map((x) => `youki/${s}/${x}`)),
    ...PROFILES.filter((p) => p !== "bwrap" && p !== "lxc").flatMap((p) => PROPAGATIONS.map((x) => `${p}/chroot/${x}`)),
    ...["bwrap", "lxc"].flatMap((p) => ["move", "chroot"].flatMap((s) => [undefined, ...PROPAGATIONS].map((x) => `${p}/${s}/${x}`))),
  ];
  assert.equal(refused.sort(), want.sort());
});

test("bwrap move and chroot: refused by the pivot_only row, with no propagation too (a row without kinds), in both zod and the wasm", () => {
  for (const strategy of ["move", "chroot"] as const) {
    assert.is(staticRule({ profile: "bwrap", strategy }), abi.ConfigRule.pivot_only);
    assert.match(machineSays("bwrap", strategy) ?? "", /^invalid config: bwrap switches root only with pivot_root/);
    const z = ConfigSchema.safeParse({ rootfs: "/r", profile: "bwrap", strategy });
    assert.not.ok(z.success);
    assert.equal(z.error?.issues.map((i) => i.path.join(".")), ["strategy"]);
  }
  assert.is(machineSays("bwrap", "pivot"), null);
  assert.is(machineSays("bwrap", "auto", "rshared"), null, "pivot with a propagation is planned (as configured)");
});

test("lxc move and chroot: refused by the lxc_pivot_only row, whatever the propagation, in both zod and the wasm", () => {
  for (const strategy of ["move", "chroot"] as const) {
    assert.is(staticRule({ profile: "lxc", strategy }), abi.ConfigRule.lxc_pivot_only);
    assert.match(machineSays("lxc", strategy) ?? "", /^invalid config: lxc switches root with lxc_pivot_root .*not modelled/);
    const z = ConfigSchema.safeParse({ rootfs: "/r", profile: "lxc", strategy });
    assert.not.ok(z.success);
    assert.equal(z.error?.issues.map((i) => i.path.join(".")), ["strategy"]);
  }
  assert.is(machineSays("lxc", "pivot"), null);
  assert.is(machineSays("lxc", "auto"), null);
});

test("crun accepts move + rprivate (crun does), and the machine plans it", () => {
  assert.is(staticRule({ profile: "crun", strategy: "move", rootPropagation: "rprivate" }), 0);
  assert.is(machineSays("crun", "move", "rprivate"), null);
  assert.ok(ConfigSchema.safeParse({ rootfs: "/r", profile: "crun", strategy: "move", rootPropagation: "rprivate" }).success);
});

/** The machine's verdict on a rootfs of exactly `bytes` bytes (a run of "x", and one 0xff byte). */
function machineOnRootfs(rootfs: string): string | null {
  const m = Machine.create(compile());
  m.start(encode({ rootfs, profile: "hardened", strategy: "pivot", readonly: false, prepare: true, selfBind: true }));
  const n = m.next();
  return n.done && n.outcome.kind === "failed" ? n.outcome.message : null;
}

test("the rootfs bound is PATH_MAX - 1 bytes in both layers, counted in bytes the kernel sees", () => {
  // "/" + x...x + one non-UTF-8 byte (U+DCFF is byte 0xff: one byte, three in UTF-8).
  const of = (bytes: number) => "/" + "x".repeat(bytes - 2) + "\udcff";
  for (const [bytes, ok] of [[abi.PATH_MAX - 1, true], [abi.PATH_MAX, false]] as const) {
    const r = ConfigSchema.safeParse({ rootfs: of(bytes) });
    assert.is(r.success, ok, `zod, ${bytes} bytes`);
    assert.is(machineOnRootfs(of(bytes)) === null, ok, `wasm, ${bytes} bytes`);
  }
});

test.run();
