#!/usr/bin/env node
// The command line's entry: loads the program (src/commands/program.ts) and runs it, nothing else.
// The load is a dynamic import so that failing to load is one line too: Node reads the module
// graph in parallel, so a low open-file limit (RLIMIT_NOFILE 40-90) fails here with EMFILE.
import { EXIT } from "./commands/exit.js";
import { loadErrorCode, openFileLimit } from "./commands/load-error.js";

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
    const code = loadErrorCode(e);
    if (code === "EMFILE" || code === "ENFILE") {
      process.stderr.write(`pivotshim: cannot load: ${code} (Too many open files): the open-file limit (RLIMIT_NOFILE) is ${openFileLimit()}; raise it, e.g. ulimit -n 1024\n`);
      return EXIT.environment;
    }
    if (code === "ENOMEM") { process.stderr.write("pivotshim: cannot load: ENOMEM (Cannot allocate memory)\n"); return EXIT.environment; }
    const what = process.env.PIVOTSHIM_DEBUG === "1" ? (e as Error).stack : `${(e as Error).message?.split("\n")[0]} (run with PIVOTSHIM_DEBUG=1 for the stack)`;
    process.stderr.write(`pivotshim: internal error (a bug in pivotshim, please report it): cannot load the program: ${what}\n`);
    return EXIT.bug;
  }
  return program.main(process.argv.slice(2));
}

process.exitCode = await start();
