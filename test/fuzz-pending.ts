// The fuzz counterexamples whose fix has not landed yet (test/fixtures/fuzz/pending.json, with the
// owner of each): the same assertion as test/fuzz-regressions.test.ts. Not matched by the suite's
// glob on purpose, since these fail until H1/H2 fix them; run with `npm run test:fuzz-pending`. When one
// passes, delete its line from pending.json and the suite runs it from then on.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadCases, PENDING, runCases, problem } from "../bench/fuzz/cases.js";

const cases = loadCases().filter((c) => c.name in PENDING);
let outcomes: ReturnType<typeof runCases> | undefined;
const run = () => (outcomes ??= runCases(cases));

for (const c of cases) {
  test(`PENDING ${c.name} [${PENDING[c.name]}]`, async () => {
    const p = problem(c, (await run()).get(c.name));
    assert.ok(p === null, p ?? "");
  });
}

test.run();
