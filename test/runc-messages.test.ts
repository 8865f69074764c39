// runc's error messages, step by step: the golden is written by hand from runc's Go source, not
// generated from the machine. Profile runc follows runc main at 76d9cf5 (libcontainer/rootfs_linux.go,
// docs/sources.md#runc-main); profile runc-1.1 follows tag v1.1.5 as Debian 12 ships it
// (docs/sources.md#runc-1-1). Each row names the line it comes from: "main" rows cite the file at
// 76d9cf5, "1.1" rows the file at v1.1.5. Each step of the plan fails in turn (EPERM, on the
// dry-run host) and the outcome's message must be the error prepareRootfs returns, with every
// wrapping it adds ("error preparing rootfs: ", "open rootfs handle: ", "error jailing process
// inside rootfs: "). linuxStandardInit.Init() returns that error as it is (main
// standard_init_linux.go L92-L95, 1.1 L90-L102) and "runc init" sends its Error() text to the parent
// (main init_linux.go L145). What the parent puts before it is left out, as in the crun golden:
// "error during container init: " (main process_linux.go L1058, 1.1 L600), "unable to start
// container process: " (main container_linux.go L424, 1.1 L355) and "runc run failed: " (main
// run.go L87, 1.1 L78; "runc create failed: " for create).
// Texts: Go's syscall.Errno prints strerror in lower case ("operation not permitted"); a failed
// syscall is an os.PathError "op path: err" or a mountError. main's mountError (mount_linux.go
// L108-L132) is "op [src=S, ]dst=D[, flags=NAMES]: err", the names from stringifyMountFlags
// (L56-L105), which also names umount2's flags, so MNT_DETACH (2) prints as MS_NOSUID; 1.1's
// (mount_linux.go L21-L42) is "op [S:]D[, flags: 0xHEX]: err". mount's fstype is never printed.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ROOTFS, stepMessages } from "./helpers/step-messages.js";
import { plan } from "../src/plan.js";
import type { FaultSpec } from "../src/hosts/faults.js";

const EPERM_TEXT = "operation not permitted";

const messages = (profile: "runc" | "runc-1.1", strategy: "pivot" | "move" | "chroot") => stepMessages({ profile, strategy });

const e = (what: string): string => `${what}: ${EPERM_TEXT}`;
/** prepareRoot's error, as prepareRootfs wraps it (main rootfs_linux.go L173, 1.1 L57). */
const prep = (what: string): string => `error preparing rootfs: ${e(what)}`;
/** pivotRoot's, msMoveRoot's or chroot's error, as prepareRootfs wraps it (main L242, 1.1 L146). */
const jail = (what: string): string => `error jailing process inside rootfs: ${e(what)}`;

// The fd numbers in "fchdir fd N" are strconv.Itoa of what open(2) returned (main L1174, 1.1 L889
// and L902), so they are the dry-run host's: main holds the root handle as fd 3 (open_root) and
// opens the old root as fd 4; 1.1 opens the old root as fd 3 and the rootfs as fd 4 (the mountinfo
// fd 3 of its prepare is closed by then). A real runc prints higher numbers (its own fds come first).

// main prepareRootfs (L170-L273): prepareRoot (L1106-L1120), the root handle (L179), fchdir (L222).
const MAIN_PREPARE: [string, string][] = [
  ["propagate_root", prep("mount dst=/, flags=MS_REC|MS_SLAVE")], // L1111 mount("", "/", "", MS_SLAVE|MS_REC) → mountError (mount_linux.go L197)
  ["parent_propagation", prep("remount-propagation dst=/srv/rootfs, flags=MS_PRIVATE")], // L1093: any errno but EINVAL ends the walk; L1098 &mountError{op: "remount-propagation", target: path}
  ["self_bind", prep("mount src=/srv/rootfs, dst=/srv/rootfs, flags=MS_BIND|MS_REC")], // L1119 mount(rootfs, rootfs, "bind", MS_BIND|MS_REC)
  ["open_root", `open rootfs handle: ${e("open /srv/rootfs")}`], // L181 fmt.Errorf("open rootfs handle: %w") of os.OpenFile's &PathError{Op: "open"}; not "error preparing rootfs"
  ["enter_root", e("chdir /srv/rootfs")], // L223 &os.PathError{Op: "chdir", Path: config.Rootfs}: no wrapping at all
];

// main's mountinfo read in msMoveRoot (L1215-L1227): moby/sys/mountinfo v0.7.2 (vendor/modules.txt
// L62) opens /proc/thread-self/mountinfo (vendor/github.com/moby/sys/mountinfo/mountinfo_linux.go
// L153) and returns os.Open's error (L168-L169) or the scanner's read error (L128-L129): Go's
// (*os.File).Read gives &PathError{Op: "read", Path: f.name}, the name it was opened by. The close is
// `defer f.Close()` (L171): its error is dropped.
const MAIN_MOUNTINFO: [string, string][] = [
  ["mountinfo_open", jail("open /proc/thread-self/mountinfo")], // msMoveRoot L1225-L1226 `return err`
  ["mountinfo_read", jail("read /proc/thread-self/mountinfo")], // the first read(2): bufio.Scanner's Err() (mountinfo_linux.go L128)
  ["mountinfo_read", jail("read /proc/thread-self/mountinfo")], // the read that would have seen EOF fails the same way
  ["mountinfo_close", "done"], // mountinfo_linux.go L171 defer f.Close(): unchecked
];

test("runc pivot: each step's message, as prepareRootfs (L170) and pivotRoot (L1146-L1195) write it", () => {
  assert.equal(messages("runc", "pivot"), [
    ...MAIN_PREPARE,
    ["open_old_root", jail("open /")], // L1153-L1155 linux.Open("/") → &os.PathError{Op: "open", Path: "/"} (internal/linux/linux.go L40)
    ["fchdir_new_root", jail("chdir /srv/rootfs")], // L1161 &os.PathError{Op: "chdir", Path: root.Name()}: the name rootFd was opened by (L179)
    ["pivot_root", jail("pivot_root .")], // L1165 &os.PathError{Op: "pivot_root", Path: "."}
    ["fchdir_old_root", jail("fchdir fd 4")], // L1174 &os.PathError{Op: "fchdir", Path: "fd " + strconv.Itoa(oldroot)}
    ["old_root_propagation", jail("mount dst=., flags=MS_REC|MS_SLAVE")], // L1182 mount("", ".", "", MS_SLAVE|MS_REC)
    ["detach_old_root", jail("unmount dst=., flags=MS_NOSUID")], // L1186 unmount(".", MNT_DETACH) → mount_linux.go L215 &mountError{op: "unmount", flags: 2}
    ["chdir_root", jail("chdir /")], // L1192 &os.PathError{Op: "chdir", Path: "/"}
    ["close_old_root", "done"], // L1157 defer unix.Close(oldroot): unchecked
    ["close_root", "done"], // L244 rootFd.Close() (and L183 defer): unchecked
  ]);
});

test("runc move (--no-pivot): each step's message, as msMoveRoot (L1197-L1258) writes it", () => {
  assert.equal(messages("runc", "move"), [
    ...MAIN_PREPARE,
    ...MAIN_MOUNTINFO,
    ["mask_propagation", jail("mount dst=/proc, flags=MS_REC|MS_SLAVE")], // L1231, L1238: any errno but ENOENT
    ["mask_umount", "done"], // L1240-L1248: EPERM (or EINVAL) on the unmount covers /proc with a tmpfs instead, which succeeds
    ["mask_propagation", jail("mount dst=/sys, flags=MS_REC|MS_SLAVE")], // L1231
    ["mask_umount", "done"], // L1241-L1246
    ["move_root", jail("mount src=/srv/rootfs, dst=/, flags=MS_MOVE")], // L1254 mount(rootfs, "/", "", MS_MOVE)
    ["chroot_root", jail("chroot .")], // chroot() L1262 &os.PathError{Op: "chroot", Path: "."}
    ["chdir_root", jail("chdir /")], // chroot() L1265 &os.PathError{Op: "chdir", Path: "/"}
    ["close_root", "done"], // L244: unchecked
  ]);
});

test("runc without a mount namespace: chroot() (L1260-L1268) from the rootfs prepareRootfs entered", () => {
  assert.equal(messages("runc", "chroot"), [
    ...MAIN_PREPARE,
    ["chroot_root", jail("chroot .")], // L1262
    ["chdir_root", jail("chdir /")], // L1265
    ["close_root", "done"], // L244: unchecked
  ]);
});

// 1.1 getParentMount (L773-L791) reads mountinfo through moby/sys/mountinfo. The tag vendors v0.5.0
// (vendor/modules.txt L31), which opens /proc/self/mountinfo (mountinfo_linux.go L131) and returns
// os.Open's error (L132-L133) or the scanner's read error (L124-L125), a &PathError{Op: "read",
// Path: "/proc/self/mountinfo"}; close is `defer f.Close()` (L135), unchecked. Debian's +ds build
// uses its own moby/sys package instead of the vendored one; its captures (test/fixtures/real/) open
// /proc/self/mountinfo too. msMoveRoot (L943-L955) reads it again the same way.
const V11_MOUNTINFO = (wrap: (what: string) => string): [string, string][] => [
  ["mountinfo_open", wrap("open /proc/self/mountinfo")],
  ["mountinfo_read", wrap("read /proc/self/mountinfo")], // the first read(2): bufio.Scanner's Err()
  ["mountinfo_read", wrap("read /proc/self/mountinfo")], // the read that would have seen EOF
  ["mountinfo_close", "done"], // defer f.Close(): unchecked
];

// 1.1 prepareRootfs (L54-L164): prepareRoot (L821-L838) and chdir(rootfs) (L127-L129); no root handle.
const V11_PREPARE: [string, string][] = [
  ["propagate_root", prep("mount /, flags: 0x84000")], // L826 mount("", "/", "", "", MS_SLAVE|MS_REC) → mount_linux.go L58
  ...V11_MOUNTINFO(prep), // rootfsParentMountPrivate L797-L799 → getParentMount L774-L776 `return err`
  ["parent_propagation", prep("mount /, flags: 0x40000")], // L815 mount("", parentMount, "", "", MS_PRIVATE): "/" is the longest prefix and is shared:1
  ["self_bind", prep("mount /srv/rootfs:/srv/rootfs, flags: 0x5000")], // L837 mount(rootfs, rootfs, "", "bind", MS_BIND|MS_REC): "src:dst" (mount_linux.go L25)
  ["enter_root", e("chdir /srv/rootfs")], // L128 &os.PathError{Op: "chdir", Path: config.Rootfs}: no wrapping
];

test("runc-1.1 pivot: each step's message, as prepareRootfs (L54) and pivotRoot (L868-L923) write it", () => {
  assert.equal(messages("runc-1.1", "pivot"), [
    ...V11_PREPARE,
    ["open_old_root", jail("open /")], // L875-L877 &os.PathError{Op: "open", Path: "/"}
    ["open_new_root", jail("open /srv/rootfs")], // L881-L883 &os.PathError{Op: "open", Path: rootfs}
    ["fchdir_new_root", jail("fchdir fd 4")], // L889 &os.PathError{Op: "fchdir", Path: "fd " + strconv.Itoa(newroot)}
    ["pivot_root", jail("pivot_root .")], // L893
    ["fchdir_old_root", jail("fchdir fd 3")], // L902 "fd " + strconv.Itoa(oldroot)
    ["old_root_propagation", jail("mount ., flags: 0x84000")], // L910 mount("", ".", "", "", MS_SLAVE|MS_REC)
    ["detach_old_root", jail("unmount ., flags: 0x2")], // L914 unmount(".", MNT_DETACH) → mount_linux.go L75
    ["chdir_root", jail("chdir /")], // L920
    ["close_new_root", "done"], // L885 defer unix.Close(newroot) //nolint: errcheck
    ["close_old_root", "done"], // L879 defer unix.Close(oldroot) //nolint: errcheck
  ]);
});

test("runc-1.1 without the self bind: the parent walk's mountinfo is still prepareRoot's (\"error preparing rootfs\")", () => {
  // --no-self-bind drops prepareRoot's bind (L837), not the rest of prepareRoot: getParentMount's
  // errors are still wrapped by prepareRootfs L57. The machine marked the end of prepare by the
  // self_bind step, so without one it wrote "error jailing process inside rootfs" here.
  assert.equal(stepMessages({ profile: "runc-1.1", strategy: "pivot", selfBind: false }).slice(0, 7), [
    ...V11_PREPARE.filter(([step]) => step !== "self_bind"),
  ]);
});

test("runc-1.1 move (--no-pivot): each step's message, as msMoveRoot (L925-L986) writes it", () => {
  assert.equal(messages("runc-1.1", "move"), [
    ...V11_PREPARE,
    ...V11_MOUNTINFO(jail), // L943-L955 `return err`
    ["mask_propagation", jail("mount /proc, flags: 0x84000")], // L959, L966: any errno but ENOENT
    ["mask_umount", "done"], // L968-L976: EPERM (or EINVAL) covers /proc with a tmpfs instead, which succeeds
    ["mask_propagation", jail("mount /sys, flags: 0x84000")], // L959
    ["mask_umount", "done"], // L969-L974
    ["move_root", jail("mount /srv/rootfs:/, flags: 0x2000")], // L982 mount(rootfs, "/", "", "", MS_MOVE)
    ["chroot_root", jail("chroot .")], // chroot() L990
    ["chdir_root", jail("chdir /")], // chroot() L993
  ]);
});

test("runc-1.1 without a mount namespace: the whole prepare in the caller's namespace, then chroot() (L988-L996)", () => {
  assert.equal(messages("runc-1.1", "chroot"), [
    ...V11_PREPARE,
    ["chroot_root", jail("chroot .")], // L990
    ["chdir_root", jail("chdir /")], // L993
  ]);
});

test("a failed tmpfs cover is its own mountError: src=tmpfs, the mask as dst, no flags (main L1240-L1248, 1.1 L968-L976)", () => {
  // unmount(p, MNT_DETACH) fails EINVAL (or EPERM), so msMoveRoot covers p with
  // mount("tmpfs", p, "tmpfs", 0, "") and returns that mount's error as it is: main's mountError
  // prints src= and dst= and no flags (0); 1.1's prints "src:dst". The stepwise goldens above never
  // reach it: a failed unmount there is covered successfully.
  const cover = (profile: "runc" | "runc-1.1") => {
    const t = plan({ rootfs: ROOTFS, profile, strategy: "move" }, { faults: ["umount2#1=EINVAL", "mount#5=EPERM"] });
    return t.outcome.kind === "failed" ? `${t.outcome.step} ${t.outcome.message}` : t.outcome.kind;
  };
  assert.is(cover("runc"), `mask_cover ${jail("mount src=tmpfs, dst=/proc")}`);
  assert.is(cover("runc-1.1"), `mask_cover ${jail("mount tmpfs:/proc")}`);
});

test("runc's messages after the jail: root propagation, read-only root, a busy mask, an errno text that starts with \"A\"", () => {
  // Rows no stepwise golden reaches (wave-2 survivors messages:128:0, :129:0, :149:1, :48:0: each
  // case arm deleted fell to "error jailing process inside rootfs: step N ..."). main: the root
  // propagation applied again after the jail is wrapped "unable to apply root propagation flags: "
  // (04be81b, docs/sources.md#runc-main "After"); setReadonly's failure "error setting rootfs as
  // readonly: " with mountError's flags in bit order (MS_RDONLY|MS_REMOUNT|MS_BIND; statfs's flags
  // of a plain rw,relatime mount add nothing: ST_RELATIME is MS_BIND's bit); msMoveRoot returns an
  // unmount error other than EINVAL/EPERM as it is (L1240-L1248), MNT_DETACH named MS_NOSUID.
  // Go's Errno text lower-cases the first letter, "A" included (E2BIG: "argument list too long").
  const failed = (cfg: Parameters<typeof plan>[0], fault: FaultSpec) => {
    const t = plan({ rootfs: ROOTFS, ...cfg }, { faults: [fault] });
    return t.outcome.kind === "failed" ? `${t.outcome.step} ${t.outcome.message}` : t.outcome.kind;
  };
  assert.is(failed({ profile: "runc", strategy: "pivot", rootPropagation: "rshared" }, "mount#5=EPERM"),
    `post_propagation unable to apply root propagation flags: ${e("mount dst=/, flags=MS_REC|MS_SHARED")}`);
  assert.is(failed({ profile: "runc", strategy: "pivot", readonly: true }, "mount#5=EPERM"),
    `readonly_remount error setting rootfs as readonly: ${e("mount dst=/, flags=MS_RDONLY|MS_REMOUNT|MS_BIND")}`);
  assert.is(failed({ profile: "runc", strategy: "move" }, "umount2#1=EBUSY"),
    "mask_umount error jailing process inside rootfs: unmount dst=/proc, flags=MS_NOSUID: device or resource busy");
  assert.is(failed({ profile: "runc", strategy: "pivot" }, "pivot_root#1=E2BIG"),
    "pivot_root error jailing process inside rootfs: pivot_root .: argument list too long");
});

test("hardened's getcwd check: ENOENT is runc's CVE-2024-21626 message, as verifyCwd words it", () => {
  // hardened words its failures as runc main. runc's verifyCwd: Getwd's ENOENT (the cwd is outside
  // the mount namespace's root) is this error text (wave-2 survivor messages:130:0: without the
  // case arm it was "error jailing process inside rootfs: step 43 ...").
  const t = plan({ rootfs: ROOTFS, profile: "hardened", strategy: "pivot" }, { faults: ["getcwd#1=ENOENT"] });
  assert.is(t.outcome.kind === "failed" && `${t.outcome.step} ${t.outcome.message}`,
    "check_cwd current working directory is outside of container mount namespace root -- possible container breakout detected");
});

test.run();
