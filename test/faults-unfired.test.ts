// A fault that matches no request is an error, not a normal plan: the library throws
// FaultNotFiredError naming the fault and the calls of that op that did happen, the CLI exits 2
// with nothing on stdout, and explore never counts a path whose fault did not fire.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { plan } from "../src/plan.js";
import { check } from "../src/check.js";
import { explore } from "../src/explore.js";
import { DryRunHost } from "../src/hosts/dry-run.js";
import { MAN_ERRNOS } from "../src/hosts/faults.js";
import { FaultNotFiredError, InvalidInputError } from "../src/errors.js";
import type { Host } from "../src/hosts/host.js";

const CLI = new URL("../dist/cli/pivotshim.cjs", import.meta.url).pathname;
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });

function thrown(f: () => unknown): FaultNotFiredError {
  try { f(); } catch (e) { if (e instanceof FaultNotFiredError) return e; throw e; }
  throw new Error("expected FaultNotFiredError, nothing was thrown");
}

test("pivot_root#9=EINVAL on a plan with one pivot_root: the error names the call that happened", () => {
  const e = thrown(() => plan({ rootfs: "/r", profile: "runc", prepare: false }, { faults: ["pivot_root#9=EINVAL"] }));
  assert.ok(e instanceof InvalidInputError, "an input error: exit 2 in the CLI");
  assert.is(e.message, 'fault "pivot_root#9=EINVAL" never fired: the run made 1 pivot_root call (request #4); pick a call that happens (see the plan without --fail)');
  assert.equal(e.faults, [{ spec: "pivot_root#9=EINVAL", op: "pivot_root", nth: 9, calls: [4] }]);
});

test("pivot_root=EINVAL with --strategy chroot: there is no pivot_root to fail", () => {
  const e = thrown(() => plan({ rootfs: "/r", profile: "runc", strategy: "chroot" }, { faults: ["pivot_root=EINVAL"] }));
  assert.match(e.message, /^fault "pivot_root=EINVAL" never fired: the run made no pivot_root call;/);
});

test("a fault after the run has already failed never fires: both are named, only the second is missed", () => {
  const e = thrown(() => plan({ rootfs: "/r", profile: "runc", prepare: false }, { faults: ["openat=EPERM", "pivot_root=EINVAL"] }));
  assert.equal(e.faults.map((f) => f.spec), ["pivot_root=EINVAL"]);
});

test("check() on the fake kernel refuses an unfired fault the same way", () => {
  const e = thrown(() => check({ profile: "runc", strategy: "pivot" }, { faults: ["chroot=EPERM"] }));
  assert.match(e.message, /fault "chroot=EPERM" never fired: the run made no chroot call/);
});

test("a fault that fires is unchanged: the plan fails at it", () => {
  const t = plan({ rootfs: "/r", profile: "runc", prepare: false }, { faults: ["pivot_root#1=EINVAL"] });
  assert.is(t.outcome.kind, "failed");
});

test("CLI: exit 2, the fault named on stderr, nothing on stdout", () => {
  for (const args of [["--fail", "pivot_root#9=EINVAL"], ["--strategy", "chroot", "--fail", "pivot_root=EINVAL"]]) {
    const r = cli("plan", "--rootfs", "/r", "--profile", "runc", "--format", "strace", ...args);
    assert.is(r.status, 2, r.stderr);
    assert.is(r.stdout, "");
    assert.match(r.stderr, /^pivotshim: fault "pivot_root(#9)?=EINVAL" never fired: the run made/);
  }
});

test("explore drops a path whose fault did not fire (a host that answers differently each time)", () => {
  // The host makes the run one request shorter on every other build: a fault aimed at the last
  // request of the base run then finds nothing to fail on those paths.
  let build = 0;
  const makeHost = () => {
    const odd = build++ % 2 === 1;
    const inner = new DryRunHost({ rootfs: "/r" });
    let pivots = 0;
    const host: Host = {
      kind: "dry-run",
      exec: (req) => (odd && req.op === "pivot_root" && pivots++ === 0 ? { errno: 1 } : inner.exec(req)),
    };
    return { host };
  };
  const r = explore({ rootfs: "/r", profile: "runc", prepare: false }, makeHost);
  const all = r.trace.steps.reduce((n, s) => n + MAN_ERRNOS[s.request.op].length, 0);
  assert.ok(r.paths.length < all, `some paths must be dropped (${r.paths.length} of ${all})`);
  assert.ok(r.paths.length > 0);
  // Every recorded path failed where its fault said (the fault fired).
  for (const p of r.paths) assert.ok(p.faults.length === 1);
});

test.run();
