// Renders an exploration report. By default a summary (on a terminal and in a pipe alike): the
// totals, the violations first, the findings, then counts per step and errno. `full` adds one
// line (text) or table row (Markdown) per path: `explore --double` has thousands of them (4.5 MB).
import type { ExplorePath, ExploreReport } from "../explore.js";

const spell = (p: ExplorePath) => p.faults.map((f) => `${f.step}/${f.op}#${f.seq}=${f.errnoName}`).join(" then ");
const ending = (p: ExplorePath) => (p.outcome.kind === "done" ? "done" : `failed: ${p.outcome.message}`);

export interface ExploreFormatOptions {
  /** Every path, not just the summary. */
  full?: boolean;
}

function violations(r: ExploreReport): string[] {
  const out: string[] = [];
  if (!r.base.verdicts.every((v) => v.held)) {
    out.push(`- no fault: ${r.base.verdicts.filter((v) => !v.held).map((v) => `${v.id}: ${v.detail}`).join("; ")}`);
  }
  for (const p of r.paths.filter((x) => !x.ok)) {
    out.push(`- ${spell(p)} → ${ending(p)}`);
    for (const v of p.verdicts.filter((x) => !x.held)) out.push(`    ${v.id}: ${v.detail.split("\n").join("; ")}`);
  }
  return out;
}

/** Paths grouped by their first fault's request: how many, how many ok, and which errnos violate. */
export interface StepCount { seq: number; op: string; step: string; paths: number; ok: number; done: number; failed: number; violating: string[] }

export function perStep(r: ExploreReport): StepCount[] {
  const by = new Map<number, StepCount>();
  for (const p of r.paths) {
    const f = p.faults[0]!;
    let c = by.get(f.seq);
    if (!c) by.set(f.seq, (c = { seq: f.seq, op: f.op, step: f.step, paths: 0, ok: 0, done: 0, failed: 0, violating: [] }));
    c.paths++;
    if (p.ok) c.ok++;
    else c.violating.push(p.faults.map((x) => x.errnoName).join("+"));
    if (p.outcome.kind === "done") c.done++;
    else c.failed++;
  }
  return [...by.values()].sort((a, b) => a.seq - b.seq);
}

const countLine = (c: StepCount) =>
  `#${c.seq} ${c.op} (${c.step}): ${c.paths} paths, ${c.ok} ok, ${c.failed} failed, ${c.done} done` +
  (c.violating.length ? `; violations: ${[...new Set(c.violating)].join(", ")}` : "");

export function exploreText(r: ExploreReport, scenario: string, o: ExploreFormatOptions = {}): string {
  const c = r.config;
  const lines = [
    `# explore: profile ${c.profile}, strategy ${c.strategy}, rootfs ${c.rootfs}, scenario ${scenario}`,
    `# base run: ${r.base.outcome.kind === "done" ? "done" : `failed: ${r.base.outcome.message}`} (${r.base.steps} requests)`,
    `# paths explored: ${r.summary.paths}, ok: ${r.summary.ok}, violations: ${r.summary.violations}, findings: ${r.summary.findings.length}`,
    ...violations(r).map((l) => `# ${l}`),
    ...r.summary.findings.map((f) => `# finding: ${f}`),
    "# per step (the first fault's request):",
    ...perStep(r).map((s) => `#   ${countLine(s)}`),
    ...(o.full
      ? r.paths.map((p) => `${p.ok ? "ok  " : "FAIL"} ${spell(p)} → ${ending(p)}${p.after.length ? ` | after: ${p.after.join(", ")}` : ""}`)
      : [`# (one line per path: --full)`]),
  ];
  return lines.join("\n") + "\n";
}

/**
 * Text for one GFM table cell: a pipe splits a row even inside a code span, so each is escaped
 * (GFM spec, "Tables": an escaped pipe inside a code span stays a pipe); a newline would end the row.
 */
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
/** A code span that survives backticks inside. */
const code = (s: string) => (s.includes("`") ? `\`\` ${s} \`\`` : `\`${s}\``);

export function exploreMarkdown(r: ExploreReport, scenario: string, o: ExploreFormatOptions = {}): string {
  const c = r.config;
  const v = violations(r);
  return [
    `# Fault exploration: ${c.profile} / ${c.strategy}`,
    "",
    `Rootfs ${code(c.rootfs)} on the fake kernel's ${code(scenario)} host. Every request × every errno its man page lists.`,
    "",
    `| paths | ok | violations |`, `|---|---|---|`, `| ${r.summary.paths} | ${r.summary.ok} | ${r.summary.violations} |`,
    "",
    "## Violations",
    "",
    ...(v.length ? v : ["None."]),
    "",
    "## Findings",
    "",
    ...(r.summary.findings.length ? r.summary.findings.map((f) => `- ${f}`) : ["None."]),
    "",
    "## Per step",
    "",
    "| request | step | paths | ok | failed | done | violations |",
    "|---:|---|---:|---:|---:|---:|---|",
    ...perStep(r).map((s) => `| ${s.seq} | ${cell(code(`${s.op}`))} ${cell(s.step)} | ${s.paths} | ${s.ok} | ${s.failed} | ${s.done} | ${cell([...new Set(s.violating)].join(", ")) || "—"} |`),
    "",
    ...(o.full ? [
      "## Paths",
      "",
      "| faults | outcome | requests after the fault |",
      "|---|---|---|",
      ...r.paths.map((p) => `| ${cell(code(spell(p)))} | ${cell(ending(p))} | ${cell(p.after.map(code).join(" ")) || "—"} |`),
      "",
    ] : ["Every path, one row each: `--full`.", ""]),
  ].join("\n");
}
