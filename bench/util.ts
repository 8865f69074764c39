// Timing helpers for the benchmarks: a high-resolution timer in µs, medians, aligned rows.
export function time(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1000;
}

/** Median of n samples produced by sample(i). */
export function median(n: number, sample: (i: number) => number): number {
  return stats(n, sample).median;
}

/** The median with what shows the noise around it: the minimum and the 10th-90th percentiles. */
export interface Stats { n: number; min: number; p10: number; median: number; p90: number }

export function stats(n: number, sample: (i: number) => number): Stats {
  const xs = Array.from({ length: n }, (_, i) => sample(i)).sort((a, b) => a - b);
  const at = (p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
  return { n, min: xs[0]!, p10: at(0.1), median: at(0.5), p90: at(0.9) };
}

/** "min 3.10, p10-p90 3.20-4.05 ms (n=31)", samples in µs shown in ms. */
export function spread(s: Stats): string {
  const f = (us: number) => (us / 1000).toFixed(2);
  return `min ${f(s.min)}, p10-p90 ${f(s.p10)}-${f(s.p90)} ms (n=${s.n})`;
}

export function row(name: string, value: string, note: string): void {
  console.log(`${name.padEnd(48)} ${value.padStart(14)}   ${note}`);
}
