// Exploration benchmark: exhaustive single-fault exploration of the hardened pivot plan on the
// fake kernel's docker-host (target ≤ 10 ms), and with double faults (report; keep ≤ 1 s).
import { explore } from "../src/explore.js";
import { fakePathHost, kernelFor } from "../src/check.js";
import { parseConfig } from "../src/schema.js";
import { median, row, spread, stats, time } from "./util.js";

export function benchExplore(): void {
  const config = parseConfig({ rootfs: "/var/lib/pivotshim/rootfs", strategy: "pivot" });
  const template = kernelFor(config, { scenario: "docker-host" });
  const make = fakePathHost(config, template);
  let paths = 0;
  const single = () => { paths = explore(config, make).summary.paths; };
  for (let i = 0; i < 20; i++) single(); // warm: the JIT settles after a few thousand paths
  const t1 = stats(21, () => time(single));
  row("explore hardened pivot, docker-host (single faults)", `${(t1.median / 1000).toFixed(2)} ms`, `target ≤ 10 ms, ≤ 8 under stress (${paths} paths); ${spread(t1)}`);
  let dpaths = 0;
  const t2 = median(3, () => time(() => { dpaths = explore(config, make, { double: true }).summary.paths; }));
  row("explore hardened pivot, docker-host (double faults)", `${(t2 / 1000).toFixed(1)} ms`, `keep ≤ 1000 ms (${dpaths} paths)`);
}
