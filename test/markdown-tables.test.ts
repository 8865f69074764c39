// Markdown output as a real parser reads it (marked's GFM lexer, not string matching): every table
// row of the explore report and the plan audit has exactly the header's number of cells, and a
// code span keeps its pipes (MS_REC|MS_SLAVE). Before the fix, 2,021 of 3,151 rows of
// `explore --double --format markdown` split wrongly.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { marked, type Tokens } from "marked";
import { explore } from "../src/explore.js";
import { fakePathHost, kernelFor } from "../src/check.js";
import { parseConfig } from "../src/schema.js";
import { plan } from "../src/plan.js";
import { exploreMarkdown } from "../src/format/explore.js";
import { formatMarkdown } from "../src/format/markdown.js";

function tables(md: string): Tokens.Table[] {
  return marked.lexer(md, { gfm: true }).filter((t): t is Tokens.Table => t.type === "table");
}

/** Rows whose cell count differs from the header's, as "row N: k cells" lines. */
function badRows(md: string): string[] {
  const out: string[] = [];
  for (const t of tables(md)) {
    // marked pads short rows and drops extra cells, so count from the raw source of each row.
    const lines = t.raw.trimEnd().split("\n").slice(2);
    lines.forEach((l, i) => {
      const cells = l.replace(/\\\|/g, "").replace(/^\||\|$/g, "").split("|").length;
      if (cells !== t.header.length) out.push(`row ${i + 1}: ${cells} cells, header ${t.header.length}: ${l}`);
    });
    if (lines.length !== t.rows.length) out.push(`table has ${lines.length} source rows but ${t.rows.length} parsed rows`);
  }
  return out;
}

const report = (profile: "runc" | "crun", double: boolean) => {
  const config = parseConfig({ profile, strategy: "pivot" });
  return explore(config, fakePathHost(config, kernelFor(config, {})), { double });
};

test("explore --full --double --format markdown: every row has the header's cells", () => {
  const md = exploreMarkdown(report("runc", true), "docker-host", { full: true });
  const t = tables(md);
  assert.ok(t.length >= 3, "summary, per-step and path tables");
  const paths = t[t.length - 1]!;
  assert.ok(paths.rows.length > 1000, `${paths.rows.length} path rows`);
  assert.equal(badRows(md), []);
  // A code span with MS_REC|MS_SLAVE survives as one cell, the pipe intact.
  const withPipe = paths.rows.find((r) => r[2]!.text.includes("MS_REC|MS_SLAVE"));
  assert.ok(withPipe, "a cell shows MS_REC|MS_SLAVE with its pipe");
});

test("explore markdown without --full: a summary with counts per step, no path table", () => {
  const r = report("crun", false);
  const md = exploreMarkdown(r, "docker-host");
  assert.not.match(md, /## Paths/);
  const perStep = tables(md)[1]!;
  assert.is(perStep.rows.length, r.trace.steps.length);
  assert.is(perStep.rows.reduce((n, row) => n + Number(row[2]!.text), 0), r.summary.paths);
  assert.equal(badRows(md), []);
});

test("the plan audit's tables split right too", () => {
  const md = formatMarkdown(plan({ rootfs: "/r|x", profile: "runc" }));
  assert.ok(tables(md).length >= 2);
  assert.equal(badRows(md), []);
});

test("badRows bites: an unescaped pipe in a code span is caught", () => {
  assert.equal(badRows("| a | b |\n|---|---|\n| `x|y` | z |\n").length, 1);
});

test.run();
