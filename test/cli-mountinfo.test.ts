// `--mountinfo FILE` as a user meets it: a file the machine's grammar refuses, or a table that is
// not a tree, is bad input (exit 2, one line naming the file and the line, nothing on stdout,
// before any request); and the file's bytes reach the plan exactly (0xff stays \377, not U+FFFD).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CLI = new URL("../dist/cli/pivotshim.cjs", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "pivotshim-cli-mountinfo-"));
let n = 0;
const file = (content: string | Uint8Array) => {
  const p = join(dir, `t${n++}.mountinfo`);
  writeFileSync(p, content);
  return p;
};
const run = (...args: string[]) => {
  // The timeout turns a hang (the bug this guards against) into a failure instead of a stuck suite.
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

const ROOT = "21 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw";

const BAD: [string, string, string, RegExp][] = [
  ["the grammar (x x ids)", "plan", `${ROOT}\nx x 0:29 / /mnt rw - tmpfs tmpfs rw\n`, /: malformed mountinfo, line 2: mount ID and parent ID must be decimal numbers$/],
  ["the grammar, on the dry-run host too", "plan --host dry-run", `${ROOT}\n30 21 0:29 / /mnt rw x tmpfs tmpfs rw\n`, /: malformed mountinfo, line 2: missing - separator$/],
  ["a cycle through / (30 -> 31 -> 30)", "plan", "30 31 8:1 / / rw - ext4 /dev/sda1 rw\n31 30 0:29 / /x rw - tmpfs tmpfs rw\n", /line 1: mount 30 is its own ancestor \(parent IDs 30 -> 31 -> 30\)$/],
  ["a dangling parent", "explore", `${ROOT}\n30 99 0:29 / /a rw - tmpfs tmpfs rw\n`, /line 2: parent ID 99 of mount 30 is not listed/],
  ["a duplicate id", "diff --host fake-kernel --strace /dev/null", `${ROOT}\n21 21 0:29 / /a rw - tmpfs tmpfs rw\n`, /line 2: mount ID 21 is already used on line 1$/],
  ["no mount at /", "plan", "30 21 0:29 / /a rw - tmpfs tmpfs rw\n", /no mount at \//],
];

for (const [what, cmd, content, message] of BAD) {
  test(`${cmd} --mountinfo: ${what} is exit 2, one line on stderr, nothing on stdout`, () => {
    const r = run(...cmd.split(" "), "--mountinfo", file(content));
    assert.is(r.code, 2, r.stderr);
    assert.is(r.stdout, "");
    assert.is(r.stderr.split("\n").length, 2, r.stderr);
    assert.match(r.stderr.trimEnd(), message);
  });
}

/** A mount point whose name ends in the byte 0xff, which is not UTF-8. */
const WITH_FF = Buffer.concat([Buffer.from(`${ROOT}\n23 21 0:5 / /proc rw - proc proc rw\n22 21 0:4 / /mnt/`), Buffer.from([0xff]), Buffer.from("x rw - proc proc rw\n")]);

for (const host of ["dry-run", "fake-kernel"]) {
  test(`plan --host ${host}: a 0xff byte in a mount point reaches the plan as \\377, not U+FFFD`, () => {
    const r = run("plan", "--host", host, "--profile", "runc", "--strategy", "move", "--rootfs", "/r", "--format", "strace", "--mountinfo", file(WITH_FF));
    assert.is(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes('umount2("/mnt/\\377x", MNT_DETACH) = 0\n'), r.stdout);
    assert.not.ok(r.stdout.includes("\\357\\277\\275"), "U+FFFD in the plan");
  });
}

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
