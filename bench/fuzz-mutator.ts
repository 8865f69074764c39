// The mountinfo mutator shared by the fuzz test (10k inputs) and `npm run fuzz` (1M): a seeded
// PRNG (mulberry32) so every failing input can be reproduced from its seed and index.
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = " \\-:/\n0123456789abcdefshared:master:proc sysfs";

/** 1-6 random edits: insert a likely byte, delete a run, replace with any byte, truncate, splice. */
export function mutate(base: string, rnd: () => number): string {
  let s = base;
  const n = 1 + Math.floor(rnd() * 6);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rnd() * (s.length + 1));
    const op = Math.floor(rnd() * 5);
    const ch = ALPHABET[Math.floor(rnd() * ALPHABET.length)]!;
    if (op === 0) s = s.slice(0, at) + ch + s.slice(at);
    else if (op === 1) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rnd() * 20));
    else if (op === 2) s = s.slice(0, at) + String.fromCharCode(Math.floor(rnd() * 256)) + s.slice(at + 1);
    else if (op === 3) s = s.slice(0, at);
    else s = s.slice(0, at) + s.slice(Math.floor(rnd() * s.length));
  }
  return s;
}
