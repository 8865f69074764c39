// The host setups of the differential suites (issue 9): each is built for real in a throwaway
// mount namespace by an executor child, and modelled from that namespace's table. Shared by
// native-diff-setups (the switch in that namespace) and native-propagation-after (the switch in a
// copy of it, as run() does, with probe mounts after Done).
import * as abi from "../../src/abi.js";
import { PROFILES, STRATEGIES, staticRule, type ConfigInput } from "../../src/schema.js";
import { bind, propagate, tmpfs, type DiffScenario } from "./native-diff.js";

const { MS_REC, MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE, MS_BIND, MS_REMOUNT, MS_RDONLY } = abi;

/** Every profile × strategy the static rule accepts. */
export const ALL: Omit<ConfigInput, "rootfs">[] = PROFILES.flatMap((profile) => STRATEGIES.map((strategy) => ({ profile, strategy })))
  .filter((c) => staticRule(c) === 0);
const call = (op: "mount", source: string | null, target: string, filesystemtype: string | null, mountflags: number, data: string | null = null) =>
  ({ op, source, target, filesystemtype, mountflags, data }) as const;
const bindTo = (from: string, to: string, flags = 0) => call("mount", from, to, null, MS_BIND | flags);
const rootfsIn = (dir: string) => (b: string) => `${b}/${dir}`;

export const SETUPS: Omit<DiffScenario, "configs">[] = [
  { name: "/ as this host has it, rootfs a plain directory", dirs: ["rootfs"], setup: () => [], rootfs: rootfsIn("rootfs") },
  { name: "/ rshared", dirs: ["rootfs"], setup: () => [propagate("/", MS_REC | MS_SHARED)], rootfs: rootfsIn("rootfs") },
  { name: "/ rslave", dirs: ["rootfs"], setup: () => [propagate("/", MS_REC | MS_SHARED), propagate("/", MS_REC | MS_SLAVE)], rootfs: rootfsIn("rootfs") },
  { name: "/ rprivate", dirs: ["rootfs"], setup: () => [propagate("/", MS_REC | MS_PRIVATE)], rootfs: rootfsIn("rootfs") },
  { name: "rootfs a shared tmpfs, / rshared", dirs: ["rootfs"], setup: (b) => [propagate("/", MS_REC | MS_SHARED), tmpfs(`${b}/rootfs`), propagate(`${b}/rootfs`, MS_SHARED)], rootfs: rootfsIn("rootfs") },
  { name: "rootfs a private tmpfs, / rshared", dirs: ["rootfs"], setup: (b) => [propagate("/", MS_REC | MS_SHARED), tmpfs(`${b}/rootfs`), propagate(`${b}/rootfs`, MS_PRIVATE)], rootfs: rootfsIn("rootfs") },
  { name: "rootfs its own bind mount, / rshared", dirs: ["rootfs"], setup: (b) => [propagate("/", MS_REC | MS_SHARED), bind(`${b}/rootfs`)], rootfs: rootfsIn("rootfs") },
  { name: "rootfs a directory in a shared bind", dirs: ["tmp/rootfs"], setup: (b) => [propagate("/", MS_REC | MS_SHARED), bind(`${b}/tmp`), propagate(`${b}/tmp`, MS_SHARED)], rootfs: rootfsIn("tmp/rootfs") },
  { name: "stacked binds on the rootfs", dirs: ["rootfs"], setup: (b) => [bind(`${b}/rootfs`), bind(`${b}/rootfs`), bind(`${b}/rootfs`)], rootfs: rootfsIn("rootfs") },
  { name: "stacked root: a shared tmpfs over /", dirs: ["rootfs"], setup: () => [propagate("/", MS_REC | MS_SHARED), tmpfs("/")], rootfs: rootfsIn("rootfs") },
  { name: "an unbindable parent", dirs: ["p/rootfs"], setup: (b) => [bind(`${b}/p`), propagate(`${b}/p`, MS_UNBINDABLE)], rootfs: rootfsIn("p/rootfs") },
  { name: "rootfs an unbindable bind of itself", dirs: ["rootfs"], setup: (b) => [bind(`${b}/rootfs`), propagate(`${b}/rootfs`, MS_UNBINDABLE)], rootfs: rootfsIn("rootfs") },
  { name: "a path with a space", dirs: ["root fs"], setup: (b) => [bind(`${b}/root fs`)], rootfs: rootfsIn("root fs") },
  { name: "a path with a backslash", dirs: ["root\\fs"], setup: (b) => [bind(`${b}/root\\fs`)], rootfs: rootfsIn("root\\fs") },
  { name: "a path with a newline", dirs: ["root\nfs"], setup: (b) => [bind(`${b}/root\nfs`)], rootfs: rootfsIn("root\nfs") },
  { name: "a path with a tab, / rshared", dirs: ["root\tfs"], setup: (b) => [propagate("/", MS_REC | MS_SHARED), bind(`${b}/root\tfs`)], rootfs: rootfsIn("root\tfs") },
  { name: "a symlinked rootfs", dirs: ["real"], files: [{ path: "link", symlink: "real" }], setup: () => [], rootfs: rootfsIn("link") },
  { name: "a slave bind of a shared mount", dirs: ["a", "rootfs"], setup: (b) => [bind(`${b}/a`), propagate(`${b}/a`, MS_SHARED), bindTo(`${b}/a`, `${b}/rootfs`), propagate(`${b}/rootfs`, MS_SLAVE)], rootfs: rootfsIn("rootfs") },
  {
    name: "more than 100 submounts (a mountinfo above 4 KiB)",
    dirs: ["rootfs", ...Array.from({ length: 110 }, (_, i) => `m/${i}`)],
    setup: (b) => Array.from({ length: 110 }, (_, i) => tmpfs(`${b}/m/${i}`)), rootfs: rootfsIn("rootfs"),
  },
  {
    name: "a docker-like overlay rootfs with proc inside",
    dirs: ["lower/proc", "upper", "work", "rootfs"],
    setup: (b) => [
      call("mount", "overlay", `${b}/rootfs`, "overlay", 0, `lowerdir=${b}/lower,upperdir=${b}/upper,workdir=${b}/work`),
      call("mount", "proc", `${b}/rootfs/proc`, "proc", abi.MS_NOSUID | abi.MS_NODEV | abi.MS_NOEXEC),
    ],
    rootfs: rootfsIn("rootfs"),
  },
  { name: "a read-only bind rootfs", dirs: ["rootfs"], setup: (b) => [bind(`${b}/rootfs`), bindTo(`${b}/rootfs`, `${b}/rootfs`, MS_REMOUNT | MS_RDONLY)], rootfs: rootfsIn("rootfs") },
  { name: "rootless: a user namespace, rootfs a plain directory", dirs: ["rootfs"], setup: () => [], rootfs: rootfsIn("rootfs"), rootless: true },
  { name: "rootless: the rootfs its own bind", dirs: ["rootfs"], setup: (b) => [bind(`${b}/rootfs`)], rootfs: rootfsIn("rootfs"), rootless: true },
  { name: "a missing rootfs", dirs: [], setup: () => [], rootfs: rootfsIn("rootfs") },
  { name: "a rootfs that is a file", dirs: [], files: [{ path: "rootfs" }], setup: () => [], rootfs: rootfsIn("rootfs") },
  { name: "rootfs not a mount point, / rshared", dirs: ["rootfs"], setup: () => [propagate("/", MS_REC | MS_SHARED)], rootfs: rootfsIn("rootfs") },
  { name: "rootfs three binds deep under shared binds", dirs: ["a/b/c/rootfs"], setup: (b) => [bind(`${b}/a`), propagate(`${b}/a`, MS_SHARED), bind(`${b}/a/b`), bind(`${b}/a/b/c`)], rootfs: rootfsIn("a/b/c/rootfs") },
  // The invoker itself containerised: its / is a bind whose parent is not listed (it pivoted into it).
  {
    name: "containerised invoker: / a bind whose parent is not listed",
    dirs: ["c/rootfs", "c/proc"],
    setup: (b) => [bind(`${b}/c`), { op: "chdir", path: `${b}/c` }, { op: "pivot_root", new_root: ".", put_old: "." }, { op: "umount2", target: ".", flags: abi.MNT_DETACH }, { op: "chdir", path: "/" },
      call("mount", "proc", "/proc", "proc", abi.MS_NOSUID | abi.MS_NODEV | abi.MS_NOEXEC)],
    rootfs: () => "/rootfs",
  },
  {
    // As docker masks it: tmpfs over /proc/acpi, /dev/null over /proc/keys and /proc/timer_list, /proc/sys read-only.
    name: "containerised invoker: a masked /proc", dirs: ["rootfs"],
    setup: () => [tmpfs("/proc/acpi"), bindTo("/dev/null", "/proc/keys"), bindTo("/dev/null", "/proc/timer_list"),
      bindTo("/proc/sys", "/proc/sys"), bindTo("/proc/sys", "/proc/sys", MS_REMOUNT | MS_RDONLY)],
    rootfs: rootfsIn("rootfs"),
  },
  { name: "containerised invoker: mounts locked by a user namespace, / rshared before", dirs: ["rootfs"], setup: () => [], rootfs: rootfsIn("rootfs"), rootless: true },
  { name: "a shared tmpfs over /tmp-like dir holding a bind rootfs", dirs: ["t", "r"], setup: (b) => [tmpfs(`${b}/t`), propagate(`${b}/t`, MS_SHARED), bind(`${b}/r`)], rootfs: rootfsIn("r") },
];

