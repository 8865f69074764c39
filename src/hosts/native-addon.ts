// The ONE file that declares the native addon's surface (host/addon.cc, built by cmake-js into
// build/native): its functions, the wire constants it exports from host/wire.h, and the op codes
// it was compiled with, checked against abi.Op on load. Nothing else in src/ talks to C++.
import { createRequire } from "node:module";
import { addonCandidates, buildHint } from "./native-location.js";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import * as abi from "../abi.js";
import { EnvironmentError } from "../errors.js";

/** Frame layout, control ops and reply kinds, exported by the addon from host/wire.h. */
export interface Wire {
  readonly kLenSize: number; readonly kReqOp: number; readonly kReqFd: number; readonly kReqFlags: number;
  readonly kReqCount: number; readonly kReqMode: number; readonly kReqNstr: number; readonly kReqHeader: number;
  readonly kOpPause: number; readonly kOpResume: number; readonly kOpExec: number; readonly kOpQuit: number;
  readonly kRepKind: number; readonly kRepRet: number; readonly kRepErrno: number; readonly kRepHeader: number;
  readonly kHello: number; readonly kResult: number; readonly kPaused: number; readonly kResumed: number;
  readonly kExecFailed: number; readonly kRefused: number; readonly kProtocol: number;
  readonly kMaxFrame: number; readonly kMaxData: number; readonly kMaxReply: number; readonly kMaxStrings: number; readonly kChannelFdMin: number;
  readonly kOpBatch: number; readonly kBatEntRet: number; readonly kBatEntErrno: number; readonly kBatEntAny: number;
  readonly kBatEntHeader: number; readonly kMaxBatch: number; readonly kMaxBatchFrame: number; readonly kBatch: number;
  readonly kBatRepNs: number; readonly kBatRepHeader: number; readonly kBatResRet: number; readonly kBatResErrno: number;
  readonly kBatResLen: number; readonly kBatResHeader: number;
  /** Autonomous mode (host/wire.h kOpAuto, src/hosts/native-auto.ts). */
  readonly kOpAuto: number; readonly kAuto: number; readonly kAutoTail: number; readonly kMaxAutoExpect: number;
  readonly kAutRepNs: number; readonly kAutRepCount: number; readonly kAutRepHeader: number;
  readonly kAutResSeq: number; readonly kAutResStep: number; readonly kAutResRet: number; readonly kAutResErrno: number;
  readonly kAutResLen: number; readonly kAutResHeader: number; readonly kMaxAutoData: number;
  /** The largest reply of any kind (an autonomous run's): the reader's bound. */
  readonly kMaxAnyReply: number;
  /** The child's exit status before execve, when it could not say more on the channel. */
  readonly kExitDone: number; readonly kExitSetup: number; readonly kExitParentGone: number;
  readonly kExitChannelLost: number; readonly kExitFraming: number;
  /** The hello's bit for "the C machine is made" (autonomous mode). */
  readonly kHelloAutoReady: number;
}

/** A failure of the system inside the addon (not a programming error). */
export interface SysFailure { errno: number; syscall: string }

/** The raw addon. Each function throws TypeError for bad arguments and nothing else. */
export interface NativeAddon {
  /**
   * Starts the executor child: pivotshim-child (host/child-main.cc) beside the addon, through
   * clone(CLONE_VM|CLONE_VFORK) + execve, never fork(). The child resets signal dispositions, moves its socket end to an
   * fd >= wire.kChannelFdMin, installs `stdio` (-1 = keep the parent's) as 0/1/2, closes every
   * other fd, unshares its mount namespace (and user namespace when `rootless`, mapping the
   * caller's euid/egid to 0 with setgroups "deny"), checks that it left the parent's namespace,
   * then sends a hello frame. `onExit` is called once, from a reaper thread via a thread-safe
   * function, when waitpid() returned: (exit code | null, signal number | null, waitpid errno).
   */
  spawn(opts: {
    rootless: boolean;
    /** CLONE_NEWPID at set-up; the command execs as PID 1 of it, the child stays outside as its init. */
    pidNamespace?: boolean;
    /** CLONE_NEWUTS at set-up. */
    uts?: boolean;
    stdio: readonly [number, number, number] | null;
    /** 0 or absent, or a pid: the child setns()es into its mount namespace before it unshares (a copy of it, not of ours). */
    mountNsOf?: number;
    /**
     * 0 or absent, or the memory (0 to 2^30 bytes) the child gives its C machine at start, before
     * it serves (it never allocates after): autonomous mode. Its hello says whether it got it.
     */
    autoBytes?: number;
    onExit: (code: number | null, signal: number | null, waitErrno: number) => void;
  }): { pid: number; fd: number; pidfd: number } | SysFailure;
  /** SIGKILL through the pidfd (no pid-reuse race), or kill(2) when pidfd is -1. Returns 0 or errno. */
  kill(pid: number, pidfd: number): number;
  /** close(2). Returns 0 or errno. */
  closeFd(fd: number): number;
  /** pipe2(O_CLOEXEC): [read end, write end], e.g. to capture a command's stdout. */
  pipe(): [number, number] | SysFailure;
  /** The SHA-256 of the release wasm pivotshim-child's C machine was translated from; null: built without it. */
  readonly autonomous: string | null;
  /** The absolute path of pivotshim-child beside the addon; null when it is not there. */
  readonly child: string | null;
  readonly wire: Wire;
  /** abi.Op as compiled into the addon (generated from src/abi.ts): checked against abi.Op on load. */
  readonly ops: Readonly<Record<string, number>>;
}

let loaded: NativeAddon | undefined;

/** Loads the addon once. Throws EnvironmentError when it is not built or was built from another abi.ts. */
export function loadAddon(): NativeAddon {
  if (loaded) return loaded;
  const file = addonCandidates().find((f) => existsSync(f));
  if (!file) throw new EnvironmentError(`the native host is not built: ${buildHint()}`);
  const addon = createRequire(import.meta.url)(file) as NativeAddon;
  // The addon starts its executor child from this program, built with it (CMakeLists.txt).
  if (addon.child === null) {
    const child = join(dirname(file), "pivotshim-child");
    throw new EnvironmentError(existsSync(child)
      ? `the native host's executor program ${child} cannot be executed: it must have its x bit, on a filesystem not mounted noexec`
      : `the native host's executor program pivotshim-child is not beside ${file}: ${buildHint()}`);
  }
  for (const [name, code] of Object.entries(addon.ops)) {
    if ((abi.Op as unknown as Record<string, number>)[name] !== code)
      throw new EnvironmentError(`the native host was built from another src/abi.ts (Op.${name}): ${buildHint()}`);
  }
  return (loaded = addon);
}

/** Why the native host cannot be used here, or null when it can be loaded. */
export function nativeUnavailable(): string | null {
  try { loadAddon(); return null; } catch (e) { return (e as Error).message; }
}
