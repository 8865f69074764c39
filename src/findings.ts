// Findings: what a trace shows that an auditor should know, derived from its requests and never
// hard-coded per profile (an fd opened without O_CLOEXEC, one still open at the end, no
// propagation change before the detach, a single detach, MS_MOVE onto /, chroot only, no getcwd).
// Reported by plan, explore and the Markdown audit; they are not invariant violations.
import * as abi from "./abi.js";
import type { Trace, TraceStep } from "./trace.js";
import type { Request } from "./request.js";

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
      detail: "no fd to a host directory may survive the switch (docs/sources.md#fd-hygiene)" });
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

