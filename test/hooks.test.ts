// src/hooks.ts without a kernel: hook requests numbered on from the machine's steps, the run
// stopping at the first hook that fails (the later ones never run), the same answers from the
// synchronous and the asynchronous runner, and the rootfs paths each kind of hook names.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { EACCES, MS_BIND, MS_REC } from "../src/abi.js";
import { HOOK_STEP, hookPaths, runHooks, runHooksAsync, type Hook } from "../src/hooks.js";
import { RecordingHost } from "../src/hosts/recording.js";
import type { Host } from "../src/hosts/host.js";

const HOOKS: Hook[] = [
  { op: "mount", source: "tmpfs", target: "/run", filesystemtype: "tmpfs", mountflags: 0, data: null, reason: "a scratch /run" },
  { op: "chdir", path: "/denied" },
  { op: "sethostname", name: "never-run" },
];
/** A dry-run answer for everything, but EACCES for chdir("/denied"). */
const failing = (): RecordingHost => new RecordingHost({ kind: "custom", exec: (r) => (r.op === "chdir" && r.path === "/denied" ? { errno: EACCES } : { ret: 0 }) } satisfies Host);

test("hooks are numbered on from the machine's steps, step \"hook\", the given reason or a default one", () => {
  const r = runHooks(failing(), HOOKS, 16);
  assert.equal(r.steps.map((s) => [s.request.seq, s.request.step, s.request.reason]),
    [[16, HOOK_STEP, "a scratch /run"], [17, HOOK_STEP, "hook 2 of the caller, between the switch and exec"]]);
});

test("the first hook that fails ends the run: it is recorded with its errno, and the ones after it never run", async () => {
  const host = failing();
  const r = runHooks(host, HOOKS, 0);
  assert.equal(r.failed, { hook: 1, errno: EACCES });
  assert.equal(r.steps.map((s) => ("errno" in s.result ? s.result.errnoName : s.result.ret)), [0, "EACCES"]);
  assert.equal(host.calls("sethostname"), [], "the third hook never ran");
  const async = await runHooksAsync({ exec: async (req) => failing().exec(req) }, HOOKS, 0);
  assert.equal(async, r, "the asynchronous runner gives the same");
  assert.equal(runHooks(failing(), [HOOKS[0]!, HOOKS[2]!], 0).failed, null);
});

test("the paths a hook names, as the new root sees them (what the prediction lstat()s in the rootfs)", () => {
  const rows: [Hook, string[]][] = [
    [{ op: "mount", source: "proc", target: "/proc", filesystemtype: "proc", mountflags: 0, data: null }, ["/proc"]],
    [{ op: "mount", source: "/etc", target: "mnt", filesystemtype: null, mountflags: MS_BIND | MS_REC, data: null }, ["/etc", "/mnt"]],
    [{ op: "umount2", target: "/run", flags: 0 }, ["/run"]],
    [{ op: "openat", dirfd: 3, pathname: "x", flags: 0, mode: 0 }, []],
    [{ op: "sethostname", name: "box" }, []],
  ];
  assert.equal(rows.map(([h]) => hookPaths(h)), rows.map(([, want]) => want));
});

test.run();
