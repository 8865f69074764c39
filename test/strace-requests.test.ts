// Tests for src/strace/to-requests.ts: strace calls → the Request union plus the kernel's Result.
// Checks flags back to numbers through abi.ts, NULL vs "" vs address, errnos, read/getcwd data,
// what is left out, and that each problem is reported. Real lines from test/fixtures/real/.
import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import { callOf } from "../src/request.js";
import { msFlags } from "../src/names-ts.js";
import { parseStrace, toRequests, type Traced } from "../src/strace/parse.js";

const map = (log: string): Traced[] => toRequests(parseStrace(log).calls);
const calls = (log: string) => map(log).map((t) => callOf(t.request as Parameters<typeof callOf>[0]));
const enc = new TextEncoder();

test("runc 1.1.5 pivot: every step maps, with numbers from abi.ts", () => {
  const log = `3895  chdir("/tmp/pvs/rootfs")          = 0
3895  openat(AT_FDCWD</tmp/pvs/rootfs>, "/", O_RDONLY|O_DIRECTORY) = 6</>
3895  openat(AT_FDCWD</tmp/pvs/rootfs>, "/tmp/pvs/rootfs", O_RDONLY|O_DIRECTORY) = 10</tmp/pvs/rootfs>
3895  fchdir(10</tmp/pvs/rootfs>)       = 0
3895  pivot_root(".", ".")              = 0
3895  fchdir(6</>)                      = 0
3895  mount("", ".", 0xc00013f8e6, MS_REC|MS_SLAVE, NULL) = 0
3895  umount2(".", MNT_DETACH)          = 0
3895  chdir("/")                        = 0
3895  close(10</>)                      = 0
3895  close(6</>)                       = 0`;
  assert.equal(calls(log), [
    { op: "chdir", path: "/tmp/pvs/rootfs" },
    { op: "openat", dirfd: abi.AT_FDCWD, pathname: "/", flags: abi.O_RDONLY | abi.O_DIRECTORY, mode: 0 },
    { op: "openat", dirfd: abi.AT_FDCWD, pathname: "/tmp/pvs/rootfs", flags: abi.O_RDONLY | abi.O_DIRECTORY, mode: 0 },
    { op: "fchdir", fd: 10 },
    { op: "pivot_root", new_root: ".", put_old: "." },
    { op: "fchdir", fd: 6 },
    { op: "mount", source: "", target: ".", filesystemtype: { addr: "0xc00013f8e6" }, mountflags: abi.MS_REC | abi.MS_SLAVE, data: null },
    { op: "umount2", target: ".", flags: abi.MNT_DETACH },
    { op: "chdir", path: "/" },
    { op: "close", fd: 10 },
    { op: "close", fd: 6 },
  ]);
  const t = map(log);
  assert.equal(t.map((x) => x.result), [0, 6, 10, 0, 0, 0, 0, 0, 0, 0, 0].map((ret) => ({ ret })));
  assert.equal(t.map((x) => x.request.seq), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(t[1]!.request.reason, "strace line 2");
  assert.ok(t.every((x) => x.problems.length === 0));
});

test("crun 1.8.1: NULL stays null, errno names become numbers", () => {
  const t = map(`4030  mount(NULL, "/tmp/pvs", NULL, MS_PRIVATE, NULL) = -1 EINVAL (Invalid argument)
4030  umount2(".", MNT_DETACH)          = -1 EINVAL (Invalid argument)
4038  mount("/tmp/pvs/rootfs", "/", 0x56093a0036df, MS_MOVE, 0x56093a0036df) = 0
4038  chroot(".")                       = 0`);
  assert.equal(callOf(t[0]!.request as never), { op: "mount", source: null, target: "/tmp/pvs", filesystemtype: null, mountflags: abi.MS_PRIVATE, data: null });
  assert.equal(t[0]!.result, { errno: abi.EINVAL });
  assert.equal(t[1]!.result, { errno: abi.EINVAL });
  assert.equal(callOf(t[2]!.request as never), {
    op: "mount", source: "/tmp/pvs/rootfs", target: "/", filesystemtype: { addr: "0x56093a0036df" }, mountflags: abi.MS_MOVE, data: { addr: "0x56093a0036df" },
  });
  assert.equal(callOf(t[3]!.request as never), { op: "chroot", path: "." });
});

test("read and getcwd carry the bytes the kernel wrote; truncation is reported", () => {
  const t = map(`4064  read(3</etc/passwd>, "root:x:0:0:root:/root:/bin/sh\\n", 4096) = 30
4097  getcwd("/tmp/pvs", 4096)          = 9
3895  read(6</proc/3895/mountinfo>, "44 43 254:0 / / rw"..., 4096) = 1487`);
  assert.equal(callOf(t[0]!.request as never), { op: "read", fd: 3, count: 4096 });
  assert.equal(t[0]!.result, { ret: 30, data: enc.encode("root:x:0:0:root:/root:/bin/sh\n") });
  assert.equal(callOf(t[1]!.request as never), { op: "getcwd", size: 4096 });
  assert.equal(t[1]!.result, { ret: 9, data: enc.encode("/tmp/pvs") });
  assert.equal(t[2]!.problems, ["the read data was truncated by strace -s"]);
});

test("calls the machine never makes are left out; seq counts only mapped calls (mkdir since ABI 4, openat2 since ABI 5 are ones it makes)", () => {
  const t = map(`4064  dup(3</tmp/pvs/rootfs>)           = 5</tmp/pvs/rootfs>
4097  mkdir("oldroot", 0755)            = 0
4030  openat2(3</tmp/pvs/rootfs>, "proc", {flags=O_RDONLY|O_CLOEXEC|O_PATH, resolve=RESOLVE_IN_ROOT}, 24) = 6</tmp/pvs/rootfs/proc>
4030  fsopen("tmpfs", FSOPEN_CLOEXEC)   = 7<anon_inode:[fscontext]>
4097  pivot_root("/tmp", "oldroot")     = 0`);
  assert.equal(t.map((x) => [x.request.op, x.request.seq, x.call.line]), [["mkdir", 0, 2], ["openat2", 1, 3], ["pivot_root", 2, 5]]);
  assert.equal(t[1]!.request, { seq: 1, step: "none", reason: "strace line 3", op: "openat2", dirfd: 3, pathname: "proc",
    flags: abi.O_RDONLY | abi.O_CLOEXEC | abi.O_PATH, mode: 0, resolve: abi.RESOLVE_IN_ROOT });
});

test("openat mode, fds without -y, and a numeric flag residue", () => {
  assert.equal(calls(`openat(3, "x", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 4
umount2("/x", MNT_DETACH|0x10) = 0`), [
    { op: "openat", dirfd: 3, pathname: "x", flags: abi.O_WRONLY | abi.O_CREAT | abi.O_TRUNC, mode: 0o666 },
    { op: "umount2", target: "/x", flags: abi.MNT_DETACH | 0x10 },
  ]);
});

test("bwrap's MS_MGC_VAL maps through abi.ts (top bits, as the i32 flags slot holds them)", () => {
  const t = map(`4097  mount("newroot", "newroot", NULL, MS_MGC_VAL|MS_BIND|MS_REC|MS_SILENT, NULL) = 0`);
  assert.equal(t[0]!.problems, []);
  assert.is((t[0]!.request as { mountflags: number }).mountflags, abi.MS_MGC_VAL | abi.MS_BIND | abi.MS_REC | abi.MS_SILENT);
  assert.is(msFlags(abi.MS_MGC_VAL | abi.MS_BIND | abi.MS_REC | abi.MS_SILENT), "MS_MGC_VAL|MS_BIND|MS_REC|MS_SILENT", "and prints back as strace does");
});

test("problems: a flag abi.ts does not name, an unknown errno, no return value", () => {
  const t = map(`4097  mount("newroot", "newroot", NULL, MS_MADEUP|MS_BIND|MS_REC|MS_SILENT, NULL) = 0
read(3, 0x1000, 8) = -1 EWOULDBLOCKX (Made up)
3889  read(12<pipe:[7607]>, 0xc0001be000, 32768) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)`);
  assert.equal(t[0]!.problems, ["flag MS_MADEUP is not in abi.ts"]);
  assert.is((t[0]!.request as { mountflags: number }).mountflags, abi.MS_BIND | abi.MS_REC | abi.MS_SILENT);
  assert.equal([t[1]!.result, t[1]!.problems], [null, ["errno EWOULDBLOCKX is not in names.ts"]]);
  assert.equal([t[2]!.result, t[2]!.problems], [null, ["no return value (ERESTARTSYS)"]]);
});

test("a whole real capture maps with only the problems we expect", () => {
  const text = readFileSync(new URL("./fixtures/real/crun-pivot-default.strace", import.meta.url), "utf8");
  const t = toRequests(parseStrace(text).calls);
  assert.ok(t.length > 300);
  assert.equal(t.flatMap((x) => x.problems).filter((p) => !p.includes("truncated")), []);
  const pivot = t.filter((x) => x.request.op === "pivot_root");
  assert.is(pivot.length, 1);
  assert.equal(pivot[0]!.result, { ret: 0 });
});

test("numbers past the request's 32-bit slots are kept and noted, never wrapped onto a plan's value", () => {
  const [close, mount, read, flags] = map([
    "close(4294967299) = 0",
    'mount("", "/", "", 0x100004000, NULL) = 0',
    'read(3, "", 4096) = 4294967296',
    'umount2("/x", 3221225472) = 0',
  ].join("\n"));
  assert.is(close!.request.op, "close");
  assert.is((close!.request as { fd: number }).fd, 4294967299);
  assert.equal(close!.problems, ["argument 0 (4294967299) does not fit the 32-bit slot of the request"]);
  assert.is(mount!.request.op, "mount");
  assert.is((mount!.request as { mountflags: number }).mountflags, 0x100004000);
  assert.equal(mount!.problems, [`argument 3 (${0x100004000}) does not fit the 32-bit slot of the request`]);
  assert.equal(read!.problems, ["return value 4294967296 does not fit the 32-bit slot of a result"]);
  // A flag word is unsigned: its top bit printed as a number is still a flag word (as an i32).
  assert.is(flags!.request.op, "umount2");
  assert.is((flags!.request as { flags: number }).flags, 3221225472 | 0);
  assert.equal(flags!.problems, []);
});

test("a pid past pid_t is not a process: the line is reported unparsed, not merged with another pid", () => {
  const p = parseStrace("99999999999999999998 close(3) = 0\n99999999999999999999 close(4) = 0\n");
  assert.is(p.calls.length, 0);
  assert.equal(p.events.map((e) => e.kind === "unparsed" && e.reason), ["pid 99999999999999999998 is larger than a pid_t", "pid 99999999999999999999 is larger than a pid_t"]);
});

test.run();
