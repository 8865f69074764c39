// The machine's mountinfo grammar for the shell: runs the wasm parser (mountinfo_buffer +
// mountinfo_check, docs/ABI.md §13) over a text, so the fake kernel and the CLI refuse exactly what a
// run would, with the same message. The rules live only in assembly/mountinfo.ts; none are copied here.
import { MOUNTINFO_CAP } from "./abi.js";
import { Machine, compile, type Exports } from "./machine.js";
import { encodeString } from "./utf8.js";

type CheckExports = Pick<Exports, "memory" | "mountinfo_buffer" | "mountinfo_check">;

const encoder = new TextEncoder();

/** One instance kept for checks only: mountinfo_buffer() discards any run, so none runs here. */
let kept: CheckExports | null = null;
const instance = (): CheckExports => (kept ??= Machine.create(compile()).exports);

/**
 * The message a run would end FAILED with on these bytes ("malformed mountinfo, line N: ..."), or
 * null when every line is well-formed. A text of MOUNTINFO_CAP bytes or more gets the run's cap message
 * (a run fails at the cap itself: its buffer is full before EOF).
 */
export function mountinfoError(text: string | Uint8Array): string | null {
  // Every character is at least one byte (an escape is one, a pair four): a text this long is past
  // the cap before it is encoded, which would take seconds for hundreds of MB.
  if (text.length >= MOUNTINFO_CAP) return `mountinfo is larger than the ${MOUNTINFO_CAP}-byte cap`;
  let len = -1;
  if (typeof text === "string") {
    // ASCII (the usual table) is one byte a character: written straight into the machine's
    // buffer, it is there when the encoder read every character into as many bytes (a character
    // past ASCII takes two or more, and the room runs out first). encodeString's copy was a
    // 12 MB ArrayBuffer for a 100k-line table (V8 counts those towards a full collection).
    const c = instance();
    const at = c.mountinfo_buffer(text.length);
    const r = encoder.encodeInto(text, new Uint8Array(c.memory.buffer, at, text.length));
    if (r.read === text.length && r.written === text.length) len = text.length;
  }
  if (len < 0) { // not ASCII: encodeString writes escaped bytes as themselves (utf8.ts)
    const bytes = typeof text === "string" ? encodeString(text) : text;
    if (bytes.length >= MOUNTINFO_CAP) return `mountinfo is larger than the ${MOUNTINFO_CAP}-byte cap`;
    len = bytes.length;
    const c = instance();
    const at = c.mountinfo_buffer(len);
    new Uint8Array(c.memory.buffer, at, len).set(bytes);
  }
  const checker = instance();
  const slot = checker.mountinfo_check(len);
  if (slot === 0) return null;
  const view = new DataView(checker.memory.buffer);
  const p = view.getUint32(slot, true);
  const n = view.getInt32(slot + 4, true);
  return new TextDecoder().decode(new Uint8Array(checker.memory.buffer, p, n));
}
