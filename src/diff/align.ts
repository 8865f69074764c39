// Aligns the plan's steps with the window's calls: an order-preserving best match (LCS-like DP)
// where an equivalent pair outweighs any number of differing ones. fds are matched through the
// openat pairs of the alignment, so it is recomputed until that mapping is stable.
import { OPENS, compare, sameFd, type FieldDiff, type OriginMap, type Side } from "./compare.js";

export interface Pair { plan: number; log: number | null; diffs: FieldDiff[] }

export interface Alignment {
  /** One entry per plan step, in plan order: matched (diffs = []), differs, or missing (log null). */
  pairs: Pair[];
  /** Window calls no plan step is paired with, in log order. */
  unpaired: number[];
  /** plan openat index → log openat index (how plan fds were mapped onto log fds). */
  origins: OriginMap;
}

const EXACT = 1000;
const PARTIAL = 100;
const MAX_ROUNDS = 4;

/**
 * Whether a differing pair may still be shown as counterparts: same op, and the argument that
 * says *what* the call acts on agrees (a mount's or umount2's target, an openat's path, a close's
 * or read's fd). Otherwise the plan step is missing and the call is not part of the plan.
 */
function pairable(plan: Side, log: Side, map: OriginMap): boolean {
  const p = plan.req as Record<string, unknown>;
  const l = log.req as Record<string, unknown>;
  if (p.op !== l.op) return false;
  switch (p.op) {
    case "mount": case "umount2":
      return plan.fds.target !== undefined || log.fds.target !== undefined ? sameFd(plan.fds.target, log.fds.target, map) : p.target === l.target;
    case "openat": case "openat2": return p.pathname === l.pathname;
    case "open_tree": return sameFd(plan.fds.dirfd, log.fds.dirfd, map);
    case "move_mount": return sameFd(plan.fds.from_dirfd, log.fds.from_dirfd, map);
    case "close": case "read": case "setns": return sameFd(plan.fds.fd, log.fds.fd, map);
    case "mount_setattr": return sameFd(plan.fds.dirfd, log.fds.dirfd, map);
    default: return true;
  }
}

/** One round of the DP under a fixed fd mapping; `skip` rows (untraced plan steps) never pair. */
function alignOnce(plan: readonly Side[], log: readonly (Side | null)[], map: OriginMap, skip: ReadonlySet<number>, early: boolean): Pair[] {
  const n = plan.length;
  const m = log.length;
  const diffs: (FieldDiff[] | null)[][] = plan.map((p, i) => log.map((l) => (l && !skip.has(i) && pairable(p, l, map) ? compare(p, l, map) : null)));
  const score = (i: number, j: number) => { const d = diffs[i]![j]; return d == null ? -1 : d.length === 0 ? EXACT : PARTIAL - Math.min(d.length, 9); };
  const best: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const s = score(i - 1, j - 1);
      best[i]![j] = Math.max(best[i - 1]![j]!, best[i]![j - 1]!, s >= 0 ? best[i - 1]![j - 1]! + s : -1);
    }
  }
  const pairs: Pair[] = plan.map((_, i) => ({ plan: i, log: null, diffs: [] }));
  // From the last step back, each step takes the latest call that it can pair with and still
  // reach the best score; a step that can take none stays missing. So among the best alignments
  // this is the one whose last step's call is latest, then the step before it's, and so on. With
  // `early` the pairs go as far forward as they can: a step stays missing when the steps before it
  // reach the best score without it, else it takes the earliest call that fits (a plan that opens
  // one path twice where the log opens it once pairs the first open). test/diff-align-oracle.test.ts
  // checks both against an exhaustive search.
  for (let i = n, j = m; i > 0; i--) {
    const want = best[i]![j]!;
    if (early && best[i - 1]![j] === want) continue;
    const fits = (k: number) => { const s = score(i - 1, k - 1); return s >= 0 && best[i - 1]![k - 1]! + s === want; };
    let k = 0;
    if (early) { for (let c = 1; c <= j && k === 0; c++) if (fits(c)) k = c; }
    else for (let c = j; c > 0 && k === 0; c--) if (fits(c)) k = c;
    if (k > 0) {
      pairs[i - 1] = { plan: i - 1, log: k - 1, diffs: diffs[i - 1]![k - 1]! };
      j = k - 1;
    }
  }
  return pairs;
}

/** Aligns, then re-aligns under the fd mapping that alignment gives, until the mapping is stable. */
function settle(plan: readonly Side[], log: readonly (Side | null)[], skip: ReadonlySet<number>, early: boolean): { pairs: Pair[]; map: OriginMap } {
  let map: OriginMap = new Map();
  let pairs = alignOnce(plan, log, map, skip, early);
  for (let round = 1; round < MAX_ROUNDS; round++) {
    const next = originsOf(pairs, plan);
    if (sameMap(next, map)) break;
    map = next;
    pairs = alignOnce(plan, log, map, skip, early);
  }
  return { pairs, map };
}

function originsOf(pairs: readonly Pair[], plan: readonly Side[]): Map<number, number> {
  const map = new Map<number, number>();
  for (const p of pairs) if (p.log !== null && OPENS.has(plan[p.plan]!.req.op as string)) map.set(p.plan, p.log);
  return map;
}

const sameMap = (a: OriginMap, b: OriginMap) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);

/**
 * Aligns; `log` holds null for calls the plan can never contain (dup, mkdir, openat2, ...).
 * `skip`: plan steps whose syscall was not traced; they stay unpaired (plan indexes are kept, as
 * the fd labels name steps by index).
 */
export function align(plan: readonly Side[], log: readonly (Side | null)[], skip: ReadonlySet<number> = new Set()): Alignment {
  let { pairs, map } = settle(plan, log, skip, false);
  // Equal calls tie (LXC opens its rootfs mount point again and again): when the latest ones leave
  // fds unmatched, the earliest may not; that one is kept only if it matches strictly more steps.
  if (pairs.some((p) => p.log === null || p.diffs.length > 0)) {
    const other = settle(plan, log, skip, true);
    const exact = (ps: readonly Pair[]) => ps.filter((p) => p.log !== null && p.diffs.length === 0).length;
    if (exact(other.pairs) > exact(pairs)) ({ pairs, map } = other);
  }
  const used = new Set(pairs.map((p) => p.log).filter((j): j is number => j !== null));
  const unpaired = log.map((_, j) => j).filter((j) => !used.has(j));
  return { pairs, unpaired, origins: map };
}
