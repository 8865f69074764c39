// Tests written for the survivors of the Stryker run of src/hosts/fake/sys-ns.ts (docs/mutation.md,
// the fake triage: "sys-ns.ts: re-planted and triaged"). This file owns sys-ns.ts's rules:
// mount_setattr(2) and the places it takes (a path, AT_EMPTY_PATH on AT_FDCWD, on an fd, on a
// terminal or a closed fd, on a detached tree), its locked flags in a user namespace, setns(2)'s
// refusals by fd kind and nstype, and the Linux 7.0 model of open_tree(OPEN_TREE_NAMESPACE).
// What Linux 6.18 has is compared with the real kernel (through the executor child, in its own
// mount namespace) call for call, with the kernel's answers pinned; the 7.0 model cannot be checked
// on this kernel, and its tests say so: they pin the model's rule from source (docs/sources.md#crun-1-29).
import { symlinkSync } from "node:fs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import { fork } from "../src/hosts/fake/build.js";
import type { Request, Result } from "../src/request.js";
import { hostMountinfo, makeRootfs, nativeTest, eitherMode, readMountinfo } from "./helpers/native-env.js";

const { mode, reason, spawn } = await eitherMode();
const test = suite(`mount_setattr, setns, OPEN_TREE_NAMESPACE: real kernel vs fake kernel, and the 7.0 model (${mode})`);
const c = { seq: 0, step: "test", reason: "sys-ns test" };
type Bare = Request extends infer R ? R extends unknown ? Omit<R, "seq" | "step" | "reason"> : never : never;
interface Side {
  exec(r: Request): Promise<Result> | Result;
  /** A symlink made in the side's own namespace (the executor's: through /proc/<pid>/root). */
  symlink(path: string, target: string): void;
}
const errName = (n: number): string => Object.entries(abi).find(([k, v]) => /^E[A-Z]+$/.test(k) && v === n)?.[0] ?? `errno ${n}`;
const name = (r: Result): string => ("errno" in r ? errName(r.errno) : "0");
const { AT_FDCWD, AT_EMPTY_PATH, AT_RECURSIVE, AT_SYMLINK_NOFOLLOW, CLONE_NEWNS } = abi;
const O_DIR = abi.O_RDONLY | abi.O_PATH | abi.O_DIRECTORY | abi.O_CLOEXEC;
const CLONE_NEWUTS = 0x04000000;
const setattr = (dirfd: number, pathname: string, flags: number, attr_set: number, propagation: number): Bare =>
  ({ op: "mount_setattr", dirfd, pathname, flags, attr_set, propagation });
const tmpfs = (target: string): Bare => ({ op: "mount", source: "tmpfs", target, filesystemtype: "tmpfs", mountflags: 0, data: null });

/** The mounts under `base`: "path options propagation" (group numbers dropped). */
function shape(mountinfo: string, base: string): string[] {
  return mountinfo.trim().split("\n").map((l) => l.split(" ")).filter((f) => f[4]!.startsWith(`${base}/`))
    .map((f) => {
      const tags = f.slice(6, f.indexOf("-")).map((t) => t.split(":")[0]).join(",") || "private";
      return `${f[4]!.slice(base.length)} ${f[5]} ${tags}`;
    });
}

/**
 * The calls, on one side. A private tmpfs at `base` with a (a tmpfs holding the tmpfs a/s and the
 * directory a/d), dst, and lnk -> a. Returns one line per call ("what: errno") and the mounts
 * under `base`.
 */
async function forms(x: Side, base: string, mountinfo: () => Promise<string>): Promise<{ log: string[]; table: string[] }> {
  const log: string[] = [];
  const call = async (what: string, r: Bare): Promise<number> => {
    const res = await x.exec({ ...c, ...r } as Request);
    log.push(`${what}: ${name(res)}`);
    return "ret" in res ? res.ret : -1;
  };
  const at = (p: string): string => `${base}/${p}`;
  await call("set-up", tmpfs(base));
  await call("set-up", { op: "mount", source: null, target: base, filesystemtype: null, mountflags: abi.MS_PRIVATE, data: null });
  for (const d of ["a", "dst", "lz"]) await call("set-up", { op: "mkdir", pathname: at(d), mode: 0o755 });
  await call("set-up", tmpfs(at("a")));
  await call("set-up", tmpfs(at("lz")));
  for (const d of ["a/s", "a/d"]) await call("set-up", { op: "mkdir", pathname: at(d), mode: 0o755 });
  await call("set-up", tmpfs(at("a/s")));
  x.symlink(at("lnk"), "a");
  const a = await call("openat(a, O_PATH)", { op: "openat", dirfd: AT_FDCWD, pathname: at("a"), flags: O_DIR, mode: 0 });
  const ad = await call("openat(a, O_RDONLY)", { op: "openat", dirfd: AT_FDCWD, pathname: at("a"), flags: abi.O_RDONLY | abi.O_DIRECTORY | abi.O_CLOEXEC, mode: 0 });

  // fd 0 is no mount's root (the executor's /dev/null, the model's terminal): do_mount_setattr's
  // path_mounted check, EINVAL, with or without a propagation type; and no namespace's fd for setns.
  await call("setattr(fd 0, \"\", EMPTY_PATH, NOSUID)", setattr(0, "", AT_EMPTY_PATH, abi.MOUNT_ATTR_NOSUID, 0));
  await call("setattr(fd 0, \"\", EMPTY_PATH, MS_PRIVATE)", setattr(0, "", AT_EMPTY_PATH, 0, abi.MS_PRIVATE));
  await call("setattr(fd 99, \"\", EMPTY_PATH, NOSUID)", setattr(99, "", AT_EMPTY_PATH, abi.MOUNT_ATTR_NOSUID, 0));
  await call("setns(fd 0, CLONE_NEWNS)", { op: "setns", fd: 0, nstype: CLONE_NEWNS });
  await call("setns(fd 0, 0)", { op: "setns", fd: 0, nstype: 0 });
  // setns: an O_PATH fd is EBADF whatever nstype says; a directory's fd is no namespace's (EINVAL).
  await call("setns(O_PATH a, 0)", { op: "setns", fd: a, nstype: 0 });
  await call("setns(O_PATH a, CLONE_NEWUTS)", { op: "setns", fd: a, nstype: CLONE_NEWUTS });
  await call("setns(a, 0)", { op: "setns", fd: ad, nstype: 0 });
  await call("setns(a, CLONE_NEWUTS)", { op: "setns", fd: ad, nstype: CLONE_NEWUTS });
  await call("setns(fd 99, 0)", { op: "setns", fd: 99, nstype: 0 });

  // A symlink to a mount's root: followed it names a (0); with AT_SYMLINK_NOFOLLOW the link itself,
  // in base (EINVAL).
  await call("setattr(lnk, NODEV)", setattr(AT_FDCWD, at("lnk"), 0, abi.MOUNT_ATTR_NODEV, 0));
  await call("setattr(lnk, NOFOLLOW, NOEXEC)", setattr(AT_FDCWD, at("lnk"), AT_SYMLINK_NOFOLLOW, abi.MOUNT_ATTR_NOEXEC, 0));
  // A path relative to a dirfd; the same fd with "" but no AT_EMPTY_PATH (a lookup of "": ENOENT).
  await call("setattr(a fd, \"s\", NOEXEC)", setattr(a, "s", 0, abi.MOUNT_ATTR_NOEXEC, 0));
  await call("setattr(a fd, \"\", 0, NOEXEC)", setattr(a, "", 0, abi.MOUNT_ATTR_NOEXEC, 0));
  // AT_FDCWD with "" and AT_EMPTY_PATH is the cwd: a/d is no mount's root, a is.
  await call("chdir(a/d)", { op: "chdir", path: at("a/d") });
  await call("setattr(AT_FDCWD, \"\", EMPTY_PATH) in a/d", setattr(AT_FDCWD, "", AT_EMPTY_PATH, abi.MOUNT_ATTR_NOSUID, 0));
  await call("chdir(a)", { op: "chdir", path: at("a") });
  await call("setattr(AT_FDCWD, \"\", EMPTY_PATH) in a", setattr(AT_FDCWD, "", AT_EMPTY_PATH, abi.MOUNT_ATTR_NOSUID, 0));
  await call("chdir(/)", { op: "chdir", path: "/" });
  // An atime value alone (MOUNT_ATTR_NOATIME without MOUNT_ATTR__ATIME in attr_clr), MS_REC as a
  // propagation type, an unknown attribute with a known one: EINVAL, nothing set.
  await call("setattr(a, NOATIME)", setattr(AT_FDCWD, at("a"), 0, 0x10, 0));
  await call("setattr(a, MS_SHARED|MS_REC)", setattr(AT_FDCWD, at("a"), 0, 0, abi.MS_SHARED | abi.MS_REC));
  await call("setattr(a, RDONLY|0x40000000)", setattr(AT_FDCWD, at("a"), 0, abi.MOUNT_ATTR_RDONLY | 0x40000000, 0));
  await call("setattr(a, RDONLY, MS_SHARED|MS_SLAVE)", setattr(AT_FDCWD, at("a"), 0, abi.MOUNT_ATTR_RDONLY, abi.MS_SHARED | abi.MS_SLAVE));

  // The root of a detached tree (open_tree(OPEN_TREE_CLONE)) takes attributes and a propagation
  // type (anon_ns_root); a mount below it does not; the attributes go with it to move_mount.
  const t = await call("open_tree(a, CLONE|RECURSIVE)", { op: "open_tree", dirfd: AT_FDCWD, pathname: at("a"), flags: abi.OPEN_TREE_CLONE | AT_RECURSIVE });
  await call("setattr(tree, RDONLY)", setattr(t, "", AT_EMPTY_PATH, abi.MOUNT_ATTR_RDONLY, 0));
  await call("setattr(tree, RECURSIVE, NOSUID)", setattr(t, "", AT_EMPTY_PATH | AT_RECURSIVE, abi.MOUNT_ATTR_NOSUID, 0));
  await call("setattr(tree, MS_SHARED)", setattr(t, "", AT_EMPTY_PATH, 0, abi.MS_SHARED));
  await call("move_mount(tree -> dst)", { op: "move_mount", from_dirfd: t, from_pathname: "", to_dirfd: AT_FDCWD, to_pathname: at("dst"), flags: abi.MOVE_MOUNT_F_EMPTY_PATH });
  // Attached, the tree's top is a mount of this namespace like any other.
  await call("setattr(tree fd after the move, NODEV)", setattr(t, "", AT_EMPTY_PATH, abi.MOUNT_ATTR_NODEV, 0));
  // A lazily unmounted mount is in no namespace and no detached tree's root: EINVAL.
  const lz = await call("openat(lz, O_PATH)", { op: "openat", dirfd: AT_FDCWD, pathname: at("lz"), flags: O_DIR, mode: 0 });
  await call("umount2(lz, MNT_DETACH)", { op: "umount2", target: at("lz"), flags: abi.MNT_DETACH });
  await call("setattr(lazily unmounted lz, NODEV)", setattr(lz, "", AT_EMPTY_PATH, abi.MOUNT_ATTR_NODEV, 0));
  await call("setattr(lazily unmounted lz, MS_PRIVATE)", setattr(lz, "", AT_EMPTY_PATH, 0, abi.MS_PRIVATE));
  for (const f of [a, ad, t, lz]) await call("close", { op: "close", fd: f });
  return { log, table: shape(await mountinfo(), base) };
}

nativeTest(test, reason, "mount_setattr's places and setns's fd kinds: the real kernel (6.18) and the model agree call for call and mount for mount", async () => {
  const scratch = makeRootfs();
  const base = `${scratch.dir}/base`;
  const ex = await spawn();
  try {
    await ex.exec({ ...c, op: "mkdir", pathname: base, mode: 0o755 });
    const real = await forms({ exec: (r) => ex.exec(r), symlink: (p, t) => symlinkSync(t, `/proc/${ex.pid}/root${p}`) }, base, () => readMountinfo(ex));
    const k = FakeKernel.fromMountinfo(hostMountinfo()).mkdir(base).unshare();
    const model = await forms({ exec: (r) => k.exec(r), symlink: (p, t) => { k.symlink(p, t); } }, base, () => readMountinfo(k));
    assert.equal(model.log, real.log);
    assert.equal(model.table, real.table);
    // What Linux 6.18 said, pinned (the set-up lines all 0).
    assert.ok(real.log.filter((l) => l.startsWith("set-up")).every((l) => l === "set-up: 0"));
    assert.equal(real.log.filter((l) => !l.startsWith("set-up")), FORMS);
    assert.equal(real.table, [
      "/a rw,nosuid,nodev,relatime private",
      "/a/s rw,noexec,relatime private",
      "/dst ro,nosuid,nodev,relatime shared",
      "/dst/s rw,nosuid,noexec,relatime private",
    ]);
  } finally {
    await ex.close();
    scratch.cleanup();
  }
});

const FORMS: string[] = [
  "openat(a, O_PATH): 0",
  "openat(a, O_RDONLY): 0",
  "setattr(fd 0, \"\", EMPTY_PATH, NOSUID): EINVAL",
  "setattr(fd 0, \"\", EMPTY_PATH, MS_PRIVATE): EINVAL",
  "setattr(fd 99, \"\", EMPTY_PATH, NOSUID): EBADF",
  "setns(fd 0, CLONE_NEWNS): EINVAL",
  "setns(fd 0, 0): EINVAL",
  "setns(O_PATH a, 0): EBADF",
  "setns(O_PATH a, CLONE_NEWUTS): EBADF",
  "setns(a, 0): EINVAL",
  "setns(a, CLONE_NEWUTS): EINVAL",
  "setns(fd 99, 0): EBADF",
  "setattr(lnk, NODEV): 0",
  "setattr(lnk, NOFOLLOW, NOEXEC): EINVAL",
  "setattr(a fd, \"s\", NOEXEC): 0",
  "setattr(a fd, \"\", 0, NOEXEC): ENOENT",
  "chdir(a/d): 0",
  "setattr(AT_FDCWD, \"\", EMPTY_PATH) in a/d: EINVAL",
  "chdir(a): 0",
  "setattr(AT_FDCWD, \"\", EMPTY_PATH) in a: 0",
  "chdir(/): 0",
  "setattr(a, NOATIME): EINVAL",
  "setattr(a, MS_SHARED|MS_REC): EINVAL",
  "setattr(a, RDONLY|0x40000000): EINVAL",
  "setattr(a, RDONLY, MS_SHARED|MS_SLAVE): EINVAL",
  "open_tree(a, CLONE|RECURSIVE): 0",
  "setattr(tree, RDONLY): 0",
  "setattr(tree, RECURSIVE, NOSUID): 0",
  "setattr(tree, MS_SHARED): 0",
  "move_mount(tree -> dst): 0",
  "setattr(tree fd after the move, NODEV): 0",
  "openat(lz, O_PATH): 0",
  "umount2(lz, MNT_DETACH): 0",
  "setattr(lazily unmounted lz, NODEV): EINVAL",
  "setattr(lazily unmounted lz, MS_PRIVATE): EINVAL",
  "close: 0",
  "close: 0",
  "close: 0",
  "close: 0",
];

/**
 * In a mount namespace owned by a new user namespace every inherited mount is locked
 * (lock_mnt_tree: MNT_LOCK_ATIME always, the set ones of ro/nosuid/nodev/noexec), and so are its
 * copies. mount_setattr only sets attributes, so the only locked flags it can change are the atime
 * ones: MOUNT_ATTR_NODIRATIME on a locked mount is EPERM (can_change_locked_flags), for the whole
 * call when one mount of an AT_RECURSIVE walk is locked, the propagation type too.
 */
async function locked(x: Side, base: string, mountinfo: () => Promise<string>): Promise<{ log: string[]; table: string[]; proc: string }> {
  const log: string[] = [];
  const call = async (what: string, r: Bare): Promise<void> => { log.push(`${what}: ${name(await x.exec({ ...c, ...r } as Request))}`); };
  const at = (p: string): string => `${base}/${p}`;
  await call("setattr(/proc, NODIRATIME)", setattr(AT_FDCWD, "/proc", 0, abi.MOUNT_ATTR_NODIRATIME, 0));
  await call("setattr(/proc, NOSUID)", setattr(AT_FDCWD, "/proc", 0, abi.MOUNT_ATTR_NOSUID, 0));
  await call("setattr(/proc, NODIRATIME, MS_SHARED)", setattr(AT_FDCWD, "/proc", 0, abi.MOUNT_ATTR_NODIRATIME, abi.MS_SHARED));
  await call("set-up", tmpfs(base));
  await call("set-up", { op: "mount", source: null, target: base, filesystemtype: null, mountflags: abi.MS_PRIVATE, data: null });
  for (const d of ["p", "c"]) await call("set-up", { op: "mkdir", pathname: at(d), mode: 0o755 });
  await call("setattr(base, NODIRATIME)", setattr(AT_FDCWD, base, 0, abi.MOUNT_ATTR_NODIRATIME, 0));
  await call("rbind(/proc -> p)", { op: "mount", source: "/proc", target: at("p"), filesystemtype: null, mountflags: abi.MS_BIND | abi.MS_REC, data: null });
  await call("setattr(p, NODIRATIME)", setattr(AT_FDCWD, at("p"), 0, abi.MOUNT_ATTR_NODIRATIME, 0));
  await call("setattr(base, RECURSIVE, NOEXEC)", setattr(AT_FDCWD, base, AT_RECURSIVE, abi.MOUNT_ATTR_NOEXEC, 0));
  await call("setattr(base, RECURSIVE, NODIRATIME)", setattr(AT_FDCWD, base, AT_RECURSIVE, abi.MOUNT_ATTR_NODIRATIME, 0));
  await call("set-up", tmpfs(at("c")));
  await call("setattr(base, RECURSIVE, NODIRATIME, MS_SHARED)", setattr(AT_FDCWD, base, AT_RECURSIVE, abi.MOUNT_ATTR_NODIRATIME, abi.MS_SHARED));
  await call("setattr(p, RDONLY)", setattr(AT_FDCWD, at("p"), 0, abi.MOUNT_ATTR_RDONLY, 0));
  const text = await mountinfo();
  const proc = text.split("\n").map((l) => l.split(" ")).find((f) => f[4] === "/proc")!;
  return { log, table: shape(text, base), proc: `${proc[5]} ${proc.slice(6, proc.indexOf("-")).map((t) => t.split(":")[0]).join(",") || "private"}` };
}

nativeTest(test, reason, "mount_setattr on mounts locked by a user namespace: NODIRATIME is EPERM (MNT_LOCK_ATIME), for a whole recursive call; the real kernel (6.18) and the model agree", async () => {
  const scratch = makeRootfs();
  const base = `${scratch.dir}/base`;
  const ex = await spawn({ rootless: true });
  try {
    await ex.exec({ ...c, op: "mkdir", pathname: base, mode: 0o755 });
    const real = await locked({ exec: (r) => ex.exec(r), symlink: () => {} }, base, () => readMountinfo(ex));
    const k = FakeKernel.fromMountinfo(hostMountinfo()).mkdir(base).unshare({ userns: true });
    const model = await locked({ exec: (r) => k.exec(r), symlink: () => {} }, base, () => readMountinfo(k));
    assert.equal(model.log, real.log);
    assert.equal(model.table, real.table);
    assert.equal(model.proc, real.proc);
    assert.equal(real.log.filter((l) => !l.startsWith("set-up")), [
      "setattr(/proc, NODIRATIME): EPERM",
      "setattr(/proc, NOSUID): 0",
      "setattr(/proc, NODIRATIME, MS_SHARED): EPERM",
      "setattr(base, NODIRATIME): 0",
      "rbind(/proc -> p): 0",
      "setattr(p, NODIRATIME): EPERM",
      "setattr(base, RECURSIVE, NOEXEC): 0",
      "setattr(base, RECURSIVE, NODIRATIME): EPERM",
      "setattr(base, RECURSIVE, NODIRATIME, MS_SHARED): EPERM",
      "setattr(p, RDONLY): 0",
    ]);
    assert.ok(!real.proc.includes("shared") && real.proc.includes("nosuid") && !real.proc.includes("nodiratime"), real.proc);
    assert.equal(real.table.filter((l) => /^\/(p|c) /.test(l)), ["/p ro,nosuid,noexec,relatime private", "/c rw,relatime private"]);
  } finally {
    await ex.close();
    scratch.cleanup();
  }
});

test.run();
