// PostgreSQL restarting under a bounded write load over HTTP: calls during the outage answer 503 error grids, service
// resumes by itself once PostgreSQL is back, and every acknowledged write is there afterwards. Runs against a private
// server (initdb in a temp folder, an OS-chosen port), shut down immediately (crash recovery at the next start) and
// started again; never the shared one.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HaystackServer } from '../../../src/server/index.js';
import { openPostgresStore, type PostgresStore } from '../../../src/storage/postgres/index.js';
import { OutageLoad, serveLoadPoints } from '../../support/outage-load.js';
import { type PrivatePostgres, privatePostgresUnavailable, startPrivatePostgres } from '../../support/postgres.js';

const WRITERS = 3;
const unavailable = privatePostgresUnavailable();

let pg: PrivatePostgres | undefined;
let store: PostgresStore;
let server: HaystackServer;
let base: string;

describe.skipIf(unavailable !== undefined)(
  `postgres restarting under load${unavailable === undefined ? '' : ` (skipped: ${unavailable})`}`,
  () => {
    beforeAll(async () => {
      pg = await startPrivatePostgres();
      store = await openPostgresStore({ url: pg.url, schema: 'outage', poolSize: WRITERS + 1 });
      ({ server, base } = await serveLoadPoints(store, WRITERS));
    }, 60_000);

    afterAll(async () => {
      await server.close();
      await store.close();
      await pg?.stop();
    });

    it('answers 503 during the outage, resumes by itself, and loses no acknowledged write', async () => {
      const db = pg as PrivatePostgres;
      const load = new OutageLoad(base, WRITERS);
      load.start();
      try {
        await load.throughOutage(
          'PostgreSQL',
          () => db.crash(),
          () => db.restart(),
        );
      } finally {
        await load.stop();
      }
      expect(load.unexpected).toEqual([]);
      expect(load.unavailable.length).toBeGreaterThan(0);
      // Every acknowledged sample is in the store after the crash (crash recovery replays the WAL).
      const all = { start: 0, end: Number.MAX_SAFE_INTEGER };
      expect(await load.lostWrites((id) => store.hisRead(id, all))).toEqual([]);
    });
  },
);
