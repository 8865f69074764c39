// Renders an exploration report: a summary (paths, ok, violations, findings), then each
// violation spelled as its faults with the failing invariants, then (text) one line per path.
import type { ExplorePath, ExploreReport } from "../explore.js";

const spell = (p: ExplorePath) => p.faults.map((f) => `${f.step}/${f.op}#${f.seq}=${f.errno}`).join(" then ");
const ending = (p: ExplorePath) => (p.outcome.kind === "done" ? "done" : `failed: ${p.outcome.message}`);

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

export function exploreText(r: ExploreReport, scenario: string): string {
  const c = r.config;
  const lines = [
    `# explore: profile ${c.profile}, strategy ${c.strategy}, rootfs ${c.rootfs}, scenario ${scenario}`,
    `# base run: ${r.base.outcome.kind === "done" ? "done" : `failed: ${r.base.outcome.message}`} (${r.base.steps} requests)`,
    ...r.paths.map((p) => `${p.ok ? "ok  " : "FAIL"} ${spell(p)} → ${ending(p)}${p.after.length ? ` | after: ${p.after.join(", ")}` : ""}`),
    `# paths explored: ${r.summary.paths}, ok: ${r.summary.ok}, violations: ${r.summary.violations}, findings: ${r.summary.findings.length}`,
    ...violations(r).map((l) => `# ${l}`),
    ...r.summary.findings.map((f) => `# finding: ${f}`),
  ];
  return lines.join("\n") + "\n";
}

export function exploreMarkdown(r: ExploreReport, scenario: string): string {
  const c = r.config;
  const v = violations(r);
  return [
    `# Fault exploration: ${c.profile} / ${c.strategy}`,
    "",
    `Rootfs \`${c.rootfs}\` on the fake kernel's \`${scenario}\` host. Every request × every errno its man page lists.`,
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
    "## Paths",
    "",
    "| faults | outcome | requests after the fault |",
    "|---|---|---|",
    ...r.paths.map((p) => `| \`${spell(p)}\` | ${ending(p).replace(/\|/g, "\\|")} | ${p.after.map((a) => `\`${a}\``).join(" ") || "—"} |`),
    "",
  ].join("\n");
}
