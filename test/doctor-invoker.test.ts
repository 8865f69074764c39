// `pivotshim doctor` says whether the invoker is itself containerised, and which case applies
// (src/invoker.ts): first on tables written by hand, then for real, with doctor run inside setups
// built in a throwaway mount namespace (unshare -m --propagation private: nothing reaches this
// namespace). The real setups need root; they are skipped with the reason otherwise.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { invokerOf } from "../src/invoker.js";
import { nativeTest } from "./helpers/native-env.js";

const test = suite("doctor invoker");
const CLI = fileURLToPath(new URL("../dist/cli/pivotshim.cjs", import.meta.url));
const HOST_MAP = "         0          0 4294967295\n";

const HOST = [
  "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
  "22 27 0:21 / /proc rw,relatime - proc proc rw",
  "40 22 0:40 / /proc/sys/fs/binfmt_misc rw,relatime - autofs systemd-1 rw,fd=29",
  "23 27 0:22 / /sys rw,relatime - sysfs sysfs rw",
].join("\n") + "\n";
/** What a process in a docker container reads: overlay root, parent 1432 not listed, /proc masked. */
const DOCKER = [
  "1500 1432 0:120 / / rw,relatime - overlay overlay rw,lowerdir=/var/lib/docker/l/A,upperdir=/var/lib/docker/d/diff,workdir=/var/lib/docker/d/work",
  "1501 1500 0:123 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw",
  "1502 1501 0:5 /null /proc/kcore rw,nosuid - devtmpfs udev rw,mode=755",
  "1503 1501 0:124 / /proc/acpi ro,relatime - tmpfs tmpfs ro",
  "1504 1501 0:123 /sys /proc/sys ro,nosuid,nodev,noexec,relatime - proc proc rw",
].join("\n") + "\n";

const cases = (i: ReturnType<typeof invokerOf>) => i.cases.map((c) => c.case);

test("a host: not containerised (binfmt_misc under /proc is the host's own)", () => {
  const i = invokerOf(HOST, HOST_MAP);
  assert.equal([i.containerised, cases(i), i.notes], [false, [], []]);
});

test("a docker container: overlay root with an unlisted parent, masked /proc", () => {
  const i = invokerOf(DOCKER, HOST_MAP);
  assert.ok(i.containerised);
  assert.equal(cases(i), ["overlay-root", "masked-proc"]);
  assert.match(i.cases[0]!.evidence, /"\/" is overlay \(mount 1500\) and its parent mount 1432 is not listed/);
  assert.match(i.cases[1]!.evidence, /^mounts over \/proc: \/proc\/kcore \(devtmpfs bind of \/null\), \/proc\/acpi \(tmpfs\), \/proc\/sys \(proc bind of \/sys\)$/);
});

test("an overlay root whose parent is listed is not a container's root", () => {
  const listed = "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n" + "2 1 0:9 / / rw - overlay overlay rw,lowerdir=/a,upperdir=/b,workdir=/c\n";
  assert.equal(cases(invokerOf(listed, HOST_MAP)), []);
});

test("a user namespace: its mounts are locked; a chroot: no mount at /; no mountinfo: masked", () => {
  assert.equal(cases(invokerOf(HOST, "0 1000 1\n")), ["userns-locked"]);
  assert.equal(cases(invokerOf(HOST, "0 0 4294967295\n1 1 1\n")), ["userns-locked"]);
  assert.equal(cases(invokerOf("22 27 0:21 / /proc rw,relatime - proc proc rw\n", HOST_MAP)), ["chroot"]);
  assert.equal(cases(invokerOf(null, HOST_MAP)), ["masked-proc"]);
  assert.equal(invokerOf("garbage\n", HOST_MAP).notes.length, 1);
});

// ---- real setups: doctor run inside a throwaway namespace ----

const hasOverlay = () => /\toverlay\n/.test(readFileSync("/proc/filesystems", "utf8"));
const reason = process.geteuid?.() !== 0 ? "not root: the setups mount in a throwaway namespace"
  : !existsSync(CLI) ? "dist/ is not built: run `npm run build:ts`"
  : spawnSync("unshare", ["--version"]).status !== 0 ? "unshare(1) is not installed" : null;

/** Runs `script` (sh) in a private mount namespace, $T a fresh temp dir, $DOCTOR doctor's command line. */
function inSetup(script: string, prefix: string[] = [], withText = true): { json: { invoker: ReturnType<typeof invokerOf> }; text: string } {
  const dir = mkdtempSync(join(tmpdir(), "pivotshim-invoker-"));
  try {
    const env = { ...process.env, T: dir, NODE: process.execPath, CLI, NO_COLOR: "1" };
    const run = (fmt: string) => spawnSync("unshare", [...prefix, "-m", "--propagation", "private", "sh", "-ec", script.replaceAll("$DOCTOR", `"$NODE" "$CLI" doctor ${fmt}`)], { encoding: "utf8", env, timeout: 120_000 });
    const j = run("--json");
    assert.ok(j.stdout.startsWith("{"), `doctor --json printed no report (status ${j.status}):\n${j.stdout}${j.stderr}`);
    return { json: JSON.parse(j.stdout), text: withText ? run("").stdout : "" };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

nativeTest(test, reason, "real: tmpfs over /proc/sys is a masked /proc, in text and JSON", () => {
  const r = inSetup("mount -t tmpfs tmpfs /proc/sys; exec $DOCTOR");
  assert.equal(r.json.invoker.cases, [{ case: "masked-proc", evidence: "mounts over /proc: /proc/sys (tmpfs)" }]);
  assert.match(r.text, /\ncontainerised {6}yes: masked-proc\n {2}masked-proc {6}mounts over \/proc: \/proc\/sys \(tmpfs\)\n/);
});

nativeTest(test, reason, "real: a user namespace (unshare -U -r) locks the mounts", () => {
  const r = inSetup("exec $DOCTOR", ["-U", "-r"], false);
  assert.equal(r.json.invoker.cases.map((c) => c.case), ["userns-locked"]);
  assert.match(r.json.invoker.cases[0]!.evidence, /^uid_map "0 0 1":/);
});

nativeTest(test, reason ?? (hasOverlay() ? null : "the kernel has no overlay filesystem"), "real: chroot into an overlay of / is an overlay root whose parent is not listed", () => {
  const r = inSetup(`mount -t tmpfs tmpfs "$T"; mkdir "$T/u" "$T/w" "$T/m"
    mount -t overlay overlay -o "lowerdir=/,upperdir=$T/u,workdir=$T/w" "$T/m"
    mount -t proc proc "$T/m/proc"; mount --rbind /dev "$T/m/dev"
    exec chroot "$T/m" $DOCTOR`);
  assert.equal(r.json.invoker.cases.map((c) => c.case), ["overlay-root"]);
  assert.match(r.text, /\ncontainerised {6}yes: overlay-root\n/);
});

nativeTest(test, reason, "real: chroot into a plain directory: no mount at /", () => {
  const r = inSetup(`mount -t tmpfs tmpfs "$T"; mkdir -p "$T/r/usr" "$T/r/work" "$T/r/proc" "$T/r/dev" "$T/r/tmp"
    for l in lib lib64 bin sbin; do ln -s "usr/$l" "$T/r/$l"; done
    mount --rbind /usr "$T/r/usr"; mount -t proc proc "$T/r/proc"; mount --rbind /dev "$T/r/dev"
    d="$(dirname "$CLI")/../.."; mkdir -p "$T/r$d"; mount --rbind "$d" "$T/r$d"
    exec chroot "$T/r" $DOCTOR`);
  assert.equal(r.json.invoker.cases.map((c) => c.case), ["chroot"]);
  assert.match(r.text, /\ncontainerised {6}yes: chroot\n {2}chroot {11}mountinfo lists no mount at "\/"/);
});

test.run();
