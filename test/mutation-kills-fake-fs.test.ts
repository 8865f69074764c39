// The fd and directory syscalls of src/hosts/fake/sys-fs.ts (openat, read, fchdir, chdir, chroot,
// getcwd, mountinfo's live reads) on Linux 6.18 through the executor child and on the FakeKernel,
// call for call; and the few rules no executor here can show, pinned to a recording made on this
// machine's kernel. Written for the survivors of the Stryker run of src/hosts/fake/sys-*.ts
// (docs/mutation.md, "sys-fs.ts, kernel.ts, sys-uts.ts, sys-mkdir.ts").
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import { applyPathFacts } from "../src/hosts/fake/path-facts.js";
import type { Request, Result } from "../src/request.js";
import { hostMountinfo, makeRootfs, nativeTest, realAndFake, skipReason } from "./helpers/native-env.js";
import { spawnExecutor } from "../src/hosts/native.js";

const reason = await skipReason("root");
const test = suite("fake sys-fs: real kernel vs fake kernel");
const c = { seq: 0, step: "test", reason: "sys-fs test" };
type Bare = Request extends infer R ? R extends unknown ? Omit<R, "seq" | "step" | "reason"> : never : never;
interface Exec { exec(r: Request): Promise<Result> | Result }
const { AT_FDCWD, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_NOFOLLOW, O_PATH, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY } = abi;
const dec = new TextDecoder();

/** What one call answered, as a line: "errno NAME" or "ok", with a read's byte count and a getcwd's text. */
function line(r: Bare, res: Result): string {
  const what = r.op === "openat" ? `openat ${r.pathname.split("/").slice(-2).join("/")} ${r.flags.toString(8)}` : r.op;
  if ("errno" in res) return `${what} = errno ${res.errno}`;
  if (r.op === "read") return `${what} = ${res.ret} (${res.data?.length ?? 0} bytes)`;
  if (r.op === "getcwd") return `${what} = ${dec.decode(res.data!).replace(/\0$/, "")}`;
  return `${what} = ok`;
}

/**
 * The calls, on one side. `scratch` holds an empty file, a directory and a symlink to it (made with
 * node:fs on Linux, as path facts on the model); it is bound read-only at base/ro.
 */
async function openCalls(x: Exec, scratch: string, base: string): Promise<string[]> {
  const out: string[] = [];
  const call = async (r: Bare): Promise<Result> => { const res = await x.exec({ ...c, ...r } as Request); out.push(line(r, res)); return res; };
  const fd = (r: Result): number => ("ret" in r ? r.ret : -1);
  const open = (pathname: string, flags: number) => call({ op: "openat", dirfd: AT_FDCWD, pathname, flags: flags | O_CLOEXEC, mode: 0o644 });
  await call({ op: "mount", source: "tmpfs", target: base, filesystemtype: "tmpfs", mountflags: 0, data: null });
  await call({ op: "mount", source: null, target: base, filesystemtype: null, mountflags: abi.MS_PRIVATE, data: null });
  for (const d of ["d", "ro"]) await call({ op: "mkdir", pathname: `${base}/${d}`, mode: 0o755 });
  await call({ op: "mount", source: scratch, target: `${base}/ro`, filesystemtype: null, mountflags: abi.MS_BIND, data: null });
  await call({ op: "mount", source: null, target: `${base}/ro`, filesystemtype: null, mountflags: abi.MS_REMOUNT | abi.MS_BIND | abi.MS_RDONLY, data: null });
  // A directory opened for writing, or with O_TRUNC (which asks MAY_WRITE: build_open_flags), is
  // EISDIR (may_open); with O_CREAT it is EISDIR before that (do_open), but O_PATH drops O_CREAT.
  for (const flags of [O_WRONLY, O_RDWR, O_RDONLY | O_TRUNC, O_RDONLY | O_CREAT, O_WRONLY | O_CREAT]) await open(`${base}/d`, flags);
  await call({ op: "close", fd: fd(await open(`${base}/d`, O_PATH | O_CREAT)) });
  // A directory on a read-only mount: still EISDIR (may_open checks the type first).
  await open(`${base}/ro/dir`, O_WRONLY);
  // A file on a read-only mount opened for writing or truncating: EROFS (mnt_want_write).
  for (const flags of [O_WRONLY, O_RDWR, O_RDONLY | O_TRUNC]) await open(`${base}/ro/empty`, flags);
  // The file read-only: an fd; reading it gives 0 bytes (it is empty); fchdir to it ENOTDIR.
  const f = fd(await open(`${base}/ro/empty`, O_RDONLY));
  await call({ op: "read", fd: f, count: 100 });
  await call({ op: "fchdir", fd: f });
  await call({ op: "close", fd: f });
  // The symlink: followed to its directory, unless O_NOFOLLOW (ELOOP, or an O_PATH fd of the link).
  await call({ op: "close", fd: fd(await open(`${base}/ro/link`, O_RDONLY | O_DIRECTORY)) });
  await open(`${base}/ro/link`, O_RDONLY | O_NOFOLLOW);
  const l = fd(await open(`${base}/ro/link`, O_PATH | O_NOFOLLOW));
  await call({ op: "fchdir", fd: l });
  await call({ op: "close", fd: l });
  // A directory fd: read EISDIR, fchdir enters it.
  const d = fd(await open(`${base}/d`, O_RDONLY | O_DIRECTORY));
  await call({ op: "read", fd: d, count: 100 });
  await call({ op: "fchdir", fd: d });
  await call({ op: "close", fd: d });
  // fd 0 is no directory (the model's terminal; the executor's is Node's stdin): ENOTDIR.
  await call({ op: "fchdir", fd: 0 });
  // chdir and chroot follow a symlink to a directory; a file is ENOTDIR to both.
  await call({ op: "chdir", path: `${base}/ro/link` });
  await call({ op: "getcwd", size: 4096 });
  await call({ op: "chdir", path: `${base}/ro/empty` });
  await call({ op: "chroot", path: `${base}/ro/empty` });
  await call({ op: "chdir", path: `${base}/d` });
  await call({ op: "chroot", path: `${base}/ro/link` });
  // The cwd (base/d) is now outside the root: getcwd says so.
  await call({ op: "getcwd", size: 4096 });
  return out;
}

nativeTest(test, reason, "openat's errnos for write access, O_TRUNC and O_CREAT, symlinks followed by openat, chdir and chroot: Linux and the model agree call for call", async () => {
  const scratch = makeRootfs();
  const base = `${scratch.dir}/base`;
  writeFileSync(`${scratch.dir}/empty`, "");
  mkdirSync(`${scratch.dir}/dir`);
  symlinkSync("dir", `${scratch.dir}/link`);
  const ex = await spawnExecutor({ rootless: false });
  try {
    await ex.exec({ ...c, op: "mkdir", pathname: base, mode: 0o755 });
    const real = await openCalls(ex, scratch.dir, base);
    const k = FakeKernel.fromMountinfo(hostMountinfo());
    applyPathFacts(k.state, k.process, [
      { path: `${scratch.dir}/empty`, kind: "file" }, { path: `${scratch.dir}/dir`, kind: "dir" },
      { path: `${scratch.dir}/link`, kind: "symlink", target: "dir" },
    ]);
    k.mkdir(base).unshare();
    const model = await openCalls(k, scratch.dir, base);
    assert.equal(model, real);
    if (process.env.FS_ORACLE_SHOW) console.log(real.join("\n"));
    // What Linux 6.18 said, pinned (after the 6 set-up calls).
    const E = abi;
    assert.equal(real.slice(6), [
      `openat base/d 2000001 = errno ${E.EISDIR}`,
      `openat base/d 2000002 = errno ${E.EISDIR}`,
      `openat base/d 2001000 = errno ${E.EISDIR}`,
      `openat base/d 2000100 = errno ${E.EISDIR}`,
      `openat base/d 2000101 = errno ${E.EISDIR}`,
      "openat base/d 12000100 = ok",
      "close = ok",
      `openat ro/dir 2000001 = errno ${E.EISDIR}`,
      `openat ro/empty 2000001 = errno ${E.EROFS}`,
      `openat ro/empty 2000002 = errno ${E.EROFS}`,
      `openat ro/empty 2001000 = errno ${E.EROFS}`,
      "openat ro/empty 2000000 = ok",
      "read = 0 (0 bytes)",
      `fchdir = errno ${E.ENOTDIR}`,
      "close = ok",
      "openat ro/link 2200000 = ok",
      "close = ok",
      `openat ro/link 2400000 = errno ${E.ELOOP}`,
      "openat ro/link 12400000 = ok",
      `fchdir = errno ${E.ENOTDIR}`,
      "close = ok",
      "openat base/d 2200000 = ok",
      `read = errno ${E.EISDIR}`,
      "fchdir = ok",
      "close = ok",
      `fchdir = errno ${E.ENOTDIR}`,
      "chdir = ok",
      `getcwd = ${base}/ro/dir`,
      `chdir = errno ${E.ENOTDIR}`,
      `chroot = errno ${E.ENOTDIR}`,
      "chdir = ok",
      "chroot = ok",
      `getcwd = (unreachable)${base}/d`,
    ]);
  } finally {
    await ex.close();
    scratch.cleanup();
  }
});

/**
 * A live mountinfo read, on one side: m0..m3 under base, m0 unmounted before the open; the fd read
 * up to m1's record ("boundary"), into it ("mid"), or with it held whole in seq_file's buffer
 * ("held": read up to the last byte of the record before it, then read(1), whose flush leaves no
 * room: the next record is shown into the buffer and waits); then m2 unmounted and m1, m3 remounted
 * read-only; then the rest. Returns the lines under base as "mount point options".
 */
async function liveRead(x: Exec, base: string, mode: "boundary" | "mid" | "held"): Promise<string[]> {
  const call = (r: Bare) => x.exec({ ...c, ...r } as Request);
  const open = async (): Promise<number> => {
    const f = await call({ op: "openat", dirfd: AT_FDCWD, pathname: "/proc/self/mountinfo", flags: O_RDONLY | O_CLOEXEC, mode: 0 });
    return "ret" in f ? f.ret : -1;
  };
  const read = async (fd: number, count: number): Promise<Uint8Array> => {
    const r = await call({ op: "read", fd, count });
    return "ret" in r ? r.data! : new Uint8Array(0);
  };
  const tmpfs = (target: string) => call({ op: "mount", source: "tmpfs", target, filesystemtype: "tmpfs", mountflags: 0, data: null });
  const ro = (target: string) => call({ op: "mount", source: null, target, filesystemtype: null, mountflags: abi.MS_REMOUNT | abi.MS_BIND | abi.MS_RDONLY, data: null });
  await tmpfs(base);
  await call({ op: "mount", source: null, target: base, filesystemtype: null, mountflags: abi.MS_PRIVATE, data: null });
  for (let i = 0; i < 4; i++) { await call({ op: "mkdir", pathname: `${base}/m${i}`, mode: 0o755 }); await tmpfs(`${base}/m${i}`); }
  await call({ op: "umount2", target: `${base}/m0`, flags: abi.MNT_DETACH });
  // Where m1's record starts, from a whole read of another fd.
  const a = await open();
  let all = "";
  for (let b = await read(a, abi.MOUNTINFO_CHUNK); b.length > 0; b = await read(a, abi.MOUNTINFO_CHUNK)) all += dec.decode(b);
  await call({ op: "close", fd: a });
  const start = all.lastIndexOf("\n", all.indexOf(` ${base}/m1 `)) + 1;
  const fd = await open();
  const want = mode === "mid" ? start + 5 : mode === "held" ? start - 1 : start;
  let text = "";
  while (text.length < want) text += dec.decode(await read(fd, want - text.length));
  if (mode === "held") text += dec.decode(await read(fd, 1));
  await call({ op: "umount2", target: `${base}/m2`, flags: abi.MNT_DETACH });
  await ro(`${base}/m1`);
  await ro(`${base}/m3`);
  for (let b = await read(fd, abi.MOUNTINFO_CHUNK); b.length > 0; b = await read(fd, abi.MOUNTINFO_CHUNK)) text += dec.decode(b);
  await call({ op: "close", fd });
  await call({ op: "umount2", target: base, flags: abi.MNT_DETACH });
  return text.split("\n").map((l) => l.split(" ")).filter((f) => (f[4] ?? "").startsWith(base)).map((f) => `${f[4]!.slice(base.length) || "/"} ${f[5]}`);
}

nativeTest(test, reason, "mountinfo read in parts across an umount and remounts: what seq_file's buffer holds comes out as it was, the rest as the table is now (seq_read_iter flushes, then m_start by mount id)", () => realAndFake(async (ex, k, base) => {
  for (const mode of ["boundary", "mid", "held"] as const) {
    const real = await liveRead(ex, base, mode);
    assert.equal(await liveRead(k, base, mode), real, mode);
    // What Linux 6.18 said (recorded first with a small C program in an unshare -m shell, the
    // same calls): m2 is gone in every mode (an umount after an earlier one is seen too); m1's
    // record read in part or held whole keeps its old options; read after the change, it is ro.
    assert.equal(real, ["/ rw,relatime", `/m1 ${mode === "boundary" ? "ro" : "rw"},relatime`, "/m3 ro,relatime"], mode);
  }
}));

nativeTest(test, reason, "mountinfo read across a chroot: the records read after it are still seen from the root at open (mounts_open_common keeps the opener's root and namespace for the file's life)", () => realAndFake(async (ex, k, base) => {
  /** m1..m3 under base; the fd read up to m1's record; chroot into base, m2 unmounted; the rest. */
  const seen = async (x: Exec): Promise<string[]> => {
    const call = (r: Bare) => x.exec({ ...c, ...r } as Request);
    const read = async (fd: number, count: number): Promise<string> => {
      const r = await call({ op: "read", fd, count });
      return "ret" in r ? dec.decode(r.data!) : "";
    };
    const open = async (): Promise<number> => {
      const f = await call({ op: "openat", dirfd: AT_FDCWD, pathname: "/proc/self/mountinfo", flags: O_RDONLY | O_CLOEXEC, mode: 0 });
      return "ret" in f ? f.ret : -1;
    };
    await call({ op: "mount", source: "tmpfs", target: base, filesystemtype: "tmpfs", mountflags: 0, data: null });
    await call({ op: "mount", source: null, target: base, filesystemtype: null, mountflags: abi.MS_PRIVATE, data: null });
    for (let i = 1; i < 4; i++) {
      await call({ op: "mkdir", pathname: `${base}/m${i}`, mode: 0o755 });
      await call({ op: "mount", source: "tmpfs", target: `${base}/m${i}`, filesystemtype: "tmpfs", mountflags: 0, data: null });
    }
    const a = await open();
    let all = "";
    for (let t = await read(a, abi.MOUNTINFO_CHUNK); t !== ""; t = await read(a, abi.MOUNTINFO_CHUNK)) all += t;
    await call({ op: "close", fd: a });
    const start = all.lastIndexOf("\n", all.indexOf(` ${base}/m1 `)) + 1;
    const fd = await open();
    let text = "";
    while (text.length < start) text += await read(fd, start - text.length);
    await call({ op: "chdir", path: base });
    await call({ op: "chroot", path: "." });
    await call({ op: "umount2", target: "/m2", flags: abi.MNT_DETACH });
    for (let t = await read(fd, abi.MOUNTINFO_CHUNK); t !== ""; t = await read(fd, abi.MOUNTINFO_CHUNK)) text += t;
    return text.split("\n").map((l) => l.split(" ")[4] ?? "").filter((mp) => /\/m\d$/.test(mp));
  };
  const real = await seen(ex);
  assert.equal(await seen(k), real);
  // Linux 6.18 (recorded first with a small C program in an unshare -m shell: the same calls):
  // m2 is gone, and m1, m3 keep the names the root at open gives them.
  assert.equal(real, [`${base}/m1`, `${base}/m3`]);
}));

/**
 * mkdir's calls (src/hosts/fake/sys-mkdir.ts), on one side: a read-only tmpfs bound elsewhere and the
 * bind remounted read-write (the mount is rw, its superblock still ro), with and without other
 * super options; a parent path through a symlink; "/name" after a chroot, from a cwd below the root.
 */
async function mkdirCalls(x: Exec, scratch: string, base: string): Promise<string[]> {
  const out: string[] = [];
  const call = async (r: Bare): Promise<Result> => { const res = await x.exec({ ...c, ...r } as Request); out.push(line(r, res)); return res; };
  const mkdir = (pathname: string) => call({ op: "mkdir", pathname, mode: 0o755 });
  const mount = (source: string | null, target: string, fstype: string | null, flags: number, data: string | null = null) =>
    call({ op: "mount", source, target, filesystemtype: fstype, mountflags: flags, data });
  await mount("tmpfs", base, "tmpfs", 0);
  await mount(null, base, null, abi.MS_PRIVATE);
  for (const d of ["ro", "ro-size", "rw", "rw-size", "d"]) await mkdir(`${base}/${d}`);
  await mount("tmpfs", `${base}/ro`, "tmpfs", abi.MS_RDONLY);
  await mount("tmpfs", `${base}/ro-size`, "tmpfs", abi.MS_RDONLY, "size=1m");
  await mount(`${base}/ro`, `${base}/rw`, null, abi.MS_BIND);
  await mount(`${base}/ro-size`, `${base}/rw-size`, null, abi.MS_BIND);
  await mount(null, `${base}/rw`, null, abi.MS_REMOUNT | abi.MS_BIND);
  await mount(null, `${base}/rw-size`, null, abi.MS_REMOUNT | abi.MS_BIND);
  // EROFS: the superblock is read-only (mnt_want_write: __mnt_is_readonly reads sb_rdonly too).
  for (const d of ["ro", "ro-size", "rw", "rw-size"]) await mkdir(`${base}/${d}/new`);
  // The parent's symlink is followed (filename_create looks the parent up with LOOKUP_FOLLOW).
  await mkdir(`${scratch}/link/new`);
  await call({ op: "chdir", path: `${scratch}/dir/new` });
  // "/x" is x under the root, whatever the cwd.
  await call({ op: "chdir", path: base });
  await call({ op: "chroot", path: "." });
  await call({ op: "chdir", path: "/d" });
  await mkdir("/x");
  await call({ op: "chdir", path: "/x" });
  await call({ op: "getcwd", size: 4096 });
  return out;
}

nativeTest(test, reason, "mkdir: EROFS under a read-write bind of a read-only superblock; a symlink in the parent path followed; \"/x\" under the root, not the cwd: Linux and the model agree call for call", async () => {
  const scratch = makeRootfs();
  const base = `${scratch.dir}/base`;
  mkdirSync(`${scratch.dir}/dir`);
  symlinkSync("dir", `${scratch.dir}/link`);
  const ex = await spawnExecutor({ rootless: false });
  try {
    await ex.exec({ ...c, op: "mkdir", pathname: base, mode: 0o755 });
    const real = await mkdirCalls(ex, scratch.dir, base);
    const k = FakeKernel.fromMountinfo(hostMountinfo());
    applyPathFacts(k.state, k.process, [{ path: `${scratch.dir}/dir`, kind: "dir" }, { path: `${scratch.dir}/link`, kind: "symlink", target: "dir" }]);
    k.mkdir(base).unshare();
    const model = await mkdirCalls(k, scratch.dir, base);
    if (process.env.FS_ORACLE_SHOW) console.log(real.join("\n"));
    assert.equal(model, real);
    // What Linux 6.18 said, pinned (after the 13 set-up calls).
    assert.equal(real.slice(13), [
      ...Array(4).fill(`mkdir = errno ${abi.EROFS}`),
      "mkdir = ok", "chdir = ok", "chdir = ok", "chroot = ok", "chdir = ok", "mkdir = ok", "chdir = ok", "getcwd = /x",
    ]);
  } finally {
    await ex.close();
    scratch.cleanup();
  }
});

test("openat hands out fds up to 1023, then EMFILE: RLIMIT_NOFILE's default soft limit, 1024 (fs/file.c alloc_fd: fd >= end is EMFILE; recorded on Linux 6.18: setrlimit(RLIMIT_NOFILE, 1024), openat(\"/\", O_PATH) in a loop: last fd 1023, then errno 24)", () => {
  const k = FakeKernel.scenario("docker-host");
  const req = { ...c, op: "openat", dirfd: AT_FDCWD, pathname: "/", flags: O_PATH, mode: 0 } as const;
  let last = -1;
  let r: Result = { ret: 0 };
  for (let i = 0; i < 2000 && "ret" in r; i++) { r = k.exec(req); if ("ret" in r) last = r.ret; }
  assert.is(last, 1023);
  assert.equal(r, { errno: abi.EMFILE });
});

test("a mount namespace fd (OPEN_TREE_NAMESPACE, the Linux 7.0 model) is an nsfs fd: read EINVAL, fchdir ENOTDIR (ns_file_operations has no read: vfs_read's EINVAL; recorded on Linux 6.18 with the nsfs fd of open(\"/proc/self/ns/mnt\"): read -1 EINVAL, fchdir -1 ENOTDIR)", () => {
  const k = FakeKernel.scenario("docker-host");
  k.state.kernel = "7.0";
  const f = k.exec({ ...c, op: "open_tree", dirfd: AT_FDCWD, pathname: "/", flags: abi.OPEN_TREE_NAMESPACE | abi.OPEN_TREE_CLOEXEC | abi.AT_RECURSIVE });
  assert.ok("ret" in f, JSON.stringify(f));
  const fd = "ret" in f ? f.ret : -1;
  assert.equal(k.fdTable().find((x) => x.fd === fd)?.kind, "mntns");
  assert.equal(k.exec({ ...c, op: "read", fd, count: 16 }), { errno: abi.EINVAL });
  assert.equal(k.exec({ ...c, op: "fchdir", fd }), { errno: abi.ENOTDIR });
  assert.is(k.cwd(), "/");
  // Not a directory to look up in, as a dirfd or through its /proc/self/fd link (6.18, the nsfs fd
  // of /proc/self/ns/mnt and /dev/null's: ENOTDIR each), nor a terminal's link.
  const open = (dirfd: number, pathname: string) => k.exec({ ...c, op: "openat", dirfd, pathname, flags: abi.O_PATH | abi.O_CLOEXEC, mode: 0 });
  assert.equal(open(fd, "etc"), { errno: abi.ENOTDIR });
  assert.equal(open(AT_FDCWD, `/proc/self/fd/${fd}/etc`), { errno: abi.ENOTDIR });
  assert.equal(open(AT_FDCWD, `/proc/self/fd/${fd}/`), { errno: abi.ENOTDIR });
  assert.equal(open(AT_FDCWD, "/proc/self/fd/0/x"), { errno: abi.ENOTDIR });
});

test.run();
