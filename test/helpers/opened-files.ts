// The openat calls a command line makes, as strace logs them (strace -f -e trace=openat): what the
// laziness tests (cli-lazy, cli-bundle) read to see which modules and files a command loads.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as assert from "uvu/assert";

export const hasStrace = spawnSync("strace", ["-V"]).status === 0;

/** `node ENTRY ARGS...` under strace: its openat log (the run must exit 0). */
export function openedFiles(entry: string, args: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "pivotshim-opened-"));
  try {
    const log = join(dir, "log");
    const r = spawnSync("strace", ["-f", "-qq", "-e", "trace=openat", "-o", log, process.execPath, entry, ...args], { encoding: "utf8" });
    assert.is(r.status, 0, r.stderr.slice(-2000));
    return readFileSync(log, "utf8");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
