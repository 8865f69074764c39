// Tests written for survivors of `npm run mutate -- asm` (docs/mutation.md): the machine's own
// config check (assembly/config.ts), driven through the wasm directly. zod (src/schema.ts) refuses
// most of these first, so without this file a broken check in the machine went unseen (issue 11).
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import { Machine, type Encoded } from "../src/machine.js";
import { drive } from "../src/driver.js";
import { DryRunHost } from "../src/hosts/dry-run.js";
import type { Host } from "../src/hosts/host.js";
import type { Request, Result } from "../src/request.js";
import { dockerHostMountinfo } from "../src/hosts/mountinfo-default.js";
import { plan } from "../src/plan.js";
import { mountinfoError } from "../src/mountinfo-check.js";
import { encode } from "../src/config.js";
import { parseConfig } from "../src/schema.js";

const base: Encoded = { rootfs: "/srv/rootfs", profile: abi.Profile.runc, strategy: abi.Strategy.pivot, rootPropagation: 0, options: 0 };

/** The machine's verdict on a config: "ok" (it emits a first request) or its invalid-config message. */
function verdict(over: Partial<Encoded>): string {
  const m = Machine.create();
  m.start({ ...base, ...over });
  const n = m.next();
  if (!n.done) return "ok";
  assert.is(n.outcome.kind, "failed");
  return n.outcome.kind === "failed" ? n.outcome.message : "";
}

const DOTS = "invalid config: rootfs must not contain . or .. components";

test("rootfs components that start with dots but are not . or .. are accepted", () => {
  for (const rootfs of ["/srv/.rootfs", "/.x/y", "/srv/..x", "/srv/..x/y", "/srv/a.", "/srv/a..", "/srv/.../y", "/a/.b.c"])
    assert.is(verdict({ rootfs }), "ok", rootfs);
});

test(". and .. components are refused wherever they are", () => {
  for (const rootfs of ["/srv/.", "/srv/..", "/./srv", "/../srv", "/srv/./y", "/srv/../y", "/a/b/.."])
    assert.is(verdict({ rootfs }), DOTS, rootfs);
});

test("a double slash is refused, at the end of the path too", () => {
  assert.match(verdict({ rootfs: "/srv//y" }), /^invalid config: /);
  assert.match(verdict({ rootfs: "//srv" }), /^invalid config: /);
  assert.is(verdict({ rootfs: "/s/y" }), "ok");
});

test("profile and strategy: every member is accepted, one past either end is refused", () => {
  for (const profile of [abi.Profile.hardened, abi.Profile.runc, abi.Profile.runc_1_1, abi.Profile.crun, abi.Profile.youki, abi.Profile.bwrap, abi.Profile.lxc, abi.Profile.crun_1_29])
    assert.is(verdict({ profile }), "ok", `profile ${profile}`);
  for (const profile of [abi.Profile.hardened - 1, abi.Profile.crun_1_29 + 1])
    assert.match(verdict({ profile }), /^invalid config: .*profile/, `profile ${profile}`);
  for (const strategy of [abi.Strategy.auto, abi.Strategy.pivot, abi.Strategy.move, abi.Strategy.chroot])
    assert.is(verdict({ strategy, profile: abi.Profile.hardened }), "ok", `strategy ${strategy}`);
  for (const strategy of [abi.Strategy.auto - 1, abi.Strategy.chroot + 1])
    assert.match(verdict({ strategy }), /^invalid config: .*strategy/, `strategy ${strategy}`);
});

test("root propagation: each kind alone (with or without MS_REC) is accepted, anything else refused", () => {
  for (const kind of [abi.MS_SHARED, abi.MS_PRIVATE, abi.MS_SLAVE, abi.MS_UNBINDABLE])
    for (const rec of [0, abi.MS_REC]) assert.is(verdict({ rootPropagation: kind | rec, profile: abi.Profile.hardened }), "ok", `${kind | rec}`);
  for (const bad of [abi.MS_REC, abi.MS_BIND, abi.MS_PRIVATE | abi.MS_SLAVE, abi.MS_PRIVATE | abi.MS_RDONLY, abi.MS_SHARED | abi.MS_MOVE])
    assert.match(verdict({ rootPropagation: bad }), /^invalid config: /, `${bad}`);
});

test("the machine refuses the rule table's configs itself (rprivate + move for runc-like, chroot + any propagation)", () => {
  assert.match(verdict({ strategy: abi.Strategy.move, rootPropagation: abi.MS_PRIVATE | abi.MS_REC }), /^invalid config: /);
  assert.is(verdict({ strategy: abi.Strategy.move, rootPropagation: abi.MS_SLAVE | abi.MS_REC }), "ok");
  assert.match(verdict({ strategy: abi.Strategy.chroot, rootPropagation: abi.MS_SLAVE }), /^invalid config: /);
  assert.is(verdict({ strategy: abi.Strategy.chroot }), "ok");
});

/** The dry-run host, except where `answer` says otherwise (undefined: the dry run's own result). */
class Steered implements Host {
  readonly kind = "dry-run" as const;
  readonly seen: Request[] = [];
  readonly #inner = new DryRunHost({ rootfs: "/r" });
  constructor(private readonly answer: (r: Request) => Result | undefined) {}
  exec(r: Request): Result { this.seen.push(r); return this.answer(r) ?? this.#inner.exec(r); }
}

test("fd 0 is a valid fd: runc 1.1 fchdirs into a new root opened as fd 0 and names it in its error", () => {
  // stdin closed: openat returns 0. The machine must use it (not fall back to another handle),
  // and print it as 0 in runc 1.1's "fchdir fd 0" message.
  const host = new Steered((r) =>
    r.step === "open_new_root" ? { ret: 0 } : r.step === "fchdir_new_root" ? { errno: abi.EACCES } : undefined);
  const t = drive({ rootfs: "/r", profile: "runc-1.1", strategy: "pivot" }, host);
  const fchdir = host.seen.find((r) => r.step === "fchdir_new_root");
  assert.ok(fchdir && fchdir.op === "fchdir" && fchdir.fd === 0, JSON.stringify(fchdir));
  assert.is(t.outcome.kind, "failed");
  if (t.outcome.kind === "failed") assert.match(t.outcome.message, /fchdir fd 0: /);
});

test("a host that feeds mountinfo one byte at a time ends FAILED at MAX_REQUESTS, with the bound named", () => {
  // Driven by hand: src/driver.ts stops at MAX_REQUESTS + 1 itself, before the machine's unwind
  // closes (noticed here, left to the driver's owner), so only the machine's own bound is tested.
  const m = Machine.create();
  m.start({ ...base, strategy: abi.Strategy.move });
  const dry = new DryRunHost({ rootfs: base.rootfs });
  let n = m.next(), count = 0, reads = 0;
  for (; !n.done && count < abi.MAX_REQUESTS + 16; count++) {
    const r = n.request;
    if (r.op === "read") reads++;
    m.feed(r.op === "read" ? { ret: 1, data: new Uint8Array([0x20]) } : dry.exec(r));
    n = m.next();
  }
  assert.ok(reads > 0, "the plan reads mountinfo");
  assert.ok(n.done, `still running after ${count} requests`);
  if (n.done) {
    assert.is(n.outcome.kind, "failed");
    if (n.outcome.kind === "failed") assert.match(n.outcome.message, new RegExp(`${abi.MAX_REQUESTS} requests`));
  }
});

const targets = (seen: Request[], step: string) => seen.filter((r) => r.step === step).map((r) => JSON.stringify(r).match(/"target":"([^"]*)"/)?.[1]);

test("a mountinfo larger than the first read buffer keeps its first lines when the buffer grows", () => {
  const small = new Steered(() => undefined);
  drive({ rootfs: "/r", profile: "runc", strategy: "move" }, small);
  const filler = Array.from({ length: 300 }, (_, i) => `${1000 + i} 22 0:${500 + i} / /mnt/filler${i} rw,relatime - tmpfs tmpfs rw\n`).join("");
  const text = dockerHostMountinfo("/r") + filler;
  assert.ok(text.length > 4 * abi.MOUNTINFO_CHUNK, `${text.length} bytes`);
  const host = new DryRunHost({ rootfs: "/r", mountinfo: text });
  const seen: Request[] = [];
  const t = drive({ rootfs: "/r", profile: "runc", strategy: "move" }, { kind: "dry-run", exec: (r: Request) => { seen.push(r); return host.exec(r); } });
  assert.is(t.outcome.kind, "done");
  const masks = targets(small.seen, "mask_propagation");
  assert.equal(masks, ["/proc", "/sys"], "the docker host's full proc and sysfs");
  assert.equal(targets(seen, "mask_propagation"), masks, "the masks found in the first lines");
});

test("a read that claims more bytes than its buffer ends FAILED, even for an embedder that skips the seam's check", () => {
  const m = Machine.create();
  m.start({ ...base, strategy: abi.Strategy.move });
  const dry = new DryRunHost({ rootfs: base.rootfs });
  let n = m.next();
  while (!n.done && n.request.op !== "read") { m.feed(dry.exec(n.request)); n = m.next(); }
  assert.ok(!n.done && n.request.op === "read", "the plan reads mountinfo");
  if (n.done || n.request.op !== "read") return;
  m.exports.feed(n.request.count + 1, 0); // the raw export: what a C embedder's loop can do
  let end = m.next();
  while (!end.done) { m.exports.feed(0, 0); end = m.next(); }
  assert.is(end.outcome.kind, "failed");
  if (end.outcome.kind === "failed") assert.match(end.outcome.message, new RegExp(`^read returned ${n.request.count + 1} bytes for a ${n.request.count}-byte buffer`));
});

test("runc 1.1 names the rootfs when no mount point is a prefix of it", () => {
  // A table without "/": nothing contains the rootfs.
  const host = new DryRunHost({ rootfs: "/r", mountinfo: "23 22 0:21 / /proc rw,relatime shared:12 - proc proc rw\n" });
  const t = drive({ rootfs: "/r/x", profile: "runc-1.1", strategy: "pivot" }, host);
  assert.is(t.outcome.kind, "failed");
  if (t.outcome.kind === "failed") assert.is(t.outcome.message, "error preparing rootfs: could not find parent mount of /r/x");
  // The machine's own verdict at the parent step, right after the mountinfo is closed: no errno,
  // no request of its own, and nothing runs after it (docs/mutation.md machine:296, :305).
  if (t.outcome.kind === "failed") assert.equal([t.outcome.op, t.outcome.errno, t.outcome.step], ["none", 0, "parent_propagation"]);
  assert.equal(t.steps.map((s) => s.request.step), ["propagate_root", "mountinfo_open", "mountinfo_read", "mountinfo_read", "mountinfo_close"]);
});

test("runc 1.1's parent-walk request carries runc 1.1's reason, runc's carries runc's", () => {
  // reasons.ts picks per profile; swapping runc 1.1's and runc's went unseen (docs/mutation.md reasons:14).
  const mountinfo = "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n";
  const reasonOf = (profile: "runc" | "runc-1.1") =>
    drive({ rootfs: "/srv/rootfs", profile, strategy: "pivot" }, new DryRunHost({ rootfs: "/srv/rootfs", mountinfo })).steps
      .find((x) => x.request.step === "parent_propagation")?.request.reason ?? "(no parent_propagation request)";
  assert.not.match(reasonOf("runc") + reasonOf("runc-1.1"), /no parent_propagation request/, "both make the shared parent private");
  assert.match(reasonOf("runc-1.1"), /runc 1\.1|getParentMount/);
  assert.not.match(reasonOf("runc"), /runc 1\.1|getParentMount/);
  assert.is.not(reasonOf("runc"), reasonOf("runc-1.1"));
});

test("a failed mountinfo open is named with its path and errno", () => {
  const host = new Steered((r) => (r.step === "mountinfo_open" ? { errno: abi.EACCES } : undefined));
  const t = drive({ rootfs: "/r", profile: "runc", strategy: "move" }, host);
  assert.is(t.outcome.kind, "failed");
  if (t.outcome.kind === "failed") assert.match(t.outcome.message, /open \/proc\/(thread-)?self\/mountinfo: permission denied$/);
});

test("numbers print with every digit: fd 10 and fd 100 in runc 1.1's fchdir message (powers of ten)", () => {
  // bytes.ts putDec: a "t >= 10" loop bound turned "> 10" printed 10 as "1" (docs/mutation.md bytes:76).
  for (const fd of [9, 10, 100, 1000]) {
    const host = new Steered((r) =>
      r.step === "open_new_root" ? { ret: fd } : r.step === "fchdir_new_root" ? { errno: abi.EACCES } : undefined);
    const t = drive({ rootfs: "/r", profile: "runc-1.1", strategy: "pivot" }, host);
    assert.is(t.outcome.kind, "failed");
    if (t.outcome.kind === "failed") assert.match(t.outcome.message, new RegExp(`fchdir fd ${fd}: `), `fd ${fd}`);
  }
});

test("the machine's own rootfs length bound: 4095 bytes accepted, 4096 (PATH_MAX) refused", () => {
  // config.ts "n >= PATH_MAX" turned "> PATH_MAX" let exactly 4096 through; zod refuses it first,
  // so only the wasm driven directly shows it (docs/mutation.md config:28).
  const of = (n: number) => "/" + "a".repeat(n - 1);
  assert.is(verdict({ rootfs: of(abi.PATH_MAX - 1) }), "ok");
  assert.match(verdict({ rootfs: of(abi.PATH_MAX) }), /^invalid config: /);
});

test("runc 1.1's parent mount is the innermost mount point above the rootfs, not the first that matches", () => {
  // Two shared mount points above /srv/data/rootfs: "/" and "/srv/data". runc 1.1's
  // rootfsParentMountPrivate takes the longest prefix, so it makes /srv/data private, not /
  // (docs/mutation.md machine:269).
  const mountinfo = [
    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw",
    "30 22 8:2 / /srv rw,relatime shared:2 - ext4 /dev/sda2 rw",
    "31 30 8:3 / /srv/data rw,relatime shared:3 - ext4 /dev/sda3 rw",
    "32 22 0:21 / /proc rw,relatime shared:4 - proc proc rw",
  ].join("\n") + "\n";
  const host = new DryRunHost({ rootfs: "/srv/data/rootfs", mountinfo });
  const t = drive({ rootfs: "/srv/data/rootfs", profile: "runc-1.1", strategy: "pivot" }, host);
  assert.is(t.outcome.kind, "done");
  const privates = t.steps.map((x) => x.request).filter((r) => r.op === "mount" && r.mountflags === abi.MS_PRIVATE);
  assert.equal(privates.map((r) => (r.op === "mount" ? r.target : "")), ["/srv/data"]);
});

test("runc 1.1's parent mount: of equal mount points the first listed (a stacked /), as its strict > keeps it", () => {
  // getParentMount replaces its pick only when `len(Mountpoint) > maxlen` (v1.1.14), so with two
  // "/" lines the first decides. Here it is private: runc 1.1 makes nothing private. Were the
  // second (shared) taken, it would call mount("", "/", MS_PRIVATE) (docs/mutation.md machine:269).
  const mountinfo = [
    "22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw",
    "40 22 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw",
    "32 40 0:21 / /proc rw,relatime shared:4 - proc proc rw",
  ].join("\n") + "\n";
  const privates = (text: string) => {
    const t = drive({ rootfs: "/srv/rootfs", profile: "runc-1.1", strategy: "pivot" }, new DryRunHost({ rootfs: "/srv/rootfs", mountinfo: text }));
    return t.steps.map((x) => x.request).filter((r) => r.op === "mount" && r.mountflags === abi.MS_PRIVATE).map((r) => (r.op === "mount" ? r.target : ""));
  };
  assert.equal(privates(mountinfo), []);
  // The same lines the other way round: now the first "/" is shared.
  const swapped = mountinfo.split("\n");
  [swapped[0], swapped[1]] = [swapped[1]!.replace("40 22", "22 40"), swapped[0]!.replace("22 1", "40 1")];
  assert.equal(privates(swapped.join("\n")), ["/"]);
});

test("the mountinfo grammar at each boundary: ids 0 and 9 digits, major:minor, \\ooo up to \\377", () => {
  // One row per edge of assembly/mountinfo.ts's checks (docs/mutation.md mountinfo:74..139): the
  // fuzz tests never aimed at them, and a boundary moved by one went unseen.
  const L = (id: string, parent: string, mm: string, mp: string) => `${id} ${parent} ${mm} / ${mp} rw,relatime - ext4 /dev/sda1 rw\n`;
  const IDS = "malformed mountinfo, line 1: mount ID and parent ID must be decimal numbers";
  const MM = "malformed mountinfo, line 1: field 3 must be major:minor";
  const ESC = "malformed mountinfo, line 1: bad \\ooo escape";
  const rows: [string, string, string | null][] = [
    ["mount ID 0", L("0", "1", "8:1", "/"), null],
    ["parent ID 0", L("21", "0", "8:1", "/"), null],
    ["a 9-digit ID", L("999999999", "1", "8:1", "/"), null],
    ["a 10-digit ID", L("1000000000", "1", "8:1", "/"), IDS],
    ["a 10-digit parent", L("21", "1000000000", "8:1", "/"), IDS],
    ["major:minor 8:1", L("21", "1", "8:1", "/"), null],
    ["an empty minor", L("21", "1", "8:", "/"), MM],
    ["an empty major", L("21", "1", ":1", "/"), MM],
    ["no colon", L("21", "1", "81", "/"), MM],
    ["two colons", L("21", "1", "8:1:2", "/"), MM],
    ["\\377, the largest escape", L("21", "1", "8:1", "/x\\377"), null],
    ["\\000", L("21", "1", "8:1", "/x\\000"), null],
    ["\\400, past a byte", L("21", "1", "8:1", "/x\\400"), ESC],
    ["\\378, not octal", L("21", "1", "8:1", "/x\\378"), ESC],
    ["\\37 cut at the field's end", L("21", "1", "8:1", "/x\\37"), ESC],
  ];
  assert.equal(rows.map(([what, text]) => [what, mountinfoError(text)]), rows.map(([what, , want]) => [what, want]));
});

test("every request of every plan says why it exists, and crun's reasons are crun's", () => {
  for (const profile of ["hardened", "runc", "runc-1.1", "crun"] as const) {
    for (const strategy of ["pivot", "move", "chroot"] as const) {
      for (const r of plan({ rootfs: "/r", profile, strategy }).steps.map((x) => x.request))
        assert.ok(r.reason.length > 0, `${profile} ${strategy}: ${r.op} (${r.step}) has no reason`);
    }
  }
  const reasonOf = (profile: "runc" | "crun", step: string) =>
    plan({ rootfs: "/r", profile, strategy: "pivot" }).steps.find((x) => x.request.step === step)?.request.reason;
  assert.match(reasonOf("crun", "open_root") ?? "", /crun/);
  assert.not.match(reasonOf("runc", "open_root") ?? "", /crun/);
});

test("hardened and crun give up on a host whose unmounts never say EINVAL: exactly MAX_DETACH (64) of them", () => {
  // A host that succeeds at everything (docs/ABI.md): the detach loop would never end. The 64th
  // success is the last (machine.ts "S.detached >= MAX_DETACH"; one more or one less is a bug).
  for (const profile of ["hardened", "crun"] as const) {
    const inner = new DryRunHost({ rootfs: "/r" });
    const host: Host = { kind: "custom", exec: (req) => (req.op === "umount2" ? { ret: 0 } : inner.exec(req)) };
    const t = drive({ rootfs: "/r", profile, strategy: "pivot" }, host);
    assert.is(t.steps.filter((x) => x.request.step === "detach_old_root").length, abi.MAX_DETACH, profile);
    assert.is(t.outcome.kind === "failed" && t.outcome.message, 'umount2(".") kept succeeding: gave up after 64 unmounts', profile);
  }
});

test("an empty rootfs reaches the wasm as 0 bytes: refused as not absolute, not read as the input area's old bytes", () => {
  // index.ts start(): a length of 0 is a length, not "take PATH_MAX bytes" (docs/mutation.md index:25).
  const m = Machine.create();
  m.start({ ...encode({ rootfs: "/srv/rootfs", profile: "hardened", strategy: "pivot", readonly: false, prepare: true, selfBind: true }), rootPropagation: 0 });
  m.start({ ...encode({ rootfs: "", profile: "hardened", strategy: "pivot", readonly: false, prepare: true, selfBind: true }), rootPropagation: 0 });
  const n = m.next();
  assert.is(n.done && n.outcome.kind === "failed" && n.outcome.message, "invalid config: rootfs must be an absolute path");
  m.release();
});

// Survivors of the wave-1 run (ids file:line:n at 392562e), each planted back and caught.

test("runc 1.1 prints mount flags in hex with every digit: 0x100000 and 0x104000 (a leading 1 then 0)", () => {
  // bytes.ts putHex: a "t >= 16" loop bound turned "> 16" dropped the top digit of any number
  // whose last step is exactly 0x10 (bytes:92:0). rshared and shared are the runc 1.1 flags with one.
  for (const [rootPropagation, hex] of [["rshared", "104000"], ["shared", "100000"], ["rslave", "84000"]] as const) {
    const t = plan({ rootfs: "/r", profile: "runc-1.1", strategy: "pivot", rootPropagation }, { faults: ["mount=EPERM"] });
    assert.is(t.outcome.kind === "failed" && t.outcome.step, "propagate_root", rootPropagation);
    if (t.outcome.kind === "failed") assert.match(t.outcome.message, new RegExp(`: mount /, flags: 0x${hex}: operation not permitted$`), rootPropagation);
  }
});

test("a feed with no request pending traps with the whole protocol message, closing parenthesis included", () => {
  // machine.ts feed(): the ")" after the reason was never checked (machine:115:0).
  const m = Machine.create();
  assert.throws(() => m.feed({ ret: 0 }), (e: Error) => e.message === "feed() without a pending request (not started)");
});

test("EINTR retries are counted per step: a success starts the count again", () => {
  // runc pivot retries EINTR on open_root and open_old_root (Go's os.Open, linux.Open). 40 EINTRs
  // before each is under MAX_EINTR (64) twice; were the count not reset by the first open's
  // success (machine:133:0), the second open would give up at 64 in all.
  let streak = 0;
  const eintrs: string[] = [];
  const host = new Steered((r) => {
    if ((r.step === "open_root" || r.step === "open_old_root") && streak < 40) { streak++; eintrs.push(r.step); return { errno: abi.EINTR }; }
    streak = 0;
    return undefined;
  });
  const t = drive({ rootfs: "/r", profile: "runc", strategy: "pivot" }, host);
  assert.is(t.outcome.kind, "done");
  assert.equal([eintrs.filter((s) => s === "open_root").length, eintrs.filter((s) => s === "open_old_root").length], [40, 40]);
});

test("an open that succeeds with a negative fd ends FAILED with the machine's own message, nothing after it", () => {
  // machine.ts opened(): the message (machine:282:0) and the failure itself (machine:283:0).
  const host = new Steered((r) => (r.step === "open_new_root" ? { ret: -5 } : undefined));
  const t = drive({ rootfs: "/r", profile: "runc-1.1", strategy: "pivot" }, host);
  assert.is(t.outcome.kind, "failed");
  if (t.outcome.kind === "failed") {
    assert.equal([t.outcome.message, t.outcome.errno, t.outcome.step], ["the host returned fd -5 for a successful openat", 0, "open_new_root"]);
  }
  assert.not.ok(host.seen.some((r) => r.step === "fchdir_new_root"), "no fchdir after the bad open");
});

test("youki's parent mount is the longest mount point above the rootfs, even when a shorter one is listed after it", () => {
  // youkiParent keeps a later mount only if it is at least as long (machine:413:0). /srv is shared,
  // the "/" listed after it private: youki makes /srv private, and only /srv.
  const mountinfo = [
    "30 22 8:2 / /srv rw,relatime shared:2 - ext4 /dev/sda2 rw",
    "22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw",
    "32 22 0:21 / /proc rw,relatime - proc proc rw",
  ].join("\n") + "\n";
  const t = drive({ rootfs: "/srv/rootfs", profile: "youki", strategy: "pivot" }, new DryRunHost({ rootfs: "/srv/rootfs", mountinfo }));
  assert.is(t.outcome.kind, "done");
  assert.equal(t.steps.filter((x) => x.request.step === "parent_propagation").map((x) => (x.request.op === "mount" ? x.request.target : "")), ["/srv"]);
});

test("a fixed-size reader (youki, 8 KiB reads) takes a mountinfo of MOUNTINFO_CAP - 1 bytes: only a full buffer is too large", () => {
  // readChunk grows the buffer early for a fixed-size reader only below the cap; at the cap, the
  // last reads ask for what room is left (machine:310:3: "<=" failed there with room < 8192).
  const head = "22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n";
  const line = (i: number) => `${100000 + i} 22 0:99 / /mnt/${String(i).padStart(7, "0")} rw - tmpfs tmpfs rw\n`;
  const each = line(0).length;
  const n = Math.floor((abi.MOUNTINFO_CAP - 1 - head.length) / each) - 1;
  const body = Array.from({ length: n }, (_, i) => line(i)).join("");
  const rest = abi.MOUNTINFO_CAP - 1 - head.length - body.length;
  const last = `9 22 0:99 / /${"x".repeat(rest - "9 22 0:99 / / rw - tmpfs tmpfs rw\n".length)} rw - tmpfs tmpfs rw\n`;
  const text = head + body + last;
  assert.is(text.length, abi.MOUNTINFO_CAP - 1);
  const t = drive({ rootfs: "/srv/rootfs", profile: "youki", strategy: "pivot" }, new DryRunHost({ rootfs: "/srv/rootfs", mountinfo: text }));
  assert.is(t.outcome.kind, "done", t.outcome.kind === "failed" ? t.outcome.message : "");
});

test("many decoded \\ooo mount points do not run past the decode scratch into the masks", () => {
  // mountinfo.ts field(): each decode uses up room in the scratch region; were it not counted
  // (mountinfo:164:0), the decodes after the first 512 bytes would write over what was allocated
  // after the scratch: here the list of masks, pushed by the proc line.
  const lines = ["22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw", "23 22 0:30 / /a\\040b rw - tmpfs tmpfs rw", "24 22 0:21 / /proc rw,relatime - proc proc rw"];
  for (let i = 0; i < 200; i++) lines.push(`${100 + i} 22 0:31 / /mnt/x\\040y${i} rw - tmpfs tmpfs rw`);
  lines.push("25 22 0:22 / /sys rw,relatime - sysfs sysfs rw");
  const seen: Request[] = [];
  const host = new DryRunHost({ rootfs: "/r", mountinfo: lines.join("\n") + "\n" });
  const t = drive({ rootfs: "/r", profile: "runc", strategy: "move" }, { kind: "dry-run", exec: (r: Request) => { seen.push(r); return host.exec(r); } });
  assert.is(t.outcome.kind, "done");
  assert.equal(targets(seen, "mask_propagation"), ["/proc", "/sys"]);
});

test("the mountinfo grammar: 256 fields are accepted; a one-byte field or one that starts with \"-\" is no separator; major:minor is digits", () => {
  // mountinfo.ts line(): "count > MAX_FIELDS" (mountinfo:69:0), the separator test "== 1 && == '-'"
  // (mountinfo:73:2), majorMinor's digit test (mountinfo:130:2).
  const L = (mm: string, sep: string, optional = "") => `21 1 ${mm} / / rw${optional} ${sep} ext4 /dev/sda1 rw\n`;
  const SEP = "malformed mountinfo, line 1: missing - separator";
  const MM = "malformed mountinfo, line 1: field 3 must be major:minor";
  const opt = (k: number) => Array.from({ length: k }, (_, i) => ` tag:${i}`).join("");
  const rows: [string, string, string | null][] = [
    ["256 fields", L("8:1", "-", opt(246)), null],
    ["257 fields", L("8:1", "-", opt(247)), "malformed mountinfo, line 1: more than 256 fields"],
    ["a one-byte field where \"-\" goes", L("8:1", "x"), SEP],
    ["\"-x\" where \"-\" goes", L("8:1", "-x"), SEP],
    ["a letter in the major", L("a:1", "-"), MM],
    ["a letter in the minor", L("8:b", "-"), MM],
  ];
  assert.equal(rows.map(([what, text]) => [what, mountinfoError(text)]), rows.map(([what, , want]) => [what, want]));
});

test("mountinfo_buffer ends the run: next() then says \"before start()\", and the room it gives is real (not 0)", () => {
  // index.ts mountinfo_buffer(): reset() of the run's state (index:50:0), the room's allocation
  // (index:53:0: without it the first call answered 0, the answer for "past MOUNTINFO_CAP").
  const m = Machine.create();
  m.start(base);
  assert.is(m.next().done, false);
  const at = m.exports.mountinfo_buffer(0);
  assert.ok(at > 0, `mountinfo_buffer(0) = ${at}`);
  assert.ok(m.exports.mountinfo_buffer(100) > 0);
  assert.is(m.exports.mountinfo_buffer(abi.MOUNTINFO_CAP + 1), 0);
  m.exports.mountinfo_buffer(0);
  assert.throws(() => m.next(), (e: Error) => e.message === "next() before start()");
});

test("mountinfo checks on one instance reuse one arena: 64 checks of 1 MiB keep memory at the first one's size", () => {
  // index.ts mountinfo_buffer() resets the arena first (index:49:0); without it each check's room
  // stayed allocated and memory grew by 1 MiB a check.
  const m = Machine.create();
  const sizes: number[] = [];
  for (let i = 0; i < 64; i++) {
    assert.ok(m.exports.mountinfo_buffer(1 << 20) > 0);
    assert.is(m.exports.mountinfo_check(0), 0);
    sizes.push(m.exports.memory.buffer.byteLength);
  }
  assert.equal(sizes, sizes.map(() => sizes[0]));
});

test("a run's vectors grow by doubling: 2000 proc mounts to mask keep memory within 4 MiB", () => {
  // vec.ts reserve(): without "this.cap = cap" (vec:47:0) every push copied the whole vector into
  // a new block, and 2000 masks (4000 plan entries) took tens of MiB of the arena.
  const lines = ["22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw"];
  for (let i = 0; i < 2000; i++) lines.push(`${100 + i} 22 0:21 / /p${i} rw - proc proc rw`);
  const m = Machine.create();
  m.start({ ...base, strategy: abi.Strategy.move });
  const host = new DryRunHost({ rootfs: base.rootfs, mountinfo: lines.join("\n") + "\n" });
  let masks = 0;
  let n = m.next();
  for (; !n.done; n = m.next()) { if (n.request.step === "mask_umount") masks++; m.feed(host.exec(n.request)); }
  assert.is(n.outcome.kind, "done");
  assert.is(masks, 2000);
  assert.ok(m.exports.memory.buffer.byteLength <= 4 << 20, `${m.exports.memory.buffer.byteLength} bytes`);
});

test("open_tree, move_mount and mount_setattr carry \"\" (a pointer, length 0) as their path, never NULL", () => {
  // LXC's __fd_bind_mount calls open_tree(dfd, "", ...) and move_mount(fd_tree, "", dfd_to, "", ...),
  // crun's do_mount_setattr mount_setattr(dfd, "", AT_EMPTY_PATH, ...) (docs/sources.md#lxc,
  // #crun-1-29): AT_EMPTY_PATH wants an empty string. src/request.ts decodes NULL as "" too, so only
  // the request block shows it; host/exec.c hands the slot to the syscall as it is, and a NULL
  // there is EFAULT, not the empty path.
  const slots: string[] = [];
  for (const cfg of [{ profile: "lxc", strategy: "pivot" }, { profile: "crun-1.29", strategy: "pivot", readonly: true }] as const) {
    const m = Machine.create();
    m.start(encode(parseConfig({ rootfs: "/r", ...cfg })));
    const host = new DryRunHost({ rootfs: "/r" });
    for (let n = m.next(); !n.done; n = m.next()) {
      const r = n.request;
      if (r.op === "open_tree" || r.op === "move_mount" || r.op === "mount_setattr") {
        const at = m.exports.request_ptr(), dv = new DataView(m.exports.memory.buffer);
        const slot = (o: number) => `${dv.getUint32(at + o, true) === 0 ? "NULL" : "ptr"}/${dv.getUint32(at + o + 4, true)}`;
        slots.push(`${r.step} ${slot(abi.REQ_STR0)}${r.op === "move_mount" ? ` ${slot(abi.REQ_STR1)}` : ""}`);
      }
      m.feed(host.exec(r));
    }
    m.release();
  }
  assert.equal(slots, ["clone_rootfs ptr/0", "attach_rootfs ptr/0 ptr/0", "tree_namespace ptr/0", "walk_setattr ptr/0", "readonly_setattr ptr/0"]);
});

// Survivors of the wave-2 run (triage C), each planted back and caught.

/** A dry-run host over `mountinfo`, except where `answer` says otherwise; records every request. */
function steered(mountinfo: string | undefined, answer: (r: Request) => Result | undefined): Host & { seen: Request[] } {
  const inner = new DryRunHost({ rootfs: "/r", ...(mountinfo === undefined ? {} : { mountinfo }) });
  const seen: Request[] = [];
  return { kind: "dry-run", seen, exec: (r: Request) => { seen.push(r); return answer(r) ?? inner.exec(r); } };
}

test("feed() with nothing pending names where the run is: step none before the first next(), ended after a refused config", () => {
  // machine.ts stepName(): step 0 has a name (machine:128:0 left it out); start() marks a refused
  // config's run as ended at once (machine:76:0 left it "started" at step none).
  const m = Machine.create();
  m.start(base);
  assert.throws(() => m.feed({ ret: 0 }), (e: Error) => e.message === "feed() without a pending request (step none)");
  m.start({ ...base, rootfs: "relative" });
  assert.throws(() => m.feed({ ret: 0 }), (e: Error) => e.message === "feed() without a pending request (the run has ended)");
});

test("LXC's openat fallback is per call: after a fallback open fails and is skipped, the next open tries openat2 again", () => {
  // onErr resets openatFallback (machine:217:0): the prepare's mountinfo openat2 says ENOSYS, its
  // openat EACCES (MOUNTINFO_OPTIONAL skips it); LXC's open_at of the mount point starts with openat2 again.
  const host = steered(undefined, (r) =>
    r.step === "mountinfo_open" ? { errno: r.op === "openat2" ? abi.ENOSYS : abi.EACCES } : undefined);
  drive({ rootfs: "/r", profile: "lxc", strategy: "pivot" }, host);
  assert.equal(host.seen.filter((r) => r.step === "mountinfo_open" || r.step === "open_mountpoint").map((r) => `${r.step} ${r.op}`),
    ["mountinfo_open openat2", "mountinfo_open openat", "open_mountpoint openat2"]);
});

test("LXC auto: a failed prepare mountinfo does not blind the detection, whose own read finds the initial ramfs", () => {
  // A successful open clears infoFailed (machine:142:0): detect_ramfs_rootfs reads its own copy,
  // finds "/" on rootfs and picks lxc_chroot, though turn_into_dependent_mounts could not read its.
  const mi = "1 0 0:1 / / rw - rootfs rootfs rw\n2 1 0:4 / /proc rw - proc proc rw\n";
  const host = steered(mi, (r) => (r.step === "mountinfo_open" ? { errno: abi.EACCES } : undefined));
  const t = drive({ rootfs: "/r", profile: "lxc", strategy: "auto" }, host);
  assert.is(t.outcome.kind, "done", t.outcome.kind === "failed" ? t.outcome.message : "");
  assert.ok(host.seen.some((r) => r.step === "ramfs_open"), "the detection ran");
  assert.not.ok(host.seen.some((r) => r.op === "pivot_root"), "lxc_chroot, not lxc_pivot_root");
  assert.ok(host.seen.some((r) => r.op === "chroot"), "lxc_chroot's chroot");
});

test("crun 1.29: a tree namespace fd 0 is an fd: the setns path, not the classic fallback", () => {
  // TREE_CHOOSE tests "fdTree >= 0" (machine:463:0 took fd 0 for no fd). stdin closed: open_tree returns 0.
  const run = (fd: number) => {
    const host = steered(undefined, (r) => (r.step === "tree_namespace" ? { ret: fd } : undefined));
    const t = drive({ rootfs: "/r", profile: "crun-1.29", strategy: "pivot" }, host);
    return { host, note: t.outcome.kind === "done" ? t.outcome.note : `failed: ${t.outcome.message}` };
  };
  const zero = run(0), three = run(3);
  assert.match(three.note, /setns/, "fd 3: the tree path");
  assert.is(zero.note, three.note);
  assert.equal(zero.host.seen.map((r) => r.step), three.host.seen.map((r) => r.step), "the same steps as with fd 3");
  const host = zero.host;
  assert.not.ok(host.seen.some((r) => r.op === "pivot_root"), "no switch: setns into the tree");
});

test("an unwind names each deferred close by its fd's own step: runc's old root then its root handle", () => {
  // unwind()'s chain (machine:551:2, :552:0, :552:1 sent the root handle to walk_close, walk_drop
  // or close_old_root). runc pivot: pivot_root fails with the new root (fd 3) and the old root (fd 4) open.
  const t = plan({ rootfs: "/r", profile: "runc", strategy: "pivot" }, { faults: ["pivot_root=EPERM"] });
  assert.is(t.outcome.kind, "failed");
  const after = t.steps.slice(t.steps.findIndex((s) => s.request.op === "pivot_root") + 1).map((s) => s.request);
  assert.equal(after.map((r) => `${r.op} ${r.step} ${r.op === "close" ? r.fd : ""}`), ["close close_old_root 4", "close close_root 3"]);
});

test("a failure whose request's path is \"\" (mount_setattr with AT_EMPTY_PATH) has no path in the outcome", () => {
  // fail() keeps a target only if it is not empty (machine:535:0 kept "" too, so the outcome said path "").
  const t = plan({ rootfs: "/r", profile: "crun-1.29", strategy: "pivot", readonly: true }, { faults: ["mount_setattr#2=EPERM"] });
  assert.is(t.outcome.kind === "failed" && `${t.outcome.step} ${t.outcome.path}`, "readonly_setattr null");
});

test("the FAILED block's REQ_STEP is the failed step, as docs/ABI.md says (0 only for DONE)", () => {
  // terminal() stamps the block with S.fail.step (machine:561:0 stamped it 0 for FAILED).
  const m = Machine.create();
  m.start({ ...encode({ rootfs: "/r", profile: "runc", strategy: "pivot", readonly: false, prepare: true, selfBind: true }), rootPropagation: 0 });
  const dry = new DryRunHost({ rootfs: "/r" });
  let n = m.next();
  for (; !n.done; n = m.next()) m.feed(n.request.op === "pivot_root" ? { errno: abi.EPERM } : dry.exec(n.request));
  const v = new DataView(m.exports.memory.buffer);
  assert.is(n.outcome.kind === "failed" && n.outcome.step, "pivot_root");
  assert.is(v.getInt32(m.exports.request_ptr() + abi.REQ_STEP, true), v.getInt32(m.exports.outcome_ptr() + abi.OUT_STEP, true));
  assert.is(v.getInt32(m.exports.request_ptr() + abi.REQ_STEP, true), abi.Step.pivot_root);
  m.release();
});

test("hardened's ramfs fallback replaces the whole rest of the pivot: nothing of it runs after the move", () => {
  // fallBackToMove splices pivot_root through close_old_root (machine:503:1 replaced pivot_root
  // alone, and fchdir_old_root, the detach and a second close_old_root ran after the chdir).
  const mi = "1 0 0:1 / / rw - ramfs none rw\n2 1 0:4 / /proc rw - proc proc rw\n";
  const t = plan({ rootfs: "/r" }, { mountinfo: mi, faults: ["pivot_root=EINVAL"] });
  assert.is(t.outcome.kind, "done");
  const at = t.steps.findIndex((s) => s.request.op === "pivot_root");
  const after = t.steps.slice(at + 1).map((s) => s.request.step);
  assert.equal(after.slice(0, 6), ["close_old_root", "mask_propagation", "mask_umount", "move_root", "chroot_root", "chdir_root"]);
  assert.is(after.filter((s) => s === "close_old_root").length, 1, after.join(" "));
  assert.not.ok(after.includes("fchdir_old_root") || after.includes("detach_old_root"), after.join(" "));
});

test("a mountinfo of exactly MOUNTINFO_CAP bytes is too large: the read that fills the cap ends the run", () => {
  // readChunk refuses to grow past the cap (machine:311:0 "> CAP" grew to twice the cap). Driven
  // through the raw feed: each read claims all its room (zeros), then EOF.
  const m = Machine.create();
  m.start({ ...base, strategy: abi.Strategy.move });
  const dry = new DryRunHost({ rootfs: base.rootfs });
  let total = 0;
  let n = m.next();
  for (; !n.done; n = m.next()) {
    const r = n.request;
    if (r.op === "read") { const k = Math.min(r.count, abi.MOUNTINFO_CAP - total); total += k; m.exports.feed(k, 0); }
    else m.feed(dry.exec(r));
  }
  assert.is(total, abi.MOUNTINFO_CAP);
  assert.is(n.outcome.kind === "failed" && n.outcome.message, `mountinfo is larger than the ${abi.MOUNTINFO_CAP}-byte cap`);
});

// Survivors of the wave-2 run (triage E), each planted back and caught.

/** The outcome of a run on the dry-run host with `step` failed by `errno` (any number, as a host may feed). */
function failedWith(cfg: Parameters<typeof parseConfig>[0], step: string, errno: number): string {
  const m = Machine.create();
  m.start(encode(parseConfig(cfg)));
  const host = new DryRunHost({ rootfs: "/srv/rootfs" });
  let n = m.next();
  for (; !n.done; n = m.next()) m.feed(n.request.step === step ? { errno } : host.exec(n.request));
  m.release();
  return n.outcome.kind === "failed" ? n.outcome.message : n.outcome.kind;
}

test("an errno past the tables is \"Unknown error N\": 41 (one past the last entry) and 200", () => {
  // messages.ts strerror()/nixErr(): glibc's strerror(3) for a number it has no text for is
  // "Unknown error N"; the tables end at 40 (ELOOP). Wave-2 survivors: messages:22:0 (the fallback
  // deleted: "pivot_root: " and nothing), messages:18:1 and :32:1 (`<= COUNT` read the entry one past
  // ERRNO_TEXT / ERRNO_NAME for errno 41). src/machine.ts passes any errno 1..4095 to the wasm.
  for (const errno of [41, 200]) {
    assert.is(failedWith({ rootfs: "/srv/rootfs", profile: "crun", strategy: "pivot" }, "pivot_root", errno), `pivot_root: Unknown error ${errno}`);
    assert.is(failedWith({ rootfs: "/srv/rootfs", profile: "runc", strategy: "pivot" }, "pivot_root", errno),
      `error jailing process inside rootfs: pivot_root .: unknown error ${errno}`);
    // youki: nix's Errno::from_raw gives UnknownErrno for a number it does not know. Only the name
    // is pinned here: what follows it is the machine's strerror (docs/mutation.md, the asm triage of 2026-12-01: not checked against nix).
    const youki = failedWith({ rootfs: "/srv/rootfs", profile: "youki", strategy: "pivot" }, "pivot_root", errno);
    assert.ok(youki.startsWith("UnknownErrno: "), youki);
  }
});

test("a message longer than the builder's first block keeps every byte (runc's chdir of a 155-byte rootfs)", () => {
  // bytes.ts room(): the builder starts with 128 bytes and doubles past the need. Without
  // "bCap = (bLen + n) << 1" (bytes:65:0) each growth took another 128-byte block, the text ran past
  // it, and the next block's allocator header landed inside the text (bytes 140-143 garbled).
  const rootfs = "/srv/" + "r".repeat(150);
  assert.is(failedWith({ rootfs, profile: "runc", strategy: "pivot" }, "enter_root", abi.EPERM), `chdir ${rootfs}: operation not permitted`);
});

test("start() with a negative rootfs length reads PATH_MAX bytes: refused as too long, no trap", () => {
  // index.ts start(): a length below 0 or past PATH_MAX is taken as PATH_MAX, which config.ts then
  // refuses (rootfs_len < 0 || ... , index:25:2 turned it into &&: heap.alloc(4 GiB) trapped).
  const m = Machine.create();
  const rootfs = new TextEncoder().encode("/srv/rootfs");
  new Uint8Array(m.exports.memory.buffer, m.exports.input_ptr(), rootfs.length).set(rootfs);
  assert.is(m.exports.start(-1, abi.Profile.runc, abi.Strategy.pivot, 0, 0), 1);
  const n = m.next();
  assert.is(n.done && n.outcome.kind === "failed" && n.outcome.message, "invalid config: rootfs is longer than PATH_MAX - 1 (4095) bytes");
  m.release();
});

test("mountinfo_buffer: exactly MOUNTINFO_CAP bytes is room; a refused room leaves nothing to check", () => {
  // index.ts mountinfo_buffer(): only a length past the cap is refused (index:52:1 refused the cap
  // itself), and a refused call sets the room to 0 bytes (index:51:0 kept the last room's length, so
  // mountinfo_check parsed the old room's stale bytes and called them malformed).
  const ex = Machine.create().exports;
  const at = ex.mountinfo_buffer(100);
  new Uint8Array(ex.memory.buffer, at, 13).set(new TextEncoder().encode("garbage line\n"));
  assert.ok(ex.mountinfo_check(13) > 0);
  assert.is(ex.mountinfo_buffer(abi.MOUNTINFO_CAP + 1), 0);
  assert.is(ex.mountinfo_check(100), 0);
  assert.ok(ex.mountinfo_buffer(abi.MOUNTINFO_CAP) > 0);
});

test("mountinfo_check reads text_len bytes, not the byte after them (a last line without its newline)", () => {
  // mountinfo.ts split(): `i < n` (mountinfo:93:0 `<=` read one byte past the text: a space there
  // made a tenth, empty field, and a 9-field line passed).
  const ex = Machine.create().exports;
  const line = "22 1 8:1 / / rw - ext4 /dev/sda1";
  const at = ex.mountinfo_buffer(line.length + 1);
  new Uint8Array(ex.memory.buffer, at, line.length + 1).set(new TextEncoder().encode(line + " "));
  const r = ex.mountinfo_check(line.length);
  assert.ok(r > 0, "a 9-field line must be refused");
  const dv = new DataView(ex.memory.buffer);
  assert.is(new TextDecoder().decode(new Uint8Array(ex.memory.buffer, dv.getUint32(r, true), dv.getInt32(r + 4, true))),
    "malformed mountinfo, line 1: expected at least 10 fields, found 9");
});

test.run();
