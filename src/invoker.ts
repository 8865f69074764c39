// Whether the process that runs pivotshim is itself containerised, and how: read from its own
// /proc/self/mountinfo and uid_map (invokerOf is pure; readInvoker does the two reads). `doctor`
// reports it, because each case changes what a run can do (docs/sources.md#kernel-umount-mount).
import { readFileSync } from "node:fs";
import { parseMountinfo, unescapeMountinfo, type MountinfoEntry } from "./hosts/fake/index.js";

/**
 * - overlay-root: "/" is an overlay whose parent mount is not listed (a runtime set the root up);
 * - masked-proc: mounts over parts of /proc (runtimes mask /proc/kcore, /proc/sys, ...), or no
 *   readable /proc/self/mountinfo at all;
 * - userns-locked: a user namespace other than the initial one: the mounts it inherited are
 *   locked (MNT_LOCKED), so they cannot be unmounted or changed one by one;
 * - chroot: no mount at "/" (the root is not a mount point), so pivot_root cannot work.
 */
export type InvokerCase = "overlay-root" | "masked-proc" | "userns-locked" | "chroot";

export interface Invoker {
  containerised: boolean;
  cases: { case: InvokerCase; evidence: string }[];
  /** Why a source could not be read or parsed (the cases are then judged without it). */
  notes: string[];
}

/** Mounts that hosts themselves put under /proc: binfmt_misc and its automount point. */
const HOST_PROC_FS = new Set(["binfmt_misc", "autofs"]);
const IDENTITY_MAP = /^\s*0\s+0\s+4294967295\s*$/;

/** The cases, from the texts of /proc/self/mountinfo and /proc/self/uid_map (null: unreadable). */
export function invokerOf(mountinfo: string | null, uidMap: string | null): Invoker {
  const cases: Invoker["cases"] = [];
  const notes: string[] = [];
  let entries: MountinfoEntry[] | null = null;
  if (mountinfo === null) cases.push({ case: "masked-proc", evidence: "/proc/self/mountinfo cannot be read: /proc is not mounted or is masked" });
  else {
    try { entries = parseMountinfo(mountinfo); } catch (e) { notes.push(`/proc/self/mountinfo does not parse: ${(e as Error).message}`); }
  }
  if (entries) {
    const at = (e: MountinfoEntry) => unescapeMountinfo(e.mountpoint);
    const root = [...entries].reverse().find((e) => at(e) === "/");
    const ids = new Set(entries.map((e) => e.id));
    if (!root) cases.push({ case: "chroot", evidence: "mountinfo lists no mount at \"/\": the root is a directory, not a mount point (a chroot)" });
    else if (root.fstype === "overlay" && !ids.has(root.parent)) {
      cases.push({ case: "overlay-root", evidence: `"/" is overlay (mount ${root.id}) and its parent mount ${root.parent} is not listed: a container runtime set up this root` });
    }
    const masks = entries.filter((e) => at(e).startsWith("/proc/") && !HOST_PROC_FS.has(e.fstype));
    if (masks.length) {
      const shown = masks.slice(0, 6).map((e) => `${at(e)} (${e.fstype}${e.root === "/" ? "" : ` bind of ${unescapeMountinfo(e.root)}`})`);
      cases.push({ case: "masked-proc", evidence: `mounts over /proc: ${shown.join(", ")}${masks.length > 6 ? `, and ${masks.length - 6} more` : ""}` });
    }
  }
  if (uidMap === null) notes.push("/proc/self/uid_map cannot be read");
  else if (!IDENTITY_MAP.test(uidMap.trim().split("\n").join(" ")) || uidMap.trim().split("\n").length !== 1) {
    const shown = uidMap.trim().split("\n").map((l) => l.trim().split(/\s+/).join(" ")).join("; ");
    cases.push({ case: "userns-locked", evidence: `uid_map "${shown}": a user namespace, whose inherited mounts are locked (they cannot be unmounted or changed one by one)` });
  }
  return { containerised: cases.length > 0, cases, notes };
}

const readOrNull = (path: string): string | null => {
  try { return readFileSync(path, "utf8"); } catch { return null; }
};

/** This process as doctor sees it. */
export function readInvoker(): Invoker {
  return invokerOf(readOrNull("/proc/self/mountinfo"), readOrNull("/proc/self/uid_map"));
}
