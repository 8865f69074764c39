// /proc/self/mountinfo from the model: the kernel's escapes and fields, and fromMountinfo round trips
// (a hand-written table with every optional tag, and this machine's real table).
import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { MS_BIND, MS_PRIVATE, MS_SHARED, MS_SLAVE } from "../src/abi.js";
import { FakeKernel, escapeMountinfo, parseMountinfo, unescapeMountinfo } from "../src/hosts/fake/index.js";
import { errnoOf, mount } from "./fixtures/fake/calls.js";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/fake/${name}`, import.meta.url), "utf8");

test("escapes: space, tab, newline, backslash as \\040 \\011 \\012 \\134, and back", () => {
  assert.is(escapeMountinfo("a b\tc\nd\\e"), "a\\040b\\011c\\012d\\134e");
  assert.is(unescapeMountinfo("a\\040b\\011c\\012d\\134e"), "a b\tc\nd\\e");
});

test("a mount point with a space renders \\040, and parses back to the space", () => {
  const rootfs = "/var/lib/my containers/root fs";
  const k = FakeKernel.scenario("docker-host", { rootfs });
  const text = k.mountinfo();
  assert.ok(text.includes(" /var/lib/my\\040containers/root\\040fs "), text);
  const entry = parseMountinfo(text).find((e) => e.fstype === "overlay");
  assert.is(entry?.mountpoint, rootfs);
});

test("a bind of a sub directory shows its root; propagation tags follow the model", () => {
  const k = FakeKernel.scenario("private-host");
  k.mkdir("/srv/a b").mkdir("/mnt/t");
  assert.is(errnoOf(k.exec(mount("/srv/a b", "/mnt/t", null, MS_BIND, null))), 0);
  const line = () => k.mountinfo().split("\n").find((l) => l.includes(" /mnt/t ")) ?? "";
  assert.match(line(), /^\d+ \d+ 8:1 \/srv\/a\\040b \/mnt\/t rw,relatime - ext4 \/dev\/sda1 rw,errors=remount-ro$/);
  assert.is(errnoOf(k.exec(mount(null, "/mnt/t", null, MS_SHARED, null))), 0);
  assert.match(line(), / rw,relatime shared:1 - /);
  k.mkdir("/mnt/u");
  assert.is(errnoOf(k.exec(mount("/mnt/t", "/mnt/u", null, MS_BIND, null))), 0);
  assert.is(errnoOf(k.exec(mount(null, "/mnt/u", null, MS_SLAVE, null))), 0);
  assert.match(k.mountinfo(), / \/mnt\/u rw,relatime master:1 - /);
  assert.is(errnoOf(k.exec(mount(null, "/mnt/t", null, MS_PRIVATE, null))), 0);
  assert.not.match(k.mountinfo(), /master:1/, "the last peer left: its slave became private");
});

test("fromMountinfo round trip: every optional tag, escapes, stacked mounts, unknown options", () => {
  const text = fixture("tagged.mountinfo");
  assert.is(FakeKernel.fromMountinfo(text).mountinfo(), text);
});

test("fromMountinfo round trip on this machine's /proc/self/mountinfo", () => {
  const text = readFileSync("/proc/self/mountinfo", "utf8");
  const k = FakeKernel.fromMountinfo(text);
  assert.is(k.mountinfo(), text);
  assert.is(k.clone().mountinfo(), text);
});

test("fromMountinfo: / with its own id as parent is the initramfs root (no parent)", () => {
  const text = "1 1 0:1 / / rw - rootfs rootfs rw\n2 1 0:4 / /proc rw,relatime - proc proc rw\n";
  const k = FakeKernel.fromMountinfo(text);
  assert.is(k.mountinfo(), text);
  assert.is(k.state.mounts.get(1)?.parent, 0);
});

test("fromMountinfo rejects a table without /", () => {
  assert.throws(() => FakeKernel.fromMountinfo("2 1 0:4 / /proc rw - proc proc rw\n"), /no mount at \//);
});

test.run();
