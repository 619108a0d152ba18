// AuthThrottle: per pair, per address and per username (unknown addresses only), backoff, windows, flood-proof table.

import { describe, expect, it } from 'vitest';
import { AuthThrottle } from '../../../src/server/auth/auth-throttle.js';
import { createMemoryAuthState } from '../../../src/storage/memory/index.js';
import { manualClock } from './support.js';

function fixture(options: Parameters<typeof AuthThrottle.create>[0] = {}) {
  const clock = manualClock();
  return { clock, throttle: AuthThrottle.create({ ...options, clock: clock.now }) };
}

const waitOf = (d: Awaited<ReturnType<AuthThrottle['check']>>): number => (d.allowed ? 0 : d.retryAfterMs);

describe('AuthThrottle', () => {
  it('allows 5 failures per username + address pair, then locks that pair for 1 s, 2 s, 4 s ... up to the cap', async () => {
    const { throttle, clock } = fixture({ perPair: { maxDelayMs: 8000 } });
    for (let i = 0; i < 5; i++) {
      expect(await throttle.check('alice', 'a')).toEqual({ allowed: true });
      await throttle.recordFailure('alice', 'a');
    }
    expect(await throttle.check('alice', 'a')).toEqual({ allowed: true });
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      await throttle.recordFailure('alice', 'a');
      const w = waitOf(await throttle.check('alice', 'a'));
      waits.push(w);
      // The same user from elsewhere, and others from here, are not affected.
      expect((await throttle.check('alice', 'b')).allowed).toBe(true);
      expect((await throttle.check('bob', 'a')).allowed).toBe(true);
      clock.advance(w);
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 8000]);
    expect(await throttle.check('alice', 'a')).toEqual({ allowed: true });
  });

  it('tells how long is left', async () => {
    const { throttle, clock } = fixture({ perPair: { freeFailures: 0, baseDelayMs: 10_000 } });
    await throttle.recordFailure('alice', 'a');
    clock.advance(4000);
    expect(await throttle.check('alice', 'a')).toEqual({ allowed: false, retryAfterMs: 6000 });
  });

  it('locks an address that fails across many usernames, but not other addresses', async () => {
    const { throttle } = fixture({ perAddress: { freeFailures: 3 } });
    for (let i = 0; i < 4; i++) await throttle.recordFailure(`user${i}`, '192.0.2.1');
    expect((await throttle.check('fresh', '192.0.2.1')).allowed).toBe(false);
    expect((await throttle.check('fresh', '192.0.2.2')).allowed).toBe(true);
  });

  it('slows many addresses guessing one username, except at addresses the user logged in from', async () => {
    const { throttle, clock } = fixture({ perUsername: { freeFailures: 3 }, knownForMs: 60_000 });
    await throttle.recordSuccess('admin', 'home');
    for (let i = 0; i < 4; i++) await throttle.recordFailure('admin', `bot${i}`);
    expect((await throttle.check('admin', 'elsewhere')).allowed).toBe(false);
    expect(await throttle.isKnownAddress('admin', 'home')).toBe(true);
    expect((await throttle.check('admin', 'home')).allowed).toBe(true);
    clock.advance(60_000);
    expect(await throttle.isKnownAddress('admin', 'home')).toBe(false);
    expect(await throttle.isKnownAddress('nobody', 'home')).toBe(false);
  });

  it('keeps the most recent knownAddresses per user', async () => {
    const { throttle } = fixture({ knownAddresses: 2 });
    for (const a of ['a', 'b', 'a', 'c']) await throttle.recordSuccess('alice', a);
    expect(await Promise.all(['a', 'b', 'c'].map((a) => throttle.isKnownAddress('alice', a)))).toEqual([
      true,
      false,
      true,
    ]);
  });

  it('counts a malformed message against its address only, never the account', async () => {
    const { throttle } = fixture({ perPair: { freeFailures: 0 }, perUsername: { freeFailures: 0 } });
    await throttle.recordFailure('admin', 'attacker', 'malformed');
    expect((await throttle.check('admin', 'attacker')).allowed).toBe(true);
    expect((await throttle.check('admin', 'other')).allowed).toBe(true);
  });

  it('forgets failures after a quiet window', async () => {
    const { throttle, clock } = fixture({ perPair: { freeFailures: 2, windowMs: 60_000 } });
    await throttle.recordFailure('alice', 'a');
    await throttle.recordFailure('alice', 'a');
    clock.advance(60_001);
    await throttle.recordFailure('alice', 'a');
    expect((await throttle.check('alice', 'a')).allowed).toBe(true);
  });

  it('a success clears its pair but not the address count; a prepaid success takes its count back', async () => {
    const { throttle } = fixture({ perPair: { freeFailures: 1 }, perAddress: { freeFailures: 3 } });
    await throttle.recordFailure('alice', 'a');
    await throttle.recordSuccess('alice', 'a');
    await throttle.recordFailure('alice', 'a');
    expect((await throttle.check('alice', 'a')).allowed).toBe(true);
    // Prepaid: the attempt was counted before it was checked, and succeeded.
    await throttle.recordFailure('bob', 'a');
    await throttle.recordSuccess('bob', 'a', true);
    await throttle.recordFailure('carol', 'a');
    expect((await throttle.check('dave', 'a')).allowed).toBe(true);
    await throttle.recordFailure('erin', 'a');
    expect((await throttle.check('dave', 'a')).allowed).toBe(false);
  });

  it('a flood of fresh keys cannot evict a record that is past its free failures', async () => {
    const { throttle } = fixture({ perPair: { freeFailures: 1 }, perUsername: { freeFailures: 1_000 }, maxEntries: 4 });
    await throttle.recordFailure('admin', 'attacker');
    await throttle.recordFailure('admin', 'attacker');
    expect((await throttle.check('admin', 'attacker')).allowed).toBe(false);
    for (let i = 0; i < 100; i++) await throttle.recordFailure(`junk${i}`, `x${i}`);
    expect((await throttle.check('admin', 'attacker')).allowed).toBe(false);
    // Cold records are dropped least-recently-failed first once the table is full.
    await throttle.recordFailure('alice', 'a');
    for (let i = 0; i < 4; i++) await throttle.recordFailure(`more${i}`, 'y');
    await throttle.recordFailure('alice', 'a');
    expect((await throttle.check('alice', 'a')).allowed).toBe(true);
  });

  it('hot records beyond maxEntries drop the least recently failed one', async () => {
    const { throttle } = fixture({ perPair: { freeFailures: 0 }, maxEntries: 2 });
    for (const u of ['a', 'b', 'c']) await throttle.recordFailure(u, 'z');
    expect((await Promise.all(['a', 'b', 'c'].map((u) => throttle.check(u, 'z')))).map((d) => d.allowed)).toEqual([
      true,
      false,
      false,
    ]);
  });

  it('throttles across processes that share one state: their failures add up, known addresses are known to all', async () => {
    const clock = manualClock();
    const state = createMemoryAuthState();
    const one = AuthThrottle.create({ state, clock: clock.now, perPair: { freeFailures: 2 } });
    const two = AuthThrottle.create({ state, clock: clock.now, perPair: { freeFailures: 2 } });
    await one.recordFailure('alice', 'a');
    await two.recordFailure('alice', 'a');
    expect((await one.check('alice', 'a')).allowed).toBe(true);
    await one.recordFailure('alice', 'a');
    expect(await two.check('alice', 'a')).toEqual({ allowed: false, retryAfterMs: 1000 });
    await one.recordSuccess('alice', 'home');
    expect(await two.isKnownAddress('alice', 'home')).toBe(true);
  });

  it('purges records once they can lock nothing: after the window, or the longest lock when that is longer', async () => {
    const { throttle, clock } = fixture({
      perPair: { freeFailures: 0, windowMs: 1000, baseDelayMs: 5000, maxDelayMs: 5000 },
      perAddress: { windowMs: 1000, maxDelayMs: 1000 },
      perUsername: { windowMs: 1000, maxDelayMs: 1000 },
    });
    await throttle.recordFailure('alice', 'a');
    clock.advance(1000);
    expect(await throttle.purge()).toBe(2);
    expect(await throttle.check('alice', 'a')).toEqual({ allowed: false, retryAfterMs: 4000 });
    clock.advance(4000);
    expect(await throttle.purge()).toBe(1);
    expect(await throttle.check('alice', 'a')).toEqual({ allowed: true });
  });
});
