// openat2's RESOLVE_* restrictions are checked inside the walk, where Linux checks them, on Linux
// 6.18 and in the fake kernel: a ".." at the scope's root (BENEATH: EXDEV), wherever a symlink
// led; a magic link's jump (NO_MAGICLINKS: ELOOP; NO_XDEV onto another mount, or any scoped walk:
// EXDEV), also inside a symlink's target; a mount crossed inside a target (NO_XDEV: EXDEV); every
// link followed counted toward the 40 (/proc/self and fd/N too). And a "/" at the end of a last
// link's target wants a directory (ENOTDIR), in every lookup. The model had checked the walk by
// counting names beside it, and let "ldot/.." out of BENEATH's scope (found by a review).
import { suite } from "uvu";
import * as abi from "../src/abi.js";
import type { Request, Result } from "../src/request.js";
import { type Side, eitherMode, pinnedOnBoth } from "./helpers/native-env.js";

const { mode, reason, spawn } = await eitherMode();
const test = suite(`openat2's RESOLVE_* inside the walk: real kernel vs fake kernel (${mode})`);


/**
 * Under a private tmpfs `base` (B): directories b and b/c, a tmpfs on a, the links below, an O_PATH
 * fd on B, one on /proc/self/fd and one on "/". Returns "what: errno" per call.
 */
async function run(side: Side, base: string): Promise<string[]> {
  const log: string[] = [];
  const x = async (r: Record<string, unknown>): Promise<Result> => side.exec({ seq: 0, step: "test", reason: "openat2 walk", ...r } as Request);
  const must = async (r: Record<string, unknown>): Promise<number> => {
    const res = await x(r);
    if ("errno" in res) throw new Error(`${JSON.stringify(r)}: errno ${res.errno}`);
    return res.ret;
  };
  const D = abi.O_PATH | abi.O_DIRECTORY | abi.O_CLOEXEC;
  await must({ op: "mount", source: "tmpfs", target: base, filesystemtype: "tmpfs", mountflags: 0, data: null });
  await must({ op: "mount", source: null, target: base, filesystemtype: null, mountflags: abi.MS_PRIVATE, data: null });
  for (const d of ["b", "b/c", "a"]) await must({ op: "mkdir", pathname: `${base}/${d}`, mode: 0o755 });
  await must({ op: "mount", source: "tmpfs", target: `${base}/a`, filesystemtype: "tmpfs", mountflags: 0, data: null });
  const B = await must({ op: "openat", dirfd: abi.AT_FDCWD, pathname: base, flags: D, mode: 0 });
  const PF = await must({ op: "openat", dirfd: abi.AT_FDCWD, pathname: "/proc/self/fd", flags: D, mode: 0 });
  const R = await must({ op: "openat", dirfd: abi.AT_FDCWD, pathname: "/", flags: D, mode: 0 });
  const links: [string, string][] = [["ls", "/proc/self/mountinfo/"], ["l2", "b/c"], ["ldot", "."], ["lup", ".."],
    ["lm", `/proc/self/fd/${B}`], ["lmb", `/proc/self/fd/${B}/b`], ["lx", "a/.."]];
  for (const [name, target] of links) side.symlink(`${base}/${name}`, target);
  const call = async (what: string, dirfd: number, pathname: string, resolve: number | null, flags = D): Promise<void> => {
    const r = await x(resolve === null ? { op: "openat", dirfd, pathname, flags, mode: 0 } : { op: "openat2", dirfd, pathname, flags, mode: 0, resolve });
    log.push(`${what}: ${"errno" in r ? r.errno : 0}`);
    if (!("errno" in r)) await x({ op: "close", fd: r.ret });
  };
  const { RESOLVE_BENEATH: BENEATH, RESOLVE_NO_MAGICLINKS: NO_MAGIC, RESOLVE_NO_XDEV: NO_XDEV, RESOLVE_IN_ROOT: IN_ROOT } = abi;
  await call("openat(B, ls -> mountinfo/)", B, "ls", null, abi.O_RDONLY | abi.O_CLOEXEC);
  await call("openat(B, ls -> mountinfo/, O_PATH)", B, "ls", null, abi.O_PATH | abi.O_CLOEXEC);
  await call("openat2(B, l2/../.., BENEATH)", B, "l2/../..", BENEATH);
  await call("openat2(B, ldot/.., BENEATH)", B, "ldot/..", BENEATH);
  await call("openat2(B, lup, BENEATH)", B, "lup", BENEATH);
  await call("openat2(B, b/../lup, BENEATH)", B, "b/../lup", BENEATH);
  await call("openat2(B, lup, IN_ROOT)", B, "lup", IN_ROOT);
  await call("openat2(PF, B, BENEATH)", PF, String(B), BENEATH);
  await call("openat2(PF, B, IN_ROOT)", PF, String(B), IN_ROOT);
  await call("openat2(B, lm, NO_MAGICLINKS)", B, "lm", NO_MAGIC);
  await call("openat2(B, lmb, NO_MAGICLINKS)", B, "lmb", NO_MAGIC);
  await call("openat2(B, lm, NO_XDEV)", B, "lm", NO_XDEV);
  await call("openat2(B, lx, NO_XDEV)", B, "lx", NO_XDEV);
  await call("openat2(B, lx/b, NO_XDEV)", B, "lx/b", NO_XDEV);
  await call("openat2(B, a/.., NO_XDEV)", B, "a/..", NO_XDEV);
  await call("openat2(B, lx, 0)", B, "lx", 0);
  // 41 and 42 links: the first "/proc/self/fd/R" is two (self, fd/R), each "proc/self/fd/R/" after it two more.
  const chain = (n: number): string => `/proc/self/fd/${R}/` + `proc/self/fd/${R}/`.repeat(n) + base.slice(1);
  await call("openat(40 links)", abi.AT_FDCWD, chain(19), null);
  await call("openat(42 links)", abi.AT_FDCWD, chain(20), null);
  // /proc/self/cwd and /proc/self/root: magic links to the cwd and the root.
  await must({ op: "chdir", path: `${base}/b` });
  await call("openat(/proc/self/cwd/c)", abi.AT_FDCWD, "/proc/self/cwd/c", null);
  await call("openat(/proc/self/cwd/a)", abi.AT_FDCWD, "/proc/self/cwd/a", null);
  await call("openat(/proc/self/root/BASE/b/c)", abi.AT_FDCWD, `/proc/self/root${base}/b/c`, null);
  await call("openat2(/proc/self/cwd, NO_MAGICLINKS)", abi.AT_FDCWD, "/proc/self/cwd", NO_MAGIC);
  await call("openat(/proc/self/cwd, O_NOFOLLOW|O_DIRECTORY)", abi.AT_FDCWD, "/proc/self/cwd", null, D | abi.O_NOFOLLOW);
  await must({ op: "chdir", path: "/" });
  // A magic link to a file that is no directory, where the walk wants one.
  await call("openat(/proc/self/fd/0, O_DIRECTORY)", abi.AT_FDCWD, "/proc/self/fd/0", null, abi.O_RDONLY | abi.O_DIRECTORY | abi.O_CLOEXEC);
  const pr = await x({ op: "pivot_root", new_root: "/proc/self/fd/0", put_old: "/tmp" });
  log.push(`pivot_root(/proc/self/fd/0, /tmp): ${"errno" in pr ? pr.errno : 0}`);
  // graft_tree: a new filesystem (a directory at its root) goes only on a directory.
  const t = await x({ op: "mount", source: "tmpfs", target: "/proc/self/mountinfo", filesystemtype: "tmpfs", mountflags: 0, data: null });
  log.push(`mount(tmpfs, /proc/self/mountinfo): ${"errno" in t ? t.errno : 0}`);
  for (const fd of [B, PF, R]) await x({ op: "close", fd });
  return log;
}

const { ENOTDIR, EXDEV, ELOOP } = abi;
/** What Linux 6.18 did (each line as the review recorded it, run again here as root). */
const RECORDED = [
  `openat(B, ls -> mountinfo/): ${ENOTDIR}`,
  `openat(B, ls -> mountinfo/, O_PATH): ${ENOTDIR}`,
  "openat2(B, l2/../.., BENEATH): 0",
  `openat2(B, ldot/.., BENEATH): ${EXDEV}`,
  `openat2(B, lup, BENEATH): ${EXDEV}`,
  `openat2(B, b/../lup, BENEATH): ${EXDEV}`,
  "openat2(B, lup, IN_ROOT): 0",
  `openat2(PF, B, BENEATH): ${EXDEV}`,
  `openat2(PF, B, IN_ROOT): ${EXDEV}`,
  `openat2(B, lm, NO_MAGICLINKS): ${ELOOP}`,
  `openat2(B, lmb, NO_MAGICLINKS): ${ELOOP}`,
  `openat2(B, lm, NO_XDEV): ${EXDEV}`,
  `openat2(B, lx, NO_XDEV): ${EXDEV}`,
  `openat2(B, lx/b, NO_XDEV): ${EXDEV}`,
  `openat2(B, a/.., NO_XDEV): ${EXDEV}`,
  "openat2(B, lx, 0): 0",
  "openat(40 links): 0",
  `openat(42 links): ${ELOOP}`,
  "openat(/proc/self/cwd/c): 0",
  `openat(/proc/self/cwd/a): ${abi.ENOENT}`,
  "openat(/proc/self/root/BASE/b/c): 0",
  `openat2(/proc/self/cwd, NO_MAGICLINKS): ${ELOOP}`,
  `openat(/proc/self/cwd, O_NOFOLLOW|O_DIRECTORY): ${ENOTDIR}`,
  `openat(/proc/self/fd/0, O_DIRECTORY): ${ENOTDIR}`,
  `pivot_root(/proc/self/fd/0, /tmp): ${ENOTDIR}`,
  `mount(tmpfs, /proc/self/mountinfo): ${ENOTDIR}`,
];

pinnedOnBoth(test, { reason, spawn }, "openat2's RESOLVE_* and the magic links", "/tmp/openat2-walk", run, RECORDED);

test.run();
