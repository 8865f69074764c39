// `pivotshim plan`: print the exact syscalls of the root switch for a config.
import { writeFileSync } from "node:fs";
import { type Command, Option } from "commander";
import { plan } from "../plan.js";
import { format, FORMATS, type Format } from "../format/index.js";
import { EXIT, configOptions, configOf, readInput, collect, type ConfigFlags } from "./common.js";

interface PlanFlags extends ConfigFlags { fail: string[]; format: Format; mountinfo?: string; traceOut?: string }

function runPlan(f: PlanFlags): number {
  const mountinfo = f.mountinfo !== undefined ? readInput(f.mountinfo, "--mountinfo file") : undefined;
  const trace = plan(configOf(f), { faults: f.fail, ...(mountinfo !== undefined ? { mountinfo } : {}) });
  if (f.traceOut) writeFileSync(f.traceOut, JSON.stringify(trace, null, 2) + "\n");
  process.stdout.write(format(trace, f.format));
  if (trace.outcome.kind === "failed") {
    process.stderr.write(`pivotshim: ${trace.outcome.message}\n`);
    return EXIT.failed;
  }
  return EXIT.ok;
}

export function register(cli: Command): void {
  configOptions(cli.command("plan").description("print the exact syscalls of the root switch for a config (a dry run: nothing is executed)"))
    .option("--fail <OP[#N]=ERRNO>", "inject a failure: the Nth (default first) OP call fails with ERRNO; repeatable", collect, [])
    .option("--mountinfo <file>", "what mountinfo reads return (default: a built-in docker-like host)")
    .addOption(new Option("--format <fmt>", "output format").choices(FORMATS).default("text"))
    .option("--trace-out <file>", "also write the trace as JSON to this file")
    .addHelpText("after", `
Examples:
  pivotshim plan --rootfs /r --profile runc --format strace
  pivotshim plan --rootfs /r --profile runc --fail pivot_root=EINVAL
  pivotshim plan --profile crun --strategy move --readonly
  pivotshim plan --mountinfo /proc/self/mountinfo --strategy auto

Exit status: 0 the plan ends done, 1 it ends failed, 2 bad usage or input.`)
    .action((f: PlanFlags) => { process.exitCode = runPlan(f); });
}
