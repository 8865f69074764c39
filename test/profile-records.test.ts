// Tests written for survivors of the profile records (assembly/profiles.ts), `npm run mutate -- asm`:
// each pins one record column of one profile where no golden did, with the runtime's source.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { check } from "../src/check.js";
import { plan } from "../src/plan.js";
import { straceLine } from "../src/format/strace.js";

const opsOf = (t: ReturnType<typeof check>["trace"]) => t.steps.map((s) => `${s.request.op}${"errno" in s.result && s.result.errno ? ` ${s.result.errno}` : ""}`);

test("RAMFS_FALLBACK: only hardened falls back to MS_MOVE when pivot_root refuses a ramfs root; runc-1.1 (which has read mountinfo) fails", () => {
  // runc has no automatic fallback: --no-pivot is the operator's choice (rootswitch §2; runc PR
  // #1962). runc 1.1 reads mountinfo before the switch, so it knows / is the initial ramfs, and still
  // calls pivot_root, which the kernel refuses with EINVAL (pivot_root(2): the root is not a mount).
  const r11 = check({ rootfs: "/var/lib/pivotshim/rootfs", profile: "runc-1.1", strategy: "auto" }, { scenario: "initramfs" });
  assert.is(r11.trace.outcome.kind, "failed");
  assert.equal(opsOf(r11.trace).filter((o) => o.startsWith("pivot_root") || o.startsWith("mount")).slice(-1), ["pivot_root 22"]);
  assert.not.ok(r11.trace.steps.some((s) => s.request.op === "chroot"), "no MS_MOVE+chroot after it");
  const hard = check({ rootfs: "/var/lib/pivotshim/rootfs", profile: "hardened", strategy: "auto" }, { scenario: "initramfs" });
  assert.is(hard.trace.outcome.kind, "done");
});



test("BARE: with the prepare phase off, hardened and runc still open the rootfs and fchdir into it; runc-1.1 chdirs; crun does neither", () => {
  // runc's prepareRoot is what OPT_NO_PREPARE turns off; the root handle (hardened, runc main) or
  // chdir(rootfs) (runc 1.1.5's pivotRoot starts in the rootfs) stays (docs/sources.md#runc-main,
  // #runc-1-1). crun 1.8.1 opens its handles in do_pivot itself.
  const first = (profile: "hardened" | "runc" | "runc-1.1" | "crun") => {
    const t = check({ rootfs: "/var/lib/pivotshim/rootfs", profile, strategy: "pivot", prepare: false }, {}).trace;
    const r = t.steps.slice(0, 2).map((s) => s.request);
    return r.map((q) => (q.op === "openat" ? `openat ${q.pathname}` : q.op === "chdir" ? `chdir ${q.path}` : q.op));
  };
  assert.equal(first("hardened"), ["openat /var/lib/pivotshim/rootfs", "fchdir"]);
  assert.equal(first("runc"), ["openat /var/lib/pivotshim/rootfs", "fchdir"]);
  assert.equal(first("runc-1.1"), ["chdir /var/lib/pivotshim/rootfs", "openat /"]);
  assert.equal(first("crun"), ["openat /", "openat /var/lib/pivotshim/rootfs"]);
});
test("CHDIR_AFTER_POST: runc re-applies a shared root propagation and stops there; crun chdirs to / after it", () => {
  // runc main's prepareRootfs ends with the RootPropagation mount when it is neither private nor
  // slave (§2.1 step 8), with no chdir after it; crun's libcrun_do_pivot_root always re-applies the
  // spec propagation, then chdir("/") (crun 1.8.1 linux.c L2676).
  const tail = (profile: "hardened" | "runc" | "crun") => check({ rootfs: "/var/lib/pivotshim/rootfs", profile, strategy: "pivot", rootPropagation: "rshared" }, {})
    .trace.steps.slice(-2).map((s) => `${s.request.op} ${"target" in s.request ? s.request.target : "path" in s.request ? s.request.path : ""}`.trim());
  assert.equal(tail("runc"), ["close", "mount /"]);
  assert.equal(tail("hardened"), ["mount /", "getcwd"]); // then its CVE-2024-21626 check, no chdir
  assert.equal(tail("crun"), ["mount /", "chdir /"]);
});

test("REASONS: runc main gives the default reasons; hardened its own for the old-root handle and the detach loop", () => {
  // The record's reasons list overrides the defaults (assembly/reasons.ts) step by step.
  const reasonOf = (profile: "runc" | "hardened", op: string, at = 0) => check({ rootfs: "/var/lib/pivotshim/rootfs", profile, strategy: "pivot" }, {})
    .trace.steps.filter((s) => s.request.op === op)[at]!.request.reason;
  assert.is.not(reasonOf("runc", "umount2"), reasonOf("hardened", "umount2"));
  assert.match(reasonOf("hardened", "umount2"), /until/i);
  assert.not.match(reasonOf("runc", "umount2"), /until/i);
});

test("MESSAGES: hardened words every failure as runc main does (Go's mountError and PathError), not as runc 1.1", () => {
  // hardened is runc main with the changes docs/profiles.md lists; none of them is a message.
  const message = (profile: "hardened" | "runc", fault: `${string}=E${string}`) => {
    const o = check({ rootfs: "/var/lib/pivotshim/rootfs", profile, strategy: "pivot" }, { faults: [fault as never] }).trace.outcome;
    return o.kind === "failed" ? o.message : "done";
  };
  for (const f of ["mount=EPERM", "mount#2=EINVAL", "fchdir#2=EACCES", "pivot_root=EINVAL", "umount2=EBUSY", "openat#2=EMFILE"] as const) {
    assert.is(message("hardened", f), message("runc", f), f);
  }
  assert.is(message("hardened", "mount=EPERM"), "error preparing rootfs: mount dst=/, flags=MS_REC|MS_SLAVE: operation not permitted");
});

test("BARE: with the prepare phase off, bwrap starts at its staging tmpfs; lxc still opens dfd_host and dfd_mnt", () => {
  // bwrap's prepare is its one rslave of "/" (bubblewrap.c L3055-L3087, docs/sources.md#bwrap):
  // without it the switch starts at the staging tmpfs on /tmp; no mountinfo read comes first.
  // LXC opens dfd_host in lxc_setup_rootfs_prepare_root and dfd_mnt in lxc_mount_rootfs whatever it
  // prepares (conf.c, docs/sources.md#lxc): lxc_pivot_root fchdirs to dfd_mnt and closes dfd_host.
  const first = (profile: "bwrap" | "lxc") => plan({ rootfs: "/srv/rootfs", profile, strategy: "pivot", prepare: false })
    .steps.slice(0, 2).map((s) => `${s.request.step} ${straceLine(s)}`);
  assert.equal(first("bwrap"), ['stage_tmpfs mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID|MS_NODEV, NULL) = 0', 'chdir_stage chdir("/tmp") = 0']);
  assert.equal(first("lxc"), [
    'open_host openat2(-9, "/", {flags=O_RDONLY|O_NOFOLLOW|O_CLOEXEC|O_PATH|O_DIRECTORY, resolve=RESOLVE_NO_XDEV|RESOLVE_NO_MAGICLINKS|RESOLVE_NO_SYMLINKS}, 24) = 3',
    'open_mnt openat2(-9, "/usr/lib/x86_64-linux-gnu/lxc/rootfs", {flags=O_RDONLY|O_NOFOLLOW|O_CLOEXEC|O_PATH|O_DIRECTORY, resolve=RESOLVE_NO_MAGICLINKS|RESOLVE_NO_SYMLINKS}, 24) = 4',
  ]);
});

test("POST: bwrap never re-applies a propagation after its pivot, even a configured rshared", () => {
  // bwrap has no propagation option and no second propagation call: after pivot_root(".", ".") it
  // only detaches the old root, chdirs to "/" and closes the staging root's handle as its scope
  // ends (bubblewrap.c L3055-L3176, docs/sources.md#bwrap). runc main would end with
  // mount("", "/", "", MS_REC|MS_SHARED) here (§2.1 step 8).
  const t = plan({ rootfs: "/srv/rootfs", profile: "bwrap", strategy: "pivot", rootPropagation: "rshared" });
  assert.is(t.outcome.kind, "done");
  assert.equal(t.steps.slice(-2).map((s) => `${s.request.step} ${straceLine(s)}`), ['chdir_root chdir("/") = 0', "close_old_root close(3) = 0"]);
  assert.not.ok(t.steps.some((s) => s.request.step === "post_propagation"));
});

test("PARSE_AT_EOF: runc, runc-1.1 and youki judge mountinfo after its close; a malformed table fails at the close", () => {
  // The text is the machine's own; the column decides when it is judged. moby/sys/mountinfo's
  // error reaches runc after its `defer f.Close()` (docs/sources.md#runc-main, #runc-1-1), and
  // youki's reader is dropped (closed) as ProcMountInfoProvider returns (docs/sources.md#youki):
  // the failure is the close step's. Only LXC parses at EOF, its fd still open (__do_close).
  const BAD = "1 0 8-1 / / rw - ext4 /dev/sda rw\n";
  for (const [profile, strategy, seq] of [["runc", "move", 8], ["runc-1.1", "pivot", 4], ["youki", "pivot", 4]] as const) {
    const t = plan({ rootfs: "/srv/rootfs", profile, strategy }, { mountinfo: BAD });
    assert.is(t.outcome.kind === "failed" && `${t.outcome.step} ${t.outcome.seq} ${t.outcome.message}`,
      `mountinfo_close ${seq} malformed mountinfo, line 1: field 3 must be major:minor`, profile);
    assert.equal(t.steps.slice(seq - 2, seq + 1).map((s) => s.request.step), ["mountinfo_read", "mountinfo_read", "mountinfo_close"], profile);
  }
});

test("RAMFS_FALLBACK: lxc has no MS_MOVE fallback; an unreadable detection on the initial ramfs leaves pivot_root's EINVAL fatal", () => {
  // LXC's prepare has read mountinfo (turn_into_dependent_mounts), so the machine knows / is the
  // initial ramfs; detect_ramfs_rootfs's own fopen failing answers "no" (utils.c L707-L740), so
  // LXC calls lxc_pivot_root, which the kernel refuses, and LXC stops there: only the detection
  // picks lxc_chroot, no error path does (conf.c, docs/sources.md#lxc).
  const t = check({ rootfs: "/var/lib/pivotshim/rootfs", profile: "lxc", strategy: "auto" }, { scenario: "initramfs", faults: ["openat=EACCES"] }).trace;
  assert.is(t.outcome.kind === "failed" && `${t.outcome.step} ${t.outcome.message}`,
    'pivot_root lxc_pivot_root: Failed to pivot into new root directory "/usr/lib/x86_64-linux-gnu/lxc/rootfs" - Invalid argument');
  const at = t.steps.findIndex((s) => s.request.op === "pivot_root");
  assert.equal(t.steps.slice(at + 1).filter((s) => s.request.op !== "close").map((s) => straceLine(s)), [], "only the closes after it: no MS_MOVE, no chroot");
});

test("PARSE_AT_EOF: hardened, like runc main, judges mountinfo after its close; a malformed table fails at the close", () => {
  // hardened reads mountinfo first under auto and move (docs/profiles.md#hardened) with runc main's
  // reader: moby/sys/mountinfo's parse error reaches it after `defer f.Close()` (docs/sources.md#runc-main).
  const BAD = "1 0 8-1 / / rw - ext4 /dev/sda rw\n";
  for (const strategy of ["auto", "move"] as const) {
    const t = plan({ rootfs: "/srv/rootfs", profile: "hardened", strategy }, { mountinfo: BAD });
    assert.is(t.outcome.kind === "failed" && `${t.outcome.step} ${t.outcome.seq} ${t.outcome.message}`,
      "mountinfo_close 3 malformed mountinfo, line 1: field 3 must be major:minor", strategy);
    assert.equal(t.steps.map((s) => `${s.request.step} ${straceLine(s)}`), [
      'mountinfo_open openat(AT_FDCWD, "/proc/thread-self/mountinfo", O_RDONLY|O_CLOEXEC) = 3',
      'mountinfo_read read(3, "1 0 8-1 / / rw - ext4 /dev/sda r"..., 4096) = 34',
      'mountinfo_read read(3, "", 4062) = 0',
      "mountinfo_close close(3) = 0",
    ], strategy);
  }
});

test("RAMFS_FALLBACK: youki has read mountinfo in its prepare and still has no MS_MOVE fallback; pivot_root's EINVAL on the initial ramfs is fatal", () => {
  // youki's pivot_rootfs returns pivot_root's error as it is (syscall/linux.rs L380-L459); MS_MOVE
  // is only its move_root, taken when the spec asks for no pivot (process/init/process.rs L719-L764,
  // docs/sources.md#youki; docs/profiles.md#youki: "youki has no fallback"). Its prepare reads
  // /proc/self/mountinfo for the parent (rootfs.rs L51-L79), so the machine knows "/" is the ramfs.
  const t = check({ rootfs: "/var/lib/pivotshim/rootfs", profile: "youki", strategy: "auto" }, { scenario: "initramfs" }).trace;
  assert.is(t.outcome.kind === "failed" && `${t.outcome.step} ${t.outcome.seq} ${t.outcome.message}`, "pivot_root 9 EINVAL: Invalid argument");
  assert.ok(t.steps.some((s) => s.request.step === "mountinfo_read"), "the prepare read mountinfo");
  const at = t.steps.findIndex((s) => s.request.op === "pivot_root");
  assert.equal(t.steps.slice(at + 1).map((s) => `${s.request.step} ${straceLine(s)}`),
    ["close_new_root close(4) = 0", "close_old_root close(3) = 0"], "only the OwnedFds dropped: no MS_MOVE, no chroot");
});

test("BARE: with the prepare phase off, youki goes straight to pivot_rootfs; crun 1.29 still opens libcrun_set_mounts's root handle", () => {
  // youki's prepare is rootfs.rs's mount_to_rootfs and parent handling (L51-L79): without it nothing
  // reads mountinfo, and pivot_rootfs opens both roots (syscall/linux.rs L380-L459, docs/sources.md#youki).
  // crun main's libcrun_set_mounts opens the rootfs handle whatever setup_mount_namespace did
  // (linux.c L3353, docs/sources.md#crun-1-29), closed before libcrun_finalize_mounts's do_pivot.
  const first = (profile: "youki" | "crun-1.29") => plan({ rootfs: "/srv/rootfs", profile, strategy: "pivot", prepare: false })
    .steps.slice(0, 3).map((s) => `${s.request.step} ${straceLine(s)}`);
  assert.equal(first("youki"), [
    'open_old_root openat(AT_FDCWD, "/", O_RDONLY|O_CLOEXEC|O_PATH|O_DIRECTORY) = 3',
    'open_new_root openat(AT_FDCWD, "/srv/rootfs", O_RDONLY|O_CLOEXEC|O_PATH|O_DIRECTORY) = 4',
    "fchdir_new_root fchdir(4) = 0",
  ]);
  assert.equal(first("crun-1.29"), [
    'open_root openat(AT_FDCWD, "/srv/rootfs", O_RDONLY|O_CLOEXEC|O_PATH) = 3',
    "close_root close(3) = 0",
    'open_old_root openat(AT_FDCWD, "/", O_RDONLY|O_CLOEXEC|O_PATH|O_DIRECTORY) = 3',
  ]);
});

test.run();
