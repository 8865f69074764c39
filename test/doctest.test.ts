// Doc tests: every example in README.md and docs/*.md runs here, as printed, so none can go stale.
//
// What runs (test/helpers/doctest.ts parses it; docs/doctest.md says the same for doc writers):
// - A fenced block tagged sh, bash, shell or console. If it has lines starting with "$ ", each is a
//   command and the lines up to the next "$ " are its printed output. Otherwise every line is a
//   command (`\` continues a line, `#` lines are comments), and an untagged block right after it
//   (blank lines between at most) is the printed output of the whole block.
// - A block tagged ts or typescript: one program, run by tsx with `from "pivotshim"` mapped to this
//   checkout's src/index.ts; an untagged block right after it is its printed output.
// - An untagged block with <!-- doctest: output-of CMD --> directly above it: CMD's printed output.
// Printed output is stdout and stderr as one stream (what a terminal shows); a line that is exactly
// `...` matches any number of lines. Every command must exit 0 unless a marker says otherwise.
// Markers, on the lines directly above a block: `skip REASON` (the block), `skip "TEXT" REASON`
// (its commands containing TEXT), `exit N` or `exit N "TEXT"`, `output-of CMD`. Every skip is
// listed as a skipped test with its reason. An untagged block that nobody runs but that holds a
// command line ("$ ", "pivotshim", "sudo") is an error: tag it, or skip it.
//
// Where: one temporary folder (pivotshim-doctest-*) per document, removed afterwards, with the
// placeholders as fixtures: ./rootfs (the static probe at /probe, as the native tests use it),
// runc.log (a real runc 1.1.5 capture), host.mountinfo (that capture machine's table).
// `pivotshim` and `npx pivotshim` run this checkout's dist/cli/pivotshim.cjs; `sudo` runs its command
// when we are root and is skipped otherwise. `pivotshim run` mounts only in its executor child.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { matches, outputLines, parse, type Example } from "./helpers/doctest.js";
import { PROBE } from "./helpers/native-env.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(ROOT, "dist/cli/pivotshim.cjs");
const INDEX = pathToFileURL(join(ROOT, "src/index.ts")).href;
const TSX = import.meta.resolve("tsx");
const IS_ROOT = process.geteuid?.() === 0;
const DOCS = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)];

/** The folder a document's examples run in, with its fixtures and the command shims. */
function workdir(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), "pivotshim-doctest-"));
  mkdirSync(join(dir, "rootfs"));
  copyFileSync(PROBE, join(dir, "rootfs/probe"));
  copyFileSync(join(ROOT, "test/fixtures/real/runc-pivot-default.strace"), join(dir, "runc.log"));
  copyFileSync(join(ROOT, "test/fixtures/diff/capture-host.mountinfo"), join(dir, "host.mountinfo"));
  const bin = join(dir, ".bin");
  mkdirSync(bin);
  const shim = (name: string, body: string) => { writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`); chmodSync(join(bin, name), 0o755); };
  shim("pivotshim", `exec node ${JSON.stringify(CLI)} "$@"`);
  shim("npx", `[ "$1" = pivotshim ] || { echo "doctest: npx runs only pivotshim here" >&2; exit 127; }\nshift\nexec node ${JSON.stringify(CLI)} "$@"`);
  shim("sudo", 'exec "$@"');
  return { dir, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: "1", FORCE_COLOR: undefined } };
}

/** Runs one example; returns its printed output and exit status. */
function exec(ex: Example, dir: string, env: NodeJS.ProcessEnv): { out: string; status: number | null } {
  let argv: string[];
  if (ex.lang === "ts") {
    const file = join(dir, `.doctest-${ex.line}.mts`);
    writeFileSync(file, ex.code.replace(/from "pivotshim"/g, `from ${JSON.stringify(INDEX)}`));
    argv = [process.execPath, "--import", TSX, file];
  } else {
    argv = ["sh", "-c", `exec 2>&1\n${ex.code}`];
  }
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd: dir, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });
  return { out: r.stdout + r.stderr, status: r.status };
}

const dirs: string[] = [];
test.after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** A document's examples; a document that does not parse is one failing test, not a crash at import. */
function examples(doc: string): Example[] {
  try {
    return parse(doc, readFileSync(join(ROOT, doc), "utf8"));
  } catch (e) {
    test(`${doc} parses as doctests`, () => { assert.unreachable((e as Error).message); });
    return [];
  }
}

for (const doc of DOCS) {
  let wd: ReturnType<typeof workdir> | null = null;
  for (const ex of examples(doc)) {
    const name = `${doc}:${ex.line} ${ex.lang === "ts" ? "TypeScript block" : `$ ${ex.code.split("\n")[0]}`}`;
    const skip = ex.skip ?? (ex.lang === "sh" && /^\s*sudo\b/.test(ex.code) && !IS_ROOT ? "needs root" : null);
    if (skip) {
      console.error(`SKIP ${name}: ${skip}`);
      test.skip(name, () => {});
      continue;
    }
    test(name, () => {
      if (!wd) { wd = workdir(); dirs.push(wd.dir); }
      const { out, status } = exec(ex, wd.dir, wd.env);
      const lines = outputLines(out);
      if (ex.expect && !matches(ex.expect, lines)) {
        assert.fixture(lines.join("\n"), ex.expect.join("\n"), `${name}: the printed output differs (\`...\` lines match any lines)`);
      }
      assert.is(status, ex.exit, `${name}: exit status ${status}, expected ${ex.exit}; it printed:\n${out}`);
    });
  }
}

test("the doctest parser: sessions, scripts with an output block, markers, `...`", async () => {
  const { parse: p, matches: m } = await import("./helpers/doctest.js");
  const DOC = "example.markdown";
  const md = [
    "```console", "$ echo a", "a", "$ true", "```", "",
    '<!-- doctest: exit 1 "false" -->', '<!-- doctest: skip "sleep" slow -->', "```sh", "echo b  # one", "false", "sleep 9", "```", "", "```", "b", "...", "```",
    "<!-- doctest: output-of echo c -->", "```", "c", "```",
  ].join("\n");
  const got = p(DOC, md).map((e) => [e.line, e.code, e.expect, e.exit, e.skip]);
  assert.equal(got, [
    [2, "echo a", ["a"], 0, null], [4, "true", [], 0, null],
    [9, "echo b  # one\nfalse\nsleep 9", ["b", "..."], 1, "slow"],
    [20, "echo c", ["c"], 0, null],
  ]);
  assert.ok(m(["a", "...", "d"], ["a", "b", "c", "d"]) && m(["..."], []) && !m(["a"], ["a", "b"]) && !m(["a", "...", "d"], ["a", "b"]));
  assert.throws(() => p(DOC, "```\npivotshim plan\n```"), /not run: tag it/);
  assert.throws(() => p(DOC, "<!-- doctest: skp x -->\n```sh\ntrue\n```"), /unknown doctest marker/);
});

test.run();
