#!/usr/bin/env node
// The command line. Parses flags (commander), validates with zod, runs, prints, and maps outcomes
// to exit codes: 0 ok, 1 the plan failed, 2 usage or input, 3 environment.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { plan } from "./plan.js";
import { format, FORMATS, type Format } from "./format/index.js";
import { PROFILES, STRATEGIES, PROPAGATIONS, DEFAULT_ROOTFS, type ConfigInput } from "./schema.js";
import { PivotshimError, InvalidInputError, EnvironmentError } from "./errors.js";

const EXIT = { ok: 0, failed: 1, usage: 2, environment: 3 } as const;

const pkgUrl = [new URL("../package.json", import.meta.url), new URL("../../package.json", import.meta.url)].find((u) => existsSync(u))!;
const version = (JSON.parse(readFileSync(pkgUrl, "utf8")) as { version: string }).version;

interface PlanFlags {
  rootfs?: string; profile?: string; strategy?: string; rootPropagation?: string; readonly?: boolean;
  prepare?: boolean; selfBind?: boolean; fail: string[]; format: Format; mountinfo?: string; traceOut?: string;
}

const collect = (v: string, prev: string[]) => [...prev, v];

function configOf(f: PlanFlags): ConfigInput {
  return {
    ...(f.rootfs !== undefined ? { rootfs: f.rootfs } : {}),
    ...(f.profile !== undefined ? { profile: f.profile as ConfigInput["profile"] } : {}),
    ...(f.strategy !== undefined ? { strategy: f.strategy as ConfigInput["strategy"] } : {}),
    ...(f.rootPropagation !== undefined ? { rootPropagation: f.rootPropagation as ConfigInput["rootPropagation"] } : {}),
    readonly: f.readonly ?? false,
    prepare: f.prepare ?? true,
    selfBind: f.selfBind ?? true,
  };
}

function readInput(path: string, what: string): string {
  try { return readFileSync(path, "utf8"); } catch (e) {
    throw new InvalidInputError(`cannot read ${what} ${path}: ${(e as Error).message}`, [], { cause: e });
  }
}

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

export function program(): Command {
  const cli = new Command("pivotshim")
    .description("The root switch of a container runtime (pivot_root, MS_MOVE+chroot, chroot) as an auditable plan")
    .version(version)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  cli.command("plan")
    .description("print the exact syscalls of the root switch for a config (a dry run: nothing is executed)")
    .option("--rootfs <path>", `the new root, absolute and clean (default: ${DEFAULT_ROOTFS})`)
    .addOption(new Option("--profile <name>", "runtime to reproduce (default: hardened)").choices(PROFILES))
    .addOption(new Option("--strategy <name>", "how to switch (default: auto)").choices(STRATEGIES))
    .addOption(new Option("--root-propagation <mode>", "propagation of / (default: the profile's)").choices(PROPAGATIONS))
    .option("--readonly", "remount the new root read-only")
    .option("--no-prepare", "switch only: skip propagation of /, the parent walk and the self bind")
    .option("--no-self-bind", "skip the self bind (the rootfs must already be a mount point)")
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
  return cli;
}

export function main(argv: string[]): number {
  try {
    program().parse(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof InvalidInputError) { process.stderr.write(`pivotshim: ${e.message}\n`); return EXIT.usage; }
    if (e instanceof EnvironmentError) { process.stderr.write(`pivotshim: ${e.message}\n`); return EXIT.environment; }
    if (e instanceof PivotshimError) { process.stderr.write(`pivotshim: ${e.code}: ${e.message}\n`); return EXIT.failed; }
    throw e;
  }
}

process.exitCode = main(process.argv.slice(2));
