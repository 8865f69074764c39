// UTF-8 byte strings as the machine holds them, and the one builder messages are written with.
// A Str is (ptr, len) packed in a u64; it points at static text (generated/text.ts), the rootfs copy
// or the mountinfo buffer, so a request can carry it as is. 0 is the C NULL; "" has a real pointer.
// No AssemblyScript `string` here (UTF-16, and it would pull the string runtime into the module).
// Also unpacks the static texts, once, at module start.
import { TEXT, TEXT_PACKED, TEXT_PACKED_SIZE, TEXT_COUNT, TEXT_LEN } from "./generated/text";

/** Unpacks the texts (scripts/gen-text.mjs packs them): a byte < 0x80 is itself; 1llloooo oooooooo
 * copies l + 3 bytes from o + 1 bytes back. Runs once, at module start, before any text is read. */
function unpack(): void {
  let to = TEXT;
  for (let i: usize = 0; i < <usize>TEXT_PACKED_SIZE; i++) {
    const c = <u32>load<u8>(TEXT_PACKED + i);
    if (c < 0x80) { store<u8>(to++, <u8>c); continue; }
    const from = to - ((c & 15) << 8 | <u32>load<u8>(TEXT_PACKED + ++i)) - 1;
    for (let k: usize = 0; k < (c >> 4 & 7) + 3; k++) store<u8>(to++, load<u8>(from + k));
  }
  // Each text's offset: the texts lie in id order, each TEXT_LEN[id] bytes long.
  let at: u32 = 0;
  for (let id: usize = 0; id < <usize>TEXT_COUNT; id++) {
    store<u16>(OFFSET + (id << 1), at);
    at += load<u8>(TEXT_LEN + id);
  }
}
/** Each text's offset in TEXT, by id (u16: TEXT is under 64 KiB, gen-text.mjs checks): zeros in the
 * module, filled by unpack(). */
const OFFSET: usize = memory.data(TEXT_COUNT << 1, 2);
unpack();

export type Str = u64;
export const NULL: Str = 0;

// @ts-ignore: decorator
@inline export function str(p: usize, n: i32): Str { return <u64>p | (<u64><u32>n << 32); }
// @ts-ignore: decorator
@inline export function ptr(s: Str): usize { return <usize><u32>s; }
// @ts-ignore: decorator
@inline export function len(s: Str): i32 { return <i32>(s >>> 32); }
/** A text of generated/text.ts by id (its index; unpack() has computed its offset). */
export function txt(id: u32): Str { return str(TEXT + <usize>load<u16>(OFFSET + (<usize>id << 1)), load<u8>(TEXT_LEN + <usize>id)); }

/** Whether `s` starts with the bytes of `pre` (a plain string prefix, like Go's strings.HasPrefix). */
export function hasPrefix(s: Str, pre: Str): bool {
  const n = len(pre);
  if (len(s) < n) return false;
  const a = ptr(s), b = ptr(pre);
  for (let i: usize = 0; i < <usize>n; i++) if (load<u8>(a + i) != load<u8>(b + i)) return false;
  return true;
}

export function equals(a: Str, b: Str): bool { return len(a) == len(b) && hasPrefix(a, b); }

// The builder: one growing buffer in the run's arena. open() starts a text, close() returns it;
// the bytes stay valid until the next start() (nothing is freed before).
let bPtr: usize = 0;
let bLen: i32 = 0;
let bCap: i32 = 0;

export function open(): void { bCap = 128; bLen = 0; bPtr = heap.alloc(<usize>bCap); }

export function close(): Str { return str(bPtr, bLen); }

function room(n: i32): usize {
  if (bLen + n > bCap) {
    bCap = (bLen + n) << 1;
    const bigger = heap.alloc(<usize>bCap);
    memory.copy(bigger, bPtr, <usize>bLen);
    bPtr = bigger;
  }
  const at = bPtr + <usize>bLen;
  bLen += n;
  return at;
}

export function put(s: Str): void { memory.copy(room(len(s)), ptr(s), <usize>len(s)); }
export function putText(id: u32): void { put(txt(id)); }
export function putByte(c: i32): void { store<u8>(room(1), <u8>c); }

/** Decimal, as i32.toString() prints it. */
export function putDec(v: i32): void {
  if (v < 0) putByte(0x2d);
  let u: u32 = v < 0 ? <u32>(-<i64>v) : <u32>v;
  let n = 1;
  for (let t = u; t >= 10; t /= 10) n++;
  const at = room(n);
  do { store<u8>(at + <usize>--n, <u8>(0x30 + u % 10)); u /= 10; } while (n > 0);
}

/** Lower-case hex without leading zeros, as u32.toString(16) prints it. */
export function putHex(u: u32): void {
  let n = 1;
  for (let t = u; t >= 16; t >>= 4) n++;
  const at = room(n);
  do { const d = u & 15; store<u8>(at + <usize>--n, <u8>(d < 10 ? 0x30 + d : 0x57 + d)); u >>= 4; } while (n > 0);
}

/** The byte at `i` of the text being built (for goErr's lower-casing). */
export function builtAt(i: i32): usize { return bPtr + <usize>i; }
export function built(): i32 { return bLen; }

/** Traps through env.abort with an ASCII message, as the AssemblyScript string abort() takes. */
export function trap(msg: Str): void {
  const n = len(msg);
  const s = __new(<usize>n << 1, idof<String>());
  for (let i = 0; i < n; i++) store<u16>(s + (<usize>i << 1), load<u8>(ptr(msg) + <usize>i));
  abort(changetype<string>(s), "assembly/machine.ts");
}
