// The child half of test/native-verify.test.ts: runs INSIDE a throwaway mount namespace whose "/"
// is rshared (the parent test set it up with unshare -m), and for each config row calls run()
// as a caller in that namespace would. Prints one JSON line per row: the prediction, what run()
// did, and whether this namespace's mountinfo stayed byte-identical. Never run it elsewhere.
import { closeSync, openSync, readFileSync } from "node:fs";
import { run } from "../../src/run.js";
import { predictLive } from "../../src/predict.js";
import { parseConfig, type ConfigInput } from "../../src/schema.js";

if (process.env.PIVOTSHIM_MATRIX_CHILD !== "1") throw new Error("verify-matrix-child: only run by test/native-verify.test.ts, inside a throwaway namespace");

const [rootfs, rowsJson] = process.argv.slice(2) as [string, string];
const rows = JSON.parse(rowsJson) as Omit<ConfigInput, "rootfs">[];
const table = () => readFileSync("/proc/self/mountinfo", "utf8");
const devnull = openSync("/dev/null", "w");
try {
  for (const row of rows) {
    let config;
    try { config = parseConfig({ ...row, rootfs }); } catch { console.log(JSON.stringify({ row, rejected: true })); continue; }
    const before = table();
    const predicted = predictLive(config).violated.map((v) => v.id);
    const { trace, exit } = await run(config, { command: "/probe", stdio: [-1, devnull, -1] });
    let after: string;
    try { after = table(); } catch (e) { after = `unreadable: ${(e as Error).message}`; }
    const o = trace.outcome;
    console.log(JSON.stringify({
      row, predicted, outcome: o.kind, reason: o.kind === "refused" ? o.reason : undefined,
      message: o.kind === "done" ? undefined : o.message.split("\n")[0], steps: trace.steps.length,
      exit, unchanged: after === before, ...(after === before ? {} : { before, after }),
    }));
    if (after !== before) break; // the namespace is damaged: later rows would not mean anything
  }
} finally {
  closeSync(devnull);
}
