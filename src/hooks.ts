// Hooks: a runtime's own requests between the switch and the exec (mount its /proc, remount a path
// read-only...), run by `run` through the same executor, with the same timeouts, and recorded in
// the same trace (`hooks`, after the machine's steps: replay and diff keep to the machine's).
// The prediction runs them on the fake kernel after the machine's Done and judges the invariants
// after them, so a hook that would change the calling namespace is refused like any other plan.
// A hook is a call of an existing request kind; seq, step and reason are filled in here.
import type { Host } from "./hosts/host.js";
import { AT_FDCWD, MS_BIND, MS_MOVE } from "./abi.js";
import { isErr, type Request, type Result } from "./request.js";
import type { Call } from "./hosts/recording.js";
import { toTraceResult, type TraceStep } from "./trace.js";

/** One hook: the call, as the kernel gets it, and optionally why (the trace's `reason`). */
export type Hook = Call & { reason?: string };

/** The step name of every hook request: not one of the machine's. */
export const HOOK_STEP = "hook";


/** Hook `i` as a request: numbered on from the machine's `after` steps. */
export function hookRequest(h: Hook, i: number, after: number): Request {
  const { reason, ...call } = h;
  return { ...call, seq: after + i, step: HOOK_STEP, reason: reason ?? `hook ${i + 1} of the caller, between the switch and exec` } as Request;
}

/**
 * The paths a hook names, as absolute paths in the new root (a relative one is taken from "/",
 * the cwd the switch leaves): the prediction lstat()s them in the rootfs so the model has what is
 * there (a /proc directory, a symlink), as it has the rootfs path itself.
 */
export function hookPaths(h: Hook): string[] {
  const abs = (p: string) => (p.startsWith("/") ? p : `/${p}`);
  switch (h.op) {
    case "mount": return [...((h.mountflags & (MS_BIND | MS_MOVE)) !== 0 && h.source ? [abs(h.source)] : []), abs(h.target)];
    case "umount2": return [abs(h.target)];
    case "chdir": case "chroot": return [abs(h.path)];
    case "openat": return h.dirfd === AT_FDCWD ? [abs(h.pathname)] : [];
    case "pivot_root": return [abs(h.new_root), abs(h.put_old)];
    default: return [];
  }
}

/** The first hook that failed: its index and the kernel's errno. */
export interface HookFailure { hook: number; errno: number }

/** What running the hooks gave: each request with its result, and the first that failed. */
export interface HooksRun { steps: TraceStep[]; failed: HookFailure | null }

/**
 * The hooks as a sequence of requests, one at a time, each fed its result (the generator's next
 * value), until one fails: one loop for both runners below, as the machine is one loop for every host.
 */
function* hookLoop(hooks: readonly Hook[], after: number): Generator<Request, HooksRun, Result> {
  const steps: TraceStep[] = [];
  for (let i = 0; i < hooks.length; i++) {
    const req = hookRequest(hooks[i]!, i, after);
    const res = yield req;
    steps.push({ request: req, result: toTraceResult(res) });
    if (isErr(res)) return { steps, failed: { hook: i, errno: res.errno } };
  }
  return { steps, failed: null };
}

/** Runs the hooks in order on a synchronous host (the prediction's model) until one fails. */
export function runHooks(host: Host, hooks: readonly Hook[], after: number): HooksRun {
  const loop = hookLoop(hooks, after);
  for (let n = loop.next(); ; n = loop.next(host.exec(n.value))) if (n.done) return n.value;
}

/** The same, through an asynchronous host (the executor, or run's verifying host around it). */
export async function runHooksAsync(host: { exec(req: Request): Promise<Result> }, hooks: readonly Hook[], after: number): Promise<HooksRun> {
  const loop = hookLoop(hooks, after);
  for (let n = loop.next(); ; n = loop.next(await host.exec(n.value))) if (n.done) return n.value;
}
