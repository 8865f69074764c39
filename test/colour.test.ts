// Colour only on a terminal, and never with NO_COLOR: the CLI run under a pseudo-terminal
// (util-linux script(1)) paints; the same under NO_COLOR, or into a pipe, does not.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const CLI = new URL("../dist/cli/pivotshim.cjs", import.meta.url).pathname;
const ESC = "\u001b[";
const env = (extra: Record<string, string>) => {
  const e: Record<string, string> = { ...(process.env as Record<string, string>), ...extra };
  delete e.FORCE_COLOR; // uvu sets it for itself
  return e;
};
const viaTty = (extra: Record<string, string>) =>
  spawnSync("script", ["-qfec", `${process.execPath} ${CLI} plan --rootfs /r --profile runc --fail pivot_root=EINVAL`, "/dev/null"],
    { encoding: "utf8", env: env(extra) });

const noScript = !existsSync("/usr/bin/script");
if (noScript) console.error("SKIP colour on a terminal: script(1) from util-linux is not installed, so no pseudo-terminal can be made");
const ttyTest = noScript ? test.skip : test;

ttyTest("on a terminal: the outcome and the message are coloured", () => {
  const r = viaTty({});
  assert.ok(r.stdout.includes(`${ESC}31m# failed: error jailing process`), JSON.stringify(r.stdout.slice(-300)));
});

ttyTest("on a terminal with NO_COLOR: no escape codes", () => {
  const r = viaTty({ NO_COLOR: "1" });
  assert.ok(r.stdout.includes("# failed: error jailing process"));
  assert.not.ok(r.stdout.includes(ESC));
});

test("into a pipe: no escape codes (even with CI set)", () => {
  const r = spawnSync(process.execPath, [CLI, "plan", "--fail", "pivot_root=EINVAL"], { encoding: "utf8", env: env({ CI: "true" }) });
  assert.is(r.status, 1);
  assert.not.ok(r.stdout.includes(ESC) || r.stderr.includes(ESC));
});

test.run();
