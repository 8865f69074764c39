// The Markdown audit: its sections, the step table, the failure groups from explore(), findings
// derived from the requests (runc's old root without O_CLOEXEC; none for hardened) and the
// profile's deviations. Also that `plan --format markdown` routes here.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { plan } from "../src/plan.js";
import { formatMarkdown, findings } from "../src/format/markdown.js";
import { PROFILES } from "../src/schema.js";
import type { Trace } from "../src/trace.js";

const md = (t: Trace) => formatMarkdown(t);
const ids = (t: Trace) => findings(t).map((f) => f.id);
/** The text of one `## Title` section, up to the next `## `. */
function section(text: string, title: string): string {
  const start = text.indexOf(`\n## ${title}`);
  assert.ok(start >= 0, `no section "${title}"`);
  const end = text.indexOf("\n## ", start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

const runc = plan({ rootfs: "/r", profile: "runc", strategy: "pivot" });
const runcMd = md(runc);

test("header, steps, failures, findings and deviations, in that order", () => {
  assert.match(runcMd, /^# Root switch audit: runc, pivot\n/);
  const order = ["## Steps", "## What happens when it fails", "## Findings", "## Deviations from runc"].map((h) => runcMd.indexOf(h));
  assert.ok(order.every((i, k) => i > 0 && (k === 0 || i > order[k - 1]!)), String(order));
  assert.match(runcMd, /\| config \| `\{"rootfs":"\/r","profile":"runc","strategy":"pivot",/);
  assert.match(runcMd, /\| host \| dry-run \|/);
  assert.match(runcMd, /\| outcome \| done \|/);
});

test("one table row per request: number, step, call (pipes escaped), result, reason", () => {
  const rows = section(runcMd, "Steps").split("\n").filter((l) => /^\| \d+ \|/.test(l));
  assert.is(rows.length, runc.steps.length);
  assert.is(rows[0], '| 1 | propagate_root | `mount("", "/", "", MS_REC\\|MS_SLAVE, NULL)` | 0 | ' + runc.steps[0]!.request.reason.replace(/\|/g, "\\|") + " |");
  assert.match(rows[7]!, /^\| 8 \| pivot_root \| `pivot_root\("\.", "\."\)` \| 0 \| /);
});

test("failures are grouped by outcome, with the cleanup, and handled errnos are said to be handled", () => {
  const f = section(runcMd, "What happens when it fails");
  assert.match(f, /### 8\. pivot_root: `pivot_root\("\.", "\."\) = 0`\n\n- \*\*EBUSY, EINVAL, ENOTDIR, EPERM, EACCES, ELOOP, ENAMETOOLONG, ENOENT, ENOMEM\*\*: fails with `error jailing process inside rootfs: pivot_root \.: <error>` after `close\(4\)`, `close\(3\)`\n/);
  assert.match(f, /- \*\*EINVAL\*\*: handled: `mount\("", "\/", "", MS_PRIVATE, NULL\)`, then continues at step 3 /);
  assert.match(f, /### 1\. propagate_root: .*\n\n- \*\*EACCES, .*: fails with `error preparing rootfs: mount dst=\/, flags=MS_REC\|MS_SLAVE: <error>`; nothing to clean up\n/);
  const hardened = section(md(plan({ rootfs: "/r", profile: "hardened", strategy: "pivot" })), "What happens when it fails");
  assert.match(hardened, /umount2\("\.", MNT_DETACH\) = -1 EINVAL \(Invalid argument\)`\n\n(- .*\n)*- \*\*EINVAL\*\*: handled: the plan's own result here; the run continues at step \d+ \(`chdir\("\/"\)`\)/);
});

test("runc: the old root opened without O_CLOEXEC, a single detach, no getcwd check", () => {
  const f = section(runcMd, "Findings");
  assert.match(f, /- \*\*old root opened without O_CLOEXEC\*\* \(step 6, `openat\(AT_FDCWD, "\/", O_RDONLY\|O_PATH\|O_DIRECTORY\)`\)/);
  assert.equal(ids(runc), ["no-cloexec", "single-detach", "no-getcwd"]);
});

test("hardened has none of them, for pivot and auto", () => {
  for (const strategy of ["pivot", "auto"] as const) {
    const t = plan({ rootfs: "/r", profile: "hardened", strategy });
    assert.equal(ids(t), [], strategy);
    const f = section(md(t), "Findings");
    assert.not.match(f, /O_CLOEXEC/);
    assert.match(f, /None\./);
  }
});

test("findings come from the requests: drop O_CLOEXEC or the rslave from a hardened trace and they appear", () => {
  const t = structuredClone(plan({ rootfs: "/r", profile: "hardened", strategy: "pivot" }));
  const old = t.steps.find((s) => s.request.step === "open_old_root")!.request as { flags: number };
  old.flags &= ~0o2000000;
  t.steps = t.steps.filter((s) => s.request.step !== "old_root_propagation" && s.request.op !== "getcwd");
  assert.equal(ids(t), ["no-cloexec", "old-root-propagation", "no-getcwd"]);
  const leak = structuredClone(t);
  leak.steps = leak.steps.filter((s) => s.request.step !== "close_old_root");
  assert.ok(findings(leak).some((f) => f.id === "fd-open-at-end" && f.title === "fd 4 (old root) still open at Done"));
});

test("move: the shadow tree finding; chroot: the chroot-only finding", () => {
  assert.ok(ids(plan({ rootfs: "/r", profile: "hardened", strategy: "move" })).includes("move-onto-root"));
  assert.match(md(plan({ rootfs: "/r", profile: "runc", strategy: "move" })), /\*\*the rootfs is moved onto \/ with MS_MOVE\*\*.*systemd PR #25506/);
  assert.equal(ids(plan({ rootfs: "/r", profile: "hardened", strategy: "chroot" })), ["chroot-only"]);
});

test("each profile lists its own deviations", () => {
  const dev = (p: (typeof PROFILES)[number]) => section(md(plan({ rootfs: "/r", profile: p, strategy: "pivot" })), "Deviations");
  assert.match(dev("hardened"), /O_CLOEXEC on|O_CLOEXEC \(runc omits it/);
  assert.match(dev("hardened"), /until umount2 says EINVAL/);
  assert.match(dev("crun"), /through \/proc\/self\/fd\/N .* instead of a dup\(\)/);
  assert.match(dev("runc-1.1"), /Debian's CVE-2024-21626 backport/);
});

test("plan --format markdown routes to the audit", () => {
  const CLI = new URL("../src/cli.ts", import.meta.url).pathname;
  const r = spawnSync(process.execPath, ["--import", "tsx", CLI, "plan", "--host", "dry-run", "--rootfs", "/r", "--profile", "runc", "--strategy", "pivot", "--format", "markdown"], { encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, runcMd);
});

test.run();
