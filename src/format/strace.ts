// strace 6 notation for one request and its result: strace's quoting, NULL, flag names in
// strace's order, "= -1 EINVAL (Invalid argument)". One deliberate difference: where strace
// prints an address for an argument the kernel ignores (the fstype or data of a propagation
// mount), we print its value ("" or NULL), so a plan says exactly what is passed.
import * as abi from "../abi.js";
import type { Request } from "../request.js";
import type { TraceResult, TraceStep } from "../trace.js";
import { msFlags, errnoText } from "../names-ts.js";
import { encodeString } from "../utf8.js";

/** strace's open_mode_flags order (seen with strace 6.1 on x86-64). */
const O_ORDER: [number, string][] = [
  [abi.O_CREAT, "O_CREAT"], [abi.O_EXCL, "O_EXCL"], [abi.O_NOCTTY, "O_NOCTTY"], [abi.O_TRUNC, "O_TRUNC"],
  [abi.O_APPEND, "O_APPEND"], [abi.O_NONBLOCK, "O_NONBLOCK"], [abi.O_DSYNC, "O_DSYNC"], [abi.O_DIRECT, "O_DIRECT"],
  [abi.O_LARGEFILE, "O_LARGEFILE"], [abi.O_NOFOLLOW, "O_NOFOLLOW"], [abi.O_NOATIME, "O_NOATIME"],
  [abi.O_CLOEXEC, "O_CLOEXEC"], [abi.O_PATH, "O_PATH"], [abi.O_DIRECTORY, "O_DIRECTORY"],
];

export function openFlags(flags: number): string {
  const acc = flags & 3;
  const parts = [acc === abi.O_WRONLY ? "O_WRONLY" : acc === abi.O_RDWR ? "O_RDWR" : "O_RDONLY"];
  let rest = flags & ~3;
  for (const [bit, name] of O_ORDER) if (rest & bit) { parts.push(name); rest &= ~bit; }
  if (rest) parts.push(`0x${(rest >>> 0).toString(16)}`);
  return parts.join("|");
}

const MNT: [number, string][] = [[abi.MNT_FORCE, "MNT_FORCE"], [abi.MNT_DETACH, "MNT_DETACH"], [abi.MNT_EXPIRE, "MNT_EXPIRE"], [abi.UMOUNT_NOFOLLOW, "UMOUNT_NOFOLLOW"]];

export function umountFlags(flags: number): string {
  const parts: string[] = [];
  let rest = flags;
  for (const [bit, name] of MNT) if (rest & bit) { parts.push(name); rest &= ~bit; }
  if (rest) parts.push(`0x${(rest >>> 0).toString(16)}`);
  return parts.length ? parts.join("|") : "0";
}

/** strace's string quoting: C escapes, other non-printable bytes in octal (3 digits before a digit). */
export function quote(s: string | null, max = Infinity): string {
  if (s === null) return "NULL";
  const bytes = encodeString(s); // the argument's bytes, as strace shows them (utf8.ts)
  let out = "";
  const n = Math.min(bytes.length, max);
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    const nextIsDigit = i + 1 < n && bytes[i + 1]! >= 0x30 && bytes[i + 1]! <= 0x37;
    if (b === 0x22) out += '\\"';
    else if (b === 0x5c) out += "\\\\";
    else if (b === 0x09) out += "\\t";
    else if (b === 0x0a) out += "\\n";
    else if (b === 0x0b) out += "\\v";
    else if (b === 0x0c) out += "\\f";
    else if (b === 0x0d) out += "\\r";
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += "\\" + (nextIsDigit ? b.toString(8).padStart(3, "0") : b.toString(8));
  }
  return `"${out}"${bytes.length > n ? "..." : ""}`;
}

const RESOLVE: [number, string][] = [[abi.RESOLVE_NO_XDEV, "RESOLVE_NO_XDEV"], [abi.RESOLVE_NO_MAGICLINKS, "RESOLVE_NO_MAGICLINKS"],
  [abi.RESOLVE_NO_SYMLINKS, "RESOLVE_NO_SYMLINKS"], [abi.RESOLVE_BENEATH, "RESOLVE_BENEATH"], [abi.RESOLVE_IN_ROOT, "RESOLVE_IN_ROOT"],
  [abi.RESOLVE_CACHED, "RESOLVE_CACHED"]];
// strace's order (xlat/open_tree_flags.in, move_mount_flags.in): the syscall's own flags, then the AT_* ones.
const OPEN_TREE: [number, string][] = [[abi.OPEN_TREE_CLONE, "OPEN_TREE_CLONE"], [abi.OPEN_TREE_NAMESPACE, "OPEN_TREE_NAMESPACE"], [abi.OPEN_TREE_CLOEXEC, "OPEN_TREE_CLOEXEC"],
  [abi.AT_SYMLINK_NOFOLLOW, "AT_SYMLINK_NOFOLLOW"], [abi.AT_NO_AUTOMOUNT, "AT_NO_AUTOMOUNT"], [abi.AT_EMPTY_PATH, "AT_EMPTY_PATH"],
  [abi.AT_RECURSIVE, "AT_RECURSIVE"]];
const MOVE_MOUNT: [number, string][] = [[abi.MOVE_MOUNT_F_SYMLINKS, "MOVE_MOUNT_F_SYMLINKS"], [abi.MOVE_MOUNT_F_AUTOMOUNTS, "MOVE_MOUNT_F_AUTOMOUNTS"],
  [abi.MOVE_MOUNT_F_EMPTY_PATH, "MOVE_MOUNT_F_EMPTY_PATH"], [abi.MOVE_MOUNT_T_SYMLINKS, "MOVE_MOUNT_T_SYMLINKS"],
  [abi.MOVE_MOUNT_T_AUTOMOUNTS, "MOVE_MOUNT_T_AUTOMOUNTS"], [abi.MOVE_MOUNT_T_EMPTY_PATH, "MOVE_MOUNT_T_EMPTY_PATH"],
  [abi.MOVE_MOUNT_SET_GROUP, "MOVE_MOUNT_SET_GROUP"], [abi.MOVE_MOUNT_BENEATH, "MOVE_MOUNT_BENEATH"]];

// ABI 6: mount_setattr's flags and struct mount_attr (xlat/mount_setattr_flags.in, mount_attr_attr.in,
// mount_attr_propagation.in), setns's nstype (only CLONE_NEWNS is ever asked for).
const AT_FLAGS: [number, string][] = [[abi.AT_SYMLINK_NOFOLLOW, "AT_SYMLINK_NOFOLLOW"], [abi.AT_NO_AUTOMOUNT, "AT_NO_AUTOMOUNT"],
  [abi.AT_EMPTY_PATH, "AT_EMPTY_PATH"], [abi.AT_RECURSIVE, "AT_RECURSIVE"]];
const MOUNT_ATTR: [number, string][] = [[abi.MOUNT_ATTR_RDONLY, "MOUNT_ATTR_RDONLY"], [abi.MOUNT_ATTR_NOSUID, "MOUNT_ATTR_NOSUID"],
  [abi.MOUNT_ATTR_NODEV, "MOUNT_ATTR_NODEV"], [abi.MOUNT_ATTR_NOEXEC, "MOUNT_ATTR_NOEXEC"], [abi.MOUNT_ATTR_NOATIME, "MOUNT_ATTR_NOATIME"],
  [abi.MOUNT_ATTR_STRICTATIME, "MOUNT_ATTR_STRICTATIME"], [abi.MOUNT_ATTR_NODIRATIME, "MOUNT_ATTR_NODIRATIME"],
  [abi.MOUNT_ATTR_IDMAP, "MOUNT_ATTR_IDMAP"], [abi.MOUNT_ATTR_NOSYMFOLLOW, "MOUNT_ATTR_NOSYMFOLLOW"]];
const PROPAGATION: [number, string][] = [[abi.MS_UNBINDABLE, "MS_UNBINDABLE"], [abi.MS_PRIVATE, "MS_PRIVATE"],
  [abi.MS_SLAVE, "MS_SLAVE"], [abi.MS_SHARED, "MS_SHARED"]];
const NSTYPE: [number, string][] = [[abi.CLONE_NEWNS, "CLONE_NEWNS"]];

function bits(flags: number, table: readonly [number, string][]): string {
  const parts: string[] = [];
  let rest = flags;
  for (const [bit, name] of table) if (rest & bit) { parts.push(name); rest &= ~bit; }
  if (rest) parts.push(`0x${(rest >>> 0).toString(16)}`);
  return parts.length ? parts.join("|") : "0";
}

/** openat2's how.resolve, open_tree's and move_mount's flags, as strace -y prints them (ABI 5). */
export const resolveFlags = (f: number): string => bits(f, RESOLVE);
export const openTreeFlags = (f: number): string => bits(f, OPEN_TREE);
export const moveMountFlags = (f: number): string => bits(f, MOVE_MOUNT);
/** mount_setattr's flags, its attr_set and propagation, setns's nstype (ABI 6). */
export const atFlags = (f: number): string => bits(f, AT_FLAGS);
export const mountAttrFlags = (f: number): string => bits(f, MOUNT_ATTR);
export const propagationFlags = (f: number): string => bits(f, PROPAGATION);
export const nsType = (f: number): string => bits(f, NSTYPE);

/** A file mode as strace prints it: octal with a leading 0 (0755), or 0 alone. */
export const modeText = (mode: number): string => (mode === 0 ? "0" : `0${(mode >>> 0).toString(8)}`);

const fdArg = (fd: number) => (fd === abi.AT_FDCWD ? "AT_FDCWD" : String(fd));

/** The call, without its result: `pivot_root(".", ".")`. */
export function call(r: Request, result?: TraceResult): string {
  switch (r.op) {
    case "openat": return `openat(${fdArg(r.dirfd)}, ${quote(r.pathname)}, ${openFlags(r.flags)})`;
    case "read": {
      const data = result && "ret" in result && result.text !== undefined ? quote(result.text, 32) : "...";
      return `read(${r.fd}, ${data}, ${r.count})`;
    }
    case "close": return `close(${r.fd})`;
    case "fchdir": return `fchdir(${r.fd})`;
    case "chdir": return `chdir(${quote(r.path)})`;
    case "chroot": return `chroot(${quote(r.path)})`;
    case "pivot_root": return `pivot_root(${quote(r.new_root)}, ${quote(r.put_old)})`;
    case "mount":
      return `mount(${quote(r.source)}, ${quote(r.target)}, ${quote(r.filesystemtype)}, ${msFlags(r.mountflags)}, ${quote(r.data)})`;
    case "umount2": return `umount2(${quote(r.target)}, ${umountFlags(r.flags)})`;
    case "getcwd": {
      const text = result && "ret" in result && result.text !== undefined ? quote(result.text.replace(/\0.*$/s, "")) : "...";
      return `getcwd(${text}, ${r.size})`;
    }
    case "sethostname": return `sethostname(${quote(r.name)}, ${Buffer.from(encodeString(r.name)).length})`;
    // strace prints the mode in octal with a leading 0 (0755), as print_numeric_umode_t does.
    case "mkdir": return `mkdir(${quote(r.pathname)}, ${modeText(r.mode)})`;
    // struct open_how as strace prints it: mode only with O_CREAT or O_TMPFILE (print_open_how).
    case "openat2": {
      const mode = r.flags & abi.O_CREAT || r.mode !== 0 ? `, mode=${modeText(r.mode).padStart(3, "0")}` : "";
      return `openat2(${fdArg(r.dirfd)}, ${quote(r.pathname)}, {flags=${openFlags(r.flags)}${mode}, resolve=${resolveFlags(r.resolve)}}, 24)`;
    }
    case "open_tree": return `open_tree(${fdArg(r.dirfd)}, ${quote(r.pathname)}, ${openTreeFlags(r.flags)})`;
    case "move_mount":
      return `move_mount(${fdArg(r.from_dirfd)}, ${quote(r.from_pathname)}, ${fdArg(r.to_dirfd)}, ${quote(r.to_pathname)}, ${moveMountFlags(r.flags)})`;
    case "setns": return `setns(${r.fd}, ${nsType(r.nstype)})`;
    // struct mount_attr as strace prints it (print_mount_attr); attr_clr and userns_fd are always 0 here.
    case "mount_setattr":
      return `mount_setattr(${fdArg(r.dirfd)}, ${quote(r.pathname)}, ${atFlags(r.flags)}, {attr_set=${mountAttrFlags(r.attr_set)}, attr_clr=0, propagation=${propagationFlags(r.propagation)}, userns_fd=0}, ${abi.MOUNT_ATTR_SIZE_VER0})`;
  }
}

export function resultText(r: TraceResult): string {
  return "errno" in r ? `-1 ${r.errnoName} (${errnoText(r.errno)})` : String(r.ret);
}

export const straceLine = (s: TraceStep): string => `${call(s.request, s.result)} = ${resultText(s.result)}`;
