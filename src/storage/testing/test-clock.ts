// A clock that moves only when told to, so that contract tests exercise leases and expiry without sleeping.

import type { Clock } from '../adapter.js';

/** A controllable clock; `now` is the {@link Clock} to give a store. */
export interface TestClock {
  /** The clock function (epoch ms). */
  readonly now: Clock;
  /** Move time forward by `ms`. */
  advance(ms: number): void;
  /** Jump to an instant (epoch ms). */
  set(epochMs: number): void;
}

/** Where contract clocks start: 2024-06-01T12:00:00Z. */
export const CONTRACT_EPOCH = Date.UTC(2024, 5, 1, 12, 0, 0);

/** A test clock starting at `start` (default {@link CONTRACT_EPOCH}). */
export function createTestClock(start: number = CONTRACT_EPOCH): TestClock {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
    set: (epochMs) => {
      t = epochMs;
    },
  };
}
