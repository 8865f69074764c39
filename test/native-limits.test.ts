// The executor under a low open-file limit: the child keeps its channel above wire.kChannelFdMin,
// so with RLIMIT_NOFILE at or below it the child cannot even set up. It must say so (an
// EnvironmentError naming the limit), not vanish with status 0. The limit is lowered with
// prlimit(1) on a child Node that has already loaded everything (Node itself needs ~100 fds to load).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { eitherMode, nativeTest } from "./helpers/native-env.js";

const { mode, reason } = await eitherMode();
const test = suite(`native limits (${mode})`);
const repo = fileURLToPath(new URL("..", import.meta.url));
const prlimit = spawnSync("prlimit", ["--version"]).status === 0 ? null : "prlimit(1) is not installed";

const SCRIPT = `
import { spawnSync } from "node:child_process";
const { spawnExecutor } = await import(${JSON.stringify(`${repo}src/hosts/native.ts`)});
const { EnvironmentError } = await import(${JSON.stringify(`${repo}src/errors.ts`)});
const n = process.argv.at(-1);
const lowered = spawnSync("prlimit", ["--pid", String(process.pid), "--nofile=" + n + ":" + n]);
if (lowered.status !== 0) { console.log("prlimit failed: " + lowered.stderr); process.exit(9); }
try { await (await spawnExecutor({ rootless: ${mode === "rootless"} })).close(); console.log("ok"); }
catch (e) { console.log((e instanceof EnvironmentError ? "EnvironmentError: " : e.name + ": ") + e.message); }
`;

const withLimit = (n: number) => spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", SCRIPT, String(n)], { cwd: repo, encoding: "utf8", timeout: 30000 });

nativeTest(test, reason ?? prlimit, "RLIMIT_NOFILE 64: the executor says the limit is too low (EnvironmentError), it does not just vanish", () => {
  const r = withLimit(64);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^EnvironmentError: the open-file limit \(RLIMIT_NOFILE\) is too low: the executor keeps its channel above fd 64; raise it, e\.g\. ulimit -n 1024 \(move the channel .*: EINVAL\)\n$/);
  const ok = withLimit(1024);
  assert.is(ok.stdout, "ok\n", ok.stderr);
});

test.run();
