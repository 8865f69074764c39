// The runc pivotRoot sequence, hand-written as Requests, for native tests that run before (or
// without) the machine. fds come from the results, as a real driver would feed them back.
import * as abi from "../../src/abi.js";
import { isErr, type Request, type Result } from "../../src/request.js";
import { errnoName } from "../../src/names-ts.js";
import type { AsyncHost } from "../../src/hosts/host.js";

type Call = Request extends infer R ? (R extends unknown ? Omit<R, "seq" | "step" | "reason"> : never) : never;
interface Fds { newRoot: number; oldRoot: number }
interface Step { step: string; call(fds: Fds): Call; save?: keyof Fds }

/** runc's plan for rootfs `r` (libcontainer/rootfs_linux.go), with its flags. */
export function runcSteps(r: string): Step[] {
  const slave = abi.MS_REC | abi.MS_SLAVE;
  return [
    { step: "propagate_root", call: () => ({ op: "mount", source: "", target: "/", filesystemtype: "", mountflags: slave, data: "" }) },
    { step: "self_bind", call: () => ({ op: "mount", source: r, target: r, filesystemtype: "bind", mountflags: abi.MS_BIND | abi.MS_REC, data: "" }) },
    { step: "open_root", save: "newRoot", call: () => ({ op: "openat", dirfd: abi.AT_FDCWD, pathname: r, flags: abi.O_RDONLY | abi.O_CLOEXEC | abi.O_PATH | abi.O_DIRECTORY, mode: 0 }) },
    { step: "enter_root", call: (f) => ({ op: "fchdir", fd: f.newRoot }) },
    { step: "open_old_root", save: "oldRoot", call: () => ({ op: "openat", dirfd: abi.AT_FDCWD, pathname: "/", flags: abi.O_RDONLY | abi.O_PATH | abi.O_DIRECTORY, mode: 0 }) },
    { step: "fchdir_new_root", call: (f) => ({ op: "fchdir", fd: f.newRoot }) },
    { step: "pivot_root", call: () => ({ op: "pivot_root", new_root: ".", put_old: "." }) },
    { step: "fchdir_old_root", call: (f) => ({ op: "fchdir", fd: f.oldRoot }) },
    { step: "old_root_propagation", call: () => ({ op: "mount", source: "", target: ".", filesystemtype: "", mountflags: slave, data: "" }) },
    { step: "detach_old_root", call: () => ({ op: "umount2", target: ".", flags: abi.MNT_DETACH }) },
    { step: "chdir_root", call: () => ({ op: "chdir", path: "/" }) },
    { step: "close_old_root", call: (f) => ({ op: "close", fd: f.oldRoot }) },
    { step: "close_root", call: (f) => ({ op: "close", fd: f.newRoot }) },
  ];
}

export interface Ran { req: Request; res: Result }

/** Runs the steps in order (through `until`, inclusive); throws naming the step on an errno. */
export async function runSteps(host: AsyncHost, steps: Step[], until?: string): Promise<Ran[]> {
  const fds: Fds = { newRoot: -1, oldRoot: -1 };
  const log: Ran[] = [];
  for (const s of steps) {
    const req = { seq: log.length, step: s.step, reason: "runc pivotRoot (native test plan)", ...s.call(fds) } as Request;
    const res = await host.exec(req);
    log.push({ req, res });
    if (isErr(res)) throw new Error(`${s.step} (${req.op}): ${errnoName(res.errno)}`);
    if (s.save) fds[s.save] = res.ret;
    if (s.step === until) break;
  }
  return log;
}

export interface ProbeReport { cwd: string; rootIsRoot: boolean; fds: number[]; uid: number; gid: number }

/**
 * One whole run in a fresh rootfs: spawn, runc switch, optional inspection while the child is
 * paused after the switch, then execve("/probe") with stdout captured. Always reaps and cleans up.
 */
export async function probeRun(
  env: { makeRootfs(): { dir: string; cleanup(): void }; capture(): { writeFd: number; text: Promise<string>; closeWriteEnd(): void } },
  spawn: (stdio: [number, number, number]) => Promise<import("../../src/hosts/native.js").Executor>,
  inspect?: (ex: import("../../src/hosts/native.js").Executor, rootfs: string) => Promise<void> | void,
): Promise<{ report: ProbeReport; exit: unknown; log: Ran[] }> {
  const rootfs = env.makeRootfs();
  const out = env.capture();
  let ex: import("../../src/hosts/native.js").Executor | undefined;
  try {
    ex = await spawn([-1, out.writeFd, -1]);
    out.closeWriteEnd();  // the child holds its copy; EOF comes when the command exits
    const log = await runSteps(ex, runcSteps(rootfs.dir));
    if (inspect) {
      await ex.pause();
      await inspect(ex, rootfs.dir);
      await ex.resume();
    }
    const exit = await ex.execve("/probe", ["probe"], ["PATH=/"], "/");
    const report = JSON.parse(await out.text) as ProbeReport;
    return { report, exit, log };
  } finally {
    out.closeWriteEnd();
    await ex?.kill();
    rootfs.cleanup();
  }
}
