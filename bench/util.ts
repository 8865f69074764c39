// Timing helpers for the benchmarks: a high-resolution timer in µs, medians, aligned rows.
export function time(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1000;
}

/** Median of n samples produced by sample(i). */
export function median(n: number, sample: (i: number) => number): number {
  const xs = Array.from({ length: n }, (_, i) => sample(i)).sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)]!;
}

export function row(name: string, value: string, note: string): void {
  console.log(`${name.padEnd(48)} ${value.padStart(14)}   ${note}`);
}
