// Misuse of the seam is loud: next() twice, feed() with nothing pending, feed() after the end.
// Each is a ProtocolError whose message names where the machine was.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Machine } from "../src/machine.js";
import { encode } from "../src/config.js";
import { parseConfig } from "../src/schema.js";
import { ProtocolError } from "../src/errors.js";
import { drive } from "../src/driver.js";
import type { Host } from "../src/hosts/host.js";
import type { Request, Result } from "../src/request.js";

const cfg = encode(parseConfig({ rootfs: "/r", profile: "runc" }));
const isProtocol = (re: RegExp) => (e: unknown) => e instanceof ProtocolError && re.test((e as Error).message);

test("next() twice without feed() names the pending step", () => {
  const m = Machine.create();
  m.start(cfg);
  m.next();
  assert.throws(() => m.next(), isProtocol(/next\(\) called twice without feed\(\).*step propagate_root/));
});

test("feed() with nothing pending", () => {
  const m = Machine.create();
  m.start(cfg);
  assert.throws(() => m.feed({ ret: 0 }), isProtocol(/feed\(\) without a pending request/));
});

test("feed() after the run ended says so", () => {
  const m = Machine.create();
  m.start(encode(parseConfig({ rootfs: "/r", profile: "runc", strategy: "chroot" })));
  for (let n = m.next(); !n.done; n = m.next()) m.feed(n.request.op === "openat" ? { ret: 3 } : { ret: 0 });
  assert.throws(() => m.feed({ ret: 0 }), isProtocol(/the run has ended/));
});

test("next() before start()", () => {
  assert.throws(() => Machine.create().next(), isProtocol(/before start/));
});

test("an embedder's bad config ends FAILED at once, with no request", () => {
  const m = Machine.create();
  m.start({ ...cfg, rootfs: "relative/path" });
  const n = m.next();
  assert.ok(n.done);
  assert.is(n.done && n.outcome.kind === "failed" && n.outcome.message, "invalid config: rootfs must be an absolute path");
});

/** A host that answers 0 (and a full buffer to reads) forever. */
class ForeverHost implements Host {
  readonly kind = "dry-run" as const;
  exec(r: Request): Result {
    if (r.op === "read") return { ret: r.count, data: new Uint8Array(r.count).fill(0x41) };
    return { ret: r.op === "openat" ? 3 : 0 };
  }
}

test("a host that answers 0 forever: the detach loop ends FAILED, bounded", () => {
  const t = drive({ rootfs: "/r", profile: "crun", strategy: "pivot" }, new ForeverHost());
  assert.is(t.outcome.kind, "failed");
  assert.match(t.outcome.kind === "failed" ? t.outcome.message : "", /gave up after 64 unmounts/);
});

test("a host whose reads never reach EOF: the read loop ends FAILED at the cap", () => {
  const t = drive({ rootfs: "/r", profile: "hardened", strategy: "move" }, new ForeverHost());
  assert.match(t.outcome.kind === "failed" ? t.outcome.message : "", /larger than the 16777216-byte cap/);
  assert.ok(t.steps.length < 300, `${t.steps.length} requests`);
});

test.run();
