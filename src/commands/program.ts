// The command line's program: builds the commander program from src/commands/*, runs it, and maps
// every error to one line on stderr and a documented exit code (0 ok, 1 failed/differs, 2 usage or
// input, 3 environment, 70 a bug). src/cli.ts is only the entry that loads this module.
import { existsSync, readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { EXIT } from "./exit.js";
import { escapeControls } from "./escape.js";
import { COMMAND_ARGS, COMMAND_LINES, WITHOUT_OPTIONS, type CommandName } from "./descriptions.js";
import { loadBugLine, loadFailure } from "./load-error.js";

const pkgUrl = [new URL("../../package.json", import.meta.url), new URL("../../../package.json", import.meta.url)].find((u) => existsSync(u))!;
const version = (JSON.parse(readFileSync(pkgUrl, "utf8")) as { version: string }).version;

type Module = { register(cli: Command): void };

/**
 * Every command's module, in the order --help lists them, loaded only when that command is named:
 * `pivotshim --help` then loads none of them (nor zod, the machine or the fake kernel), and a
 * command loads its own (issue 13's cold start).
 */
const MODULES: Record<CommandName, () => Promise<Module>> = {
  plan: () => import("./plan.js"), explore: () => import("./explore.js"), run: () => import("./run.js"),
  doctor: () => import("./doctor.js"), replay: () => import("./replay.js"), graph: () => import("./graph.js"),
  schema: () => import("./schema.js"), diff: () => import("./diff.js"),
};
const NAMES = Object.keys(COMMAND_LINES) as CommandName[];

/** Which command argv names (commander's `help NAME` too), if any: the only module to load. */
export function namedCommand(argv: readonly string[]): CommandName | null {
  const first = argv.find((a) => !a.startsWith("-"));
  const name = first === "help" ? argv[argv.indexOf("help") + 1] : first;
  return name !== undefined && (NAMES as string[]).includes(name) ? (name as CommandName) : null;
}

/**
 * A command that was not named: its name, line and arguments for the top-level help, and one
 * hidden option so that help shows "[options]" as for the real one (test/cli-lazy.test.ts
 * compares the two helps).
 */
function stub(cli: Command, name: CommandName): void {
  const c = cli.command(name).description(COMMAND_LINES[name]);
  if (!WITHOUT_OPTIONS.includes(name)) c.addOption(new Option("--pivotshim-unloaded").hideHelp());
  const args = COMMAND_ARGS[name];
  if (args) c.argument(args);
}

/** The program with the commands `load` names registered for real, stubs for the others. */
export async function program(load: readonly CommandName[] | "all"): Promise<Command> {
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
  for (const name of NAMES) {
    if (load === "all" || load.includes(name)) (await MODULES[name]()).register(cli);
    else stub(cli, name);
  }
  for (const c of cli.commands) c.exitOverride();
  return cli;
}

export async function main(argv: string[]): Promise<number> {
  let cli: Command;
  try {
    const named = namedCommand(argv);
    cli = await program(named ? [named] : []);
    // A command's errors are classified and coloured (below): loaded now, before it runs, so that
    // a command at the open-file limit needs no file to say so. Without one, only commander's own
    // errors can happen, which need neither.
    if (named) await Promise.all([import("./failure.js"), import("./colour.js")]);
  } catch (e) {
    // The named command's module did not load: at the open-file limit (src/cli.ts says the same
    // for the program itself), or a bug.
    const limit = loadFailure(e);
    process.stderr.write(limit ? limit.line : loadBugLine(e, "the command"));
    return limit ? limit.code : EXIT.bug;
  }
  try {
    await cli.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    // Only on an error: the classification and the colours (not loaded for --help or a success).
    const [{ exitCodeOfError }, { complain }] = await Promise.all([import("./failure.js"), import("./colour.js")]);
    const { code, message } = exitCodeOfError(e, argv);
    complain(message);
    return code;
  }
}
