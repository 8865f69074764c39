// `pivotshim explore`: every step × every errno the man page lists (and with --double, every
// second fault on the cleanup path), on the fake kernel, with the invariants judged per path.
import { type Command, Option } from "commander";
import { explore } from "../explore.js";
import { fakePathHost, kernelFor } from "../check.js";
import { parseConfig } from "../schema.js";
import { SCENARIO_NAMES } from "../hosts/fake/index.js";
import { exploreText, exploreMarkdown } from "../format/explore.js";
import { paint } from "./colour.js";
import { EXIT, configOptions, configOf, readInput, type ConfigFlags } from "./common.js";
import { withTraceOut } from "./trace-out.js";

interface ExploreFlags extends ConfigFlags { scenario?: string; mountinfo?: string; double?: boolean; format: "text" | "json" | "markdown"; traceOut?: string }

function runExplore(f: ExploreFlags): number {
  const config = parseConfig(configOf(f));
  const mountinfo = f.mountinfo !== undefined ? readInput(f.mountinfo, "--mountinfo file") : undefined;
  const template = kernelFor(config, { ...(f.scenario ? { scenario: f.scenario } : {}), ...(mountinfo !== undefined ? { mountinfo } : {}) });
  const scenario = mountinfo !== undefined ? "mountinfo file" : f.scenario ?? "docker-host";
  const tty = process.stderr.isTTY;
  const report = withTraceOut(f.traceOut, (traceOut) => {
    const r = explore(config, fakePathHost(config, template), {
      double: f.double ?? false,
      ...(tty ? { onProgress: (n: number) => { if (n % 100 === 0) process.stderr.write(`\rexplored ${n} paths`); } } : {}),
    });
    if (tty) process.stderr.write("\r\x1b[K");
    traceOut?.write(r.trace);
    return r;
  });
  const { trace: _trace, ...rest } = report;
  const out = f.format === "json" ? JSON.stringify({ scenario, ...rest }, null, 2) + "\n"
    : f.format === "markdown" ? exploreMarkdown(report, scenario) : exploreText(report, scenario);
  process.stdout.write(f.format === "text" ? paint(out) : out);
  return report.summary.violations ? EXIT.failed : EXIT.ok;
}

export function register(cli: Command): void {
  configOptions(cli.command("explore").description("fail every step with every errno its man page lists, on the fake kernel, and check the invariants on each path"))
    .addOption(new Option("--scenario <name>", "the fake kernel's host (default docker-host)").choices(SCENARIO_NAMES))
    .option("--mountinfo <file>", "build the host from this mountinfo file instead of a scenario")
    .option("--double", "also inject a second fault on every request after the first (the cleanup path)")
    .addOption(new Option("--format <fmt>", "output format").choices(["text", "json", "markdown"]).default("text"))
    .option("--trace-out <file>", "also write the trace of the run without faults (replayable) to this file")
    .addHelpText("after", `
Examples:
  pivotshim explore --profile runc --strategy pivot
  pivotshim explore --scenario rootless --strategy move --format markdown
  pivotshim explore --double --profile crun

Exit status: 0 no invariant violated on any path, 1 a violation (listed with its faults), 2 bad input.`)
    .action((f: ExploreFlags) => { process.exitCode = runExplore(f); });
}
