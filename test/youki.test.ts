// youki (main bc78720, from source, no capture; docs/sources.md#youki): what its record does that no
// other profile does: the errno as the whole message, both OwnedFds closed on every exit, the
// parent picked by path components from undecoded mountinfo names, the last of equal ones, the
// r* propagations refused, 8 KiB reads retried on EINTR, chroot(rootfs) with no chdir.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { plan } from "../src/plan.js";
import { straceLine } from "../src/format/strace.js";
import { ConfigSchema, PROPAGATIONS } from "../src/schema.js";
import { rootfsRule } from "../src/rootfs-facts.js";
import { parseConfig, PROFILES, STRATEGIES } from "../src/schema.js";
import { check } from "../src/check.js";
import { CWD_LEFT_OUTSIDE, strategiesOf } from "./helpers.js";

const youki = (extra: Parameters<typeof plan>[0] = {}, opts: Parameters<typeof plan>[1] = {}) =>
  plan({ rootfs: "/r", profile: "youki", strategy: "pivot", ...extra }, opts);
const lines = (t: ReturnType<typeof plan>) => t.steps.map(straceLine);
function failed(t: ReturnType<typeof plan>) {
  const o = t.outcome;
  if (o.kind !== "failed") throw new assert.Assertion({ message: "the run should fail", generated: false, operator: "failed", expects: "failed", actual: o.kind });
  return o;
}
const MI = (...rows: string[]) => rows.map((r) => r + "\n").join("");

test("a failed step's message is nix's Errno Display alone: youki's error value names no step", () => {
  const t = youki({}, { faults: ["pivot_root=EINVAL"] });
  assert.is(failed(t).message, "EINVAL: Invalid argument");
  assert.is(failed(youki({ strategy: "move" }, { faults: ["umount2=EPERM"] })).message, "EPERM: Operation not permitted");
  assert.is(failed(youki({}, { faults: ["mount=EOPNOTSUPP"] })).message, "EOPNOTSUPP: Operation not supported");
});

test("both OwnedFds are closed, newroot first, at the end and on every failure after the opens", () => {
  const end = lines(youki()).slice(-2);
  assert.equal(end, ["close(4) = 0", "close(3) = 0"]);
  for (const fault of ["fchdir=EACCES", "pivot_root=EBUSY", "fchdir#2=EBADF", "mount#4=EINVAL", "umount2=EINVAL", "chdir=ENOENT"] as const) {
    const t = youki({}, { faults: [fault] });
    assert.equal(lines(t).slice(-2), ["close(4) = 0", "close(3) = 0"], fault);
    failed(t);
  }
  // The second open fails: only the first fd is open, and it is closed.
  const t = youki({}, { faults: ["openat#3=ENOENT"] });
  assert.equal(lines(t).slice(-2), ['openat(AT_FDCWD, "/r", O_RDONLY|O_CLOEXEC|O_PATH|O_DIRECTORY) = -1 ENOENT (No such file or directory)', "close(3) = 0"]);
});

test("the parent is a component-wise prefix: a shared /r is not the parent of /rootfs", () => {
  const mi = MI("1 0 8:1 / / rw shared:1 - ext4 /dev/sda1 rw", "2 1 0:2 / /r rw shared:2 - tmpfs t rw");
  const t = plan({ rootfs: "/rootfs", profile: "youki", strategy: "pivot" }, { mountinfo: mi });
  assert.ok(lines(t).includes('mount(NULL, "/", NULL, MS_PRIVATE, NULL) = 0'), lines(t).join("\n"));
  assert.not.ok(lines(t).some((l) => l.includes('"/r", NULL, MS_PRIVATE')));
});

test("of two mounts on the same point the last listed decides (Iterator::max_by)", () => {
  const shared = "2 1 0:2 / /r rw shared:2 - tmpfs t rw";
  const private_ = "3 2 0:3 / /r rw - tmpfs u rw";
  const root = "1 0 8:1 / / rw - ext4 /dev/sda1 rw";
  const privateLast = lines(youki({}, { mountinfo: MI(root, shared, private_) }));
  assert.not.ok(privateLast.some((l) => l.includes("MS_PRIVATE")), "the private one, listed last, is the parent");
  const sharedLast = lines(youki({}, { mountinfo: MI(root, private_, shared) }));
  assert.ok(sharedLast.includes('mount(NULL, "/r", NULL, MS_PRIVATE, NULL) = 0'));
});

test("mount points are compared undecoded (procfs-core): /my\\040dir never matches /my dir/r", () => {
  const mi = MI("1 0 8:1 / / rw shared:1 - ext4 /dev/sda1 rw", "2 1 0:2 / /my\\040dir rw shared:2 - tmpfs t rw");
  const t = plan({ rootfs: "/my dir/r", profile: "youki", strategy: "pivot" }, { mountinfo: mi });
  assert.ok(lines(t).includes('mount(NULL, "/", NULL, MS_PRIVATE, NULL) = 0'), lines(t).join("\n"));
});

test("no parent at all: MountError::Custom's text, with Debug quotes, before the self bind", () => {
  const t = youki({}, { mountinfo: MI("2 1 0:2 / /x rw - tmpfs t rw") });
  assert.is(failed(t).message, `can't find the parent mount of "/r"`);
  assert.not.ok(lines(t).some((l) => l.includes("MS_BIND")));
});

test("EINTR: the 8 KiB read is repeated (std's read_until); the open and the switch calls are not", () => {
  const t = youki({}, { faults: ["read=EINTR"] });
  assert.is(t.outcome.kind, "done");
  assert.equal(lines(t).filter((l) => l.startsWith("read(")).map((l) => l.replace(/, (".*"\.*|\.\.\.), /, ", _, ")), [
    "read(3, _, 8192) = -1 EINTR (Interrupted system call)", "read(3, _, 8192) = 1172", "read(3, _, 8192) = 0",
  ]);
  assert.is(failed(youki({}, { faults: ["openat=EINTR"] })).step, "mountinfo_open");
  assert.is(failed(youki({}, { faults: ["openat#2=EINTR"] })).step, "open_old_root");
});

test("a table larger than the reader's buffer is read in 8192-byte requests to EOF", () => {
  const rows = ["1 0 8:1 / / rw shared:1 - ext4 /dev/sda1 rw"];
  for (let i = 2; rows.join("\n").length < 20000; i++) rows.push(`${i} 1 0:${i} / /m${i} rw - tmpfs t rw`);
  const mi = MI(...rows);
  const reads = youki({}, { mountinfo: mi }).steps.filter((s) => s.request.op === "read");
  assert.ok(reads.length >= 4);
  for (const r of reads) assert.is((r.request as { count: number }).count, 8192);
  assert.is(reads.reduce((n, r) => n + ("ret" in r.result ? r.result.ret : 0), 0), Buffer.byteLength(mi));
});

test("the r* propagations are refused before any call (UnknownRootfsPropagation); the others map", () => {
  for (const p of PROPAGATIONS) {
    const ok = ConfigSchema.safeParse({ rootfs: "/r", profile: "youki", strategy: "pivot", rootPropagation: p }).success;
    assert.is(ok, !p.startsWith("r"), p);
  }
  const first = (p: "shared" | "private" | "slave" | "unbindable") => lines(youki({ rootPropagation: p }))[0];
  assert.is(first("shared"), 'mount(NULL, "/", NULL, MS_REC|MS_SHARED, NULL) = 0');
  assert.is(first("private"), 'mount(NULL, "/", NULL, MS_REC|MS_PRIVATE, NULL) = 0');
  assert.is(first("slave"), 'mount(NULL, "/", NULL, MS_REC|MS_SLAVE, NULL) = 0');
  assert.is(first("unbindable"), 'mount(NULL, "/", NULL, MS_REC|MS_SLAVE, NULL) = 0');
  // After the jail: shared and unbindable again, without MS_REC; slave and private nothing.
  assert.is(lines(youki({ rootPropagation: "unbindable" })).at(-1), 'mount(NULL, "/", NULL, MS_UNBINDABLE, NULL) = 0');
  assert.is(lines(youki({ rootPropagation: "private" })).at(-1), "close(3) = 0");
  assert.is(lines(youki({ rootPropagation: "slave" })).at(-1), "close(3) = 0");
});

test("move: an umount2 EINVAL is covered read-only, any other errno fails; chroot has no chdir", () => {
  const t = youki({ strategy: "move" }, { faults: ["umount2=EINVAL"] });
  assert.ok(lines(t).includes('mount(NULL, "/sys", "tmpfs", MS_RDONLY, "size=0k") = 0'));
  assert.is(t.outcome.kind, "done");
  const c = lines(youki({ strategy: "chroot" }));
  assert.is(c.at(-1), 'chroot("/r") = 0');
  assert.not.ok(c.some((l) => l.startsWith("chdir(")));
});

test("the rootfs is canonicalized: a symlink is followed, a missing rootfs refused before any call", () => {
  const config = parseConfig({ rootfs: "/r", profile: "youki" });
  assert.is(rootfsRule(config, [{ path: "/r", kind: "symlink", target: "/srv/real" }, { path: "/srv", kind: "dir" }, { path: "/srv/real", kind: "dir" }]).rootfs, "/srv/real");
  assert.throws(() => rootfsRule(config, [{ path: "/r", kind: "missing" }]), /canonicalizing \/r fails with ENOENT/);
  assert.is(rootfsRule(parseConfig({ rootfs: "/r", profile: "crun" }), [{ path: "/r", kind: "missing" }]).rootfs, "/r");
});

test("only youki's chroot ends with the cwd outside the new root (the list the native tests skip)", () => {
  const outside = PROFILES.flatMap((profile) => strategiesOf(profile).filter((strategy) => {
    const v = check({ rootfs: "/r", profile, strategy }).verdicts.find((x) => x.id === "root-is-rootfs");
    return v !== undefined && !v.held && /cwd: \(unreachable\)/.test(v.detail);
  }).map((strategy) => `${profile}/${strategy}`));
  assert.equal(outside, [...CWD_LEFT_OUTSIDE]);
});

test.run();
