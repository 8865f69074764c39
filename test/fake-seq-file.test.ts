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
import { eitherMode, nativeTest } from "./helpers/native-env.js";

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

test.run();
