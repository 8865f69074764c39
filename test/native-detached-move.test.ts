// mount(2) with MS_MOVE takes a detached tree too, on Linux 6.18 and in the fake kernel: the
// kernel's MS_MOVE is do_move_mount_old, which looks the source up and calls do_move_mount, the
// same code as move_mount(2). So an open_tree(OPEN_TREE_CLONE) copy named as /proc/self/fd/N is
// attached like move_mount attaches it (under a shared target it becomes shared, its submounts
// with it), and the fd then holds an attached mount that close() leaves alone. Only the top of the
// tree moves: a submount inside it is EINVAL (not an anonymous namespace's root). The fake once
// refused every detached source of MS_MOVE with EINVAL.
import { suite } from "uvu";
import * as abi from "../src/abi.js";
import { eitherMode, pinnedOnBoth } from "./helpers/native-env.js";
import { type Bare, type Exec, scenario } from "./helpers/detached-scenario.js";

const { mode, reason, spawn } = await eitherMode();
const test = suite(`mount(MS_MOVE) of a detached tree: real kernel vs fake kernel (${mode})`);

/**
 * Under a private tmpfs `base`: s (a tmpfs) holding s/x (a tmpfs), and d, a shared tmpfs. The
 * recursive clone of s is moved with MS_MOVE: first its submount (EINVAL), then its top onto d/t;
 * then the fd is closed. Returns "what: errno" per call after the set-up, and the mounts under base
 * as "path tags".
 */
async function run(exec: Exec, base: string): Promise<string[]> {
  const { call, at, tmpfs, mkdir, result } = await scenario(exec, base);
  const move = (from: string, to: string): Bare => ({ op: "mount", source: from, target: at(to), filesystemtype: null, mountflags: abi.MS_MOVE, data: null });
  await mkdir("s", "d");
  await call(null, tmpfs("s"));
  await mkdir("s/x");
  await call(null, tmpfs("s/x"));
  await call(null, tmpfs("d"));
  await call(null, { op: "mount", source: null, target: at("d"), filesystemtype: null, mountflags: abi.MS_SHARED, data: null });
  await mkdir("d/t");
  const fd = await call("open_tree(s, CLONE|AT_RECURSIVE|CLOEXEC)", { op: "open_tree", dirfd: abi.AT_FDCWD, pathname: at("s"), flags: abi.OPEN_TREE_CLONE | abi.AT_RECURSIVE | abi.OPEN_TREE_CLOEXEC });
  await call("mount(fd/x, d/t, MS_MOVE)", move(`/proc/self/fd/${fd}/x`, "d/t"));
  await call("mount(fd, d/t, MS_MOVE)", move(`/proc/self/fd/${fd}`, "d/t"));
  await call("close(fd)", { op: "close", fd });
  return result();
}

/** What Linux 6.18 did: the submount is refused, the top goes onto d/t with x under it, both shared, and stays after close. */
const RECORDED = [
  "open_tree(s, CLONE|AT_RECURSIVE|CLOEXEC): 0",
  `mount(fd/x, d/t, MS_MOVE): ${abi.EINVAL}`,
  "mount(fd, d/t, MS_MOVE): 0",
  "close(fd): 0",
  "/s private",
  "/s/x private",
  "/d shared",
  "/d/t shared",
  "/d/t/x shared",
];

pinnedOnBoth(test, { reason, spawn }, "MS_MOVE of a detached tree's top", "/tmp/detached-move", (side, base) => run((r) => side.exec(r), base), RECORDED);

/**
 * The other calls that name a mount inside a detached tree (its submount x, holding y, through the
 * fd): mount_setattr takes only a tree's top (EINVAL); x and y are made shared (MS_REC), x bound
 * onto b with y (peers of them), cloned on its own (another peer, held by fd2), then both made slaves
 * (MS_REC); x cannot be unmounted, lazily or not. The tree is then attached on d, and the fds
 * closed. Returns "what: errno" per call, then the mounts under base.
 */
async function inside(exec: Exec, base: string): Promise<string[]> {
  const { call, at, tmpfs, mkdir, result } = await scenario(exec, base);
  await mkdir("s", "b", "d");
  await call(null, tmpfs("s"));
  await mkdir("s/x");
  await call(null, tmpfs("s/x"));
  await mkdir("s/x/y");
  await call(null, tmpfs("s/x/y"));
  const fd = await call("open_tree(s, CLONE|AT_RECURSIVE|CLOEXEC)", { op: "open_tree", dirfd: abi.AT_FDCWD, pathname: at("s"), flags: abi.OPEN_TREE_CLONE | abi.AT_RECURSIVE | abi.OPEN_TREE_CLOEXEC });
  const x = `/proc/self/fd/${fd}/x`;
  await call("mount_setattr(fd, x, MS_SHARED)", { op: "mount_setattr", dirfd: fd, pathname: "x", flags: 0, attr_set: 0, propagation: abi.MS_SHARED });
  await call("mount(fd/x, MS_REC|MS_SHARED)", { op: "mount", source: null, target: x, filesystemtype: null, mountflags: abi.MS_REC | abi.MS_SHARED, data: null });
  await call("mount(fd/x, b, MS_BIND|MS_REC)", { op: "mount", source: x, target: at("b"), filesystemtype: null, mountflags: abi.MS_BIND | abi.MS_REC, data: null });
  const fd2 = await call("open_tree(fd, x, CLONE)", { op: "open_tree", dirfd: fd, pathname: "x", flags: abi.OPEN_TREE_CLONE | abi.OPEN_TREE_CLOEXEC });
  await call("mount(fd/x, MS_REC|MS_SLAVE)", { op: "mount", source: null, target: x, filesystemtype: null, mountflags: abi.MS_REC | abi.MS_SLAVE, data: null });
  await call("umount2(fd/x)", { op: "umount2", target: x, flags: 0 });
  await call("umount2(fd/x, MNT_DETACH)", { op: "umount2", target: x, flags: abi.MNT_DETACH });
  await call("move_mount(fd, d)", { op: "move_mount", from_dirfd: fd, from_pathname: "", to_dirfd: abi.AT_FDCWD, to_pathname: at("d"), flags: abi.MOVE_MOUNT_F_EMPTY_PATH });
  await call("close(fd)", { op: "close", fd });
  await call("close(fd2)", { op: "close", fd: fd2 });
  return result();
}

/**
 * What Linux 6.18 did: every call but mount_setattr and the unmounts works on the detached mount;
 * b and b/y stay peers of x and y, which, attached on d, are slaves of those groups.
 */
const INSIDE = [
  "open_tree(s, CLONE|AT_RECURSIVE|CLOEXEC): 0",
  `mount_setattr(fd, x, MS_SHARED): ${abi.EINVAL}`,
  "mount(fd/x, MS_REC|MS_SHARED): 0",
  "mount(fd/x, b, MS_BIND|MS_REC): 0",
  "open_tree(fd, x, CLONE): 0",
  "mount(fd/x, MS_REC|MS_SLAVE): 0",
  `umount2(fd/x): ${abi.EINVAL}`,
  `umount2(fd/x, MNT_DETACH): ${abi.EINVAL}`,
  "move_mount(fd, d): 0",
  "close(fd): 0",
  "close(fd2): 0",
  "/s private",
  "/s/x private",
  "/s/x/y private",
  "/d private",
  "/d/x master",
  "/d/x/y master",
  "/b shared",
  "/b/y shared",
];

pinnedOnBoth(test, { reason, spawn }, "calls on a mount inside a detached tree", "/tmp/detached-inside", (side, base) => inside((r) => side.exec(r), base), INSIDE);

/**
 * mount(2) onto a detached tree that this process holds (s's clone, through its fd): a bind and a new
 * tmpfs there are EINVAL (lock_mount takes a mount in an anonymous namespace, check_mnt then
 * refuses), while MS_MOVE of another detached tree (x's clone) goes there, as move_mount's does.
 * The clone of s is then attached on d, carrying x's.
 */
async function onto(exec: Exec, base: string): Promise<string[]> {
  const { call, at, tmpfs, mkdir, result } = await scenario(exec, base);
  await mkdir("s", "x", "y", "d");
  for (const d of ["s", "x", "y"]) await call(null, tmpfs(d));
  await mkdir("s/a");
  const clone = (p: string): Bare => ({ op: "open_tree", dirfd: abi.AT_FDCWD, pathname: at(p), flags: abi.OPEN_TREE_CLONE | abi.OPEN_TREE_CLOEXEC });
  const fd = await call("open_tree(s, CLONE)", clone("s"));
  const fd2 = await call("open_tree(x, CLONE)", clone("x"));
  const a = `/proc/self/fd/${fd}/a`;
  await call("mount(y, fd/a, MS_BIND)", { op: "mount", source: at("y"), target: a, filesystemtype: null, mountflags: abi.MS_BIND, data: null });
  await call("mount(tmpfs, fd/a)", { op: "mount", source: "tmpfs", target: a, filesystemtype: "tmpfs", mountflags: 0, data: null });
  await call("mount(fd2, fd/a, MS_MOVE)", { op: "mount", source: `/proc/self/fd/${fd2}`, target: a, filesystemtype: null, mountflags: abi.MS_MOVE, data: null });
  await call("move_mount(fd, d)", { op: "move_mount", from_dirfd: fd, from_pathname: "", to_dirfd: abi.AT_FDCWD, to_pathname: at("d"), flags: abi.MOVE_MOUNT_F_EMPTY_PATH });
  for (const f of [fd, fd2]) await call(null, { op: "close", fd: f });
  return result();
}

/** What Linux 6.18 did: EINVAL for the bind and the new mount, the move goes in, and d carries it. */
const ONTO = [
  "open_tree(s, CLONE): 0",
  "open_tree(x, CLONE): 0",
  `mount(y, fd/a, MS_BIND): ${abi.EINVAL}`,
  `mount(tmpfs, fd/a): ${abi.EINVAL}`,
  "mount(fd2, fd/a, MS_MOVE): 0",
  "move_mount(fd, d): 0",
  "/s private",
  "/x private",
  "/y private",
  "/d private",
  "/d/a private",
];

pinnedOnBoth(test, { reason, spawn }, "mount(2) onto a held detached tree", "/tmp/detached-onto", (side, base) => onto((r) => side.exec(r), base), ONTO);

test.run();
