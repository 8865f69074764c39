// The seam refuses results that lie about their bytes, and a pooled instance never shows one run
// another run's bytes: a read's ret must equal the data supplied (a ProtocolError naming the
// request), and the machine zeroes its buffers, so even an embedder that skips the check reads zeros.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Machine, compile } from "../src/machine.js";
import { drive } from "../src/driver.js";
import { encode } from "../src/config.js";
import { parseConfig } from "../src/schema.js";
import { ProtocolError } from "../src/errors.js";
import { DryRunHost } from "../src/hosts/dry-run.js";
import { dockerHostMountinfo } from "../src/hosts/mountinfo-default.js";
import type { Host } from "../src/hosts/host.js";
import type { Request, Result } from "../src/request.js";

const config = { rootfs: "/r", profile: "hardened", strategy: "move" } as const;
const firstHost = `${dockerHostMountinfo("/r")}34 22 0:31 / /only-first-host rw - proc proc rw\n`;
const firstLength = new TextEncoder().encode(firstHost).length;
const mentions = (reqs: readonly Request[], path: string) => reqs.some((r) => JSON.stringify(r).includes(path));

/** The dry-run host, except that reads are answered by `read` (the lie under test). */
class Lying implements Host {
  readonly kind = "dry-run" as const;
  readonly #inner = new DryRunHost({ rootfs: "/r" });
  constructor(private readonly read: (r: Request & { op: "read" }) => Result) {}
  exec(r: Request): Result { return r.op === "read" ? this.read(r) : this.#inner.exec(r); }
}

/** Run 1 on a host with /only-first-host; its instance goes back to the pool for the next run. */
function firstRun(module: WebAssembly.Module): void {
  const t = drive(config, new DryRunHost({ rootfs: "/r", mountinfo: firstHost }), { module });
  assert.ok(mentions(t.steps.map((s) => s.request), "/only-first-host"), "run 1 plans the mount only its host has");
}

test("a read that claims more bytes than it supplied is a ProtocolError naming the request, and the next pooled run sees none of the last one's bytes", () => {
  const module = compile();
  firstRun(module);
  let reads = 0;
  const liar = new Lying(() => (reads++ === 0 ? { ret: firstLength, data: new Uint8Array(0) } : { ret: 0 }));
  assert.throws(() => drive(config, liar, { module }), (e: unknown) =>
    e instanceof ProtocolError && /^read \(request 1, step mountinfo_read\) answered ret \d+ but supplied 0 bytes/.test(e.message));
  // An honest run afterwards is unaffected (the instance that saw the lie was dropped, not pooled).
  const t = drive(config, new DryRunHost({ rootfs: "/r" }), { module });
  assert.not.ok(mentions(t.steps.map((s) => s.request), "/only-first-host"));
});

test("a read result without data but a positive ret is refused too", () => {
  const liar = new Lying(() => ({ ret: 10 }));
  assert.throws(() => drive(config, liar), (e: unknown) => e instanceof ProtocolError && /answered ret 10 but supplied 0 bytes/.test(e.message));
});

test("ret larger than the buffer is refused at the seam", () => {
  const liar = new Lying((r) => ({ ret: r.count + 1, data: new Uint8Array(r.count + 1) }));
  assert.throws(() => drive(config, liar), (e: unknown) => e instanceof ProtocolError && /read \(request 1, step mountinfo_read\) answered ret 4097 for a 4096-byte buffer/.test(e.message));
});

test("getcwd answered ret 2 without its bytes is refused (the CVE-2024-21626 check must see real bytes)", () => {
  const host: Host = { kind: "dry-run", exec: (r) => (r.op === "getcwd" ? { ret: 2 } : inner.exec(r)) };
  const inner = new DryRunHost({ rootfs: "/r" });
  assert.throws(() => drive(config, host), (e: unknown) => e instanceof ProtocolError && /^getcwd \(request \d+, step check_cwd\) answered ret 2 but supplied 0 bytes/.test(e.message));
});

test("errno and ret are bounded to what the ABI carries", () => {
  for (const [res, re] of [
    [{ errno: 2 ** 40 }, /answered errno 1099511627776: an errno is an integer from 1 to 4095/],
    [{ errno: 0 }, /answered errno 0/],
    [{ errno: 1.5 }, /answered errno 1.5/],
    [{ ret: 2 ** 32 + 3 }, /answered ret 4294967299: a ret is an integer that fits in 32 bits/],
  ] as [Result, RegExp][]) {
    const host: Host = { kind: "dry-run", exec: () => res };
    assert.throws(() => drive(config, host), (e: unknown) => e instanceof ProtocolError && /^openat \(request 0, step mountinfo_open\) /.test(e.message) && re.test(e.message), JSON.stringify(res));
  }
});

/**
 * An embedder that writes nothing and feeds a ret straight into the wasm export (no TS check):
 * the machine's buffers are zeroed, so it parses zeros, never the previous run's mountinfo.
 */
test("the raw ABI: a ret with nothing written reads zeros, not the previous run's bytes", () => {
  const module = compile();
  firstRun(module);
  const m = Machine.acquire(module);
  const dry = new DryRunHost({ rootfs: "/r" });
  m.start(encode(parseConfig(config)));
  const seen: Request[] = [];
  let reads = 0;
  let n = m.next();
  for (let i = 0; !n.done && i < 200; i++, n = m.next()) {
    seen.push(n.request);
    if (n.request.op === "read") m.exports.feed(reads++ === 0 ? firstLength : 0, 0);
    else if (n.request.op === "getcwd") m.exports.feed(2, 0);
    else m.feed(dry.exec(n.request));
  }
  assert.ok(n.done);
  assert.not.ok(mentions(seen, "/only-first-host"), "the second run planned a mount only the first host had");
  assert.ok(n.done && n.outcome.kind === "failed", "zeros are not a mountinfo table");
});

test("the raw ABI: getcwd's buffer is zeroed too, so a stale \"/\" cannot pass the cwd check", () => {
  const module = compile();
  drive(config, new DryRunHost({ rootfs: "/r" }), { module });
  const m = Machine.acquire(module);
  const dry = new DryRunHost({ rootfs: "/r" });
  m.start(encode(parseConfig(config)));
  let n = m.next();
  for (let i = 0; !n.done && i < 200; i++, n = m.next()) {
    if (n.request.op === "getcwd") m.exports.feed(2, 0);
    else m.feed(dry.exec(n.request));
  }
  assert.ok(n.done && n.outcome.kind === "failed" && /possible container breakout/.test(n.outcome.message), JSON.stringify(n.done && n.outcome));
});

test.run();
