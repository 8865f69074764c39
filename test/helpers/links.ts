// Finds references to files that are not in the repository: Markdown links, repo paths
// (`docs/sources.md#runc-main`, `src/abi.ts`) and bare `*.md` names in docs and source files, plus
// anchors into Markdown files that do not exist. Pure over a Repo view, so a test can feed it
// made-up files. Paths in the text of a link to a web page name upstream files and are skipped.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, posix } from "node:path";

/** What the checker may ask of a repository: does a path exist, and a Markdown file's text. */
export interface Repo {
  exists(path: string): boolean;
  /** Text of a repo file, or null when it does not exist. */
  read(path: string): string | null;
  /** Base names of every Markdown file in the repo. */
  mdNames: ReadonlySet<string>;
}

export interface Broken { file: string; line: number; ref: string; why: string }

// A token that starts with a top-level folder (not inside a longer path); its trailing dots are
// punctuation. A token with *, {, $ or < is a pattern or a template, not a path.
const REPO_PATH = /(?<![\w./-])(?:docs|src|assembly|host|scripts|bench|test)\/[^\s"'`()[\],;:|]*/g;
const BARE_MD = /(?<![\w./-])[\w-]+\.md(?:#[\w-]+)?(?![\w*{$<])/g;
const PATTERN = /[*{}$<>]/;
const WEB_LINK = /\[[^\]\n]*\]\((?:https?|mailto):[^)\s]*\)/g;
const MD_LINK = /!?\[[^\]\n]*\]\(([^)\s]+)\)/g;
const OUTSIDE = /\.\.\/shared\b/g;

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}

/** The anchors a Markdown text defines: explicit id/name attributes and heading slugs. */
export function anchors(md: string): Set<string> {
  const out = new Set<string>();
  for (const m of md.matchAll(/\b(?:id|name)="([^"]+)"/g)) out.add(m[1]!);
  const seen = new Map<string, number>();
  for (const m of md.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const s = slug(m[1]!.replace(/`/g, ""));
    const n = seen.get(s) ?? 0;
    seen.set(s, n + 1);
    out.add(n === 0 ? s : `${s}-${n}`);
  }
  return out;
}

const lineOf = (text: string, index: number): number => text.slice(0, index).split("\n").length;

/** Every broken reference in `text`, the content of repo file `file`. */
export function checkText(file: string, text: string, repo: Repo): Broken[] {
  const out: Broken[] = [];
  const bad = (index: number, ref: string, why: string) => out.push({ file, line: lineOf(text, index), ref, why });
  const target = (index: number, ref: string, path: string, anchor: string | undefined) => {
    if (!repo.exists(path)) return bad(index, ref, `${path} is not in the repository`);
    if (anchor && path.endsWith(".md") && !anchors(repo.read(path) ?? "").has(anchor)) bad(index, ref, `${path} has no anchor #${anchor}`);
  };
  for (const m of text.matchAll(OUTSIDE)) bad(m.index!, m[0], "a path outside the repository");
  // Links to web pages are blanked (same length, so indexes stay): their text names upstream files.
  const local = text.replace(WEB_LINK, (l) => " ".repeat(l.length));
  for (const m of local.matchAll(REPO_PATH)) {
    const ref = m[0].replace(/[.]+$/, "");
    if (PATTERN.test(ref)) continue;
    const [path, anchor] = ref.split("#", 2) as [string, string | undefined];
    target(m.index!, ref, path.replace(/\/$/, ""), anchor);
  }
  for (const m of local.matchAll(BARE_MD)) {
    const name = m[0].split("#")[0]!;
    if (!repo.mdNames.has(name)) bad(m.index!, m[0], `no file named ${name} in the repository`);
  }
  if (file.endsWith(".md")) {
    for (const m of text.matchAll(MD_LINK)) {
      const link = m[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // https:, mailto:
      const [p, anchor] = link.split("#", 2) as [string, string | undefined];
      const path = p === "" ? file : posix.normalize(posix.join(posix.dirname(file), decodeURI(p)));
      if (path.startsWith("../")) bad(m.index!, link, "a link outside the repository");
      else target(m.index!, link, path.replace(/\/$/, ""), anchor);
    }
  }
  return out;
}

const SKIP_DIRS = new Set(["node_modules", "build", "dist", ".git"]);
const SOURCE = /\.(ts|mts|mjs|js|cc|h|c|sh|md)$/;

/** Repo-relative paths of all files under `dir` (build output and dependencies left out). */
function walk(root: string, dir = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory()) { if (!SKIP_DIRS.has(e.name)) out.push(...walk(root, rel)); }
    else out.push(rel);
  }
  return out;
}

/** The real checkout at `root`, and the files the link check scans in it. */
export function checkout(root: string): { repo: Repo; scanned: string[] } {
  const all = walk(root);
  const repo: Repo = {
    exists: (p) => { try { statSync(join(root, p)); return !SKIP_DIRS.has(p.split("/")[0]!); } catch { return false; } },
    read: (p) => { try { return readFileSync(join(root, p), "utf8"); } catch { return null; } },
    mdNames: new Set(all.filter((p) => p.endsWith(".md")).map((p) => posix.basename(p))),
  };
  // test/links.test.ts is left out: its made-up references are the checker's own test cases.
  const scanned = all.filter((p) => p !== "test/links.test.ts").filter((p) => p === "README.md" || /^docs\/[^/]+\.md$/.test(p) ||
    (/^(src|assembly|host|scripts|bench|test)\//.test(p) && SOURCE.test(p)));
  return { repo, scanned };
}
