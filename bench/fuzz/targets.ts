// The fuzz targets: for each, the fast-check arbitrary of its inputs and the call that a user's
// input reaches through the CLI (run() returns normally for a success or throws; outcome.ts judges).
// Input i of a run is fc.sample(arb, { seed: inputSeed(seed, i), numRuns: 1 })[0], so a seed and
// an index name one input everywhere: in the worker, in the report, in a regression fixture.
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { check } from "../../src/check.js";
import { replay } from "../../src/replay.js";
import { parseTraceText } from "../../src/trace-schema.js";
import { parseStrace, toRequests } from "../../src/strace/parse.js";
import { diff } from "../../src/diff/index.js";
import { parseConfig, PROFILES, STRATEGIES } from "../../src/schema.js";
import { plan } from "../../src/plan.js";
import { format } from "../../src/format/index.js";
import { Machine } from "../../src/machine.js";
import { drive } from "../../src/driver.js";
import { DryRunHost } from "../../src/hosts/dry-run.js";
import type { Trace } from "../../src/trace.js";
import { encodeString } from "../../src/utf8.js";
import { mountinfoArb } from "./gen-mountinfo.js";
import { traceArb } from "./gen-trace.js";
import { straceArb } from "./gen-strace.js";
import { configArb, rootfsArb } from "./gen-config.js";
import { OracleFailure } from "./outcome.js";
import { REPO, MOUNTINFO_SEEDS, TRACE_SEEDS } from "./corpus.js";
import { mutate, prng } from "../fuzz-mutator.js";

export interface Target<I = any> {
  /** What it reaches, for the report. */
  what: string;
  /** Which part of the tree a crash here belongs to. */
  area: string;
  arb: fc.Arbitrary<I>;
  run(input: I): void;
  /** Lazy set-up (wasm compile, plans to diff against) done before the first input, so the watchdog does not time it. */
  warm(): void;
}

/** The seed of input i: a 32-bit mix of the run's seed and the index (murmur3's finaliser). */
export function inputSeed(seed: number, i: number): number {
  let h = (seed ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

export const inputAt = <I>(t: Target<I>, seed: number, i: number): I => fc.sample(t.arb, { seed: inputSeed(seed, i), numRuns: 1 })[0]!;

const planConfig = fc.record({
  profile: fc.constantFrom(...PROFILES),
  strategy: fc.constantFrom(...STRATEGIES),
  rootfs: fc.constantFrom("/r", "/var/lib/pivotshim/rootfs", "/tmp/pvs/rootfs", "/a/b"),
});

/** (a) `pivotshim plan --mountinfo FILE`: the fake kernel built from the table, one plan on it, the invariants judged. */
const fakeKernel: Target<{ config: { profile: string; strategy: string; rootfs: string }; mountinfo: string }> = {
  what: "FakeKernel.fromMountinfo + plan on it (check(), plan's default path)",
  area: "H1 (src/hosts/fake)",
  arb: fc.record({ config: planConfig, mountinfo: mountinfoArb }),
  run: ({ config, mountinfo }) => { check(config as never, { mountinfo }); },
  warm: () => { check({}, { mountinfo: MOUNTINFO_SEEDS[0] }); },
};

/** Every integer in a result must fit the ABI (int32; errnos 1..4095), and data must be exactly `ret` bytes. */
function abiCarries(t: Trace): string | null {
  for (const [i, s] of t.steps.entries()) {
    const r = s.result as { ret?: number; errno?: number; text?: string; base64?: string };
    const nums = Object.entries(s.request).filter(([, v]) => typeof v === "number") as [string, number][];
    if (r.ret !== undefined) nums.push(["ret", r.ret]);
    for (const [k, v] of nums) if ((v | 0) !== v) return `steps[${i}] ${k} = ${v} does not fit int32, yet the replay is identical`;
    if (r.errno !== undefined && r.errno > 4095) return `steps[${i}] errno ${r.errno} is past MAX_ERRNO 4095, yet the replay is identical`;
    const data = r.text !== undefined ? encodeString(r.text).length : r.base64 !== undefined ? Buffer.from(r.base64, "base64").length : undefined;
    if (data !== undefined && r.ret !== undefined && r.ret >= 0 && data !== r.ret) return `steps[${i}] ${s.request.op} claims ret ${r.ret} for ${data} bytes of data, yet the replay is identical`;
  }
  return null;
}

/** (b) `pivotshim replay FILE`: the trace schema, then the machine re-driven against the recording. */
const traceReplay: Target<string> = {
  what: "parseTraceText + replay (pivotshim replay FILE)",
  area: "H2 (src/trace-schema.ts, src/hosts/replay.ts)",
  arb: traceArb,
  run: (text) => {
    const recorded = parseTraceText(text, "fuzz.json");
    replay(recorded);
    const broken = abiCarries(recorded);
    if (broken) throw new OracleFailure(broken);
  },
  warm: () => { replay(TRACE_SEEDS[0]); },
};

const PLANS = new Map<string, Trace>();
const planFor = (profile: string): Trace => {
  let t = PLANS.get(profile);
  if (!t) PLANS.set(profile, (t = plan({ profile: profile as never, rootfs: "/tmp/pvs/rootfs" })));
  return t;
};

/** (c) `pivotshim diff --strace LOG`: the parser, toRequests, and diff against a plan; plus a plan's own strace text, which must diff equivalent. */
const strace: Target<{ log: string; profile: string } | { self: { rootfs: string; profile: string; strategy: string } }> = {
  what: "parseStrace + toRequests + diff (pivotshim diff --strace LOG); a plan's own strace output diffs equivalent",
  area: "H2 (src/strace)",
  arb: fc.oneof(
    { weight: 9, arbitrary: fc.record({ log: straceArb, profile: fc.constantFrom(...PROFILES) }) },
    { weight: 1, arbitrary: fc.record({ self: fc.record({ rootfs: rootfsArb, profile: fc.constantFrom(...PROFILES), strategy: fc.constantFrom(...STRATEGIES) }) }) },
  ),
  run: (input) => {
    if ("self" in input) {
      let t: Trace;
      try { t = plan(input.self as never); } catch { return; } // a refused config is the config target's business
      if (t.outcome.kind !== "done") return;
      const r = diff(t, format(t, "strace"));
      if (!r.equivalent) throw new OracleFailure(`a plan's own strace output is not equivalent to it (rootfs ${JSON.stringify(input.self.rootfs).slice(0, 80)}): ${JSON.stringify(r.summary)}`);
      return;
    }
    toRequests(parseStrace(input.log).calls);
    diff(planFor(input.profile), input.log);
  },
  warm: () => { for (const p of PROFILES) planFor(p); },
};

/** (d) a config from a library caller or a file: the zod schema, then (if accepted) a dry-run plan that must not trap. */
const config: Target<unknown> = {
  what: "parseConfig (zod) + plan on the dry-run host when accepted",
  area: "H3 (src/schema.ts)",
  arb: configArb,
  run: (input) => {
    const c = parseConfig(input);
    // The bytes the kernel would get, counted apart from src/utf8.ts: UTF-8, except that a lone
    // U+DC80..U+DCFF is one raw byte (surrogateescape), where Buffer.byteLength counts U+FFFD's 3.
    const bytes = Buffer.byteLength(c.rootfs) - 2 * (c.rootfs.match(/(?<![\ud800-\udbff])[\udc80-\udcff]/g)?.length ?? 0);
    if (bytes > 4095) throw new OracleFailure(`accepted a rootfs of ${bytes} bytes (past PATH_MAX - 1)`);
    plan(c);
  },
  warm: () => { plan(parseConfig({})); },
};

/** The original fuzz: byte-mutated k8s tables straight into the machine's own (wasm) parser. */
const K8S = readFileSync(join(REPO, "test/fixtures/mountinfo/k8s-node.mountinfo"), "utf8");
const MOVE = parseConfig({ rootfs: "/r", strategy: "move" });
let machine: Machine | undefined;
const wasmParser: Target<number> = {
  what: "the machine's mountinfo parser (wasm), byte-mutated k8s table on the dry-run host",
  area: "assembly/ (the machine)",
  arb: fc.nat(),
  run: (seed) => {
    machine ??= Machine.create();
    try { drive(MOVE, new DryRunHost({ mountinfo: mutate(K8S, prng(seed)) }), { machine }); } catch (e) { machine = undefined; throw e; }
  },
  warm: () => { machine ??= Machine.create(); },
};

export const TARGETS: Record<string, Target> = { "fake-kernel": fakeKernel, "trace-replay": traceReplay, strace, config, "wasm-parser": wasmParser };
export const TARGET_NAMES = Object.keys(TARGETS);
