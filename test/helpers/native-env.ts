// Test vocabulary for the native host: when to skip (and say why), a throwaway rootfs with the
// probe in it, the host-unchanged check, stdout capture through a pipe. Never touches the host's
// mounts: everything that mounts runs in an executor child's own namespace.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from "node:fs";
import * as assert from "uvu/assert";
import { zombies } from "./native-proc.js";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Test } from "uvu";
import { type Executor, loadAddon, nativeUnavailable, spawnExecutor } from "../../src/hosts/native.js";
import { FakeKernel } from "../../src/hosts/fake/index.js";
import * as abi from "../../src/abi.js";
import type { Request, Result } from "../../src/request.js";
import { HOST_DIRS } from "../../src/rootfs-facts.js";
import type { Config } from "../../src/schema.js";

export const PROBE = new URL("../../build/probe/probe", import.meta.url).pathname;
export const ROOTFS_PREFIX = "pivotshim-native-";

export type Mode = "root" | "rootless";

/** Why tests of this mode cannot run here, or null. Probes user namespaces for real. */
export async function skipReason(mode: Mode): Promise<string | null> {
  const missing = nativeUnavailable();
  if (missing) return missing;
  if (!existsSync(PROBE)) return "the probe is not built: run `npm run build:native`";
  if (mode === "root") return process.geteuid?.() === 0 ? null : "not root (run as root, or see the rootless tests)";
  try {
    await (await spawnExecutor({ rootless: true })).close();
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * For tests that hold in either mode: root when we are root, else rootless. `reason` is set when
 * neither can run here.
 */
export async function eitherMode(): Promise<{ mode: Mode; reason: string | null; spawn: typeof spawnExecutor }> {
  const mode: Mode = process.geteuid?.() === 0 ? "root" : "rootless";
  const reason = await skipReason(mode);
  return { mode, reason, spawn: (opts = {}) => spawnExecutor({ rootless: mode === "rootless", ...opts }) };
}

/**
 * Why a real run of this profile cannot pass on this host, or null: a directory outside the rootfs
 * that its plan uses is missing (src/rootfs-facts.ts HOST_DIRS), so run() rightly predicts and
 * stops at ENOENT. LXC's mount point comes with Debian's lxc package, which .ci/run installs.
 */
export function hostDirsReason(profile: Config["profile"]): string | null {
  const missing = HOST_DIRS[profile].filter((d) => !existsSync(d));
  return missing.length ? `the ${profile} profile's plan uses ${missing.join(", ")}, which this host lacks (${profile === "lxc" ? "`apt-get install lxc` ships it; .ci/run does" : "create it"})` : null;
}

/** Registers `name` when `reason` is null; otherwise prints the reason and registers nothing. */
export function nativeTest<T>(test: Test<T>, reason: string | null, name: string, fn: Parameters<Test<T>>[1]): void {
  // Skipped tests are counted as skipped (uvu's summary, .ci/run's line) and say why on stderr.
  if (reason) { console.error(`SKIP ${name}: ${reason}`); test.skip(name, fn); }
  else test(name, fn);
}

export const hostMountinfo = (): string => readFileSync("/proc/self/mountinfo", "utf8");

/** Our temp dirs in os.tmpdir(): must be the same set after a test as before. */
export const leftoverRootfs = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith(ROOTFS_PREFIX)).sort();

export interface Rootfs { dir: string; cleanup(): void }

/** A temp directory with the static probe at /probe. */
export function makeRootfs(): Rootfs {
  const dir = mkdtempSync(join(tmpdir(), ROOTFS_PREFIX));
  copyFileSync(PROBE, join(dir, "probe"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The real kernel and the fake side by side: a throwaway directory `base`, made in an executor
 * child's own mount namespace and on a fake built from this host's mountinfo (unshared); then
 * `fn`; then the child closed and the directory removed, whatever `fn` did. `spawn`: the child
 * (eitherMode's, to run rootless where root is not at hand).
 */
export async function realAndFake(
  fn: (real: Executor, fake: FakeKernel, base: string) => Promise<void>,
  spawn: () => Promise<Executor> = () => spawnExecutor({ rootless: false }),
): Promise<void> {
  const scratch = makeRootfs();
  const base = `${scratch.dir}/base`;
  const ex = await spawn();
  try {
    const r = await ex.exec({ seq: 0, step: "test", reason: "real and fake", op: "mkdir", pathname: base, mode: 0o755 });
    if (!("ret" in r)) throw new Error(`mkdir ${base} in the executor child: errno ${r.errno}`);
    await fn(ex, FakeKernel.fromMountinfo(hostMountinfo()).mkdir(base).unshare(), base);
  } finally {
    await ex.close();
    scratch.cleanup();
  }
}

export const devIno = (path: string): string => {
  const st = statSync(path);
  return `${st.dev}:${st.ino}`;
};

/** A pipe whose write end goes to the child as stdout; `text` resolves at EOF. */
export function capture(): { writeFd: number; text: Promise<string>; closeWriteEnd(): void } {
  const addon = loadAddon();
  const fds = addon.pipe();
  if (!Array.isArray(fds)) throw new Error(`pipe2: errno ${fds.errno}`);
  const [r, w] = fds;
  const sock = new net.Socket({ fd: r, readable: true, writable: false });
  const chunks: Buffer[] = [];
  const text = new Promise<string>((resolve, reject) => {
    sock.on("data", (c: Buffer) => chunks.push(c));
    sock.on("error", reject);
    sock.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
  let open = true;
  return { writeFd: w, text, closeWriteEnd: () => { if (open) addon.closeFd(w); open = false; } };
}

/** fd numbers listed in /proc/<pid>/fd. */
export const procFds = (pid: number): number[] => readdirSync(`/proc/${pid}/fd`).map(Number).sort((a, b) => a - b);

/** uvu has no assert.rejects: the promise must reject with an error matching `expected`. */
export async function rejects(p: () => Promise<unknown>, expected: RegExp | (new (...a: never[]) => Error)): Promise<Error> {
  let caught: unknown = undefined;
  try { await p(); } catch (e) { caught = e; }
  if (!(caught instanceof Error)) throw new Error(`expected a rejection matching ${String(expected)}, got ${String(caught ?? "a fulfilled promise")}`);
  const ok = expected instanceof RegExp ? expected.test(caught.message) : caught instanceof expected;
  if (!ok) throw new Error(`expected a rejection matching ${String(expected)}, got ${caught.name}: ${caught.message}`);
  return caught;
}

/**
 * A rootfs with the probe (and `dirs`, e.g. "proc") for `fn`; afterwards this process's mount table
 * is byte-identical, no temporary folder is left and no child of ours is a zombie (tsx's esbuild
 * service is a child too, and may exit on its own: not ours to count).
 */
export async function withProbeRootfs(fn: (dir: string) => Promise<void>, dirs: readonly string[] = []): Promise<void> {
  const before = hostMountinfo();
  const left = leftoverRootfs();
  const r = makeRootfs();
  for (const d of dirs) mkdirSync(join(r.dir, d), { recursive: true });
  try { await fn(r.dir); } finally { r.cleanup(); }
  assert.is(hostMountinfo(), before, "the host's mount table changed");
  assert.equal(leftoverRootfs(), left);
  assert.equal(zombies().filter((c) => c.comm !== "esbuild"), [], "a zombie was left");
}

/** One side of a real-vs-fake comparison: requests, a symlink made in its namespace, its table. */
export interface Side {
  exec(r: Request): Promise<Result> | Result;
  symlink(path: string, target: string): void;
  mountinfo(): Promise<string>;
}

/**
 * The same calls on the real kernel and on the model: `run(side, base)` once on an executor child
 * (in its own mount namespace; `base` a fresh directory under a scratch folder) and once on a
 * FakeKernel built from this host's table (its process unshared, in a user namespace with
 * `userns`). The executor is closed and the scratch folder removed whatever happens.
 */
export async function onKernelAndFake<T>(spawn: (opts?: { rootless?: boolean }) => ReturnType<typeof spawnExecutor>,
  run: (side: Side, base: string) => Promise<T>, opts: { userns?: boolean } = {}): Promise<{ real: T; model: T }> {
  const scratch = makeRootfs();
  const base = `${scratch.dir}/base`;
  const ex = await spawn(opts.userns ? { rootless: true } : {});
  try {
    await ex.exec({ seq: 0, step: "test", reason: "the comparison's base", op: "mkdir", pathname: base, mode: 0o755 });
    const real = await run({ exec: (r) => ex.exec(r), symlink: (p, t) => symlinkSync(t, `/proc/${ex.pid}/root${p}`), mountinfo: () => readMountinfo(ex) }, base);
    const model = await run(fakeSide(base, opts.userns), base);
    return { real, model };
  } finally {
    await ex.close();
    scratch.cleanup();
  }
}

/** The model's side: a FakeKernel built from this host's table, `base` made, its process unshared. */
function fakeSide(base: string, userns = false): Side {
  const k = FakeKernel.fromMountinfo(hostMountinfo()).mkdir(base).unshare(userns ? { userns: true } : undefined);
  return { exec: (r) => k.exec(r), symlink: (p, t) => { k.symlink(p, t); }, mountinfo: () => readMountinfo(k) };
}

/**
 * The pair of tests a recorded real-vs-fake scenario gets: "<what>: the fake kernel, as Linux 6.18
 * did" runs `run` on the model under `base` (it runs without root too) and compares it with
 * `recorded`; "<what>: the real kernel as recorded, and as the fake" runs it through
 * onKernelAndFake (skipped with `reason` where it cannot run), and both sides must equal `recorded`.
 */
export function pinnedOnBoth<T>(test: Test, env: { reason: string | null; spawn: Parameters<typeof onKernelAndFake>[0] }, what: string,
  base: string, run: (side: Side, base: string) => Promise<T>, recorded: T): void {
  test(`${what}: the fake kernel, as Linux 6.18 did`, async () => {
    assert.equal(await run(fakeSide(base), base), recorded);
  });
  nativeTest(test, env.reason, `${what}: the real kernel as recorded, and as the fake`, async () => {
    const { real, model } = await onKernelAndFake(env.spawn, run);
    assert.equal(real, recorded);
    assert.equal(model, real);
  });
}

/**
 * /proc/self/mountinfo as `x` reads it through requests (openat, reads of MOUNTINFO_CHUNK, close):
 * the same read on an executor and on a FakeKernel, for the real-vs-fake comparisons.
 */
export async function readMountinfo(x: { exec(r: Request): Promise<Result> | Result }): Promise<string> {
  const c = { seq: 0, step: "test", reason: "read the mount table" };
  const f = await x.exec({ ...c, op: "openat", dirfd: abi.AT_FDCWD, pathname: "/proc/self/mountinfo", flags: abi.O_RDONLY | abi.O_CLOEXEC, mode: 0 });
  let text = "";
  for (;;) {
    const r = await x.exec({ ...c, op: "read", fd: "ret" in f ? f.ret : -1, count: abi.MOUNTINFO_CHUNK });
    if (!("ret" in r) || r.ret === 0) break;
    text += Buffer.from(r.data!).toString();
  }
  await x.exec({ ...c, op: "close", fd: "ret" in f ? f.ret : -1 });
  return text;
}
