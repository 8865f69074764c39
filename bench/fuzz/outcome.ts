// What an input's run ended as, judged the way src/cli.ts maps errors to the user:
// - success: the call returned (a plan that ends "failed", a diff that differs, a violated
//   invariant are verdicts, not errors);
// - clean: an error the CLI prints as its one line with exit 2 (InvalidInputError), or the
//   verdict-shaped errors of a command (ReplayMismatchError: exit 1 with the side-by-side report;
//   NoSwitchError: exit 1 "no process switches root");
// - crash: anything else, which cli.ts re-throws as a stack trace: TypeError, RangeError, a bare
//   SyntaxError, ProtocolError and MachineTrapError (bugs by their own definition), and an
//   InvalidInputError that only wraps one of those (the message is then the crash's text);
// - oracle: the call returned but a property the target checks is false (e.g. a replay called
//   identical although a read claims more bytes than it carries);
// - hang: the watchdog terminated the worker (fuzz.ts decides that, not this file).
import { PivotshimError, InvalidInputError, ReplayMismatchError, ProtocolError, MachineTrapError } from "../../src/errors.js";

export type Kind = "success" | "clean" | "crash" | "oracle" | "hang";
export const KINDS: readonly Kind[] = ["success", "clean", "crash", "oracle", "hang"];

export interface Outcome {
  kind: Kind;
  /** A stable class for crashes, oracle failures and hangs: error name, normalised message, top frame. */
  sig?: string;
  /** The error's text (name: message), or the broken property. */
  detail?: string;
}

/** A violated property of a returned result. */
export class OracleFailure extends Error {}

const CLEAN_CODES = new Set(["E_NO_SWITCH"]);

/** The first error in the cause chain that is not a clean wrapper. */
function root(e: unknown): unknown {
  let x = e;
  while (x instanceof InvalidInputError && x.cause !== undefined) x = x.cause;
  return x;
}

const isCleanLeaf = (e: unknown): boolean =>
  e instanceof InvalidInputError || e instanceof ReplayMismatchError ||
  (e instanceof PivotshimError && CLEAN_CODES.has(e.code)) ||
  // A SyntaxError that an InvalidInputError wraps is a parser saying "not this grammar": clean.
  e instanceof SyntaxError;

/** "Cannot read properties of undefined (reading 'x')" and "line 12: 3 is ..." become one class each. */
export function normalise(msg: string): string {
  return msg.split("\n")[0]!
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, "<s>")
    .replace(/\b0x[0-9a-f]+\b|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/gi, "<n>")
    .slice(0, 160);
}

/** file:function of the innermost frame inside the repo (not node_modules). */
function topFrame(e: Error): string {
  for (const l of (e.stack ?? "").split("\n").slice(1)) {
    if (l.includes("node_modules") || l.includes("node:")) continue;
    const m = /at (?:(\S+) \()?.*?\/((?:src|bench|assembly)\/[^:)]+):\d+/.exec(l);
    if (m) return `${m[2]}${m[1] ? ":" + m[1].replace(/^.*\./, "") : ""}`;
  }
  return "?";
}

export function classify(e: unknown): Outcome {
  if (e instanceof OracleFailure) return { kind: "oracle", sig: `oracle: ${normalise(e.message)}`, detail: e.message };
  const leaf = root(e);
  const wrapped = leaf !== e;
  if (!wrapped && isCleanLeaf(e) && !(e instanceof SyntaxError)) return { kind: "clean", detail: (e as Error).message };
  if (wrapped && isCleanLeaf(leaf)) return { kind: "clean", detail: (e as Error).message };
  const err = leaf instanceof Error ? leaf : new Error(`non-Error thrown: ${String(leaf)}`);
  const what = err instanceof ProtocolError || err instanceof MachineTrapError ? err.name : err.constructor?.name ?? err.name;
  const sig = `${wrapped ? "wrapped " : ""}${what}: ${normalise(err.message)} @ ${topFrame(err)}`;
  return { kind: "crash", sig, detail: `${err.name}: ${err.message.slice(0, 2000)}` };
}
