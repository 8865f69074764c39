// crun main (1.29+, ba38286) beyond its goldens: the decisions its source makes on a result and the
// words it fails with (crun_make_error's "msg: strerror", or msg alone for errno 0), each with the
// line of crun's linux.c it comes from (docs/sources.md#crun-1-29).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { plan } from "../src/plan.js";
import { check } from "../src/check.js";
import { formatStrace } from "../src/format/index.js";
import { InvalidInputError } from "../src/errors.js";
import { keptUntilExec, leakedFds } from "./helpers.js";

const crun = { rootfs: "/r", profile: "crun-1.29", strategy: "pivot" } as const;
const tail = (t: ReturnType<typeof plan>, n: number) => formatStrace(t).trimEnd().split("\n").slice(-n);
const message = (t: ReturnType<typeof plan>) => (t.outcome.kind === "failed" ? t.outcome.message : `done: ${t.outcome.note}`);

test("open_tree answering another errno than EINVAL, ENOSYS or EPERM fails: open_tree `/r` (L3547), the rootfs handle closed", () => {
  const t = plan(crun, { faults: ["open_tree=EACCES"] });
  assert.is(t.outcome.kind, "failed");
  assert.is(message(t), "open_tree `/r`: Permission denied");
  assert.equal(tail(t, 3), ['open_tree(3, "", OPEN_TREE_NAMESPACE|OPEN_TREE_CLOEXEC|AT_EMPTY_PATH|AT_RECURSIVE) = -1 EACCES (Permission denied)',
    "close(3) = 0", "# failed: open_tree `/r`: Permission denied"]);
});

test("the read-only remount's message names / only after a chroot without a mount namespace (L3968), the rootfs after MS_MOVE + chroot", () => {
  // libcrun_do_pivot_root sets *rootfs = "/" only on its chroot path (linux.c L3968); the MS_MOVE
  // path chroots too but keeps the rootfs path (asm mutant machine:191:1: the strategy test made
  // an `||` named / there as well).
  const fail = (strategy: "move" | "chroot", fault: string) => message(plan({ ...crun, strategy, readonly: true }, { faults: [fault as never] }));
  assert.is(fail("move", "mount_setattr#2=EPERM"), "remount `/r`: Operation not permitted");
  assert.is(fail("chroot", "mount_setattr#1=EPERM"), "remount `/`: Operation not permitted");
});

test("Linux 7.0, setns refused: setns `CLONE_NEWNS` (L3833), the namespace fd closed; nothing was switched", () => {
  const t = plan(crun, { kernel: "7.0", faults: ["setns=EPERM"] });
  assert.is(message(t), "setns `CLONE_NEWNS`: Operation not permitted");
  assert.equal(tail(t, 4), ["setns(4, CLONE_NEWNS) = -1 EPERM (Operation not permitted)", "close(4) = 0",
    "# note: OPEN_TREE_NAMESPACE (Linux 7.0): setns into the rootfs's namespace, no switch: crun 25790ca", "# failed: setns `CLONE_NEWNS`: Operation not permitted"]);
  const r = plan(crun, { kernel: "7.0", faults: ["mount=EINVAL"] });
  assert.is(message(r), "remount `/`: Invalid argument", "mount(NULL, \"/\", MS_REMOUNT|MS_BIND) fails as remount `/` (L3837)");
});

test("the walk: mount_setattr then mount(2) refused at /r, the same at / after going up: make `/r` private, no strerror (L3340)", () => {
  // mount#1 is "/"'s propagation; #2 and #3 are the walk's mount(2) through /proc/self/fd.
  const t = plan(crun, { faults: ["mount_setattr#1=EINVAL", "mount#2=EINVAL", "mount_setattr#2=EINVAL", "mount#3=EINVAL"] });
  assert.is(message(t), "make `/r` private");
  assert.is(t.outcome.kind === "failed" && t.outcome.errno, 0);
  assert.equal(tail(t, 9).slice(0, 7), [
    'openat(3, "..", O_RDONLY|O_CLOEXEC|O_PATH) = 4', "close(3) = 0",
    'mount_setattr(4, "", AT_EMPTY_PATH, {attr_set=0, attr_clr=0, propagation=MS_PRIVATE, userns_fd=0}, 32) = -1 EINVAL (Invalid argument)',
    'mount(NULL, "/proc/self/fd/4", NULL, MS_PRIVATE, NULL) = -1 EINVAL (Invalid argument)',
    // ".." of "/" is "/" itself: fstat says so (a98380b); both handles close, the parent's first.
    'openat(4, "..", O_RDONLY|O_CLOEXEC|O_PATH) = 3', "close(3) = 0", "close(4) = 0",
  ]);
  assert.equal(leakedFds(t), []);
});

test("the walk: the parent cannot be opened: make `/r` private: cannot open component, with the open's errno (L3325)", () => {
  const t = plan(crun, { faults: ["mount_setattr#1=EINVAL", "mount#2=EINVAL", "openat#3=EACCES"] }); // #1 open_tree's handle, #2 the walk's
  assert.is(t.outcome.kind === "failed" && t.outcome.step, "walk_up");
  assert.is(message(t), "make `/r` private: cannot open component: Permission denied");
});

test("get_old_root_fd's failure is ignored (L1037): the switch goes on without the kept handle", () => {
  const t = plan(crun, { faults: ["openat#4=EMFILE"] }); // #1 open_tree's handle, #2 the walk's, #3 the mounts' root handle
  assert.is(t.steps[12]!.request.step, "keep_old_root");
  assert.is(t.outcome.kind, "done");
  assert.equal(keptUntilExec(t), []);
  assert.equal(leakedFds(t), []);
});

test("chroot with readonly on a host whose rootfs is a mount: the host's mount turns read-only (a finding about crun main)", () => {
  const { verdicts } = check({ profile: "crun-1.29", strategy: "chroot", readonly: true }, { scenario: "docker-host" });
  const host = verdicts.find((v) => v.id === "host-unchanged")!;
  assert.is(host.held, false);
  assert.match(host.detail, /\+ 41 21 0:45 \/ \/var\/lib\/pivotshim\/rootfs ro,relatime - overlay/);
  // The same on crun 1.8.1 leaves the host alone: it skips its mount set-up without a namespace.
  assert.ok(check({ profile: "crun", strategy: "chroot", readonly: true }, { scenario: "docker-host" }).verdicts.every((v) => v.held));
});

test("userns (a user namespace): crun does not try OPEN_TREE_NAMESPACE at all (ef5802d), on Linux 7.0 too", () => {
  for (const kernel of ["6.18", "7.0"] as const) {
    const t = plan({ ...crun, userns: true }, { kernel });
    assert.not.ok(t.steps.some((s) => s.request.op === "open_tree" || s.request.op === "setns"), kernel);
    assert.is(t.steps[0]!.request.step, "propagate_root");
    assert.ok(t.steps.some((s) => s.request.op === "pivot_root"));
    assert.is(message(t), "done: a user namespace: crun does not try OPEN_TREE_NAMESPACE (ef5802d): its classic path");
  }
  // Every other profile ignores it: the same plan with and without.
  assert.is(formatStrace(plan({ rootfs: "/r", profile: "crun", userns: true })), formatStrace(plan({ rootfs: "/r", profile: "crun" })));
});

test("Linux 7.0 ignores strategy move (crun's no_pivot is stored, not read, on that path): move plans as pivot", () => {
  const a = formatStrace(plan(crun, { kernel: "7.0" }));
  const b = formatStrace(plan({ ...crun, strategy: "move" }, { kernel: "7.0" }));
  assert.is(b, a);
  assert.not.match(a, /pivot_root|MS_MOVE/);
});

test("the kernel option is checked: a version the models do not know is refused, naming the accepted ones", () => {
  assert.throws(() => plan(crun, { kernel: "7.1" as "7.0" }), (e: unknown) => e instanceof InvalidInputError && /kernel: must be one of 6\.18, 7\.0/.test((e as Error).message));
  assert.throws(() => check(crun, { kernel: "6" as "7.0" }), (e: unknown) => e instanceof InvalidInputError && /kernel: must be one of 6\.18, 7\.0/.test((e as Error).message));
});

test.run();
