// --trace-out FILE for every command that takes it: the file is opened for writing BEFORE the
// command acts (a folder or an unwritable path is bad input, exit 2, and nothing has run), and
// written at the end. It is not truncated until the trace is there, and is removed again when
// this run created it and then wrote nothing (the command failed before it had a trace).
import { closeSync, constants, fstatSync, ftruncateSync, openSync, unlinkSync, writeSync } from "node:fs";
import { InvalidInputError } from "../errors.js";
import { errnoNumber, errnoText } from "../names-ts.js";
import type { RunTrace, Trace } from "../trace.js";

export interface TraceOut {
  readonly path: string;
  /** Replaces the file's content with the trace as JSON, and closes it. Throws the OS error. */
  write(trace: Trace | RunTrace): void;
  /** Closes without writing; removes the file if this run created it. */
  discard(): void;
}

const spell = (code: string | undefined) => { const n = code && errnoNumber(code); return n ? `${code} (${errnoText(n)})` : code ?? "error"; };

/** Opens `path` for writing now, or throws InvalidInputError naming the flag, the path and the errno. */
export function openTraceOut(path: string): TraceOut {
  const { O_WRONLY, O_CREAT, O_EXCL } = constants; // Node adds O_CLOEXEC to every open
  let fd: number;
  let created = true;
  try {
    try { fd = openSync(path, O_WRONLY | O_CREAT | O_EXCL, 0o666); } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      created = false;
      fd = openSync(path, O_WRONLY);
    }
  } catch (e) {
    throw new InvalidInputError(`cannot write --trace-out ${path}: ${spell((e as NodeJS.ErrnoException).code)}`, [{ path: "--trace-out", message: "not writable" }], { cause: e });
  }
  let open = true;
  const close = () => { if (open) { open = false; closeSync(fd); } };
  return {
    path,
    write(trace) {
      try {
        const bytes = Buffer.from(JSON.stringify(trace, null, 2) + "\n");
        // A regular file is replaced; a pipe or a device (/dev/stdout, /dev/full) is just written.
        const file = fstatSync(fd).isFile();
        if (file) ftruncateSync(fd, 0);
        for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at, file ? at : null);
      } catch (e) {
        if (e instanceof Error && !("path" in e)) Object.assign(e, { path });  // name the file in the message
        throw e;
      } finally { close(); }
    },
    discard() {
      if (!open) return;
      close();
      if (created) try { unlinkSync(path); } catch { /* already gone */ }
    },
  };
}

/**
 * Runs `act` with the trace file open (or none without the flag); discards it when `act` throws.
 * The command writes the trace itself (it decides what to do when that write fails).
 */
export function withTraceOut<T>(path: string | undefined, act: (out: TraceOut | null) => T): T {
  const out = path === undefined ? null : openTraceOut(path);
  try { return act(out); } finally { out?.discard(); }
}
