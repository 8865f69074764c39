// What run() is given, checked before anything is spawned: the RunSpec (zod), the config with a
// relative rootfs resolved once against the cwd (and said so in the trace), a rootfs that is not
// on a pseudo-filesystem (asked of the kernel with statfs), and an exec frame within host/wire.h.
import { statfsSync } from "node:fs";
import { resolve } from "node:path";
import * as abi from "./abi.js";
import { InvalidInputError } from "./errors.js";
import { checkRunSpec, parseConfig, type Config } from "./schema.js";
import { encodeString } from "./utf8.js";
import type { Wire } from "./hosts/native-addon.js";

/**
 * Pseudo-filesystems by statfs f_type (the numbers: src/abi.ts), with their names: the kernel's
 * own views, never a container's root. run refuses a rootfs on one, and so does pivotshim-exec
 * (scripts/gen-c-abi.mjs writes this table into its header). Here, not in abi.ts: the machine's
 * compiler reads abi.ts, and AssemblyScript has no tuples.
 */
export const PSEUDO_FS_TABLE: readonly (readonly [number, string])[] = [
  [abi.PROC_SUPER_MAGIC, "proc"], [abi.SYSFS_MAGIC, "sysfs"], [abi.CGROUP_SUPER_MAGIC, "cgroup"],
  [abi.CGROUP2_SUPER_MAGIC, "cgroup2"], [abi.DEBUGFS_MAGIC, "debugfs"], [abi.TRACEFS_MAGIC, "tracefs"],
  [abi.SECURITYFS_MAGIC, "securityfs"], [abi.SELINUX_MAGIC, "selinuxfs"], [abi.SMACK_MAGIC, "smackfs"],
  [abi.BPF_FS_MAGIC, "bpf"], [abi.PSTOREFS_MAGIC, "pstore"], [abi.EFIVARFS_MAGIC, "efivarfs"],
  [abi.DEVPTS_SUPER_MAGIC, "devpts"], [abi.BINFMTFS_MAGIC, "binfmt_misc"], [abi.NSFS_MAGIC, "nsfs"],
  [abi.RDTGROUP_SUPER_MAGIC, "resctrl"],
];
const PSEUDO_FS = new Map<number, string>(PSEUDO_FS_TABLE);

/**
 * The config of a run: a relative rootfs (README: `run --rootfs ./rootfs`) is resolved against
 * the cwd here, once, and `note` says so for the trace; then the usual schema applies.
 */
export function runConfig(input: unknown): { config: Config; note?: string } {
  const given = typeof input === "object" && input !== null ? (input as { rootfs?: unknown }).rootfs : undefined;
  if (typeof given !== "string" || given.startsWith("/") || given === "" || given.includes("\0")) return { config: parseConfig(input) };
  // resolve() reads ".." as text: after a symlink ("link/../rootfs", link -> a/b) that is another
  // directory than the kernel reaches (a/rootfs). The absolute form is refused for it; so is this.
  if (given.split("/").includes("..")) {
    const message = `must be clean: no .. components (${JSON.stringify(given)} is relative, resolved against the cwd as text, and ".." after a symlink names another directory than the kernel reaches); write the path without ..`;
    throw new InvalidInputError(`invalid config:\n  rootfs: ${message}`, [{ path: "rootfs", message }]);
  }
  const rootfs = resolve(given);
  return { config: parseConfig({ ...(input as object), rootfs }), note: `rootfs ${JSON.stringify(given)} resolved against the cwd: ${rootfs}` };
}

/**
 * Refuses a rootfs that is, or lies below, a pseudo-filesystem (/proc, /sys, /sys/fs/cgroup/...),
 * asking the kernel (statfs f_type), not matching names: /proc/1/root is refused through /proc.
 * A path that cannot be statfs'd (missing, no search permission) is left to the switch to report.
 */
export function refusePseudoFs(rootfs: string): void {
  const parts = rootfs.split("/");
  for (let n = 2; n <= parts.length; n++) {
    const path = parts.slice(0, n).join("/");
    let type: number;
    try { type = Number(statfsSync(Buffer.from(encodeString(path))).type) >>> 0; } catch { return; }
    const fs = PSEUDO_FS.get(type);
    if (fs === undefined) continue;
    const where = path === rootfs ? "is" : `lies below ${path}, which is`;
    throw new InvalidInputError(`rootfs ${rootfs} ${where} on ${fs} (statfs f_type 0x${type.toString(16)}), a pseudo-filesystem of the kernel: a root switch into it would expose the host; use a directory holding a root filesystem`,
      [{ path: "rootfs", message: `on ${fs}` }]);
  }
}

/** The exec request (host/wire.h kOpExec): path, cwd, argv, env. Refused here when it cannot fit a frame. */
export function checkExecFrame(w: Wire, paths: readonly string[], cwd: string | undefined, argv: readonly string[], env: readonly string[]): void {
  const strings = 2 + argv.length + env.length;
  if (strings > w.kMaxStrings) {
    throw new InvalidInputError(`too many arguments and environment entries: ${argv.length} + ${env.length}; the executor takes at most ${w.kMaxStrings - 2} in all (host/wire.h kMaxStrings = ${w.kMaxStrings}, less the path and the cwd)`,
      [{ path: "args", message: "too many" }]);
  }
  const size = (s: string) => 4 + encodeString(s).length;
  const longest = Math.max(...paths.map(size));
  const bytes = [cwd ?? "", ...argv, ...env].reduce((n, s) => n + size(s), w.kReqHeader + longest);
  if (bytes > w.kMaxFrame) {
    throw new InvalidInputError(`the arguments and environment are too large: ${bytes} bytes with the executor's framing; it takes at most ${w.kMaxFrame} (host/wire.h kMaxFrame)`,
      [{ path: "args", message: "too large" }]);
  }
}

export { checkRunSpec };
