// Which hosts the driver takes at their word, and the check every other host's results get.
// Built-in hosts (dry-run, fake kernel, replay, faults over a built-in one, the native executor)
// are trusted: a check per result would cost explore() for nothing. A host the caller wrote
// gets checkResult() on every answer, so `{}` or `{ ret: 1.5 }` is a loud error, never "success".
import { MAX_ERRNO } from "../abi.js";
import { ProtocolError } from "../errors.js";
import { what, type Request, type Result } from "../request.js";

/** exec methods of the built-in hosts (the function itself: an overriding subclass is not trusted). */
const trustedExec = new WeakSet<object>();
/**
 * On a wrapper host (FaultyHost): the host it passes requests to, trusted only if that one is. A
 * plain property, not a WeakMap: explore makes a wrapper per path, and ephemerons cost the GC.
 */
const INNER = Symbol("pivotshim.inner");

export function trustExec(...fns: ((req: Request) => unknown)[]): void { for (const f of fns) trustedExec.add(f); }
export function wraps(outer: object, inner: object): void {
  Object.defineProperty(outer, INNER, { value: inner });
}

export function isTrusted(host: { exec: unknown }): boolean {
  if (!trustedExec.has(host.exec as object)) return false;
  const inner = (host as { [INNER]?: object })[INNER];
  return inner === undefined || isTrusted(inner as { exec: unknown });
}

/**
 * Throws ProtocolError unless `r` has the shape of a result: { ret: a number, data?: a Uint8Array }
 * or { errno: a number } alone. The numbers' bounds (an int32 ret, errno 1..MAX_ERRNO, a read's
 * ret equal to its bytes) are Machine.feed's, checked there for every host, built-in ones included.
 */
export function checkResult(req: Request, r: Result): void {
  if (typeof r === "object" && r !== null) {
    const o = r as { ret?: unknown; errno?: unknown; data?: unknown };
    if ("errno" in o) {
      if (!("ret" in o) && !("data" in o) && typeof o.errno === "number") return;
    } else if (typeof o.ret === "number" && (o.data === undefined || o.data instanceof Uint8Array)) return;
  }
  throw new ProtocolError(`${what(req)} answered ${describe(r)}: a result is { ret: an int32, data?: a Uint8Array } or { errno: 1..${MAX_ERRNO} }`);
}

function describe(r: unknown): string {
  try { return JSON.stringify(r, (_k, v) => (v instanceof Uint8Array ? `Uint8Array(${v.length})` : typeof v === "bigint" ? `${v}n` : v)) ?? String(r); } catch { return String(r); }
}
