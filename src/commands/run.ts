// `pivotshim run`: the root switch for real (in an executor child's own namespaces), then the
// command exec'd in the new root with the terminal's stdio. Exit status: the command's (128+N for
// a signal), 1 when the switch fails, 126/127 when the command cannot run, 2 usage, 3 environment.
// No syscall of the plan runs in this process.
import { constants as osConstants } from "node:os";
import type { Command } from "commander";
import { run, runInput, DEFAULT_PATH, type RunSpec } from "../run.js";
import { InvalidInputError } from "../errors.js";
import { errnoName, errnoText } from "../names-ts.js";
import * as abi from "../abi.js";
import { DEFAULT_TIMEOUT_MS, type ExitStatus } from "../hosts/native.js";
import { EXIT, configOptions, configOf, collect, type ConfigFlags } from "./common.js";
import { complain } from "./colour.js";
import { openTraceOut, type TraceOut } from "./trace-out.js";
import { exitCodeOfError } from "./failure.js";

interface RunFlags extends ConfigFlags { rootless?: boolean; timeout: string; traceOut?: string; env: string[]; verify: boolean }

/** chroot(1) and the shells: 127 when the command is not found, 126 when it cannot be run. */
export const EXIT_NOT_FOUND = 127;
export const EXIT_CANNOT_RUN = 126;

function usage(message: string): never {
  throw new InvalidInputError(`${message}\nusage: pivotshim run --rootfs DIR [options] -- CMD [ARGS...]`);
}

function timeoutOf(s: string): number {
  const n = Number(s);
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(n) || n <= 0) usage(`--timeout must be a positive number of milliseconds, got "${s}"`);
  // Node's timers take at most 2^31 - 1 ms and silently turn a longer wait into 1 ms.
  if (n > abi.MAX_TIMEOUT_MS) usage(`--timeout must be at most ${abi.MAX_TIMEOUT_MS} ms (2^31 - 1, about 24.8 days: the longest wait a Node timer takes), got ${s}`);
  return n;
}

/** The command's status as a shell reports it: N, or 128 + the signal's number. */
export function exitCodeOf(st: ExitStatus): number {
  if (st.signal) return 128 + ((osConstants.signals as Record<string, number>)[st.signal] ?? 0);
  return st.status ?? EXIT.failed;
}

/**
 * While the command runs, the terminal's SIGINT/SIGQUIT reach it directly (same process group),
 * so Node only ignores them; SIGTERM/SIGHUP sent to pivotshim are passed on to the command.
 */
function relaySignals(pid: () => number): () => void {
  const ignore = () => {};
  const relay = (sig: NodeJS.Signals) => { const p = pid(); if (p > 0) try { process.kill(p, sig); } catch { /* gone */ } };
  const handlers: [NodeJS.Signals, (s: NodeJS.Signals) => void][] = [["SIGINT", ignore], ["SIGQUIT", ignore], ["SIGTERM", relay], ["SIGHUP", relay]];
  for (const [s, h] of handlers) process.on(s, h);
  return () => { for (const [s, h] of handlers) process.off(s, h); };
}

/** KEY=VALUE list where a later KEY replaces an earlier one (--env PATH=... over the default). */
const envOf = (list: string[]): string[] => [...new Map(list.map((e) => [e.slice(0, e.indexOf("=")), e])).values()];

/** Validates everything (flags, then what run() checks), opens --trace-out, and only then runs. */
async function runRun(argv: string[], f: RunFlags): Promise<number> {
  if (argv.length === 0) usage("missing the command to run in the new root (after --)");
  if (f.rootfs === undefined) usage("--rootfs is required: the directory that becomes the new root");
  const timeoutMs = timeoutOf(f.timeout);
  for (const e of f.env) if (!e.includes("=")) usage(`--env expects KEY=VALUE, got "${e}"`);
  const env = envOf([`PATH=${DEFAULT_PATH}`, "HOME=/", ...(process.env.TERM ? [`TERM=${process.env.TERM}`] : []), ...f.env]);
  let pid = -1;
  const spec: RunSpec = {
    command: argv[0]!, args: argv.slice(1), env, rootless: f.rootless === true, timeoutMs, host: (ex) => { pid = ex.pid; return ex; }, verify: f.verify,
    final: f.traceOut !== undefined, // the child's final table, root and cwd in the trace
  };
  runInput(configOf(f), spec);  // the same checks run() makes, before --trace-out is created
  const out = f.traceOut !== undefined ? openTraceOut(f.traceOut) : null;
  const restore = relaySignals(() => pid);
  try {
    const { trace, exit } = await run(configOf(f), spec);
    const status = statusOf(trace, exit, argv[0]!);
    if (out) keepStatus(() => out.write(trace), out, status);
    return status;
  } finally {
    out?.discard();
    restore();
  }
}

/** The exit status of a finished run, with its one line on stderr when it is not the command's own. */
function statusOf(trace: Awaited<ReturnType<typeof run>>["trace"], exit: Awaited<ReturnType<typeof run>>["exit"], command: string): number {
  if (trace.outcome.kind === "refused") { complain(trace.outcome.message); return EXIT.failed; }
  if (trace.outcome.kind === "failed" || exit === null) {
    complain(`${trace.outcome.kind === "failed" ? trace.outcome.message : "the switch did not finish"}`);
    return EXIT.failed;
  }
  if ("errno" in exit) {
    complain(`cannot run ${JSON.stringify(command)} in the new root ${trace.config.rootfs}: ${errnoName(exit.errno)} (${errnoText(exit.errno)})`);
    return exit.errno === abi.ENOENT || exit.errno === abi.ENOTDIR ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN;
  }
  return exitCodeOf(exit);
}

/** The command has run: a trace that cannot be written (disk full) is said, never its status lost. */
function keepStatus(write: () => void, out: TraceOut, status: number): void {
  try { write(); } catch (e) {
    complain(`--trace-out ${out.path} could not be written after the run (${exitCodeOfError(e, []).message}); exiting with the run's status, ${status}`);
  }
}

export function register(cli: Command): void {
  configOptions(cli.command("run").description("switch the root for real in new namespaces, then run a command in it (root mode is not a sandbox)"))
    .argument("[command...]", "the command and its arguments, after --")
    .option("--rootless", "use a user namespace too (no root needed; you are uid 0 inside)")
    .option("--timeout <ms>", `how long the executor has to answer each request (1 to ${abi.MAX_TIMEOUT_MS})`, String(DEFAULT_TIMEOUT_MS))
    .option("--trace-out <file>", "also write the trace as JSON to this file")
    .option("--no-verify", "skip the prediction on a model of this namespace (it refuses plans that would harm it)")
    .option("-e, --env <KEY=VALUE>", "add to the command's environment (default: PATH, HOME=/, TERM); repeatable", collect, [])
    .addHelpText("after", `
Root mode is NOT a sandbox: the command runs as root with every capability, in a new mount
namespace only. It can mount procfs again, and read the host's files through /proc/$PPID/root.
Use it for trusted commands. --rootless is confined: a user namespace where uid 0 maps to you,
so the command has no privilege over the host. A rootfs on a pseudo-filesystem (proc, sysfs,
cgroup, debugfs, ... asked of the kernel with statfs) is refused. A relative --rootfs is resolved
once against the current directory, and the trace says so (source.note).

Examples:
  sudo pivotshim run --rootfs ./rootfs -- /bin/sh -c 'echo hello from $(pwd)'
  pivotshim run --rootless --rootfs ~/rootfs --profile runc --strategy pivot -- /bin/true
  pivotshim run --rootfs /srv/rootfs --trace-out run.json -- ls /

Before anything runs, the plan is predicted on a fake kernel built from this namespace's own
mountinfo and the rootfs as it is; a plan that would unmount or change this namespace's mounts is
refused ("pivotshim: refused: ..."), and the run stops at the first real result that leaves the
verified plan. --no-verify skips both.

Exit status: the command's (128+N when killed by signal N); 1 the switch failed or was refused;
126 the command could not be run, 127 not found; 2 bad usage; 3 this environment cannot do it
(see pivotshim doctor), or its mount table cannot be modelled (then --no-verify).`)
    .action(async (argv: string[], f: RunFlags) => { process.exitCode = await runRun(argv, f); });
}
