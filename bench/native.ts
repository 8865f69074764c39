// Native benchmarks (root only, skipped with the reason otherwise): executor round trip per
// request; warm launch of run(), batched and unbatched, vs bwrap, crun, runc and the
// `unshare -m chroot` floor, side by side; the root-switch phase in the executor, batched and
// unbatched, vs direct syscalls (bench/switch-ref.c).
// Every mount happens in a child's own namespace (executor, runtimes, unshare, switch-ref).
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as abi from "../src/abi.js";
import { driveAsync } from "../src/driver.js";
import { run } from "../src/run.js";
import { nativeUnavailable, spawnExecutor, type Executor } from "../src/hosts/native.js";
import type { AsyncHost } from "../src/hosts/host.js";
import type { Request } from "../src/request.js";
import { median, row, time } from "./util.js";
import { LAUNCH, launchTimes } from "./launch-times.js";
import { parseConfig } from "../src/schema.js";
import { clearPredictionMemo, predictLive } from "../src/predict.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const PROBE = join(repo, "build/probe/probe");
const SWITCH_REF = join(repo, "build/bench/switch-ref");
const RUNC_PIVOT = { profile: "runc", strategy: "pivot" } as const;

const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (us: number) => `${(us / 1000).toFixed(2)} ms`;
const nowUs = () => Number(process.hrtime.bigint()) / 1000;

function which(name: string): string | null {
  for (const d of [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/sbin"])
    if (d && existsSync(join(d, name))) return join(d, name);
  return null;
}

/** Median µs of n spawnSync runs of argvFor(i) (after 3 warm-ups), or why it failed. */
function timeSpawn(argvFor: (i: number) => string[], n: number): { us: number } | { error: string } {
  const samples: number[] = [];
  for (let i = -3; i < n; i++) {
    const argv = argvFor(i + 3);
    const t0 = nowUs();
    const r = spawnSync(argv[0]!, argv.slice(1), { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", timeout: 20000 });
    const dt = nowUs() - t0;
    if (r.status !== 0) return { error: `${argv[0]} exited ${r.status ?? r.signal}: ${(r.stderr ?? "").trim().split("\n").pop()}` };
    if (i >= 0) samples.push(dt);
  }
  return { us: med(samples) };
}

/**
 * Medians (µs) of starting an executor (spawnExecutor: clone + execve of pivotshim-child, its
 * set-up, the hello) and of killing and reaping it. Node's own size does not enter: the child is
 * never a fork of it (docs/ABI.md §15).
 */
async function startAndKill(n: number): Promise<{ start: number; kill: number }> {
  const start: number[] = [], kill: number[] = [];
  for (let i = -5; i < n; i++) {
    let t0 = nowUs();
    const ex = await spawnExecutor();
    const a = nowUs() - t0;
    t0 = nowUs();
    await ex.kill();
    if (i >= 0) { start.push(a); kill.push(nowUs() - t0); }
  }
  return { start: med(start), kill: med(kill) };
}

async function roundTrip(): Promise<number> {
  const ex = await spawnExecutor();
  try {
    const req = { seq: 0, step: "bench", reason: "round trip", op: "getcwd", size: abi.GETCWD_SIZE } as const;
    for (let i = 0; i < 200; i++) await ex.exec(req);
    const xs: number[] = [];
    for (let i = 0; i < 2000; i++) { const t0 = nowUs(); await ex.exec(req); xs.push(nowUs() - t0); }
    return med(xs);
  } finally {
    await ex.close();
  }
}

async function warmLaunch(rootfs: string, n: number, batch: boolean): Promise<number> {
  const xs: number[] = [];
  for (let i = -5; i < n; i++) {
    const t0 = nowUs();
    const { exit } = await run({ ...RUNC_PIVOT, rootfs }, { command: "/probe", args: ["true"], batch });
    if (JSON.stringify(exit) !== '{"kind":"exited","status":0}') throw new Error(`run: ${JSON.stringify(exit)}`);
    if (i >= 0) xs.push(nowUs() - t0);
  }
  return med(xs);
}

/**
 * predictLive() alone: read /proc/self/mountinfo, lstat the rootfs, then the model (build, drive,
 * judge) when cold, or the memo's answer for the same input when warm (what run() pays on an
 * unchanged namespace).
 */
function predictionCost(rootfs: string): { warm: number; cold: number } {
  const config = parseConfig({ ...RUNC_PIVOT, rootfs });
  const cold = median(60, () => { clearPredictionMemo(); return time(() => predictLive(config)); });
  predictLive(config);
  const warm = median(60, () => time(() => predictLive(config)));
  return { warm, cold };
}

/** Verified and unverified warm launches, alternating, so load and JIT state hit both alike. */
async function verifiedPair(rootfs: string, n: number): Promise<{ on: number; off: number }> {
  const on: number[] = [], off: number[] = [];
  for (let i = -10; i < n; i++) {
    for (const verify of [true, false]) {
      const t0 = nowUs();
      const { exit } = await run({ ...RUNC_PIVOT, rootfs }, { command: "/probe", args: ["true"], verify });
      if (JSON.stringify(exit) !== '{"kind":"exited","status":0}') throw new Error(`run: ${JSON.stringify(exit)}`);
      if (i >= 0) (verify ? on : off).push(nowUs() - t0);
    }
  }
  return { on: med(on), off: med(off) };
}

interface SwitchTimes { total: number; inRequests: number; inChild: number; frames: number }

/** The executor as a host that times the wait for each answer; batched when `batch`. */
function timed(ex: Executor, batch: boolean, wait: { us: number }): AsyncHost {
  const time = async <T>(f: () => Promise<T>): Promise<T> => { const t = nowUs(); const r = await f(); wait.us += nowUs() - t; return r; };
  const host: AsyncHost = { kind: ex.kind, exec: (r: Request) => time(() => ex.exec(r)) };
  if (batch) host.lookahead = (config, module) => {
    const ahead = ex.lookahead(config, module);
    return { run: (r) => time(() => ahead.run(r)) };
  };
  return host;
}

/**
 * The switch alone: driveAsync of the runc pivot plan on a fresh executor, spawn and exec excluded.
 * Also the part spent waiting for the child's answers (round trips and syscalls; batched, the
 * shadow machine's predictions too), and, batched, the syscalls alone as the child timed them.
 */
async function switchPhase(rootfs: string, n: number, how: "unbatched" | "batched" | "autonomous"): Promise<SwitchTimes> {
  const total: number[] = [], inRequests: number[] = [], inChild: number[] = [], frames: number[] = [];
  const batch = how !== "unbatched";
  for (let i = -5; i < n; i++) {
    const ex = await spawnExecutor({ autonomous: how === "autonomous" });
    const wait = { us: 0 };
    try {
      const t0 = nowUs();
      const t = await driveAsync({ ...RUNC_PIVOT, rootfs }, timed(ex, batch, wait));
      const dt = nowUs() - t0;
      if (t.outcome.kind !== "done") throw new Error(JSON.stringify(t.outcome));
      if (how === "autonomous" && ex.autoStats.runs !== 1) throw new Error(`autonomous mode did not run: ${ex.autonomousOff() ?? "?"}`);
      if (i >= 0) { total.push(dt); inRequests.push(wait.us); inChild.push((ex.batchStats.childNs + ex.autoStats.childNs) / 1000); frames.push(ex.batchStats.frames + ex.autoStats.runs); }
    } finally {
      await ex.kill();
    }
  }
  return { total: med(total), inRequests: med(inRequests), inChild: med(inChild), frames: med(frames) };
}

/** Median µs of the C reference's switch, or null (with a row saying why). */
function switchRef(rootfs: string): number | null {
  if (!existsSync(SWITCH_REF)) { row("switch-ref.c", "-", "not built: run `sh scripts/build-bench.sh`"); return null; }
  const ref = spawnSync(SWITCH_REF, [rootfs, "60"], { encoding: "utf8" });
  if (ref.status !== 0) { row("switch-ref.c", "failed", ref.stderr.trim()); return null; }
  return med(ref.stdout.trim().split(" ").map((x) => Number(x) / 1000));
}

/** An OCI bundle from `runc spec`: no terminal, /probe true, root.path = rootfs. */
function bundle(dir: string, rootfs: string): string {
  const b = join(dir, "bundle");
  mkdirSync(b);
  const spec = spawnSync("runc", ["spec", "--bundle", b], { encoding: "utf8" });
  if (spec.status !== 0) throw new Error(`runc spec: ${spec.stderr}`);
  const cfg = JSON.parse(readFileSync(join(b, "config.json"), "utf8"));
  cfg.process.terminal = false;
  cfg.process.args = ["/probe", "true"];
  cfg.root = { path: rootfs, readonly: false };
  writeFileSync(join(b, "config.json"), JSON.stringify(cfg, null, 2));
  return b;
}

/** crun refuses this host's cgroup hybrid mode: give it a throwaway cgroup2 tmpfs in its own namespace (docs/capturing.md#crun-cgroups). */
const CRUN_WRAP = ["unshare", "-m", "--propagation", "private", "sh", "-c",
  'umount /sys/fs/cgroup/unified && mount -t tmpfs -o size=1m none /sys/fs/cgroup/unified && exec "$@"', "sh"];

interface Competitor { name: string; short: string; argv: ((i: number) => string[]) | null; missing: string }

/** The other launchers, as installed; runc and crun get a fresh container id per spawn. */
function competitors(dir: string, rootfs: string): Competitor[] {
  const b = which("runc") ? bundle(dir, rootfs) : null;
  return [
    { name: "bwrap --bind ROOTFS / /probe true", short: "bwrap", missing: "bwrap",
      argv: which("bwrap") ? () => ["bwrap", "--bind", rootfs, "/", "/probe", "true"] : null },
    { name: "crun run (in the unshare workaround)", short: "crun", missing: b ? "crun" : "crun (runc spec makes its bundle)",
      argv: which("crun") && b ? (i) => [...CRUN_WRAP, "crun", "--root", join(dir, "cstate"), "run", "-b", b, `c${i}`] : null },
    { name: "runc run", short: "runc", missing: "runc",
      argv: b ? (i) => ["runc", "--root", join(dir, "rstate"), "run", "-b", b, `r${i}`] : null },
    { name: "floor: unshare -m chroot ROOTFS /probe true", short: "floor", missing: "unshare or chroot",
      argv: which("unshare") && which("chroot") ? () => ["unshare", "-m", "chroot", rootfs, "/probe", "true"] : null },
  ];
}

const EXEC = join(repo, "build/c/pivotshim-exec");

/**
 * Cold launch of /probe true by the static pivotshim-exec (hardened pivot: the full switch, fd
 * hygiene, signal resets, the guard) against bwrap and the `unshare -m chroot` floor, interleaved
 * in one loop so the ratios share the machine's load. Targets (issue: the machine inside C
 * runtimes): <= 0.6x bwrap, <= 0.8x the floor.
 */
export function coldExec(rootfs: string): void {
  if (!existsSync(EXEC)) { row("pivotshim-exec cold launch", "-", "not built (npm run build:c needs wasm2c)"); return; }
  const kinds: [string, string[] | null][] = [
    ["pivotshim-exec", [EXEC, "--rootfs", rootfs, "--strategy", "pivot", "--", "/probe", "true"]],
    ["pivotshim-exec --rootless", [EXEC, "--rootless", "--rootfs", rootfs, "--strategy", "pivot", "--", "/probe", "true"]],
    ["bwrap", which("bwrap") ? ["bwrap", "--bind", rootfs, "/", "/probe", "true"] : null],
    ["floor", which("unshare") && which("chroot") ? ["unshare", "-m", "chroot", rootfs, "/probe", "true"] : null],
  ];
  if (existsSync(LAUNCH)) return coldExecTimed(kinds);
  const times = new Map<string, number[]>(kinds.map(([k]) => [k, []]));
  for (let i = 0; i < 40; i++) {
    for (const [k, argv] of kinds) {
      if (!argv) continue;
      const t0 = process.hrtime.bigint();
      const r = spawnSync(argv[0]!, argv.slice(1), { stdio: "ignore" });
      const us = Number(process.hrtime.bigint() - t0) / 1000;
      if (r.status !== 0) { row(`${k} cold launch`, "failed", `exit ${r.status}`); return; }
      times.get(k)!.push(us);
    }
  }
  const med = (k: string) => { const v = [...(times.get(k) ?? [])].sort((a, b) => a - b); return v.length ? v[v.length >> 1]! : NaN; };
  const ratio = (a: string, b: string) => (Number.isNaN(med(b)) ? "-" : (med(a) / med(b)).toFixed(2));
  for (const k of ["pivotshim-exec", "pivotshim-exec --rootless"]) {
    row(`${k} --strategy pivot, cold /probe true (median of 40, interleaved)`, ms(med(k)),
      `/bwrap = ${ratio(k, "bwrap")} (target <= 0.6), /floor = ${ratio(k, "floor")} (target <= 0.8)`);
  }
  row("  bwrap and the floor in the same loop", `${ms(med("bwrap"))} / ${ms(med("floor"))}`, "");
}


/**
 * coldExec timed by bench/launch.c: fork, execvp and waitpid timed in C, the commands interleaved,
 * so Node's own spawn (a millisecond or more, the same for every command) is in no sample and the
 * ratios are the launchers' own. Median and minimum of 100 rounds.
 */
function coldExecTimed(kinds: [string, string[] | null][]): void {
  const t = launchTimes(100, kinds.filter(([, argv]) => argv !== null) as [string, string[]][]);
  if ("error" in t) { row("pivotshim-exec cold launch", "failed", t.error); return; }
  const { med, min } = t;
  const ratio = (f: (k: string) => number, a: string, b: string) => (Number.isNaN(f(b)) ? "-" : (f(a) / f(b)).toFixed(2));
  for (const k of ["pivotshim-exec", "pivotshim-exec --rootless"]) {
    row(`${k} --strategy pivot, cold /probe true (C-timed, median of 100, interleaved)`, ms(med(k)),
      `/bwrap = ${ratio(med, k, "bwrap")} (target <= 0.6), /floor = ${ratio(med, k, "floor")} (target <= 0.8); by the minimum ${ratio(min, k, "bwrap")} and ${ratio(min, k, "floor")}`);
  }
  row("  bwrap and the floor in the same loop (median; minimum)", `${ms(med("bwrap"))} / ${ms(med("floor"))}`, `${ms(min("bwrap"))} / ${ms(min("floor"))}`);
}

export async function benchNative(): Promise<void> {
  const why = process.geteuid?.() !== 0 ? "not root" : nativeUnavailable() ?? (existsSync(PROBE) ? null : "the probe is not built: run `npm run build:native`");
  if (why) { console.log(`SKIP native benchmarks: ${why}`); return; }
  const dir = mkdtempSync(join(tmpdir(), "pivotshim-bench-"));
  try {
    const rootfs = join(dir, "rootfs");
    mkdirSync(rootfs);
    copyFileSync(PROBE, join(rootfs, "probe"));
    const sk = await startAndKill(60);
    row("executor start / kill (median of 60)", `${sk.start.toFixed(0)} / ${sk.kill.toFixed(0)} µs`, `spawnExecutor to its hello; kill() to reaped (RSS of this Node: ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB)`);
    row("executor round trip (getcwd, median of 2000)", `${(await roundTrip()).toFixed(1)} µs`, "");
    const unbatched = await warmLaunch(rootfs, 60, false);
    const ours = await warmLaunch(rootfs, 60, true);
    const pair = await verifiedPair(rootfs, 60);
    const unverified = pair.off;
    row("pivotshim run() warm launch, batched (median of 60)", ms(ours), "spawn + prediction + runc pivot plan + execve + wait");
    row("pivotshim run() warm launch, unbatched (median of 60)", ms(unbatched), `batch: false; batched/unbatched = ${(ours / unbatched).toFixed(2)}`);
    row("  interleaved: verified (median of 60)", ms(pair.on), "the default, each run right next to an unverified one");
    row("  interleaved: --no-verify (median of 60)", ms(unverified), `verified/unverified = ${(pair.on / unverified).toFixed(3)} (target <= 1.10)`);
    const p = predictionCost(rootfs);
    row("  the prediction alone, remembered (median of 60)", ms(p.warm), `${((p.warm / unverified) * 100).toFixed(1)}% of the unverified warm launch; mountinfo read + lstat + memo`);
    row("  the prediction alone, made afresh (median of 60)", ms(p.cold), `${((p.cold / unverified) * 100).toFixed(1)}% of it: this machine's table modelled, driven, judged`);
    const missing: string[] = [];
    for (const c of competitors(dir, rootfs)) {
      if (!c.argv) { missing.push(c.missing); row(c.name, "-", "not installed"); continue; }
      const r = timeSpawn(c.argv, 25);
      if ("error" in r) { row(c.name, "failed", r.error); continue; }
      row(`${c.name} (median of 25)`, ms(r.us), `ours/${c.short} = ${(ours / r.us).toFixed(2)} batched, ${(unbatched / r.us).toFixed(2)} unbatched`);
    }
    console.log(missing.length ? `not installed: ${missing.join(", ")}` : "all of bwrap, crun, runc, unshare+chroot were installed");
    coldExec(rootfs);
    const un = await switchPhase(rootfs, 60, "unbatched");
    const sw = await switchPhase(rootfs, 60, "batched");
    const off = (await spawnExecutor().then(async (ex) => { const why = ex.autonomousOff(); await ex.kill(); return why; }));
    const au = off === null ? await switchPhase(rootfs, 60, "autonomous") : null;
    const refUs = switchRef(rootfs);
    const vsC = (us: number) => (refUs ? `; /C = ${(us / refUs).toFixed(2)}` : "");
    row("root switch, unbatched (driveAsync, median of 60)", `${un.total.toFixed(0)} µs`,
      `runc pivot plan, 1 round trip per request; ${un.inRequests.toFixed(0)} µs waiting for answers${vsC(un.total)}`);
    row("root switch, batched (driveAsync, median of 60)", `${sw.total.toFixed(0)} µs`,
      `${sw.frames} round trip(s); ${sw.inRequests.toFixed(0)} µs in lookahead + waiting${vsC(sw.total)}; batched/unbatched = ${(sw.total / un.total).toFixed(2)}`);
    row("  of it, the syscalls in the child (child-timed)", `${sw.inChild.toFixed(0)} µs`, `the switch inside the executor${vsC(sw.inChild)}`);
    if (au) {
      row("root switch, autonomous (driveAsync, median of 60)", `${au.total.toFixed(0)} µs`,
        `${au.frames} round trip; the C machine in the child, the JS machine fed its results${vsC(au.total)}; autonomous/batched = ${(au.total / sw.total).toFixed(2)}`);
      row("  of it, ps_run in the child (child-timed)", `${au.inChild.toFixed(0)} µs`, `end to end / child-timed = ${(au.total / au.inChild).toFixed(2)} (target <= 1.5)`);
    } else row("root switch, autonomous", "-", `off: ${off}`);
    if (refUs) row("root switch in C, direct syscalls (median of 60)", `${refUs.toFixed(0)} µs`, "bench/switch-ref.c, timed in its child");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
