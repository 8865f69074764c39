// open_tree, move_mount and openat2 (ABI 5, LXC's calls) on the real kernel through the executor
// child, and the same requests on the FakeKernel: the errnos agree, and so do the mounts that result
// under a scratch tmpfs (mount points, and which of them share a peer group). Root, or rootless.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import type { Request, Result } from "../src/request.js";
import { nativeTest, eitherMode, realAndFake, readMountinfo } from "./helpers/native-env.js";

const { mode, reason, spawn } = await eitherMode();
const test = suite(`open_tree, move_mount, openat2: real kernel vs fake kernel (${mode})`);
const c = { seq: 0, step: "test", reason: "new mount API test" };
type Bare = Request extends infer R ? R extends unknown ? Omit<R, "seq" | "step" | "reason"> : never : never;

interface Exec { exec(r: Request): Promise<Result> | Result }
const errOf = (r: Result): number => ("errno" in r ? r.errno : 0);
const O_DIR = abi.O_RDONLY | abi.O_PATH | abi.O_DIRECTORY | abi.O_CLOEXEC | abi.O_NOFOLLOW;
const EMPTY = abi.MOVE_MOUNT_F_EMPTY_PATH | abi.MOVE_MOUNT_T_EMPTY_PATH;
const CLONE = abi.OPEN_TREE_CLONE | abi.OPEN_TREE_CLOEXEC | abi.AT_EMPTY_PATH;

/**
 * The sequence, on one side: a private tmpfs at `base` with from/sub (a shared tmpfs submount) and
 * dst, dst2; a recursive detached copy of from (a lookup in it reaching into sub's copy) attached on dst, a plain one on dst2, a third copy
 * dropped unattached; openat2 refusals. Returns each call's errno and the table under `base`.
 */
async function run(x: Exec, base: string, mountinfo: () => Promise<string>): Promise<{ errnos: number[]; table: string[]; insideTree: number }> {
  const errnos: number[] = [];
  const call = async (r: Bare): Promise<Result> => { const res = await x.exec({ ...c, ...r } as Request); errnos.push(errOf(res)); return res; };
  const fd = (r: Result): number => ("ret" in r ? r.ret : -1);
  await call({ op: "mount", source: "tmpfs", target: base, filesystemtype: "tmpfs", mountflags: 0, data: null });
  await call({ op: "mount", source: null, target: base, filesystemtype: null, mountflags: abi.MS_PRIVATE, data: null });
  for (const d of ["from", "from/sub", "dst", "dst2", "dst3"]) await call({ op: "mkdir", pathname: `${base}/${d}`, mode: 0o755 });
  await call({ op: "mount", source: "tmpfs", target: `${base}/from/sub`, filesystemtype: "tmpfs", mountflags: 0, data: null });
  await call({ op: "mount", source: null, target: `${base}/from/sub`, filesystemtype: null, mountflags: abi.MS_SHARED, data: null });
  await call({ op: "mkdir", pathname: `${base}/from/sub/inner`, mode: 0o755 }); // on the submount only
  const src = fd(await call({ op: "openat2", dirfd: -abi.EBADF, pathname: `${base}/from`, flags: O_DIR, mode: 0, resolve: 0 }));
  // RESOLVE_NO_XDEV: from/sub is another mount (EXDEV); RESOLVE_BENEATH: an absolute path (EXDEV), ".." above (EXDEV).
  await call({ op: "openat2", dirfd: -abi.EBADF, pathname: `${base}/from/sub`, flags: O_DIR, mode: 0, resolve: abi.RESOLVE_NO_XDEV });
  await call({ op: "openat2", dirfd: src, pathname: "sub", flags: O_DIR, mode: 0, resolve: abi.RESOLVE_BENEATH });
  await call({ op: "openat2", dirfd: src, pathname: "/", flags: O_DIR, mode: 0, resolve: abi.RESOLVE_BENEATH });
  await call({ op: "openat2", dirfd: src, pathname: "../dst", flags: O_DIR, mode: 0, resolve: abi.RESOLVE_BENEATH });
  await call({ op: "openat2", dirfd: -abi.EBADF, pathname: `${base}/from`, flags: O_DIR, mode: 0, resolve: 0x40000 });
  const dst = fd(await call({ op: "openat2", dirfd: -abi.EBADF, pathname: `${base}/dst`, flags: O_DIR, mode: 0, resolve: 0 }));
  const dst2 = fd(await call({ op: "openat2", dirfd: -abi.EBADF, pathname: `${base}/dst2`, flags: O_DIR, mode: 0, resolve: 0 }));
  // AT_RECURSIVE without OPEN_TREE_CLONE is EINVAL; a path under a mount root is not a mount root (move_mount EINVAL).
  await call({ op: "open_tree", dirfd: src, pathname: "", flags: abi.AT_EMPTY_PATH | abi.AT_RECURSIVE });
  const tree = fd(await call({ op: "open_tree", dirfd: src, pathname: "", flags: CLONE | abi.AT_RECURSIVE }));
  // A lookup in the detached copy enters its submounts: sub/inner exists only on sub's copy.
  const inner = await call({ op: "openat", dirfd: tree, pathname: "sub/inner", flags: O_DIR, mode: 0 });
  const insideTree = errOf(inner);
  if ("ret" in inner) await call({ op: "close", fd: inner.ret });
  await call({ op: "move_mount", from_dirfd: src, from_pathname: "", to_dirfd: dst2, to_pathname: "", flags: EMPTY });
  await call({ op: "move_mount", from_dirfd: tree, from_pathname: "", to_dirfd: dst, to_pathname: "", flags: EMPTY });
  await call({ op: "close", fd: tree });
  const plain = fd(await call({ op: "open_tree", dirfd: src, pathname: "", flags: CLONE }));
  await call({ op: "move_mount", from_dirfd: plain, from_pathname: "", to_dirfd: dst2, to_pathname: "", flags: EMPTY });
  await call({ op: "close", fd: plain });
  const dropped = fd(await call({ op: "open_tree", dirfd: -abi.EBADF, pathname: `${base}/from`, flags: CLONE | abi.AT_RECURSIVE }));
  await call({ op: "close", fd: dropped });
  for (const f of [src, dst, dst2]) await call({ op: "close", fd: f });
  return { errnos, table: shape(await mountinfo(), base), insideTree };
}

/** The mounts under `base`: "path [peer k]" with peer groups renumbered in order of appearance. */
function shape(mountinfo: string, base: string): string[] {
  const groups = new Map<string, number>();
  return mountinfo.trim().split("\n").map((l) => l.split(" ")).filter((f) => f[4]!.startsWith(`${base}/`))
    .map((f) => {
      const shared = f.slice(6, f.indexOf("-")).find((o) => o.startsWith("shared:"));
      if (shared && !groups.has(shared)) groups.set(shared, groups.size + 1);
      return `${f[4]!.slice(base.length)}${shared ? ` peer ${groups.get(shared)}` : ""}`;
    }).sort();
}

nativeTest(test, reason, "a tree with a submount: the real kernel and the model agree call for call and mount for mount", () => realAndFake(async (ex, k, base) => {
  const real = await run(ex, base, () => readMountinfo(ex));
  const model = await run(k, base, () => readMountinfo(k));
  assert.equal(model.errnos, real.errnos);
  assert.equal(model.table, real.table);
  // What the kernel said, pinned: the refusals, and the copies (recursive: with sub, a peer of
  // from/sub; plain: without it); the dropped copy left nothing.
  const E = (n: number) => n;
  assert.equal(real.errnos.slice(11, 16), [E(abi.EXDEV), 0, E(abi.EXDEV), E(abi.EXDEV), E(abi.EINVAL)]);
  assert.is(real.insideTree, 0, "openat(tree, \"sub/inner\"): the kernel walks into the copy of sub");
  assert.equal(real.table, ["/dst", "/dst/sub peer 1", "/dst2", "/from/sub peer 1"]);
}, spawn));

test.run();
