// Ops chapter requirements pinned over real sockets where no other test holds them: the batch hisRead's zones.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Dict } from '../../src/core/grid/dict.js';
import { Grid } from '../../src/core/grid/grid.js';
import { HDateTime } from '../../src/core/kinds/date-time.js';
import { MARKER } from '../../src/core/kinds/marker.js';
import { Num } from '../../src/core/kinds/number.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { type Fixture, post, startFixture } from './support/server-fixture.js';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
  // A second historized point, in another zone than the fixture's New_York points.
  await f.store.commit([
    {
      op: 'add',
      tags: Dict.of({ id: new Ref('chi'), point: MARKER, his: MARKER, kind: 'Number', tz: 'Chicago' }),
    },
  ]);
  const write = (id: string, ts: string, val: number) =>
    post(f, 'hisWrite', Grid.make({ meta: { id: new Ref(id) }, cols: ['ts', 'val'], rows: [sample(ts, val)] }));
  expect((await write('temp', '2024-05-31T23:30:00-04:00 New_York', 1)).isError).toBe(false);
  expect((await write('chi', '2024-05-31T12:00:00-05:00 Chicago', 2)).isError).toBe(false);
});
afterEach(async () => {
  await f.close();
});

function sample(ts: string, val: number): Record<string, unknown> {
  return { ts: HDateTime.parse(ts), val: new Num(val, ts.includes('New_York') ? '°F' : undefined) };
}

const batch = (meta: Record<string, unknown>, ids: readonly string[]): Promise<Grid> =>
  post(f, 'hisRead', Grid.make({ meta, cols: ['id'], rows: ids.map((id) => ({ id: new Ref(id) })) }));

describe('batch hisRead time zones (Ops, Batch HisRead)', () => {
  it('needs a tz in the meta for points of different zones, and answers in that zone when given one', async () => {
    const mixed = await batch({ range: '2024-05-31' }, ['temp', 'chi']);
    expect(mixed.meta.get('errCode')).toBe('HS_ERR_BAD_REQUEST');
    const g = await batch({ range: '2024-05-31', tz: 'Chicago' }, ['temp', 'chi']);
    expect(g.isError).toBe(false);
    // The dates run midnight to midnight in the zone asked for, and every timestamp is shown in it.
    expect(String(g.meta.get('hisStart'))).toBe('2024-05-31T00:00:00-05:00 Chicago');
    expect(String(g.meta.get('hisEnd'))).toBe('2024-06-01T00:00:00-05:00 Chicago');
    expect(g.rows.map((r) => String(r.get('ts')))).toEqual([
      '2024-05-31T12:00:00-05:00 Chicago',
      '2024-05-31T22:30:00-05:00 Chicago',
    ]);
    expect(g.col('v0')?.meta.get('id')).toBeInstanceOf(Ref);
    expect(g.row(0).has('v0')).toBe(false);
    expect(g.row(1).get('v0')).toEqual(new Num(1, '°F'));
  });

  it("answers a batch of one zone in that zone, a tz in the meta overriding it (range dates in the tz's days)", async () => {
    const own = await batch({ range: '2024-05-31' }, ['temp']);
    expect(String(own.meta.get('hisStart'))).toBe('2024-05-31T00:00:00-04:00 New_York');
    expect(own.size).toBe(1);
    const utc = await batch({ range: '2024-05-31', tz: 'UTC' }, ['temp']);
    expect(String(utc.meta.get('hisStart'))).toBe('2024-05-31T00:00:00Z UTC');
    // 23:30 New_York is 03:30 UTC the next day: outside the UTC day asked for.
    expect(utc.size).toBe(0);
  });
});
