// LXC's lxc_chroot (the lxc profile's strategy move) on Linux through the executor child and on the
// FakeKernel: a scratch tmpfs is the child's root (chroot), with its own /proc, a nested /dev, a
// mount whose name has a space and LXC's rootfs mount point; then the machine's whole lxc move plan
// runs on both. Every request, every errno, and every mountinfo text read (mount points, fstypes,
// parents renumbered) must agree. The subtle kernel facts it pins: after the MS_REC bind onto "/",
// "./x" from the old root still names the old tree; chdir("..") at the process root lands on the
// top of "/"'s stack, the new root. Root only (proc cannot be mounted in a user namespace here).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import type { AsyncHost } from "../src/hosts/host.js";
import type { Request, Result } from "../src/request.js";
import { driveAsync } from "../src/driver.js";
import type { Trace } from "../src/trace.js";
import { nativeTest, realAndFake, skipReason } from "./helpers/native-env.js";

const reason = await skipReason("root");
const test = suite("lxc_chroot: real kernel vs fake kernel");
const c = { seq: 0, step: "test", reason: "lxc_chroot oracle set-up" };
type Bare = Request extends infer R ? R extends unknown ? Omit<R, "seq" | "step" | "reason"> : never : never;
const LXC_MNT = "usr/lib/x86_64-linux-gnu/lxc/rootfs";

/** The old root: a tmpfs at base/old, entered with chroot, laid out as an LXC host would be. */
async function setUp(x: AsyncHost, base: string, wide = 0): Promise<number[]> {
  const errnos: number[] = [];
  const call = async (r: Bare): Promise<void> => {
    const res = await x.exec({ ...c, ...r } as Request);
    errnos.push("errno" in res ? res.errno : 0);
  };
  const tmpfs = (target: string) => call({ op: "mount", source: "tmpfs", target, filesystemtype: "tmpfs", mountflags: 0, data: null });
  const mkdir = (p: string) => call({ op: "mkdir", pathname: p, mode: 0o755 });
  await tmpfs(base);
  await call({ op: "mount", source: null, target: base, filesystemtype: null, mountflags: abi.MS_PRIVATE, data: null });
  const old = `${base}/old`;
  await mkdir(old);
  await tmpfs(old);
  let at = old;
  for (const d of LXC_MNT.split("/")) await mkdir((at = `${at}/${d}`));
  for (const d of ["proc", "dev", "sp ace", "rootfs", "rootfs/proc", "rootfs/dev"]) await mkdir(`${old}/${d}`);
  await call({ op: "mount", source: "proc", target: `${old}/proc`, filesystemtype: "proc", mountflags: 0, data: null });
  await tmpfs(`${old}/dev`);
  await mkdir(`${old}/dev/pts`);
  await tmpfs(`${old}/dev/pts`);
  await tmpfs(`${old}/sp ace`);
  // The container's own /proc and /dev, under the rootfs: the recursive binds carry them along.
  await call({ op: "mount", source: "proc", target: `${old}/rootfs/proc`, filesystemtype: "proc", mountflags: 0, data: null });
  await tmpfs(`${old}/rootfs/dev`);
  // wide: a mountinfo of several reads, each parent in the first read and its child in a later one.
  // Fillers between them, so that every child is past the first 4 KiB on Linux and on the model.
  for (let i = 0; i < wide; i++) { await mkdir(`${old}/m${i}`); await tmpfs(`${old}/m${i}`); await mkdir(`${old}/m${i}/s`); }
  for (let i = 0; i < wide * 3; i++) { await mkdir(`${old}/f${i}`); await tmpfs(`${old}/f${i}`); }
  for (let i = 0; i < wide; i++) await tmpfs(`${old}/m${i}/s`);
  await call({ op: "chdir", path: old });
  await call({ op: "chroot", path: "." });
  await call({ op: "chdir", path: "/" });
  return errnos;
}

/** A mountinfo text as "mount point fstype parent#": ids renumbered in order of appearance. */
function shape(text: string): string[] {
  const ids = new Map<string, number>();
  const id = (s: string) => { if (!ids.has(s)) ids.set(s, ids.size); return ids.get(s)!; };
  return text.trim().split("\n").map((l) => {
    const f = l.split(" ");
    const self = id(f[0]!);
    return `${self}:${f[4]} ${f[f.indexOf("-") + 1]} in ${id(f[1]!)}`;
  });
}

/**
 * The trace as comparable lines: each request's op and strings and its errno; a file's reads as one
 * line at its close, the shape of all they returned (where a read ends depends on the width of
 * mount ids, so the umount2 calls between a pass's reads are compared, not where the reads fall).
 */
function calls(t: Trace): string[] {
  const out: string[] = [];
  let text = "";
  for (const { request: r, result } of t.steps) {
    if (r.op === "read") { if ("ret" in result) text += result.text ?? Buffer.from(result.base64 ?? "", "base64").toString("latin1"); continue; }
    if (r.op === "close" && text !== "") { out.push(`reads -> ${shape(text).join(" | ")}`); text = ""; }
    const { seq: _s, reason: _r, ...rest } = r;
    out.push(`${JSON.stringify(rest)} = ${"errno" in result ? result.errnoName : "ok"}`);
  }
  return out;
}

async function after(x: AsyncHost): Promise<{ cwd: string; table: string[] }> {
  const cwd = await x.exec({ ...c, op: "getcwd", size: 4096 });
  const f = await x.exec({ ...c, op: "openat", dirfd: abi.AT_FDCWD, pathname: "/proc/self/mountinfo", flags: abi.O_RDONLY | abi.O_CLOEXEC, mode: 0 });
  const fd = "ret" in f ? f.ret : -1;
  let text = "";
  for (;;) {
    const r = await x.exec({ ...c, op: "read", fd, count: abi.MOUNTINFO_CHUNK });
    if (!("ret" in r) || r.ret === 0) break;
    text += Buffer.from(r.data!).toString();
  }
  return { cwd: "data" in cwd && cwd.data ? Buffer.from(cwd.data).toString().replace(/\0.*$/s, "") : "?", table: shape(text) };
}

const asyncOf = (k: FakeKernel): AsyncHost => ({ kind: "fake", exec: async (r: Request): Promise<Result> => k.exec(r) }) as unknown as AsyncHost;

nativeTest(test, reason, "lxc move (lxc_chroot): Linux and the model agree request for request, errno for errno, table for table", () => realAndFake(async (ex, k, base) => {
  const cfg = { rootfs: "/rootfs", profile: "lxc", strategy: "move" } as const;
  const realSetup = await setUp(ex, base);
  const real = await driveAsync(cfg, ex);
  const realAfter = await after(ex);
  const fake = asyncOf(k);
  const modelSetup = await setUp(fake, base);
  const model = await driveAsync(cfg, fake);
  const modelAfter = await after(fake);
  assert.equal(realSetup.filter((e) => e !== 0), [], "the set-up runs on Linux");
  assert.equal(modelSetup, realSetup);
  assert.equal(calls(model), calls(real));
  assert.equal(model.outcome, real.outcome);
  assert.equal(modelAfter, realAfter);
  // What Linux said, pinned: the passes unmount the old tree through "./" (the bind stacked on
  // "/" is not climbed from the cwd), the name with a space is never found (\040 as printed),
  // "./proc" goes last, and chdir("..") lands on the new root, whose /proc is then readable.
  const umounts = calls(real).filter((l) => l.includes('"umount2"'));
  assert.ok(umounts.some((l) => l.includes('"./dev"') && l.endsWith("= ok")), "./dev detached");
  assert.ok(umounts.some((l) => l.includes('"./sp\\\\040ace"') && l.endsWith("= ENOENT")), "the escaped name is not found");
  assert.ok(umounts.some((l) => l.includes(`"./${LXC_MNT}"`) && l.endsWith("= ok")), "the rootfs mount point's old bind detached");
  assert.ok(umounts.at(-1)!.includes('"./proc"') && umounts.at(-1)!.endsWith("= ok"), "./proc last");
  if (process.env.LXC_ORACLE_SHOW) console.log(calls(real).join("\n"), realAfter);
  assert.equal(real.outcome.kind, "done");
  assert.is(realAfter.cwd, "/");
  assert.ok(realAfter.table.some((l) => /:\/proc proc /.test(l)), "the new root's /proc, read after chroot");
}));

nativeTest(test, reason, "a mountinfo of several reads: the passes' later reads agree with Linux's (seq_file resumes by mount id)", () => realAndFake(async (ex, k, base) => {
  const cfg = { rootfs: "/rootfs", profile: "lxc", strategy: "move" } as const;
  await setUp(ex, base, 20);
  const real = await driveAsync(cfg, ex);
  await setUp(asyncOf(k), base, 20);
  const model = await driveAsync(cfg, asyncOf(k));
  if (process.env.LXC_ORACLE_SHOW) console.log(calls(real).join("\n"));
  assert.ok(real.steps.filter((s) => s.request.op === "read" && "ret" in s.result && s.result.ret > 0).length > 3, "several reads a pass");
  assert.equal(calls(model), calls(real));
  // Linux: the children went with their parents before the read that would list them.
  assert.not.ok(calls(real).some((l) => l.includes('"./m0/s"')), "no umount2 of a child detached before its line was read");
}));

nativeTest(test, reason, "mountinfo is live between reads: a mount made after the first read is listed, one unmounted is not", () => realAndFake(async (ex, k, base) => {
  const seen = async (x: AsyncHost): Promise<string[]> => {
    const call = (r: Bare) => x.exec({ ...c, ...r } as Request);
    await call({ op: "mount", source: "tmpfs", target: base, filesystemtype: "tmpfs", mountflags: 0, data: null });
    for (const d of ["gone", "later"]) await call({ op: "mkdir", pathname: `${base}/${d}`, mode: 0o755 });
    await call({ op: "mount", source: "tmpfs", target: `${base}/gone`, filesystemtype: "tmpfs", mountflags: 0, data: null });
    const f = await call({ op: "openat", dirfd: abi.AT_FDCWD, pathname: "/proc/self/mountinfo", flags: abi.O_RDONLY, mode: 0 });
    const fd = "ret" in f ? f.ret : -1;
    await call({ op: "read", fd, count: 1 }); // the first record, whole in the kernel's buffer
    await call({ op: "read", fd, count: 4096 });
    await call({ op: "umount2", target: `${base}/gone`, flags: 0 });
    await call({ op: "mount", source: "tmpfs", target: `${base}/later`, filesystemtype: "tmpfs", mountflags: 0, data: null });
    let text = "";
    for (;;) {
      const r = await call({ op: "read", fd, count: 4096 });
      if (!("ret" in r) || r.ret === 0) break;
      text += Buffer.from(r.data!).toString();
    }
    await call({ op: "close", fd });
    return text.split("\n").map((l) => l.split(" ")[4] ?? "").filter((p) => p.startsWith(base)).map((p) => p.slice(base.length));
  };
  const real = await seen(ex);
  assert.equal(await seen(asyncOf(k)), real);
  assert.equal(real, ["/later"], "Linux: the unmounted mount is gone, the new one listed");
}));

test.run();
