// Hostile mountinfo tables and the fake kernel: one grammar (the machine's parser, through the
// mountinfo_check export) with the machine's own messages, checked differentially on a corpus;
// then the tree checks the fake kernel adds (duplicate ids, dangling parents, cycles, no "/"),
// each naming its line, and the cap on the model's size.
import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { FakeKernel, SCENARIO_NAMES } from "../src/hosts/fake/index.js";
import { plan } from "../src/plan.js";
import { FAKE_MOUNT_MAX, MOUNTINFO_CAP } from "../src/abi.js";
import { InvalidInputError, MountinfoError, NoRootMountError } from "../src/errors.js";
import { mutate, prng } from "../bench/fuzz-mutator.js";
import { fixture } from "./helpers.js";
import { chdir, errnoOf, mount } from "./fixtures/fake/calls.js";
import { pnodeConsistent } from "../src/hosts/fake/pnode.js";
import { mountinfoHeads } from "../src/hosts/fake/mountinfo-parse.js";
import { checkTable } from "../src/hosts/fake/table.js";

/** The machine's verdict on a text: the message a run ends FAILED with at its parse, or null. */
function machineVerdict(text: string): string | null {
  const t = plan({ rootfs: "/r", profile: "hardened" }, { mountinfo: text });
  if (t.outcome.kind !== "failed") return null;
  const m = t.outcome.message;
  return m.startsWith("malformed mountinfo, ") || m.startsWith("mountinfo is larger") ? m : null;
}

/** The fake kernel's verdict: its MountinfoError's message, or null when it builds a model. */
function fakeVerdict(text: string): string | null {
  try { FakeKernel.fromMountinfo(text); return null; } catch (e) {
    if (!(e instanceof MountinfoError)) throw e; // anything else (a RangeError, a hang) is the bug
    return e.message;
  }
}

const GRAMMAR = /: (expected at least|more than \d+ fields|missing - separator|mount ID and parent ID must|field 3 must|bad \\ooo escape)/;

const ROOT = "21 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw";
const table = (...lines: string[]) => [ROOT, ...lines].join("\n") + "\n";

const tables: string[] = [
  readFileSync(fixture("fake/tagged.mountinfo"), "utf8"),
  readFileSync(fixture("mountinfo/k8s-node.mountinfo"), "utf8"),
  readFileSync("/proc/self/mountinfo", "utf8"),
  ...SCENARIO_NAMES.map((n) => FakeKernel.scenario(n).hostMountinfo()),
];

const HAND: string[] = [
  table("x x 0:29 / /mnt rw - tmpfs tmpfs rw"),
  table("30 21 0:29 / /mnt rw tmpfs tmpfs rw"),
  table("30 21 0:29 / /mnt rw - tmpfs"),
  table("30 21 029 / /mnt rw - tmpfs tmpfs rw"),
  table("30 21 0:29 / /mnt\\9 rw - tmpfs tmpfs rw"),
  table("30 21 0:29 / /mnt\\400 rw - tmpfs tmpfs rw"),
  table("1234567890 21 0:29 / /mnt rw - tmpfs tmpfs rw"),
  table("30  21 0:29 / /mnt rw - tmpfs tmpfs rw"),
  table(`30 21 0:29 / /mnt rw ${"a ".repeat(300)}- tmpfs tmpfs rw`),
  "\n\n" + table("-1 21 0:29 / /mnt rw - tmpfs tmpfs rw"),
];

test("one grammar: the fake kernel refuses exactly what the machine refuses, with the machine's message", () => {
  const rnd = prng(0x5eed);
  const corpus = [...tables, ...HAND];
  for (let i = 0; i < 1500; i++) corpus.push(mutate(tables[i % tables.length]!, rnd));
  let refused = 0;
  for (const text of corpus) {
    const want = machineVerdict(text);
    const got = fakeVerdict(text);
    if (want !== null) {
      refused++;
      assert.is(got, want, `machine and fake kernel disagree on ${JSON.stringify(text.slice(0, 200))}`);
    } else if (got !== null) {
      assert.not.match(got, GRAMMAR, `the machine accepts, the fake kernel cites the grammar: ${JSON.stringify(text.slice(0, 200))}`);
    }
  }
  assert.ok(refused > 100, `the corpus must exercise refusals (${refused})`);
});

test("a line that is its own parent by two non-numeric ids (x x) is refused, not looped on", () => {
  const text = table("x x 0:29 / /mnt rw - tmpfs tmpfs rw");
  assert.throws(() => FakeKernel.fromMountinfo(text), (e: unknown) => e instanceof MountinfoError && e.line === 2
    && e.message === "malformed mountinfo, line 2: mount ID and parent ID must be decimal numbers");
});

test("the cap: a text of MOUNTINFO_CAP bytes gets the run's own message", () => {
  const text = ROOT + "\n" + "#".repeat(MOUNTINFO_CAP - ROOT.length - 1);
  assert.is(fakeVerdict(text), machineVerdict(text));
  assert.is(fakeVerdict(text), `mountinfo is larger than the ${MOUNTINFO_CAP}-byte cap`);
});

const TREE: [string, string, string, number][] = [
  ["a duplicate id", table("30 21 0:29 / /a rw - tmpfs tmpfs rw", "30 21 0:30 / /b rw - tmpfs tmpfs rw"),
    "line 3: mount ID 30 is already used on line 2", 3],
  ["a dangling parent", table("30 99 0:29 / /a rw - tmpfs tmpfs rw"),
    "line 2: parent ID 99 of mount 30 is not listed; only the mount at / may have an unlisted parent", 2],
  ["a mount that is its own parent", table("30 30 0:29 / /a rw - tmpfs tmpfs rw"),
    "line 2: mount 30 is its own parent; only the mount at / may be", 2],
  ["a cycle through / (30 -> 31 -> 30)", "30 31 8:1 / / rw - ext4 /dev/sda1 rw\n31 30 0:29 / /x rw - tmpfs tmpfs rw\n",
    "line 1: mount 30 is its own ancestor (parent IDs 30 -> 31 -> 30)", 1],
  ["a cycle below /", table("30 32 0:29 / /a rw - tmpfs tmpfs rw", "31 30 0:30 / /a/b rw - tmpfs tmpfs rw", "32 31 0:31 / /a/b/c rw - tmpfs tmpfs rw"),
    "line 2: mount 30 is its own ancestor (parent IDs 30 -> 32 -> 31 -> 30)", 2],
  ["a cycle reached through a mount outside it (40 -> 41 -> 42 -> 41)", table("40 41 0:29 / /a rw - tmpfs tmpfs rw", "41 42 0:30 / /a/b rw - tmpfs tmpfs rw", "42 41 0:31 / /a/b/c rw - tmpfs tmpfs rw"),
    "line 3: mount 41 is its own ancestor (parent IDs 41 -> 42 -> 41)", 3],
  // The model's "no parent" is 0, and no process lists 0 (the kernel's first id goes to an internal
  // mount at boot): a listed 0 made a mount its own grandparent and hung the fake (npm run fuzz).
  ["a mount ID 0", table("0 21 0:29 / /a rw - tmpfs tmpfs rw"),
    'line 2: mount ID 0: no process sees a mount with ID 0 (the kernel\'s first ID goes to an internal mount), and the model uses 0 for "no parent"', 2],
  ["a mount point outside its parent's", table("30 21 0:29 / /a rw - tmpfs tmpfs rw", "31 30 0:30 / /ab rw - tmpfs tmpfs rw"),
    'line 3: mount point "/ab" is not below "/a", where its parent 30 is mounted', 3],
];

for (const [what, text, msg, line] of TREE) {
  test(`the tree: ${what} is refused with its line`, () => {
    assert.throws(() => FakeKernel.fromMountinfo(text), (e: unknown) =>
      e instanceof MountinfoError && e instanceof InvalidInputError && e.message === `malformed mountinfo, ${msg}` && e.line === line);
  });
}

test("the tree: no mount at / (what a process in a chroot reads) is its own typed error", () => {
  assert.throws(() => FakeKernel.fromMountinfo("30 21 0:29 / /a rw - tmpfs tmpfs rw\n"), (e: unknown) => e instanceof NoRootMountError);
  assert.throws(() => FakeKernel.fromMountinfo(""), (e: unknown) => e instanceof NoRootMountError);
});

test("the tree: what stays legal (an unlisted parent of /, the initramfs's own parent, stacked roots)", () => {
  for (const text of [
    table("30 21 0:29 / /a rw - tmpfs tmpfs rw"),
    "1 1 0:1 / / rw - rootfs rootfs rw\n2 1 0:4 / /proc rw - proc proc rw\n",
    table("50 21 0:50 / / rw - tmpfs tmpfs rw", "51 50 0:51 / /a rw - tmpfs tmpfs rw"),
  ]) assert.is(FakeKernel.fromMountinfo(text).hostMountinfo(), text);
});

test("the tree: the root is the \"/\" line whose parent is not another \"/\" line, wherever it is listed", () => {
  // After a move, the kernel can list a mount over "/" before the "/" it covers.
  const text = "30 20 0:30 / / rw - tmpfs tmpfs rw\n20 1 8:1 / / rw - ext4 /dev/sda1 rw\n31 30 0:31 / /a rw - tmpfs tmpfs rw\n";
  assert.is(FakeKernel.fromMountinfo(text).hostMountinfo(), text);
});

test(`the cap on the model: exactly ${FAKE_MOUNT_MAX} mounts are within it`, () => {
  const lines = [ROOT];
  for (let i = 1; i < FAKE_MOUNT_MAX; i++) lines.push(`${100 + i} 21 0:29 / /m${i} rw - tmpfs tmpfs rw`);
  const { root, byId } = checkTable(mountinfoHeads(lines.join("\n") + "\n"));
  assert.equal([root, byId.size], [0, FAKE_MOUNT_MAX]);
});

test(`the cap on the model: more than ${FAKE_MOUNT_MAX} mounts (fs.mount-max) is refused, naming the cap`, () => {
  const lines = [ROOT];
  for (let i = 0; i < FAKE_MOUNT_MAX; i++) lines.push(`${100 + i} 21 0:29 / /m${i} rw - tmpfs tmpfs rw`);
  assert.throws(() => FakeKernel.fromMountinfo(lines.join("\n") + "\n"), (e: unknown) =>
    e instanceof MountinfoError && e.line === null && /lists 100001 mounts; the fake kernel models at most 100000/.test((e as Error).message));
});

// Master groups no kernel can make: a slave of its own group, or two groups each the other's master.
// A propagation walk over such lists would not end, so the table's master stays unknown
// (pnode.ts linkListed): the mounts keep their tags, and a mount under each shared one ends.
test("hostile master tags (a group its own master, two groups each the other's) do not hang propagation", () => {
  for (const lines of [
    ["22 21 0:30 / /a rw shared:2 master:2 - tmpfs a rw", "23 21 0:31 / /b rw shared:2 - tmpfs b rw"],
    ["22 21 0:30 / /a rw shared:2 master:3 - tmpfs a rw", "23 21 0:31 / /b rw shared:3 master:2 - tmpfs b rw"],
    ["22 21 0:30 / /a rw shared:2 master:3 - tmpfs a rw", "23 21 0:30 / /b rw shared:3 master:4 - tmpfs b rw",
      "24 21 0:30 / /c rw shared:4 master:2 - tmpfs c rw"],
  ]) {
    const k = FakeKernel.fromMountinfo(table(...lines));
    assert.is(pnodeConsistent(k.state), null, lines.join(" | "));
    for (const mp of ["/a", "/b", "/c"].slice(0, lines.length)) {
      k.mkdir(`${mp}/x`);
      assert.is(errnoOf(k.exec(mount("tmpfs", `${mp}/x`, "tmpfs", 0, null))), 0, `${lines.join(" | ")}: a tmpfs on ${mp}/x`);
    }
    assert.is(pnodeConsistent(k.state), null, lines.join(" | "));
    const tags = k.mountinfo().split("\n").filter((l) => / \/[abc] /.test(l)).map((l) => l.split(" - ")[0]!.split(" ").slice(6).join(" "));
    assert.equal(tags, lines.map((l) => l.split(" - ")[0]!.split(" ").slice(6).join(" ")), "the tags as the table gave them");
  }
});

test("a \\377 escape names the byte 0xff in the model as the seam does (U+DCFF), and renders it raw, as mangle() does", () => {
  const k = FakeKernel.fromMountinfo(table("30 21 0:29 / /mnt/\\377x rw - tmpfs tmpfs rw"));
  assert.is(errnoOf(k.exec(chdir("/mnt/\udcffx"))), 0, "the path the machine sends resolves");
  assert.ok(k.mountinfo().includes(" /mnt/\udcffx "), k.mountinfo());
  assert.is(FakeKernel.fromMountinfo(k.mountinfo()).mountinfo(), k.mountinfo());
});

test.run();
