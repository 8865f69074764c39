// The plan as a graph: the chain of steps of a dry run, with every failure branch explore()
// finds (one errno at each step), grouped by identical outcome. planBranches() is the analysis
// (shared with the Markdown audit); toDot/toMermaid only draw it. Output is deterministic.
import { drive } from "../driver.js";
import { explore } from "../explore.js";
import { DryRunHost } from "../hosts/dry-run.js";
import { FaultyHost } from "../hosts/faults.js";
import { callOf, type Request } from "../request.js";
import { parseConfig, type Config, type ConfigInput } from "../schema.js";
import type { Trace } from "../trace.js";
import { call, straceLine } from "./strace.js";
import { errnoNumber, errnoText } from "../names-ts.js";

/** What the run does when request `at` of the plan fails with one of `errnos`. */
export interface Branch {
  at: number;
  /** In the order the man page lists them (MAN_ERRNOS). */
  errnos: string[];
  kind: "failed" | "handled";
  /** failed: the runtime's message, the errno's text replaced by `<error>`. */
  message: string;
  /** failed: the cleanup requests; handled: the requests the plan does not have, before it rejoins. */
  after: string[];
  /** handled: the plan's request index where the run carries on (steps.length: it ends there). */
  rejoin: number;
  /** handled: the errno is the plan's own result here (the end of a loop). */
  planned: boolean;
  /** The machine's note on the outcome (a fallback taken), if any. */
  note: string;
}

export interface PlanBranches { trace: Trace; branches: Branch[] }

/** A request's identity for rejoining: step and call, without fd numbers (they shift when a close fails). */
function keyOf(r: Request): string {
  const { fd: _fd, dirfd: _dirfd, ...rest } = callOf(r) as Record<string, unknown>;
  return `${r.step} ${JSON.stringify(rest)}`;
}

/** runc prints "invalid argument", crun "Invalid argument": either becomes `<error>`. */
export function messageTemplate(message: string, errno: string): string {
  const n = errnoNumber(errno);
  if (n === undefined) return message;
  const text = errnoText(n).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return message.replace(new RegExp(text, "i"), "<error>");
}

/** The smallest k such that after[k..] is the plan's tail: what the run rejoins. */
function rejoinOf(base: string[], after: string[]): { k: number; rejoin: number } {
  for (let k = 0; k <= after.length; k++) {
    const tail = after.length - k;
    if (tail > base.length) continue;
    const from = base.length - tail;
    if (after.slice(k).every((a, i) => a === base[from + i])) return { k, rejoin: from };
  }
  return { k: after.length, rejoin: base.length };
}

/**
 * Dry-runs `input`, explores every request × every errno its man page lists, and groups the
 * paths per request by identical outcome.
 */
export function planBranches(input: ConfigInput | Config): PlanBranches {
  const config = parseConfig(input);
  const host = () => new DryRunHost({ rootfs: config.rootfs });
  const trace = drive(config, host());
  const baseKeys = trace.steps.map((s) => keyOf(s.request));
  const report = explore(config, () => ({ host: host() }));
  const groups = new Map<string, Branch>();
  for (const p of report.paths) {
    const f = p.faults[0]!;
    const note = p.outcome.note === trace.outcome.note ? "" : p.outcome.note;
    const base = trace.steps[f.seq]!.result;
    const planned = "errno" in base && base.errnoName === f.errnoName;
    let b: Omit<Branch, "errnos">;
    if (p.outcome.kind === "failed") {
      b = { at: f.seq, kind: "failed", message: messageTemplate(p.outcome.message, f.errnoName), after: p.after, rejoin: -1, planned, note };
    } else {
      // Re-run the one path to see its requests' steps (explore keeps strace lines only).
      const run = drive(config, new FaultyHost(host(), [], [{ seq: f.seq, errno: f.errno }]));
      const steps = run.steps.slice(f.seq + 1);
      const { k, rejoin } = rejoinOf(baseKeys, steps.map((s) => keyOf(s.request)));
      b = { at: f.seq, kind: "handled", message: "", after: steps.slice(0, k).map(straceLine), rejoin, planned, note };
    }
    const key = JSON.stringify(b);
    const g = groups.get(key);
    if (g) g.errnos.push(f.errnoName);
    else groups.set(key, { ...b, errnos: [f.errnoName] });
  }
  return { trace, branches: [...groups.values()] };
}

const wrap = (names: string[], per = 7): string[] => {
  const out: string[] = [];
  for (let i = 0; i < names.length; i += per) out.push(names.slice(i, i + per).join(", "));
  return out;
};

/** The chain's nodes and edges, and the branch nodes, in a drawing-neutral form. */
interface Drawing {
  nodes: { id: string; kind: "step" | "done" | "failed" | "handled"; lines: string[] }[];
  edges: { from: string; to: string; kind: "next" | "failed" | "handled"; label: string[] }[];
}

function draw(pb: PlanBranches): Drawing {
  const { trace, branches } = pb;
  const n = trace.steps.length;
  // "outcome", not "end": end is a keyword in Mermaid.
  const id = (i: number) => (i >= n ? "outcome" : `s${i}`);
  const d: Drawing = { nodes: [], edges: [] };
  trace.steps.forEach((s, i) => {
    d.nodes.push({ id: id(i), kind: "step", lines: [`${i + 1}. ${s.request.step}`, call(s.request, s.result)] });
    const r = s.result;
    const again = i + 1 < n && call(trace.steps[i + 1]!.request) === call(s.request);
    const label = "errno" in r ? [`= -1 ${r.errnoName}`] : again ? [`= ${r.ret}: again`] : [];
    d.edges.push({ from: id(i), to: id(i + 1), kind: "next", label });
  });
  const o = trace.outcome;
  d.nodes.push({ id: "outcome", kind: o.kind === "done" ? "done" : "failed", lines: [o.kind === "done" ? "done" : `failed: ${o.message}`, ...(o.note ? [`note: ${o.note}`] : [])] });
  branches.forEach((b, j) => {
    if (b.planned) return; // already the chain's own edge
    if (b.kind === "failed") {
      const nid = `f${j}`;
      const then = b.after.length ? ["then:", ...b.after] : ["nothing to clean up"];
      d.nodes.push({ id: nid, kind: "failed", lines: [`failed: ${b.message}`, ...then] });
      d.edges.push({ from: id(b.at), to: nid, kind: "failed", label: wrap(b.errnos) });
    } else if (b.after.length) {
      const nid = `h${j}`;
      d.nodes.push({ id: nid, kind: "handled", lines: ["handled:", ...b.after, ...(b.note ? [`note: ${b.note}`] : [])] });
      d.edges.push({ from: id(b.at), to: nid, kind: "handled", label: wrap(b.errnos) });
      d.edges.push({ from: nid, to: id(b.rejoin), kind: "handled", label: [] });
    } else {
      const how = b.rejoin === b.at + 1 ? "ignored" : b.rejoin > b.at ? "skips ahead" : "again";
      d.edges.push({ from: id(b.at), to: id(b.rejoin), kind: "handled", label: [...wrap(b.errnos), `(${how})`] });
    }
  });
  return d;
}

/** step id → the branch nodes drawn from it. */
function besides(d: Drawing): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const e of d.edges) {
    if (e.kind === "next" || !/^[fh]/.test(e.to)) continue;
    m.set(e.from, [...(m.get(e.from) ?? []), e.to]);
  }
  return m;
}

const dotStr = (s: string) => s.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
const DOT_NODE: Record<Drawing["nodes"][number]["kind"], string> = {
  step: "shape=box",
  done: 'shape=box, style="rounded,filled", fillcolor="#d8f0d8"',
  failed: 'shape=box, style=filled, fillcolor="#f8d8d8"',
  handled: 'shape=box, style="dashed,filled", fillcolor="#fff4d0"',
};
const DOT_EDGE: Record<Drawing["edges"][number]["kind"], string> = {
  next: "",
  failed: 'color="#b03030", fontcolor="#b03030"',
  handled: 'style=dashed, color="#2060a0", fontcolor="#2060a0"',
};

/** Graphviz DOT: `dot -Tsvg` renders it. Lines are left-justified (\l). */
export function toDot(pb: PlanBranches): string {
  const d = draw(pb);
  const c = pb.trace.config;
  const out = [
    "digraph plan {",
    `  label="pivotshim plan: profile ${c.profile}, strategy ${c.strategy}, rootfs ${dotStr(c.rootfs)}";`,
    '  labelloc=b; rankdir=TB; nodesep=0.3; ranksep=0.6; pad=0.4;',
    '  node [fontname="monospace", fontsize=10, margin="0.15,0.06"];',
    '  edge [fontname="monospace", fontsize=9];',
  ];
  for (const n of d.nodes) out.push(`  ${n.id} [${DOT_NODE[n.kind]}, label="${n.lines.map(dotStr).join("\\l")}\\l"];`);
  // Each branch node sits beside the step it leaves from, so the chain stays one straight column.
  for (const [step, ids] of besides(d)) out.push(`  { rank=same; ${step}; ${ids.join("; ")}; }`);
  for (const e of d.edges) {
    const attrs = [DOT_EDGE[e.kind], e.label.length ? `label="${e.label.map(dotStr).join("\\n")}"` : "", e.kind === "next" ? "weight=10" : /^[fh]/.test(e.to) ? "" : "constraint=false"]
      .filter(Boolean).join(", ");
    out.push(`  ${e.from} -> ${e.to}${attrs ? ` [${attrs}]` : ""};`);
  }
  out.push("}");
  return out.join("\n") + "\n";
}

/** Mermaid entity codes for what its label syntax reserves. */
const mmStr = (s: string) => s.replace(/[#"<>|&{}[\]()`]/g, (ch) => `#${ch.charCodeAt(0)};`);
const MM_CLASS: Record<Drawing["nodes"][number]["kind"], string> = {
  step: "", done: ":::done", failed: ":::failed", handled: ":::handled",
};

/** Mermaid flowchart (renders on GitHub in a ```mermaid block). */
export function toMermaid(pb: PlanBranches): string {
  const d = draw(pb);
  const out = ["flowchart TD"];
  for (const n of d.nodes) out.push(`  ${n.id}["${n.lines.map(mmStr).join("<br/>")}"]${MM_CLASS[n.kind]}`);
  for (const e of d.edges) {
    const arrow = e.kind === "next" ? "-->" : "-.->";
    out.push(`  ${e.from} ${arrow}${e.label.length ? `|"${e.label.map(mmStr).join("<br/>")}"|` : ""} ${e.to}`);
  }
  const styled = (kind: string) => d.edges.flatMap((e, i) => (e.kind === kind ? [i] : []));
  const failed = styled("failed");
  const handled = styled("handled");
  if (failed.length) out.push(`  linkStyle ${failed.join(",")} stroke:#b03030,color:#b03030`);
  if (handled.length) out.push(`  linkStyle ${handled.join(",")} stroke:#2060a0,color:#2060a0`);
  out.push(
    "  classDef done fill:#d8f0d8,stroke:#408040",
    "  classDef failed fill:#f8d8d8,stroke:#b03030",
    "  classDef handled fill:#fff4d0,stroke:#2060a0,stroke-dasharray:4 3",
  );
  return out.join("\n") + "\n";
}
