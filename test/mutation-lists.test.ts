// The scripted mutant list for host/*.cc (scripts/mutate-cc-mutants.json) names each mutant by the
// exact text it replaces. When the code moves on, an entry whose text is gone makes `npm run mutate
// -- cc` throw, and a survivors-only run quietly skips it: eleven entries had rotted that way
// before this test. So every entry's text must occur exactly once in its file, and the mutant must
// change something.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";

const root = new URL("..", import.meta.url);
interface CcMutant { id: string; file: string; find: string; replace: string; why: string }
const mutants = JSON.parse(readFileSync(new URL("scripts/mutate-cc-mutants.json", root), "utf8")) as CcMutant[];

test("every host/*.cc mutant's text occurs exactly once in its file, and each mutant changes it", () => {
  const stale = mutants.filter((m) => readFileSync(new URL(m.file, root), "utf8").split(m.find).length !== 2).map((m) => m.id);
  assert.equal(stale, [], "entries whose text is not in the code once: update scripts/mutate-cc-mutants.json");
  assert.equal(mutants.filter((m) => m.find === m.replace).map((m) => m.id), []);
  assert.equal(mutants.length, new Set(mutants.map((m) => m.id)).size, "ids are unique");
});

test.run();
