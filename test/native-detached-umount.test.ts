// An unmount reaches a detached tree, on Linux 6.18 and in the fake kernel. An open_tree(
// OPEN_TREE_CLONE|AT_RECURSIVE) copy of a shared mount keeps its peer groups while it is detached
// (in its anonymous namespace). A mount event does not reach it (propagate_one skips a receiver
// in an anonymous namespace), but an unmount does: umount2 of the original's submount takes the copy's submount too,
// so once the copy is attached it has none. The fake once skipped every mount in no namespace on
// the unmount side (src/hosts/fake/propagation.ts, receivers()) and kept the copy's submount.
// Reached, a copy is still held to the non-shifting rule by its own submounts in the detached
// tree: the fake once looked only at attached children there and took a copy that Linux keeps.
import { suite } from "uvu";
import * as abi from "../src/abi.js";
import { eitherMode, pinnedOnBoth } from "./helpers/native-env.js";
import { type Exec, scenario } from "./helpers/detached-scenario.js";

const { mode, reason, spawn } = await eitherMode();
const test = suite(`an unmount reaches a detached tree's copy: real kernel vs fake kernel (${mode})`);

/**
 * Under a private tmpfs `base`: s, a shared tmpfs holding s/a (a tmpfs, shared as it went under a
 * shared mount) and s/b (the same, mounted after the clone is made: it does not reach the clone).
 * The clone of s is made, s/a unmounted, s/b mounted, then the clone attached on d.
 * Returns "what: errno" per call after the set-up, and the mounts under base as "path tags".
 */
async function run(exec: Exec, base: string): Promise<string[]> {
  const { call, at, tmpfs, mkdir, result } = await scenario(exec, base);
  await mkdir("s", "d");
  await call(null, tmpfs("s"));
  await call(null, { op: "mount", source: null, target: at("s"), filesystemtype: null, mountflags: abi.MS_SHARED, data: null });
  await mkdir("s/a", "s/b");
  await call(null, tmpfs("s/a"));
  const fd = await call("open_tree(s, CLONE|AT_RECURSIVE|CLOEXEC)", { op: "open_tree", dirfd: abi.AT_FDCWD, pathname: at("s"), flags: abi.OPEN_TREE_CLONE | abi.AT_RECURSIVE | abi.OPEN_TREE_CLOEXEC });
  await call("umount2(s/a)", { op: "umount2", target: at("s/a"), flags: 0 });
  await call("mount(tmpfs, s/b)", tmpfs("s/b"));
  await call("move_mount(clone, d)", { op: "move_mount", from_dirfd: fd, from_pathname: "", to_dirfd: abi.AT_FDCWD, to_pathname: at("d"), flags: abi.MOVE_MOUNT_F_EMPTY_PATH });
  await call("close(clone)", { op: "close", fd });
  return result();
}

/** What Linux 6.18 did: neither s/a nor s/b is in the copy attached on d (listed where it was made). */
const RECORDED = [
  "open_tree(s, CLONE|AT_RECURSIVE|CLOEXEC): 0",
  "umount2(s/a): 0",
  "mount(tmpfs, s/b): 0",
  "move_mount(clone, d): 0",
  "close(clone): 0",
  "/s shared",
  "/d shared",
  "/s/b shared",
];

pinnedOnBoth(test, { reason, spawn }, "an unmount takes the detached copy's submount with the original's", "/tmp/detached-umount", (side, base) => run((r) => side.exec(r), base), RECORDED);

/**
 * The copy keeps a submount that the original lost without an unmount: s/x (shared, under the
 * shared s) holds s/x/z; the clone of s is made; s/x is made private (a mount under a shared parent
 * cannot be moved), s/x/z moved out to t, then s/x unmounted. The unmount reaches s/x's copy (its
 * parent's copy is a peer of s), but that copy still holds z's copy, which is in no set:
 * propagate_umount's non-shifting rule keeps a candidate with a child left behind.
 */
async function runKept(exec: Exec, base: string): Promise<string[]> {
  const { call, at, tmpfs, mkdir, result } = await scenario(exec, base);
  await mkdir("s", "d", "t");
  await call(null, tmpfs("s"));
  await call(null, { op: "mount", source: null, target: at("s"), filesystemtype: null, mountflags: abi.MS_SHARED, data: null });
  await mkdir("s/x");
  await call(null, tmpfs("s/x"));
  await mkdir("s/x/z");
  await call(null, tmpfs("s/x/z"));
  const fd = await call("open_tree(s, CLONE|AT_RECURSIVE|CLOEXEC)", { op: "open_tree", dirfd: abi.AT_FDCWD, pathname: at("s"), flags: abi.OPEN_TREE_CLONE | abi.AT_RECURSIVE | abi.OPEN_TREE_CLOEXEC });
  await call("mount(s/x, MS_PRIVATE)", { op: "mount", source: null, target: at("s/x"), filesystemtype: null, mountflags: abi.MS_PRIVATE, data: null });
  await call("mount(s/x/z, t, MS_MOVE)", { op: "mount", source: at("s/x/z"), target: at("t"), filesystemtype: null, mountflags: abi.MS_MOVE, data: null });
  await call("umount2(s/x)", { op: "umount2", target: at("s/x"), flags: 0 });
  await call("move_mount(clone, d)", { op: "move_mount", from_dirfd: fd, from_pathname: "", to_dirfd: abi.AT_FDCWD, to_pathname: at("d"), flags: abi.MOVE_MOUNT_F_EMPTY_PATH });
  await call("close(clone)", { op: "close", fd });
  return result();
}

/** What Linux 6.18 did: the copy of s/x stays on the attached clone, with z's copy under it; z itself is on t. */
const KEPT = [
  "open_tree(s, CLONE|AT_RECURSIVE|CLOEXEC): 0",
  "mount(s/x, MS_PRIVATE): 0",
  "mount(s/x/z, t, MS_MOVE): 0",
  "umount2(s/x): 0",
  "move_mount(clone, d): 0",
  "close(clone): 0",
  "/s shared",
  "/t shared",
  "/d shared",
  "/d/x shared",
  "/d/x/z shared",
];

pinnedOnBoth(test, { reason, spawn }, "a detached copy with a submount of its own is kept", "/tmp/detached-kept", (side, base) => runKept((r) => side.exec(r), base), KEPT);

test.run();
