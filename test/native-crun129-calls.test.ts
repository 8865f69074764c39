// setns, open_tree(OPEN_TREE_NAMESPACE) and mount_setattr (ABI 6, crun 1.29's calls) on the real
// kernel through the executor child, and the same requests on the FakeKernel (Linux 6.18, the
// kernel here): the errnos agree call for call, and so do the mounts under a scratch tmpfs (their
// peer groups and read-only flag). Root, or rootless. Linux 7.0's OPEN_TREE_NAMESPACE cannot be
// checked here (no kernel has it): on 6.18 the flag is unknown, EINVAL, which is crun's fallback.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import type { Request, Result } from "../src/request.js";
import { hostMountinfo, nativeTest, eitherMode, realAndFake, readMountinfo } from "./helpers/native-env.js";

const { mode, reason, spawn } = await eitherMode();
const test = suite(`setns, open_tree(OPEN_TREE_NAMESPACE), mount_setattr: real kernel vs fake kernel (${mode})`);
const c = { seq: 0, step: "test", reason: "crun 1.29 calls test" };
type Bare = Request extends infer R ? R extends unknown ? Omit<R, "seq" | "step" | "reason"> : never : never;

interface Exec { exec(r: Request): Promise<Result> | Result }
const errOf = (r: Result): number => ("errno" in r ? r.errno : 0);
const O_PATH = abi.O_RDONLY | abi.O_PATH | abi.O_CLOEXEC;
const NS_TREE = abi.OPEN_TREE_NAMESPACE | abi.OPEN_TREE_CLOEXEC | abi.AT_EMPTY_PATH | abi.AT_RECURSIVE;
const setattr = (dirfd: number, flags: number, attr_set: number, propagation: number): Bare =>
  ({ op: "mount_setattr", dirfd, pathname: "", flags, attr_set, propagation });

/**
 * The sequence, on one side: a private tmpfs at `base`, a tmpfs on base/a with a directory b in it;
 * crun 1.29's open_tree of a as a namespace (EINVAL on 6.18); setns refusals; mount_setattr as
 * make_parent_mount_private and finalize_mounts call it, and its refusals. Returns each call's errno
 * and the table under `base`.
 */
async function run(x: Exec, base: string, mountinfo: () => Promise<string>): Promise<{ errnos: number[]; table: string[] }> {
  const errnos: number[] = [];
  const call = async (r: Bare): Promise<Result> => { const res = await x.exec({ ...c, ...r } as Request); errnos.push(errOf(res)); return res; };
  const fd = (r: Result): number => ("ret" in r ? r.ret : -1);
  await call({ op: "mount", source: "tmpfs", target: base, filesystemtype: "tmpfs", mountflags: 0, data: null });
  await call({ op: "mount", source: null, target: base, filesystemtype: null, mountflags: abi.MS_PRIVATE, data: null });
  await call({ op: "mkdir", pathname: `${base}/a`, mode: 0o755 });
  await call({ op: "mount", source: "tmpfs", target: `${base}/a`, filesystemtype: "tmpfs", mountflags: 0, data: null });
  await call({ op: "mkdir", pathname: `${base}/a/b`, mode: 0o755 });
  const a = fd(await call({ op: "openat", dirfd: abi.AT_FDCWD, pathname: `${base}/a`, flags: O_PATH | abi.O_DIRECTORY, mode: 0 }));
  const b = fd(await call({ op: "openat", dirfd: abi.AT_FDCWD, pathname: `${base}/a/b`, flags: O_PATH, mode: 0 }));
  // 5: maybe_open_tree_namespace's call: OPEN_TREE_NAMESPACE is unknown before Linux 7.0.
  await call({ op: "open_tree", dirfd: a, pathname: "", flags: NS_TREE });
  // setns: an O_PATH fd (EBADF: fdget refuses it), a directory fd that is no namespace's (EINVAL), no such fd (EBADF).
  await call({ op: "setns", fd: a, nstype: abi.CLONE_NEWNS });
  const d = fd(await call({ op: "openat", dirfd: abi.AT_FDCWD, pathname: `${base}/a`, flags: abi.O_RDONLY | abi.O_DIRECTORY | abi.O_CLOEXEC, mode: 0 }));
  await call({ op: "setns", fd: d, nstype: abi.CLONE_NEWNS });
  await call({ op: "setns", fd: 999, nstype: abi.CLONE_NEWNS });
  // make_parent_mount_private's mount_setattr: b is not a mount's root (EINVAL), a is (0: it turns shared).
  await call(setattr(b, abi.AT_EMPTY_PATH, 0, abi.MS_PRIVATE));
  await call(setattr(a, abi.AT_EMPTY_PATH, 0, abi.MS_SHARED));
  // Refusals: two propagation types, an unknown flag, an unknown attribute, no such fd.
  await call(setattr(a, abi.AT_EMPTY_PATH, 0, abi.MS_SHARED | abi.MS_PRIVATE));
  await call(setattr(a, abi.AT_EMPTY_PATH | 1, 0, abi.MS_PRIVATE));
  await call(setattr(a, abi.AT_EMPTY_PATH, 0x40000000, 0));
  await call(setattr(999, abi.AT_EMPTY_PATH, 0, abi.MS_PRIVATE));
  // All zero is a no-op, answered before the lookup (0 even for no such fd).
  await call(setattr(999, abi.AT_EMPTY_PATH, 0, 0));
  // finalize_mounts' read-only root: MOUNT_ATTR_RDONLY, then a private a again.
  await call(setattr(a, abi.AT_EMPTY_PATH, abi.MOUNT_ATTR_RDONLY, 0));
  await call(setattr(a, abi.AT_EMPTY_PATH, 0, abi.MS_PRIVATE));
  await call(setattr(a, abi.AT_EMPTY_PATH, 0, abi.MS_SHARED));
  for (const f of [a, b, d]) await call({ op: "close", fd: f });
  return { errnos, table: shape(await mountinfo(), base) };
}

/** The mounts under `base`: "path ro|rw [shared]". */
function shape(mountinfo: string, base: string): string[] {
  return mountinfo.trim().split("\n").map((l) => l.split(" ")).filter((f) => f[4]!.startsWith(`${base}/`))
    .map((f) => `${f[4]!.slice(base.length)} ${f[5]!.split(",")[0]}${f.slice(6, f.indexOf("-")).some((o) => o.startsWith("shared:")) ? " shared" : ""}`).sort();
}

nativeTest(test, reason, "crun 1.29's calls: the real kernel (6.18) and the model agree call for call and mount for mount", () => realAndFake(async (ex, k, base) => {
  const real = await run(ex, base, () => readMountinfo(ex));
  const model = await run(k, base, () => readMountinfo(k));
  assert.equal(model.errnos.join(" "), real.errnos.join(" "));
  assert.equal(model.table, real.table);
  // What the kernel said, pinned.
  const E = abi;
  assert.equal(real.errnos.slice(7), [E.EINVAL, E.EBADF, 0, E.EINVAL, E.EBADF, E.EINVAL, 0, E.EINVAL, E.EINVAL, E.EINVAL, E.EBADF, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(real.table, ["/a ro shared"]);
}, spawn));

test("Linux 7.0 (model only, from source, unverified): open_tree(OPEN_TREE_NAMESPACE) gives a namespace fd that setns enters; its root is the copy", () => {
  const k = FakeKernel.fromMountinfo(hostMountinfo()).mkdir("/tmp/t7/a").unshare();
  k.state.kernel = "7.0";
  const x = (r: Bare) => k.exec({ ...c, ...r } as Request);
  assert.equal(x({ op: "mount", source: "tmpfs", target: "/tmp/t7/a", filesystemtype: "tmpfs", mountflags: 0, data: null }), { ret: 0 });
  const a = x({ op: "openat", dirfd: abi.AT_FDCWD, pathname: "/tmp/t7/a", flags: O_PATH | abi.O_DIRECTORY, mode: 0 });
  const fa = "ret" in a ? a.ret : -1;
  // With OPEN_TREE_CLONE too: EINVAL. An nsfs fd is no directory (openat ENOTDIR) and has no read (EINVAL).
  assert.equal(x({ op: "open_tree", dirfd: fa, pathname: "", flags: NS_TREE | abi.OPEN_TREE_CLONE }), { errno: abi.EINVAL });
  const t = x({ op: "open_tree", dirfd: fa, pathname: "", flags: NS_TREE });
  assert.ok("ret" in t);
  const ft = "ret" in t ? t.ret : -1;
  assert.equal(x({ op: "openat", dirfd: ft, pathname: "x", flags: O_PATH, mode: 0 }), { errno: abi.ENOTDIR });
  assert.equal(x({ op: "setns", fd: ft, nstype: 0x40000000 }), { errno: abi.EINVAL }, "CLONE_NEWUSER is not this fd's type");
  const ns = k.process.ns;
  assert.equal(x({ op: "setns", fd: ft, nstype: abi.CLONE_NEWNS }), { ret: 0 });
  assert.is.not(k.process.ns, ns);
  assert.is(k.mountinfo().trim().split("\n").length, 1, "the new namespace holds the copy alone");
  assert.match(k.mountinfo(), / \/ \/ rw,relatime - tmpfs tmpfs /);
  assert.is(k.cwd(), "/");
});

test("Linux 7.0 (model): setns needs CAP_SYS_ADMIN (EPERM); on 6.18 the flag is EINVAL before anything", () => {
  const k = FakeKernel.fromMountinfo(hostMountinfo()).mkdir("/tmp/t7").unshare();
  const x = (r: Bare) => k.exec({ ...c, ...r } as Request);
  const root = x({ op: "openat", dirfd: abi.AT_FDCWD, pathname: "/", flags: O_PATH | abi.O_DIRECTORY, mode: 0 });
  const fr = "ret" in root ? root.ret : -1;
  assert.equal(x({ op: "open_tree", dirfd: fr, pathname: "", flags: NS_TREE }), { errno: abi.EINVAL });
  k.state.kernel = "7.0";
  const t = x({ op: "open_tree", dirfd: fr, pathname: "", flags: NS_TREE });
  const ft = "ret" in t ? t.ret : -1;
  k.process.cap = false;
  assert.equal(x({ op: "setns", fd: ft, nstype: abi.CLONE_NEWNS }), { errno: abi.EPERM });
  assert.equal(x({ op: "open_tree", dirfd: fr, pathname: "", flags: NS_TREE }), { errno: abi.EPERM });
});

test.run();
