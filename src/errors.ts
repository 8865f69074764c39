// Error classes with stable codes. Context is added by wrapping (`cause`), never by gluing
// strings onto an errno. A syscall failure is not an exception inside the machine (errors are
// values); these classes are for the shell's callers.
import { errnoName } from "./names-ts.js";

export class PivotshimError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** The machine or a host was driven wrongly: a bug in the caller, never an input problem. */
export class ProtocolError extends PivotshimError {
  constructor(message: string, options?: { cause?: unknown }) { super("E_PROTOCOL", message, options); }
}

/** The switch failed: the machine ended FAILED with this syscall's errno. */
export class SyscallError extends PivotshimError {
  readonly op: string;
  readonly path: string | null;
  readonly errno: number;
  readonly errnoName: string;
  readonly step: string;
  constructor(f: { op: string; path: string | null; errno: number; step: string; message: string }) {
    super("E_SYSCALL", f.message);
    this.op = f.op; this.path = f.path; this.errno = f.errno; this.errnoName = errnoName(f.errno); this.step = f.step;
  }
}

/** A replayed run asked for something other than what was recorded. */
export class ReplayMismatchError extends PivotshimError {
  readonly index: number;
  readonly expected: unknown;
  readonly actual: unknown;
  constructor(index: number, expected: unknown, actual: unknown, message: string) {
    super("E_REPLAY_MISMATCH", message);
    this.index = index; this.expected = expected; this.actual = actual;
  }
}

/** Input from outside (config, trace file, CLI flag) is invalid. `issues` are zod's, made readable. */
export class InvalidInputError extends PivotshimError {
  readonly issues: readonly { path: string; message: string }[];
  constructor(message: string, issues: readonly { path: string; message: string }[] = [], options?: { cause?: unknown }) {
    super("E_INVALID_INPUT", message, options);
    this.issues = issues;
  }
}

/** A --fail fault matched no request: the run did not test what was asked (`faults` says which). */
export class FaultNotFiredError extends InvalidInputError {
  readonly faults: readonly { spec: string; op: string; nth: number; calls: readonly number[] }[];
  constructor(message: string, faults: FaultNotFiredError["faults"]) {
    super(message, faults.map((f) => ({ path: "fail", message: `${f.spec} never fired` })));
    this.faults = faults;
  }
}

/** The wasm machine trapped (abort): message, file and line as the module reported them. */
export class MachineTrapError extends PivotshimError {
  readonly file: string;
  readonly line: number;
  constructor(message: string, file: string, line: number, options?: { cause?: unknown }) {
    super("E_MACHINE_TRAP", `${message} (${file}:${line})`, options);
    this.file = file; this.line = line;
  }
}

/** The environment cannot do what was asked (not root, no user namespaces, ...). */
export class EnvironmentError extends PivotshimError {
  constructor(message: string, options?: { cause?: unknown }) { super("E_ENVIRONMENT", message, options); }
}

/** A mountinfo table that is malformed or is not a mount tree; `line` is 1-based, null for the whole table. */
export class MountinfoError extends InvalidInputError {
  readonly line: number | null;
  constructor(message: string, line: number | null, options?: { cause?: unknown }) {
    super(message, [{ path: line === null ? "mountinfo" : `mountinfo line ${line}`, message }], options);
    this.line = line;
  }
}

/** The table lists no mount at "/": what a process in a chroot reads (its root is not a mount). */
export class NoRootMountError extends MountinfoError {
  constructor(message = "mountinfo has no mount at /: the reader's root is not a mount point (a chroot?)") { super(message, null); }
}
