// `pivotshim run`: the root switch for real (in an executor child's own namespaces), then the
// command exec'd in the new root with the terminal's stdio. Exit status: the command's (128+N for
// a signal), 1 when the switch fails, 124 past --deadline, 126/127 when the command cannot run,
// 2 usage, 3 environment.
// No syscall of the plan runs in this process.
import { constants as osConstants } from "node:os";
import type { Command } from "commander";
import { run, runInput, DEFAULT_PATH, type RunExit, type RunResult, type RunSpec } from "../run.js";
import { InvalidInputError } from "../errors.js";
import { errnoName, errnoText } from "../names-ts.js";
import * as abi from "../abi.js";
import { DEFAULT_TIMEOUT_MS, type ExitStatus } from "../hosts/native.js";
import { EXIT, configOptions, configOf, collect, type ConfigFlags } from "./common.js";
import { complain } from "./colour.js";
import { openTraceOut, type TraceOut } from "./trace-out.js";
import { exitCodeOfError } from "./failure.js";
import { COMMAND_LINES } from "./descriptions.js";

interface RunFlags extends ConfigFlags { rootless?: boolean; pidNs?: boolean; hostname?: string; timeout: string; deadline?: string; traceOut?: string; env: string[]; verify: boolean }

/** chroot(1) and the shells: 127 when the command is not found, 126 when it cannot be run. */
export const EXIT_NOT_FOUND = 127;
export const EXIT_CANNOT_RUN = 126;
/** timeout(1)'s status for a command it stopped at its limit. */
export const EXIT_DEADLINE = 124;

function usage(message: string): never {
  throw new InvalidInputError(`${message}\nusage: pivotshim run --rootfs DIR [options] -- CMD [ARGS...]`);
}

/** --timeout and --deadline: a whole number of milliseconds a Node timer can wait. */
function msOf(flag: string, s: string): number {
  const n = Number(s);
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(n) || n <= 0) usage(`${flag} must be a positive number of milliseconds, got "${s}"`);
  // Node's timers take at most 2^31 - 1 ms and silently turn a longer wait into 1 ms.
  if (n > abi.MAX_TIMEOUT_MS) usage(`${flag} must be at most ${abi.MAX_TIMEOUT_MS} ms (2^31 - 1, about 24.8 days: the longest wait a Node timer takes), got ${s}`);
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
  const timeoutMs = msOf("--timeout", f.timeout);
  const deadlineMs = f.deadline !== undefined ? msOf("--deadline", f.deadline) : undefined;
  for (const e of f.env) if (!e.includes("=")) usage(`--env expects KEY=VALUE, got "${e}"`);
  const env = envOf([`PATH=${DEFAULT_PATH}`, "HOME=/", ...(process.env.TERM ? [`TERM=${process.env.TERM}`] : []), ...f.env]);
  let pid = -1;
  const spec: RunSpec = {
    command: argv[0]!, args: argv.slice(1), env, rootless: f.rootless === true, pidNamespace: f.pidNs === true, timeoutMs, host: (ex) => { pid = ex.pid; return ex; }, verify: f.verify,
    final: f.traceOut !== undefined, // the child's final table, root and cwd in the trace
    ...(deadlineMs !== undefined ? { deadlineMs } : {}),
    // --hostname: a UTS namespace of the executor's own, and sethostname as a hook after the switch.
    ...(f.hostname !== undefined ? { uts: true, hooks: [{ op: "sethostname" as const, name: f.hostname, reason: "--hostname" }] } : {}),
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
function statusOf(trace: RunResult["trace"], exit: RunExit, command: string): number {
  if (trace.outcome.kind === "refused") { complain(trace.outcome.message); return EXIT.failed; }
  switch (exit.kind) {
    case "not-run":
      // The runtime's message is one line; a newline in a path it names is shown as \n (the trace keeps it).
      complain(`${trace.outcome.kind === "failed" ? trace.outcome.message.replace(/\n/g, "\\n") : "the switch did not finish"}`);
      return EXIT.failed;
    case "exec-failed":
      complain(`cannot run ${JSON.stringify(command)} in the new root ${trace.config.rootfs}: ${errnoName(exit.errno)} (${errnoText(exit.errno)})`);
      return exit.errno === abi.ENOENT || exit.errno === abi.ENOTDIR ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN;
    case "deadline":
      complain(`${JSON.stringify(command)} was still running at --deadline ${exit.deadlineMs} ms: killed with SIGKILL`);
      return EXIT_DEADLINE;
    case "hook-failed":  // the CLI passes no hooks; a library caller's wrapper may
      complain(`hook ${exit.hook + 1} failed: ${exit.errnoName} (${errnoText(exit.errno)}); nothing was run`);
      return EXIT.failed;
    case "signaled": return exitCodeOf({ status: null, signal: exit.signal });
    case "exited": return exit.status;
  }
}

/** The command has run: a trace that cannot be written (disk full) is said, never its status lost. */
function keepStatus(write: () => void, out: TraceOut, status: number): void {
  try { write(); } catch (e) {
    complain(`--trace-out ${out.path} could not be written after the run (${exitCodeOfError(e, []).message}); exiting with the run's status, ${status}`);
  }
}

export function register(cli: Command): void {
  configOptions(cli.command("run").description(COMMAND_LINES.run))
    .argument("[command...]", "the command and its arguments, after --")
    .option("--rootless", "use a user namespace too (no root needed; you are uid 0 inside)")
    .option("--hostname <name>", "a UTS namespace of its own, and this hostname set in it after the switch (never the host's)")
    .option("--pid-ns", "a new PID namespace too: the command is PID 1 (it can mount its own /proc); pivotshim's executor stays outside as its init")
    .option("--timeout <ms>", `how long the executor has to answer each request of the switch (1 to ${abi.MAX_TIMEOUT_MS})`, String(DEFAULT_TIMEOUT_MS))
    .option("--deadline <ms>", "how long the command may run, from its exec: then it is killed (SIGKILL), exit 124; default: no limit")
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
  pivotshim run --rootless --pid-ns --rootfs ~/rootfs -- /bin/sh -c 'mount -t proc proc /proc && ps'

Before anything runs, the plan is predicted on a fake kernel built from this namespace's own
mountinfo and the rootfs as it is; a plan that would unmount or change this namespace's mounts is
refused ("pivotshim: refused: ..."), and the run stops at the first real result that leaves the
verified plan. --no-verify skips both.

--pid-ns makes the command PID 1 of a new PID namespace. The executor waits outside as its init:
signals sent to pivotshim (SIGTERM, SIGHUP) are passed on, and the status is the command's. As
any PID 1, the command gets only the signals it has a handler for (and SIGKILL).

Two limits: --timeout bounds each request of the switch (the executor is killed and the run fails
when one goes unanswered); --deadline bounds the command itself, from its exec to its exit.

Exit status: the command's (128+N when killed by signal N); 1 the switch failed or was refused;
124 the command ran past --deadline; 126 the command could not be run, 127 not found; 2 bad usage; 3 this environment cannot do it
(see pivotshim doctor), or its mount table cannot be modelled (then --no-verify).`)
    .action(async (argv: string[], f: RunFlags) => { process.exitCode = await runRun(argv, f); });
}
