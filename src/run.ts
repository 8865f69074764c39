// Running for real: the machine driven against the native host, then the command exec'd in the
// new root (run), and the environment check behind `pivotshim doctor` (probeEnvironment).
// Everything that touches the kernel happens in an executor child's own namespaces, never here.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { release, tmpdir } from "node:os";
import { join } from "node:path";
import * as abi from "./abi.js";
import { driveAsync, type DriveOptions } from "./driver.js";
import { isErr, type Request } from "./request.js";
import type { AsyncHost } from "./hosts/host.js";
import type { Config, ConfigInput } from "./schema.js";
import type { RunTrace } from "./trace.js";
import { parseConfig } from "./schema.js";
import { predictLive } from "./predict.js";
import { rootfsFacts, rootfsRule } from "./rootfs-facts.js";
import { finalOfChild } from "./final-state.js";
import { DivergedError, divergedTrace, refusalOf, verifyingHost } from "./verify-run.js";
import { errnoName } from "./names-ts.js";
import { EnvironmentError, PivotshimError } from "./errors.js";
import { runHooksAsync, type Hook, type HookFailure } from "./hooks.js";
import { spawnExecutor, loadAddon, type Executor, type ExecutorOptions, type ExitStatus } from "./hosts/native.js";
import { checkExecFrame, checkRunSpec, refusePseudoFs, runConfig } from "./run-input.js";

/** What execve gets in the new root (internal form of RunSpec). */
interface Command { path: string; argv: string[]; env: string[]; cwd?: string }

export interface RunResult {
  /** outcome.kind "refused": the prediction said the plan harms the calling namespace, or the run left it. */
  trace: RunTrace;
  /** How the command ended, or that none ran; `kind` tells which. */
  exit: RunExit;
}

/**
 * How a run's command ended, tagged by `kind`:
 * - "exited": it returned `status` (0..255);
 * - "signaled": a signal killed it (`signal`, e.g. "SIGTERM");
 * - "deadline": it was still running at `deadlineMs` and was killed with SIGKILL;
 * - "exec-failed": execve (every PATH entry, for a bare name) failed with `errno`;
 * - "hook-failed": hook number `hook` (from 0) failed with `errno`, so nothing was exec'd
 *   (`trace.hooks` has each hook's request and result);
 * - "not-run": the switch failed or was refused, so nothing was exec'd (`trace.outcome` says why).
 */
export type RunExit =
  | { kind: "exited"; status: number }
  | { kind: "signaled"; signal: string }
  | { kind: "deadline"; deadlineMs: number; signal: "SIGKILL" }
  | { kind: "exec-failed"; errno: number; errnoName: string }
  | { kind: "hook-failed"; hook: number; errno: number; errnoName: string }
  | { kind: "not-run" };

const NOT_RUN: RunExit = Object.freeze({ kind: "not-run" });

/** An AbortSignal passed to run() fired: the executor and its command were killed and reaped first. */
export class RunAbortedError extends PivotshimError {
  constructor(reason: unknown) {
    super("ABORT_ERR", `run aborted${reason instanceof Error ? `: ${reason.message}` : reason !== undefined ? `: ${String(reason)}` : ""}; the executor and its command were killed and reaped`, { cause: reason });
    this.name = "AbortError"; // the name every AbortSignal-taking API rejects with (fetch, child_process)
  }
}

/** What run() executes in the new root and how: the command, its environment, the executor's options. */
export interface RunSpec extends Omit<ExecutorOptions, "mountNamespaceOf"> {
  /** The program, resolved in the new root; without a "/" it is searched in env's PATH (execvp). */
  command: string;
  /** Its arguments (argv[1..]); argv[0] is `command` as given. */
  args?: readonly string[];
  /** The command's environment: KEY → value, or "KEY=VALUE" strings. Default: empty. */
  env?: Readonly<Record<string, string>> | readonly string[];
  /** chdir() in the new root before execve; default: stay where the switch left us ("/"). */
  cwd?: string;
  drive?: DriveOptions;
  /**
   * The host the machine is driven against, given the executor (default: the executor itself).
   * For instrumentation: tests wrap it to kill the child at a chosen request; the CLI keeps the pid.
   */
  host?: (ex: Executor) => AsyncHost;
  /**
   * Speculative batches (src/hosts/native-batch.ts): several requests per round trip, the same
   * trace. Default true; false runs one request per round trip. Only used when the host has a
   * lookahead (the executor itself does; a wrapper from `host` usually does not).
   */
  batch?: boolean;
  /** Record the child's final mountinfo, root and cwd in the trace (`final`), read before exec. Default false. */
  final?: boolean;
  /**
   * The command's own time limit, from its execve to its exit: past it the command is killed
   * (SIGKILL) and reaped, and `exit` is `{ kind: "deadline" }`. `timeoutMs` is another limit: how
   * long the executor has to answer each request of the switch. Default: none (the command may run
   * as long as it likes). 1 to 2^31 - 1 ms.
   */
  deadlineMs?: number;
  /**
   * Aborts the run at any point: before the executor exists, during the switch, or while the
   * command runs. The executor (and the command, if it was exec'd) is killed and reaped, then
   * run() rejects with RunAbortedError (name "AbortError", cause: the signal's reason).
   */
  signal?: AbortSignal;
  /**
   * The runtime's own requests between the switch and exec (src/hooks.ts): e.g. mount a proc on
   * /proc. Each is a call of an existing request kind (`{ op: "mount", source, target, ... }`, an
   * optional `reason`); they run in order through the same executor with the same timeouts, after
   * the machine's Done, and go in `trace.hooks`. The prediction runs them on the model too and
   * judges every invariant after them: a hook that would change this namespace is refused before
   * anything runs, and a real result that differs from the model's stops the run. The first that
   * fails ends the run: exit `{ kind: "hook-failed" }`, nothing exec'd. At most MAX_HOOKS.
   */
  hooks?: readonly Hook[];
  /**
   * Predict the plan first on a model of this mount namespace and the rootfs as it is
   * (src/predict.ts), refuse it when an invariant would be violated, and stop the run at the first
   * real result that leaves the verified plan. Default true; false skips both, with a warning.
   * Throws UnmodelledError (an EnvironmentError) when this namespace's table cannot be modelled.
   */
  verify?: boolean;
}

/** "KEY=VALUE" strings, from either form of RunSpec.env. */
function envList(env: RunSpec["env"]): string[] {
  if (!env) return [];
  if (Array.isArray(env)) return [...(env as readonly string[])];
  return Object.entries(env as Record<string, string>).map(([k, v]) => `${k}=${v}`);
}

/**
 * Checks everything first (runInput: the spec, the config with a relative rootfs resolved, no
 * pseudo-filesystem rootfs, the exec frame's limits; InvalidInputError), then spawns an executor,
 * drives the machine for `config` against it, and if the switch is Done, execs `command` in the
 * new root and waits for it. The executor is always reaped.
 * The trace's source names the running kernel (os.release()), and notes a resolved rootfs.
 */
export async function run(input: ConfigInput | Config, spec: RunSpec): Promise<RunResult> {
  const { config: given, command, note } = runInput(input, spec);
  const signal = spec.signal;
  if (signal?.aborted) throw new RunAbortedError(signal.reason);
  const config = rootfsRule(given, rootfsFacts(given.rootfs)); // a symlinked rootfs: refused, or crun's real path
  const source = { host: "native" as const, kernel: release(), ...(note !== undefined ? { note } : {}), ...spec.drive?.source };
  const verify = spec.verify !== false;
  if (!verify && !warned) { warned = true; process.emitWarning(NO_VERIFY, { code: "PIVOTSHIM_NO_VERIFY" }); }
  const hooks = spec.hooks ?? [];
  const prediction = verify ? predictLive(config, { rootless: spec.rootless === true, hooks, uts: spec.uts === true }) : null;
  const refused = prediction && refusalOf(config, prediction, source);
  if (refused) return { trace: refused, exit: NOT_RUN };
  const { signal: _signal, deadlineMs, hooks: _hooks, ...exOpts } = spec;
  const ex = await spawnExecutor(prediction ? { ...exOpts, mountinfo: prediction.model.mountinfo } : exOpts);
  // From here an abort kills the executor (and the command): whatever awaits it fails or returns,
  // and the finally below reaps it before run() rejects.
  const onAbort = () => { void ex.kill(); };
  signal?.addEventListener("abort", onAbort, { once: true });
  let deadline: NodeJS.Timeout | undefined;
  try {
    if (signal?.aborted) throw new RunAbortedError(signal.reason);  // fired while spawning
    const { host: _native, ...driveSource } = source;
    const drive = { ...spec.drive, batch: spec.batch ?? spec.drive?.batch, source: driveSource };
    const inner = spec.host ? spec.host(ex) : ex;
    if (inner === ex && spec.autonomous !== false && drive.batch !== false) autonomousNotice(ex.autonomousOff(spec.drive?.module));
    const host = prediction ? verifyingHost(config, prediction, ex, inner) : inner;
    let trace: RunTrace;
    let failedHook: HookFailure | null = null;
    try {  // the switch, then the hooks after Done: both checked against the prediction
      trace = await driveAsync(config, host, drive);
      if (trace.outcome.kind === "done" && hooks.length) {
        const ran = await runHooksAsync(host, hooks, trace.steps.length);
        trace = { ...trace, hooks: ran.steps };
        failedHook = ran.failed;
      }
    } catch (e) {
      if (signal?.aborted) throw new RunAbortedError(signal.reason);
      if (e instanceof DivergedError && prediction) return { trace: divergedTrace(config, source, host as ReturnType<typeof verifyingHost>, e), exit: NOT_RUN };
      throw e;
    }
    if (signal?.aborted) throw new RunAbortedError(signal.reason);
    if (spec.final) { const fin = finalOfChild(ex.pid); if (fin) trace = { ...trace, final: fin }; }
    if (failedHook) return { trace, exit: { kind: "hook-failed", hook: failedHook.hook, errno: failedHook.errno, errnoName: errnoName(failedHook.errno) } };
    if (trace.outcome.kind !== "done") return { trace, exit: NOT_RUN };
    let late = false;
    if (deadlineMs !== undefined) deadline = setTimeout(() => { late = true; void ex.kill(); }, deadlineMs);
    const killedLate: RunExit = { kind: "deadline", deadlineMs: deadlineMs ?? 0, signal: "SIGKILL" };
    let st: ExitStatus | { errno: number };
    try {
      st = await execIn(ex, command);
    } catch (e) {  // killed between two execve attempts of a PATH search
      if (signal?.aborted) throw new RunAbortedError(signal.reason);
      if (late) return { trace, exit: killedLate };
      throw e;
    }
    if (signal?.aborted) throw new RunAbortedError(signal.reason);
    // A command that ended on its own just as the deadline fired keeps its own status.
    if (late && !("errno" in st) && st.signal === "SIGKILL") return { trace, exit: killedLate };
    return { trace, exit: exitOf(st) };
  } finally {
    clearTimeout(deadline);
    signal?.removeEventListener("abort", onAbort);
    await ex.kill();
  }
}

/** The executor's answer to the exec, tagged. */
function exitOf(st: ExitStatus | { errno: number }): RunExit {
  if ("errno" in st) return { kind: "exec-failed", errno: st.errno, errnoName: errnoName(st.errno) };
  if (st.signal !== null) return { kind: "signaled", signal: st.signal };
  if (st.status === null) throw new EnvironmentError("the command ran, but how it ended cannot be known: waitpid failed in the executor's reaper");
  return { kind: "exited", status: st.status };
}

/** verify: false warns once per process (a loop of runs would otherwise repeat it each time). */
let warned = false;

let noticed = false;
/** Once per process: why the switch runs in batches of requests, not on the child's own (autonomous mode). */
function autonomousNotice(off: string | null): void {
  if (off === null || noticed) return;
  noticed = true;
  process.emitWarning(`autonomous mode is off: ${off}; the switch runs in batches of requests instead`, { code: "PIVOTSHIM_NO_AUTONOMOUS" });
}

/** What --no-verify / verify: false skips, said on stderr. */
export const NO_VERIFY = "run without verification (--no-verify): the plan is not predicted on a model of this mount namespace, " +
  "so nothing refuses a plan that unmounts or changes its mounts, and the run is not stopped when a real result leaves the plan";

/** Everything run() checks before it spawns anything (src/run-input.ts); throws InvalidInputError. */
export function runInput(input: unknown, spec: RunSpec): { config: Config; command: Command; note?: string } {
  checkRunSpec(spec);
  const { config, note } = runConfig(input);
  refusePseudoFs(config.rootfs);
  const command: Command = { path: spec.command, argv: [spec.command, ...(spec.args ?? [])], env: envList(spec.env), ...(spec.cwd !== undefined ? { cwd: spec.cwd } : {}) };
  checkExecFrame(loadAddon().wire, candidates(command), command.cwd, command.argv, command.env);
  return { config, command, ...(note !== undefined ? { note } : {}) };
}

/** The search path when the command's env has no PATH (execvp's default, with the sbin dirs). */
export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * execve in the new root, with execvp's search for a name without "/": a failed execve leaves the
 * child serving, so each PATH entry is tried in turn; EACCES is remembered, as execvp does.
 */
async function execIn(ex: Executor, c: Command): Promise<ExitStatus | { errno: number }> {
  const env = c.env;
  // A path is tried once and its errno kept (ENOTDIR stays ENOTDIR); only a PATH search goes on.
  if (c.path.includes("/")) return ex.execve(c.path, c.argv, env, c.cwd);
  let failed: { errno: number } = { errno: abi.ENOENT };
  for (const path of candidates(c)) {
    const r = await ex.execve(path, c.argv, env, c.cwd);
    if (!("errno" in r)) return r;
    if (r.errno === abi.EACCES) failed = r;
    else if (r.errno !== abi.ENOENT && r.errno !== abi.ENOTDIR) return r;
  }
  return failed;
}

/** The paths execve is tried with: the command itself when it has a "/", else each PATH entry's. */
function candidates(c: Command): string[] {
  if (c.path.includes("/")) return [c.path];
  const path = c.env.find((e) => e.startsWith("PATH="))?.slice(5) ?? DEFAULT_PATH;
  return path.split(":").map((dir) => `${dir || "."}/${c.path}`);
}

export interface EnvironmentReport {
  root: boolean;
  /** A mount namespace alone (root mode) can be made here. */
  mountns: boolean;
  /** A user + mount namespace (rootless mode) can be made here. */
  userns: boolean;
  pivotRoot: boolean;
  /** "/" is the initial ramfs (fstype rootfs): pivot_root cannot work (LXC's detect_ramfs_rootfs). */
  ramfsRoot: boolean;
  details: string[];
}

/** Tries, in throwaway child namespaces, what a real run needs. Never mounts anything here. */
export async function probeEnvironment(): Promise<EnvironmentReport> {
  const details: string[] = [];
  const root = process.geteuid?.() === 0;
  details.push(root ? "running as root" : `running as uid ${process.geteuid?.()}: only --rootless can work`);
  const userns = await tryExecutor(true, details);
  const plain = root ? await tryExecutor(false, details) : false;
  const ramfsRoot = isRamfsRoot(details);
  let pivotRoot = false;
  if (plain || userns) pivotRoot = await tryPivot(!plain, details);
  return { root, mountns: plain, userns, pivotRoot, ramfsRoot, details };
}

async function tryExecutor(rootless: boolean, details: string[]): Promise<boolean> {
  const what = rootless ? "user + mount namespace (rootless)" : "mount namespace";
  try {
    await (await spawnExecutor({ rootless })).close();
    details.push(`${what}: ok`);
    return true;
  } catch (e) {
    details.push(`${what}: ${(e as Error).message}`);
    return false;
  }
}

function isRamfsRoot(details: string[]): boolean {
  const line = readFileSync("/proc/self/mountinfo", "utf8").split("\n").find((l) => l.split(" ")[4] === "/");
  const fstype = line?.split(" - ")[1]?.split(" ")[0] ?? "?";
  details.push(`"/" is ${fstype}`);
  return fstype === "rootfs";
}

/** pivot_root(".", ".") into a self-bound temp dir, in a child namespace that is then thrown away. */
async function tryPivot(rootless: boolean, details: string[]): Promise<boolean> {
  let dir: string;
  try {
    dir = mkdtempSync(join(tmpdir(), "pivotshim-doctor-"));
  } catch (e) {
    // Inside a chroot or a container, TMPDIR may not exist: the probe cannot run, doctor goes on.
    details.push(`pivot_root: not tried: no scratch directory in ${tmpdir()} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); set TMPDIR to a writable directory`);
    return false;
  }
  let ex: Executor | undefined;
  try {
    ex = await spawnExecutor({ rootless });
    const c = { seq: 0, step: "doctor", reason: "probeEnvironment: can this machine pivot_root?" };
    const calls: Request[] = [
      { ...c, op: "mount", source: null, target: "/", filesystemtype: null, mountflags: abi.MS_REC | abi.MS_SLAVE, data: null },
      { ...c, op: "mount", source: dir, target: dir, filesystemtype: null, mountflags: abi.MS_BIND | abi.MS_REC, data: null },
      { ...c, op: "chdir", path: dir },
      { ...c, op: "pivot_root", new_root: ".", put_old: "." },
      { ...c, op: "umount2", target: ".", flags: abi.MNT_DETACH },
      { ...c, op: "chdir", path: "/" },
    ];
    for (const req of calls) {
      const res = await ex.exec(req);
      if (isErr(res)) {
        details.push(`pivot_root (${rootless ? "rootless" : "root"}): ${req.op} failed: ${errnoName(res.errno)}`);
        return false;
      }
    }
    details.push(`pivot_root (${rootless ? "rootless" : "root"}): ok`);
    return true;
  } catch (e) {
    details.push(`pivot_root: ${(e as Error).message}`);
    return false;
  } finally {
    await ex?.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}
