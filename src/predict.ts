// The prediction behind `run`: before any executor exists, the plan runs on a fake kernel built
// from the calling namespace's own mountinfo and the rootfs as lstat() sees it, modelling what the
// executor does (a fresh mount namespace, and a user namespace when rootless). Owns the model of
// the caller, the verdicts and the damage report, and the memo of recent predictions keyed by
// their complete input (docs/verify.md#the-memo); never runs a syscall.
import { closeSync, openSync, readSync } from "node:fs";
import { drive } from "./driver.js";
import type { Config } from "./schema.js";
import { FakeKernel, checkInvariants } from "./hosts/fake/index.js";
import { applyPathFacts, realDir, type PathFact } from "./hosts/fake/path-facts.js";
import { FaultyHost, type IndexFault } from "./hosts/faults.js";
import type { Verdict } from "./explore.js";
import type { Trace } from "./trace.js";
import { EnvironmentError } from "./errors.js";
import { MOUNTINFO_CAP, PREDICTION_MEMO } from "./abi.js";
import { realLstat, rootfsFacts, rootfsRule, walkInRoot, withHostDirs } from "./rootfs-facts.js";
import { runConfig } from "./check.js";
import { decodeBytes } from "./utf8.js";
import { hookPaths, runHooks, type Hook } from "./hooks.js";

/** The calling namespace cannot be modelled (its table is unparseable, too large, or has no "/"). */
export class UnmodelledError extends EnvironmentError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`cannot verify the plan before running it: ${reason}; --no-verify runs it without the prediction (nothing then checks that the calling namespace's mounts survive)`, options);
  }
}

/** What the prediction would do to the calling namespace's table, by mount (its mountinfo lines). */
export interface Damage { unmounted: string[]; changed: { before: string; after: string }[]; mounted: string[] }

export interface Prediction {
  /** The model of the caller before the run (frozen: clone it to run again). */
  template: FakeKernel;
  trace: Trace;
  verdicts: Verdict[];
  violated: Verdict[];
  damage: Damage;
  /** What the model was built from (run() rebuilds it with the child's fds if they differ). */
  model: CallerModel;
}

export interface CallerModel {
  /** The calling namespace's /proc/self/mountinfo. */
  mountinfo: string;
  /** The rootfs path as it really is (rootfsFacts). */
  facts: readonly PathFact[];
  /** The executor unshares a user namespace too. */
  rootless: boolean;
  /** The executor child's fds below its channel (default 0, 1, 2): the model's openat answers match. */
  fds?: readonly number[];
  /** run's hooks (src/hooks.ts), run on the model after Done and judged with the plan. */
  hooks?: readonly Hook[];
  /** The executor unshares a UTS namespace too (a sethostname hook then names only its own). */
  uts?: boolean;
}

/** The caller's namespace as a model, then fork + unshare as the executor child does. */
export function modelCaller(m: CallerModel): FakeKernel {
  if (Buffer.byteLength(m.mountinfo) > MOUNTINFO_CAP) throw new UnmodelledError(`the mount table is over ${MOUNTINFO_CAP} bytes, more than the machine reads`);
  let k: FakeKernel;
  try { k = FakeKernel.fromMountinfo(m.mountinfo); } catch (e) {
    const msg = (e as Error).message;
    throw new UnmodelledError(/no mount at \//.test(msg) ? `/proc/self/mountinfo has no mount at "/" (inside a chroot?)` : `/proc/self/mountinfo does not parse: ${msg}`, { cause: e });
  }
  applyPathFacts(k.state, k.process, m.facts);
  k.unshare({ userns: m.rootless });
  if (m.uts) k.process.ownUts = true;
  const keep = new Set(m.fds ?? [0, 1, 2]);
  for (const fd of [...k.process.fds.keys()]) if (!keep.has(fd)) k.process.fds.delete(fd);
  return k;
}

/**
 * Drives `config` on a clone of `template` with `faults` at request indexes, and judges it. The
 * kernel after the run is frozen before it is judged: its host table is rendered once, for the
 * invariants and the damage report alike (a 10k-mount table took a quarter of predict()).
 */
export function runModel(config: Config, template: FakeKernel, faults: readonly IndexFault[] = [], hooks: readonly Hook[] = []): { trace: Trace; verdicts: Verdict[]; after: FakeKernel } {
  const k = template.clone();
  let trace = drive(config, faults.length ? new FaultyHost(k, [], faults) : k, { source: { scenario: "prediction: the calling namespace" } });
  // The caller's hooks after Done, on the same model: the invariants judge the state after them.
  if (hooks.length && trace.outcome.kind === "done") trace = { ...trace, hooks: runHooks(k, hooks, trace.steps.length).steps };
  k.freeze();
  const verdicts = checkInvariants(template, k, trace.outcome.kind, runConfig(config));
  return { trace, verdicts, after: k };
}

/** The plan on the model of the caller: its trace, the invariants, and the damage to the caller's table. */
export function predictUnmemoized(config: Config, m: CallerModel): Prediction {
  const template = modelCaller(m).freeze();
  const { trace, verdicts, after } = runModel(config, template, [], m.hooks ?? []);
  return { template, trace, verdicts, violated: verdicts.filter((v) => !v.held), damage: damageOf(template.hostMountinfo(), after.hostMountinfo()), model: m };
}

/**
 * The last PREDICTION_MEMO predictions, least recently used first. A prediction is a pure function
 * of the config, the mountinfo text, the rootfs facts, rootless, the child's fds and the hooks (the
 * machine and the fake kernel read nothing else), so the key is exactly those, in full.
 */
const memo = new Map<string, Prediction>();

/** Every key of every object in sorted order: equal inputs give equal text, whatever built them. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x !== null && typeof x === "object" && !Array.isArray(x)
    ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : x));
}

function memoKey(config: Config, m: CallerModel): string {
  return canonical({ config, facts: m.facts, rootless: m.rootless, fds: m.fds ?? null, hooks: m.hooks ?? [], uts: m.uts ?? false }) + "\n" + m.mountinfo;
}

/**
 * predictUnmemoized, remembered: run() on an unchanged namespace skips building and driving the
 * model. The caller still reads the live mountinfo and lstat()s the rootfs every time: those are
 * the key. Every caller shares the remembered trace, verdicts and damage (deep-frozen) and the
 * template (frozen: every use clones it).
 */
export function predict(input: Config, m: CallerModel): Prediction {
  const config = rootfsRule(input, m.facts); // runc and hardened refuse a symlinked rootfs, crun plans its real path
  const key = memoKey(config, m);
  let p = memo.get(key);
  if (p) memo.delete(key);
  else {
    const fresh = predictUnmemoized(config, m);
    p = { ...fresh, trace: deepFreeze(fresh.trace), verdicts: deepFreeze(fresh.verdicts), violated: deepFreeze(fresh.violated), damage: deepFreeze(fresh.damage) };
  }
  memo.set(key, p);
  if (memo.size > PREDICTION_MEMO) memo.delete(memo.keys().next().value!);
  return { template: p.template, trace: p.trace, verdicts: p.verdicts, violated: p.violated, damage: p.damage, model: m };
}

/**
 * A remembered prediction is shared by every caller that asks again, so it is frozen, all the way
 * down: no caller can change what the next run is checked against. (A structuredClone per call did
 * the same job at 40 µs, a third of the warm prediction: issue 9's ≤ 10% of a warm launch.)
 */
function deepFreeze<T>(v: T): T {
  if (v === null || typeof v !== "object" || Object.isFrozen(v) || ArrayBuffer.isView(v)) return v;
  for (const x of Object.values(v as object)) deepFreeze(x);
  return Object.freeze(v);
}

/** Forgets every remembered prediction (tests and the bench's cold figures). */
export function clearPredictionMemo(): void {
  memo.clear();
}

/** Reused between calls: most tables fit, and a larger one grows it once. */
let readBuf = Buffer.allocUnsafe(64 * 1024);

/**
 * A /proc file, whole, in one open and as few reads as fit: readFileSync's fstat and 8 KiB reads
 * cost half the warm prediction on a small table. The bytes are copied out of the shared buffer.
 */
function readProcFile(path: string): Buffer {
  const fd = openSync(path, "r");
  try {
    let len = 0;
    for (;;) {
      if (len === readBuf.length) { const b = Buffer.allocUnsafe(readBuf.length * 2); readBuf.copy(b); readBuf = b; }
      const n = readSync(fd, readBuf, len, readBuf.length - len, null);
      if (n === 0) return Buffer.from(readBuf.subarray(0, len));
      len += n;
    }
  } finally {
    closeSync(fd);
  }
}

/** The live caller: this process's mountinfo and the rootfs as lstat() sees it. */
/** How the executor will run, besides the config: what the live prediction models. */
export interface LiveOptions {
  rootless?: boolean;
  /** The executor's own UTS namespace (run's `uts`). */
  uts?: boolean;
  fds?: readonly number[];
  hooks?: readonly Hook[];
}

export function predictLive(config: Config, opts: LiveOptions = {}): Prediction {
  const { rootless = false, fds, hooks, uts } = opts;
  let mountinfo: string;
  try { mountinfo = decodeBytes(readProcFile("/proc/self/mountinfo")); } catch (e) {
    throw new UnmodelledError(`cannot read /proc/self/mountinfo: ${(e as Error).message}`, { cause: e });
  }
  const rootfs = rootfsFacts(config.rootfs);
  // The host directories the plan uses outside the rootfs (bwrap's /tmp), as lstat() sees them.
  const facts = withHostDirs(config.profile, rootfs);
  // What each path a hook names is inside the rootfs (a /proc directory or none): the model has no other way to know.
  const root = realDir(facts) ?? config.rootfs;
  const inRoot = new Map<string, PathFact>();
  for (const p of (hooks ?? []).flatMap(hookPaths)) for (const f of walkInRoot(root, p, realLstat)) inRoot.set(f.path, f);
  return predict(config, { mountinfo, facts: [...facts, ...[...inRoot.values()].filter((f) => !facts.some((g) => g.path === f.path))], rootless, ...(fds ? { fds } : {}), ...(hooks?.length ? { hooks } : {}), ...(uts ? { uts } : {}) });
}

/** Mount by mount (the id, field 1): gone, changed, new. */
export function damageOf(before: string, after: string): Damage {
  const byId = (t: string) => new Map(t.split("\n").filter((l) => l !== "").map((l) => [l.split(" ")[0]!, l]));
  const a = byId(before);
  const b = byId(after);
  const d: Damage = { unmounted: [], changed: [], mounted: [] };
  for (const [id, l] of a) {
    const now = b.get(id);
    if (now === undefined) d.unmounted.push(l);
    else if (now !== l) d.changed.push({ before: l, after: now });
  }
  for (const [id, l] of b) if (!a.has(id)) d.mounted.push(l);
  return d;
}

/** The damage as readable lines, for stderr: "these mounts of the calling namespace would be unmounted: ...". */
export function damageLines(d: Damage): string[] {
  const out: string[] = [];
  if (d.unmounted.length) out.push("these mounts of the calling namespace would be unmounted:", ...d.unmounted.map((l) => `  - ${l}`));
  if (d.changed.length) out.push("these mounts of the calling namespace would change:", ...d.changed.flatMap((c) => [`  - ${c.before}`, `  + ${c.after}`]));
  if (d.mounted.length) out.push("these mounts would appear in the calling namespace:", ...d.mounted.map((l) => `  + ${l}`));
  return out;
}
