// mount_setattr(2) on Linux 6.18, through the executor child, and the same requests on the
// FakeKernel: each attribute the model maps (MOUNT_ATTR_* → MS_*), the path and AT_EMPTY_PATH
// forms (an fd, AT_FDCWD after a chdir), AT_SYMLINK_NOFOLLOW, a place that is no mount's root, and
// AT_RECURSIVE with a propagation type. The errnos must agree call for call, and the mounts under a
// scratch tmpfs (their options and propagation) mount for mount. Root, or rootless. The fake's rules:
// src/hosts/fake/sys-ns.ts sysMountSetattr. Written for the survivors of a Stryker run of
// src/hosts/fake/sys-*.ts (docs/mutation.md, the fake triage).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import type { Request, Result } from "../src/request.js";
import { nativeTest, eitherMode, realAndFake, readMountinfo } from "./helpers/native-env.js";

const { mode, reason, spawn } = await eitherMode();
const test = suite(`mount_setattr: real kernel vs fake kernel (${mode})`);
const c = { seq: 0, step: "test", reason: "mount_setattr test" };
type Bare = Request extends infer R ? R extends unknown ? Omit<R, "seq" | "step" | "reason"> : never : never;
interface Exec { exec(r: Request): Promise<Result> | Result }
const errOf = (r: Result): number => ("errno" in r ? r.errno : 0);
const O_PATH = abi.O_RDONLY | abi.O_PATH | abi.O_CLOEXEC;
const { AT_EMPTY_PATH, AT_RECURSIVE, AT_SYMLINK_NOFOLLOW, AT_FDCWD } = abi;
const setattr = (dirfd: number, pathname: string, flags: number, attr_set: number, propagation: number): Bare =>
  ({ op: "mount_setattr", dirfd, pathname, flags, attr_set, propagation });

/** The calls, on one side: returns each one's errno and the table under `base`. */
async function run(x: Exec, base: string, mountinfo: () => Promise<string>): Promise<{ errnos: number[]; table: string[] }> {
  const errnos: number[] = [];
  const call = async (r: Bare): Promise<Result> => { const res = await x.exec({ ...c, ...r } as Request); errnos.push(errOf(res)); return res; };
  const fd = (r: Result): number => ("ret" in r ? r.ret : -1);
  const tmpfs = (target: string): Bare => ({ op: "mount", source: "tmpfs", target, filesystemtype: "tmpfs", mountflags: 0, data: null });
  await call(tmpfs(base));
  await call({ op: "mount", source: null, target: base, filesystemtype: null, mountflags: abi.MS_PRIVATE, data: null });
  for (const d of ["a", "b"]) await call({ op: "mkdir", pathname: `${base}/${d}`, mode: 0o755 });
  await call(tmpfs(`${base}/a`));
  await call(tmpfs(`${base}/b`));
  for (const d of ["a/s", "a/d", "b/s"]) await call({ op: "mkdir", pathname: `${base}/${d}`, mode: 0o755 });
  await call(tmpfs(`${base}/a/s`));
  await call(tmpfs(`${base}/b/s`));
  const a = fd(await call({ op: "openat", dirfd: AT_FDCWD, pathname: `${base}/a`, flags: O_PATH | abi.O_DIRECTORY, mode: 0 }));
  const d = fd(await call({ op: "openat", dirfd: AT_FDCWD, pathname: `${base}/a/d`, flags: O_PATH | abi.O_DIRECTORY, mode: 0 }));
  // One attribute at a time through an fd, then two at once (each maps to its own MS_ flag).
  await call(setattr(a, "", AT_EMPTY_PATH, abi.MOUNT_ATTR_NOSUID, 0));
  await call(setattr(a, "", AT_EMPTY_PATH, abi.MOUNT_ATTR_NODEV | abi.MOUNT_ATTR_NOEXEC, 0));
  // The path forms: a path from AT_FDCWD, with and without AT_SYMLINK_NOFOLLOW.
  await call(setattr(AT_FDCWD, `${base}/a/s`, 0, abi.MOUNT_ATTR_NODIRATIME, 0));
  await call(setattr(AT_FDCWD, `${base}/a/s`, AT_SYMLINK_NOFOLLOW, abi.MOUNT_ATTR_NOSYMFOLLOW, 0));
  // Not a mount's root, by fd and by path: EINVAL, nothing set.
  await call(setattr(d, "", AT_EMPTY_PATH, abi.MOUNT_ATTR_RDONLY, 0));
  await call(setattr(AT_FDCWD, `${base}/a/d`, 0, abi.MOUNT_ATTR_RDONLY, 0));
  // No such path: the lookup's ENOENT.
  await call(setattr(AT_FDCWD, `${base}/none`, 0, abi.MOUNT_ATTR_RDONLY, 0));
  // "" with AT_EMPTY_PATH and AT_FDCWD: the cwd's mount (b/s after the chdir).
  await call({ op: "chdir", path: `${base}/b/s` });
  await call(setattr(AT_FDCWD, "", AT_EMPTY_PATH, abi.MOUNT_ATTR_NOEXEC, 0));
  // "" without AT_EMPTY_PATH is a lookup of "": ENOENT.
  await call(setattr(a, "", 0, abi.MOUNT_ATTR_RDONLY, 0));
  // Recursive: read-only and shared on b and b/s; then a alone turned slave (it has no master: private).
  await call(setattr(AT_FDCWD, `${base}/b`, AT_RECURSIVE, abi.MOUNT_ATTR_RDONLY, abi.MS_SHARED));
  await call(setattr(a, "", AT_EMPTY_PATH, 0, abi.MS_SHARED));
  await call(setattr(a, "", AT_EMPTY_PATH, 0, abi.MS_SLAVE));
  await call(setattr(a, "", AT_EMPTY_PATH, 0, abi.MS_UNBINDABLE));
  for (const f of [a, d]) await call({ op: "close", fd: f });
  await call({ op: "chdir", path: "/" });
  return { errnos, table: shape(await mountinfo(), base) };
}

/** The mounts under `base`: "path options propagation" (group numbers dropped). */
function shape(mountinfo: string, base: string): string[] {
  return mountinfo.trim().split("\n").map((l) => l.split(" ")).filter((f) => f[4]!.startsWith(`${base}/`))
    .map((f) => {
      const tags = f.slice(6, f.indexOf("-")).map((t) => t.split(":")[0]).join(",") || "private";
      return `${f[4]!.slice(base.length)} ${f[5]} ${tags}`;
    }).sort();
}

nativeTest(test, reason, "mount_setattr: the real kernel (6.18) and the model agree call for call and mount for mount", () => realAndFake(async (ex, k, base) => {
  const real = await run(ex, base, () => readMountinfo(ex));
  const model = await run(k, base, () => readMountinfo(k));
  assert.equal(model.errnos.join(" "), real.errnos.join(" "));
  assert.equal(model.table, real.table);
  // What the kernel said, pinned: after the set-up (13 calls), every call succeeds but the two on a
  // place that is no mount's root (EINVAL), the missing path and "" without AT_EMPTY_PATH (ENOENT).
  const E = abi;
  assert.equal(real.errnos.slice(13), [0, 0, 0, 0, E.EINVAL, E.EINVAL, E.ENOENT, 0, 0, E.ENOENT, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(real.table, [
    "/a rw,nosuid,nodev,noexec,relatime unbindable",
    "/a/s rw,nodiratime,relatime,nosymfollow private",
    "/b ro,relatime shared",
    "/b/s ro,noexec,relatime shared",
  ]);
}, spawn));

test.run();
