// Cold start of the command line, as whole processes, against `node -e 0` in the same loop (issue:
// the machine inside C runtimes; targets <= 1.5x for `pivotshim --help` and `pivotshim plan` with
// defaults). Timed by build/bench/launch (fork, execvp, waitpid in C, the commands interleaved), so
// Node's own spawn is in no sample. The installed command is dist/cli/pivotshim.cjs (the bundle
// with its code cache, scripts/bundle-cli.mjs); the unbundled dist/src/cli.js is shown beside it.
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { row } from "./util.js";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const LAUNCH = `${repo}build/bench/launch`;
const BIN = `${repo}dist/cli/pivotshim.cjs`;
const UNBUNDLED = `${repo}dist/src/cli.js`;

export function benchCli(): void {
  if (!existsSync(LAUNCH) || !existsSync(BIN)) { row("cold CLI", "-", "build/bench/launch or the bundle is missing (npm run bench builds both)"); return; }
  const node = process.execPath;
  const kinds: [string, string[]][] = [
    ["node -e 0", [node, "-e", "0"]],
    ["pivotshim --help", [node, BIN, "--help"]],
    ["pivotshim plan", [node, BIN, "plan"]],
    ["unbundled --help", [node, UNBUNDLED, "--help"]],
    ["unbundled plan", [node, UNBUNDLED, "plan"]],
  ];
  const r = spawnSync(LAUNCH, ["40", ...kinds.flatMap(([, argv], i) => (i ? [":::", ...argv] : argv))], { encoding: "utf8" });
  if (r.status !== 0) { row("cold CLI", "failed", r.stderr.trim()); return; }
  const got = new Map(kinds.map(([k], i) => [k, r.stdout.trim().split("\n")[i]!.split(" ")]));
  for (const [k, v] of got) if (v[0] === "fail") { row(`${k} cold`, "failed", `exit ${v[1]}`); return; }
  const med = (k: string) => Number(got.get(k)![0]), min = (k: string) => Number(got.get(k)![1]);
  const ms = (us: number) => `${(us / 1000).toFixed(1)} ms`;
  row("node -e 0, cold (C-timed, median of 40; min)", ms(med("node -e 0")), `min ${ms(min("node -e 0"))}`);
  for (const k of ["pivotshim --help", "pivotshim plan", "unbundled --help", "unbundled plan"]) {
    const target = k.startsWith("pivotshim") ? " (target <= 1.5)" : "";
    row(`${k}, cold`, ms(med(k)), `/node = ${(med(k) / med("node -e 0")).toFixed(2)}${target}; by the minimum ${(min(k) / min("node -e 0")).toFixed(2)}`);
  }
}
