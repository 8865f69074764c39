// The differential harness: a scenario is built for real in an executor child's own namespace,
// the child's mountinfo is read through the child, a FakeKernel is built from that text, and the
// same plan runs on both. Only the comparison lives here; the scenarios are in the test file.
// Never mounts anything in this process's namespace: every set-up request runs in the child.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as abi from "../../src/abi.js";
import { drive, driveAsync } from "../../src/driver.js";
import { FakeKernel } from "../../src/hosts/fake/index.js";
import { applyPathFacts } from "../../src/hosts/fake/path-facts.js";
import { modelCaller } from "../../src/predict.js";
import { HOST_DIRS, realLstat, walkPath } from "../../src/rootfs-facts.js";
import { spawnExecutor, type Executor } from "../../src/hosts/native.js";
import type { Host } from "../../src/hosts/host.js";
import { isErr, callOf, type Request, type Result } from "../../src/request.js";
import { errnoName } from "../../src/names-ts.js";
import type { ConfigInput } from "../../src/schema.js";
import type { Trace } from "../../src/trace.js";
import { ROOTFS_PREFIX } from "./native-env.js";

type Call = Request extends infer R ? (R extends unknown ? Omit<R, "seq" | "step" | "reason"> : never) : never;

export interface DiffScenario {
  name: string;
  /** Directories created (mkdir -p, on the host's filesystem) under the temp base before the child starts. */
  dirs: string[];
  /** Requests run by the child, in its namespace, to build the scenario; each must succeed. */
  setup(base: string): Call[];
  /** The rootfs the plans switch into. */
  rootfs(base: string): string;
  /** Configs to run in this scenario (rootfs is filled in). */
  configs: Omit<ConfigInput, "rootfs">[];
  /** Files and symlinks made on the host under the base before the child starts (after `dirs`). */
  files?: { path: string; symlink?: string }[];
  /**
   * Rootless: the child is in a new user namespace too (its copies locked, shared ones slaves). The
   * model is then built from this process's table with the same unshare, and the set-up requests
   * run on both (a table read in the child cannot say which mounts are locked).
   */
  rootless?: boolean;
}

const c = { seq: 0, step: "diff_setup", reason: "differential test: build the scenario for real" };

/** mount(NULL, target, NULL, flags, NULL): a propagation change. */
export const propagate = (target: string, mountflags: number): Call =>
  ({ op: "mount", source: null, target, filesystemtype: null, mountflags, data: null });
export const tmpfs = (target: string): Call =>
  ({ op: "mount", source: "tmpfs", target, filesystemtype: "tmpfs", mountflags: abi.MS_NOSUID | abi.MS_NODEV, data: "size=1m,mode=0755" });
export const bind = (dir: string): Call =>
  ({ op: "mount", source: dir, target: dir, filesystemtype: null, mountflags: abi.MS_BIND, data: null });

/** /proc/self/mountinfo read through the child (openat + read until EOF + close). */
export async function readMountinfoVia(ex: Executor): Promise<string> {
  const fd = await ex.exec({ ...c, op: "openat", dirfd: abi.AT_FDCWD, pathname: "/proc/self/mountinfo", flags: abi.O_RDONLY | abi.O_CLOEXEC, mode: 0 });
  if (isErr(fd)) throw new Error(`openat /proc/self/mountinfo: ${errnoName(fd.errno)}`);
  const parts: Buffer[] = [];
  for (;;) {
    const r = await ex.exec({ ...c, op: "read", fd: fd.ret, count: abi.MOUNTINFO_CHUNK });
    if (isErr(r)) throw new Error(`read mountinfo: ${errnoName(r.errno)}`);
    if (r.ret === 0) break;
    parts.push(Buffer.from(r.data!));
  }
  await ex.exec({ ...c, op: "close", fd: fd.ret });
  return Buffer.concat(parts).toString("utf8");
}

/** A mountinfo line without ids, parent ids, major:minor and peer group numbers. */
export function normaliseLine(line: string): string {
  const f = line.split(" ");
  const sep = f.indexOf("-", 6);
  const tags = f.slice(6, sep).map((t) => t.split(":")[0]).filter((t) => t !== "propagate_from");
  const prop = tags.length ? tags.join(",") : "private";
  return `${f[4]} root=${f[3]} ${f[sep + 1]} ${prop} ${f[5]} super=${f.slice(sep + 3).join(" ")}`;
}

export const normalise = (text: string): string[] => text.split("\n").filter((l) => l !== "").map(normaliseLine).sort();

/** A result as compared: ret or errno; a read's byte count depends on mount id digits, so only "data" or EOF. */
export function comparable(step: Trace["steps"][number]): string {
  const r = step.result;
  if ("errno" in r) return `${step.request.op} -> ${r.errnoName}`;
  if (step.request.op === "read") return `read -> ${r.ret > 0 ? "data" : "EOF"}`;
  return `${step.request.op} -> ${r.ret}`;
}

/** The text the machine read through its mountinfo requests, normalised. */
function readText(t: Trace): string[] {
  return normalise(t.steps.filter((s) => s.request.op === "read" && "text" in s.result).map((s) => (s.result as { text: string }).text).join(""));
}

export interface DiffRun {
  initial: { real: string; fake: string };
  real: Trace;
  fake: Trace;
  /** Final mount table of the child (from /proc/<pid>/mountinfo, as the child sees it) and of the model. */
  tables: { real: string[]; fake: string[] };
  reads: { real: string[]; fake: string[] };
}

/** Builds `sc` for real, runs `config` on the child and on a model of the child's namespace. */
export async function diffRun(sc: DiffScenario, config: Omit<ConfigInput, "rootfs">,
  wrapFake: (k: FakeKernel) => Host = (k) => k): Promise<DiffRun> {
  const base = mkdtempSync(join(tmpdir(), ROOTFS_PREFIX));
  let ex: Executor | undefined;
  try {
    for (const d of sc.dirs) mkdirSync(join(base, d), { recursive: true });
    for (const f of sc.files ?? []) {
      if (f.symlink !== undefined) symlinkSync(f.symlink, join(base, f.path));
      else writeFileSync(join(base, f.path), "");
    }
    const rootfs = sc.rootfs(base);
    const hostText = readFileSync("/proc/self/mountinfo", "utf8");
    ex = await spawnExecutor({ timeoutMs: 5000, rootless: sc.rootless === true });
    const setup = [{ op: "chdir", path: "/" } as Call, ...sc.setup(base)];
    for (const call of setup) {
      const r = await ex.exec({ ...c, ...call } as Request);
      if (isErr(r)) throw new Error(`${sc.name}: set-up ${JSON.stringify(call)} failed: ${errnoName(r.errno)}`);
    }
    const text = await readMountinfoVia(ex);
    // What the rootfs path is (a symlink, a file, missing), as the child sees it after its set-up
    // (which may have pivoted): the model gets the same facts.
    const childRoot = `/proc/${ex.pid}/root`;
    const rootfsOnly = walkPath(rootfs, (p) => realLstat(childRoot + p));
    // And the host directories the profile uses (LXC's mount point), as the child sees them too.
    const facts = [...rootfsOnly, ...HOST_DIRS[config.profile ?? "hardened"].flatMap((d) => walkPath(d, (p) => realLstat(childRoot + p)))
      .filter((f) => !rootfsOnly.some((g) => g.path === f.path))];
    let model: FakeKernel;
    if (sc.rootless) {
      model = modelCaller({ mountinfo: hostText, facts, rootless: true });
      for (const call of setup) {
        const r = model.exec({ ...c, ...call } as Request);
        if (isErr(r)) throw new Error(`${sc.name}: set-up ${JSON.stringify(call)} failed on the model: ${errnoName(r.errno)}`);
      }
    } else {
      model = FakeKernel.fromMountinfo(text);
      applyPathFacts(model.state, model.process, facts);
    }
    const initialFake = model.mountinfo();
    const cfg = { ...config, rootfs };
    const fake = drive(cfg, wrapFake(model));
    const real = await driveAsync(cfg, ex);
    const table = readFileSync(`/proc/${ex.pid}/mountinfo`, "utf8");
    return {
      initial: { real: text, fake: initialFake }, real, fake,
      tables: { real: normalise(table), fake: normalise(model.mountinfo()) },
      reads: { real: readText(real), fake: readText(fake) },
    };
  } finally {
    await ex?.kill();
    rmSync(base, { recursive: true, force: true });
  }
}

type Step = Trace["steps"][number];
/** A step as compared, with a run of reads on one fd folded into one entry ("read -> data x3, EOF"). */
interface Folded { seq: number; call: string; result: string; reads: number }

/**
 * Folds each run of consecutive reads: how many reads a mountinfo takes depends on where 4 KiB
 * falls in the text, and a new mount's id (hence each record's length) is the kernel's choice,
 * so the count is reported, not compared. The text itself is compared (DiffRun.reads).
 */
export function fold(steps: readonly Step[]): Folded[] {
  const out: Folded[] = [];
  for (const s of steps) {
    // A read's count is the room left in the machine's buffer, which depends on how many bytes the
    // reads before it returned (masked, as their byte counts are): the text is compared instead.
    const { count: _room, ...rest } = callOf(s.request) as { count?: number };
    const call = JSON.stringify(s.request.op === "read" ? rest : callOf(s.request));
    const result = comparable(s);
    const last = out[out.length - 1];
    // A run continues while the reads before gave data: "read -> data" then "read -> EOF" fold to
    // "read -> data, EOF" however many data reads there were.
    if (s.request.op === "read" && last?.call === call && last.result === "read -> data") {
      last.reads++;
      if (result !== "read -> data") last.result = `read -> data, ${result.slice("read -> ".length)}`;
      continue;
    }
    out.push({ seq: s.request.seq, call, result, reads: s.request.op === "read" ? 1 : 0 });
  }
  return out;
}

/** Read counts that differ only in number (both runs read the same text): reported, not a mismatch. */
export function readCountNotes(d: DiffRun): string[] {
  const real = fold(d.real.steps);
  const fake = fold(d.fake.steps);
  return real.flatMap((r, i) => {
    const f = fake[i];
    return f && r.call === f.call && r.reads !== f.reads ? [`${r.call}: ${r.reads} reads real vs ${f.reads} fake (records crossed a 4 KiB boundary differently)`] : [];
  });
}

/** Every difference between the two runs, as readable lines ([] when they agree). */
export function differences(d: DiffRun): string[] {
  const out: string[] = [];
  const real = fold(d.real.steps);
  const fake = fold(d.fake.steps);
  const n = Math.max(real.length, fake.length);
  for (let i = 0; i < n; i++) {
    const r = real[i];
    const f = fake[i];
    if (r?.call !== f?.call) { out.push(`request #${r?.seq ?? f?.seq}: real ${r?.call ?? "(none)"} vs fake ${f?.call ?? "(none)"}`); break; }
    if (r!.result !== f!.result) out.push(`request #${r!.seq} ${r!.call}: real ${r!.result} vs fake ${f!.result}`);
  }
  if (d.real.outcome.kind !== d.fake.outcome.kind) out.push(`outcome: real ${JSON.stringify(d.real.outcome)} vs fake ${JSON.stringify(d.fake.outcome)}`);
  out.push(...listDiff("mountinfo read by the machine", d.reads.real, d.reads.fake));
  out.push(...listDiff("final mount table", d.tables.real, d.tables.fake));
  return out;
}

function listDiff(what: string, real: string[], fake: string[]): string[] {
  const onlyReal = real.filter((l) => !fake.includes(l));
  const onlyFake = fake.filter((l) => !real.includes(l));
  if (!onlyReal.length && !onlyFake.length && real.length === fake.length) return [];
  return [`${what}:`, ...onlyReal.map((l) => `  real only: ${l}`), ...onlyFake.map((l) => `  fake only: ${l}`)];
}
