// Runs bench/launch.c (built into build/bench/launch by scripts/build-bench.sh): cold launches of
// several commands, interleaved, each timed in C around fork, execvp and waitpid, so Node's own
// spawn is in no sample. Shared by the cold-CLI and cold-exec benchmarks.
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const LAUNCH = fileURLToPath(new URL("../../build/bench/launch", import.meta.url));

/** Per command: median and minimum µs; or why not (not built, a command failed, the timer failed). */
export type LaunchTimes = { med: (k: string) => number; min: (k: string) => number } | { error: string };

export function launchTimes(rounds: number, kinds: readonly [string, readonly string[]][]): LaunchTimes {
  if (!existsSync(LAUNCH)) return { error: "build/bench/launch is not built (npm run bench builds it)" };
  const r = spawnSync(LAUNCH, [String(rounds), ...kinds.flatMap(([, argv], i) => (i ? [":::", ...argv] : argv))], { encoding: "utf8" });
  if (r.status !== 0) return { error: r.stderr.trim() };
  const lines = r.stdout.trim().split("\n");
  const got = new Map(kinds.map(([k], i) => [k, lines[i]!.split(" ")]));
  for (const [k, v] of got) if (v[0] === "fail") return { error: `${k} exited ${v[1]}` };
  return { med: (k) => Number(got.get(k)?.[0] ?? NaN), min: (k) => Number(got.get(k)?.[1] ?? NaN) };
}
