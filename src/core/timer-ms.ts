// The longest delay a timer can wait, and the one check of a client's timeoutMs against it (HaystackClient,
// UsersClient): a timer of 2^31 ms or more fires at once, so every call would time out at once. The server's
// WebSocket pushes wait for long timed overrides in steps of it.

/** The longest delay a timer takes: 2^31 - 1 ms (about 24.8 days). */
export const MAX_TIMER_MS = 2_147_483_647;

/** Whether `ms` is a delay a timer can wait: a number above 0 and at most {@link MAX_TIMER_MS}. */
export function isTimerMs(ms: unknown): ms is number {
  return typeof ms === 'number' && ms > 0 && ms <= MAX_TIMER_MS;
}
