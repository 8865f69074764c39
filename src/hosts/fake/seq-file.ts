// How many bytes a read(2) of /proc/<pid>/mountinfo returns: the kernel's seq_file
// (fs/seq_file.c, seq_read_iter) fills a buffer with whole records, and copies what fits. Pure
// arithmetic on the record boundaries of the text opened; the fd keeps the little state it needs.
// Checked against Linux 6.18 (docs/sources.md#kernel-mountinfo).

/**
 * What seq_read_iter keeps between reads that the offset alone does not say: whether a whole
 * record sits in the buffer at a record boundary (a flush that filled the caller's buffer exactly,
 * or a fill with no room left). A mid-record offset always means "the rest of that record".
 */
export interface SeqState { offset: number; held?: boolean }

/** The first buffer is a page; it doubles while one record does not fit (seq_buf_alloc). */
const FIRST_BUFFER = 4096;

interface RecordIndex {
  /** ends[i]: the offset just past record i's newline (the last record may lack one). */
  ends: number[];
  /** longest[i]: the longest of records 0..i (the buffer only grows, so it is sized for all seen). */
  longest: number[];
}

const indexes = new WeakMap<Uint8Array, RecordIndex>();

/** One scan per opened text, shared by every clone of the fd (the bytes never change). */
function indexOf(data: Uint8Array): RecordIndex {
  let ix = indexes.get(data);
  if (ix) return ix;
  ix = { ends: [], longest: [] };
  let max = 0;
  // Newline to newline with the native search (a byte at a time took twice as long on 12 MB).
  for (let start = 0; start < data.length; ) {
    const nl = data.indexOf(0x0a, start);
    const end = nl < 0 ? data.length : nl + 1;
    max = Math.max(max, end - start);
    ix.ends.push(end);
    ix.longest.push(max);
    start = end;
  }
  indexes.set(data, ix);
  return ix;
}

/** The record holding byte `pos` (binary search over ends). */
function recordAt(ix: RecordIndex, pos: number): number {
  let lo = 0;
  let hi = ix.ends.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ix.ends[mid]! > pos) hi = mid; else lo = mid + 1;
  }
  return lo;
}

const startOf = (ix: RecordIndex, i: number) => (i === 0 ? 0 : ix.ends[i - 1]!);

/**
 * The bytes read(fd, count) returns at `st.offset`, and the state after it (st is updated).
 * 1. The buffer's leftover (the rest of a record) is copied first; if it does not all fit, that is all.
 * 2. Otherwise one record is always shown (the buffer doubles until it fits: a record must be
 *    shorter than the buffer, as seq_has_overflowed counts a full buffer as an overflow), then
 *    more while the buffer holds less than the caller's room and the next record still fits.
 * 3. What fits the caller's room is copied; the rest of the last record stays for the next read.
 * So with a 4 KiB buffer a read ends on a record boundary, and a record longer than the caller's
 * buffer comes out in pieces (read(fd, 4096) of a 6691-byte record: 4096, then 2595).
 */
export function seqRead(data: Uint8Array, st: SeqState, count: number): number {
  if (count <= 0 || st.offset >= data.length) return 0; // seq_read_iter: nothing asked, or EOF
  const ix = indexOf(data);
  let i = recordAt(ix, st.offset);
  let copied = 0;
  if (st.offset > startOf(ix, i) || st.held) {
    const pending = ix.ends[i]! - st.offset;
    copied = Math.min(pending, count);
    st.held = false;
    if (copied < pending) return advance(st, copied);
    if (++i === ix.ends.length) return advance(st, copied);
  }
  const room = count - copied;
  let size = FIRST_BUFFER;
  while (size <= ix.longest[i]!) size *= 2;
  let buffered = ix.ends[i]! - startOf(ix, i);
  for (let j = i + 1; j < ix.ends.length && buffered < room; j++) {
    const len = ix.ends[j]! - ix.ends[j - 1]!;
    if (buffered + len >= size) break; // overflow: shown again by the next read
    buffered += len;
  }
  const n = Math.min(buffered, room);
  st.held = n === 0; // the caller's buffer was full: the shown record waits whole
  return advance(st, copied + n);
}

function advance(st: SeqState, n: number): number {
  st.offset += n;
  return n;
}
