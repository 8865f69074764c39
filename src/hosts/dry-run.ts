// The dry-run host: answers every request with success, hands out fds lowest-free-first from 3
// (like the kernel), answers mountinfo reads from a given text (default: a docker-like host) and
// getcwd with "/". It checks nothing but two kernel facts that loops depend on: once the old root
// stacked on "." has been detached, umount2(".") answers EINVAL (nothing is mounted there any
// more), so crun's and hardened's detach loops end as they do on a real kernel; and a path it has
// unmounted since the last mount or pivot is no mount point any more (EINVAL again), so
// lxc_chroot's passes end with one that unmounts nothing. mkdir succeeds
// unless the path is known to exist: "/", or a directory this host made itself since the last
// change of the mount table (a mount can hide it, a pivot moves it), named through a cwd it knows.
// openat2 and open_tree hand out fds as openat does; move_mount succeeds (ABI 5); setns and
// mount_setattr succeed (ABI 6). A second kernel fact: open_tree(OPEN_TREE_NAMESPACE) is EINVAL, as
// on Linux 6.18 (the flag is unknown before 7.0), unless the host is told it is kernel 7.0, so crun
// 1.29's plan takes the path it takes on the kernels that exist here.
import type { Host } from "./host.js";
import type { Request, Result } from "../request.js";
import { dockerHostMountinfo } from "./mountinfo-default.js";
import { EEXIST, EINVAL, ENOSYS, OPEN_TREE_NAMESPACE } from "../abi.js";
import { DEFAULT_ROOTFS } from "../schema.js";
import { encodeString } from "../utf8.js";

export interface DryRunOptions {
  /** What reads of /proc/{self,thread-self}/mountinfo return; default: dockerHostMountinfo(rootfs). */
  mountinfo?: string;
  rootfs?: string;
  /** The kernel the host answers as: "6.18" (default: OPEN_TREE_NAMESPACE is EINVAL) or "7.0". */
  kernel?: "6.18" | "7.0";
}

const encoded = new Map<string, Uint8Array>();
/** The built-in host's mountinfo for a rootfs, encoded once per process (hosts never write to it). */
function builtIn(rootfs: string): Uint8Array {
  let b = encoded.get(rootfs);
  if (!b) { b = encodeString(dockerHostMountinfo(rootfs)); encoded.set(rootfs, b); }
  return b;
}

export class DryRunHost implements Host {
  readonly kind = "dry-run" as const;
  readonly #open = new Map<number, { data: Uint8Array; offset: number } | null>();
  readonly #text: string | undefined;
  readonly #rootfs: string | undefined;
  readonly #treeNamespace: boolean;
  #mountinfo: Uint8Array | null = null;
  /** umount2(".") succeeded since the last pivot_root: the next one finds no mount. */
  #detached = false;
  /** Other umount2 targets unmounted since the last mount or pivot_root, as named. */
  readonly #unmounted = new Set<string>();
  /** The cwd as the last chdir to a known place set it; null when unknown (start, fchdir, any mount change). */
  #cwd: string | null = null;
  /** Directories mkdir made, absolute and normalised, since the mount table last changed. */
  readonly #made = new Set<string>();

  constructor(opts: DryRunOptions = {}) {
    this.#text = opts.mountinfo;
    this.#rootfs = opts.rootfs;
    this.#treeNamespace = opts.kernel === "7.0";
  }

  /** Encoded on first use: most plans never read mountinfo. */
  private mountinfo(): Uint8Array {
    this.#mountinfo ??= this.#text !== undefined ? encodeString(this.#text) /* U+DC80+b back to byte b */ : builtIn(this.#rootfs ?? DEFAULT_ROOTFS);
    return this.#mountinfo;
  }

  exec(req: Request): Result {
    switch (req.op) {
      case "openat": case "openat2": case "open_tree": {
        if (req.op === "open_tree" && (req.flags & OPEN_TREE_NAMESPACE) !== 0 && !this.#treeNamespace) return { errno: EINVAL };
        let fd = 3;
        while (this.#open.has(fd)) fd++;
        const file = req.op !== "open_tree" && req.pathname.endsWith("/mountinfo") ? { data: this.mountinfo(), offset: 0 } : null;
        this.#open.set(fd, file);
        return { ret: fd };
      }
      case "read": {
        const f = this.#open.get(req.fd);
        if (!f) return { ret: 0 };
        const data = f.data.subarray(f.offset, f.offset + req.count);
        f.offset += data.length;
        return { ret: data.length, data };
      }
      case "close": this.#open.delete(req.fd); return { ret: 0 };
      case "getcwd": return { ret: 2, data: new Uint8Array([0x2f, 0]) };
      case "pivot_root": this.#detached = false; this.#unmounted.clear(); this.#forget(); return { ret: 0 };
      case "mkdir": {
        const at = this.#absolute(req.pathname);
        if (at === "/" || (at !== null && this.#made.has(at))) return { errno: EEXIST };
        if (at !== null) this.#made.add(at);
        return { ret: 0 };
      }
      case "chdir": this.#cwd = this.#absolute(req.path); return { ret: 0 };
      case "fchdir": this.#cwd = null; return { ret: 0 };
      case "umount2": {
        this.#made.clear();
        if (req.target !== ".") {
          if (this.#unmounted.has(req.target)) return { errno: EINVAL };
          this.#unmounted.add(req.target);
          return { ret: 0 };
        }
        if (this.#detached) return { errno: EINVAL };
        this.#detached = true;
        return { ret: 0 };
      }
      case "mount": case "move_mount": case "setns": case "mount_setattr": this.#unmounted.clear(); this.#forget(); return { ret: 0 };
      case "chroot": this.#forget(); return { ret: 0 };
      case "sethostname": return { ret: 0 };
      // An op this host does not know (a newer caller's): ENOSYS, as the executor answers it, never a made-up success.
      default: return { errno: ENOSYS };
    }
  }

  /** The mount table or the root changed: what mkdir made may be hidden or elsewhere, and "." may name another place. */
  #forget(): void {
    this.#made.clear();
    this.#cwd = null;
  }

  /** `path` made absolute against the known cwd and normalised ("." and ".." folded); null when that needs an unknown cwd. */
  #absolute(path: string): string | null {
    if (path === "") return null;
    const base = path.startsWith("/") ? "" : this.#cwd;
    if (base === null) return null;
    const out: string[] = [];
    for (const c of `${base}/${path}`.split("/")) {
      if (c === "" || c === ".") continue;
      if (c === "..") out.pop(); else out.push(c);
    }
    return "/" + out.join("/");
  }
}
