// Terminal colour for the CLI: only when the stream is a TTY and NO_COLOR is unset (no-color.org);
// FORCE_COLOR forces it (tests use that through a pseudo-terminal). The formatters stay plain
// text; colour is painted on their lines here, so files and pipes never get escape codes.
import { createColors } from "picocolors";

export function colourEnabled(stream: NodeJS.WriteStream): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== "") return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true;
}

/** Paints the comment and verdict lines of plan/explore/diff text output. */
export function paint(text: string, stream: NodeJS.WriteStream = process.stdout): string {
  if (!colourEnabled(stream)) return text;
  const c = createColors(true);
  return text.split("\n").map((l) => {
    if (/^# (failed|.*VIOLATED|.*violations: [1-9])|^FAIL\b|^✗|^- /.test(l)) return c.red(l);
    if (/^# (done|invariant .*: held|.*violations: 0)|^✓/.test(l)) return c.green(l);
    if (/^# note:/.test(l)) return c.yellow(l);
    if (/^ {2,}\S+: /.test(l)) return c.dim(l); // a step's reason under its call
    return l;
  }).join("\n");
}

/**
 * Control bytes as strace shows them in strings (\x1b, not ESC), so that a path or a message
 * cannot drive the terminal: C0 except the newline, DEL, C1 (U+0080-U+009F), and a raw non-UTF-8
 * byte of a kernel name (src/utf8.ts keeps byte b as U+DC00+b) as that byte.
 */
export function escapeControls(text: string): string {
  return text.replace(/[\x00-\x09\x0b-\x1f\x7f-\x9f\udc80-\udcff]/gu, (c) => {
    const n = c.charCodeAt(0);
    return `\\x${(n >= 0xdc80 ? n - 0xdc00 : n).toString(16).padStart(2, "0")}`;
  });
}

/** "pivotshim: message" on stderr, red on a terminal; control bytes escaped (escapeControls). */
export function complain(message: string): void {
  const line = `pivotshim: ${escapeControls(message)}`;
  process.stderr.write((colourEnabled(process.stderr) ? createColors(true).red(line) : line) + "\n");
}
