// Lossless bytes ↔ JS strings for everything that crosses the seam (paths from mountinfo, the
// rootfs): valid UTF-8 decodes as usual; each byte of an invalid sequence becomes the lone
// surrogate U+DC80+byte (Python's "surrogateescape") and encodes back to that same byte. So a path
// the kernel gave the machine reaches a host, a trace and the strace rendering byte for byte.

const strict = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();
const ESCAPED = /[\udc80-\udcff]/;

/** Length of the valid UTF-8 sequence at b[i] (1-4), or 0 when it is not one. */
function sequence(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (n === 0 || i + n > b.length) return 0;
  for (let k = 1; k < n; k++) if ((b[i + k]! & 0xc0) !== 0x80) return 0;
  const c1 = b[i + 1]!;
  // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not UTF-8 (RFC 3629).
  if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 > 0x9f) || (c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 > 0x8f)) return 0;
  return n;
}

export function decodeBytes(b: Uint8Array): string {
  try { return strict.decode(b); } catch { /* not UTF-8: escape the bad bytes below */ }
  let out = "";
  for (let i = 0; i < b.length;) {
    const n = sequence(b, i);
    if (n === 0) { out += String.fromCharCode(0xdc00 + b[i]!); i++; continue; }
    out += strict.decode(b.subarray(i, i + n));
    i += n;
  }
  return out;
}

export function encodeString(s: string): Uint8Array<ArrayBuffer> {
  if (!ESCAPED.test(s)) return encoder.encode(s) as Uint8Array<ArrayBuffer>;
  const parts: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u >= 0xdc80 && u <= 0xdcff && !(i > 0 && s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) <= 0xdbff)) {
      parts.push(u - 0xdc00);
      continue;
    }
    const cp = s.codePointAt(i)!;
    if (cp > 0xffff) i++;
    parts.push(...encoder.encode(String.fromCodePoint(cp)));
  }
  return Uint8Array.from(parts);
}
