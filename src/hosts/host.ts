// The one interface every host implements: execute one request, return the kernel's answer.
// A host never throws for an errno (errors are values); it throws only for a programming error.
import type { Request, Result } from "../request.js";
import type { Config } from "../schema.js";

/** "custom": a host of your own (a test double, a recorder, another executor). */
export type HostKind = "dry-run" | "fake-kernel" | "replay" | "native" | "custom";

/** A synchronous host (dry-run, fake kernel, replay). */
export interface Host {
  readonly kind: HostKind;
  exec(req: Request): Result;
}

/** An asynchronous host (native: the executor child answers over a socket). */
export interface AsyncHost {
  readonly kind: HostKind;
  exec(req: Request): Promise<Result>;
  /**
   * Optional speculative batching (the native executor, src/hosts/native-batch.ts): a Lookahead for
   * one run of `config`. driveAsync uses it unless DriveOptions.batch is false.
   */
  lookahead?(config: Config, module?: WebAssembly.Module): Lookahead;
}

/** One executed request and its real result. */
export interface Executed { request: Request; result: Result }

/**
 * Runs `req` (the request the machine just emitted) and, in the same round trip, the requests
 * predicted to follow it. Returns the real steps in order, `req`'s first: at least one, each a
 * single syscall. The driver feeds them one by one and checks that the machine emits each request.
 */
export interface Lookahead {
  run(req: Request): Promise<Executed[]>;
}
