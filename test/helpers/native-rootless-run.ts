// Run by test/native-rootless.test.ts as an unprivileged user (setpriv): one rootless run of the
// runc switch + probe, and the error a non-root user gets without --rootless. Prints one JSON line.
import { spawnExecutor } from "../../src/hosts/native.js";
import { capture, hostMountinfo, leftoverRootfs, makeRootfs } from "./native-env.js";
import { probeRun } from "./native-plan.js";

const before = hostMountinfo();
const left = leftoverRootfs();
const out: Record<string, unknown> = { uid: process.getuid?.(), gid: process.getgid?.() };
try {
  const run = await probeRun({ makeRootfs, capture }, (stdio) => spawnExecutor({ rootless: true, stdio }));
  out.report = run.report;
  out.exit = run.exit;
} catch (e) {
  out.error = (e as Error).message;
}
try {
  await (await spawnExecutor({ rootless: false })).close();
  out.rootError = null;
} catch (e) {
  out.rootError = (e as Error).message;
}
out.hostUnchanged = hostMountinfo() === before;
out.noLeftovers = JSON.stringify(leftoverRootfs()) === JSON.stringify(left);
process.stdout.write(`${JSON.stringify(out)}\n`);
