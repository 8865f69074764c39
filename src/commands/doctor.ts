// `pivotshim doctor`: what this host supports, found by trying in throwaway child namespaces
// (probeEnvironment) and by reading sysctls, PATH and whether the invoker is itself containerised
// (src/invoker.ts). Exit 0 when `run` works in at least one mode (root or rootless), 3 otherwise.
// Never mounts anything in this process's namespace.
import { accessSync, constants, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { delimiter, join } from "node:path";
import { release } from "node:os";
import type { Command } from "commander";
import { probeEnvironment, type EnvironmentReport } from "../run.js";
import { autonomousOffFor, loadAddon, nativeUnavailable } from "../hosts/native.js";
import { EXIT } from "./common.js";
import { readInvoker, type Invoker } from "../invoker.js";
import { COMMAND_LINES } from "./descriptions.js";

/** The sysctls that decide whether user namespaces can be made (absent ones are null). */
export const USERNS_SYSCTLS = [
  "user/max_user_namespaces", "user/max_mnt_namespaces",
  "kernel/unprivileged_userns_clone", "kernel/apparmor_restrict_unprivileged_userns",
] as const;

export const TOOLS = ["strace", "runc", "crun", "bwrap"] as const;

export interface DoctorReport extends EnvironmentReport {
  kernel: string;
  native: string | null;
  /** Whether run's executor child runs the switch on the C machine (src/hosts/native-auto.ts): "on: ..." or "off: why". */
  autonomous: string;
  modes: { root: boolean; rootless: boolean };
  sysctls: Record<string, string | null>;
  tools: Record<string, { path: string; version: string } | null>;
  /** Whether this process runs inside a container, and which cases say so. */
  invoker: Invoker;
  ok: boolean;
}

function sysctl(name: string): string | null {
  try { return readFileSync(`/proc/sys/${name}`, "utf8").trim(); } catch { return null; }
}

/** The first executable `name` in PATH (and the sbin dirs, where runc lives), with its version line. */
export function findTool(name: string): { path: string; version: string } | null {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/local/sbin", "/usr/sbin", "/sbin"].filter((d) => d !== "");
  for (const dir of new Set(dirs)) {
    const path = join(dir, name);
    try { accessSync(path, constants.X_OK); } catch { continue; }
    const v = spawnSync(path, ["--version"], { encoding: "utf8", timeout: 3000 });
    const version = `${v.stdout ?? ""}${v.stderr ?? ""}`.split("\n").find((l) => l.trim() !== "")?.trim() ?? "?";
    return { path, version };
  }
  return null;
}

export async function doctor(): Promise<DoctorReport> {
  const native = nativeUnavailable();
  const env: EnvironmentReport = native
    ? { root: process.geteuid?.() === 0, mountns: false, userns: false, pivotRoot: false, ramfsRoot: false, details: [native] }
    : await probeEnvironment();
  const modes = { root: env.root && env.mountns, rootless: env.userns };
  const off = native ? "no native host" : autonomousOffFor(loadAddon());
  const autonomous = off === null ? `on: run's child switches on the C machine (wasm ${loadAddon().autonomous!.slice(0, 12)})` : `off: ${off}`;
  return {
    ...env, kernel: release(), native, modes, autonomous,
    sysctls: Object.fromEntries(USERNS_SYSCTLS.map((n) => [n.replace("/", "."), sysctl(n)])),
    tools: Object.fromEntries(TOOLS.map((t) => [t, findTool(t)])),
    invoker: readInvoker(),
    ok: modes.root || modes.rootless,
  };
}

const yes = (b: boolean) => (b ? "yes" : "no");

export function formatDoctor(r: DoctorReport): string {
  const lines = [
    `kernel             ${r.kernel}`,
    `native host        ${r.native ? `missing: ${r.native}` : "built"}`,
    `autonomous mode    ${r.autonomous}`,
    `running as root    ${yes(r.root)}`,
    `run (root mode)    ${r.modes.root ? "works" : "no"}`,
    `run --rootless     ${r.modes.rootless ? "works" : "no"}`,
    `pivot_root here    ${yes(r.pivotRoot)}`,
    `/ is initramfs     ${r.ramfsRoot ? "yes: pivot_root cannot work, use --strategy move or chroot" : "no"}`,
    ...invokerLines(r.invoker),
    ...Object.entries(r.sysctls).map(([k, v]) => `sysctl             ${k} = ${v ?? "(absent)"}`),
    ...Object.entries(r.tools).map(([k, v]) => `${k.padEnd(18)} ${v ? `${v.path} (${v.version})` : "not installed"}`),
    "details:",
    ...r.details.map((d) => `  ${d}`),
  ];
  if (!r.ok) lines.push(r.root || r.native
    ? "pivotshim run cannot work here: see the details above"
    : "pivotshim run cannot work here: run as root, or enable user namespaces (sysctl user.max_user_namespaces > 0) for --rootless");
  return lines.join("\n") + "\n";
}

/** "containerised  yes: masked-proc, userns-locked", then one line of evidence per case. */
function invokerLines(i: Invoker): string[] {
  const head = i.containerised ? `yes: ${i.cases.map((c) => c.case).join(", ")}` : "no (a listed, non-overlay \"/\", /proc unmasked, the initial user namespace)";
  return [`containerised      ${head}`, ...i.cases.map((c) => `  ${c.case.padEnd(16)} ${c.evidence}`), ...i.notes.map((n) => `  note             ${n}`)];
}

export function register(cli: Command): void {
  cli.command("doctor")
    .description(COMMAND_LINES.doctor)
    .option("--json", "print the report as JSON")
    .addHelpText("after", `
Examples:
  pivotshim doctor                 # as root: root mode, rootless mode, pivot_root, initramfs
  pivotshim doctor --json | jq .modes
  pivotshim doctor --json | jq .invoker     # is this process itself in a container, and how
  setpriv --reuid=65534 --regid=65534 --clear-groups pivotshim doctor   # what an unprivileged user gets

Exit status: 0 pivotshim run works here in at least one mode (root or --rootless), 3 it does not.`)
    .action(async (f: { json?: boolean }) => {
      const r = await doctor();
      process.stdout.write(f.json ? JSON.stringify(r, null, 2) + "\n" : formatDoctor(r));
      process.exitCode = r.ok ? EXIT.ok : EXIT.environment;
    });
}
