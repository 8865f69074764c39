// The plan: which steps a run takes, in order, read from its profile's record (profiles.ts). The
// machine (machine.ts) walks the list; a few control entries (CHOOSE, MASKS, PARENT, FIXED_MASKS, DEPENDENT, LXC_CHOOSE, LXC_PASS)
// expand into more steps once mountinfo has been read. Nothing here emits a request.
import { Step, Strategy, MS_PRIVATE, MS_SLAVE, MS_SHARED, MS_UNBINDABLE, MS_PROPAGATION } from "../src/abi";
import { Config } from "./config";
import { Vec } from "./vec";
import { F, my, POST_ALWAYS, POST_UNLESS_PRIVATE_OR_SLAVE, POST_SHARED_OR_UNBINDABLE } from "./profiles";
export { CHOOSE, MASKS, PARENT, FIXED_MASKS, DEPENDENT, LXC_CHOOSE, TREE_CHOOSE, SET_MOUNTS_CLOSE, LXC_PASS } from "./profiles";

export function isControl(step: i32): bool { return step >= 200; }

/** Appends a 0-terminated step list (0: none). */
function steps(out: Vec, list: u32): void {
  if (list != 0) out.pushAll(<usize>list);
}

/** The plan's steps before any control entry has been expanded. */
export function build(c: Config): Vec {
  const out = new Vec();
  const auto = my(F.AUTO);
  if (c.strategy == Strategy.auto && auto != 0) out.pushAll(<usize>auto);
  else {
    const s = c.strategy == Strategy.auto ? Strategy.pivot : c.strategy;
    if (s == Strategy.move) steps(out, my(F.MOVE_FIRST));
    switchSteps(out, c, s);
  }
  finalize(out, c);
  return out;
}

/** Prepare + switch for a concrete strategy (also what CHOOSE expands into). */
export function switchSteps(out: Vec, c: Config, s: Strategy): void {
  // chroot, no mount namespace: the steps run in the caller's (src/switch-namespace.ts). A profile
  // with CHROOT_ALONE changes no mount there (crun 1.8.1 skips its mount setup, docs/sources.md#crun-1-8;
  // hardened). runc, 1.1.5 and main, has none: prepareRootfs runs prepareRoot unconditionally, so "/"
  // loses its propagation, the parent is made private and the self-bind stays behind in the
  // caller's table, then chroot(".") (docs/sources.md#runc-main, docs/sources.md#runc-1-1).
  const alone = my(F.CHROOT_ALONE);
  if (s == Strategy.chroot && alone != 0) { out.pushAll(<usize>alone); return; }
  if (c.prepare) prepareSteps(out, c);
  else steps(out, my(F.BARE));
  // LXC detects the initial ramfs after its prepare: DETECT ends in the control entry that picks the switch.
  const detect = my(F.DETECT);
  if (c.strategy == Strategy.auto && detect != 0) { steps(out, detect); return; }
  steps(out, my(s == Strategy.chroot ? F.CHROOT : s == Strategy.move ? F.MOVE : F.PIVOT));
}

/** The profile's prepare steps, without the ones the options turn off. */
function prepareSteps(out: Vec, c: Config): void { pushPrepare(out, c, <usize>my(F.PREPARE)); }

/** A prepare list without the steps the options turn off (also crun 1.29's classic path, machine.ts). */
export function pushPrepare(out: Vec, c: Config, list: usize): void {
  let src = list;
  for (let st = <i32>load<u8>(src); st != 0; st = <i32>load<u8>(++src)) {
    if (!c.selfBind && (st == Step.self_bind || st == Step.self_private || st == Step.self_remount)) continue;
    if (!c.readonly && st == Step.readonly_root) continue;
    // crun 1.29 does not try OPEN_TREE_NAMESPACE with a user namespace (can_use_open_tree_namespace, ef5802d).
    if (c.userns && (st == Step.open_rootfs_src || st == Step.tree_namespace || st == Step.close_rootfs_src)) continue;
    out.push(st);
  }
}

/** After the switch: the root handle closed, propagation re-applied, read-only, cwd check. */
function finalize(out: Vec, c: Config): void {
  const chroot = c.strategy == Strategy.chroot;
  if (my(F.CLOSE_ROOT_AFTER) != 0) out.push(Step.close_root);
  if (!chroot && postPropagation(c)) {
    out.push(Step.post_propagation);
    // crun's libcrun_do_pivot_root: the spec propagation on "/" again, then chdir("/") (§3.1).
    if (my(F.CHDIR_AFTER_POST) != 0) out.push(Step.chdir_root);
  }
  // youki remounts "/" read-only whatever the namespace (process/init/process.rs L202-L225).
  if (c.readonly && (!chroot || my(F.READONLY_IN_CHROOT) != 0) && my(F.READONLY_AFTER) != 0) out.push(Step.readonly_remount);
  if (my(F.CHECK_CWD) != 0) out.push(Step.check_cwd);
  readonlyTail(out, c);
}

/** crun 1.29's finalize_mounts: the deferred read-only remount through the kept handle, then its close. */
export function readonlyTail(out: Vec, c: Config): void {
  if (c.readonly && my(F.READONLY_SETATTR) != 0) { out.push(Step.readonly_setattr); out.push(Step.close_root); }
}

/** runc main re-applies RootPropagation after the jail unless it is private or slave (§2.1 step 8). */
function postPropagation(c: Config): bool {
  const post = my(F.POST);
  if (post == POST_ALWAYS) return true;
  // youki: only shared and unbindable are set again (adjust_root_mount_propagation, rootfs.rs L131-L135).
  if (post == POST_SHARED_OR_UNBINDABLE) {
    const kind = c.propagation & MS_PROPAGATION;
    return kind == MS_SHARED || kind == MS_UNBINDABLE;
  }
  if (post != POST_UNLESS_PRIVATE_OR_SLAVE) return false;
  return c.propagation != 0 && (c.propagation & (MS_PRIVATE | MS_SLAVE)) == 0;
}
