// What pool.ts and a worker (worker.ts) say to each other: the job, the messages back, and the
// layout of the shared counters the watchdog reads. Types and constants only.
import { KINDS, type Outcome } from "./outcome.js";

export type Job =
  | { mode: "range"; target: string; seed: number; from: number; to: number }
  | { mode: "list"; target: string; inputs: unknown[]; from: number; to: number }
  | { mode: "shrink"; target: string; seed: number; index: number; sig: string };

export type Msg =
  | { type: "class"; index: number; outcome: Outcome }
  | { type: "counts"; bySig: [string, number][] }
  | { type: "outcome"; index: number; outcome: Outcome }
  | { type: "shrunk"; input: unknown; runs: number }
  | { type: "done" };

/**
 * Slot 0: the index being run; 1: set by the watchdog, "start no further input"; 2: 1 while the
 * worker generates the input (its time is the fuzzer's, not the product's); then one counter per
 * outcome kind (KINDS order).
 */
export const SLOT = { cur: 0, stop: 1, gen: 2, ...Object.fromEntries(KINDS.map((k, i) => [k, i + 3])) } as Record<"cur" | "stop" | "gen" | (typeof KINDS)[number], number>;
export const SLOTS = KINDS.length + 3;

/** A generator (fuzz code, not the product) that takes this long is reported apart, as a hang of its own. */
export const GEN_LIMIT_MS = 60_000;

