// Tests written for the survivors of the Stryker run of src/hosts/fake/sys-ns.ts (docs/mutation.md,
// the fake triage: "sys-ns.ts: re-planted and triaged"). This file owns sys-ns.ts's rules:
// mount_setattr(2) and the places it takes (a path, AT_EMPTY_PATH on AT_FDCWD, on an fd, on a
// terminal or a closed fd, on a detached tree), its locked flags in a user namespace, setns(2)'s
// refusals by fd kind and nstype, and the Linux 7.0 model of open_tree(OPEN_TREE_NAMESPACE).
// What Linux 6.18 has is compared with the real kernel (through the executor child, in its own
// mount namespace) call for call, with the kernel's answers pinned; the 7.0 model cannot be checked
// on this kernel, and its tests say so: they pin the model's rule from source (docs/sources.md#crun-1-29).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import { fork } from "../src/hosts/fake/build.js";
import type { Request, Result } from "../src/request.js";
import { nativeTest, eitherMode, onKernelAndFake } from "./helpers/native-env.js";

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
const name = (r: Result): string => ("errno" in r ? errName(r.errno) : "ret" in r ? "0" : `no result ${JSON.stringify(r)}`);
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
  // A path is looked up even with AT_EMPTY_PATH: s below a, not a.
  await call("setattr(a fd, \"s\", EMPTY_PATH, NOSYMFOLLOW)", setattr(a, "s", AT_EMPTY_PATH, abi.MOUNT_ATTR_NOSYMFOLLOW, 0));
  // All zero is a no-op, 0 before the place is looked at (fd 99: no such fd).
  await call("setattr(fd 99, all zero)", setattr(99, "", AT_EMPTY_PATH, 0, 0));
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
  const { real, model } = await onKernelAndFake(spawn, (side, base) => forms(side, base, () => side.mountinfo()));
  assert.equal(model.log, real.log);
  assert.equal(model.table, real.table);
  // What Linux 6.18 said, pinned (the set-up lines all 0).
  assert.ok(real.log.filter((l) => l.startsWith("set-up")).every((l) => l === "set-up: 0"));
  assert.equal(real.log.filter((l) => !l.startsWith("set-up")), FORMS);
  assert.equal(real.table, [
    "/a rw,nosuid,nodev,relatime private",
    "/a/s rw,noexec,relatime,nosymfollow private",
    "/dst ro,nosuid,nodev,relatime shared",
    "/dst/s rw,nosuid,noexec,relatime,nosymfollow private",
  ]);
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
  "setattr(a fd, \"s\", EMPTY_PATH, NOSYMFOLLOW): 0",
  "setattr(fd 99, all zero): 0",
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
  const { real, model } = await onKernelAndFake(spawn, (side, base) => locked(side, base, () => side.mountinfo()), { userns: true });
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
});

// ---- The Linux 7.0 model: pinned from source, not checked. No kernel here has OPEN_TREE_NAMESPACE
// (6.18 answers EINVAL, test/native-crun129-calls.test.ts); the rules below are the model's, read
// from crun 25790ca's commit text and its use (docs/sources.md#crun-1-29), with the copy made as
// open_tree(OPEN_TREE_CLONE) makes one and the namespace entered as setns's mntns_install enters any.

const ONE_ROOT = "21 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n";
const NS = abi.OPEN_TREE_NAMESPACE;
/** A model of kernel 7.0 after unshare (userns: owned by a new user namespace), and its calls. */
function model7(table: string, dirs: string[], userns = false) {
  let k = FakeKernel.fromMountinfo(table);
  for (const d of dirs) k = k.mkdir(d);
  k.unshare({ userns });
  k.state.kernel = "7.0";
  const x = (r: Bare): Result => k.exec({ ...c, ...r } as Request);
  const fd = (r: Bare): number => { const res = x(r); return "ret" in res ? res.ret : -1; };
  const tree = (pathname: string, flags: number): Bare => ({ op: "open_tree", dirfd: AT_FDCWD, pathname, flags });
  const mount = (target: string, mountflags: number, source: string | null = null): Bare =>
    ({ op: "mount", source, target, filesystemtype: source === "tmpfs" ? "tmpfs" : null, mountflags, data: null });
  /** The mountinfo lines as "mount point: optional fields" (the group numbers kept). */
  const tags = (): string[] => k.mountinfo().trim().split("\n").map((l) => l.split(" "))
    .map((f) => `${f[4]}: ${f.slice(6, f.indexOf("-")).join(" ") || "private"}`);
  const tagOf = (path: string): string => tags().find((t) => t.startsWith(`${path}: `))!.slice(path.length + 2);
  return { k, x, fd, tree, mount, tags, tagOf };
}

test("Linux 7.0 model (pinned from source, unverified): OPEN_TREE_NAMESPACE's refusals (with CLONE, unbindable, another namespace's mount, locked submounts without AT_RECURSIVE) and its flag only on 7.0", () => {
  const { k, x, fd, tree, mount } = model7(ONE_ROOT, ["/tmp/s", "/tmp/u"]);
  const log: string[] = [];
  const call = (what: string, r: Bare): void => { log.push(`${what}: ${name(x(r))}`); };
  call("mount s", mount("/tmp/s", 0, "tmpfs"));
  call("mount u", mount("/tmp/u", 0, "tmpfs"));
  call("u unbindable", mount("/tmp/u", abi.MS_UNBINDABLE));
  k.state.kernel = "6.18";
  call("6.18: open_tree(s, NAMESPACE)", tree("/tmp/s", NS));
  k.state.kernel = "7.0";
  call("open_tree(s, NAMESPACE|CLONE)", tree("/tmp/s", NS | abi.OPEN_TREE_CLONE));
  call("open_tree(u, NAMESPACE)", tree("/tmp/u", NS));
  call("open_tree(u, NAMESPACE|RECURSIVE)", tree("/tmp/u", NS | AT_RECURSIVE));
  call("open_tree(s, NAMESPACE)", tree("/tmp/s", NS));
  // A mount of the namespace the process has left (an fd opened before unshare): not check_mnt.
  const s = fd({ op: "openat", dirfd: AT_FDCWD, pathname: "/tmp/s", flags: O_DIR, mode: 0 });
  k.unshare();
  k.state.kernel = "7.0";
  call("open_tree(old namespace's s, NAMESPACE)", { op: "open_tree", dirfd: s, pathname: "", flags: NS | AT_EMPTY_PATH });
  call("open_tree(this namespace's s, NAMESPACE)", tree("/tmp/s", NS));
  // In a namespace owned by a user namespace the inherited submounts are locked: a copy of their
  // parent without them would uncover what they hide (EINVAL); with AT_RECURSIVE it is made.
  const table = `${ONE_ROOT}22 21 8:2 / /data rw,relatime - ext4 /dev/sdb1 rw\n23 22 8:3 / /data/sub rw,relatime - ext4 /dev/sdc1 rw\n`;
  const u = model7(table, []);
  const uns = model7(table, [], true);
  for (const [who, m] of [["root", u], ["userns", uns]] as const) {
    log.push(`${who} open_tree(data, NAMESPACE): ${name(m.x(m.tree("/data", NS)))}`);
    log.push(`${who} open_tree(data, NAMESPACE|RECURSIVE): ${name(m.x(m.tree("/data", NS | AT_RECURSIVE)))}`);
  }
  uns.k.process.cap = false;
  log.push(`userns without CAP_SYS_ADMIN: open_tree(data, NAMESPACE|RECURSIVE): ${name(uns.x(uns.tree("/data", NS | AT_RECURSIVE)))}`);
  assert.equal(log.filter((l) => !/^mount|unbindable/.test(l)), [
    "6.18: open_tree(s, NAMESPACE): EINVAL",
    "open_tree(s, NAMESPACE|CLONE): EINVAL",
    "open_tree(u, NAMESPACE): EINVAL",
    "open_tree(u, NAMESPACE|RECURSIVE): EINVAL",
    "open_tree(s, NAMESPACE): 0",
    "open_tree(old namespace's s, NAMESPACE): EINVAL",
    "open_tree(this namespace's s, NAMESPACE): 0",
    "root open_tree(data, NAMESPACE): 0",
    "root open_tree(data, NAMESPACE|RECURSIVE): 0",
    "userns open_tree(data, NAMESPACE): EINVAL",
    "userns open_tree(data, NAMESPACE|RECURSIVE): 0",
    "userns without CAP_SYS_ADMIN: open_tree(data, NAMESPACE|RECURSIVE): EPERM",
  ]);
  assert.ok(log.filter((l) => /^mount|unbindable/.test(l)).every((l) => l.endsWith(": 0")), log.join("\n"));
});

test("Linux 7.0 model (pinned from source, unverified): the copy is what the new namespace shows at / (its submounts with AT_RECURSIVE only), a peer of a shared original and a slave of a slave's master, in a namespace of its own", () => {
  // The root is shared with the host's: each mount below gets a peer in the host's namespace,
  // which lives on when the first setns leaves this one to die (test/fake-namespace-death.test.ts).
  // Else p would die with it, its slave's copy made private, and "a slave of the master" not shown.
  const SHARED_ROOT = "21 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n";
  const { k, x, fd, tree, mount, tags, tagOf } = model7(SHARED_ROOT, ["/tmp/s", "/tmp/p", "/tmp/q", "/tmp/r"]);
  for (const r of [mount("/tmp/s", 0, "tmpfs"), mount("/tmp/s", abi.MS_SHARED), { op: "mkdir", pathname: "/tmp/s/m", mode: 0o755 } as Bare, mount("/tmp/s/m", 0, "tmpfs"),
    mount("/tmp/p", 0, "tmpfs"), mount("/tmp/p", abi.MS_SHARED), mount("/tmp/q", abi.MS_BIND, "/tmp/p"), mount("/tmp/q", abi.MS_SLAVE),
    mount("/tmp/r", 0, "tmpfs"), mount("/tmp/r", abi.MS_PRIVATE)]) assert.is(name(x(r)), "0", JSON.stringify(r));
  const before = new Set(k.state.nss.keys());
  const sTag = tagOf("/tmp/s"), mTag = tagOf("/tmp/s/m"), qTag = tagOf("/tmp/q");
  assert.match(sTag, /^shared:\d+$/);
  assert.match(mTag, /^shared:\d+$/); // mounted under a shared mount: shared in a group of its own
  assert.is.not(mTag, sTag);
  assert.match(qTag, /^master:\d+$/);
  const one = fd(tree("/tmp/s", NS));
  const rec = fd(tree("/tmp/s", NS | AT_RECURSIVE | abi.OPEN_TREE_CLOEXEC));
  const slave = fd(tree("/tmp/q", NS));
  const priv = fd(tree("/tmp/r", NS));
  // Each copy is in a namespace of its own, new (none of the ids before), with the caller's owner.
  const nsOf = (f: number): number => k.state.mounts.get(k.process.fds.get(f)!.mnt)!.ns;
  const made = [one, rec, slave, priv].map(nsOf);
  assert.equal(new Set(made).size, 4);
  assert.ok(made.every((n) => !before.has(n)), `${made} vs ${[...before]}`);
  assert.equal(made.map((n) => k.state.nss.get(n)), made.map((id) => ({ id, userns: false, owner: 0 })));
  // The fds: nsfs (kind mntns), close-on-exec only with OPEN_TREE_CLOEXEC.
  assert.equal(k.fdTable().filter((f) => [one, rec].includes(f.fd)).map((f) => `${f.kind} ${f.cloexec}`), ["mntns false", "mntns true"]);
  const home = k.process.ns;
  const seen: string[] = [];
  for (const [what, f] of [["one", one], ["rec", rec], ["slave", slave], ["priv", priv]] as const) {
    assert.is(name(x({ op: "setns", fd: f, nstype: what === "one" ? 0 : CLONE_NEWNS })), "0");
    if (what === "one") assert.not.ok([...k.state.mounts.values()].some((m) => m.ns === home), "the namespace left, which nothing else held, died");
    assert.is(k.process.ns, nsOf(f));
    seen.push(`${what}: ${tags().join(" | ")} | cwd ${k.cwd()}`);
  }
  assert.equal(seen, [
    `one: /: ${sTag} | cwd /`,
    `rec: /: ${sTag} | /m: ${mTag} | cwd /`,
    `slave: /: ${qTag} | cwd /`,
    "priv: /: private | cwd /",
  ]);
  assert.is.not(k.process.ns, home);
});

test("Linux 7.0 model (pinned from source, unverified): a namespace copied in a user namespace keeps that owner: copies stay locked, propagation from the original does not lock, and the superblock of another owner is not remounted", () => {
  const table = `${ONE_ROOT}22 21 8:2 / /data rw,relatime - ext4 /dev/sdb1 rw\n23 22 8:3 / /data/sub rw,relatime - ext4 /dev/sdc1 rw\n`;
  const { k, x, fd, tree, mount } = model7(table, ["/tmp/s"], true);
  const owner = k.state.nss.get(k.process.ns)!;
  assert.equal(owner.userns, true);
  const log: string[] = [];
  const call = (what: string, r: Bare): void => { log.push(`${what}: ${name(x(r))}`); };
  call("mount s", mount("/tmp/s", 0, "tmpfs"));
  call("s shared", mount("/tmp/s", abi.MS_SHARED));
  const data = fd(tree("/data", NS | AT_RECURSIVE));
  const s = fd(tree("/tmp/s", NS | AT_RECURSIVE));
  for (const f of [data, s]) {
    const n = k.state.nss.get(k.state.mounts.get(k.process.fds.get(f)!.mnt)!.ns)!;
    log.push(`namespace: userns ${n.userns}, owner ${n.owner === owner.owner ? "the caller's" : n.owner}`);
  }
  // A mount under the shared original propagates into the copy, unlocked (same owner).
  call("mkdir s/x", { op: "mkdir", pathname: "/tmp/s/x", mode: 0o755 });
  call("mount s/x", mount("/tmp/s/x", 0, "tmpfs"));
  call("setns(s's copy)", { op: "setns", fd: s, nstype: CLONE_NEWNS });
  call("umount2(/x)", { op: "umount2", target: "/x", flags: 0 });
  call("setns(data's copy)", { op: "setns", fd: data, nstype: CLONE_NEWNS });
  call("umount2(/sub) (a copy of a locked mount)", { op: "umount2", target: "/sub", flags: abi.MNT_DETACH });
  call("remount / read-only (the superblock's owner is the initial namespace)", mount("/", abi.MS_REMOUNT | abi.MS_RDONLY));
  assert.equal(log, [
    "mount s: 0",
    "s shared: 0",
    "namespace: userns true, owner the caller's",
    "namespace: userns true, owner the caller's",
    "mkdir s/x: 0",
    "mount s/x: 0",
    "setns(s's copy): 0",
    "umount2(/x): 0",
    "setns(data's copy): 0",
    "umount2(/sub) (a copy of a locked mount): EINVAL",
    "remount / read-only (the superblock's owner is the initial namespace): EPERM",
  ]);
});

// Recorded on Linux 6.18 with a small C program, the namespace fd being open("/proc/self/ns/mnt").
// In `unshare -m`: setns with nstype 0 or CLONE_NEWNS is 0; CLONE_NEWUTS, CLONE_NEWUSER or 1 EINVAL;
// mount_setattr on that fd with "" and AT_EMPTY_PATH EINVAL (no mount's root). In `unshare -m
// setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin`: setns on an O_PATH fd EBADF, on a
// directory's fd EINVAL, on the namespace's fd with CLONE_NEWUTS EINVAL and with CLONE_NEWNS EPERM,
// on fd 999 EBADF (the fd and its type come before the capability); mount_setattr with an unknown
// flag EINVAL, all zero EPERM, a missing path EPERM (may_mount before the no-op and the lookup).
// mntns_install sets root and cwd to the namespace's root, on top of what is mounted on it
// (LOOKUP_DOWN; seen on 6.18 only as cwd "/" after setns back into the first namespace). Here the
// namespace is the 7.0 model's: the rules are 6.18's, the fd is the model's.
test("setns into a mount namespace: the fd's kind and nstype before CAP_SYS_ADMIN; root and cwd become the namespace's root, on top of what is mounted there (the 7.0 model's fd; the order recorded on 6.18)", () => {
  const { k, x, fd, tree, mount } = model7(ONE_ROOT, ["/tmp/s"]);
  assert.is(name(x(mount("/tmp/s", 0, "tmpfs"))), "0");
  const t = fd(tree("/tmp/s", NS));
  const path = fd({ op: "openat", dirfd: AT_FDCWD, pathname: "/tmp", flags: O_DIR, mode: 0 });
  const dir = fd({ op: "openat", dirfd: AT_FDCWD, pathname: "/tmp", flags: abi.O_RDONLY | abi.O_DIRECTORY, mode: 0 });
  const log: string[] = [];
  const call = (what: string, r: Bare): void => { log.push(`${what}: ${name(x(r))}`); };
  const setns = (what: string, f: number, nstype: number): void => call(`${what}`, { op: "setns", fd: f, nstype });
  setns("ns fd, CLONE_NEWUTS", t, CLONE_NEWUTS);
  setns("ns fd, 1", t, 1);
  k.process.cap = false;
  setns("no cap: O_PATH fd", path, CLONE_NEWNS);
  setns("no cap: directory fd", dir, CLONE_NEWNS);
  setns("no cap: ns fd, CLONE_NEWUTS", t, CLONE_NEWUTS);
  setns("no cap: ns fd, CLONE_NEWNS", t, CLONE_NEWNS);
  setns("no cap: fd 999", 999, CLONE_NEWNS);
  call("no cap: setattr unknown flag", setattr(AT_FDCWD, "/nonexistent", 0x1, abi.MOUNT_ATTR_RDONLY, 0));
  call("no cap: setattr all zero", setattr(AT_FDCWD, "/nonexistent", 0, 0, 0));
  call("no cap: setattr missing path", setattr(AT_FDCWD, "/nonexistent", 0, abi.MOUNT_ATTR_RDONLY, 0));
  k.process.cap = true;
  call("chdir(/tmp)", { op: "chdir", path: "/tmp" });
  setns("ns fd, 0", t, 0);
  log.push(`cwd ${k.cwd()}`);
  // The nsfs file is no mount's root, in its own namespace too (6.18, /proc/self/ns/mnt: EINVAL).
  call("setattr(ns fd, \"\", EMPTY_PATH, NOSUID)", setattr(t, "", AT_EMPTY_PATH, abi.MOUNT_ATTR_NOSUID, 0));
  // In the namespace: d on the copy, a tmpfs stacked on "/", then setns again through the same fd.
  call("mkdir /d", { op: "mkdir", pathname: "/d", mode: 0o755 });
  call("chdir /d", { op: "chdir", path: "/d" });
  call("mount tmpfs on /", mount("/", 0, "tmpfs"));
  call("openat /d (root still the copy)", { op: "openat", dirfd: AT_FDCWD, pathname: "/d", flags: O_DIR, mode: 0 });
  log.push(`cwd ${k.cwd()}`);
  setns("ns fd, CLONE_NEWNS again", t, CLONE_NEWNS);
  log.push(`cwd ${k.cwd()}`);
  call("openat /d (root the stacked tmpfs)", { op: "openat", dirfd: AT_FDCWD, pathname: "/d", flags: O_DIR, mode: 0 });
  call("mkdir /e", { op: "mkdir", pathname: "/e", mode: 0o755 });
  call("chdir /e", { op: "chdir", path: "/e" });
  log.push(`cwd ${k.cwd()}`);
  assert.equal(log, [
    "ns fd, CLONE_NEWUTS: EINVAL",
    "ns fd, 1: EINVAL",
    "no cap: O_PATH fd: EBADF",
    "no cap: directory fd: EINVAL",
    "no cap: ns fd, CLONE_NEWUTS: EINVAL",
    "no cap: ns fd, CLONE_NEWNS: EPERM",
    "no cap: fd 999: EBADF",
    "no cap: setattr unknown flag: EINVAL",
    "no cap: setattr all zero: EPERM",
    "no cap: setattr missing path: EPERM",
    "chdir(/tmp): 0",
    "ns fd, 0: 0",
    "cwd /",
    "setattr(ns fd, \"\", EMPTY_PATH, NOSUID): EINVAL",
    "mkdir /d: 0",
    "chdir /d: 0",
    "mount tmpfs on /: 0",
    "openat /d (root still the copy): 0",
    "cwd /d",
    "ns fd, CLONE_NEWNS again: 0",
    "cwd /",
    "openat /d (root the stacked tmpfs): ENOENT",
    "mkdir /e: 0",
    "chdir /e: 0",
    "cwd /e",
  ]);
});

test("Linux 7.0 model (pinned from source, unverified): a namespace dies at its last close when no process is in it (put_mnt_ns → umount_tree): its mounts leave their peer groups and every namespace; a forked holder or a process in it keeps it, an O_PATH fd on its mount does not", () => {
  const { k, x, fd, tree, mount, tagOf } = model7(ONE_ROOT, ["/tmp/s"]);
  for (const r of [mount("/tmp/s", 0, "tmpfs"), mount("/tmp/s", abi.MS_SHARED)]) assert.is(name(x(r)), "0");
  const sTag = tagOf("/tmp/s");
  const sPeer = Number(sTag.split(":")[1]);
  const copyOf = (f: number) => k.state.mounts.get(k.process.fds.get(f)!.mnt)!;
  const state = (m: { ns: number; peer: number }): string =>
    `${m.ns === 0 ? "dead" : "alive"}, ${m.peer === sPeer ? "a peer of s" : m.peer === 0 ? "no group" : "another group"}`;
  const close = (f: number): void => { assert.is(name(x({ op: "close", fd: f })), "0"); };
  const as = (pid: number): void => { k.state.current = pid; };
  const parent = k.state.current;
  const log: string[] = [];
  // 1. Closed at once: it dies.
  const a = fd(tree("/tmp/s", NS));
  const ca = copyOf(a);
  log.push(`a open: ${state(ca)}`);
  close(a);
  log.push(`a closed: ${state(ca)}`);
  // 2. A forked child holds b and c too: the parent's close of b leaves it, the child's kills it, c lives on.
  const b = fd(tree("/tmp/s", NS));
  const c2 = fd(tree("/tmp/s", NS));
  const cb = copyOf(b), cc = copyOf(c2);
  const child = fork(k.state, k.process);
  close(b);
  log.push(`b closed by the parent: ${state(cb)}`);
  as(child.pid);
  close(b);
  log.push(`b closed by the child too: ${state(cb)}; c: ${state(cc)}`);
  // 3. The child enters c, then opens an O_PATH fd on c's root and enters d; c's fds are closed:
  //    no process is in c and no namespace fd holds it, so it dies; the O_PATH fd does not keep it.
  //    d, which the child is in, lives after both its fds are closed.
  as(parent);
  const d = fd(tree("/tmp/s", NS));
  const cd = copyOf(d);
  const child2 = fork(k.state, k.process);
  as(child2.pid);
  assert.is(name(x({ op: "setns", fd: c2, nstype: CLONE_NEWNS })), "0");
  const path = fd({ op: "openat", dirfd: AT_FDCWD, pathname: "/", flags: O_DIR, mode: 0 });
  assert.is(k.process.fds.get(path)!.mnt, cc.id);
  assert.is(name(x({ op: "setns", fd: d, nstype: CLONE_NEWNS })), "0");
  close(c2);
  as(child.pid);
  close(c2);
  as(parent);
  log.push(`c: the parent's fd left: ${state(cc)}`);
  close(c2);
  log.push(`c: every fd closed, an O_PATH fd on it left: ${state(cc)}`);
  close(d);
  as(child2.pid);
  close(d);
  log.push(`d: every fd closed, a process in it: ${state(cd)}`);
  assert.equal(log, [
    "a open: alive, a peer of s",
    "a closed: dead, no group",
    "b closed by the parent: alive, a peer of s",
    "b closed by the child too: dead, no group; c: alive, a peer of s",
    "c: the parent's fd left: alive, a peer of s",
    "c: every fd closed, an O_PATH fd on it left: dead, no group",
    "d: every fd closed, a process in it: alive, a peer of s",
  ]);
  // The original keeps its group through all of it.
  as(parent);
  assert.is(tagOf("/tmp/s"), sTag);
});

test.run();
