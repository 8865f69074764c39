// Autonomous mode (host/wire.h kOpAuto): the executor child runs the whole switch on the C machine
// (the same wasm, translated by wasm2c and built into the addon) in one round trip, and sends back
// every request it made with its result. Owns the frame, the reply's decoding, and the lookahead
// that hands those steps to driveAsync. The driver feeds them to the JS machine (the wasm in V8)
// and compares each request it emits with the child's, field by field: two engines, checked
// against each other on every run. A difference is a ProtocolError, and the run stops.
import { ProtocolError } from "../errors.js";
import { STEP_NAME } from "../names.js";
import { isErr, type Request, type Result } from "../request.js";
import { decodeBytes } from "../utf8.js";
import * as abi from "../abi.js";
import type { Encoded } from "../machine.js";
import type { Wire } from "./native-addon.js";
import { frame, requestFrame, toResult } from "./native-frames.js";
import type { Executed, Lookahead } from "./host.js";

/** What one autonomous run sent back: ps_run's status, where it stopped, and the steps that ran. */
export interface AutoRun {
  /** ps_run's status (host/pivotshim.h): 0 ended, 1 invalid config, -1 trapped, -3 refused, -4 diverged, -5 stopped. */
  status: number;
  /** The seq it stopped at (diverged, stopped), or -1. */
  at: number;
  /** Nanoseconds in ps_run, timed by the child. */
  ns: number;
  steps: Executed[];
}

/** ps_run's statuses (host/pivotshim.h). */
export const AUTO_ENDED = 0;
export const AUTO_INVALID = 1;
export const AUTO_TRAPPED = -1;
export const AUTO_REFUSED = -3;
export const AUTO_DIVERGED = -4;
export const AUTO_STOPPED = -5;

/** One step of a verified plan: the request the child may run, and the result it must get. */
export interface Expected { request: Request; result: Result }

/**
 * The kOpAuto frame: the config as the machine takes it, and the verified plan (null: no
 * prediction, the run goes to its end): the child runs a request only if it is the predicted one
 * (a read's count aside), and stops at the first result that differs (a read's by kind).
 */
export function autoFrame(w: Wire, enc: Encoded, rootfs: string, expect: readonly Expected[] | null): Buffer {
  const n = expect?.length ?? 0;
  if (n > w.kMaxAutoExpect) throw new TypeError(`autonomous mode: ${n} expected steps; the wire takes at most ${w.kMaxAutoExpect}`);
  const head = frame(w, w.kOpAuto, enc.profile, enc.options, n, enc.strategy, [rootfs]);
  const tail = Buffer.alloc(w.kAutoTail);
  tail.writeInt32LE(enc.rootPropagation, 0);
  tail.writeUInt32LE(expect ? 1 : 0, 4);
  const out = Buffer.concat(expect ? [head, tail, expectedBytes(w, expect)] : [head, tail]);
  if (out.length - w.kLenSize > w.kMaxFrame) throw new TypeError(`autonomous mode: the frame is ${out.length - w.kLenSize} bytes; the wire takes at most ${w.kMaxFrame}`);
  out.writeUInt32LE(out.length - w.kLenSize, 0);
  return out;
}

/** The verified plan's part of a kAuto frame, by plan: run() hands the same remembered prediction to every run over an unchanged table. */
const expectedFrames = new WeakMap<readonly Expected[], Buffer>();

/** The (ret, errno) pairs of the predicted results, then each predicted request as its own frame ([u32 len][payload], as the child's records are). */
function expectedBytes(w: Wire, expect: readonly Expected[]): Buffer {
  const known = expectedFrames.get(expect);
  if (known) return known;
  const results = Buffer.alloc(8 * expect.length);
  expect.forEach(({ result: r }, i) => {
    results.writeInt32LE(isErr(r) ? -1 : r.ret, 8 * i);
    results.writeInt32LE(isErr(r) ? r.errno : 0, 8 * i + 4);
  });
  const bytes = Buffer.concat([results, ...expect.map((e) => requestFrame(w, e.request))]);
  expectedFrames.set(expect, bytes);
  return bytes;
}

/**
 * Reads a kAuto reply's data; throws ProtocolError naming what does not add up. Fields are read at
 * their offsets in the one buffer (a view per field was a third of the decoding).
 */
export function decodeAuto(w: Wire, status: number, at: number, data: Buffer): AutoRun {
  const bad = (what: string) => new ProtocolError(`autonomous mode: the child's reply ${what}`);
  if (data.length < w.kAutRepHeader) throw bad(`has ${data.length} bytes, less than its header`);
  const count = data.readUInt32LE(w.kAutRepCount);
  const steps: Executed[] = [];
  let p = w.kAutRepHeader;
  /** The offset of the next n bytes, which must be there. */
  const take = (n: number, what: string): number => {
    if (n > data.length - p) throw bad(`ends inside ${what} of record ${steps.length}`);
    p += n;
    return p - n;
  };
  for (let i = 0; i < count; i++) {
    const h = take(w.kAutResHeader, "the header");
    const seq = data.readInt32LE(h + w.kAutResSeq), step = data.readInt32LE(h + w.kAutResStep);
    const ret = data.readInt32LE(h + w.kAutResRet), errno = data.readInt32LE(h + w.kAutResErrno);
    const len = data.readUInt32LE(h + w.kAutResLen);
    const bytes = take(len, "the data");
    const reqLen = data.readUInt32LE(take(4, "the request's length"));
    const req = take(reqLen, "the request");
    // put_str (host/child-auto.cc) writes -1 for a NULL reason: read as no reason, never as a step back.
    const reasonLen = data.readInt32LE(take(4, "the reason's length"));
    if (reasonLen < -1) throw bad(`gives record ${steps.length} a reason of ${reasonLen} bytes`);
    const from = take(Math.max(0, reasonLen), "the reason");
    const request = requestAt(w, data, req, req + reqLen, seq, step, text(data, from, from + Math.max(0, reasonLen)));
    steps.push({ request, result: toResult(request.op, ret, errno, data.subarray(bytes, bytes + len)) });
  }
  if (p !== data.length) throw bad(`has ${data.length - p} bytes after its ${count} records`);
  return { status, at, ns: Number(data.readBigUInt64LE(w.kAutRepNs)), steps };
}

/** b[from, to) as text: ASCII (every path and reason the plans use) without the decoder, the rest as utf8.ts decodes it. */
function text(b: Buffer, from: number, to: number): string {
  for (let i = from; i < to; i++) if (b[i]! >= 0x80) return decodeBytes(b.subarray(from, to));
  return b.toString("latin1", from, to);
}

/** A request payload (requestFrame's layout, without the length) back into the request it frames. */
export function requestOfPayload(w: Wire, b: Buffer, seq: number, code: number, reason: string): Request {
  return requestAt(w, b, 0, b.length, seq, code, reason);
}

const badRequest = (seq: number, what: string) => new ProtocolError(`autonomous mode: request ${seq}: ${what}`);
/** A NULL string as the machine's own decoder reads a path: "". */
const orEmpty = (v: string | null | undefined): string => v ?? "";

/** requestOfPayload for the payload at b[from, to). Made of no closures: it runs once per request of every run. */
function requestAt(w: Wire, b: Buffer, from: number, to: number, seq: number, code: number, reason: string): Request {
  if (to - from < w.kReqHeader) throw badRequest(seq, `${to - from} bytes, less than a request header`);
  const op = b.readUInt32LE(from + w.kReqOp);
  const fd = b.readInt32LE(from + w.kReqFd), flags = b.readInt32LE(from + w.kReqFlags);
  const count = b.readInt32LE(from + w.kReqCount), mode = b.readInt32LE(from + w.kReqMode);
  const strs: (string | null)[] = [];
  let p = from + w.kReqHeader;
  for (let i = 0, n = b.readUInt32LE(from + w.kReqNstr); i < n; i++) {
    if (to - p < 4) throw badRequest(seq, "a string's length is cut off");
    const len = b.readInt32LE(p);
    p += 4;
    if (len === -1) { strs.push(null); continue; } // NULL, as put_str writes it
    if (len < 0) throw badRequest(seq, `a string of ${len} bytes`);
    if (len > to - p) throw badRequest(seq, "a string runs past the request");
    strs.push(text(b, p, p + len));
    p += len;
  }
  if (p !== to) throw badRequest(seq, "bytes after its strings");
  const step = STEP_NAME[code] || `step#${code}`;
  // Written out, not `{ ...common, op, ... }`: V8 11 (Node 20) takes a slow path for properties
  // added after a spread, about 0.6 µs each, which made this decoder most of an autonomous run's
  // time on the Node side (55 µs for a 14-request reply).
  switch (op) {
    case abi.Op.openat: return { seq, step, reason, op: "openat", dirfd: fd, pathname: orEmpty(strs[0]), flags, mode };
    case abi.Op.read: return { seq, step, reason, op: "read", fd, count };
    case abi.Op.close: return { seq, step, reason, op: "close", fd };
    case abi.Op.fchdir: return { seq, step, reason, op: "fchdir", fd };
    case abi.Op.chdir: return { seq, step, reason, op: "chdir", path: orEmpty(strs[0]) };
    case abi.Op.chroot: return { seq, step, reason, op: "chroot", path: orEmpty(strs[0]) };
    case abi.Op.pivot_root: return { seq, step, reason, op: "pivot_root", new_root: orEmpty(strs[0]), put_old: orEmpty(strs[1]) };
    case abi.Op.mount: return { seq, step, reason, op: "mount", source: strs[0] ?? null, target: orEmpty(strs[1]), filesystemtype: strs[2] ?? null, mountflags: flags, data: strs[3] ?? null };
    case abi.Op.umount2: return { seq, step, reason, op: "umount2", target: orEmpty(strs[0]), flags };
    case abi.Op.getcwd: return { seq, step, reason, op: "getcwd", size: count };
    case abi.Op.sethostname: return { seq, step, reason, op: "sethostname", name: orEmpty(strs[0]) };
    case abi.Op.mkdir: return { seq, step, reason, op: "mkdir", pathname: orEmpty(strs[0]), mode };
    case abi.Op.openat2: return { seq, step, reason, op: "openat2", dirfd: fd, pathname: orEmpty(strs[0]), flags, mode, resolve: count };
    case abi.Op.open_tree: return { seq, step, reason, op: "open_tree", dirfd: fd, pathname: orEmpty(strs[0]), flags };
    case abi.Op.move_mount: return { seq, step, reason, op: "move_mount", from_dirfd: fd, from_pathname: orEmpty(strs[0]), to_dirfd: mode, to_pathname: orEmpty(strs[1]), flags };
    case abi.Op.setns: return { seq, step, reason, op: "setns", fd, nstype: flags };
    case abi.Op.mount_setattr: return { seq, step, reason, op: "mount_setattr", dirfd: fd, pathname: orEmpty(strs[0]), flags, attr_set: mode, propagation: count };
    default: throw badRequest(seq, `unknown op ${op}`);
  }
}

/** What the lookahead needs: one autonomous run, and what takes over when it stopped early. */
export interface AutoSource {
  runAuto(): Promise<AutoRun>;
  /** The steps the autonomous run made, for the lookahead that goes on after them. */
  rest(ran: readonly Executed[]): Lookahead;
}

/**
 * The first request of a run starts the autonomous run and gets all its steps at once. A run that
 * ended there is over: a further request means the JS machine wants more than the C machine did,
 * a difference between the engines. A run that stopped early (a result that left the verified
 * plan) goes on through `rest`, which the verification then judges step by step.
 */
export class AutoLookahead implements Lookahead {
  #ran: AutoRun | null = null;
  #rest: Lookahead | null = null;
  /**
   * The run starts when the lookahead is made: the child works while the JS machine starts (the
   * child admits only predicted requests, so nothing waits on this side's first check).
   */
  readonly #started: Promise<AutoRun>;
  constructor(private readonly source: AutoSource) {
    this.#started = source.runAuto();
    this.#started.catch(() => {}); // awaited by run(); a run() that never comes must not leave it unhandled
  }

  async run(req: Request): Promise<Executed[]> {
    if (this.#rest) return this.#rest.run(req);
    if (this.#ran) {
      if (this.#ran.status === AUTO_ENDED || this.#ran.status === AUTO_INVALID)
        throw new ProtocolError(`autonomous mode: the C machine ended after ${this.#ran.steps.length} requests, but the JS machine asks for request ${req.seq} (${req.op}): the two engines differ`);
      this.#rest = this.source.rest(this.#ran.steps);
      return this.#rest.run(req);
    }
    if (req.seq !== 0) throw new ProtocolError(`autonomous mode: the first request must be request 0, got ${req.seq}`);
    const ran = await this.#started;
    this.#ran = ran;
    if (ran.status === AUTO_TRAPPED) throw new ProtocolError(`autonomous mode: the C machine trapped after ${ran.steps.length} requests, where the JS machine did not`);
    if (ran.status === AUTO_REFUSED) throw new ProtocolError("autonomous mode: the child's namespace guard refused to act (it is still in the parent's mount namespace)");
    if (ran.status === AUTO_STOPPED) throw new ProtocolError(`autonomous mode: request ${ran.at} ran, but its record did not fit in the reply (host/wire.h kMaxAutoData); the run is stopped`);
    if (ran.steps.length > 0) return ran.steps;
    if (ran.status === AUTO_ENDED || ran.status === AUTO_INVALID)
      throw new ProtocolError(`autonomous mode: the C machine ended without a request, but the JS machine asks for request 0 (${req.op}): the two engines differ`);
    this.#rest = this.source.rest([]);
    return this.#rest.run(req);
  }
}
