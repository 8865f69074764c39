// `pivotshim explore`: every step × every errno the man page lists (and with --double, every
// second fault on the cleanup path), on the fake kernel, with the invariants judged per path.
import { type Command, Option } from "commander";
import { explore } from "../explore.js";
import { KERNEL_VERSIONS, parseConfig } from "../schema.js";
import { factsFor } from "../rootfs-facts.js";
import { SCENARIO_NAMES, type ScenarioName } from "../hosts/fake/index.js";
import { exploreText, exploreMarkdown, perStep } from "../format/explore.js";
import { paint } from "./colour.js";
import { EXIT, configOptions, configOf, readMountinfo, type ConfigFlags } from "./common.js";
import { withTraceOut } from "./trace-out.js";
import { COMMAND_LINES } from "./descriptions.js";
import { scenarioHelp } from "./scenario-help.js";

interface ExploreFlags extends ConfigFlags { scenario?: ScenarioName; mountinfo?: string; rootfsKind?: string; double?: boolean; full?: boolean; kernel: "6.18" | "7.0"; format: "text" | "json" | "markdown"; traceOut?: string }

function runExplore(f: ExploreFlags): number {
  const config = parseConfig(configOf(f));
  const mountinfo = f.mountinfo !== undefined ? readMountinfo(f.mountinfo) : undefined;
  const facts = factsFor(config.rootfs, f.rootfsKind, f.mountinfo);
  const scenario = mountinfo !== undefined ? "mountinfo file" : f.scenario ?? "docker-host";
  const tty = process.stderr.isTTY;
  const report = withTraceOut(f.traceOut, (traceOut) => {
    const r = explore(config, {
      ...(f.scenario ? { scenario: f.scenario } : {}), ...(mountinfo !== undefined ? { mountinfo } : {}), ...(facts ? { rootfsFacts: facts } : {}),
      double: f.double ?? false, kernel: f.kernel,
      ...(tty ? { onProgress: (n: number) => { if (n % 100 === 0) process.stderr.write(`\rexplored ${n} paths`); } } : {}),
    });
    if (tty) process.stderr.write("\r\x1b[K");
    traceOut?.write(r.trace);
    return r;
  });
  const { trace: _trace, paths, ...rest } = report;
  const full = f.full ?? false;
  // JSON: the summary and the counts per step, the violating paths always, every path with --full.
  const json = { scenario, ...rest, perStep: perStep(report), paths: full ? paths : paths.filter((p) => !p.ok) };
  const out = f.format === "json" ? JSON.stringify(json, null, 2) + "\n"
    : f.format === "markdown" ? exploreMarkdown(report, scenario, { full }) : exploreText(report, scenario, { full });
  process.stdout.write(f.format === "text" ? paint(out) : out);
  return report.summary.violations ? EXIT.failed : EXIT.ok;
}

export function register(cli: Command): void {
  configOptions(cli.command("explore").description(COMMAND_LINES.explore))
    .addOption(new Option("--scenario <name>", "the fake kernel's host (default docker-host)").choices(SCENARIO_NAMES))
    .option("--mountinfo <file>", "build the host from this mountinfo file instead of a scenario")
    .addOption(new Option("--kernel <version>", "the Linux version the fake kernel answers as (7.0: open_tree OPEN_TREE_NAMESPACE, from source, unverified)").choices(KERNEL_VERSIONS).default("6.18"))
    .option("--rootfs-kind <kind>", "what the rootfs path is: dir (default), missing, file, symlink:TARGET; with --mountinfo /proc/self/mountinfo, lstat decides")
    .option("--double", "also inject a second fault on every request after the first (the cleanup path)")
    .addOption(new Option("--format <fmt>", "output format").choices(["text", "json", "markdown"]).default("text"))
    .option("--full", "every path (a line or row each), not just the summary and the counts per step; JSON: every path, not just the violating ones")
    .option("--trace-out <file>", "also write the trace of the run without faults (replayable) to this file")
    .addHelpText("after", `
Examples:
  pivotshim explore --profile runc --strategy pivot
  pivotshim explore --scenario rootless --strategy move --format markdown
  pivotshim explore --double --profile crun
  pivotshim explore --profile runc --full          # one line per path

${scenarioHelp()}
Exit status: 0 no invariant violated on any path, 1 a violation (listed with its faults), 2 bad input.`)
    .action((f: ExploreFlags) => { process.exitCode = runExplore(f); });
}
