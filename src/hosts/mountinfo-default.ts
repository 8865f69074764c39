// The built-in host the dry run reads mountinfo from: a docker-like machine with a shared ext4
// /, /proc, /sys, cgroup2, /dev, /run, the rootfs on an overlay under /var/lib, and the
// container's own /proc and /sys already mounted inside the rootfs (runc mounts them before
// the switch, so msMoveRoot must skip them by prefix).
import { DEFAULT_ROOTFS } from "../schema.js";
import { escape as escapeMountinfo } from "./fake/mountinfo.js";

export function dockerHostMountinfo(rootfs: string = DEFAULT_ROOTFS): string {
  const r = escapeMountinfo(rootfs);
  return [
    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro",
    "23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw",
    "24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw",
    "25 24 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:3 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot",
    "26 22 0:5 / /dev rw,nosuid,relatime shared:4 - devtmpfs udev rw,size=8123456k,nr_inodes=2030864,mode=755",
    "27 26 0:24 / /dev/pts rw,nosuid,noexec,relatime shared:5 - devpts devpts rw,gid=5,mode=620,ptmxmode=000",
    "28 22 0:25 / /run rw,nosuid,nodev,noexec,relatime shared:6 - tmpfs tmpfs rw,size=1631084k,mode=755",
    "29 23 0:26 / /proc/sys/fs/binfmt_misc rw,relatime shared:13 - autofs systemd-1 rw,fd=29,pgrp=1,timeout=0,minproto=5,maxproto=5,direct",
    `30 22 0:27 / ${r} rw,relatime shared:14 - overlay overlay rw,lowerdir=/var/lib/pivotshim/l/A:/var/lib/pivotshim/l/B,upperdir=/var/lib/pivotshim/diff,workdir=/var/lib/pivotshim/work`,
    `31 30 0:28 / ${r}/proc rw,nosuid,nodev,noexec,relatime - proc proc rw`,
    `32 30 0:29 / ${r}/sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro`,
    `33 30 0:30 / ${r}/dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755`,
    "",
  ].join("\n");
}
