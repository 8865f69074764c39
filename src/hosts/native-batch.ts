// Speculative batches for the native host: owns the prediction only. A shadow Machine, kept in
// step with the real results, guesses what follows the request the real machine just emitted,
// answered by a Predictor (what a healthy kernel answers); the executor runs the guesses in one
// round trip and stops at the first surprise. It never feeds the real machine (the driver does,
// one result at a time) and never runs a syscall itself: Executor.execBatch does, in the child.
import { Machine, compile, type Encoded } from "../machine.js";
import { encode } from "../config.js";
import { isErr, type Request, type Result } from "../request.js";
import type { Config } from "../schema.js";
import { ProtocolError } from "../errors.js";
import { sameRequest } from "../driver.js";
import * as abi from "../abi.js";
import type { Executed, Lookahead } from "./host.js";
import type { BatchEntry, Executor } from "./native.js";
import { readFileSync } from "node:fs";

/** What the speculation needs of the executor. */
export type BatchRunner = Pick<Executor, "channelFd" | "startState" | "execBatch" | "maxBatch">;

/** The child's state the predictor starts from: its open fds and its mount points. */
export interface ChildState { fds: number[]; mounts: string[] }

/**
 * This process's mount points (what a child copies when it unshares), or none when mountinfo cannot
 * be read: then every propagation change is predicted to succeed. Only predictions depend on it.
 */
export function mountPoints(table = mountinfoText()): string[] {
  return table.split("\n").filter(Boolean).map((l) => unescapeMountinfo(l.split(" ")[4] ?? ""));
}

/** The mountinfo of this process (or of process `pid`), or "" when it cannot be read. */
export function mountinfoText(pid: number | "self" = "self"): string {
  try {
    return readFileSync(`/proc/${pid}/mountinfo`, "utf8");
  } catch {
    return "";
  }
}

/** mountinfo escapes space, tab, newline and backslash as \ooo (fs/proc_namespace.c, show_mountinfo). */
const unescapeMountinfo = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

const PROPAGATION = abi.MS_SHARED | abi.MS_PRIVATE | abi.MS_SLAVE | abi.MS_UNBINDABLE;
const trimSlash = (p: string): string => (p.length > 1 ? p.replace(/\/+$/, "") : p);

/**
 * What a healthy kernel answers, given the child's state (like src/hosts/dry-run.ts, plus two
 * rules that the plans' loops depend on): success; openat gets the lowest free fd; close of a
 * fd that is not open is EBADF; umount2(".") is EINVAL after a success since the last pivot_root;
 * a propagation change on an absolute path that is not a mount point is EINVAL (do_change_type),
 * as long as the root has not moved. read and getcwd: unknown (null), so a batch ends there.
 */
export class Predictor {
  readonly #fds: Set<number>;
  readonly #mounts: Set<string>;
  readonly #channelFd: number;
  #detached = false;
  #rootMoved = false;

  constructor(state: ChildState, channelFd: number) {
    this.#fds = new Set(state.fds);
    this.#mounts = new Set(state.mounts.map(trimSlash));
    this.#channelFd = channelFd;
  }

  expect(req: Request): Result | null {
    switch (req.op) {
      case "read": case "getcwd": return null;
      case "openat": {
        let fd = 0;
        while (this.#fds.has(fd)) fd++;
        return { ret: fd };
      }
      case "close": return this.#fds.has(req.fd) && req.fd !== this.#channelFd ? { ret: 0 } : { errno: abi.EBADF };
      case "umount2": return req.target === "." && this.#detached ? { errno: abi.EINVAL } : { ret: 0 };
      case "mount": {
        const onlyPropagation = (req.mountflags & PROPAGATION) !== 0 && (req.mountflags & (abi.MS_BIND | abi.MS_MOVE | abi.MS_REMOUNT)) === 0;
        const absolute = req.target.startsWith("/") && !this.#rootMoved;
        return onlyPropagation && absolute && !this.#mounts.has(trimSlash(req.target)) ? { errno: abi.EINVAL } : { ret: 0 };
      }
      default: return { ret: 0 };
    }
  }

  /** Updates the state with a result, real or predicted. */
  observe(req: Request, res: Result): void {
    if (isErr(res)) return;
    switch (req.op) {
      case "openat": this.#fds.add(res.ret); break;
      case "close": this.#fds.delete(req.fd); break;
      case "pivot_root": this.#detached = false; this.#rootMoved = true; break;
      case "chroot": this.#rootMoved = true; break;
      case "umount2":
        if (req.target === ".") this.#detached = true;
        else this.#mounts.delete(trimSlash(req.target));
        break;
      case "mount":
        if (req.mountflags & abi.MS_MOVE) this.#rootMoved = true;
        else if (req.mountflags & abi.MS_BIND && req.target.startsWith("/")) this.#mounts.add(trimSlash(req.target));
        break;
      default: break;
    }
  }
}

/**
 * Where a batch's expected results come from: by default a Predictor (a healthy kernel); `run`
 * verification gives its own (src/verify-run.ts). `admits` false ends a batch before a request.
 */
export interface Expectation {
  expect(req: Request): Result | null;
  observe(req: Request, res: Result): void;
  admits?(req: Request): boolean;
}

/** Did the real result come out as predicted? ret and errno, as the child compares them. */
const asPredicted = (real: Result, expect: Result): boolean =>
  isErr(expect) ? isErr(real) && real.errno === expect.errno : !isErr(real) && real.ret === expect.ret;

/**
 * The lookahead of one run. Invariant between run() calls: either the shadow has consumed exactly
 * the real results so far (in step), or it is stale and is restarted and replayed from history.
 */
export class Speculation implements Lookahead {
  readonly #ex: BatchRunner;
  readonly #shadow: Machine;
  readonly #encoded: Encoded;
  readonly #history: Executed[] = [];
  readonly #expectation: () => Expectation;
  #predictor!: Expectation;
  #stale = true;
  #ended = false;

  constructor(ex: BatchRunner, config: Config, module?: WebAssembly.Module, expectation?: () => Expectation) {
    this.#ex = ex;
    this.#expectation = expectation ?? (() => new Predictor(ex.startState, ex.channelFd));
    this.#shadow = Machine.acquire(module ?? compile());
    this.#encoded = encode(config);
  }

  async run(req: Request): Promise<Executed[]> {
    if (this.#ended) throw new ProtocolError(`lookahead: request ${req.seq} (${req.op}) after the run ended`);
    this.#align(req);
    const entries: BatchEntry[] = [];
    let fed = 0;
    let shadowDone = false;
    let held = false;  // the shadow's next request was not admitted: it stays pending, so replay next time
    for (let cur: Request | null = req; cur;) {
      const expect = this.#predictor.expect(cur);
      entries.push({ request: cur, expect });
      if (!expect || entries.length === this.#ex.maxBatch) break;
      this.#predictor.observe(cur, expect);
      this.#shadow.feed(expect);
      fed++;
      const n = this.#shadow.next();
      shadowDone = n.done;
      cur = n.done ? null : n.request;
      if (cur && this.#predictor.admits?.(cur) === false) { held = true; break; }
    }
    const results = await this.#ex.execBatch(entries);
    const steps = results.map((result, i) => ({ request: entries[i]!.request, result }));
    this.#history.push(...steps);
    const inStep = results.length === entries.length && results.slice(0, fed).every((r, i) => asPredicted(r, entries[i]!.expect!));
    if (shadowDone && results.length === fed && inStep) {  // the shadow ended, and so does the run
      this.#ended = true;
      this.#shadow.release();
    }
    if (!inStep || held) this.#stale = true;
    else if (fed < entries.length) {  // the last request was not fed its prediction: feed the real result
      const last = steps[steps.length - 1]!;
      this.#predictor.observe(last.request, last.result);
      this.#shadow.feed(last.result);
    }
    return steps;
  }

  /**
   * Takes over after steps that ran elsewhere (an autonomous run that stopped early,
   * native-auto.ts): they become the history the shadow replays before its first batch.
   */
  adopt(steps: readonly Executed[]): this {
    this.#history.push(...steps);
    this.#stale = true;
    return this;
  }

  /** Brings the shadow to `req`, the real machine's pending request: replays history if stale. */
  #align(req: Request): void {
    if (!this.#stale) {
      const n = this.#shadow.next();
      if (!n.done && sameRequest(n.request, req)) return;
    }
    this.#predictor = this.#expectation();
    this.#shadow.start(this.#encoded);
    for (const h of this.#history) {
      const n = this.#shadow.next();
      if (n.done || !sameRequest(n.request, h.request)) throw new ProtocolError(`the shadow machine diverged from the real one at request ${h.request.seq}`);
      this.#predictor.observe(h.request, h.result);
      this.#shadow.feed(h.result);
    }
    const n = this.#shadow.next();
    if (n.done || !sameRequest(n.request, req)) throw new ProtocolError(`the shadow machine does not emit the real machine's request ${req.seq} (${req.op})`);
    this.#stale = false;
  }
}

