// UTF-8 byte strings as the machine holds them: an ArrayBuffer per string, so a request can point
// into it with (ptr, len). Owns the encoding of literals (done once, at module start) and the few
// path operations the plan needs. No I/O.

/** A UTF-8 string in wasm memory. `null` is the C NULL pointer; an empty buffer is "". */
export type Bytes = ArrayBuffer | null;

/** Encodes a literal once; call at module level so the buffer is a GC root. */
export function utf8(s: string): ArrayBuffer {
  return String.UTF8.encode(s, false);
}

export function ptrOf(b: Bytes): usize {
  return b === null ? 0 : changetype<usize>(b);
}

export function lenOf(b: Bytes): i32 {
  return b === null ? 0 : b.byteLength;
}

export function text(b: Bytes): string {
  return b === null ? "NULL" : String.UTF8.decode(b, false);
}

/** The first `len` bytes of `b`, as a new buffer. */
export function prefix(b: ArrayBuffer, len: i32): ArrayBuffer {
  return b.slice(0, len);
}

/** Length of dirname(path[0:len]) for a clean absolute path: "/a/b" → 2 ("/a"), "/a" → 1 ("/"). */
export function dirnameLen(path: ArrayBuffer, len: i32): i32 {
  const p = changetype<usize>(path);
  for (let i = len - 1; i > 0; i--) {
    if (load<u8>(p + <usize>i) == 0x2f) return i;
  }
  return 1;
}

/** Whether `s` starts with the bytes of `pre` (a plain string prefix, like Go's strings.HasPrefix). */
export function hasPrefix(s: ArrayBuffer, pre: ArrayBuffer): bool {
  const n = pre.byteLength;
  if (s.byteLength < n) return false;
  return memory.compare(changetype<usize>(s), changetype<usize>(pre), <usize>n) == 0;
}

export function equals(a: ArrayBuffer, b: ArrayBuffer): bool {
  return a.byteLength == b.byteLength && hasPrefix(a, b);
}

/** Whether the byte string is exactly the ASCII literal `lit`. */
export function is(a: ArrayBuffer, lit: ArrayBuffer): bool {
  return equals(a, lit);
}
