// The executor child as a syscall server: it left the host's namespace, holds only stdio and its
// channel, keeps NULL and "" apart, guards its channel, and reports misuse loudly. Root, or rootless when not root.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { statSync } from "node:fs";
import * as abi from "../src/abi.js";
import { setupMessage } from "../src/hosts/native.js";
import { InvalidInputError } from "../src/errors.js";
import type { Request } from "../src/request.js";
import { hostMountinfo, makeRootfs, nativeTest, procFds, rejects, eitherMode } from "./helpers/native-env.js";

const { mode, reason, spawn } = await eitherMode();
const test = suite(`native executor (${mode})`);
const c = { seq: 0, step: "test", reason: "native executor test" };

test("set-up failures map to messages a user can act on", () => {
  assert.match(setupMessage("unshare(CLONE_NEWUSER|CLONE_NEWNS)", abi.ENOSPC, true), /user namespaces are disabled: sysctl user.max_user_namespaces/);
  assert.match(setupMessage("unshare(CLONE_NEWUSER|CLONE_NEWNS)", abi.EPERM, true), /kernel.unprivileged_userns_clone .*EPERM/);
  assert.match(setupMessage("unshare(CLONE_NEWNS)", abi.EPERM, false), /^needs root or --rootless \(unshare\(CLONE_NEWNS\): EPERM\)$/);
  assert.match(setupMessage("mount namespace check", abi.EPERM, false), /refusing to act/);
});

nativeTest(test, reason, "the child is in its own mount namespace and holds only 0, 1, 2 and its channel", async () => {
  const ex = await spawn();
  try {
    assert.is.not(statSync(`/proc/${ex.pid}/ns/mnt`).ino, statSync("/proc/self/ns/mnt").ino);
    assert.equal(procFds(ex.pid), [0, 1, 2, ex.channelFd]);
    assert.ok(ex.channelFd > 2);
  } finally {
    assert.equal(await ex.close(), { status: 0, signal: null });
  }
});

nativeTest(test, reason, "getcwd and read return the bytes the kernel wrote", async () => {
  const ex = await spawn();
  try {
    const cwd = await ex.exec({ ...c, op: "getcwd", size: abi.GETCWD_SIZE });
    assert.ok("ret" in cwd && cwd.data);
    assert.is(Buffer.from(cwd.data!).toString(), `${process.cwd()}\0`);
    const fd = await ex.exec({ ...c, op: "openat", dirfd: abi.AT_FDCWD, pathname: "/proc/self/mountinfo", flags: abi.O_RDONLY | abi.O_CLOEXEC, mode: 0 });
    assert.ok("ret" in fd);
    const rd = await ex.exec({ ...c, op: "read", fd: fd.ret, count: abi.MOUNTINFO_CHUNK });
    assert.ok("ret" in rd && rd.ret > 0 && rd.data?.length === rd.ret);
    // Before any mount request, the child's copy of the table has the host's mount points
    // (copy_tree may list them in another order).
    const points = (t: string) => t.trim().split("\n").map((l) => l.split(" ")[4]).sort();
    assert.equal(points(Buffer.from(rd.data!).toString()), points(hostMountinfo()));
    assert.equal(await ex.exec({ ...c, op: "close", fd: fd.ret }), { ret: 0 });
  } finally {
    await ex.close();
  }
});

nativeTest(test, reason, "NULL and \"\" reach the kernel as different arguments", async () => {
  const rootfs = makeRootfs();
  const ex = await spawn();
  try {
    const mount = (filesystemtype: string | null): Request =>
      ({ ...c, op: "mount", source: "none", target: rootfs.dir, filesystemtype, mountflags: 0, data: null });
    // do_new_mount: a NULL type is EINVAL, an empty one is an unknown filesystem (ENODEV).
    assert.equal(await ex.exec(mount(null)), { errno: abi.EINVAL });
    assert.equal(await ex.exec(mount("")), { errno: abi.ENODEV });
  } finally {
    await ex.close();
    rootfs.cleanup();
  }
});

nativeTest(test, reason, "the channel is not the plan's fd, and errnos are values", async () => {
  const ex = await spawn();
  try {
    assert.equal(await ex.exec({ ...c, op: "close", fd: ex.channelFd }), { errno: abi.EBADF });
    assert.equal(await ex.exec({ ...c, op: "read", fd: ex.channelFd, count: 16 }), { errno: abi.EBADF });
    assert.equal(await ex.exec({ ...c, op: "chdir", path: "/nonexistent/pivotshim" }), { errno: abi.ENOENT });
    assert.equal(await ex.exec({ ...c, op: "fchdir", fd: 1000 }), { errno: abi.EBADF });
    assert.equal(await ex.exec({ ...c, op: "getcwd", size: 1 }), { errno: abi.ERANGE });
  } finally {
    await ex.close();
  }
});

nativeTest(test, reason, "misuse is a TypeError; the child keeps serving", async () => {
  const ex = await spawn();
  try {
    const first = ex.exec({ ...c, op: "getcwd", size: abi.GETCWD_SIZE });
    await rejects(() => ex.exec({ ...c, op: "getcwd", size: abi.GETCWD_SIZE }), /one request at a time/);
    await first;
    await rejects(() => ex.exec({ ...c, op: "chdir", path: "a\0b" }), /cannot contain NUL/);
    await rejects(() => ex.exec({ ...c, op: "close", fd: 1.5 }), /int32/);
    await ex.pause();
    await rejects(() => ex.exec({ ...c, op: "close", fd: 99 }), /paused, not ready/);
    await ex.resume();
    await rejects(() => ex.resume(), /ready, not paused/);
    assert.equal(await ex.exec({ ...c, op: "close", fd: 99 }), { errno: abi.EBADF });
    // A timeout out of range is the caller's input, not a programming error of the executor.
    await rejects(() => spawn({ timeoutMs: 0 }), InvalidInputError);
    await rejects(() => spawn({ timeoutMs: 2 ** 31 }), /from 1 to 2147483647/);
  } finally {
    await ex.close();
  }
});

test.run();
