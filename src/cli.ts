#!/usr/bin/env node
// The command line: builds the commander program from src/commands/*, runs it, and maps errors
// to the documented exit codes (0 ok, 1 failed/differs, 2 usage or input, 3 environment).
import { existsSync, readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { PivotshimError, InvalidInputError, EnvironmentError } from "./errors.js";
import { EXIT } from "./commands/common.js";
import { complain } from "./commands/colour.js";
import * as planCommand from "./commands/plan.js";
import * as exploreCommand from "./commands/explore.js";
import * as runCommand from "./commands/run.js";
import * as doctorCommand from "./commands/doctor.js";
import * as diffCommand from "./commands/diff.js";
import * as replayCommand from "./commands/replay.js";
import * as schemaCommand from "./commands/schema.js";
import * as graphCommand from "./commands/graph.js";

const pkgUrl = [new URL("../package.json", import.meta.url), new URL("../../package.json", import.meta.url)].find((u) => existsSync(u))!;
const version = (JSON.parse(readFileSync(pkgUrl, "utf8")) as { version: string }).version;

/** Every command module registers itself here, in the order --help lists them. */
const COMMANDS: { register(cli: Command): void }[] = [planCommand, exploreCommand, runCommand, doctorCommand, replayCommand, graphCommand, schemaCommand, diffCommand];

export function program(): Command {
  const cli = new Command("pivotshim")
    .description("The root switch of a container runtime (pivot_root, MS_MOVE+chroot, chroot) as an auditable plan")
    .version(version)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .addHelpText("after", `
Examples:
  npx pivotshim plan                                  # plan and verify on a model of a docker host
  pivotshim plan --rootfs /r --profile runc --format strace
  pivotshim explore --profile crun --scenario rootless
  sudo pivotshim run --rootfs ./rootfs -- /bin/sh     # for real, in new namespaces
  pivotshim diff --profile runc-1.1 --strace runc.log

Exit status: 0 ok; 1 the plan failed, a replay or diff differs, or an invariant is violated;
2 bad usage or input; 3 the environment cannot do it. Colour only on a terminal (NO_COLOR honoured).`);
  for (const c of COMMANDS) c.register(cli);
  for (const c of cli.commands) c.exitOverride();
  return cli;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof InvalidInputError) { complain(e.message); return EXIT.usage; }
    if (e instanceof EnvironmentError) { complain(e.message); return EXIT.environment; }
    if (e instanceof PivotshimError) { complain(`${e.code}: ${e.message}`); return EXIT.failed; }
    throw e;
  }
}

// `pivotshim graph | head` closes our stdout early: stop quietly, as Unix tools do on EPIPE.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code !== "EPIPE") throw e;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await main(process.argv.slice(2));
