// Parses `strace [-f] [-t|-tt|-ttt|-r] [-y] [-T]` logs into structured calls and events.
// Owns the line grammar: pid prefixes, timestamps, `<unfinished ...>`/`<... resumed>` merging (per
// pid), return values and errnos, signal and exit lines. Argument decoding lives in args.ts and the
// mapping onto the machine's Request union in to-requests.ts. Pure: text in, values out, no I/O.
import { clearPlain, decodeC, parseArgAt, scanArgs, type Arg, type Sink } from "./args.js";
import { clearInterned, digitsEnd, intern, isAlpha, isDigit, isDuration, isSpace, smallNumber, spaces, timeEnd } from "./scan.js";
import { I32_MAX } from "../abi.js";

export type { Arg } from "./args.js";
export { toRequests, type Addr, type Traced, type TracedRequest } from "./to-requests.js";

/** One system call. A call split by `<unfinished ...>` is merged into one, at its start position. */
export interface Call {
  kind: "call";
  /** From `123 ` (strace -f -o) or `[pid 123] ` (strace -f to stderr); absent for single-process logs. */
  pid?: number;
  /** As printed: `12:34:56` (-t), `12:34:56.123456` (-tt), `1700000000.123456` (-ttt), `0.000123` (-r). */
  time?: string;
  name: string;
  args: Arg[];
  /** The return value; null for `= ?` and for a call that never resumed. Hex returns lose precision past 2^53. */
  ret: number | null;
  /** `EINVAL` in `= -1 EINVAL (Invalid argument)`; also set for `= ? ERESTARTSYS (...)`. */
  errno?: string;
  /** `Invalid argument` in the line above. */
  errText?: string;
  /** The `-y` path of a returned fd: `= 3</x>` gives ret 3 and retPath "/x". */
  retPath?: string;
  /** Anything after the return value (e.g. `(Timeout)`, `(flags O_RDONLY)`), as printed. */
  retExtra?: string;
  /** The `-T` duration, `0.000012` from ` <0.000012>`. */
  duration?: string;
  /** Set when an `<unfinished ...>` call was never resumed (the process died in it). */
  unfinished?: true;
  /** The source line, or the two lines joined with "\n" for a merged call. */
  raw: string;
  /** 1-based line number of the call's (first) line; endLine is the resumed line. */
  line: number;
  endLine?: number;
}

/**
 * Non-call lines are kept as events, in order, so a caller can see signals inside a window:
 * `--- SIGURG {...} ---`, `+++ exited with 0 +++`, `+++ killed by SIGKILL +++`. A line that matches
 * no form (or a resume with no pending call) becomes `unparsed`: nothing is dropped silently.
 */
export type Event = { pid?: number; time?: string; raw: string; line: number } & EventBody;
type EventBody =
  | { kind: "signal"; signal: string; info: string }
  | { kind: "exit"; code: number }
  | { kind: "killed"; signal: string; coreDumped: boolean }
  | { kind: "unparsed"; reason: string };

export type Entry = Call | Event;

export interface Parsed {
  /** Calls and events in log order (a merged call sits where it started). */
  entries: Entry[];
  calls: Call[];
  events: Event[];
}

const PREFIX = /^\s*(?:\[pid\s+(\d+)\]\s+|(\d+)\s+(?=\S))?\s*(?:(\d{2}:\d{2}:\d{2}(?:\.\d+)?|\d+\.\d+)\s+)?/;
const SIGNAL = /^--- (SIG[A-Z0-9+]+|SIGRT_\d+) (.*) ---$/;
const EXITED = /^\+\+\+ exited with (-?\d+) \+\+\+$/;
const KILLED = /^\+\+\+ killed by (SIG[A-Z0-9_+]+)( \(core dumped\))? \+\+\+$/;
const RESUMED = /^<\.\.\. ([A-Za-z0-9_]+) resumed>\s?/;
const UNFINISHED = "<unfinished ...>";
const CALL_HEAD = /^([A-Za-z_][A-Za-z0-9_]*)\(/;
const DURATION = /^\d+\.\d+$/;

interface Head { pid?: number; time?: string; body: string; raw: string; line: number }

/** Splits the pid and timestamp prefix off a line. */
export function splitPrefix(raw: string, line: number): Head {
  const m = PREFIX.exec(raw)!;
  const pidText = m[1] ?? m[2];
  const head: Head = { body: raw.slice(m[0].length).trimEnd(), raw, line };
  if (pidText !== undefined) head.pid = Number(pidText);
  if (m[3] !== undefined) head.time = m[3];
  return head;
}

/**
 * Parses a whole log. Lines are 1-based; blank lines are skipped. `fast` false sends every line
 * through the general path: the two must agree (test/strace-fast.test.ts), and nothing else sets it.
 */
export function parseStrace(text: string, fast = true): Parsed {
  const entries: Entry[] = [];
  const pending = new Map<number, { head: Head; slot: number; name: string }>();
  const lines = text.split("\n");
  clearInterned();
  clearPlain();
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (fast) {
      const call = fastCall(raw, i + 1);
      if (call !== null) { entries.push(call); continue; }
    }
    if (raw.trim() === "") continue;
    const head = splitPrefix(raw, i + 1);
    if (head.pid !== undefined && head.pid > I32_MAX) {
      // pid_t is an int: a longer number would round onto another process's id and merge the two.
      entries.push(event({ ...head, pid: undefined }, { kind: "unparsed", reason: `pid ${/\d+/.exec(raw)![0]} is larger than a pid_t` }));
      continue;
    }
    const key = head.pid ?? -1;
    const resumed = RESUMED.exec(head.body);
    if (resumed) {
      let p = pending.get(key);
      let from = key;
      if (!p && head.pid === undefined) {
        // strace -f writing to stderr prints "[pid N] " only while it traces more than one process
        // (printleader: nprocs > 1 without -o), so a call resumed after the others are gone comes
        // without its pid: `<... wait4 resumed>` once the child has exited (recorded with strace 6.1,
        // test/strace-parse.test.ts). It resumes the one pending call of that name, if only one is.
        const same = [...pending].filter(([, q]) => q.name === resumed[1]);
        if (same.length === 1) [from, p] = same[0]!;
      }
      if (!p || p.name !== resumed[1]) {
        entries.push(event(head, { kind: "unparsed", reason: `resumed ${resumed[1]} with no pending call` }));
        continue;
      }
      pending.delete(from);
      const merged = stripUnfinished(p.head.body)! + head.body.slice(resumed[0].length);
      entries[p.slot] = { ...parseCall(p.head, merged), raw: `${p.head.raw}\n${raw}`, endLine: i + 1 };
    } else if (head.body.endsWith(UNFINISHED) && CALL_HEAD.test(head.body)) {
      const name = CALL_HEAD.exec(head.body)![1]!;
      pending.set(key, { head, slot: entries.length, name });
      entries.push({ ...parseCall(head, stripUnfinished(head.body)!), unfinished: true });
    } else {
      entries.push(parseLine(head));
    }
  }
  sink.items.length = 0;
  return { entries, calls: entries.filter(isCall), events: entries.filter((e): e is Event => !isCall(e)) };
}

export const isCall = (e: Entry): e is Call => e.kind === "call";

/**
 * The body without its trailing ` <unfinished ...>` (and the padding before it), or null when it
 * has none. By hand, not /\s*<unfinished \.\.\.>$/: that regex retries \s* at every blank of a
 * long line and goes quadratic.
 */
export function stripUnfinished(body: string): string | null {
  return body.endsWith(UNFINISHED) ? body.slice(0, body.length - UNFINISHED.length).trimEnd() : null;
}

/** Parses one complete line (no unfinished/resumed handling: parseStrace does that). */
export function parseLine(head: Head): Entry {
  const b = head.body;
  let m: RegExpExecArray | null;
  if ((m = SIGNAL.exec(b))) return event(head, { kind: "signal", signal: m[1]!, info: m[2]! });
  if ((m = EXITED.exec(b))) return event(head, { kind: "exit", code: Number(m[1]) });
  if ((m = KILLED.exec(b))) return event(head, { kind: "killed", signal: m[1]!, coreDumped: m[2] !== undefined });
  if (CALL_HEAD.test(b)) {
    const call = parseCall(head, b);
    if (!call.unfinished) return call;
  }
  return event(head, { kind: "unparsed", reason: "not a call, signal or exit line" });
}

function event(head: Head, e: EventBody): Event {
  return { ...withWho(head), raw: head.raw, line: head.line, ...e };
}

function withWho(head: Head): { pid?: number; time?: string } {
  const who: { pid?: number; time?: string } = {};
  if (head.pid !== undefined) who.pid = head.pid;
  if (head.time !== undefined) who.time = head.time;
  return who;
}

/** `name(args) = ret`: a call without a `)` (never resumed) is marked unfinished with ret null. */
function parseCall(head: Head, body: string): Call {
  const name = CALL_HEAD.exec(body)![1]!;
  const sink: Sink<Arg> = { items: [], n: 0 };
  const end = scanArgs(body, name.length + 1, sink, parseArgAt);
  const args = sink.items;
  // Built in place (no spreads): a 10 MB log has 150k of these.
  const call: Call = { kind: "call", name, args, ret: null, raw: head.raw, line: head.line };
  if (head.pid !== undefined) call.pid = head.pid;
  if (head.time !== undefined) call.time = head.time;
  if (end < 0) call.unfinished = true;
  else Object.assign(call, parseReturn(body.slice(end + 1)));
  return call;
}

type ReturnPart = Pick<Call, "ret" | "errno" | "errText" | "retPath" | "retExtra" | "duration" | "unfinished">;

/** The part after `)`: padding, `= value [ERRNO (text)] [extra]`, then an optional `-T` ` <duration>`. */
export function parseReturn(rest: string): ReturnPart {
  let text = rest.trim();
  const out: ReturnPart = { ret: null };
  // The -T duration, by hand: /\s*<(\d+\.\d+)>$/ retries \s* at every blank (quadratic).
  const lt = text.endsWith(">") ? text.lastIndexOf("<") : -1;
  if (lt >= 0 && DURATION.test(text.slice(lt + 1, -1))) {
    out.duration = text.slice(lt + 1, -1);
    text = text.slice(0, lt).trimEnd();
  }
  const m = /^=\s+(\?|0x[0-9a-fA-F]+|-?\d+)(?:<([^]*?)>(?:\(deleted\))?(?=\s|$))?\s*([^]*)$/.exec(text);
  if (!m) return { ...out, unfinished: true };
  if (m[1] !== "?") out.ret = Number(m[1]);
  if (m[2] !== undefined) out.retPath = decodeC(m[2]);
  const tail = m[3]!;
  const err = /^(E[A-Z0-9]+) \(([^]*)\)$/.exec(tail);
  if (err) {
    out.errno = err[1]!;
    out.errText = err[2]!;
  } else if (tail !== "") {
    out.retExtra = tail;
  }
  return out;
}

/**
 * The fast path for the common line, a complete call: `[pid] [time] name(args) = number [<dur>]`.
 * The general path (splitPrefix's regex, a Head, trimmed body copies, parseReturn's regexes) made
 * a 10 MB log spend most of its time collecting that garbage. Here the prefix and the return are
 * scanned by hand on the raw line, by the same grammar (a return other than a plain number still goes
 * through parseReturn); any other line (events, unfinished and resumed calls, a pid past a pid_t, a
 * prefix the hand scan is unsure of) returns null and takes the general path.
 * Exported for test/strace-fast.test.ts, which checks that both paths give the same entries.
 */
export function fastCall(raw: string, line: number): Call | null {
  // PREFIX by hand: ^\s* then `[pid N]\s+` or `N\s+(?=\S)`, then \s*, then a time and \s+.
  const n = raw.length;
  let i = spaces(raw, 0);
  let pid = -1;
  if (raw.startsWith("[pid", i)) {
    const a = spaces(raw, i + 4);
    const b = digitsEnd(raw, a);
    if (a === i + 4 || b === a || raw.charCodeAt(b) !== 0x5d /* ] */) return null; // the general path decides
    const c = spaces(raw, b + 1);
    if (c === b + 1) return null;
    pid = smallNumber(raw, a, b);
    i = c;
  } else {
    const b = digitsEnd(raw, i);
    const c = spaces(raw, b);
    if (b > i && c > b && c < n) { pid = smallNumber(raw, i, b); i = c; }
  }
  if (pid > I32_MAX) return null; // also NaN-free: smallNumber gives Infinity past 15 digits
  let time: string | undefined;
  const t = timeEnd(raw, i);
  if (t > i) {
    const c = spaces(raw, t);
    if (c > t) { time = raw.slice(i, t); i = c; }
  }
  // CALL_HEAD by hand: [A-Za-z_][A-Za-z0-9_]* then `(`.
  const c0 = raw.charCodeAt(i);
  if (!(isAlpha(c0) || c0 === 0x5f)) return null;
  let k = i + 1;
  for (let c = raw.charCodeAt(k); isAlpha(c) || c === 0x5f || isDigit(c); c = raw.charCodeAt(++k));
  if (raw.charCodeAt(k) !== 0x28) return null;
  let to = n;
  while (to > i && isSpace(raw.charCodeAt(to - 1))) to--;
  if (to - i >= UNFINISHED.length && raw.endsWith(UNFINISHED, to)) return null;
  sink.n = 0;
  const end = scanArgs(raw, k + 1, sink, parseArgAt);
  if (end < 0) return null;
  const args = sink.items.slice(0, sink.n); // exactly as long as needed, and the sink is reused
  const name = intern(raw, i, k);
  if (!fastReturn(raw, end + 1, to)) {
    const call: Call = { kind: "call", name, args, ret: null, raw, line };
    if (pid >= 0) call.pid = pid;
    if (time !== undefined) call.time = time;
    Object.assign(call, parseReturn(raw.slice(end + 1, to)));
    return call.unfinished ? null : call; // unfinished: not a call line after all; the general path makes the event
  }
  // All fields in one literal, in parseCall's key order: no property array added per call.
  const ret = retValue;
  const duration = durFrom < 0 ? undefined : intern(raw, durFrom, durTo);
  switch ((pid >= 0 ? 4 : 0) | (time !== undefined ? 2 : 0) | (duration !== undefined ? 1 : 0)) {
    case 7: return { kind: "call", name, args, ret, raw, line, pid, time, duration };
    case 6: return { kind: "call", name, args, ret, raw, line, pid, time };
    case 5: return { kind: "call", name, args, ret, raw, line, pid, duration };
    case 4: return { kind: "call", name, args, ret, raw, line, pid };
    case 3: return { kind: "call", name, args, ret, raw, line, time, duration };
    case 2: return { kind: "call", name, args, ret, raw, line, time };
    case 1: return { kind: "call", name, args, ret, raw, line, duration };
    default: return { kind: "call", name, args, ret, raw, line };
  }
}

/**
 * fastCall's arguments before they are copied out. Its slots keep the previous line's arguments
 * alive until overwritten (they are in the result anyway); parseStrace empties it at the end.
 */
const sink: Sink<Arg> = { items: [], n: 0 };
/** fastReturn's answer: the return value and where the -T duration is (durFrom -1 when none). */
let retValue = 0;
let durFrom = -1;
let durTo = -1;

/**
 * `= -?\d+` with an optional ` <duration>`, the common return, read by hand into retValue, durFrom
 * and durTo; false for any other shape (parseReturn reads those).
 */
function fastReturn(s: string, from: number, to: number): boolean {
  const a = spaces(s, from);
  let z = to;
  let lt = -1;
  if (s.charCodeAt(to - 1) === 0x3e /* > */) {
    lt = s.lastIndexOf("<", to - 1);
    if (lt >= a && isDuration(s, lt + 1, to - 1)) {
      z = lt;
      while (z > a && isSpace(s.charCodeAt(z - 1))) z--;
    } else lt = -1;
  }
  if (s.charCodeAt(a) !== 0x3d /* = */) return false;
  const b = spaces(s, a + 1);
  if (b === a + 1) return false;
  const neg = s.charCodeAt(b) === 0x2d ? 1 : 0;
  if (digitsEnd(s, b + neg) !== z || z === b + neg) return false;
  retValue = z - b - neg <= 15 ? (neg ? -smallNumber(s, b + 1, z) : smallNumber(s, b, z)) : Number(s.slice(b, z));
  durFrom = lt < 0 ? -1 : lt + 1;
  durTo = to - 1;
  return true;
}
