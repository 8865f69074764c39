// Renders a trace in one of the output formats: strace, text (numbered steps with reasons), json,
// markdown (the audit report: markdown.ts).
// Every format ends with the outcome; strace and text as a final "# done" / "# failed: …" line.
import type { Trace } from "../trace.js";
import { straceLine } from "./strace.js";
import { formatMarkdown } from "./markdown.js";

export const FORMATS = ["text", "strace", "json", "markdown"] as const;
export type Format = (typeof FORMATS)[number];

export function outcomeLines(t: Trace): string[] {
  const lines: string[] = [];
  if (t.outcome.note) lines.push(`# note: ${t.outcome.note}`);
  lines.push(t.outcome.kind === "done" ? "# done" : `# failed: ${t.outcome.message}`);
  return lines;
}

export function formatStrace(t: Trace): string {
  return [...t.steps.map(straceLine), ...outcomeLines(t)].join("\n") + "\n";
}

export function formatText(t: Trace): string {
  const width = String(t.steps.length).length;
  const out: string[] = [];
  t.steps.forEach((s, i) => {
    out.push(`${String(i + 1).padStart(width)}  ${straceLine(s)}`);
    out.push(`${" ".repeat(width)}    ${s.request.step}: ${s.request.reason}`);
  });
  return [...out, ...outcomeLines(t)].join("\n") + "\n";
}

export function formatJson(t: Trace): string {
  return JSON.stringify(t, null, 2) + "\n";
}

export function format(t: Trace, f: Format): string {
  if (f === "markdown") return formatMarkdown(t);
  return f === "strace" ? formatStrace(t) : f === "json" ? formatJson(t) : formatText(t);
}
