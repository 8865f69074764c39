// umount2 without MNT_DETACH is EBUSY when a copy it would take with it is in use, on Linux 6.18
// and in the fake kernel (propagate_mount_busy). Unmounting s/x, where s and t are peers, also
// takes t/x, the copy at the same mount point in the receiver t: an open fd or a cwd on t/x makes
// the call EBUSY. A copy with a submount of its own is not taken (the unmount would shift it), so
// it blocks nothing; one covered whole by an overmount is taken, and the overmount's hold on it
// does not count, an fd's does. The fake once asked only whether s/x itself was busy, and took
// t/x from under the fd (found by the kernel oracle, default seed 7).
import { suite } from "uvu";
import * as abi from "../src/abi.js";
import { eitherMode, pinnedOnBoth } from "./helpers/native-env.js";
import { type Exec, scenario } from "./helpers/detached-scenario.js";

const { mode, reason, spawn } = await eitherMode();
const test = suite(`umount2 and a busy copy: real kernel vs fake kernel (${mode})`);

type Hold = "fd" | "cwd" | "submount" | "submount+fd" | "overmount" | "overmount+fd";

/**
 * Under a private tmpfs `base`: s, a shared tmpfs, bound onto t (its peer); a tmpfs on s/x, so t/x
 * is its copy. Then t/x is held as `hold` says, s/x unmounted, the hold let go, s/x unmounted
 * again. Returns "what: errno" per call, then the mounts under base.
 */
async function run(exec: Exec, base: string, hold: Hold): Promise<string[]> {
  const { call, at, tmpfs, mkdir, result } = await scenario(exec, base);
  const prop = (p: string, f: number) => ({ op: "mount" as const, source: null, target: at(p), filesystemtype: null, mountflags: f, data: null });
  await mkdir("s", "t");
  await call(null, tmpfs("s"));
  await call(null, prop("s", abi.MS_SHARED));
  await mkdir("s/x");
  await call(null, { op: "mount", source: at("s"), target: at("t"), filesystemtype: null, mountflags: abi.MS_BIND, data: null });
  await call(null, tmpfs("s/x"));
  // The copy goes private first where it gets a mount of its own, so that nothing propagates back.
  if (hold !== "fd" && hold !== "cwd") await call(null, prop("t/x", abi.MS_PRIVATE));
  let fd = -1;
  if (hold.endsWith("fd")) fd = await call(null, { op: "openat", dirfd: abi.AT_FDCWD, pathname: at("t/x"), flags: abi.O_PATH | abi.O_DIRECTORY | abi.O_CLOEXEC, mode: 0 });
  if (hold === "cwd") await call(null, { op: "chdir", path: at("t/x") });
  if (hold.startsWith("submount")) {
    await mkdir("t/x/y");
    await call(null, tmpfs("t/x/y"));
  }
  if (hold === "overmount" || hold === "overmount+fd") await call(null, tmpfs("t/x"));
  await call("umount2(s/x)", { op: "umount2", target: at("s/x"), flags: 0 });
  if (fd >= 0) await call(null, { op: "close", fd });
  if (hold === "cwd") await call(null, { op: "chdir", path: "/" });
  await call("umount2(s/x) again", { op: "umount2", target: at("s/x"), flags: 0 });
  return result();
}

/** What Linux 6.18 did, hold by hold. */
const RECORDED: Record<Hold, string[]> = {
  "fd": [`umount2(s/x): ${abi.EBUSY}`, `umount2(s/x) again: 0`, "/s shared", "/t shared"],
  "cwd": [`umount2(s/x): ${abi.EBUSY}`, `umount2(s/x) again: 0`, "/s shared", "/t shared"],
  // t/x keeps y: the unmount leaves it, and s/x goes at once, even with an fd on t/x.
  "submount": ["umount2(s/x): 0", `umount2(s/x) again: ${abi.EINVAL}`, "/s shared", "/t shared", "/t/x private", "/t/x/y private"],
  "submount+fd": ["umount2(s/x): 0", `umount2(s/x) again: ${abi.EINVAL}`, "/s shared", "/t shared", "/t/x private", "/t/x/y private"],
  // The overmount does not hold t/x: both go, the overmount slides down onto t.
  "overmount": ["umount2(s/x): 0", `umount2(s/x) again: ${abi.EINVAL}`, "/s shared", "/t shared", "/t/x private"],
  "overmount+fd": [`umount2(s/x): ${abi.EBUSY}`, "umount2(s/x) again: 0", "/s shared", "/t shared", "/t/x private"],
};

const HOLDS = Object.keys(RECORDED) as Hold[];

/**
 * MNT_EXPIRE with t/x held by an fd: the first call marks s/x (EAGAIN), the next ones find the
 * copy busy (EBUSY) and leave the mark set, so once the fd is closed the next call unmounts. The
 * model once cleared the mark before the busy check, and said EAGAIN again (found by a review).
 */
async function expire(exec: Exec, base: string): Promise<string[]> {
  const { call, at, tmpfs, mkdir, result } = await scenario(exec, base);
  await mkdir("s", "t");
  await call(null, tmpfs("s"));
  await call(null, { op: "mount", source: null, target: at("s"), filesystemtype: null, mountflags: abi.MS_SHARED, data: null });
  await mkdir("s/x");
  await call(null, { op: "mount", source: at("s"), target: at("t"), filesystemtype: null, mountflags: abi.MS_BIND, data: null });
  await call(null, tmpfs("s/x"));
  const fd = await call(null, { op: "openat", dirfd: abi.AT_FDCWD, pathname: at("t/x"), flags: abi.O_PATH | abi.O_DIRECTORY | abi.O_CLOEXEC, mode: 0 });
  for (const n of [1, 2, 3]) await call(`umount2(s/x, MNT_EXPIRE) #${n}`, { op: "umount2", target: at("s/x"), flags: abi.MNT_EXPIRE });
  await call(null, { op: "close", fd });
  await call("umount2(s/x, MNT_EXPIRE) after the close", { op: "umount2", target: at("s/x"), flags: abi.MNT_EXPIRE });
  return result();
}

const EXPIRE = [`umount2(s/x, MNT_EXPIRE) #1: ${abi.EAGAIN}`, `umount2(s/x, MNT_EXPIRE) #2: ${abi.EBUSY}`, `umount2(s/x, MNT_EXPIRE) #3: ${abi.EBUSY}`,
  "umount2(s/x, MNT_EXPIRE) after the close: 0", "/s shared", "/t shared"];

pinnedOnBoth(test, { reason, spawn }, "MNT_EXPIRE with a busy copy: the mark stays", "/tmp/umount-expire", (side, base) => expire((r) => side.exec(r), base), EXPIRE);

for (const hold of HOLDS) {
  pinnedOnBoth(test, { reason, spawn }, `t/x held by ${hold}`, "/tmp/umount-busy", (side, base) => run((r) => side.exec(r), base, hold), RECORDED[hold]);
}

test.run();
