// The fake kernel's mountinfo reader (src/hosts/fake/mountinfo-parse.ts) against a plain reading
// written again here: the kernel's \ooo escapes undone on bytes by a regular expression, numbers by
// Number, lines by split("\n") and fields by split(" ") with the "-" searched from the end (as
// moby/sys/mountinfo does). The reader's fast paths (indexOf in place, digits without a slice, the
// heads read before the lines) must give what the plain reading gives, on generated tables that
// the machine's grammar accepts and on strings made of the characters the fast paths test.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { decimal, entryAt, mountinfoHeads, parseLine, parseMountinfo, unescape } from "../src/hosts/fake/mountinfo-parse.js";
import { MountinfoError } from "../src/errors.js";
import { mountinfoError } from "../src/mountinfo-check.js";
import { decodeBytes, encodeString } from "../src/utf8.js";

/** \ooo (first digit 0-3, so at most \377) as its byte, on the bytes a name has at the seam. */
function plainUnescape(s: string): string {
  const latin1 = String.fromCharCode(...encodeString(s));
  const undone = latin1.replace(/\\([0-3][0-7][0-7])/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return decodeBytes(Uint8Array.from(undone, (c) => c.charCodeAt(0)));
}

/** One line by split(" "): the separator is the last "-" at field 6 or later with three fields after it, else 5. */
function plainLine(line: string, lineNo: number) {
  const f = line.split(" ");
  let sep = Math.min(5, f.length - 4);
  for (let i = 6; i <= f.length - 4; i++) if (f[i] === "-") sep = i;
  const g = (i: number): string => f[i] ?? "";
  return {
    line: lineNo, id: Number(g(0)), parent: Number(g(1)), dev: g(2), root: plainUnescape(g(3)), mountpoint: plainUnescape(g(4)),
    opts: g(5), optional: f.slice(6, Math.max(6, sep)), fstype: plainUnescape(g(sep + 1)), source: plainUnescape(g(sep + 2)),
    superOpts: f.slice(sep + 3).join(" "),
  };
}

// Characters the escape reader tests: the backslash, the octal digits at their edges and past
// them, '/' (0x2f, one below '0'), a byte that is not UTF-8 as the seam decodes it (U+DCFF), a
// character of two bytes. Names are seam-decoded (src/utf8.ts), so no other lone surrogate.
const escChar = fc.constantFrom("\\", "0", "1", "3", "4", "7", "8", "/", "a", " ", "\uDCFF", "\uDC80", "é");

test("unescape undoes exactly the \\ooo escapes the plain reading undoes, on any string of the characters it tests", () => {
  fc.assert(fc.property(fc.array(escChar, { maxLength: 12 }), (cs) => {
    const s = cs.join("");
    assert.is(unescape(s), plainUnescape(s), JSON.stringify(s));
  }), { numRuns: 5000, seed: 0x0c7a1 });
});

test("decimal reads what Number(slice) reads on the digit runs the grammar lets through (1 to 10 digits)", () => {
  const digits = fc.integer({ min: 1, max: 10 }).chain((n) =>
    fc.array(fc.constantFrom("0", "1", "2", "5", "7", "9"), { minLength: n, maxLength: n })).map((d) => d.join(""));
  fc.assert(fc.property(digits, fc.nat(3), fc.nat(3), (t, pre, post) => {
    const s = "#".repeat(pre) + t + "#".repeat(post);
    assert.is(decimal(s, pre, pre + t.length), Number(t), t);
  }), { numRuns: 5000, seed: 0xdec });
});

// A line the grammar accepts: mount points and roots that are "/", only start like it, or are it
// escaped ("\\057", which the grammar lets through and is the slash), one character that is not
// it ("x": the grammar does not ask for a leading "/"); optional fields, an empty one among them;
// a source of "-"; super options with a space.
const path = fc.constantFrom("/", "x", "/a", "\\057", "/\\057", "/a\\040b", "/\\134", "/\\0401", "/x/y", "/\\377");
const lineArb = fc.record({
  id: fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 10, max: 4_000_000 })),
  parent: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 10, max: 4_000_000 })),
  dev: fc.constantFrom("0:5", "8:1", "259:12"),
  root: path, mountpoint: path,
  opts: fc.constantFrom("rw", "ro,nosuid", "rw,relatime"),
  // What show_mountinfo writes (each known tag once, propagate_from only with master), with tags
  // it does not write (an empty field, an unknown name) among them, in any order.
  optional: fc.record({
    shared: fc.constantFrom([], ["shared:1"], ["shared:2147483647"]),
    slave: fc.constantFrom([], ["master:22"], ["master:22", "propagate_from:3"]),
    unbindable: fc.constantFrom([], ["unbindable"]),
    unknown: fc.array(fc.constantFrom("", "weird:x", "sharedx:1"), { maxLength: 2 }),
  }).chain((t) => {
    const all = [...t.shared, ...t.slave, ...t.unbindable, ...t.unknown];
    return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
  }),
  fstype: fc.constantFrom("tmpfs", "ext4", "fuse.a\\040b"),
  source: fc.constantFrom("-", "none", "/dev/sda1", "s\\040rc", "\\134"),
  superOpts: fc.constantFrom("rw", "rw,size=1k", "rw mode=755", "-"),
}).map((l) => [l.id, l.parent, l.dev, l.root, l.mountpoint, l.opts, ...l.optional, "-", l.fstype, l.source, l.superOpts].join(" "));
const textArb = fc.array(fc.tuple(fc.nat(2), lineArb), { minLength: 1, maxLength: 14 }).chain((ls) =>
  fc.boolean().map((trailing) => ls.map(([blanks, l]) => "\n".repeat(blanks) + l).join("\n") + (trailing ? "\n" : "")));

test("on tables the grammar accepts, the heads and every entry are the plain reading's", () => {
  fc.assert(fc.property(textArb, (text) => {
    assert.is(mountinfoError(text), null, text);
    const lines = text.split("\n");
    const want = lines.map((l, i) => ({ l, i })).filter(({ l }) => l !== "").map(({ l, i }) => plainLine(l, i + 1));
    const h = mountinfoHeads(text);
    assert.equal({ ids: h.ids, parents: h.parents, slash: h.slash, lines: h.lines },
      { ids: want.map((e) => e.id), parents: want.map((e) => e.parent), slash: want.map((e) => e.mountpoint === "/"), lines: want.map((e) => e.line) });
    assert.equal(h.starts.map((s, i) => text.slice(s, h.ends[i])), lines.filter((l) => l !== ""));
    // entryAt one line at a time, out of order, as build.ts may: nothing is kept from the line before.
    for (let i = h.ids.length - 1; i >= 0; i--) assert.equal(entryAt(text, h, i), want[i]);
    assert.equal(parseMountinfo(text), want);
  }), { numRuns: 1500, seed: 0x4ead5 });
});

test("parseLine on any line of the pieces a table has (short ones too) is the plain reading's (its IDs only where the grammar took the line)", () => {
  const piece = fc.constantFrom("-", "", "1", "12", "/", "/\\057", "\\040", "a", "shared:1", "\\");
  fc.assert(fc.property(fc.array(piece, { minLength: 1, maxLength: 16 }), fc.nat(30), (f, n) => {
    const line = f.join(" ");
    // decimal() reads only the digits the grammar checked: on a refused line the IDs mean nothing.
    const ids = mountinfoError(line) === null ? {} : { id: 0, parent: 0 };
    assert.equal({ ...parseLine(line, n + 1), ...ids }, { ...plainLine(line, n + 1), ...ids }, JSON.stringify(line));
  }), { numRuns: 5000, seed: 0x11e });
});

test("a refused table's error names its line, past line 9 too (the line number has more than one digit)", () => {
  const good = "21 1 8:1 / / rw - ext4 /dev/sda1 rw";
  for (const at of [1, 9, 12, 123]) {
    const text = [...Array(at - 1).fill(good), "21 1 8:1 / / rw - ext4"].join("\n");
    try {
      mountinfoHeads(text);
      assert.unreachable(`line ${at} was accepted`);
    } catch (e) {
      assert.instance(e, MountinfoError);
      assert.is((e as MountinfoError).line, at);
    }
  }
});

test.run();
