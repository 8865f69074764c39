// The command line's program: builds the commander program from src/commands/*, runs it, and maps
// every error to one line on stderr and a documented exit code (0 ok, 1 failed/differs, 2 usage or
// input, 3 environment, 70 a bug). src/cli.ts is only the entry that loads this module.
import { existsSync, readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { EXIT } from "./common.js";
import { complain, escapeControls } from "./colour.js";
import { exitCodeOfError } from "./failure.js";
import * as planCommand from "./plan.js";
import * as exploreCommand from "./explore.js";
import * as runCommand from "./run.js";
import * as doctorCommand from "./doctor.js";
import * as diffCommand from "./diff.js";
import * as replayCommand from "./replay.js";
import * as schemaCommand from "./schema.js";
import * as graphCommand from "./graph.js";

const pkgUrl = [new URL("../../package.json", import.meta.url), new URL("../../../package.json", import.meta.url)].find((u) => existsSync(u))!;
const version = (JSON.parse(readFileSync(pkgUrl, "utf8")) as { version: string }).version;

/** Every command module registers itself here, in the order --help lists them. */
const COMMANDS: { register(cli: Command): void }[] = [planCommand, exploreCommand, runCommand, doctorCommand, replayCommand, graphCommand, schemaCommand, diffCommand];

export function program(): Command {
  const cli = new Command("pivotshim")
    .description("The root switch of a container runtime (pivot_root, MS_MOVE+chroot, chroot) as an auditable plan")
    .version(version)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(escapeControls(s)) })
    .addHelpText("after", `
Examples:
  npx pivotshim plan                                  # plan and verify on a model of a docker host
  pivotshim plan --rootfs /r --profile runc --format strace
  pivotshim explore --profile crun --scenario rootless
  sudo pivotshim run --rootfs ./rootfs -- /bin/sh     # for real, in new namespaces
  pivotshim diff --profile runc-1.1 --strace runc.log

Exit status: 0 ok; 1 the plan failed, a replay or diff differs, or an invariant is violated;
2 bad usage or input; 3 the environment cannot do it; 70 a bug in pivotshim (PIVOTSHIM_DEBUG=1
shows its stack). Colour only on a terminal (NO_COLOR honoured).`);
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
    const { code, message } = exitCodeOfError(e, argv);
    complain(message);
    return code;
  }
}
