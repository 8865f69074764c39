// `pivotshim diff`: compares a plan (built from the config flags, or a recorded trace file) with
// the root-switch window of a real `strace -f` log, and says step by step where they differ.
// Reads files and prints; the comparison itself is src/diff/.
import { assumedHostDirs } from "../rootfs-facts.js";
import { type Command, Option } from "commander";
import { plan } from "../plan.js";
import { DryRunHost } from "../hosts/dry-run.js";
import { FakeKernel } from "../hosts/fake/index.js";
import { parseConfig } from "../schema.js";
import { parseTraceText } from "../trace-schema.js";
import { InvalidInputError } from "../errors.js";
import { I32_MAX } from "../abi.js";
import type { Trace } from "../trace.js";
import { diff, parseTracedList, NoSwitchError, renderJson, renderText } from "../diff/index.js";
import { EXIT, configOptions, configOf, readInput, readMountinfo, type ConfigFlags } from "./common.js";
import { complain } from "./colour.js";
import { enterSwitchNamespace } from "../switch-namespace.js";
import { COMMAND_LINES } from "./descriptions.js";

interface DiffFlags extends ConfigFlags {
  trace?: string; strace: string; pid?: string; traced?: string; format: "text" | "json"; mountinfo?: string; host: "dry-run" | "fake-kernel";
}

const usage = (message: string) => new InvalidInputError(message, [{ path: "(flags)", message }]);

/** The plan side: the trace file, or a plan of the config flags on the chosen host. */
function planSide(f: DiffFlags): Trace {
  const configFlags = [f.rootfs, f.profile, f.strategy, f.rootPropagation, f.readonly, f.mountinfo].some((v) => v !== undefined)
    || f.prepare === false || f.selfBind === false || f.host !== "dry-run";
  if (f.trace !== undefined) {
    if (configFlags) throw usage("--trace takes the plan from the file: do not combine it with config flags, --mountinfo or --host");
    return parseTraceText(readInput(f.trace, "--trace file"), f.trace);
  }
  const config = parseConfig(configOf(f));
  const mountinfo = f.mountinfo !== undefined ? readMountinfo(f.mountinfo) : undefined;
  if (f.host === "dry-run") return plan(config, { host: new DryRunHost({ rootfs: config.rootfs, mountinfo }), ...(mountinfo !== undefined ? { mountinfo } : {}) });
  let k: FakeKernel;
  try {
    // The runtime's namespace: chroot runs in the caller's (switch-namespace.ts).
    k = mountinfo !== undefined
      ? enterSwitchNamespace(assumedHostDirs(config.profile).reduce((m, d) => m.mkdir(d), FakeKernel.fromMountinfo(mountinfo)).mkdir(config.rootfs), config)
      : enterSwitchNamespace(FakeKernel.scenario("docker-host", { rootfs: config.rootfs }), config, true);
  } catch (e) {
    throw new InvalidInputError(`the --mountinfo file is not a mountinfo table: ${(e as Error).message}`, [], { cause: e });
  }
  return plan(config, { host: k });
}

function runDiff(f: DiffFlags): number {
  let pid: number | undefined;
  if (f.pid !== undefined) {
    // pid_t is an int: a longer number would round to some other process's id.
    if (!/^[1-9]\d*$/.test(f.pid) || Number(f.pid) > I32_MAX) throw usage(`--pid must be a positive process id (at most ${I32_MAX}), not "${f.pid}"`);
    pid = Number(f.pid);
  }
  const traced = f.traced === undefined ? undefined : parseTracedList(f.traced);
  const trace = planSide(f);
  const log = readInput(f.strace, "--strace log");
  try {
    const report = diff(trace, log, { ...(pid === undefined ? {} : { pid }), ...(traced ? { traced } : {}) });
    process.stdout.write(f.format === "json" ? renderJson(report) : renderText(report));
    return report.equivalent ? EXIT.ok : EXIT.failed;
  } catch (e) {
    if (!(e instanceof NoSwitchError)) throw e;
    complain(`${f.strace}: ${e.message}`);
    return EXIT.failed;
  }
}

const HELP = `
The window: the process that calls pivot_root or mount(..., "/", ..., MS_MOVE, ...) (chroot for a
chroot-only plan; --pid picks one), from the runtime's first call of the switch (runc and crun:
the first propagation change of "/"; runc-1.1 chroot: its first mount; hardened: the plan's first
call) to its last chdir("/") before exec, plus the close()s of its own fds and getcwd()s that
directly follow. A mount or umount2 of that process before the window is a difference.

What was traced: a plan step whose syscall the log never shows and that was not traced (read,
getcwd or close absent from the whole log; with --traced, any syscall not in the list) is "not
traced: cannot be checked", and the verdict says "equivalent on the traced calls (K of N steps
checked)". Any other plan step absent from the log is missing: a difference.

Equivalences (docs/diff.md has the reasons):
  - flag sets are compared as sets (the order strace prints them in does not matter);
  - NULL, "" and an unprinted address are the same where the kernel ignores the argument:
    fstype and data of propagation, bind, bind-remount and move mounts, the source of a
    propagation change or a remount; an address there also stands for any string;
  - fds match through the alignment: the plan's fd 3 is the log's fd 6 when the openats that
    returned them are paired; a dup()ed fd is the fd it copies; /proc/self/fd/N paths likewise;
  - -y fd paths, read sizes, read data and read byte counts (except end of file) are ignored;
  - /proc/self and /proc/thread-self are NOT equivalent in an openat path;
  - errnos are compared exactly.
Calls of the window that no plan step accounts for (container mounts, masks, devices,
/proc/self/fd loops, reads) are listed as "not part of the plan": they are not differences.

Examples:
  strace -f -qq -s 256 -y -o LOG runc run -b BUNDLE ID
  pivotshim diff --profile runc-1.1 --rootfs /tmp/pvs/rootfs --mountinfo host.mountinfo --strace LOG
  pivotshim diff --profile crun --rootfs /r --host fake-kernel --mountinfo host.mountinfo --strace LOG
  pivotshim diff --trace run.json --strace LOG --format json
  pivotshim diff --profile runc-1.1 --rootfs /r --strace LOG --traced mount,umount2,pivot_root,chdir,fchdir,chroot,openat

Exit status: 0 equivalent, 1 the log differs (or no process in it switches root), 2 bad usage
or input.`;

export function register(cli: Command): void {
  configOptions(cli.command("diff").description(COMMAND_LINES.diff))
    .option("--trace <file>", "the plan side is this trace (JSON, as written by plan --trace-out) instead of the config flags")
    .requiredOption("--strace <log>", "the strace -f log to compare with")
    .option("--pid <n>", "take this process's window instead of searching for the one that switches root")
    .option("--traced <list>", "the syscalls the log traced (strace -e trace=LIST, comma-separated): plan steps of others cannot be checked")
    .option("--mountinfo <file>", "what the planning host reads as mountinfo (make it match the traced machine)")
    .addOption(new Option("--host <host>", "plan on the dry-run host (every call succeeds) or the fake kernel (errnos of a model of the host)").choices(["dry-run", "fake-kernel"]).default("dry-run"))
    .addOption(new Option("--format <fmt>", "output format").choices(["text", "json"]).default("text"))
    .addHelpText("after", HELP)
    .action((f: DiffFlags) => { process.exitCode = runDiff(f); });
}
