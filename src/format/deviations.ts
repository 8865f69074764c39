// Where each profile knowingly differs from the runtime it reproduces: data for the Markdown
// audit, kept short and sourced. Findings (what a trace shows) are derived elsewhere; this is
// only what a reader cannot see in the trace: the reference and the deliberate differences.
import type { Config } from "../schema.js";

export interface ProfileDeviations {
  /** The runtime (and version) the profile follows. */
  runtime: string;
  /** What its plans are checked against: real captures (test/fixtures/real/), or the source alone. */
  checked: string;
  deviations: readonly string[];
  /** What `pivotshim explore` flags for this profile on the fake kernel, and whether the real runtime has it. */
  flaws: readonly string[];
}

/** Both runc profiles share pivotRoot's single detach, msMoveRoot's ENOENT skip and the chroot prepare. */
const RUNC_FLAWS: readonly string[] = [
  "chroot (no mount namespace): prepareRoot still runs, in the caller's namespace, so on every scenario and path past the first mount host-unchanged is violated: every mount of the caller loses shared: (rslave of \"/\") and the rootfs's self-bind stays in its table. The real runc has this (prepareRootfs does not check for a mount namespace, docs/sources.md#runc-main); `pivotshim run` does not, as it always switches in a fresh mount namespace",
  "stacked-root: one umount2(\".\", MNT_DETACH) peels only the top of a stack of mounts on the old root, so the lower old root (ext4 /, with the host's /proc, /sys, /dev under it) stays reachable through \"/..\" (invariant old-root-unreachable). The real runc has this flaw: pivotRoot unmounts once; crun added the loop in df308e2; our real-kernel differential test reproduces it with runc's sequence",
  "move, under an injected ENOENT on the rslave of a full proc/sysfs: runc skips that mount (b8bf572, meant for a parent that was already detached) and the host's procfs stays in the namespace (invariant no-host-proc-sysfs, runc PR #1962). A real kernel answers ENOENT only when the path is gone, so this needs the mount to be hidden from the path; hardened masks children first and fails instead",
];

export const DEVIATIONS: Readonly<Record<Config["profile"], ProfileDeviations>> = {
  hardened: {
    runtime: "runc (main, `pivotRoot` with a root handle)",
    checked: "the invariants, on every scenario and failure path (it is ours); the runc calls it keeps, as the runc profile",
    deviations: [
      "the old root handle is opened with O_CLOEXEC (runc omits it; O_PATH does not imply it): docs/sources.md#fd-hygiene",
      "the old root is detached until umount2 says EINVAL, so stacked mounts are peeled too (crun df308e2); runc unmounts once",
      "getcwd() is checked at the end of the switch (CVE-2024-21626); runc checks it later, just before exec",
      "strategy auto reads mountinfo and picks MS_MOVE+chroot when / is the initial ramfs (LXC's detect_ramfs_rootfs); runc needs --no-pivot",
      "pivot_root EINVAL while / is on a ramfs falls back to MS_MOVE+chroot (runc PR #4434 and bubblewrap #592 are still open)",
      "strategy move masks full proc/sysfs mounts children first and fails on ENOENT, where runc skips a vanished mount (b8bf572)",
      "the mountinfo it needs (auto, move) is read once, first, before the prepare phase; runc reads it inside msMoveRoot",
    ],
    flaws: [],
  },
  runc: {
    runtime: "runc (main, `pivotRoot` as in the seed)",
    checked: "its source alone (no package ships main): goldens from `pivotRoot` and its callers",
    deviations: [
      "the fd close loop and the getcwd() check of CVE-2024-21626 run just before exec, outside the switch window: not reproduced",
    ],
    flaws: RUNC_FLAWS,
  },
  "runc-1.1": {
    runtime: "runc 1.1.5 (Debian 12)",
    checked: "real captures: runc 1.1.5 straced, 8 logs (pivot and --no-pivot; default, rshared, readonly)",
    deviations: [
      "Debian's CVE-2024-21626 backport (close every fd >= 3, then check getcwd()) runs outside the switch window and is not reproduced",
      "the parent's propagation is read from mountinfo (getParentMount), as 1.1 does, so the mountinfo race (runc #2404) is reproduced, not fixed",
    ],
    flaws: RUNC_FLAWS,
  },
  crun: {
    runtime: "crun 1.8.1 (Debian 12, as straced)",
    checked: "real captures: crun 1.8.1 straced, 8 logs (pivot and --no-pivot; default, rshared, readonly)",
    deviations: [
      "the read-only remount goes through /proc/self/fd/N of the root handle instead of a dup() of it; the effect on the mount is the same",
      "the read-only remount is made straight after the root handle is opened; crun defers it until all its config mounts are made (so that it can still create mount points inside the rootfs), just before it closes the handles and switches (test/fixtures/real/crun-*-readonly.strace). pivotshim makes no config mounts, so the order of its own steps is crun's; a runtime that embeds it must make its mounts inside the rootfs before the switch phase, or they meet a read-only root (EROFS)",
      "the getcwd() check added in crun 1.14.1 (PR #1412) is not part of 1.8.1 and not reproduced",
    ],
    flaws: [
      "none is a violation; explore reports one finding on stacked-root: an EINVAL injected on the second umount2(\".\") ends the detach loop early, which no plan can tell from the kernel's own \"nothing left\" answer",
      "the old and new root handles are opened without O_CLOEXEC (straced); both are closed before exec, so nothing leaks in this switch, but a failure between open and close in a forked helper would",
    ],
  },
  youki: {
    runtime: "youki (main `bc78720`, v0.7.0 and later; from source, no capture)",
    checked: "its source alone: no package, no capture; goldens written by hand, line by line, each with its source line",
    deviations: [
      "mountinfo is opened as openat(AT_FDCWD, \"/proc/self/mountinfo\", O_RDONLY|O_CLOEXEC); youki gets it through libpathrs's ProcfsHandle, whose own calls (a private procfs by fsopen/open_tree, openat2) have no request kind here: docs/sources.md#youki",
      "the read-only remount is mount(NULL, \"/\", NULL, MS_RDONLY|MS_REMOUNT|MS_BIND, NULL); youki first calls statfs(\"/\") and ORs its flags in (nosuid, nodev, ... of the root mount), which has no request kind here: the same call on a plain rw,relatime mount",
      "everything youki does between the prepare and the jail (spec mounts, devices, symlinks, hooks) and after it (/dev/null, sysctl, console) is outside the switch window and not reproduced",
    ],
    flaws: [
      "chroot (no mount namespace): mount_to_rootfs still runs in the caller's namespace, so host-unchanged is violated on every scenario (\"/\" made rslave, the shared parent made private, the self-bind left behind), as with runc; and chroot(rootfs) is not followed by chdir(\"/\"), so the cwd stays outside the new root (root-is-rootfs: cwd unreachable) until youki's later chdir(process.cwd) (process.rs L253). The real youki has both (do_pivot_root, docs/sources.md#youki)",
      "stacked-root: pivot_rootfs unmounts the old root once, so the lower old root stays reachable (old-root-unreachable), as runc's single detach",
      "initramfs: pivot_root fails with EINVAL and youki has no fallback; move (--no-pivot) works",
    ],
  },
  bwrap: {
    runtime: "bubblewrap 0.8.0 (Debian 12, as straced: `--bind ROOTFS /` and `--ro-bind ROOTFS /`)",
    checked: "real captures: bwrap 0.8.0 straced (`--bind` and `--ro-bind`); goldens by hand from its source",
    deviations: [
      "the bind's remount flags are MS_NOSUID|MS_NODEV (|MS_RDONLY for --ro-bind) over MS_RELATIME: bwrap ORs them into the flags it decodes from the bind's mountinfo line (bind_mount, bind-mount.c L449-L453), which a relatime mount gives as MS_RELATIME. The machine assumes that line: on a rootfs whose mount is noatime, nosuid, noexec or ro the real call carries those too, and where they already include nosuid,nodev (and ro) bwrap makes no remount at all",
      "bind_mount's own calls around the remount are not reproduced: the O_PATH open of /newroot, the readlink of its /proc/self/fd link (untraced), the mountinfo read through bwrap's /proc fd, the close; nor the remount of each submount of a recursive bind (one more mount(\"none\", ...) per submount of the rootfs)",
      "the sandbox set-up between the pivots (--proc, --dev, their binds, mkdirs and remounts) and bwrap's getcwd() of the old cwd are outside the plan: diff lists them as not part of the plan",
      "a configured rootPropagation replaces bwrap's fixed MS_SILENT|MS_SLAVE|MS_REC of \"/\" (bwrap has no such option)",
      "on a failure bwrap exits (die_with_error), and the kernel closes the staging-root fd; the machine emits that close itself, as for every profile",
      "strategy move and chroot are refused (config rule pivot_only): bwrap has only pivot_root (issue #592 asks for an MS_MOVE fallback and is open)",
    ],
    flaws: [
      "no violation on any scenario, single or double faults; every fault fails closed, as die_with_error exits",
      "initramfs: the first pivot_root(\"/tmp\", \"oldroot\") fails with EINVAL (the root is the initial ramfs) and bwrap has no fallback: `bwrap: pivot_root: Invalid argument`. The real bwrap has this (issue #592)",
      "stacked-root: the rootfs is reached as /oldroot + its path after the first pivot, and that lookup goes through the mounts stacked on the old root, not the bottom root the path named before (a process root is not crossed into its own overmounts): the bind fails with ENOENT here, and where the top mount has a directory at that path, bwrap would bind that one. The real bwrap has this; runc-like profiles name the rootfs before any pivot",
      "shared-tmp and rootfs-not-a-mountpoint: propagation-after shows a host mount made under the rootfs after the switch appearing in the sandbox (host → container): \"/\" is made rslave on purpose, \"so that we still receive mounts from the real root\" (bubblewrap.c L3052-L3054)",
      "findings on every scenario where it completes: the staging-root handle is opened without O_CLOEXEC (closed before exec by cleanup_fd, so nothing leaks), no propagation change before the last umount2 (the staging tmpfs was made under an rslave \"/\", so it has no peers to reach), one detach (the staging tmpfs holds no stack), and no getcwd() check",
    ],
  },
  "crun-1.29": {
    runtime: "crun main (`ba38286`, 1.29 and later: the switch after the mounts, OPEN_TREE_NAMESPACE; from source, no capture)",
    checked: "from source, no capture: goldens written from crun's linux.c at ba38286, line by line (docs/sources.md#crun-1-29); the fallback path (Linux 6.18 answers EINVAL to OPEN_TREE_NAMESPACE) run on the real kernel, the Linux 7.0 path from source, unverified (no kernel here has it)",
    deviations: [
      "make_parent_mount_private's fstat(2) calls (of the rootfs, then of each \"..\") have no request kind: the walk ends when the path it went up is \"/\", which for the absolute, clean rootfs a config holds (realpath'd by crun) is where \"..\" is the same inode (a98380b)",
      "when openat(fd, \"..\") fails, crun calls faccessat(fd, \"..\", X_OK, AT_EACCESS) to choose between EACCES (\"a component is not accessible\") and the open's errno; faccessat has no request kind: the machine reports the open's errno with \"cannot open component\"",
      "the read-only root: crun dup()s libcrun_set_mounts's root handle (dup has no request kind), closes the original before the switch and, after it, calls mount_setattr(MOUNT_ATTR_RDONLY) on the dup; the machine keeps the original open instead and closes it after the mount_setattr (one fd fewer, the same mount). If that mount_setattr fails, crun tries do_remount (another mount_setattr that also clears nosuid/nodev/noexec, then mount(MS_REMOUNT|MS_BIND|MS_RDONLY) through /proc/self/fd, then statfs and retries); the machine fails at the first",
      "crun does not try OPEN_TREE_NAMESPACE with createContainer/prestart/createRuntime hooks, with a user namespace in the spec or when it runs in one already (ef5802d, issue #2124), in a joined mount namespace, or when a config mount has no pre-opened fd (can_use_open_tree_namespace, linux.c L3624-L3659). The user namespace is the config's `userns` (OPT_USERNS), which the machine follows; hooks and the rest are not part of a config, so without `userns` the machine tries. Before Linux 7.0 the answer (EINVAL) and the path are the same either way",
      "the container mounts (do_mounts, the fsopen/open_tree fds made beforehand, /dev, the notify socket, cgroup lookups through /proc) and libcrun_set_mounts's work on the open root handle are outside the plan; so is the open of /proc kept after the mounts (get_procfd)",
      "libcrun_set_mounts returns at once when the spec has no mounts (no root handle, no read-only root): the plan assumes a spec with mounts, as every real container has",
      "the old-root handle of get_old_root_fd (O_PATH|O_CLOEXEC) is still open when the plan ends, as in crun, which keeps it until exec closes it",
    ],
    flaws: [
      "chroot (no mount namespace) with readonly: libcrun_set_mounts still opens \"/\" after chroot(rootfs) and finalize_mounts makes that mount read-only with mount_setattr (linux.c L3353, L3365-L3377, L907-L917): on docker-host, where the rootfs is a mount of the host's, host-unchanged is VIOLATED (the host's overlay turns ro); where the rootfs is no mount point, mount_setattr says EINVAL and the run fails (`remount `/`: Invalid argument`; crun's do_remount retries first). The real crun has this as far as its source says (from source, no capture); `run` always switches in a fresh mount namespace",
      "every scenario, pivot and move (Linux 6.18): get_old_root_fd's O_PATH handle on the host's \"/\" is opened before the switch and still open at its end (fds-unchanged: a finding, the fd is O_CLOEXEC), so the container's init holds the detached old root until exec (linux.c L1037, L3920): a handle of the CVE-2024-21626 kind, closed by exec rather than before it",
      "Linux 7.0 (from source, unverified): strategy move (crun --no-pivot) takes the OPEN_TREE_NAMESPACE path like pivot, so no_pivot has no effect there (L3829-L3852 store it, nothing reads it); the rootless scenario takes it too unless the config says `userns`, as crun's check of ef5802d would (the scenario does not set the config)",
      "initramfs: pivot_root fails with EINVAL and crun has no fallback (as 1.8.1); move works. stacked-root: the detach loop peels the whole stack (df308e2); explore's one finding is that an EINVAL injected on the repeated umount2 ends the loop early, which no plan can tell from the kernel's own answer",
      "no violation on any scenario for pivot, move (both kernels) and chroot without readonly, single faults; findings: no getcwd() check (Linux 6.18 paths), the kept old-root handle",
    ],
  },
  lxc: {
    runtime: "LXC 5.0.2 (Debian 12, as straced: lxc-execute with a dir: rootfs, on a private and on an all-shared host)",
    checked: "real captures: lxc-execute straced on a private and on an all-shared host; goldens by hand from its source",
    deviations: [
      "turn_into_dependent_mounts copies mountinfo into a memfd (memfd_create, sendfile or write, lseek, fdopen) and parses the copy; the machine reads /proc/self/mountinfo beneath dfd_host itself and parses that: the memfd's calls are not part of the plan (diff lists its reads as not part of it)",
      "the container set-up between the bind and the pivot (the /dev tmpfs through fsopen/fsmount/move_mount, proc, the console bind, cgroups) and after it (boot id) is outside the plan: diff lists what of it is traced as not part of the plan",
      "dfd_host and dfd_mnt are closed right after lxc_pivot_root here; LXC closes them at the end of its set-up, after its boot-id bind",
      "on a failure the machine closes the open handles newest first; LXC's __do_close order inside dir_mount closes the target before the source",
      "readonly (lxc.rootfs.options=ro: a mount_setattr on the detached tree) and a configured rootPropagation (lxc.rootfs.options propagation) are not modelled: both are refused before any request (config rules lxc_readonly, lxc_propagation), never planned without them; the access(F_OK) of the mount point before the bind has no request kind",
      "strategy chroot is refused (config rule lxc_no_chroot): LXC has none. Strategy move is lxc_chroot, LXC's ramfs path, forced (auto takes it when \"/\" is the initial ramfs, as detect_ramfs_rootfs decides)",
      "lxc_chroot: realpath(rootfs->mount) has no request kind (a libc walk of readlink calls); the plan binds LXC's mount point by its own name, which is its realpath where the lxc package ships it (a plain directory)",
      "lxc_chroot: LXC's for (;;) over mountinfo has no bound; the machine's is MAX_REQUESTS (16384): a host that answers 0 to every umount2 ends FAILED \"the run exceeded 16384 requests\" after the closes. A table of more than about 16000 mounts reaches it too, where LXC would go on",
    ],
    flaws: [
      "docker-host, shared-tmp, stacked-root, rootfs-not-a-mountpoint (every scenario whose \"/\" is shared): a failed open or read of mountinfo in turn_into_dependent_mounts (16 + 12 single faults) or a failed MS_SLAVE of \"/\" (15) is only logged, so \"/\" stays a peer of the host's: the rootfs bind onto LXC's mount point propagates to the host (host-unchanged: a mount at /usr/lib/x86_64-linux-gnu/lxc/rootfs appears there) and pivot_root then fails with EINVAL (a shared parent). The real LXC has this (conf.c L3885-L3948 log and go on)",
      "stacked-root: lxc_pivot_root unmounts the old root once, so the lower old root stays reachable (old-root-unreachable, and the host's proc/sysfs with it), as runc's single detach",
      "shared-tmp and rootfs-not-a-mountpoint: propagation-after shows a host mount made under the rootfs after the switch appearing in the container (host → container): the copy of the rootfs is a slave of the host's group (open_tree copies a slave as a slave, as a bind does), and MS_REC|MS_SHARED on the new root makes it shared and still a slave. LXC's comment says it does not re-establish propagation with the host; the model (and the kernel check in test/native-new-mount-api.test.ts of how copies join peer groups) says a slave copy still receives",
      "initramfs: auto takes lxc_chroot and completes: the old tree's /sys, /dev and LXC's old bind are detached through \"./\", the initial ramfs stays under the new root (it cannot be unmounted), as the real LXC leaves it; pivot fails with pivot_root EINVAL, as forcing lxc_pivot_root on a ramfs root would",
      "move (lxc_chroot), docker-host, shared-tmp, rootfs-not-a-mountpoint: when the dependent-mounts pass fails (a failed open or read of mountinfo, 28 single faults, or MS_SLAVE of \"/\", 15), \"/\" is still shared when lxc_chroot binds the rootfs onto it, before it makes \"/\" rprivate (conf.c L1482 then L1486): the bind propagates, and the host finds the rootfs stacked on its own \"/\" (host-unchanged). The real LXC has this order",
      "move (lxc_chroot), stacked-root, with no fault: turn_into_dependent_mounts makes \"/\" a slave by name, twice, and both calls reach the lower of the two mounts stacked on \"/\" (a path walk does not climb its starting point); the bind onto \"/\" attaches to the top one, still shared, and propagates to the host (host-unchanged). The real LXC has this (conf.c L3928-L3943 by path, L1482 onto the top of the stack)",
      "move (lxc_chroot), every scenario: a failed first read of a pass (6 errnos) unmounts nothing, so the loop ends as if done (conf.c L1536-L1537) and the host's /sys stays mounted under the new root; a failed umount2(\"./proc\") (8) leaves the host's /proc there (L1541, (void)). Both hidden, not reachable: no-host-proc-sysfs",
      "move (lxc_chroot), rootless, with no fault: every inherited mount is locked, so each umount2 of the passes says EINVAL and the host's /proc and /sys stay under the new root: LXC's comment says so (\"we should live with all this trash\", conf.c L1497-L1498)",
      "move (lxc_chroot), every scenario: mount points are taken as printed (conf.c L1512-L1529), so one with a space, tab, newline or backslash (\\040...) is never found (ENOENT, seen on Linux 6.18 in test/native-lxc-chroot.test.ts) and stays mounted under the new root",
      "findings on every scenario where it completes: pivot: one detach, no getcwd() check, and the new root left rshared on purpose; no violation on private-host and rootless, single or double faults. move: chroot without pivot_root or MS_MOVE (lxc_chroot), no getcwd() check, and the old root stays mounted under the new root",
    ],
  },
};
