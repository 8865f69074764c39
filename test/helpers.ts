// The tests' small vocabulary: expectPlan (golden strace text, diffed line by line), runWith
// (plan with faults), and fd bookkeeping over a trace. UPDATE_FIXTURES=1 rewrites goldens.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import * as assert from "uvu/assert";
import type { Trace } from "../src/trace.js";
import { formatStrace } from "../src/format/index.js";
import { PROFILES, STRATEGIES, staticRule } from "../src/schema.js";

export const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

/** Compares a trace's strace rendering with test/fixtures/<name>, as text, so a failure reads as a diff. */
export function expectPlan(trace: Trace, name: string): void {
  const actual = formatStrace(trace);
  const file = fixture(name);
  if (process.env.UPDATE_FIXTURES === "1" || !existsSync(file)) {
    if (process.env.UPDATE_FIXTURES !== "1") throw new Error(`missing fixture ${name}: run UPDATE_FIXTURES=1 npm test and review it`);
    writeFileSync(file, actual);
  }
  assert.fixture(actual, readFileSync(file, "utf8"));
}

/** fds a trace opened and never closed (successful openat results minus closes). */
export function leakedFds(t: Trace): number[] {
  const open: number[] = [];
  for (const s of t.steps) {
    // openat2 and open_tree (ABI 5, LXC) make fds as openat does.
    if ((s.request.op === "openat" || s.request.op === "openat2" || s.request.op === "open_tree") && "ret" in s.result) open.push(s.result.ret);
    if (s.request.op === "close") {
      const i = open.lastIndexOf(s.request.fd);
      if (i >= 0) open.splice(i, 1);
    }
  }
  return open;
}

/**
 * fds a runtime keeps open past the switch on purpose, until exec closes them (O_CLOEXEC): crun
 * 1.29's get_old_root_fd (docs/sources.md#crun-1-29). leakedFds of its plans is exactly these.
 */
export function keptUntilExec(t: Trace): number[] {
  return t.steps.filter((s) => s.request.step === "keep_old_root" && "ret" in s.result).map((s) => ("ret" in s.result ? s.result.ret : -1));
}

export const lines = (t: Trace) => formatStrace(t).trimEnd().split("\n");

/**
 * Plans whose switch, by the runtime's own design, ends with the cwd outside the new root, so
 * run()'s prediction refuses them (root-is-rootfs) and no real switch can be compared: youki's
 * chroot(rootfs) with no chdir("/") (docs/sources.md#youki). test/youki.test.ts checks this list
 * against the fake kernel, so it cannot drift from the model.
 */
export const CWD_LEFT_OUTSIDE: readonly string[] = ["youki/chroot"];
export const leavesCwdOutside = (profile: string, strategy: string) => CWD_LEFT_OUTSIDE.includes(`${profile}/${strategy}`);

/**
 * The strategies a profile can be planned with: all but those its static config rule refuses
 * whatever the propagation (bwrap: pivot and auto only, rule pivot_only in src/abi.ts). Loops over
 * every profile × strategy that build a plan use it; a refused pair is tested as refused elsewhere
 * (test/config-rules.test.ts, test/plan-golden.test.ts).
 */
export const strategiesOf = (profile: (typeof PROFILES)[number]): (typeof STRATEGIES)[number][] =>
  STRATEGIES.filter((strategy) => !staticRule({ profile, strategy }));

/** Each strategy of strategiesOf() with readonly off and on, where the static rule accepts it (not lxc's, nor hardened chroot's). */
export const readonlyCases = (profile: (typeof PROFILES)[number]): { strategy: (typeof STRATEGIES)[number]; readonly: boolean }[] =>
  strategiesOf(profile).flatMap((strategy) => [false, true].filter((readonly) => !staticRule({ profile, strategy, readonly })).map((readonly) => ({ strategy, readonly })));

/**
 * lxc move (lxc_chroot) walks every mount of the namespace's copy by path, so it meets what the
 * model cannot know from a mountinfo text: the order Linux's copy lists a parent's children in (attach
 * order: a mount moved under "/" lists after one mounted there later) and which directories lie
 * under a mount on the filesystem below it (./dev/shm: EINVAL on Linux where the model's /dev is
 * empty, ENOENT). run() verifies every result, so it refuses such a run as diverged at a pass's
 * umount2; rootless, it refuses it as predicted damage (the host's locked /proc and /sys stay under
 * the new root, a finding). The explanation when `outcome` is one of these, else null.
 */
export function lxcMoveKnown(profile: string, strategy: string, outcome: { kind: string; reason?: string; message?: string; violated?: { id: string }[] }): string | null {
  if (profile !== "lxc" || strategy !== "move" || outcome.kind !== "refused") return null;
  if (outcome.reason === "diverged" && /\(pass_umount\)|umount2 \(pass_umount\)|pass_umount/.test(outcome.message ?? "")) return `diverged at a pass's umount2: ${outcome.message}`;
  // A refusal that names no violation is no known case (every() of an empty list would pass it).
  if (outcome.reason === "predicted-damage" && (outcome.violated ?? []).length > 0 && outcome.violated!.every((v) => v.id === "no-host-proc-sysfs")) return "rootless: the host's locked /proc and /sys stay under the new root (LXC: \"live with all this trash\")";
  return null;
}
