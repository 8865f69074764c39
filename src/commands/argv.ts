// The command line's arguments as the kernel passed them. Node decodes argv as UTF-8 and turns a
// byte that is not into U+FFFD, so `--rootfs` with such a byte (a legal Linux name) would name
// another file: the one whose name has the three bytes EF BF BD there, which pivotshim would then
// plan and switch into (found 2026-12-03: test/rootfs-awkward-paths.test.ts). When an argument
// holds U+FFFD, the arguments are read again from /proc/self/cmdline and decoded by src/utf8.ts
// (a bad byte b as U+DC80+b, which the kernel side writes back as b).
import { readFileSync } from "node:fs";
import { InvalidInputError } from "../errors.js";
import { decodeBytes } from "../utf8.js";

const REPLACEMENT = "\ufffd";

/**
 * `argv` (process.argv without the program and script), or the same arguments with their bytes
 * kept. `cmdline` is /proc/self/cmdline's content (read when needed): NUL-terminated strings, whose
 * last argv.length are the arguments. Each recovered argument must read as its argv entry when
 * decoded the way Node did, else nothing is guessed and the command line is refused.
 */
export function rawArgs(argv: readonly string[], cmdline: () => Uint8Array = () => readFileSync("/proc/self/cmdline")): string[] {
  if (!argv.some((a) => a.includes(REPLACEMENT))) return [...argv];
  const at = argv.findIndex((a) => a.includes(REPLACEMENT));
  const refuse = (why: string): never => {
    throw new InvalidInputError(`argument ${at + 1} (${JSON.stringify(argv[at])}) is not valid UTF-8, and ${why}; pass the name in UTF-8, or use the library with each such byte b as the character U+DC80 + b (src/utf8.ts)`);
  };
  let bytes: Uint8Array;
  try { bytes = cmdline(); } catch (e) { return refuse(`its bytes cannot be read again from /proc/self/cmdline (${(e as Error).message})`); }
  const parts: Uint8Array[] = [];
  for (let i = 0, start = 0; i < bytes.length; i++) if (bytes[i] === 0) { parts.push(bytes.subarray(start, i)); start = i + 1; }
  const mine = parts.slice(parts.length - argv.length);
  const lossy = new TextDecoder("utf-8");
  if (mine.length !== argv.length || mine.some((p, i) => lossy.decode(p) !== argv[i])) return refuse("/proc/self/cmdline does not hold the same arguments");
  return mine.map(decodeBytes);
}
