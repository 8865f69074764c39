// The native host: the Executor, an AsyncHost built on the addon (native-addon.ts declares its
// surface; native-frames.ts encodes the frames). It never runs a syscall of the plan
// itself: each one runs in the executor child, which has left this process's mount namespace.
// It never blocks the event loop: the child answers over a socket read by libuv.
import * as net from "node:net";
import { constants as osConstants } from "node:os";
import * as abi from "../abi.js";
import type { Request, Result } from "../request.js";
import { EnvironmentError, InvalidInputError, PivotshimError } from "../errors.js";
import { errnoName } from "../names-ts.js";
import type { AsyncHost, Lookahead } from "./host.js";
import { loadAddon, type NativeAddon, type Wire } from "./native-addon.js";
import { ReplyReader, batchFrame, childExitMeaning, frame, requestFrame, toResult, type BatchEntry, type Reply } from "./native-frames.js";
import type { Config } from "../schema.js";
import { Speculation, mountPoints, mountinfoText, type ChildState } from "./native-batch.js";
import { AutoLookahead, autoFrame, decodeAuto, type AutoRun, type Expected } from "./native-auto.js";
import { compile, moduleDigest } from "../machine.js";
import { encode } from "../config.js";
import { trustExec } from "./trust.js";

export { loadAddon, nativeUnavailable, type NativeAddon, type SysFailure, type Wire } from "./native-addon.js";
export type { BatchEntry } from "./native-frames.js";

// ---------------------------------------------------------------------------------------------
// The Executor.

/** How to get autonomous mode where it is missing. */
export const AUTONOMOUS_HINT = "npm run build:c needs wasm2c (apt-get install wabt), then npm run build:native";

/**
 * Why the addon cannot run `module`'s machine (default: the release wasm) autonomously, or null:
 * it must have the C machine built in, made from those very wasm bytes.
 */
export function autonomousOffFor(addon: NativeAddon, module?: WebAssembly.Module): string | null {
  const sha = addon.autonomous;
  if (sha === null) return `the native addon was built without the C machine (${AUTONOMOUS_HINT})`;
  const digest = moduleDigest(module ?? compile());
  if (digest !== sha) return `the addon's C machine comes from another wasm (${sha.slice(0, 12)}, this process loads ${digest?.slice(0, 12) ?? "a module of its own"}): npm run build:c && npm run build:native`;
  return null;
}

/** Default time the executor child has to answer one request (ms). */
export const DEFAULT_TIMEOUT_MS = 5000;

export interface ExecutorOptions {
  /** CLONE_NEWUSER|CLONE_NEWNS with the caller mapped to 0: no root needed. Default false. */
  rootless?: boolean;
  /**
   * CLONE_NEWPID too: the command becomes PID 1 of a new PID namespace (so a rootless command can
   * mount its own /proc), and the executor stays outside as its minimal init: it forwards the
   * signals a process sends it, reaps, and exits as the command did. As for any PID 1, the command
   * gets only the signals it handles, besides SIGKILL and SIGSTOP. Default false.
   */
  pidNamespace?: boolean;
  /**
   * CLONE_NEWUTS too: a hostname of the child's own. run() needs it for a `sethostname` hook, and
   * refuses one without it (InvalidInputError): in the host's UTS namespace it renames the host.
   * Default false.
   */
  uts?: boolean;
  /** Per-request timeout; on expiry the child is SIGKILLed and reaped. Default DEFAULT_TIMEOUT_MS. */
  timeoutMs?: number;
  /** fds to install as the child's (and the command's) 0/1/2; -1 keeps Node's. Default: Node's. */
  stdio?: [number, number, number];
  /**
   * Copy the mount namespace of this process (a pid) instead of Node's: the child joins it with
   * setns(2), then unshares as always, so it never acts in it. Needs CAP_SYS_ADMIN over that
   * namespace. The differential tests give it a throwaway namespace of their own to act as the
   * "host" of a run (test/native-propagation-after.test.ts). Default: Node's namespace.
   */
  mountNamespaceOf?: number;
  /**
   * This process's /proc/self/mountinfo, when the caller read it just before (run() has it from
   * its prediction): the table the child copies, so it is not read twice. Ignored with
   * mountNamespaceOf. Default: read here.
   */
  mountinfo?: string;
  /**
   * Autonomous mode (src/hosts/native-auto.ts): the whole switch runs in the child on the C machine
   * built into the addon, in one round trip. Default true where the addon has it (its C machine
   * must come from the wasm this process loads); false drives the child one batch at a time.
   */
  autonomous?: boolean;
}

export interface ExitStatus { status: number | null; signal: string | null }


/** Counters of the batched path (for benchmarks and tests). */
export interface BatchStats {
  /** Batch frames sent (one round trip each). */
  frames: number;
  /** Requests run in them. */
  requests: number;
  /** Nanoseconds the child spent in the batches' syscalls, timed by the child itself. */
  childNs: number;
}

/** Errors of the executor itself (not errnos of the plan, which are values). */
export type NativeErrorCode = "E_NATIVE_TIMEOUT" | "E_NATIVE_CHILD_EXITED" | "E_NATIVE_REFUSED" | "E_NATIVE_PROTOCOL";

export class NativeHostError extends PivotshimError {
  readonly pid: number;
  constructor(code: NativeErrorCode, pid: number, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.pid = pid;
  }
}

export interface Executor extends AsyncHost {
  readonly kind: "native";
  /** The child's pid (in Node's pid namespace), for /proc/<pid>/... inspection. */
  readonly pid: number;
  /** The fd number of the child's end of the channel (>= wire.kChannelFdMin): the one fd not the plan's. */
  readonly channelFd: number;
  /**
   * The child's state before any request, for the speculation's predictions: its open fds (as it
   * reported them in its hello) and the mount points it copied (this process's, read at spawn).
   */
  readonly startState: ChildState;
  /** Requests per batch frame, as the addon was built (host/wire.h kMaxBatch). */
  readonly maxBatch: number;
  /** Runs one syscall in the child: { ret, data? } or { errno }. Rejects only for executor failures. */
  exec(req: Request): Promise<Result>;
  /**
   * Runs the entries in one round trip (host/wire.h, kOpBatch), one syscall each, in order, and
   * stops after the first whose result is not the expected one, after a read or getcwd (which
   * must be last), or at the end. Returns the real results, at least one. Sends the longest
   * prefix that fits wire.kMaxBatch requests and wire.kMaxBatchFrame bytes (64 and 64 KiB); a
   * first request too large for a batch alone runs as exec(). The timeout covers the whole frame.
   */
  execBatch(entries: readonly BatchEntry[]): Promise<Result[]>;
  readonly batchStats: BatchStats;
  /**
   * For driveAsync: autonomous mode when it is available for this module (autonomousOff), else
   * speculative batches (src/hosts/native-batch.ts).
   */
  lookahead(config: Config, module?: WebAssembly.Module): Lookahead;
  /** Why autonomous mode cannot run the switch of `module`'s machine (default the release wasm), or null when it can. */
  autonomousOff(module?: WebAssembly.Module): string | null;
  /**
   * One autonomous run (host/wire.h kOpAuto): the whole switch of `config` in the child. With
   * `expect` (a verified plan), a request runs only if it is the predicted one, and the run stops
   * before the next syscall at the first result that differs (a read's by kind); null: it runs to
   * the end. Returns every request that ran with its result.
   */
  runAuto(config: Config, expect: readonly Expected[] | null): Promise<AutoRun>;
  /** Autonomous runs made, and the nanoseconds the child spent in them (for benchmarks and tests). */
  readonly autoStats: { runs: number; childNs: number };
  /** Parks the child (it reports its pid) until resume(); resolves once it is parked. */
  pause(): Promise<void>;
  /** Lets a paused child go on; resolves once it is listening again. */
  resume(): Promise<void>;
  /**
   * chdir(cwd) if given, then execve in the child's current root. On success, waits for the
   * command to exit and returns its status; on failure returns { errno } (of chdir or execve)
   * and the child keeps serving.
   */
  execve(path: string, argv: string[], env: string[], cwd?: string): Promise<ExitStatus | { errno: number }>;
  /** SIGKILL and reap; idempotent. */
  kill(): Promise<void>;
  /** Asks the child to exit (or waits for the exec'd command), reaps it; kills it if it does not go in time. */
  close(): Promise<ExitStatus>;
}

/**
 * Starts an executor child (pivotshim-child, host/child-main.cc) and waits for it to report that it left the host's namespaces.
 * Rejects with EnvironmentError when set-up fails (e.g. "needs root or --rootless"), and with
 * InvalidInputError for a timeoutMs out of 1..abi.MAX_TIMEOUT_MS.
 * The child keeps Node alive until close() or kill(); it gets SIGKILL if Node dies
 * (PR_SET_PDEATHSIG, which the exec'd command keeps too). Inherited stdio is shared with Node:
 * if Node made a pipe O_NONBLOCK, the command sees that as well (as with child_process "inherit").
 */
export async function spawnExecutor(opts: ExecutorOptions = {}): Promise<Executor> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Node's timers silently turn a wait over 2^31 - 1 ms into 1 ms: refuse it rather than kill at once.
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > abi.MAX_TIMEOUT_MS)
    throw new InvalidInputError(`timeoutMs must be a whole number of milliseconds from 1 to ${abi.MAX_TIMEOUT_MS} (2^31 - 1, the longest wait a Node timer takes), got ${timeoutMs}`, [{ path: "timeoutMs", message: "out of range" }]);
  const nsOf = opts.mountNamespaceOf ?? 0;
  if (!Number.isInteger(nsOf) || nsOf < 0 || nsOf > 0x7fffffff)
    throw new InvalidInputError(`mountNamespaceOf must be a pid (a positive whole number), got ${nsOf}`, [{ path: "mountNamespaceOf", message: "not a pid" }]);
  const addon = loadAddon();
  // The autonomous child's machine gets its memory cap at start (ps_cap: it grows within it), sized from
  // the table its copy will equal: this process's, or that of the namespace it copies.
  const table = nsOf === 0 && typeof opts.mountinfo === "string" ? opts.mountinfo : mountinfoText(nsOf > 0 ? nsOf : "self");
  const autonomous = opts.autonomous !== false && addon.autonomous !== null;
  let onExit!: (s: ExitStatus) => void;
  const exited = new Promise<ExitStatus>((resolve) => { onExit = resolve; });
  const spawned = addon.spawn({
    rootless: opts.rootless === true,
    pidNamespace: opts.pidNamespace === true,
    uts: opts.uts === true,
    stdio: opts.stdio ?? null,
    mountNsOf: nsOf,
    autoBytes: autonomous ? autonomousBytes(table.length) : 0,
    onExit: (code, sig, waitErrno) => onExit({ status: waitErrno ? null : code, signal: sig === null ? null : signalName(sig) }),
  });
  if ("errno" in spawned) {
    // The child is a program beside the addon (pivotshim-child): a filesystem mounted noexec, or a
    // copy that lost its mode, is where that exec fails.
    const why = spawned.syscall === "execve pivotshim-child" && (spawned.errno === osConstants.errno.EACCES || spawned.errno === osConstants.errno.EPERM)
      ? `; ${addon.child} must be executable, on a filesystem not mounted noexec` : "";
    throw new EnvironmentError(`cannot start the executor: ${spawned.syscall}: ${errnoName(spawned.errno)}${why}`);
  }
  // The mount points the child copies, for the predictions.
  const ex = new NativeExecutor(addon, spawned, exited, timeoutMs, mountPoints(table));
  await ex.handshake(opts.rootless === true);
  return ex;
}

/**
 * The C machine's memory for a run over a table of `n` bytes: a run at the 16 MiB cap takes about
 * 36 MiB (test/c/reserve-check.c), so 2.5 bytes a byte with 4 MiB to spare, at most
 * PS_RESERVE_ANY_RUN (48 MiB). A table that grew past it between this read and the child's makes
 * the sealed machine trap, and the run stops (native-auto.ts).
 */
export function autonomousBytes(n: number): number {
  return Math.min(48 << 20, Math.ceil(n * 2.5) + (4 << 20));
}

const SIGNAL_NAMES = new Map(Object.entries(osConstants.signals).map(([name, n]) => [n, name]));
const signalName = (n: number): string => SIGNAL_NAMES.get(n) ?? `SIG${n}`;

/** Turns a set-up failure reported by the child into the message a user can act on. */
export function setupMessage(step: string, errno: number, rootless: boolean): string {
  const what = `${step}: ${errnoName(errno)}`;
  if (step.startsWith("move the channel") && (errno === abi.EINVAL || errno === abi.EMFILE))
    return `the open-file limit (RLIMIT_NOFILE) is too low: the executor keeps its channel above fd ${loadAddon().wire.kChannelFdMin}; raise it, e.g. ulimit -n 1024 (${what})`;
  if (step.startsWith("unshare(CLONE_NEWUSER") && (errno === abi.EPERM || errno === abi.ENOSPC))
    return `user namespaces are disabled: sysctl user.max_user_namespaces / kernel.unprivileged_userns_clone (${what})`;
  if (step.startsWith("unshare(CLONE_NEWNS") && errno === abi.EPERM && !rootless) return `needs root or --rootless (${what})`;
  if (step.startsWith("copy stdio[") && errno === abi.EBADF)
    return `${step.slice("copy ".length, "copy stdio[0]".length)} is not an open file descriptor: pass an open fd, or -1 to keep Node's (${what})`;
  if (step.startsWith("prctl(PR_SET_PDEATHSIG"))
    return `the executor cannot arrange to die with this process, so it refuses to start (${what})`;
  if (step.startsWith("setns(CLONE_NEWNS)")) return `cannot enter the mount namespace given as mountNamespaceOf: it needs CAP_SYS_ADMIN over it (${what})`;
  if (step === "mount namespace check") return `the executor is still in the host's mount namespace: refusing to act (${what})`;
  if (step.includes("_map") || step.includes("setgroups")) return `cannot map ids in the new user namespace (${what})`;
  return `cannot set up the executor (${what})`;
}

interface Pending {
  what: string;
  eofIsSuccess: boolean;
  resolve(r: Reply | "eof"): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

class NativeExecutor implements Executor {
  readonly kind = "native" as const;
  /** Requests per batch, as the addon was built (host/wire.h kMaxBatch). */
  get maxBatch(): number { return this.#addon.wire.kMaxBatch; }
  readonly pid: number;
  channelFd = -1;
  startState: ChildState;
  readonly batchStats: BatchStats = { frames: 0, requests: 0, childNs: 0 };
  readonly #addon: NativeAddon;
  readonly #w: Wire;
  readonly #socket: net.Socket;
  readonly #timeoutMs: number;
  readonly #exited: Promise<ExitStatus>;
  #pidfd: number;
  #exit: ExitStatus | null = null;
  #pending: Pending | null = null;
  readonly #reader: ReplyReader;
  #frames: Reply[] = [];
  #eof = false;
  #state: "ready" | "paused" | "exec" = "ready";

  readonly autoStats = { runs: 0, childNs: 0 };
  /** The child made its C machine (its hello says so: wire.kHelloAutoReady). */
  #autonomous = false;

  constructor(addon: NativeAddon, s: { pid: number; fd: number; pidfd: number }, exited: Promise<ExitStatus>, timeoutMs: number, mounts: string[]) {
    this.startState = { fds: [], mounts };
    this.#addon = addon;
    this.#w = addon.wire;
    this.#reader = new ReplyReader(addon.wire);
    this.pid = s.pid;
    this.#pidfd = s.pidfd;
    this.#timeoutMs = timeoutMs;
    this.#exited = exited.then((st) => {
      this.#exit = st;
      if (this.#pidfd >= 0) this.#addon.closeFd(this.#pidfd);
      this.#pidfd = -1;
      return st;
    });
    this.#socket = new net.Socket({ fd: s.fd, readable: true, writable: true });
    this.#socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    this.#socket.on("error", () => { /* EPIPE/ECONNRESET: 'close' follows and reports the exit */ });
    this.#socket.on("close", () => { this.#eof = true; this.#dispatch(); });
  }

  /** Waits for the hello frame; on a set-up failure kills, reaps and throws EnvironmentError. */
  async handshake(rootless: boolean): Promise<void> {
    const hello = (await this.#request(null, "hello", false)) as Reply;
    if (hello.kind !== this.#w.kHello) throw await this.#fatal("E_NATIVE_PROTOCOL", `hello expected, got reply kind ${hello.kind}`);
    if (hello.ret < 0) {
      await this.#letExit();
      throw new EnvironmentError(setupMessage(hello.data.toString("utf8"), hello.errno, rootless));
    }
    this.channelFd = hello.ret;
    const open = hello.data.length === 1 ? hello.data[0]! : 0b111;
    this.startState.fds = [0, 1, 2].filter((fd) => open & (1 << fd)).concat(this.channelFd);
    this.#autonomous = (open & this.#w.kHelloAutoReady) !== 0;
  }

  async exec(req: Request): Promise<Result> {
    this.#expect("ready", req.op);
    const r = (await this.#request(requestFrame(this.#w, req), req.op, false)) as Reply;
    if (r.kind === this.#w.kRefused) throw await this.#fatal("E_NATIVE_REFUSED", `${req.op}: the executor child refused to act`);
    if (r.kind !== this.#w.kResult) throw await this.#unexpected(req.op, r);
    return toResult(req.op, r.ret, r.errno, r.data);
  }

  async execBatch(entries: readonly BatchEntry[]): Promise<Result[]> {
    if (entries.length === 0) throw new TypeError("execBatch: no entries");
    this.#expect("ready", "batch");
    for (const e of entries.slice(0, -1))
      if (e.expect === null || e.request.op === "read" || e.request.op === "getcwd")
        throw new TypeError(`execBatch: only the last entry may be a read, a getcwd or have no expected result (${e.request.op})`);
    const { frame: f, taken } = batchFrame(this.#w, entries);
    if (taken === 0) return [await this.exec(entries[0]!.request)];
    const what = `batch of ${taken} from ${entries[0]!.request.op}`;
    const r = (await this.#request(f, what, false)) as Reply;
    if (r.kind === this.#w.kRefused) throw await this.#fatal("E_NATIVE_REFUSED", `${what}: the executor child refused to act`);
    if (r.kind !== this.#w.kBatch || r.ret < 1 || r.ret > taken) throw await this.#unexpected(what, r);
    return this.#batchResults(entries, r);
  }

  /** Decodes a kBatch reply: u64 child ns, then one record per request run. */
  async #batchResults(entries: readonly BatchEntry[], r: Reply): Promise<Result[]> {
    const w = this.#w;
    const out: Result[] = [];
    let at = w.kBatRepHeader;
    for (let i = 0; i < r.ret; i++) {
      if (r.data.length < at + w.kBatResHeader) throw await this.#fatal("E_NATIVE_PROTOCOL", `batch: reply truncated at result ${i}`);
      const ret = r.data.readInt32LE(at + w.kBatResRet), errno = r.data.readInt32LE(at + w.kBatResErrno);
      const len = r.data.readUInt32LE(at + w.kBatResLen);
      at += w.kBatResHeader;
      if (len > r.data.length - at) throw await this.#fatal("E_NATIVE_PROTOCOL", `batch: result ${i} claims ${len} data bytes, the reply has ${r.data.length - at}`);
      out.push(toResult(entries[i]!.request.op, ret, errno, r.data.subarray(at, at + len)));
      at += len;
    }
    this.batchStats.frames++;
    this.batchStats.requests += out.length;
    this.batchStats.childNs += Number(r.data.readBigUInt64LE(w.kBatRepNs));
    return out;
  }

  lookahead(config: Config, module?: WebAssembly.Module): Lookahead {
    if (this.autonomousOff(module) !== null) return new Speculation(this, config, module);
    return new AutoLookahead({
      runAuto: () => this.runAuto(config, null),
      rest: (ran) => new Speculation(this, config, module).adopt(ran),
    });
  }

  autonomousOff(module?: WebAssembly.Module): string | null {
    const off = autonomousOffFor(this.#addon, module);
    if (off !== null) return off;
    if (!this.#autonomous) return "autonomous mode is off for this executor (autonomous: false, or the child had no memory for its C machine)";
    return null;
  }

  async runAuto(config: Config, expect: readonly Expected[] | null): Promise<AutoRun> {
    this.#expect("ready", "autonomous run");
    const off = this.autonomousOff();
    if (off !== null) throw new TypeError(`runAuto: ${off}`);
    const what = `autonomous run of ${config.profile}`;
    const r = (await this.#request(autoFrame(this.#w, encode(config), config.rootfs, expect), what, false)) as Reply;
    if (r.kind === this.#w.kRefused) throw await this.#fatal("E_NATIVE_REFUSED", `${what}: the executor child refused to act`);
    if (r.kind !== this.#w.kAuto) throw await this.#unexpected(what, r);
    let run: AutoRun;
    try {
      run = decodeAuto(this.#w, r.ret, r.errno, r.data);
    } catch (e) {
      throw await this.#fatal("E_NATIVE_PROTOCOL", `${what}: ${(e as Error).message}`);
    }
    this.autoStats.runs++;
    this.autoStats.childNs += run.ns;
    return run;
  }

  async pause(): Promise<void> {
    this.#expect("ready", "pause");
    await this.#control(this.#w.kOpPause, "pause", this.#w.kPaused);
    this.#state = "paused";
  }

  async resume(): Promise<void> {
    this.#expect("paused", "resume");
    await this.#control(this.#w.kOpResume, "resume", this.#w.kResumed);
    this.#state = "ready";
  }

  async execve(path: string, argv: string[], env: string[], cwd?: string): Promise<ExitStatus | { errno: number }> {
    this.#expect("ready", "execve");
    if (!Array.isArray(argv) || !Array.isArray(env)) throw new TypeError("execve: argv and env must be arrays of strings");
    const f = frame(this.#w, this.#w.kOpExec, 0, 0, argv.length, 0, [path, cwd ?? null, ...argv, ...env]);
    const r = await this.#request(f, "execve", true);
    if (r === "eof") {
      this.#state = "exec";  // the CLOEXEC channel closed: execve succeeded
      return this.#exited;
    }
    if (r.kind !== this.#w.kExecFailed) throw await this.#unexpected("execve", r);
    return { errno: r.errno };
  }

  async kill(): Promise<void> {
    if (!this.#exit) this.#addon.kill(this.pid, this.#pidfd);
    await this.#exited;
    this.#socket.destroy();
  }

  /**
   * A child whose set-up failed sends its hello and exits with kExitSetup by itself: wait for that
   * status (a SIGKILL on the heels of the hello hid it, depending on which side ran first), and
   * kill only a child that does not go within the timeout.
   */
  async #letExit(): Promise<void> {
    if (!this.#exit) {
      const timer = setTimeout(() => { void this.kill(); }, this.#timeoutMs);
      await this.#exited;
      clearTimeout(timer);
    }
    this.#socket.destroy();
  }

  async close(): Promise<ExitStatus> {
    if (!this.#exit && this.#state !== "exec") {
      if (!this.#eof) this.#socket.write(frame(this.#w, this.#w.kOpQuit, 0, 0, 0, 0, []));
      const timer = setTimeout(() => { void this.kill(); }, this.#timeoutMs);
      await this.#exited;
      clearTimeout(timer);
    }
    const st = await this.#exited;
    this.#socket.destroy();
    return st;
  }

  #expect(state: "ready" | "paused", what: string): void {
    if (this.#state !== state) throw new TypeError(`${what}: the executor is ${this.#state}, not ${state}`);
  }

  async #control(op: number, what: string, kind: number): Promise<void> {
    const r = (await this.#request(frame(this.#w, op, 0, 0, 0, 0, []), what, false)) as Reply;
    if (r.kind === this.#w.kRefused) throw await this.#fatal("E_NATIVE_REFUSED", `${what}: the executor child refused to act`);
    if (r.kind !== kind) throw await this.#unexpected(what, r);
  }

  /** Sends a frame (null: just wait) and waits for one reply, EOF, or the timeout. */
  #request(f: Buffer | null, what: string, eofIsSuccess: boolean): Promise<Reply | "eof"> {
    if (this.#pending) throw new TypeError(`${what}: "${this.#pending.what}" is still in flight; the executor runs one request at a time`);
    return new Promise((resolve, reject) => {
      const p: Pending = { what, eofIsSuccess, resolve, reject, timer: setTimeout(() => void this.#onTimeout(p), this.#timeoutMs) };
      this.#pending = p;
      if (f && !this.#eof) this.#socket.write(f);
      this.#dispatch();
    });
  }

  async #onTimeout(p: Pending): Promise<void> {
    if (this.#pending !== p) return;
    this.#pending = null;
    await this.kill();
    p.reject(new NativeHostError("E_NATIVE_TIMEOUT", this.pid,
      `${p.what}: no answer from the executor child ${this.pid} within ${this.#timeoutMs} ms; it was killed and reaped`));
  }

  #onData(chunk: Buffer): void {
    this.#frames.push(...this.#reader.push(chunk));
    if (this.#reader.error !== null) {  // out of step: no later byte can be trusted
      this.#frames = [];
      void this.kill();
    }
    this.#dispatch();
  }

  /** Settles the pending request with the next frame, or with EOF once no frame is left. */
  #dispatch(): void {
    const p = this.#pending;
    if (!p) return;
    const broken = this.#reader.error;
    if (broken !== null) {
      this.#pending = null;
      clearTimeout(p.timer);
      void this.#fatal("E_NATIVE_PROTOCOL", `${p.what}: ${broken}; the executor child was killed`).then((e) => p.reject(e));
      return;
    }
    const next = this.#frames.shift();
    if (!next && !this.#eof) return;
    this.#pending = null;
    clearTimeout(p.timer);
    if (next) return p.resolve(next);
    if (p.eofIsSuccess) return p.resolve("eof");
    void this.#exited.then((st) => p.reject(this.#exitedError(p.what, st)));
  }

  #exitedError(what: string, st: ExitStatus): NativeHostError {
    const how = st.signal ? `was killed by ${st.signal}` : st.status === null ? "was reaped elsewhere"
      : `exited with status ${st.status}${this.#state === "exec" ? "" : childExitMeaning(this.#w, st.status)}`;
    return new NativeHostError("E_NATIVE_CHILD_EXITED", this.pid, `${what}: the executor child ${this.pid} ${how}`);
  }

  /** A reply that does not answer the request: kProtocol says the child could not decode it. */
  #unexpected(what: string, r: Reply): Promise<NativeHostError> {
    const why = r.kind === this.#w.kProtocol
      ? `the executor child could not decode the request (${errnoName(r.errno)})`
      : `unexpected reply kind ${r.kind} (ret ${r.ret})`;
    return this.#fatal("E_NATIVE_PROTOCOL", `${what}: ${why}`);
  }

  /** A broken channel: the child cannot be trusted any more. Kill, reap, and return the error. */
  async #fatal(code: NativeErrorCode, message: string): Promise<NativeHostError> {
    await this.kill();
    return new NativeHostError(code, this.pid, message);
  }
}

// The executor's answers are decoded by native-frames.ts: the driver need not check them again.
trustExec(NativeExecutor.prototype.exec);
