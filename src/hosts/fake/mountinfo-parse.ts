// Splitting a mountinfo text into entries, for FakeKernel.fromMountinfo (build.ts), once the
// machine's own parser has accepted it (the grammar is assembly/mountinfo.ts's alone): lines read
// in place with indexOf, a line's first fields before the rest (table.ts checks the table's shape
// on those), the kernel's octal escapes undone, the per-mount options as MS_* flags. Rendering
// is mountinfo.ts's; no model building here.
import {
  MS_NOATIME, MS_NODEV, MS_NODIRATIME, MS_NOEXEC, MS_NOSUID, MS_NOSYMFOLLOW, MS_RDONLY, MS_RELATIME,
} from "../../abi.js";
import { MountinfoError } from "../../errors.js";
import { mountinfoError } from "../../mountinfo-check.js";
import { decodeBytes, encodeString } from "../../utf8.js";

/** show_mnt_opts order (fs/proc_namespace.c). */
export const MNT_OPTS: readonly [number, string][] = [
  [MS_NOSUID, "nosuid"], [MS_NODEV, "nodev"], [MS_NOEXEC, "noexec"], [MS_NOATIME, "noatime"],
  [MS_NODIRATIME, "nodiratime"], [MS_RELATIME, "relatime"], [MS_NOSYMFOLLOW, "nosymfollow"],
];

const isOctal = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x37;

/**
 * Decodes any \ooo (three octal digits, ≤ \377) to its byte; anything else is kept as is. The
 * bytes are decoded like every kernel name at the seam (src/utf8.ts): \377 is U+DCFF, the byte 0xff.
 * s is such a name (its only lone surrogates are U+DC80–U+DCFF), so a text without a backslash
 * is returned as it is: encoding and decoding it again would give it back unchanged.
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
  return parseSpan(line, 0, line.length, lineNo);
}

/**
 * parseLine by split(" "), for a line with fewer fields than the grammar's least (10). Under 10
 * fields no "-" can stand at field 6 or later with three fields after it, so there are no optional
 * fields and the last three fields are the fstype, source and super options (as split(" ") with
 * the "-" searched from the end gave them; "" where the line is too short for one).
 */
function parseSplit(line: string, lineNo: number): Entry {
  const f = line.split(" ");
  const sep = f.length - 4;
  const g = (i: number): string => f[i] ?? "";
  return {
    line: lineNo, id: Number(g(0)), parent: Number(g(1)), dev: g(2), root: unescape(g(3)), mountpoint: unescape(g(4)),
    opts: g(5), optional: [], fstype: unescape(g(sep + 1)), source: unescape(g(sep + 2)), superOpts: f[f.length - 1]!,
  };
}

/**
 * Where each field of the line being split starts and ends: CUTS[i] is the space before field i
 * (CUTS[0] is one before the line), CUTS[n] the line's end. Reused for every line and overwritten,
 * never emptied (length = 0 drops an array's storage: it was allocated again for every line).
 */
const CUTS: number[] = [];

/**
 * The decimal number text[from, to) spells, without a slice: 400k short strings of a 100k-line
 * table. Only for what the machine's grammar checked to be digits: mount and parent IDs (at most
 * 9) and the group IDs of known tags (at most 10), so the value is exact.
 */
export function decimal(text: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) v = v * 10 + (text.charCodeAt(i) - 0x30);
  return v;
}

/** Field i of the line CUTS describes, as split(" ")[i] gives it (i is always one of its fields). */
function field(text: string, i: number): string {
  return text.slice(CUTS[i]! + 1, CUTS[i + 1]);
}

/**
 * parseLine of text[start, end), read in place: the spaces are found with indexOf and each field
 * is one slice, as split(" ") would give it, without a per-line array of every field or a copy
 * of the line.
 */
function parseSpan(text: string, start: number, end: number, lineNo: number): Entry {
  const cuts = CUTS;
  let n = 0; // fields, as split(" ") counts them
  cuts[0] = start - 1;
  for (let i = text.indexOf(" ", start); i >= 0 && i < end; i = text.indexOf(" ", i + 1)) cuts[++n] = i;
  cuts[++n] = end;
  if (n < 10) return parseSplit(text.slice(start, end), lineNo); // too short for a "-" in the usual place
  let sep = n - 4;
  while (sep >= 6 && !(cuts[sep + 1]! - cuts[sep]! === 2 && text.charCodeAt(cuts[sep]! + 1) === 0x2d)) sep--;
  const optional: string[] = [];
  for (let i = 6; i < sep; i++) optional.push(field(text, i));
  return {
    line: lineNo, id: decimal(text, start, cuts[1]!), parent: decimal(text, cuts[1]! + 1, cuts[2]!), dev: field(text, 2),
    root: unescape(field(text, 3)), mountpoint: unescape(field(text, 4)), opts: field(text, 5), optional,
    fstype: unescape(field(text, sep + 1)), source: unescape(field(text, sep + 2)),
    superOpts: text.slice(cuts[sep + 3]! + 1, end), // f.slice(sep + 3).join(" "): the rest, spaces kept
  };
}

/** Every mount of a text, in order; throws MountinfoError with the machine's message when a run would refuse it. */
export function parseMountinfo(text: string): Entry[] {
  const h = mountinfoHeads(text);
  const out: Entry[] = [];
  for (let i = 0; i < h.ids.length; i++) out.push(entryAt(text, h, i));
  return out;
}

/**
 * What the table's shape is checked on (table.ts) for each line, and where the line is, read
 * before any line is split in full: build.ts then splits one line at a time and keeps no Entry
 * (100k Entry objects, all alive until the build ended, were a third of its garbage collection).
 */
export interface Heads {
  /** Fields 1, 2 and 5 of each line (mount ID, parent ID, mount point === "/"), its 1-based number, and its span in the text. */
  ids: number[];
  parents: number[];
  slash: boolean[];
  lines: number[];
  starts: number[];
  ends: number[];
}

/** The Heads of every mount of a text; throws MountinfoError as parseMountinfo does. */
export function mountinfoHeads(text: string): Heads {
  const err = mountinfoError(text);
  if (err !== null) throw new MountinfoError(err, Number(/line (\d+):/.exec(err)?.[1] ?? NaN) || null);
  const h: Heads = { ids: [], parents: [], slash: [], lines: [], starts: [], ends: [] };
  // Line by line with indexOf, as split("\n") cuts them (empty lines skipped, still counted).
  let lineNo = 1;
  for (let at = 0; at <= text.length; lineNo++) {
    let nl = text.indexOf("\n", at);
    if (nl < 0) nl = text.length;
    if (nl > at) {
      // The first five fields, as split(" ") gives them. The grammar (mountinfoError above) gave
      // every line at least 10 fields, so its first five spaces are on it.
      const cuts = CUTS;
      cuts[0] = at - 1;
      for (let k = 1; k <= 5; k++) cuts[k] = text.indexOf(" ", cuts[k - 1]! + 1);
      h.ids.push(decimal(text, at, cuts[1]!));
      h.parents.push(decimal(text, cuts[1]! + 1, cuts[2]!));
      h.slash.push(isSlash(text));
      h.lines.push(lineNo);
      h.starts.push(at);
      h.ends.push(nl);
    }
    at = nl + 1;
  }
  return h;
}

/** unescape(field 4) === "/" for the line CUTS describes, without a slice when it has no escape. */
function isSlash(text: string): boolean {
  const from = CUTS[4]! + 1, to = CUTS[5]!;
  if (to - from === 1) return text.charCodeAt(from) === 0x2f;
  const bs = text.indexOf("\\", from);
  return bs >= 0 && bs < to && unescape(text.slice(from, to)) === "/";
}

/** The Entry of line i of the Heads of `text`. */
export function entryAt(text: string, h: Heads, i: number): Entry {
  return parseSpan(text, h.starts[i]!, h.ends[i]!, h.lines[i]!);
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
