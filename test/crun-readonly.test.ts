// crun 1.8.1's read-only remount of the root: where the real captures put it (after all config
// mounts, just before the handles are closed), where the crun profile puts it (straight after the
// open: pivotshim has no config mounts), and that docs/profiles.md lists the difference.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { plan } from "../src/plan.js";
import { DEVIATIONS } from "../src/format/deviations.js";
import { parseStrace, type Call } from "../src/strace/parse.js";
import { findWindow } from "../src/diff/window.js";
import { fixture } from "./helpers.js";

const openOfRootfs = (calls: readonly Call[]) =>
  calls.findIndex((c) => c.name === "openat" && c.args[1]?.kind === "str" && c.args[1].value === "/tmp/pvs/rootfs");
const isRemountRo = (name: string, flags: string[]) => name === "mount" && flags.includes("MS_RDONLY") && flags.includes("MS_REMOUNT");

for (const log of ["crun-pivot-readonly", "crun-nopivot-readonly"]) {
  test(`${log}: the remount comes after every config mount, just before the handles are closed`, () => {
    const w = findWindow(parseStrace(readFileSync(fixture(`real/${log}.strace`), "utf8")), ["pivot", "move"]);
    const flags = (i: number) => { const a = w.calls[i]!.args[3]; return a?.kind === "flags" ? a.names : []; };
    // The root's remount is the one without nosuid/nodev/noexec, through fd 5, the dup of the handle.
    const ro = w.calls.findIndex((c, i) => isRemountRo(c.name, flags(i)) && flags(i).length === 3 && c.args[1]?.kind === "str" && c.args[1].value === "/proc/self/fd/5");
    const open = openOfRootfs(w.calls);
    assert.is(w.calls[open + 1]!.name, "dup");
    assert.ok(ro > open && open >= 0);
    const mountsBetween = w.calls.slice(open + 1, ro).filter((c) => c.name === "mount").length;
    assert.ok(mountsBetween > 10, `config mounts between the open and the remount: ${mountsBetween}`);
    assert.equal(w.calls.slice(ro + 1, ro + 3).map((c) => c.name), ["close", "close"]);
    assert.not.ok(w.calls.slice(ro + 1).some((c) => c.name === "mount" && c.args[1]?.kind === "str" && /^\/(tmp\/pvs\/rootfs\/|proc\/self\/fd\/)/.test(c.args[1].value)), "no config mount after it");
  });
}

test("the crun profile remounts straight after the open (no config mounts), and docs/profiles.md says why", () => {
  for (const strategy of ["pivot", "move"] as const) {
    const steps = plan({ rootfs: "/r", profile: "crun", strategy, readonly: true }).steps.map((s) => s.request.step);
    const at = steps.indexOf("readonly_root");
    assert.equal(steps.slice(at - 1, at + 2), ["open_root", "readonly_root", "close_root"], strategy);
  }
  const listed = DEVIATIONS.crun.deviations.filter((d) => /read-only remount is made straight after the root handle is opened/.test(d));
  assert.is(listed.length, 1);
  assert.match(listed[0]!, /config mounts/);
  assert.match(listed[0]!, /crun-\*-readonly\.strace/);
  assert.match(readFileSync(new URL("../docs/profiles.md", import.meta.url), "utf8"), /crun defers it until all its config mounts are made/);
});

test.run();
