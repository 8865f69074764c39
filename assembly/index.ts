// The module's exports: the whole ABI (docs/ABI.md). Imports nothing but env.abort.
// Memory: the runtime is AssemblyScript's stub (a bump allocator, asconfig.json), and start() resets
// it, so each run gets a fresh arena and one instance can run any number of plans in bounded memory.
// Nothing allocated may outlive a run: module-level data is static (memory.data, generated/text.ts).
import { ABI_VERSION, PATH_MAX, MOUNTINFO_CAP } from "../src/abi";
import * as M from "./machine";
import * as MI from "./mountinfo";
import { reset } from "./state";
import { REQ } from "./request";
import { str, ptr, len, NULL, open, close, put, putText } from "./bytes";
import * as T from "./generated/text";

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

// The grammar check (ABI_VERSION 2): the machine's own mountinfo parser, run without a plan, so a
// host that models mountinfo (the fake kernel) refuses exactly what the machine refuses, with the
// machine's words, instead of keeping a second copy of the rules (docs/ABI.md §13).
const CHECK_OUT: usize = memory.data(8, 4);
let checkBuf: usize = 0;
let checkCap = 0;

/** Ends any run (a fresh arena) and returns room for len bytes of mountinfo; 0 if len is past MOUNTINFO_CAP. */
export function mountinfo_buffer(buf_len: i32): usize {
  __reset();
  reset(); // the run's state lived in the arena: next() now says "before start()"
  checkCap = 0;
  if (buf_len < 0 || buf_len > MOUNTINFO_CAP) return 0;
  checkBuf = heap.alloc(<usize>max(buf_len, 1));
  checkCap = buf_len;
  return checkBuf;
}

/** Parses the first text_len bytes of that room (clamped to it): 0 if every line is well-formed,
 * else the address of a string slot with the message a run would end FAILED with. */
export function mountinfo_check(text_len: i32): usize {
  const err = MI.parse(checkBuf, min(max(text_len, 0), checkCap), visitNothing);
  if (err == NULL) return 0;
  open(); putText(T.MALFORMED_MOUNTINFO); put(err);
  const msg = close();
  store<u32>(CHECK_OUT, <u32>ptr(msg));
  store<i32>(CHECK_OUT + 4, len(msg));
  return CHECK_OUT;
}

function visitNothing(): void {}
