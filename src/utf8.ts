// Lossless bytes ↔ JS strings for everything that crosses the seam (paths from mountinfo, the
// rootfs): valid UTF-8 decodes as usual; each byte of an invalid sequence becomes the lone
// surrogate U+DC80+byte (Python's "surrogateescape") and encodes back to that same byte. So a path
// the kernel gave the machine reaches a host, a trace and the strace rendering byte for byte.

// ignoreBOM: a byte order mark is data here (EF BB BF in a path is three bytes of that path), so
// U+FEFF is kept and encodes back; TextDecoder's default drops it, which lost those bytes.
const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
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
  return escapeInvalid(b);
}

/**
 * decodeBytes for input that is not UTF-8, in one linear pass with no call per character (a 10 MB
 * log with one stray byte took seconds): a long valid run is decoded by one TextDecoder call; bad
 * bytes and short valid runs (Latin-1 text alternates them) are written as UTF-16 code units into
 * a buffer flushed through String.fromCharCode. The output is what decoding sequence by sequence
 * gave, to the character (U+FEFF included: the decoder keeps a byte order mark as data).
 */
function escapeInvalid(b: Uint8Array): string {
  const out = new Units();
  let run = 0; // start of the valid run being gathered
  for (let i = 0; i < b.length;) {
    if (b[i]! < 0x80) { i++; continue; }
    const n = sequence(b, i);
    if (n !== 0) { i += n; continue; }
    out.valid(b, run, i);
    out.unit(0xdc00 + b[i]!);
    i += 1;
    run = i;
  }
  out.valid(b, run, b.length);
  return out.done();
}

/** Valid runs at least this long go to TextDecoder whole; shorter ones are decoded in place. */
const LONG_RUN = 64;

/** The decoded string, gathered as parts and a buffer of UTF-16 code units. */
class Units {
  #parts: string[] = [];
  #buf = new Uint16Array(8192);
  #len = 0;

  unit(u: number): void {
    if (this.#len === this.#buf.length) this.#flush();
    this.#buf[this.#len++] = u;
  }

  /** b[from, to): valid UTF-8 (sequence() said so). */
  valid(b: Uint8Array, from: number, to: number): void {
    if (to - from >= LONG_RUN) {
      this.#flush();
      this.#parts.push(strict.decode(b.subarray(from, to)));
      return;
    }
    for (let i = from; i < to;) {
      const c = b[i]!;
      if (c < 0x80) { this.unit(c); i++; continue; }
      const n = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
      let cp = c & (n === 2 ? 0x1f : n === 3 ? 0x0f : 0x07);
      for (let k = 1; k < n; k++) cp = (cp << 6) | (b[i + k]! & 0x3f);
      if (cp < 0x10000) this.unit(cp);
      else { this.unit(0xd800 + ((cp - 0x10000) >> 10)); this.unit(0xdc00 + ((cp - 0x10000) & 0x3ff)); }
      i += n;
    }
  }

  done(): string {
    this.#flush();
    return this.#parts.join("");
  }

  #flush(): void {
    if (this.#len === 0) return;
    // Lone surrogates must pass untouched: String.fromCharCode keeps them (a UTF-16 TextDecoder would not).
    this.#parts.push(String.fromCharCode.apply(null, this.#buf.subarray(0, this.#len) as unknown as number[]));
    this.#len = 0;
  }
}

export function encodeString(s: string): Uint8Array<ArrayBuffer> {
  if (!ESCAPED.test(s)) return encoder.encode(s) as Uint8Array<ArrayBuffer>;
  // The text between escapes goes through the encoder in one piece each (a character at a time
  // took seconds on a few MB: the fuzzer's deep table of escaped names hung its watchdog). A piece
  // never splits a surrogate pair: a low surrogate after a high one is not an escape.
  const out = new Uint8Array(s.length * 3);
  let n = 0;
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u >= 0xdc80 && u <= 0xdcff && !(i > 0 && s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) <= 0xdbff)) {
      if (from < i) n += encoder.encodeInto(s.slice(from, i), out.subarray(n)).written;
      out[n++] = u - 0xdc00;
      from = i + 1;
    }
  }
  if (from < s.length) n += encoder.encodeInto(s.slice(from), out.subarray(n)).written;
  return out.slice(0, n);
}
