// The shape a mountinfo table must have before the fake kernel models it: at most FAKE_MOUNT_MAX
// mounts, unique ids, one mount at "/" (the reader's root), and parent ids that form one tree under
// it. Each refusal names the line. The grammar itself is the machine's (mountinfo.ts calls it).
import { FAKE_MOUNT_MAX } from "../../abi.js";
import { MountinfoError, NoRootMountError } from "../../errors.js";
import type { Entry } from "./mountinfo.js";

const bad = (e: Entry, what: string) => new MountinfoError(`malformed mountinfo, line ${e.line}: ${what}`, e.line);

/**
 * Checks the table and returns its root: the first "/" line whose parent is itself (the initial
 * rootfs) or is not another "/" line. Only that line may have a parent that is not listed: every
 * container's "/" hangs off a mount outside its root.
 */
export function checkTable(entries: readonly Entry[]): { root: Entry; byId: Map<number, Entry> } {
  if (entries.length > FAKE_MOUNT_MAX) {
    throw new MountinfoError(`mountinfo lists ${entries.length} mounts; the fake kernel models at most ${FAKE_MOUNT_MAX} (the kernel's default fs.mount-max)`, null);
  }
  const byId = new Map<number, Entry>();
  for (const e of entries) {
    // The model's "no parent" (a namespace's root, a detached mount): a listed 0 made a mount its
    // own grandparent and hung the fake (npm run fuzz). The kernel hands 0 to an internal mount
    // at boot, so no process lists it.
    if (e.id === 0) throw bad(e, "mount ID 0: no process sees a mount with ID 0 (the kernel's first ID goes to an internal mount), and the model uses 0 for \"no parent\"");
    const was = byId.get(e.id);
    if (was) throw bad(e, `mount ID ${e.id} is already used on line ${was.line}`);
    byId.set(e.id, e);
  }
  const root = rootEntry(entries);
  for (const e of entries) {
    if (e === root) continue;
    if (e.parent === e.id) throw bad(e, `mount ${e.id} is its own parent; only the mount at / may be`);
    if (!byId.has(e.parent)) throw bad(e, `parent ID ${e.parent} of mount ${e.id} is not listed; only the mount at / may have an unlisted parent`);
  }
  checkAcyclic(entries, root, byId);
  return { root, byId };
}

function rootEntry(entries: readonly Entry[]): Entry {
  const slash = new Set<number>();
  for (const e of entries) if (e.mountpoint === "/") slash.add(e.id);
  const root = entries.find((e) => e.mountpoint === "/" && (e.parent === e.id || !slash.has(e.parent)));
  if (!root) throw new NoRootMountError();
  return root;
}

/** Every parent chain ends at the root: a chain that comes back to itself is a cycle (O(n): each id is walked once). */
function checkAcyclic(entries: readonly Entry[], root: Entry, byId: Map<number, Entry>): void {
  // 0: finished (its chain reaches the root); k > 0: on the chain walked from the k-th entry.
  const mark = new Map<number, number>();
  if (root.parent === root.id || !byId.has(root.parent)) mark.set(root.id, 0);
  const path: Entry[] = [];
  for (let k = 0; k < entries.length; k++) {
    path.length = 0;
    for (let e: Entry | undefined = entries[k]; e; e = byId.get(e.parent)) {
      const m = mark.get(e.id);
      if (m === 0) break;
      if (m === k + 1) {
        const cycle = path.slice(path.indexOf(e)).map((x) => x.id);
        throw bad(e, `mount ${e.id} is its own ancestor (parent IDs ${[...cycle, e.id].join(" -> ")})`);
      }
      mark.set(e.id, k + 1);
      path.push(e);
    }
    for (const e of path) mark.set(e.id, 0);
  }
}
