// Where each runtime's window starts (WINDOW_START in src/diff/window.ts), and that "equivalent"
// never hides a mount or umount2 the process made before it. The log is runc 1.1.5's real capture
// with its pivot replaced by what runc's chroot() branch calls without a mount namespace
// (chroot("."), chdir("/"): docs/sources.md#runc-main), prepare and all else left as captured.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { plan } from "../src/plan.js";
import { DryRunHost } from "../src/hosts/dry-run.js";
import { diff, renderText, WINDOW_START, windowStart } from "../src/diff/index.js";
import { PROFILES, STRATEGIES, type ConfigInput } from "../src/schema.js";
import { fixture } from "./helpers.js";

const ROOTFS = "/tmp/pvs/rootfs";
const CAPTURE_HOST = readFileSync(fixture("diff/capture-host.mountinfo"), "utf8");
const PID = "3895";

/** runc-pivot-default.strace with pid 3895's pivot (open "/" .. close(6)) replaced by chroot(".") + chdir("/"). */
function runcChrootLog(): string {
  const lines = readFileSync(fixture("real/runc-pivot-default.strace"), "utf8").split("\n");
  const from = lines.findIndex((l) => l.startsWith(`${PID}  openat(`) && l.includes(`"/", O_RDONLY|O_DIRECTORY`));
  const to = lines.findIndex((l, i) => i > from && l.startsWith(`${PID}  close(6</>)`));
  assert.ok(from > 0 && to > from && lines[from - 1]!.includes(`chdir("${ROOTFS}")`), "the capture's switch is where WINDOWS.md says");
  lines.splice(from, to - from + 1, `${PID}  chroot(".")                       = 0`, `${PID}  chdir("/")                        = 0`);
  return lines.join("\n");
}

const runc11 = (extra: Partial<ConfigInput> = {}) =>
  plan({ rootfs: ROOTFS, profile: "runc-1.1", strategy: "chroot", ...extra }, { host: new DryRunHost({ rootfs: ROOTFS, mountinfo: CAPTURE_HOST }) });

test("WINDOW_START: runc and crun start at the first propagation change of /, runc-1.1 chroot at its first mount", () => {
  const table = Object.fromEntries(PROFILES.map((p) => [p, STRATEGIES.map((s) => WINDOW_START[p](s))]));
  assert.equal(table, {
    hardened: ["first-step", "first-step", "first-step", "first-step"],
    runc: ["root-propagation", "root-propagation", "root-propagation", "root-propagation"],
    "runc-1.1": ["root-propagation", "root-propagation", "root-propagation", "first-mount"],
    crun: ["root-propagation", "root-propagation", "root-propagation", "first-step"],
    youki: ["root-propagation", "root-propagation", "root-propagation", "root-propagation"],
    bwrap: ["root-propagation", "root-propagation", "root-propagation", "root-propagation"],
    lxc: ["first-step", "first-step", "first-step", "first-step"],
    "crun-1.29": ["first-step", "first-step", "first-step", "first-step"],
  });
  // A plan without such a step (--no-prepare) starts at its own first step.
  const noPrep = runc11({ prepare: false });
  assert.equal(windowStart("runc-1.1", "chroot", noPrep.steps.map((s) => s.request)), { kind: "first-step", first: { op: "chdir", path: ROOTFS, count: 1 } });
});

test("runc 1.1.5 without a mount namespace ≡ the runc-1.1 chroot plan, from its first mount", () => {
  const r = diff(runc11(), runcChrootLog());
  assert.ok(r.equivalent, renderText(r));
  assert.is(r.window.start, "first-mount");
  assert.is(r.window.startLine, 276);
  assert.equal(r.beforeWindow, []);
  assert.equal(r.steps.slice(0, 1).map((s) => s.status === "match" ? s.log.text : s.status), ['mount("", "/", 0xc00013e794, MS_REC|MS_SLAVE, NULL) = 0']);
  assert.ok(r.steps.some((s) => s.plan.step === "self_bind" && s.status === "match"));
});

test("a plan without the prepare phase is NOT equivalent: runc's mounts before its window are differences", () => {
  const r = diff(runc11({ prepare: false }), runcChrootLog());
  assert.not.ok(r.equivalent, renderText(r));
  assert.equal(r.steps.filter((s) => s.status !== "match"), [], "every plan step matched; the mounts before it are what differs");
  assert.ok(r.beforeWindow.length >= 2);
  assert.equal(r.beforeWindow.slice(0, 2).map((c) => c.line), [276, 281]);
  assert.match(r.beforeWindow[1]!.text, /^mount\("\/tmp\/pvs\/rootfs", "\/tmp\/pvs\/rootfs", 0x[0-9a-f]+, MS_BIND\|MS_REC, NULL\) = 0$/);
  const text = renderText(r);
  assert.match(text, /✗ before the window: \d+ mount\/umount2 calls of the same process that no plan step expects:\n {2}line 276 {2}mount\("", "\/", /);
  assert.match(text, /DIFFERS: 0 steps differ, 0 missing from the log, 3 matched, \d+ unexpected mount\/umount2 before the window\n$/);
});

test("the real captures have no mount before their window (the rule costs them nothing)", () => {
  for (const log of ["runc-pivot-default", "runc-nopivot-rshared", "crun-pivot-default", "crun-nopivot-readonly"]) {
    const [runtime, mode] = log.split("-");
    const t = plan({ rootfs: ROOTFS, profile: runtime === "runc" ? "runc-1.1" : "crun", strategy: mode === "pivot" ? "pivot" : "move" }, { host: new DryRunHost({ rootfs: ROOTFS, mountinfo: CAPTURE_HOST }) });
    const r = diff(t, readFileSync(fixture(`real/${log}.strace`), "utf8"));
    assert.equal(r.beforeWindow, [], log);
    assert.is(r.window.start, "root-propagation", log);
  }
});

test.run();
