// align (src/diff/align.ts) against an exhaustive search, on random short sides. The search tries
// every order-preserving pairing of plan steps with log calls, keeps the best-scoring ones (an
// equivalent pair outweighs any number of differing ones; fewer differing fields score higher),
// and picks among equals by align's documented tie rule: each plan step, from the last, takes the
// latest log call it can, paired before unpaired (the "late" choice); or ("early") it stays
// unpaired when the best score allows it, else takes the earliest call, so pairs go forward.
// The fd mapping is settled as align documents it: start with no mapping, re-align under the
// mapping the openat pairs give, until it repeats (at most 4 alignments); the early choice wins
// only when it has strictly more equivalent pairs. A DP bound, a traceback branch or a round rule
// that differs from this shows as a counterexample (align.ts's survivors, docs/mutation.md).
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import { align } from "../src/diff/align.js";
import { compare, labelFds, sameFd, type FieldDiff, type OriginMap, type Side } from "../src/diff/compare.js";

type Req = { op: string } & Record<string, unknown>;
type Call = [Req, number];

/**
 * What each op acts on (align.ts's pairable): a differing call is a counterpart only when it
 * agrees. chdir and fchdir are not listed: a runtime changes directory once or twice, so a call
 * with another argument is still shown as the step's counterpart.
 */
const OBJECT: Record<string, string | undefined> = { mount: "target", umount2: "target", openat: "pathname", close: "fd" };

function pairable(p: Side, l: Side, map: OriginMap): boolean {
  const pr = p.req as Req, lr = l.req as Req;
  if (pr.op !== lr.op) return false;
  const field = OBJECT[pr.op];
  if (field === undefined) return true;
  if (p.fds[field] !== undefined || l.fds[field] !== undefined) return sameFd(p.fds[field], l.fds[field], map);
  return pr[field] === lr[field];
}

interface Match { a: (number | null)[]; diffs: (FieldDiff[] | null)[]; score: number }

/** Every order-preserving pairing, scored; `skip` rows and null calls never pair. */
function allMatchings(plan: Side[], log: (Side | null)[], map: OriginMap, skip: Set<number>): Match[] {
  const out: Match[] = [];
  const a: (number | null)[] = [];
  const ds: (FieldDiff[] | null)[] = [];
  const walk = (i: number, from: number, score: number) => {
    if (i === plan.length) { out.push({ a: [...a], diffs: [...ds], score }); return; }
    a.push(null); ds.push(null); walk(i + 1, from, score); a.pop(); ds.pop();
    for (let j = from; j < log.length; j++) {
      const l = log[j];
      if (!l || skip.has(i) || !pairable(plan[i]!, l, map)) continue;
      const d = compare(plan[i]!, l, map);
      a.push(j); ds.push(d);
      walk(i + 1, j + 1, score + (d.length === 0 ? 1000 : 100 - Math.min(d.length, 9)));
      a.pop(); ds.pop();
    }
  };
  walk(0, 0, 0);
  return out;
}

/** The best pairing under `map` by the tie rule: from the last step back, latest call, paired first (or early: unpaired first, then earliest call). */
function best(plan: Side[], log: (Side | null)[], map: OriginMap, skip: Set<number>, early: boolean): Match {
  const all = allMatchings(plan, log, map, skip);
  const top = Math.max(...all.map((m) => m.score));
  const key = (j: number | null) => (early ? (j === null ? Infinity : -j) : (j === null ? -1 : j));
  return all.filter((m) => m.score === top).reduce((x, y) => {
    for (let i = plan.length - 1; i >= 0; i--) {
      if (key(x.a[i]!) !== key(y.a[i]!)) return key(x.a[i]!) > key(y.a[i]!) ? x : y;
    }
    return x;
  });
}

const OPENING = new Set(["openat", "openat2", "open_tree"]);
const mapOf = (m: Match, plan: Side[]): Map<number, number> => {
  const map = new Map<number, number>();
  m.a.forEach((j, i) => { if (j !== null && OPENING.has((plan[i]!.req as Req).op)) map.set(i, j); });
  return map;
};
const same = (x: OriginMap, y: OriginMap) => x.size === y.size && [...x].every(([k, v]) => y.get(k) === v);

/** How many settles took 1, 2 or 3+ alignments: a test that never needs a third cannot see its rule. */
const alignments = [0, 0, 0, 0];

function settled(plan: Side[], log: (Side | null)[], skip: Set<number>, early: boolean): { m: Match; map: OriginMap } {
  let map: OriginMap = new Map();
  let m = best(plan, log, map, skip, early);
  let n = 1;
  for (let round = 1; round < 4; round++) {
    const next = mapOf(m, plan);
    if (same(next, map)) break;
    map = next;
    m = best(plan, log, map, skip, early);
    n++;
  }
  alignments[Math.min(n, 3)]!++;
  return { m, map };
}

/** What align should return, from the search. */
function expected(plan: Side[], log: (Side | null)[], skip: Set<number>) {
  let r = settled(plan, log, skip, false);
  const exact = (m: Match) => m.a.filter((j, i) => j !== null && m.diffs[i]!.length === 0).length;
  if (r.m.a.some((j, i) => j === null || m_diffs(r.m, i) > 0)) {
    const other = settled(plan, log, skip, true);
    if (exact(other.m) > exact(r.m)) r = other;
  }
  const used = new Set(r.m.a.filter((j) => j !== null));
  return {
    pairs: r.m.a.map((j, i) => ({ plan: i, log: j, diffs: j === null ? [] : r.m.diffs[i]! })),
    unpaired: log.map((_, j) => j).filter((j) => !used.has(j)),
    origins: [...r.map].sort((x, y) => x[0] - y[0]),
  };
}
const m_diffs = (m: Match, i: number) => m.diffs[i]?.length ?? 0;

/** Sides as diff builds them: fds labelled along each side by its opens and closes. */
function sides(calls: Call[]): Side[] {
  const labels = labelFds(calls.map(([r]) => r), calls.map(([, ret]) => ret));
  return calls.map(([req, ret], i) => ({ req: req as never, result: { ret }, fds: labels[i]! }));
}

const at = abi.AT_FDCWD;
// A small vocabulary where calls agree, differ in one or two fields, act on another object, or
// are of another op; fds 3 and 4 come and go, so the openat pairs decide which closes match.
const call: fc.Arbitrary<Call> = fc.oneof(
  // An openat relative to an fd opened before (dirfd 3 or 4) scores by the fd mapping, so which
  // openat pairs, and so the mapping, can change from one round to the next.
  fc.tuple(fc.constantFrom(at, at, 3, 4), fc.constantFrom("/a", "/b", "x"), fc.constantFrom(abi.O_RDONLY, abi.O_RDONLY | abi.O_CLOEXEC), fc.constantFrom(3, 4, -abi.ENOENT))
    .map(([dirfd, pathname, flags, ret]): Call => [{ op: "openat", dirfd, pathname, flags, mode: 0 }, ret]),
  fc.tuple(fc.constantFrom(3, 4), fc.constantFrom(0, -abi.EBADF)).map(([fd, ret]): Call => [{ op: "close", fd }, ret]),
  fc.tuple(fc.constantFrom(3, 4), fc.constantFrom(0, -abi.EACCES)).map(([fd, ret]): Call => [{ op: "fchdir", fd }, ret]),
  fc.tuple(fc.constantFrom("/a", "/b", "/proc/self/fd/3"), fc.constantFrom(abi.MS_PRIVATE, abi.MS_SLAVE, abi.MS_PRIVATE | abi.MS_REC), fc.constantFrom(0, -abi.EINVAL))
    .map(([target, mountflags, ret]): Call => [{ op: "mount", source: null, target, filesystemtype: null, mountflags, data: null }, ret]),
  fc.tuple(fc.constantFrom(".", "/old"), fc.constantFrom(0, abi.MNT_DETACH)).map(([target, flags]): Call => [{ op: "umount2", target, flags }, 0]),
  fc.constantFrom("/a", "/b").map((path): Call => [{ op: "chdir", path }, 0]),
);

const sidesArb = fc.record({
  plan: fc.array(call, { minLength: 0, maxLength: 5 }),
  log: fc.array(call, { minLength: 0, maxLength: 6 }),
  /** Log calls the plan can never contain (null), and plan steps that were not traced. */
  nulls: fc.array(fc.nat(5), { maxLength: 2 }),
  skip: fc.array(fc.nat(4), { maxLength: 2 }),
});

/** Shown one step per line, as a failure would be read; a missing step shows diffs too (it must have none). */
const show = (r: { pairs: { plan: number; log: number | null; diffs: FieldDiff[] }[]; unpaired: number[]; origins: [number, number][] }) =>
  [...r.pairs.map((p) => `${p.plan} → ${p.log === null ? "missing" : `log ${p.log}`}${p.diffs.length ? ` (${p.diffs.map((d) => d.field).join(", ")})` : ""}`),
    `extra: ${r.unpaired.join(", ") || "none"}`, `origins: ${r.origins.map(([k, v]) => `${k}→${v}`).join(", ") || "none"}`].join("\n");

test("align picks what the exhaustive search picks, on 3000 random short sides", () => {
  fc.assert(fc.property(sidesArb, ({ plan, log, nulls, skip }) => {
    const p = sides(plan);
    const l: (Side | null)[] = sides(log).map((s, j) => (nulls.includes(j) ? null : s));
    const sk = new Set(skip.filter((i) => i < plan.length));
    const got = align(p, l, sk);
    const want = expected(p, l, sk);
    assert.is(show({ ...got, origins: [...got.origins].sort((x, y) => x[0] - y[0]) }), show(want));
  }), { numRuns: 3000, seed: 0x5eed });
});

test("align picks what the exhaustive search picks where fds decide: opens relative to opened fds, 30000 sides", () => {
  // Only opens, closes and fchdirs on fds 3–5, dirfds among them: an openat's score depends on
  // the mapping, so a second round can pair other opens and a third is needed (about 1 in 800).
  const fd = fc.constantFrom(3, 4, 5);
  const fdCall: fc.Arbitrary<Call> = fc.oneof(
    fc.tuple(fc.constantFrom(at, 3, 4, 5), fc.constantFrom("/a", "x"), fd).map(([dirfd, pathname, ret]): Call => [{ op: "openat", dirfd, pathname, flags: 0, mode: 0 }, ret]),
    fd.map((fd): Call => [{ op: "close", fd }, 0]),
    fd.map((fd): Call => [{ op: "fchdir", fd }, 0]),
  );
  alignments.fill(0);
  const check = (plan: Call[], log: Call[]) => {
    const p = sides(plan), l = sides(log);
    const got = align(p, l);
    assert.is(show({ ...got, origins: [...got.origins].sort((x, y) => x[0] - y[0]) }), show(expected(p, l, new Set())));
  };
  // Found by a wider search (1 side in 100000, sides of 6 and 7): the second round maps every
  // open anew, so a settle that stopped when no entry was kept (rather than when all were) would
  // report the first mapping, and pair the closes by it.
  const o = (dirfd: number, pathname: string, ret: number): Call => [{ op: "openat", dirfd, pathname, flags: 0, mode: 0 }, ret];
  const cl = (fd: number): Call => [{ op: "close", fd }, 0];
  const fch = (fd: number): Call => [{ op: "fchdir", fd }, 0];
  check([o(4, "x", 5), cl(3), o(5, "/a", 3), o(5, "/a", 4), cl(3), o(5, "x", 3)],
    [o(3, "/a", 4), o(at, "/a", 5), fch(4), cl(5), cl(4), fch(4), o(5, "/a", 3)]);
  check([o(at, "x", 5), o(at, "x", 3), cl(5), cl(3), cl(4), fch(5)],
    [fch(5), o(3, "x", 4), fch(3), o(at, "x", 3), cl(3), o(at, "x", 3), o(5, "/a", 4)]);
  fc.assert(fc.property(fc.array(fdCall, { maxLength: 5 }), fc.array(fdCall, { maxLength: 6 }), check), { numRuns: 30000, seed: 0xfd5 });
  assert.ok(alignments[3]! > 0, `no case needed a third alignment (${alignments.join(", ")}): the round rule went untested`);
});

test("the search itself: an equivalent pair outweighs five differing ones, ties go late or early", () => {
  const mnt = (target: string, mountflags: number): Call => [{ op: "mount", source: null, target, filesystemtype: null, mountflags, data: null }, 0];
  // Pairing by position gives five differing pairs (5 × 99); the first step's equivalent call is
  // the last one, so taking it leaves the other four missing, and that is still the better score.
  const x = mnt("/a", abi.MS_SLAVE), y = mnt("/a", abi.MS_PRIVATE), z = mnt("/a", abi.MS_PRIVATE | abi.MS_REC);
  const want = expected(sides([x, y, y, y, y]), sides([z, z, z, z, x]), new Set());
  assert.is(show(want), ["0 → log 4", "1 → missing", "2 → missing", "3 → missing", "4 → missing", "extra: 0, 1, 2, 3", "origins: none"].join("\n"));
  const tie = expected(sides([mnt("/a", abi.MS_SLAVE)]), sides([mnt("/a", abi.MS_SLAVE), mnt("/a", abi.MS_SLAVE)]), new Set());
  assert.is(show(tie), "0 → log 1\nextra: 0\norigins: none");
  const early = best(sides([mnt("/a", abi.MS_SLAVE)]), sides([mnt("/a", abi.MS_SLAVE), mnt("/a", abi.MS_SLAVE)]), new Map(), new Set(), true);
  assert.equal(early.a, [0]);
});

test.run();
