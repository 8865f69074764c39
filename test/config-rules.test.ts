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
function machineSays(profile: (typeof PROFILES)[number], strategy: (typeof STRATEGIES)[number], rootPropagation?: (typeof PROPAGATIONS)[number], readonly = false) {
  const m = Machine.create(compile());
  m.start({ ...encode({ rootfs: "/r", profile, strategy, readonly, prepare: true, selfBind: true }), rootPropagation: propagationFlags(rootPropagation) });
  const n = m.next();
  return n.done && n.outcome.kind === "failed" && n.outcome.op === "none" && n.outcome.seq === -1 ? n.outcome.message : null;
}

const all = PROFILES.flatMap((profile) => STRATEGIES.flatMap((strategy) => [undefined, ...PROPAGATIONS].flatMap((rootPropagation) =>
  [false, true].map((readonly) => ({ profile, strategy, rootPropagation, readonly })))));

/** What each rule's text in the wasm says (assembly/text.txt C_*). */
const SAYS: Record<abi.ConfigRule, RegExp> = {
  [abi.ConfigRule.private_move]: /not safe without pivot_root/,
  [abi.ConfigRule.recursive_propagation]: /unknown rootfs propagation: youki/,
  [abi.ConfigRule.pivot_only]: /bwrap switches root only with pivot_root/,
  [abi.ConfigRule.lxc_no_chroot]: /lxc switches root with lxc_pivot_root .* it has no chroot mode/,
  [abi.ConfigRule.chroot_propagation]: /rootPropagation needs a mount namespace/,
  [abi.ConfigRule.lxc_readonly]: /lxc: readonly .* is not modelled/,
  [abi.ConfigRule.lxc_propagation]: /lxc: rootPropagation .* is not modelled/,
  [abi.ConfigRule.chroot_readonly]: /readonly needs a mount namespace/,
};

test("each refused config is refused by the wasm itself, with zod's reason", () => {
  const refused = all.filter((c) => staticRule(c) !== 0);
  assert.ok(refused.length > 0);
  for (const c of refused) {
    const said = machineSays(c.profile, c.strategy, c.rootPropagation, c.readonly);
    assert.ok(said !== null, `the machine accepted ${JSON.stringify(c)}`);
    const rule = staticRule(c) as abi.ConfigRule;
    assert.match(said!, SAYS[rule], JSON.stringify(c));
    // No other rule's text: each row is told apart, in the wasm as in zod.
    for (const [r, re] of Object.entries(SAYS)) if (Number(r) !== rule) assert.not.match(said!, re, `${JSON.stringify(c)} says rule ${r}`);
    assert.not.ok(ConfigSchema.safeParse({ rootfs: "/r", ...c }).success, `zod accepted ${JSON.stringify(c)}`);
  }
});

test("every other config is accepted by both: the machine emits a first request", () => {
  for (const c of all.filter((x) => staticRule(x) === 0)) {
    assert.is(machineSays(c.profile, c.strategy, c.rootPropagation, c.readonly), null, JSON.stringify(c));
    assert.ok(ConfigSchema.safeParse({ rootfs: "/r", ...c }).success, JSON.stringify(c));
  }
});

test("exactly these: runc-like [r]private + move and youki's r* (the runtimes refuse), chroot + any propagation, bwrap's move and chroot and lxc's chroot whatever the propagation, lxc's readonly and propagation, hardened chroot + readonly", () => {
  const refused = all.filter((c) => staticRule(c) !== 0).map((c) => `${c.profile}/${c.strategy}/${c.rootPropagation}/${c.readonly}`);
  const both = (x: string) => [`${x}/false`, `${x}/true`];
  const want = [
    ...["hardened", "runc", "runc-1.1"].flatMap((p) => ["private", "rprivate"].flatMap((x) => both(`${p}/move/${x}`))),
    ...["auto", "pivot", "move"].flatMap((s) => ["rshared", "rslave", "rprivate", "runbindable"].flatMap((x) => both(`youki/${s}/${x}`))),
    ...PROFILES.filter((p) => p !== "bwrap" && p !== "lxc").flatMap((p) => PROPAGATIONS.flatMap((x) => both(`${p}/chroot/${x}`))),
    ...["bwrap/move", "bwrap/chroot", "lxc/chroot"].flatMap((ps) => [undefined, ...PROPAGATIONS].flatMap((x) => both(`${ps}/${x}`))),
    // lxc's rootfs options (readonly, propagation) are not modelled: refused on every strategy it has.
    ...["auto", "pivot", "move"].flatMap((s) => [...both(`lxc/${s}/undefined`).slice(1), ...PROPAGATIONS.flatMap((x) => both(`lxc/${s}/${x}`))]),
    "hardened/chroot/undefined/true", // hardened chroot readonly: no namespace to remount in
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

test("lxc chroot: refused by the lxc_no_chroot row, in both zod and the wasm; move (lxc_chroot) is planned", () => {
  assert.is(staticRule({ profile: "lxc", strategy: "chroot" }), abi.ConfigRule.lxc_no_chroot);
  assert.match(machineSays("lxc", "chroot") ?? "", /^invalid config: lxc switches root with lxc_pivot_root \(pivot\) or lxc_chroot \(move/);
  const z = ConfigSchema.safeParse({ rootfs: "/r", profile: "lxc", strategy: "chroot" });
  assert.not.ok(z.success);
  assert.equal(z.error?.issues.map((i) => i.path.join(".")), ["strategy"]);
  assert.match(z.error?.issues[0]?.message ?? "", /strategy chroot is refused, as LXC has no chroot mode/);
  // LXC's strategies (issue 14): auto = detect_ramfs_rootfs, pivot = lxc_pivot_root, move = lxc_chroot.
  for (const strategy of ["auto", "pivot", "move"] as const) {
    assert.is(staticRule({ profile: "lxc", strategy }), 0, strategy);
    assert.is(machineSays("lxc", strategy), null, strategy);
    assert.ok(ConfigSchema.safeParse({ rootfs: "/r", profile: "lxc", strategy }).success, strategy);
  }
});

test("lxc readonly and lxc rootPropagation: refused (not modelled), blaming the field, in both zod and the wasm; hardened chroot + readonly too", () => {
  for (const [c, rule, field] of [
    [{ profile: "lxc", strategy: "pivot", readonly: true }, abi.ConfigRule.lxc_readonly, "readonly"],
    [{ profile: "lxc", strategy: "auto", rootPropagation: "shared" }, abi.ConfigRule.lxc_propagation, "rootPropagation"],
    [{ profile: "hardened", strategy: "chroot", readonly: true }, abi.ConfigRule.chroot_readonly, "readonly"],
  ] as const) {
    assert.is(staticRule(c), rule);
    const z = ConfigSchema.safeParse({ rootfs: "/r", ...c });
    assert.not.ok(z.success);
    assert.equal(z.error?.issues.map((i) => i.path.join(".")), [field]);
    assert.match(z.error?.issues[0]?.message ?? "", /refused/);
  }
  // The runtimes that ignore readonly without a mount namespace are reproduced, not refused.
  for (const profile of ["runc", "runc-1.1", "crun"] as const) assert.is(staticRule({ profile, strategy: "chroot", readonly: true }), 0);
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
