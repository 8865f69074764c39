// The Markdown audit of a trace: header, every step, what happens when each step fails (from
// explore() on the same config, dry-run host), findings derived from the trace's requests (never
// hard-coded per profile), and the profile's known deviations (deviations.ts). Reads no files.
import type { Trace } from "../trace.js";
import { findings } from "../findings.js";
import { call, resultText, straceLine } from "./strace.js";
import { planBranches, type Branch } from "./graph.js";
import { DEVIATIONS } from "./deviations.js";

export { findings, type Finding } from "../findings.js";

/** A code span that survives backticks inside and pipes in a table cell. */
const code = (s: string) => (s.includes("`") ? `\`\` ${s} \`\`` : `\`${s}\``);
const cell = (s: string) => s.replace(/\|/g, "\\|");
const short = (line: string) => line.replace(/ = \d+$/, "");

function stepRef(t: Trace, i: number): string {
  if (i >= t.steps.length) return "the end of the plan";
  return `step ${i + 1} (${code(call(t.steps[i]!.request))})`;
}

function describe(t: Trace, b: Branch): string {
  const errnos = `**${b.errnos.join(", ")}**`;
  if (b.kind === "failed") {
    const then = b.after.length ? ` after ${b.after.map((l) => code(short(l))).join(", ")}` : "; nothing to clean up";
    return `${errnos}: fails with ${code(b.message)}${then}`;
  }
  const next = stepRef(t, b.rejoin);
  const note = b.note ? ` (${b.note})` : "";
  if (b.planned) return `${errnos}: handled: the plan's own result here; the run continues at ${next}`;
  if (b.after.length) return `${errnos}: handled: ${b.after.map((l) => code(short(l))).join(", ")}, then ${b.rejoin <= b.at ? "again from" : "continues at"} ${next}${note}`;
  if (b.rejoin === b.at + 1) return `${errnos}: handled: ignored; the run continues at ${next}${note}`;
  return `${errnos}: handled: the run continues at ${next}${note}`;
}

function header(t: Trace): string[] {
  const c = t.config;
  const src = [t.source.host, t.source.scenario, t.source.kernel, ...(t.source.faults ?? []).map((f) => `fault ${f}`)].filter(Boolean).join(", ");
  const outcome = t.outcome.kind === "done" ? "done" : `failed: ${code(t.outcome.message)}`;
  return [
    `# Root switch audit: ${c.profile}, ${c.strategy}`, "",
    "| | |", "|---|---|",
    `| config | ${cell(code(JSON.stringify(c)))} |`,
    `| profile | ${c.profile}: follows ${cell(DEVIATIONS[c.profile].runtime)} |`,
    `| strategy | ${c.strategy} |`,
    `| host | ${cell(src)} |`,
    `| outcome | ${cell(outcome)} |`,
    ...(t.outcome.note ? [`| note | ${cell(t.outcome.note)} |`] : []),
  ];
}

function stepsTable(t: Trace): string[] {
  return [
    "## Steps", "",
    "| # | step | call | result | reason |", "|---:|---|---|---|---|",
    ...t.steps.map((s, i) => `| ${i + 1} | ${s.request.step} | ${cell(code(call(s.request, s.result)))} | ${cell(resultText(s.result))} | ${cell(s.request.reason)} |`),
  ];
}

function failures(t: Trace): string[] {
  const pb = planBranches(t.config);
  const total = pb.branches.reduce((n, b) => n + b.errnos.length, 0);
  const out = [
    "## What happens when it fails", "",
    `Every request of the plan (dry run, ${pb.trace.steps.length} requests) × every errno its man page lists: ${total} runs, grouped by identical outcome (\`<error>\` stands for the errno's text).`,
  ];
  pb.trace.steps.forEach((s, i) => {
    out.push("", `### ${i + 1}. ${s.request.step}: ${code(straceLine(s))}`, "");
    for (const b of pb.branches.filter((x) => x.at === i)) out.push(`- ${describe(pb.trace, b)}`);
  });
  return out;
}

/** The audit report for a trace (explore runs on its config with a dry-run host). */
export function formatMarkdown(t: Trace): string {
  const fs = findings(t);
  const dev = DEVIATIONS[t.config.profile];
  return [
    ...header(t), "", ...stepsTable(t), "", ...failures(t), "",
    "## Findings", "",
    ...(fs.length ? fs.map((f) => `- **${f.title}**${f.at !== null ? ` (step ${f.at + 1}, ${code(call(t.steps[f.at]!.request))})` : ""}: ${f.detail}`) : ["None."]),
    "", `## Deviations from ${dev.runtime}`, "",
    ...dev.deviations.map((d) => `- ${d}`),
  ].join("\n") + "\n";
}
