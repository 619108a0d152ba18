// pointWrite: reading the 17-level array, writing levels with who and duration, the effective value on the point.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Grid } from '../../src/core/grid/grid.js';
import { Num } from '../../src/core/kinds/number.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { type Fixture, post, startFixture } from './support/server-fixture.js';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(async () => {
  await f.close();
});

const write = (row: Record<string, unknown>): Promise<Grid> =>
  post(f, 'pointWrite', Grid.fromDicts([{ id: new Ref('sp'), ...row }]));
const readArray = (): Promise<Grid> => post(f, 'pointWrite', Grid.fromDicts([{ id: new Ref('sp') }]));
const point = async () => (await f.store.readByIds(['sp']))[0];

describe('pointWrite', () => {
  it('reads an empty array as 17 levels with level names', async () => {
    const g = await readArray();
    expect(g.size).toBe(17);
    expect(g.colNames.slice(0, 4)).toEqual(['level', 'levelDis', 'val', 'who']);
    expect(g.row(0).get('levelDis')).toBe('emergency');
    expect(g.row(7).get('levelDis')).toBe('manual');
    expect(g.row(16).get('levelDis')).toBe('default');
    expect(g.rows.every((r) => !r.has('val'))).toBe(true);
  });

  it('writes levels; the highest-priority one becomes writeVal and curVal', async () => {
    expect((await write({ level: new Num(17), val: new Num(70, '°F'), who: 'schedule' })).isError).toBe(false);
    expect((await point())?.get('curVal')).toEqual(new Num(70, '°F'));
    await write({ level: new Num(8), val: new Num(72, '°F') });
    const p = await point();
    expect(p?.get('writeVal')).toEqual(new Num(72, '°F'));
    expect(p?.get('writeLevel')).toEqual(new Num(8));
    expect(p?.get('curVal')).toEqual(new Num(72, '°F'));
    const g = await readArray();
    expect(g.row(7).get('val')).toEqual(new Num(72, '°F'));
    expect(g.row(7).get('who')).toBe('anonymous');
    expect(g.row(16).get('who')).toBe('schedule');
  });

  it('releases a level with a null val', async () => {
    await write({ level: new Num(17), val: new Num(70) });
    await write({ level: new Num(8), val: new Num(72) });
    await write({ level: new Num(8) });
    expect((await point())?.get('curVal')).toEqual(new Num(70));
  });

  it('expires a timed override after its duration', async () => {
    await write({ level: new Num(17), val: new Num(70) });
    await write({ level: new Num(8), val: new Num(75), duration: new Num(10, 'min') });
    expect((await point())?.get('curVal')).toEqual(new Num(75));
    f.clock.advance(10 * 60_000 + 1);
    expect((await point())?.get('curVal')).toEqual(new Num(70));
  });

  it('rejects a wrong kind, a wrong unit, a bad level, and a point that is not writable', async () => {
    expect((await write({ level: new Num(8), val: 'hot' })).meta.get('errCode')).toBe('HS_ERR_BAD_REQUEST');
    expect((await write({ level: new Num(8), val: new Num(20, '°C') })).meta.get('errCode')).toBe('HS_ERR_BAD_REQUEST');
    expect((await write({ level: new Num(18), val: new Num(70) })).meta.get('errCode')).toBe('HS_ERR_BAD_REQUEST');
    const notWritable = await post(f, 'pointWrite', Grid.fromDicts([{ id: new Ref('temp') }]));
    expect(notWritable.meta.get('errCode')).toBe('HS_ERR_BAD_REQUEST');
    const unknown = await post(f, 'pointWrite', Grid.fromDicts([{ id: new Ref('nope') }]));
    expect(unknown.meta.get('errCode')).toBe('HS_ERR_UNKNOWN_REC');
  });

  it('refuses a request of several rows whole (Ops: a single row), writing none of them', async () => {
    const req = Grid.fromDicts([
      { id: new Ref('sp'), level: new Num(8), val: new Num(72, '°F') },
      { id: new Ref('sp'), level: new Num(9), val: new Num(73, '°F') },
    ]);
    const g = await post(f, 'pointWrite', req);
    expect(g.meta.get('errCode')).toBe('HS_ERR_BAD_REQUEST');
    expect(g.meta.get('dis')).toBe('pointWrite takes a single row, not 2');
    const array = await readArray();
    expect(array.rows.filter((r) => r.has('val'))).toEqual([]);
    expect((await point())?.has('writeVal')).toBe(false);
  });
});
