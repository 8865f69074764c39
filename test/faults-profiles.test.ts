// The fault table for every profile × strategy: each request × each errno its man page lists.
// Every row: no fd left open; a failure names the faulted step and errno and is followed only by
// the deferred closes (innermost first); a run that goes on is one of the HANDLED answers below,
// each of which a runtime documents.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { plan } from "../src/plan.js";
import { drive } from "../src/driver.js";
import { DryRunHost } from "../src/hosts/dry-run.js";
import { FaultyHost, MAN_ERRNOS } from "../src/hosts/faults.js";
import { errnoNumber } from "../src/names-ts.js";
import { call, straceLine } from "../src/format/strace.js";
import { PROFILES, STRATEGIES, parseConfig, staticRule } from "../src/schema.js";
import { Machine } from "../src/machine.js";
import { keptUntilExec, leakedFds } from "./helpers.js";

type Step = ReturnType<typeof plan>["steps"][number];
/** A handled answer: why (the source), and the call that must come right after the faulted one. */
interface Handled { why: string; next: (base: readonly Step[], i: number) => string | undefined }

const dirname = (p: string) => p.slice(0, Math.max(1, p.lastIndexOf("/")));
const target = (s: Step) => (s.request as { target: string }).target;

/**
 * (profile, step, errno) answers the machine treats as part of the plan, with the source and what
 * follows. Both directions are checked: a run that goes on must be one of these, and each of these
 * must go on exactly so (deleting a handling rule from the machine fails a row).
 */
function handled(profile: string, step: string, errno: string): Handled | undefined {
  // youki: only std's BufReader read_until repeats an interrupted read; nix and pathrs calls do not.
  if (errno === "EINTR" && profile === "youki" && step === "mountinfo_read") {
    return { why: "retried: Rust std's read_until repeats ErrorKind::Interrupted", next: (b, i) => call(b[i]!.request) };
  }
  // Only the Go runtimes retry; crun's open(2) and bwrap's calls are made once (C, no retry loop).
  if (errno === "EINTR" && ["hardened", "runc", "runc-1.1"].includes(profile) && (["open_root", "mountinfo_open", "mountinfo_read"].includes(step) || (step === "open_old_root" && profile !== "runc-1.1"))) {
    return { why: "retried: Go's os.Open/Read and runc's linux.Open repeat EINTR", next: (b, i) => call(b[i]!.request) };
  }
  const lxc = lxcHandled(profile, step, errno);
  if (lxc) return lxc;
  const crun129 = crun129Handled(profile, step, errno);
  if (crun129) return crun129;
  if (step.startsWith("close") || step === "mountinfo_close") {
    return { why: "a failed close still releases the fd; runc ignores it, as youki's OwnedFd drop does", next: (b, i) => (b[i + 1] ? call(b[i + 1]!.request) : undefined) };
  }
  // runc 1.1 takes the parent from mountinfo (no walk): any error there fails.
  // crun 1.8.1 too goes up on EINVAL only (make_parent_mount_private, linux.c L2403; test/crun-messages.test.ts).
  // youki too picks the parent from mountinfo (rootfs/mount.rs L547-L566): no walk.
  if (step === "parent_propagation" && profile !== "runc-1.1" && profile !== "youki" && errno === "EINVAL") {
    return { why: "the walk goes up on EINVAL (runc PR #4417; crun 1.8.1 linux.c L2415)", next: (b, i) => call(b[i]!.request).replace(`"${target(b[i]!)}"`, `"${dirname(target(b[i]!))}"`) };
  }
  if (step === "mountinfo_open" && errno === "ENOENT" && profile !== "runc-1.1" && profile !== "youki") {
    return { why: "falls back to /proc/self/mountinfo", next: () => 'openat(AT_FDCWD, "/proc/self/mountinfo", O_RDONLY|O_CLOEXEC)' };
  }
  if (step === "mask_propagation" && errno === "ENOENT" && profile !== "hardened") {
    // The mount is gone: its umount2 is skipped too.
    return { why: "runc skips a vanished mount (b8bf572)", next: (b, i) => call(b[i + 2]!.request) };
  }
  const crunLike = profile === "crun" || profile === "crun-1.29"; // umount_or_hide is unchanged on main (linux.c L3421)
  if (step === "mask_umount" && (errno === "EINVAL" || (errno === "EPERM" && !crunLike && profile !== "youki"))) {
    // runc: unix.Mount("tmpfs", p, "tmpfs", 0, "") (Go passes NULL for ""); crun: size=0k (PR #951);
    // youki: crun's, read-only (unmount_or_hide, process/init/process.rs L702-L717).
    const cover = (t: string) => (crunLike ? `mount(NULL, "${t}", "tmpfs", 0, "size=0k")`
      : profile === "youki" ? `mount(NULL, "${t}", "tmpfs", MS_RDONLY, "size=0k")` : `mount("tmpfs", "${t}", "tmpfs", 0, NULL)`);
    return { why: "covered with tmpfs (runc PR #1962, crun PR #951)", next: (b, i) => cover(target(b[i]!)) };
  }
  return undefined;
}

/** The call after the first mountinfo_close at or after i (what a skipped mountinfo pass goes on to). */
const afterClose = (b: readonly Step[], i: number, inclusive: boolean): string | undefined => {
  const k = b.findIndex((x, j) => j > i && x.request.step === "mountinfo_close");
  const at = inclusive ? k : k + 1;
  return b[at] ? call(b[at]!.request) : undefined;
};

/**
 * LXC 5.0.2 (docs/sources.md#lxc): open_at retries an openat2 that says ENOSYS as openat
 * (file_utils.c L652-L674); turn_into_dependent_mounts logs a failed open or copy of mountinfo and
 * returns, and a failed MS_SLAVE and goes on (conf.c L3885-L3948); detect_ramfs_rootfs answers
 * "not a ramfs" when mountinfo cannot be read (utils.c L714-L716); lxc_read_nointr repeats EINTR;
 * lxc_chroot ignores its umount2 errors and ends a pass's file on a read error (conf.c L1507-L1541).
 */
function lxcHandled(profile: string, step: string, errno: string): Handled | undefined {
  if (profile !== "lxc") return undefined;
  const opens2 = ["open_host", "mountinfo_open", "open_mountpoint", "open_rootfs_src", "open_mnt", "open_old_root"];
  if (errno === "ENOSYS" && opens2.includes(step)) {
    return {
      why: "open_at: openat2 unknown (ENOSYS) → the same open with openat",
      next: (b, i) => {
        const r = b[i]!.request as Extract<Step["request"], { op: "openat2" }>;
        return call({ ...r, op: "openat", dirfd: r.dirfd, pathname: r.pathname, flags: r.flags, mode: r.mode });
      },
    };
  }
  if (step === "mountinfo_open" || step === "ramfs_open") return { why: "a mountinfo that cannot be opened is logged (or means no ramfs), not fatal", next: (b, i) => afterClose(b, i, false) };
  if (step === "mountinfo_read" && errno === "EINTR") return { why: "retried: lxc_read_nointr / stdio repeat EINTR", next: (b, i) => call(b[i]!.request) };
  // lxc_chroot's passes (conf.c L1507-L1510): a read error ends getline's file, no line is left to
  // unmount (the dry-run's reads end on a line), and the FILE is closed.
  if (step === "mountinfo_read") return { why: "a failed copy of mountinfo is logged and its fd closed; no MS_SLAVE follows (lxc_chroot: getline's -1, the pass ends)", next: (b, i) => afterClose(b, i, true) };
  // "if (ret == 0) progress++": any other answer is no progress, and the pass goes on (L1531-L1533);
  // "(void)umount2("./proc", MNT_DETACH)" (L1541).
  if (step === "pass_umount" || step === "umount_proc") return { why: "lxc_chroot ignores umount2's errors", next: (b, i) => (b[i + 1] ? call(b[i + 1]!.request) : undefined) };
  if (step === "dependent_mount") return { why: "SYSERROR(...) Continuing...: the next mount of the table", next: (b, i) => (b[i + 1] ? call(b[i + 1]!.request) : undefined) };
  return undefined;
}

/**
 * crun main (docs/sources.md#crun-1-29): open_tree(OPEN_TREE_NAMESPACE) refused with EINVAL, ENOSYS
 * or EPERM takes the classic path (linux.c L3545-L3546); make_parent_mount_private tries mount(2)
 * through /proc/self/fd when mount_setattr fails, whatever the errno (L3308-L3316); get_old_root_fd
 * ignores a failed open (L1037); the walk's closes are closes.
 */
function crun129Handled(profile: string, step: string, errno: string): Handled | undefined {
  if (profile !== "crun-1.29") return undefined;
  if (step === "tree_namespace" && ["EINVAL", "ENOSYS", "EPERM"].includes(errno)) {
    return { why: "OPEN_TREE_NAMESPACE refused: the classic path (L3545-L3546)", next: (b, i) => call(b[i + 1]!.request) };
  }
  if (step === "walk_setattr") {
    return {
      why: "mount_setattr failed: mount(2) through /proc/self/fd next (L3308-L3314)",
      next: (b, i) => `mount(NULL, "/proc/self/fd/${(b[i]!.request as { dirfd: number }).dirfd}", NULL, MS_PRIVATE, NULL)`,
    };
  }
  if (step === "keep_old_root") return { why: "get_old_root_fd ignores a failed open (L1037)", next: (b, i) => call(b[i + 1]!.request) };
  if (step === "walk_close" || step === "walk_drop") return { why: "a failed close still releases the fd", next: (b, i) => (b[i + 1] ? call(b[i + 1]!.request) : undefined) };
  return undefined;
}

const machine = Machine.create();
for (const profile of PROFILES) {
  for (const strategy of STRATEGIES) {
    if (staticRule({ profile, strategy })) continue; // refused before any request (bwrap move/chroot, lxc chroot): nothing to fault
    const config = parseConfig({ rootfs: "/r", profile, strategy });
    const base = plan(config);
    test(`fault table ${profile} ${strategy}: ${base.steps.length} steps × man-page errnos`, () => {
      let rows = 0;
      let handledRows = 0;
      base.steps.forEach((s, i) => {
        for (const name of MAN_ERRNOS[s.request.op]) {
          rows++;
          const host = new FaultyHost(new DryRunHost({ rootfs: "/r" }), [], [{ seq: i, errno: errnoNumber(name)! }]);
          const t = drive(config, host, { machine });
          const where = `#${i} ${s.request.step} ${s.request.op}=${name}`;
          // crun 1.29 keeps get_old_root_fd until exec: at Done that one fd is open, never at a failure.
          assert.equal(leakedFds(t), t.outcome.kind === "done" ? keptUntilExec(t) : [], `${where}: every opened fd is closed`);
          const rule = handled(profile, s.request.step, name);
          if (rule) {
            assert.is(t.outcome.kind, "done", `${where}: ${rule.why}, so the run goes on`);
            assert.is(t.steps[i + 1] && call(t.steps[i + 1]!.request), rule.next(base.steps, i), `${where}: ${rule.why}`);
            handledRows++;
            continue;
          }
          if (t.outcome.kind === "done") {
            assert.ok(isLoopEnd(base, i, name), `${where}: went on, but is not a handled answer`);
            continue;
          }
          assert.is(t.outcome.step, s.request.step, where);
          assert.is(t.outcome.errnoName, name, where);
          const open = leakedFds({ ...base, steps: base.steps.slice(0, i) }).reverse();
          assert.equal(t.steps.slice(i + 1).map(straceLine), open.map((fd) => `close(${fd}) = 0`), `${where}: only the deferred closes follow`);
        }
      });
      assert.ok(rows > base.steps.length);
      // Every plan that opens an fd has a handled answer (its close, at least).
      assert.is(handledRows > 0, base.steps.some((x) => x.request.op === "close"), "handled rows exist exactly when a close does");
    });
  }
}

/** The detach loop's second umount2 answered EINVAL: that is how the loop ends. */
function isLoopEnd(base: ReturnType<typeof plan>, i: number, errno: string): boolean {
  return errno === "EINVAL" && base.steps[i]!.request.step === "detach_old_root" && base.steps[i - 1]?.request.step === "detach_old_root";
}

test("EINTR: runc's linux.Open repeats the old-root open; runc 1.1's unix.Open and crun fail", () => {
  const runc = plan({ rootfs: "/r", profile: "runc" }, { faults: ["openat#2=EINTR", "openat#3=EINTR"] });
  assert.equal(runc.steps.filter((s) => s.request.step === "open_old_root").map(straceLine), [
    'openat(AT_FDCWD, "/", O_RDONLY|O_PATH|O_DIRECTORY) = -1 EINTR (Interrupted system call)',
    'openat(AT_FDCWD, "/", O_RDONLY|O_PATH|O_DIRECTORY) = -1 EINTR (Interrupted system call)',
    'openat(AT_FDCWD, "/", O_RDONLY|O_PATH|O_DIRECTORY) = 4',
  ]);
  assert.is(runc.outcome.kind, "done");
  const old = plan({ rootfs: "/r", profile: "runc-1.1" }, { faults: ["openat#2=EINTR"] });
  assert.is(old.outcome.kind === "failed" && old.outcome.message, "error jailing process inside rootfs: open /: interrupted system call");
});

test("EINTR forever: the 64th in a row fails the step (MAX_EINTR)", () => {
  const faults = Array.from({ length: 64 }, (_, i) => `openat#${i + 2}=EINTR` as const);
  const t = plan({ rootfs: "/r", profile: "runc" }, { faults });
  assert.is(t.outcome.kind === "failed" && `${t.outcome.step} ${t.outcome.errnoName}`, "open_old_root EINTR");
  assert.is(t.steps.filter((s) => s.request.step === "open_old_root").length, 64);
});

test("runc's walk stops at the first errno other than EINVAL, naming remount-propagation and the target", () => {
  const t = plan({ rootfs: "/a/b", profile: "runc" }, { faults: ["mount#2=EINVAL", "mount#3=EACCES"] });
  assert.is(t.outcome.kind === "failed" && t.outcome.message, "error preparing rootfs: remount-propagation dst=/a, flags=MS_PRIVATE: permission denied");
});

test("runc's walk: EINVAL at / itself is fatal (nothing above it)", () => {
  const t = plan({ rootfs: "/a", profile: "runc" }, { faults: ["mount#2=EINVAL", "mount#3=EINVAL"] });
  assert.is(t.outcome.kind === "failed" && t.outcome.message, "error preparing rootfs: remount-propagation dst=/, flags=MS_PRIVATE: invalid argument");
});

test("hardened auto on a ramfs /: pivot_root EINVAL falls back to move and says why", () => {
  const mi = "1 0 0:1 / / rw - ramfs none rw\n2 1 0:4 / /proc rw - proc proc rw\n";
  const t = plan({ rootfs: "/r" }, { mountinfo: mi, faults: ["pivot_root=EINVAL"] });
  assert.is(t.outcome.kind, "done");
  assert.match(t.outcome.note, /pivot_root failed with EINVAL while \/ is on a ramfs: fell back to move/);
  const after = t.steps.slice(t.steps.findIndex((s) => s.request.op === "pivot_root") + 1).map(straceLine);
  assert.equal(after.slice(0, 6), [
    "close(4) = 0", 'mount("", "/proc", "", MS_REC|MS_SLAVE, NULL) = 0', 'umount2("/proc", MNT_DETACH) = 0',
    'mount("/r", "/", "", MS_MOVE, NULL) = 0', 'chroot(".") = 0', 'chdir("/") = 0',
  ]);
});

test("runc, crun and bwrap do not fall back (runc PR #4434, bwrap #592 still open)", () => {
  const mi = "1 0 0:1 / / rw - ramfs none rw\n";
  for (const profile of ["runc", "crun", "bwrap"] as const) {
    const t = plan({ rootfs: "/r", profile }, { mountinfo: mi, faults: ["pivot_root=EINVAL"] });
    assert.is(t.outcome.kind, "failed");
  }
});

test("bwrap: every step but the final close dies on any errno (die_with_error), named in bwrap's words", () => {
  // Each errno of each of its two pivots' steps fails (the table above); these pin the messages,
  // bubblewrap.c L3055-L3177 and bind-mount.c L553-L578 (die_with_bind_result).
  const msg = (faults: Parameters<typeof plan>[1]) => {
    const t = plan({ rootfs: "/r", profile: "bwrap" }, faults);
    return t.outcome.kind === "failed" ? `${t.outcome.step}: ${t.outcome.message}` : "done";
  };
  assert.is(msg({ faults: ["mkdir=EEXIST"] }), "mkdir_newroot: bwrap: Creating newroot failed: File exists");
  assert.is(msg({ faults: ["mkdir#2=EROFS"] }), "mkdir_oldroot: bwrap: Creating oldroot failed: Read-only file system");
  assert.is(msg({ faults: ["pivot_root=EINVAL"] }), "stage_pivot: bwrap: pivot_root: Invalid argument");
  assert.is(msg({ faults: ["pivot_root#2=EINVAL"] }), "pivot_root: bwrap: pivot_root(/newroot): Invalid argument");
  assert.is(msg({ faults: ["mount#4=ENOENT"] }), "bind_rootfs: bwrap: Can't bind mount /oldroot/r on /newroot/: Unable to mount source on destination: No such file or directory");
  assert.is(msg({ faults: ["mount#5=EPERM"] }), "bind_remount: bwrap: Can't bind mount /oldroot/r on /newroot/: Unable to remount destination \"/newroot\" with correct flags: Operation not permitted");
  assert.is(msg({ faults: ["umount2=EINVAL"] }), "stage_old_detach: bwrap: unmount old root: Invalid argument");
  assert.is(msg({ faults: ["chdir#2=ENOENT"] }), "chdir_stage_root: bwrap: chdir / (base path): No such file or directory");
  assert.is(msg({ faults: ["chdir#4=EACCES"] }), "chdir_root: bwrap: chdir /: Permission denied");
  assert.is(msg({ faults: ["close=EIO"] }), "done", "cleanup_fd ignores close's result");
});

test.run();
