// Loads and instantiates the wasm machine and wraps its exports in Machine { start, next, feed }.
// Owns the memory views and the env.abort import (turned into typed errors). Checks
// abi_version() at instantiation. Decides nothing about the switch: that is the machine's job.
import { existsSync, readFileSync } from "node:fs";
import * as abi from "./abi.js";
import { RequestDecoder, readStr, type Request, type Result, isErr, what } from "./request.js";
import { MachineTrapError, ProtocolError } from "./errors.js";
import { STEP_NAME } from "./names.js";
import { errnoName } from "./names-ts.js";
import { encodeString } from "./utf8.js";

export interface Exports {
  memory: WebAssembly.Memory;
  abi_version(): number;
  input_ptr(): number;
  input_cap(): number;
  start(rootfsLen: number, profile: number, strategy: number, rootPropagation: number, options: number): number;
  next(): number;
  feed(ret: number, errno: number): void;
  request_ptr(): number;
  outcome_ptr(): number;
  /** The grammar check without a run (docs/ABI.md §13; src/mountinfo-check.ts): room for len bytes, 0 past MOUNTINFO_CAP. */
  mountinfo_buffer(len: number): number;
  /** 0 when the len bytes in that room are well-formed, else a pointer to the (ptr, len) message slot. */
  mountinfo_check(len: number): number;
}

/** The compact encoding start() takes; built from a validated Config by config.ts. */
export interface Encoded {
  rootfs: string;
  profile: abi.Profile;
  strategy: abi.Strategy;
  rootPropagation: number;
  options: number;
}

export type Outcome =
  | { kind: "done"; note: string }
  | { kind: "failed"; op: string; path: string | null; errno: number; errnoName: string; step: string; seq: number; message: string; note: string };

export type Next = { done: false; request: Request } | { done: true; outcome: Outcome };

/** build/wasm/<flavor>.wasm, found from src/ (tsx) or dist/src/ (compiled). */
function wasmPath(flavor: "release" | "debug"): URL {
  const candidates = [`../build/wasm/${flavor}.wasm`, `../../build/wasm/${flavor}.wasm`].map((p) => new URL(p, import.meta.url));
  return candidates.find((u) => existsSync(u)) ?? candidates[1]!;
}
const compiled = new Map<string, WebAssembly.Module>();
/** Per module compile() made: the bytes it was compiled from, replaced by their SHA-256 (hex) on first ask. */
const digests = new WeakMap<WebAssembly.Module, Uint8Array | string>();

/** Compiles (once per process) the release or debug module. */
export function compile(flavor: "release" | "debug" = "release", bytes?: Uint8Array<ArrayBuffer>): WebAssembly.Module {
  const key = bytes ? "" : flavor;
  const hit = key ? compiled.get(key) : undefined;
  if (hit) return hit;
  const code = bytes ?? readFileSync(wasmPath(flavor));
  const mod = new WebAssembly.Module(code);
  digests.set(mod, code);
  if (key) compiled.set(key, mod);
  return mod;
}

/**
 * The SHA-256 (hex) of the bytes a module was compiled from by compile(); null for a module made
 * elsewhere. The addon's C machine is used only for the wasm it was translated from (native-auto.ts).
 */
export function moduleDigest(mod: WebAssembly.Module): string | null {
  const known = digests.get(mod);
  if (known === undefined || typeof known === "string") return known ?? null;
  // node:crypto is loaded here, not at import: only `run` asks, and loading it costs a cold
  // `pivotshim plan` about 5 ms (bench: cold CLI).
  const digest = process.getBuiltinModule("node:crypto").createHash("sha256").update(known).digest("hex");
  digests.set(mod, digest);
  return digest;
}

/** Idle instances per module: instantiating costs ~100 µs, start() resets one completely. */
const idle = new WeakMap<WebAssembly.Module, Machine[]>();
const POOL_MAX = 8;

export class Machine {
  readonly exports: Exports;
  readonly module: WebAssembly.Module;
  #pending: Request | null = null;
  readonly #decoder = new RequestDecoder();
  #ended = false;

  private constructor(exports: Exports, module: WebAssembly.Module) { this.exports = exports; this.module = module; }

  /** A fresh instance: each run gets clean state. Throws ProtocolError on an ABI version mismatch. */
  static create(module: WebAssembly.Module = compile()): Machine {
    let memory: WebAssembly.Memory | undefined;
    const abort = (msg: number, file: number, line: number, col: number) => {
      const read = (p: number) => (p && memory ? asString(memory.buffer, p) : "");
      const text = read(msg) || "abort";
      // The machine reports misuse as "protocol: ..." (assembly/machine.ts): a caller bug, not a trap.
      if (text.startsWith("protocol: ")) throw new ProtocolError(text.slice("protocol: ".length));
      throw new MachineTrapError(text, read(file) || "?", line || col);
    };
    const instance = new WebAssembly.Instance(module, { env: { abort } });
    const ex = instance.exports as unknown as Exports;
    memory = ex.memory;
    const v = ex.abi_version();
    if (v !== abi.ABI_VERSION) {
      throw new ProtocolError(`wasm machine has ABI version ${v}, this library speaks ${abi.ABI_VERSION}: rebuild (npm run build)`);
    }
    return new Machine(ex, module);
  }

  /** An idle instance of `module` from the pool, or a new one; give it back with release(). */
  static acquire(module: WebAssembly.Module = compile()): Machine {
    return idle.get(module)?.pop() ?? Machine.create(module);
  }

  /**
   * Returns this instance to the pool, but only after its run ended normally: an instance left
   * mid-run (an exception, a protocol error) is dropped, never reused.
   */
  release(): void {
    if (!this.#ended || this.#pending) return;
    const list = idle.get(this.module) ?? [];
    if (list.length < POOL_MAX && !list.includes(this)) list.push(this);
    idle.set(this.module, list);
  }

  /** Starts a run. An invalid encoding makes the run end FAILED at once (the machine checks too). */
  start(cfg: Encoded): void {
    const bytes = utf8Of(cfg.rootfs);
    const cap = this.exports.input_cap();
    if (bytes.length > cap) throw new ProtocolError(`rootfs is ${bytes.length} bytes; the machine takes at most ${cap}`);
    new Uint8Array(this.exports.memory.buffer, this.exports.input_ptr(), bytes.length).set(bytes);
    this.exports.start(bytes.length, cfg.profile, cfg.strategy, cfg.rootPropagation, cfg.options);
    this.#pending = null;
    this.#ended = false;
  }

  /** The next request, or the outcome once the run has ended. */
  next(): Next {
    const ptr = this.exports.next();
    const req = this.#decoder.decode(this.exports.memory.buffer, ptr);
    if (req) { this.#pending = req; return { done: false, request: req }; }
    this.#ended = true;
    return { done: true, outcome: this.outcome() };
  }

  /**
   * Feeds the result of the pending request; copies read/getcwd data into the machine's buffer.
   * The result is checked at this seam first (checkResult): a host that claims more bytes than it
   * wrote would make the machine parse whatever its buffer held before (another run's mountinfo).
   */
  feed(result: Result): void {
    const req = this.#pending;
    if (req) checkResult(req, result);
    if (req && !isErr(result) && (req.op === "read" || req.op === "getcwd")) {
      const view = new DataView(this.exports.memory.buffer);
      const at = view.getUint32(this.exports.request_ptr() + abi.REQ_BUF, true);
      const count = view.getInt32(this.exports.request_ptr() + abi.REQ_COUNT, true);
      const data = result.data ?? EMPTY;
      if (data.length > count) {
        throw new ProtocolError(`${what(req)} answered ${data.length} bytes for a ${count}-byte buffer`);
      }
      new Uint8Array(this.exports.memory.buffer, at, data.length).set(data);
    }
    this.#pending = null;
    if (isErr(result)) this.exports.feed(-1, result.errno);
    else this.exports.feed(result.ret, 0);
  }

  get ended(): boolean { return this.#ended; }

  private outcome(): Outcome {
    const buf = this.exports.memory.buffer;
    const base = this.exports.outcome_ptr();
    const view = new DataView(buf);
    const mem = new Uint8Array(buf);
    const op = view.getInt32(base + abi.OUT_OP, true);
    const note = readStr(mem, view, base + abi.OUT_NOTE) ?? "";
    const reqOp = view.getInt32(this.exports.request_ptr() + abi.REQ_OP, true);
    if (reqOp === abi.Op.DONE) return { kind: "done", note };
    const errno = view.getInt32(base + abi.OUT_ERRNO, true);
    return {
      kind: "failed", op: op ? abi.Op[op] ?? `op${op}` : "none", path: readStr(mem, view, base + abi.OUT_PATH), errno,
      errnoName: errno ? errnoName(errno) : "", step: STEP_NAME[view.getInt32(base + abi.OUT_STEP, true)] ?? "none",
      seq: view.getInt32(base + abi.OUT_SEQ, true), message: readStr(mem, view, base + abi.OUT_MESSAGE) ?? "", note,
    };
  }
}

const EMPTY = new Uint8Array(0);

/**
 * The checks of one result against its request, before anything reaches the machine: an errno
 * the kernel can return (1..MAX_ERRNO), a ret the i32 slot holds, and for read/getcwd a ret equal
 * to the bytes supplied. Each is a ProtocolError naming the request (a host bug, not bad input).
 */
function checkResult(req: Request, r: Result): void {
  if (isErr(r)) {
    if (!Number.isInteger(r.errno) || r.errno < 1 || r.errno > abi.MAX_ERRNO) {
      throw new ProtocolError(`${what(req)} answered errno ${r.errno}: an errno is an integer from 1 to ${abi.MAX_ERRNO}`);
    }
    return;
  }
  if (!Number.isInteger(r.ret) || r.ret < abi.I32_MIN || r.ret > abi.I32_MAX) {
    throw new ProtocolError(`${what(req)} answered ret ${r.ret}: a ret is an integer that fits in 32 bits`);
  }
  if (req.op !== "read" && req.op !== "getcwd") return;
  const n = r.data?.length ?? 0;
  const room = req.op === "read" ? req.count : req.size;
  if (r.ret > room) throw new ProtocolError(`${what(req)} answered ret ${r.ret} for a ${room}-byte buffer`);
  if (r.ret >= 0 ? r.ret !== n : n !== 0) {
    throw new ProtocolError(`${what(req)} answered ret ${r.ret} but supplied ${n} bytes: a read's ret must equal the bytes it wrote`);
  }
}

let lastText = "";
let lastBytes = new Uint8Array(0);
/** UTF-8 of a rootfs; explore starts thousands of runs with the same one, so the last is kept. */
function utf8Of(text: string): Uint8Array {
  if (text !== lastText) { lastBytes = encodeString(text); lastText = text; }
  return lastBytes;
}

/** An AssemblyScript string (UTF-16, byte length at ptr-4), as env.abort receives it. */
function asString(buffer: ArrayBuffer, ptr: number): string {
  const len = new DataView(buffer).getUint32(ptr - 4, true);
  return String.fromCharCode(...new Uint16Array(buffer.slice(ptr, ptr + len)));
}
