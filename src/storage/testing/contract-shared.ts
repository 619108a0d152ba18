// Storage contract, several processes on one store: change notifications, writes at once, the shared auth state.

import { describe, expect, it } from 'vitest';
import { Dict } from '../../core/grid/dict.js';
import { MARKER } from '../../core/kinds/marker.js';
import { Num } from '../../core/kinds/number.js';
import { Ref } from '../../core/kinds/ref.js';
import type { StorageAdapter } from '../adapter.js';
import type { AuthStateStore, HandshakeRecord, ThrottleFailure, ThrottleKey } from '../auth-state-store.js';
import type { StoreChange } from '../change-notifier.js';
import type { Harness } from './harness.js';
import { addEntities } from './helpers.js';

/** The auth state of an adapter (siblings over one store share it). */
export type AuthStateOf = (adapter: StorageAdapter) => AuthStateStore;

/** Changes a listener received, and a way to wait until they include some ids. */
interface Recorder {
  readonly changes: StoreChange[];
  /** Resolves once the changes received (from the `from`-th on) name every id in `ids`, or a reset came. */
  seen(ids: readonly string[], from?: number): Promise<void>;
  readonly listener: (c: StoreChange) => void;
}

function recorder(): Recorder {
  const changes: StoreChange[] = [];
  const waiters: { readonly ids: readonly string[]; readonly from: number; readonly resolve: () => void }[] = [];
  const covered = (ids: readonly string[], from: number): boolean => {
    const got = new Set<string>();
    for (const c of changes.slice(from)) {
      if (c.kind === 'reset') return true;
      if (c.kind === 'entities') for (const id of c.ids) got.add(id);
    }
    return ids.every((id) => got.has(id));
  };
  const check = (): void => {
    for (const w of [...waiters]) {
      if (covered(w.ids, w.from)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  return {
    changes,
    listener: (c) => {
      changes.push(c);
      check();
    },
    seen: (ids, from = 0) =>
      new Promise<void>((resolve) => {
        waiters.push({ ids, from, resolve });
        check();
      }),
  };
}

function subscribe(store: StorageAdapter, listener: (c: StoreChange) => void): Promise<() => void> {
  return (store.subscribeChanges as NonNullable<StorageAdapter['subscribeChanges']>)(listener);
}

/** Open a fixture; a backend without `subscribeChanges` yet skips the test (visibly: it cannot serve `--workers`). */
async function openNotifying(h: Harness, skip: () => void) {
  const f = await h.open();
  if (f.store.subscribeChanges === undefined) skip();
  return f;
}

const point = (id: string) => ({ id: new Ref(id), point: MARKER, writable: MARKER, curVal: new Num(0) });

/** Register the change-notification tests (for backends whose adapters can share a store). */
export function describeChangeContract(h: Harness): void {
  const sibling = h.sibling;
  if (sibling === undefined) return;
  describe('change notifications between adapters over one store', () => {
    it('reports adds, updates and removes committed through another adapter, readable once reported', async (ctx) => {
      const f = await openNotifying(h, () => ctx.skip());
      const other = await sibling(f);
      const rec = recorder();
      await subscribe(f.store, rec.listener);
      await addEntities(other, [point('a'), point('b'), point('c')]);
      await rec.seen(['a', 'b', 'c']);
      const from = rec.changes.length;
      await other.commit([
        { op: 'update', id: 'a', changes: Dict.of({ curVal: new Num(7) }) },
        { op: 'remove', id: 'b' },
      ]);
      await rec.seen(['a', 'b'], from);
      const [a, b] = await f.store.readByIds(['a', 'b']);
      expect(a?.get('curVal')).toEqual(new Num(7));
      expect(b).toBeUndefined();
      for (const c of rec.changes) if (c.kind === 'entities') expect(c.ids.length).toBeGreaterThan(0);
    });

    it('reports a point write, with the end of a timed override', async (ctx) => {
      const f = await openNotifying(h, () => ctx.skip());
      const other = await sibling(f);
      await addEntities(f.store, [point('p')]);
      const rec = recorder();
      await subscribe(f.store, rec.listener);
      await other.pointWrite({ id: 'p', level: 8, val: new Num(5), who: 'kit', durationMs: 60_000 });
      await rec.seen(['p']);
      const expiries = rec.changes.flatMap((c) => (c.kind === 'entities' ? (c.expiries ?? []) : []));
      expect(expiries).toContainEqual({ id: 'p', at: f.clock.now() + 60_000 });
      expect((await f.store.readByIds(['p']))[0]?.get('curVal')).toEqual(new Num(5));
    });

    it('reports a batch point write, with the end of every timed override in it', async (ctx) => {
      const f = await openNotifying(h, () => ctx.skip());
      const other = await sibling(f);
      if (other.pointWriteBatch === undefined) ctx.skip();
      await addEntities(f.store, [point('p'), point('q')]);
      const rec = recorder();
      await subscribe(f.store, rec.listener);
      await (other.pointWriteBatch as NonNullable<StorageAdapter['pointWriteBatch']>)([
        { id: 'p', level: 8, val: new Num(5), who: 'kit', durationMs: 60_000 },
        { id: 'p', level: 9, val: new Num(6), who: 'kit', durationMs: 90_000 },
        { id: 'q', level: 17, val: new Num(7), who: 'kit' },
      ]);
      await rec.seen(['p', 'q']);
      const expiries = rec.changes.flatMap((c) => (c.kind === 'entities' ? (c.expiries ?? []) : []));
      expect(expiries).toContainEqual({ id: 'p', at: f.clock.now() + 60_000 });
      expect(expiries).toContainEqual({ id: 'p', at: f.clock.now() + 90_000 });
      await f.store.syncChanges?.();
      const [p, q] = await f.store.readByIds(['p', 'q']);
      expect(p?.get('curVal')).toEqual(new Num(5));
      expect(q?.get('curVal')).toEqual(new Num(7));
    });

    it('has reported every change committed through another adapter once syncChanges resolves', async (ctx) => {
      const f = await openNotifying(h, () => ctx.skip());
      const other = await sibling(f);
      const rec = recorder();
      await subscribe(f.store, rec.listener);
      // Without syncChanges, a change must be reported by the time the write that made it resolves.
      const sync = async (): Promise<void> => {
        await f.store.syncChanges?.();
      };
      // Nothing changed: it resolves all the same.
      await sync();
      expect(rec.changes).toEqual([]);
      // Each change reported by then, without waiting on any notification: the caller may answer from what it heard.
      await addEntities(other, [point('s1'), point('s2')]);
      await sync();
      expect(rec.changes.flatMap((c) => (c.kind === 'entities' ? c.ids : ['reset']))).toEqual(
        expect.arrayContaining(['s1', 's2']),
      );
      for (let i = 1; i <= 3; i++) {
        const from = rec.changes.length;
        await other.pointWrite({ id: 's1', level: 8, val: new Num(i), who: 'kit' });
        await other.commit([{ op: 'update', id: 's2', changes: Dict.of({ n: new Num(i) }) }]);
        await sync();
        const ids = rec.changes.slice(from).flatMap((c) => (c.kind === 'entities' ? c.ids : ['reset']));
        if (!ids.includes('reset')) expect(ids).toEqual(expect.arrayContaining(['s1', 's2']));
      }
    });

    it('stops reporting to a listener that unsubscribed, and on close', async (ctx) => {
      const f = await openNotifying(h, () => ctx.skip());
      const other = await sibling(f);
      const gone = recorder();
      const kept = recorder();
      const stop = await subscribe(f.store, gone.listener);
      await subscribe(f.store, kept.listener);
      stop();
      await addEntities(other, [point('x')]);
      await kept.seen(['x']);
      expect(gone.changes).toEqual([]);
      await f.store.close();
      // Writes after the subscriber closed reach nobody and fail nothing.
      await addEntities(other, [point('y')]);
      expect(kept.changes.some((c) => c.kind === 'entities' && c.ids.includes('y'))).toBe(false);
      await expect(subscribe(f.store, kept.listener)).rejects.toMatchObject({ code: 'HS_ERR_STORAGE' });
    });
  });

  describe('writes of two adapters over one store at once', () => {
    it('merges overlapping history written through both: every sample once, none lost', async () => {
      const f = await h.open();
      const other = await sibling(f);
      await addEntities(f.store, [{ id: new Ref('h'), point: MARKER, his: MARKER, kind: 'Number', tz: 'UTC' }]);
      const t0 = Date.UTC(2024, 0, 1);
      const samples = (from: number, to: number) =>
        Array.from({ length: to - from }, (_, i) => ({ ts: t0 + (from + i) * 60_000, val: new Num(from + i) }));
      // Several rounds, each two writes that overlap by half, sent at once: neither may see the other's samples
      // when it starts, and both must still land.
      for (let round = 0; round < 5; round++) {
        const base = round * 1000;
        await Promise.all([
          f.store.hisWrite('h', samples(base, base + 100)),
          other.hisWrite('h', samples(base + 50, base + 150)),
        ]);
      }
      const expected = Array.from({ length: 5 }, (_, r) => samples(r * 1000, r * 1000 + 150)).flat();
      expect(await other.hisRead('h', { start: 0, end: Number.MAX_SAFE_INTEGER })).toEqual(expected);
      expect(await f.store.hisCount('h')).toBe(expected.length);
    });
  });
}

const FAIL: Omit<ThrottleFailure, 'now'> = { windowMs: 60_000, keepMs: 120_000, freeFailures: 3 };
const PAIR: ThrottleKey = { scope: 'pair', key: 'alice\u0000192.0.2.1' };
const ADDR: ThrottleKey = { scope: 'address', key: '192.0.2.1' };

function handshake(token: string, owner: string, expires: number, alias?: string): HandshakeRecord {
  return { token, owner, expires, state: `state of ${token}`, ...(alias === undefined ? {} : { alias }) };
}

const LIMITS = { maxPerOwner: 3, maxEntries: 100 };

/** Register the auth-state tests (login-throttle records, known addresses, SCRAM exchanges). */
export function describeAuthStateContract(h: Harness, authStateOf: AuthStateOf): void {
  const open = async () => {
    const f = await h.open();
    return { ...f, auth: authStateOf(f.store) };
  };

  describe('auth state', () => {
    it('counts failures per scope and key, restarting after a quiet window', async () => {
      const { auth, clock } = await open();
      const t0 = clock.now();
      expect(await auth.recordThrottleFailure(PAIR, { ...FAIL, now: t0 })).toEqual({ failures: 1, lastFailure: t0 });
      expect(await auth.recordThrottleFailure(PAIR, { ...FAIL, now: t0 + 10 })).toEqual({
        failures: 2,
        lastFailure: t0 + 10,
      });
      await auth.recordThrottleFailure({ scope: 'username', key: '192.0.2.1' }, { ...FAIL, now: t0 });
      expect(await auth.throttleRecords([ADDR, PAIR, { scope: 'username', key: '192.0.2.1' }])).toEqual([
        undefined,
        { failures: 2, lastFailure: t0 + 10 },
        { failures: 1, lastFailure: t0 },
      ]);
      // Exactly windowMs after the last one still counts on; one ms more starts over.
      expect((await auth.recordThrottleFailure(PAIR, { ...FAIL, now: t0 + 10 + 60_000 })).failures).toBe(3);
      expect(await auth.recordThrottleFailure(PAIR, { ...FAIL, now: t0 + 20 + 120_001 })).toEqual({
        failures: 1,
        lastFailure: t0 + 20 + 120_001,
      });
    });

    it('refunds only a count between 1 and maxFailures, and clears a record', async () => {
      const { auth, clock } = await open();
      const now = clock.now();
      for (let i = 0; i < 3; i++) await auth.recordThrottleFailure(ADDR, { ...FAIL, now });
      await auth.refundThrottleFailure(ADDR, 2);
      expect((await auth.throttleRecords([ADDR]))[0]?.failures).toBe(3);
      await auth.refundThrottleFailure(ADDR, 3);
      expect((await auth.throttleRecords([ADDR]))[0]?.failures).toBe(2);
      await auth.refundThrottleFailure(ADDR, 3);
      await auth.refundThrottleFailure(ADDR, 3);
      await auth.refundThrottleFailure(ADDR, 3);
      expect((await auth.throttleRecords([ADDR]))[0]?.failures).toBe(0);
      await auth.refundThrottleFailure(PAIR, 3);
      expect(await auth.throttleRecords([PAIR])).toEqual([undefined]);
      await auth.clearThrottle(ADDR);
      expect(await auth.throttleRecords([ADDR])).toEqual([undefined]);
    });

    it('remembers the most recent known-good addresses of each user', async () => {
      const { auth, clock } = await open();
      const t = clock.now();
      await auth.rememberAddress('alice', 'a', t, 2, 60_000);
      await auth.rememberAddress('alice', 'b', t + 1, 2, 60_000);
      await auth.rememberAddress('alice', 'a', t + 2, 2, 60_000);
      await auth.rememberAddress('alice', 'c', t + 3, 2, 60_000);
      await auth.rememberAddress('bob', 'b', t, 2, 60_000);
      expect(await auth.addressKnownAt('alice', 'a')).toBe(t + 2);
      expect(await auth.addressKnownAt('alice', 'b')).toBeUndefined();
      expect(await auth.addressKnownAt('alice', 'c')).toBe(t + 3);
      expect(await auth.addressKnownAt('bob', 'b')).toBe(t);
      expect(await auth.addressKnownAt('carol', 'a')).toBeUndefined();
    });

    it('hands an exchange out once, by its token or its alias, until it expires', async () => {
      const { auth, clock } = await open();
      const now = clock.now();
      await auth.putHandshake(handshake('t1', 'o', now + 1000), LIMITS, now);
      expect(await auth.takeHandshake('t1', now)).toBe('state of t1');
      expect(await auth.takeHandshake('t1', now)).toBeUndefined();
      // The next step is reachable by its own token or by the (already taken) previous one; either removes both.
      await auth.putHandshake(handshake('t2', 'o', now + 1000, 't1'), LIMITS, now);
      expect(await auth.takeHandshake('t1', now)).toBe('state of t2');
      expect(await auth.takeHandshake('t2', now)).toBeUndefined();
      await auth.putHandshake(handshake('t3', 'o', now + 1000, 't2'), LIMITS, now);
      expect(await auth.takeHandshake('t3', now)).toBe('state of t3');
      expect(await auth.takeHandshake('t2', now)).toBeUndefined();
      await auth.putHandshake(handshake('t4', 'o', now + 1000), LIMITS, now);
      expect(await auth.takeHandshake('t4', now + 1000)).toBeUndefined();
      expect(await auth.takeHandshake('t4', now)).toBeUndefined();
      expect(await auth.takeHandshake('never', now)).toBeUndefined();
    });

    it('drops an owner’s oldest exchange beyond maxPerOwner, others’ never, and the oldest beyond maxEntries', async () => {
      const { auth, clock } = await open();
      const now = clock.now();
      await auth.putHandshake(handshake('other', 'o2', now + 1000), LIMITS, now);
      for (const t of ['a', 'b', 'c', 'd']) await auth.putHandshake(handshake(t, 'o1', now + 1000), LIMITS, now);
      expect(await auth.takeHandshake('a', now)).toBeUndefined();
      expect(await auth.takeHandshake('b', now)).toBe('state of b');
      expect(await auth.takeHandshake('other', now)).toBe('state of other');
      const tight = { maxPerOwner: 10, maxEntries: 2 };
      for (const t of ['x', 'y', 'z']) await auth.putHandshake(handshake(t, `o-${t}`, now + 1000), tight, now);
      expect(await auth.takeHandshake('x', now)).toBeUndefined();
      expect(await auth.takeHandshake('z', now)).toBe('state of z');
    });

    it('purges what expired: exchanges, throttle records past keepMs, known addresses past theirs', async () => {
      const { auth, clock } = await open();
      const now = clock.now();
      await auth.putHandshake(handshake('h', 'o', now + 1000), LIMITS, now);
      await auth.recordThrottleFailure(ADDR, { ...FAIL, now });
      await auth.rememberAddress('alice', 'a', now, 2, 5000);
      expect(await auth.purgeAuthState(now + 999)).toBe(0);
      expect(await auth.purgeAuthState(now + 5000)).toBe(2);
      expect(await auth.addressKnownAt('alice', 'a')).toBeUndefined();
      expect((await auth.throttleRecords([ADDR]))[0]?.failures).toBe(1);
      expect(await auth.purgeAuthState(now + FAIL.keepMs)).toBe(1);
      expect(await auth.throttleRecords([ADDR])).toEqual([undefined]);
    });

    const sibling = h.sibling;
    if (sibling !== undefined) {
      it('is shared between adapters over one store: counts add up, an exchange is taken once', async () => {
        const f = await h.open();
        const a = authStateOf(f.store);
        const b = authStateOf(await sibling(f));
        const now = f.clock.now();
        await Promise.all(
          Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).recordThrottleFailure(ADDR, { ...FAIL, now })),
        );
        expect((await b.throttleRecords([ADDR]))[0]?.failures).toBe(10);
        await a.rememberAddress('alice', 'a', now, 2, 60_000);
        expect(await b.addressKnownAt('alice', 'a')).toBe(now);
        await a.putHandshake(handshake('shared', 'o', now + 1000), LIMITS, now);
        const taken = await Promise.all([b.takeHandshake('shared', now), a.takeHandshake('shared', now)]);
        expect(taken.filter((t) => t !== undefined)).toEqual(['state of shared']);
      });
    }
  });
}
