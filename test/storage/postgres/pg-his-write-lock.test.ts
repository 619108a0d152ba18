// A history write holds its point against removal only: while a long one is in progress, writes to that point's
// entity (a pointWrite, a commit) from another process go through, and so does every other entity write (they all
// queue behind the one that holds the store's version lock); a removal of the point waits for the history write.
//
// The history write is held in the middle by a table lock a separate connection takes on `his` (its COPY or INSERT
// waits for it, its point's row locked already); who waits on whom is read from pg_stat_activity, by the
// application_name each store's connections carry.

import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { Dict, MARKER, Num, Ref } from '../../../src/core/index.js';
import { openPostgresStore, type PostgresStore } from '../../../src/storage/postgres/index.js';
import { adminQuery, TEST_PG_URL, testSchemas } from '../../support/postgres.js';

const schemas = testSchemas('hislock');
afterAll(() => schemas.dropAll());

const T0 = Date.UTC(2025, 0, 1);
const samples = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ ts: T0 + (from + i) * 1000, val: new Num(from + i) }));

/** Backends of `app` waiting for a lock (pg_stat_activity), with the statement each waits in. */
async function waiting(app: string): Promise<string[]> {
  const r = await adminQuery<{ readonly query: string }>(
    "SELECT query FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
    [app],
  );
  return r.map((x) => x.query);
}

/** Resolves once a backend of `app` waits for a lock (bounded: a few hundred polls). */
async function untilWaiting(app: string): Promise<void> {
  for (let i = 0; i < 500; i++) if ((await waiting(app)).length > 0) return;
  throw new Error(`no connection of ${app} came to wait for a lock`);
}

/**
 * How `work` ends while nothing releases the history write: `done` when it completes, `blocked` as soon as a
 * connection of `app` is seen waiting for a lock instead.
 */
async function settlesWhileHeld(app: string, work: Promise<unknown>): Promise<'done' | 'blocked'> {
  const state = { finished: false };
  const ended = work.then(() => {
    state.finished = true;
  });
  for (let i = 0; i < 2000 && !state.finished; i++) {
    if ((await waiting(app)).length > 0) return 'blocked';
  }
  await ended;
  return 'done';
}

describe('a long history write on PostgreSQL', () => {
  it('lets other processes write the point and other entities meanwhile; a removal of the point waits', async () => {
    const schema = schemas.next();
    const hisApp = `hs-hislock-his-${schema}`;
    const otherApp = `hs-hislock-other-${schema}`;
    const his: PostgresStore = await openPostgresStore({ url: TEST_PG_URL, schema, applicationName: hisApp });
    const other: PostgresStore = await openPostgresStore({ url: TEST_PG_URL, schema, applicationName: otherApp });
    const admin = new pg.Client({ connectionString: TEST_PG_URL });
    await admin.connect();
    try {
      const point = (id: string) => Dict.of({ id: new Ref(id), point: MARKER, his: MARKER, writable: MARKER });
      await his.commit([
        { op: 'add', tags: point('p') },
        { op: 'add', tags: point('q') },
      ]);
      // The month's partition made now, so that the held write below takes no lock before its transaction.
      await his.hisWrite('p', samples(0, 1));

      await admin.query(`BEGIN; LOCK TABLE "${schema}".his IN SHARE MODE`);
      const held = his.hisWrite('p', samples(1, 1000));
      await untilWaiting(hisApp);

      // The same point's entity, written by a point write and by a commit, and another point.
      expect(await settlesWhileHeld(otherApp, other.pointWrite({ id: 'p', level: 8, val: new Num(5), who: 't' }))).toBe(
        'done',
      );
      const rename = (id: string) => other.commit([{ op: 'update', id, changes: Dict.of({ dis: id.toUpperCase() }) }]);
      expect(await settlesWhileHeld(otherApp, rename('p'))).toBe('done');
      expect(await settlesWhileHeld(otherApp, rename('q'))).toBe('done');
      expect((await other.readPriorityArray('p')).effective).toEqual(new Num(5));

      // Removing the point must wait: its history would otherwise outlive it.
      const removed = other.commit([{ op: 'remove', id: 'p' }]);
      await untilWaiting(otherApp);
      await admin.query('COMMIT');
      await held;
      await removed;
      expect(await other.readByIds(['p', 'q'])).toMatchObject([undefined, expect.any(Dict)]);
      const orphans = await adminQuery<{ readonly n: number }>(
        `SELECT count(*)::int AS n FROM "${schema}".his h WHERE NOT EXISTS (SELECT 1 FROM "${schema}".entity e WHERE e.rid = h.rid)`,
      );
      expect(orphans[0]?.n).toBe(0);
    } finally {
      await admin.query('ROLLBACK').catch(() => undefined);
      await admin.end();
      await his.close();
      await other.close();
    }
  }, 30_000);
});
