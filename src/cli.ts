#!/usr/bin/env node
// The command line's entry: loads the program (src/commands/program.ts) and runs it, nothing else.
// The load is a dynamic import so that failing to load is one line too: Node reads the module
// graph in parallel, so a low open-file limit (RLIMIT_NOFILE 40-90) fails here with EMFILE.
import { EXIT } from "./commands/exit.js";
import { loadBugLine, loadFailure } from "./commands/load-error.js";

// `pivotshim graph | head` closes our stdout early: stop quietly, as Unix tools do on EPIPE.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code !== "EPIPE") throw e;
  process.exit(process.exitCode ?? 0);
});

async function start(): Promise<number> {
  let program: typeof import("./commands/program.js");
  try {
    program = await import("./commands/program.js");
  } catch (e) {
    const limit = loadFailure(e);
    if (limit) { process.stderr.write(limit.line); return limit.code; }
    process.stderr.write(loadBugLine(e, "the program"));
    return EXIT.bug;
  }
  let args = process.argv.slice(2);
  // A byte that is not UTF-8 reached Node as U+FFFD: the arguments' own bytes, from the kernel
  // (src/commands/argv.ts). Loaded only then.
  if (args.some((a) => a.includes("\ufffd"))) {
    try {
      args = (await import("./commands/argv.js")).rawArgs(args);
    } catch (e) {
      process.stderr.write(`pivotshim: ${(e as Error).message}\n`);
      return EXIT.usage;
    }
  }
  return program.main(args);
}

void start().then((code) => { process.exitCode = code; });
