// The zod schemas of one request (trace files, src/trace-schema.ts) and of one hook (run's RunSpec,
// src/schema.ts): the same variants, one per syscall, with the kernel's argument names
// (src/request.ts is the type). A module of its own so both can import it without a cycle.
import * as z from "zod";
import { I32_MAX, I32_MIN, MAX_REQUESTS } from "./abi.js";

export const int = z.number().int();
/** Every number a request or result carries travels in an i32 slot of the ABI (docs/ABI.md §5). */
export const i32 = int.min(I32_MIN).max(I32_MAX);
export const size = int.min(0).max(I32_MAX);
export const str = z.string();
/** A C string argument: NULL and "" are different calls (runc passes "", crun NULL). */
export const cstr = z.string().nullable();
/** A request's index: the machine ends within MAX_REQUESTS (abi.ts), so no trace goes past it. */
export const seq = int.min(0).max(MAX_REQUESTS);

/** The bookkeeping every request carries; a replay ignores it when comparing (callOf). */
const common = { seq, step: str, reason: str };

/** One variant per syscall, `extra` fields added to each, with the kernel's argument names (request.ts is the type). */
const variants = <E extends z.ZodRawShape>(extra: E) => {
  const v = <O extends string, T extends z.ZodRawShape>(op: O, shape: T) => z.strictObject({ ...extra, op: z.literal(op), ...shape });
  return z.discriminatedUnion("op", [
    v("openat", { dirfd: i32, pathname: str, flags: i32, mode: i32 }),
    v("read", { fd: i32, count: size }),
    v("close", { fd: i32 }),
    v("fchdir", { fd: i32 }),
    v("chdir", { path: str }),
    v("chroot", { path: str }),
    v("pivot_root", { new_root: str, put_old: str }),
    v("mount", { source: cstr, target: str, filesystemtype: cstr, mountflags: i32, data: cstr }),
    v("umount2", { target: str, flags: i32 }),
    v("getcwd", { size }),
    v("sethostname", { name: str }),
    v("mkdir", { pathname: str, mode: i32 }),
    v("openat2", { dirfd: i32, pathname: str, flags: i32, mode: i32, resolve: i32 }),
    v("open_tree", { dirfd: i32, pathname: str, flags: i32 }),
    v("move_mount", { from_dirfd: i32, from_pathname: str, to_dirfd: i32, to_pathname: str, flags: i32 }),
    v("setns", { fd: i32, nstype: i32 }),
    v("mount_setattr", { dirfd: i32, pathname: str, flags: i32, attr_set: i32, propagation: i32 }),
  ], { error: (iss) => (iss.code === "invalid_union" ? "unknown op: expected one of openat, read, close, fchdir, chdir, chroot, pivot_root, mount, umount2, getcwd, sethostname, mkdir, openat2, open_tree, move_mount, setns, mount_setattr" : undefined) });
};

// Both are built on first use (z.lazy, which keeps what its getter made): eleven strict objects
// each cost a cold `pivotshim plan`, which parses a config with no hooks and no trace, about 5 ms
// at start-up (bench: cold CLI).
export const RequestSchema = z.lazy(() => variants(common));

/** A hook (src/hooks.ts): a call with no seq or step (run numbers it), and an optional reason. */
export const HookSchema = z.lazy(() => variants({ reason: str.optional() }));

