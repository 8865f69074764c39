// The lossless bytes ↔ string codec (src/utf8.ts) and what it buys end to end: a mountinfo path
// that is not UTF-8 reaches the request, the strace line and the wire frame with its exact bytes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { decodeBytes, encodeString } from "../src/utf8.js";
import { plan } from "../src/plan.js";
import { straceLine } from "../src/format/strace.js";

const bytes = (...b: number[]) => new Uint8Array(b);

const ROWS: [string, Uint8Array, string][] = [
  ["ASCII", bytes(0x2f, 0x72), "/r"],
  ["valid UTF-8 (é, 😀)", new TextEncoder().encode("/é/😀"), "/é/😀"],
  ["a lone 0xff", bytes(0x2f, 0xff, 0x78), "/\udcffx"],
  ["a Latin-1 name", bytes(0x63, 0x61, 0x66, 0xe9), "caf\udce9"],
  ["a cut sequence at the end", bytes(0x61, 0xc3), "a\udcc3"],
  ["an overlong /", bytes(0xc0, 0xaf), "\udcc0\udcaf"],
  ["an encoded surrogate", bytes(0xed, 0xa0, 0x80), "\udced\udca0\udc80"],
];

for (const [what, b, s] of ROWS) {
  test(`${what}: decodes to ${JSON.stringify(s)} and encodes back to the same bytes`, () => {
    assert.is(decodeBytes(b), s);
    assert.equal([...encodeString(s)], [...b]);
  });
}

test("a path with 0xff from mountinfo: the request, the strace line (\\377, as strace prints it) and the outcome", () => {
  const mi = "1 0 8:1 / / rw - ext4 /dev/sda rw\n2 1 0:4 / /mnt/\\377x rw - proc proc rw\n";
  const t = plan({ rootfs: "/r", profile: "runc", strategy: "move" }, { mountinfo: mi, faults: ["umount2=EBUSY"] });
  const step = t.steps.find((s) => s.request.step === "mask_umount")!;
  assert.is(step.request.op === "umount2" && step.request.target, "/mnt/\udcffx");
  assert.is(straceLine(step), 'umount2("/mnt/\\377x", MNT_DETACH) = -1 EBUSY (Device or resource busy)');
  assert.is(t.outcome.kind === "failed" && t.outcome.message, "error jailing process inside rootfs: unmount dst=/mnt/\udcffx, flags=MS_NOSUID: device or resource busy");
});

test.run();
