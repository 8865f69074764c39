// The real inputs the fuzz generators mutate: mountinfo tables (the fake kernel's scenarios, the
// fixtures, and the complete lines of every /proc/self/mountinfo read in the real strace logs),
// the recorded traces, and slices of the real strace logs. Read once per process; no generation here.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { SCENARIOS, DEFAULT_ROOTFS, escapeMountinfo, type ScenarioData } from "../../src/hosts/fake/index.js";
import { decodeC } from "../../src/strace/args.js";

/** The repository root, from src (tsx) or from dist/ (npm run fuzz): the folder with package.json and test/. */
export const REPO = ((): string => {
  let dir = new URL(".", import.meta.url).pathname;
  while (!(existsSync(join(dir, "package.json")) && existsSync(join(dir, "test")))) {
    const up = join(dir, "..");
    if (up === dir) throw new Error("fuzz: cannot find the repository root above " + import.meta.url);
    dir = up;
  }
  return dir;
})();

const fixture = (...p: string[]) => join(REPO, "test", "fixtures", ...p);
const read = (p: string) => readFileSync(p, "utf8");

/** Complete lines of each mountinfo read in a real log (strace -s 256 truncates the rest). */
function mountinfoReads(log: string): string[] {
  const out: string[] = [];
  const re = /read\(\d+<\/proc\/\d+\/mountinfo>, "((?:[^"\\]|\\.)*)"/g;
  for (const m of log.matchAll(re)) {
    const text = decodeC(m[1]!);
    const cut = text.lastIndexOf("\n");
    if (cut > 0) out.push(text.slice(0, cut + 1));
  }
  return out;
}

const REAL_LOGS = readdirSync(fixture("real")).filter((f) => f.endsWith(".strace")).sort();

/** Every seed table, deduplicated, in a fixed order (so a seed and index name the same input everywhere). */
export const MOUNTINFO_SEEDS: readonly string[] = (() => {
  const tables: string[] = [];
  for (const data of Object.values(SCENARIOS) as ScenarioData[]) {
    const rootfs = escapeMountinfo(data.defaultRootfs ?? DEFAULT_ROOTFS);
    tables.push(data.mountinfo.map((l) => l.replaceAll("{rootfs}", rootfs) + "\n").join(""));
  }
  tables.push(read(fixture("mountinfo", "k8s-node.mountinfo")), read(fixture("fake", "tagged.mountinfo")));
  for (const f of readdirSync(fixture("diff")).filter((x) => x.endsWith(".mountinfo")).sort()) tables.push(read(fixture("diff", f)));
  for (const f of REAL_LOGS) tables.push(...mountinfoReads(read(fixture("real", f))));
  return [...new Set(tables)];
})();

/** The recorded traces, as parsed JSON (the generators mutate copies). */
export const TRACE_SEEDS: readonly unknown[] = readdirSync(fixture("traces")).filter((f) => f.endsWith(".json")).sort()
  .map((f) => JSON.parse(read(fixture("traces", f))) as unknown);

/** Each real strace log as lines. Generators take slices: a whole log parses in ~40 ms, a slice in ~1. */
export const STRACE_SEEDS: readonly (readonly string[])[] = REAL_LOGS.map((f) => read(fixture("real", f)).split("\n"));
