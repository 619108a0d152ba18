// Per-request and per-user bounds of the ops over real HTTP: batch hisRead size, hisWrite quotas, pointWrite
// durations, calendar-edge ranges, echoed input, and watches per user with owner-only access.

import diagnostics from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeZinc } from '../../src/core/codec/zinc/index.js';
import { Grid } from '../../src/core/grid/grid.js';
import { HDateTime } from '../../src/core/kinds/date-time.js';
import { MARKER } from '../../src/core/kinds/marker.js';
import { Num } from '../../src/core/kinds/number.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { type OpTraceContext, type RequestEvent, SERVER_CHANNELS, TRACE_CHANNELS } from '../../src/server/events.js';
import { bearer, errCodeOf, raw, type SecureFixture, startSecure, tokenFor } from './security/support.js';
import { type Fixture, get, gridOf, post, startFixture } from './support/server-fixture.js';

let f: Fixture | undefined;
let s: SecureFixture | undefined;
afterEach(async () => {
  await f?.close();
  await s?.close();
  f = undefined;
  s = undefined;
});

const ny = (iso: string): HDateTime => HDateTime.parse(`${iso} New_York`);
const errCode = (g: Grid): unknown => (g.isError ? g.meta.get('errCode') : undefined);

async function writeTemp(fx: Fixture, id: string, hours: readonly number[]): Promise<Grid> {
  const rows = hours.map((h) => ({ ts: ny(`2024-06-01T${String(h).padStart(2, '0')}:00:00-04:00`), val: new Num(h) }));
  return post(fx, 'hisWrite', Grid.make({ meta: { id: new Ref(id) }, cols: ['ts', 'val'], rows }));
}

function batchRead(ids: readonly string[], range: string): Grid {
  return Grid.make({ meta: { range }, cols: ['id'], rows: ids.map((id) => ({ id: new Ref(id) })) });
}

describe('batch hisRead', () => {
  it('answers a point named many times once (one column), not a column per mention', async () => {
    f = await startFixture();
    await writeTemp(f, 'temp', [1, 2, 3]);
    const g = await post(f, 'hisRead', batchRead(new Array<string>(3000).fill('temp'), '2024-06-01'));
    expect(g.isError).toBe(false);
    expect(g.cols.map((c) => c.name)).toEqual(['ts', 'v0']);
    expect(g.size).toBe(3);
    expect(g.rows.map((r) => r.get('v0'))).toEqual([new Num(1), new Num(2), new Num(3)]);
  });

  it('yields to other clients while it joins a large batch: their about is answered before it', async () => {
    f = await startFixture();
    const start = Date.UTC(2024, 0, 1, 12);
    const n = 100_000;
    // Two points whose samples interleave: 200,000 distinct timestamps to join.
    await f.store.hisWrite(
      'temp',
      Array.from({ length: n }, (_, i) => ({ ts: start + i * 60_000, val: new Num(i % 50) })),
    );
    await f.store.hisWrite(
      'occ',
      Array.from({ length: n }, (_, i) => ({ ts: start + i * 60_000 + 30_000, val: i % 2 === 0 })),
    );
    const base = f.base;
    const order: string[] = [];
    let about: Promise<number> | undefined;
    const onStart = (ctx: unknown): void => {
      // The batch read has started: another client asks for `about` now.
      if ((ctx as OpTraceContext).op === 'hisRead') about ??= fetch(`${base}about`).then((r) => r.status);
    };
    const onRequest = (e: unknown): void => {
      order.push(`${(e as RequestEvent).op ?? '?'} ${(e as RequestEvent).status}`);
    };
    const startChannel = `tracing:${TRACE_CHANNELS.op}:start`;
    diagnostics.subscribe(startChannel, onStart);
    diagnostics.subscribe(SERVER_CHANNELS.request, onRequest);
    try {
      const g = await post(f, 'hisRead', batchRead(['temp', 'occ'], '2024-01-01,2024-03-31'));
      expect(g.size).toBe(2 * n);
      expect(await about).toBe(200);
    } finally {
      diagnostics.unsubscribe(startChannel, onStart);
      diagnostics.unsubscribe(SERVER_CHANNELS.request, onRequest);
    }
    expect(order).toEqual(['about 200', 'hisRead 200']);
  });

  it('joins distinct points on ts, leaving a cell empty where a point has no sample', async () => {
    f = await startFixture();
    await writeTemp(f, 'temp', [1, 3]);
    await post(
      f,
      'hisWrite',
      Grid.make({
        meta: { id: new Ref('occ') },
        cols: ['ts', 'val'],
        rows: [{ ts: ny('2024-06-01T02:00:00-04:00'), val: true }],
      }),
    );
    const g = await post(f, 'hisRead', batchRead(['temp', 'occ', 'temp'], '2024-06-01'));
    expect(g.cols.map((c) => c.name)).toEqual(['ts', 'v0', 'v1']);
    expect(g.rows.map((r) => [r.get('v0'), r.get('v1')])).toEqual([
      [new Num(1), null],
      [null, true],
      [new Num(3), null],
    ]);
  });

  it('refuses an answer of more rows x points than maxHisReadCells, single or batch', async () => {
    f = await startFixture({ limits: { maxHisReadCells: 5 } });
    await writeTemp(f, 'temp', [1, 2, 3]);
    await post(
      f,
      'hisWrite',
      Grid.make({
        meta: { id: new Ref('occ') },
        cols: ['ts', 'val'],
        rows: [4, 5, 6].map((h) => ({ ts: ny(`2024-06-01T0${h}:00:00-04:00`), val: true })),
      }),
    );
    expect(errCode(await post(f, 'hisRead', batchRead(['temp', 'occ'], '2024-06-01')))).toBe('HS_ERR_LIMIT');
    expect((await post(f, 'hisRead', batchRead(['temp'], '2024-06-01'))).size).toBe(3);
    await writeTemp(f, 'temp', [7, 8, 9]);
    expect(errCode(await get(f, 'hisRead?id=@temp&range=2024-06-01'))).toBe('HS_ERR_LIMIT');
  });
});

describe('hisWrite quotas', () => {
  it('refuses a write that would take a point past maxHisItemsPerPoint, writing nothing', async () => {
    f = await startFixture({ limits: { maxHisItemsPerPoint: 4 } });
    expect((await writeTemp(f, 'temp', [1, 2, 3])).isError).toBe(false);
    expect(errCode(await writeTemp(f, 'temp', [4, 5]))).toBe('HS_ERR_LIMIT');
    expect(await f.store.hisCount('temp')).toBe(3);
    expect((await writeTemp(f, 'temp', [4])).isError).toBe(false);
    expect(await f.store.hisCount('temp')).toBe(4);
  });

  it('refuses a write of more samples than maxHisWriteItems', async () => {
    f = await startFixture({ limits: { maxHisWriteItems: 2 } });
    expect(errCode(await writeTemp(f, 'temp', [1, 2, 3]))).toBe('HS_ERR_LIMIT');
    expect(await f.store.hisCount('temp')).toBe(0);
  });
});

describe('pointWrite durations', () => {
  it('refuses a duration past maxWriteDurationMs; the priority array stays readable', async () => {
    f = await startFixture();
    const write = (duration: Num): Promise<Grid> =>
      post(
        f as Fixture,
        'pointWrite',
        Grid.fromDicts([{ id: new Ref('sp'), level: new Num(8), val: new Num(70, '°F'), duration }]),
      );
    expect(errCode(await write(new Num(1_000_000_000_000, 'day')))).toBe('HS_ERR_LIMIT');
    expect(errCode(await write(new Num(367, 'day')))).toBe('HS_ERR_LIMIT');
    expect((await write(new Num(366, 'day'))).isError).toBe(false);
    const arr = await post(f, 'pointWrite', Grid.fromDicts([{ id: new Ref('sp') }]));
    expect(arr.isError).toBe(false);
    expect(arr.rows[7]?.get('val')).toEqual(new Num(70, '°F'));
  });
});

describe('hisRead ranges at the ends of the calendar', () => {
  it('reads 0000-01-01,9999-12-31 and open ranges from year 0', async () => {
    f = await startFixture();
    await writeTemp(f, 'temp', [1, 2]);
    const all = await get(f, `hisRead?id=@temp&range=${encodeURIComponent('"0000-01-01,9999-12-31"')}`);
    expect(all.isError).toBe(false);
    expect(all.size).toBe(2);
    expect(String(all.meta.get('hisEnd'))).toMatch(/^9999-12-31T23:59:59\.999/);
    const utc = await post(
      f,
      'hisRead',
      Grid.fromDicts([{ id: new Ref('temp'), range: '0000-01-01T00:00:00Z UTC,9999-12-31T23:59:59Z UTC' }]),
    );
    expect(utc.size).toBe(2);
    const batch = await post(f, 'hisRead', batchRead(['temp'], '0000-01-01,9999-12-31'));
    expect(batch.size).toBe(2);
  });

  it('names the bounds as given when a range is reversed', async () => {
    f = await startFixture();
    const g = await post(f, 'hisRead', Grid.fromDicts([{ id: new Ref('temp'), range: '2024-01-05,2024-01-03' }]));
    expect(errCode(g)).toBe('HS_ERR_BAD_REQUEST');
    expect(String(g.meta.get('dis'))).toContain('2024-01-03');
    expect(String(g.meta.get('dis'))).toContain('2024-01-05');
  });

  it('echoes at most a short prefix of a huge bad range', async () => {
    f = await startFixture();
    const range = `2024-01-01,${'x'.repeat(100_000)}`;
    const g = await post(f, 'hisRead', Grid.fromDicts([{ id: new Ref('temp'), range }]));
    expect(errCode(g)).toBe('HS_ERR_BAD_REQUEST');
    expect(String(g.meta.get('dis')).length).toBeLessThan(300);
  });
});

describe('watches per user', () => {
  const sub = (meta: Record<string, unknown>): string =>
    encodeZinc(Grid.make({ meta, cols: ['id'], rows: [{ id: new Ref('temp') }] }));
  const zinc = 'text/zinc; charset=utf-8';

  it('limits open watches per user and lets only the owner or an admin use one', async () => {
    s = await startSecure({ server: { limits: { maxWatchesPerUser: 2 } } });
    const [vera, otto, ada] = await Promise.all(['vera', 'otto', 'ada'].map((u) => tokenFor(s as SecureFixture, u)));
    const as = (token: string | undefined, op: string, body: string) =>
      raw(s as SecureFixture, op, { authorization: bearer(token as string), body, contentType: zinc });
    const open = async (token: string | undefined): Promise<string> => {
      const x = await as(token, 'watchSub', sub({ watchDis: 'w' }));
      return String(gridOf(x).meta.get('watchId'));
    };
    const w1 = await open(vera);
    await open(vera);
    expect(errCodeOf(await as(vera, 'watchSub', sub({ watchDis: 'third' })))).toBe('HS_ERR_LIMIT');
    // Another user still has their own allowance.
    await open(otto);
    const poll = (watchId: string) => encodeZinc(Grid.make({ meta: { watchId, refresh: MARKER }, cols: ['empty'] }));
    const close = (watchId: string) => encodeZinc(Grid.make({ meta: { watchId, close: MARKER }, cols: ['empty'] }));
    expect(errCodeOf(await as(otto, 'watchPoll', poll(w1)))).toBe('HS_ERR_UNKNOWN_NAME');
    expect(errCodeOf(await as(otto, 'watchUnsub', close(w1)))).toBe('HS_ERR_UNKNOWN_NAME');
    expect(errCodeOf(await as(otto, 'watchSub', sub({ watchId: w1 })))).toBe('HS_ERR_UNKNOWN_NAME');
    expect(errCodeOf(await as(vera, 'watchPoll', poll(w1)))).toBeUndefined();
    expect(errCodeOf(await as(ada, 'watchPoll', poll(w1)))).toBeUndefined();
    expect(errCodeOf(await as(ada, 'watchUnsub', close(w1)))).toBeUndefined();
    expect(errCodeOf(await as(vera, 'watchPoll', poll(w1)))).toBe('HS_ERR_UNKNOWN_NAME');
    // Closing one frees a slot.
    await open(vera);
  });
});
