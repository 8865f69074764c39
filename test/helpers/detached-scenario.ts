// The scaffolding of the detached-tree scenarios (test/native-detached-*.test.ts). Each scenario
// runs the same calls on the real kernel (the executor child) and on the fake kernel, under a
// private tmpfs at `base`, and gives back "what: errno" for each call it names, then the mounts
// under base as "path tags" (peer group numbers dropped: they differ between the two).
import * as abi from "../../src/abi.js";
import type { Request, Result } from "../../src/request.js";
import { readMountinfo } from "./native-env.js";

export type Bare = Request extends infer R ? R extends unknown ? Omit<R, "seq" | "step" | "reason"> : never : never;
export type Exec = (r: Request) => Promise<Result> | Result;

export interface Scenario {
  /** Runs `r`; a named call is logged with its errno, a set-up call (null) must succeed. Returns ret (-1 on an error). */
  call(what: string | null, r: Bare): Promise<number>;
  at(path: string): string;
  /** A tmpfs mounted at base/path. */
  tmpfs(path: string): Bare;
  /** mkdir of each base/path, in order (set-up). */
  mkdir(...paths: string[]): Promise<void>;
  /** The log, then the mounts under base. */
  result(): Promise<string[]>;
}

/** Mounts the private tmpfs at `base` (set-up) and returns the scenario's helpers. */
export async function scenario(exec: Exec, base: string): Promise<Scenario> {
  const log: string[] = [];
  const call = async (what: string | null, r: Bare): Promise<number> => {
    const res = await exec({ seq: 0, step: "test", reason: "detached tree scenario", ...r } as Request);
    if (what !== null) log.push(`${what}: ${"errno" in res ? res.errno : 0}`);
    else if ("errno" in res) throw new Error(`${JSON.stringify(r)}: errno ${res.errno}`);
    return "ret" in res ? res.ret : -1;
  };
  const at = (p: string): string => `${base}/${p}`;
  const tmpfs = (p: string): Bare => ({ op: "mount", source: "tmpfs", target: at(p), filesystemtype: "tmpfs", mountflags: 0, data: null });
  await call(null, { op: "mount", source: "tmpfs", target: base, filesystemtype: "tmpfs", mountflags: 0, data: null });
  await call(null, { op: "mount", source: null, target: base, filesystemtype: null, mountflags: abi.MS_PRIVATE, data: null });
  return {
    call, at, tmpfs,
    mkdir: async (...paths) => { for (const p of paths) await call(null, { op: "mkdir", pathname: at(p), mode: 0o755 }); },
    result: async () => {
      const table = (await readMountinfo({ exec })).trim().split("\n").map((l) => l.split(" ")).filter((f) => f[4]!.startsWith(`${base}/`))
        .map((f) => `${f[4]!.slice(base.length)} ${f.slice(6, f.indexOf("-")).map((t) => t.split(":")[0]).join(",") || "private"}`);
      return [...log, ...table];
    },
  };
}
