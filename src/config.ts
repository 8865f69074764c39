// Turns a validated Config into the compact encoding the machine's start() takes (abi.ts codes).
import * as abi from "./abi.js";
import type { Config } from "./schema.js";
import type { Encoded } from "./machine.js";

export const PROFILE_CODE: Record<Config["profile"], abi.Profile> = {
  hardened: abi.Profile.hardened, runc: abi.Profile.runc, "runc-1.1": abi.Profile.runc_1_1, crun: abi.Profile.crun,
  youki: abi.Profile.youki, bwrap: abi.Profile.bwrap, lxc: abi.Profile.lxc, "crun-1.29": abi.Profile.crun_1_29,
};

/** "rslave" → MS_REC|MS_SLAVE, and so on; undefined → 0 (unset: the profile's default). */
export function propagationFlags(p: Config["rootPropagation"]): number {
  if (!p) return 0;
  const rec = p.startsWith("r") ? abi.MS_REC : 0;
  const kind = p.replace(/^r/, "");
  const bit = kind === "shared" ? abi.MS_SHARED : kind === "slave" ? abi.MS_SLAVE : kind === "private" ? abi.MS_PRIVATE : abi.MS_UNBINDABLE;
  return rec | bit;
}

export function encode(c: Config): Encoded {
  return {
    rootfs: c.rootfs,
    profile: PROFILE_CODE[c.profile],
    strategy: abi.Strategy[c.strategy],
    rootPropagation: propagationFlags(c.rootPropagation),
    options: (c.readonly ? abi.OPT_READONLY : 0) | (c.prepare ? 0 : abi.OPT_NO_PREPARE) | (c.selfBind ? 0 : abi.OPT_NO_SELF_BIND) |
      (c.userns ? abi.OPT_USERNS : 0),
  };
}
