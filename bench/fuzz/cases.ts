// The fuzz regression cases: each counterexample `npm run fuzz` found, shrunk, as one JSON file in
// test/fixtures/fuzz/ ({target, owner, note, input}), and the runner the two test files share. A
// case runs in a worker under a generous watchdog (a safety net so a regression cannot hang the
// suite, not a timed assertion), and must end in success or a clean error (outcome.ts).
// test/fixtures/fuzz/pending.json names the cases whose fix has not landed yet, with the owner.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./corpus.js";
import { runJob } from "./pool.js";
import type { Outcome } from "./outcome.js";

export interface Case {
  name: string;
  target: string;
  /** Whose area the bug is in. */
  owner: string;
  note: string;
  /** The target's input; for trace-replay an object is the trace (JSON.stringify'd), a string the file's text. */
  input: unknown;
}

const DIR = join(REPO, "test", "fixtures", "fuzz");

export function loadCases(): Case[] {
  return readdirSync(DIR).filter((f) => f.endsWith(".json") && f !== "pending.json").sort().map((f) => {
    const c = JSON.parse(readFileSync(join(DIR, f), "utf8")) as Omit<Case, "name">;
    return { name: f.replace(/\.json$/, ""), ...c };
  });
}

/** Case name → why it is pending (owner and the fix it waits for). */
export const PENDING: Record<string, string> = JSON.parse(readFileSync(join(DIR, "pending.json"), "utf8"));

const inputOf = (c: Case): unknown => (c.target === "trace-replay" && typeof c.input !== "string" ? JSON.stringify(c.input) : c.input);

/** Runs every case (one worker per target, in turn) and gives each case's outcome. */
export async function runCases(cases: readonly Case[], timeoutMs = 10_000): Promise<Map<string, Outcome>> {
  const out = new Map<string, Outcome>();
  for (const target of [...new Set(cases.map((c) => c.target))]) {
    const mine = cases.filter((c) => c.target === target);
    await runJob({ mode: "list", target, inputs: mine.map(inputOf), from: 0, to: mine.length }, timeoutMs, (i, o) => out.set(mine[i]!.name, o));
  }
  return out;
}

/** The assertion both test files make, as a message: null when the outcome is success or a clean error. */
export function problem(c: Case, o: Outcome | undefined): string | null {
  if (!o) return `${c.name}: no outcome (the worker never reported it)`;
  if (o.kind === "success" || o.kind === "clean") return null;
  return `${c.name} (${c.owner}): ${o.kind}: ${o.sig ?? ""}\n  ${o.detail ?? ""}\n  ${c.note}`;
}
