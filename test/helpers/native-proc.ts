// /proc views of this process for the kill and soak tests: its children (with their state, to
// find zombies) and its open fds. Read-only.
import { readdirSync, readFileSync } from "node:fs";

export interface ProcChild { pid: number; state: string; comm: string }

/** The live (or zombie) children of `ppid`, from /proc/<pid>/stat. */
export function childrenOf(ppid = process.pid): ProcChild[] {
  const out: ProcChild[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try { stat = readFileSync(`/proc/${name}/stat`, "utf8"); } catch { continue; } // exited meanwhile
    const close = stat.lastIndexOf(")");
    const [state, parent] = stat.slice(close + 2).split(" ");
    if (Number(parent) === ppid) out.push({ pid: Number(name), state: state!, comm: stat.slice(stat.indexOf("(") + 1, close) });
  }
  return out;
}

export const zombies = (ppid = process.pid): ProcChild[] => childrenOf(ppid).filter((c) => c.state === "Z");

/** How many fds this process holds (the listing's own fd is counted both times, so it cancels out). */
export const fdCount = (): number => readdirSync("/proc/self/fd").length;

/** A timer that fires: the event loop is alive. */
export const timerFires = (ms = 5): Promise<boolean> => new Promise((r) => setTimeout(() => r(true), ms));

/**
 * Waits for `cond` to hold, checking every few ms: for tests that wait for an event they can only
 * observe through /proc. `limitMs` is a safety net against a hang, not a timed assertion.
 */
export async function until(cond: () => boolean, limitMs = 30_000): Promise<boolean> {
  const end = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}
