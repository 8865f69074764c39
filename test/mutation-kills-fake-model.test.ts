// The fake kernel's records (src/hosts/fake/model.ts): a clone is a deep copy, equal to what it was
// cloned from (every namespace, process, fd and expiry mark); a dentry's path reads root first; the
// proc tree has /proc/thread-self as Linux does. Written for the survivors of model.ts's first
// Stryker run (docs/mutation.md, "model.ts"); a one-entry directory's lookups and mount ID 1 in
// the propagation lists, for lines 1-194's.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import { ROOT_INO, dentryPath, mkdirs, newTree } from "../src/hosts/fake/model.js";
import type { Request, Result } from "../src/request.js";

const c = { seq: 0, step: "test", reason: "model test" };
type Bare = Request extends infer R ? R extends unknown ? Omit<R, "seq" | "step" | "reason"> : never : never;
const HOST = "1 0 0:1 / / rw shared:1 - tmpfs root rw\n2 1 0:2 / /proc rw - proc proc rw\n";

test("clone() copies every record: namespaces (a user namespace's), processes with root, cwd and fds, expiry marks", () => {
  const k = FakeKernel.fromMountinfo(HOST).mkdir("/x").mkdir("/w").unshare({ userns: true });
  const call = (r: Bare): Result => k.exec({ ...c, ...r } as Request);
  for (const target of ["/x", "/w"]) call({ op: "mount", source: "tmpfs", target, filesystemtype: "tmpfs", mountflags: 0, data: null });
  k.mkdir("/w/y");
  call({ op: "chdir", path: "/w/y" });
  call({ op: "openat", dirfd: abi.AT_FDCWD, pathname: "/w", flags: abi.O_RDONLY | abi.O_DIRECTORY | abi.O_CLOEXEC, mode: 0 });
  // umount2(MNT_EXPIRE) on an unused mount marks it and answers EAGAIN (mnt_expiry_mark).
  assert.equal(call({ op: "umount2", target: "/x", flags: abi.MNT_EXPIRE }), { errno: abi.EAGAIN });
  const before = JSON.stringify(shape(k));
  const copy = k.clone();
  assert.is(JSON.stringify(shape(copy)), before);
  assert.ok([...copy.state.nss.values()].some((n) => n.userns), "the user namespace's flag is copied");
  assert.is(copy.state.expiry?.size, 1);
  // Using the mount in the copy clears the copy's mark only (resolve.ts: a lookup through it, mntput).
  copy.exec({ ...c, op: "chdir", path: "/x" });
  assert.is(copy.state.expiry?.size, 0);
  assert.is(k.state.expiry?.size, 1, "the original's mark stays: the clone has a set of its own");
});

/** The state's records as plain data (Maps and Sets as arrays), trees left out (shared by design). */
function shape(k: FakeKernel): unknown {
  const s = k.state;
  return {
    nss: [...s.nss], procs: [...s.procs].map(([id, p]) => [id, { ...p, fds: [...p.fds] }]), expiry: [...(s.expiry ?? [])],
    mounts: [...s.mounts], fss: [...s.fss].map(([id, f]) => [id, { ...f, tree: undefined }]),
  };
}

test("dentryPath reads a dentry's path root first, with a leading slash; the root is /", () => {
  const t = newTree();
  const deep = mkdirs(t, ROOT_INO, "a/b/c");
  assert.is(dentryPath(t, deep), "/a/b/c");
  assert.is(dentryPath(t, ROOT_INO), "/");
});

test("/proc/thread-self/mountinfo opens and reads as /proc/self/mountinfo does (procfs has both)", () => {
  const k = FakeKernel.fromMountinfo(HOST);
  const read = (path: string): string => {
    const f = k.exec({ ...c, op: "openat", dirfd: abi.AT_FDCWD, pathname: path, flags: abi.O_RDONLY | abi.O_CLOEXEC, mode: 0 });
    if (!("ret" in f)) throw new Error(`${path}: errno ${f.errno}`);
    const r = k.exec({ ...c, op: "read", fd: f.ret, count: abi.MOUNTINFO_CHUNK });
    k.exec({ ...c, op: "close", fd: f.ret });
    return "ret" in r ? new TextDecoder().decode(r.data!) : `errno ${r.errno}`;
  };
  assert.is(read("/proc/thread-self/mountinfo"), read("/proc/self/mountinfo"));
});

test("mkdir of a name a one-entry directory already holds is EEXIST (OneChild.has, the single-entry form of a directory)", () => {
  const k = FakeKernel.fromMountinfo(HOST).mkdir("/only");
  const call = (r: Bare): Result => k.exec({ ...c, ...r } as Request);
  assert.equal(call({ op: "mkdir", pathname: "/only/merged", mode: 0o755 }), { ret: 0 });
  assert.equal(call({ op: "mkdir", pathname: "/only/merged", mode: 0o755 }), { errno: abi.EEXIST }, "/only holds just merged");
  assert.equal(call({ op: "mkdir", pathname: "/only/other", mode: 0o755 }), { ret: 0 });
  assert.equal(call({ op: "mkdir", pathname: "/only/other", mode: 0o755 }), { errno: abi.EEXIST }, "and with two entries");
});

test("mount ID 1 is a mount like any other in the propagation lists (NONE, the lists' 'no mount', is no ID the kernel gives)", () => {
  // Mount IDs start at 1 (mnt_alloc_id: ida_alloc_min(..., 1, ...)), so a table may peer mount 1
  // with another: a mount under the peer at /b must reach mount 1 too (propagate_mnt walks the ring).
  const table = "1 0 0:1 / / rw shared:7 - tmpfs root rw\n5 1 0:1 / /b rw shared:7 - tmpfs root rw\n";
  const k = FakeKernel.fromMountinfo(table).mkdir("/x");
  const call = (r: Bare): Result => k.exec({ ...c, ...r } as Request);
  assert.equal(call({ op: "mount", source: "t", target: "/b/x", filesystemtype: "tmpfs", mountflags: 0, data: null }), { ret: 0 });
  const on = k.mountinfo().split("\n").filter((l) => / - tmpfs t /.test(l)).map((l) => l.split(" ")[4]);
  assert.equal(on.sort(), ["/b/x", "/x"], "the mount under /b propagated to its peer, mount 1");
});

test.run();
