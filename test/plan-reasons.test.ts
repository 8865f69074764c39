// Why each step exists: every request of every plan carries its reason, and each profile cites its
// own runtime's source for the steps where they differ. The table below says which text
// (assembly/text.txt R_*) each profile gives each step; a reason dropped or given to the wrong
// profile fails it. Reasons are pivotshim's notation: they are printed with every plan.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { plan } from "../src/plan.js";
import { PROFILES, STRATEGIES, staticRule } from "../src/schema.js";
import { strategiesOf } from "./helpers.js";

/** R_* texts as assembly/text.txt defines them (the one source of the machine's words). */
const TEXT = new Map([...readFileSync(new URL("../assembly/text.txt", import.meta.url), "utf8").matchAll(/^(R_\w+) "((?:[^"\\]|\\.)*)"$/gm)]
  .map(([, k, v]) => [k!, v!.replace(/\\"/g, '"')]));

type P = (typeof PROFILES)[number];
/** step → the R_ text per profile: [hardened, runc, runc-1.1, crun, youki, bwrap, lxc, crun-1.29]; one entry = the same for all. */
const TABLE: Record<string, string[]> = {
  propagate_root: ["R_PROPAGATE_RUNC", "R_PROPAGATE_RUNC", "R_PROPAGATE_RUNC", "R_PROPAGATE_CRUN", "R_PROPAGATE_YOUKI", "R_PROPAGATE_BWRAP", "(lxc has none)", "R_PROPAGATE_CRUN"],
  mountinfo_read: ["R_MI_READ"],
  mountinfo_close: ["R_MI_CLOSE"],
  parent_propagation: ["R_PARENT_RUNC", "R_PARENT_RUNC", "R_PARENT_11", "R_PARENT_CRUN", "R_PARENT_YOUKI"],
  self_bind: ["R_SELF_BIND", "R_SELF_BIND", "R_SELF_BIND", "R_SELF_BIND", "R_SELF_BIND_YOUKI", "(none)", "(none)", "R_SELF_BIND"],
  self_private: ["R_SELF_PRIVATE"],
  self_remount: ["R_SELF_REMOUNT"],
  open_root: ["R_OPEN_ROOT", "R_OPEN_ROOT", "R_OPEN_ROOT", "R_OPEN_ROOT_CRUN", "(none)", "(none)", "(none)", "R_OPEN_ROOT_CRUN129"],
  enter_root: ["R_ENTER_ROOT"],
  open_old_root: ["R_OPEN_OLD_HARD", "R_OPEN_OLD", "R_OPEN_OLD", "R_OPEN_OLD", "R_OPEN_OLD_YOUKI", "R_OPEN_OLD_BWRAP", "R_OPEN_OLD_LXC", "R_OPEN_OLD"],
  open_new_root: ["R_OPEN_NEW", "R_OPEN_NEW", "R_OPEN_NEW", "R_OPEN_NEW", "R_OPEN_NEW_YOUKI", "(none)", "(none)", "R_OPEN_NEW"],
  fchdir_new_root: ["R_FCHDIR_NEW", "R_FCHDIR_NEW", "R_FCHDIR_NEW", "R_FCHDIR_NEW", "R_FCHDIR_NEW", "R_FCHDIR_NEW", "R_FCHDIR_NEW_LXC", "R_FCHDIR_NEW"],
  pivot_root: ["R_PIVOT"],
  fchdir_old_root: ["R_FCHDIR_OLD"],
  old_root_propagation: ["R_OLD_PROP_RUNC", "R_OLD_PROP_RUNC", "R_OLD_PROP_RUNC", "R_OLD_PROP_CRUN", "R_OLD_PROP_YOUKI", "(bwrap has none)", "R_OLD_PROP_LXC", "R_OLD_PROP_CRUN"],
  detach_old_root: ["R_DETACH_LOOP", "R_DETACH", "R_DETACH", "R_DETACH_LOOP", "R_DETACH", "R_DETACH_BWRAP", "R_DETACH", "R_DETACH_LOOP"],
  chdir_root: ["R_CHDIR_ROOT", "R_CHDIR_ROOT", "R_CHDIR_ROOT", "R_CHDIR_ROOT", "R_CHDIR_ROOT", "R_CHDIR_ROOT", "R_CHDIR_ROOT_LXC", "R_CHDIR_ROOT"],
  close_new_root: ["R_CLOSE_NEW"],
  close_old_root: ["R_CLOSE_OLD", "R_CLOSE_OLD", "R_CLOSE_OLD", "R_CLOSE_OLD", "R_CLOSE_OLD", "R_CLOSE_OLD_BWRAP", "R_CLOSE_OLD_LXC", "R_CLOSE_OLD"],
  chdir_rootfs: ["R_CHDIR_ROOTFS", "R_CHDIR_ROOTFS", "R_CHDIR_ROOTFS", "R_CHDIR_ROOTFS", "R_CHDIR_ROOTFS_YOUKI", "(none)", "(none)", "R_CHDIR_ROOTFS"],
  mask_propagation: ["R_MASK_PROP"],
  mask_umount: ["R_MASK_UMOUNT", "R_MASK_UMOUNT", "R_MASK_UMOUNT", "R_MASK_UMOUNT_CRUN", "R_MASK_UMOUNT_YOUKI", "(none)", "(none)", "R_MASK_UMOUNT_CRUN"],
  mask_cover: ["R_MASK_COVER", "R_MASK_COVER", "R_MASK_COVER", "R_MASK_COVER_CRUN", "R_MASK_COVER_YOUKI", "(none)", "(none)", "R_MASK_COVER_CRUN"],
  move_root: ["R_MOVE"],
  chroot_root: ["R_CHROOT", "R_CHROOT", "R_CHROOT", "R_CHROOT", "R_CHROOT_YOUKI", "(none)", "R_CHROOT", "R_CHROOT"],
  readonly_root: ["R_READONLY_ROOT"],
  close_root: ["R_CLOSE_ROOT", "R_CLOSE_ROOT", "R_CLOSE_ROOT", "R_CLOSE_ROOT_CRUN", "R_CLOSE_ROOT", "(bwrap has none)", "R_CLOSE_ROOT_LXC", "R_CLOSE_ROOT_CRUN129"],
  post_propagation: ["R_POST_PROP", "R_POST_PROP", "R_POST_PROP", "R_POST_PROP_CRUN", "R_POST_PROP_YOUKI", "(none)", "(none)", "R_POST_PROP_CRUN"],
  readonly_remount: ["R_READONLY", "R_READONLY", "R_READONLY", "R_READONLY", "R_READONLY_YOUKI"],
  check_cwd: ["R_CHECK_CWD"],
  // bwrap's staging root (its own steps; docs/sources.md#bwrap).
  stage_tmpfs: ["R_STAGE_TMPFS"],
  chdir_stage: ["R_CHDIR_STAGE"],
  mkdir_newroot: ["R_MKDIR_NEWROOT"],
  bind_newroot: ["R_BIND_NEWROOT"],
  mkdir_oldroot: ["R_MKDIR_OLDROOT"],
  stage_pivot: ["R_STAGE_PIVOT"],
  chdir_stage_root: ["R_CHDIR_STAGE_ROOT"],
  bind_rootfs: ["R_BIND_ROOTFS"],
  bind_remount: ["R_BIND_REMOUNT"],
  stage_old_private: ["R_STAGE_OLD_PRIVATE"],
  stage_old_detach: ["R_STAGE_OLD_DETACH"],
  chdir_newroot: ["R_CHDIR_NEWROOT"],
  // LXC's own steps (docs/sources.md#lxc).
  open_host: ["R_OPEN_HOST_LXC"],
  dependent_mount: ["R_DEPENDENT_LXC"],
  open_mountpoint: ["R_OPEN_MOUNTPOINT_LXC"],
  open_rootfs_src: ["(none)", "(none)", "(none)", "(none)", "(none)", "(none)", "R_OPEN_ROOTFS_SRC_LXC", "R_TREE_OPEN_CRUN"],
  clone_rootfs: ["R_CLONE_ROOTFS_LXC"],
  attach_rootfs: ["R_ATTACH_ROOTFS_LXC"],
  close_tree: ["(none)", "(none)", "(none)", "(none)", "(none)", "(none)", "R_CLOSE_TREE_LXC", "R_CLOSE_TREE_NS_CRUN"],
  close_mountpoint: ["R_CLOSE_MOUNTPOINT_LXC"],
  close_rootfs_src: ["(none)", "(none)", "(none)", "(none)", "(none)", "(none)", "R_CLOSE_ROOTFS_SRC_LXC", "R_TREE_CLOSE_CRUN"],
  open_mnt: ["R_OPEN_MNT_LXC"],
  share_root: ["R_SHARE_ROOT_LXC"],
  close_host: ["R_CLOSE_HOST_LXC"],
  ramfs_open: ["R_RAMFS_OPEN_LXC"],
  // crun main's own steps (docs/sources.md#crun-1-29).
  tree_namespace: ["R_TREE_NS_CRUN"],
  enter_tree: ["R_ENTER_TREE_CRUN"],
  remount_slash: ["R_REMOUNT_SLASH_CRUN"],
  private_slash: ["R_PRIVATE_SLASH_CRUN"],
  walk_open: ["R_WALK_OPEN_CRUN"],
  walk_setattr: ["R_WALK_SETATTR_CRUN"],
  walk_procfd: ["R_WALK_PROCFD_CRUN"],
  walk_up: ["R_WALK_UP_CRUN"],
  walk_drop: ["R_WALK_DROP_CRUN"],
  walk_close: ["R_WALK_CLOSE_CRUN"],
  keep_old_root: ["R_KEEP_OLD_CRUN"],
  readonly_setattr: ["R_READONLY_SETATTR_CRUN"],
  // lxc_chroot (strategy move).
  bind_root: ["R_BIND_ROOT_LXC"],
  private_root: ["R_PRIVATE_ROOT_LXC"],
  pass_open: ["R_PASS_OPEN_LXC"],
  pass_umount: ["R_PASS_UMOUNT_LXC"],
  umount_proc: ["R_UMOUNT_PROC_LXC"],
  chdir_up: ["R_CHDIR_UP_LXC"],
};
const ORDER: P[] = ["hardened", "runc", "runc-1.1", "crun", "youki", "bwrap", "lxc", "crun-1.29"];
const expected = (step: string, p: P): string => {
  const row = TABLE[step];
  if (!row) return `(no row for ${step})`;
  return TEXT.get(row.length === 1 ? row[0]! : row[ORDER.indexOf(p)]!) ?? "(no such text)";
};

/** Every plan the profiles make: each strategy, read-only or not, and move with a refused unmount (the tmpfs cover). */
function plans(p: P) {
  const out = strategiesOf(p).flatMap((strategy) => [false, true].filter((readonly) => !staticRule({ profile: p, strategy, readonly }))
    .map((readonly) => plan({ rootfs: "/r", profile: p, strategy, readonly })));
  // youki refuses rshared (UnknownRootfsPropagation): its shared is the same first call. bwrap has no
  // move; lxc's (lxc_chroot) masks nothing and refuses any rootPropagation.
  if (strategiesOf(p).includes("move") && p !== "lxc") out.push(plan({ rootfs: "/r", profile: p, strategy: "move", rootPropagation: p === "youki" ? "shared" : "rshared" }, { faults: ["umount2#1=EINVAL"] }));
  // crun 1.29: the Linux 7.0 path, and a walk that goes up one level (mount_setattr, then mount, refused).
  if (p === "crun-1.29") {
    out.push(plan({ rootfs: "/r", profile: p, strategy: "pivot" }, { kernel: "7.0" }));
    out.push(plan({ rootfs: "/r", profile: p, strategy: "pivot" }, { faults: ["mount_setattr#1=EINVAL", "mount#2=EINVAL"] }));
  }
  return out;
}

test("the table names every R_ text of assembly/text.txt but the empty one", () => {
  const used = new Set(Object.values(TABLE).flat().concat(["R_MI_OPEN", "R_MI_OPEN_AUTO", "R_MI_OPEN_11", "R_MI_OPEN_YOUKI", "R_MI_OPEN_LXC"]));
  assert.equal([...TEXT.keys()].filter((k) => !used.has(k)), ["R_NONE"]);
});

for (const p of ORDER) {
  test(`${p}: every request carries its reason, the one its runtime's source gives`, () => {
    const seen = new Set<string>();
    for (const t of plans(p)) {
      for (const s of t.steps) {
        const r = s.request;
        seen.add(r.step);
        if (r.step === "mountinfo_open") continue; // depends on the strategy too: the next test
        assert.is(r.reason, expected(r.step, p), `${p} ${r.step}`);
      }
    }
    // runc 1.1 has no post-switch propagation (runc 04be81b came in 1.2); only crun remounts the root read-only before the switch.
    // bwrap has no move (so no mask), no post-switch propagation: its read-only is the bind's remount.
    // lxc's move is lxc_chroot (no masks), no post-switch propagation of "/", and binds with the new mount API.
    if (p === "crun-1.29") assert.ok(["enter_tree", "walk_procfd", "walk_up", "walk_drop", "keep_old_root", "readonly_setattr"].every((st) => seen.has(st)) && !seen.has("readonly_root"), [...seen].join(" "));
    else if (p === "lxc") assert.ok(!seen.has("mask_cover") && !seen.has("post_propagation") && seen.has("clone_rootfs") && seen.has("share_root") && seen.has("ramfs_open") && seen.has("chdir_up"), [...seen].join(" "));
    else if (p === "bwrap") assert.ok(!seen.has("mask_cover") && !seen.has("post_propagation") && seen.has("bind_remount") && seen.has("mkdir_oldroot"), [...seen].join(" "));
    else assert.ok(seen.has("mask_cover") && seen.has("post_propagation") === (p !== "runc-1.1") && seen.has("readonly_root") === (p === "crun"), [...seen].join(" "));
  });
}

test("mountinfo_open: auto reads it for the ramfs check, runc 1.1 for its parent, the rest to mask proc/sysfs", () => {
  const reasonOf = (p: P, strategy: (typeof STRATEGIES)[number]) => plan({ rootfs: "/r", profile: p, strategy }).steps.find((s) => s.request.step === "mountinfo_open")?.request.reason;
  assert.is(reasonOf("hardened", "auto"), TEXT.get("R_MI_OPEN_AUTO"));
  assert.is(reasonOf("runc-1.1", "pivot"), TEXT.get("R_MI_OPEN_11"));
  assert.is(reasonOf("runc", "move"), TEXT.get("R_MI_OPEN"));
  assert.is(reasonOf("hardened", "move"), TEXT.get("R_MI_OPEN"));
  assert.is(reasonOf("youki", "pivot"), TEXT.get("R_MI_OPEN_YOUKI"));
  // lxc reads it first for its dependent-mounts pass, under auto too (its ramfs check is ramfs_open).
  assert.is(reasonOf("lxc", "auto"), TEXT.get("R_MI_OPEN_LXC"));
  assert.is(reasonOf("lxc", "pivot"), TEXT.get("R_MI_OPEN_LXC"));
});

test("selfBind: false leaves out the self bind, and crun's rprivate and remount of it, and nothing else", () => {
  for (const p of ORDER) {
    const steps = (selfBind: boolean) => plan({ rootfs: "/r", profile: p, strategy: "pivot", selfBind }).steps.map((s) => s.request.step);
    const gone = ["self_bind", "self_private", "self_remount"];
    assert.equal(steps(false), steps(true).filter((st) => !gone.includes(st)), p);
    // bwrap binds the rootfs onto /newroot/, not onto itself: it has no self bind, and selfBind changes nothing.
    assert.ok(steps(true).includes("self_bind") === (p !== "bwrap" && p !== "lxc"), p);
    if (p === "crun-1.29") assert.ok(steps(true).includes("self_private") && steps(true).includes("self_remount"));
    if (p === "crun") assert.ok(steps(true).includes("self_private") && steps(true).includes("self_remount"));
  }
});

test.run();
