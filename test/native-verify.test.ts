// run() against its own prediction, for real: on a namespace whose "/" is rshared (the host case
// that made runs unmount the caller's /proc), every profile × strategy × {prepare, --no-prepare} ×
// propagation, with the rootfs a plain directory, its own mount, or on a shared tmpfs. run() must
// refuse exactly the rows the fake kernel predicts as violating, execute the rest without a
// divergence, and leave the namespace's table byte-identical. Each placement is one child shell
// (unshare -m) that cuts its ties to this namespace, then runs every row in one node process.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROFILES, STRATEGIES } from "../src/schema.js";
import { PROBE, ROOTFS_PREFIX, hostMountinfo, nativeTest, skipReason } from "./helpers/native-env.js";
import { strategiesOf } from "./helpers.js";

const test = suite("native verify: run refuses exactly what the model predicts");
const reason = await skipReason("root");
const ROOT = new URL("..", import.meta.url).pathname;
const CHILD = join(ROOT, "test/helpers/verify-matrix-child.ts");

const PROPAGATIONS = [undefined, "rshared", "rslave", "rprivate"] as const;
const rows = PROFILES.flatMap((profile) => strategiesOf(profile).flatMap((strategy) => [true, false].flatMap((prepare) =>
  PROPAGATIONS.map((rootPropagation) => ({ profile, strategy, prepare, ...(rootPropagation ? { rootPropagation } : {}) })))));

/** The shell that builds the host in the child's namespace. "/" rprivate first: no peer of ours. */
const PLACEMENTS: Record<string, (base: string) => { setup: string; rootfs: string }> = {
  "a directory": (b) => ({ setup: "", rootfs: `${b}/rootfs` }),
  "its own mount": (b) => ({ setup: `mount --bind ${b}/rootfs ${b}/rootfs`, rootfs: `${b}/rootfs` }),
  "on a shared tmpfs": (b) => ({
    setup: `mkdir ${b}/t && mount -t tmpfs -o size=16m tmpfs ${b}/t && mount --make-shared ${b}/t && mkdir ${b}/t/rootfs && cp ${PROBE} ${b}/t/rootfs/probe`,
    rootfs: `${b}/t/rootfs`,
  }),
};

interface Row { row: object; rejected?: true; predicted?: string[]; outcome?: string; reason?: string; message?: string; unchanged?: boolean; exit?: unknown }

function inChild(setup: string, rootfs: string, body = `exec "${process.execPath}" --import tsx "${CHILD}" "$1" "$2"`): Promise<{ code: number | null; out: string; err: string }> {
  const script = `set -e; mount --make-rprivate /; mount --make-rshared /; ${setup}
set +e
${body}`;
  return new Promise((resolve, reject) => {
    const p = spawn("unshare", ["-m", "--propagation", "unchanged", "sh", "-c", script, "sh", rootfs, JSON.stringify(rows)],
      { cwd: ROOT, env: { ...process.env, PIVOTSHIM_MATRIX_CHILD: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    p.stdout.on("data", (d: Buffer) => { out += d; });
    p.stderr.on("data", (d: Buffer) => { err += d; });
    p.on("error", reject);
    p.on("close", (code) => resolve({ code, out, err }));
  });
}

for (const [name, place] of Object.entries(PLACEMENTS)) {
  nativeTest(test, reason, `rootfs ${name}, "/" rshared: ${rows.length} rows`, async () => {
    const before = hostMountinfo();
    const base = mkdtempSync(join(tmpdir(), ROOTFS_PREFIX));
    try {
      mkdirSync(join(base, "rootfs"));
      copyFileSync(PROBE, join(base, "rootfs", "probe"));
      const { setup, rootfs } = place(base);
      const r = await inChild(setup, rootfs);
      assert.is(r.code, 0, r.err);
      const results = r.out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Row);
      assert.is(results.length, rows.length, `every row reports (the namespace broke after the last one?)\n${r.err}`);
      const ran = results.filter((x) => !x.rejected);
      const bad = ran.filter((x) => {
        const predicted = x.predicted!.length > 0;
        return !x.unchanged || (predicted ? x.outcome !== "refused" || x.reason !== "predicted-damage" : x.outcome === "refused");
      });
      assert.equal(bad, [], `rows where run did not do what the prediction says, or the table changed`);
      const refused = ran.filter((x) => x.outcome === "refused").length;
      console.error(`  ${name}: ${ran.length} rows run (${refused} refused as predicted, ${ran.length - refused} executed), ${results.length - ran.length} rejected by the config rule`);
      // The matrix must contain both kinds, or it proves nothing about refusing.
      assert.ok(ran.some((x) => x.outcome === "done"), "some rows execute");
      if (name !== "a directory") assert.ok(refused > 0, "some rows are refused");
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
    assert.is(hostMountinfo(), before);
  });
}

const CLI = join(ROOT, "dist/cli/pivotshim.cjs");

nativeTest(test, reason, "pivotshim run: refused on stderr, in --trace-out, exit 1; --no-verify runs it and the model's damage is real", async () => {
  const before = hostMountinfo();
  const base = mkdtempSync(join(tmpdir(), ROOTFS_PREFIX));
  try {
    mkdirSync(join(base, "rootfs"));
    copyFileSync(PROBE, join(base, "rootfs", "probe"));
    const run = `"${process.execPath}" "${CLI}" run --rootfs ${base}/rootfs --strategy move --no-prepare`;
    // The --no-verify run unmounts this child namespace's /proc, as the prediction says it would.
    const r = await inChild("", "", `${run} --trace-out ${base}/t.json -- /probe >/dev/null 2>${base}/err1; echo "rc=$?"
${run} --no-verify -- /probe >/dev/null 2>${base}/err2; echo "rc2=$?"
if cat /proc/self/mountinfo >/dev/null 2>&1; then echo proc=ok; else echo proc=gone; fi`);
    assert.is(r.code, 0, r.err);
    assert.match(r.out, /^rc=1$/m);
    const err1 = readFileSync(join(base, "err1"), "utf8");
    assert.match(err1.split("\n")[0]!, /^pivotshim: refused: .*host-unchanged/);
    assert.match(err1, /these mounts of the calling namespace would be unmounted:\n  - \d+ \d+ \S+ \/ \/proc /);
    const t = JSON.parse(readFileSync(join(base, "t.json"), "utf8")) as { steps: unknown[]; outcome: { kind: string; reason: string; violated: { id: string }[] } };
    assert.is(t.outcome.kind, "refused");
    assert.is(t.outcome.reason, "predicted-damage");
    assert.equal(t.outcome.violated.map((v) => v.id), ["host-unchanged"]);
    assert.equal(t.steps, []);
    assert.match(readFileSync(join(base, "err2"), "utf8"), /run without verification \(--no-verify\)/);
    assert.match(r.out, /^proc=gone$/m, "the refused plan really unmounts the caller's /proc");
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
  assert.is(hostMountinfo(), before);
});

test.run();
