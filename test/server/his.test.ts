// hisRead in every range form (point's zone, start inclusive, end exclusive) and hisWrite validation and merging.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeZinc, encodeZinc } from '../../src/core/codec/zinc/index.js';
import { Dict } from '../../src/core/grid/dict.js';
import { Grid } from '../../src/core/grid/grid.js';
import { HDateTime } from '../../src/core/kinds/date-time.js';
import { MARKER, NA } from '../../src/core/kinds/marker.js';
import { Num } from '../../src/core/kinds/number.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { createServer } from '../../src/server/index.js';
import type { StorageAdapter } from '../../src/storage/adapter.js';
import { call, type Fixture, get, gridOf, post, startFixture } from './support/server-fixture.js';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
  // 2024-06-01T12:00Z is 08:00 New_York on June 1st.
});
afterEach(async () => {
  await f.close();
});

const ny = (iso: string): HDateTime => HDateTime.parse(`${iso} New_York`);

/** Samples every 6 hours from May 30 00:00 to June 2 18:00 New_York. */
async function seed(): Promise<void> {
  const rows = [];
  for (let d = 30; d <= 33; d++) {
    for (const h of ['00', '06', '12', '18']) {
      const day = d <= 31 ? `2024-05-${d}` : `2024-06-0${d - 31}`;
      rows.push({ ts: ny(`${day}T${h}:00:00-04:00`), val: new Num(d * 100 + Number(h), '°F') });
    }
  }
  const g = await post(f, 'hisWrite', Grid.make({ meta: { id: new Ref('temp') }, cols: ['ts', 'val'], rows }));
  expect(g.isError).toBe(false);
}

const tsIsos = (g: Grid): string[] => g.rows.map((r) => (r.get('ts') as HDateTime).toIso());

describe('hisRead ranges', () => {
  beforeEach(seed);

  it('today and yesterday, in the point zone', async () => {
    const today = await get(f, 'hisRead?id=@temp&range=today');
    expect(tsIsos(today)).toEqual([
      '2024-06-01T00:00:00-04:00',
      '2024-06-01T06:00:00-04:00',
      '2024-06-01T12:00:00-04:00',
      '2024-06-01T18:00:00-04:00',
    ]);
    expect(String(today.meta.get('hisStart'))).toBe('2024-06-01T00:00:00-04:00 New_York');
    expect(String(today.meta.get('hisEnd'))).toBe('2024-06-02T00:00:00-04:00 New_York');
    expect((today.meta.get('id') as Ref).id).toBe('temp');
    const yesterday = await get(f, 'hisRead?id=@temp&range=yesterday');
    expect(tsIsos(yesterday)[0]).toBe('2024-05-31T00:00:00-04:00');
    expect(yesterday.size).toBe(4);
  });

  it('a date (GET decodes it as a Date), and a date range through the day after the end', async () => {
    const one = await get(f, 'hisRead?id=@temp&range=2024-05-31');
    expect(one.size).toBe(4);
    const two = await post(f, 'hisRead', Grid.fromDicts([{ id: new Ref('temp'), range: '2024-05-30,2024-05-31' }]));
    expect(two.size).toBe(8);
    expect(String(two.meta.get('hisEnd'))).toBe('2024-06-01T00:00:00-04:00 New_York');
  });

  it('a dateTime range: start inclusive, end exclusive', async () => {
    const range = '2024-05-31T06:00:00-04:00 New_York,2024-05-31T18:00:00-04:00 New_York';
    const g = await post(f, 'hisRead', Grid.fromDicts([{ id: new Ref('temp'), range }]));
    expect(tsIsos(g)).toEqual(['2024-05-31T06:00:00-04:00', '2024-05-31T12:00:00-04:00']);
  });

  it('dateTimes in another zone are converted to the point zone', async () => {
    const range = '2024-05-31T10:00:00Z UTC,2024-05-31T16:00:01Z UTC';
    const g = await post(f, 'hisRead', Grid.fromDicts([{ id: new Ref('temp'), range }]));
    expect(tsIsos(g)).toEqual(['2024-05-31T06:00:00-04:00', '2024-05-31T12:00:00-04:00']);
    expect(String(g.meta.get('hisStart'))).toBe('2024-05-31T06:00:00-04:00 New_York');
  });

  it('a single dateTime: everything from it on', async () => {
    const g = await get(f, `hisRead?id=@temp&range=${encodeURIComponent('2024-06-02T12:00:00-04:00 New_York')}`);
    expect(tsIsos(g)).toEqual(['2024-06-02T12:00:00-04:00', '2024-06-02T18:00:00-04:00']);
  });

  it('a single dateTime after now and after the last sample: hisEnd is not before hisStart', async () => {
    const start = '2030-01-01T00:00:00-05:00 New_York';
    const one = await get(f, `hisRead?id=@temp&range=${encodeURIComponent(start)}`);
    expect(one.size).toBe(0);
    expect(String(one.meta.get('hisStart'))).toBe(start);
    expect(String(one.meta.get('hisEnd'))).toBe(start);
    const batch = await post(
      f,
      'hisRead',
      Grid.make({ meta: { range: start }, cols: ['id'], rows: [{ id: new Ref('temp') }] }),
    );
    expect(String(batch.meta.get('hisStart'))).toBe(start);
    expect(String(batch.meta.get('hisEnd'))).toBe(start);
  });

  it('reports the end of a range before 1970, with and without samples, not the epoch', async () => {
    f.clock.set(Date.UTC(1969, 11, 31, 20));
    await post(
      f,
      'hisWrite',
      Grid.make({
        meta: { id: new Ref('occ') },
        cols: ['ts', 'val'],
        rows: [{ ts: ny('1969-12-30T10:00:00-05:00'), val: true }],
      }),
    );
    const batch = (range: string, ids: readonly string[]) =>
      post(f, 'hisRead', Grid.make({ meta: { range }, cols: ['id'], rows: ids.map((id) => ({ id: new Ref(id) })) }));
    const yesterday = await batch('yesterday', ['temp', 'occ']);
    expect(yesterday.size).toBe(1);
    expect(String(yesterday.meta.get('hisEnd'))).toBe('1969-12-31T00:00:00-05:00 New_York');
    // Open-ended from a start before now and after the last sample: the end is now, on both read forms.
    const from = '1969-12-31T00:00:00-05:00 New_York';
    expect(String((await batch(from, ['occ'])).meta.get('hisEnd'))).toBe('1969-12-31T15:00:00-05:00 New_York');
    const single = await get(f, `hisRead?id=@occ&range=${encodeURIComponent(from)}`);
    expect(String(single.meta.get('hisEnd'))).toBe('1969-12-31T15:00:00-05:00 New_York');
  });

  it('days of 23 and 25 hours: hourly samples of a DST day, the repeated hour kept twice with its offsets', async () => {
    const hourly = (fromUtc: number, hours: number) =>
      Array.from({ length: hours }, (_, h) => ({
        ts: HDateTime.fromEpochMs(fromUtc + h * 3_600_000, 'New_York'),
        val: new Num(h, '°F'),
      }));
    // 2024-03-10 and 2024-11-03 in New_York, midnight to midnight, with an hour either side.
    const rows = [...hourly(Date.UTC(2024, 2, 10, 4), 25), ...hourly(Date.UTC(2024, 10, 3, 3), 27)];
    // Out of order and with a duplicate written later: the stored answer is sorted, the last one kept.
    const sent = [...rows].reverse();
    sent.push({ ts: ny('2024-11-03T01:30:00-05:00'), val: new Num(-1, '°F') });
    sent.push({ ts: ny('2024-11-03T01:00:00-05:00'), val: new Num(99, '°F') });
    const w = await post(f, 'hisWrite', Grid.make({ meta: { id: new Ref('temp') }, cols: ['ts', 'val'], rows: sent }));
    expect(w.isError).toBe(false);
    const spring = await get(f, 'hisRead?id=@temp&range=2024-03-10');
    expect(spring.size).toBe(23);
    expect(tsIsos(spring).slice(1, 3)).toEqual(['2024-03-10T01:00:00-05:00', '2024-03-10T03:00:00-04:00']);
    expect(String(spring.meta.get('hisEnd'))).toBe('2024-03-11T00:00:00-04:00 New_York');
    const fall = await post(f, 'hisRead', Grid.fromDicts([{ id: new Ref('temp'), range: '2024-11-03,2024-11-03' }]));
    // 25 hours and the extra sample at 01:30 of the second 1 o'clock.
    expect(fall.size).toBe(26);
    expect(tsIsos(fall).slice(1, 5)).toEqual([
      '2024-11-03T01:00:00-04:00',
      '2024-11-03T01:00:00-05:00',
      '2024-11-03T01:30:00-05:00',
      '2024-11-03T02:00:00-05:00',
    ]);
    expect(String(fall.row(2).get('val'))).toBe('99°F');
    // The repeated hour by dateTimes in either offset, and in UTC: start inclusive, end exclusive.
    const range = '2024-11-03T01:00:00-05:00 New_York,2024-11-03T07:00:00Z UTC';
    const repeated = await post(f, 'hisRead', Grid.fromDicts([{ id: new Ref('temp'), range }]));
    expect(tsIsos(repeated)).toEqual(['2024-11-03T01:00:00-05:00', '2024-11-03T01:30:00-05:00']);
  });

  it('values are as recorded', async () => {
    const g = await get(f, 'hisRead?id=@temp&range=2024-05-30');
    expect(g.row(1).get('val')).toEqual(new Num(3006, '°F'));
  });

  it('bad ranges, unknown points and points without his give error grids', async () => {
    for (const range of ['lastCentury', '2024-13-01', '2024-06-02,2024-06-01', 'a,b,c']) {
      const g = await post(f, 'hisRead', Grid.fromDicts([{ id: new Ref('temp'), range }]));
      expect(g.meta.get('errCode'), range).toBe('HS_ERR_BAD_REQUEST');
    }
    // A well-formed DateTime in a zone the server does not know: the message names the zone.
    for (const range of ['2024-05-31T00:00:00-04:00 Nowhere', '2024-05-31,2024-05-31T00:00:00-04:00 Nowhere']) {
      const g = await post(f, 'hisRead', Grid.fromDicts([{ id: new Ref('temp'), range }]));
      expect(g.meta.get('errCode'), range).toBe('HS_ERR_BAD_REQUEST');
      expect(g.meta.get('dis'), range).toBe(
        'Invalid range: "2024-05-31T00:00:00-04:00 Nowhere": Unknown time zone "Nowhere"',
      );
    }
    expect((await get(f, 'hisRead?id=@nope&range=today')).meta.get('errCode')).toBe('HS_ERR_UNKNOWN_REC');
    expect((await get(f, 'hisRead?id=@sp&range=today')).meta.get('errCode')).toBe('HS_ERR_BAD_REQUEST');
  });

  it('a single read of several rows is refused, not answered for its first row only', async () => {
    const req = Grid.fromDicts([
      { id: new Ref('temp'), range: '2024-05-31' },
      { id: new Ref('occ'), range: '2024-05-31' },
    ]);
    const g = await post(f, 'hisRead', req);
    expect(g.meta.get('errCode')).toBe('HS_ERR_BAD_REQUEST');
    expect(g.meta.get('dis')).toBe('hisRead takes a single row, not 2 (a batch read has range in the grid meta)');
  });

  it('batch read joins points on ts with v0, v1 columns carrying ids', async () => {
    await post(
      f,
      'hisWrite',
      Grid.make({
        meta: { id: new Ref('occ') },
        cols: ['ts', 'val'],
        rows: [
          { ts: ny('2024-05-31T06:00:00-04:00'), val: true },
          { ts: ny('2024-05-31T07:00:00-04:00'), val: false },
        ],
      }),
    );
    const req = Grid.make({
      meta: { range: '2024-05-31' },
      cols: ['id'],
      rows: [{ id: new Ref('temp') }, { id: new Ref('occ') }],
    });
    const g = await post(f, 'hisRead', req);
    expect(g.colNames).toEqual(['ts', 'v0', 'v1']);
    expect(g.col('v1')?.meta.get('id')).toEqual(new Ref('occ', 'VAV-1 Occupied'));
    expect(tsIsos(g)).toEqual([
      '2024-05-31T00:00:00-04:00',
      '2024-05-31T06:00:00-04:00',
      '2024-05-31T07:00:00-04:00',
      '2024-05-31T12:00:00-04:00',
      '2024-05-31T18:00:00-04:00',
    ]);
    expect(g.row(1).get('v1')).toBe(true);
    expect(g.row(2).has('v0')).toBe(false);
  });
});

describe('hisWrite', () => {
  it('sorts and merges: out of order and duplicate timestamps, later writes replace', async () => {
    const w = (rows: Record<string, unknown>[]) =>
      post(f, 'hisWrite', Grid.make({ meta: { id: new Ref('temp') }, cols: ['ts', 'val'], rows }));
    await w([
      { ts: ny('2024-06-01T03:00:00-04:00'), val: new Num(3) },
      { ts: ny('2024-06-01T01:00:00-04:00'), val: new Num(1) },
      { ts: ny('2024-06-01T03:00:00-04:00'), val: new Num(33) },
    ]);
    await w([
      { ts: ny('2024-06-01T02:00:00-04:00'), val: new Num(2) },
      { ts: ny('2024-06-01T01:00:00-04:00'), val: new Num(11, '°F') },
    ]);
    const g = await get(f, 'hisRead?id=@temp&range=today');
    expect(g.rows.map((r) => String(r.get('val')))).toEqual(['11°F', '2', '33']);
  });

  it('rejects wrong kinds, units, zones and points without his, writing nothing', async () => {
    const bad = async (rows: Record<string, unknown>[], id = 'temp') =>
      (await post(f, 'hisWrite', Grid.make({ meta: { id: new Ref(id) }, cols: ['ts', 'val'], rows }))).meta.get(
        'errCode',
      );
    const ts = ny('2024-06-01T01:00:00-04:00');
    expect(
      await bad([
        { ts: ny('2024-06-01T00:00:00-04:00'), val: new Num(1) },
        { ts, val: 'hot' },
      ]),
    ).toBe('HS_ERR_BAD_REQUEST');
    expect(await bad([{ ts, val: new Num(1, 'kW') }])).toBe('HS_ERR_BAD_REQUEST');
    expect(await bad([{ ts: HDateTime.parse('2024-06-01T05:00:00Z UTC'), val: new Num(1) }])).toBe(
      'HS_ERR_BAD_REQUEST',
    );
    expect(await bad([{ ts: 'yesterday', val: new Num(1) }])).toBe('HS_ERR_BAD_REQUEST');
    expect(await bad([{ ts, val: new Num(1) }], 'sp')).toBe('HS_ERR_BAD_REQUEST');
    expect(await bad([{ ts, val: new Num(1) }], 'nope')).toBe('HS_ERR_UNKNOWN_REC');
    expect((await get(f, 'hisRead?id=@temp&range=today')).size).toBe(0);
  });

  it('refuses a unit for a Number point configured without one (no unit conversion)', async () => {
    const tags = { id: new Ref('count'), point: MARKER, his: MARKER, kind: 'Number', tz: 'New_York' };
    await f.store.commit([{ op: 'add', tags: Dict.of(tags) }]);
    const write = (val: Num) =>
      post(
        f,
        'hisWrite',
        Grid.make({
          meta: { id: new Ref('count') },
          cols: ['ts', 'val'],
          rows: [{ ts: ny('2024-06-01T01:00:00-04:00'), val }],
        }),
      );
    expect((await write(new Num(5, 'kW'))).meta.get('errCode')).toBe('HS_ERR_BAD_REQUEST');
    expect((await get(f, 'hisRead?id=@count&range=today')).size).toBe(0);
    expect((await write(new Num(5))).isError).toBe(false);
  });

  it('takes NA for a point of any kind: a sample in error (Kinds chapter, NA)', async () => {
    const rows = [
      { ts: ny('2024-06-01T01:00:00-04:00'), val: new Num(1, '°F') },
      { ts: ny('2024-06-01T02:00:00-04:00'), val: NA },
    ];
    const w = await post(f, 'hisWrite', Grid.make({ meta: { id: new Ref('temp') }, cols: ['ts', 'val'], rows }));
    expect(w.isError).toBe(false);
    const batch = Grid.make({
      cols: ['ts', { name: 'v0', meta: { id: new Ref('occ') } }],
      rows: [{ ts: ny('2024-06-01T02:00:00-04:00'), v0: NA }],
    });
    expect((await post(f, 'hisWrite', batch)).isError).toBe(false);
    expect((await get(f, 'hisRead?id=@temp&range=today')).rows.map((r) => r.get('val'))).toEqual([
      new Num(1, '°F'),
      NA,
    ]);
    expect((await get(f, 'hisRead?id=@occ&range=today')).row(0).get('val')).toBe(NA);
  });

  it('batch writes with an id in each value column meta', async () => {
    const g = Grid.make({
      cols: ['ts', { name: 'v0', meta: { id: new Ref('temp') } }, { name: 'v1', meta: { id: new Ref('occ') } }],
      rows: [
        { ts: ny('2024-06-01T01:00:00-04:00'), v0: new Num(1), v1: true },
        { ts: ny('2024-06-01T02:00:00-04:00'), v0: new Num(2) },
      ],
    });
    expect((await post(f, 'hisWrite', g)).isError).toBe(false);
    expect((await get(f, 'hisRead?id=@temp&range=today')).size).toBe(2);
    expect((await get(f, 'hisRead?id=@occ&range=today')).size).toBe(1);
  });

  it('writes a batch all or none: a point removed meanwhile leaves every point unwritten', async () => {
    // Failure injection: `occ` is removed between the op's checks and its write, as a concurrent remove would be.
    const store = f.store;
    const removeOcc = () => store.commit([{ op: 'remove', id: 'occ' }]);
    const racing: StorageAdapter = {
      ...store,
      hisWrite: async (id, items) => {
        if (id === 'occ') await removeOcc();
        return store.hisWrite(id, items);
      },
      hisWriteBatch: async (writes) => {
        await removeOcc();
        return store.hisWriteBatch(writes);
      },
    };
    const server = createServer({ store: racing, noAuth: true, tz: 'New_York' });
    const { url } = await server.listen(0, '127.0.0.1');
    try {
      const g = Grid.make({
        cols: ['ts', { name: 'v0', meta: { id: new Ref('temp') } }, { name: 'v1', meta: { id: new Ref('occ') } }],
        rows: [{ ts: ny('2024-06-01T01:00:00-04:00'), v0: new Num(1), v1: true }],
      });
      const res = await fetch(`${url}hisWrite`, {
        method: 'POST',
        headers: { 'content-type': 'text/zinc', accept: 'text/zinc' },
        body: encodeZinc(g),
      });
      expect((decodeZinc(await res.text()) as Grid).meta.get('errCode')).toBe('HS_ERR_UNKNOWN_REC');
      expect(await store.hisCount('temp')).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('writes columns naming one point as one write, the later column winning at a shared ts', async () => {
    const t1 = ny('2024-06-01T01:00:00-04:00');
    const t2 = ny('2024-06-01T02:00:00-04:00');
    const g = Grid.make({
      cols: [
        'ts',
        { name: 'v0', meta: { id: new Ref('temp') } },
        { name: 'v1', meta: { id: new Ref('occ') } },
        { name: 'v2', meta: { id: new Ref('temp') } },
      ],
      rows: [
        { ts: t1, v0: new Num(1), v1: true, v2: new Num(10) },
        { ts: t2, v0: new Num(2) },
      ],
    });
    expect((await post(f, 'hisWrite', g)).isError).toBe(false);
    const temp = await get(f, 'hisRead?id=@temp&range=today');
    expect(temp.rows.map((r) => String(r.get('val')))).toEqual(['10', '2']);
    expect((await get(f, 'hisRead?id=@occ&range=today')).size).toBe(1);
  });

  it('refuses more samples than the limit', async () => {
    const small = await startFixture({ limits: { maxHisWriteItems: 2 } });
    try {
      const rows = [1, 2, 3].map((h) => ({ ts: ny(`2024-06-01T0${h}:00:00-04:00`), val: new Num(h) }));
      const x = await call(small, 'hisWrite', {
        body: `ver:"3.0" id:@temp\nts,val\n${rows.map((r) => `${r.ts.toString()},${r.val.val}`).join('\n')}\n`,
        contentType: 'text/zinc',
      });
      expect(gridOf(x).meta.get('errCode')).toBe('HS_ERR_LIMIT');
    } finally {
      await small.close();
    }
  });
});
