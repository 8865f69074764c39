// A /proc/self/fd/N magic link as the last component of umount2(UMOUNT_NOFOLLOW) and
// mount_setattr(AT_SYMLINK_NOFOLLOW): not followed, the path is the link itself, an entry of
// procfs's fd directory and no mount's root, so both are EINVAL; followed, they act on the mount
// the fd names. Found by mutation (docs/mutation.md, resolve.ts' new code): the model used to follow
// the link anyway (umount2 said EBUSY, mount_setattr acted). Run on the real kernel (the executor
// child, as root) and on the FakeKernel with the same requests; the errnos must agree call for call.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import type { Request, Result } from "../src/request.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import { nativeTest, realAndFake, skipReason } from "./helpers/native-env.js";

const test = suite("a magic link not followed: umount2 and mount_setattr, real kernel vs fake kernel");
const reason = await skipReason("root");
const c = { seq: 0, step: "test", reason: "magic link nofollow" };
/** A request without its seq, step and reason, kept a union (a plain Omit of the union loses the ops' fields). */
type Bare = Request extends infer R ? R extends unknown ? Omit<R, "seq" | "step" | "reason"> : never : never;
const errName = (r: Result): string => ("errno" in r ? Object.entries(abi).find(([k, v]) => /^E[A-Z]+$/.test(k) && v === r.errno)?.[0] ?? `errno ${r.errno}` : "ok");

/** The calls, on one side: a tmpfs at base/t, an O_PATH fd on it, then the link /proc/self/fd/N each way. */
async function run(exec: (r: Request) => Promise<Result> | Result, base: string): Promise<string[]> {
  const out: string[] = [];
  const call = async (label: string, r: Bare): Promise<Result> => {
    const res = await exec({ ...c, ...r } as Request);
    out.push(`${label}: ${errName(res)}`);
    return res;
  };
  await call("mkdir", { op: "mkdir", pathname: `${base}/t`, mode: 0o755 });
  await call("mount tmpfs", { op: "mount", source: "tmpfs", target: `${base}/t`, filesystemtype: "tmpfs", mountflags: 0, data: null });
  const fd = await exec({ ...c, op: "openat", dirfd: abi.AT_FDCWD, pathname: `${base}/t`, flags: abi.O_PATH | abi.O_DIRECTORY | abi.O_CLOEXEC, mode: 0 });
  if (!("ret" in fd)) throw new Error(`openat ${base}/t: errno ${fd.errno}`);
  const link = `/proc/self/fd/${fd.ret}`;
  const attr = { op: "mount_setattr", dirfd: abi.AT_FDCWD, pathname: link, attr_set: 0, propagation: abi.MS_SHARED } as const;
  await call("umount2 UMOUNT_NOFOLLOW", { op: "umount2", target: link, flags: abi.UMOUNT_NOFOLLOW });
  await call("mount_setattr AT_SYMLINK_NOFOLLOW", { ...attr, flags: abi.AT_SYMLINK_NOFOLLOW });
  await call("umount2 UMOUNT_NOFOLLOW, no such fd", { op: "umount2", target: "/proc/self/fd/999", flags: abi.UMOUNT_NOFOLLOW });
  await call("umount2 UMOUNT_NOFOLLOW, trailing slash", { op: "umount2", target: `${link}/`, flags: abi.UMOUNT_NOFOLLOW });
  await call("mount_setattr followed", { ...attr, flags: 0 });
  await call("umount2 followed, the fd still open", { op: "umount2", target: link, flags: 0 });
  await call("umount2 followed, MNT_DETACH", { op: "umount2", target: link, flags: abi.MNT_DETACH });
  await call("close", { op: "close", fd: fd.ret });
  return out;
}

const PINNED = [
  "mkdir: ok",
  "mount tmpfs: ok",
  "umount2 UMOUNT_NOFOLLOW: EINVAL",
  "mount_setattr AT_SYMLINK_NOFOLLOW: EINVAL",
  "umount2 UMOUNT_NOFOLLOW, no such fd: ENOENT",
  "umount2 UMOUNT_NOFOLLOW, trailing slash: EBUSY",
  "mount_setattr followed: ok",
  "umount2 followed, the fd still open: EBUSY",
  "umount2 followed, MNT_DETACH: ok",
  "close: ok",
];

nativeTest(test, reason, "not followed, the link is no mount's root (EINVAL); followed, the fd's mount (Linux 6.18 and the model agree)", () => realAndFake(async (ex, k, base) => {
  const real = await run((r) => ex.exec(r), base);
  const model = await run((r) => k.exec(r), base);
  assert.equal(model, real);
  assert.equal(real, PINNED);
}));

test("the model alone, without root: the same calls give the pinned results", () => {
  // What the real kernel gave (the test above, as root), on a model of a host with /proc mounted.
  const host = "21 1 8:1 / / rw - ext4 /dev/sda1 rw\n22 21 0:21 / /proc rw - proc proc rw\n";
  const k = FakeKernel.fromMountinfo(host).mkdir("/base").unshare();
  return run((r) => k.exec(r), "/base").then((out) => assert.equal(out, PINNED));
});

test.run();
