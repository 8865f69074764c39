// Lookups over the shared name tables (names.ts) for the shell: errno name/number/text, flag
// rendering in strace's order. The tables themselves live in names.ts, shared with the machine.
import { MS_MGC_MSK, MS_MGC_VAL } from "./abi.js";
import { ERRNO_NAME, ERRNO_TEXT, ERRNO_EXTRA_NUMBER, ERRNO_EXTRA_NAME, ERRNO_EXTRA_TEXT, MS_BIT_NAME } from "./names.js";

export function errnoName(errno: number): string {
  if (errno > 0 && errno < ERRNO_NAME.length) return ERRNO_NAME[errno]!;
  const i = ERRNO_EXTRA_NUMBER.indexOf(errno);
  return i >= 0 ? ERRNO_EXTRA_NAME[i]! : `E${errno}`;
}

export function errnoText(errno: number): string {
  if (errno >= 0 && errno < ERRNO_TEXT.length) return ERRNO_TEXT[errno]!;
  const i = ERRNO_EXTRA_NUMBER.indexOf(errno);
  return i >= 0 ? ERRNO_EXTRA_TEXT[i]! : `Unknown error ${errno}`;
}

/** "EINVAL" → 22; undefined for an unknown name. */
export function errnoNumber(name: string): number | undefined {
  const i = ERRNO_NAME.indexOf(name);
  if (i > 0) return i;
  const j = ERRNO_EXTRA_NAME.indexOf(name);
  return j >= 0 ? ERRNO_EXTRA_NUMBER[j] : undefined;
}

export const ALL_ERRNO_NAMES: readonly string[] = [...ERRNO_NAME.slice(1), ...ERRNO_EXTRA_NAME];

/** mount(2) flags as strace prints them (bit order); leftover bits as hex. "0" when none. */
export function msFlags(flags: number): string {
  const parts: string[] = [];
  let rest = flags >>> 0;
  if ((flags & MS_MGC_MSK) === MS_MGC_VAL) { parts.push("MS_MGC_VAL"); rest &= ~MS_MGC_MSK; }
  MS_BIT_NAME.forEach((name, bit) => {
    if (name && rest & (1 << bit)) { parts.push(name); rest &= ~(1 << bit); }
  });
  if (rest) parts.push(`0x${(rest >>> 0).toString(16)}`);
  return parts.length ? parts.join("|") : "0";
}

/** MS_* name → bit value (the inverse of msFlags for one name). */
export function msFlagValue(name: string): number | undefined {
  const bit = MS_BIT_NAME.indexOf(name);
  return bit >= 0 && name ? 1 << bit : undefined;
}
