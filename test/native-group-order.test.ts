// Which peer group numbers a tree gets when it goes under a shared mount, on Linux 6.18 and in the
// fake kernel: invent_group_ids (fs/namespace.c) walks the tree with next_mnt, depth first, each
// mount's children in attach order, and gives each unshared mount the lowest free number. Seen for
// a tree moved with MS_MOVE and for an open_tree(OPEN_TREE_CLONE|AT_RECURSIVE) copy attached with
// move_mount: the fake once walked a detached tree breadth first (src/hosts/fake/mounts.ts,
// subtreeDetached), so a sibling's number came before a nephew's. The kernel's numbers are global
// (one IDA for every namespace) and others may take some meanwhile, so each tree's numbers are
// compared by rank within that tree: one syscall gives them all, under the namespace lock.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import type { Request, Result } from "../src/request.js";
import { eitherMode, hostMountinfo, nativeTest, onKernelAndFake, readMountinfo } from "./helpers/native-env.js";

const { mode, reason, spawn } = await eitherMode();
const test = suite(`peer group numbers of a tree moved under a shared mount: real kernel vs fake kernel (${mode})`);
const c = { seq: 0, step: "test", reason: "peer group order test" };
type Bare = Request extends infer R ? R extends unknown ? Omit<R, "seq" | "step" | "reason"> : never : never;
type Exec = (r: Request) => Promise<Result> | Result;

/**
 * Under a private tmpfs `base`: dst, a shared tmpfs; two private trees t1 and t2, each a tmpfs with
 * b (holding b/d) and c, mounted in the order b, c, b/d (so c is attached before d). t1 is moved
 * onto dst/m (MS_MOVE); t2 is cloned with open_tree and the clone attached on dst/o (move_mount).
 */
async function run(exec: Exec, base: string): Promise<string[]> {
  const call = async (r: Bare): Promise<number> => {
    const res = await exec({ ...c, ...r } as Request);
    if ("errno" in res) throw new Error(`${JSON.stringify(r)}: errno ${res.errno}`);
    return res.ret;
  };
  const at = (p: string): string => `${base}/${p}`;
  const tmpfs = (p: string): Bare => ({ op: "mount", source: "tmpfs", target: at(p), filesystemtype: "tmpfs", mountflags: 0, data: null });
  const prop = (p: string, f: number): Bare => ({ op: "mount", source: null, target: p === "" ? base : at(p), filesystemtype: null, mountflags: f, data: null });
  const mkdir = (p: string): Bare => ({ op: "mkdir", pathname: at(p), mode: 0o755 });
  await call({ op: "mount", source: "tmpfs", target: base, filesystemtype: "tmpfs", mountflags: 0, data: null });
  await call(prop("", abi.MS_PRIVATE));
  for (const d of ["dst", "t1", "t2"]) await call(mkdir(d));
  await call(tmpfs("dst"));
  await call(prop("dst", abi.MS_SHARED));
  for (const d of ["dst/m", "dst/o"]) await call(mkdir(d));
  for (const t of ["t1", "t2"]) {
    await call(tmpfs(t));
    for (const d of ["b", "c"]) await call(mkdir(`${t}/${d}`));
    await call(tmpfs(`${t}/b`));
    await call(mkdir(`${t}/b/d`));
    await call(tmpfs(`${t}/c`));
    await call(tmpfs(`${t}/b/d`));
  }
  await call({ op: "mount", source: at("t1"), target: at("dst/m"), filesystemtype: null, mountflags: abi.MS_MOVE, data: null });
  const fd = await call({ op: "open_tree", dirfd: abi.AT_FDCWD, pathname: at("t2"), flags: abi.OPEN_TREE_CLONE | abi.AT_RECURSIVE | abi.OPEN_TREE_CLOEXEC });
  await call({ op: "move_mount", from_dirfd: fd, from_pathname: "", to_dirfd: abi.AT_FDCWD, to_pathname: at("dst/o"), flags: abi.MOVE_MOUNT_F_EMPTY_PATH });
  await call({ op: "close", fd });
  return ranks(await readMountinfo({ exec }), base);
}

/** "path rank" for the mounts of each moved tree, in path order; rank 1 is its lowest group number. */
function ranks(mountinfo: string, base: string): string[] {
  const rows = mountinfo.trim().split("\n").map((l) => l.split(" "))
    .map((f) => ({ path: f[4]!.slice(base.length), group: Number(/^shared:(\d+)$/.exec(f.slice(6, f.indexOf("-")).find((t) => t.startsWith("shared:")) ?? "")?.[1] ?? NaN) }))
    .filter((r) => /^\/dst\/[mo]/.test(r.path));
  const out: string[] = [];
  for (const tree of ["/dst/m", "/dst/o"]) {
    const mine = rows.filter((r) => r.path.startsWith(tree));
    const order = [...new Set(mine.map((r) => r.group))].sort((a, b) => a - b);
    for (const r of mine.sort((a, b) => (a.path < b.path ? -1 : 1))) out.push(`${r.path} ${order.indexOf(r.group) + 1}`);
  }
  return out;
}

/** What Linux 6.18 gave: depth first for both trees, d (attached after c, but b's child) before c. */
const RECORDED = ["/dst/m 1", "/dst/m/b 2", "/dst/m/b/d 3", "/dst/m/c 4", "/dst/o 1", "/dst/o/b 2", "/dst/o/b/d 3", "/dst/o/c 4"];

test("the fake kernel numbers both trees' peer groups depth first, as Linux 6.18 did", async () => {
  const k = FakeKernel.fromMountinfo(hostMountinfo()).mkdir("/tmp/group-order").unshare();
  assert.equal(await run((r) => k.exec(r), "/tmp/group-order"), RECORDED);
});

nativeTest(test, reason, "the real kernel numbers them as recorded, and as the fake does", async () => {
  const { real, model } = await onKernelAndFake(spawn, (side, base) => run((r) => side.exec(r), base));
  assert.equal(real, RECORDED);
  assert.equal(model, real);
});

test.run();
