// Cold start of the command line, as whole processes, against `node -e 0` in the same loop (issue:
// the machine inside C runtimes; targets <= 1.5x for `pivotshim --help` and `pivotshim plan` with
// defaults). Timed by build/bench/launch (fork, execvp, waitpid in C, the commands interleaved), so
// Node's own spawn is in no sample. The installed command is dist/cli/pivotshim.cjs (the bundle
// with its code cache, scripts/bundle-cli.mjs); the unbundled dist/src/cli.js is shown beside it.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { row } from "./util.js";
import { launchTimes } from "./launch-times.js";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const BIN = `${repo}dist/cli/pivotshim.cjs`;
const UNBUNDLED = `${repo}dist/src/cli.js`;

export function benchCli(): void {
  if (!existsSync(BIN)) { row("cold CLI", "-", "the bundle is missing (npm run build:ts builds it)"); return; }
  const node = process.execPath;
  const t = launchTimes(40, [
    ["node -e 0", [node, "-e", "0"]],
    ["pivotshim --help", [node, BIN, "--help"]],
    ["pivotshim plan", [node, BIN, "plan"]],
    ["unbundled --help", [node, UNBUNDLED, "--help"]],
    ["unbundled plan", [node, UNBUNDLED, "plan"]],
  ]);
  if ("error" in t) { row("cold CLI", "failed", t.error); return; }
  const { med, min } = t;
  const ms = (us: number) => `${(us / 1000).toFixed(1)} ms`;
  row("node -e 0, cold (C-timed, median of 40; min)", ms(med("node -e 0")), `min ${ms(min("node -e 0"))}`);
  for (const k of ["pivotshim --help", "pivotshim plan", "unbundled --help", "unbundled plan"]) {
    const target = k.startsWith("pivotshim") ? " (target <= 1.5)" : "";
    row(`${k}, cold`, ms(med(k)), `/node = ${(med(k) / med("node -e 0")).toFixed(2)}${target}; by the minimum ${(min(k) / min("node -e 0")).toFixed(2)}`);
  }
}
