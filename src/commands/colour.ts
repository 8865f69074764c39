// Terminal colour for the CLI: only when the stream is a TTY and NO_COLOR is unset (no-color.org);
// FORCE_COLOR forces it (tests use that through a pseudo-terminal). The formatters stay plain
// text; colour is painted on their lines here, so files and pipes never get escape codes.
import { createColors } from "picocolors";
import { escapeControls } from "./escape.js";

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

export { escapeControls } from "./escape.js";

/** "pivotshim: message" on stderr, red on a terminal; control bytes escaped (escapeControls). */
export function complain(message: string): void {
  const line = `pivotshim: ${escapeControls(message)}`;
  process.stderr.write((colourEnabled(process.stderr) ? createColors(true).red(line) : line) + "\n");
}
