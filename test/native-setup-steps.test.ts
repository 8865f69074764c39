// Each set-up step of the executor child, failed for real, is reported by name and becomes one
// clear EnvironmentError: the child never exits 0 silently. A step is failed through the public
// surface: a stdio fd that is not open, or strace's fault injection (strace -f -e inject=SYSCALL:
// error=E:when=N counts per process, so N picks the child's own Nth call; Node's main thread makes
// no prctl, dup2, close_range or unshare call of its own here). The child's exit status names
// the step's class too (wire.kExitSetup), so a lost hello would still say what happened.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { EnvironmentError } from "../src/errors.js";
import { eitherMode, nativeTest, rejects } from "./helpers/native-env.js";

const { mode, reason, spawn } = await eitherMode();
const test = suite(`native set-up steps (${mode})`);
const repo = fileURLToPath(new URL("..", import.meta.url));
const strace = spawnSync("strace", ["-V"]).status === 0 ? null : "strace is not installed";

nativeTest(test, reason, "a stdio fd that is not open: named as such (EBADF), not as the channel move", async () => {
  for (const i of [0, 1, 2]) {
    const stdio: [number, number, number] = [-1, -1, -1];
    stdio[i] = 100000;  // above any RLIMIT_NOFILE here, so never open
    const err = await rejects(() => spawn({ stdio }), EnvironmentError);
    assert.is(err.message, `stdio[${i}] is not an open file descriptor: pass an open fd, or -1 to keep Node's (copy stdio[${i}] above the channel (F_DUPFD_CLOEXEC): EBADF)`);
  }
});

const SCRIPT = `
const { spawnExecutor } = await import(${JSON.stringify(`${repo}src/hosts/native.ts`)});
const { EnvironmentError } = await import(${JSON.stringify(`${repo}src/errors.ts`)});
try { await (await spawnExecutor({ rootless: ${mode === "rootless"}, stdio: [1, 2, 2] })).close(); console.log("ok"); }
catch (e) { console.log((e instanceof EnvironmentError ? "EnvironmentError: " : e.name + ": ") + e.message); }
`;

/** Runs SCRIPT under strace with one injected failure; returns its line and what strace saw. */
function injected(inject: string): { line: string; trace: string } {
  const syscall = inject.split(":")[0]!;
  const r = spawnSync("strace", ["-f", "-qq", "--seccomp-bpf", `-etrace=${syscall}`, `-einject=${inject}`,
    process.execPath, "--import", "tsx", "--input-type=module", "-e", SCRIPT], { cwd: repo, encoding: "utf8", timeout: 60000 });
  assert.is(r.status, 0, r.stderr);
  return { line: r.stdout, trace: r.stderr };
}

const steps: [string, string, RegExp][] = [
  ["prctl:error=EINVAL:when=1", "prctl(PR_SET_PDEATHSIG, SIGKILL)",
    /^EnvironmentError: the executor cannot arrange to die with this process, so it refuses to start \(prctl\(PR_SET_PDEATHSIG, SIGKILL\): EINVAL\)\n$/],
  ["dup2:error=EBUSY:when=1", "install stdio[0] as fd 0",
    /^EnvironmentError: cannot set up the executor \(install stdio\[0\] as fd 0 \(dup2\): EBUSY\)\n$/],
  ["close_range:error=EINVAL:when=2", "close the inherited fds",
    /^EnvironmentError: cannot set up the executor \(close the inherited fds \(close_range\): EINVAL\)\n$/],
  mode === "root"
    ? ["unshare:error=EPERM:when=1", "unshare(CLONE_NEWNS)", /^EnvironmentError: needs root or --rootless \(unshare\(CLONE_NEWNS\): EPERM\)\n$/]
    : ["unshare:error=ENOSPC:when=1", "unshare(CLONE_NEWUSER|CLONE_NEWNS)", /^EnvironmentError: user namespaces are disabled: .*\(unshare\(CLONE_NEWUSER\|CLONE_NEWNS\): ENOSPC\)\n$/],
];
for (const [inject, step, expected] of steps) {
  nativeTest(test, reason ?? strace, `${step} fails (strace -e inject=${inject}): one EnvironmentError naming it`, () => {
    const { line, trace } = injected(inject);
    assert.match(trace, /\(INJECTED\)/, "strace did fail the call");
    assert.match(line, expected);
    // The steps before the namespaces exit with kExitSetup (121) after their hello: never a silent 0.
    if (!step.startsWith("unshare")) assert.match(trace, /exited with 121 \+\+\+|si_status=121/);
  });
}

test.run();
