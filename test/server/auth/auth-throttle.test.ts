// AuthThrottle: free failures, exponential backoff per username and per address, window expiry, success reset.

import { describe, expect, it } from 'vitest';
import { AuthThrottle } from '../../../src/server/auth/auth-throttle.js';
import { manualClock } from './support.js';

function fixture(options: Parameters<typeof AuthThrottle.create>[0] = {}) {
  const clock = manualClock();
  return { clock, throttle: AuthThrottle.create({ ...options, clock: clock.now }) };
}

describe('AuthThrottle', () => {
  it('allows 5 failures per username, then locks for 1 s, 2 s, 4 s ... up to the cap', () => {
    const { throttle, clock } = fixture({ perUsername: { maxDelayMs: 8000 } });
    for (let i = 0; i < 5; i++) {
      expect(throttle.check('alice', `a${i}`)).toEqual({ allowed: true });
      throttle.recordFailure('alice', `a${i}`);
    }
    expect(throttle.check('alice', 'x')).toEqual({ allowed: true });
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      throttle.recordFailure('alice', `b${i}`);
      const d = throttle.check('alice', 'y');
      waits.push(d.allowed ? 0 : d.retryAfterMs);
      clock.advance(d.allowed ? 0 : d.retryAfterMs);
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 8000]);
    expect(throttle.check('alice', 'y')).toEqual({ allowed: true });
  });

  it('tells how long is left', () => {
    const { throttle, clock } = fixture({ perUsername: { freeFailures: 0, baseDelayMs: 10_000 } });
    throttle.recordFailure('alice', 'a');
    clock.advance(4000);
    expect(throttle.check('alice', 'b')).toEqual({ allowed: false, retryAfterMs: 6000 });
  });

  it('locks an address that fails across many usernames, but not other addresses', () => {
    const { throttle } = fixture({ perAddress: { freeFailures: 3 } });
    for (let i = 0; i < 4; i++) throttle.recordFailure(`user${i}`, '192.0.2.1');
    expect(throttle.check('fresh', '192.0.2.1').allowed).toBe(false);
    expect(throttle.check('fresh', '192.0.2.2').allowed).toBe(true);
  });

  it('forgets failures after a quiet window', () => {
    const { throttle, clock } = fixture({ perUsername: { freeFailures: 2, windowMs: 60_000 } });
    throttle.recordFailure('alice', 'a');
    throttle.recordFailure('alice', 'a');
    clock.advance(60_001);
    throttle.recordFailure('alice', 'a');
    expect(throttle.check('alice', 'z').allowed).toBe(true);
  });

  it('a success clears the username count but not the address count', () => {
    const { throttle } = fixture({ perUsername: { freeFailures: 1 }, perAddress: { freeFailures: 1 } });
    throttle.recordFailure('alice', 'a');
    throttle.recordSuccess('alice');
    throttle.recordFailure('alice', 'b');
    expect(throttle.check('alice', 'c').allowed).toBe(true);
    throttle.recordFailure('bob', 'b');
    expect(throttle.check('carol', 'b').allowed).toBe(false);
  });

  it('remembers at most maxEntries keys', () => {
    const { throttle } = fixture({ perUsername: { freeFailures: 0 }, maxEntries: 4 });
    throttle.recordFailure('alice', 'a');
    throttle.recordFailure('bob', 'b');
    throttle.recordFailure('carol', 'c');
    expect(throttle.check('alice', 'z').allowed).toBe(true);
    expect(throttle.check('carol', 'z').allowed).toBe(false);
  });
});
