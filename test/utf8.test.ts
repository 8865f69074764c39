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

/** decodeBytes as it was before issue 10 made it fast: one TextDecoder call per sequence. */
function perSequence(b: Uint8Array): string {
  const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  try { return strict.decode(b); } catch { /* escape below */ }
  let out = "";
  for (let i = 0; i < b.length;) {
    const c = b[i]!;
    let n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (n > 1 && i + n > b.length) n = 0;
    for (let k = 1; k < n; k++) if ((b[i + k]! & 0xc0) !== 0x80) n = 0;
    const c1 = b[i + 1]!;
    if (n > 1 && ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 > 0x9f) || (c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 > 0x8f))) n = 0;
    if (n === 0) { out += String.fromCharCode(0xdc00 + c); i++; continue; }
    out += strict.decode(b.subarray(i, i + n));
    i += n;
  }
  return out;
}

test("decodeBytes gives what decoding sequence by sequence gave, on 30k generated inputs short and long", () => {
  let seed = 7;
  const rnd = (n: number) => Math.floor(((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * n);
  // Bytes near every boundary sequence() checks, plus whole sequences (é, €, 😀, the BOM) and ASCII runs.
  const atoms = [[0x80], [0xbf], [0xc0], [0xc1], [0xc2], [0xdf], [0xe0], [0xed], [0xef], [0xf0], [0xf4], [0xf5], [0xff], [0x90], [0xa0], [0x9f],
    [0xc3, 0xa9], [0xe2, 0x82, 0xac], [0xf0, 0x9f, 0x98, 0x80], [0xef, 0xbb, 0xbf], [0xed, 0xa0, 0x80], [0x61]];
  for (let k = 0; k < 30_000; k++) {
    const bytes: number[] = [];
    for (let parts = rnd(k % 100 === 0 ? 400 : 12); parts > 0; parts--) {
      if (rnd(4) === 0) for (let r = rnd(100); r > 0; r--) bytes.push(0x20 + rnd(0x5f));
      else bytes.push(...atoms[rnd(atoms.length)]!);
    }
    const b = Uint8Array.from(bytes);
    const want = perSequence(b);
    if (decodeBytes(b) !== want) assert.equal([...decodeBytes(b)].map((c) => c.codePointAt(0)), [...want].map((c) => c.codePointAt(0)), `${[...b]}`);
  }
  // Across the code-unit buffer's flushes: escapes and surrogate pairs straddling 8192 units.
  for (const n of [8190, 8191, 8192, 8193, 20_000]) {
    for (const unit of [[0xff], [0xf0, 0x9f, 0x98, 0x80, 0xff], [0xc3, 0xa9, 0x61, 0xff]]) {
      const b = Uint8Array.from({ length: n }, (_, i) => unit[i % unit.length]!);
      assert.ok(decodeBytes(b) === perSequence(b), `${n} × ${unit}`);
    }
  }
});

/** encodeString as it was before the fuzzer's deep table hung it: one code point at a time. */
function perCodePoint(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u >= 0xdc80 && u <= 0xdcff && !(i > 0 && s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) <= 0xdbff)) { out.push(u - 0xdc00); continue; }
    const cp = s.codePointAt(i)!;
    if (cp > 0xffff) i++;
    out.push(...new TextEncoder().encode(String.fromCodePoint(cp)));
  }
  return out;
}

test("encodeString gives what encoding code point by code point gave, on 30k generated strings: escapes, pairs, lone halves", () => {
  let seed = 11;
  const rnd = (n: number) => Math.floor(((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * n);
  // Escapes at both ends of their range, lone high and low halves next to them, pairs, BMP and ASCII.
  const atoms = ["\udc80", "\udcff", "\udc7f", "\udd00", "\ud800", "\udbff", "\ud83d\ude00", "\ud800\udc80", "\udbff\udcff", "é", "€", "\ufeff", "a", "/"];
  for (let k = 0; k < 30_000; k++) {
    let s = "";
    for (let parts = rnd(k % 100 === 0 ? 400 : 12); parts > 0; parts--) s += rnd(4) === 0 ? "x".repeat(rnd(50)) : atoms[rnd(atoms.length)]!;
    const got = [...encodeString(s)];
    const want = perCodePoint(s);
    if (got.length !== want.length || got.some((b, i) => b !== want[i])) assert.equal(got, want, JSON.stringify(s));
  }
});

test("a path with 0xff from mountinfo: the request, the strace line (\\377, as strace prints it) and the outcome", () => {
  const mi = "1 0 8:1 / / rw - ext4 /dev/sda rw\n2 1 0:4 / /mnt/\\377x rw - proc proc rw\n";
  const t = plan({ rootfs: "/r", profile: "runc", strategy: "move" }, { mountinfo: mi, faults: ["umount2=EBUSY"] });
  const step = t.steps.find((s) => s.request.step === "mask_umount")!;
  assert.is(step.request.op === "umount2" && step.request.target, "/mnt/\udcffx");
  assert.is(straceLine(step), 'umount2("/mnt/\\377x", MNT_DETACH) = -1 EBUSY (Device or resource busy)');
  assert.is(t.outcome.kind === "failed" && t.outcome.message, "error jailing process inside rootfs: unmount dst=/mnt/\udcffx, flags=MS_NOSUID: device or resource busy");
});

test("a byte order mark is data: EF BB BF survives the round trip at the start, inside, and next to bad bytes", () => {
  for (const bytes of [[0xef, 0xbb, 0xbf, 0x2f, 0x72], [0x2f, 0xef, 0xbb, 0xbf], [0xff, 0xef, 0xbb, 0xbf, 0xfe], [0xef, 0xbb, 0xbf]]) {
    const b = new Uint8Array(bytes);
    assert.equal([...encodeString(decodeBytes(b))], bytes, bytes.map((x) => x.toString(16)).join(" "));
  }
});

test.run();
