// lxc (LXC 5.0.2, docs/sources.md#lxc) and the request kinds it brought (ABI 5): openat2,
// open_tree and move_mount on the fake kernel (their errno rules, the detached tree and its
// unmount on close), the strace parser and formatter on the captures' own lines, and what the lxc
// record does that no other profile does (open_at's ENOSYS fallback, the dependent-mounts pass
// logged not fatal, detect_ramfs_rootfs under auto, LXC's messages). lxc_chroot: lxc-chroot.test.ts.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { plan } from "../src/plan.js";
import { check } from "../src/check.js";
import { straceLine } from "../src/format/strace.js";
import { parseStrace } from "../src/strace/parse.js";
import { toRequests } from "../src/strace/to-requests.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import * as abi from "../src/abi.js";
import type { Request, Result } from "../src/request.js";
import { fixture } from "./helpers.js";

const c = { seq: 0, step: "test", reason: "test" };
const O_DIR = abi.O_RDONLY | abi.O_PATH | abi.O_DIRECTORY | abi.O_CLOEXEC | abi.O_NOFOLLOW;
const EMPTY = abi.MOVE_MOUNT_F_EMPTY_PATH | abi.MOVE_MOUNT_T_EMPTY_PATH;
const CLONE = abi.OPEN_TREE_CLONE | abi.OPEN_TREE_CLOEXEC | abi.AT_EMPTY_PATH;
const open2 = (pathname: string, resolve = 0, dirfd = -abi.EBADF, flags = O_DIR, mode = 0): Request =>
  ({ ...c, op: "openat2", dirfd, pathname, flags, mode, resolve });
const tree = (dirfd: number, flags = CLONE | abi.AT_RECURSIVE, pathname = ""): Request => ({ ...c, op: "open_tree", dirfd, pathname, flags });
const move = (from: number, to: number, flags = EMPTY): Request => ({ ...c, op: "move_mount", from_dirfd: from, from_pathname: "", to_dirfd: to, to_pathname: "", flags });
const mount = (source: string | null, target: string, filesystemtype: string | null, mountflags: number): Request =>
  ({ ...c, op: "mount", source, target, filesystemtype, mountflags, data: null });
const fd = (r: Result): number => { assert.ok("ret" in r, JSON.stringify(r)); return (r as { ret: number }).ret; };
const lxc = (extra: Parameters<typeof plan>[0] = {}, opts: Parameters<typeof plan>[1] = {}) =>
  plan({ rootfs: "/r", profile: "lxc", strategy: "pivot", ...extra }, opts);
const lines = (t: ReturnType<typeof plan>) => t.steps.map(straceLine);
const points = (k: FakeKernel) => k.mountinfo().trim().split("\n").map((l) => l.split(" ")[4]);

/** A private-host kernel's container process with a tmpfs on /srv holding from (with a tmpfs submount from/sub), dst and dst2. */
function scratch(): FakeKernel {
  const k = FakeKernel.scenario("private-host").mkdir("/srv");
  assert.equal(k.exec(mount("tmpfs", "/srv", "tmpfs", 0)), { ret: 0 });
  for (const d of ["/srv/from", "/srv/from/sub", "/srv/dst", "/srv/dst2"]) assert.equal(k.exec({ ...c, op: "mkdir", pathname: d, mode: 0o755 }), { ret: 0 });
  assert.equal(k.exec(mount("tmpfs", "/srv/from/sub", "tmpfs", 0)), { ret: 0 });
  return k;
}

// ---- open_tree and move_mount on the fake kernel -------------------------------------------------

test("open_tree(OPEN_TREE_CLONE|AT_RECURSIVE) + move_mount: the copy, submount and all, appears only once attached", () => {
  const k = scratch();
  const src = fd(k.exec(open2("/srv/from")));
  const dst = fd(k.exec(open2("/srv/dst")));
  const before = points(k);
  const t = fd(k.exec(tree(src)));
  assert.equal(points(k), before, "a detached copy is in no table");
  assert.equal(k.exec(move(t, dst)), { ret: 0 });
  assert.equal(points(k).slice(before.length), ["/srv/dst", "/srv/dst/sub"]);
  assert.equal(k.exec({ ...c, op: "close", fd: t }), { ret: 0 });
  assert.equal(points(k).slice(before.length), ["/srv/dst", "/srv/dst/sub"], "closing an attached tree's fd unmounts nothing");
});

test("open_tree without AT_RECURSIVE copies the mount alone; a copy dropped unattached is unmounted on close", () => {
  const k = scratch();
  const src = fd(k.exec(open2("/srv/from")));
  const dst = fd(k.exec(open2("/srv/dst")));
  const before = points(k);
  const plain = fd(k.exec(tree(src, CLONE)));
  assert.equal(k.exec(move(plain, dst)), { ret: 0 });
  assert.equal(points(k).slice(before.length), ["/srv/dst"]);
  assert.equal(k.exec(mount(null, "/srv/from/sub", null, abi.MS_SHARED)), { ret: 0 });
  const dropped = fd(k.exec(tree(src)));
  assert.ok([...k.state.mounts.values()].filter((m) => m.ns === 0 && m.peer !== 0).length === 1, "while detached, the copy of from/sub is its peer");
  const inModel = k.state.mounts.size;
  assert.equal(k.exec({ ...c, op: "close", fd: dropped }), { ret: 0 });
  const top = [...k.state.mounts.values()].slice(inModel - 2);
  assert.ok(top.every((m) => m.ns === 0 && m.peer === 0), "the dropped copies belong to no namespace and no peer group");
  // Its fd is gone: attaching it now is EBADF.
  assert.equal(k.exec(move(dropped, dst)), { errno: abi.EBADF });
});

test("open_tree's EINVAL and EPERM: AT_RECURSIVE without OPEN_TREE_CLONE, an unknown flag, an unbindable source; no CAP_SYS_ADMIN", () => {
  const k = scratch();
  const src = fd(k.exec(open2("/srv/from")));
  assert.equal(k.exec(tree(src, abi.AT_EMPTY_PATH | abi.AT_RECURSIVE)), { errno: abi.EINVAL });
  assert.equal(k.exec(tree(src, CLONE | 0x4)), { errno: abi.EINVAL });
  assert.equal(k.exec(tree(src, CLONE & ~abi.AT_EMPTY_PATH, "")), { errno: abi.ENOENT }, "\"\" without AT_EMPTY_PATH");
  assert.ok("ret" in k.exec(tree(-abi.EBADF, CLONE & ~abi.AT_EMPTY_PATH, "/srv/from")), "by path");
  assert.equal(k.exec(mount(null, "/srv", null, abi.MS_UNBINDABLE)), { ret: 0 });
  assert.equal(k.exec(tree(src)), { errno: abi.EINVAL }, "an unbindable mount cannot be copied");
  assert.equal(k.exec(mount(null, "/srv", null, abi.MS_PRIVATE)), { ret: 0 });
  k.process.cap = false;
  assert.equal(k.exec(tree(src)), { errno: abi.EPERM }, "may_mount");
  assert.ok("ret" in k.exec(tree(src, abi.AT_EMPTY_PATH)), "without OPEN_TREE_CLONE it is an O_PATH open: no capability needed");
});

test("move_mount's EINVAL: the source not a mount root, an unbindable tree under a shared target; a plain move of an attached mount", () => {
  const k = scratch();
  const inner = fd(k.exec(open2("/srv/from")));
  const dst = fd(k.exec(open2("/srv/dst")));
  assert.equal(k.exec(move(inner, dst)), { errno: abi.EINVAL }, "/srv/from is a directory of /srv's tmpfs, not a mount root");
  assert.equal(k.exec(move(inner, dst, 0x1000)), { errno: abi.EINVAL }, "an unknown flag");
  assert.equal(k.exec(mount(null, "/srv/from/sub", null, abi.MS_UNBINDABLE)), { ret: 0 });
  assert.equal(k.exec(mount(null, "/srv", null, abi.MS_SHARED)), { ret: 0 });
  const sub = fd(k.exec(open2("/srv/from/sub")));
  assert.equal(k.exec(move(sub, dst)), { errno: abi.EINVAL }, "an unbindable mount may not go under a shared one");
  assert.equal(k.exec(mount(null, "/srv", null, abi.MS_PRIVATE)), { ret: 0 });
  assert.equal(k.exec(move(sub, dst)), { ret: 0 }, "an attached mount moves, as MS_MOVE does");
  assert.ok(points(k).includes("/srv/dst") && !points(k).includes("/srv/from/sub"));
});

// ---- openat2 on the fake kernel -------------------------------------------------------------------

test("openat2's RESOLVE_*: NO_XDEV crossing a mount, BENEATH absolute or above its start (EXDEV); NO_SYMLINKS, NO_MAGICLINKS (ELOOP)", () => {
  const k = scratch();
  assert.equal(k.exec(open2("/srv/from/sub", abi.RESOLVE_NO_XDEV)), { errno: abi.EXDEV });
  assert.equal(k.exec(open2("/srv/from", abi.RESOLVE_NO_XDEV)), { errno: abi.EXDEV }, "/srv is another mount than /");
  const srv = fd(k.exec(open2("/srv")));
  assert.ok("ret" in k.exec(open2("from", abi.RESOLVE_NO_XDEV, srv)), "inside one mount");
  assert.equal(k.exec(open2("/srv", abi.RESOLVE_BENEATH, srv)), { errno: abi.EXDEV });
  assert.equal(k.exec(open2("from/../..", abi.RESOLVE_BENEATH, srv)), { errno: abi.EXDEV });
  assert.ok("ret" in k.exec(open2("from/../from", abi.RESOLVE_BENEATH, srv)));
  const h = FakeKernel.scenario("docker-host");
  assert.ok("ret" in h.exec(open2("/proc/self/mountinfo", 0, -abi.EBADF, abi.O_RDONLY | abi.O_CLOEXEC)));
  const three = fd(h.exec(open2("/")));
  // O_NOFOLLOW (in O_DIR): the last magic link is not followed, so NO_MAGICLINKS has no jump to
  // refuse, and the link itself is no directory (recorded on 6.18: mutation-kills-fake-openat2).
  assert.equal(h.exec(open2(`/proc/self/fd/${three}`, abi.RESOLVE_NO_MAGICLINKS)), { errno: abi.ENOTDIR });
  assert.equal(h.exec(open2(`/proc/self/fd/${three}/`, abi.RESOLVE_NO_MAGICLINKS)), { errno: abi.ELOOP });
  assert.equal(h.exec(open2(`/proc/self/fd/${three}`, abi.RESOLVE_NO_SYMLINKS)), { errno: abi.ELOOP });
  assert.equal(h.exec(open2(`/proc/self/fd/${three}`, 0)), { errno: abi.ENOTDIR }, "O_NOFOLLOW: the link itself");
  assert.ok("ret" in h.exec(open2(`/proc/self/fd/${three}`, 0, -abi.EBADF, O_DIR & ~abi.O_NOFOLLOW)), "followed: the directory it names");
  // The capture's EXDEV: /proc is another mount than "/" (lxc-pivot-default.strace L245).
  assert.equal(h.exec(open2("/proc/sys", abi.RESOLVE_NO_XDEV | abi.RESOLVE_NO_MAGICLINKS | abi.RESOLVE_NO_SYMLINKS)), { errno: abi.EXDEV });
});

test("openat2's EINVAL: a mode without O_CREAT, an unknown resolve bit, BENEATH with IN_ROOT", () => {
  const k = FakeKernel.scenario("docker-host");
  assert.equal(k.exec(open2("/", 0, -abi.EBADF, O_DIR, 0o644)), { errno: abi.EINVAL });
  assert.equal(k.exec(open2("/", 0x40)), { errno: abi.EINVAL });
  assert.equal(k.exec(open2("/", abi.RESOLVE_BENEATH | abi.RESOLVE_IN_ROOT)), { errno: abi.EINVAL });
  // IN_ROOT scopes the walk to dirfd, so it needs one (recorded on 6.18: -EBADF is EBADF, AT_FDCWD
  // the cwd); test/mutation-kills-fake-openat2.test.ts compares the walk itself with the kernel.
  assert.equal(k.exec(open2("/", abi.RESOLVE_IN_ROOT)), { errno: abi.EBADF });
  assert.ok("ret" in k.exec(open2("/", abi.RESOLVE_IN_ROOT, abi.AT_FDCWD)), "IN_ROOT from the cwd");
});

// ---- the strace parser and formatter on the captures' lines --------------------------------------

test("the captures' openat2, open_tree and move_mount lines parse to the exact requests, and print back", () => {
  const log = readFileSync(fixture("real/lxc-pivot-default.strace"), "utf8");
  const pick = (line: number) => toRequests(parseStrace(log).calls.filter((x) => x.line === line))[0]!;
  const host = pick(212);
  assert.equal(host.request, { seq: 0, step: "none", reason: "strace line 212", op: "openat2", dirfd: -9, pathname: "/",
    flags: O_DIR, mode: 0, resolve: abi.RESOLVE_NO_XDEV | abi.RESOLVE_NO_MAGICLINKS | abi.RESOLVE_NO_SYMLINKS });
  assert.equal([host.result, host.problems], [{ ret: 45 }, []]);
  const mi = pick(213).request as { op: string; dirfd: number; resolve: number };
  assert.equal([mi.op, mi.dirfd, mi.resolve], ["openat2", 45, abi.RESOLVE_NO_MAGICLINKS | abi.RESOLVE_BENEATH]);
  const t = pick(229);
  assert.equal(t.request, { seq: 0, step: "none", reason: "strace line 229", op: "open_tree", dirfd: 47, pathname: "", flags: CLONE | abi.AT_RECURSIVE });
  const m = pick(230);
  assert.equal(m.request, { seq: 0, step: "none", reason: "strace line 230", op: "move_mount", from_dirfd: 48, from_pathname: "", to_dirfd: 46, to_pathname: "", flags: EMPTY });
  // O_CREAT with mode=000 (the console, L260), and the mode printed back.
  const console_ = pick(260);
  assert.equal([(console_.request as { flags: number }).flags & abi.O_CREAT, (console_.request as { mode: number }).mode, console_.problems], [abi.O_CREAT, 0, []]);
  for (const line of [212, 213, 229, 230, 260]) {
    const p = pick(line);
    const printed = straceLine({ request: p.request as Request, result: { ret: 3 } } as never).replace(/ = 3$/, "");
    const raw = log.split("\n")[line - 1]!.replace(/^\d+ /, "").replace(/\s+= .*$/, "").replace(/(-?\d+)<[^>]*>/g, "$1");
    assert.is(printed, raw, `line ${line}`);
  }
});

test("a struct open_how strace could not print (NULL) is a problem, never a made-up request", () => {
  const p = toRequests(parseStrace('openat2(-9, "", NULL, 0) = -1 EINVAL (Invalid argument)\n').calls)[0]!;
  assert.match(p.problems.join(" "), /not a struct open_how/);
});

// ---- what the lxc record does ---------------------------------------------------------------------

test("open_at: an openat2 that says ENOSYS is made again as openat with the same dirfd, path and flags, every time", () => {
  const t = lxc({}, { faults: ["openat2=ENOSYS"] });
  assert.equal(lines(t).slice(0, 2), [
    'openat2(-9, "/", {flags=O_RDONLY|O_NOFOLLOW|O_CLOEXEC|O_PATH|O_DIRECTORY, resolve=RESOLVE_NO_XDEV|RESOLVE_NO_MAGICLINKS|RESOLVE_NO_SYMLINKS}, 24) = -1 ENOSYS (Function not implemented)',
    'openat(-9, "/", O_RDONLY|O_NOFOLLOW|O_CLOEXEC|O_PATH|O_DIRECTORY) = 3',
  ]);
  assert.is(t.outcome.kind, "done");
  const all = lxc({}, { faults: Array.from({ length: 6 }, (_, i) => `openat2#${i + 1}=ENOSYS` as const) });
  assert.is(all.outcome.kind, "done");
  assert.is(all.steps.filter((s) => s.request.op === "openat").length, 6, "each of the six handles falls back");
  assert.ok(!all.steps.some((s) => s.request.op === "openat2" && "ret" in s.result));
});

test("turn_into_dependent_mounts: a failed MS_SLAVE goes on; a failed open or read skips the pass, and the run goes on", () => {
  const slave = lxc({}, { faults: ["mount=EPERM"] });
  assert.is(slave.outcome.kind, "done");
  assert.equal(slave.steps.filter((s) => s.request.step === "dependent_mount").length, 9);
  const open = lxc({}, { faults: ["openat2#2=EACCES"] });
  assert.is(open.outcome.kind, "done");
  assert.equal(open.steps.filter((s) => ["dependent_mount", "mountinfo_read", "mountinfo_close"].includes(s.request.step)).length, 0);
  const read = lxc({}, { faults: ["read=EIO"] });
  assert.equal(read.steps.slice(2, 4).map((s) => s.request.step), ["mountinfo_read", "mountinfo_close"]);
  assert.is(read.outcome.kind, "done");
});

test("the model bites: on a shared host, one failed MS_SLAVE of \"/\" lets the rootfs bind reach the host", () => {
  const ok = check({ profile: "lxc", strategy: "pivot" }, { scenario: "docker-host" });
  assert.ok(ok.verdicts.find((v) => v.id === "host-unchanged")!.held);
  const bad = check({ profile: "lxc", strategy: "pivot" }, { scenario: "docker-host", faults: ["mount=EPERM"] });
  const v = bad.verdicts.find((x) => x.id === "host-unchanged")!;
  assert.not.ok(v.held);
  assert.match(v.detail, /\/usr\/lib\/x86_64-linux-gnu\/lxc\/rootfs/);
  assert.is(bad.trace.outcome.kind === "failed" && bad.trace.outcome.step, "pivot_root", "and pivot_root refuses the shared parent");
});

test("auto: detect_ramfs_rootfs reads mountinfo after the prepare; on the initial ramfs it takes lxc_chroot (test/lxc-chroot.test.ts)", () => {
  const t = check({ profile: "lxc", strategy: "auto" }, { scenario: "initramfs" }).trace;
  assert.is(t.outcome.kind, "done");
  assert.match(t.outcome.note ?? "", /initial ramfs.*lxc_chroot/);
  const at = t.steps.findIndex((s) => s.request.step === "ramfs_open");
  assert.equal(t.steps.slice(at + 3, at + 6).map((s) => s.request.step), ["mountinfo_close", "chdir_root", "bind_root"], "lxc_chroot right after the detection's close");
  const unreadable = lxc({ strategy: "auto" }, { faults: ["openat=EACCES"] });
  assert.is(unreadable.outcome.kind, "done", "a mountinfo it cannot read means no ramfs: lxc_pivot_root");
  const p = check({ profile: "lxc", strategy: "pivot" }, { scenario: "initramfs" }).trace;
  assert.is(p.outcome.kind === "failed" && `${p.outcome.step} ${p.outcome.errnoName}`, "pivot_root EINVAL", "pivot forced: the kernel refuses");
});

test("LXC's messages: the function, its SYSERROR text, \" - \" and strerror", () => {
  const msg = (f: string) => { const t = lxc({}, { faults: [f as never] }); return t.outcome.kind === "failed" ? t.outcome.message : ""; };
  assert.is(msg("openat2=EACCES"), 'lxc_setup_rootfs_prepare_root: Failed to open "/" - Permission denied');
  assert.is(msg("openat2#3=ENOENT"), 'dir_mount: Failed to open "/usr/lib/x86_64-linux-gnu/lxc/rootfs" - No such file or directory');
  assert.is(msg("openat2#4=ENOTDIR"), 'dir_mount: Failed to open "/r" - Not a directory');
  assert.is(msg("open_tree=EPERM"), "__fd_bind_mount: Failed to create detached mount - Operation not permitted");
  assert.is(msg("move_mount=EINVAL"), 'dir_mount: Failed to mount "/r" onto "/usr/lib/x86_64-linux-gnu/lxc/rootfs" - Invalid argument');
  assert.is(msg("pivot_root=EINVAL"), 'lxc_pivot_root: Failed to pivot into new root directory "/usr/lib/x86_64-linux-gnu/lxc/rootfs" - Invalid argument');
  assert.is(msg("umount2=EBUSY"), "lxc_pivot_root: Failed to detach old root directory - Device or resource busy");
  assert.is(msg("mount#11=EPERM"), "lxc_pivot_root: Failed to turn new root mount tree into shared mount tree - Operation not permitted");
});

test("a failed move_mount closes the detached tree first (so the kernel unmounts it), then the source, the target and dfd_host", () => {
  const t = lxc({}, { faults: ["move_mount=EINVAL"] });
  const at = t.steps.findIndex((s) => s.request.op === "move_mount");
  assert.equal(t.steps.slice(at + 1).map((s) => `${s.request.step} ${straceLine(s)}`), [
    "close_tree close(6) = 0", "close_rootfs_src close(5) = 0", "close_mountpoint close(4) = 0", "close_host close(3) = 0",
  ]);
});

test.run();
