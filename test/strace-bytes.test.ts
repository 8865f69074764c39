// Bytes that are not UTF-8 survive the strace side byte for byte: strace prints them as octal
// escapes (`\377`), the parser decodes them with utf8.ts (surrogateescape), and the log file is
// read as bytes. So a plan's own `--format strace` output is equivalent to itself.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { plan } from "../src/plan.js";
import { formatStrace } from "../src/format/index.js";
import { diff } from "../src/diff/index.js";
import { parseStrace } from "../src/strace/parse.js";
import { PROFILES } from "../src/schema.js";

const rootfs = "/tmp/pivotshim-r\udcff"; // the name ends in the byte 0xff

test("a plan of a rootfs ending in 0xff, as strace text, is equivalent to itself (every profile)", () => {
  for (const profile of PROFILES) {
    const t = plan({ rootfs, profile });
    const text = formatStrace(t);
    assert.match(text, /pivotshim-r\\377"/, "strace prints the byte in octal");
    const r = diff(t, text);
    assert.ok(r.equivalent, `${profile}: ${JSON.stringify(r.steps.filter((s) => s.status !== "match"))}`);
  }
});

test("escapes decode to the exact bytes, and the string to their surrogateescape form", () => {
  const [c] = parseStrace('chdir("/a\\377\\303\\251\\303") = 0\n').calls;
  const a = c!.args[0]!;
  assert.ok(a.kind === "str");
  assert.equal(a.kind === "str" && [...a.bytes], [0x2f, 0x61, 0xff, 0xc3, 0xa9, 0xc3]);
  assert.is(a.kind === "str" && a.value, "/a\udcff\u00e9\udcc3");
});

test("raw bytes in the log (already surrogate-escaped when the file was read) keep their bytes", () => {
  const [c] = parseStrace('chdir("/a\udcffb") = 0\n').calls;
  const a = c!.args[0]!;
  assert.equal(a.kind === "str" && [...a.bytes], [0x2f, 0x61, 0xff, 0x62]);
  assert.is(a.kind === "str" && a.value, "/a\udcffb");
});

const CLI = new URL("../src/cli.ts", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "pivotshim-strace-bytes-"));

test("pivotshim diff reads the log as bytes: a raw 0xff in the file, and the plan's own \\377, both match", () => {
  const t = plan({ rootfs, profile: "runc" });
  const traceFile = join(dir, "plan.json");
  writeFileSync(traceFile, JSON.stringify(t));
  const escaped = join(dir, "escaped.strace");
  writeFileSync(escaped, formatStrace(t));
  // The same log with the byte written raw (strace -e quiet ... -x none prints printable bytes as is).
  const raw = join(dir, "raw.strace");
  const text = Buffer.from(formatStrace(t), "latin1");
  writeFileSync(raw, Buffer.from(text.toString("latin1").replaceAll("\\377", "\xff"), "latin1"));
  for (const log of [escaped, raw]) {
    const r = spawnSync(process.execPath, ["--import", "tsx", CLI, "diff", "--trace", traceFile, "--strace", log], { encoding: "utf8" });
    assert.is(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /equivalent: all \d+ plan steps matched/);
  }
});

test("a --mountinfo file is read byte-exactly too: a raw 0xff mount point is planned as \\377, not as U+FFFD", () => {
  const mi = join(dir, "host.mountinfo");
  writeFileSync(mi, Buffer.concat([
    Buffer.from("1 0 8:1 / / rw shared:1 - ext4 /dev/sda rw\n2 1 0:4 / /p"), Buffer.from([0xff]), Buffer.from(" rw - proc proc rw\n"),
  ]));
  const r = spawnSync(process.execPath, ["--import", "tsx", CLI, "plan", "--host", "dry-run", "--mountinfo", mi, "--rootfs", "/r",
    "--profile", "runc", "--strategy", "move", "--format", "strace"], { encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /umount2\("\/p\\377", MNT_DETACH\) = 0/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
