// A second driver for the wasm machine, written from docs/ABI.md alone: no import from src/ or
// assembly/. If the doc is wrong or incomplete, this file cannot reproduce the library's golden
// plans (test/fixtures/plans/*.strace), and the test says where. Numbers here are from the doc.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";

const wasm = readFileSync(new URL("../build/wasm/release.wasm", import.meta.url));
const fixture = (name: string) => readFileSync(new URL(`./fixtures/plans/${name}`, import.meta.url), "utf8");

// ABI.md §5, §6: offsets and op codes.
const REQ = { OP: 0, SEQ: 4, FD: 8, FLAGS: 12, COUNT: 16, BUF: 20, STR0: 24, STR1: 32, STR2: 40, STR3: 48, STEP: 64, MODE: 68 };
const OUT = { OP: 0, ERRNO: 4, STEP: 8, SEQ: 12, PATH: 16, MESSAGE: 24, NOTE: 32 };
const OP = { openat: 1, read: 2, close: 3, fchdir: 4, chdir: 5, chroot: 6, pivot_root: 7, mount: 8, umount2: 9, getcwd: 10, mkdir: 12,
  openat2: 13, open_tree: 14, move_mount: 15, setns: 16, mount_setattr: 17, DONE: 100, FAILED: 101 };
/** ABI.md §3: name and code; bwrap plans only auto and pivot, lxc auto, pivot and move (chroot refused). */
const PROFILES: [string, number][] = [["hardened", 0], ["runc", 1], ["runc-1.1", 2], ["crun", 3], ["bwrap", 5], ["lxc", 6], ["crun-1.29", 7]];
const REFUSED = new Set(["bwrap-move", "bwrap-chroot", "lxc-chroot", "lxc-auto-readonly", "lxc-pivot-readonly", "lxc-move-readonly", "hardened-chroot-readonly"]);
const STRATEGIES = ["auto", "pivot", "move", "chroot"];
const OPT_READONLY = 1;
const EINVAL = 22;

// ABI.md §11: strace's tables.
const O_NAMES: [number, string][] = [
  [0o100, "O_CREAT"], [0o200, "O_EXCL"], [0o400, "O_NOCTTY"], [0o1000, "O_TRUNC"], [0o2000, "O_APPEND"],
  [0o4000, "O_NONBLOCK"], [0o10000, "O_DSYNC"], [0o40000, "O_DIRECT"], [0o100000, "O_LARGEFILE"],
  [0o400000, "O_NOFOLLOW"], [0o1000000, "O_NOATIME"], [0x80000, "O_CLOEXEC"], [0x200000, "O_PATH"], [0x10000, "O_DIRECTORY"],
];
const MS_NAMES: [number, string][] = [
  [0x1, "MS_RDONLY"], [0x2, "MS_NOSUID"], [0x4, "MS_NODEV"], [0x8, "MS_NOEXEC"], [0x20, "MS_REMOUNT"],
  [0x1000, "MS_BIND"], [0x2000, "MS_MOVE"], [0x4000, "MS_REC"], [0x8000, "MS_SILENT"], [0x20000, "MS_UNBINDABLE"],
  [0x40000, "MS_PRIVATE"], [0x80000, "MS_SLAVE"], [0x100000, "MS_SHARED"], [0x200000, "MS_RELATIME"],
];
/** ABI.md §11: MS_MGC_VAL (0xc0ed0000 in the top 16 bits) comes first, then the bits in ascending order. */
const msFlags = (f: number) => ((f >>> 16) === 0xc0ed ? flagNames(f & 0xffff, MS_NAMES, ["MS_MGC_VAL"]) : flagNames(f, MS_NAMES));
const MNT_NAMES: [number, string][] = [[1, "MNT_FORCE"], [2, "MNT_DETACH"], [4, "MNT_EXPIRE"], [8, "UMOUNT_NOFOLLOW"]];
// ABI.md §8, §11 (ABI 5): openat2's resolve, open_tree's and move_mount's flags.
const RESOLVE_NAMES: [number, string][] = [[1, "RESOLVE_NO_XDEV"], [2, "RESOLVE_NO_MAGICLINKS"], [4, "RESOLVE_NO_SYMLINKS"], [8, "RESOLVE_BENEATH"]];
const OPEN_TREE_NAMES: [number, string][] = [[1, "OPEN_TREE_CLONE"], [2, "OPEN_TREE_NAMESPACE"], [0x80000, "OPEN_TREE_CLOEXEC"], [0x1000, "AT_EMPTY_PATH"], [0x8000, "AT_RECURSIVE"]];
// ABI.md §5, §8, §11 (ABI 6): setns's nstype, mount_setattr's flags, attr_set and propagation.
const OPEN_TREE_NAMESPACE = 2;
const AT_NAMES: [number, string][] = [[0x1000, "AT_EMPTY_PATH"], [0x8000, "AT_RECURSIVE"]];
const ATTR_NAMES: [number, string][] = [[1, "MOUNT_ATTR_RDONLY"]];
const PROP_NAMES: [number, string][] = [[0x20000, "MS_UNBINDABLE"], [0x40000, "MS_PRIVATE"], [0x80000, "MS_SLAVE"], [0x100000, "MS_SHARED"]];
const MOVE_MOUNT_NAMES: [number, string][] = [[0x4, "MOVE_MOUNT_F_EMPTY_PATH"], [0x40, "MOVE_MOUNT_T_EMPTY_PATH"]];
const dirfd = (fd: number) => (fd === -100 ? "AT_FDCWD" : String(fd));
const ERRNOS: Record<number, [string, string]> = {
  1: ["EPERM", "Operation not permitted"], 2: ["ENOENT", "No such file or directory"], 22: ["EINVAL", "Invalid argument"],
};

function flagNames(flags: number, table: [number, string][], first: string[] = []): string {
  const parts = [...first];
  let rest = flags >>> 0;
  for (const [bit, name] of table) if (rest & bit) { parts.push(name); rest &= ~bit; }
  if (rest) parts.push("0x" + (rest >>> 0).toString(16));
  return parts.length ? parts.join("|") : "0";
}
const openFlags = (f: number) => flagNames(f & ~3, O_NAMES, [["O_RDONLY", "O_WRONLY", "O_RDWR"][f & 3] ?? "O_RDONLY"]);

function quote(bytes: Uint8Array | null, max = Infinity): string {
  if (bytes === null) return "NULL";
  const n = Math.min(bytes.length, max);
  const esc: Record<number, string> = { 0x22: '\\"', 0x5c: "\\\\", 0x09: "\\t", 0x0a: "\\n", 0x0b: "\\v", 0x0c: "\\f", 0x0d: "\\r" };
  let out = "";
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    const octalNext = i + 1 < n && bytes[i + 1]! >= 0x30 && bytes[i + 1]! <= 0x37;
    if (esc[b]) out += esc[b];
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += "\\" + (octalNext ? b.toString(8).padStart(3, "0") : b.toString(8));
  }
  return `"${out}"` + (bytes.length > n ? "..." : "");
}

// The library's dry-run mountinfo for rootfs "/r" (a docker-like host), copied as a literal.
const MOUNTINFO = [
  "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro",
  "23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw",
  "24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw",
  "25 24 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:3 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot",
  "26 22 0:5 / /dev rw,nosuid,relatime shared:4 - devtmpfs udev rw,size=8123456k,nr_inodes=2030864,mode=755",
  "27 26 0:24 / /dev/pts rw,nosuid,noexec,relatime shared:5 - devpts devpts rw,gid=5,mode=620,ptmxmode=000",
  "28 22 0:25 / /run rw,nosuid,nodev,noexec,relatime shared:6 - tmpfs tmpfs rw,size=1631084k,mode=755",
  "29 23 0:26 / /proc/sys/fs/binfmt_misc rw,relatime shared:13 - autofs systemd-1 rw,fd=29,pgrp=1,timeout=0,minproto=5,maxproto=5,direct",
  "30 22 0:27 / /r rw,relatime shared:14 - overlay overlay rw,lowerdir=/var/lib/pivotshim/l/A:/var/lib/pivotshim/l/B,upperdir=/var/lib/pivotshim/diff,workdir=/var/lib/pivotshim/work",
  "31 30 0:28 / /r/proc rw,nosuid,nodev,noexec,relatime - proc proc rw",
  "32 30 0:29 / /r/sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro",
  "33 30 0:30 / /r/dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755",
  "",
].join("\n");

interface Exports {
  memory: WebAssembly.Memory;
  abi_version(): number; input_ptr(): number; input_cap(): number; request_ptr(): number; outcome_ptr(): number;
  start(len: number, profile: number, strategy: number, propagation: number, options: number): number;
  next(): number; feed(ret: number, errno: number): void;
  mountinfo_buffer(len: number): number; mountinfo_check(len: number): number;
}

async function instantiate(): Promise<Exports> {
  let memory: WebAssembly.Memory | null = null;
  // ABI.md §1: AssemblyScript strings, UTF-16LE, byte length at ptr-4.
  const asString = (p: number) => {
    if (!p || !memory) return "";
    const len = new DataView(memory.buffer).getUint32(p - 4, true);
    return String.fromCharCode(...new Uint16Array(memory.buffer.slice(p, p + len)));
  };
  const abort = (msg: number, file: number, line: number, col: number) => {
    throw new Error(`${asString(msg)} (${asString(file)}:${line}:${col})`);
  };
  const { instance } = await WebAssembly.instantiate(wasm, { env: { abort } });
  const ex = instance.exports as unknown as Exports;
  memory = ex.memory;
  if (ex.abi_version() !== 6) throw new Error(`unknown ABI version ${ex.abi_version()}`);
  return ex;
}

/** A string slot (ABI.md §2): null for NULL, else the bytes. Call with a fresh view. */
function str(mem: Uint8Array, dv: DataView, at: number): Uint8Array | null {
  const ptr = dv.getUint32(at, true);
  return ptr === 0 ? null : mem.slice(ptr, ptr + dv.getUint32(at + 4, true));
}
const text = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));

interface Fault { op: number; nth: number; errno: number }

/** Drives one run against a tiny dry-run host; returns the strace text and the outcome. */
async function run(rootfs: string, profile: number, strategy: number, options: number, faults: Fault[] = []) {
  const ex = await instantiate();
  const root = new TextEncoder().encode(rootfs);
  assert.ok(root.length <= ex.input_cap());
  new Uint8Array(ex.memory.buffer, ex.input_ptr(), root.length).set(root);
  assert.is(ex.start(root.length, profile, strategy, 0, options), 0);

  const files = new Map<number, { data: Uint8Array; off: number } | null>();
  const counts = new Map<number, number>();
  let detached = false;
  const unmounted = new Set<string>(); // the dry-run host's second fact: a path it unmounted is no mount point any more
  const lines: string[] = [];
  for (let p = ex.next(); ; p = ex.next()) {
    const mem = new Uint8Array(ex.memory.buffer); // re-fetched after every call (§1)
    const dv = new DataView(ex.memory.buffer);
    const i32 = (off: number) => dv.getInt32(p + off, true);
    const s = (off: number) => str(mem, dv, p + off);
    const op = i32(REQ.OP);
    if (op === OP.DONE || op === OP.FAILED) {
      const o = ex.outcome_ptr();
      const outcome = {
        failed: op === OP.FAILED, op: dv.getInt32(o + OUT.OP, true), errno: dv.getInt32(o + OUT.ERRNO, true),
        step: dv.getInt32(o + OUT.STEP, true), seq: dv.getInt32(o + OUT.SEQ, true),
        path: text(str(mem, dv, o + OUT.PATH)), message: text(str(mem, dv, o + OUT.MESSAGE)) ?? "", note: text(str(mem, dv, o + OUT.NOTE)) ?? "",
      };
      if (outcome.note) lines.push(`# note: ${outcome.note}`);
      lines.push(outcome.failed ? `# failed: ${outcome.message}` : "# done");
      return { strace: lines.join("\n") + "\n", outcome };
    }
    const fd = i32(REQ.FD);
    const nth = (counts.get(op) ?? 0) + 1;
    counts.set(op, nth);
    const fault = faults.find((f) => f.op === op && f.nth === nth);

    // The host: success for everything, fds lowest-free from 3.
    let ret = 0;
    let errno = 0;
    let written: Uint8Array | null = null;
    if (fault) { ret = -1; errno = fault.errno; }
    // ABI.md §12: as Linux before 7.0, OPEN_TREE_NAMESPACE is an unknown flag.
    else if (op === OP.open_tree && (i32(REQ.FLAGS) & OPEN_TREE_NAMESPACE) !== 0) { ret = -1; errno = EINVAL; }
    else if (op === OP.openat || op === OP.openat2 || op === OP.open_tree) {
      ret = 3;
      while (files.has(ret)) ret++;
      const path = text(s(REQ.STR0))!;
      files.set(ret, path.endsWith("/mountinfo") ? { data: new TextEncoder().encode(MOUNTINFO), off: 0 } : null);
    } else if (op === OP.read) {
      const f = files.get(fd);
      written = f ? f.data.subarray(f.off, f.off + i32(REQ.COUNT)) : new Uint8Array(0);
      if (f) f.off += written.length;
    } else if (op === OP.close) files.delete(fd);
    else if (op === OP.getcwd) written = new Uint8Array([0x2f, 0]);
    else if (op === OP.pivot_root) { detached = false; unmounted.clear(); }
    else if (op === OP.mount || op === OP.move_mount || op === OP.setns || op === OP.mount_setattr) unmounted.clear();
    else if (op === OP.umount2 && text(s(REQ.STR0)) === ".") {
      if (detached) { ret = -1; errno = EINVAL; } else detached = true;
    } else if (op === OP.umount2) {
      const t = text(s(REQ.STR0)) ?? "";
      if (unmounted.has(t)) { ret = -1; errno = EINVAL; } else unmounted.add(t);
    }
    if (written) {
      assert.ok(written.length <= i32(REQ.COUNT), "never more than COUNT bytes");
      mem.set(written, dv.getUint32(p + REQ.BUF, true));
      ret = written.length;
    }

    lines.push(`${render(op, i32, s, written)} = ${errno ? `-1 ${ERRNOS[errno]![0]} (${ERRNOS[errno]![1]})` : ret}`);
    ex.feed(ret, errno);
  }
}

function render(op: number, i32: (off: number) => number, s: (off: number) => Uint8Array | null, written: Uint8Array | null): string {
  const fd = i32(REQ.FD);
  switch (op) {
    case OP.openat: return `openat(${fd === -100 ? "AT_FDCWD" : fd}, ${quote(s(REQ.STR0))}, ${openFlags(i32(REQ.FLAGS))})`;
    case OP.read: return `read(${fd}, ${written ? quote(written, 32) : "..."}, ${i32(REQ.COUNT)})`;
    case OP.openat2:
      return `openat2(${dirfd(fd)}, ${quote(s(REQ.STR0))}, {flags=${openFlags(i32(REQ.FLAGS))}, resolve=${flagNames(i32(REQ.COUNT), RESOLVE_NAMES)}}, 24)`;
    case OP.open_tree: return `open_tree(${dirfd(fd)}, ${quote(s(REQ.STR0))}, ${flagNames(i32(REQ.FLAGS), OPEN_TREE_NAMES)})`;
    case OP.move_mount:
      return `move_mount(${dirfd(fd)}, ${quote(s(REQ.STR0))}, ${dirfd(i32(REQ.COUNT))}, ${quote(s(REQ.STR1))}, ${flagNames(i32(REQ.FLAGS), MOVE_MOUNT_NAMES)})`;
    case OP.setns: return `setns(${fd}, ${i32(REQ.FLAGS) === 0x20000 ? "CLONE_NEWNS" : i32(REQ.FLAGS)})`;
    case OP.mount_setattr:
      return `mount_setattr(${dirfd(fd)}, ${quote(s(REQ.STR0))}, ${flagNames(i32(REQ.FLAGS), AT_NAMES)}, {attr_set=${flagNames(i32(REQ.MODE), ATTR_NAMES)}, attr_clr=0, propagation=${flagNames(i32(REQ.COUNT), PROP_NAMES)}, userns_fd=0}, 32)`;
    case OP.close: return `close(${fd})`;
    case OP.fchdir: return `fchdir(${fd})`;
    case OP.chdir: return `chdir(${quote(s(REQ.STR0))})`;
    case OP.chroot: return `chroot(${quote(s(REQ.STR0))})`;
    case OP.pivot_root: return `pivot_root(${quote(s(REQ.STR0))}, ${quote(s(REQ.STR1))})`;
    case OP.mount:
      return `mount(${quote(s(REQ.STR0))}, ${quote(s(REQ.STR1))}, ${quote(s(REQ.STR2))}, ${msFlags(i32(REQ.FLAGS))}, ${quote(s(REQ.STR3))})`;
    case OP.mkdir: return `mkdir(${quote(s(REQ.STR0))}, 0${i32(REQ.MODE).toString(8)})`;
    case OP.umount2: return `umount2(${quote(s(REQ.STR0))}, ${flagNames(i32(REQ.FLAGS), MNT_NAMES)})`;
    case OP.getcwd: {
      const path = written ? written.subarray(0, written.indexOf(0) < 0 ? written.length : written.indexOf(0)) : null;
      return `getcwd(${path ? quote(path) : "..."}, ${i32(REQ.COUNT)})`;
    }
    default: throw new Error(`unknown op ${op}`);
  }
}

PROFILES.forEach(([profile, pcode]) => {
  STRATEGIES.forEach((strategy, scode) => {
    if (REFUSED.has(`${profile}-${strategy}`)) return;
    for (const readonly of [false, true]) {
      if (REFUSED.has(`${profile}-${strategy}${readonly ? "-readonly" : ""}`)) continue;
      const name = `${profile}-${strategy}${readonly ? "-readonly" : ""}.strace`;
      test(`doc driver reproduces plans/${name}`, async () => {
        const r = await run("/r", pcode, scode, readonly ? OPT_READONLY : 0);
        assert.fixture(r.strace, fixture(name));
        assert.is(r.outcome.failed, false);
        assert.equal([r.outcome.op, r.outcome.errno, r.outcome.seq, r.outcome.path, r.outcome.message], [0, 0, -1, null, ""]);
      });
    }
  });
});

test("pivot_root=EINVAL on runc: deferred closes, then runc's message in the outcome", async () => {
  const r = await run("/r", 1, 0, 0, [{ op: OP.pivot_root, nth: 1, errno: EINVAL }]);
  assert.equal(r.strace.trimEnd().split("\n").slice(-4), [
    'pivot_root(".", ".") = -1 EINVAL (Invalid argument)', "close(4) = 0", "close(3) = 0",
    "# failed: error jailing process inside rootfs: pivot_root .: invalid argument",
  ]);
  assert.equal(r.outcome, {
    failed: true, op: OP.pivot_root, errno: EINVAL, step: 23, seq: 7, path: ".",
    message: "error jailing process inside rootfs: pivot_root .: invalid argument", note: "",
  });
});

test("an invalid config: start returns 1, the first next() is FAILED with the reason", async () => {
  const ex = await instantiate();
  new Uint8Array(ex.memory.buffer, ex.input_ptr(), 1).set([0x72]);
  assert.is(ex.start(1, 1, 0, 0, 0), 1);
  const dv = new DataView(ex.memory.buffer);
  assert.is(dv.getInt32(ex.next() + REQ.OP, true), OP.FAILED);
  const o = ex.outcome_ptr();
  assert.is(text(str(new Uint8Array(ex.memory.buffer), dv, o + OUT.MESSAGE)), "invalid config: rootfs must be an absolute path");
  assert.equal([dv.getInt32(o + OUT.OP, true), dv.getInt32(o + OUT.SEQ, true)], [0, -1]);
});

test("protocol errors trap through env.abort with 'protocol: '", async () => {
  const ex = await instantiate();
  assert.throws(() => ex.next(), /^protocol: next\(\) before start\(\)/);
  const fresh = await instantiate();
  new Uint8Array(fresh.memory.buffer, fresh.input_ptr(), 2).set([0x2f, 0x72]);
  fresh.start(2, 1, 0, 0, 0);
  assert.throws(() => fresh.feed(0, 0), /^protocol: feed\(\) without a pending request/);
  const other = await instantiate();
  new Uint8Array(other.memory.buffer, other.input_ptr(), 2).set([0x2f, 0x72]);
  other.start(2, 1, 0, 0, 0);
  other.next();
  assert.throws(() => other.next(), /^protocol: next\(\) called twice without feed\(\) \(pending request 0, step propagate_root\)/);
});

test("ABI.md §13: mountinfo_check gives the run's message, 0 for a good table, and ends the run", async () => {
  const ex = await instantiate();
  const check = (t: string) => {
    const b = new TextEncoder().encode(t);
    const p = ex.mountinfo_buffer(b.length);
    new Uint8Array(ex.memory.buffer, p, b.length).set(b);
    const slot = ex.mountinfo_check(b.length);
    const dv = new DataView(ex.memory.buffer);
    return slot === 0 ? null : text(str(new Uint8Array(ex.memory.buffer), dv, slot));
  };
  assert.is(check(MOUNTINFO), null);
  assert.is(check("1 0 8:1 / / rw - ext4 /dev/sda rw\n\nx x 0:29 / /mnt rw - tmpfs tmpfs rw\n"),
    "malformed mountinfo, line 3: mount ID and parent ID must be decimal numbers");
  assert.is(check("1 0 8:1 /\\9 / rw - ext4 /dev/sda rw\n"), "malformed mountinfo, line 1: bad \\ooo escape");
  assert.is(ex.mountinfo_buffer(16777217), 0);
  assert.throws(() => ex.next(), /protocol: next\(\) before start\(\)/);
});

test.run();
