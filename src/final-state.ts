// The state a switch left, as a trace records it (src/trace.ts FinalState): read from a live
// executor child's /proc entries by the parent (run --trace-out), or taken from the fake kernel
// (plan). Reads only; never acts on the child.
import { readFileSync, readlinkSync } from "node:fs";
import type { FakeKernel } from "./hosts/fake/index.js";
import { pathFrom } from "./hosts/fake/resolve.js";
import type { FinalState } from "./trace.js";
import { decodeBytes } from "./utf8.js";

/**
 * The child's own /proc/<pid>/mountinfo (listed from its root) and readlink of its root and cwd,
 * as this process names them. Read before exec, while the child waits for its next request.
 * Null when /proc does not let us read them (the trace then has no `final`, as older traces).
 */
export function finalOfChild(pid: number): FinalState | null {
  try {
    const link = (what: string) => decodeBytes(readlinkSync(`/proc/${pid}/${what}`, { encoding: "buffer" }));
    return { mountinfo: decodeBytes(readFileSync(`/proc/${pid}/mountinfo`)), root: link("root"), cwd: link("cwd") };
  } catch {
    return null;
  }
}

/**
 * The fake kernel's current process, named the same way: d_path from the host process's root.
 * readlink(2) of /proc/<pid>/root marks nothing unreachable (only getcwd does): a root in another
 * mount namespace is named from that namespace's root, "/" after a pivot (seen on Linux 6.18).
 */
export function finalOfModel(k: FakeKernel): FinalState {
  const seen = (pos: typeof k.process.root) => pathFrom(k.state, pos, k.hostProcess.root).path;
  return { mountinfo: k.mountinfo(), root: seen(k.process.root), cwd: seen(k.process.cwd) };
}
