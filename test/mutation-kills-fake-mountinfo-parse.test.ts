// The fake kernel's reading of a mountinfo table (src/hosts/fake/mountinfo-parse.ts) on the inputs
// its Stryker run showed untested: the kernel's octal escapes and what is not one, numbers that the
// decimal fast path must hand to Number, a line split from the end at its "-", blank lines that
// still count, and "/" told from a mount point that only starts like it (docs/mutation.md).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { decimal, mountinfoHeads, parseLine, parseMountInfoOpts, unescape } from "../src/hosts/fake/mountinfo-parse.js";
import * as abi from "../src/abi.js";

test("unescape: \\ooo up to \\377 is one byte (mangle() writes space, tab, newline and backslash so); anything else stays", () => {
  const rows: [string, string][] = [
    ["/a\\040b", "/a b"], ["/t\\011", "/t\t"], ["/n\\012", "/n\n"], ["/b\\134", "/b\\"], ["\\0401", " 1"],
    ["/x\\377", "/x\uDCFF"], ["/x\\400", "/x\\400"], ["/x\\08", "/x\\08"], ["/x\\12", "/x\\12"], ["/x\\8", "/x\\8"],
    ["/x\\", "/x\\"], ["/x\\3777", "/x\uDCFF7"], ["/plain", "/plain"], ["\\060\\067", "07"], ["/d\\040/123", "/d /123"],
  ];
  assert.equal(rows.map(([s]) => [s, unescape(s)]), rows);
});

test("decimal: the digits the grammar let through (IDs of up to 10), read in place", () => {
  const rows: [string, number][] = [
    ["123", 123], ["007", 7], ["9", 9], ["0", 0], ["2147483647", 2147483647], ["999999999", 999999999], ["1000000000", 1000000000],
  ];
  assert.equal(rows.map(([s]) => [s, decimal(`<${s}>`, 1, 1 + s.length)]), rows);
});

test("a line is split at the last \"-\" field that has three after it: optional fields before, a source of \"-\" after", () => {
  assert.equal(parseLine("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 shared:2 - ext3 /dev/root rw,errors=continue", 7), {
    line: 7, id: 36, parent: 35, dev: "98:0", root: "/mnt1", mountpoint: "/mnt2", opts: "rw,noatime", optional: ["master:1", "shared:2"],
    fstype: "ext3", source: "/dev/root", superOpts: "rw,errors=continue",
  });
  assert.equal(parseLine("22 1 0:5 / /x rw - tmpfs - rw,size=1k mode=755"), {
    line: 1, id: 22, parent: 1, dev: "0:5", root: "/", mountpoint: "/x", opts: "rw", optional: [],
    fstype: "tmpfs", source: "-", superOpts: "rw,size=1k mode=755",
  });
  assert.equal(parseLine("23 1 0:6 /a\\040b /x\\011y ro shared:4 - tm\\134p s\\040rc rw"), {
    line: 1, id: 23, parent: 1, dev: "0:6", root: "/a b", mountpoint: "/x\ty", opts: "ro", optional: ["shared:4"],
    fstype: "tm\\p", source: "s rc", superOpts: "rw",
  });
});

test("the heads: blank lines are skipped but counted, and only a mount point that is \"/\" is the slash", () => {
  const text = "\n21 1 8:1 / / rw - ext4 /dev/sda1 rw\n\n22 21 0:5 / /\\040 rw - tmpfs t rw\n23 21 0:6 / /a rw - tmpfs t rw\n24 21 0:7 / /\\134 rw - tmpfs t rw";
  const h = mountinfoHeads(text);
  assert.equal({ ids: h.ids, parents: h.parents, slash: h.slash, lines: h.lines }, { ids: [21, 22, 23, 24], parents: [1, 21, 21, 21], slash: [true, false, false, false], lines: [2, 4, 5, 6] });
  assert.equal(h.starts.map((s, i) => text.slice(s, h.ends[i])), text.split("\n").filter((l) => l !== ""));
});

test("the per-mount options: rw is no flag, ro is MS_RDONLY, the known ones in show_mnt_opts' names, the rest kept", () => {
  assert.equal(parseMountInfoOpts("rw,nosuid,nodev,noexec,relatime,idmapped"), { flags: abi.MS_NOSUID | abi.MS_NODEV | abi.MS_NOEXEC | abi.MS_RELATIME, extra: ",idmapped" });
  assert.equal(parseMountInfoOpts("ro,noatime,nodiratime,nosymfollow"), { flags: abi.MS_RDONLY | abi.MS_NOATIME | abi.MS_NODIRATIME | abi.MS_NOSYMFOLLOW, extra: "" });
});

test.run();
