// Which exit code and which one line an error that reached the command line gets: input errors 2,
// the environment 3, a failed run 1, an OS error on a path the user gave 2, a machine resource
// running out 3, and anything else is a bug (70): one line, its stack only with PIVOTSHIM_DEBUG=1.
import { resolve } from "node:path";
import { PivotshimError, InvalidInputError, EnvironmentError } from "../errors.js";
import { errnoNumber, errnoText } from "../names-ts.js";
import { EXIT } from "./exit.js";

/** errnos that mean "this path, as given, cannot be used": the user's input, exit 2. */
const PATH_ERRNOS = new Set(["EACCES", "EISDIR", "ENOENT", "ENOTDIR", "ENAMETOOLONG", "ELOOP", "EROFS", "EPERM"]);
/** errnos that mean the machine ran out of something: the environment, exit 3. */
const RESOURCE_ERRNOS: Readonly<Record<string, string>> = {
  ENOSPC: "space on the device", EDQUOT: "disk quota", ENOMEM: "memory",
  EMFILE: "open files for this process (raise the limit: ulimit -n)", ENFILE: "open files system-wide (sysctl fs.file-max)",
};

/** Node's system errors: { code: "ENOENT", errno: -2, syscall: "open", path?: "/x" }. */
interface SystemError extends Error { code: string; errno: number; syscall: string; path?: string; dest?: string }
export const isSystemError = (e: unknown): e is SystemError =>
  e instanceof Error && typeof (e as SystemError).code === "string" && typeof (e as SystemError).errno === "number" && typeof (e as SystemError).syscall === "string";

/** "ENOENT (No such file or directory)", from our errno table (Node's text carries the call too). */
const spell = (code: string) => { const n = errnoNumber(code); return n === undefined ? code : `${code} (${errnoText(n)})`; };

/** True when `path` is one of the arguments, as written or resolved against the cwd. */
function givenPath(path: string | undefined, argv: readonly string[]): boolean {
  if (path === undefined) return false;
  return argv.some((a) => a === path || (a !== "" && resolve(a) === resolve(path)) || (a.includes("=") && a.slice(a.indexOf("=") + 1) === path));
}

export function exitCodeOfError(e: unknown, argv: readonly string[]): { code: number; message: string } {
  if (e instanceof InvalidInputError) return { code: EXIT.usage, message: e.message };
  if (e instanceof EnvironmentError) return { code: EXIT.environment, message: e.message };
  if (e instanceof PivotshimError) return { code: EXIT.failed, message: `${e.code}: ${e.message}` };
  if (isSystemError(e)) {
    const where = `${e.syscall}${e.path !== undefined ? ` ${e.path}` : ""}`;
    const resource = RESOURCE_ERRNOS[e.code];
    if (resource) return { code: EXIT.environment, message: `cannot ${where}: ${spell(e.code)}: this machine is out of ${resource}` };
    if (PATH_ERRNOS.has(e.code) && givenPath(e.path, argv)) return { code: EXIT.usage, message: `${e.path}: cannot ${e.syscall}: ${spell(e.code)}` };
  }
  return { code: EXIT.bug, message: bugMessage(e) };
}

/** A bug: one line unless PIVOTSHIM_DEBUG=1 asks for the stack. */
export function bugMessage(e: unknown): string {
  const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  if (process.env.PIVOTSHIM_DEBUG === "1") return `internal error (a bug in pivotshim): ${e instanceof Error && e.stack ? e.stack : what}`;
  return `internal error (a bug in pivotshim, please report it): ${what.split("\n")[0]} (run with PIVOTSHIM_DEBUG=1 for the stack)`;
}
