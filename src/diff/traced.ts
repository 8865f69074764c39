// What a log can speak for: an `strace -e trace=LIST` log is silent about every other syscall, so
// a plan step of one it did not trace cannot be checked, and must not count as missing. This file
// decides which of the plan's syscalls were traced; it compares nothing.
import { InvalidInputError } from "../errors.js";

/**
 * Often left out of a user's -e trace= list (they are the noisiest). One of these that never
 * appears in the whole log, by any process, was not traced: every runtime closes and reads fds.
 */
export const INFERRED_UNTRACED: readonly string[] = ["read", "getcwd", "close"];

/**
 * The plan's syscalls the log did not trace: absent from the whole log, and either left out of
 * `traced` (the user's -e trace= list, when given) or, without a list, one of INFERRED_UNTRACED.
 * Any other absent syscall was traced, so its plan steps are differences when the log lacks them.
 */
export function untracedOps(planOps: Iterable<string>, logNames: ReadonlySet<string>, traced?: readonly string[]): string[] {
  const out = new Set<string>();
  for (const op of planOps) {
    if (logNames.has(op)) continue;
    if (traced ? !traced.includes(op) : INFERRED_UNTRACED.includes(op)) out.add(op);
  }
  return [...out];
}

const NAME = /^[a-z_][a-z0-9_]*$/;

/** `--traced LIST`: the syscall names of strace's -e trace=LIST, comma-separated. */
export function parseTracedList(text: string): string[] {
  const names = text.split(",");
  const bad = names.find((n) => !NAME.test(n));
  if (bad !== undefined) {
    const message = `--traced must list syscall names separated by commas, as in strace -e trace=LIST (no classes such as %file, no spaces), not ${JSON.stringify(bad)} in "${text}"`;
    throw new InvalidInputError(message, [{ path: "--traced", message }]);
  }
  return names;
}
