// The fake kernel's propagation rules against the real kernel, as a property: fast-check draws
// random starting trees and random sequences of mount (tmpfs), make-shared/slave/private/unbindable
// (with and without MS_REC), bind (with and without MS_REC), MS_MOVE, umount2 (with and without
// MNT_DETACH) and pivot_root, in namespace A and in a user-namespace-owned copy B; each runs for
// real (test/helpers/kernel-oracle.ts) and on the fake, and errnos and tables must agree; on the
// fake that ran the set-up itself (which knows the propagation lists), the listing order too.
// A fixed seed keeps CI repeatable; PIVOTSHIM_ORACLE_SEED, PIVOTSHIM_ORACLE_RUNS and
// PIVOTSHIM_ORACLE_DEEP_RUNS explore further.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { actions, caseArb, checkProperty, deepCaseArb, oracleSkipReason, show } from "./helpers/kernel-oracle.js";
import fc from "fast-check";
import * as abi from "../src/abi.js";

const SEED = Number(process.env.PIVOTSHIM_ORACLE_SEED ?? 1);
const RUNS = Number(process.env.PIVOTSHIM_ORACLE_RUNS ?? 2000);
/** Depth-3 paths and longer sequences (deepCaseArb): fewer, as each case is longer. */
const DEEP_RUNS = Number(process.env.PIVOTSHIM_ORACLE_DEEP_RUNS ?? 500);

test("the generator covers every request kind, both namespaces and both flag variants", () => {
  const seen = new Set<string>();
  for (const c of fc.sample(caseArb, { seed: SEED, numRuns: 300 })) {
    for (const a of actions(c)) {
      if (a.kind === "userns") { seen.add("userns"); continue; }
      const x = a.call;
      seen.add(`${a.ns}:${x.op}`);
      if (x.op === "mount") seen.add(`mount:${x.filesystemtype ?? ""}:${x.mountflags}`);
      if (x.op === "umount2") seen.add(`umount2:${x.flags}`);
    }
  }
  const { MS_BIND, MS_MOVE, MS_REC, MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE, MNT_DETACH } = abi;
  const flags = [MS_BIND, MS_MOVE, MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE].flatMap((f) => (f === MS_MOVE ? [f] : [f, f | MS_REC]));
  const wants = ["userns", "A:mount", "B:mount", "A:umount2", "B:umount2", "A:pivot_root", "umount2:0", `umount2:${MNT_DETACH}`,
    "mount:tmpfs:0", ...flags.map((f) => `mount::${f}`)];
  for (const want of wants) {
    assert.ok(seen.has(want), `the generator never drew ${want}`);
  }
});

const reason = oracleSkipReason();
const name = `the fake kernel agrees with the real one on ${RUNS} random sequences (seed ${SEED})`;
if (reason) {
  console.error(`SKIP ${name}: ${reason}`);
  test.skip(name);
} else {
  test(name, () => {
    const r = checkProperty(SEED, RUNS);
    assert.ok(r.counterexample === null,
      `counterexample after ${r.runs} runs, shrunk (${r.realRuns} real runs in all):\n${r.failure}\n` +
      `keep it in test/kernel-oracle-regressions.test.ts once the fake is fixed: ${r.counterexample ? show(r.counterexample) : ""}`);
    assert.is(r.runs, RUNS);
  });
}

const deepName = `the fake kernel agrees with the real one on ${DEEP_RUNS} longer sequences over paths three deep (seed ${SEED})`;
if (reason) {
  console.error(`SKIP ${deepName}: ${reason}`);
  test.skip(deepName);
} else {
  test(deepName, () => {
    const r = checkProperty(SEED, DEEP_RUNS, deepCaseArb);
    assert.ok(r.counterexample === null,
      `counterexample after ${r.runs} runs, shrunk (${r.realRuns} real runs in all):\n${r.failure}\n` +
      `keep it in test/kernel-oracle-regressions.test.ts once the fake is fixed: ${r.counterexample ? show(r.counterexample) : ""}`);
    assert.is(r.runs, DEEP_RUNS);
  });
}

test.run();
