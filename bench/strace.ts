// strace parser benchmark (`pivotshim diff`'s input side): ms per MB of log for a 1 MB line of
// each shape that used to go quadratic (a long read string with escapes, many arguments, long
// blank runs before `= 0` and `<unfinished ...>`), and for a 10 MB log of ordinary lines.
// Target: ≤ 50 ms/MB, linear (issue 10). parseStrace + toRequests, as diff() runs them.
// Each shape runs ROUNDS rounds; min / median / max are printed so a loaded machine's noise shows.
// The verdict uses the min: load only ever adds time, so the fastest round is the parser's cost.
// This section alone: `npm run build:ts && node dist/bench/strace.js`.
import { pathToFileURL } from "node:url";
import { parseStrace, toRequests } from "../src/strace/parse.js";
import { quote } from "../src/format/strace.js";
import { plan } from "../src/plan.js";
import { formatStrace } from "../src/format/index.js";
import { generateMountinfo } from "./parse.js";
import { row, time } from "./util.js";

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

/** ms/MB of each round, sorted. One warm-up round first (JIT), not counted. */
function perMB(text: string): number[] {
  const run = () => toRequests(parseStrace(text).calls);
  run();
  const mb = text.length / MB;
  return Array.from({ length: ROUNDS }, () => time(run) / 1000 / mb).sort((a, b) => a - b);
}

export function benchStrace(): void {
  const mi = generateMountinfo(20000);
  const shapes: [string, string][] = [
    ["1 MB read line (mountinfo, escaped)", `read(3, ${quote(mi.slice(0, MB - 40))}, 1048576) = 1048000`],
    ["1 MB line of 0xff bytes (\\377 each)", line('chdir("', "\\377", '") = 0')],
    ["1 MB line, 200k -y fd arguments", line("f(", "3</a>, ", "3) = 0")],
    ["1 MB line, 300k empty strings", line("f(", '"", ', '"") = 0')],
    ["1 MB of blanks before = 0", line("close(3)", " ", "= 0")],
    ["1 MB of blanks before <unfinished ...>", line("read(3, ", " ", "x <unfinished ...>")],
    ["10 MB log, 50 pids, -tt -T", bigLog()],
  ];
  console.log(`(ms/MB over ${ROUNDS} rounds: min / median / max; target ≤ 50 ms/MB on the min)`);
  for (const [name, text] of shapes) {
    const xs = perMB(text);
    const min = xs[0]!, med = xs[xs.length >> 1]!, max = xs[xs.length - 1]!;
    row(name, `${min.toFixed(1)} / ${med.toFixed(1)} / ${max.toFixed(1)}`, min <= 50 ? "ok" : "MISSED");
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log("# strace parser (diff)");
  benchStrace();
}
