// The /proc/self/mountinfo parser (proc(5), docs/rootswitch.md §7). Pure: bytes in, entries out.
// Splits on single spaces, finds "-" by scanning back (moby's way, tolerant of the old cifs bug),
// ignores unknown optional tags, decodes \ooo escapes. Never traps on bad input: an error is a
// message naming the line.

export class Mount {
  id: i32 = 0;
  parent: i32 = 0;
  root: ArrayBuffer = new ArrayBuffer(0);
  mountpoint: ArrayBuffer = new ArrayBuffer(0);
  fstype: ArrayBuffer = new ArrayBuffer(0);
  source: ArrayBuffer = new ArrayBuffer(0);
  shared: bool = false;
}

export class Table {
  mounts: Mount[] = [];
  /** "" when the text parsed, else "line N: what is wrong". */
  error: string = "";
}

const MAX_FIELDS = 256;
const starts = new StaticArray<i32>(MAX_FIELDS);
const ends = new StaticArray<i32>(MAX_FIELDS);

export function parse(base: usize, len: i32): Table {
  const t = new Table();
  let lineStart = 0;
  let lineNo = 1;
  while (lineStart < len) {
    let lineEnd = lineStart;
    while (lineEnd < len && load<u8>(base + <usize>lineEnd) != 0x0a) lineEnd++;
    if (lineEnd > lineStart) {
      const err = parseLine(base, lineStart, lineEnd, t);
      if (err.length > 0) {
        t.error = "line " + lineNo.toString() + ": " + err;
        return t;
      }
    }
    lineStart = lineEnd + 1;
    lineNo++;
  }
  return t;
}

function parseLine(base: usize, from: i32, to: i32, t: Table): string {
  let n = 0;
  let s = from;
  for (let i = from; i <= to; i++) {
    if (i == to || load<u8>(base + <usize>i) == 0x20) {
      if (n == MAX_FIELDS) return "more than " + MAX_FIELDS.toString() + " fields";
      unchecked(starts[n] = s);
      unchecked(ends[n] = i);
      n++;
      s = i + 1;
    }
  }
  if (n < 10) return "expected at least 10 fields, found " + n.toString();
  let sep = -1;
  for (let i = n - 4; i >= 6; i--) {
    if (ends[i] - starts[i] == 1 && load<u8>(base + <usize>starts[i]) == 0x2d) { sep = i; break; }
  }
  if (sep < 0) return "missing - separator";
  const m = new Mount();
  m.id = number(base, 0);
  m.parent = number(base, 1);
  if (m.id < 0 || m.parent < 0) return "mount ID and parent ID must be decimal numbers";
  if (!majorMinor(base, 2)) return "field 3 must be major:minor";
  for (let i = 6; i < sep; i++) {
    if (hasTag(base, i, "shared:")) m.shared = true;
  }
  const root = unescape(base, 3);
  const mp = unescape(base, 4);
  const fstype = unescape(base, sep + 1);
  const source = unescape(base, sep + 2);
  if (root === null || mp === null || fstype === null || source === null) return "bad \\ooo escape";
  m.root = root; m.mountpoint = mp; m.fstype = fstype; m.source = source;
  t.mounts.push(m);
  return "";
}

/** Decimal field value, -1 when empty, not a number or too large. */
function number(base: usize, f: i32): i32 {
  const s = starts[f], e = ends[f];
  if (e == s || e - s > 9) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = <i32>load<u8>(base + <usize>i) - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function majorMinor(base: usize, f: i32): bool {
  const s = starts[f], e = ends[f];
  let colon = -1;
  for (let i = s; i < e; i++) {
    const c = load<u8>(base + <usize>i);
    if (c == 0x3a) { if (colon >= 0) return false; colon = i; continue; }
    if (c < 0x30 || c > 0x39) return false;
  }
  return colon > s && colon < e - 1;
}

function hasTag(base: usize, f: i32, tag: string): bool {
  const s = starts[f], e = ends[f];
  const n = tag.length;
  if (e - s < n) return false;
  for (let i = 0; i < n; i++) {
    if (<i32>load<u8>(base + <usize>(s + i)) != tag.charCodeAt(i)) return false;
  }
  return true;
}

/** The field with \ooo escapes decoded, or null for a backslash not followed by 3 octal digits ≤ 0377. */
function unescape(base: usize, f: i32): ArrayBuffer | null {
  const s = starts[f], e = ends[f];
  const out = new ArrayBuffer(e - s);
  const o = changetype<usize>(out);
  let w = 0;
  for (let i = s; i < e; i++) {
    let c = <i32>load<u8>(base + <usize>i);
    if (c == 0x5c) {
      if (i + 4 > e) return null;
      const a = octal(base, i + 1), b = octal(base, i + 2), d = octal(base, i + 3);
      if (a < 0 || b < 0 || d < 0 || a > 3) return null;
      c = a * 64 + b * 8 + d;
      i += 3;
    }
    store<u8>(o + <usize>w, <u8>c);
    w++;
  }
  return w == e - s ? out : out.slice(0, w);
}

function octal(base: usize, i: i32): i32 {
  const c = <i32>load<u8>(base + <usize>i) - 0x30;
  return c >= 0 && c <= 7 ? c : -1;
}
