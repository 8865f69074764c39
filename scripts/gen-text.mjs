// Generates assembly/generated/text.ts: every text of the machine as one UTF-8 blob in static data,
// LZ-packed (bytes.ts unpacks it once at module start), from assembly/text.txt (the readable source)
// and the name tables of src/names.ts. Run it after editing either (`node scripts/gen-text.mjs`;
// `--check` only says whether the output is stale: test/machine-memory.test.ts runs it;
// bench/profile-size.ts calls generate() on copies of the checkout). Never edit the output.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import ts from "typescript";

const root = new URL("../", import.meta.url);
const OUT = new URL("assembly/generated/text.ts", root);
const TABLES = ["ERRNO_NAME", "ERRNO_TEXT", "ERRNO_EXTRA_NAME", "ERRNO_EXTRA_TEXT", "MS_BIT_NAME", "STEP_NAME"]; // from src/names.ts
const PLACEHOLDERS = { "{rootfs}": "\u0001", "{target}": "\u0002" }; // see messages.ts fill()

/** NAME "json" lines of assembly/text.txt, in file order. */
function readTable(base) {
  const out = [];
  readFileSync(new URL("assembly/text.txt", base), "utf8").split("\n").forEach((line, i) => {
    if (line.trim() === "" || line.startsWith("#")) return;
    const m = /^([A-Z][A-Z0-9_]*) (".*")$/.exec(line);
    if (!m) throw new Error(`assembly/text.txt:${i + 1}: expected NAME "text"`);
    let text = JSON.parse(m[2]);
    if (/[\u0000-\u001f]/.test(text)) throw new Error(`assembly/text.txt:${i + 1}: control character`);
    if (/[^\u0000-\u007f]/.test(text)) throw new Error(`assembly/text.txt:${i + 1}: not ASCII (bytes >= 0x80 mark packed references)`);
    for (const [k, v] of Object.entries(PLACEHOLDERS)) text = text.split(k).join(v);
    if (/\{[a-z]+\}/.test(text)) throw new Error(`assembly/text.txt:${i + 1}: unknown placeholder`);
    out.push([m[1], text]);
  });
  return out;
}

/** src/names.ts, compiled by tsc in memory and imported. */
async function readNames(base) {
  const src = readFileSync(new URL("src/names.ts", base), "utf8");
  const js = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext } }).outputText;
  return import("data:text/javascript;base64," + Buffer.from(js).toString("base64"));
}

/** Appends texts to one blob; a text's id is its index, in the order of first appearance. TEXT_LEN
 * holds each one's byte length (u8), from which bytes.ts computes the offsets at module start: an id
 * is then a 1- or 2-byte constant in the code and a u16 in a table, not the (length << 16) | offset
 * u32 it was (with u16 tables and (step, text) lists: −691 B). "" is followed by a NUL, so no other text starts at its offset (hosts cache
 * reasons by pointer): that NUL is a text of its own, never named, so the next offset stays right. */
class Blob {
  bytes = [];
  lens = [];
  seen = new Map();
  add(text) {
    const b = [...Buffer.from(text, "utf8")];
    if (this.seen.has(text)) return this.seen.get(text);
    const id = this.lens.length;
    this.bytes.push(...b);
    this.lens.push(b.length);
    if (b.length === 0) { this.bytes.push(0); this.lens.push(1); } // a distinct pointer: hosts cache reasons by pointer
    if (this.bytes.length > 0xffff) throw new Error("text blob over 64 KiB: bytes.ts keeps u16 offsets");
    if (b.length > 0xff) throw new Error(`text over 255 bytes (TEXT_LEN is u8): ${text.slice(0, 40)}...`);
    this.seen.set(text, id);
    return id;
  }
}

// The packing: a byte < 0x80 is itself; 1llloooo oooooooo copies l + 3 bytes (3-10) from o + 1
// bytes back (1-4096) in the unpacked text. The parse is optimal (shortest output) for this format.
const MIN = 3, MAX_LEN = 10, MAX_OFF = 4096;

function pack(bytes) {
  const n = bytes.length;
  const at = new Map(); // 3-byte prefix -> positions
  const best = Array.from({ length: n + 1 }, () => ({ cost: 0, len: 1, off: 0 }));
  const key = (i) => (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
  const cands = [];
  for (let i = 0; i + MIN <= n; i++) { const k = key(i); cands[i] = at.get(k) ?? []; at.set(k, [...cands[i], i]); }
  for (let i = n - 1; i >= 0; i--) {
    best[i] = { cost: 1 + best[i + 1].cost, len: 1, off: 0 };
    for (const j of cands[i] ?? []) {
      if (i - j > MAX_OFF) continue;
      let l = 0;
      while (l < MAX_LEN && i + l < n && bytes[j + l] === bytes[i + l]) l++;
      for (let k = MIN; k <= l; k++) if (2 + best[i + k].cost < best[i].cost) best[i] = { cost: 2 + best[i + k].cost, len: k, off: i - j };
    }
  }
  const out = [];
  for (let i = 0; i < n; ) {
    const b = best[i];
    if (b.len === 1) out.push(bytes[i]);
    else out.push(0x80 | ((b.len - MIN) << 4) | ((b.off - 1) >> 8), (b.off - 1) & 0xff);
    i += b.len;
  }
  return out;
}

/** The packing's inverse, as bytes.ts unpack() does it: a check that the packer is right. */
function unpack(packed) {
  const out = [];
  for (let i = 0; i < packed.length; i++) {
    const c = packed[i];
    if (c < 0x80) { out.push(c); continue; }
    const from = out.length - (((c & 15) << 8) | packed[++i]) - 1;
    for (let k = 0; k < ((c >> 4) & 7) + MIN; k++) out.push(out[from + k]);
  }
  return out;
}

const rows = (xs, per) => Array.from({ length: Math.ceil(xs.length / per) }, (_, i) => "  " + xs.slice(i * per, i * per + per).join(", ") + ",").join("\n");

/** The generated file's text, from the checkout at `base` (a file: URL ending in "/"). */
export async function generate(base = root) {
  const names = await readNames(base);
  const blob = new Blob();
  const singles = readTable(base).map(([name, text]) => `export const ${name}: u16 = ${blob.add(text)};`);
  const tables = TABLES.map((t) => {
    const ids = names[t].map((s) => String(blob.add(s)));
    return `export const ${t}: usize = memory.data<u16>([\n${rows(ids, 16)}\n]);\nexport const ${t}_COUNT = ${ids.length};`;
  });
  const extra = `export const ERRNO_EXTRA_NUMBER: usize = memory.data<i32>([${names.ERRNO_EXTRA_NUMBER.join(", ")}]);`;
  const packed = pack(blob.bytes);
  if (unpack(packed).join() !== blob.bytes.join()) throw new Error("gen-text: packing does not round-trip");
  return [
    "// GENERATED by scripts/gen-text.mjs from assembly/text.txt and src/names.ts: do not edit.",
    "// TEXT is every text as UTF-8 once bytes.ts has unpacked TEXT_PACKED into it at module start; a",
    "// text id is its index: TEXT_LEN[id] bytes at the offset bytes.ts computes from the lengths (txt()).",
    `export const TEXT_SIZE = ${blob.bytes.length};`,
    `export const TEXT: usize = memory.data(TEXT_SIZE);`,
    `export const TEXT_COUNT = ${blob.lens.length};`,
    `export const TEXT_LEN: usize = memory.data<u8>([\n${rows(blob.lens.map(String), 24)}\n]);`,
    `export const TEXT_PACKED_SIZE = ${packed.length};`,
    `export const TEXT_PACKED: usize = memory.data<u8>([\n${rows(packed.map(String), 24)}\n]);`,
    ...singles, ...tables, extra, "",
  ].join("\n");
}

export const OUTPUT = OUT;

if (process.argv[1] && import.meta.url === new URL(process.argv[1], "file://").href) {
  const body = await generate();
  const stale = !existsSync(OUT) || readFileSync(OUT, "utf8") !== body;
  if (process.argv.includes("--check")) {
    if (stale) { console.error("assembly/generated/text.ts is stale: run node scripts/gen-text.mjs"); process.exit(1); }
  } else if (stale) {
    mkdirSync(new URL(".", OUT), { recursive: true });
    writeFileSync(OUT, body);
  }
}
