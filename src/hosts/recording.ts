// RecordingHost: a host that answers through another (by default a DryRunHost, which says yes to
// everything a healthy kernel would) and remembers every call with its result, for tests that
// assert what a plan asked of the kernel: `host.calls("mount")`. The analogue of youki's
// TestHelperSyscall (libcontainer's syscall/test.rs), which records mount, unshare, setns...
// so that its rootfs tests can check the arguments. Recorded calls carry no seq/step/reason:
// those are the machine's bookkeeping, not the kernel's arguments.
import type { Host } from "./host.js";
import { DryRunHost } from "./dry-run.js";
import type { OpName, Request, Result } from "../request.js";

/** The arguments of one request of kind K, as the kernel would get them (a union over kinds: narrow on `op`). */
export type Call<K extends OpName = OpName> = K extends OpName ? Omit<Extract<Request, { op: K }>, "seq" | "step" | "reason"> : never;

/** One recorded call and what the host answered. */
export interface Recorded<K extends OpName = OpName> { call: Call<K>; result: Result }

export class RecordingHost implements Host {
  readonly kind = "custom" as const;
  readonly #log: Recorded[] = [];

  /** `inner` answers each request; default a DryRunHost. */
  constructor(private readonly inner: Host = new DryRunHost()) {}

  exec(req: Request): Result {
    const result = this.inner.exec(req);
    const { seq: _seq, step: _step, reason: _reason, ...call } = req;
    this.#log.push({ call: call as Call, result });
    return result;
  }

  /** The calls made so far, in order; only those of `op` when given. */
  calls<K extends OpName>(op: K): Call<K>[];
  calls(): Call[];
  calls(op?: OpName): Call[] {
    return this.#log.filter((r) => op === undefined || r.call.op === op).map((r) => r.call);
  }

  /** Every call with its result, in order. */
  get log(): readonly Recorded[] {
    return this.#log;
  }

  /** Forgets what was recorded (one host, several runs). */
  clear(): void {
    this.#log.length = 0;
  }
}
