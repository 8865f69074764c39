// The fast paths a 100k-mount check() takes (bench/fake.ts "fake kernel at scale") give what the
// plain code they replace gave: a line split in place as split(" ") splits it, mkdir -p that
// skips what the path before already made, a mountinfo written to bytes as encodeString would
// encode the text, numbers read without a slice, a one-entry directory, the ASCII check of the
// grammar. Each is compared with the plain way on generated input; speed is never asserted here.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { MS_BIND, MS_PRIVATE, MS_REC, MS_SHARED, MS_SLAVE } from "../src/abi.js";
import { FakeKernel, unescapeMountinfo } from "../src/hosts/fake/index.js";
import { decimal, parseLine, renderMountinfo, renderMountinfoBytes } from "../src/hosts/fake/mountinfo.js";
import { EMPTY_TREE, type Fs, OneChild, ROOT_INO, addNode, dentryPath, mkdirsAfter, mkdirsIn, mkdirsMemo } from "../src/hosts/fake/model.js";
import { bySeq, bySeqOrder } from "../src/hosts/fake/mounts.js";
import { mountinfoError } from "../src/mountinfo-check.js";
import { encodeString } from "../src/utf8.js";
import { errnoOf, mount } from "./fixtures/fake/calls.js";
import { flatTable, stackedTable } from "../bench/fake.js";

/** parseLine as it was: split(" "), the "-" found from the end (moby/sys/mountinfo). */
function splitLine(line: string, lineNo: number) {
  const f = line.split(" ");
  let sep = f.length - 4;
  while (sep >= 6 && f[sep] !== "-") sep--;
  const g = (i: number): string => f[i] ?? "";
  return {
    line: lineNo, id: Number(g(0)), parent: Number(g(1)), dev: g(2), root: unescapeMountinfo(g(3)), mountpoint: unescapeMountinfo(g(4)),
    opts: g(5), optional: f.slice(6, sep), fstype: unescapeMountinfo(g(sep + 1)), source: unescapeMountinfo(g(sep + 2)),
    superOpts: f.slice(sep + 3).join(" "),
  };
}

const piece = fc.constantFrom(" ", " ", " ", "-", "a", "1", "0", ":", "\\", "\\040", "\t", "x", "shared:3", "07", "", "\udcff");

test("parseLine splits in place exactly as split(' ') did, on any line", () => {
  fc.assert(fc.property(fc.array(piece, { maxLength: 40 }), fc.boolean(), (parts, real) => {
    const line = (real ? "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue " : "") + parts.join("");
    // decimal() reads only the digits the machine's grammar checked: on a refused line the IDs mean nothing.
    const ids = mountinfoError(line) === null ? {} : { id: 0, parent: 0 };
    assert.equal({ ...parseLine(line, 7), ...ids }, { ...splitLine(line, 7), ...ids });
  }), { numRuns: 3000 });
  for (const line of flatTable(300).split("\n").concat(stackedTable(30).split("\n"))) assert.equal(parseLine(line, 1), splitLine(line, 1));
});

test("decimal reads what Number(slice) reads, on the digit runs the grammar lets through", () => {
  for (const s of ["0", "007", "9", "123456789", "2147483647", "9999999999"]) {
    assert.is(decimal(`[${s}]`, 1, s.length + 1), Number(s), s);
  }
});

function fsOn(): Fs {
  return { id: 1, fstype: "tmpfs", superOpts: "rw", dev: "0:1", tree: EMPTY_TREE, userns: false };
}

const tree = (f: Fs) => f.tree.nodes.map((_, ino) => dentryPath(f.tree, ino));

test("mkdirsAfter makes the same directories, with the same inodes, as mkdirsIn", () => {
  const name = fc.constantFrom("a", "b", "ab", ".", "", "..", "c.d");
  const call = fc.record({ from: fc.nat(20), path: fc.array(name, { maxLength: 5 }).map((p) => p.join("/")), lead: fc.boolean() });
  fc.assert(fc.property(fc.array(call, { maxLength: 60 }), (calls) => {
    const a = fsOn(), b = fsOn();
    const memo = mkdirsMemo();
    const made = [ROOT_INO];
    for (const c of calls) {
      const from = made[c.from % made.length]!;
      const path = (c.lead ? "/" : "") + c.path;
      const x = mkdirsIn(a, from, path);
      assert.is(mkdirsAfter(b, from, path, memo), x, path);
      made.push(x);
    }
    assert.equal(tree(b), tree(a));
  }), { numRuns: 500 });
});

test("mkdirsAfter with one memo across two filesystems: each path's inodes come from its own tree (the memo starts again on another tree)", () => {
  const name = fc.constantFrom("a", "b", "ab", "c");
  const call = fc.record({ fs: fc.nat(1), path: fc.array(name, { minLength: 1, maxLength: 4 }).map((p) => "/" + p.join("/")) });
  fc.assert(fc.property(fc.array(call, { maxLength: 40 }), (calls) => {
    const a = [fsOn(), fsOn()], b = [fsOn(), fsOn()];
    const memo = mkdirsMemo();
    for (const c of calls) assert.is(mkdirsAfter(b[c.fs]!, ROOT_INO, c.path, memo), mkdirsIn(a[c.fs]!, ROOT_INO, c.path), c.path);
    for (const i of [0, 1]) assert.equal(tree(b[i]!), tree(a[i]!));
  }), { numRuns: 500, seed: 3 });
});

test("a directory's second entry keeps its first (one entry is a OneChild, two a Map)", () => {
  const f = fsOn();
  const d = mkdirsIn(f, ROOT_INO, "d");
  const x = addNode(f.tree, d, "x", "dir");
  assert.ok(f.tree.nodes[d]!.children instanceof OneChild);
  assert.is(addNode(f.tree, d, "x", "dir"), x, "the same name finds the same inode");
  const y = addNode(f.tree, d, "y", "file");
  assert.ok(f.tree.nodes[d]!.children instanceof Map);
  assert.is(f.tree.nodes[d]!.children!.get("x"), x);
  assert.is(f.tree.nodes[d]!.children!.get("y"), y);
});

/** The bytes an open of mountinfo hands out, and the text encoded the plain way, for each process. */
function sameBytes(k: FakeKernel, what: string): void {
  for (const p of k.state.procs.values()) {
    assert.equal(renderMountinfoBytes(k.state, p), encodeString(renderMountinfo(k.state, p)), `${what}, pid ${p.pid}`);
  }
}

test("mountinfo as bytes is the text encoded: tables, escapes, bytes past ASCII, and after changes", () => {
  const odd = "21 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n" +
    "22 21 0:50 / /a\\040b rw - tmpfs x\\134y rw\n23 21 0:51 /\udcff /caf\u00e9 rw master:1 - tmpfs none rw\n" +
    "24 21 0:52 / /\udcfe\\011 rw shared:9 - tmpfs \udc80 rw,size=1\n";
  for (const [what, text] of [["flat", flatTable(500)], ["stacked", stackedTable(300)], ["escaped and past ASCII", odd]] as const) {
    const k = FakeKernel.fromMountinfo(text).mkdir("/r");
    sameBytes(k, what);
    k.unshare();
    sameBytes(k, `${what}, unshared`);
    assert.is(errnoOf(k.exec(mount(null, "/", null, MS_REC | MS_SLAVE))), 0);
    assert.is(errnoOf(k.exec(mount("/r", "/r", null, MS_BIND | MS_REC))), 0);
    assert.is(errnoOf(k.exec(mount(null, "/r", null, MS_SHARED))), 0);
    assert.is(errnoOf(k.exec(mount(null, "/", null, MS_REC | MS_PRIVATE))), 0);
    sameBytes(k, `${what}, after mounts`);
  }
});

test("the grammar check takes a text past ASCII as its bytes, and ASCII straight", () => {
  for (const text of ["21 1 8:1 / / rw - ext4 caf\u00e9 rw\n", "21 1 8:1 / / rw - ext4 \udcff rw\n", "21 1 8:1 / / rw - ext4 a rw\n", "bad line\n", "", "21 1 8:1 / /\ud800 rw - ext4 a rw\n"]) {
    assert.is(mountinfoError(text), mountinfoError(encodeString(text)), JSON.stringify(text));
  }
});

test("bySeqOrder sorts by seq as sort(bySeq) does, and leaves a sorted list as it is", () => {
  fc.assert(fc.property(fc.array(fc.nat(5)), (seqs) => {
    const ms = seqs.map((seq, id) => ({ id, seq }) as unknown as Parameters<typeof bySeq>[0]);
    const want = [...ms].sort(bySeq).map((m) => m.id);
    const copy = [...ms];
    assert.equal(bySeqOrder(copy).map((m) => m.id), want);
  }));
});

test.run();
