// The generated docs are current: docs/profiles.md equals what scripts/profiles-doc.ts renders
// from the golden plans (run `node --import tsx scripts/profiles-doc.ts` after changing a plan).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { render, DOC } from "../scripts/profiles-doc.js";

test("docs/profiles.md is generated from the golden plans and is up to date", () => {
  assert.fixture(readFileSync(DOC, "utf8"), render());
});

test.run();
