#!/usr/bin/env node
// The command line: builds the commander program from src/commands/*, runs it, and maps errors
// to the documented exit codes (0 ok, 1 failed/differs, 2 usage or input, 3 environment).
import { existsSync, readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { PivotshimError, InvalidInputError, EnvironmentError } from "./errors.js";
import { EXIT } from "./commands/common.js";
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
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
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
    if (e instanceof InvalidInputError) { process.stderr.write(`pivotshim: ${e.message}\n`); return EXIT.usage; }
    if (e instanceof EnvironmentError) { process.stderr.write(`pivotshim: ${e.message}\n`); return EXIT.environment; }
    if (e instanceof PivotshimError) { process.stderr.write(`pivotshim: ${e.code}: ${e.message}\n`); return EXIT.failed; }
    throw e;
  }
}

process.exitCode = await main(process.argv.slice(2));
