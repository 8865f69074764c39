// What every command shares: exit codes, reading input files, and the plan-config flags
// (--rootfs, --profile, ...) so plan, explore, graph, diff and run accept the same ones.
import { readFileSync } from "node:fs";
import { type Command, Option } from "commander";
import { InvalidInputError } from "../errors.js";
import { mountinfoError } from "../mountinfo-check.js";
import { decodeBytes } from "../utf8.js";
import { PROFILES, STRATEGIES, PROPAGATIONS, DEFAULT_ROOTFS, type ConfigInput } from "../schema.js";

/** Documented exit codes (README), in exit.ts so the entry can use them before anything loads. */
export { EXIT } from "./exit.js";

export interface ConfigFlags {
  rootfs?: string; profile?: string; strategy?: string; rootPropagation?: string; readonly?: boolean;
  prepare?: boolean; selfBind?: boolean; userns?: boolean;
}

/** Adds the config flags to a command. */
export function configOptions(c: Command): Command {
  return c
    .option("--rootfs <path>", `the new root, absolute and clean (default: ${DEFAULT_ROOTFS})`)
    .addOption(new Option("--profile <name>", "runtime to reproduce (default: hardened)").choices(PROFILES))
    .addOption(new Option("--strategy <name>", "how to switch (default: auto)").choices(STRATEGIES))
    .addOption(new Option("--root-propagation <mode>", "propagation of / (default: the profile's)").choices(PROPAGATIONS))
    .option("--readonly", "remount the new root read-only")
    .option("--no-prepare", "switch only: skip propagation of /, the parent walk and the self bind")
    .option("--no-self-bind", "skip the self bind (the rootfs must already be a mount point)")
    .option("--userns", "the container has a user namespace, or the runtime runs in one (crun-1.29: no OPEN_TREE_NAMESPACE try)");
}

export function configOf(f: ConfigFlags): ConfigInput {
  return {
    ...(f.rootfs !== undefined ? { rootfs: f.rootfs } : {}),
    ...(f.profile !== undefined ? { profile: f.profile as ConfigInput["profile"] } : {}),
    ...(f.strategy !== undefined ? { strategy: f.strategy as ConfigInput["strategy"] } : {}),
    ...(f.rootPropagation !== undefined ? { rootPropagation: f.rootPropagation as ConfigInput["rootPropagation"] } : {}),
    readonly: f.readonly ?? false,
    prepare: f.prepare ?? true,
    selfBind: f.selfBind ?? true,
    ...(f.userns ? { userns: true } : {}),
  };
}

/**
 * A file the user named, as text, byte-exactly (utf8.ts): a mount point or a strace string that is
 * not UTF-8 keeps its bytes (U+DC80+byte) instead of becoming U+FFFD and planning the wrong path.
 */
export function readInput(path: string, what: string): string {
  try { return decodeBytes(readFileSync(path)); } catch (e) {
    throw new InvalidInputError(`cannot read ${what} ${path}: ${(e as Error).message}`, [], { cause: e });
  }
}

/**
 * A --mountinfo file: its bytes checked by the machine's own parser (a run would refuse them just
 * the same, but only after requests), then decoded byte for byte (src/utf8.ts), so a mount point
 * that is not UTF-8 keeps its bytes instead of becoming U+FFFD.
 */
export function readMountinfo(path: string): string {
  let bytes: Uint8Array;
  try { bytes = readFileSync(path); } catch (e) {
    throw new InvalidInputError(`cannot read --mountinfo file ${path}: ${(e as Error).message}`, [], { cause: e });
  }
  const err = mountinfoError(bytes);
  if (err !== null) throw new InvalidInputError(`--mountinfo ${path}: ${err}`, [{ path: "--mountinfo", message: err }]);
  return decodeBytes(bytes);
}

export const collect = (v: string, prev: string[]) => [...prev, v];
