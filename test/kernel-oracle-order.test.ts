// Mountinfo order, recorded on Linux 6.18: the cases where the fake kernel listed mounts in
// another order than the kernel, now fixed, kept with each table's listing order, normalised (the
// kernel oracle, test/kernel-oracle.test.ts, compares order only on the fake that ran the set-up
// itself: see compare() in test/helpers/kernel-oracle.ts). A namespace copy (copy_tree) walks
// each parent's children in attach order (a moved mount goes last), depth first, and the
// namespace lists mounts in the order they were made (mnt_id_unique), not by id and not by when
// they were attached. As root the real kernel is run again too. src/hosts/fake/mounts.ts,
// Mount.childSeq in src/hosts/fake/model.ts.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as abi from "../src/abi.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import type { Request } from "../src/request.js";
import { type Case, type Step, type Call, bind, move, pivot, propagate, tmpfs, umount, normalise, oracleSkipReason, runFake, runReal } from "./helpers/kernel-oracle.js";

const A = (call: Call): Step => ({ ns: "A", call });
const B = (call: Call): Step => ({ ns: "B", call });
/**
 * `replayed`: held against the fake that ran the set-up itself, which knows the propagation lists
 * (src/hosts/fake/pnode.ts: each group's ring, each master's slaves) that a start table cannot
 * show; the order of propagated copies depends on them.
 */
interface Recorded { name: string; case: Case; start: string; results: number[]; tables: string[]; replayed?: true }

const RECORDED: Recorded[] = [
  {
    name: "a mount moved away and back is attached last: a namespace copy makes it after its later sibling",
    case: { setup: [tmpfs("/a"), tmpfs("/b")], userns: 2, ops: [A(move("/a", "/b/a")), A(move("/b/a", "/a"))] },
    start: "65 43 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n44 65 0:40 / /a rw,relatime - tmpfs tmpfs rw\n45 65 0:41 / /b rw,relatime - tmpfs tmpfs rw\n",
    results: [0, 0, 0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
      "A3 A1 dev3 / /b rw,relatime private tmpfs tmpfs rw",
      "A order: A1 A2 A3",
      "B1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "B2 B1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
      "B3 B1 dev3 / /b rw,relatime private tmpfs tmpfs rw",
      "B order: B1 B3 B2",
    ],
  },
  {
    name: "a recursive bind copies depth first: /b/a's copy is made before the copy of the bind on /",
    case: { setup: [bind("/", "/b", false), tmpfs("/b/a")], userns: null, ops: [A(bind("/", "/", false)), A(bind("/", "/", true)), A(umount("/a"))] },
    start: "65 43 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n44 65 0:39 / /b rw,relatime - tmpfs tmpfs rw,mode=755\n45 44 0:40 / /b/a rw,relatime - tmpfs tmpfs rw\n",
    results: [0, 0, 22],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A3 A2 dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A4 A3 dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A5 A1 dev1 / /b rw,relatime private tmpfs tmpfs rw",
      "A6 A3 dev1 / /b rw,relatime private tmpfs tmpfs rw",
      "A7 A5 dev2 / /b/a rw,relatime private tmpfs tmpfs rw",
      "A8 A6 dev2 / /b/a rw,relatime private tmpfs tmpfs rw",
      "A order: A1 A5 A7 A2 A3 A6 A8 A4",
    ],
  },
  {
    name: "a table whose ids were reused: its listing order, not its ids, is the children's order a copy follows",
    case: { setup: [tmpfs("/a"), bind("/", "/", false)], userns: 0, ops: [A(pivot("/", "/a"))] },
    start: "65 43 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n44 65 0:40 / /a rw,relatime - tmpfs tmpfs rw\n45 65 0:39 / / rw,relatime - tmpfs tmpfs rw,mode=755\n",
    results: [0, 16],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A3 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
      "A order: A1 A3 A2",
      "B1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "B2 B1 dev1 / / rw,relatime private tmpfs tmpfs rw",
      "B3 B1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
      "B order: B1 B3 B2",
    ],
  },
  // Propagation order (propagate_mnt, fs/pnode.c): the fake once visited receivers in creation
  // order; Linux walks the source's ring from the source (a bind goes right after its original:
  // clone_mnt's list_add), then each slave group depth first from the master's first slave (a
  // new slave goes first: hlist_add_head). Found by the oracle with order compared.
  {
    name: "a mount under a shared / goes first to the peer after the source in its ring, the newest bind",
    case: { setup: [propagate("/", abi.MS_SHARED), bind("/", "/a", false), bind("/", "/b", false)], userns: null, ops: [A(tmpfs("/a/b"))] },
    start: "4276 4216 0:4230 / / rw,relatime shared:1 - tmpfs tmpfs rw,mode=755\n4217 4276 0:4230 / /a rw,relatime shared:1 - tmpfs tmpfs rw,mode=755\n4220 4276 0:4230 / /b rw,relatime shared:1 - tmpfs tmpfs rw,mode=755\n4223 4217 0:4230 / /a/b rw,relatime shared:1 - tmpfs tmpfs rw,mode=755\n",
    results: [0],
    tables: [
      "A1 ^ dev1 / / rw,relatime shared:1 tmpfs tmpfs rw",
      "A2 A1 dev2 / / rw,relatime shared:2 tmpfs tmpfs rw",
      "A3 A1 dev1 / /a rw,relatime shared:1 tmpfs tmpfs rw",
      "A4 A3 dev2 / /a rw,relatime shared:2 tmpfs tmpfs rw",
      "A5 A3 dev1 / /a/b rw,relatime shared:1 tmpfs tmpfs rw",
      "A6 A5 dev2 / /a/b rw,relatime shared:2 tmpfs tmpfs rw",
      "A7 A1 dev1 / /b rw,relatime shared:1 tmpfs tmpfs rw",
      "A8 A7 dev2 / /b rw,relatime shared:2 tmpfs tmpfs rw",
      "A order: A1 A3 A7 A5 A6 A4 A2 A8",
    ],
    replayed: true,
  },
  {
    name: "slave groups are visited from the source's own slaves: B's copy of the source's peer is made before B's copy of /",
    case: { setup: [propagate("/", abi.MS_SHARED), bind("/", "/", false)], userns: 0, ops: [A(bind("/", "/", false))] },
    start: "4297 4276 0:4230 / / rw,relatime shared:1 - tmpfs tmpfs rw,mode=755\n4216 4297 0:4230 / / rw,relatime shared:1 - tmpfs tmpfs rw,mode=755\n",
    results: [0, 0],
    tables: [
      "A1 ^ dev1 / / rw,relatime shared:1 tmpfs tmpfs rw",
      "A2 A1 dev1 / / rw,relatime shared:1 tmpfs tmpfs rw",
      "A3 A2 dev1 / / rw,relatime shared:1 tmpfs tmpfs rw",
      "A4 A3 dev1 / / rw,relatime shared:1 tmpfs tmpfs rw",
      "A order: A1 A3 A4 A2",
      "B1 ^ dev1 / / rw,relatime master:1 tmpfs tmpfs rw",
      "B2 B1 dev1 / / rw,relatime master:1 tmpfs tmpfs rw",
      "B3 B2 dev1 / / rw,relatime master:1 tmpfs tmpfs rw",
      "B4 B3 dev1 / / rw,relatime master:1 tmpfs tmpfs rw",
      "B order: B1 B3 B4 B2",
    ],
    replayed: true,
  },
  {
    name: "an rslave walk is depth first: the last mount it walks is first among its master's slaves, so first to receive",
    case: {
      setup: [propagate("/", abi.MS_SHARED)], userns: 0,
      ops: [A(bind("/", "/", false)), A(tmpfs("/a")), B(propagate("/", abi.MS_REC | abi.MS_SLAVE)), A(tmpfs("/a"))],
    },
    start: "4276 4216 0:4230 / / rw,relatime shared:1 - tmpfs tmpfs rw,mode=755\n",
    results: [0, 0, 0, 0, 0],
    tables: [
      "A1 ^ dev1 / / rw,relatime shared:1 tmpfs tmpfs rw",
      "A2 A1 dev1 / / rw,relatime shared:1 tmpfs tmpfs rw",
      "A3 A1 dev2 / /a rw,relatime shared:2 tmpfs tmpfs rw",
      "A4 A2 dev2 / /a rw,relatime shared:2 tmpfs tmpfs rw",
      "A5 A3 dev3 / /a rw,relatime shared:3 tmpfs tmpfs rw",
      "A6 A4 dev3 / /a rw,relatime shared:3 tmpfs tmpfs rw",
      "A order: A1 A2 A3 A4 A5 A6",
      "B1 ^ dev1 / / rw,relatime master:1 tmpfs tmpfs rw",
      "B2 B1 dev1 / / rw,relatime master:1 tmpfs tmpfs rw",
      "B3 B1 dev2 / /a rw,relatime master:2 tmpfs tmpfs rw",
      "B4 B2 dev2 / /a rw,relatime master:2 tmpfs tmpfs rw",
      "B5 B3 dev3 / /a rw,relatime master:3 tmpfs tmpfs rw",
      "B6 B4 dev3 / /a rw,relatime master:3 tmpfs tmpfs rw",
      "B order: B1 B2 B3 B4 B5 B6",
    ],
    replayed: true,
  },
  // Recorded on Linux 6.18 for propagation.ts's Stryker survivors (docs/mutation.md, "pnode.ts and the
  // rewritten propagation.ts"): longer propagation shapes that the oracle's random draws (paths of
  // two names, depth two) rarely reach. Every call is an op, so the fake that ran them knows the lists.
  {
    name: "two pure slaves of one mount (no peer group of their own) each get a slave copy of the new mount's, not one of the other's (find_master: peers() of two group-0 mounts is false)",
    case: { setup: [], userns: null, ops: [A(tmpfs("/a")), A(propagate("/a", abi.MS_SHARED)), A(bind("/a", "/b", false)), A(propagate("/b", abi.MS_SLAVE)), A(bind("/a", "/b/b", false)), A(propagate("/b/b", abi.MS_SLAVE)), A(tmpfs("/a/a"))] },
    start: "62 41 0:38 / / rw,relatime - tmpfs tmpfs rw,mode=755\n",
    results: [0,0,0,0,0,0,0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime shared:1 tmpfs tmpfs rw",
      "A3 A2 dev3 / /a/a rw,relatime shared:2 tmpfs tmpfs rw",
      "A4 A1 dev2 / /b rw,relatime master:1 tmpfs tmpfs rw",
      "A5 A4 dev3 / /b/a rw,relatime master:2 tmpfs tmpfs rw",
      "A6 A4 dev2 / /b/b rw,relatime master:1 tmpfs tmpfs rw",
      "A7 A6 dev3 / /b/b/a rw,relatime master:2 tmpfs tmpfs rw",
      "A order: A1 A2 A4 A6 A3 A7 A5",
    ],
    replayed: true,
  },
  {
    name: "a slave of a slave is copied from its master's copy, and a later slave of the first master from the first copy again (find_master walks down the copies' masters)",
    case: { setup: [], userns: null, ops: [A(tmpfs("/a")), A(propagate("/a", abi.MS_SHARED)), A(bind("/a", "/b", false)), A(propagate("/b", abi.MS_SLAVE)), A(propagate("/b", abi.MS_SHARED)), A(bind("/b", "/b/b", false)), A(propagate("/b/b", abi.MS_SLAVE)), A(bind("/a", "/a/b", false)), A(propagate("/a/b", abi.MS_SLAVE)), A(tmpfs("/a/a"))] },
    start: "62 41 0:38 / / rw,relatime - tmpfs tmpfs rw,mode=755\n",
    results: [0,0,0,0,0,0,0,0,0,0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime shared:1 tmpfs tmpfs rw",
      "A3 A2 dev3 / /a/a rw,relatime shared:2 tmpfs tmpfs rw",
      "A4 A2 dev2 / /a/b rw,relatime master:1 tmpfs tmpfs rw",
      "A5 A4 dev3 / /a/b/a rw,relatime master:2 tmpfs tmpfs rw",
      "A6 A1 dev2 / /b rw,relatime shared:3 master:1 tmpfs tmpfs rw",
      "A7 A6 dev3 / /b/a rw,relatime shared:4 master:2 tmpfs tmpfs rw",
      "A8 A6 dev2 / /b/b rw,relatime shared:5 master:1 tmpfs tmpfs rw",
      "A9 A8 dev2 / /b/b rw,relatime master:3 tmpfs tmpfs rw",
      "A10 A8 dev3 / /b/b/a rw,relatime shared:6 master:2 tmpfs tmpfs rw",
      "A11 A9 dev3 / /b/b/a rw,relatime master:4 tmpfs tmpfs rw",
      "A12 A9 dev2 / /b/b/b rw,relatime master:5 tmpfs tmpfs rw",
      "A13 A12 dev3 / /b/b/b/a rw,relatime master:6 tmpfs tmpfs rw",
      "A order: A1 A2 A6 A9 A4 A8 A12 A3 A5 A10 A13 A7 A11",
    ],
    replayed: true,
  },
  {
    name: "a slave peer group of three: next_group goes round the ring and into the slaves of each member in turn",
    case: { setup: [], userns: null, ops: [A(tmpfs("/a")), A(propagate("/a", abi.MS_SHARED)), A(bind("/a", "/b", false)), A(propagate("/b", abi.MS_SLAVE)), A(propagate("/b", abi.MS_SHARED)), A(bind("/b", "/b/b", false)), A(bind("/b/b", "/b/a", false)), A(propagate("/b/a", abi.MS_SLAVE)), A(tmpfs("/a/a"))] },
    start: "62 41 0:38 / / rw,relatime - tmpfs tmpfs rw,mode=755\n",
    results: [0,0,0,0,0,0,0,0,0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime shared:1 tmpfs tmpfs rw",
      "A3 A2 dev3 / /a/a rw,relatime shared:2 tmpfs tmpfs rw",
      "A4 A1 dev2 / /b rw,relatime shared:3 master:1 tmpfs tmpfs rw",
      "A5 A4 dev3 / /b/a rw,relatime shared:4 master:2 tmpfs tmpfs rw",
      "A6 A5 dev2 / /b/a rw,relatime master:3 tmpfs tmpfs rw",
      "A7 A6 dev3 / /b/a/a rw,relatime master:4 tmpfs tmpfs rw",
      "A8 A4 dev2 / /b/b rw,relatime shared:3 master:1 tmpfs tmpfs rw",
      "A9 A8 dev3 / /b/b/a rw,relatime shared:4 master:2 tmpfs tmpfs rw",
      "A10 A9 dev2 / /b/b/a rw,relatime shared:3 master:1 tmpfs tmpfs rw",
      "A11 A10 dev3 / /b/b/a/a rw,relatime shared:4 master:2 tmpfs tmpfs rw",
      "A order: A1 A2 A4 A8 A6 A10 A3 A5 A9 A11 A7",
    ],
    replayed: true,
  },
  {
    name: "a slave peer group across two namespaces (the copy in B is a peer of A's /b and next in its master's slave list): B's slave of it receives",
    case: { setup: [tmpfs("/a"), propagate("/a", abi.MS_SHARED), bind("/a", "/b", false), propagate("/b", abi.MS_SLAVE), propagate("/b", abi.MS_SHARED)], userns: 0, ops: [B(bind("/b", "/b/b", false)), B(propagate("/b/b", abi.MS_SLAVE)), A(tmpfs("/a/a"))] },
    start: "62 41 0:38 / / rw,relatime - tmpfs tmpfs rw,mode=755\n42 62 0:39 / /a rw,relatime shared:1 - tmpfs tmpfs rw\n43 62 0:39 / /b rw,relatime shared:2 master:1 - tmpfs tmpfs rw\n",
    results: [0,0,0,0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime shared:1 tmpfs tmpfs rw",
      "A3 A2 dev3 / /a/a rw,relatime shared:2 tmpfs tmpfs rw",
      "A4 A1 dev2 / /b rw,relatime shared:3 master:1 tmpfs tmpfs rw",
      "A5 A4 dev3 / /b/a rw,relatime shared:4 master:2 tmpfs tmpfs rw",
      "A order: A1 A2 A4 A3 A5",
      "B1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "B2 B1 dev2 / /a rw,relatime master:1 tmpfs tmpfs rw",
      "B3 B2 dev3 / /a/a rw,relatime master:2 tmpfs tmpfs rw",
      "B4 B1 dev2 / /b rw,relatime master:3 tmpfs tmpfs rw",
      "B5 B4 dev3 / /b/a rw,relatime master:4 tmpfs tmpfs rw",
      "B6 B4 dev2 / /b/b rw,relatime master:3 tmpfs tmpfs rw",
      "B7 B6 dev3 / /b/b/a rw,relatime master:4 tmpfs tmpfs rw",
      "B order: B1 B2 B4 B6 B3 B7 B5",
    ],
    replayed: true,
  },
  {
    name: "a lazy unmount takes a master and its slave-and-shared slave; the slave's slaves go past the going master to its peer outside, before the master's own (propagation_source skips marked mounts)",
    case: { setup: [], userns: null, ops: [A(tmpfs("/a")), A(tmpfs("/a/a")), A(propagate("/a/a", abi.MS_SHARED)), A(tmpfs("/b")), A(bind("/a/a", "/b/a", false)), A(propagate("/b/a", abi.MS_SLAVE)), A(propagate("/b/a", abi.MS_SHARED)), A(move("/a/a", "/b/b")), A(tmpfs("/a/b")), A(bind("/b/a", "/a/b/a", false)), A(propagate("/a/b/a", abi.MS_SLAVE)), A(bind("/b/b", "/a/b/b", false)), A(propagate("/a/b/b", abi.MS_SLAVE)), A(bind("/b/b", "/a/a", false)), A(umount("/b", abi.MNT_DETACH)), A(tmpfs("/a/a/a"))] },
    start: "62 41 0:38 / / rw,relatime - tmpfs tmpfs rw,mode=755\n",
    results: [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
      "A3 A2 dev3 / /a/a rw,relatime shared:1 tmpfs tmpfs rw",
      "A4 A3 dev4 / /a/a/a rw,relatime shared:2 tmpfs tmpfs rw",
      "A5 A2 dev5 / /a/b rw,relatime private tmpfs tmpfs rw",
      "A6 A5 dev3 / /a/b/a rw,relatime master:1 tmpfs tmpfs rw",
      "A7 A6 dev4 / /a/b/a/a rw,relatime master:2 tmpfs tmpfs rw",
      "A8 A5 dev3 / /a/b/b rw,relatime master:1 tmpfs tmpfs rw",
      "A9 A8 dev4 / /a/b/b/a rw,relatime master:2 tmpfs tmpfs rw",
      "A order: A1 A2 A5 A6 A8 A3 A4 A9 A7",
    ],
    replayed: true,
  },
  {
    name: "as above, with a second peer of the master inside the unmounted tree: the slaves skip that going peer too",
    case: { setup: [], userns: null, ops: [A(tmpfs("/a")), A(tmpfs("/a/a")), A(propagate("/a/a", abi.MS_SHARED)), A(tmpfs("/b")), A(bind("/a/a", "/b/a", false)), A(propagate("/b/a", abi.MS_SLAVE)), A(propagate("/b/a", abi.MS_SHARED)), A(move("/a/a", "/b/b")), A(bind("/b/b", "/b/b/b", false)), A(tmpfs("/a/b")), A(bind("/b/a", "/a/b/a", false)), A(propagate("/a/b/a", abi.MS_SLAVE)), A(bind("/b/b", "/a/b/b", false)), A(propagate("/a/b/b", abi.MS_SLAVE)), A(bind("/b/b", "/a/a", false)), A(umount("/b", abi.MNT_DETACH)), A(tmpfs("/a/a/a"))] },
    start: "64 41 0:38 / / rw,relatime - tmpfs tmpfs rw,mode=755\n",
    results: [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
      "A3 A2 dev3 / /a/a rw,relatime shared:1 tmpfs tmpfs rw",
      "A4 A3 dev4 / /a/a/a rw,relatime shared:2 tmpfs tmpfs rw",
      "A5 A2 dev5 / /a/b rw,relatime private tmpfs tmpfs rw",
      "A6 A5 dev3 / /a/b/a rw,relatime master:1 tmpfs tmpfs rw",
      "A7 A6 dev4 / /a/b/a/a rw,relatime master:2 tmpfs tmpfs rw",
      "A8 A5 dev3 / /a/b/b rw,relatime master:1 tmpfs tmpfs rw",
      "A9 A8 dev4 / /a/b/b/a rw,relatime master:2 tmpfs tmpfs rw",
      "A order: A1 A2 A5 A6 A8 A3 A4 A9 A7",
    ],
    replayed: true,
  },
  {
    name: "as above with no peer outside: every master of the going slave goes too, so its slaves become private (propagation_source finds none)",
    case: { setup: [], userns: null, ops: [A(tmpfs("/a")), A(tmpfs("/a/a")), A(propagate("/a/a", abi.MS_SHARED)), A(tmpfs("/b")), A(bind("/a/a", "/b/a", false)), A(propagate("/b/a", abi.MS_SLAVE)), A(propagate("/b/a", abi.MS_SHARED)), A(move("/a/a", "/b/b")), A(tmpfs("/a/b")), A(bind("/b/a", "/a/b/a", false)), A(propagate("/a/b/a", abi.MS_SLAVE)), A(bind("/b/b", "/a/b/b", false)), A(propagate("/a/b/b", abi.MS_SLAVE)), A(umount("/b", abi.MNT_DETACH)), A(tmpfs("/a/b/a/a"))] },
    start: "62 41 0:38 / / rw,relatime - tmpfs tmpfs rw,mode=755\n",
    results: [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
      "A3 A2 dev3 / /a/b rw,relatime private tmpfs tmpfs rw",
      "A4 A3 dev4 / /a/b/a rw,relatime private tmpfs tmpfs rw",
      "A5 A4 dev5 / /a/b/a/a rw,relatime private tmpfs tmpfs rw",
      "A6 A3 dev4 / /a/b/b rw,relatime private tmpfs tmpfs rw",
      "A order: A1 A2 A3 A4 A6 A5",
    ],
    replayed: true,
  },
  {
    name: "as above, with the going peer next in the master's ring (bound after the peer outside): the slaves skip it and go to the one outside",
    case: { setup: [], userns: null, ops: [A(tmpfs("/a")), A(tmpfs("/a/a")), A(propagate("/a/a", abi.MS_SHARED)), A(tmpfs("/b")), A(bind("/a/a", "/b/a", false)), A(propagate("/b/a", abi.MS_SLAVE)), A(propagate("/b/a", abi.MS_SHARED)), A(move("/a/a", "/b/b")), A(tmpfs("/a/b")), A(bind("/b/a", "/a/b/a", false)), A(propagate("/a/b/a", abi.MS_SLAVE)), A(bind("/b/b", "/a/b/b", false)), A(propagate("/a/b/b", abi.MS_SLAVE)), A(bind("/b/b", "/a/a", false)), A(bind("/b/b", "/b/b/b", false)), A(umount("/b", abi.MNT_DETACH)), A(tmpfs("/a/a/a"))] },
    start: "62 41 0:38 / / rw,relatime - tmpfs tmpfs rw,mode=755\n",
    results: [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
      "A3 A2 dev3 / /a/a rw,relatime shared:1 tmpfs tmpfs rw",
      "A4 A3 dev4 / /a/a/a rw,relatime shared:2 tmpfs tmpfs rw",
      "A5 A2 dev5 / /a/b rw,relatime private tmpfs tmpfs rw",
      "A6 A5 dev3 / /a/b/a rw,relatime master:1 tmpfs tmpfs rw",
      "A7 A6 dev4 / /a/b/a/a rw,relatime master:2 tmpfs tmpfs rw",
      "A8 A5 dev3 / /a/b/b rw,relatime master:1 tmpfs tmpfs rw",
      "A9 A8 dev4 / /a/b/b/a rw,relatime master:2 tmpfs tmpfs rw",
      "A order: A1 A2 A5 A6 A8 A3 A4 A9 A7",
    ],
    replayed: true,
  },
  {
    name: "as above, and the going peer has a slave of its own outside: the slaves that skipped it come after its own in the peer outside's list (a walk that handed them to the going peer would put them first)",
    case: { setup: [], userns: null, ops: [A(tmpfs("/a")), A(tmpfs("/a/a")), A(propagate("/a/a", abi.MS_SHARED)), A(tmpfs("/b")), A(bind("/a/a", "/b/a", false)), A(propagate("/b/a", abi.MS_SLAVE)), A(propagate("/b/a", abi.MS_SHARED)), A(move("/a/a", "/b/b")), A(tmpfs("/a/b")), A(bind("/b/a", "/a/b/a", false)), A(propagate("/a/b/a", abi.MS_SLAVE)), A(bind("/b/b", "/a/b/b", false)), A(propagate("/a/b/b", abi.MS_SLAVE)), A(bind("/b/b", "/a/a", false)), A(bind("/b/b", "/b/b/b", false)), A(bind("/b/b", "/a/b/b/a", false)), A(propagate("/a/b/b/a", abi.MS_SLAVE)), A(umount("/b", abi.MNT_DETACH)), A(tmpfs("/a/a/a"))] },
    start: "62 41 0:38 / / rw,relatime - tmpfs tmpfs rw,mode=755\n",
    results: [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],
    tables: [
      "A1 ^ dev1 / / rw,relatime private tmpfs tmpfs rw",
      "A2 A1 dev2 / /a rw,relatime private tmpfs tmpfs rw",
      "A3 A2 dev3 / /a/a rw,relatime shared:1 tmpfs tmpfs rw",
      "A4 A3 dev4 / /a/a/a rw,relatime shared:2 tmpfs tmpfs rw",
      "A5 A2 dev5 / /a/b rw,relatime private tmpfs tmpfs rw",
      "A6 A5 dev3 / /a/b/a rw,relatime master:1 tmpfs tmpfs rw",
      "A7 A6 dev4 / /a/b/a/a rw,relatime master:2 tmpfs tmpfs rw",
      "A8 A5 dev3 / /a/b/b rw,relatime master:1 tmpfs tmpfs rw",
      "A9 A8 dev4 / /a/b/b/a rw,relatime master:2 tmpfs tmpfs rw",
      "A10 A9 dev3 / /a/b/b/a rw,relatime master:1 tmpfs tmpfs rw",
      "A11 A10 dev4 / /a/b/b/a/a rw,relatime master:2 tmpfs tmpfs rw",
      "A order: A1 A2 A5 A6 A8 A3 A10 A4 A11 A9 A7",
    ],
    replayed: true,
  },
];

const withOrder = (o: { A: string; B: string | null }): string[] => normalise([["A", o.A], ["B", o.B]]);

for (const k of RECORDED) {
  test(`fake kernel, in Linux 6.18's order: ${k.name}`, () => {
    const all = runFake(k.case, k.start);
    const fake = k.replayed ? all.replayed : all;
    assert.equal(fake.results, k.results, "errno per request");
    assert.equal(withOrder(fake), k.tables, "the tables and their order, normalised");
  });
}

// open_tree(OPEN_TREE_CLONE) then move_mount: the clone is listed where it was made, before a mount
// made after it but attached before it. Recorded on 6.18 (open_tree and move_mount by syscall
// number from a script in `unshare -m --propagation private`, the table under a scratch tmpfs S):
//   65 44 0:39 / S | 66 65 0:40 / S/a | 67 65 0:40 / S/c | 68 65 0:41 / S/b
// The oracle's driver has no open_tree, so this one is checked on the fake alone.
test("fake kernel, in Linux 6.18's order: a detached clone attached by move_mount is listed where it was made", () => {
  const S = "/s";
  const k = FakeKernel.scenario("private-host").mkdir(S);
  const c = { seq: 0, step: "order", reason: "mountinfo order" };
  const x = (r: object) => k.exec({ ...c, ...r } as Request);
  x({ op: "mount", source: "s", target: S, filesystemtype: "tmpfs", mountflags: 0, data: null });
  for (const d of ["a", "b", "c"]) x({ op: "mkdir", pathname: `${S}/${d}`, mode: 0o755 });
  x({ op: "mount", source: "A", target: `${S}/a`, filesystemtype: "tmpfs", mountflags: 0, data: null });
  const fd = x({ op: "open_tree", dirfd: abi.AT_FDCWD, pathname: `${S}/a`, flags: abi.OPEN_TREE_CLONE | abi.OPEN_TREE_CLOEXEC });
  x({ op: "mount", source: "B", target: `${S}/b`, filesystemtype: "tmpfs", mountflags: 0, data: null });
  assert.equal(x({ op: "move_mount", from_dirfd: "ret" in fd ? fd.ret : -1, from_pathname: "", to_dirfd: abi.AT_FDCWD, to_pathname: `${S}/c`, flags: abi.MOVE_MOUNT_F_EMPTY_PATH }), { ret: 0 });
  const under = k.mountinfo().split("\n").map((l) => l.split(" ")[4]).filter((mp) => mp === S || mp?.startsWith(`${S}/`));
  assert.equal(under, [S, `${S}/a`, `${S}/c`, `${S}/b`]);
});

const reason = oracleSkipReason();
const name = "the real kernel still lists these tables in the recorded order";
if (reason) {
  console.error(`SKIP ${name}: ${reason}`);
  test.skip(name);
} else {
  test(name, () => {
    const real = runReal(RECORDED.map((k) => k.case));
    RECORDED.forEach((k, i) => {
      assert.equal(real[i]!.results.slice(k.case.setup.length), k.results, `${k.name}: errno per request`);
      assert.equal(withOrder(real[i]!), k.tables, `${k.name}: the tables and their order, normalised`);
    });
  });
}

test.run();
