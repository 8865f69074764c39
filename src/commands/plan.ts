// `pivotshim plan`: print the exact syscalls of the root switch for a config. By default the
// plan runs on the fake kernel (a model of the host) and the invariants are checked, so the main
// job plans *and verifies*; `--host dry-run` is the plain planner (success for everything).
import { type Command, Option } from "commander";
import { plan } from "../plan.js";
import { check } from "../check.js";
import { format, FORMATS, type Format } from "../format/index.js";
import { SCENARIO_NAMES, type ScenarioName } from "../hosts/fake/index.js";
import type { FaultSpec } from "../hosts/faults.js";
import type { Verdict } from "../explore.js";
import type { Trace } from "../trace.js";
import { paint, complain } from "./colour.js";
import { findings } from "../findings.js";
import { EXIT, configOptions, configOf, readMountinfo, collect, type ConfigFlags } from "./common.js";
import { withTraceOut } from "./trace-out.js";
import { KERNEL_VERSIONS, parseConfig, parseFaults } from "../schema.js";
import { factsFor } from "../rootfs-facts.js";
import { COMMAND_LINES } from "./descriptions.js";
import { scenarioHelp } from "./scenario-help.js";

interface PlanFlags extends ConfigFlags {
  /** Typed as specs; parseFaults checks each before any request (commander only collects strings). */
  fail: FaultSpec[]; format: Format; mountinfo?: string; traceOut?: string; host: "fake-kernel" | "dry-run"; scenario?: ScenarioName; rootfsKind?: string; kernel: "6.18" | "7.0";
}

/** "# invariant host-unchanged: held (host mountinfo byte-identical)", one per verdict. */
export function verdictLines(vs: readonly Verdict[]): string {
  return vs.map((v) => `# invariant ${v.id}: ${v.held ? (v.finding ? "held, finding" : "held") : "VIOLATED"} (${(v.finding ?? v.detail).split("\n").join("; ")})\n`).join("");
}

function runPlan(f: PlanFlags): number {
  const config = parseConfig(configOf(f)); // bad input is refused before --trace-out is opened
  parseFaults(f.fail);
  const mountinfo = f.mountinfo !== undefined ? readMountinfo(f.mountinfo) : undefined;
  const extra = mountinfo !== undefined ? { mountinfo } : {};
  // The kind is checked on either host (bad input is exit 2), but only the fake kernel models it.
  const facts = factsFor(config.rootfs, f.rootfsKind, f.host === "dry-run" ? undefined : f.mountinfo);
  const { trace, verdicts } = withTraceOut(f.traceOut, (out) => {
    const r: { trace: Trace; verdicts: Verdict[] } = f.host === "dry-run" ? { trace: plan(configOf(f), { faults: f.fail, ...extra, kernel: f.kernel }), verdicts: [] }
      : check(configOf(f), { faults: f.fail, ...extra, ...(f.scenario ? { scenario: f.scenario } : {}), ...(facts ? { rootfsFacts: facts } : {}), kernel: f.kernel });
    // On the fake kernel the trace carries the verdicts: a verified plan is one with every one held
    // (pivotshim-exec --expect refuses any other).
    out?.write(f.host === "dry-run" ? r.trace : { ...r.trace, verdicts: r.verdicts.map(({ id, held }) => ({ id, held })) });
    return r;
  });
  let out = format(trace, f.format);
  // strace output stays pure strace (it is diffed); the text format carries the verdicts.
  if (f.format === "text" && verdicts.length) out += `# host: fake kernel, ${trace.source.scenario}\n${verdictLines(verdicts)}`;
  if (f.format === "text") out += findings(trace).map((x) => `# finding ${x.id}${x.at === null ? "" : ` (step ${x.at + 1})`}: ${x.title}\n`).join("");
  process.stdout.write(f.format === "text" ? paint(out) : out);
  if (trace.outcome.kind === "failed") complain(trace.outcome.message);
  const violated = verdicts.filter((v) => !v.held);
  for (const v of violated) complain(`invariant ${v.id} violated: ${v.detail}`);
  return trace.outcome.kind === "failed" || violated.length ? EXIT.failed : EXIT.ok;
}

export function register(cli: Command): void {
  configOptions(cli.command("plan").description(COMMAND_LINES.plan))
    .option("--fail <OP[#N]=ERRNO>", "inject a failure: the Nth (default first) OP call fails with ERRNO; repeatable", collect, [])
    .addOption(new Option("--host <host>", "fake-kernel: a model of the host, invariants checked; dry-run: success for everything").choices(["fake-kernel", "dry-run"]).default("fake-kernel"))
    .addOption(new Option("--scenario <name>", "the fake kernel's host (default docker-host)").choices(SCENARIO_NAMES))
    .option("--mountinfo <file>", "build the host from this mountinfo file (dry-run: what mountinfo reads return)")
    .addOption(new Option("--kernel <version>", "the Linux version the fake kernel answers as (7.0: open_tree OPEN_TREE_NAMESPACE, from source, unverified)").choices(KERNEL_VERSIONS).default("6.18"))
    .option("--rootfs-kind <kind>", "what the rootfs path is on the modelled host: dir (default), missing, file, symlink:TARGET; with --mountinfo /proc/self/mountinfo, lstat decides")
    .addOption(new Option("--format <fmt>", "output format").choices(FORMATS).default("text"))
    .option("--trace-out <file>", "also write the trace as JSON to this file")
    .addHelpText("after", `
Examples:
  pivotshim plan                                   # hardened, auto, on a docker-like host, verified
  pivotshim plan --rootfs /r --profile runc --format strace
  pivotshim plan --rootfs /r --profile runc --fail pivot_root=EINVAL
  pivotshim plan --scenario initramfs              # auto picks MS_MOVE+chroot and says why
  pivotshim plan --mountinfo /proc/self/mountinfo --strategy move
  pivotshim plan --rootfs /r --rootfs-kind missing --scenario rootfs-not-a-mountpoint
  pivotshim plan --host dry-run --profile crun --strategy move --readonly
  pivotshim plan --rootfs /r --profile crun-1.29 --kernel 7.0   # open_tree(OPEN_TREE_NAMESPACE) + setns

${scenarioHelp()}
Exit status: 0 the plan ends done with every invariant held, 1 it ends failed or an invariant
is violated, 2 bad usage or input.`)
    .action((f: PlanFlags) => { process.exitCode = runPlan(f); });
}
