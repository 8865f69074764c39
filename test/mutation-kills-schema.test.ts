// Golden refusals of src/schema.ts, written for the mutants Stryker left alive (docs/mutation.md,
// "Triage: src/schema.ts"). Each row is an input and the exact InvalidInputError it gets: the
// message ("invalid WHAT:" then one indented "path: why" line per problem) and its issues. The CLI
// prints the same text after "pivotshim: " and exits 2 (test/cli.test.ts); here it is checked in
// process, on the sources, so that a Stryker run of src/schema.ts sees it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { InvalidInputError } from "../src/errors.js";
import { MAX_HOOKS, MAX_TIMEOUT_MS } from "../src/abi.js";
import {
  ConfigSchema, parseConfig, parseFaults, checkRunSpec, checkOptions, PlanOptionsSchema, CheckOptionsSchema, ExploreOptionsSchema, DEFAULT_ROOTFS,
} from "../src/schema.js";
import { jsonSchema } from "../src/commands/schema.js";

/** The message and issues of the InvalidInputError `fn` throws (fails if it returns or throws anything else). */
function refusal(fn: () => unknown): { message: string; issues: { path: string; message: string }[] } {
  try { fn(); } catch (e) {
    assert.instance(e, InvalidInputError, String(e));
    const err = e as InvalidInputError;
    return { message: err.message, issues: [...err.issues] };
  }
  assert.unreachable("accepted, expected an InvalidInputError");
  throw new Error("not reached");
}
const issue = (path: string, message: string) => ({ path, message });

// --- the config -------------------------------------------------------------------------------

const ABS = "must be an absolute path (start with /)";
const SLASH = "must not be / itself: the new root has to be a directory below it";
const NUL = "must not contain a NUL byte";
const TOO_LONG = "must be at most 4095 bytes (PATH_MAX - 1)";
const END = "must not end with / (write /a/b, not /a/b/)";
const DOUBLE = "must not contain // (write /a/b, not /a//b)";
const DOTS = "must be clean: no . or .. components";

const ROOTFS: [string, string[]][] = [
  ["srv/rootfs", [ABS]],
  ["/", [SLASH]],            // only this one: "/" ends with "/" but is refused for being the root
  ["/srv/\0x", [NUL]],
  ["/" + "x".repeat(4095), [TOO_LONG]],
  ["/srv/rootfs/", [END]],
  ["/srv//rootfs", [DOUBLE]],
  ["/srv/../rootfs", [DOTS]],
  ["/srv/./rootfs", [DOTS]],
  ["/srv/rootfs/..", [DOTS]],
  ["/srv//rootfs/./", [END, DOUBLE, DOTS]],   // every problem, in order
];
for (const [rootfs, whys] of ROOTFS) {
  test(`config rootfs ${JSON.stringify(rootfs.length > 40 ? rootfs.slice(0, 20) + "..." : rootfs)}: ${whys.length} line(s)`, () => {
    assert.equal(refusal(() => parseConfig({ rootfs })), {
      message: `invalid config:\n${whys.map((w) => `  rootfs: ${w}`).join("\n")}`,
      issues: whys.map((w) => issue("rootfs", w)),
    });
  });
}

test("config rootfs: dots inside a name, a 4095-byte path, and a deep clean path are accepted", () => {
  for (const rootfs of ["/srv/a.b", "/srv/..x", "/srv/.hidden", "/srv/x..", "/" + "x".repeat(4094), "/var/lib/pivotshim/rootfs"]) {
    assert.is(parseConfig({ rootfs }).rootfs, rootfs);
  }
});

test("config without a rootfs: the documented default /var/lib/pivotshim/rootfs (README: A plan)", () => {
  assert.is(DEFAULT_ROOTFS, "/var/lib/pivotshim/rootfs");
  assert.equal({ ...parseConfig({}) }, {
    rootfs: "/var/lib/pivotshim/rootfs", profile: "hardened", strategy: "auto", readonly: false, prepare: true, selfBind: true,
  });
  assert.equal({ ...parseConfig(undefined) }, { ...parseConfig({}) });
});

test("config: the static rule's refusal names rootPropagation, with runc's reason or chroot's", () => {
  const move = "rprivate with strategy move is rejected, as runc rejects it: \"rootfsPropagation of [r]private is not safe without pivot_root\" (runc PR #1606); use rslave or strategy pivot (crun accepts it: --profile crun)";
  assert.equal(refusal(() => parseConfig({ profile: "runc", strategy: "move", rootPropagation: "rprivate" })), {
    message: `invalid config:\n  rootPropagation: ${move}`, issues: [issue("rootPropagation", move)],
  });
  const chroot = "the chroot strategy runs without a mount namespace, so it must not change propagation; drop rootPropagation or use pivot/move";
  assert.equal(refusal(() => parseConfig({ strategy: "chroot", rootPropagation: "rslave" })), {
    message: `invalid config:\n  rootPropagation: ${chroot}`, issues: [issue("rootPropagation", chroot)],
  });
});

test("config: youki's refusal of a recursive propagation names the one it gave and the plain one to use", () => {
  for (const [given, use] of [["rprivate", "private"], ["rslave", "slave"], ["rshared", "shared"]]) {
    const why = `youki refuses rootfsPropagation ${given}: it knows only shared, private, slave and unbindable (RootfsError::UnknownRootfsPropagation, before its first mount; docs/sources.md#youki); use ${use}`;
    assert.equal(refusal(() => parseConfig({ profile: "youki", rootPropagation: given })), {
      message: `invalid config:\n  rootPropagation: ${why}`, issues: [issue("rootPropagation", why)],
    });
  }
});

test("ConfigSchema (exported, src/index.ts): the static rule is a zod custom issue at rootPropagation", () => {
  const r = ConfigSchema.safeParse({ strategy: "chroot", rootPropagation: "shared" });
  assert.equal(r.error?.issues.map((i) => [i.code, i.path]), [["custom", ["rootPropagation"]]]);
});

test("config: a problem with no field (not an object, an unknown key) is said as (input)", () => {
  const r = refusal(() => parseConfig({ rootfs: "/r", rootFS: "/r" }));
  assert.equal(r.issues.map((i) => i.path), [""]);
  assert.is(r.message, `invalid config:\n  (input): ${r.issues[0]!.message}`);
  assert.match(r.message, /rootFS/);
  assert.match(refusal(() => parseConfig(7)).message, /^invalid config:\n {2}\(input\): \S/);
});

test("config: parsing a parsed config again returns it (explore re-parses thousands of times), frozen", () => {
  const c = parseConfig({ rootfs: "/r" });
  assert.ok(Object.isFrozen(c));
  assert.is(parseConfig(c), c);
  const copy = { ...c };
  assert.is.not(parseConfig(copy), copy, "a look-alike is parsed, not trusted");
});

test("schema config (JSON Schema): each field's description, as `pivotshim schema config` prints it", () => {
  const props = (jsonSchema("config") as { properties: Record<string, { description?: string }> }).properties;
  assert.equal(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, v.description])), {
    rootfs: "the new root: an absolute, clean path",
    profile: "which runtime the plan reproduces",
    strategy: "pivot_root, MS_MOVE+chroot, chroot, or auto",
    rootPropagation: "propagation of / (default: the profile's own)",
    readonly: "remount the new root read-only, where the runtime does",
    prepare: "run the prepare phase (propagation of /, parent walk, self bind)",
    selfBind: "bind the rootfs onto itself during prepare",
    userns: "the container has a user namespace, or the runtime runs in one (crun-1.29 then does not try OPEN_TREE_NAMESPACE)",
  });
});

// --- --fail OP[#N]=ERRNO ------------------------------------------------------------------------

const FAULTS: [string, string][] = [
  ["pivot_root", '"pivot_root" is not OP=ERRNO or OP#N=ERRNO (e.g. pivot_root=EINVAL, umount2#2=EBUSY)'],
  [" pivot_root=EINVAL", '" pivot_root=EINVAL" is not OP=ERRNO or OP#N=ERRNO (e.g. pivot_root=EINVAL, umount2#2=EBUSY)'],
  ["pivot_root=EINVAL,umount2=EBUSY", '"pivot_root=EINVAL,umount2=EBUSY" is not OP=ERRNO or OP#N=ERRNO (e.g. pivot_root=EINVAL, umount2#2=EBUSY)'],
  ["pivotroot=EINVAL", 'unknown op "pivotroot"; expected one of openat, read, close, fchdir, chdir, chroot, pivot_root, mount, umount2, getcwd, sethostname, mkdir, openat2, open_tree, move_mount, setns, mount_setattr'],
  ["pivot_root=EWHAT", 'unknown errno "EWHAT"; expected a name such as EINVAL, EPERM, EBUSY, ENOENT'],
  ["mount#0=EPERM", '"#0": calls are counted from 1'],
];
for (const [spec, why] of FAULTS) {
  test(`--fail ${JSON.stringify(spec)}: ${why.slice(0, 40)}`, () => {
    assert.equal(refusal(() => parseFaults(["close=EBADF", spec])), { message: `invalid fault:\n  fail[1]: ${why}`, issues: [issue("fail[1]", why)] });
  });
}

test("--fail: OP=ERRNO is the first call, OP#N=ERRNO the Nth, N of any width", () => {
  assert.equal(parseFaults(["pivot_root=EINVAL", "umount2#2=EBUSY", "close#12=EINTR", "openat#007=ENOENT"]), [
    { op: "pivot_root", nth: 1, errno: "EINVAL" }, { op: "umount2", nth: 2, errno: "EBUSY" },
    { op: "close", nth: 12, errno: "EINTR" }, { op: "openat", nth: 7, errno: "ENOENT" },
  ]);
});

// --- RunSpec (run()'s second argument) -----------------------------------------------------------

const runSpec = (spec: Record<string, unknown>) => refusal(() => checkRunSpec({ command: "/bin/true", ...spec }));
const one = (path: string, why: string) => ({ message: `invalid run spec:\n  ${path}: ${why}`, issues: [issue(path, why)] });
const C_STRING = "must not contain a NUL byte (the kernel takes C strings)";

test("run spec: a plain one is returned as given; every optional field accepted at its bounds", () => {
  const plain = { command: "/bin/true" };
  assert.is(checkRunSpec(plain), plain);
  const full = {
    command: "/bin/sh", args: ["-c", "true"], env: { PATH: "/bin" }, cwd: "/", rootless: true, pidNamespace: false, uts: true,
    timeoutMs: MAX_TIMEOUT_MS, deadlineMs: 1, stdio: [-1, -1, -1], drive: {}, host: () => null, batch: true, verify: false, final: true,
    signal: new AbortController().signal, hooks: [{ op: "sethostname", name: "box" }],
  };
  assert.is(checkRunSpec(full), full);
  assert.is(checkRunSpec({ command: "/x", env: ["A=b"], stdio: [0, 1, 2], hooks: [] }).command, "/x");
  assert.is(checkRunSpec({ command: "/x", hooks: Array.from({ length: MAX_HOOKS }, () => ({ op: "chdir", path: "/" })) }).command, "/x");
});

test("run spec: command, args, env and cwd are C strings; the command is not empty", () => {
  assert.equal(runSpec({ command: "" }), one("command", "must not be empty"));
  assert.equal(runSpec({ command: "/bin/t\0rue" }), one("command", C_STRING));
  assert.equal(runSpec({ args: ["a", "b\0"] }), one("args.1", C_STRING));
  assert.equal(runSpec({ env: { A: "x\0" } }), one("env.A", C_STRING));
  assert.equal(runSpec({ cwd: "/\0" }), one("cwd", C_STRING));
});

test("run spec: an env list entry must be KEY=VALUE", () => {
  assert.equal(runSpec({ env: ["A=b", "NOEQUALS"] }).issues, [issue("env.1", 'must be "KEY=VALUE"')]);
});

test("run spec: timeoutMs and deadlineMs are whole milliseconds from 1 to 2^31 - 1", () => {
  const max = `must be at most ${MAX_TIMEOUT_MS} ms (2^31 - 1, the longest wait a Node timer takes)`;
  assert.equal(runSpec({ timeoutMs: 0 }), one("timeoutMs", "must be at least 1 ms"));
  assert.equal(runSpec({ timeoutMs: 1.5 }), one("timeoutMs", "must be a whole number of milliseconds"));
  assert.equal(runSpec({ timeoutMs: 2 ** 31 }), one("timeoutMs", max));
  assert.equal(runSpec({ deadlineMs: 2 ** 31 }), one("deadlineMs", max));
});

test("run spec: stdio is three fds, -1 (none) the lowest", () => {
  for (const at of [0, 1, 2]) {
    const stdio = [0, 1, 2];
    stdio[at] = -2;
    assert.equal(runSpec({ stdio }).issues.map((i) => i.path), [`stdio.${at}`]);
  }
});

test("run spec: drive is an object, host a function, signal an AbortSignal", () => {
  for (const drive of [null, 5, "x"]) assert.equal(runSpec({ drive }), one("drive", "must be an object (DriveOptions)"));
  for (const host of [{}, 5]) assert.equal(runSpec({ host }), one("host", "must be a function"));
  assert.equal(runSpec({ signal: {} }), one("signal", "must be an AbortSignal"));
});

test("run spec: at most MAX_HOOKS hooks; sethostname only with uts: true (it would rename the host)", () => {
  const hooks = Array.from({ length: MAX_HOOKS + 1 }, () => ({ op: "chdir", path: "/" }));
  assert.equal(runSpec({ hooks }), one("hooks", `at most ${MAX_HOOKS} hooks`));
  const uts = "sethostname needs uts: true (a UTS namespace of the executor's own); without one it would rename the host";
  const rename = [{ op: "chdir", path: "/" }, { op: "sethostname", name: "box" }];
  assert.equal(runSpec({ hooks: rename }), one("hooks.1", uts));
  assert.equal(runSpec({ hooks: rename, uts: false }), one("hooks.1", uts));
  assert.is(checkRunSpec({ command: "/x", hooks: [{ op: "chdir", path: "/" }] }).command, "/x");
});

// --- the options of plan, check and explore --------------------------------------------------------

const HOST = "must be a host: an object with an exec(request) method";

test("plan, check and explore options: kernel is 6.18 or 7.0, and a refusal says which it got", () => {
  for (const [schema, what] of [[PlanOptionsSchema, "plan options"], [CheckOptionsSchema, "check options"], [ExploreOptionsSchema, "explore options"]] as const) {
    for (const kernel of ["6.18", "7.0"]) assert.ok(checkOptions(schema, { kernel }, what));
    for (const [kernel, shown] of [["6.1", '"6.1"'], [7, "7"]] as const) {
      const why = `must be one of 6.18, 7.0 (the Linux versions the models answer as), not ${shown}`;
      assert.equal(refusal(() => checkOptions(schema, { kernel }, what)), { message: `invalid ${what}:\n  kernel: ${why}`, issues: [issue("kernel", why)] });
    }
  }
});

test("plan options: host is an object with an exec method", () => {
  const opts = { host: { exec: () => ({ ret: 0 }) } };
  assert.is(checkOptions(PlanOptionsSchema, opts, "plan options"), opts);
  for (const host of [null, 5, {}, { exec: 1 }]) {
    assert.equal(refusal(() => checkOptions(PlanOptionsSchema, { host }, "plan options")), {
      message: `invalid plan options:\n  host: ${HOST}`, issues: [issue("host", HOST)],
    });
  }
});

test("check and explore options: rootfs facts of every kind, scenario, mountinfo, faults, double accepted", () => {
  const rootfsFacts = [{ path: "/srv", kind: "dir" }, { path: "/srv/a", kind: "file" }, { path: "/srv/b", kind: "missing" }, { path: "/srv/c", kind: "symlink", target: "/d" }];
  const check = { scenario: "docker-host", mountinfo: "", faults: ["close=EBADF"], rootfsFacts };
  assert.is(checkOptions(CheckOptionsSchema, check, "check options"), check);
  const explore = { double: true, onProgress: () => {}, scenario: "initramfs", mountinfo: "", rootfsFacts };
  assert.is(checkOptions(ExploreOptionsSchema, explore, "explore options"), explore);
  assert.equal(refusal(() => checkOptions(CheckOptionsSchema, { rootfsFacts: [{ path: "/s", kind: "symlink" }] }, "check options")).issues.map((i) => i.path), ["rootfsFacts.0"]);
  assert.match(refusal(() => checkOptions(ExploreOptionsSchema, { duoble: true }, "explore options")).message, /^invalid explore options:\n {2}\(input\): .*duoble/);
});

test.run();
