// mountinfo reads are seq_file-shaped: the fake kernel returns the byte counts the real kernel
// returns, read for read (src/hosts/fake/seq-file.ts). Checked against reads captured on Linux
// 6.18 (test/fixtures/seq-file/) and, when an executor can run, against the running kernel.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import * as abi from "../src/abi.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import { seqRead } from "../src/hosts/fake/seq-file.js";
import type { Host } from "../src/hosts/host.js";
import type { Request } from "../src/request.js";
import { fixture } from "./helpers.js";
import { eitherMode, nativeTest, readMountinfo } from "./helpers/native-env.js";

const test = suite("seq_file reads");
const c = { seq: 0, step: "test", reason: "seq_file reads" };
type Reads = [count: number, ret: number][];
interface Setup { name: string; records: number[]; patterns: Record<string, Reads> }
const captured = JSON.parse(readFileSync(fixture("seq-file/linux-6.18.json"), "utf8")) as { setups: Setup[] };

/** Bytes with these record lengths (the counts depend on nothing else). */
const textOf = (records: number[]) => Buffer.from(records.map((n) => "x".repeat(n - 1) + "\n").join(""));

/** The machine's pattern: read into what is left of a 4 KiB buffer that doubles when full. */
const machineCount = (used: number) => { let cap = abi.MOUNTINFO_CHUNK; while (cap <= used) cap *= 2; return cap - used; };

test("seqRead gives the counts Linux 6.18 returned, for every captured pattern", () => {
  for (const s of captured.setups) {
    const data = textOf(s.records);
    for (const [name, reads] of Object.entries(s.patterns)) {
      const st = { offset: 0 };
      assert.equal(reads.map(([count]) => [count, seqRead(data, st, count)]), reads, `${s.name}, ${name}`);
    }
  }
});

/** A table of `n` tmpfs mounts under /srv (records of 60-70 bytes), over 4 KiB from n = 70. */
function bigTable(n: number): FakeKernel {
  const lines = ["21 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw", "22 21 0:21 / /proc rw,relatime - proc proc rw"];
  for (let i = 0; i < n; i++) lines.push(`${100 + i} 21 0:${100 + i} / /srv/m${i} rw,relatime - tmpfs tmpfs rw`);
  return FakeKernel.fromMountinfo(lines.join("\n") + "\n");
}

/** Reads the fake kernel's /proc/self/mountinfo with counts from `next`: [count, ret] and the bytes. */
function readAll(k: Host, next: (used: number) => number): { reads: Reads; text: Buffer } {
  const fd = k.exec({ ...c, op: "openat", dirfd: abi.AT_FDCWD, pathname: "/proc/self/mountinfo", flags: abi.O_RDONLY | abi.O_CLOEXEC, mode: 0 });
  if (!("ret" in fd)) throw new Error(`openat: errno ${fd.errno}`);
  return collect((count) => k.exec({ ...c, op: "read", fd: fd.ret, count }) as { ret: number; data?: Uint8Array }, next);
}

function collect(read: (count: number) => { ret: number; data?: Uint8Array }, next: (used: number) => number): { reads: Reads; text: Buffer } {
  const reads: Reads = [];
  const parts: Buffer[] = [];
  let used = 0;
  for (;;) {
    const count = next(used);
    const r = read(count);
    reads.push([count, r.ret]);
    if (r.ret === 0) break;
    parts.push(Buffer.from(r.data!));
    used += r.ret;
  }
  return { reads, text: Buffer.concat(parts) };
}

test("the fake kernel's read(fd, 4096) above 4 KiB returns whole records, never a partial line", () => {
  const k = bigTable(150);
  const { reads, text } = readAll(k, () => 4096);
  assert.ok(text.length > 2 * 4096 - 200 && reads.length >= 3, `${text.length} bytes in ${reads.length} reads`);
  assert.is(text.toString(), k.mountinfo());
  let at = 0;
  for (const [, ret] of reads.slice(0, -1)) {
    at += ret;
    assert.ok(ret < 4096, `read returned ${ret}: the buffer holds less than a page`);
    assert.is(text[at - 1], 0x0a, `read ending at byte ${at} ends a record`);
  }
});

test("the fake kernel's reads follow seqRead for the machine's pattern, and a record longer than the buffer comes out in pieces", () => {
  const k = bigTable(150);
  const long = "/srv/" + "d".repeat(3000);
  const withLong = FakeKernel.fromMountinfo(k.mountinfo() + `999 21 0:999 / ${long} rw - tmpfs ${"s".repeat(3000)} rw\n`);
  for (const kernel of [k, withLong]) {
    const { reads, text } = readAll(kernel, machineCount);
    const st = { offset: 0 };
    assert.equal(reads.map(([count]) => [count, seqRead(text, st, count)]), reads);
  }
  const { reads } = readAll(withLong, () => 4096);
  assert.ok(reads.some(([, ret]) => ret === 4096), `the long record is split at the caller's buffer: ${JSON.stringify(reads)}`);
});

test("the seq_file state travels with the fd when the kernel is cloned mid-read", () => {
  const k = bigTable(150);
  const fd = k.exec({ ...c, op: "openat", dirfd: abi.AT_FDCWD, pathname: "/proc/self/mountinfo", flags: abi.O_RDONLY, mode: 0 });
  assert.ok("ret" in fd);
  const a = k.exec({ ...c, op: "read", fd: fd.ret, count: 4096 });
  const b = k.exec({ ...c, op: "read", fd: fd.ret, count: 10 });
  assert.ok("ret" in a && "ret" in b);
  const k2 = k.clone();
  const counts = [4096, 4096, 4096, 4096];
  const rest = (kk: FakeKernel) => counts.map((n) => (kk.exec({ ...c, op: "read", fd: fd.ret, count: n }) as { ret: number }).ret);
  assert.equal(rest(k2), rest(k));
});

test("seqRead at the edges no kernel table reaches: an empty text, no final newline, a newline first, a read of 0", () => {
  const reads = (text: string, counts: number[], st: { offset: number; held?: boolean } = { offset: 0 }) =>
    counts.map((n) => seqRead(Buffer.from(text), st, n));
  assert.equal(reads("", [100, 0]), [0, 0], "an empty text is at EOF");
  assert.equal(reads("ab\ncd", [100, 100]), [5, 0], "the last record may lack its newline");
  // A newline first is a record of one byte: with a 4096-byte record after it, the first buffer
  // (a page) holds only it, as a full buffer is an overflow (seq_has_overflowed).
  assert.equal(reads("\n" + "x".repeat(4095) + "\n", [8192, 8192, 8192]), [1, 4096, 0]);
  // seq_read_iter returns 0 for a read of 0 before it looks at its buffer: the next read is the
  // one it would have been (a page buffer: the first 40-byte record, and what fits after it).
  const text = Array.from({ length: 120 }, (_, i) => `${String(i).padStart(3, "0")}${"r".repeat(36)}\n`).join("");
  assert.equal(reads(text, [0, 65536, 0, 65536]), reads(text, [65536, 65536]).flatMap((n) => [0, n]));
  assert.equal(reads(text, [65536]), [4080], "a page holds 102 records of 40 bytes: the 103rd would fill it");
});

test("seqRead finds the record of every offset: four records read 5 bytes at a time, the last one's pieces included", () => {
  const st = { offset: 0 };
  const data = Buffer.from("123456789\n".repeat(4));
  const got: number[] = [];
  for (let n = -1; n !== 0;) got.push((n = seqRead(data, st, 5)));
  assert.equal(got, [5, 5, 5, 5, 5, 5, 5, 5, 0]);
});

/**
 * Mounts a tmpfs at `target` whose mountinfo record is exactly `want` bytes, newline included: the
 * source string pads it (the kernel shows it as given). A mount id or device number with one more
 * digit after a remount is absorbed by measuring again.
 */
async function mountExact(run: (r: Record<string, unknown>) => Promise<unknown>, table: () => Promise<string>, target: string, want: number): Promise<void> {
  let pad = want - 200;
  for (let tries = 0; tries < 5; tries++) {
    assert.equal(await run({ op: "mount", source: "s".repeat(pad), target, filesystemtype: "tmpfs", mountflags: 0, data: null }), { ret: 0 });
    const line = (await table()).split("\n").find((l) => l.split(" ")[4] === target);
    assert.ok(line, `no record for ${target}`);
    if (line.length + 1 === want) return;
    assert.equal(await run({ op: "umount2", target, flags: 0 }), { ret: 0 });
    pad += want - (line.length + 1);
  }
  throw new Error(`could not make a ${want}-byte record at ${target}`);
}

const { mode, reason, spawn } = await eitherMode();

nativeTest(test, reason, `the running kernel (${mode}) and the fake kernel built from its table agree read for read above 4 KiB, a long record included`, async () => {
  const dir = mkdtempSync(join(tmpdir(), "pivotshim-seq-"));
  const ex = await spawn();
  try {
    const run = async (r: Record<string, unknown>) => ex.exec({ ...c, ...r } as Request);
    for (let i = 0; i < 120; i++) {
      mkdirSync(join(dir, `m${i}`));
      assert.equal(await run({ op: "mount", source: "t", target: join(dir, `m${i}`), filesystemtype: "tmpfs", mountflags: 0, data: null }), { ret: 0 });
    }
    let deep = dir;
    for (let i = 0; i < 25; i++) deep = join(deep, "d".repeat(120));
    mkdirSync(deep, { recursive: true });
    assert.equal(await run({ op: "mount", source: "s".repeat(3000), target: deep, filesystemtype: "tmpfs", mountflags: 0, data: null }), { ret: 0 });
    for (const [name, next] of [["machine", machineCount], ["4096", () => 4096], ["100", () => 100]] as const) {
      const fd = await run({ op: "openat", dirfd: abi.AT_FDCWD, pathname: "/proc/self/mountinfo", flags: abi.O_RDONLY | abi.O_CLOEXEC, mode: 0 });
      assert.ok("ret" in fd);
      const real: { reads: Reads; text: Buffer } = { reads: [], text: Buffer.alloc(0) };
      const parts: Buffer[] = [];
      for (let used = 0; ;) {
        const count = next(used);
        const r = await run({ op: "read", fd: fd.ret, count });
        assert.ok("ret" in r);
        real.reads.push([count, r.ret]);
        if (r.ret === 0) break;
        parts.push(Buffer.from(r.data!));
        used += r.ret;
      }
      await run({ op: "close", fd: fd.ret });
      real.text = Buffer.concat(parts);
      assert.ok(real.text.length > 4096 * 3, `${real.text.length} bytes`);
      const st = { offset: 0 };
      assert.equal(real.reads.map(([count]) => [count, seqRead(real.text, st, count)]), real.reads, `${name}: seqRead`);
      const model = FakeKernel.fromMountinfo(real.text.toString("latin1"));
      assert.is(model.mountinfo(), real.text.toString("latin1"), "the model renders the same bytes");
      assert.equal(readAll(model, next).reads, real.reads, `${name}: the fake kernel`);
    }
  } finally {
    await ex.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

nativeTest(test, reason, `the running kernel (${mode}) and seqRead agree at the buffer's edges: a record of exactly a page, records that fill the doubled buffer exactly, a long record followed by short ones, reads of 0`, async () => {
  const dir = mkdtempSync(join(tmpdir(), "pivotshim-seq-"));
  const ex = await spawn();
  try {
    const run = async (r: Record<string, unknown>) => ex.exec({ ...c, ...r } as Request);
    const table = () => readMountinfo(ex);
    const at = (name: string) => { mkdirSync(join(dir, name)); return join(dir, name); };
    const small = async (name: string) =>
      assert.equal(await run({ op: "mount", source: "t", target: at(name), filesystemtype: "tmpfs", mountflags: 0, data: null }), { ret: 0 });
    // A page-sized record first (the buffer doubles to 8192 for it: seq_has_overflowed counts a full
    // buffer as an overflow), a short one that shares the doubled buffer with it, then one that would
    // fill that buffer exactly (so it waits for the next read), then short ones.
    await mountExact(run, table, at("a"), 4096);
    await small("c");
    const lenC = (await table()).split("\n").find((l) => l.split(" ")[4] === join(dir, "c"))!.length + 1;
    await mountExact(run, table, at("b"), 4096 - lenC);
    for (const n of ["d", "e"]) await small(n);
    // A record of about 6 KiB with short ones after it (the captured fixtures end on their long record).
    let deep = dir;
    for (let i = 0; i < 25; i++) deep = join(deep, "d".repeat(120));
    mkdirSync(deep, { recursive: true });
    assert.equal(await run({ op: "mount", source: "s".repeat(3000), target: deep, filesystemtype: "tmpfs", mountflags: 0, data: null }), { ret: 0 });
    for (const n of ["f", "g", "h"]) await small(n);

    const text = Buffer.from(await table(), "latin1");
    const lengths = text.toString("latin1").split("\n").slice(0, -1).map((l) => l.length + 1);
    const ia = lengths.indexOf(4096);
    assert.ok(ia >= 0 && lengths[ia + 1]! + lengths[ia + 2]! === 4096 && lengths.slice(0, ia).every((n) => n < 4096), `records: ${lengths.join(" ")}`);
    assert.ok(lengths.slice(ia + 2, -3).some((n) => n > 4096), "a record longer than a page after them, and short ones after it");

    const patterns: [string, (i: number) => number][] = [
      ["65536", () => 65536], ["4096", () => 4096], ["100", () => 100], ["3000", () => 3000],
      ["0 then 65536", (i) => (i % 2 === 0 ? 0 : 65536)],
    ];
    for (const [name, next] of patterns) {
      const fd = await run({ op: "openat", dirfd: abi.AT_FDCWD, pathname: "/proc/self/mountinfo", flags: abi.O_RDONLY | abi.O_CLOEXEC, mode: 0 });
      assert.ok("ret" in fd);
      const reads: Reads = [];
      let total = 0;
      for (let i = 0, zeros = 0; zeros < 2; i++) {
        const count = next(i);
        const r = await run({ op: "read", fd: fd.ret, count });
        assert.ok("ret" in r);
        reads.push([count, r.ret]);
        total += r.ret;
        zeros = count > 0 && r.ret === 0 ? zeros + 1 : zeros; // EOF, twice
      }
      await run({ op: "close", fd: fd.ret });
      assert.is(total, text.length, `${name}: the whole table`);
      const st = { offset: 0 };
      assert.equal(reads.map(([count]) => [count, seqRead(text, st, count)]), reads, `${name}: seqRead`);
      const model = FakeKernel.fromMountinfo(text.toString("latin1"));
      const mfd = model.exec({ ...c, op: "openat", dirfd: abi.AT_FDCWD, pathname: "/proc/self/mountinfo", flags: abi.O_RDONLY, mode: 0 });
      assert.ok("ret" in mfd);
      assert.equal(reads.map(([count]) => [count, (model.exec({ ...c, op: "read", fd: mfd.ret, count }) as { ret: number }).ret]), reads, `${name}: the fake kernel`);
    }
  } finally {
    await ex.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
