// mountinfo's `propagate_from:N` (get_dominating_id, fs/pnode.c): a slave whose master group has no
// member the reader can see names the nearest group up the chain of masters that has one. Showing
// it takes three namespaces: group 2 lives only in the middle one, group 1 in all three. The same
// steps run on the fake kernel and, as root, for real under unshare(1) in a throwaway namespace
// (never this process's); the lines under the test folder must agree, groups renumbered.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MS_BIND, MS_SHARED, MS_SLAVE } from "../src/abi.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import { chroot, errnoOf, mount, run } from "./fixtures/fake/calls.js";

/** Mount point (below the base), then the optional fields with groups numbered by first use. */
function shape(lines: string[], base: string): string[] {
  const groups = new Map<string, number>();
  return lines.map((l) => {
    const f = l.split(" ");
    const sep = f.indexOf("-", 6);
    const tags = f.slice(6, sep).map((t) => {
      const [k, v] = t.split(":");
      if (v === undefined) return k;
      if (!groups.has(v)) groups.set(v, groups.size + 1);
      return `${k}:${groups.get(v)}`;
    });
    return `${f[4]!.slice(base.length) || "/"} ${tags.join(" ") || "private"}`;
  });
}

/**
 * The three namespaces on the fake: N1 shares /a with /b; N2 makes its /a a shared slave; N3 makes
 * its /a a slave of that. Read by N2, by N3, and by a process of N3 chrooted into /a.
 */
function onFake(): string[][] {
  const k = FakeKernel.fromMountinfo("2 1 0:1 / / rw,relatime - tmpfs base rw\n");
  k.mkdir("/a").mkdir("/b");
  const failed = run(k, [
    mount("x", "/a", "tmpfs", 0), mount(null, "/a", null, MS_SHARED), mount("/a", "/b", null, MS_BIND),
  ]);
  assert.is(failed, null);
  k.unshare();
  const n2 = k.state.current;
  assert.is(run(k, [mount(null, "/a", null, MS_SLAVE), mount(null, "/a", null, MS_SHARED)]), null);
  k.unshare();
  assert.is(run(k, [mount(null, "/a", null, MS_SLAVE)]), null);
  const ours = (pid: number) => k.mountinfo(pid).split("\n").filter((l) => / - tmpfs x /.test(l));
  const read = [ours(n2), ours(k.state.current)];
  assert.is(errnoOf(k.exec(chroot("/a"))), 0);
  return [...read, ours(k.state.current)];
}

test("the fake kernel: a slave of a group it cannot see shows the visible group above it, and only that", () => {
  assert.equal(onFake().map((t) => shape(t, "")), [
    ["/a shared:1 master:2", "/b shared:2"], // N2: the master group has a member here (/b): no propagate_from
    ["/a master:1 propagate_from:2", "/b shared:2"], // N3: group 1 lives only in N2
    ["/ master:1"], // N3 chrooted into /a: /b is out of reach (is_path_reachable), so nothing dominates
  ]);
});

// What the real kernel printed in N3 (Linux 6.18, util-linux 2.38.1), for runs without root:
// "112 111 0:40 / $D/a rw,relatime master:2 propagate_from:1 - tmpfs x rw" and "... $D/b ... shared:1".
const unshareOk = spawnSync("unshare", ["--version"]).status === 0;
const PROBE = new URL("../build/probe/probe", import.meta.url).pathname;
const why = process.geteuid?.() !== 0 ? "not root: unshare -m needs CAP_SYS_ADMIN" : !unshareOk ? "unshare(1) is not installed"
  : !existsSync(PROBE) ? "build/probe/probe is not built (npm run build:native)" : null;
const realName = "the real kernel prints the same propagate_from, three namespaces deep";
if (why) {
  console.error(`SKIP ${realName}: ${why}`);
  test.skip(realName);
} else {
  test(realName, () => {
    const tmp = mkdtempSync(join(tmpdir(), "pivotshim-propfrom-"));
    const d = join(tmp, "d");
    try {
      // One script per namespace (no nested quoting); --propagation unchanged: unshare(1) would
      // otherwise make every copy private. The chrooted reader is the static probe, sleeping:
      // /proc/PID/mountinfo is rendered against PID's root.
      mkdirSync(d);
      const lines = `grep " - tmpfs x " /proc/$1/mountinfo; echo --`;
      writeFileSync(join(tmp, "n3.sh"), `mount --make-slave ${d}/a && sh ${tmp}/lines.sh self && cp ${PROBE} ${d}/a/probe && ` +
        `{ chroot ${d}/a /probe sleep 5000 & p=$!; until [ "$(readlink /proc/$p/root)" = "${d}/a" ]; do sleep 0.01; done; ` +
        `sh ${tmp}/lines.sh $p; kill $p; wait $p; true; }\n`);
      writeFileSync(join(tmp, "lines.sh"), lines + "\n");
      writeFileSync(join(tmp, "n2.sh"), `mount --make-slave ${d}/a && mount --make-shared ${d}/a && sh ${tmp}/lines.sh self && unshare -m --propagation unchanged sh ${tmp}/n3.sh\n`);
      writeFileSync(join(tmp, "n1.sh"), `mount -t tmpfs base ${d} && mkdir ${d}/a ${d}/b && mount -t tmpfs x ${d}/a && mount --make-shared ${d}/a && ` +
        `mount --bind ${d}/a ${d}/b && unshare -m --propagation unchanged sh ${tmp}/n2.sh\n`);
      const r = spawnSync("unshare", ["-m", "--propagation", "private", "sh", join(tmp, "n1.sh")], { encoding: "utf8", timeout: 60_000 });
      assert.is(r.status, 0, r.stderr);
      const real = r.stdout.split("--\n").slice(0, 3).map((t) => t.split("\n").filter((l) => l !== ""));
      // The chrooted reader sees its root as "/": its mount point is relative to the chroot.
      const bases = [d, d, ""];
      assert.equal(real.map((t, i) => shape(t, bases[i]!)), onFake().map((t) => shape(t, "")), `real:\n${r.stdout}`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
}

// A parsed `propagate_from` is what the table's reader saw; the fake keeps it while the mount's
// master stays (it cannot see the groups behind it), and drops it once the master changes: from
// then on the fake names only what it can work out (setMaster in src/hosts/fake/propagation.ts).
test("a parsed propagate_from stays with its master and goes when the master changes", () => {
  const k = FakeKernel.fromMountinfo(
    "2 1 0:1 / / rw,relatime - tmpfs base rw\n" +
    "3 2 0:2 / /x rw,relatime shared:8 master:5 propagate_from:3 - tmpfs x rw\n" +
    "4 2 0:2 / /y rw,relatime shared:8 master:5 propagate_from:3 - tmpfs x rw\n");
  assert.match(k.mountinfo(), / \/x rw,relatime shared:8 master:5 propagate_from:3 - /, "kept as parsed");
  assert.is(errnoOf(k.exec(chroot("/x"))), 0);
  assert.is(errnoOf(k.exec(mount(null, "/", null, MS_SLAVE))), 0);
  // From inside /x, /y (group 8's other member) is out of reach: nothing dominates that the fake knows.
  assert.match(k.mountinfo(), /^3 2 0:2 \/ \/ rw,relatime master:8 - /m);
});

test.run();
