// Tests written for the survivors of the Stryker run of src/hosts/fake/sys-open-tree.ts
// (docs/mutation.md, the fake triage: "sys-open-tree.ts, sys-openat2.ts"). open_tree(2),
// move_mount(2) and the close of a detached tree's fd, on the real kernel (Linux 6.18, through the
// executor child) and on the FakeKernel with the same requests: each call's errno, what an O_PATH fd
// from open_tree points at (fchdir + getcwd), each fd's close-on-exec bit (/proc/<pid>/fdinfo on the
// kernel, the fd table on the model) and the mounts that result under a scratch tmpfs must agree;
// the kernel's answers are pinned too. Checked as root (rootless, eitherMode's other mode, not tried).
import { symlinkSync, readFileSync } from "node:fs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import { fork } from "../src/hosts/fake/build.js";
import type { Request, Result } from "../src/request.js";
import { nativeTest, eitherMode, realAndFake, readMountinfo } from "./helpers/native-env.js";

const { mode, reason, spawn } = await eitherMode();
const test = suite(`open_tree, move_mount: real kernel vs fake kernel, the errno checks (${mode})`);
const c = { seq: 0, step: "test", reason: "open_tree/move_mount errno test" };
type Bare = Request extends infer R ? R extends unknown ? Omit<R, "seq" | "step" | "reason"> : never : never;
interface Side {
  exec(r: Request): Promise<Result> | Result;
  /** A symlink made in the side's own namespace (the executor's: through /proc/<pid>/root). */
  symlink(path: string, target: string): void;
  /** Whether fd has close-on-exec set. */
  cloexec(fd: number): boolean;
}
const errName = (n: number): string => Object.entries(abi).find(([k, v]) => /^E[A-Z]+$/.test(k) && v === n)?.[0] ?? `errno ${n}`;
const { AT_FDCWD, AT_EMPTY_PATH, AT_RECURSIVE, AT_SYMLINK_NOFOLLOW, OPEN_TREE_CLONE, OPEN_TREE_CLOEXEC } = abi;
const { MOVE_MOUNT_F_EMPTY_PATH: F_EMPTY, MOVE_MOUNT_T_EMPTY_PATH: T_EMPTY, MOVE_MOUNT_F_SYMLINKS: F_SYMLINKS, MOVE_MOUNT_T_SYMLINKS: T_SYMLINKS } = abi;
const O_DIR = abi.O_RDONLY | abi.O_PATH | abi.O_DIRECTORY | abi.O_CLOEXEC;

/**
 * The calls, on one side. A private tmpfs at `base` with: a (a tmpfs, with a/d), u (an unbindable
 * tmpfs), sh (a shared tmpfs, with sh/m a tmpfs in it), x (a tmpfs holding the unbindable x/in),
 * lz (a tmpfs, lazily unmounted while an fd holds it), the directories dst… and two symlinks
 * (lnk -> a, lnkdst -> dst3). Returns one line per call, "what: errno" (or "0", or the cwd), and the
 * mounts under `base`.
 */
async function run(x: Side, base: string, mountinfo: () => Promise<string>): Promise<{ log: string[]; table: string[] }> {
  const log: string[] = [];
  const call = async (what: string, r: Bare): Promise<number> => {
    const res = await x.exec({ ...c, ...r } as Request);
    if ("errno" in res) log.push(`${what}: ${errName(res.errno)}`);
    else if (r.op === "getcwd") log.push(`${what}: ${Buffer.from(res.data!).toString().replace(/\0$/, "").slice(base.length) || "/"}`);
    else log.push(`${what}: 0`);
    return "ret" in res ? res.ret : -1;
  };
  const tmpfs = (t: string): Bare => ({ op: "mount", source: "tmpfs", target: `${base}/${t}`, filesystemtype: "tmpfs", mountflags: 0, data: null });
  const prop = (t: string, f: number): Bare => ({ op: "mount", source: null, target: `${base}${t}`, filesystemtype: null, mountflags: f, data: null });
  const tree = (dirfd: number, pathname: string, flags: number): Bare => ({ op: "open_tree", dirfd, pathname, flags });
  const move = (fd: number, fp: string, td: number, tp: string, flags: number): Bare =>
    ({ op: "move_mount", from_dirfd: fd, from_pathname: fp, to_dirfd: td, to_pathname: tp, flags });
  const at = (p: string): string => `${base}/${p}`;

  await call("set-up", { op: "mount", source: "tmpfs", target: base, filesystemtype: "tmpfs", mountflags: 0, data: null });
  await call("set-up", prop("", abi.MS_PRIVATE));
  for (const d of ["a", "u", "sh", "x", "lz", "dst", "dst2", "dst3", "dst4", "dst5"]) await call("set-up", { op: "mkdir", pathname: at(d), mode: 0o755 });
  for (const m of ["a", "u", "sh", "x", "lz"]) await call("set-up", tmpfs(m));
  for (const d of ["a/d", "sh/m", "sh/p", "x/in"]) await call("set-up", { op: "mkdir", pathname: at(d), mode: 0o755 });
  await call("set-up", tmpfs("sh/m"));
  await call("set-up", tmpfs("x/in"));
  await call("set-up", prop("/u", abi.MS_UNBINDABLE));
  await call("set-up", prop("/x/in", abi.MS_UNBINDABLE));
  await call("set-up", prop("/sh", abi.MS_SHARED));
  x.symlink(at("lnk"), "a");
  x.symlink(at("lnkdst"), "dst3");

  // open_tree without OPEN_TREE_CLONE is an O_PATH open: of the symlink's target, or with
  // AT_SYMLINK_NOFOLLOW of the symlink itself (fchdir: ENOTDIR). The fd is close-on-exec only
  // with OPEN_TREE_CLOEXEC (= O_CLOEXEC; get_unused_fd_flags(flags & O_CLOEXEC)).
  const o1 = await call("open_tree(lnk, 0)", tree(AT_FDCWD, at("lnk"), 0));
  await call("fchdir(it)", { op: "fchdir", fd: o1 });
  await call("getcwd", { op: "getcwd", size: 4096 });
  const o2 = await call("open_tree(lnk, AT_SYMLINK_NOFOLLOW)", tree(AT_FDCWD, at("lnk"), AT_SYMLINK_NOFOLLOW));
  await call("fchdir(it)", { op: "fchdir", fd: o2 });
  const o3 = await call("open_tree(a, OPEN_TREE_CLOEXEC)", tree(AT_FDCWD, at("a"), OPEN_TREE_CLOEXEC));
  await call("fchdir(it)", { op: "fchdir", fd: o3 });
  await call("getcwd", { op: "getcwd", size: 4096 });
  await call("chdir(/)", { op: "chdir", path: "/" });
  const t0 = await call("open_tree(a, CLONE)", tree(AT_FDCWD, at("a"), OPEN_TREE_CLONE));
  const t1 = await call("open_tree(a, CLONE|CLOEXEC)", tree(AT_FDCWD, at("a"), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
  for (const [what, fd] of [["o1", o1], ["o3", o3], ["t0", t0], ["t1", t1]] as const) log.push(`cloexec ${what}: ${x.cloexec(fd)}`);
  // Both kinds of fd are O_PATH files: read(2) is EBADF.
  await call("read(o1)", { op: "read", fd: o1, count: 16 });
  await call("read(t1)", { op: "read", fd: t1, count: 16 });
  // __do_loopback: an unbindable mount is not copied, recursively or not.
  await call("open_tree(u, CLONE)", tree(AT_FDCWD, at("u"), OPEN_TREE_CLONE));
  await call("open_tree(u, CLONE|AT_RECURSIVE)", tree(AT_FDCWD, at("u"), OPEN_TREE_CLONE | AT_RECURSIVE));
  await call("open_tree(none, CLONE)", tree(AT_FDCWD, at("none"), OPEN_TREE_CLONE));
  await call("open_tree(fd 99, \"\", CLONE|AT_EMPTY_PATH)", tree(99, "", OPEN_TREE_CLONE | AT_EMPTY_PATH));

  // move_mount: the flags (an unknown one; SET_GROUP with BENEATH), "" without *_EMPTY_PATH (a
  // lookup of "": ENOENT), a missing path on either side.
  const d2 = await call("openat(dst2)", { op: "openat", dirfd: AT_FDCWD, pathname: at("dst2"), flags: O_DIR, mode: 0 });
  await call("move_mount(t0, dst, 0x400)", move(t0, "", AT_FDCWD, at("dst"), F_EMPTY | 0x400));
  await call("move_mount(t0, dst, SET_GROUP|BENEATH)", move(t0, "", AT_FDCWD, at("dst"), F_EMPTY | abi.MOVE_MOUNT_SET_GROUP | abi.MOVE_MOUNT_BENEATH));
  await call("move_mount(t0 \"\" without F_EMPTY_PATH)", move(t0, "", AT_FDCWD, at("dst"), 0));
  await call("move_mount(to d2 \"\" without T_EMPTY_PATH)", move(t0, "", d2, "", F_EMPTY));
  await call("move_mount(from none)", move(AT_FDCWD, at("none"), d2, "", T_EMPTY));
  await call("move_mount(to none)", move(t0, "", AT_FDCWD, at("none"), F_EMPTY));
  // do_move_mount's EINVALs: not a mount's root; a symlink (not followed) as source or target
  // (d_is_dir differs); a mount whose parent is shared; a tree with an unbindable mount, itself or
  // below it, under a shared mount; a lazily unmounted mount (in no namespace, no anonymous
  // namespace's root). ELOOP: the target inside the moved tree.
  await call("move_mount(a/d)", move(AT_FDCWD, at("a/d"), d2, "", T_EMPTY));
  await call("move_mount(t0 -> lnkdst)", move(t0, "", AT_FDCWD, at("lnkdst"), F_EMPTY));
  await call("move_mount(lnk -> d2)", move(AT_FDCWD, at("lnk"), d2, "", T_EMPTY));
  await call("move_mount(sh/m -> d2)", move(AT_FDCWD, at("sh/m"), d2, "", T_EMPTY));
  await call("move_mount(u -> sh)", move(AT_FDCWD, at("u"), AT_FDCWD, at("sh"), 0));
  await call("move_mount(x -> sh)", move(AT_FDCWD, at("x"), AT_FDCWD, at("sh"), 0));
  await call("move_mount(a -> a/d)", move(AT_FDCWD, at("a"), AT_FDCWD, at("a/d"), 0));
  const lz = await call("openat(lz)", { op: "openat", dirfd: AT_FDCWD, pathname: at("lz"), flags: O_DIR, mode: 0 });
  await call("umount2(lz, MNT_DETACH)", { op: "umount2", target: at("lz"), flags: abi.MNT_DETACH });
  await call("move_mount(lazily unmounted lz -> d2)", move(lz, "", d2, "", EMPTY));
  // The moves that work: a detached tree onto lnkdst's target (MOVE_MOUNT_T_SYMLINKS); the same
  // fd again, now an attached mount of the namespace, on to dst4 (it leaves dst3); the attached a
  // through lnk (MOVE_MOUNT_F_SYMLINKS) onto dst; x onto dst5 (its parent is private).
  await call("move_mount(t0 -> lnkdst, T_SYMLINKS)", move(t0, "", AT_FDCWD, at("lnkdst"), F_EMPTY | T_SYMLINKS));
  await call("move_mount(t0 again -> dst4)", move(t0, "", AT_FDCWD, at("dst4"), F_EMPTY));
  await call("move_mount(lnk -> dst, F_SYMLINKS)", move(AT_FDCWD, at("lnk"), AT_FDCWD, at("dst"), F_SYMLINKS));
  await call("move_mount(x -> dst5)", move(AT_FDCWD, at("x"), AT_FDCWD, at("dst5"), 0));
  // The tree t1 attached under the shared sh: its fd now names an attached mount whose parent is
  // shared, which may not move again (EINVAL), as any such mount.
  await call("move_mount(t1 -> sh/p)", move(t1, "", AT_FDCWD, at("sh/p"), F_EMPTY));
  await call("move_mount(t1 again -> d2)", move(t1, "", d2, "", EMPTY));
  // t0, attached on dst4, is lazily unmounted: its anonymous namespace went at the attach, so its
  // fd no longer holds a detached tree but an unmounted mount (EINVAL), as lz's does.
  await call("umount2(dst4, MNT_DETACH)", { op: "umount2", target: at("dst4"), flags: abi.MNT_DETACH });
  await call("move_mount(t0, attached then lazily unmounted -> d2)", move(t0, "", d2, "", EMPTY));
  for (const fd of [o1, o2, o3, t0, t1, d2, lz]) await call("close", { op: "close", fd });
  return { log, table: shape(await mountinfo(), base) };
}
const EMPTY = F_EMPTY | T_EMPTY;

/** The mounts under `base`: "path tags" (peer group numbers dropped), in mountinfo order. */
function shape(mountinfo: string, base: string): string[] {
  return mountinfo.trim().split("\n").map((l) => l.split(" ")).filter((f) => f[4]!.startsWith(`${base}/`))
    .map((f) => `${f[4]!.slice(base.length)} ${f.slice(6, f.indexOf("-")).map((t) => t.split(":")[0]).join(",") || "private"}`);
}

nativeTest(test, reason, "open_tree and move_mount's errno checks: the real kernel (6.18) and the model agree call for call, fd for fd and mount for mount", () => realAndFake(async (ex, k, base) => {
  const real = await run({
    exec: (r) => ex.exec(r),
    symlink: (p, t) => symlinkSync(t, `/proc/${ex.pid}/root${p}`),
    cloexec: (fd) => (parseInt(/^flags:\s*(\d+)/m.exec(readFileSync(`/proc/${ex.pid}/fdinfo/${fd}`, "utf8"))![1]!, 8) & abi.O_CLOEXEC) !== 0,
  }, base, () => readMountinfo(ex));
  const model = await run({
    exec: (r) => k.exec(r),
    symlink: (p, t) => { k.symlink(p, t); },
    cloexec: (fd) => k.fdTable().find((f) => f.fd === fd)!.cloexec,
  }, base, () => readMountinfo(k));
  assert.equal(model.log, real.log);
  assert.equal(model.table, real.table);
  // What Linux 6.18 said, pinned (the set-up lines all 0).
  assert.ok(real.log.filter((l) => l.startsWith("set-up")).every((l) => l === "set-up: 0"));
  assert.equal(real.log.filter((l) => !l.startsWith("set-up")), PINNED);
  // a moved to dst keeps its place (its id); sh/m was mounted before sh was made shared; the
  // trees t0, t1 (made after the set-up) are listed last, t1 shared as it went under a shared
  // mount; x moved with its unbindable submount.
  assert.equal(real.table, ["/dst private", "/u unbindable", "/sh shared", "/dst5 private", "/sh/m private", "/dst5/in unbindable", "/sh/p shared"]);
}, spawn));

const PINNED: string[] = [
  "open_tree(lnk, 0): 0",
  "fchdir(it): 0",
  "getcwd: /a",
  "open_tree(lnk, AT_SYMLINK_NOFOLLOW): 0",
  "fchdir(it): ENOTDIR",
  "open_tree(a, OPEN_TREE_CLOEXEC): 0",
  "fchdir(it): 0",
  "getcwd: /a",
  "chdir(/): 0",
  "open_tree(a, CLONE): 0",
  "open_tree(a, CLONE|CLOEXEC): 0",
  "cloexec o1: false",
  "cloexec o3: true",
  "cloexec t0: false",
  "cloexec t1: true",
  "read(o1): EBADF",
  "read(t1): EBADF",
  "open_tree(u, CLONE): EINVAL",
  "open_tree(u, CLONE|AT_RECURSIVE): EINVAL",
  "open_tree(none, CLONE): ENOENT",
  "open_tree(fd 99, \"\", CLONE|AT_EMPTY_PATH): EBADF",
  "openat(dst2): 0",
  "move_mount(t0, dst, 0x400): EINVAL",
  "move_mount(t0, dst, SET_GROUP|BENEATH): EINVAL",
  "move_mount(t0 \"\" without F_EMPTY_PATH): ENOENT",
  "move_mount(to d2 \"\" without T_EMPTY_PATH): ENOENT",
  "move_mount(from none): ENOENT",
  "move_mount(to none): ENOENT",
  "move_mount(a/d): EINVAL",
  "move_mount(t0 -> lnkdst): EINVAL",
  "move_mount(lnk -> d2): EINVAL",
  "move_mount(sh/m -> d2): EINVAL",
  "move_mount(u -> sh): EINVAL",
  "move_mount(x -> sh): EINVAL",
  "move_mount(a -> a/d): ELOOP",
  "openat(lz): 0",
  "umount2(lz, MNT_DETACH): 0",
  "move_mount(lazily unmounted lz -> d2): EINVAL",
  "move_mount(t0 -> lnkdst, T_SYMLINKS): 0",
  "move_mount(t0 again -> dst4): 0",
  "move_mount(lnk -> dst, F_SYMLINKS): 0",
  "move_mount(x -> dst5): 0",
  "move_mount(t1 -> sh/p): 0",
  "move_mount(t1 again -> d2): EINVAL",
  "umount2(dst4, MNT_DETACH): 0",
  "move_mount(t0, attached then lazily unmounted -> d2): EINVAL",
  "close: 0",
  "close: 0",
  "close: 0",
  "close: 0",
  "close: 0",
  "close: 0",
  "close: 0",
];

const ONE_ROOT = "21 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n";
const k6 = (r: Bare, k: FakeKernel): Result => k.exec({ ...c, ...r } as Request);
const name = (r: Result): string => ("errno" in r ? errName(r.errno) : "0");

// Recorded on this machine's kernel (Linux 6.18, as root) with a small C program run in
// `unshare -m --propagation private setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin`:
// open_tree(AT_FDCWD, "/nonexistent", OPEN_TREE_CLONE) EPERM; open_tree("/tmp", OPEN_TREE_CLONE)
// EPERM; open_tree("/tmp", 0) ok; open_tree("/tmp", 0x4) EINVAL; open_tree("/tmp", AT_RECURSIVE)
// EINVAL; move_mount(AT_FDCWD, "/nonexistent", AT_FDCWD, "/tmp", 0) EPERM; move_mount("/proc",
// "/tmp", 0x400) EPERM; move_mount("/proc", "/tmp", 0) EPERM. With the capability: ENOENT, ok, ok,
// EINVAL, EINVAL, ENOENT, EINVAL, ok. vfs_open_tree checks may_mount() for a clone after its flags
// and before the lookup; move_mount(2) checks it before anything.
test("without CAP_SYS_ADMIN: open_tree(OPEN_TREE_CLONE) is EPERM before its lookup, move_mount EPERM before its flags (may_mount)", () => {
  const table = `${ONE_ROOT}22 21 0:20 / /proc rw,relatime - proc proc rw\n`;
  const k = FakeKernel.fromMountinfo(table).mkdir("/tmp");
  k.process.cap = false;
  const tree = (pathname: string, flags: number): Bare => ({ op: "open_tree", dirfd: AT_FDCWD, pathname, flags });
  const move = (from: string, to: string, flags: number): Bare =>
    ({ op: "move_mount", from_dirfd: AT_FDCWD, from_pathname: from, to_dirfd: AT_FDCWD, to_pathname: to, flags });
  const calls = [tree("/nonexistent", OPEN_TREE_CLONE), tree("/tmp", OPEN_TREE_CLONE), tree("/tmp", 0), tree("/tmp", 0x4),
    tree("/tmp", AT_RECURSIVE), move("/nonexistent", "/tmp", 0), move("/proc", "/tmp", 0x400), move("/proc", "/tmp", 0)];
  assert.equal(calls.map((r) => name(k6(r, k))), ["EPERM", "EPERM", "0", "EINVAL", "EINVAL", "EPERM", "EPERM", "EPERM"]);
  const root = FakeKernel.fromMountinfo(table).mkdir("/tmp");
  assert.equal(calls.map((r) => name(k6(r, root))), ["ENOENT", "0", "0", "EINVAL", "EINVAL", "ENOENT", "EINVAL", "0"]);
});

// Recorded on Linux 6.18 in `unshare -m --propagation private`: a private tmpfs on /tmp/ot-ons with
// a, dst, dst2 in it and a tmpfs on a; O_PATH fds of a and dst; a child forked to keep the first
// namespace alive; then unshare(CLONE_NEWNS); open_tree(a, CLONE) ok; move_mount of the old
// namespace's a (by its fd) onto dst2: EINVAL; move_mount of the new tree onto the old namespace's
// dst (by its fd): EINVAL; open_tree(old a's fd, "", CLONE|AT_EMPTY_PATH): EINVAL; after
// umount2(a, MNT_DETACH) with an fd on it, move_mount from that fd: EINVAL, and open_tree(CLONE) of
// it: EINVAL (do_move_mount: not check_mnt and no anonymous namespace's root; may_copy_tree: false).
// This test once said ENOENT for the move onto dst: that is what Linux says when no process keeps
// the first namespace alive (the next test), and the model gave ENOENT for every other namespace.
test("move_mount and open_tree with a mount of another live namespace or a lazily unmounted one (fds opened before unshare)", () => {
  const k = FakeKernel.fromMountinfo(ONE_ROOT).mkdir("/tmp/ot-ons");
  const x = (r: Bare): Result => k6(r, k);
  const fd = (r: Result): number => ("ret" in r ? r.ret : -1);
  const d = "/tmp/ot-ons";
  assert.is(name(x({ op: "mount", source: "tmpfs", target: d, filesystemtype: "tmpfs", mountflags: 0, data: null })), "0");
  assert.is(name(x({ op: "mount", source: null, target: d, filesystemtype: null, mountflags: abi.MS_PRIVATE, data: null })), "0");
  for (const sub of ["a", "dst", "dst2"]) assert.is(name(x({ op: "mkdir", pathname: `${d}/${sub}`, mode: 0o755 })), "0");
  assert.is(name(x({ op: "mount", source: "tmpfs", target: `${d}/a`, filesystemtype: "tmpfs", mountflags: 0, data: null })), "0");
  const a = fd(x({ op: "openat", dirfd: AT_FDCWD, pathname: `${d}/a`, flags: O_DIR, mode: 0 }));
  const dst = fd(x({ op: "openat", dirfd: AT_FDCWD, pathname: `${d}/dst`, flags: O_DIR, mode: 0 }));
  k.unshare();
  const t = fd(x({ op: "open_tree", dirfd: AT_FDCWD, pathname: `${d}/a`, flags: OPEN_TREE_CLONE }));
  assert.ok(t >= 0);
  assert.is(name(x({ op: "move_mount", from_dirfd: a, from_pathname: "", to_dirfd: AT_FDCWD, to_pathname: `${d}/dst2`, flags: F_EMPTY })), "EINVAL");
  assert.is(name(x({ op: "move_mount", from_dirfd: t, from_pathname: "", to_dirfd: dst, to_pathname: "", flags: EMPTY })), "EINVAL");
  assert.is(name(x({ op: "open_tree", dirfd: a, pathname: "", flags: OPEN_TREE_CLONE | AT_EMPTY_PATH })), "EINVAL");
  const lz = fd(x({ op: "openat", dirfd: AT_FDCWD, pathname: `${d}/a`, flags: O_DIR, mode: 0 }));
  assert.is(name(x({ op: "umount2", target: `${d}/a`, flags: abi.MNT_DETACH })), "0");
  assert.is(name(x({ op: "move_mount", from_dirfd: lz, from_pathname: "", to_dirfd: AT_FDCWD, to_pathname: `${d}/dst2`, flags: F_EMPTY })), "EINVAL");
  assert.is(name(x({ op: "open_tree", dirfd: lz, pathname: "", flags: OPEN_TREE_CLONE | AT_EMPTY_PATH })), "EINVAL");
  // Nothing was attached in this namespace (the tree t is still detached).
  assert.equal(k.mountinfo().split("\n").filter((l) => l.includes(" /tmp/ot-ons/")).map((l) => l.split(" ")[4]), []);
});

// Recorded on Linux 6.18 in `unshare -m --propagation private`: a tmpfs on /tmp/wkh with dst, y,
// z, a tmpfs on dst; an O_PATH fd of dst; then unshare(CLONE_NEWNS) with no process left in the first namespace, so
// it dies and its mounts are unmounted; tmpfs on y and z. Onto the dead namespace's dst (its fd, or
// /proc/self/fd/N): a bind, MS_MOVE, a new tmpfs and move_mount are all ENOENT (lock_mount: not
// mounted), and MS_SHARED on it EINVAL. With a child kept in the first namespace, all four are
// EINVAL (the test above), and MS_SHARED works (mutation-kills-fake-sys-mount.test.ts).
test("a mount of a dead namespace cannot be mounted on: ENOENT for bind, MS_MOVE, a new mount and move_mount; EINVAL while it lives", () => {
  // With /proc, so that /proc/self/fd/N names dst for mount(2) (without it every call is ENOENT anyway).
  const table = ONE_ROOT + "22 21 0:22 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n";
  for (const alive of [false, true]) {
    const k = FakeKernel.fromMountinfo(table).mkdir("/tmp/wkh");
    const x = (r: Bare): Result => k6(r, k);
    const d = "/tmp/wkh";
    assert.is(name(x({ op: "mount", source: "tmpfs", target: d, filesystemtype: "tmpfs", mountflags: 0, data: null })), "0");
    for (const sub of ["dst", "y", "z"]) assert.is(name(x({ op: "mkdir", pathname: `${d}/${sub}`, mode: 0o755 })), "0");
    // dst is a mount's root, so that a propagation change may name it.
    assert.is(name(x({ op: "mount", source: "tmpfs", target: `${d}/dst`, filesystemtype: "tmpfs", mountflags: 0, data: null })), "0");
    const dst = (x({ op: "openat", dirfd: AT_FDCWD, pathname: `${d}/dst`, flags: O_DIR, mode: 0 }) as { ret: number }).ret;
    const first = k.state.current;
    k.unshare();
    // The fake's unshare forks and leaves the parent in the first namespace; Linux's process
    // unshares itself, and with nothing else there the namespace dies.
    if (!alive) k.exit(first);
    for (const sub of ["y", "z"]) assert.is(name(x({ op: "mount", source: "tmpfs", target: `${d}/${sub}`, filesystemtype: "tmpfs", mountflags: 0, data: null })), "0");
    const at = `/proc/self/fd/${dst}`;
    assert.is(name(x({ op: "openat", dirfd: AT_FDCWD, pathname: at, flags: O_DIR, mode: 0 })), "0", "the link resolves");
    const want = alive ? "EINVAL" : "ENOENT";
    assert.is(name(x({ op: "mount", source: `${d}/y`, target: at, filesystemtype: null, mountflags: abi.MS_BIND, data: null })), want, "bind");
    assert.is(name(x({ op: "mount", source: `${d}/z`, target: at, filesystemtype: null, mountflags: abi.MS_MOVE, data: null })), want, "MS_MOVE");
    assert.is(name(x({ op: "mount", source: "tmpfs", target: at, filesystemtype: "tmpfs", mountflags: 0, data: null })), want, "a new tmpfs");
    assert.is(name(x({ op: "move_mount", from_dirfd: AT_FDCWD, from_pathname: `${d}/y`, to_dirfd: dst, to_pathname: "", flags: abi.MOVE_MOUNT_T_EMPTY_PATH })), want, "move_mount");
    // may_change_propagation: a live namespace's mount changes type (0), a dead one's is EINVAL.
    assert.is(name(x({ op: "mount", source: null, target: at, filesystemtype: null, mountflags: abi.MS_SHARED, data: null })), alive ? "0" : "EINVAL", "MS_SHARED");
  }
});

// Recorded on Linux 6.18 in `unshare -m --propagation private`: tmpfs on /tmp/wkm3 with s (a tmpfs
// holding a), x (a tmpfs) and d; open_tree(s, CLONE) made in the first namespace; a child kept
// there; unshare(CLONE_NEWNS); open_tree(x, CLONE) made in the new one. From the new namespace:
// move_mount of its own tree into the first tree's a: EINVAL; open_tree(first tree, "",
// CLONE|AT_EMPTY_PATH): EINVAL (check_anonymous_mnt: the tree's seq_origin is the first
// namespace); move_mount of the first tree onto d: 0 (the anonymous root may still be attached).
test("a detached tree made in another namespace: not copied and nothing moved into it, but it can be attached (seq_origin)", () => {
  const k = FakeKernel.fromMountinfo(ONE_ROOT).mkdir("/tmp/wkm3");
  const x = (r: Bare): Result => k6(r, k);
  const d = "/tmp/wkm3";
  const fd = (r: Result): number => ("ret" in r ? r.ret : -1);
  assert.is(name(x({ op: "mount", source: "tmpfs", target: d, filesystemtype: "tmpfs", mountflags: 0, data: null })), "0");
  for (const sub of ["s", "x", "d"]) assert.is(name(x({ op: "mkdir", pathname: `${d}/${sub}`, mode: 0o755 })), "0");
  assert.is(name(x({ op: "mount", source: "tmpfs", target: `${d}/s`, filesystemtype: "tmpfs", mountflags: 0, data: null })), "0");
  assert.is(name(x({ op: "mkdir", pathname: `${d}/s/a`, mode: 0o755 })), "0");
  assert.is(name(x({ op: "mount", source: "tmpfs", target: `${d}/x`, filesystemtype: "tmpfs", mountflags: 0, data: null })), "0");
  const first = fd(x({ op: "open_tree", dirfd: AT_FDCWD, pathname: `${d}/s`, flags: OPEN_TREE_CLONE }));
  assert.ok(first >= 0);
  k.unshare(); // the fake's unshare forks: the parent stays in the first namespace, as the kept child did
  const own = fd(x({ op: "open_tree", dirfd: AT_FDCWD, pathname: `${d}/x`, flags: OPEN_TREE_CLONE }));
  assert.ok(own >= 0);
  assert.is(name(x({ op: "move_mount", from_dirfd: own, from_pathname: "", to_dirfd: first, to_pathname: "a", flags: F_EMPTY })), "EINVAL");
  assert.is(name(x({ op: "open_tree", dirfd: first, pathname: "", flags: OPEN_TREE_CLONE | AT_EMPTY_PATH })), "EINVAL");
  assert.is(name(x({ op: "move_mount", from_dirfd: first, from_pathname: "", to_dirfd: AT_FDCWD, to_pathname: `${d}/d`, flags: F_EMPTY })), "0");
});

// Recorded on Linux 6.18 with a small C program in `unshare -U -r -m --propagation private` (a mount
// namespace owned by a new user namespace: every mount it inherits is MNT_LOCKED, lock_mnt_tree):
// open_tree(CLONE) of /sys/fs/cgroup (its submounts cpu, cpuset are locked) EINVAL, of /sys/fs (the
// locked /sys/fs/cgroup below it) EINVAL, of /sys/kernel ok, of /sys/fs/cgroup/cpu ok; with
// AT_RECURSIVE /sys/fs/cgroup ok; move_mount of /sys/fs/cgroup/cpu (locked) EINVAL; the recursive
// copy moved onto a tmpfs's dst ok, and its copies of cpu and cpuset stay locked (umount2 EINVAL,
// with MNT_DETACH too: copy_tree keeps MNT_LOCKED), so a plain clone of the copy is EINVAL too; the
// whole copy unmounts (MNT_DETACH) fine. __do_loopback: !recurse && has_locked_children is EINVAL.
test("open_tree and move_mount over locked mounts (a namespace owned by a user namespace): has_locked_children, and copies keep MNT_LOCKED", () => {
  const table = [
    "21 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw",
    "22 21 0:21 / /sys rw,relatime - sysfs sysfs rw",
    "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw",
    "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu",
    "33 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset",
  ].join("\n") + "\n";
  const k = FakeKernel.fromMountinfo(table).mkdir("/sys/kernel").mkdir("/mnt").mkdir("/tmp/ot-lk").unshare({ userns: true });
  const x = (r: Bare): string => name(k6(r, k));
  const tree = (pathname: string, flags: number): Bare => ({ op: "open_tree", dirfd: AT_FDCWD, pathname, flags });
  assert.is(x(tree("/sys/fs/cgroup", OPEN_TREE_CLONE)), "EINVAL");
  assert.is(x(tree("/sys/fs", OPEN_TREE_CLONE)), "EINVAL");
  assert.is(x(tree("/sys/kernel", OPEN_TREE_CLONE)), "0");
  assert.is(x(tree("/sys/fs/cgroup/cpu", OPEN_TREE_CLONE)), "0");
  const t = k6(tree("/sys/fs/cgroup", OPEN_TREE_CLONE | AT_RECURSIVE), k);
  assert.ok("ret" in t);
  const fd = "ret" in t ? t.ret : -1;
  assert.is(x({ op: "move_mount", from_dirfd: AT_FDCWD, from_pathname: "/sys/fs/cgroup/cpu", to_dirfd: AT_FDCWD, to_pathname: "/mnt", flags: 0 }), "EINVAL");
  assert.is(x({ op: "mount", source: "tmpfs", target: "/tmp/ot-lk", filesystemtype: "tmpfs", mountflags: 0, data: null }), "0");
  assert.is(x({ op: "mkdir", pathname: "/tmp/ot-lk/dst", mode: 0o755 }), "0");
  assert.is(x({ op: "move_mount", from_dirfd: fd, from_pathname: "", to_dirfd: AT_FDCWD, to_pathname: "/tmp/ot-lk/dst", flags: F_EMPTY }), "0");
  assert.is(x({ op: "umount2", target: "/tmp/ot-lk/dst/cpu", flags: 0 }), "EINVAL");
  assert.is(x({ op: "umount2", target: "/tmp/ot-lk/dst/cpuset", flags: abi.MNT_DETACH }), "EINVAL");
  assert.is(x(tree("/tmp/ot-lk/dst", OPEN_TREE_CLONE)), "EINVAL");
  assert.is(x({ op: "umount2", target: "/tmp/ot-lk/dst", flags: abi.MNT_DETACH }), "0");
});

// Recorded on Linux 6.18 with a small C program in `unshare -m --propagation private`: a shared
// tmpfs on /tmp/ot-fc/s, open_tree(s, OPEN_TREE_CLONE), fork; the child closes the fd and exits;
// the parent's move_mount of the tree onto /tmp/ot-fc/dst is ok, and mountinfo shows both s and dst
// "shared:1": the child's close was not the last fput of the file, so dissolve_on_fput did not run
// and the copy kept its peer group.
test("a detached tree's fd shared by fork: one process's close does not unmount the tree while another still holds it (dissolve_on_fput at the last fput)", () => {
  const k = FakeKernel.fromMountinfo(ONE_ROOT).mkdir("/tmp/ot-fc");
  const x = (r: Bare): Result => k6(r, k);
  const d = "/tmp/ot-fc";
  assert.is(name(x({ op: "mount", source: "tmpfs", target: d, filesystemtype: "tmpfs", mountflags: 0, data: null })), "0");
  assert.is(name(x({ op: "mount", source: null, target: d, filesystemtype: null, mountflags: abi.MS_PRIVATE, data: null })), "0");
  for (const sub of ["s", "dst"]) assert.is(name(x({ op: "mkdir", pathname: `${d}/${sub}`, mode: 0o755 })), "0");
  assert.is(name(x({ op: "mount", source: "tmpfs", target: `${d}/s`, filesystemtype: "tmpfs", mountflags: 0, data: null })), "0");
  assert.is(name(x({ op: "mount", source: null, target: `${d}/s`, filesystemtype: null, mountflags: abi.MS_SHARED, data: null })), "0");
  const t = x({ op: "open_tree", dirfd: AT_FDCWD, pathname: `${d}/s`, flags: OPEN_TREE_CLONE });
  const tfd = "ret" in t ? t.ret : -1;
  const parent = k.state.current;
  const child = fork(k.state, k.process);
  k.state.current = child.pid;
  assert.is(name(x({ op: "close", fd: tfd })), "0");
  k.state.current = parent;
  assert.is(name(x({ op: "move_mount", from_dirfd: tfd, from_pathname: "", to_dirfd: AT_FDCWD, to_pathname: `${d}/dst`, flags: F_EMPTY })), "0");
  const tags = k.mountinfo().split("\n").filter((l) => l.includes(` ${d}/`)).map((l) => l.split(" ")).map((f) => `${f[4]} ${f[6]}`);
  assert.is(tags.length, 2);
  assert.match(tags[0]!, /^\/tmp\/ot-fc\/s shared:\d+$/);
  assert.is(tags[1], `${d}/dst ${tags[0]!.split(" ")[1]}`);
});

test.run();
