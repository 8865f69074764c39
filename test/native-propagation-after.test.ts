// propagation-after and host-unchanged against the real kernel (issue 9 §2): the switch runs as
// run() runs it, in a copy of a "host" namespace, and after Done a probe tmpfs is mounted on each
// side. Every setup of the differential suite × every profile × strategy:
//   - the host is an executor child A's own throwaway namespace, built by the set-up requests;
//   - the container is executor B, a copy of A's namespace (mountNamespaceOf: A), rootless when
//     the setup is; the model is modelCaller() of A's table, exactly what run() predicts from;
//   - compared: the outcome, the host's table delta after the switch (what host-unchanged judges),
//     and where each probe appears: B's under its new root (in A's table?), then A's under the
//     rootfs (in B's table, reachable from B's root?), against the fake's probePropagation().
// A mount the real mountinfo cannot show (outside the reader's root) is not compared: the fake's
// "(unreachable)" entries are dropped. Never mounts in this process's namespace. Root only.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { drive, driveAsync } from "../src/driver.js";
import { modelCaller } from "../src/predict.js";
import { PROBE_IN_CONTAINER, PROBE_NAME_ON_HOST, probePropagation } from "../src/hosts/fake/propagation-after.js";
import { spawnExecutor, type Executor } from "../src/hosts/native.js";
import { realLstat, walkPath, HOST_DIRS } from "../src/rootfs-facts.js";
import { isErr, type Request } from "../src/request.js";
import { errnoName } from "../src/names-ts.js";
import type { ConfigInput } from "../src/schema.js";
import { hostMountinfo, leftoverRootfs, nativeTest, skipReason, ROOTFS_PREFIX } from "./helpers/native-env.js";
import { normalise, readMountinfoVia, type DiffScenario } from "./helpers/native-diff.js";
import { ALL, SETUPS } from "./helpers/diff-setups.js";

const test = suite("propagation after the switch, real kernel");
const reason = await skipReason("root");

const statIno = (p: string) => statSync(p).ino;
const c = { seq: 0, step: "probe", reason: "propagation-after probe, for real" };
const probeMount = (target: string): Request =>
  ({ ...c, op: "mount", source: "probe", target, filesystemtype: "tmpfs", mountflags: 0, data: null });

/** mountinfo's \ooo escapes (space, tab, newline, backslash) undone. */
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
/** The mount points of the lines of `after` that `before` did not have. */
const appeared = (before: string, after: string): string[] => {
  const was = new Set(before.split("\n"));
  return after.split("\n").filter((l) => l !== "" && !was.has(l)).map((l) => unescape(l.split(" ")[4]!)).sort();
};
/** The lines of `a` not in `b`, and of `b` not in `a` (normalised: ids and peer groups masked). */
const delta = (a: string, b: string): string[] => {
  const x = normalise(a), y = normalise(b);
  return [...x.filter((l) => !y.includes(l)).map((l) => `- ${l}`), ...y.filter((l) => !x.includes(l)).map((l) => `+ ${l}`)].sort();
};

interface Seen { outcome: string; hostDelta: string[]; toHost: string[] | null; toContainer: string[] | null }

async function setUp(sc: Omit<DiffScenario, "configs">, base: string): Promise<Executor> {
  for (const d of sc.dirs) mkdirSync(join(base, d), { recursive: true });
  for (const f of sc.files ?? []) {
    if (f.symlink !== undefined) symlinkSync(f.symlink, join(base, f.path));
    else writeFileSync(join(base, f.path), "");
  }
  const a = await spawnExecutor({ timeoutMs: 5000 });
  for (const call of [{ op: "chdir", path: "/" }, ...sc.setup(base)]) {
    const r = await a.exec({ ...c, ...call } as Request);
    if (isErr(r)) throw new Error(`${sc.name}: set-up ${JSON.stringify(call)} failed: ${errnoName(r.errno)}`);
  }
  return a;
}

/** The probes' directories, made through A's root so they are where A's namespace has the rootfs. */
function probeDirs(a: Executor, rootfs: string): void {
  for (const dir of [PROBE_IN_CONTAINER.slice(1), PROBE_NAME_ON_HOST]) {
    try { mkdirSync(`/proc/${a.pid}/root${rootfs}/${dir}`); } catch { /* a missing or file rootfs: no run gets that far */ }
  }
}

async function real(sc: Omit<DiffScenario, "configs">, cfg: Omit<ConfigInput, "rootfs">): Promise<{ real: Seen; fake: Seen }> {
  const base = mkdtempSync(join(tmpdir(), ROOTFS_PREFIX));
  let a: Executor | undefined, b: Executor | undefined;
  try {
    a = await setUp(sc, base);
    const rootfs = sc.rootfs(base);
    probeDirs(a, rootfs);
    const hostText = await readMountinfoVia(a);
    const inChild = (p: string) => realLstat(`/proc/${a!.pid}/root${p}`);
    const rootfsOnly = walkPath(rootfs, inChild);
    // And the host directories the profile uses (LXC's mount point), as the child sees them.
    const facts = [...rootfsOnly, ...HOST_DIRS[cfg.profile ?? "hardened"].flatMap((d) => walkPath(d, inChild)).filter((f) => !rootfsOnly.some((g) => g.path === f.path))];
    b = await spawnExecutor({ timeoutMs: 5000, rootless: sc.rootless === true, mountNamespaceOf: a.pid });
    const low = b.startState.fds.filter((fd) => fd !== b!.channelFd);
    const model = modelCaller({ mountinfo: hostText, facts, rootless: sc.rootless === true, fds: low });
    const template = model.clone().freeze();
    const config = { ...cfg, rootfs };

    const fakeTrace = drive(config, model);
    const fakeProbe = fakeTrace.outcome.kind === "done" ? probePropagation(model, rootfs) : null;
    const reachable = (xs: string[]) => xs.filter((p) => !p.startsWith("(unreachable)")).sort();
    const fake: Seen = {
      outcome: fakeTrace.outcome.kind, hostDelta: delta(template.hostMountinfo(), model.hostMountinfo()),
      toHost: fakeProbe && reachable(fakeProbe.toHost), toContainer: fakeProbe && reachable(fakeProbe.toContainer),
    };

    const realTrace = await driveAsync(config, b);
    const hostAfter = await readMountinfoVia(a);
    const seen: Seen = { outcome: realTrace.outcome.kind, hostDelta: delta(hostText, hostAfter), toHost: null, toContainer: null };
    if (realTrace.outcome.kind === "done") {
      // Container → host: B mounts under its new root; what is new in A's table?
      const r1 = await b.exec(probeMount(PROBE_IN_CONTAINER));
      seen.toHost = isErr(r1) ? [] : appeared(hostAfter, await readMountinfoVia(a));
      if (!isErr(r1)) await b.exec({ ...c, op: "umount2", target: PROBE_IN_CONTAINER, flags: 2 /* MNT_DETACH */ });
      // Host → container: A mounts under the rootfs; what is new in B's table (B's root's view)?
      const before = readFileSync(`/proc/${b.pid}/mountinfo`, "utf8");
      const r2 = await a.exec(probeMount(`${rootfs}/${PROBE_NAME_ON_HOST}`));
      seen.toContainer = isErr(r2) ? [] : appeared(before, readFileSync(`/proc/${b.pid}/mountinfo`, "utf8"));
    }
    return { real: seen, fake };
  } finally {
    await b?.kill();
    await a?.kill();
    rmSync(base, { recursive: true, force: true });
  }
}

nativeTest(test, reason, "mountNamespaceOf: the executor copies that process's namespace and root, never Node's; a bad pid is refused", async () => {
  const base = mkdtempSync(join(tmpdir(), ROOTFS_PREFIX));
  let a: Executor | undefined, b: Executor | undefined;
  try {
    mkdirSync(join(base, "m"));
    a = await setUp({ name: "one tmpfs", dirs: [], setup: (x) => [{ op: "mount", source: "tmpfs", target: `${x}/m`, filesystemtype: "tmpfs", mountflags: 0, data: null }], rootfs: () => base }, base);
    b = await spawnExecutor({ mountNamespaceOf: a.pid });
    const seen = (await readMountinfoVia(b)).split("\n").some((l) => l.split(" ")[4] === `${base}/m`);
    assert.ok(seen, "B's copy has the tmpfs A mounted");
    assert.not.ok(hostMountinfo().split("\n").some((l) => l.split(" ")[4] === `${base}/m`), "this process's namespace never had it");
    const ns = (pid: number) => statIno(`/proc/${pid}/ns/mnt`);
    assert.is.not(ns(b.pid), ns(a.pid), "B has a namespace of its own (a copy, not A's)");
  } finally {
    await b?.kill();
    await a?.kill();
    rmSync(base, { recursive: true, force: true });
  }
  for (const bad of [-1, 1.5, 2 ** 31]) {
    try { await spawnExecutor({ mountNamespaceOf: bad }); assert.unreachable(`${bad} accepted`); } catch (e) { assert.match((e as Error).message, /mountNamespaceOf must be a pid/); }
  }
  try { await spawnExecutor({ mountNamespaceOf: 0x7ffffff0 }); assert.unreachable("a pid that does not exist"); } catch (e) {
    assert.match((e as Error).message, /open \/proc\/<mountNsOf>\/ns\/mnt: ENOENT/);
  }
});

/** "setup | profile/strategy" -> why the fake and the kernel differ there (each one explained). */
const KNOWN: Record<string, string> = {};

let runs = 0, matched = 0, probed = 0, crossings = 0;
for (const sc of SETUPS) {
  nativeTest(test, reason, `${sc.name}: host delta and both probes match the real kernel, every profile × strategy`, async () => {
    const before = hostMountinfo();
    const left = leftoverRootfs();
    const bad: string[] = [];
    for (const cfg of ALL) {
      const name = `${sc.name} | ${cfg.profile}/${cfg.strategy}`;
      const d = await real(sc, cfg);
      runs++;
      if (d.real.toHost) probed++;
      if ((d.real.toHost?.length ?? 0) + (d.real.toContainer?.length ?? 0) > 0) crossings++;
      const r = JSON.stringify(d.real, null, 1), f = JSON.stringify(d.fake, null, 1);
      if (r === f) { matched++; continue; }
      if (KNOWN[name]) { console.error(`known ${name}: ${KNOWN[name]}`); continue; }
      bad.push(`${name}:\n real ${r}\n fake ${f}`);
    }
    assert.is(hostMountinfo(), before, "this process's mount table must not change");
    assert.equal(leftoverRootfs(), left);
    assert.equal(bad, [], bad.join("\n"));
  });
}

test.after(() => {
  if (!reason) console.error(`propagation after the switch: ${matched} of ${runs} runs match the real kernel (${probed} probed after Done, ${crossings} with a crossing)`);
});

test.run();
