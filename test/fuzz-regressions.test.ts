// Every counterexample `npm run fuzz` found (test/fixtures/fuzz/*.json) whose fix has landed: each
// input must end in success or a clean error (outcome.ts: what the CLI prints as one line), never
// a crash, an oracle failure or a hang. Cases run in a worker under a 10 s watchdog, a safety net so
// a regression fails here instead of hanging the suite. Cases still waiting for a fix are listed in
// test/fixtures/fuzz/pending.json and run by `npm run test:fuzz-pending` (test/fuzz-pending.ts).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadCases, PENDING, runCases, problem } from "../bench/fuzz/cases.js";

const all = loadCases();
const cases = all.filter((c) => !(c.name in PENDING));
let outcomes: ReturnType<typeof runCases> | undefined;
const run = () => (outcomes ??= runCases(cases));

test("pending.json names only cases that exist", () => {
  const names = new Set(all.map((c) => c.name));
  assert.equal(Object.keys(PENDING).filter((n) => !names.has(n)), []);
});

for (const c of cases) {
  test(`fuzz regression ${c.name}: success or a clean error (${c.owner})`, async () => {
    const p = problem(c, (await run()).get(c.name));
    assert.ok(p === null, p ?? "");
  });
}

test.run();
