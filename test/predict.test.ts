// run's prediction without a kernel: the model of a calling namespace (src/predict.ts), the rootfs
// as lstat walks it (src/rootfs-facts.ts), and the check during a run (src/verify-run.ts) driven
// against a second model that plays the real kernel, with faults where reality would differ.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { predict, UnmodelledError, damageLines } from "../src/predict.js";
import { walkPath, rootfsKindLstat, type Stat } from "../src/rootfs-facts.js";
import { check } from "../src/check.js";
import { parseConfig, PROFILES, type ConfigInput } from "../src/schema.js";
import { driveAsync } from "../src/driver.js";
import { FaultyHost, type IndexFault } from "../src/hosts/faults.js";
import { DivergedError, VerifyingHost } from "../src/verify-run.js";
import { runModel } from "../src/predict.js";
import * as abi from "../src/abi.js";

const test = suite("predict");

/** A host whose "/" is rshared, like the namespaces where runs unmounted the caller's /proc. */
const SHARED = [
  "27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw",
  "22 27 0:21 / /proc rw,relatime shared:2 - proc proc rw",
  "23 27 0:22 / /sys rw,relatime shared:3 - sysfs sysfs rw",
  "31 23 0:28 / /sys/fs/cgroup rw,relatime shared:4 - cgroup2 cgroup2 rw",
].join("\n") + "\n";
const dirs = walkPath("/srv/r", () => ({ kind: "dir" }));
const model = (rootless = false) => ({ mountinfo: SHARED, facts: dirs, rootless });
const cfg = (c: Omit<ConfigInput, "rootfs">) => parseConfig({ rootfs: "/srv/r", ...c });

test("move --no-prepare on a shared /: host-unchanged violated, the caller's /proc listed as unmounted", () => {
  for (const profile of PROFILES.filter((x) => x !== "bwrap" && x !== "lxc")) { // bwrap has no move (pivot_only); lxc's (lxc_chroot) first opens LXC's own mount point, which this host lacks: it fails before any mount
    const p = predict(cfg({ profile, strategy: "move", prepare: false }), model());
    assert.equal(p.violated.map((v) => v.id), ["host-unchanged"], profile);
    assert.ok(p.damage.unmounted.some((l) => l.includes(" /proc ")), `${profile}: ${damageLines(p.damage).join("\n")}`);
    assert.match(damageLines(p.damage)[0]!, /^these mounts of the calling namespace would be unmounted:/);
  }
});

test("the default plan on the same host holds, rootless too", () => {
  for (const rootless of [false, true]) {
    const p = predict(cfg({}), model(rootless));
    assert.is(p.trace.outcome.kind, "done");
    assert.equal(p.violated, [], JSON.stringify(p.violated));
  }
});

test("a table that cannot be modelled is an UnmodelledError naming the reason and --no-verify", () => {
  const noRoot = "22 27 0:21 / /proc rw,relatime - proc proc rw\n";
  assert.throws(() => predict(cfg({}), { ...model(), mountinfo: noRoot }), (e: Error) => e instanceof UnmodelledError && /no mount at "\/".*chroot.*--no-verify/s.test(e.message));
  assert.throws(() => predict(cfg({}), { ...model(), mountinfo: "garbage\n" }), (e: Error) => e instanceof UnmodelledError && /does not parse/.test(e.message));
  assert.throws(() => predict(cfg({}), { ...model(), mountinfo: SHARED + "x".repeat(abi.MOUNTINFO_CAP) }), (e: Error) => e instanceof UnmodelledError && /over/.test(e.message));
});

test("walkPath follows symlinks as lookup does and stops at a missing or non-directory component", () => {
  const fs: Record<string, Stat> = { "/a": { kind: "symlink", target: "b/c" }, "/b": { kind: "dir" }, "/b/c": { kind: "symlink", target: "/d" }, "/d": { kind: "dir" }, "/d/x": { kind: "file" } };
  const ls = (p: string): Stat => fs[p] ?? { kind: "missing" };
  assert.equal(walkPath("/a/r", ls).map((f) => `${f.path}:${f.kind}`), ["/a:symlink", "/b:dir", "/b/c:symlink", "/d:dir", "/d/r:missing"]);
  assert.equal(walkPath("/a/x/y", ls).map((f) => `${f.path}:${f.kind}`), ["/a:symlink", "/b:dir", "/b/c:symlink", "/d:dir", "/d/x:file"]);
  assert.equal(walkPath("/r", rootfsKindLstat("/r", "symlink:/srv/real")).map((f) => f.path), ["/r", "/srv", "/srv/real"]);
});

test("--rootfs-kind: missing fails with ENOENT, a file with ENOTDIR, at each profile's own step; dir is done (symlink: test/rootfs-symlink.test.ts)", () => {
  for (const profile of PROFILES) {
    const run = (kind: string) => check({ rootfs: "/r", profile }, { scenario: "rootfs-not-a-mountpoint", rootfsFacts: walkPath("/r", rootfsKindLstat("/r", kind)) });
    // youki canonicalizes the rootfs first and bwrap realpath()s its bind source: a missing one is
    // refused before any call (test/youki.test.ts, test/bwrap.test.ts).
    const refuses = profile === "youki" || profile === "bwrap";
    if (refuses) assert.throws(() => run("missing"), profile === "youki" ? /canonicalizing \/r fails with ENOENT/ : /Can't find source path \/r/);
    const missing = refuses ? { kind: "failed" as const, errnoName: "ENOENT" } : run("missing").trace.outcome;
    const file = run("file").trace.outcome;
    assert.is(missing.kind === "failed" && missing.errnoName, "ENOENT", `${profile}: ${JSON.stringify(missing)}`);
    assert.is(file.kind === "failed" && file.errnoName, "ENOTDIR", `${profile}: ${JSON.stringify(file)}`);
    for (const kind of ["dir", ...(profile === "crun" ? ["symlink:/srv/real"] : [])]) {
      const r = run(kind);
      assert.is(r.trace.outcome.kind, "done", `${profile} ${kind}`);
      assert.ok(r.verdicts.every((v) => v.held), `${profile} ${kind}: ${JSON.stringify(r.verdicts.filter((v) => !v.held))}`);
    }
  }
  // Without facts the model keeps a directory rootfs: the documented examples are unchanged.
  assert.is(check({ rootfs: "/r" }).trace.outcome.kind, "done");
});

/** The "real kernel": another model of the caller, with faults where reality differs from the prediction. */
async function realRun(config: ReturnType<typeof cfg>, faults: IndexFault[]) {
  const p = predict(config, model());
  const real = p.template.clone();
  const inner = new FaultyHost(real, [], faults);
  const host = new VerifyingHost({ kind: "native", exec: async (r) => inner.exec(r) }, null, p.trace, (f) => {
    const r = runModel(config, p.template, f);
    return { trace: r.trace, held: r.verdicts.every((v) => v.held) };
  });
  return { host, trace: () => driveAsync(config, host) };
}

test("during the run: a real errno on a branch the model verifies goes on; the run ends as the machine decides", async () => {
  const config = cfg({ profile: "hardened", strategy: "pivot" });
  const seq = predict(config, model()).trace.steps.findIndex((s) => s.request.op === "pivot_root");
  const { trace } = await realRun(config, [{ seq, errno: abi.EINVAL }]);
  const t = await trace();
  assert.is(t.outcome.kind, "failed");
  assert.is(t.outcome.kind === "failed" && t.outcome.errnoName, "EINVAL");
});

test("during the run: a real errno on a branch where the model violates an invariant stops before the next request", async () => {
  const config = cfg({ profile: "runc", strategy: "move" });
  const seq = predict(config, model()).trace.steps.findIndex((s) => s.request.step === "mask_propagation");
  assert.ok(seq > 0);
  const { host, trace } = await realRun(config, [{ seq, errno: abi.ENOENT }]);
  let err: unknown;
  try { await trace(); } catch (e) { err = e; }
  assert.instance(err, DivergedError);
  assert.match((err as Error).message, /returned -1 ENOENT where the model predicted 0; on that branch the model violates an invariant/);
  assert.is(host.steps.length, seq + 1, "nothing ran after the divergence");
});

test("during the run: a success where the model predicted an errno stops too", async () => {
  const config = cfg({ profile: "hardened", strategy: "move", prepare: false });
  const p = predict(config, model());
  const failing = p.trace.steps.findIndex((s) => "errno" in s.result);
  assert.ok(failing > 0, "the prediction has a failing step");
  const real = p.template.clone();
  const host = new VerifyingHost({ kind: "native", exec: async (r) => (r.seq === failing ? { ret: 0 } : real.exec(r)) }, null, p.trace, () => ({ trace: p.trace, held: true }));
  let err: unknown;
  try { await driveAsync(config, host); } catch (e) { err = e; }
  assert.instance(err, DivergedError);
  assert.match((err as Error).message, new RegExp(`request ${failing} .*returned 0 where the model predicted -1 E[A-Z]+; no verified branch covers a success there`));
  assert.is(host.steps.length, failing + 1);
});

test.run();
