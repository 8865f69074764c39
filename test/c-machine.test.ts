// The C machine (build/c: the release wasm translated by wasm2c, behind host/pivotshim.h) and the
// wasm machine in V8 agree byte for byte: every request block and every outcome block, on every
// golden config, every config the static rule refuses, bad rootfs values, every scenario of the
// fake kernel, and every single fault (each step × the errnos its syscall's man page lists). The
// wasm side is driven here and prints the same lines as test/c/machine-driver.c; the driver gets
// the results the wasm machine got, so any difference in behaviour shows as a different line.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as abi from "../src/abi.js";
import { Machine } from "../src/machine.js";
import { encode, propagationFlags } from "../src/config.js";
import { PROFILES, PROPAGATIONS, STRATEGIES } from "../src/schema.js";
import { DryRunHost } from "../src/hosts/dry-run.js";
import { FakeKernel, SCENARIO_NAMES } from "../src/hosts/fake/index.js";
import { enterSwitchNamespace } from "../src/switch-namespace.js";
import { parseConfig } from "../src/schema.js";
import { MAN_ERRNOS } from "../src/hosts/faults.js";
import { errnoNumber } from "../src/names-ts.js";
import { encodeString } from "../src/utf8.js";
import { autonomousBytes } from "../src/hosts/native.js";
import type { Host } from "../src/hosts/host.js";
import type { Encoded } from "../src/machine.js";
import { cProgram } from "./helpers/c-dir.js";
import { strategiesOf } from "./helpers.js";

const DRIVER = cProgram("machine-driver");

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
/** A string slot as the driver prints it: - for NULL, = for "", else hex. */
function slot(mem: Uint8Array, view: DataView, at: number): string {
  const p = view.getUint32(at, true), n = view.getUint32(at + 4, true);
  if (p === 0 || p + n > mem.length) return "-";
  return n === 0 ? "=" : hex(mem.subarray(p, p + n));
}

interface Case { name: string; cfg: Encoded; host: () => Host }

/** The wasm machine's lines for one case, and the script that gives the driver the same results. */
function runWasm(c: Case): { lines: string[]; script: string[] } {
  const m = Machine.create();
  const ex = m.exports;
  const rootfs = encodeString(c.cfg.rootfs).subarray(0, ex.input_cap());
  const script = [`S ${c.cfg.profile} ${c.cfg.strategy} ${c.cfg.rootPropagation} ${c.cfg.options} ${hex(rootfs) || "-"}`];
  new Uint8Array(ex.memory.buffer, ex.input_ptr(), rootfs.length).set(rootfs);
  const lines = [`S ${ex.start(rootfs.length, c.cfg.profile, c.cfg.strategy, c.cfg.rootPropagation, c.cfg.options)}`];
  const host = c.host();
  for (let guard = 0; guard < 100_000; guard++) {
    const n = m.next();
    const mem = new Uint8Array(ex.memory.buffer), view = new DataView(ex.memory.buffer);
    const at = ex.request_ptr();
    const i32 = (off: number) => view.getInt32(at + off, true);
    const buf = view.getUint32(at + abi.REQ_BUF, true), count = i32(abi.REQ_COUNT);
    const hasBuf = buf !== 0 && count >= 0 && buf + count <= mem.length ? 1 : 0;
    const strs = [abi.REQ_STR0, abi.REQ_STR1, abi.REQ_STR2, abi.REQ_STR3, abi.REQ_REASON].map((o) => slot(mem, view, at + o));
    lines.push(`R ${i32(abi.REQ_OP)} ${i32(abi.REQ_SEQ)} ${i32(abi.REQ_FD)} ${i32(abi.REQ_FLAGS)} ${count} ${i32(abi.REQ_STEP)} ${i32(abi.REQ_MODE)} ${hasBuf} ${strs.join(" ")}`);
    if (n.done) {
      const o = ex.outcome_ptr();
      const oi = (off: number) => view.getInt32(o + off, true);
      lines.push(`O ${oi(abi.OUT_OP)} ${oi(abi.OUT_ERRNO)} ${oi(abi.OUT_STEP)} ${oi(abi.OUT_SEQ)} ${[abi.OUT_PATH, abi.OUT_MESSAGE, abi.OUT_NOTE].map((f) => slot(mem, view, o + f)).join(" ")}`);
      m.release();
      return { lines, script };
    }
    const r = host.exec(n.request);
    script.push("errno" in r ? `F -1 ${r.errno} -` : `F ${r.ret} 0 ${r.data && r.data.length ? hex(r.data) : "-"}`);
    m.feed(r);
  }
  throw new Error(`${c.name}: no end after 100000 requests`);
}

const MOUNTINFO = "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n23 22 0:21 / /proc rw,relatime shared:2 - proc proc rw\n24 22 0:22 / /sys rw,relatime shared:3 - sysfs sysfs rw\n";
const dry = (rootfs: string) => () => new DryRunHost({ rootfs, mountinfo: MOUNTINFO });

/** A host that fails the request at index `at` with `errno` and answers the rest like `inner`. */
function failing(inner: () => Host, at: number, errno: number): () => Host {
  return () => {
    const h = inner();
    let n = 0;
    return { kind: "custom", exec: (req) => (n++ === at ? { errno } : h.exec(req)) };
  };
}

function cases(): Case[] {
  const out: Case[] = [];
  const enc = (rootfs: string, profile: (typeof PROFILES)[number], strategy: (typeof STRATEGIES)[number], o: { readonly?: boolean; prepare?: boolean; selfBind?: boolean; prop?: (typeof PROPAGATIONS)[number] } = {}): Encoded =>
    ({ ...encode({ rootfs, profile, strategy, readonly: o.readonly ?? false, prepare: o.prepare ?? true, selfBind: o.selfBind ?? true }), rootPropagation: propagationFlags(o.prop) });
  // Every config, valid or refused by the static rule (the machine refuses those itself).
  for (const profile of PROFILES) for (const strategy of STRATEGIES) for (const prop of [undefined, ...PROPAGATIONS]) {
    for (const readonly of [false, true]) for (const prepare of [true, false]) for (const selfBind of [true, false]) {
      out.push({ name: `${profile} ${strategy} ${prop ?? "default"} ro=${readonly} prepare=${prepare} self=${selfBind}`, cfg: enc("/srv/rootfs", profile, strategy, { readonly, prepare, selfBind, prop }), host: dry("/srv/rootfs") });
    }
  }
  // Rootfs values the machine refuses, and its length bounds.
  for (const rootfs of ["", "r", "/", "/r/", "//r", "/r/./x", "/r/../x", "/r\u0000x", "/" + "a".repeat(4094), "/" + "a".repeat(4095), "/" + "a".repeat(5000), "/é/ü"]) {
    out.push({ name: `rootfs ${JSON.stringify(rootfs.slice(0, 20))} (${rootfs.length})`, cfg: enc(rootfs, "runc", "pivot"), host: dry("/r") });
  }
  // Every scenario of the fake kernel, every profile and strategy.
  for (const scenario of SCENARIO_NAMES) for (const profile of PROFILES) for (const strategy of strategiesOf(profile)) {
    const config = parseConfig({ rootfs: "/var/lib/pivotshim/rootfs", profile, strategy });
    out.push({ name: `${scenario} ${profile} ${strategy}`, cfg: encode(config), host: () => enterSwitchNamespace(FakeKernel.scenario(scenario, { rootfs: config.rootfs }), config, true) });
  }
  // Every single fault: each request of each clean plan, failed with each errno its man page lists.
  for (const profile of PROFILES) for (const strategy of STRATEGIES) {
    const cfg = enc("/srv/rootfs", profile, strategy);
    const clean = runWasm({ name: "clean", cfg, host: dry("/srv/rootfs") });
    const ops = clean.lines.filter((l) => l.startsWith("R ")).map((l) => abi.Op[Number(l.split(" ")[1])] as keyof typeof MAN_ERRNOS);
    ops.forEach((op, at) => {
      for (const name of [...(MAN_ERRNOS[op] ?? []), "EINTR"]) {
        out.push({ name: `${profile} ${strategy} fault #${at} ${op}=${name}`, cfg, host: failing(dry("/srv/rootfs"), at, errnoNumber(name)!) });
      }
    });
  }
  return out;
}

const why = existsSync(DRIVER) ? null : "build/c/machine-driver is not built: install wasm2c (apt-get install wabt), then npm run build:c";
const name = "the C machine and the wasm machine print the same blocks for every case";
if (why) {
  console.error(`SKIP ${name}: ${why}`);
  test.skip(name);
} else {
  test(name, () => {
    const all = cases();
    const runs = all.map(runWasm);
    const r = spawnSync(DRIVER, [], { input: runs.map((x) => x.script.join("\n")).join("\n") + "\n", encoding: "utf8", maxBuffer: 1 << 30 });
    assert.is(r.status, 0, r.stderr);
    // The driver's output, cut per case at each "S" line.
    const got: string[][] = [];
    for (const l of r.stdout.split("\n")) {
      if (l === "") continue;
      if (l.startsWith("S ")) got.push([]);
      got.at(-1)?.push(l);
    }
    assert.is(got.length, all.length, "one run per case");
    let differ = 0;
    all.forEach((c, i) => {
      if (got[i]!.join("\n") !== runs[i]!.lines.join("\n")) {
        if (differ++ < 3) assert.fixture(got[i]!.join("\n"), runs[i]!.lines.join("\n"), c.name);
      }
    });
    assert.is(differ, 0);
    console.error(`C machine: ${all.length} cases, ${runs.reduce((n, x) => n + x.lines.length, 0)} blocks, all equal to the wasm machine's`);
  });
}

const RESERVE = cProgram("reserve-check");
const reserveName = "ps_reserve(PS_RESERVE_ANY_RUN): a run with a mountinfo at the 16 MiB cap never grows the memory (no allocation after a fork); ps_cap bounds the growth";
if (why || !existsSync(RESERVE)) {
  console.error(`SKIP ${reserveName}: ${why ?? "build/c/reserve-check is not built"}`);
  test.skip(reserveName);
} else {
  test(reserveName, () => {
    // "<reserve> <grew> <outcome> <bytes read>": without a reservation the memory grows (the check can fail).
    const run = (bytes: string) => spawnSync(RESERVE, [bytes], { encoding: "utf8" }).stdout.trim().split(" ");
    const none = run("0");
    assert.equal(none.slice(1, 3), ["1", "done"], "without a reservation the memory grows");
    const full = run("any");
    assert.equal(full.slice(1, 3), ["0", "done"], "with PS_RESERVE_ANY_RUN it does not");
    assert.ok(Number(full[3]) > abi.MOUNTINFO_CAP - 200, `the table was ${full[3]} bytes, just under the cap`);
    // ps_seal after a reservation: a reservation too small makes the run trap instead of growing.
    const sealed = spawnSync(RESERVE, [String(autonomousBytes(abi.MOUNTINFO_CAP)), "seal"], { encoding: "utf8" }).stdout.trim().split(" ");
    assert.equal(sealed.slice(1, 3), ["0", "done"], "autonomousBytes(16 MiB) is room enough for a sealed machine");
    const small = spawnSync(RESERVE, [String(8 << 20), "seal"], { encoding: "utf8" }).stdout.trim().split(" ");
    assert.equal(small.slice(1, 3), ["0", "trapped"], "8 MiB sealed: the run traps, the memory stays as it was");
    // ps_cap (pivotshim-child's): the memory grows as the run needs, up to the cap the executor
    // gives for this table size, and a cap too small makes the run trap instead.
    const capped = spawnSync(RESERVE, [String(autonomousBytes(abi.MOUNTINFO_CAP)), "cap"], { encoding: "utf8" }).stdout.trim().split(" ");
    assert.equal(capped.slice(1, 3), ["1", "done"], "autonomousBytes(16 MiB) as the cap: the memory grows, the run ends");
    const tight = spawnSync(RESERVE, [String(8 << 20), "cap"], { encoding: "utf8" }).stdout.trim().split(" ");
    assert.equal(tight.slice(1, 3), ["1", "trapped"], "an 8 MiB cap: the run grows to it, then traps");
  });
}

test.run();
