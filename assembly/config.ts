// The machine's view of its config: what start() received, already validated by the shell (zod)
// and checked again here so an embedder in another language cannot start a nonsense run.
import { Profile, Strategy, OPT_READONLY, OPT_NO_PREPARE, OPT_NO_SELF_BIND, OPT_USERNS, PATH_MAX,
  MS_REC, MS_SHARED, MS_PRIVATE, MS_SLAVE, MS_UNBINDABLE, MS_PROPAGATION, CONFIG_RULES, RULE_COLUMNS } from "../src/abi";
import { Str, NULL, ptr, len } from "./bytes";
import * as T from "./generated/text";
import { PROFILES } from "./profiles";

export class Config {
  rootfs: Str = NULL;
  profile: Profile = Profile.hardened;
  strategy: Strategy = Strategy.auto;
  /** The configured root propagation (MS_* bits), 0 when unset: runc treats "unset" specially. */
  propagation: i32 = 0;
  options: i32 = 0;

  get readonly(): bool { return (this.options & OPT_READONLY) != 0; }
  get prepare(): bool { return (this.options & OPT_NO_PREPARE) == 0; }
  get selfBind(): bool { return (this.options & OPT_NO_SELF_BIND) == 0; }
  get userns(): bool { return (this.options & OPT_USERNS) != 0; }
}

/** Returns 0 when the config is acceptable, else the text (id) of what is wrong. */
export function check(c: Config): u32 {
  const p = ptr(c.rootfs);
  const n = len(c.rootfs);
  if (n == 0 || load<u8>(p) != 0x2f) return T.C_ABSOLUTE;
  if (n == 1) return T.C_NOT_ROOT;
  if (n >= PATH_MAX) return T.C_TOO_LONG;
  if (load<u8>(p + <usize>(n - 1)) == 0x2f) return T.C_TRAILING;
  for (let i = 0; i < n; i++) {
    const ch = load<u8>(p + <usize>i);
    if (ch == 0) return T.C_NUL;
    if (ch == 0x2f && i + 1 < n && load<u8>(p + <usize>(i + 1)) == 0x2f) return T.C_DOUBLE_SLASH;
    if (ch == 0x2e && load<u8>(p + <usize>(i - 1)) == 0x2f) {
      const end = i + 1 == n || load<u8>(p + <usize>(i + 1)) == 0x2f;
      const dotdot = i + 1 < n && load<u8>(p + <usize>(i + 1)) == 0x2e &&
        (i + 2 == n || load<u8>(p + <usize>(i + 2)) == 0x2f);
      if (end || dotdot) return T.C_DOTS;
    }
  }
  if (c.profile < 0 || c.profile >= PROFILES) return T.C_PROFILE; // a record exists for it (profiles.ts)
  if (c.strategy < Strategy.auto || c.strategy > Strategy.chroot) return T.C_STRATEGY;
  const prop = c.propagation;
  if (prop != 0) {
    const kind = prop & MS_PROPAGATION;
    if ((prop & ~(MS_PROPAGATION | MS_REC)) != 0 ||
        (kind != MS_SHARED && kind != MS_PRIVATE && kind != MS_SLAVE && kind != MS_UNBINDABLE)) {
      return T.C_PROPAGATION;
    }
  }
  return load<u16>(RULE_TEXT + (<usize>refusingRule(c, prop) << 1));
}

/** What each ConfigRule (abi.ts) says, at its number (1 to 8, in the enum's order); at 0 (no rule
 * refuses), 0. A table, not a chain of ifs: −65 B. A new rule adds its text here at its number. */
const RULE_TEXT: usize = memory.data<u16>([0, /* private_move */ T.C_PRIVATE_MOVE,
  /* chroot_propagation */ T.C_CHROOT_PROPAGATION, /* recursive_propagation */ T.C_RECURSIVE_PROPAGATION,
  /* pivot_only */ T.C_PIVOT_ONLY, /* lxc_no_chroot */ T.C_LXC_NO_CHROOT, /* lxc_readonly */ T.C_LXC_READONLY,
  /* lxc_propagation */ T.C_LXC_PROPAGATION, /* chroot_readonly */ T.C_CHROOT_READONLY]);

/**
 * The first row of the static rule table (CONFIG_RULES in src/abi.ts) that refuses this config, or 0.
 * A row with MS_REC among its kinds matches only a recursive (r*) propagation; a row with no kinds
 * (0) matches any propagation, unset included (bwrap's pivot_only); its options must all be set.
 */
function refusingRule(c: Config, prop: i32): i32 {
  const kind = prop & MS_PROPAGATION;
  // unchecked: i + 4 < length by the loop's bound (RULE_COLUMNS per row); the bounds checks cost 136 B.
  for (let i = 0; i < CONFIG_RULES.length; i += RULE_COLUMNS) {
    const kinds = unchecked(CONFIG_RULES[i + 3]);
    const options = unchecked(CONFIG_RULES[i + 4]);
    if ((unchecked(CONFIG_RULES[i + 1]) & (1 << c.profile)) != 0 && (unchecked(CONFIG_RULES[i + 2]) & (1 << c.strategy)) != 0 &&
        (kinds == 0 || ((kinds & kind) != 0 && (kinds & MS_REC & ~prop) == 0)) &&
        (c.options & options) == options) return unchecked(CONFIG_RULES[i]);
  }
  return 0;
}
