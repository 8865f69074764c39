// /proc/self/mountinfo: rendering from the model exactly as proc(5) and fs/proc_namespace.c print it
// (relative to the reader's root, with the kernel's octal escapes), as a text or as the bytes an
// open(2) hands out. Splitting a text back into entries is mountinfo-parse.ts's (re-exported here).
import { MOUNTINFO_CAP, MS_RDONLY } from "../../abi.js";
import { MNT_OPTS } from "./mountinfo-parse.js";
import type { Mount, Proc, State } from "./model.js";
import { ROOT_INO, dentryPath } from "./model.js";
import { fsOf } from "./mounts.js";
import { dominatingGroup } from "./propagation.js";
import { type NameList, type PathAt, mountPathSplit, pathFrom, pathFromMemo } from "./resolve.js";
import { encodeString } from "../../utf8.js";

export {
  type Entry, type Heads, MNT_OPTS, decimal, entryAt, mountinfoHeads, parseLine, parseMountInfoOpts, parseMountinfo, unescape,
} from "./mountinfo-parse.js";

/** mangle(): space, tab, newline and backslash as \ooo. */
export function escape(s: string): string {
  if (!mangled(s)) return s; // the common case, without allocating
  return s.replace(/[ \t\n\\]/g, (c) => "\\" + c.charCodeAt(0).toString(8).padStart(3, "0"));
}

/**
 * Whether s has a character mangle() writes as \ooo. A loop, not a regexp test: a 100k-line
 * render asks this of 800k short names and fields, where a regexp call cost more than the scan.
 */
function mangled(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x5c) return true;
  }
  return false;
}

/** The per-mount options text of each flags value (a handful of distinct ones in any table). */
const OPTS_TEXT = new Map<number, string>();

/** The per-mount flags as text, without the unknown options kept from a parsed table (extraOpts). */
function mountOpts(m: Mount): string {
  let out = OPTS_TEXT.get(m.flags);
  if (out === undefined) {
    out = m.flags & MS_RDONLY ? "ro" : "rw";
    for (const [bit, name] of MNT_OPTS) if (m.flags & bit) out += "," + name;
    if (OPTS_TEXT.size < 4096) OPTS_TEXT.set(m.flags, out);
  }
  return out;
}

function optionalFields(s: State, m: Mount, reader: Proc, dom: Map<number, number> | undefined, out: Parts): void {
  if (m.peer !== 0) add(out, " shared:", m.peer);
  if (m.master !== 0) {
    add(out, " master:", m.master);
    // get_dominating_id depends on the master group alone (and the reader), not on m: one walk per group.
    let d = dom?.get(m.master);
    if (d === undefined) {
      d = dominatingGroup(s, m, reader.ns, reader.root);
      dom?.set(m.master, d);
    }
    d ||= m.propFrom;
    if (d !== 0 && d !== m.master) add(out, " propagate_from:", d);
  }
  if (m.unbindable) add(out, " unbindable");
}

/**
 * A line's pieces, numbers as numbers (join() writes them as a template would): joined, a line is
 * one flat string, where a template made a chain of partial strings per line that lived until the
 * file was joined (100k lines: a render 450 -> 300 ms, mostly the garbage collector's). The first
 * `n` of `a` are current: a reused array is overwritten, never emptied with `length = 0`, which
 * drops its storage (regrowing it allocated more than a 100k-line render wrote).
 */
interface Parts { a: (string | number)[]; n: number }

function add(out: Parts, x: string | number, y?: string | number): void {
  out.a[out.n++] = x;
  if (y !== undefined) out.a[out.n++] = y;
}

/** The text of the current pieces. */
function joined(out: Parts): string {
  out.a.length = out.n;
  return out.a.join("");
}

/** The names below a mount's path (mountPathSplit's), leaf first; reused for every line. */
const NAMES: NameList = { list: [], n: 0, lastMemo: undefined, lastParent: undefined, lastTree: undefined };

/** After a render: NAMES keeps nothing of its state (a 100k-mount tree). */
function forget(): void {
  NAMES.lastMemo = NAMES.lastParent = NAMES.lastTree = undefined;
  NAMES.list.length = 0;
}

/**
 * Pushes the escaped path of `m`'s root as `reader` sees it, false (nothing pushed) when it is
 * outside the reader's root. With a memo the path goes in as its pieces (the path above, then
 * "/" and each name): no string per line (escape works character by character, so escaping the
 * pieces is escaping their join).
 */
function pathParts(s: State, m: Mount, reader: Proc, memo: Map<number, PathAt> | undefined, out: Parts): boolean {
  const above = memo ? mountPathSplit(s, m, reader.root, memo, NAMES) : null;
  if (above === null) {
    const pos = { mnt: m.id, ino: m.root };
    const at = memo ? pathFromMemo(s, pos, reader.root, memo) : pathFrom(s, pos, reader.root);
    if (at.unreachable) return false;
    add(out, escape(at.path));
    return true;
  }
  if (above.unreachable) return false;
  const { list, n } = NAMES;
  if (n === 0 || above.path !== "/") add(out, escape(above.path));
  for (let i = n - 1; i >= 0; i--) add(out, "/", escape(list[i]!));
  return true;
}

/** Pushes the pieces of `m`'s line as `reader` sees it onto `out`; false (nothing pushed) when it is outside the reader's root. */
function lineParts(s: State, m: Mount, reader: Proc, memo: Map<number, PathAt> | undefined, dom: Map<number, number> | undefined, out: Parts): boolean {
  const fs = fsOf(s, m);
  const mark = out.n;
  add(out, m.id, " ");
  add(out, m.parent === 0 ? m.id : m.parent, " ");
  add(out, fs.dev, " ");
  add(out, m.root === ROOT_INO ? "/" : escape(dentryPath(fs.tree, m.root)), " ");
  if (!pathParts(s, m, reader, memo, out)) {
    out.n = mark;
    return false;
  }
  add(out, " ", mountOpts(m));
  add(out, m.extraOpts);
  optionalFields(s, m, reader, dom, out);
  add(out, " - ", escape(fs.fstype));
  add(out, " ", escape(m.source ?? "none"));
  add(out, " ", fs.superOpts);
  add(out, "\n");
  return true;
}

/**
 * One line for `m` as `reader` sees it, or null when the mount is outside the reader's root. The
 * memos (renderMountinfo's) are valid while the state does not change.
 */
export function renderLine(s: State, m: Mount, reader: Proc, memo?: Map<number, PathAt>, dom?: Map<number, number>): string | null {
  const out: Parts = { a: [], n: 0 };
  const shown = lineParts(s, m, reader, memo, dom, out);
  forget();
  return shown ? joined(out) : null;
}

/**
 * The whole file for a process: its namespace's mounts in list order, those after seq `after`
 * only when given (a read resuming, sys-fs.ts), each line's seq pushed on `seqs`. `dom` may hold the
 * dominating group of master groups ahead (host-view.ts renders a copy that lacks the other
 * namespaces propagate_from is found through). Every line's pieces go into one array, joined
 * once: no string per line.
 */
export function renderMountinfo(s: State, reader: Proc, dom = new Map<number, number>(), after = 0, seqs?: number[]): string {
  const memo = new Map<number, PathAt>();
  const parts: Parts = { a: [], n: 0 };
  for (const m of listed(s, reader, after)) if (lineParts(s, m, reader, memo, dom, parts)) seqs?.push(m.seq);
  forget();
  return joined(parts);
}

/**
 * The reader's namespace's mounts in list order (by seq), those after `after` only: a read that
 * resumes after the table changed shows the mounts past the last one it showed (sys-fs.ts liveTail).
 * s.mounts is already in seq order, so nothing is sorted: a mount gets its seq when it is inserted
 * (mounts.ts addMountOf), and the one renumbering, a namespace made by open_tree (sys-ns.ts), numbers
 * the copies in the order they were made (test "a namespace made by open_tree(OPEN_TREE_NAMESPACE)"
 * in test/mutation-kills-fake-render.test.ts). A sort here was a check that could not fire.
 */
function listed(s: State, reader: Proc, after = 0): Mount[] {
  const list: Mount[] = [];
  // forEach, not for-of: the iterator's result objects were 12 MB of a 100k-mount render.
  s.mounts.forEach((m) => {
    if (m.ns === reader.ns && m.seq > after) list.push(m);
  });
  return list;
}

/**
 * The file as open(2) hands it out: encodeString(renderMountinfo(s, reader)), the same bytes,
 * written line by line into one buffer (ASCII characters and integers byte by byte) instead of
 * joined into a string and encoded: joining 100k lines' pieces was half of a 300 ms render. A
 * text with any character past ASCII is rendered and encoded the long way (utf8.ts decides how
 * an escaped byte or a surrogate pair is written; no piece here splits such a pair).
 */
export function renderMountinfoBytes(s: State, reader: Proc, after = 0, seqs?: number[]): Uint8Array {
  const memo = new Map<number, PathAt>();
  const dom = new Map<number, number>();
  const list = listed(s, reader, after);
  const seqsFrom = seqs?.length ?? 0;
  let buf = scratch;
  if (buf.length < list.length * 160) buf = new Uint8Array(list.length * 160); // ample for most lines: growing copies it all
  let n = 0;
  const parts: Parts = { a: [], n: 0 };
  for (const m of list) {
    parts.n = 0;
    if (!lineParts(s, m, reader, memo, dom, parts)) continue;
    seqs?.push(m.seq);
    for (let k = 0; k < parts.n; k++) {
      const p = parts.a[k]!;
      if (typeof p === "number") { // an ID: the model's own, or a table's (the grammar's digits, at most 10)
        if (n + 16 > buf.length) buf = grow(buf, n + 16);
        n = writeUint(buf, n, p);
        continue;
      }
      if (n + p.length > buf.length) buf = grow(buf, n + p.length);
      for (let i = 0; i < p.length; i++) {
        const c = p.charCodeAt(i);
        if (c >= 0x80) {
          forget();
          if (seqs) seqs.length = seqsFrom; // the long way lists them again
          return encodeString(renderMountinfo(s, reader, undefined, after, seqs));
        }
        buf[n++] = c;
      }
    }
  }
  forget();
  if (buf.length <= SCRATCH_KEPT) scratch = buf;
  return buf.slice(0, n);
}

/**
 * The buffer renderMountinfoBytes writes into, kept for the next render (the file is copied out
 * at its exact size): a new 16 MB ArrayBuffer per 100k-line render, with the 12 MB copy, made V8
 * start a full collection for external memory pressure in every check(). Kept up to twice the
 * machine's cap on the file (MOUNTINFO_CAP, 16 MiB).
 */
/** The scratch buffer's size before any render (test/helpers/render-fresh.ts grows it at a chosen byte). */
export const SCRATCH_FIRST = 4096;
let scratch = new Uint8Array(SCRATCH_FIRST);
const SCRATCH_KEPT = 2 * MOUNTINFO_CAP;

function grow(buf: Uint8Array<ArrayBuffer>, need: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(Math.max(need, buf.length * 2));
  out.set(buf);
  return out;
}

/** A non-negative safe integer (every number a line has) in decimal, as String(v) writes it; returns the new end. */
function writeUint(buf: Uint8Array, at: number, v: number): number {
  let digits = 1;
  for (let x = v; x >= 10; x = Math.floor(x / 10)) digits++;
  const end = at + digits;
  for (let i = end - 1, x = v; i >= at; i--, x = Math.floor(x / 10)) buf[i] = 0x30 + (x % 10);
  return end;
}

