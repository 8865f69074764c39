// Node killed while the executor's command is alive: the command must die with it
// (host/child.cc sets PR_SET_PDEATHSIG to SIGKILL, and execve keeps it). Without it a command
// exec'd in the new root outlives its runtime unseen; no test caught its removal (issue 11).
// Waits for events (the command's "up" on a pipe, then EOF on that pipe when it dies), not times.
// Root, or rootless when not root.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import type { Readable } from "node:stream";
import { eitherMode, nativeTest } from "./helpers/native-env.js";

const { mode, reason } = await eitherMode();
const test = suite(`native parent death (${mode})`);

const NATIVE = new URL("../src/hosts/native.ts", import.meta.url).href;
// The middle process: an executor whose stdout is our pipe (its fd 3), exec'ing a shell that says
// "up" and then sleeps. It prints the executor's pid first, for the clean-up if the test fails.
const MIDDLE = `
import { spawnExecutor } from ${JSON.stringify(NATIVE)};
const ex = await spawnExecutor({ rootless: ${mode === "rootless"}, stdio: [-1, 3, -1] });
process.stdout.write(ex.pid + "\\n");
await ex.execve("/bin/sh", ["sh", "-c", "echo up; exec sleep 100000"], ["PATH=/usr/bin:/bin"]);
`;

/** Resolves with the first line read from `s`, or null at its end. */
function firstLine(s: Readable): Promise<string | null> {
  return new Promise((resolve) => {
    let text = "";
    const onData = (b: Buffer) => {
      text += b.toString();
      const nl = text.indexOf("\n");
      if (nl >= 0) { s.off("data", onData); s.off("end", onEnd); resolve(text.slice(0, nl)); }
    };
    const onEnd = () => resolve(null);
    s.on("data", onData);
    s.once("end", onEnd);
  });
}

nativeTest(test, reason, "SIGKILL to Node kills the executor's exec'd command (PR_SET_PDEATHSIG)", async () => {
  const middle = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", MIDDLE], { stdio: ["ignore", "pipe", "inherit", "pipe"] });
  const gone = new Promise((r) => middle.once("exit", r));
  const pipe = middle.stdio[3] as Readable;
  let pid = 0;
  try {
    pid = Number(await firstLine(middle.stdout!));
    assert.ok(pid > 0, "the middle process reported the executor's pid");
    assert.is(await firstLine(pipe), "up", "the command runs, its stdout on our pipe");
    const ended = new Promise<void>((r) => { pipe.resume(); pipe.once("end", () => r()); pipe.once("close", () => r()); });
    middle.kill("SIGKILL");
    await gone;
    // The command holds the pipe's only other end: EOF means it died. The bound only keeps a
    // failing run from hanging the suite; it is not a speed figure.
    let bounded!: NodeJS.Timeout;
    const outcome = await Promise.race([ended.then(() => "died"), new Promise((r) => { bounded = setTimeout(() => r("alive"), 30_000); })]);
    clearTimeout(bounded);
    assert.is(outcome, "died", `the command (pid ${pid}) outlived the Node process that ran it`);
  } finally {
    middle.kill("SIGKILL");
    if (pid > 0 && existsSync(`/proc/${pid}`)) { try { process.kill(pid, "SIGKILL"); } catch { /* gone */ } }
  }
});

test.run();
