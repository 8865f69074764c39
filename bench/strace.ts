// strace parser benchmark (`pivotshim diff`'s input side): ms per MB of log for a 1 MB line of
// each shape that used to go quadratic (a long read string with escapes, many arguments, long
// blank runs before `= 0` and `<unfinished ...>`), and for a 10 MB log of ordinary lines.
// Target: ≤ 50 ms/MB, linear (issue 10). parseStrace + toRequests, as diff() runs them.
// Each shape runs ROUNDS rounds; wall min / median / max are printed so a loaded machine's noise
// shows, with the load average and the CPU time of the fastest round (on a loaded machine the
// process waits for a core: wall time grows, CPU time far less). The verdict uses the wall min:
// load only ever adds time, so the fastest round is closest to the parser's own cost.
// The decodeBytes rows time what the CLI reads every log file through (src/utf8.ts).
// This section alone: `npm run build:ts && node dist/bench/strace.js`.
import { loadavg } from "node:os";
import { pathToFileURL } from "node:url";
import { decodeBytes } from "../src/utf8.js";
import { parseStrace, toRequests } from "../src/strace/parse.js";
import { quote } from "../src/format/strace.js";
import { plan } from "../src/plan.js";
import { formatStrace } from "../src/format/index.js";
import { generateMountinfo } from "./parse.js";
import { row } from "./util.js";

const MB = 1 << 20;
const ROUNDS = 9;

/** One line of about `bytes` bytes: a prefix, a repeated unit, a suffix. */
function line(head: string, unit: string, tail: string, bytes = MB): string {
  return head + unit.repeat(Math.ceil((bytes - head.length - tail.length) / unit.length)) + tail;
}

/** A 10 MB log: the runc plan's calls from 50 pids, interleaved, with -tt timestamps and -T. */
function bigLog(): string {
  const calls = formatStrace(plan({ rootfs: "/var/lib/pivotshim/rootfs", profile: "runc" })).split("\n").filter((l) => l && !l.startsWith("#"));
  const out: string[] = [];
  let size = 0;
  for (let i = 0; size < 10 * MB; i++) {
    const l = `${1000 + (i % 50)} 12:34:56.${String(i % 1e6).padStart(6, "0")} ${calls[i % calls.length]} <0.000012>`;
    out.push(l);
    size += l.length + 1;
  }
  return out.join("\n") + "\n";
}

/** Wall and CPU ms/MB of each round of `run` over `mb` MB, sorted by wall. One warm-up round first (JIT). */
function perMB(mb: number, run: () => void): { wall: number; cpu: number }[] {
  run();
  return Array.from({ length: ROUNDS }, () => {
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    run();
    const wall = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = process.cpuUsage(cpu0);
    return { wall: wall / mb, cpu: (cpu.user + cpu.system) / 1000 / mb };
  }).sort((a, b) => a.wall - b.wall);
}

const parse = (text: string) => () => { toRequests(parseStrace(text).calls); };

export function benchStrace(): void {
  const mi = generateMountinfo(20000);
  const log = bigLog();
  const latin1 = Uint8Array.from({ length: MB }, (_, i) => (i % 7 === 0 ? 0xe9 : 0x61 + (i % 26)));
  const stray = Buffer.from(log, "latin1");
  stray[stray.length >> 1] = 0xff;
  const shapes: [string, number, () => void][] = [
    ["1 MB read line (mountinfo, escaped)", `read(3, ${quote(mi.slice(0, MB - 40))}, 1048576) = 1048000`],
    ["1 MB line of 0xff bytes (\\377 each)", line('chdir("', "\\377", '") = 0')],
    ["1 MB line of unknown escapes (\\x each)", line('openat(AT_FDCWD, "', "\\x", '", O_RDONLY) = 3')],
    ["1 MB line of short runs (a\\x each)", line('openat(AT_FDCWD, "', "a\\x", '", O_RDONLY) = 3')],
    ["1 MB line, 200k -y fd arguments", line("f(", "3</a>, ", "3) = 0")],
    ["1 MB line, 300k empty strings", line("f(", '"", ', '"") = 0')],
    ["1 MB of blanks before = 0", line("close(3)", " ", "= 0")],
    ["1 MB of blanks before <unfinished ...>", line("read(3, ", " ", "x <unfinished ...>")],
    ["10 MB log, 50 pids, -tt -T", log],
  ].map(([name, text]): [string, number, () => void] => [name!, text!.length / MB, parse(text!)]);
  shapes.push(
    ["decodeBytes: 1 MB of Latin-1 text", 1, () => { decodeBytes(latin1); }],
    ["decodeBytes: the 10 MB log, one 0xff byte", stray.length / MB, () => { decodeBytes(stray); }],
  );
  const [l1, l5] = loadavg();
  console.log(`(ms/MB, ${ROUNDS} rounds: wall min / median / max, and the CPU time of the fastest round; load average ${l1!.toFixed(1)}, ${l5!.toFixed(1)})`);
  for (const [name, mb, run] of shapes) {
    const xs = perMB(mb, run);
    const min = xs[0]!, med = xs[xs.length >> 1]!, max = xs[xs.length - 1]!;
    row(name, `${min.wall.toFixed(1)} / ${med.wall.toFixed(1)} / ${max.wall.toFixed(1)}`, `cpu ${min.cpu.toFixed(1)}   ${min.wall <= 50 ? "ok" : "MISSED"} (≤ 50)`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log("# strace parser (diff)");
  benchStrace();
}
