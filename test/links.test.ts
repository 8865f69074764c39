// No reference to a file that is not in the repository: Markdown links and repo paths in
// README.md, docs/*.md and the sources under src/ assembly/ host/ scripts/ bench/ test/ (comments
// and strings alike: deviation texts are rendered into docs), anchors into Markdown files
// included (docs/sources.md#...). The checker itself is tested on made-up files first.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fileURLToPath } from "node:url";
import { anchors, checkout, checkText, type Repo } from "./helpers/links.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

// A made-up repository: one doc with an explicit anchor and a heading, one source file.
const FILES: Record<string, string> = {
  "docs/sources.md": '# Sources\n\n<a id="runc-main"></a>\n## The `runc` profile\n',
  "src/abi.ts": "",
};
const fake: Repo = {
  exists: (p) => p in FILES || Object.keys(FILES).some((f) => f.startsWith(`${p}/`)),
  read: (p) => FILES[p] ?? null,
  mdNames: new Set(["sources.md"]),
};
const refs = (file: string, text: string) => checkText(file, text, fake).map((b) => b.ref);
// Built at run time, so that this file does not cite them itself.
const md = (name: string) => `${name}.md`;

test("checker: anchors are explicit ids and GitHub heading slugs", () => {
  assert.equal([...anchors(FILES["docs/sources.md"]!)].sort(), ["runc-main", "sources", "the-runc-profile"]);
});

test("checker: existing files and anchors pass", () => {
  assert.equal(refs("src/x.ts", "// see docs/sources.md#runc-main and src/abi.ts, test/fixtures/real/runc-*.strace"), []);
  assert.equal(refs("docs/a.md", "[s](sources.md#the-runc-profile) [w](https://example.com/x.md) [d](../src/abi.ts)"), []);
});

test("checker: a missing file, a missing anchor, a bare name and ../shared are each reported", () => {
  assert.equal(refs("src/x.ts", `// docs/${md("rootswitch")} §7`), [`docs/${md("rootswitch")}`]);
  assert.equal(refs("src/x.ts", "// docs/sources.md#runc-1-1"), ["docs/sources.md#runc-1-1"]);
  assert.equal(refs("test/x.ts", `// proc(5), ${md("rootswitch")} §7`), [md("rootswitch")]);
  assert.equal(refs("bench/x.ts", "// ../" + "shared/seed"), ["../" + "shared"]);
  assert.equal(refs("docs/a.md", `[x](${md("real-runtimes")}) [y](#nowhere) [z](../../etc/passwd)`),
    [md("real-runtimes"), md("real-runtimes"), "#nowhere", "../../etc/passwd"]);
});

test("every reference in the docs and sources resolves inside the repository", () => {
  const { repo, scanned } = checkout(ROOT);
  assert.ok(scanned.includes("README.md") && scanned.includes("src/abi.ts") && scanned.includes("docs/sources.md"));
  const broken = scanned.flatMap((f) => checkText(f, repo.read(f) ?? "", repo));
  assert.equal(broken.map((b) => `${b.file}:${b.line}: ${b.ref}: ${b.why}`), []);
});

test.run();
