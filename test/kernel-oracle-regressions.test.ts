// The kernel oracle's counterexamples, kept: each minimal sequence fast-check found (or the brief
// reported) where the fake kernel disagreed with Linux 6.18, with what the real kernel did, recorded
// on that kernel. Without root the fake is checked against the record; as root the real kernel is
// run again too (a kernel that now behaves otherwise fails here, naming the case). Why each rule
// holds: docs/sources.md#kernel-umount-mount.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import { type Call, type Case, type Step, bind, chdir, chroot, move, moveMount, openTree, pivot, propagate, setattr, tmpfs, umount, keptCaseTests, type Kept } from "./helpers/kernel-oracle.js";

const { MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE, MNT_DETACH, MNT_EXPIRE, ENOENT, EINVAL, EBUSY, EAGAIN, ELOOP, ENODEV,
  MS_RDONLY, MS_REMOUNT, MS_BIND, MS_NOATIME, MS_STRICTATIME, MS_NODEV, MS_NOSUID, EPERM, EBADF, UMOUNT_NOFOLLOW } = abi;
/** Any mount(2) call of the cases: source, target, filesystemtype, flags, data. */
const mnt = (source: string | null, target: string, filesystemtype: string | null, mountflags: number, data: string | null = null): Call =>
  ({ op: "mount", source, target, filesystemtype, mountflags, data });
const A = (call: Call): Step => ({ ns: "A", call });
const B = (call: Call): Step => ({ ns: "B", call });


const KEPT: Kept[] = [
  {
    name: "umount in A takes B's locked copy of the top mount (propagate_mount_unlock)",
    case: { setup: [tmpfs("/a"), propagate("/a", MS_SHARED), tmpfs("/a/a")], userns: 0, ops: [A(umount("/a/a"))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime shared:1 - tmpfs tmpfs rw\n44 43 0:41 / /a/a rw,relatime shared:2 - tmpfs tmpfs rw\n",
    results: [0, 0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime shared:1 tmpfs tmpfs rw",
      "B1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "B2 B1 dev2 / /a rw,relatime master:1 tmpfs tmpfs rw",
    ],
  },
  {
    name: "lazy umount in A takes B's locked copy too",
    case: { setup: [tmpfs("/a"), propagate("/a", MS_SHARED), tmpfs("/a/a")], userns: 0, ops: [A(umount("/a/a", MNT_DETACH))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime shared:1 - tmpfs tmpfs rw\n44 43 0:41 / /a/a rw,relatime shared:2 - tmpfs tmpfs rw\n",
    results: [0, 0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime shared:1 tmpfs tmpfs rw",
      "B1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "B2 B1 dev2 / /a rw,relatime master:1 tmpfs tmpfs rw",
    ],
  },
  {
    name: "a locked cognate whose parent stays stays (non-revealing)",
    case: { setup: [tmpfs("/a"), propagate("/a", MS_SHARED), tmpfs("/a/a"), tmpfs("/a/a/a")], userns: 0, ops: [B(tmpfs("/a/a/b")), A(umount("/a/a", MNT_DETACH))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime shared:1 - tmpfs tmpfs rw\n44 43 0:41 / /a/a rw,relatime shared:2 - tmpfs tmpfs rw\n46 44 0:42 / /a/a/a rw,relatime shared:3 - tmpfs tmpfs rw\n",
    results: [0, 0, 0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime shared:1 tmpfs tmpfs rw",
      "B1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "B2 B1 dev2 / /a rw,relatime master:1 tmpfs tmpfs rw",
      "B3 B2 dev3 / /a/a rw,relatime private tmpfs tmpfs rw",
      "B4 B3 dev4 / /a/a/a rw,relatime private tmpfs tmpfs rw",
      "B5 B3 dev5 / /a/a/b rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "a cognate with a child of its own stays (non-shifting)",
    case: { setup: [tmpfs("/a"), propagate("/a", MS_SHARED), bind("/a", "/b", false), tmpfs("/a/a"), propagate("/b/a", MS_PRIVATE), tmpfs("/b/a/a")], userns: null, ops: [A(umount("/a/a"))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime shared:1 - tmpfs tmpfs rw\n44 63 0:40 / /b rw,relatime shared:1 - tmpfs tmpfs rw\n46 43 0:41 / /a/a rw,relatime shared:2 - tmpfs tmpfs rw\n47 44 0:41 / /b/a rw,relatime - tmpfs tmpfs rw\n48 47 0:42 / /b/a/a rw,relatime - tmpfs tmpfs rw\n",
    results: [0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime shared:1 tmpfs tmpfs rw",
      "A3 A1 dev2 / /b rw,relatime shared:1 tmpfs tmpfs rw",
      "A4 A3 dev3 / /b/a rw,relatime private tmpfs tmpfs rw",
      "A5 A4 dev4 / /b/a/a rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "the last peer's slaves go to its master",
    case: { setup: [tmpfs("/a"), propagate("/a", MS_SHARED), bind("/a", "/b", false), propagate("/b", MS_SLAVE), propagate("/b", MS_SHARED), bind("/b", "/a/a", false), propagate("/a/a", MS_SLAVE)], userns: null, ops: [A(propagate("/b", MS_PRIVATE))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime shared:1 - tmpfs tmpfs rw\n44 63 0:40 / /b rw,relatime shared:2 master:1 - tmpfs tmpfs rw\n46 43 0:40 / /a/a rw,relatime master:2 - tmpfs tmpfs rw\n47 44 0:40 / /b/a rw,relatime shared:3 master:2 - tmpfs tmpfs rw\n",
    results: [0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime shared:1 tmpfs tmpfs rw",
      "A3 A2 dev2 / /a/a rw,relatime master:1 tmpfs tmpfs rw",
      "A4 A1 dev2 / /b rw,relatime private tmpfs tmpfs rw",
      "A5 A4 dev2 / /b/a rw,relatime shared:2 master:1 tmpfs tmpfs rw",
    ],
  },
  {
    name: "a reached mount's overmount slides down (reparent)",
    case: { setup: [bind("/", "/", false), propagate("/", MS_SHARED), bind("/", "/", true)], userns: null, ops: [A(umount("/"))] },
    start: "63 42 0:39 / / rw,relatime shared:1 - tmpfs tmpfs rw,mode=755\n43 63 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n44 43 0:39 / / rw,relatime shared:1 - tmpfs tmpfs rw,mode=755\n46 44 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n",
    results: [0],
    tables: [
      "A1 ^ dev1 / / rw,relatime shared:1 tmpfs tmpfs rw",
      "A2 A1 dev1 / / rw,relatime shared:1 tmpfs tmpfs rw",
    ],
  },
  {
    name: "a namespace copy of an unbindable mount is private",
    case: { setup: [propagate("/", MS_UNBINDABLE)], userns: 0, ops: [A(propagate("/", MS_SHARED))] },
    start: "63 42 0:39 / / rw,relatime unbindable - tmpfs tmpfs rw,mode=755\n",
    results: [0, 0],
    tables: [
      "A1 ^ dev1 / / rw,relatime shared:1 tmpfs tmpfs rw",
      "B1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "MS_SLAVE keeps an unbindable mount unbindable",
    case: { setup: [propagate("/", MS_UNBINDABLE)], userns: null, ops: [A(propagate("/", MS_SLAVE))] },
    start: "63 42 0:39 / / rw,relatime unbindable - tmpfs tmpfs rw,mode=755\n",
    results: [0],
    tables: [
      "A1 ^ dev1 / / rw,relatime unbindable tmpfs tmpfs rw",
    ],
  },
  {
    name: "nothing can be mounted on a detached mount (lock_mount: ENOENT)",
    case: { setup: [], userns: null, ops: [A(umount("/", MNT_DETACH)), A(tmpfs("/")), A(bind("/", "/", false))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n",
    results: [0, 2, 2],
    tables: [

    ],
  },
  {
    name: "MS_MOVE checks its source before the target's lock_mount",
    case: { setup: [], userns: null, ops: [A(umount("/", MNT_DETACH)), A(move("/a", "/"))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n",
    results: [0, 22],
    tables: [

    ],
  },
  {
    name: "pivot_root onto a detached put_old: ENOENT",
    case: { setup: [], userns: null, ops: [A(umount("/", MNT_DETACH)), A(pivot("/", "/a"))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n",
    results: [0, 2],
    tables: [

    ],
  },
  {
    name: "rbind skipping a locked unbindable submount: EPERM (copy_tree)",
    case: { setup: [tmpfs("/a")], userns: 0, ops: [B(propagate("/a", MS_UNBINDABLE)), B(bind("/", "/", true))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime - tmpfs tmpfs rw\n",
    results: [0, 0, 1],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
      "B1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "B2 B1 dev2 / /a rw,relatime unbindable tmpfs tmpfs rw",
    ],
  },
  {
    name: "a propagated copy goes under the top of the receiver's stack (tucking past overmounts)",
    case: { setup: [propagate("/", MS_SHARED)], userns: null, ops: [A(bind("/", "/", false)), A(bind("/", "/", true))] },
    start: "63 42 0:39 / / rw,relatime shared:1 - tmpfs tmpfs rw,mode=755\n",
    results: [0, 0],
    tables: [
      "A1 ^ dev1 / / rw,relatime shared:1 tmpfs tmpfs rw",
      "A2 A1 dev1 / / rw,relatime shared:1 tmpfs tmpfs rw",
      "A3 A2 dev1 / / rw,relatime shared:1 tmpfs tmpfs rw",
      "A4 A3 dev1 / / rw,relatime shared:1 tmpfs tmpfs rw",
      "A5 A4 dev1 / / rw,relatime shared:1 tmpfs tmpfs rw",
      "A6 A5 dev1 / / rw,relatime shared:1 tmpfs tmpfs rw",
    ],
  },
  {
    name: "a copy in a slave of a slave group is a slave of its master group's copy (propagate_one's MNT_MARK walk)",
    case: { setup: [tmpfs("/a"), propagate("/a", MS_SHARED), bind("/a", "/b", false), propagate("/b", MS_SLAVE), propagate("/b", MS_SHARED), bind("/b", "/a/b", false)], userns: null, ops: [A(tmpfs("/a/a"))] },
    start: "90 69 0:45 / / rw,relatime - tmpfs tmpfs rw,mode=755\n70 90 0:46 / /a rw,relatime shared:1 - tmpfs tmpfs rw\n71 90 0:46 / /b rw,relatime shared:2 master:1 - tmpfs tmpfs rw\n73 70 0:46 / /a/b rw,relatime shared:2 master:1 - tmpfs tmpfs rw\n74 71 0:46 / /b/b rw,relatime shared:3 master:2 - tmpfs tmpfs rw\n",
    results: [0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime shared:1 tmpfs tmpfs rw",
      "A3 A2 dev3 / /a/a rw,relatime shared:2 tmpfs tmpfs rw",
      "A4 A2 dev2 / /a/b rw,relatime shared:3 master:1 tmpfs tmpfs rw",
      "A5 A4 dev3 / /a/b/a rw,relatime shared:4 master:2 tmpfs tmpfs rw",
      "A6 A1 dev2 / /b rw,relatime shared:3 master:1 tmpfs tmpfs rw",
      "A7 A6 dev3 / /b/a rw,relatime shared:4 master:2 tmpfs tmpfs rw",
      "A8 A6 dev2 / /b/b rw,relatime shared:5 master:3 tmpfs tmpfs rw",
      "A9 A8 dev3 / /b/b/a rw,relatime shared:6 master:4 tmpfs tmpfs rw",
    ],
  },
  {
    name: "a propagated copy goes under what its receiver already has there (tucking)",
    case: { setup: [tmpfs("/a"), propagate("/a", MS_SHARED), tmpfs("/a/a"), bind("/a", "/b", false)], userns: null, ops: [A(tmpfs("/b/a"))] },
    start: "90 69 0:45 / / rw,relatime - tmpfs tmpfs rw,mode=755\n70 90 0:47 / /a rw,relatime shared:1 - tmpfs tmpfs rw\n71 70 0:48 / /a/a rw,relatime shared:2 - tmpfs tmpfs rw\n73 90 0:47 / /b rw,relatime shared:1 - tmpfs tmpfs rw\n",
    results: [0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime shared:1 tmpfs tmpfs rw",
      "A3 A2 dev3 / /a/a rw,relatime shared:2 tmpfs tmpfs rw",
      "A4 A3 dev4 / /a/a rw,relatime shared:3 tmpfs tmpfs rw",
      "A5 A1 dev2 / /b rw,relatime shared:1 tmpfs tmpfs rw",
      "A6 A5 dev3 / /b/a rw,relatime shared:2 tmpfs tmpfs rw",
    ],
  },
  {
    name: "an rbind under a shared / gives the new tree's mounts the groups of their originals",
    case: { setup: [propagate("/", MS_SHARED), tmpfs("/a"), tmpfs("/a/a")], userns: null, ops: [A(bind("/a", "/b", true))] },
    start: "90 69 0:45 / / rw,relatime shared:1 - tmpfs tmpfs rw,mode=755\n70 90 0:47 / /a rw,relatime shared:2 - tmpfs tmpfs rw\n71 70 0:48 / /a/a rw,relatime shared:3 - tmpfs tmpfs rw\n",
    results: [0],
    tables: [
      "A1 ^ dev1 / / rw,relatime shared:1 tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime shared:2 tmpfs tmpfs rw",
      "A3 A2 dev3 / /a/a rw,relatime shared:3 tmpfs tmpfs rw",
      "A4 A1 dev2 / /b rw,relatime shared:2 tmpfs tmpfs rw",
      "A5 A4 dev3 / /b/a rw,relatime shared:3 tmpfs tmpfs rw",
    ],
  },  {
    name: "a copy propagated over /a hides /a/a: the umount finds no /a/a (ENOENT)",
    case: { setup: [tmpfs("/a"), propagate("/a", MS_SHARED), bind("/a", "/a/a", false), tmpfs("/a/a")], userns: null, ops: [A(umount("/a/a"))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime shared:1 - tmpfs tmpfs rw\n44 43 0:40 / /a/a rw,relatime shared:1 - tmpfs tmpfs rw\n46 44 0:41 / /a/a rw,relatime shared:2 - tmpfs tmpfs rw\n47 43 0:41 / /a rw,relatime shared:2 - tmpfs tmpfs rw\n",
    results: [ENOENT],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime shared:1 tmpfs tmpfs rw",
      "A3 A2 dev3 / /a rw,relatime shared:2 tmpfs tmpfs rw",
      "A4 A2 dev2 / /a/a rw,relatime shared:1 tmpfs tmpfs rw",
      "A5 A4 dev3 / /a/a rw,relatime shared:2 tmpfs tmpfs rw",
    ],
  },
  {
    name: "a move onto a peer: the moved mount receives a copy of itself",
    case: { setup: [tmpfs("/a"), propagate("/a", MS_SHARED), bind("/a", "/", false)], userns: 0, ops: [A(move("/a", "/"))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime shared:1 - tmpfs tmpfs rw\n44 63 0:40 / / rw,relatime shared:1 - tmpfs tmpfs rw\n",
    results: [0, 0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / / rw,relatime shared:1 tmpfs tmpfs rw",
      "A3 A2 dev2 / / rw,relatime shared:1 tmpfs tmpfs rw",
      "A4 A3 dev2 / / rw,relatime shared:1 tmpfs tmpfs rw",
      "B1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "B2 B1 dev2 / / rw,relatime master:1 tmpfs tmpfs rw",
      "B3 B2 dev2 / / rw,relatime master:1 tmpfs tmpfs rw",
      "B4 B1 dev2 / /a rw,relatime master:1 tmpfs tmpfs rw",
      "B5 B4 dev2 / /a rw,relatime master:1 tmpfs tmpfs rw",
    ],
  },
  {
    name: "a moved tree's receivers each get the tree as it was before any copy",
    case: { setup: [tmpfs("/a"), propagate("/a", MS_SHARED), bind("/a/a", "/", false)], userns: null, ops: [A(bind("/", "/", true)), A(move("/a", "/"))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime shared:1 - tmpfs tmpfs rw\n44 63 0:40 /a / rw,relatime shared:1 - tmpfs tmpfs rw\n",
    results: [0, 0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 /a / rw,relatime shared:1 tmpfs tmpfs rw",
      "A3 A2 dev2 / / rw,relatime shared:1 tmpfs tmpfs rw",
      "A4 A3 dev1 / / rw,relatime shared:2 tmpfs tmpfs rw",
      "A5 A4 dev2 /a / rw,relatime shared:1 tmpfs tmpfs rw",
      "A6 A5 dev2 / / rw,relatime shared:1 tmpfs tmpfs rw",
      "A7 A3 dev1 / /a rw,relatime shared:2 tmpfs tmpfs rw",
      "A8 A4 dev2 / /a rw,relatime shared:1 tmpfs tmpfs rw",
      "A9 A7 dev2 /a /a rw,relatime shared:1 tmpfs tmpfs rw",
      "A10 A6 dev2 / /a rw,relatime shared:1 tmpfs tmpfs rw",
      "A11 A10 dev1 / /a rw,relatime shared:2 tmpfs tmpfs rw",
      "A12 A11 dev2 /a /a rw,relatime shared:1 tmpfs tmpfs rw",
      "A13 A12 dev2 / /a rw,relatime shared:1 tmpfs tmpfs rw",
      "A14 A7 dev2 / /a/a rw,relatime shared:1 tmpfs tmpfs rw",
      "A15 A8 dev2 / /a/a rw,relatime shared:1 tmpfs tmpfs rw",
      "A16 A10 dev1 / /a/a rw,relatime shared:2 tmpfs tmpfs rw",
      "A17 A11 dev2 / /a/a rw,relatime shared:1 tmpfs tmpfs rw",
      "A18 A16 dev2 /a /a/a rw,relatime shared:1 tmpfs tmpfs rw",
      "A19 A13 dev1 / /a/a rw,relatime shared:2 tmpfs tmpfs rw",
      "A20 A19 dev2 /a /a/a rw,relatime shared:1 tmpfs tmpfs rw",
      "A21 A15 dev1 / /a/a/a rw,relatime shared:2 tmpfs tmpfs rw",
      "A22 A21 dev2 /a /a/a/a rw,relatime shared:1 tmpfs tmpfs rw",
      "A23 A16 dev2 / /a/a/a rw,relatime shared:1 tmpfs tmpfs rw",
      "A24 A17 dev2 / /a/a/a rw,relatime shared:1 tmpfs tmpfs rw",
      "A25 A19 dev2 / /a/a/a rw,relatime shared:1 tmpfs tmpfs rw",
      "A26 A21 dev2 / /a/a/a/a rw,relatime shared:1 tmpfs tmpfs rw",
      "A27 A24 dev1 / /a/a/a/a rw,relatime shared:2 tmpfs tmpfs rw",
      "A28 A27 dev2 /a /a/a/a/a rw,relatime shared:1 tmpfs tmpfs rw",
      "A29 A27 dev2 / /a/a/a/a/a rw,relatime shared:1 tmpfs tmpfs rw",
    ],
  },
  {
    name: "a slave in a moved tree receives plain slave copies (set_mnt_shared comes after propagate_mnt)",
    case: { setup: [tmpfs("/a"), propagate("/a", MS_SHARED), bind("/a/b", "/", false)], userns: null, ops: [A(bind("/", "/", false)), A(propagate("/a/b", MS_SLAVE)), A(move("/a", "/"))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime shared:1 - tmpfs tmpfs rw\n44 63 0:40 /b / rw,relatime shared:1 - tmpfs tmpfs rw\n",
    results: [0, 0, 0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 /b / rw,relatime shared:1 tmpfs tmpfs rw",
      "A3 A2 dev1 / / rw,relatime shared:2 tmpfs tmpfs rw",
      "A4 A3 dev2 / / rw,relatime shared:1 tmpfs tmpfs rw",
      "A5 A4 dev1 / /b rw,relatime shared:3 master:2 tmpfs tmpfs rw",
      "A6 A5 dev2 / /b rw,relatime master:1 tmpfs tmpfs rw",
      "A7 A6 dev1 / /b/b rw,relatime master:3 tmpfs tmpfs rw",
    ],
  },
  {
    name: "a propagated submount is locked in B: moving it is EINVAL",
    case: { setup: [propagate("/", MS_SHARED), bind("/", "/a", false)], userns: 0, ops: [A(bind("/", "/b", true)), B(move("/b/a", "/"))] },
    start: "63 42 0:39 / / rw,relatime shared:1 - tmpfs tmpfs rw,mode=755\n43 63 0:39 / /a rw,relatime shared:1 - tmpfs tmpfs rw,mode=755\n",
    results: [0, 0, EINVAL],
    tables: [
      "A1 ^ dev1 / / rw,relatime shared:1 tmpfs tmpfs rw",
      "A2 A1 dev1 / /a rw,relatime shared:1 tmpfs tmpfs rw",
      "A3 A2 dev1 / /a/b rw,relatime shared:1 tmpfs tmpfs rw",
      "A4 A3 dev1 / /a/b/a rw,relatime shared:1 tmpfs tmpfs rw",
      "A5 A1 dev1 / /b rw,relatime shared:1 tmpfs tmpfs rw",
      "A6 A5 dev1 / /b/a rw,relatime shared:1 tmpfs tmpfs rw",
      "B1 ^ dev1 / / rw,relatime master:1 tmpfs tmpfs rw",
      "B2 B1 dev1 / /a rw,relatime master:1 tmpfs tmpfs rw",
      "B3 B2 dev1 / /a/b rw,relatime master:1 tmpfs tmpfs rw",
      "B4 B3 dev1 / /a/b/a rw,relatime master:1 tmpfs tmpfs rw",
      "B5 B1 dev1 / /b rw,relatime master:1 tmpfs tmpfs rw",
      "B6 B5 dev1 / /b/a rw,relatime master:1 tmpfs tmpfs rw",
    ],
  },
  {
    name: "pivot_root: a new_root that does not exist is ENOENT (looked up before put_old, which exists)",
    case: { setup: [tmpfs("/a")], userns: null, ops: [A(pivot("/x", "/a"))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime - tmpfs tmpfs rw\n",
    results: [ENOENT],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "pivot_root: a put_old that does not exist is ENOENT",
    case: { setup: [tmpfs("/a")], userns: null, ops: [A(pivot("/a", "/a/x"))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime - tmpfs tmpfs rw\n",
    results: [ENOENT],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "pivot_root: put_old on the root's own mount is EBUSY",
    case: { setup: [tmpfs("/a")], userns: null, ops: [A(pivot("/a", "/b"))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime - tmpfs tmpfs rw\n",
    results: [EBUSY],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "pivot_root: a new_root on the root's own mount is EBUSY",
    case: { setup: [], userns: null, ops: [A(pivot("/a", "/a"))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n",
    results: [EBUSY],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "pivot_root: a new_root that is no mount root is EINVAL",
    case: { setup: [tmpfs("/a")], userns: null, ops: [A(pivot("/a/a", "/a/a"))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime - tmpfs tmpfs rw\n",
    results: [EINVAL],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "pivot_root: put_old outside new_root is EINVAL",
    case: { setup: [tmpfs("/a"), tmpfs("/b")], userns: null, ops: [A(pivot("/a", "/b"))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime - tmpfs tmpfs rw\n44 63 0:41 / /b rw,relatime - tmpfs tmpfs rw\n",
    results: [EINVAL],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
      "A3 A1 dev3 / /b rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "pivot_root: new_root the current root is EBUSY",
    case: { setup: [tmpfs("/a")], userns: null, ops: [A(pivot("/", "/a"))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime - tmpfs tmpfs rw\n",
    results: [EBUSY],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "pivot_root in B: the new root takes the old root's lock (the old one can go, the new one cannot)",
    case: { setup: [], userns: 0, ops: [B(tmpfs("/a")), B(pivot("/a", "/a/a")), B(umount("/", MNT_DETACH)), B(umount("/a", MNT_DETACH))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n",
    results: [0, 0, 0, EINVAL, 0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "B1 ^ dev2 / / rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "pivot_root in A: an unlocked root gives no lock (the new root can be detached)",
    case: { setup: [tmpfs("/a")], userns: null, ops: [A(pivot("/a", "/a/a")), A(umount("/", MNT_DETACH))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime - tmpfs tmpfs rw\n",
    results: [0, 0],
    tables: [

    ],
  },
  {
    name: "umount2 of the root without MNT_DETACH remounts it read-only instead",
    case: { setup: [], userns: null, ops: [A(umount("/", 0))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n",
    results: [0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs ro",
    ],
  },
  {
    name: "umount2 MNT_EXPIRE: EAGAIN the first time, then the unmount",
    case: { setup: [tmpfs("/a")], userns: null, ops: [A(umount("/a", MNT_EXPIRE)), A(umount("/a", MNT_EXPIRE))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime - tmpfs tmpfs rw\n",
    results: [EAGAIN, 0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "umount2 MNT_EXPIRE: a lookup that uses the mount in between clears the mark",
    case: { setup: [tmpfs("/a")], userns: null, ops: [A(umount("/a", MNT_EXPIRE)), A(propagate("/a", MS_PRIVATE)), A(umount("/a", MNT_EXPIRE))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime - tmpfs tmpfs rw\n",
    results: [EAGAIN, 0, EAGAIN],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "umount2 MNT_EXPIRE of a mount with a submount is EBUSY",
    case: { setup: [tmpfs("/a"), tmpfs("/a/a")], userns: null, ops: [A(umount("/a", MNT_EXPIRE))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime - tmpfs tmpfs rw\n44 43 0:41 / /a/a rw,relatime - tmpfs tmpfs rw\n",
    results: [EBUSY],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
      "A3 A2 dev3 / /a/a rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "umount2 MNT_EXPIRE with MNT_DETACH is EINVAL",
    case: { setup: [tmpfs("/a")], userns: null, ops: [A(umount("/a", MNT_EXPIRE | MNT_DETACH))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime - tmpfs tmpfs rw\n",
    results: [EINVAL],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "umount2 in B of its root (locked, A's superblock): EINVAL",
    case: { setup: [tmpfs("/a")], userns: 0, ops: [B(umount("/", 0))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime - tmpfs tmpfs rw\n",
    results: [0, EINVAL],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
      "B1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "B2 B1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "MS_MOVE: a source that does not exist is ENOENT",
    case: { setup: [], userns: null, ops: [A(move("/x", "/a"))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n",
    results: [ENOENT],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "MS_MOVE of the root onto a mount inside it is ELOOP",
    case: { setup: [tmpfs("/a")], userns: null, ops: [A(move("/", "/a"))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime - tmpfs tmpfs rw\n",
    results: [ELOOP],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "MS_MOVE of a tree holding an unbindable mount onto a shared one is EINVAL",
    case: { setup: [tmpfs("/a"), tmpfs("/a/a"), propagate("/a/a", MS_UNBINDABLE), tmpfs("/b"), propagate("/b", MS_SHARED)], userns: null, ops: [A(move("/a", "/b"))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime - tmpfs tmpfs rw\n44 43 0:41 / /a/a rw,relatime unbindable - tmpfs tmpfs rw\n46 63 0:42 / /b rw,relatime shared:1 - tmpfs tmpfs rw\n",
    results: [EINVAL],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
      "A3 A2 dev3 / /a/a rw,relatime unbindable tmpfs tmpfs rw",
      "A4 A1 dev4 / /b rw,relatime shared:1 tmpfs tmpfs rw",
    ],
  },
  {
    name: "MS_BIND: a source that does not exist is ENOENT",
    case: { setup: [], userns: null, ops: [A(bind("/x", "/a", false))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n",
    results: [ENOENT],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "MS_BIND of an unbindable mount is EINVAL",
    case: { setup: [tmpfs("/a"), propagate("/a", MS_UNBINDABLE)], userns: null, ops: [A(bind("/a", "/b", false))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime unbindable - tmpfs tmpfs rw\n",
    results: [EINVAL],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime unbindable tmpfs tmpfs rw",
    ],
  },
  {
    name: "a new mount without a filesystem type is EINVAL",
    case: { setup: [], userns: null, ops: [A(mnt("x", "/a", null, 0))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n",
    results: [EINVAL],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "a new mount of an unknown filesystem type is ENODEV",
    case: { setup: [], userns: null, ops: [A(mnt("x", "/a", "nosuchfs", 0))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n",
    results: [ENODEV],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "a read-only tmpfs shows ro, per mount and per superblock",
    case: { setup: [], userns: null, ops: [A(mnt("tmpfs", "/a", "tmpfs", MS_RDONLY))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n",
    results: [0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a ro,relatime private tmpfs tmpfs ro",
    ],
  },
  {
    name: "a bind remount read-only changes the mount, not the superblock",
    case: { setup: [tmpfs("/a")], userns: null, ops: [A(mnt(null, "/a", null, MS_REMOUNT | MS_BIND | MS_RDONLY))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime - tmpfs tmpfs rw\n",
    results: [0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a ro,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "a plain remount read-only changes the superblock",
    case: { setup: [tmpfs("/a")], userns: null, ops: [A(mnt(null, "/a", null, MS_REMOUNT | MS_RDONLY))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime - tmpfs tmpfs rw\n",
    results: [0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a ro,relatime private tmpfs tmpfs ro",
    ],
  },
  {
    name: "a bind remount with noatime, then with strictatime",
    case: { setup: [tmpfs("/a")], userns: null, ops: [A(mnt(null, "/a", null, MS_REMOUNT | MS_BIND | MS_NOATIME)), A(mnt(null, "/a", null, MS_REMOUNT | MS_BIND | MS_STRICTATIME))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime - tmpfs tmpfs rw\n",
    results: [0, 0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw private tmpfs tmpfs rw",
    ],
  },
  {
    name: "a remount of a directory that is no mount root is EINVAL",
    case: { setup: [tmpfs("/a")], userns: null, ops: [A(mnt(null, "/a/a", null, MS_REMOUNT | MS_BIND | MS_NODEV))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime - tmpfs tmpfs rw\n",
    results: [EINVAL],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "MS_MOVE of a mount whose parent is shared is EINVAL",
    case: { setup: [propagate("/", MS_SHARED), tmpfs("/a")], userns: null, ops: [A(move("/a", "/b"))] },
    start: "63 42 0:39 / / rw,relatime shared:1 - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime shared:2 - tmpfs tmpfs rw\n",
    results: [EINVAL],
    tables: [
      "A1 ^ dev1 / / rw,relatime shared:1 tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime shared:2 tmpfs tmpfs rw",
    ],
  },
  {
    name: "in B, a bind remount may not drop the read-only flag it inherited locked (EPERM)",
    case: { setup: [mnt("tmpfs", "/a", "tmpfs", MS_RDONLY)], userns: 0, ops: [B(mnt(null, "/a", null, MS_REMOUNT | MS_BIND))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a ro,relatime - tmpfs tmpfs ro\n",
    results: [0, EPERM],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a ro,relatime private tmpfs tmpfs ro",
      "B1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "B2 B1 dev2 / /a ro,relatime private tmpfs tmpfs ro",
    ],
  },
  {
    name: "in B, a bind remount may keep the locked flags and add others",
    case: { setup: [mnt("tmpfs", "/a", "tmpfs", MS_RDONLY)], userns: 0, ops: [B(mnt(null, "/a", null, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a ro,relatime - tmpfs tmpfs ro\n",
    results: [0, 0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a ro,relatime private tmpfs tmpfs ro",
      "B1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "B2 B1 dev2 / /a ro,nosuid,relatime private tmpfs tmpfs ro",
    ],
  },
  {
    name: "in B, a bind remount may not change the locked atime (EPERM)",
    case: { setup: [tmpfs("/a")], userns: 0, ops: [B(mnt(null, "/a", null, MS_REMOUNT | MS_BIND | MS_NOATIME))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime - tmpfs tmpfs rw\n",
    results: [0, EPERM],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
      "B1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "B2 B1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "in B, a plain remount of A's superblock is EPERM",
    case: { setup: [tmpfs("/a")], userns: 0, ops: [B(mnt(null, "/a", null, MS_REMOUNT | MS_RDONLY))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n43 63 0:40 / /a rw,relatime - tmpfs tmpfs rw\n",
    results: [0, EPERM],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
      "B1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "B2 B1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "in B, its own tmpfs can be remounted any way",
    case: { setup: [], userns: 0, ops: [B(tmpfs("/a")), B(mnt(null, "/a", null, MS_REMOUNT | MS_RDONLY)), B(mnt(null, "/a", null, MS_REMOUNT | MS_BIND | MS_NOATIME))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n",
    results: [0, 0, 0, 0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "B1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "B2 B1 dev2 / /a rw,noatime private tmpfs tmpfs ro",
    ],
  },
  {
    name: "in B, proc cannot be mounted: B's task owns no PID namespace (EPERM)",
    case: { setup: [], userns: 0, ops: [B(mnt("proc", "/a", "proc", 0))] },
    start: "63 42 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n",
    results: [0, EPERM],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "B1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
    ],
  },
  // Detached trees (2026-12-03): found once the property drew open_tree, move_mount and mount_setattr.
  {
    name: "move_mount looks the target up first: a bad source fd with a missing target is ENOENT",
    case: { setup: [], userns: null, ops: [A(moveMount(0, "", "/a/a")), A(moveMount(0, "", "/a"))] },
    start: "69 46 0:41 / / rw,relatime - tmpfs tmpfs rw,mode=755\n",
    results: [ENOENT, EBADF],
    tables: ["A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw"],
  },
  {
    name: "move_mount onto a lazily unmounted root is ENOENT before the source's rule",
    case: { setup: [], userns: null, ops: [A(umount("/", MNT_DETACH)), A(moveMount(-1, "/", "/"))] },
    start: "66 45 0:40 / / rw,relatime - tmpfs tmpfs rw,mode=755\n",
    results: [0, ENOENT],
    tables: [],
  },
  {
    name: "in B, open_tree(AT_RECURSIVE) of a tree with a locked unbindable mount is EPERM, as a recursive bind is",
    case: { setup: [tmpfs("/a")], userns: 0, ops: [B(setattr(-1, "/a", MS_UNBINDABLE, false)), B(openTree(-1, "/", true))] },
    start: "67 45 0:40 / / rw,relatime - tmpfs tmpfs rw,mode=755\n47 67 0:42 / /a rw,relatime - tmpfs tmpfs rw\n",
    results: [0, 0, EPERM],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
      "B1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "B2 B1 dev2 / /a rw,relatime unbindable tmpfs tmpfs rw",
    ],
  },
  {
    name: "a bind made a slave of a clone's mount (its next peer) still gets copies: next_group walks a detached peer's slaves",
    case: { setup: [tmpfs("/a"), tmpfs("/b")], userns: null,
      ops: [A(propagate("/a", MS_SHARED)), A(openTree(-1, "/a/a", false)), A(bind("/a/a", "/b", false)), A(propagate("/b", MS_SLAVE)), A(bind("/a/a", "/a/a", false))] },
    start: "66 45 0:40 / / rw,relatime - tmpfs tmpfs rw,mode=755\n46 66 0:41 / /a rw,relatime - tmpfs tmpfs rw\n47 66 0:42 / /b rw,relatime - tmpfs tmpfs rw\n",
    results: [0, 0, 0, 0, 0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime shared:1 tmpfs tmpfs rw",
      "A3 A2 dev2 /a /a/a rw,relatime shared:1 tmpfs tmpfs rw",
      "A4 A1 dev3 / /b rw,relatime private tmpfs tmpfs rw",
      "A5 A4 dev2 /a /b rw,relatime master:1 tmpfs tmpfs rw",
      "A6 A5 dev2 /a /b rw,relatime master:1 tmpfs tmpfs rw",
    ],
  },
  {
    name: "move_mount puts a detached tree into another one of the caller's (6.15), which then attaches with it",
    case: { setup: [tmpfs("/a"), tmpfs("/b")], userns: null,
      ops: [A(openTree(-1, "/a", false)), A(openTree(-1, "/b", false)), A(moveMount(1, "", "a", 0)), A(moveMount(0, "", "/b"))] },
    start: "66 45 0:40 / / rw,relatime - tmpfs tmpfs rw,mode=755\n46 66 0:41 / /a rw,relatime - tmpfs tmpfs rw\n47 66 0:42 / /b rw,relatime - tmpfs tmpfs rw\n",
    results: [0, 0, 0, 0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
      "A3 A1 dev3 / /b rw,relatime private tmpfs tmpfs rw",
      "A4 A3 dev2 / /b rw,relatime private tmpfs tmpfs rw",
      "A5 A4 dev3 / /b/a rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "move_mount of an attached mount into a detached tree is EINVAL",
    case: { setup: [tmpfs("/a"), tmpfs("/b")], userns: null, ops: [A(openTree(-1, "/a", false)), A(moveMount(-1, "/b", "a", 0))] },
    start: "66 45 0:40 / / rw,relatime - tmpfs tmpfs rw,mode=755\n46 66 0:41 / /a rw,relatime - tmpfs tmpfs rw\n47 66 0:42 / /b rw,relatime - tmpfs tmpfs rw\n",
    results: [0, EINVAL],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
      "A3 A1 dev3 / /b rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "a tree moved into a shared detached clone sends copies to the clone's peers; a tree into itself is EINVAL",
    case: { setup: [tmpfs("/a"), tmpfs("/b"), propagate("/a", MS_SHARED), bind("/a", "/b/a", false)], userns: null,
      ops: [A(openTree(-1, "/a", false)), A(openTree(-1, "/b", false)), A(moveMount(1, "", "a", 0)), A(moveMount(0, "", "", 1))] },
    start: "66 45 0:40 / / rw,relatime - tmpfs tmpfs rw,mode=755\n46 66 0:41 / /a rw,relatime shared:1 - tmpfs tmpfs rw\n47 66 0:42 / /b rw,relatime - tmpfs tmpfs rw\n49 47 0:41 / /b/a rw,relatime shared:1 - tmpfs tmpfs rw\n",
    results: [0, 0, 0, EINVAL],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime shared:1 tmpfs tmpfs rw",
      "A3 A2 dev3 / /a/a rw,relatime shared:2 tmpfs tmpfs rw",
      "A4 A1 dev3 / /b rw,relatime private tmpfs tmpfs rw",
      "A5 A4 dev2 / /b/a rw,relatime shared:1 tmpfs tmpfs rw",
      "A6 A5 dev3 / /b/a/a rw,relatime shared:2 tmpfs tmpfs rw",
    ],
  },
  {
    name: "in B, a plain clone of a recursive clone is EINVAL: the copy of the locked /a/a stays locked in the detached tree",
    case: { setup: [tmpfs("/a"), tmpfs("/a/a")], userns: 0,
      ops: [B(openTree(-1, "/a", true)), B(openTree(0, "", false)), B(openTree(0, "", true)), B(moveMount(0, "", "/b"))] },
    start: "66 45 0:40 / / rw,relatime - tmpfs tmpfs rw,mode=755\n46 66 0:41 / /a rw,relatime - tmpfs tmpfs rw\n47 46 0:42 / /a/a rw,relatime - tmpfs tmpfs rw\n",
    results: [0, 0, EINVAL, 0, 0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
      "A3 A2 dev3 / /a/a rw,relatime private tmpfs tmpfs rw",
      "B1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "B2 B1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
      "B3 B2 dev3 / /a/a rw,relatime private tmpfs tmpfs rw",
      "B4 B1 dev2 / /b rw,relatime private tmpfs tmpfs rw",
      "B5 B4 dev3 / /b/a rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    // Not a counterexample: the case the oracle's "renew" draw was checked by. With the old
    // namespace kept alive (the fake before sys-ns.ts dropIfDead, planted back), /b/a is master:1.
    name: "B's namespace dies when B unshares again: its copy of /b/a is left alone in the group, so MS_SLAVE makes it private",
    case: { setup: [tmpfs("/a"), tmpfs("/b")], userns: 0, renew: 2,
      ops: [B(tmpfs("/b/a")), B(propagate("/b/a", MS_SHARED)), B(propagate("/b/a", MS_SLAVE))] },
    start: "66 45 0:40 / / rw,relatime - tmpfs tmpfs rw,mode=755\n46 66 0:41 / /a rw,relatime - tmpfs tmpfs rw\n47 66 0:42 / /b rw,relatime - tmpfs tmpfs rw\n",
    results: [0, 0, 0, 0, 0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
      "A3 A1 dev3 / /b rw,relatime private tmpfs tmpfs rw",
      "B1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "B2 B1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
      "B3 B1 dev3 / /b rw,relatime private tmpfs tmpfs rw",
      "B4 B3 dev4 / /b/a rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    // Found by deep seed 3 once the oracle named trees through /proc/self/fd. The disagreement was
    // the harness's: the driver's mkdir of @-2/a (a tmpfs was just mounted "on" the fd) lands in
    // the fd's own mount, under that tmpfs, so /b/b/a exists in /b; the fake's set-up helper had
    // made it in the new tmpfs. The fake's mkdir(2) did as Linux does; the harness now uses it.
    name: "a tmpfs mounted through /proc/self/fd/N sits on the fd's mount; mkdir through the same link lands under it",
    case: { setup: [tmpfs("/a"), tmpfs("/b")], userns: null, proc: true,
      ops: [A(openTree(-1, "/b/b", false)), A(move("@-2", "/a/a")), A(tmpfs("@-2")), A(bind("/a/a", "/a/a", false)), A(umount("/b/b/a"))] },
    start: "66 45 0:40 / / rw,relatime - tmpfs tmpfs rw,mode=755\n46 66 0:41 / /proc rw,relatime - proc proc rw\n47 66 0:42 / /a rw,relatime - tmpfs tmpfs rw\n49 66 0:43 / /b rw,relatime - tmpfs tmpfs rw\n",
    results: [0, 0, 0, 0, EINVAL],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
      "A3 A2 dev3 /b /a/a rw,relatime private tmpfs tmpfs rw",
      "A4 A3 dev4 / /a/a rw,relatime private tmpfs tmpfs rw",
      "A5 A4 dev4 / /a/a rw,relatime private tmpfs tmpfs rw",
      "A6 A1 dev3 / /b rw,relatime private tmpfs tmpfs rw",
      "A7 A1 dev5 / /proc rw,relatime private proc proc rw",
    ],
  },
  {
    // Default seed 7: the clone of "/" moved onto /b (a peer of "/") sends a copy onto "/" itself;
    // umount2("/") reaches that copy (LOOKUP_MOUNTPOINT), whose unmount would take the clone at /b
    // with it, and the clone is held by the open_tree fd: propagate_mount_busy says EBUSY. The fake
    // had asked only whether the copy itself was busy (test/native-umount-busy.test.ts).
    name: "umount2 is EBUSY when a copy it would take along is held by an fd (propagate_mount_busy)",
    case: { setup: [propagate("/", MS_SHARED)], userns: null, proc: true,
      ops: [A(bind("/", "/b", false)), A(openTree(-1, "/", false)), A(move("@-2", "/b")), A(umount("/")), A(tmpfs("/"))] },
    start: "66 45 0:40 / / rw,relatime shared:1 - tmpfs tmpfs rw,mode=755\n46 66 0:41 / /proc rw,relatime - proc proc rw\n",
    results: [0, 0, 0, EBUSY, 0],
    tables: [
      "A1 ^ dev1 / / rw,relatime shared:1 tmpfs tmpfs rw",
      "A2 A1 dev2 / / rw,relatime shared:2 tmpfs tmpfs rw",
      "A3 A2 dev1 / / rw,relatime shared:1 tmpfs tmpfs rw",
      "A4 A3 dev2 / / rw,relatime shared:2 tmpfs tmpfs rw",
      "A5 A1 dev1 / /b rw,relatime shared:1 tmpfs tmpfs rw",
      "A6 A5 dev2 / /b rw,relatime shared:2 tmpfs tmpfs rw",
      "A7 A6 dev1 / /b rw,relatime shared:1 tmpfs tmpfs rw",
      "A8 A7 dev2 / /b rw,relatime shared:2 tmpfs tmpfs rw",
      "A9 A1 dev3 / /proc rw,relatime private proc proc rw",
    ],
  },
  {
    // The harness, not the fake: the fake's B was a copy of A made at U, so it took A's chroot along,
    // and saw nothing. The driver forks B at the case start (FakeKernel.fork, same point now).
    name: "B, forked at the start, keeps its root when A chroots: A sees its new tmpfs, B the whole tree",
    case: { setup: [tmpfs("/a")], userns: 1, renew: null, proc: false, ops: [A(chroot("/b")), A(tmpfs("/")), B(tmpfs("/b"))] },
    start: "66 45 0:40 / / rw,relatime - tmpfs tmpfs rw,mode=755\n46 66 0:41 / /a rw,relatime - tmpfs tmpfs rw\n",
    results: [0, 0, 0, 0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "B1 ^ dev2 / / rw,relatime private tmpfs tmpfs rw",
      "B2 B1 dev3 / /a rw,relatime private tmpfs tmpfs rw",
      "B3 B1 dev4 / /b rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "the move strategy's switch: cwd into /a, /a moved onto \"/\", chroot(\".\"): the old root is out of sight",
    case: { setup: [tmpfs("/a")], userns: null, renew: null, proc: false, ops: [A(chdir("/a")), A(move("/a", "/")), A(chroot(".")), A(tmpfs("/b"))] },
    start: "66 45 0:40 / / rw,relatime - tmpfs tmpfs rw,mode=755\n46 66 0:41 / /a rw,relatime - tmpfs tmpfs rw\n",
    results: [0, 0, 0, 0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /b rw,relatime private tmpfs tmpfs rw",
    ],
  },
  {
    name: "paths through the links every tmpfs has: a tmpfs mounted on /l lands on /a, and umount2(/r) takes it",
    case: { setup: [tmpfs("/l")], userns: null, renew: null, proc: false, ops: [A(umount("/r"))] },
    start: "66 45 0:40 / / rw,relatime - tmpfs tmpfs rw,mode=755\n46 66 0:41 / /a rw,relatime - tmpfs tmpfs rw\n",
    results: [0],
    tables: ["A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw"],
  },
  {
    name: "UMOUNT_NOFOLLOW on a link is EINVAL; after chroot(/a/b), /r (to /a) is looked up from the new root: ENOENT",
    case: { setup: [tmpfs("/a")], userns: null, renew: null, proc: false, ops: [A(umount("/l", UMOUNT_NOFOLLOW)), A(chroot("/a/b")), A(tmpfs("/r"))] },
    start: "66 45 0:40 / / rw,relatime - tmpfs tmpfs rw,mode=755\n46 66 0:41 / /a rw,relatime - tmpfs tmpfs rw\n",
    results: [EINVAL, 0, ENOENT],
    tables: [],
  },
  {
    name: "a new tmpfs has the links too: a tmpfs on /a/l lands on /a/a, and /a/r (to /a, from the root) on /a",
    case: { setup: [tmpfs("/a")], userns: null, renew: null, proc: false, ops: [A(tmpfs("/a/l")), A(tmpfs("/a/r"))] },
    start: "66 45 0:40 / / rw,relatime - tmpfs tmpfs rw,mode=755\n46 66 0:41 / /a rw,relatime - tmpfs tmpfs rw\n",
    results: [0, 0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
      "A3 A2 dev3 / /a rw,relatime private tmpfs tmpfs rw",
      "A4 A2 dev4 / /a/a rw,relatime private tmpfs tmpfs rw",
    ],
  },
];

keptCaseTests(test, KEPT);

test.run();
