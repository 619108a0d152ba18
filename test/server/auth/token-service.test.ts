// TokenService: random hashed tokens, sliding idle expiry with an absolute cap, revocation, and live user checks.

import { describe, expect, it } from 'vitest';
import { TokenService, type TokenServiceOptions, tokenSessionId } from '../../../src/server/auth/token-service.js';
import { createMemoryUserStore } from '../../../src/storage/memory/memory-user-store.js';
import { fakeScram } from '../../../src/storage/testing/user-store-contract.js';
import { manualClock, withEvents } from './support.js';

const MIN = 60_000;

async function fixture(
  options: { idleTtlMs?: number; maxLifetimeMs?: number; touchIntervalMs?: number; maxSessionsPerUser?: number } = {},
) {
  const clock = manualClock();
  const users = createMemoryUserStore({ clock: clock.now });
  await users.createUser({ username: 'alice', role: 'admin', scram: fakeScram(1) });
  await users.createUser({ username: 'bob', role: 'viewer', scram: fakeScram(2) });
  const tokens = TokenService.create({ users, sessions: users, clock: clock.now, touchIntervalMs: 0, ...options });
  return { clock, users, tokens };
}

describe('TokenService', () => {
  it('issues distinct 256-bit base64url tokens and stores only their SHA-256', async () => {
    const { tokens, users } = await fixture();
    const a = await tokens.issue('alice');
    const b = await tokens.issue('alice');
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.token).not.toBe(b.token);
    expect(a.sessionId).toBe(tokenSessionId(a.token));
    expect(a.sessionId).toMatch(/^[0-9a-f]{64}$/);
    const stored = await users.listUserSessions('alice');
    expect(stored.map((s) => s.id).sort()).toEqual([a.sessionId, b.sessionId].sort());
    expect(JSON.stringify(stored)).not.toContain(a.token);
  });

  it('verifies a token to its user and current role', async () => {
    const { tokens, users } = await fixture();
    const { token } = await tokens.issue('bob');
    expect(await tokens.verify(token)).toMatchObject({ username: 'bob', role: 'viewer' });
    await users.updateUser('bob', { role: 'operator' });
    expect(await tokens.verify(token)).toMatchObject({ username: 'bob', role: 'operator' });
  });

  it('refuses unknown and malformed tokens', async () => {
    const { tokens } = await fixture();
    expect(await tokens.verify('A'.repeat(43))).toBeUndefined();
    expect(await tokens.verify('short')).toBeUndefined();
    expect(await tokens.verify('')).toBeUndefined();
  });

  it('expires after the idle TTL, and each use slides the deadline', async () => {
    const { tokens, clock } = await fixture({ idleTtlMs: 10 * MIN });
    const { token } = await tokens.issue('alice');
    for (let i = 0; i < 5; i++) {
      clock.advance(9 * MIN);
      expect(await tokens.verify(token)).toBeDefined();
    }
    clock.advance(10 * MIN);
    expect(await tokens.verify(token)).toBeUndefined();
    clock.advance(-10 * MIN);
    expect(await tokens.verify(token)).toBeUndefined();
  });

  it('expires at the absolute lifetime however often it is used', async () => {
    const { tokens, clock } = await fixture({ idleTtlMs: 10 * MIN, maxLifetimeMs: 30 * MIN });
    const { token } = await tokens.issue('alice');
    for (let i = 0; i < 5; i++) {
      clock.advance(5 * MIN);
      expect(await tokens.verify(token)).toBeDefined();
    }
    clock.advance(5 * MIN);
    expect(await tokens.verify(token)).toBeUndefined();
  });

  it('writes the idle deadline back at most once per touchInterval', async () => {
    const { tokens, clock, users } = await fixture({ idleTtlMs: 10 * MIN, touchIntervalMs: MIN });
    const { sessionId, token } = await tokens.issue('alice');
    clock.advance(30_000);
    await tokens.verify(token);
    expect((await users.getSession(sessionId))?.lastUsed).toBe(clock.now() - 30_000);
    clock.advance(30_000);
    await tokens.verify(token);
    expect((await users.getSession(sessionId))?.lastUsed).toBe(clock.now());
  });

  it('revokes one token, one session by id, or all of a user', async () => {
    const { tokens } = await fixture();
    const a1 = await tokens.issue('alice');
    const a2 = await tokens.issue('alice');
    const a3 = await tokens.issue('alice');
    const b1 = await tokens.issue('bob');
    expect(await tokens.revoke(a1.token)).toBe(true);
    expect(await tokens.revoke(a1.token)).toBe(false);
    expect(await tokens.verify(a1.token)).toBeUndefined();
    expect(await tokens.revokeSession(a2.sessionId)).toBe(true);
    expect(await tokens.verify(a2.token)).toBeUndefined();
    expect(await tokens.revokeUser('alice')).toBe(1);
    expect(await tokens.verify(a3.token)).toBeUndefined();
    expect(await tokens.verify(b1.token)).toBeDefined();
  });

  it('ends the sessions of disabled and deleted users for good', async () => {
    const { tokens, users } = await fixture();
    const a = await tokens.issue('alice');
    const b = await tokens.issue('bob');
    await users.updateUser('alice', { enabled: false });
    expect(await tokens.verify(a.token)).toBeUndefined();
    await users.updateUser('alice', { enabled: true });
    expect(await tokens.verify(a.token)).toBeUndefined();
    await users.deleteUser('bob');
    expect(await tokens.verify(b.token)).toBeUndefined();
  });

  it('keeps at most maxSessionsPerUser sessions, ending the oldest', async () => {
    const { tokens, clock } = await fixture({ maxSessionsPerUser: 2 });
    const first = await tokens.issue('alice');
    clock.advance(1);
    const second = await tokens.issue('alice');
    clock.advance(1);
    const third = await tokens.issue('alice');
    expect(await tokens.verify(first.token)).toBeUndefined();
    expect(await tokens.verify(second.token)).toBeDefined();
    expect(await tokens.verify(third.token)).toBeDefined();
  });

  it('purges expired sessions', async () => {
    const { tokens, clock, users } = await fixture({ idleTtlMs: MIN });
    await tokens.issue('alice');
    await tokens.issue('bob');
    clock.advance(MIN);
    expect(await tokens.purgeExpired()).toBe(2);
    expect(await users.listUserSessions('alice')).toEqual([]);
  });

  it('refuses non-positive TTLs', () => {
    const users = createMemoryUserStore();
    expect(() => TokenService.create({ users, idleTtlMs: 0 })).toThrow();
    expect(() => TokenService.create({ users, maxLifetimeMs: -1 })).toThrow();
  });

  it('refuses an option that is not a number (configuration read from JSON) with HS_ERR_OPTION_TYPE', () => {
    const users = createMemoryUserStore();
    for (const name of ['idleTtlMs', 'maxLifetimeMs', 'maxSessionsPerUser', 'touchIntervalMs'] as const) {
      const bad = { users, [name]: '60000' } as unknown as TokenServiceOptions;
      expect(() => TokenService.create(bad)).toThrow(
        expect.objectContaining({ code: 'HS_ERR_OPTION_TYPE', message: `Token options: ${name} must be a number` }),
      );
    }
  });

  it('reports no closed sessions when there was nothing to revoke or purge', async () => {
    const { tokens } = await fixture({ idleTtlMs: MIN });
    const { events } = await withEvents('haystack:auth:session', async () => {
      expect(await tokens.revokeUser('alice')).toBe(0);
      expect(await tokens.purgeExpired()).toBe(0);
      expect(await tokens.revoke('no-such-token')).toBe(false);
      await tokens.issue('alice');
      expect(await tokens.revokeUser('alice')).toBe(1);
    });
    expect(events.filter((e) => (e as { action?: string }).action === 'close')).toEqual([
      { action: 'close', reason: 'revoked', count: 1 },
    ]);
  });
});
