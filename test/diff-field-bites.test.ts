// Every argument diff compares is one it can see differ: for every plan of every profile and
// strategy, each compared field of each step is changed alone (a string gets one more byte, NULL
// becomes a string, a flag word gains MS_NOSUID, O_NOFOLLOW or MNT_FORCE), the changed plan is
// rendered as strace, and diff must say the original plan is not equivalent to it. The mutation
// run of src/diff/compare.ts showed no test reached most of these fields (docs/mutation.md).
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import { plan } from "../src/plan.js";
import { format } from "../src/format/index.js";
import { diff } from "../src/diff/index.js";
import { PROFILES, STRATEGIES } from "../src/schema.js";
import type { Trace } from "../src/trace.js";
import { NoSwitchError } from "../src/diff/window.js";
import { readonlyCases } from "./helpers.js";

/** The fields compare.ts compares, per op, and how each is changed. */
const CHANGES: Record<string, Record<string, (v: unknown) => unknown>> = {
  openat: { pathname: (v) => `${v}x`, flags: (v) => (v as number) ^ abi.O_NOFOLLOW },
  chdir: { path: (v) => `${v}x` },
  chroot: { path: (v) => `${v}x` },
  pivot_root: { new_root: (v) => `${v}x`, put_old: (v) => `${v}x` },
  mount: { source: (v) => `${v ?? ""}x`, target: (v) => `${v}x`, filesystemtype: (v) => `${v ?? ""}x`, mountflags: (v) => (v as number) ^ abi.MS_NOSUID, data: (v) => `${v ?? ""}x` },
  umount2: { target: (v) => `${v}x`, flags: (v) => (v as number) ^ abi.MNT_FORCE },
  // ABI 6 (crun 1.29): setns's fd is an fd (the alignment's), its nstype a flag word; mount_setattr's struct fields.
  setns: { nstype: (v) => (v as number) ^ abi.MS_NOSUID },
  mount_setattr: { pathname: (v) => `${v}x`, flags: (v) => (v as number) ^ abi.AT_RECURSIVE, attr_set: (v) => (v as number) ^ abi.MOUNT_ATTR_NOSUID,
    propagation: (v) => ((v as number) === 0 ? abi.MS_SLAVE : 0) },
};

function changed(t: Trace, at: number, field: string): Trace {
  const steps = t.steps.map((s, i) => {
    if (i !== at) return s;
    const req = s.request as unknown as Record<string, unknown>;
    return { ...s, request: { ...req, [field]: CHANGES[req.op as string]![field]!(req[field]) } as unknown as typeof s.request };
  });
  return { ...t, steps };
}

test("each compared field of each step, changed alone, makes the plan not equivalent to the log", () => {
  const missed: string[] = [];
  let cases = 0, refused = 0;
  for (const profile of PROFILES) for (const { strategy, readonly } of readonlyCases(profile)) {
    const t = plan({ rootfs: "/var/lib/pivotshim/rootfs", profile, strategy, readonly });
    if (t.outcome.kind !== "done") continue;
    // Unchanged, the same rendering is equivalent: what follows measures the changes alone.
    assert.ok(diff(t, format(t, "strace")).equivalent, `${profile}/${strategy}: its own strace`);
    t.steps.forEach((s, at) => {
      for (const field of Object.keys(CHANGES[s.request.op] ?? {})) {
        cases++;
        let equivalent: boolean;
        try {
          equivalent = diff(t, format(changed(t, at, field), "strace")).equivalent;
        } catch (e) {
          // A changed switch call (MS_MOVE onto "/x") leaves no switch to find: refused, not "equivalent".
          if (!(e instanceof NoSwitchError)) throw e;
          refused++;
          equivalent = false;
        }
        if (equivalent) missed.push(`${profile}/${strategy}${readonly ? "/readonly" : ""} step ${at + 1} ${s.request.op}.${field}`);
      }
    });
  }
  assert.ok(cases > 500, `${cases} cases`);
  assert.ok(refused < cases / 20, `${refused} of ${cases} refused: the changes must reach the comparison`);
  assert.equal(missed, []);
});

test.run();
