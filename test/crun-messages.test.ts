// crun 1.8.1's error messages, step by step: the golden is written by hand from its source
// (crun's linux.c at tag 1.8.1, the version Debian 12 ships and the crun profile reproduces),
// each row with the line it comes from, not generated from the machine. Each step of the plan
// fails in turn (EPERM, on the dry-run host) and the outcome's message must be crun's
// `crun_make_error` text: "what: strerror". Sources: docs/sources.md#crun-1-8.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ROOTFS, stepMessages } from "./helpers/step-messages.js";
import { plan } from "../src/plan.js";
import { straceLine } from "../src/format/strace.js";

const EPERM_TEXT = "Operation not permitted";

const messages = (strategy: "pivot" | "move" | "chroot") => stepMessages({ profile: "crun", strategy });

const e = (what: string): string => `${what}: ${EPERM_TEXT}`;

// libcrun_set_mounts (L2439), make_parent_mount_private (L2403), do_mount (L1114), do_remount (L899).
const PREPARE: [string, string][] = [
  ["propagate_root", e("set propagation for `/`")], // do_mount "/" → L1229 "set propagation for `%s`"
  ["parent_propagation", e("make `/srv/rootfs` private")], // L2434: any errno but EINVAL fails, naming the path tried
  ["self_bind", e("mount `/srv/rootfs` to `/srv/rootfs`")], // do_mount L1197 "mount `%s` to `%s`"
  ["self_private", e("set propagation for `/srv/rootfs`")], // do_mount L1229
  ["self_remount", e("remount `/srv/rootfs`")], // do_remount L941 "remount `%s`"
  ["open_root", e("open `/srv/rootfs`")], // L2480 "open `%s`"
  ["close_root", "done"], // cleanup_close: a failed close is not checked
];

test("crun pivot: each step's message, as do_pivot (L1836) and libcrun_do_pivot_root (L2644) write it", () => {
  assert.equal(messages("pivot"), [
    ...PREPARE,
    ["open_old_root", e("open '/'")], // L1843: single quotes in 1.8.1 (backticks came later)
    ["open_new_root", e("open `/srv/rootfs`")], // L1845
    ["fchdir_new_root", e("fchdir `/srv/rootfs`")], // L1849
    ["pivot_root", e("pivot_root")], // L1853
    ["fchdir_old_root", e("fchdir `/srv/rootfs`")], // L1857: the rootfs name again
    ["old_root_propagation", e("set propagation for `.`")], // do_mount "." L1229
    ["detach_old_root", e("umount oldroot")], // L1865 ("umount2 oldroot" is later crun)
    ["detach_old_root", e("umount oldroot")], // L1873: the repeat, until EINVAL
    ["chdir_root", e("chdir to newroot")], // L1878
    ["close_new_root", "done"],
    ["close_old_root", "done"],
    ["post_propagation", e("set propagation for `/`")], // L2667 do_mount "/"
    ["chdir_root", e("chdir to /")], // L2676: no backticks
  ]);
});

test("crun move (--no-pivot): each step's message, as move_root (L2612) and umount_or_hide (L2587) write it", () => {
  assert.equal(messages("move"), [
    ...PREPARE,
    ["chdir_rootfs", e("chdir to `/srv/rootfs`")], // L2618
    ["mask_umount", e("umount `/sys`")], // L2605, saved errno
    ["mask_umount", e("umount `/proc`")],
    ["move_root", e("mount MS_MOVE to '/'")], // L2630: single quotes in 1.8.1
    ["chroot_root", e("chroot to `/srv/rootfs`")], // L2634: chroot(".") named by the rootfs
    ["chdir_root", e("chdir to `/srv/rootfs`")], // L2638: chdir("/") named by the rootfs
    ["post_propagation", e("set propagation for `/`")],
    ["chdir_root", e("chdir to /")], // L2676
  ]);
});

test("crun without a mount namespace: chroot(rootfs), chdir(\"/\") (L2671-L2676)", () => {
  assert.equal(messages("chroot"), [
    ["chroot_root", e("chroot to `/srv/rootfs`")],
    ["chdir_root", e("chdir to /")],
  ]);
});

test("a failed tmpfs cover is reported as the unmount, with the unmount's saved EINVAL (umount_or_hide L2598-L2605)", () => {
  const t = plan({ rootfs: ROOTFS, profile: "crun", strategy: "move" }, { faults: ["umount2#1=EINVAL", "mount#6=EPERM"] });
  assert.is(t.outcome.kind === "failed" && `${t.outcome.step} ${t.outcome.errnoName}`, "mask_cover EPERM");
  assert.is(t.outcome.kind === "failed" && t.outcome.message, "umount `/sys`: Invalid argument");
});

test("crun 1.8.1's parent walk goes up on EINVAL only; another errno fails at once, naming the path tried", () => {
  const t = plan({ rootfs: "/a/b", profile: "crun" }, { faults: ["mount#2=EPERM"] });
  const walk = t.steps.filter((s) => s.request.step === "parent_propagation").map((s) => straceLine(s));
  assert.equal(walk, ['mount(NULL, "/a/b", NULL, MS_PRIVATE, NULL) = -1 EPERM (Operation not permitted)']);
  assert.is(t.outcome.kind === "failed" && t.outcome.message, "make `/a/b` private: Operation not permitted");
});

test("crun 1.8.1's walk ends with mount(\"/\"); its failure names the first component, where the path buffer stopped", () => {
  const t = plan({ rootfs: "/a/b", profile: "crun" }, { faults: ["mount#2=EINVAL", "mount#3=EINVAL", "mount#4=EPERM"] });
  const walk = t.steps.filter((s) => s.request.step === "parent_propagation").map((s) => straceLine(s));
  assert.equal(walk, [
    'mount(NULL, "/a/b", NULL, MS_PRIVATE, NULL) = -1 EINVAL (Invalid argument)',
    'mount(NULL, "/a", NULL, MS_PRIVATE, NULL) = -1 EINVAL (Invalid argument)',
    'mount(NULL, "/", NULL, MS_PRIVATE, NULL) = -1 EPERM (Operation not permitted)',
  ]);
  assert.is(t.outcome.kind === "failed" && t.outcome.message, "make `/a` private: Operation not permitted");
});

test("with a one-component rootfs the walk's last mount(\"/\") names the whole rootfs: the path buffer never moved", () => {
  // make_parent_mount_private (L2403-L2434): strrchr finds the only "/" at the buffer's start, so
  // the buffer is still the rootfs when mount("/") is tried, and the error names it. Two rootfs
  // values, the shorter last: nothing past the rootfs's own bytes may reach the message.
  for (const rootfs of ["/rootfs", "/a"]) {
    const t = plan({ rootfs, profile: "crun" }, { faults: ["mount#2=EINVAL", "mount#3=EPERM"] });
    const walk = t.steps.filter((s) => s.request.step === "parent_propagation").map((s) => straceLine(s));
    assert.equal(walk, [
      `mount(NULL, "${rootfs}", NULL, MS_PRIVATE, NULL) = -1 EINVAL (Invalid argument)`,
      'mount(NULL, "/", NULL, MS_PRIVATE, NULL) = -1 EPERM (Operation not permitted)',
    ]);
    assert.is(t.outcome.kind === "failed" && t.outcome.message, `make \`${rootfs}\` private: Operation not permitted`);
  }
});

test.run();
