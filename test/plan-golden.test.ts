// Golden plans: every profile × strategy, with and without readonly, must equal its fixture
// line for line. The switch-only runc plan is the seed's sequence, written by hand from it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync } from "node:fs";
import { plan } from "../src/plan.js";
import { PROFILES, STRATEGIES, staticRule } from "../src/schema.js";
import { InvalidInputError } from "../src/errors.js";
import { expectPlan, keptUntilExec, leakedFds } from "./helpers.js";

test("runc switch only (the seed): exactly runc's pivotRoot, rootfs /r", () => {
  expectPlan(plan({ rootfs: "/r", profile: "runc", prepare: false }), "plans/runc-switch-only.strace");
});

for (const profile of PROFILES) {
  for (const strategy of STRATEGIES) {
    for (const readonly of [false, true]) {
      const name = `plans/${profile}-${strategy}${readonly ? "-readonly" : ""}.strace`;
      // A config the static rule refuses (bwrap move/chroot: pivot_only; lxc chroot: lxc_no_chroot;
      // lxc readonly: lxc_readonly; hardened chroot readonly: chroot_readonly) has no plan: it is refused, with the rule's reason.
      if (staticRule({ profile, strategy, readonly })) {
        test(`no golden for ${name}: the config is refused`, () => {
          assert.throws(() => plan({ rootfs: "/r", profile, strategy, readonly }), (e: unknown) => e instanceof InvalidInputError &&
            /only with pivot_root|switches root with lxc_pivot_root|lxc: readonly is refused|readonly with strategy chroot is refused/.test(String((e as Error).message)));
          assert.not.ok(existsSync(new URL(`fixtures/${name}`, import.meta.url)), `${name} is left over`);
        });
        continue;
      }
      test(`golden ${name}`, () => {
        const t = plan({ rootfs: "/r", profile, strategy, readonly });
        expectPlan(t, name);
        assert.is(t.outcome.kind, "done");
        // crun 1.29 keeps get_old_root_fd until exec (O_CLOEXEC): the one fd left, and only on that profile.
        assert.equal(leakedFds(t), keptUntilExec(t), "every fd the plan opens, it closes (or keeps until exec, as the runtime does)");
        assert.is(keptUntilExec(t).length, profile === "crun-1.29" && strategy !== "chroot" ? 1 : 0); // chroot: no setup_mount_namespace
      });
    }
  }
}

// crun 1.29 on Linux 7.0: open_tree(OPEN_TREE_NAMESPACE) answers an fd, and the plan is setns into the
// copy, with no pivot_root or MS_MOVE whatever the strategy (crun ignores --no-pivot there):
// from source, unverified (docs/profiles.md).
for (const strategy of ["pivot", "move"] as const) {
  for (const readonly of [false, true]) {
    const name = `plans/crun-1.29-${strategy}-kernel-7.0${readonly ? "-readonly" : ""}.strace`;
    test(`golden ${name}`, () => {
      const t = plan({ rootfs: "/r", profile: "crun-1.29", strategy, readonly }, { kernel: "7.0" });
      expectPlan(t, name);
      assert.is(t.outcome.kind, "done");
      assert.ok(t.steps.every((s) => s.request.op !== "pivot_root" && !(s.request.op === "mount" && s.request.mountflags & 8192)), "no pivot_root, no MS_MOVE");
      assert.equal(leakedFds(t), keptUntilExec(t));
    });
  }
}

test("two runs give byte-identical traces (determinism)", () => {
  const a = JSON.stringify(plan({ rootfs: "/r", profile: "hardened", strategy: "move" }));
  const b = JSON.stringify(plan({ rootfs: "/r", profile: "hardened", strategy: "move" }));
  assert.is(a, b);
});

test.run();
