// The propagation rules of each profile, written from the runtimes' sources (docs/sources.md
// #runc-main, #runc-1-1, #crun-1-8, #hardened), not from the machine: the flags of the first
// mount on "/", of the parent walk, and of the post-jail remount, for every root propagation.
// An independent oracle: each expectation below is the rule as the source states it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import { plan } from "../src/plan.js";
import { PROPAGATIONS, type ConfigInput } from "../src/schema.js";

const { MS_REC, MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE } = abi;
const FLAGS: Record<string, number> = {
  shared: MS_SHARED, rshared: MS_REC | MS_SHARED, slave: MS_SLAVE, rslave: MS_REC | MS_SLAVE,
  private: MS_PRIVATE, rprivate: MS_REC | MS_PRIVATE, unbindable: MS_UNBINDABLE, runbindable: MS_REC | MS_UNBINDABLE,
};

interface Expect { root: number; walk: number; post: number | null }

/** What each runtime's source says, for RootPropagation R (0 = unset). */
function expected(profile: string, r: number): Expect {
  switch (profile) {
    case "runc":
    case "hardened": // hardened follows runc main's propagation (docs/sources.md#hardened)
      return {
        root: r || MS_SLAVE | MS_REC, //                                    prepareRoot: F = R, default MS_SLAVE|MS_REC
        walk: r & MS_SLAVE ? MS_SLAVE : MS_PRIVATE, //                     PR #5200: slave when R has MS_SLAVE
        post: r !== 0 && (r & (MS_PRIVATE | MS_SLAVE)) === 0 ? r : null, // 04be81b; main skips PRIVATE|SLAVE
      };
    case "runc-1.1":
      return { root: r || MS_SLAVE | MS_REC, walk: MS_PRIVATE, post: null }; // getParentMount + MS_PRIVATE; no post-jail step in 1.1
    case "crun":
      // rootfs_propagation: the spec value, or MS_REC|MS_PRIVATE; applied to "/" again after the pivot.
      return { root: r || MS_REC | MS_PRIVATE, walk: MS_PRIVATE, post: r || MS_REC | MS_PRIVATE };
  }
  throw new Error(profile);
}

const flagsOf = (t: ReturnType<typeof plan>, step: string): number[] =>
  t.steps.filter((s) => s.request.step === step).map((s) => (s.request as { mountflags: number }).mountflags);

for (const profile of ["runc", "hardened", "runc-1.1", "crun"] as const) {
  for (const prop of [undefined, ...PROPAGATIONS]) {
    test(`${profile}, root propagation ${prop ?? "unset"}: "/" then the walk then the post-jail remount, as the source says`, () => {
      const config: ConfigInput = { rootfs: "/r", profile, strategy: "pivot", ...(prop ? { rootPropagation: prop } : {}) };
      const t = plan(config);
      const e = expected(profile, prop ? FLAGS[prop]! : 0);
      assert.equal(flagsOf(t, "propagate_root"), [e.root], "the first mount on /");
      assert.equal(flagsOf(t, "parent_propagation"), [e.walk], "the parent walk");
      assert.equal(flagsOf(t, "post_propagation"), e.post === null ? [] : [e.post], "after the jail");
    });
  }
}

test.run();
