// The command line run in this process (src/commands/program.ts main()): its exit code, stdout
// and stderr. For tests a Stryker run of src/commands can afford: no CLI child per mutant.
import { main } from "../../src/commands/program.js";

/** Runs the program in this process: its exit code, stdout and stderr (exitCode restored after). */
export async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [], err: string[] = [];
  const w1 = process.stdout.write, w2 = process.stderr.write;
  process.stdout.write = ((s: string) => { out.push(String(s)); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => { err.push(String(s)); return true; }) as typeof process.stderr.write;
  try {
    const code = await main(argv);
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    process.stdout.write = w1; process.stderr.write = w2;
    process.exitCode = undefined;
  }
}
