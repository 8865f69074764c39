// Tests written for the survivors of the Stryker run of src/hosts/fake/sys-openat2.ts
// (docs/mutation.md, the fake triage: "sys-open-tree.ts, sys-openat2.ts"). openat2(2)'s checks of
// struct open_how (build_open_flags, fs/open.c) and its RESOLVE_* walk restrictions (fs/namei.c:
// LOOKUP_NO_XDEV, LOOKUP_NO_SYMLINKS, LOOKUP_NO_MAGICLINKS, LOOKUP_BENEATH), on the real kernel
// (Linux 6.18, through the executor child) and on the FakeKernel with the same requests: the
// errnos must agree call for call, and the kernel's are pinned. Checked as root (rootless, eitherMode's other mode, not tried).
import { symlinkSync } from "node:fs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import type { Request, Result } from "../src/request.js";
import { nativeTest, eitherMode, realAndFake } from "./helpers/native-env.js";

const { mode, reason, spawn } = await eitherMode();
const test = suite(`openat2: real kernel vs fake kernel, open_how and RESOLVE_* (${mode})`);
const c = { seq: 0, step: "test", reason: "openat2 errno test" };
type Bare = Request extends infer R ? R extends unknown ? Omit<R, "seq" | "step" | "reason"> : never : never;
interface Side {
  exec(r: Request): Promise<Result> | Result;
  /** A symlink made in the side's own namespace (the executor's: through /proc/<pid>/root). */
  symlink(path: string, target: string): void;
}
const errName = (n: number): string => Object.entries(abi).find(([k, v]) => /^E[A-Z]+$/.test(k) && v === n)?.[0] ?? `errno ${n}`;
const O_DIR = abi.O_RDONLY | abi.O_PATH | abi.O_DIRECTORY | abi.O_CLOEXEC;
const O_P = abi.O_RDONLY | abi.O_PATH | abi.O_CLOEXEC;
const { RESOLVE_NO_XDEV: XDEV, RESOLVE_NO_SYMLINKS: NOSYM, RESOLVE_NO_MAGICLINKS: NOMAGIC, RESOLVE_BENEATH: BENEATH } = abi;

/**
 * The calls, on one side: a private tmpfs at `base` with the directories b, b/c and a (a tmpfs,
 * with a/d), and the symlinks rel -> b, toa -> a, abs -> <base>/b (absolute), dangling -> nothing.
 * B and A are O_PATH fds of base and a. Returns one line per call: "what: errno" or "what: 0".
 */
async function run(x: Side, base: string): Promise<string[]> {
  const log: string[] = [];
  const call = async (what: string, r: Bare): Promise<number> => {
    const res = await x.exec({ ...c, ...r } as Request);
    log.push(`${what}: ${"errno" in res ? errName(res.errno) : 0}`);
    return "ret" in res ? res.ret : -1;
  };
  const tmpfs = (t: string) => ({ op: "mount", source: "tmpfs", target: t, filesystemtype: "tmpfs", mountflags: 0, data: null }) as const;
  await call("set-up", tmpfs(base));
  await call("set-up", { op: "mount", source: null, target: base, filesystemtype: null, mountflags: abi.MS_PRIVATE, data: null });
  for (const d of ["a", "b", "b/c"]) await call("set-up", { op: "mkdir", pathname: `${base}/${d}`, mode: 0o755 });
  await call("set-up", tmpfs(`${base}/a`));
  await call("set-up", { op: "mkdir", pathname: `${base}/a/d`, mode: 0o755 });
  x.symlink(`${base}/rel`, "b");
  x.symlink(`${base}/toa`, "a");
  x.symlink(`${base}/abs`, `${base}/b`);
  x.symlink(`${base}/dangling`, "nothing");
  const B = await call("set-up", { op: "openat2", dirfd: abi.AT_FDCWD, pathname: base, flags: O_DIR, mode: 0, resolve: 0 });
  const A = await call("set-up", { op: "openat2", dirfd: abi.AT_FDCWD, pathname: `${base}/a`, flags: O_DIR, mode: 0, resolve: 0 });
  const o2 = async (what: string, dirfd: number, pathname: string, resolve: number, flags = O_DIR, mode = 0): Promise<void> => {
    const fd = await call(what, { op: "openat2", dirfd, pathname, flags, mode, resolve });
    if (fd >= 0) await x.exec({ ...c, op: "close", fd });
  };
  // build_open_flags: an unknown open flag or resolve bit, a mode without O_CREAT, BENEATH with
  // IN_ROOT: EINVAL. With O_CREAT the mode is taken (b is a directory: EISDIR).
  await o2("flags 0x1000000", B, "b", 0, O_DIR | 0x1000000);
  await o2("flags 0x1000000 without O_PATH", B, "b", 0, abi.O_RDONLY | 0x1000000);
  await o2("resolve 0x40", B, "b", 0x40);
  await o2("mode 0644 without O_CREAT", B, "b", 0, O_DIR, 0o644);
  await o2("mode 0644 with O_CREAT", B, "b", 0, abi.O_RDONLY | abi.O_CREAT, 0o644);
  await o2("BENEATH|IN_ROOT", B, "b", BENEATH | abi.RESOLVE_IN_ROOT);
  // Since Linux 6.4 O_DIRECTORY|O_CREAT is EINVAL; O_PATH allows only O_DIRECTORY, O_NOFOLLOW and
  // O_CLOEXEC with it (openat2 checks what openat(2) silently drops; O_LARGEFILE included).
  await o2("O_DIRECTORY|O_CREAT", B, "new", 0, abi.O_RDONLY | abi.O_DIRECTORY | abi.O_CREAT, 0o755);
  await o2("O_PATH|O_CREAT", B, "b", 0, O_P | abi.O_CREAT);
  await o2("O_PATH|O_LARGEFILE", B, "b", 0, O_DIR | abi.O_LARGEFILE);
  await o2("RESOLVE_CACHED", B, "b", abi.RESOLVE_CACHED);
  // RESOLVE_NO_XDEV: no mount crossing, down (a), through a symlink (toa), or up ("..", a/..).
  await o2("NO_XDEV a", B, "a", XDEV);
  await o2("NO_XDEV a/d", B, "a/d", XDEV);
  await o2("NO_XDEV b/c", B, "b/c", XDEV);
  await o2("NO_XDEV ./b", B, "./b", XDEV);
  await o2("NO_XDEV b//c", B, "b//c", XDEV);
  await o2("NO_XDEV toa", B, "toa", XDEV);
  await o2("NO_XDEV rel", B, "rel", XDEV);
  await o2("NO_XDEV a/..", B, "a/..", XDEV);
  await o2("NO_XDEV b/../a", B, "b/../a", XDEV);
  await o2("NO_XDEV .. from a", A, "..", XDEV);
  await o2("NO_XDEV d/.. from a", A, "d/..", XDEV);
  await o2("NO_XDEV <base>/b (absolute)", -abi.EBADF, `${base}/b`, XDEV);
  // The walk's own errors come first: a bad dirfd, a missing component, a dangling symlink.
  await o2("NO_XDEV b from fd 99", 99, "b", XDEV);
  await o2("NO_XDEV none/x", B, "none/x", XDEV);
  await o2("NO_XDEV dangling", B, "dangling", XDEV);
  await o2("NO_XDEV dangling/x", B, "dangling/x", XDEV);
  await o2("BENEATH b from fd 99", 99, "b", BENEATH);
  await o2("NO_SYMLINKS b from fd 99", 99, "b", NOSYM);
  // RESOLVE_NO_SYMLINKS: any symlink followed, also one in the middle; a last one not followed
  // (O_NOFOLLOW with O_PATH opens the link itself) is no refusal.
  await o2("NO_SYMLINKS rel", B, "rel", NOSYM);
  await o2("NO_SYMLINKS rel/c", B, "rel/c", NOSYM);
  await o2("NO_SYMLINKS rel (O_PATH)", B, "rel", NOSYM, O_P);
  await o2("NO_SYMLINKS rel (O_PATH|O_NOFOLLOW)", B, "rel", NOSYM, O_P | abi.O_NOFOLLOW);
  await o2("NO_SYMLINKS rel/ (O_PATH|O_NOFOLLOW): a trailing / follows", B, "rel/", NOSYM, O_P | abi.O_NOFOLLOW);
  await o2("NO_SYMLINKS rel/c (O_PATH|O_NOFOLLOW): a link mid-path is followed", B, "rel/c", NOSYM, O_P | abi.O_NOFOLLOW);
  await o2("NO_SYMLINKS b/c", B, "b/c", NOSYM);
  // RESOLVE_NO_MAGICLINKS (implied by NO_SYMLINKS): /proc/self/fd/N and a path below it.
  await o2("NO_MAGICLINKS /proc/self/fd", -abi.EBADF, "/proc/self/fd", NOMAGIC);
  // /proc/self is a plain symlink ("<pid>"): NO_SYMLINKS refuses it, NO_MAGICLINKS does not.
  await o2("NO_SYMLINKS /proc/self/fd", -abi.EBADF, "/proc/self/fd", NOSYM);
  await o2("NO_SYMLINKS /proc/thread-self/fd", -abi.EBADF, "/proc/thread-self/fd", NOSYM);
  await o2("NO_SYMLINKS /proc/self (O_PATH|O_NOFOLLOW): the link itself", -abi.EBADF, "/proc/self", NOSYM, O_P | abi.O_NOFOLLOW);
  await o2("NO_MAGICLINKS /proc/self/fd/B", -abi.EBADF, `/proc/self/fd/${B}`, NOMAGIC);
  await o2("NO_MAGICLINKS /proc/self/fd/B/b", -abi.EBADF, `/proc/self/fd/${B}/b`, NOMAGIC);
  await o2("NO_MAGICLINKS /proc/self/fd/..", -abi.EBADF, "/proc/self/fd/..", NOMAGIC);
  await o2("NO_SYMLINKS /proc/self/fd/B", -abi.EBADF, `/proc/self/fd/${B}`, NOSYM);
  await o2("NO_XDEV /proc/self/fd/B", -abi.EBADF, `/proc/self/fd/${B}`, XDEV);
  await o2("no restriction /proc/self/fd/B", -abi.EBADF, `/proc/self/fd/${B}`, 0);
  // A last magic link not followed (O_NOFOLLOW) is the link itself: no jump for NO_MAGICLINKS to
  // refuse; O_DIRECTORY finds no directory, an open without O_PATH a symlink; NO_SYMLINKS refuses it.
  const NOF = abi.O_NOFOLLOW;
  // RESOLVE_IN_ROOT: B is the root of the walk: "/" and an absolute symlink start there, ".." stops.
  const INROOT = abi.RESOLVE_IN_ROOT;
  await o2("IN_ROOT /b from B", B, "/b", INROOT);
  await o2("IN_ROOT ../../b from B", B, "../../b", INROOT);
  await o2("IN_ROOT abs from B: its absolute target starts at B", B, "abs", INROOT);
  await o2("IN_ROOT /a/d from B", B, "/a/d", INROOT);
  await o2("IN_ROOT /d from A", A, "/d", INROOT);
  await o2("IN_ROOT /b from fd 99", 99, "/b", INROOT);
  await o2("NO_MAGICLINKS /proc/self/fd/B (O_PATH|O_DIRECTORY|O_NOFOLLOW)", -abi.EBADF, `/proc/self/fd/${B}`, NOMAGIC, O_DIR | NOF);
  await o2("NO_MAGICLINKS /proc/self/fd/B (O_PATH|O_NOFOLLOW)", -abi.EBADF, `/proc/self/fd/${B}`, NOMAGIC, O_P | NOF);
  await o2("NO_SYMLINKS /proc/self/fd/B (O_PATH|O_DIRECTORY|O_NOFOLLOW)", -abi.EBADF, `/proc/self/fd/${B}`, NOSYM, O_DIR | NOF);
  await o2("NO_MAGICLINKS /proc/self/fd/B/ (O_PATH|O_NOFOLLOW): a trailing / follows", -abi.EBADF, `/proc/self/fd/${B}/`, NOMAGIC, O_P | NOF);
  await o2("no restriction /proc/self/fd/B (O_RDONLY|O_NOFOLLOW)", -abi.EBADF, `/proc/self/fd/${B}`, 0, abi.O_RDONLY | abi.O_CLOEXEC | NOF);
  await o2("no restriction /proc/self/fd/B (O_PATH|O_DIRECTORY|O_NOFOLLOW)", -abi.EBADF, `/proc/self/fd/${B}`, 0, O_DIR | NOF);
  await o2("no restriction /proc/self/fd/B (O_PATH|O_NOFOLLOW)", -abi.EBADF, `/proc/self/fd/${B}`, 0, O_P | NOF);
  // RESOLVE_BENEATH: no absolute path or symlink, no ".." above the start; below it, "..", "."
  // and a trailing "/" are fine, and so are mount crossings and relative symlinks.
  await o2("BENEATH b", B, "b", BENEATH);
  await o2("BENEATH b/", B, "b/", BENEATH);
  await o2("BENEATH /", B, "/", BENEATH);
  await o2("BENEATH ..", B, "..", BENEATH);
  await o2("BENEATH ./..", B, "./..", BENEATH);
  await o2("BENEATH b/..", B, "b/..", BENEATH);
  await o2("BENEATH b/../..", B, "b/../..", BENEATH);
  await o2("BENEATH b//../..", B, "b//../..", BENEATH);
  await o2("BENEATH b/c/../../b", B, "b/c/../../b", BENEATH);
  await o2("BENEATH b/../../base", B, "b/../../base", BENEATH);
  await o2("BENEATH abs", B, "abs", BENEATH);
  await o2("BENEATH rel", B, "rel", BENEATH);
  await o2("BENEATH a", B, "a", BENEATH);
  await o2("BENEATH a/..", B, "a/..", BENEATH);
  return log;
}

nativeTest(test, reason, "openat2's EINVALs and RESOLVE_* refusals: the real kernel (6.18) and the model agree call for call", () => realAndFake(async (ex, k, base) => {
  // openat2(2): with RESOLVE_BENEATH or RESOLVE_IN_ROOT, a ".." walked while any mount or rename
  // happened anywhere on the machine is EAGAIN (the global mount_lock/rename_lock seqcounts moved),
  // "the caller may choose to retry". Another process's mounts are no part of the model: retry.
  const scoped = abi.RESOLVE_BENEATH | abi.RESOLVE_IN_ROOT;
  const retried = async (r: Request) => {
    for (let i = 0; ; i++) {
      const res = await ex.exec(r);
      if (i >= 50 || !("errno" in res) || res.errno !== abi.EAGAIN || r.op !== "openat2" || (r.resolve & scoped) === 0) return res;
    }
  };
  const real = await run({ exec: retried, symlink: (p, t) => symlinkSync(t, `/proc/${ex.pid}/root${p}`) }, base);
  const model = await run({ exec: (r) => k.exec(r), symlink: (p, t) => { k.symlink(p, t); } }, base);
  assert.equal(model, real);
  assert.ok(real.filter((l) => l.startsWith("set-up")).every((l) => l === "set-up: 0"));
  assert.equal(real.filter((l) => !l.startsWith("set-up")), PINNED);
}, spawn));

const PINNED: string[] = [
  "flags 0x1000000: EINVAL",
  "flags 0x1000000 without O_PATH: EINVAL",
  "resolve 0x40: EINVAL",
  "mode 0644 without O_CREAT: EINVAL",
  "mode 0644 with O_CREAT: EISDIR",
  "BENEATH|IN_ROOT: EINVAL",
  "O_DIRECTORY|O_CREAT: EINVAL",
  "O_PATH|O_CREAT: EINVAL",
  "O_PATH|O_LARGEFILE: EINVAL",
  "RESOLVE_CACHED: 0",
  "NO_XDEV a: EXDEV",
  "NO_XDEV a/d: EXDEV",
  "NO_XDEV b/c: 0",
  "NO_XDEV ./b: 0",
  "NO_XDEV b//c: 0",
  "NO_XDEV toa: EXDEV",
  "NO_XDEV rel: 0",
  "NO_XDEV a/..: EXDEV",
  "NO_XDEV b/../a: EXDEV",
  "NO_XDEV .. from a: EXDEV",
  "NO_XDEV d/.. from a: 0",
  "NO_XDEV <base>/b (absolute): EXDEV",
  "NO_XDEV b from fd 99: EBADF",
  "NO_XDEV none/x: ENOENT",
  "NO_XDEV dangling: ENOENT",
  "NO_XDEV dangling/x: ENOENT",
  "BENEATH b from fd 99: EBADF",
  "NO_SYMLINKS b from fd 99: EBADF",
  "NO_SYMLINKS rel: ELOOP",
  "NO_SYMLINKS rel/c: ELOOP",
  "NO_SYMLINKS rel (O_PATH): ELOOP",
  "NO_SYMLINKS rel (O_PATH|O_NOFOLLOW): 0",
  "NO_SYMLINKS rel/ (O_PATH|O_NOFOLLOW): a trailing / follows: ELOOP",
  "NO_SYMLINKS rel/c (O_PATH|O_NOFOLLOW): a link mid-path is followed: ELOOP",
  "NO_SYMLINKS b/c: 0",
  "NO_MAGICLINKS /proc/self/fd: 0",
  "NO_SYMLINKS /proc/self/fd: ELOOP",
  "NO_SYMLINKS /proc/thread-self/fd: ELOOP",
  "NO_SYMLINKS /proc/self (O_PATH|O_NOFOLLOW): the link itself: 0",
  "NO_MAGICLINKS /proc/self/fd/B: ELOOP",
  "NO_MAGICLINKS /proc/self/fd/B/b: ELOOP",
  "NO_MAGICLINKS /proc/self/fd/..: 0",
  "NO_SYMLINKS /proc/self/fd/B: ELOOP",
  "NO_XDEV /proc/self/fd/B: EXDEV",
  "no restriction /proc/self/fd/B: 0",
  "IN_ROOT /b from B: 0",
  "IN_ROOT ../../b from B: 0",
  "IN_ROOT abs from B: its absolute target starts at B: ENOENT",
  "IN_ROOT /a/d from B: 0",
  "IN_ROOT /d from A: 0",
  "IN_ROOT /b from fd 99: EBADF",
  "NO_MAGICLINKS /proc/self/fd/B (O_PATH|O_DIRECTORY|O_NOFOLLOW): ENOTDIR",
  "NO_MAGICLINKS /proc/self/fd/B (O_PATH|O_NOFOLLOW): 0",
  "NO_SYMLINKS /proc/self/fd/B (O_PATH|O_DIRECTORY|O_NOFOLLOW): ELOOP",
  "NO_MAGICLINKS /proc/self/fd/B/ (O_PATH|O_NOFOLLOW): a trailing / follows: ELOOP",
  "no restriction /proc/self/fd/B (O_RDONLY|O_NOFOLLOW): ELOOP",
  "no restriction /proc/self/fd/B (O_PATH|O_DIRECTORY|O_NOFOLLOW): ENOTDIR",
  "no restriction /proc/self/fd/B (O_PATH|O_NOFOLLOW): 0",
  "BENEATH b: 0",
  "BENEATH b/: 0",
  "BENEATH /: EXDEV",
  "BENEATH ..: EXDEV",
  "BENEATH ./..: EXDEV",
  "BENEATH b/..: 0",
  "BENEATH b/../..: EXDEV",
  "BENEATH b//../..: EXDEV",
  "BENEATH b/c/../../b: 0",
  "BENEATH b/../../base: EXDEV",
  "BENEATH abs: EXDEV",
  "BENEATH rel: 0",
  "BENEATH a: 0",
  "BENEATH a/..: 0",
];

test.run();
