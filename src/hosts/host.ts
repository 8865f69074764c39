// The one interface every host implements: execute one request, return the kernel's answer.
// A host never throws for an errno (errors are values); it throws only for a programming error.
import type { Request, Result } from "../request.js";

export type HostKind = "dry-run" | "fake-kernel" | "replay" | "native";

/** A synchronous host (dry-run, fake kernel, replay). */
export interface Host {
  readonly kind: HostKind;
  exec(req: Request): Result;
}

/** An asynchronous host (native: the executor child answers over a socket). */
export interface AsyncHost {
  readonly kind: HostKind;
  exec(req: Request): Promise<Result>;
}
