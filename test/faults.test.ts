// The fault table: for the runc plan (the seed's sequence), every step × every errno its man
// page lists. Each row checks the terminal state, the error fields, the exact requests after the
// fault (the deferred closes, innermost first) and that every opened fd is closed.
import type { FaultSpec } from "../src/hosts/faults.js";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { plan } from "../src/plan.js";
import { drive } from "../src/driver.js";
import { DryRunHost } from "../src/hosts/dry-run.js";
import { FaultyHost, MAN_ERRNOS } from "../src/hosts/faults.js";
import { errnoNumber, errnoText } from "../src/names-ts.js";
import { straceLine } from "../src/format/strace.js";
import type { ConfigInput } from "../src/schema.js";
import { leakedFds } from "./helpers.js";

const seed: ConfigInput = { rootfs: "/r", profile: "runc", prepare: false };

test("pivot_root=EINVAL: close(4), close(3), runc's message", () => {
  const t = plan(seed, { faults: ["pivot_root=EINVAL"] });
  const tail = t.steps.slice(-3).map(straceLine);
  assert.equal(tail, ['pivot_root(".", ".") = -1 EINVAL (Invalid argument)', "close(4) = 0", "close(3) = 0"]);
  assert.equal(t.outcome, {
    kind: "failed", op: "pivot_root", path: ".", errno: 22, errnoName: "EINVAL", step: "pivot_root", seq: 4,
    message: "error jailing process inside rootfs: pivot_root .: invalid argument", note: "",
  });
});

// runc's exact message for every step of the seed, with EPERM.
const MESSAGES: [string, string][] = [
  ["openat#1", "open rootfs handle: open /r: operation not permitted"],
  ["fchdir#1", "chdir /r: operation not permitted"],
  ["openat#2", "error jailing process inside rootfs: open /: operation not permitted"],
  ["fchdir#2", "error jailing process inside rootfs: chdir /r: operation not permitted"],
  ["pivot_root#1", "error jailing process inside rootfs: pivot_root .: operation not permitted"],
  ["fchdir#3", "error jailing process inside rootfs: fchdir fd 4: operation not permitted"],
  ["mount#1", "error jailing process inside rootfs: mount dst=., flags=MS_REC|MS_SLAVE: operation not permitted"],
  ["umount2#1", "error jailing process inside rootfs: unmount dst=., flags=MS_NOSUID: operation not permitted"],
  ["chdir#1", "error jailing process inside rootfs: chdir /: operation not permitted"],
];
for (const [at, message] of MESSAGES) {
  test(`message for ${at}=EPERM is runc's`, () => {
    const t = plan(seed, { faults: [`${at}=EPERM` as FaultSpec] });
    assert.is(t.outcome.kind === "failed" && t.outcome.message, message);
  });
}

// The table: fault the request at index i with each errno its man page lists.
const base = plan(seed);
base.steps.forEach((s, i) => {
  const req = s.request;
  for (const name of MAN_ERRNOS[req.op]) {
    test(`#${i} ${req.step} ${req.op} = ${name}`, () => {
      const errno = errnoNumber(name)!;
      const t = drive(seed, new FaultyHost(new DryRunHost({ rootfs: "/r" }), [], [{ seq: i, errno }]));
      assert.equal(t.steps.slice(0, i).map(straceLine), base.steps.slice(0, i).map(straceLine), "same prefix");
      assert.is(t.steps[i]!.result && "errno" in t.steps[i]!.result, true);
      assert.equal(leakedFds(t), [], "every opened fd is closed");
      if (req.op === "close" || (name === "EINTR" && req.op === "openat")) {
        // runc ignores close errors; Go's os.OpenFile and runc's linux.Open retry EINTR.
        assert.is(t.outcome.kind, "done");
        return;
      }
      assert.is(t.outcome.kind, "failed");
      if (t.outcome.kind !== "failed") return;
      assert.is(t.outcome.errno, errno);
      assert.is(t.outcome.errnoName, name);
      assert.is(t.outcome.step, req.step);
      assert.is(t.outcome.seq, i);
      assert.ok(t.outcome.message.endsWith(": " + errnoText(errno).replace(/^./, (c) => c.toLowerCase())), t.outcome.message);
      // After the fault: only the deferred closes, of exactly the fds open at that point, innermost first.
      const openAtFault = leakedFds({ ...base, steps: base.steps.slice(0, i) });
      const after = t.steps.slice(i + 1).map((x) => straceLine(x));
      assert.equal(after, openAtFault.reverse().map((fd) => `close(${fd}) = 0`));
    });
  }
});

test.run();
