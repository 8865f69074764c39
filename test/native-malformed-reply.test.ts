// Forged reply frames, as a lying child would send them, through ReplyReader: the one decoder of
// the child's byte stream (NativeExecutor feeds it every chunk its socket reads). A length below
// the reply header or above wire.kMaxAnyReply breaks the channel at once, from the 4 length bytes
// alone: nothing is buffered for it and nothing after it is decoded. A length at the bounds is a
// reply. Replies split across chunks, or several in one chunk, come out whole and in order.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { loadAddon, nativeUnavailable } from "../src/hosts/native.js";
import { ReplyReader } from "../src/hosts/native-frames.js";

const test = suite("native malformed reply");
const reason = nativeUnavailable();
const addonTest = (name: string, fn: () => void): void => {
  if (reason) { console.error(`SKIP ${name}: ${reason}`); test.skip(name, fn); } else test(name, fn);
};

/** A reply frame whose length field says `claimed`; `dataLen` real data bytes follow the header. */
function reply(kind: number, ret: number, dataLen: number, claimed?: number): Buffer {
  const w = loadAddon().wire;
  const b = Buffer.alloc(w.kLenSize + w.kRepHeader + dataLen, 0x61);
  b.writeUInt32LE(claimed ?? w.kRepHeader + dataLen, 0);
  b.writeUInt32LE(kind, w.kLenSize + w.kRepKind);
  b.writeInt32LE(ret, w.kLenSize + w.kRepRet);
  b.writeInt32LE(0, w.kLenSize + w.kRepErrno);
  return b;
}

addonTest("a length above wire.kMaxAnyReply is an error from the length alone, nothing is held", () => {
  const w = loadAddon().wire;
  for (const claimed of [w.kMaxAnyReply + 1, 0x7fffffff, 0xffffffff]) {
    const r = new ReplyReader(w);
    const head = Buffer.alloc(4);
    head.writeUInt32LE(claimed);
    assert.equal(r.push(head), []);
    assert.match(r.error ?? "", new RegExp(`^a reply frame of ${claimed} bytes \\(the wire allows ${w.kRepHeader} to ${w.kMaxAnyReply}\\)`));
    // Later bytes, even a well-formed reply, are not decoded: the stream is out of step for good.
    assert.equal(r.push(reply(w.kResult, 0, 0)), []);
  }
});

addonTest("a length below the reply header is an error (it cannot hold kind, ret, errno)", () => {
  const w = loadAddon().wire;
  for (const claimed of [0, 1, w.kRepHeader - 1]) {
    const r = new ReplyReader(w);
    assert.equal(r.push(reply(w.kResult, 0, 0, claimed)), []);
    assert.match(r.error ?? "", /the channel is out of step$/);
  }
});

addonTest("the bounds themselves are replies: kRepHeader bytes, and kMaxAnyReply bytes", () => {
  const w = loadAddon().wire;
  const r = new ReplyReader(w);
  const [small] = r.push(reply(w.kResult, 7, 0));
  assert.equal({ kind: small?.kind, ret: small?.ret, len: small?.data.length }, { kind: w.kResult, ret: 7, len: 0 });
  const big = reply(w.kBatch, 1, w.kMaxAnyReply - w.kRepHeader);
  assert.equal(r.push(big.subarray(0, 1000)), [], "incomplete: waits for the rest");
  const [last] = r.push(big.subarray(1000));
  assert.is(last?.data.length, w.kMaxAnyReply - w.kRepHeader);
  assert.is(r.error, null);
});

addonTest("replies split anywhere, or packed together, come out whole and in order", () => {
  const w = loadAddon().wire;
  const stream = Buffer.concat([reply(w.kResult, 1, 3), reply(w.kResult, 2, 0), reply(w.kResult, 3, 5)]);
  for (let cut = 0; cut <= stream.length; cut++) {
    const r = new ReplyReader(w);
    const got = [...r.push(stream.subarray(0, cut)), ...r.push(stream.subarray(cut))];
    assert.equal(got.map((x) => [x.ret, x.data.toString()]), [[1, "aaa"], [2, ""], [3, "aaaaa"]], `cut at ${cut}`);
  }
});

test.run();
