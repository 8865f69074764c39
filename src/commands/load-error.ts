// Why the program failed to load, told from the error alone: the entry (src/cli.ts) uses this
// before anything else is loaded, so it imports only node: modules, and needs no file descriptor.
import { accessSync, constants } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The soft RLIMIT_NOFILE, from Node's diagnostic report (which needs no file descriptor). */
export function openFileLimit(): string {
  try {
    const limits = (process.report.getReport() as { userLimits?: Record<string, { soft?: unknown }> }).userLimits;
    return String(limits?.open_files?.soft ?? "?");
  } catch { return "?"; }
}

/**
 * Whether a failed import was really the open-file limit. Node's ESM resolver turns an EMFILE while
 * it reads a package's package.json into ERR_MODULE_NOT_FOUND: it falls back to `<package>/index.js`
 * and names that (seen 2 in 15 at RLIMIT_NOFILE 32 on Node 20, esm/resolve legacyMainResolve). A
 * module is not missing when the named file, or the package.json beside it, is there and readable.
 * access(2) needs no descriptor, so this check works at the limit.
 */
function missingButPresent(e: unknown): boolean {
  if ((e as NodeJS.ErrnoException).code !== "ERR_MODULE_NOT_FOUND") return false;
  const quoted = /'([^']+)'/.exec((e as Error).message ?? "")?.[1];
  if (!quoted) return false;
  const named = quoted.startsWith("file:") ? fileURLToPath(quoted) : quoted;
  return [named, join(dirname(named), "package.json")].some((path) => {
    try { accessSync(path, constants.R_OK); return true; } catch { return false; }
  });
}

/** The errno to report for a failed load: EMFILE when the "missing" module is in fact there. */
export function loadErrorCode(e: unknown): string | undefined {
  return missingButPresent(e) ? "EMFILE" : (e as NodeJS.ErrnoException).code;
}

/**
 * The one line and exit code for a module that failed to load (the program, or a command's module
 * when it is named: program.ts loads only that one), or null when the failure is not the machine's
 * limits: then it is a bug (exit 70, said by the caller).
 */
export function loadFailure(e: unknown): { code: number; line: string } | null {
  const code = loadErrorCode(e);
  if (code === "EMFILE" || code === "ENFILE") {
    return { code: 3, line: `pivotshim: cannot load: ${code} (Too many open files): the open-file limit (RLIMIT_NOFILE) is ${openFileLimit()}; raise it, e.g. ulimit -n 1024\n` };
  }
  if (code === "ENOMEM") return { code: 3, line: "pivotshim: cannot load: ENOMEM (Cannot allocate memory)\n" };
  return null;
}

/** The line for a module that failed to load for any other reason: a bug (exit 70). */
export function loadBugLine(e: unknown, what: string): string {
  const why = process.env.PIVOTSHIM_DEBUG === "1" ? (e as Error).stack : `${(e as Error).message?.split("\n")[0]} (run with PIVOTSHIM_DEBUG=1 for the stack)`;
  return `pivotshim: internal error (a bug in pivotshim, please report it): cannot load ${what}: ${why}\n`;
}
