// The bytes mountinfo's renderer hands out (src/hosts/fake/mountinfo.ts, renderMountinfoBytes) where
// its fast path must give up or grow: a name past ASCII (U+0080, the first code point that is two
// bytes in UTF-8) against Linux 6.18; reads resumed across umounts whose rendering took the long way
// (the seqs of the lines shown decide where a resumed read goes on); a mount made with no source
// ("none"); numbers the integer writer must leave to String; and the buffer's growth at a number and inside a name, in a process where nothing has
// rendered before (test/helpers/render-fresh.ts). Written for the survivors of the renderers' first
// Stryker run (docs/mutation.md, "mountinfo.ts: the renderers").
import { spawnSync } from "node:child_process";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import { renderMountinfo, renderMountinfoBytes } from "../src/hosts/fake/mountinfo.js";
import { encodeString } from "../src/utf8.js";
import type { Request, Result } from "../src/request.js";
import { nativeTest, realAndFake, skipReason } from "./helpers/native-env.js";

const reason = await skipReason("root");
const test = suite("fake mountinfo renderer: real kernel vs fake kernel");
const c = { seq: 0, step: "test", reason: "render test" };
type Bare = Request extends infer R ? R extends unknown ? Omit<R, "seq" | "step" | "reason"> : never : never;
interface Exec { exec(r: Request): Promise<Result> | Result }
const dec = new TextDecoder(); // not fatal: a lone byte 0x80 shows as U+FFFD, so a wrong encoding differs
const enc = new TextEncoder();

/** The mounts under base, in the order they are made: m1 without a source, two names past ASCII. */
const NAMES = ["m1", "\u0080", "m3", "\u00e94", "m5"];

/**
 * base (a private tmpfs) with a tmpfs at each of NAMES, then mountinfo read through one fd:
 * - "whole": in MOUNTINFO_CHUNK reads;
 * - "one": up to the end of é4's record (past both names beyond ASCII), m5 unmounted, the rest;
 * - "two": up to the end of m1's record, m3 unmounted, up to the end of é4's record, m5 unmounted,
 *   the rest (the second resumed read goes on from the seqs the first one's rendering listed).
 * Returns the lines under base as "mount point source" (the text after the fstype). `names` replaces
 * NAMES for a whole read.
 */
async function liveRead(x: Exec, base: string, mode: "whole" | "one" | "two", names = NAMES): Promise<string[]> {
  const call = (r: Bare) => x.exec({ ...c, ...r } as Request);
  const open = async (): Promise<number> => {
    const f = await call({ op: "openat", dirfd: abi.AT_FDCWD, pathname: "/proc/self/mountinfo", flags: abi.O_RDONLY | abi.O_CLOEXEC, mode: 0 });
    if (!("ret" in f)) throw new Error(`open mountinfo: errno ${f.errno}`);
    return f.ret;
  };
  const read = async (fd: number, count: number): Promise<Uint8Array> => {
    const r = await call({ op: "read", fd, count });
    return "ret" in r ? r.data! : new Uint8Array(0);
  };
  const umount = (name: string) => call({ op: "umount2", target: `${base}/${name}`, flags: abi.MNT_DETACH });
  /** Appends reads to `got` until it holds `upTo` bytes (or, with no bound, until EOF). */
  const readTo = async (fd: number, got: number[], upTo = Infinity): Promise<void> => {
    for (;;) {
      const b = await read(fd, Math.min(abi.MOUNTINFO_CHUNK, upTo - got.length));
      if (b.length === 0) return;
      got.push(...b);
      if (got.length >= upTo) return;
    }
  };
  await call({ op: "mount", source: "tmpfs", target: base, filesystemtype: "tmpfs", mountflags: 0, data: null });
  await call({ op: "mount", source: null, target: base, filesystemtype: null, mountflags: abi.MS_PRIVATE, data: null });
  for (const n of names) {
    const r = await call({ op: "mkdir", pathname: `${base}/${n}`, mode: 0o755 });
    if (!("ret" in r)) throw new Error(`mkdir ${n}: errno ${r.errno}`);
    await call({ op: "mount", source: n === "m1" ? null : "tmpfs", target: `${base}/${n}`, filesystemtype: "tmpfs", mountflags: 0, data: null });
  }
  const whole: number[] = [];
  const a = await open();
  await readTo(a, whole);
  await call({ op: "close", fd: a });
  /** Where the record of base/name ends in the whole read (its newline's offset + 1). */
  const end = (name: string): number => {
    const at = indexOf(whole, enc.encode(` ${base}/${name} `));
    if (at < 0) throw new Error(`no record of ${name}`);
    return whole.indexOf(0x0a, at) + 1;
  };
  let got = whole;
  if (mode !== "whole") {
    got = [];
    const fd = await open();
    if (mode === "one") {
      await readTo(fd, got, end("\u00e94"));
      await umount("m5");
    } else {
      await readTo(fd, got, end("m1"));
      await umount("m3");
      // Without m3's record, é4's ends that much sooner.
      await readTo(fd, got, end("\u00e94") - (end("m3") - end("\u0080")));
      await umount("m5");
    }
    await readTo(fd, got);
    await call({ op: "close", fd });
  }
  for (const n of names) await umount(n);
  await call({ op: "umount2", target: base, flags: abi.MNT_DETACH });
  return dec.decode(new Uint8Array(got)).split("\n").map((l) => l.split(" ")).filter((f) => (f[4] ?? "").startsWith(base))
    .map((f) => `${f[4]!.slice(base.length) || "/"} ${f[f.indexOf("-") + 2]}`);
}

function indexOf(hay: number[], needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

nativeTest(test, reason, "names past ASCII, a mount without a source, reads resumed across umounts: the fake's bytes are Linux's", () => realAndFake(async (ex, k, base) => {
  // What Linux 6.18 said: the names as UTF-8, "none" for the mount made with no source, and a
  // resumed read goes on after the last record shown, whatever the rendering of the ones before.
  const all = ["/ tmpfs", "/m1 none", "/\u0080 tmpfs", "/m3 tmpfs", "/\u00e94 tmpfs", "/m5 tmpfs"];
  const expected = { whole: all, one: all.slice(0, 5), two: [all[0], all[1], all[2], all[4]] };
  for (const mode of ["whole", "one", "two"] as const) {
    const real = await liveRead(ex, base, mode);
    assert.equal(real, expected[mode], `Linux, ${mode}`);
    assert.equal(await liveRead(k, base, mode), real, `fake, ${mode}`);
  }
  // U+0080 the only character past ASCII in the file: nothing later sends the render the long way.
  const real = await liveRead(ex, base, "whole", ["m1", "\u0080"]);
  assert.equal(real, all.slice(0, 3), "Linux, U+0080 alone");
  assert.equal(await liveRead(k, base, "whole", ["m1", "\u0080"]), real, "fake, U+0080 alone");
}));

test("the same reads on the fake alone (no root needed): names past ASCII, a mount without a source, resumed reads", async () => {
  const k = FakeKernel.fromMountinfo("1 0 0:1 / / rw - tmpfs root rw\n2 1 0:2 / /proc rw - proc proc rw\n").mkdir("/base");
  const all = ["/ tmpfs", "/m1 none", "/\u0080 tmpfs", "/m3 tmpfs", "/\u00e94 tmpfs", "/m5 tmpfs"];
  assert.equal(await liveRead(k, "/base", "whole"), all);
  assert.equal(await liveRead(k, "/base", "one"), all.slice(0, 5));
  assert.equal(await liveRead(k, "/base", "two"), [all[0], all[1], all[2], all[4]]);
  assert.equal(await liveRead(k, "/base", "whole", ["m1", "\u0080"]), all.slice(0, 3), "U+0080 alone");
});

test("the largest IDs a table may hold (mount IDs of 9 digits, group IDs up to 2^31 - 1) render as the joined text writes them", () => {
  // The byte writer takes every number as an unsigned integer: the grammar refuses any other in a
  // table (shared:-5, master:1.5, 23 digits), and the model's own IDs count up from those.
  const text = "1 1 0:1 / / rw - tmpfs root rw\n999999999 1 0:2 / /x rw shared:2147483647 master:1000000000 propagate_from:9 - tmpfs t rw\n";
  const k = FakeKernel.fromMountinfo(text);
  const bytes = renderMountinfoBytes(k.state, k.process);
  assert.equal(bytes, encodeString(renderMountinfo(k.state, k.process)));
  assert.is(dec.decode(bytes), text);
});

for (const edge of ["number", "string"] as const) {
  test(`the render buffer grows where a ${edge === "number" ? "mount ID starts just past it" : "name spans its end"}: the bytes equal the joined text's (a fresh process)`, () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "test/helpers/render-fresh.ts", edge], { encoding: "utf8", cwd: new URL("..", import.meta.url).pathname });
    assert.is(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { edge: string; same: boolean; bytes: number; firstDiff: number };
    assert.not.equal(out.edge, "missed", "the table did not put the edge at byte 4096: the test would not test the growth");
    assert.ok(out.bytes > 4096 && out.bytes < 8192, `one growth: ${out.bytes} bytes`);
    assert.is(out.firstDiff, -1, "the rendered bytes differ from the joined text's");
    assert.ok(out.same);
  });
}

test("a namespace made by open_tree(OPEN_TREE_NAMESPACE) keeps the table's order: seq rises in s.mounts order (mountinfo lists by it, unsorted)", () => {
  const k = FakeKernel.fromMountinfo("1 0 0:1 / / rw - tmpfs root rw\n").mkdir("/t/b/x").mkdir("/t/a");
  k.state.kernel = "7.0"; // OPEN_TREE_NAMESPACE is Linux 7.0's (src/hosts/fake/sys-ns.ts)
  const call = (r: Bare): Result => k.exec({ ...c, ...r } as Request);
  const tmpfs = (target: string) => call({ op: "mount", source: "tmpfs", target, filesystemtype: "tmpfs", mountflags: 0, data: null });
  tmpfs("/t");
  // b, then a, then b/x: made in another order than the depth-first walk a copy takes (t, b, b/x, a).
  for (const d of ["/t/b", "/t/a", "/t/b/x"]) { k.mkdir(d); tmpfs(d); }
  const fd = call({ op: "open_tree", dirfd: abi.AT_FDCWD, pathname: "/t", flags: abi.OPEN_TREE_NAMESPACE | abi.AT_RECURSIVE | abi.OPEN_TREE_CLOEXEC });
  if (!("ret" in fd)) throw new Error(`open_tree: errno ${fd.errno}`);
  const setns = call({ op: "setns", fd: fd.ret, nstype: abi.CLONE_NEWNS });
  assert.ok("ret" in setns, JSON.stringify(setns));
  const byNs = new Map<number, number[]>();
  for (const m of k.state.mounts.values()) byNs.set(m.ns, [...(byNs.get(m.ns) ?? []), m.seq]);
  for (const [ns, seqs] of byNs) assert.equal(seqs, [...seqs].sort((x, y) => x - y), `namespace ${ns}: s.mounts order is not seq order`);
  assert.equal(k.mountinfo().split("\n").slice(0, -1).map((l) => l.split(" ")[4]), ["/", "/b", "/b/x", "/a"]);
});

test.run();
