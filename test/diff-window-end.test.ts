// Where the diff window ends (endOf in src/diff/window.ts): a plan's own strace rendering is
// "equivalent" to it for every profile × strategy × readonly × root propagation. The read-only
// remount of "/" and a re-applied propagation of "/" come after the deferred closes (runc main's
// prepareRootfs ends with them, docs/sources.md#runc-main); the window stopped at the closes, so a
// readonly plan was "not equivalent" to its own strace (found by a mutation helper).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { plan } from "../src/plan.js";
import { format } from "../src/format/index.js";
import { diff } from "../src/diff/index.js";
import { PROFILES, STRATEGIES } from "../src/schema.js";
import { InvalidInputError } from "../src/errors.js";
import { strategiesOf } from "./helpers.js";

test("a plan's own strace is equivalent to it: every profile, strategy, readonly and root propagation", () => {
  const differ: string[] = [];
  let n = 0;
  for (const profile of PROFILES) for (const strategy of strategiesOf(profile)) for (const readonly of [false, true]) {
    for (const rootPropagation of [undefined, "rshared", "rprivate"] as const) {
      const config = { rootfs: "/var/lib/pivotshim/rootfs", profile, strategy, readonly, ...(rootPropagation ? { rootPropagation } : {}) };
      let t;
      try {
        t = plan(config);
      } catch (e) {
        if (e instanceof InvalidInputError) continue; // a config the rule refuses (e.g. rprivate with move)
        throw e;
      }
      if (t.outcome.kind !== "done") continue;
      n++;
      const r = diff(t, format(t, "strace"));
      if (!r.equivalent) differ.push(`${profile}/${strategy}${readonly ? "/readonly" : ""}${rootPropagation ? `/${rootPropagation}` : ""}`);
    }
  }
  assert.ok(n > 60, `${n} plans`);
  assert.equal(differ, []);
});

test("crun-1.29 on Linux 7.0: the switch is setns into the OPEN_TREE_NAMESPACE copy, and its own strace is equivalent to it", () => {
  for (const strategy of ["pivot", "move"] as const) for (const readonly of [false, true]) {
    const t = plan({ rootfs: "/var/lib/pivotshim/rootfs", profile: "crun-1.29", strategy, readonly }, { kernel: "7.0" });
    const r = diff(t, format(t, "strace"));
    assert.ok(r.equivalent, `${strategy}${readonly ? " readonly" : ""}`);
    assert.is(r.window.switchCall, "setns");
  }
});

test.run();
