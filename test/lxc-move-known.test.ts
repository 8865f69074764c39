// The one excuse the real-run tests accept in place of "done" (test/helpers.ts lxcMoveKnown): lxc
// move refused where the model cannot know the real namespace. Too wide an excuse would pass a
// refusal that is a bug, so what it does not accept is pinned here.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { lxcMoveKnown } from "./helpers.js";

const diverged = { kind: "refused", reason: "diverged", message: "request 12 umount2 (pass_umount): got EINVAL, the model said ENOENT" };
const damage = (ids: string[]) => ({ kind: "refused", reason: "predicted-damage", violated: ids.map((id) => ({ id })) });

test("accepted: lxc move, diverged at a pass's umount2; rootless, only the host's locked /proc and /sys left under the new root", () => {
  assert.match(lxcMoveKnown("lxc", "move", diverged) ?? "", /^diverged at a pass's umount2/);
  assert.match(lxcMoveKnown("lxc", "move", damage(["no-host-proc-sysfs", "no-host-proc-sysfs"])) ?? "", /locked \/proc and \/sys/);
});

test("not accepted: another profile or strategy, another outcome, another violation, or a refusal that names none", () => {
  assert.is(lxcMoveKnown("lxc", "pivot", diverged), null);
  assert.is(lxcMoveKnown("runc", "move", diverged), null);
  assert.is(lxcMoveKnown("lxc", "move", { kind: "failed", message: "x" }), null);
  assert.is(lxcMoveKnown("lxc", "move", { ...diverged, message: "request 3 pivot_root: got EINVAL" }), null);
  assert.is(lxcMoveKnown("lxc", "move", damage(["no-host-proc-sysfs", "host-table-unchanged"])), null);
  assert.is(lxcMoveKnown("lxc", "move", damage([])), null, "a refusal that names no violation is a bug, not the known case");
});

test.run();
