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
  }
}

export function resultText(r: TraceResult): string {
  return "errno" in r ? `-1 ${r.errnoName} (${errnoText(r.errno)})` : String(r.ret);
}

export const straceLine = (s: TraceStep): string => `${call(s.request, s.result)} = ${resultText(s.result)}`;
