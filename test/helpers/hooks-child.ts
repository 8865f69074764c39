// The child half of test/native-hooks.test.ts's refusal case: runs INSIDE a throwaway mount
// namespace whose "/" is rshared (the parent test set it up with unshare -m), calls run() with the
// hooks given, and prints one JSON line: the outcome, the exit, and whether this namespace's
// mountinfo stayed byte-identical. Never run it elsewhere.
import { closeSync, openSync, readFileSync } from "node:fs";
import { run } from "../../src/run.js";
import type { Hook } from "../../src/hooks.js";

if (process.env.PIVOTSHIM_HOOKS_CHILD !== "1") throw new Error("hooks-child: only run by test/native-hooks.test.ts, inside a throwaway namespace");

const [rootfs, configJson, hooksJson] = process.argv.slice(2) as [string, string, string];
const table = () => readFileSync("/proc/self/mountinfo", "utf8");
const devnull = openSync("/dev/null", "w");
try {
  const before = table();
  const { trace, exit } = await run({ ...JSON.parse(configJson), rootfs }, { command: "/probe", stdio: [-1, devnull, -1], hooks: JSON.parse(hooksJson) as Hook[] });
  const o = trace.outcome;
  console.log(JSON.stringify({
    outcome: o.kind, reason: o.kind === "refused" ? o.reason : undefined, violated: o.kind === "refused" ? o.violated.map((v) => v.id) : [],
    message: o.kind === "refused" ? o.message : undefined, exit, hooks: trace.hooks?.length ?? 0, unchanged: table() === before,
  }));
} finally {
  closeSync(devnull);
}
