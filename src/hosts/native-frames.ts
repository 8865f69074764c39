// The frames between the parent and the executor child (layout in host/wire.h, constants from
// the addon): a request, a batch of requests with their expected results, and a result out of a
// reply. Request: [u32 len][u32 op][i32 fd][u32 flags][u32 count][u32 mode][u32 nstr] then
// nstr × ([i32 len, -1 = NULL][bytes]); reply: [u32 len][u32 kind][i32 ret][i32 errno][data].
import * as abi from "../abi.js";
import { isErr, type Request, type Result } from "../request.js";
import type { Wire } from "./native-addon.js";
import { encodeString } from "../utf8.js";

/** One request of a batch and the result it is expected to have; null: whatever it returns, it is the last. */
export interface BatchEntry { request: Request; expect: Result | null }

export interface Reply { kind: number; ret: number; errno: number; data: Buffer }

export function frame(w: Wire, op: number, fd: number, flags: number, count: number, mode: number, strs: readonly (string | null)[]): Buffer {
  if (!Number.isInteger(fd) || fd < -(2 ** 31) || fd >= 2 ** 31) throw new TypeError(`fd must be an int32, got ${fd}`);
  for (const [name, v] of [["flags", flags], ["count", count], ["mode", mode]] as const)
    if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 32) throw new TypeError(`${name} must be a 32-bit integer, got ${v}`);
  if (count < 0) throw new TypeError(`count must be >= 0, got ${count}`);
  if (strs.length > w.kMaxStrings) throw new TypeError(`too many strings (${strs.length} > ${w.kMaxStrings})`);
  const bytes = strs.map((s) => {
    if (s === null) return null;
    if (typeof s !== "string") throw new TypeError(`string or null expected, got ${typeof s}`);
    if (s.includes("\0")) throw new TypeError(`a string passed to the kernel cannot contain NUL: ${JSON.stringify(s)}`);
    return Buffer.from(encodeString(s)); // the exact bytes, U+DC80+b escapes included (utf8.ts)
  });
  const len = bytes.reduce((n, b) => n + 4 + (b?.length ?? 0), w.kReqHeader);
  if (len > w.kMaxFrame) throw new TypeError(`request too large (${len} > ${w.kMaxFrame} bytes)`);
  const out = Buffer.alloc(w.kLenSize + len);
  const h = w.kLenSize;
  out.writeUInt32LE(len, 0);
  out.writeUInt32LE(op, h + w.kReqOp);
  out.writeInt32LE(fd, h + w.kReqFd);
  out.writeUInt32LE(flags >>> 0, h + w.kReqFlags);
  out.writeUInt32LE(count >>> 0, h + w.kReqCount);
  out.writeUInt32LE(mode >>> 0, h + w.kReqMode);
  out.writeUInt32LE(bytes.length, h + w.kReqNstr);
  let at = h + w.kReqHeader;
  for (const b of bytes) {
    out.writeInt32LE(b ? b.length : -1, at);
    at += 4;
    if (b) at += b.copy(out, at);
  }
  return out;
}

/**
 * A batch frame (host/wire.h): the header with op kOpBatch and count = entries, then per entry the
 * expected result and the request's own frame. Takes the longest prefix within the batch bounds.
 */
export function batchFrame(w: Wire, entries: readonly BatchEntry[]): { frame: Buffer; taken: number } {
  const parts: Buffer[] = [];
  let len = w.kReqHeader;
  for (const e of entries) {
    if (parts.length / 2 === w.kMaxBatch) break;
    const req = requestFrame(w, e.request);
    if (len + w.kBatEntHeader + req.length > w.kMaxBatchFrame) break;
    const head = Buffer.alloc(w.kBatEntHeader);
    const ex = e.expect;
    head.writeInt32LE(ex === null ? 0 : isErr(ex) ? -1 : ex.ret, w.kBatEntRet);
    head.writeInt32LE(ex === null ? 0 : isErr(ex) ? ex.errno : 0, w.kBatEntErrno);
    head.writeUInt32LE(ex === null ? 1 : 0, w.kBatEntAny);
    parts.push(head, req);
    len += w.kBatEntHeader + req.length;
  }
  const header = Buffer.alloc(w.kLenSize + w.kReqHeader);
  header.writeUInt32LE(len, 0);
  header.writeUInt32LE(w.kOpBatch, w.kLenSize + w.kReqOp);
  header.writeUInt32LE(parts.length / 2, w.kLenSize + w.kReqCount);
  return { frame: Buffer.concat([header, ...parts], w.kLenSize + len), taken: parts.length / 2 };
}

/** A result as exec() returns it: data only for a successful read or getcwd. */
export function toResult(op: Request["op"], ret: number, errno: number, data: Buffer): Result {
  if (errno !== 0) return { errno };
  return op === "read" || op === "getcwd" ? { ret, data: new Uint8Array(data) } : { ret };
}

/** One Request as a frame: the kernel's argument order, NULL kept as NULL. */
export function requestFrame(w: Wire, r: Request): Buffer {
  switch (r.op) {
    case "openat": return frame(w, abi.Op.openat, r.dirfd, r.flags, 0, r.mode, [r.pathname]);
    case "read": return frame(w, abi.Op.read, r.fd, 0, r.count, 0, []);
    case "close": return frame(w, abi.Op.close, r.fd, 0, 0, 0, []);
    case "fchdir": return frame(w, abi.Op.fchdir, r.fd, 0, 0, 0, []);
    case "chdir": return frame(w, abi.Op.chdir, 0, 0, 0, 0, [r.path]);
    case "chroot": return frame(w, abi.Op.chroot, 0, 0, 0, 0, [r.path]);
    case "pivot_root": return frame(w, abi.Op.pivot_root, 0, 0, 0, 0, [r.new_root, r.put_old]);
    case "mount": return frame(w, abi.Op.mount, 0, r.mountflags, 0, 0, [r.source, r.target, r.filesystemtype, r.data]);
    case "umount2": return frame(w, abi.Op.umount2, 0, r.flags, 0, 0, [r.target]);
    case "getcwd": return frame(w, abi.Op.getcwd, 0, 0, r.size, 0, []);
    case "sethostname": return frame(w, abi.Op.sethostname, 0, 0, 0, 0, [r.name]);
    case "mkdir": return frame(w, abi.Op.mkdir, 0, 0, 0, r.mode, [r.pathname]);
    // ABI 5: openat2's resolve rides in the count field; move_mount's to_dirfd in the mode field (the
    // count is unsigned on the wire, and a dirfd may be AT_FDCWD), host/wire.h.
    case "openat2": return frame(w, abi.Op.openat2, r.dirfd, r.flags, r.resolve, r.mode, [r.pathname]);
    case "open_tree": return frame(w, abi.Op.open_tree, r.dirfd, r.flags, 0, 0, [r.pathname]);
    case "move_mount": return frame(w, abi.Op.move_mount, r.from_dirfd, r.flags, 0, r.to_dirfd, [r.from_pathname, r.to_pathname]);
    // ABI 6: setns's nstype rides in the flags field; mount_setattr's attr.propagation in the count
    // field and attr.attr_set in the mode field (attr_clr and userns_fd are 0), host/wire.h.
    case "setns": return frame(w, abi.Op.setns, r.fd, r.nstype, 0, 0, []);
    case "mount_setattr": return frame(w, abi.Op.mount_setattr, r.dirfd, r.flags, r.propagation, r.attr_set, [r.pathname]);
    default: throw new TypeError(`unknown request op ${JSON.stringify((r as { op: unknown }).op)}`);
  }
}

/**
 * Splits the child's byte stream into replies. A reply's length comes from the child, so it is
 * checked before anything is buffered for it: below the reply header, or above wire.kMaxAnyReply
 * (the largest of the child's static reply buffers, host/wire.h), the channel is broken for good: `error` says
 * why and nothing more is decoded. Without the cap, a lying length would make the reader hold
 * every byte the child sends until the timeout.
 */
export class ReplyReader {
  #inbox: Buffer = Buffer.alloc(0);
  #error: string | null = null;
  readonly #w: Wire;
  constructor(w: Wire) { this.#w = w; }

  /** Why the stream cannot be decoded any more, or null. */
  get error(): string | null { return this.#error; }

  /** Takes the next chunk; returns the replies it completed (none once `error` is set). */
  push(chunk: Buffer): Reply[] {
    if (this.#error !== null) return [];
    const w = this.#w;
    this.#inbox = this.#inbox.length ? Buffer.concat([this.#inbox, chunk]) : chunk;
    const out: Reply[] = [];
    while (this.#inbox.length >= w.kLenSize) {
      const len = this.#inbox.readUInt32LE(0);
      if (len < w.kRepHeader || len > w.kMaxAnyReply) {
        this.#error = `a reply frame of ${len} bytes (the wire allows ${w.kRepHeader} to ${w.kMaxAnyReply}): the channel is out of step`;
        this.#inbox = Buffer.alloc(0);
        return [];
      }
      if (this.#inbox.length < w.kLenSize + len) break;
      const body = this.#inbox.subarray(w.kLenSize, w.kLenSize + len);
      out.push({
        kind: body.readUInt32LE(w.kRepKind), ret: body.readInt32LE(w.kRepRet),
        errno: body.readInt32LE(w.kRepErrno), data: Buffer.from(body.subarray(w.kRepHeader)),
      });
      this.#inbox = this.#inbox.subarray(w.kLenSize + len);
    }
    return out;
  }
}

/** What the child's exit status says before execve (host/wire.h kExit*), or "" for a plain exit. */
export function childExitMeaning(w: Wire, status: number): string {
  switch (status) {
    case w.kExitSetup: return ": a set-up step failed";
    case w.kExitParentGone: return ": it saw its parent change before PR_SET_PDEATHSIG held";
    case w.kExitChannelLost: return ": it could not write a reply on its channel";
    case w.kExitFraming: return ": it received a frame length out of bounds (framing lost)";
    default: return "";
  }
}
