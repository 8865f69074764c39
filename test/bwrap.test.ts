// bwrap (bubblewrap 0.8.0, docs/sources.md#bwrap) and the request kind it brought, mkdir (ABI 4):
// the fake kernel's mkdir with its errnos, the dry-run host's, the strace parser's and formatter's,
// the wasm's request block, traces with mkdir and the old ones without, and what the bwrap record
// does that no other profile does (two pivots, the bind and its remount, die_with_error's words).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync, readdirSync } from "node:fs";
import { plan } from "../src/plan.js";
import { replay } from "../src/replay.js";
import { straceLine } from "../src/format/strace.js";
import { parseStrace } from "../src/strace/parse.js";
import { toRequests } from "../src/strace/to-requests.js";
import { parseTrace } from "../src/trace-schema.js";
import { TRACE_VERSION } from "../src/trace.js";
import { parseConfig } from "../src/schema.js";
import { rootfsRule } from "../src/rootfs-facts.js";
import { check } from "../src/check.js";
import { DryRunHost } from "../src/hosts/dry-run.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import { Machine } from "../src/machine.js";
import { encode } from "../src/config.js";
import * as abi from "../src/abi.js";
import type { Request } from "../src/request.js";
import { fixture } from "./helpers.js";

const mk = (pathname: string, mode = 0o755): Request => ({ seq: 0, step: "test", reason: "test", op: "mkdir", pathname, mode });
const chdir = (path: string): Request => ({ seq: 0, step: "test", reason: "test", op: "chdir", path });
const bwrap = (extra: Parameters<typeof plan>[0] = {}, opts: Parameters<typeof plan>[1] = {}) =>
  plan({ rootfs: "/r", profile: "bwrap", strategy: "pivot", ...extra }, opts);
const lines = (t: ReturnType<typeof plan>) => t.steps.map(straceLine);

// ---- mkdir on the fake kernel --------------------------------------------------------------------

test("fake kernel mkdir: a new directory, then EEXIST for it, and chdir can enter it", () => {
  const k = FakeKernel.scenario("docker-host");
  assert.equal(k.exec(mk("/tmp/a")), { ret: 0 });
  assert.equal(k.exec(mk("/tmp/a")), { errno: abi.EEXIST });
  assert.equal(k.exec(mk("/tmp/a/")), { errno: abi.EEXIST }, "a trailing slash names the same directory");
  assert.equal(k.exec(chdir("/tmp/a")), { ret: 0 });
  assert.equal(k.exec(mk("b")), { ret: 0 }, "relative to the cwd");
  assert.equal(k.exec(chdir("/tmp/a/b")), { ret: 0 });
  assert.is(k.cwd(), "/tmp/a/b");
});

test("fake kernel mkdir: ENOENT for a missing parent or an empty path, ENOTDIR through a file, EEXIST for / . ..", () => {
  const k = FakeKernel.scenario("docker-host");
  assert.equal(k.exec(mk("/tmp/no/such")), { errno: abi.ENOENT });
  assert.equal(k.exec(mk("")), { errno: abi.ENOENT });
  assert.equal(k.exec(mk("/proc/self/mountinfo/x")), { errno: abi.ENOTDIR });
  for (const p of ["/", "//", "/tmp/.", "/tmp/.."]) assert.equal(k.exec(mk(p)), { errno: abi.EEXIST }, p);
});

test("fake kernel mkdir: EROFS on a read-only mount (after the EEXIST check, as filename_create orders them), ENOENT in procfs", () => {
  const k = FakeKernel.fromMountinfo([
    "1 0 8:1 / / rw,relatime - ext4 /dev/sda1 rw",
    "2 1 8:2 / /ro ro,relatime - ext4 /dev/sda2 rw",
    "3 1 0:4 / /proc rw,nosuid - proc proc rw",
  ].join("\n") + "\n").mkdir("/ro/there");
  assert.equal(k.exec(mk("/ro/new")), { errno: abi.EROFS });
  assert.equal(k.exec(mk("/ro/there")), { errno: abi.EEXIST }, "an existing name is EEXIST even on a read-only mount");
  assert.equal(k.exec(mk("/proc/x")), { errno: abi.ENOENT });
  assert.equal(k.exec(mk("/rw")), { ret: 0 });
});

test("fake kernel mkdir: a clone's directory is its own (copy on write of the shared tree)", () => {
  const k = FakeKernel.scenario("docker-host");
  const c = k.clone();
  assert.equal(c.exec(mk("/tmp/only-in-clone")), { ret: 0 });
  assert.equal(k.exec(chdir("/tmp/only-in-clone")), { errno: abi.ENOENT });
  assert.equal(c.exec(chdir("/tmp/only-in-clone")), { ret: 0 });
});

// ---- mkdir on the dry-run host -------------------------------------------------------------------

test("dry-run mkdir: succeeds, EEXIST only for what it knows exists: / and what it made, until the mount table changes", () => {
  const h = new DryRunHost();
  assert.equal(h.exec(mk("/")), { errno: abi.EEXIST });
  assert.equal(h.exec(mk("/x")), { ret: 0 });
  assert.equal(h.exec(mk("/x/")), { errno: abi.EEXIST });
  assert.equal(h.exec(chdir("/x")), { ret: 0 });
  assert.equal(h.exec(mk("../x")), { errno: abi.EEXIST }, "named through the known cwd");
  assert.equal(h.exec(mk("y")), { ret: 0 });
  assert.equal(h.exec(mk("/x/y")), { errno: abi.EEXIST });
  h.exec({ seq: 0, step: "t", reason: "t", op: "mount", source: "tmpfs", target: "/x", filesystemtype: "tmpfs", mountflags: 0, data: null });
  assert.equal(h.exec(mk("/x/y")), { ret: 0 }, "a mount may hide what it made: no longer known");
  assert.equal(h.exec(mk("z")), { ret: 0 });
  assert.equal(h.exec(mk("z")), { ret: 0 }, "the cwd is unknown after a mount change: nothing relative is known to exist");
});

// ---- strace: format and parse --------------------------------------------------------------------

test("strace text: mkdir prints its mode in octal, and the parser reads it back (the captures' lines)", () => {
  assert.is(straceLine({ request: mk("newroot"), result: { ret: 0 } }), 'mkdir("newroot", 0755) = 0');
  assert.is(straceLine({ request: mk("x", 0o700), result: { errno: abi.EEXIST, errnoName: "EEXIST" } }), 'mkdir("x", 0700) = -1 EEXIST (File exists)');
  const log = '4097  mkdir("newroot", 0755)            = 0\n4097  mkdir("/newroot/dev/pts", 01777) = -1 EEXIST (File exists)\n';
  const t = toRequests(parseStrace(log).calls);
  assert.equal(t.map((x) => [x.request, x.result, x.problems]), [
    [{ seq: 0, step: "none", reason: "strace line 1", op: "mkdir", pathname: "newroot", mode: 0o755 }, { ret: 0 }, []],
    [{ seq: 1, step: "none", reason: "strace line 2", op: "mkdir", pathname: "/newroot/dev/pts", mode: 0o1777 }, { errno: abi.EEXIST }, []],
  ]);
});

test("every mkdir of both real captures parses, with no problem noted", () => {
  for (const name of ["bwrap-default", "bwrap-readonly"]) {
    const calls = parseStrace(readFileSync(fixture(`real/${name}.strace`), "utf8")).calls.filter((c) => c.name === "mkdir");
    const t = toRequests(calls);
    assert.equal(t.map((x) => `${(x.request as { pathname: string }).pathname} ${(x.request as { mode: number }).mode.toString(8)}`),
      ["newroot 755", "oldroot 755", "/newroot/dev/shm 755", "/newroot/dev/pts 755"], name);
    assert.equal(t.flatMap((x) => x.problems), [], name);
  }
});

// ---- the wasm's request block ----------------------------------------------------------------------

test("the machine emits op 12 with the pathname in STR0 and 0755 in REQ_MODE", () => {
  const m = Machine.create();
  m.start(encode(parseConfig({ rootfs: "/r", profile: "bwrap" })));
  const host = new DryRunHost({ rootfs: "/r" });
  for (let n = m.next(); !n.done; n = m.next()) {
    if (n.request.op === "mkdir") {
      const at = m.exports.request_ptr();
      const dv = new DataView(m.exports.memory.buffer);
      assert.is(dv.getInt32(at + abi.REQ_OP, true), abi.Op.mkdir);
      assert.is(dv.getInt32(at + abi.REQ_MODE, true), 0o755);
      assert.is(dv.getInt32(at + abi.REQ_FD, true), -1);
      assert.equal([n.request.pathname, n.request.mode], [n.request.step === "mkdir_newroot" ? "newroot" : "oldroot", 0o755]);
    }
    m.feed(host.exec(n.request));
  }
  assert.is(abi.ABI_VERSION >= 4, true, "mkdir came with ABI 4; lxc (ABI 5) added ops after it and changed none");
});

// ---- traces ---------------------------------------------------------------------------------------

test("a trace with mkdir steps parses back equal and replays; every version-1 trace fixture from before still loads and replays", () => {
  const t = JSON.parse(JSON.stringify(bwrap({ readonly: true })));
  assert.equal(parseTrace(t), t);
  assert.is(replay(t).trace.outcome.kind, "done");
  const dir = fixture("traces/");
  const old = readdirSync(dir).filter((f) => f.endsWith(".json"));
  assert.ok(old.length >= 4);
  for (const f of old) {
    const o = JSON.parse(readFileSync(new URL(f, dir), "utf8"));
    assert.is(o.version, TRACE_VERSION, f);
    assert.is(parseTrace(o).version, 1, f);
    assert.is(replay(o).trace.steps.length, o.steps.length, f);
  }
});

// ---- the bwrap record -------------------------------------------------------------------------------

test("--ro-bind differs from --bind in the remount's MS_RDONLY alone", () => {
  const a = lines(bwrap());
  const b = lines(bwrap({ readonly: true }));
  const diff = a.flatMap((l, i) => (l === b[i] ? [] : [[l, b[i]]]));
  assert.equal(diff, [[
    'mount("none", "/newroot", NULL, MS_NOSUID|MS_NODEV|MS_REMOUNT|MS_BIND|MS_SILENT|MS_RELATIME, NULL) = 0',
    'mount("none", "/newroot", NULL, MS_RDONLY|MS_NOSUID|MS_NODEV|MS_REMOUNT|MS_BIND|MS_SILENT|MS_RELATIME, NULL) = 0',
  ]]);
  assert.is(a.length, b.length);
});

test("the staging-root fd is closed as its scope ends, and on every failure after its open", () => {
  assert.is(lines(bwrap()).at(-1), "close(3) = 0");
  for (const fault of ["chdir#3=ENOENT", "pivot_root#2=EINVAL", "fchdir=EBADF", "umount2#2=EINVAL", "chdir#4=EACCES"] as const) {
    const t = bwrap({}, { faults: [fault] });
    assert.is(t.outcome.kind, "failed", fault);
    assert.is(lines(t).at(-1), "close(3) = 0", fault);
  }
  // Before the open nothing is held: a failure ends with the failed call itself.
  assert.match(lines(bwrap({}, { faults: ["umount2=EINVAL"] })).at(-1)!, /^umount2\("oldroot", MNT_DETACH\) = -1 EINVAL/);
});

test("a configured propagation replaces the fixed MS_SILENT|MS_SLAVE|MS_REC of / (a documented deviation)", () => {
  assert.is(lines(bwrap({ rootPropagation: "rprivate" }))[0], 'mount(NULL, "/", NULL, MS_REC|MS_PRIVATE, NULL) = 0');
  assert.is(lines(bwrap())[0], 'mount(NULL, "/", NULL, MS_REC|MS_SILENT|MS_SLAVE, NULL) = 0');
});

test("a rootfs through a symlink is bound under its real path; a missing one is refused as bwrap refuses its bind source", () => {
  const config = parseConfig({ rootfs: "/r", profile: "bwrap" });
  assert.is(rootfsRule(config, [{ path: "/r", kind: "symlink", target: "/srv/real" }, { path: "/srv", kind: "dir" }, { path: "/srv/real", kind: "dir" }]).rootfs, "/srv/real");
  assert.throws(() => rootfsRule(config, [{ path: "/r", kind: "missing" }]), /bwrap refuses the rootfs: "Can't find source path \/r: No such file or directory"/);
});

test("on the fake kernel: done with every invariant held; on initramfs the first pivot fails (no fallback, #592); on stacked-root /oldroot + rootfs is not there", () => {
  const ok = check({ rootfs: "/r", profile: "bwrap" }, { scenario: "docker-host" });
  assert.is(ok.trace.outcome.kind, "done");
  assert.equal(ok.verdicts.filter((v) => !v.held), []);
  const ramfs = check({ rootfs: "/r", profile: "bwrap" }, { scenario: "initramfs" }).trace.outcome;
  assert.is(ramfs.kind === "failed" && `${ramfs.step} ${ramfs.message}`, "stage_pivot bwrap: pivot_root: Invalid argument");
  const stacked = check({ rootfs: "/r", profile: "bwrap" }, { scenario: "stacked-root" }).trace.outcome;
  assert.is(stacked.kind === "failed" && `${stacked.step} ${stacked.errnoName}`, "bind_rootfs ENOENT");
});

test.run();
