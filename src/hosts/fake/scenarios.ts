// The built-in scenarios, as pure data: the host namespace as a mountinfo text ({rootfs} stands
// for the escaped rootfs path), directories to create, and whether the container's namespace is
// owned by a user namespace. scenario.ts turns one into a kernel. No logic here.

export interface ScenarioData {
  description: string;
  /** Rootfs used when the caller gives none (default /var/lib/pivotshim/rootfs). */
  defaultRootfs?: string;
  /** The host namespace, one mountinfo line each, as the host's init reads it. */
  mountinfo: readonly string[];
  /** Directories created (mkdir -p) in the host view before the container unshares. */
  dirs: readonly string[];
  /** The container's namespace is owned by a user namespace (rootless). */
  userns: boolean;
}

export const DEFAULT_ROOTFS = "/var/lib/pivotshim/rootfs";

/**
 * The rootfs's /proc and /tmp, which tests use as mount points and put_old. A rootfs's /sys, /dev
 * and /etc were here too, but no profile's step looks them up: the 1214 tests of the fake kernel,
 * the profiles, explore, the CLI and the docs passed without them (docs/mutation.md). The host's
 * /tmp too, where every Linux host has one: bwrap mounts its staging tmpfs there
 * (docs/sources.md#bwrap); and LXC's rootfs mount point, which the lxc package ships and LXC binds
 * the rootfs onto (docs/sources.md#lxc).
 */
const ROOTFS_DIRS = ["{rootfs}/proc", "{rootfs}/tmp", "/tmp", "/usr/lib/x86_64-linux-gnu/lxc/rootfs"];

const DOCKER_BASE = [
  "21 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro",
  "22 21 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw",
  "23 21 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:3 - proc proc rw",
  "24 21 0:5 / /dev rw,nosuid,relatime shared:4 - devtmpfs udev rw,size=4008612k,nr_inodes=1002153,mode=755,inode64",
  "25 24 0:23 / /dev/pts rw,nosuid,noexec,relatime shared:5 - devpts devpts rw,gid=5,mode=620,ptmxmode=000",
  "26 21 0:24 / /run rw,nosuid,nodev,noexec,relatime shared:6 - tmpfs tmpfs rw,size=812344k,mode=755,inode64",
  "27 22 0:25 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:7 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot",
];

/** The runtime's overlay rootfs: private, like a graph driver's mounts (moby's MakePrivate of its home). */
const OVERLAY =
  "41 21 0:45 / {rootfs} rw,relatime - overlay overlay rw,lowerdir=/var/lib/pivotshim/l/A,upperdir=/var/lib/pivotshim/d/diff,workdir=/var/lib/pivotshim/d/work";

const unshared = (lines: readonly string[]) => lines.map((l) => l.replace(/ shared:\d+/, ""));

export const SCENARIOS = {
  "docker-host": {
    description: "systemd host: / shared ext4, /proc, /sys, /sys/fs/cgroup, /dev, /dev/pts, /run; rootfs on a private overlay",
    mountinfo: [...DOCKER_BASE, OVERLAY],
    dirs: ROOTFS_DIRS,
    userns: false,
  },
  "private-host": {
    description: "the docker-host table with every mount private",
    mountinfo: unshared([...DOCKER_BASE, OVERLAY]),
    dirs: ROOTFS_DIRS,
    userns: false,
  },
  "shared-tmp": {
    description: "Fedora-like: / shared, /tmp a shared tmpfs, the rootfs a plain directory under /tmp",
    defaultRootfs: "/tmp/pivotshim/rootfs",
    mountinfo: [...DOCKER_BASE, "30 21 0:30 / /tmp rw,nosuid,nodev shared:8 - tmpfs tmpfs rw,nr_inodes=1048576,inode64"],
    dirs: ["{rootfs}", ...ROOTFS_DIRS],
    userns: false,
  },
  "initramfs": {
    description: "/ is the initial ramfs (fstype rootfs, no parent): pivot_root answers EINVAL",
    mountinfo: [
      "1 1 0:1 / / rw - rootfs rootfs rw,size=4008612k,nr_inodes=1002153",
      "2 1 0:4 / /proc rw,relatime - proc proc rw",
      "3 1 0:5 / /sys rw,relatime - sysfs sysfs rw",
      "4 1 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=4008612k,nr_inodes=1002153,mode=755",
    ],
    dirs: ["{rootfs}", ...ROOTFS_DIRS],
    userns: false,
  },
  "rootless": {
    description: "docker-host, but the container namespace is owned by a user namespace: every inherited mount is locked",
    mountinfo: [...DOCKER_BASE, OVERLAY],
    dirs: ROOTFS_DIRS,
    userns: true,
  },
  "stacked-root": {
    description: "two mounts stacked on /: the process root is the lower one, a shared tmpfs covers it",
    mountinfo: [...DOCKER_BASE, OVERLAY, "50 21 0:50 / / rw,relatime shared:9 - tmpfs tmpfs rw,inode64"],
    dirs: ROOTFS_DIRS,
    userns: false,
  },
  "rootfs-not-a-mountpoint": {
    description: "docker-host without the overlay: the rootfs is a plain directory of /'s filesystem",
    mountinfo: DOCKER_BASE,
    dirs: ["{rootfs}", ...ROOTFS_DIRS],
    userns: false,
  },
} satisfies Record<string, ScenarioData>;
