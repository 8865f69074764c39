// /proc/self/mountinfo: rendering from the model exactly as proc(5) and fs/proc_namespace.c print it
// (relative to the reader's root, with the kernel's octal escapes), and splitting a text back into
// entries (for FakeKernel.fromMountinfo) once the machine's own parser has accepted it: the grammar
// is assembly/mountinfo.ts's alone. No model building here (build.ts does that).
import {
  MS_NOATIME, MS_NODEV, MS_NODIRATIME, MS_NOEXEC, MS_NOSUID, MS_NOSYMFOLLOW, MS_RDONLY, MS_RELATIME,
} from "../../abi.js";
import type { Mount, Proc, State } from "./model.js";
import { ROOT_INO, dentryPath } from "./model.js";
import { bySeq, fsOf } from "./mounts.js";
import { dominatingGroup } from "./propagation.js";
import { type PathAt, pathFrom, pathFromMemo } from "./resolve.js";
import { MountinfoError } from "../../errors.js";
import { mountinfoError } from "../../mountinfo-check.js";
import { decodeBytes, encodeString } from "../../utf8.js";

/** show_mnt_opts order (fs/proc_namespace.c). */
export const MNT_OPTS: readonly [number, string][] = [
  [MS_NOSUID, "nosuid"], [MS_NODEV, "nodev"], [MS_NOEXEC, "noexec"], [MS_NOATIME, "noatime"],
  [MS_NODIRATIME, "nodiratime"], [MS_RELATIME, "relatime"], [MS_NOSYMFOLLOW, "nosymfollow"],
];

/** mangle(): space, tab, newline and backslash as \ooo. */
const MANGLED = /[ \t\n\\]/;
export function escape(s: string): string {
  if (!MANGLED.test(s)) return s; // the common case, without allocating
  return s.replace(/[ \t\n\\]/g, (c) => "\\" + c.charCodeAt(0).toString(8).padStart(3, "0"));
}

const isOctal = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x37;

/**
 * Decodes any \ooo (three octal digits, ≤ \377) to its byte; anything else is kept as is. The
 * bytes are decoded like every kernel name at the seam (src/utf8.ts): \377 is U+DCFF, the byte 0xff.
 */
export function unescape(s: string): string {
  if (!s.includes("\\")) return s;
  const b = encodeString(s);
  const out = new Uint8Array(b.length);
  let w = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0x5c && b[i + 1]! <= 0x33 && isOctal(b[i + 1]) && isOctal(b[i + 2]) && isOctal(b[i + 3])) {
      out[w++] = ((b[i + 1]! - 0x30) << 6) | ((b[i + 2]! - 0x30) << 3) | (b[i + 3]! - 0x30);
      i += 3;
    } else out[w++] = c;
  }
  return decodeBytes(out.subarray(0, w));
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
  if (m.peer !== 0) out.push(" shared:", m.peer);
  if (m.master !== 0) {
    out.push(" master:", m.master);
    // get_dominating_id depends on the master group alone (and the reader), not on m: one walk per group.
    let d = dom?.get(m.master);
    if (d === undefined) {
      d = dominatingGroup(s, m, reader.ns, reader.root);
      dom?.set(m.master, d);
    }
    d ||= m.propFrom;
    if (d !== 0 && d !== m.master) out.push(" propagate_from:", d);
  }
  if (m.unbindable) out.push(" unbindable");
}

/**
 * A line's pieces, numbers as numbers (join() writes them as a template would): joined, a line is
 * one flat string, where a template made a chain of partial strings per line that lived until the
 * file was joined (100k lines: a render 450 -> 300 ms, mostly the garbage collector's).
 */
type Parts = (string | number)[];

/** Pushes the pieces of `m`'s line as `reader` sees it onto `out`; false (nothing pushed) when it is outside the reader's root. */
function lineParts(s: State, m: Mount, reader: Proc, memo: Map<number, PathAt> | undefined, dom: Map<number, number> | undefined, out: Parts): boolean {
  const pos = { mnt: m.id, ino: m.root };
  const at = memo ? pathFromMemo(s, pos, reader.root, memo) : pathFrom(s, pos, reader.root);
  if (at.unreachable) return false;
  const fs = fsOf(s, m);
  const root = m.root === ROOT_INO ? "/" : escape(dentryPath(fs.tree, m.root));
  out.push(m.id, " ", m.parent === 0 ? m.id : m.parent, " ", fs.dev, " ", root, " ", escape(at.path), " ", mountOpts(m), m.extraOpts);
  optionalFields(s, m, reader, dom, out);
  out.push(" - ", escape(fs.fstype), " ", escape(m.source ?? "none"), " ", fs.superOpts, "\n");
  return true;
}

/**
 * One line for `m` as `reader` sees it, or null when the mount is outside the reader's root. The
 * memos (renderMountinfo's) are valid while the state does not change.
 */
export function renderLine(s: State, m: Mount, reader: Proc, memo?: Map<number, PathAt>, dom?: Map<number, number>): string | null {
  const out: Parts = [];
  return lineParts(s, m, reader, memo, dom, out) ? out.join("") : null;
}

/**
 * The whole file for a process: its namespace's mounts in list order, those after seq `after`
 * only when given (a read resuming, sys-fs.ts), each line's seq pushed on `seqs`. `dom` may hold the
 * dominating group of master groups ahead (host-view.ts renders a copy that lacks the other
 * namespaces propagate_from is found through).
 */
export function renderMountinfo(s: State, reader: Proc, dom = new Map<number, number>(), after = 0, seqs?: number[]): string {
  const list: Mount[] = [];
  let sorted = true;
  for (const m of s.mounts.values()) {
    if (m.ns !== reader.ns || m.seq <= after) continue;
    if (list.length > 0 && list[list.length - 1]!.seq > m.seq) sorted = false;
    list.push(m);
  }
  if (!sorted) list.sort(bySeq);
  const memo = new Map<number, PathAt>();
  const parts: Parts = [];
  const lines: string[] = [];
  for (const m of list) {
    parts.length = 0;
    if (lineParts(s, m, reader, memo, dom, parts)) { lines.push(parts.join("")); seqs?.push(m.seq); }
  }
  return lines.join("");
}

export interface Entry {
  /** 1-based line number in the text (empty lines count, as in the machine's messages). */
  line: number;
  id: number;
  parent: number;
  dev: string;
  root: string;
  mountpoint: string;
  opts: string;
  optional: string[];
  fstype: string;
  source: string;
  superOpts: string;
}

/** Splits one line the way moby/sys/mountinfo does (single spaces, the "-" found from the end);
 * the line must have passed the machine's grammar (parseMountinfo checks it first). */
export function parseLine(line: string, lineNo = 1): Entry {
  const f = line.split(" ");
  let sep = f.length - 4;
  while (sep >= 6 && f[sep] !== "-") sep--;
  const g = (i: number): string => f[i] ?? "";
  return {
    line: lineNo, id: Number(g(0)), parent: Number(g(1)), dev: g(2), root: unescape(g(3)), mountpoint: unescape(g(4)),
    opts: g(5), optional: f.slice(6, sep), fstype: unescape(g(sep + 1)), source: unescape(g(sep + 2)),
    superOpts: f.slice(sep + 3).join(" "),
  };
}

/** Every mount of a text, in order; throws MountinfoError with the machine's message when a run would refuse it. */
export function parseMountinfo(text: string): Entry[] {
  const err = mountinfoError(text);
  if (err !== null) throw new MountinfoError(err, Number(/line (\d+):/.exec(err)?.[1] ?? NaN) || null);
  const out: Entry[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) if (lines[i] !== "") out.push(parseLine(lines[i]!, i + 1));
  return out;
}

/** Splits "rw,nosuid,idmapped" into MS_* flags and the unknown rest (",idmapped"). */
export function parseMountInfoOpts(opts: string): { flags: number; extra: string } {
  let flags = 0;
  let extra = "";
  for (const o of opts.split(",")) {
    if (o === "rw") continue;
    if (o === "ro") flags |= MS_RDONLY;
    else {
      const known = MNT_OPTS.find(([, n]) => n === o);
      if (known) flags |= known[0];
      else extra += "," + o;
    }
  }
  return { flags, extra };
}
