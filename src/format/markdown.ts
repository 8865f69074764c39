// The Markdown audit of a trace: header, every step, what happens when each step fails (from
// explore() on the same config, dry-run host), findings derived from the trace's requests (never
// hard-coded per profile), and the profile's known deviations (deviations.ts). Reads no files.
import * as abi from "../abi.js";
import type { Trace, TraceStep } from "../trace.js";
import type { Request } from "../request.js";
import { call, resultText, straceLine } from "./strace.js";
import { planBranches, type Branch } from "./graph.js";
import { DEVIATIONS } from "./deviations.js";

export interface Finding {
  /** Stable id: no-cloexec, fd-open-at-end, old-root-propagation, single-detach, no-getcwd, move-onto-root, chroot-only. */
  id: string;
  title: string;
  /** 0-based request index the finding points at, or null for the run as a whole. */
  at: number | null;
  detail: string;
}

const ok = (s: TraceStep) => !("errno" in s.result);
const retOf = (s: TraceStep) => ("ret" in s.result ? s.result.ret : -1);
const what = (r: Extract<Request, { op: "openat" }>) =>
  r.step.startsWith("open_") ? r.step.slice(5).replace(/_/g, " ") : `"${r.pathname}"`;

function fdFindings(t: Trace): Finding[] {
  const out: Finding[] = [];
  const open = new Map<number, { at: number; name: string }>();
  t.steps.forEach((s, i) => {
    const r = s.request;
    if (r.op === "openat" && ok(s)) {
      open.set(retOf(s), { at: i, name: what(r) });
      if (!(r.flags & abi.O_CLOEXEC)) {
        out.push({ id: "no-cloexec", at: i, title: `${what(r)} opened without O_CLOEXEC`,
          detail: `the fd survives an execve until it is closed; a leaked handle on a host directory is the CVE-2024-21626 class of bug${r.flags & abi.O_PATH ? " (O_PATH does not imply O_CLOEXEC)" : ""}` });
      }
    }
    if (r.op === "close") open.delete(r.fd);
  });
  const end = t.outcome.kind === "done" ? "at Done" : "when the run fails";
  for (const [fd, o] of open) {
    out.push({ id: "fd-open-at-end", at: o.at, title: `fd ${fd} (${o.name}) still open ${end}`,
      detail: "no fd to a host directory may survive the switch (docs/rootswitch.md §9.4 (5))" });
  }
  return out;
}

function pivotFindings(t: Trace): Finding[] {
  const out: Finding[] = [];
  const p = t.steps.findIndex((s) => s.request.op === "pivot_root" && ok(s));
  if (p < 0) return out;
  const detach = t.steps.map((s, i) => ({ s, i })).filter(({ s, i }) => i > p && s.request.op === "umount2" && s.request.target === ".");
  if (detach.length === 0) return out;
  const first = detach[0]!.i;
  const prop = t.steps.slice(p, first).some((s) => s.request.op === "mount" && s.request.target === "." &&
    (s.request.mountflags & (abi.MS_SLAVE | abi.MS_PRIVATE)) !== 0);
  if (!prop) {
    out.push({ id: "old-root-propagation", at: first, title: "no propagation change on the old root before umount2",
      detail: "without MS_SLAVE or MS_PRIVATE on \".\" first, the lazy unmount propagates to the host's mounts (runc PR #1125's first version; rslave: runc PR #1500)" });
  }
  const last = detach[detach.length - 1]!;
  const peeled = "errno" in last.s.result && last.s.result.errno === abi.EINVAL;
  if (!peeled && ok(last.s)) {
    out.push({ id: "single-detach", at: last.i, title: "old root unmounted once, not until EINVAL: stacked mounts are not peeled",
      detail: "a mount stacked on the old root stays attached under the new root's \".\" (crun df308e2 repeats umount2 until EINVAL)" });
  }
  return out;
}

function switchFindings(t: Trace): Finding[] {
  const out: Finding[] = [];
  const isMove = (r: Request) => r.op === "mount" && r.target === "/" && (r.mountflags & abi.MS_MOVE) !== 0;
  const sw = t.steps.findIndex((s) => ok(s) && (s.request.op === "pivot_root" || s.request.op === "chroot" || isMove(s.request)));
  const move = t.steps.findIndex((s) => isMove(s.request));
  if (move >= 0) {
    out.push({ id: "move-onto-root", at: move, title: "the rootfs is moved onto / with MS_MOVE",
      detail: "the old root stays mounted beneath it as a shadow tree, and every propagation event is doubled (systemd PR #25506)" });
  }
  if (sw >= 0 && t.steps[sw]!.request.op === "chroot" && move < 0) {
    out.push({ id: "chroot-only", at: sw, title: "chroot without pivot_root or MS_MOVE",
      detail: "the host's root stays mounted and reachable; a chroot is not a jail (runc uses it only without a mount namespace)" });
  }
  if (t.outcome.kind === "done" && sw >= 0 && !t.steps.slice(sw).some((s) => s.request.op === "getcwd")) {
    out.push({ id: "no-getcwd", at: null, title: "no getcwd() check after the switch (CVE-2024-21626)",
      detail: "a cwd left outside the new root (a leaked fd, a missed chdir) goes unnoticed until the container uses it" });
  }
  return out;
}

/** What the trace shows that a reviewer should know, in request order. */
export function findings(t: Trace): Finding[] {
  return [...fdFindings(t), ...pivotFindings(t), ...switchFindings(t)]
    .sort((a, b) => (a.at ?? Infinity) - (b.at ?? Infinity));
}

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
