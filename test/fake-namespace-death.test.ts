// A mount namespace that dies takes its mounts out of their peer groups, on Linux 6.18 and in the
// fake kernel. When the last process leaves a namespace (an unshare, a setns) and no nsfs fd holds
// it, put_mnt_ns unmounts its mounts, and umount_tree makes each private: a peer copied out of it
// is left alone in its group. So MS_SLAVE then makes that peer private (it has no master), and
// MS_PRIVATE on it frees its slaves, where with the namespace alive both stay tied to the first
// namespace's mounts. The fake once kept a dead namespace's mounts in their groups for good.
// The real side is test/helpers/ns-death.c, run as a child in a mount namespace of its own.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as abi from "../src/abi.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import type { Request } from "../src/request.js";
import { nativeTest } from "./helpers/native-env.js";

const SRC = new URL("./helpers/ns-death.c", import.meta.url).pathname;
const BIN = new URL("../build/oracle/ns-death", import.meta.url).pathname;
const ROOT_LINE = "21 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n";

/** What Linux 6.18 printed (test/helpers/ns-death.c): T1 after the second unshare, T2 after MS_SLAVE on s and MS_PRIVATE on v. */
const RECORDED = {
  alive: ["T1", "/ ", "/s shared:g1", "/v shared:g2", "/w master:g2", "/m ", "/m/sub ", "T2", "/ ", "/s master:g1", "/v ", "/w master:g2", "/m ", "/m/sub ",
    "H m/onlyM 0", "H m/sub/inner 0", "H sub/../onlyM 0", "H sub/inner 0"],
  // Dead: its mounts are cut off each other (umount_tree without UMOUNT_CONNECTED), so the fd on m
  // no longer reaches m/sub's tmpfs, and ".." from m/sub's root stays there.
  dead: ["T1", "/ ", "/s shared:g1", "/v shared:g2", "/w master:g2", "/m ", "/m/sub ", "T2", "/ ", "/s ", "/v ", "/w ", "/m ", "/m/sub ",
    `H m/onlyM 0`, `H m/sub/inner ${abi.ENOENT}`, `H sub/../onlyM ${abi.ENOENT}`, "H sub/inner 0"],
};

/**
 * A table's lines under `base` as "path tags": the path below base, and the optional fields with
 * each peer group numbered by its first appearance (g1, g2, ...), the same map across both tables
 * of a run, so "v shared:g2" and "w master:g2" say that w is v's slave.
 */
function normalise(out: string, base: string): string[] {
  const groups = new Map<string, string>();
  const g = (n: string): string => { if (!groups.has(n)) groups.set(n, `g${groups.size + 1}`); return groups.get(n)!; };
  return out.split("\n").filter((l) => l !== "").map((l) => {
    if (/^T\d$/.test(l) || l.startsWith("H ")) return l;
    const f = l.split(" ");
    const tags = f.slice(6, f.indexOf("-")).map((t) => t.replace(/^(shared|master):(\d+)$/, (_, k: string, n: string) => `${k}:${g(n)}`));
    return `${f[4]!.slice(base.length) || "/"} ${tags.join(" ")}`;
  });
}

/** The same steps on the fake kernel: its unshare forks, so a dead first namespace is its process's exit. */
function onFake(kind: "alive" | "dead"): string[] {
  const base = "/tmp/ns-death";
  const k = FakeKernel.fromMountinfo(ROOT_LINE).mkdir(base).unshare();
  const x = (r: Record<string, unknown>): void => {
    const res = k.exec({ seq: 0, step: "test", reason: "namespace death", ...r } as Request);
    if ("errno" in res) throw new Error(`${JSON.stringify(r)}: errno ${res.errno}`);
  };
  const mount = (source: string | null, target: string, flags: number, fs: string | null = null): void =>
    x({ op: "mount", source, target, filesystemtype: fs, mountflags: flags, data: null });
  mount(null, "/", abi.MS_REC | abi.MS_PRIVATE);
  mount("tmpfs", base, 0, "tmpfs");
  const mkdir = (pathname: string): void => x({ op: "mkdir", pathname, mode: 0o755 });
  for (const d of ["s", "v", "w"]) mkdir(`${base}/${d}`);
  mount("tmpfs", `${base}/s`, 0, "tmpfs");
  mount(null, `${base}/s`, abi.MS_SHARED);
  mount("tmpfs", `${base}/v`, 0, "tmpfs");
  mount(null, `${base}/v`, abi.MS_SHARED);
  mount(`${base}/v`, `${base}/w`, abi.MS_BIND);
  mount(null, `${base}/w`, abi.MS_SLAVE);
  mkdir(`${base}/m`);
  mount("tmpfs", `${base}/m`, 0, "tmpfs");
  for (const d of ["m/onlyM", "m/sub"]) mkdir(`${base}/${d}`);
  mount("tmpfs", `${base}/m/sub`, 0, "tmpfs");
  mkdir(`${base}/m/sub/inner`);
  const open = (dirfd: number, pathname: string): { ret: number } | { errno: number } =>
    k.exec({ seq: 0, step: "test", reason: "namespace death", op: "openat", dirfd, pathname, flags: abi.O_PATH | abi.O_DIRECTORY | abi.O_CLOEXEC, mode: 0 });
  const fm = (open(abi.AT_FDCWD, `${base}/m`) as { ret: number }).ret;
  const fsub = (open(abi.AT_FDCWD, `${base}/m/sub`) as { ret: number }).ret;
  const first = k.state.current;
  k.unshare();
  if (kind === "dead") k.exit(first);
  const table = (name: string): string => `${name}\n${k.mountinfo().split("\n").filter((l) => (l.split(" ")[4] ?? "").startsWith(base)).join("\n")}\n`;
  const t1 = table("T1");
  mount(null, `${base}/s`, abi.MS_SLAVE);
  mount(null, `${base}/v`, abi.MS_PRIVATE);
  // The fds were copied by the fork, by number: the current process holds them now.
  const held = ([["m/onlyM", fm, "onlyM"], ["m/sub/inner", fm, "sub/inner"], ["sub/../onlyM", fsub, "../onlyM"], ["sub/inner", fsub, "inner"]] as const)
    .map(([what, fd, path]) => { const r = open(fd, path); return `H ${what} ${"errno" in r ? r.errno : 0}`; });
  return normalise(t1 + table("T2") + held.join("\n") + "\n", base);
}

for (const kind of ["alive", "dead"] as const) {
  test(`the fake kernel, first namespace ${kind}: as Linux 6.18 recorded`, () => {
    assert.equal(onFake(kind), RECORDED[kind]);
  });
}

test("exit(): the current process cannot exit, and a process's tree fds close with it", () => {
  const k = FakeKernel.fromMountinfo(ROOT_LINE).mkdir("/tmp/e").unshare();
  assert.throws(() => k.exit(k.state.current), /that is the current process/);
  const first = k.state.current;
  const r = k.exec({ seq: 0, step: "test", reason: "tree", op: "open_tree", dirfd: abi.AT_FDCWD, pathname: "/tmp/e", flags: abi.OPEN_TREE_CLONE });
  assert.ok("ret" in r);
  const tree = k.proc(first).fds.get((r as { ret: number }).ret)!.mnt;
  k.unshare();
  // The fork took a copy of the fd: the tree stays held by the child after the first exits.
  k.exit(first);
  assert.ok(!k.state.procs.has(first));
  assert.is(k.state.mounts.get(tree)!.parent, 0);
  assert.throws(() => k.exit(first), /no process/);
});

// The Linux 7.0 model (unverified: no kernel here has OPEN_TREE_NAMESPACE): crun 1.29's container
// process setns()es into the namespace open_tree(OPEN_TREE_NAMESPACE) made and leaves the one it
// unshared, with nothing else in it. mntns_install drops the old namespace with put_mnt_ns, the
// path the unshare above takes on 6.18, so the same rule: the left namespace dies.
test("the 7.0 model: setns out of a namespace nothing else holds kills it, so the copy's lone peer becomes private on MS_SLAVE", () => {
  const k = FakeKernel.fromMountinfo(ROOT_LINE).mkdir("/tmp/q").unshare();
  k.state.kernel = "7.0";
  const x = (r: Record<string, unknown>): number => {
    const res = k.exec({ seq: 0, step: "test", reason: "setns death", ...r } as Request);
    if ("errno" in res) throw new Error(`${JSON.stringify(r)}: errno ${res.errno}`);
    return res.ret;
  };
  const left = k.process.ns;
  // Private first, as a runtime makes its copy: else q, mounted under the host's shared root,
  // would be shared at once with a peer in the host's namespace, which lives on.
  x({ op: "mount", source: null, target: "/", filesystemtype: null, mountflags: abi.MS_REC | abi.MS_PRIVATE, data: null });
  x({ op: "mount", source: "tmpfs", target: "/tmp/q", filesystemtype: "tmpfs", mountflags: 0, data: null });
  x({ op: "mount", source: null, target: "/tmp/q", filesystemtype: null, mountflags: abi.MS_SHARED, data: null });
  const fd = x({ op: "open_tree", dirfd: abi.AT_FDCWD, pathname: "/", flags: abi.OPEN_TREE_NAMESPACE | abi.AT_RECURSIVE | abi.OPEN_TREE_CLOEXEC });
  const q = (): string => k.mountinfo().split("\n").find((l) => l.split(" ")[4] === "/tmp/q")!.split(" ").slice(6, -4).join(" ");
  x({ op: "setns", fd, nstype: abi.CLONE_NEWNS });
  assert.ok(![...k.state.mounts.values()].some((m) => m.ns === left), "the namespace left has no mounts");
  assert.match(q(), /^shared:\d+$/, "still shared, alone in its group");
  x({ op: "mount", source: null, target: "/tmp/q", filesystemtype: null, mountflags: abi.MS_SLAVE, data: null });
  assert.is(q(), "", "private: its only peer died with the namespace left");
});

function buildBin(): string | null {
  if (process.geteuid?.() !== 0) return "not root: the real side unshares a mount namespace";
  try {
    if (!existsSync(BIN) || statSync(BIN).mtimeMs < statSync(SRC).mtimeMs) {
      mkdirSync(join(BIN, ".."), { recursive: true });
      execFileSync(process.env.CC ?? "cc", ["-O2", "-Wall", "-Wextra", "-o", BIN + ".tmp", SRC], { stdio: "pipe" });
      execFileSync("mv", [BIN + ".tmp", BIN]);
    }
  } catch (e) {
    return `test/helpers/ns-death.c does not build: ${(e as Error).message.split("\n")[0]}`;
  }
  return null;
}

const reason = buildBin();
for (const kind of ["alive", "dead"] as const) {
  nativeTest(test, reason, `the real kernel, first namespace ${kind}: as recorded, and as the fake does`, () => {
    const base = mkdtempSync(join(tmpdir(), "pivotshim-nsdeath-"));
    try {
      const r = spawnSync(BIN, [kind, base], { encoding: "utf8", timeout: 30_000 });
      assert.is(r.status, 0, r.stderr);
      const real = normalise(r.stdout, base);
      assert.equal(real, RECORDED[kind]);
      assert.equal(onFake(kind), real);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
}

test.run();
