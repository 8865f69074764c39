// Reply frames read off an executor child's raw channel (the addon's socket), for the tests that
// talk to the child below spawnExecutor: test/native-frames-malformed.test.ts and
// test/helpers/refused-child.ts.
import type * as net from "node:net";
import type { Wire } from "../../src/hosts/native.js";

export interface Reply { kind: number; ret: number; errno: number; data: Buffer }

/** A reader of `sock`: each call gives the next reply frame, or "eof" once the child closed the channel. */
export function replyReader(sock: net.Socket, w: Wire): () => Promise<Reply | "eof"> {
  let buf = Buffer.alloc(0);
  let eof = false;
  let wake: () => void = () => {};
  sock.on("data", (b) => { buf = Buffer.concat([buf, b]); wake(); });
  sock.on("end", () => { eof = true; wake(); });
  sock.on("error", () => { eof = true; wake(); });
  return async () => {
    for (;;) {
      if (buf.length >= w.kLenSize) {
        const len = buf.readUInt32LE(0);
        if (buf.length >= w.kLenSize + len) {
          const p = buf.subarray(w.kLenSize, w.kLenSize + len);
          buf = buf.subarray(w.kLenSize + len);
          return { kind: p.readUInt32LE(w.kRepKind), ret: p.readInt32LE(w.kRepRet), errno: p.readInt32LE(w.kRepErrno), data: Buffer.from(p.subarray(w.kRepHeader)) };
        }
      }
      if (eof) return "eof";
      await new Promise<void>((r) => { wake = r; });
    }
  };
}
