// `pivotshim graph`: the plan drawn as a chain of steps with every failure branch explore()
// finds (dry-run host), as Graphviz DOT or Mermaid. Drawing is format/graph.ts; this only wires
// the flags. `dot -Tsvg` renders the DOT (scripts/render-graph.sh).
import { type Command, Option } from "commander";
import { planBranches, toDot, toMermaid } from "../format/graph.js";
import { EXIT, configOptions, configOf, type ConfigFlags } from "./common.js";
import { withTraceOut } from "./trace-out.js";
import { parseConfig } from "../schema.js";
import { COMMAND_LINES } from "./descriptions.js";

export const GRAPH_FORMATS = ["dot", "mermaid"] as const;

interface GraphFlags extends ConfigFlags { format: (typeof GRAPH_FORMATS)[number]; traceOut?: string }

function runGraph(f: GraphFlags): number {
  parseConfig(configOf(f));  // bad input is refused before --trace-out is opened
  const pb = withTraceOut(f.traceOut, (out) => { const r = planBranches(configOf(f)); out?.write(r.trace); return r; });
  process.stdout.write(f.format === "mermaid" ? toMermaid(pb) : toDot(pb));
  return EXIT.ok;
}

export function register(cli: Command): void {
  configOptions(cli.command("graph").description(COMMAND_LINES.graph))
    .addOption(new Option("--format <fmt>", "dot (Graphviz) or mermaid").choices(GRAPH_FORMATS).default("dot"))
    .option("--trace-out <file>", "also write the drawn plan's trace (dry run) as JSON to this file")
    .addHelpText("after", `
Examples:
  pivotshim graph --profile runc --strategy pivot | dot -Tsvg -o plan.svg
  pivotshim graph --profile crun --format mermaid

Red edges lead to a failure (the runtime's message, then the cleanup requests); dashed blue
edges are errnos the plan handles (the walk up, the end of the detach loop, a tmpfs cover,
an ignored close).

Exit status: 0 drawn, 2 bad usage or input.`)
    .action((f: GraphFlags) => { process.exitCode = runGraph(f); });
}
