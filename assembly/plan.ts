// The plans, as data: which steps each profile runs for each strategy, in order. The machine
// (machine.ts) walks the list; a few control entries (CHOOSE, MASKS, PARENT) expand into more
// steps once mountinfo has been read. Sources: docs/sources.md#runc-main, docs/sources.md#runc-1-1,
// docs/sources.md#crun-1-8, and docs/profiles.md for hardened. Nothing here emits a request.
import { Step, Profile, Strategy, MS_PRIVATE, MS_SLAVE } from "../src/abi";
import { Config } from "./config";
import { Vec } from "./vec";

/** Control entries: they emit nothing; the machine expands them. Sequences below are 0-terminated u8. */
export const CHOOSE: i32 = 200; // hardened auto: pick move on initramfs, else pivot
export const MASKS: i32 = 201; //  move: one mask_propagation + mask_umount pair per full proc/sysfs
export const PARENT: i32 = 202; // runc 1.1: remount the parent private if mountinfo says it is shared
export const CRUN_MASKS: i32 = 203; // crun move: umount (or hide) /sys then /proc, fixed paths

export function isControl(step: i32): bool { return step >= 200; }

// runc main (the seed): prepareRoot, root handle, fchdir — §2.1, §2.2.
const RUNC_PREPARE: usize = memory.data<u8>([<u8>Step.propagate_root, <u8>Step.parent_propagation,
  <u8>Step.self_bind, <u8>Step.open_root, <u8>Step.enter_root, 0]);
const RUNC_PIVOT: usize = memory.data<u8>([<u8>Step.open_old_root, <u8>Step.fchdir_new_root,
  <u8>Step.pivot_root, <u8>Step.fchdir_old_root, <u8>Step.old_root_propagation, <u8>Step.detach_old_root,
  <u8>Step.chdir_root, <u8>Step.close_old_root, 0]);
const RUNC_MOVE: usize = memory.data<u8>([<u8>Step.mountinfo_open, <u8>Step.mountinfo_read,
  <u8>Step.mountinfo_close, <u8>MASKS, <u8>Step.move_root, <u8>Step.chroot_root, <u8>Step.chdir_root, 0]);
const RUNC_CHROOT: usize = memory.data<u8>([<u8>Step.chroot_root, <u8>Step.chdir_root, 0]);

// runc 1.1.5 (Debian 12): getParentMount from mountinfo, chdir(rootfs), opens both roots — §2.7.
const RUNC11_PREPARE: usize = memory.data<u8>([<u8>Step.propagate_root, <u8>Step.mountinfo_open,
  <u8>Step.mountinfo_read, <u8>Step.mountinfo_close, <u8>PARENT, <u8>Step.self_bind, <u8>Step.enter_root, 0]);
const RUNC11_PIVOT: usize = memory.data<u8>([<u8>Step.open_old_root, <u8>Step.open_new_root,
  <u8>Step.fchdir_new_root, <u8>Step.pivot_root, <u8>Step.fchdir_old_root, <u8>Step.old_root_propagation,
  <u8>Step.detach_old_root, <u8>Step.chdir_root, <u8>Step.close_new_root, <u8>Step.close_old_root, 0]);

// crun 1.8.1 (Debian 12), as straced (test/fixtures/real/WINDOWS.md): libcrun_set_mounts walks the
// parent by path, binds, opens the root handle, remounts it read-only through /proc/self/fd if
// asked, and closes the handle before do_pivot / move_root — §3.1–3.3.
const CRUN_PREPARE: usize = memory.data<u8>([<u8>Step.propagate_root, <u8>Step.parent_propagation,
  <u8>Step.self_bind, <u8>Step.self_private, <u8>Step.self_remount, <u8>Step.open_root,
  <u8>Step.readonly_root, <u8>Step.close_root, 0]);
const CRUN_PIVOT: usize = memory.data<u8>([<u8>Step.open_old_root, <u8>Step.open_new_root,
  <u8>Step.fchdir_new_root, <u8>Step.pivot_root, <u8>Step.fchdir_old_root, <u8>Step.old_root_propagation,
  <u8>Step.detach_old_root, <u8>Step.chdir_root, <u8>Step.close_new_root, <u8>Step.close_old_root, 0]);
const CRUN_MOVE: usize = memory.data<u8>([<u8>Step.chdir_rootfs, <u8>CRUN_MASKS, <u8>Step.move_root,
  <u8>Step.chroot_root, <u8>Step.chdir_root, 0]);

// hardened: reads mountinfo first when it may need it (auto, move).
const MOUNTINFO: usize = memory.data<u8>([<u8>Step.mountinfo_open, <u8>Step.mountinfo_read,
  <u8>Step.mountinfo_close, 0]);
const HARDENED_MOVE: usize = memory.data<u8>([<u8>MASKS, <u8>Step.move_root, <u8>Step.chroot_root,
  <u8>Step.chdir_root, 0]);

/** The plan's steps before any control entry has been expanded. */
export function build(c: Config): Vec {
  const out = new Vec();
  const s = c.strategy;
  if (c.profile == Profile.hardened) {
    if (s == Strategy.auto || s == Strategy.move) out.pushAll(MOUNTINFO);
    if (s == Strategy.auto) out.push(CHOOSE);
    else switchSteps(out, c, s);
  } else {
    switchSteps(out, c, s == Strategy.auto ? Strategy.pivot : s);
  }
  finalize(out, c);
  return out;
}

/** Prepare + switch for a concrete strategy (also what CHOOSE expands into). */
export function switchSteps(out: Vec, c: Config, s: Strategy): void {
  const p = c.profile;
  if (s == Strategy.chroot) {
    // No mount namespace: the steps run in the caller's (src/switch-namespace.ts). crun 1.8.1 skips
    // its mount setup then (docs/sources.md#crun-1-8) and hardened changes no mount there. runc,
    // 1.1.5 and main, does not: prepareRootfs runs prepareRoot unconditionally, so "/" loses its
    // propagation, the parent is made private and the self-bind stays behind in the caller's
    // table, then chroot(".") (docs/sources.md#runc-main, docs/sources.md#runc-1-1).
    if (p == Profile.crun) { out.push(Step.chroot_root); out.push(Step.chdir_root); return; }
    if (p == Profile.hardened) { out.push(Step.open_root); out.push(Step.enter_root); out.pushAll(RUNC_CHROOT); return; }
  }
  if (c.prepare) prepareSteps(out, c);
  else if (p == Profile.runc_1_1) out.push(Step.enter_root);
  else if (p != Profile.crun) { out.push(Step.open_root); out.push(Step.enter_root); }
  if (s == Strategy.chroot) out.pushAll(RUNC_CHROOT);
  else if (s == Strategy.move) {
    if (p == Profile.crun) out.pushAll(CRUN_MOVE);
    else if (p == Profile.hardened) out.pushAll(HARDENED_MOVE);
    else out.pushAll(RUNC_MOVE);
  } else {
    if (p == Profile.crun) out.pushAll(CRUN_PIVOT);
    else if (p == Profile.runc_1_1) out.pushAll(RUNC11_PIVOT);
    else out.pushAll(RUNC_PIVOT);
  }
}

/** The profile's prepare steps, without the ones the options turn off. */
function prepareSteps(out: Vec, c: Config): void {
  let src = c.profile == Profile.crun ? CRUN_PREPARE : c.profile == Profile.runc_1_1 ? RUNC11_PREPARE : RUNC_PREPARE;
  for (let st = <i32>load<u8>(src); st != 0; st = <i32>load<u8>(++src)) {
    if (!c.selfBind && (st == Step.self_bind || st == Step.self_private || st == Step.self_remount)) continue;
    if (!c.readonly && st == Step.readonly_root) continue;
    out.push(st);
  }
}

/** After the switch: the root handle closed, propagation re-applied, read-only, cwd check. */
function finalize(out: Vec, c: Config): void {
  const p = c.profile;
  const chroot = c.strategy == Strategy.chroot;
  if (p == Profile.crun) {
    // libcrun_do_pivot_root: the spec propagation on "/" again, then chdir("/") (§3.1); crun's
    // read-only remount happened before the switch (readonly_root).
    if (!chroot) { out.push(Step.post_propagation); out.push(Step.chdir_root); }
    return;
  }
  if (p != Profile.runc_1_1) out.push(Step.close_root); // runc 1.1 has no pre-opened root handle
  if (!chroot && postPropagation(c)) out.push(Step.post_propagation);
  if (c.readonly && !chroot) out.push(Step.readonly_remount);
  if (p == Profile.hardened) out.push(Step.check_cwd);
}

/** runc main re-applies RootPropagation after the jail unless it is private or slave (§2.1 step 8). */
function postPropagation(c: Config): bool {
  if (c.profile == Profile.runc_1_1) return false;
  return c.propagation != 0 && (c.propagation & (MS_PRIVATE | MS_SLAVE)) == 0;
}
