// AuthThrottle: per pair, per address and per username (unknown addresses only), backoff, windows, flood-proof table.

import { describe, expect, it } from 'vitest';
import { AuthThrottle } from '../../../src/server/auth/auth-throttle.js';
import { manualClock } from './support.js';

function fixture(options: Parameters<typeof AuthThrottle.create>[0] = {}) {
  const clock = manualClock();
  return { clock, throttle: AuthThrottle.create({ ...options, clock: clock.now }) };
}

const waitOf = (d: ReturnType<AuthThrottle['check']>): number => (d.allowed ? 0 : d.retryAfterMs);

describe('AuthThrottle', () => {
  it('allows 5 failures per username + address pair, then locks that pair for 1 s, 2 s, 4 s ... up to the cap', () => {
    const { throttle, clock } = fixture({ perPair: { maxDelayMs: 8000 } });
    for (let i = 0; i < 5; i++) {
      expect(throttle.check('alice', 'a')).toEqual({ allowed: true });
      throttle.recordFailure('alice', 'a');
    }
    expect(throttle.check('alice', 'a')).toEqual({ allowed: true });
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      throttle.recordFailure('alice', 'a');
      const w = waitOf(throttle.check('alice', 'a'));
      waits.push(w);
      // The same user from elsewhere, and others from here, are not affected.
      expect(throttle.check('alice', 'b').allowed).toBe(true);
      expect(throttle.check('bob', 'a').allowed).toBe(true);
      clock.advance(w);
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 8000]);
    expect(throttle.check('alice', 'a')).toEqual({ allowed: true });
  });

  it('tells how long is left', () => {
    const { throttle, clock } = fixture({ perPair: { freeFailures: 0, baseDelayMs: 10_000 } });
    throttle.recordFailure('alice', 'a');
    clock.advance(4000);
    expect(throttle.check('alice', 'a')).toEqual({ allowed: false, retryAfterMs: 6000 });
  });

  it('locks an address that fails across many usernames, but not other addresses', () => {
    const { throttle } = fixture({ perAddress: { freeFailures: 3 } });
    for (let i = 0; i < 4; i++) throttle.recordFailure(`user${i}`, '192.0.2.1');
    expect(throttle.check('fresh', '192.0.2.1').allowed).toBe(false);
    expect(throttle.check('fresh', '192.0.2.2').allowed).toBe(true);
  });

  it('slows many addresses guessing one username, except at addresses the user logged in from', () => {
    const { throttle, clock } = fixture({ perUsername: { freeFailures: 3 }, knownForMs: 60_000 });
    throttle.recordSuccess('admin', 'home');
    for (let i = 0; i < 4; i++) throttle.recordFailure('admin', `bot${i}`);
    expect(throttle.check('admin', 'elsewhere').allowed).toBe(false);
    expect(throttle.isKnownAddress('admin', 'home')).toBe(true);
    expect(throttle.check('admin', 'home').allowed).toBe(true);
    clock.advance(60_000);
    expect(throttle.isKnownAddress('admin', 'home')).toBe(false);
    expect(throttle.isKnownAddress('nobody', 'home')).toBe(false);
  });

  it('keeps the most recent knownAddresses per user', () => {
    const { throttle } = fixture({ knownAddresses: 2 });
    for (const a of ['a', 'b', 'a', 'c']) throttle.recordSuccess('alice', a);
    expect(['a', 'b', 'c'].map((a) => throttle.isKnownAddress('alice', a))).toEqual([true, false, true]);
  });

  it('counts a malformed message against its address only, never the account', () => {
    const { throttle } = fixture({ perPair: { freeFailures: 0 }, perUsername: { freeFailures: 0 } });
    throttle.recordFailure('admin', 'attacker', 'malformed');
    expect(throttle.check('admin', 'attacker').allowed).toBe(true);
    expect(throttle.check('admin', 'other').allowed).toBe(true);
  });

  it('forgets failures after a quiet window', () => {
    const { throttle, clock } = fixture({ perPair: { freeFailures: 2, windowMs: 60_000 } });
    throttle.recordFailure('alice', 'a');
    throttle.recordFailure('alice', 'a');
    clock.advance(60_001);
    throttle.recordFailure('alice', 'a');
    expect(throttle.check('alice', 'a').allowed).toBe(true);
  });

  it('a success clears its pair but not the address count; a prepaid success takes its count back', () => {
    const { throttle } = fixture({ perPair: { freeFailures: 1 }, perAddress: { freeFailures: 3 } });
    throttle.recordFailure('alice', 'a');
    throttle.recordSuccess('alice', 'a');
    throttle.recordFailure('alice', 'a');
    expect(throttle.check('alice', 'a').allowed).toBe(true);
    // Prepaid: the attempt was counted before it was checked, and succeeded.
    throttle.recordFailure('bob', 'a');
    throttle.recordSuccess('bob', 'a', true);
    throttle.recordFailure('carol', 'a');
    expect(throttle.check('dave', 'a').allowed).toBe(true);
    throttle.recordFailure('erin', 'a');
    expect(throttle.check('dave', 'a').allowed).toBe(false);
  });

  it('a flood of fresh keys cannot evict a record that is past its free failures', () => {
    const { throttle } = fixture({ perPair: { freeFailures: 1 }, perUsername: { freeFailures: 1_000 }, maxEntries: 4 });
    throttle.recordFailure('admin', 'attacker');
    throttle.recordFailure('admin', 'attacker');
    expect(throttle.check('admin', 'attacker').allowed).toBe(false);
    for (let i = 0; i < 100; i++) throttle.recordFailure(`junk${i}`, `x${i}`);
    expect(throttle.check('admin', 'attacker').allowed).toBe(false);
    // Cold records are dropped least-recently-failed first once the table is full.
    throttle.recordFailure('alice', 'a');
    for (let i = 0; i < 4; i++) throttle.recordFailure(`more${i}`, 'y');
    throttle.recordFailure('alice', 'a');
    expect(throttle.check('alice', 'a').allowed).toBe(true);
  });

  it('hot records beyond maxEntries drop the least recently failed one', () => {
    const { throttle } = fixture({ perPair: { freeFailures: 0 }, maxEntries: 2 });
    for (const u of ['a', 'b', 'c']) throttle.recordFailure(u, 'z');
    expect(['a', 'b', 'c'].map((u) => throttle.check(u, 'z').allowed)).toEqual([true, false, false]);
  });
});
