// The shape a mountinfo table must have before the fake kernel models it: at most FAKE_MOUNT_MAX
// mounts, unique ids, one mount at "/" (the reader's root), and parent ids that form one tree under
// it. Each refusal names the line. The grammar itself is the machine's (mountinfo.ts calls it).
// Lines are their index in the Heads (mountinfo-parse.ts): nothing here needs a line split in full.
import { FAKE_MOUNT_MAX } from "../../abi.js";
import { MountinfoError, NoRootMountError } from "../../errors.js";
import type { Heads } from "./mountinfo-parse.js";

const bad = (h: Heads, i: number, what: string) => new MountinfoError(`malformed mountinfo, line ${h.lines[i]}: ${what}`, h.lines[i]!);

/**
 * Checks the table and returns its root (a line's index): the first "/" line whose parent is
 * itself (the initial rootfs) or is not another "/" line. Only that line may have a parent that is
 * not listed: every container's "/" hangs off a mount outside its root. `byId`: id -> line index.
 */
export function checkTable(h: Heads): { root: number; byId: Map<number, number> } {
  const n = h.ids.length;
  if (n > FAKE_MOUNT_MAX) {
    throw new MountinfoError(`mountinfo lists ${n} mounts; the fake kernel models at most ${FAKE_MOUNT_MAX} (the kernel's default fs.mount-max)`, null);
  }
  const byId = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const id = h.ids[i]!;
    // The model's "no parent" (a namespace's root, a detached mount): a listed 0 made a mount its
    // own grandparent and hung the fake (npm run fuzz). The kernel hands 0 to an internal mount
    // at boot, so no process lists it.
    if (id === 0) throw bad(h, i, "mount ID 0: no process sees a mount with ID 0 (the kernel's first ID goes to an internal mount), and the model uses 0 for \"no parent\"");
    const was = byId.get(id);
    if (was !== undefined) throw bad(h, i, `mount ID ${id} is already used on line ${h.lines[was]}`);
    byId.set(id, i);
  }
  const root = rootLine(h);
  for (let i = 0; i < n; i++) {
    if (i === root) continue;
    const id = h.ids[i]!;
    const parent = h.parents[i]!;
    if (parent === id) throw bad(h, i, `mount ${id} is its own parent; only the mount at / may be`);
    if (!byId.has(parent)) throw bad(h, i, `parent ID ${parent} of mount ${id} is not listed; only the mount at / may have an unlisted parent`);
  }
  checkAcyclic(h, root, byId);
  return { root, byId };
}

function rootLine(h: Heads): number {
  const slash = new Set<number>();
  for (let i = 0; i < h.ids.length; i++) if (h.slash[i]) slash.add(h.ids[i]!);
  for (let i = 0; i < h.ids.length; i++) {
    if (h.slash[i] && (h.parents[i] === h.ids[i] || !slash.has(h.parents[i]!))) return i;
  }
  throw new NoRootMountError();
}

/** Every parent chain ends at the root: a chain that comes back to itself is a cycle (O(n): each line is walked once). */
function checkAcyclic(h: Heads, root: number, byId: Map<number, number>): void {
  // -1: not walked yet; 0: finished (its chain reaches the root); k > 0: on the chain walked from
  // the k-th line. By line index, in a typed array: a Map of 100k marks was 20 ms.
  const mark = new Int32Array(h.ids.length).fill(-1);
  if (h.parents[root] === h.ids[root] || !byId.has(h.parents[root]!)) mark[root] = 0;
  // The chain walked from line k: its first `len` entries (reused, never emptied: emptying an
  // array drops its storage, and 100k chains allocated 15 MB).
  const path: number[] = [];
  for (let k = 0; k < h.ids.length; k++) {
    let len = 0;
    for (let i: number | undefined = k; i !== undefined; i = byId.get(h.parents[i]!)) {
      const m = mark[i]!;
      if (m === 0) break;
      if (m === k + 1) {
        const cycle = path.slice(path.indexOf(i), len).map((x) => h.ids[x]!);
        throw bad(h, i, `mount ${h.ids[i]} is its own ancestor (parent IDs ${[...cycle, h.ids[i]].join(" -> ")})`);
      }
      mark[i] = k + 1;
      path[len++] = i;
    }
    for (let j = 0; j < len; j++) mark[path[j]!] = 0;
  }
}
