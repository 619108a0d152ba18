// PostgreSQL change notifications beyond the contract kit: the LISTEN connection is killed and comes back without
// missing a change, a change too large to log by id reaches listeners as a reset, and a user or session change is
// told by its own statement (a process dying right after it has told it; a notice refused undoes it).

import { afterAll, describe, expect, it } from 'vitest';
import { Dict, MARKER, Num, Ref } from '../../../src/core/index.js';
import { credentialsForPassword } from '../../../src/server/auth/passwords.js';
import {
  openPostgresStore,
  type PostgresStore,
  type PostgresStoreOptions,
} from '../../../src/storage/postgres/index.js';
import { changeChannel } from '../../../src/storage/postgres/pg-changes.js';
import { createPool, loadPgDriver, type PgPool } from '../../../src/storage/postgres/pg-driver.js';
import { pgUserStore } from '../../../src/storage/postgres/pg-user-store.js';
import { type ChangeRecorder, changeRecorder, checkLogoutTold, names } from '../../support/change-recorder.js';
import { adminQuery, TEST_PG_URL, testSchemas } from '../../support/postgres.js';
import { startSilentProxy } from '../../support/silent-proxy.js';
import { makeAndHear, seedUser, TOLD_CHANGES } from '../../support/user-notice.js';

const schemas = testSchemas('changes');
afterAll(() => schemas.dropAll());

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

// A store listening for changes (with `options` over the defaults) and a second one writing, on a new schema; `a`
// added and heard before `body` runs.
async function withListener(
  tag: string,
  body: (s: {
    readonly applicationName: string;
    readonly schema: string;
    readonly listening: PostgresStore;
    readonly writer: PostgresStore;
    readonly rec: ChangeRecorder;
  }) => Promise<void>,
  options: Partial<PostgresStoreOptions> = {},
): Promise<string> {
  const schema = schemas.next();
  const applicationName = `hs-${tag}-${schema.slice(-8)}`;
  const listening = await openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 2, applicationName, ...options });
  const writer = await openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 2 });
  try {
    const rec = changeRecorder();
    await listening.subscribeChanges(rec.listener);
    await writer.commit([{ op: 'add', tags: Dict.of({ id: new Ref('a'), point: MARKER }) }]);
    await rec.until(names('a'));
    await body({ applicationName, schema, listening, writer, rec });
  } finally {
    await listening.close();
    await writer.close();
  }
  return applicationName;
}

// `pool` as a process sees it that dies right after its first statement that is not a plain SELECT (a change): every
// later statement fails unsent.
function diesAfterChange(pool: PgPool): PgPool {
  let dead = false;
  const query = async (text: string, values: unknown[]): Promise<unknown> => {
    if (dead) throw new Error('the process died');
    const r = await pool.query(text, values);
    if (!/^\s*SELECT\b/i.test(text)) dead = true;
    return r;
  };
  return new Proxy(pool, {
    get: (target, key, receiver): unknown =>
      key === 'query' ? query : (Reflect.get(target, key, receiver) as unknown),
  });
}

// A user store of its own over `schema` (one connection, NOTIFYing on `channel`) for `body`, closed after.
async function withUserStore(
  schema: string,
  wrap: (pool: PgPool) => PgPool,
  channel: string,
  body: (users: ReturnType<typeof pgUserStore>) => Promise<void>,
): Promise<void> {
  const pool = createPool(await loadPgDriver(), { url: TEST_PG_URL, poolSize: 1 }, schema);
  try {
    await body(pgUserStore(wrap(pool), Date.now, () => undefined, channel));
  } finally {
    await pool.end();
  }
}

describe('PostgreSQL user and session notices, one unit with their change', () => {
  it.each(TOLD_CHANGES)(
    '$name: made by a process that dies right after it, it is told all the same',
    async (change) => {
      await withListener(`die-${change.name}`, async ({ schema, listening, writer, rec }) => {
        await seedUser(writer.users, 'vera');
        await withUserStore(schema, diesAfterChange, changeChannel(schema), async (faulty) => {
          const out = await makeAndHear({ change, username: 'vera', through: faulty, writer, listening, rec });
          expect(out).toEqual({ failed: false, made: true, told: 1 });
        });
      });
    },
  );

  it.each(TOLD_CHANGES)('$name: when the server refuses its notice, it is not made', async (change) => {
    await withListener(`refuse-${change.name}`, async ({ schema, listening, writer, rec }) => {
      await seedUser(writer.users, 'vera');
      // A channel name of 64 bytes: pg_notify fails on the server ("channel name too long").
      await withUserStore(
        schema,
        (pool) => pool,
        'x'.repeat(64),
        async (faulty) => {
          const out = await makeAndHear({ change, username: 'vera', through: faulty, writer, listening, rec });
          expect(out).toEqual({ failed: true, made: false, told: 0 });
        },
      );
    });
  });
});

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
      // One reset for the reconnect (user and session changes are in no log), the entities by id all the same.
      expect(rec.changes.filter((c) => c.kind === 'reset')).toEqual([{ kind: 'reset' }]);
      const seen = rec.changes.flatMap((c) => (c.kind === 'entities' ? c.ids : []));
      expect(new Set(seen)).toEqual(new Set(['a', 'b', 'c']));
    });
    // Closed: no LISTEN connection is left behind.
    expect(await listenPids(applicationName)).toEqual([]);
  });

  it('notices a LISTEN connection dropped silently and reports what committed after, and a reset, with no call of its own', async () => {
    // A NAT or firewall that forgets the idle connection: no FIN, no RST, the server never hears of it either.
    const target = new URL(TEST_PG_URL);
    const proxy = await startSilentProxy(target.hostname, Number(target.port === '' ? 5432 : target.port));
    const proxied = new URL(TEST_PG_URL);
    proxied.port = String(proxy.port);
    try {
      await withListener(
        'silent',
        async ({ applicationName, writer, rec }) => {
          await writer.users.createUser({
            username: 'vera',
            role: 'viewer',
            scram: await credentialsForPassword('password-1', 4096),
          });
          expect(proxy.dropSilently(`${applicationName}:listen`)).toBe(1);
          // Nothing is asked of the listening store: only its own check of the connection can find it dead.
          await writer.commit([{ op: 'add', tags: Dict.of({ id: new Ref('b'), point: MARKER }) }]);
          // NOTIFYed to the dropped connection only: it is lost, and the reset after the reconnect stands for it.
          await writer.users.updateUser('vera', { enabled: false });
          await rec.until(names('b'));
          expect(rec.changes.filter((c) => c.kind === 'users')).toEqual([]);
          expect(rec.changes.filter((c) => c.kind === 'reset')).toEqual([{ kind: 'reset' }]);
        },
        { url: proxied.toString(), listenCheckMs: 200 },
      );
    } finally {
      await proxy.close();
    }
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

  it("reports a user changed through another adapter's user store as a users change", async () => {
    await withListener('users', async ({ writer, rec }) => {
      await writer.users.createUser({
        username: 'vera',
        role: 'viewer',
        scram: await credentialsForPassword('password-1', 4096),
      });
      await writer.users.updateUser('vera', { enabled: false });
      await rec.until((c) => c.kind === 'users' && c.usernames.includes('vera'));
      const before = rec.changes.length;
      await writer.users.deleteUser('vera');
      await rec.until((c) => rec.changes.indexOf(c) >= before && c.kind === 'users');
    });
  });

  it('reports one session ended through another adapter (a logout) as a users change of its owner', async () => {
    await withListener('logout', checkLogoutTold);
  });

  it('reports a change too large to log by id as a reset, then goes on by id', async () => {
    const schema = schemas.next();
    const listening = await openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 2 });
    const writer = await openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 2 });
    try {
      const rec = changeRecorder();
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
