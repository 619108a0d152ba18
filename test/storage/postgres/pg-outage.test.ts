// PostgreSQL restarting under a bounded write load over HTTP: calls during the outage answer 503 error grids, service
// resumes by itself once PostgreSQL is back, and every acknowledged write is there afterwards. Runs against a private
// server (initdb in a temp folder, an OS-chosen port), shut down immediately (crash recovery at the next start) and
// started again; never the shared one. A server that stops answering (SIGSTOP: connections open, no replies) fails
// calls as unavailable once the reply deadline passes, instead of holding them until it answers.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValueError } from '../../../src/core/errors.js';
import { Dict } from '../../../src/core/grid/dict.js';
import { MARKER } from '../../../src/core/kinds/marker.js';
import { Ref } from '../../../src/core/kinds/ref.js';
import { createServer, type HaystackServer } from '../../../src/server/index.js';
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
      // A test that failed with the server frozen leaves it so; closing needs it to answer.
      pg?.thaw();
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

    it('answers 503 when PostgreSQL stops answering, and serves again once it answers', async () => {
      const db = pg as PrivatePostgres;
      await expect(openPostgresStore({ url: db.url, queryTimeoutMs: 0 })).rejects.toBeInstanceOf(ValueError);
      const poolSize = 2;
      const frozen = await openPostgresStore({
        url: db.url,
        schema: 'frozen',
        poolSize,
        queryTimeoutMs: 300,
        connectTimeoutMs: 300,
        scanCacheEntities: 0,
      });
      const srv = createServer({ store: frozen, noAuth: true });
      const api = (await srv.listen(0, '127.0.0.1')).url;
      const call = async (path: string, body?: string): Promise<{ status: number; text: string }> => {
        const res = await fetch(`${api}${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          ...(body === undefined ? {} : { body, headers: { 'content-type': 'text/zinc; charset=utf-8' } }),
        });
        return { status: res.status, text: await res.text() };
      };
      try {
        await frozen.commit([{ op: 'add', tags: Dict.of({ id: new Ref('a'), site: MARKER, dis: 'A' }) }]);
        db.freeze();
        let answers: { status: number; text: string }[];
        try {
          // More calls than connections: those holding one and those waiting for one both answer.
          answers = await Promise.all([
            ...Array.from({ length: poolSize + 1 }, () => call('read?id=@a')),
            call('pointWrite', 'ver:"3.0"\nid,level,val\n@a,8,1'),
          ]);
        } finally {
          db.thaw();
        }
        for (const a of answers) {
          expect(a.status).toBe(503);
          expect(a.text).toContain('HS_ERR_UNAVAILABLE');
        }
        const after = await call('read?id=@a');
        expect(after.status).toBe(200);
        expect(after.text).toContain('"A"');
      } finally {
        await srv.close();
        await frozen.close();
      }
    });
  },
);
