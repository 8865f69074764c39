// The module's exports: the whole ABI (docs/ABI.md). Imports nothing but env.abort.
// Memory: the runtime is AssemblyScript's stub (a bump allocator, asconfig.json), and start() resets
// it, so each run gets a fresh arena and one instance can run any number of plans in bounded memory.
// Nothing allocated may outlive a run: module-level data is static (memory.data, generated/text.ts).
import { ABI_VERSION, PATH_MAX } from "../src/abi";
import * as M from "./machine";
import { REQ } from "./request";
import { str } from "./bytes";

const INPUT: usize = memory.data(PATH_MAX);

/** The ABI version; the host refuses a module whose version it does not know. */
export function abi_version(): i32 { return ABI_VERSION; }

/** Where the host writes the rootfs (UTF-8, no NUL) before start(); input_cap() bytes. */
export function input_ptr(): usize { return INPUT; }
export function input_cap(): i32 { return PATH_MAX; }

/** Starts a run. Returns 0, or 1 when the config is invalid (the run is then FAILED with the reason). */
export function start(rootfs_len: i32, profile: i32, strategy: i32, root_propagation: i32, options: i32): i32 {
  __reset(); // the last run's requests, outcome and state are gone from here on (docs/ABI.md §2, §6)
  if (rootfs_len < 0 || rootfs_len > PATH_MAX) rootfs_len = PATH_MAX;
  const rootfs = heap.alloc(<usize>rootfs_len);
  memory.copy(rootfs, INPUT, <usize>rootfs_len);
  return M.start(str(rootfs, rootfs_len), profile, strategy, root_propagation, options);
}

/** The next request, at request_ptr(); its op is DONE or FAILED when the run has ended. */
export function next(): usize { return M.next(); }

/** The result of the pending request: errno 0 means success with `ret`. */
export function feed(ret: i32, errno: i32): void { M.feed(ret, errno); }

export function request_ptr(): usize { return REQ; }
export function outcome_ptr(): usize { return M.OUT; }
