// The doc-test vocabulary: parse a Markdown file into runnable examples (shell commands,
// TypeScript blocks, their printed output, doctest markers) and match printed output with `...`.
// The conventions are described at the top of test/doctest.test.ts and in docs/doctest.md.
// Pure: no process is started here.

export type Lang = "sh" | "ts";

/** One command of a shell block, or one whole TypeScript block. */
export interface Example {
  file: string;
  /** 1-based line of the command (or of the block's opening fence). */
  line: number;
  lang: Lang;
  code: string;
  /** Expected output lines (stdout and stderr as one stream), or null: not compared. */
  expect: string[] | null;
  /** Expected exit status. */
  exit: number;
  /** Set when this example is not run: why. */
  skip: string | null;
}

interface Block { line: number; info: string; body: string[]; markers: string[]; attached: boolean }

const SH = new Set(["sh", "bash", "shell", "console"]);
const TS = new Set(["ts", "typescript"]);
const MARKER = /^<!--\s*doctest:\s*(.*?)\s*-->$/;
/** A line that looks like a command in a block nobody runs. */
const LOOKS_RUN = /^(\$ |(npx )?pivotshim\b|sudo )/;

export class DoctestError extends Error {}

/** The fenced blocks of a Markdown text, with the doctest markers on the lines directly above. */
function blocks(file: string, text: string): Block[] {
  const lines = text.split("\n");
  const out: Block[] = [];
  let lastEnd = -2; // line index of the previous block's closing fence
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})\s*([\w-]*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i]!.trimEnd() !== fence; i++) body.push(lines[i]!);
    if (i >= lines.length) throw new DoctestError(`${file}:${start + 1}: fenced block never closed`);
    const markers: string[] = [];
    for (let j = start - 1; j >= 0; j--) {
      const m = MARKER.exec(lines[j]!.trim());
      if (!m) break;
      markers.unshift(m[1]!);
    }
    const between = lines.slice(lastEnd + 1, start);
    out.push({ line: start + 1, info: open[2]!.toLowerCase(), body, markers, attached: lastEnd >= 0 && between.every((l) => l.trim() === "") });
    lastEnd = i;
  }
  return out;
}

interface Markers { skip: string | null; skipLines: [string, string][]; exits: [string | null, number][]; outputOf: string | null }

/** `skip REASON`, `skip "TEXT" REASON`, `exit N`, `exit N "TEXT"`, `output-of CMD`. */
function markers(file: string, b: Block): Markers {
  const m: Markers = { skip: null, skipLines: [], exits: [], outputOf: null };
  for (const raw of b.markers) {
    let x: RegExpExecArray | null;
    if ((x = /^skip\s+"([^"]+)"\s+(.+)$/.exec(raw))) m.skipLines.push([x[1]!, x[2]!]);
    else if ((x = /^skip\s+(.+)$/.exec(raw))) m.skip = x[1]!;
    else if ((x = /^exit\s+(\d+)(?:\s+"([^"]+)")?$/.exec(raw))) m.exits.push([x[2] ?? null, Number(x[1])]);
    else if ((x = /^output-of\s+(.+)$/.exec(raw))) m.outputOf = x[1]!;
    else throw new DoctestError(`${file}:${b.line}: unknown doctest marker "${raw}" (skip, exit, output-of)`);
  }
  return m;
}

/** Shell lines: `\` continuations joined, blank lines and whole-line comments dropped. */
function commands(body: string[], first: number): { line: number; code: string }[] {
  const out: { line: number; code: string }[] = [];
  for (let i = 0; i < body.length; i++) {
    const line = first + i;
    let code = body[i]!;
    while (code.endsWith("\\") && i + 1 < body.length) code = `${code.slice(0, -1)}\n${body[++i]!}`;
    if (code.trim() === "" || code.trim().startsWith("#")) continue;
    out.push({ line, code });
  }
  return out;
}

/** `$ cmd` sessions: each command with the lines after it as its output. */
function session(body: string[], first: number): { line: number; code: string; expect: string[] }[] {
  const out: { line: number; code: string; expect: string[] }[] = [];
  body.forEach((l, i) => {
    if (l.startsWith("$ ")) out.push({ line: first + i, code: l.slice(2), expect: [] });
    else if (out.length) out.at(-1)!.expect.push(l);
    else if (l.trim() !== "") throw new DoctestError(`line ${first + i}: output before the first "$ " command`);
  });
  return out;
}

/** Every example of a Markdown file, in order. */
export function parse(file: string, text: string): Example[] {
  const out: Example[] = [];
  const bs = blocks(file, text);
  for (let k = 0; k < bs.length; k++) {
    const b = bs[k]!;
    const m = markers(file, b);
    const next = bs[k + 1];
    const isOutput = (x: Block | undefined) => !!x && x.info === "" && x.attached && x.markers.length === 0;
    const follow = isOutput(next) ? next!.body : null;
    const exitFor = (code: string) => m.exits.find(([t]) => t === null || code.includes(t))?.[1] ?? 0;
    const skipFor = (code: string) => m.skip ?? m.skipLines.find(([t]) => code.includes(t))?.[1] ?? null;
    const ex = (line: number, lang: Lang, code: string, expect: string[] | null): Example =>
      ({ file, line, lang, code, expect, exit: exitFor(code), skip: skipFor(code) });
    if (SH.has(b.info)) {
      if (b.body.some((l) => l.startsWith("$ "))) {
        if (follow) throw new DoctestError(`${file}:${b.line}: a "$ " session shows its output inline; the block after it would be ignored`);
        for (const c of session(b.body, b.line + 1)) out.push(ex(c.line, "sh", c.code, c.expect));
      } else {
        const cs = commands(b.body, b.line + 1);
        // The output block after a script belongs to the whole script: run it as one command.
        if (follow) out.push(ex(b.line, "sh", cs.map((c) => c.code).join("\n"), follow));
        else for (const c of cs) out.push(ex(c.line, "sh", c.code, null));
      }
      if (follow) k++;
    } else if (TS.has(b.info)) {
      out.push(ex(b.line, "ts", b.body.join("\n"), follow));
      if (follow) k++;
    } else if (m.outputOf) {
      out.push(ex(b.line, "sh", m.outputOf, b.body));
    } else if (m.skip === null) {
      const bad = b.body.find((l) => LOOKS_RUN.test(l));
      if (bad !== undefined) {
        throw new DoctestError(`${file}:${b.line}: "${bad}" is in a block that is not run: tag it sh or console, or mark it <!-- doctest: skip REASON -->`);
      }
    }
  }
  return out;
}

/** Does `actual` match `expected`, where a line `...` matches any number of lines? */
export function matches(expected: readonly string[], actual: readonly string[]): boolean {
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (actual.length + 1) + j;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let r: boolean;
    if (i === expected.length) r = j === actual.length;
    else if (expected[i] === "...") r = go(i + 1, j) || (j < actual.length && go(i, j + 1));
    else r = j < actual.length && expected[i] === actual[j] && go(i + 1, j + 1);
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}

/** A program's output as lines, without the final newline. */
export const outputLines = (text: string): string[] => (text === "" ? [] : text.replace(/\n$/, "").split("\n"));
