// hisRead streamed from a store that reads history in chunks (PostgreSQL's cursor), one point or a batch: in every
// format written in pieces the answer is sent as it is read and is byte for byte what the whole-grid path answers;
// the cell limit still holds; a store failure mid-answer cuts the response so the client sees an error, and the
// cursor's connection is not lost to the pool.

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dict } from '../../src/core/grid/dict.js';
import { Grid } from '../../src/core/grid/grid.js';
import { MARKER } from '../../src/core/kinds/marker.js';
import { Num } from '../../src/core/kinds/number.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { WS_CLOSE } from '../../src/core/ws/ws-close-codes.js';
import { encodeWsRequest, wsResponseParts } from '../../src/core/ws/ws-envelope.js';
import { createServer, type HaystackServer } from '../../src/server/index.js';
import type { StorageAdapter } from '../../src/storage/adapter.js';
import { openPostgresStore, type PostgresStore } from '../../src/storage/postgres/index.js';
import { adminQuery, TEST_PG_URL, testSchemas } from '../support/postgres.js';
import { rawSocket } from './ws/ws-fixture.js';

const schemas = testSchemas('hisstream');
// 2.5 chunks of the op's 10,000 samples, one a minute from 2024-03-01 in New_York (across its DST change).
const SAMPLES = 25_000;
const T0 = Date.UTC(2024, 2, 1, 5); // midnight in New_York
const RANGE = '2024-03-01,2024-03-31';
// Points past which the batch query joins instead of merging one scan per point (pg-his-cursor.ts).
const MANY = 66;
const FORMATS = ['text/zinc', 'application/json', 'application/vnd.haystack+json;version=3', 'text/csv'];

let store: PostgresStore;
let schema: string;
const servers: HaystackServer[] = [];

// A WebSocket connection whose unsent answers may total little: an answer held whole would exceed it.
const SMALL_SEND_BUFFER = { maxBufferedBytes: 64 * 1024 };

async function serve(over: StorageAdapter, maxHisReadCells?: number): Promise<string> {
  const server = createServer({
    store: over,
    noAuth: true,
    tz: 'New_York',
    webSocket: SMALL_SEND_BUFFER,
    ...(maxHisReadCells === undefined ? {} : { limits: { maxHisReadCells } }),
  });
  servers.push(server);
  return (await server.listen(0, '127.0.0.1')).url;
}

// The same store without the chunked readers: the op reads the range whole.
function wholeOnly(s: StorageAdapter): StorageAdapter {
  const { hisReadChunks: _one, hisReadBatchChunks: _batch, ...rest } = s;
  return rest;
}

/** A read: the single form by GET, the batch form by POST of a Zinc request grid. */
interface Read {
  readonly ids: readonly string[];
  readonly range: string;
  readonly batch: boolean;
}

function request(base: string, read: Read, accept: string): Promise<Response> {
  if (!read.batch) {
    const q = new URLSearchParams({ id: `@${read.ids[0] ?? ''}`, range: read.range });
    return fetch(`${base}hisRead?${q.toString()}`, { headers: { accept } });
  }
  const body = `ver:"3.0" range:${JSON.stringify(read.range)}\nid\n${read.ids.map((id) => `@${id}`).join('\n')}\n`;
  return fetch(`${base}hisRead`, { method: 'POST', headers: { accept, 'content-type': 'text/zinc' }, body });
}

async function answer(base: string, read: Read, accept: string): Promise<{ body: string; length: string | null }> {
  const res = await request(base, read, accept);
  expect(res.status).toBe(200);
  return { body: await res.text(), length: res.headers.get('content-length') };
}

// A store whose chunked reads, in chunks of 5,000 samples, stop after the chunk `at` until `open()` is called: the
// test holds the cursor open, with rows still in it, at a point of its choosing and with no timer.
function gated(s: PostgresStore, at: number): { store: StorageAdapter; open(): void; reached: Promise<void> } {
  let open!: () => void;
  let reached!: () => void;
  const gate = new Promise<void>((r) => {
    open = r;
  });
  const atGate = new Promise<void>((r) => {
    reached = r;
  });
  function hold<C>(source: AsyncIterable<C>): AsyncIterable<C> {
    return {
      async *[Symbol.asyncIterator]() {
        let n = 0;
        for await (const chunk of source) {
          yield chunk;
          if (++n === at) {
            reached();
            await gate;
          }
        }
      },
    };
  }
  const over: StorageAdapter = {
    ...s,
    hisReadChunks: (id, r, o) => hold(s.hisReadChunks(id, r, { ...o, chunkRows: 5_000 })),
    hisReadBatchChunks: (ids, r, o) => hold(s.hisReadBatchChunks(ids, r, { ...o, chunkRows: 5_000 })),
  };
  return { store: over, open, reached: atGate };
}

// The backends of a store's pool (by its application_name) and what each is doing.
function backends(app: string): Promise<{ pid: number; state: string; query: string }[]> {
  return adminQuery('SELECT pid, state, query FROM pg_stat_activity WHERE application_name = $1', [app]);
}

beforeAll(async () => {
  schema = schemas.next();
  store = await openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 4 });
  const point = (id: string, dis: string): Dict =>
    Dict.of({ id: new Ref(id), dis, point: MARKER, his: MARKER, tz: 'New_York' });
  await store.commit([
    { op: 'add', tags: point('p', 'P') },
    { op: 'add', tags: point('q', 'Q') },
    { op: 'add', tags: point('e', 'Empty') },
    ...Array.from({ length: MANY }, (_, i) => ({ op: 'add' as const, tags: point(`m${String(i)}`, `M ${String(i)}`) })),
  ]);
  await store.hisWrite(
    'p',
    Array.from({ length: SAMPLES }, (_, i) => ({
      ts: T0 + i * 60_000,
      // Numbers with a unit, one without, and now and then a Str: every row shape.
      val: i % 997 === 0 ? `s${String(i)}` : new Num(i / 4, i % 2 === 0 ? 'kW' : undefined),
    })),
  );
  // Every 90 s: half of q's timestamps are p's, half fall between them, so the join has rows of p, q or both.
  await store.hisWrite(
    'q',
    Array.from({ length: 12_000 }, (_, i) => ({ ts: T0 + 30_000 + i * 90_000, val: new Num(i, '%') })),
  );
  for (let i = 0; i < MANY; i++) {
    await store.hisWrite(
      `m${String(i)}`,
      Array.from({ length: 160 }, (_, j) => ({ ts: T0 + (j * MANY + i) * 7_000 + (j % 3) * 60_000, val: j % 5 === 0 })),
    );
  }
});

afterAll(async () => {
  for (const s of servers) await s.close();
  await store.close();
  await schemas.dropAll();
});

const READS: readonly (readonly [string, Read, 'streamed' | 'whole'])[] = [
  ['one point over 2.5 chunks', { ids: ['p'], range: RANGE, batch: false }, 'streamed'],
  // 10,000 samples: exactly one chunk; 10,001: a second chunk of one sample.
  ['one point, exactly one chunk', { ids: ['p'], range: oneChunkRange(0), batch: false }, 'whole'],
  ['one point, one chunk and one sample', { ids: ['p'], range: oneChunkRange(1), batch: false }, 'streamed'],
  ['one point, a range without samples', { ids: ['p'], range: '2023-01-01,2023-01-31', batch: false }, 'whole'],
  ['one point without history', { ids: ['e'], range: RANGE, batch: false }, 'whole'],
  ['a batch of three points', { ids: ['p', 'q', 'e'], range: RANGE, batch: true }, 'streamed'],
  ['a batch, a range without samples', { ids: ['p', 'q'], range: '2023-01-01', batch: true }, 'whole'],
  ['a batch of one chunk', { ids: ['q', 'p'], range: '2024-03-02', batch: true }, 'whole'],
  [
    `a batch of ${String(MANY)} points`,
    { ids: Array.from({ length: MANY }, (_, i) => `m${String(i)}`), range: RANGE, batch: true },
    'streamed',
  ],
];

// `{dateTime},{dateTime}` holding 10,000 + extra of p's samples (before the DST change, so all at -05:00).
function oneChunkRange(extra: number): string {
  const end = new Date(T0 + (10_000 + extra) * 60_000 - 5 * 3_600_000).toISOString().slice(0, 19);
  return `2024-03-01T00:00:00-05:00 New_York,${end}-05:00 New_York`;
}

describe('hisRead from a store that reads history in chunks', () => {
  describe.each(FORMATS)('%s', (accept) => {
    it.each(READS)('%s: byte for byte the whole-grid answer', async (_name, read, how) => {
      const streamed = await answer(await serve(store), read, accept);
      const whole = await answer(await serve(wholeOnly(store)), read, accept);
      expect(whole.length).not.toBeNull();
      // Longer than a chunk: sent in pieces (chunked transfer encoding); else one grid with its length.
      if (how === 'streamed') expect(streamed.length).toBeNull();
      else expect(streamed.length).not.toBeNull();
      expect(streamed.body).toBe(whole.body);
      expect(streamed.body.length).toBeGreaterThan(0);
    });
  });

  it('joins the batch on ts: a row per distinct timestamp, a column per point', async () => {
    const zinc = await answer(await serve(store), { ids: ['p', 'q', 'e'], range: RANGE, batch: true }, 'text/zinc');
    const lines = zinc.body.split('\n');
    // p's 25,000 minutes and q's 12,000 samples, of which 6,000 on p's minutes.
    expect(lines).toHaveLength(25_000 + 6_000 + 3);
    expect(lines[1]).toBe('ts,v0 id:@p "P",v1 id:@q "Q",v2 id:@e "Empty"');
  });

  it('refuses a range beyond the cell limit with an error grid, before sending anything', async () => {
    const base = await serve(store, SAMPLES - 1);
    const small = await answer(base, { ids: ['p'], range: '2024-03-02', batch: false }, 'text/zinc');
    expect(small.body.split('\n')).toHaveLength(1440 + 3);
    for (const read of [
      { ids: ['p'], range: RANGE, batch: false },
      // 31,000 rows x 2 points, though only 37,000 samples.
      { ids: ['p', 'q'], range: RANGE, batch: true },
    ]) {
      const big = await answer(base, read, 'text/zinc');
      expect(big.body).toMatch(/^ver:"3.0" err /);
      expect(big.body).toContain('HS_ERR_LIMIT');
    }
    // The batch limit counts cells, not samples: 31,000 rows x 2 points is more than 60,000.
    const byCells = await answer(
      await serve(store, 60_000),
      { ids: ['p', 'q'], range: RANGE, batch: true },
      'text/zinc',
    );
    expect(byCells.body).toMatch(/^ver:"3.0" err /);
    const fits = { ids: ['p', 'q'], range: RANGE, batch: true };
    expect((await answer(await serve(store, 62_000), fits, 'text/csv')).body).toBe(
      (await answer(await serve(wholeOnly(store), 62_000), fits, 'text/csv')).body,
    );
    // The refused reads released their connections: the store still answers.
    expect(await store.hisCount('p')).toBe(SAMPLES);
  });

  describe.each([
    ['one point', { ids: ['p'], range: RANGE, batch: false }],
    ['a batch', { ids: ['p', 'q'], range: RANGE, batch: true }],
  ] as const)('%s', (_name, read) => {
    it('sends the first rows while the cursor still holds the rest', async () => {
      const app = `hs-stream-${randomBytes(4).toString('hex')}`;
      const own = await openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 1, applicationName: app });
      try {
        // The op reads two chunks ahead of sending; the fourth of at least five waits for the test.
        const g = gated(own, 3);
        const res = await request(await serve(g.store), read, 'application/json');
        expect(res.status).toBe(200);
        expect(res.headers.get('content-length')).toBeNull();
        const reader = (res.body as ReadableStream<Uint8Array>).getReader();
        const first = await reader.read();
        await g.reached;
        const head = new TextDecoder().decode(first.value);
        expect(head.startsWith('{"_kind":"grid","meta":{"ver":"3.0"')).toBe(true);
        // The cursor is open (its transaction idle between fetches), not drained.
        const during = await backends(app);
        expect(during.map((b) => [b.state, b.query.startsWith('FETCH')])).toContainEqual(['idle in transaction', true]);
        g.open();
        let rest = '';
        const decoder = new TextDecoder();
        rest += decoder.decode(first.value, { stream: true });
        for (;;) {
          const next = await reader.read();
          if (next.done) break;
          rest += decoder.decode(next.value, { stream: true });
        }
        const whole = (await answer(await serve(wholeOnly(store)), read, 'application/json')).body;
        expect(head.length).toBeLessThan(whole.length / 2);
        expect(rest).toBe(whole);
        expect((await backends(app)).map((b) => b.state)).not.toContain('idle in transaction');
      } finally {
        await own.close();
      }
    });

    it.each(['text/zinc', 'application/json', 'text/csv'])(
      'cuts the %s answer when the database ends the cursor, and the pool has its connection back',
      async (accept) => {
        const app = `hs-stream-${randomBytes(4).toString('hex')}`;
        const own = await openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 1, applicationName: app });
        try {
          const g = gated(own, 3);
          const res = await request(await serve(g.store), read, accept);
          expect(res.status).toBe(200);
          const reader = (res.body as ReadableStream<Uint8Array>).getReader();
          const first = await reader.read();
          expect(first.done).toBe(false);
          await g.reached;
          const [cursor] = (await backends(app)).filter((b) => b.state === 'idle in transaction');
          expect(cursor).toBeDefined();
          await adminQuery('SELECT pg_terminate_backend($1)', [cursor?.pid]);
          g.open();
          // The client is told: the body ends in an error, never in what would look like a whole answer.
          const drain = async (): Promise<void> => {
            for (;;) if ((await reader.read()).done) return;
          };
          await expect(drain()).rejects.toThrow();
          // The store's one connection came back: a streamed read through the same pool answers in full.
          const again = await answer(await serve(own), read, accept);
          expect(again.body).toBe((await answer(await serve(wholeOnly(store)), read, accept)).body);
        } finally {
          await own.close();
        }
      },
    );
  });
});

// The request grid of a read, as a WebSocket request carries it.
function requestGrid(read: Read): Grid {
  const ids = read.ids.map((id) => ({ id: new Ref(id) }));
  if (!read.batch) return Grid.make({ cols: ['id', 'range'], rows: [{ ...ids[0], range: read.range }] });
  return Grid.make({ meta: { range: read.range }, cols: ['id'], rows: ids });
}

function wsUrl(base: string): string {
  return `${base.replace(/^http/, 'ws')}ws`;
}

describe('hisRead over the WebSocket from a store that reads history in chunks', () => {
  const reads = [
    ['one point', { ids: ['p'], range: RANGE, batch: false }],
    ['a batch', { ids: ['p', 'q', 'e'], range: RANGE, batch: true }],
  ] as const;

  it.each(reads)('%s: one message in fragments, the whole answer, never held whole', async (_name, read) => {
    const expected = (await answer(await serve(wholeOnly(store)), read, 'application/json')).body;
    const { prefix, suffix } = wsResponseParts(7);
    const ws = await rawSocket(wsUrl(await serve(store)));
    ws.ws.send(encodeWsRequest(7, 'hisRead', requestGrid(read)));
    // Megabytes, through a connection that may hold 64 KB unsent: the chunks go out a fragment at a time.
    expect(expected.length).toBeGreaterThan(16 * SMALL_SEND_BUFFER.maxBufferedBytes);
    expect(await ws.next()).toBe(prefix + expected + suffix);
    ws.ws.close();
    // The same answer gathered whole is held whole by the server, then sent: a client that reads it is no slow
    // consumer, and its connection serves on.
    const gathered = await rawSocket(wsUrl(await serve(wholeOnly(store))));
    gathered.ws.send(encodeWsRequest(8, 'hisRead', requestGrid(read)));
    expect(await gathered.next()).toBe(wsResponseParts(8).prefix + expected + suffix);
    gathered.ws.send(encodeWsRequest(9, 'about', Grid.make({ cols: [] })));
    expect(JSON.parse(await gathered.next())).toMatchObject({ id: 9 });
    gathered.ws.close();
  });

  it('answers another request of the connection after the fragmented answer, not inside it', async () => {
    const g = gated(store, 3);
    const ws = await rawSocket(wsUrl(await serve(g.store)));
    ws.ws.send(encodeWsRequest(1, 'hisRead', requestGrid(reads[0][1])));
    await g.reached;
    ws.ws.send(encodeWsRequest(2, 'about', Grid.make({ cols: [] })));
    const first = ws.next();
    const second = ws.next();
    g.open();
    expect(JSON.parse(await first)).toMatchObject({ id: 1 });
    expect(JSON.parse(await second)).toMatchObject({ id: 2 });
    ws.ws.close();
  });

  it.each(reads)(
    '%s: a database failure mid-answer ends the connection (1011), and the pool recovers',
    async (_name, read) => {
      const app = `hs-stream-${randomBytes(4).toString('hex')}`;
      const own = await openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 1, applicationName: app });
      try {
        const g = gated(own, 3);
        const base = await serve(g.store);
        const ws = await rawSocket(wsUrl(base));
        let messages = 0;
        ws.ws.on('message', () => {
          messages++;
        });
        ws.ws.send(encodeWsRequest(1, 'hisRead', requestGrid(read)));
        await g.reached;
        const [cursor] = (await backends(app)).filter((b) => b.state === 'idle in transaction');
        expect(cursor).toBeDefined();
        await adminQuery('SELECT pg_terminate_backend($1)', [cursor?.pid]);
        g.open();
        expect((await ws.closed).code).toBe(WS_CLOSE.INTERNAL.code);
        // The client never got a message that could pass for the answer.
        expect(messages).toBe(0);
        const again = await answer(await serve(own), read, 'application/json');
        expect(again.body).toBe((await answer(await serve(wholeOnly(store)), read, 'application/json')).body);
      } finally {
        await own.close();
      }
    },
  );
});
