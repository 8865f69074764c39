// `pivotshim replay FILE`: check a recorded trace request by request against the machine.
// Exit 0 identical, 1 diverged (the side-by-side report on stdout, like diff), 2 the file is
// unreadable, not JSON or not a valid trace (InvalidInputError, mapped by cli.ts).
import type { Command } from "commander";
import { replay } from "../replay.js";
import { parseTraceText } from "../trace-schema.js";
import { ReplayMismatchError } from "../errors.js";
import { EXIT, readInput } from "./common.js";
import { complain } from "./colour.js";
import { withTraceOut } from "./trace-out.js";
import { COMMAND_LINES } from "./descriptions.js";

interface ReplayFlags { traceOut?: string }

function runReplay(file: string, f: ReplayFlags): number {
  const recorded = parseTraceText(readInput(file, "trace file"), file);
  try {
    const { trace } = withTraceOut(f.traceOut, (out) => { const r = replay(recorded); out?.write(r.trace); return r; });
    process.stdout.write(`replayed ${trace.steps.length} requests: identical\n`);
    return EXIT.ok;
  } catch (e) {
    if (!(e instanceof ReplayMismatchError)) throw e;
    process.stdout.write(`${e.message}\n`);
    complain(`${file}: replay diverged at request ${e.index}`);
    return EXIT.failed;
  }
}

export function register(cli: Command): void {
  cli.command("replay").argument("<file>", "a trace written by --trace-out or --format json")
    .description(COMMAND_LINES.replay)
    .option("--trace-out <file>", "also write the replayed run's trace as JSON to this file")
    .addHelpText("after", `
Examples:
  pivotshim plan --profile runc --trace-out runc.json && pivotshim replay runc.json

Exit status: 0 every request matches, 1 the machine diverged (both requests are shown),
2 the file is unreadable, not JSON, or not a valid trace.`)
    .action((file: string, f: ReplayFlags) => { process.exitCode = runReplay(file, f); });
}
