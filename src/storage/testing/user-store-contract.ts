// Contract test kit for UserStore and SessionStore: every backend runs these against a fresh store.

import { describe, expect, it } from 'vitest';
import type { ScramCredentials } from '../../core/auth/scram-keys.js';
import { ValueError } from '../../core/errors.js';
import type { Clock } from '../adapter.js';
import type { SessionRecord, SessionStore } from '../session-store.js';
import { DuplicateUserError, UnknownUserError, type UserStore } from '../user-store.js';

/** Makes a new, empty store that reads time from `clock`. */
export type MakeUserStore<S> = (clock: Clock) => Promise<S>;

const T0 = Date.UTC(2024, 5, 1, 12, 0, 0);

function fixture<S>(make: MakeUserStore<S>): Promise<{ store: S; advance: (ms: number) => void; now: Clock }> {
  let t = T0;
  const now: Clock = () => t;
  return make(now).then((store) => ({
    store,
    now,
    advance: (ms: number) => {
      t += ms;
    },
  }));
}

/** Credentials with recognizable bytes (`seed` fills them), valid for SHA-256. */
export function fakeScram(seed: number): ScramCredentials {
  return {
    hash: 'SHA-256',
    salt: new Uint8Array(16).fill(seed),
    iterations: 4096,
    storedKey: new Uint8Array(32).fill(seed + 1),
    serverKey: new Uint8Array(32).fill(seed + 2),
  };
}

/** Register the UserStore contract under `describe(name)`. */
export function describeUserStoreContract(name: string, make: MakeUserStore<UserStore>): void {
  describe(`${name}: UserStore contract`, () => {
    it('creates a user with created/modified from the clock, enabled by default, and reads it back', async () => {
      const { store, now } = await fixture(make);
      const created = await store.createUser({ username: 'alice', role: 'admin', scram: fakeScram(1) });
      expect(created).toEqual({
        username: 'alice',
        role: 'admin',
        scram: fakeScram(1),
        enabled: true,
        created: now(),
        modified: now(),
      });
      expect(await store.getUser('alice')).toEqual(created);
      expect(await store.getUser('bob')).toBeUndefined();
    });

    it('usernames are exact: case matters', async () => {
      const { store } = await fixture(make);
      await store.createUser({ username: 'Alice', role: 'viewer', scram: fakeScram(1) });
      expect(await store.getUser('alice')).toBeUndefined();
      await store.createUser({ username: 'alice', role: 'viewer', scram: fakeScram(2) });
      expect((await store.listUsers()).map((u) => u.username)).toEqual(['Alice', 'alice']);
    });

    it('refuses a duplicate username with DuplicateUserError (HS_ERR_CONFLICT), keeping the first', async () => {
      const { store } = await fixture(make);
      await store.createUser({ username: 'alice', role: 'admin', scram: fakeScram(1) });
      const err = await store
        .createUser({ username: 'alice', role: 'viewer', scram: fakeScram(2) })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DuplicateUserError);
      expect((err as DuplicateUserError).code).toBe('HS_ERR_CONFLICT');
      expect((await store.getUser('alice'))?.role).toBe('admin');
    });

    it('lists users ordered by username', async () => {
      const { store } = await fixture(make);
      for (const u of ['carol', 'alice', 'bob'])
        await store.createUser({ username: u, role: 'viewer', scram: fakeScram(3) });
      expect((await store.listUsers()).map((u) => u.username)).toEqual(['alice', 'bob', 'carol']);
    });

    it('updates role, credentials and enabled, stamping modified and keeping created', async () => {
      const { store, advance, now } = await fixture(make);
      const created = await store.createUser({ username: 'alice', role: 'viewer', scram: fakeScram(1) });
      advance(5000);
      const updated = await store.updateUser('alice', { role: 'operator', enabled: false, scram: fakeScram(7) });
      expect(updated).toEqual({
        username: 'alice',
        role: 'operator',
        scram: fakeScram(7),
        enabled: false,
        created: created.created,
        modified: now(),
      });
      expect(await store.getUser('alice')).toEqual(updated);
      const again = await store.updateUser('alice', {});
      expect(again.role).toBe('operator');
      expect(again.enabled).toBe(false);
    });

    it('update and delete of an unknown user fail with UnknownUserError (HS_ERR_UNKNOWN_NAME)', async () => {
      const { store } = await fixture(make);
      const up = await store.updateUser('ghost', { role: 'admin' }).catch((e: unknown) => e);
      expect(up).toBeInstanceOf(UnknownUserError);
      expect((up as UnknownUserError).code).toBe('HS_ERR_UNKNOWN_NAME');
      await expect(store.deleteUser('ghost')).rejects.toBeInstanceOf(UnknownUserError);
    });

    it('deletes a user', async () => {
      const { store } = await fixture(make);
      await store.createUser({ username: 'alice', role: 'viewer', scram: fakeScram(1) });
      await store.deleteUser('alice');
      expect(await store.getUser('alice')).toBeUndefined();
      expect(await store.listUsers()).toEqual([]);
    });

    it('refuses invalid usernames, roles and credentials with ValueError', async () => {
      const { store } = await fixture(make);
      for (const username of ['', ' alice', 'alice ', 'a\nb', 'x'.repeat(129)]) {
        await expect(
          store.createUser({ username, role: 'viewer', scram: fakeScram(1) }),
          username,
        ).rejects.toBeInstanceOf(ValueError);
      }
      const badRole = { username: 'a', role: 'root', scram: fakeScram(1) } as unknown as Parameters<
        UserStore['createUser']
      >[0];
      await expect(store.createUser(badRole)).rejects.toBeInstanceOf(ValueError);
      const shortKey = { ...fakeScram(1), storedKey: new Uint8Array(8) };
      await expect(store.createUser({ username: 'a', role: 'viewer', scram: shortKey })).rejects.toBeInstanceOf(
        ValueError,
      );
      await store.createUser({ username: 'a', role: 'viewer', scram: fakeScram(1) });
      await expect(store.updateUser('a', { scram: shortKey })).rejects.toBeInstanceOf(ValueError);
      expect((await store.getUser('a'))?.scram).toEqual(fakeScram(1));
    });

    it('records handed in or out are copies: mutating their bytes never changes the store', async () => {
      const { store } = await fixture(make);
      const scram = fakeScram(1);
      const created = await store.createUser({ username: 'alice', role: 'viewer', scram });
      scram.storedKey.fill(0);
      created.scram.salt.fill(0);
      const read = await store.getUser('alice');
      read?.scram.serverKey.fill(0);
      expect((await store.getUser('alice'))?.scram).toEqual(fakeScram(1));
    });
  });
}

function session(id: string, username: string, created: number, expires: number): SessionRecord {
  return { id, username, created, lastUsed: created, expires };
}

/** Register the SessionStore contract under `describe(name)`. */
export function describeSessionStoreContract(name: string, make: MakeUserStore<SessionStore>): void {
  describe(`${name}: SessionStore contract`, () => {
    it('puts, gets, replaces and deletes sessions by id', async () => {
      const { store } = await fixture(make);
      await store.putSession(session('a1', 'alice', T0, T0 + 1000));
      expect(await store.getSession('a1')).toEqual(session('a1', 'alice', T0, T0 + 1000));
      await store.putSession({ ...session('a1', 'alice', T0, T0 + 5000), lastUsed: T0 + 10 });
      expect(await store.getSession('a1')).toEqual({ ...session('a1', 'alice', T0, T0 + 5000), lastUsed: T0 + 10 });
      expect(await store.deleteSession('a1')).toBe(true);
      expect(await store.deleteSession('a1')).toBe(false);
      expect(await store.getSession('a1')).toBeUndefined();
    });

    it('touches an existing session only: a deleted session is never recreated', async () => {
      const { store } = await fixture(make);
      await store.putSession(session('a1', 'alice', T0, T0 + 1000));
      expect(await store.touchSession('a1', T0 + 50, T0 + 2000)).toBe(true);
      expect(await store.getSession('a1')).toEqual({ ...session('a1', 'alice', T0, T0 + 2000), lastUsed: T0 + 50 });
      await store.deleteSession('a1');
      expect(await store.touchSession('a1', T0 + 60, T0 + 3000)).toBe(false);
      expect(await store.getSession('a1')).toBeUndefined();
    });

    it('lists and deletes the sessions of one user, oldest first', async () => {
      const { store } = await fixture(make);
      await store.putSession(session('a2', 'alice', T0 + 2, T0 + 1000));
      await store.putSession(session('a1', 'alice', T0 + 1, T0 + 1000));
      await store.putSession(session('b1', 'bob', T0, T0 + 1000));
      expect((await store.listUserSessions('alice')).map((s) => s.id)).toEqual(['a1', 'a2']);
      expect(await store.deleteUserSessions('alice')).toBe(2);
      expect(await store.listUserSessions('alice')).toEqual([]);
      expect(await store.getSession('b1')).toBeDefined();
    });

    it('purges sessions whose expiry has passed', async () => {
      const { store } = await fixture(make);
      await store.putSession(session('old', 'alice', T0, T0 + 100));
      await store.putSession(session('edge', 'alice', T0, T0 + 200));
      await store.putSession(session('new', 'alice', T0, T0 + 300));
      expect(await store.purgeExpiredSessions(T0 + 200)).toBe(2);
      expect((await store.listUserSessions('alice')).map((s) => s.id)).toEqual(['new']);
    });
  });
}

// User alice with session a1, and session b1 of another user.
async function seedAlice(store: UserStore & SessionStore): Promise<void> {
  await store.createUser({ username: 'alice', role: 'viewer', scram: fakeScram(1) });
  await store.putSession(session('a1', 'alice', T0, T0 + 1000));
  await store.putSession(session('b1', 'bob', T0, T0 + 1000));
}

/**
 * Register the contract of a store that keeps both users and sessions: a change that ends the user's sessions
 * (`endSessions`, a delete) does both in one step, and a change that fails ends none.
 */
export function describeUserSessionsContract(name: string, make: MakeUserStore<UserStore & SessionStore>): void {
  describe(`${name}: users and their sessions`, () => {
    it('ends the user’s sessions with an update that asks for it, and only then', async () => {
      const { store } = await fixture(make);
      await seedAlice(store);
      await store.updateUser('alice', { role: 'operator' });
      expect((await store.listUserSessions('alice')).map((s) => s.id)).toEqual(['a1']);
      const updated = await store.updateUser('alice', { scram: fakeScram(7), endSessions: true });
      expect(updated.scram).toEqual(fakeScram(7));
      expect(await store.listUserSessions('alice')).toEqual([]);
      expect(await store.getSession('a1')).toBeUndefined();
      expect(await store.getSession('b1')).toBeDefined();
    });

    it('ends the user’s sessions with a delete', async () => {
      const { store } = await fixture(make);
      await seedAlice(store);
      await store.deleteUser('alice');
      expect(await store.getSession('a1')).toBeUndefined();
      expect(await store.getSession('b1')).toBeDefined();
    });

    it('a change that fails ends no session', async () => {
      const { store } = await fixture(make);
      await store.createUser({ username: 'alice', role: 'viewer', scram: fakeScram(1) });
      await store.putSession(session('a1', 'alice', T0, T0 + 1000));
      await store.putSession(session('g1', 'ghost', T0, T0 + 1000));
      const shortKey = { ...fakeScram(2), storedKey: new Uint8Array(8) };
      await expect(store.updateUser('alice', { scram: shortKey, endSessions: true })).rejects.toBeInstanceOf(
        ValueError,
      );
      await expect(store.updateUser('ghost', { enabled: false, endSessions: true })).rejects.toBeInstanceOf(
        UnknownUserError,
      );
      await expect(store.deleteUser('ghost')).rejects.toBeInstanceOf(UnknownUserError);
      expect((await store.getUser('alice'))?.scram).toEqual(fakeScram(1));
      expect(await store.getSession('a1')).toBeDefined();
      expect(await store.getSession('g1')).toBeDefined();
    });
  });
}
