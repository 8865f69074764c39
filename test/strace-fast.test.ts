// The strace parser's fast path (parse.ts fastCall, args.ts parseArgAt, hand scans in scan.ts)
// against the general path and the regexes it stands in for: the same entries, key order, -0 and
// bytes included, on every line of the real captures and on a grid of hand-made edge lines; and
// proof that the fast path is the one that runs on ordinary logs.
import { readdirSync, readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { decodeC, parseArg, splitArgs, unescapeC, type Arg } from "../src/strace/args.js";
import { isSpace } from "../src/strace/scan.js";
import { fastCall, parseStrace, toRequests, type Call } from "../src/strace/parse.js";
import { decodeBytes, encodeString } from "../src/utf8.js";

const REAL = new URL("./fixtures/real/", import.meta.url);
/** Each capture as diff reads it (bytes, surrogateescape) and as Latin-1 (every byte a code unit). */
const CAPTURES: [string, string][] = readdirSync(REAL).filter((f) => f.endsWith(".strace")).sort().flatMap((f) => {
  const b = readFileSync(new URL(f, REAL));
  return [[f, decodeBytes(b)], [`${f} (latin1)`, b.toString("latin1")]] as [string, string][];
});

/** "The same" means this text is the same: key order, undefined-valued keys, -0 and bytes all show. */
const show = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) =>
  x instanceof Uint8Array ? { bytes: [...x] } : x === undefined ? "<undefined>" : Object.is(x, -0) ? "-0" : x);

function sameParse(what: string, text: string): void {
  const fast = parseStrace(text);
  const general = parseStrace(text, false);
  assert.is(fast.entries.length, general.entries.length, what);
  for (let i = 0; i < fast.entries.length; i++) {
    const a = show(fast.entries[i]);
    const b = show(general.entries[i]);
    if (a !== b) assert.fixture(a, b, `${what}: entry ${i}`);
  }
  assert.is(show(toRequests(fast.calls)), show(toRequests(general.calls)), what);
}

test("every real capture: the fast path gives the general path's entries and requests", () => {
  assert.ok(CAPTURES.length >= 30);
  for (const [what, text] of CAPTURES) sameParse(what, text);
});

test("the fast path is the one that runs: it takes nearly every call line of the captures", () => {
  let calls = 0;
  let fast = 0;
  for (const [, text] of CAPTURES) {
    const lines = text.split("\n");
    for (const c of parseStrace(text, false).calls) {
      if (c.endLine !== undefined || c.unfinished) continue; // merged pairs are the general path's
      calls++;
      const f = fastCall(lines[c.line - 1]!, c.line);
      if (f !== null) { fast++; assert.is(show(f), show(c)); }
    }
  }
  assert.ok(calls > 5000, `${calls} call lines`);
  assert.ok(fast > 0.95 * calls, `fast path took ${fast} of ${calls} call lines`);
});

// The edge grid: every prefix form (and near misses) × every body form × trailing blanks.
const PREFIXES = ["", "123 ", "123  ", "[pid 5] ", "[pid  5]\t", "12:34:56 ", "12:34:56.123 ", "1700000000.5 ", "0.000123 ",
  " 7 12:00:00.1 ", "123", "123 \t", "[pid 5]", "[pid5] ", "[pid 5]x ", "[pid x] ", "12:34:56.x ", "1:2:3 ", "12:34:56. ", "12:34:5 ",
  "99999999999 ", "2147483648 ", "2147483647 ", "0000000000000000001 ", "-5 ", "\u00a0 12 x", "12.5", "12 12.5  ", "[pid 5] 12.5 ", "\u2028", "\ufeff9 "];
const BODIES = [
  "f()", "f() = 0", "f(3) = -0", "f(3) = 0x1f", "f(3) = 00", "f(3)=0", "f(3) =\t5", "f(3) = 5 ", "f(3) = 5 <0.1>", "f(3) = 5<0.1>",
  "f(3) = 5 <.1>", "f(3) = 5 <1.>", "f(3) = 5 <1.2.3>", "f(3) = 12345678901234567890", "f(3) = -1234567890123456",
  "f(3) = -1 EINVAL (Invalid argument)", "f(3) = -1 EINVAL (Invalid argument) <0.000012>", "f(3) = ? ERESTARTSYS (To be restarted)",
  "f(3) = ?", "f(3) = 3</x> <0.2>", "f(3) = 3</x>(deleted)", "f(3) = 3<a>b", "f(3) = 5 (Timeout)", "f(3) = - 5", "f(3) = -",
  "f(3) = ", "f(3) <0.1>", "f(3) = 5 <0.1", "f(3) = 5 0.1>", "f(3) = 5 <<0.1>", "f(3) = 5 <0.1> <0.2>", "f(<0.1>) = 1",
  "f(3</a>, 3<a,b)>, 3</a>(deleted), 3<>, 3<>(deleted), 3</a>x, 3</a>(deleted)x, -3</a>, 03</a>, 3</a\\\\b>, 3<\\303\\251>, 3</a>>, 3<a<b>) = 0",
  "f(AT_FDCWD, AT_FDCWD</x>, AT_FDCWD<>, AT_FDCWDX, AT_FDCWD</x, AT_FDCWD</x>(deleted), AT_FDCWD</a\\303>) = 0",
  'f("", "a", "a"..., "\\377", "a\\"b", "x"y, "a" "b", ""..., "unterminated) = 0',
  "f(NULL, NULLX, 0x0, 0X1F, 0xABcd, 0x, 0xg, 123, -123, 0755, 0789, 08, 0, -0, 00, -00, 1e5, 12abc, -, --1, 012345670123456701234567) = 0",
  "f(MS_REC|MS_SLAVE, MS_X|0x10|8, A||B, A|, |A, _A, a|B, MS_X|0x, 0x10|MS_A, 0777|A, A_B9, 9A, MS_REC|0xffffffffffffffff) = 0",
  "f( a , b ,c,  ) = 0", "f(, , 1) = 0", "f(\u00a0a\u00a0, \ufeffb\ufeff) = 0", "f({a, b}, [1, 2], (x, y), /* 1 entry */, /* a, b) */ 1) = 0",
  'f("a", 3 <unfinished ...>', "f(3 <unfinished ...>", "f(3) = 0 <unfinished ...>", "f(<unfinished ...>", "<... f resumed>) = 0",
  "<... f resumed> , 4) = 2", "--- SIGCHLD {si_signo=SIGCHLD} ---", "+++ exited with 0 +++", "+++ killed by SIGKILL (core dumped) +++",
  "garbage", "_x9(1) = 0", "9x(1) = 0", "x (1) = 0", "x(", "x(1", "x(1))) = 0", 'chdir("\udcff\u00e9") = 0', 'chdir("\ud800") = 0',
  'read(3, "a\\tb\\nc\\"d\\\\e\\1f\\303\\251", 64) = 11', "close(3) = 0 (flags O_RDONLY)", 'getcwd("/x", 4096) = 3',
];

test("an edge grid (prefix forms × body forms × trailing blanks): the fast path agrees, or declines", () => {
  const lines: string[] = [];
  for (const p of PREFIXES) for (const b of BODIES) for (const w of ["", " ", "\t\u00a0"]) lines.push(p + b + w);
  sameParse("grid", lines.join("\n"));
  // Line by line too, so pending unfinished calls from one line cannot mask another.
  for (const l of lines) sameParse(JSON.stringify(l), l);
  // Unfinished/resumed pairs around fast lines, across pids.
  sameParse("pairs", ["1 f(3 <unfinished ...>", "2 f(4) = 0", "1 <... f resumed>, 5) = 0", "2 g(4 <unfinished ...>", "2 h(1) = 1",
    "2 <... g resumed>) = 1 <0.1>", "3 read(3, <unfinished ...>", "[pid 4] f(1) = 0", "99999999999 f(1) = 0", "   ", ""].join("\n"));
});

test("a long line of each shape the bench times parses the same through both paths", () => {
  const n = 20_000;
  for (const line of [`f(${"3</a>, ".repeat(n)}3) = 0`, `f(${'"", '.repeat(n)}"") = 0`, `f(${"MS_REC|MS_SLAVE, ".repeat(n)}0) = 0`,
    `1 12:34:56.000001 f(${'"/a/b", '.repeat(n)}0) = 0 <0.000012>`, `close(3)${" ".repeat(n)}= 0`]) {
    sameParse(line.slice(0, 20), line);
  }
});

/** The argument reading parseArgAt replaced, regex for regex (the parser before issue 10's fast path). */
function regexArg(t: string): Arg {
  const c = t.charCodeAt(0);
  if (c === 0x22) {
    let close = t.length;
    for (let from = 1; ;) {
      const q = t.indexOf('"', from);
      if (q < 0) break;
      let k = q - 1;
      while (k > 0 && t.charCodeAt(k) === 0x5c) k--;
      if ((q - 1 - k) % 2 === 0) { close = q; break; }
      from = q + 1;
    }
    const rest = close < t.length ? t.slice(close + 1) : "";
    if (close >= t.length || (rest !== "" && rest !== "...")) return { kind: "raw", text: t };
    const inner = t.slice(1, close);
    if (!inner.includes("\\") && !/[\ud800-\udfff]/.test(inner)) return { kind: "str", value: inner, bytes: encodeString(inner), truncated: rest === "..." };
    const bytes = unescapeC(inner);
    return { kind: "str", value: decodeBytes(bytes), bytes, truncated: rest === "..." };
  }
  if ((c >= 0x30 && c <= 0x39) || c === 0x2d) {
    if (/^-?\d+$/.test(t)) return { kind: "num", value: /^0[0-7]+$/.test(t) ? parseInt(t, 8) : Number(t) };
    if (c === 0x30 && /^0x[0-9a-fA-F]+$/.test(t)) return { kind: "addr", addr: t.toLowerCase() };
    const fd = /^(\d+)<([^]*)>(\(deleted\))?$/.exec(t);
    if (fd) {
      const arg: Arg = { kind: "fd", fd: Number(fd[1]), path: decodeC(fd[2]!) };
      return fd[3] === undefined ? arg : { ...arg, deleted: true };
    }
    return { kind: "raw", text: t };
  }
  if (t === "NULL") return { kind: "null" };
  const cwd = /^AT_FDCWD(?:<([^]*)>)?$/.exec(t);
  if (cwd) return cwd[1] === undefined ? { kind: "at_fdcwd" } : { kind: "at_fdcwd", path: decodeC(cwd[1]) };
  if ((c >= 0x41 && c <= 0x5a) || c === 0x5f) {
    const parts = t.split("|");
    if (!parts.every((p) => /^(?:[A-Z_][A-Z0-9_]*|0x[0-9a-fA-F]+|\d+)$/.test(p))) return { kind: "raw", text: t };
    const names = parts.filter((p) => /^[A-Z_]/.test(p));
    const nums = parts.filter((p) => !/^[A-Z_]/.test(p));
    return { kind: "flags", names, residue: nums.length ? Number(nums.reduce((r, p) => r | BigInt(p), 0n)) : 0 };
  }
  return { kind: "raw", text: t };
}

test("parseArg reads every argument of the captures, and edge arguments, as the regexes did", () => {
  const args = new Set<string>();
  for (const [, text] of CAPTURES) {
    for (const c of parseStrace(text).calls as Call[]) {
      const line = c.raw.split("\n")[0]!;
      const open = line.indexOf(`${c.name}(`);
      for (const p of splitArgs(line, open + c.name.length + 1).parts) args.add(p);
    }
  }
  assert.ok(args.size > 1000, `${args.size} distinct arguments`);
  for (const b of BODIES) for (const p of splitArgs(b, b.indexOf("(") + 1).parts) args.add(p);
  for (const t of ["", "3<>", "3<>(deleted)", "3<(deleted)", "3</a>(deletedx", "3</a>(deleted", "3</a>deleted)", "3>(deleted)", "3<a>(deleted)", "AT_FDCWD<", "AT_FDCWD<>", "0x", "-", "0",
    "00000000000000000009", "18446744073709551615", "-18446744073709551615", "0777777777777777777777", '"a"...', '"a"..', '"\\"', '"\\\\"']) args.add(t);
  for (const t of args) assert.is(show(parseArg(t)), show(regexArg(t)), t);
});

test("isSpace is exactly \\s, and what trim() strips, for every UTF-16 code unit", () => {
  for (let c = 0; c <= 0xffff; c++) {
    const ch = String.fromCharCode(c);
    assert.is(isSpace(c), /\s/.test(ch), `U+${c.toString(16)}`);
    assert.is(isSpace(c), ch.trim() === "", `U+${c.toString(16)}`);
  }
});

/** splitArgs before the fast path: the same scan, with slice().trim() for each part. */
function regexSplit(s: string, start: number): { parts: string[]; end: number } {
  const parts: string[] = [];
  let depth = 0;
  let from = start;
  const last = (t: string) => { if (t.trim() !== "") parts.push(t.trim()); };
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (c === '"') {
      for (let f = i + 1; ;) {
        const q = s.indexOf('"', f);
        if (q < 0) { i = s.length; break; }
        let k = q - 1;
        while (k > i && s[k] === "\\") k--;
        if ((q - 1 - k) % 2 === 0) { i = q; break; }
        f = q + 1;
      }
    } else if (c === "<" && ((/\d/.test(s[i - 1] ?? "") && i - 1 >= from) || (i - 8 >= from && s.startsWith("AT_FDCWD", i - 8)))) {
      const close = s.indexOf(">", i);
      i = close < 0 ? s.length : close;
    } else if (c === "/" && s[i + 1] === "*") {
      const close = s.indexOf("*/", i + 2);
      i = close < 0 ? s.length : close + 1;
    } else if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") {
      if (depth === 0) { last(s.slice(from, i)); return { parts, end: i }; }
      depth--;
    } else if (c === "," && depth === 0) { parts.push(s.slice(from, i).trim()); from = i + 1; }
  }
  last(s.slice(from));
  return { parts, end: -1 };
}

test("splitArgs splits every line of the captures and of the edge grid as before", () => {
  const lines = CAPTURES.flatMap(([, t]) => t.split("\n"));
  for (const p of PREFIXES) for (const b of BODIES) lines.push(p + b + " \u00a0");
  for (const l of lines) {
    const open = l.indexOf("(");
    if (open >= 0) assert.equal(splitArgs(l, open + 1), regexSplit(l, open + 1), l);
  }
});

test("equal strings may share their bytes; each still holds its own value's bytes", () => {
  const { calls } = parseStrace(`f("/a", "/a", "/b", "") = 0\nf("/a") = 0`);
  const [a, b, c, e] = calls[0]!.args as Extract<Arg, { kind: "str" }>[];
  assert.equal([a!.value, [...a!.bytes], [...b!.bytes], [...c!.bytes], e!.bytes.length], ["/a", [47, 97], [47, 97], [47, 98], 0]);
  assert.equal([...(calls[1]!.args[0] as Extract<Arg, { kind: "str" }>).bytes], [47, 97]);
});

test.run();
