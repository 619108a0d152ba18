// PostgreSQL change notifications beyond the contract kit: the LISTEN connection is killed and comes back without
// missing a change, and a change too large to log by id reaches listeners as a reset.

import { afterAll, describe, expect, it } from 'vitest';
import { Dict, MARKER, Num, Ref } from '../../../src/core/index.js';
import type { StoreChange } from '../../../src/storage/change-notifier.js';
import { openPostgresStore, type PostgresStore } from '../../../src/storage/postgres/index.js';
import { adminQuery, TEST_PG_URL, testSchemas } from '../../support/postgres.js';

const schemas = testSchemas('changes');
afterAll(() => schemas.dropAll());

// Changes received, and a promise per condition that resolves once some received change satisfies it.
function recorder() {
  const changes: StoreChange[] = [];
  const waiters: { readonly test: (c: StoreChange) => boolean; readonly resolve: () => void }[] = [];
  return {
    changes,
    listener: (c: StoreChange): void => {
      changes.push(c);
      for (const w of [...waiters]) {
        if (w.test(c)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    },
    until: (test: (c: StoreChange) => boolean): Promise<void> =>
      new Promise<void>((resolve) => {
        if (changes.some(test)) resolve();
        else waiters.push({ test, resolve });
      }),
  };
}

const names = (id: string) => (c: StoreChange) => c.kind === 'entities' && c.ids.includes(id);

async function listenPids(applicationName: string): Promise<number[]> {
  const r = await adminQuery<{ readonly pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [
    `${applicationName}:listen`,
  ]);
  return r.map((x) => x.pid);
}

// Poll (no sleeps in tests: each round is a query) until `check` holds or the deadline passes.
async function eventually(check: () => Promise<boolean>, deadlineMs = 10_000): Promise<void> {
  const end = performance.now() + deadlineMs;
  while (!(await check())) {
    if (performance.now() > end) throw new Error('condition not met before the deadline');
  }
}

// A store listening for changes and a second one writing, on a new schema; `a` added and heard before `body` runs.
async function withListener(
  tag: string,
  body: (s: {
    readonly applicationName: string;
    readonly listening: PostgresStore;
    readonly writer: PostgresStore;
    readonly rec: ReturnType<typeof recorder>;
  }) => Promise<void>,
): Promise<string> {
  const schema = schemas.next();
  const applicationName = `hs-${tag}-${schema.slice(-8)}`;
  const listening = await openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 2, applicationName });
  const writer = await openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 2 });
  try {
    const rec = recorder();
    await listening.subscribeChanges(rec.listener);
    await writer.commit([{ op: 'add', tags: Dict.of({ id: new Ref('a'), point: MARKER }) }]);
    await rec.until(names('a'));
    await body({ applicationName, listening, writer, rec });
  } finally {
    await listening.close();
    await writer.close();
  }
  return applicationName;
}

describe('PostgreSQL change notifications', () => {
  it('reconnects after the LISTEN connection is terminated, reporting what committed meanwhile', async () => {
    const applicationName = await withListener('chg', async ({ applicationName, writer, rec }) => {
      const [before] = await listenPids(applicationName);
      expect(before).toBeDefined();
      await adminQuery('SELECT pg_terminate_backend($1)', [before]);
      // Committed at once: most likely before the feed is back (it waits 100 ms), so only the log can report it.
      await writer.commit([
        { op: 'add', tags: Dict.of({ id: new Ref('b'), point: MARKER }) },
        { op: 'update', id: 'a', changes: Dict.of({ curVal: new Num(1) }) },
      ]);
      await rec.until(names('b'));
      await eventually(async () => {
        const now = await listenPids(applicationName);
        return now.length === 1 && now[0] !== before;
      });
      await writer.commit([{ op: 'add', tags: Dict.of({ id: new Ref('c'), point: MARKER }) }]);
      await rec.until(names('c'));
      expect(rec.changes.filter((c) => c.kind === 'reset')).toEqual([]);
      const seen = rec.changes.flatMap((c) => (c.kind === 'entities' ? c.ids : []));
      expect(new Set(seen)).toEqual(new Set(['a', 'b', 'c']));
    });
    // Closed: no LISTEN connection is left behind.
    expect(await listenPids(applicationName)).toEqual([]);
  });

  it('reports a change committed while the LISTEN connection is down before a sync resolves', async () => {
    await withListener('sync', async ({ applicationName, listening, writer, rec }) => {
      for (const round of ['b', 'c']) {
        const [pid] = await listenPids(applicationName);
        await adminQuery('SELECT pg_terminate_backend($1)', [pid]);
        // Acknowledged while the feed is down (it waits 100 ms before it connects again): a sync must still hear it,
        // by id or as a reset, as a server's response cache asks before it answers from the cache.
        await writer.commit([{ op: 'add', tags: Dict.of({ id: new Ref(round), point: MARKER }) }]);
        const before = rec.changes.length;
        await listening.syncChanges();
        const heard = rec.changes.slice(before);
        expect(heard.some((c) => c.kind === 'reset' || names(round)(c)) || rec.changes.some(names(round))).toBe(true);
        await eventually(async () => (await listenPids(applicationName)).length === 1);
      }
    });
  });

  it('reports a change too large to log by id as a reset, then goes on by id', async () => {
    const schema = schemas.next();
    const listening = await openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 2 });
    const writer = await openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 2 });
    try {
      const rec = recorder();
      await listening.subscribeChanges(rec.listener);
      await writer.commit(
        Array.from({ length: 10_001 }, (_, i) => ({
          op: 'add' as const,
          tags: Dict.of({ id: new Ref(`e${String(i)}`), site: MARKER }),
        })),
      );
      await rec.until((c) => c.kind === 'reset');
      await writer.commit([{ op: 'update', id: 'e7', changes: Dict.of({ dis: 'seven' }) }]);
      await rec.until(names('e7'));
      expect(rec.changes.map((c) => c.kind)).toEqual(['reset', 'entities']);
    } finally {
      await listening.close();
      await writer.close();
    }
  });
});
