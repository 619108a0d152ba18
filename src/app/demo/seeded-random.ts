// Deterministic randomness for the demo building: a seeded generator for layout choices and a hash noise of time.

/** A seeded pseudo-random generator (mulberry32): the same seed gives the same sequence on every platform. */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** A float in [min, max). */
  range(min: number, max: number): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
}

/** Make a {@link Random} from a 32-bit seed. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    range: (min, max) => min + (max - min) * next(),
    int: (min, max) => min + Math.floor((max - min + 1) * next()),
  };
}

/** Noise holds one value for this long, so that live values move every few seconds and repeat within a tick. */
export const NOISE_TICK_MS = 5000;

/**
 * Noise in [-1, 1) that depends only on (seed, channel, 5-second tick): history and live values computed for the
 * same instant agree, whatever order they are computed in.
 */
export function hashNoise(seed: number, channel: number, epochMs: number): number {
  const tick = Math.floor(epochMs / NOISE_TICK_MS);
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ channel ^ (h >>> 13), 0xc2b2ae35);
  h = Math.imul(h ^ (tick | 0) ^ (h >>> 16), 0x27d4eb2f);
  h = Math.imul(h ^ Math.floor(tick / 4_294_967_296) ^ (h >>> 15), 0x165667b1);
  h ^= h >>> 16;
  return (h >>> 0) / 2_147_483_648 - 1;
}
