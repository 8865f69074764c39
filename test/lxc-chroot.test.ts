// lxc_chroot (LXC 5.0.2 conf.c L1465-L1553), the lxc profile's strategy move and auto's path on the
// initial ramfs: the passes over ./proc/self/mountinfo as stdio reads it (each read's lines unmounted
// before the next read), the mount points as printed, the loop's end and bound, the errors LXC
// ignores and the messages of the ones it does not. Linux itself: native-lxc-chroot.test.ts.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { plan } from "../src/plan.js";
import { check } from "../src/check.js";
import { Machine } from "../src/machine.js";
import { straceLine } from "../src/format/strace.js";
import { DryRunHost } from "../src/hosts/dry-run.js";
import * as abi from "../src/abi.js";
import { expectPlan } from "./helpers.js";

const move = (mountinfo: string, faults: string[] = []) =>
  plan({ rootfs: "/r", profile: "lxc", strategy: "move" }, { mountinfo, faults: faults as never });
const line = (id: number, mp: string, fs = "tmpfs") => `${id} 1 0:${id} / ${mp} rw - ${fs} ${fs} rw\n`;
/** The requests from the first pass's open to the end, as strace lines without results' data. */
const passes = (t: ReturnType<typeof plan>) => {
  const at = t.steps.findIndex((s) => s.request.step === "pass_open");
  return t.steps.slice(at).map((s) => (s.request.op === "read" ? `read = ${"ret" in s.result ? s.result.ret : "err"}` : straceLine(s)));
};

test("a pass: \"./\" + each mount point as printed, \"/\" and \"/proc\" skipped; the next pass unmounts nothing and ends the loop", () => {
  const mi = line(1, "/", "rootfs") + line(2, "/proc", "proc") + line(3, "/proc/sys") + line(4, "/a\\040b") + line(5, "/");
  assert.equal(passes(move(mi)), [
    'openat(AT_FDCWD, "./proc/self/mountinfo", O_RDONLY|O_CLOEXEC) = 5', `read = ${mi.length}`,
    'umount2("./proc/sys", MNT_DETACH) = 0', 'umount2("./a\\\\040b", MNT_DETACH) = 0', "read = 0", "close(5) = 0",
    'openat(AT_FDCWD, "./proc/self/mountinfo", O_RDONLY|O_CLOEXEC) = 5', `read = ${mi.length}`,
    'umount2("./proc/sys", MNT_DETACH) = -1 EINVAL (Invalid argument)', 'umount2("./a\\\\040b", MNT_DETACH) = -1 EINVAL (Invalid argument)',
    "read = 0", "close(5) = 0",
    'umount2("./proc", MNT_DETACH) = 0', 'chdir("..") = 0', 'chroot(".") = 0', "close(3) = 0", "close(4) = 0",
  ]);
});

test("stdio's reads: a read's whole lines are unmounted before the next read (4096 bytes each); the last line without its newline at EOF", () => {
  const many = Array.from({ length: 200 }, (_, i) => line(10 + i, `/m${i}`)).join("");
  const mi = line(1, "/", "rootfs") + many + "999 1 0:9 / /last rw - tmpfs tmpfs rw";
  const p = passes(move(mi));
  // The dry-run host cuts at the byte (the fake kernel at a record: native-lxc-chroot.test.ts).
  assert.is(p[1], "read = 4096");
  const second = p.indexOf("read = " + (mi.length - 4096));
  const cut = (mi.slice(0, 4096).match(/\n/g) ?? []).length - 1; // whole lines in the first read, but "/"
  assert.is(second, 2 + cut, "the first read's whole lines are unmounted, then the second read");
  assert.ok(p.slice(2, second).every((l) => l.startsWith("umount2(")));
  assert.is(p[second + 1], `umount2("./m${cut}", MNT_DETACH) = 0`, "the line the first read cut off, whole after the second");
  const eof = p.indexOf("read = 0");
  assert.equal(p.slice(eof - 1, eof + 3), ['umount2("./m199", MNT_DETACH) = 0', "read = 0", 'umount2("./last", MNT_DETACH) = 0', "close(5) = 0"],
    "the last line without its newline: getline returns it after the read that says EOF");
});

test("a pass over lines longer than a read: every mount point unmounted once, in order (the grown buffer keeps each read's bytes)", () => {
  // machine.ts moves S.info to the doubled block when the buffer grows (asm mutant machine:319:0:
  // that move deleted). A line longer than a read makes a pass's buffer grow, and a buffer left
  // behind is then written past its end, over the lines the pass allocated since.
  // Long mount points (3000 bytes): a line spans reads, so the buffer must grow to hold it.
  const n = 40;
  const long = (i: number) => `/m${i}` + "/x".repeat(1500);
  const mi = line(1, "/", "rootfs") + Array.from({ length: n }, (_, i) => line(10 + i, long(i))).join("");
  const p = passes(move(mi));
  const first = p.slice(0, p.indexOf("close(5) = 0"));
  const targets = first.filter((l) => l.startsWith("umount2(")).map((l) => /"\.\/([^"]*)"/.exec(l)![1]);
  assert.equal(targets, Array.from({ length: n }, (_, i) => long(i).slice(1)));
  assert.ok(first.every((l) => !l.includes("= -1")), "every unmount of the first pass succeeds");
});

test("LXC's field split: a line without a space after its 5th field is skipped; a leading space is not counted (strchr from the 2nd byte)", () => {
  // The prepare's parser refuses such lines: its open fails (logged, LXC goes on) so only the passes read them.
  const mi = line(1, "/", "rootfs") + "2 1 0:2 / /short\n" + " 3 1 0:3 /x /y rw - tmpfs t rw\n" + "4 1 0:4 / /z rw - tmpfs t rw\n";
  assert.equal(passes(move(mi, ["openat2#2=EACCES"])).filter((l) => l.startsWith("umount2(")).slice(0, 2),
    ['umount2("./y", MNT_DETACH) = 0', 'umount2("./z", MNT_DETACH) = 0']);
});

test("errors LXC ignores: a failed umount2 is no progress and the pass goes on; a failed read ends the file (getline's -1)", () => {
  const mi = line(1, "/", "rootfs") + line(2, "/a") + line(3, "/b");
  const t = move(mi, ["umount2=EBUSY"]);
  assert.is(t.outcome.kind, "done");
  assert.equal(passes(t).slice(2, 4), ['umount2("./a", MNT_DETACH) = -1 EBUSY (Device or resource busy)', 'umount2("./b", MNT_DETACH) = 0']);
  const r = move(mi, ["read#3=EIO"]);
  assert.is(r.outcome.kind, "done");
  assert.equal(passes(r).slice(0, 3), ['openat(AT_FDCWD, "./proc/self/mountinfo", O_RDONLY|O_CLOEXEC) = 5', "read = err", "close(5) = 0"],
    "nothing read: nothing unmounted, and the loop ends");
  const proc = move(mi, ["umount2#5=EINVAL"]);
  assert.ok(passes(proc).includes('umount2("./proc", MNT_DETACH) = -1 EINVAL (Invalid argument)'), "umount2(\"./proc\") is (void)");
  assert.is(proc.outcome.kind, "done");
});

test("a read error ends the file as EOF does: getline returns the line it had begun (glibc getdelim), so that partial line is unmounted", () => {
  // Pad the first line until the 4096-byte cut falls after a line's mount point field.
  for (let pad = 0; pad < 64; pad++) {
    const mi = `1 1 0:1 / / rw - rootfs rootfs rw${",x".repeat(pad)}\n` + Array.from({ length: 200 }, (_, i) => line(10 + i, `/m${i}`)).join("");
    const partial = mi.slice(mi.lastIndexOf("\n", 4095) + 1, 4096);
    if (partial.split(" ").length < 7) continue;
    const t = move(mi, ["openat2#2=EACCES", "read#2=EIO"]); // no dependent pass: the pass's second read fails
    const p = passes(t);
    const err = p.indexOf("read = err");
    assert.equal(p.slice(err, err + 3), ["read = err", `umount2("./${partial.split(" ")[4]!.slice(1)}", MNT_DETACH) = 0`, "close(5) = 0"]);
    assert.is(t.outcome.kind, "done");
    return;
  }
  assert.unreachable("no padding puts the cut after a mount point");
});

test("LXC's messages on lxc_chroot's failures, and the fds closed after them", () => {
  const msg = (f: string) => { const t = move(line(1, "/"), [f]); return t.outcome.kind === "failed" ? t.outcome.message : t.outcome.kind; };
  assert.is(msg("chdir=EACCES"), "lxc_setup: Failed to pivot root into rootfs", "chdir(\"/\") fails silently; its caller logs no errno");
  assert.is(msg("mount#1=EPERM"), 'lxc_chroot: Failed to mount "/usr/lib/x86_64-linux-gnu/lxc/rootfs" onto "/" as MS_REC | MS_BIND - Operation not permitted');
  assert.is(msg("mount#2=EINVAL"), 'lxc_chroot: Failed to remount "/" - Invalid argument');
  assert.is(msg("openat=ENOENT"), 'lxc_chroot: Failed to open "/proc/self/mountinfo" - No such file or directory');
  assert.is(msg("chdir#2=EACCES"), 'lxc_chroot: Failed to chdir("..") - Permission denied');
  assert.is(msg("chroot=EPERM"), 'lxc_chroot: Failed to chroot(".") - Operation not permitted');
  const t = move(line(1, "/"), ["chroot=EPERM"]);
  assert.equal(t.steps.slice(-2).map(straceLine), ["close(4) = 0", "close(3) = 0"], "dfd_mnt, then dfd_host");
});

test("the loop's bound: a host that says 0 to every umount2 ends FAILED at MAX_REQUESTS, its three fds closed", () => {
  // By hand: src/driver.ts stops at MAX_REQUESTS + 1 before the machine's closes (mutation-kills-asm.test.ts).
  const dry = new DryRunHost({ rootfs: "/r", mountinfo: line(1, "/", "rootfs") + line(2, "/a") });
  const m = Machine.create();
  m.start({ rootfs: "/r", profile: abi.Profile.lxc, strategy: abi.Strategy.move, rootPropagation: 0, options: 0 });
  const seen: string[] = [];
  let n = m.next();
  for (let i = 0; !n.done && i < abi.MAX_REQUESTS + 16; i++) {
    seen.push(n.request.op);
    m.feed(n.request.op === "umount2" ? { ret: 0 } : dry.exec(n.request));
    n = m.next();
  }
  assert.ok(n.done && n.outcome.kind === "failed" && n.outcome.message === `the run exceeded ${abi.MAX_REQUESTS} requests`);
  assert.is(seen.length, abi.MAX_REQUESTS + 3);
  assert.equal(seen.slice(-3), ["close", "close", "close"], "then the pass's mountinfo, dfd_mnt and dfd_host");
});

test("auto on the initial ramfs (fake kernel): lxc_chroot; the old tree's mounts detached, the rootfs is / and cwd", () => {
  const c = check({ rootfs: "/r", profile: "lxc", strategy: "auto" }, { scenario: "initramfs" });
  assert.is(c.trace.outcome.kind, "done");
  assert.equal(c.trace.steps.filter((s) => s.request.op === "umount2").map(straceLine), [
    'umount2("./sys", MNT_DETACH) = 0', 'umount2("./dev", MNT_DETACH) = 0',
    'umount2("./usr/lib/x86_64-linux-gnu/lxc/rootfs", MNT_DETACH) = 0', 'umount2("./proc", MNT_DETACH) = 0',
  ]);
  assert.equal(c.verdicts.filter((v) => !v.held), [], "the invariants hold: host unchanged, root is the rootfs, old root unreachable");
});

test("goldens: lxc move on the dry-run host (plan-golden.test.ts has it too) and auto on the initramfs scenario (fake kernel)", () => {
  expectPlan(check({ rootfs: "/r", profile: "lxc", strategy: "auto" }, { scenario: "initramfs" }).trace, "plans/lxc-auto-initramfs.strace");
  expectPlan(plan({ rootfs: "/r", profile: "lxc", strategy: "move" }), "plans/lxc-move.strace");
});

test.run();
