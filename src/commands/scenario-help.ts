// The built-in scenarios as `plan --help` and `explore --help` list them: each name with its
// description (src/hosts/fake/scenarios.ts, the one place they are written).
import { SCENARIOS } from "../hosts/fake/scenarios.js";

/** "Scenarios ...:" and one line per scenario, its name padded to the longest. */
export function scenarioHelp(): string {
  const names = Object.keys(SCENARIOS) as (keyof typeof SCENARIOS)[];
  const width = Math.max(...names.map((n) => n.length));
  return `Scenarios (--scenario; the fake kernel's host, default docker-host):\n${names.map((n) => `  ${n.padEnd(width)}  ${SCENARIOS[n].description}`).join("\n")}\n`;
}
