// hisRead streamed from a store that reads history in chunks (PostgreSQL's cursor): a read longer than one chunk
// answers exactly what the whole-grid path answers, in every format, and the cell limit still holds.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dict } from '../../src/core/grid/dict.js';
import { MARKER } from '../../src/core/kinds/marker.js';
import { Num } from '../../src/core/kinds/number.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { createServer, type HaystackServer } from '../../src/server/index.js';
import type { StorageAdapter } from '../../src/storage/adapter.js';
import { openPostgresStore, type PostgresStore } from '../../src/storage/postgres/index.js';
import { TEST_PG_URL, testSchemas } from '../support/postgres.js';

const schemas = testSchemas('hisstream');
// 2.5 chunks of the op's 10,000 samples, one a minute from 2024-03-01 in New_York (across its DST change).
const SAMPLES = 25_000;
const T0 = Date.UTC(2024, 2, 1, 5); // midnight in New_York
const RANGE = '2024-03-01,2024-03-31';

let store: PostgresStore;
const servers: HaystackServer[] = [];

async function serve(over: StorageAdapter, maxHisReadCells?: number): Promise<string> {
  const server = createServer({
    store: over,
    noAuth: true,
    tz: 'New_York',
    ...(maxHisReadCells === undefined ? {} : { limits: { maxHisReadCells } }),
  });
  servers.push(server);
  return (await server.listen(0, '127.0.0.1')).url;
}

// The same store without the chunked reader: the op reads the range whole.
function wholeOnly(s: PostgresStore): StorageAdapter {
  const { hisReadChunks: _unused, ...rest } = s;
  return rest;
}

async function hisRead(base: string, accept: string): Promise<{ body: string; headers: Headers; status: number }> {
  const res = await fetch(`${base}hisRead?id=@p&range=${RANGE}`, { headers: { accept } });
  return { body: await res.text(), headers: res.headers, status: res.status };
}

beforeAll(async () => {
  store = await openPostgresStore({ url: TEST_PG_URL, schema: schemas.next(), poolSize: 4 });
  await store.commit([
    { op: 'add', tags: Dict.of({ id: new Ref('p'), dis: 'P', point: MARKER, his: MARKER, tz: 'New_York' }) },
  ]);
  await store.hisWrite(
    'p',
    Array.from({ length: SAMPLES }, (_, i) => ({
      ts: T0 + i * 60_000,
      // Numbers with a unit, one without, and now and then a Str: every row shape.
      val: i % 997 === 0 ? `s${String(i)}` : new Num(i / 4, i % 2 === 0 ? 'kW' : undefined),
    })),
  );
});

afterAll(async () => {
  for (const s of servers) await s.close();
  await store.close();
  await schemas.dropAll();
});

describe('hisRead from a store that reads history in chunks', () => {
  it('streams Zinc longer than a chunk, byte for byte what the whole-grid path answers', async () => {
    const streamed = await hisRead(await serve(store), 'text/zinc');
    const whole = await hisRead(await serve(wholeOnly(store)), 'text/zinc');
    expect(streamed.status).toBe(200);
    // Sent in pieces (chunked transfer encoding), where the whole grid goes with its length.
    expect(streamed.headers.get('content-length')).toBeNull();
    expect(whole.headers.get('content-length')).not.toBeNull();
    expect(streamed.body.split('\n')).toHaveLength(SAMPLES + 3);
    expect(streamed.body).toBe(whole.body);
  });

  it('gathers the chunks for formats written whole (JSON, CSV), with the same answer', async () => {
    const base = await serve(store);
    const wholeBase = await serve(wholeOnly(store));
    for (const accept of ['application/json', 'text/csv']) {
      const streamed = await hisRead(base, accept);
      expect(streamed.status).toBe(200);
      expect(streamed.body).toBe((await hisRead(wholeBase, accept)).body);
    }
  });

  it('answers one chunk or less as one grid, and refuses a range beyond the cell limit with an error grid', async () => {
    const base = await serve(store, SAMPLES - 1);
    const small = await fetch(`${base}hisRead?id=@p&range=2024-03-02`, { headers: { accept: 'text/zinc' } });
    expect(small.headers.get('content-length')).not.toBeNull();
    expect((await small.text()).split('\n')).toHaveLength(1440 + 3);
    const big = await hisRead(base, 'text/zinc');
    expect(big.body).toMatch(/^ver:"3.0" err /);
    expect(big.body).toContain(`exceeds ${String(SAMPLES - 1)} values`);
    // The refused read released its connection: the store still answers.
    expect(await store.hisCount('p')).toBe(SAMPLES);
  });
});
