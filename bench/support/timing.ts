// Round timing shared by the storage benchmarks: a warm-up call, then rounds, reported as median and best.

/** Median and best of some rounds, in ms. */
export interface Timing {
  /** Median round. */
  readonly median: number;
  /** Fastest round. */
  readonly best: number;
}

/** Median and best of round times. */
export function stats(ms: readonly number[]): Timing {
  const s = [...ms].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)] ?? Number.NaN, best: s[0] ?? Number.NaN };
}

/** Time `work` over `rounds` rounds after one warm-up call. */
export async function time(rounds: number, work: () => Promise<unknown>): Promise<Timing> {
  await work(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    await work();
    ms.push(performance.now() - t);
  }
  return stats(ms);
}
