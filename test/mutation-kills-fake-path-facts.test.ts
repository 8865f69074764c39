// --rootfs-kind's facts applied to a table's kernel (src/hosts/fake/path-facts.ts): a directory, a
// regular file, a symlink and a missing path each behave as that on lookup, at the top level too;
// a fact the table contradicts (it mounts on the path, or below it) is refused by name. The built-in
// scenarios take their facts another way (scenario.ts), so only a --mountinfo run reaches this file,
// and the Stryker run of fake.rest2 found no test that did (16 survivors).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ENOENT, ENOTDIR, O_DIRECTORY, O_NOFOLLOW, O_PATH, O_RDONLY } from "../src/abi.js";
import { check } from "../src/check.js";
import { InvalidInputError } from "../src/errors.js";
import { FakeKernel } from "../src/hosts/fake/index.js";
import { applyPathFacts, type PathFact } from "../src/hosts/fake/path-facts.js";
import { errnoOf, openat } from "./fixtures/fake/calls.js";

const TABLE = ["21 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw", "41 21 0:45 / /srv/r rw,relatime - tmpfs tmpfs rw"].join("\n") + "\n";

test("each kind of fact, as lookups see it: dir, file (top level and nested), symlink, missing", () => {
  const k = FakeKernel.fromMountinfo(TABLE);
  applyPathFacts(k.state, k.process, [
    { path: "/srv/a/b", kind: "dir" }, { path: "/top", kind: "file" }, { path: "/srv/f", kind: "file" },
    { path: "/l", kind: "symlink", target: "/srv/a" }, { path: "/srv/m", kind: "missing" },
  ]);
  const open = (path: string, flags: number) => { const r = k.exec(openat(path, flags)); return "errno" in r ? `errno ${r.errno}` : `fd ${r.ret}`; };
  assert.equal([
    open("/srv/a/b", O_DIRECTORY), open("/top", O_RDONLY), open("/top", O_DIRECTORY), open("/srv/f", O_RDONLY),
    open("/srv/f/x", O_RDONLY), open("/l/b", O_DIRECTORY), open("/l", O_PATH | O_NOFOLLOW), open("/srv/m", O_RDONLY),
  ], ["fd 3", "fd 4", `errno ${ENOTDIR}`, "fd 5", `errno ${ENOTDIR}`, "fd 6", "fd 7", `errno ${ENOENT}`]);
  assert.equal(k.fdTable().slice(3).map((f) => `${f.fd}:${f.kind}:${f.ino}`), ["3:dir:4", "4:file:5", "5:file:6", "6:dir:4", "7:path:7"]);
  assert.is(errnoOf(k.exec(openat("/srv/r", O_DIRECTORY))), 0, "the table's mount point is untouched");
});

test("a fact the table contradicts is refused, naming the path and the kind; nothing is applied after it", () => {
  const refused = (facts: PathFact[]) => {
    const k = FakeKernel.fromMountinfo(TABLE);
    try { applyPathFacts(k.state, k.process, facts); } catch (e) {
      assert.instance(e, RangeError);
      return [(e as Error).message, errnoOf(k.exec(openat("/srv/after", O_DIRECTORY)))];
    }
    return ["applied", 0];
  };
  const msg = (path: string, what: string) => `${path} is a mount point (or lies on the way to one) in the mount table, so it cannot be ${what}`;
  const after: PathFact = { path: "/srv/after", kind: "dir" };
  assert.equal(refused([{ path: "/srv/r", kind: "file" }, after]), [msg("/srv/r", "a file"), ENOENT]);
  assert.equal(refused([{ path: "/srv/r", kind: "missing" }, after]), [msg("/srv/r", "missing"), ENOENT]);
  assert.equal(refused([{ path: "/srv", kind: "symlink", target: "/x" }, after]), [msg("/srv", "a symlink"), ENOENT]);
  assert.equal(refused([{ path: "/srv/r", kind: "dir" }, after]), ["applied", 0], "a directory agrees with a mount point");
});

test("check with a table: the contradiction is bad input that says what to do", () => {
  assert.throws(() => check({ rootfs: "/srv/r" }, { mountinfo: TABLE, rootfsFacts: [{ path: "/srv", kind: "dir" }, { path: "/srv/r", kind: "file" }] }),
    (e: Error) => e instanceof InvalidInputError && e.message ===
      "--rootfs-kind contradicts the mountinfo file: /srv/r is a mount point (or lies on the way to one) in the mount table, so it cannot be a file; use --rootfs-kind dir, or another --rootfs");
});

test.run();
