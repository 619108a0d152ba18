// The client against our own server over real HTTP: every op, every format, streaming history, error paths.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientFormat, dateRange, dateTimeRange, HaystackClient, TODAY } from '../../src/client/index.js';
import { HisRows } from '../../src/core/codec/zinc/index.js';
import { CallError } from '../../src/core/errors.js';
import { dict } from '../../src/core/grid/dict.js';
import { Grid } from '../../src/core/grid/grid.js';
import { HDate } from '../../src/core/kinds/date.js';
import { HDateTime } from '../../src/core/kinds/date-time.js';
import { MARKER } from '../../src/core/kinds/marker.js';
import { Num } from '../../src/core/kinds/number.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { createServer, type HaystackServer } from '../../src/server/index.js';
import { createMemoryStore } from '../../src/storage/memory/index.js';

const NOW = Date.UTC(2026, 0, 15, 17, 0, 0); // 12:00 in New_York
const HIS_ROWS = 50_000;

describe('client against our server', () => {
  let server: HaystackServer;
  let url: string;
  const clock = NOW;
  const actionCalls: string[] = [];

  beforeAll(async () => {
    const store = createMemoryStore({ clock: () => clock });
    await store.commit([
      { op: 'add', tags: dict({ id: new Ref('s1'), dis: 'Site 1', site: MARKER, tz: 'New_York' }) },
      { op: 'add', tags: dict({ id: new Ref('e1'), dis: 'AHU 1', equip: MARKER, siteRef: new Ref('s1') }) },
      {
        op: 'add',
        tags: dict({
          id: new Ref('p1'),
          dis: 'Temp',
          point: MARKER,
          his: MARKER,
          kind: 'Number',
          unit: '°F',
          tz: 'New_York',
          siteRef: new Ref('s1'),
          equipRef: new Ref('e1'),
        }),
      },
      {
        op: 'add',
        tags: dict({
          id: new Ref('sp1'),
          dis: 'Setpoint',
          point: MARKER,
          writable: MARKER,
          his: MARKER,
          kind: 'Number',
          unit: '°F',
          tz: 'New_York',
          siteRef: new Ref('s1'),
          equipRef: new Ref('e1'),
        }),
      },
    ]);
    // A long history ending now: every 15 s.
    const items = Array.from({ length: HIS_ROWS }, (_, i) => ({
      ts: NOW - (HIS_ROWS - i) * 15_000,
      val: new Num(60 + (i % 200) / 10, '°F'),
    }));
    await store.hisWrite('p1', items);
    server = createServer({
      store,
      noAuth: true,
      clock: () => clock,
      tz: 'New_York',
      actions: [
        {
          name: 'reset',
          handler: (target) => {
            actionCalls.push(target.id?.id ?? '');
            return undefined;
          },
        },
      ],
    });
    url = (await server.listen(0, '127.0.0.1')).url;
  });

  afterAll(async () => {
    await server.close();
  });

  for (const format of ['zinc', 'json', 'json3'] as ClientFormat[]) {
    it(`reads with ${format}: about, ops, formats, read, readByIds, nav`, async () => {
      const c = new HaystackClient({ url, format });
      const about = await c.about();
      expect(about.get('productName')).toBe('haystack-ts');
      expect((await c.ops()).column('def').map(String)).toEqual(
        expect.arrayContaining(['^op:about', '^op:read', '^op:hisRead', '^op:watchSub']),
      );
      expect((await c.formats()).column('mime')).toEqual(expect.arrayContaining(['text/zinc', 'application/json']));
      const points = await c.read('point', { limit: 1 });
      expect(points.size).toBe(1);
      const byIds = await c.readByIds(['p1', 'nope', 's1']);
      expect(byIds.size).toBe(3);
      expect(byIds.row(0).id?.id).toBe('p1');
      expect(byIds.row(1).isEmpty).toBe(true);
      expect(byIds.row(2).id?.id).toBe('s1');
      const root = await c.nav();
      expect(root.size).toBeGreaterThan(0);
      const navId = root.first?.get('navId') ?? null;
      expect((await c.nav(navId)).size).toBeGreaterThan(0);
    });
  }

  it('streams a long history into typed columns and row by row', async () => {
    const c = new HaystackClient({ url });
    const range = dateTimeRange(
      HDateTime.fromEpochMs(NOW - HIS_ROWS * 15_000, 'New_York'),
      HDateTime.fromEpochMs(NOW, 'New_York'),
    );
    const his = await c.hisRead('p1', range);
    expect(his.size).toBe(HIS_ROWS);
    expect(his.rowSource).toBeInstanceOf(HisRows);
    expect(his.meta.get('id')).toEqual(expect.objectContaining({ id: 'p1' }));
    let rows = 0;
    let header = false;
    for await (const e of c.hisReadStream('p1', range)) {
      if (e.type === 'header') header = true;
      else rows++;
    }
    expect(header).toBe(true);
    expect(rows).toBe(HIS_ROWS);
    // Stopping early is fine: the connection is released.
    for await (const e of c.hisReadStream('p1', range)) if (e.type === 'row') break;
    expect((await c.hisRead('p1', TODAY)).size).toBeGreaterThan(0);
    expect((await c.hisRead('p1', dateRange(new HDate(2026, 1, 14), new HDate(2026, 1, 14)))).size).toBe(86_400 / 15);
  }, 60_000);

  for (const format of ['zinc', 'json', 'json3'] as ClientFormat[]) {
    it(`answers plain rows when a call asks for plain (${format})`, async () => {
      const c = new HaystackClient({ url, format });
      const points = await c.read('point and his', { plain: true, limit: 10 });
      expect(points).toEqual(
        expect.arrayContaining([expect.objectContaining({ id: 'p1', point: true, unit: '°F', tz: 'New_York' })]),
      );
      const day = dateRange(new HDate(2026, 1, 14), new HDate(2026, 1, 14));
      const his = await c.hisRead('p1', day, { plain: { units: true, dateTimes: 'date' } });
      expect(his).toHaveLength(86_400 / 15);
      const first = his[0] as { ts: Date; val: { val: number; unit: string } };
      expect(first.ts).toBeInstanceOf(Date);
      expect(first.val.unit).toBe('°F');
      expect(await c.readByIds(['s1'], { plain: true })).toEqual([expect.objectContaining({ id: 's1', site: true })]);
      expect(await c.hisRead('p1', day)).toBeInstanceOf(Grid);
      await expect(c.invokeAction('nope', 'nope', {}, { plain: true })).rejects.toBeInstanceOf(CallError);
    });
  }

  it('writes history and reads it back; a wrong kind is a CallError', async () => {
    const c = new HaystackClient({ url });
    const t0 = HDateTime.fromEpochMs(NOW + 60_000, 'New_York');
    await c.hisWrite('sp1', [
      { ts: t0, val: new Num(70, '°F') },
      { ts: t0.plusMillis(60_000), val: new Num(71, '°F') },
    ]);
    const back = await c.hisRead('sp1', dateTimeRange(t0, t0.plusMillis(120_000)));
    expect(back.column('val').map(String)).toEqual(['70°F', '71°F']);
    await expect(c.hisWrite('sp1', [{ ts: t0, val: 'text' }])).rejects.toBeInstanceOf(CallError);
  });

  it('batch-reads history of several points', async () => {
    const c = new HaystackClient({ url });
    const grid = await c.hisReadMany(['p1', 'sp1'], TODAY);
    expect(grid.colNames.slice(0, 3)).toEqual(['ts', 'v0', 'v1']);
    expect(grid.col('v0')?.meta.get('id')).toEqual(expect.objectContaining({ id: 'p1' }));
  });

  it('writes a priority array level and reads the array back', async () => {
    const c = new HaystackClient({ url });
    await c.pointWrite('sp1', 8, new Num(72, '°F'), { who: 'tester' });
    const arr = await c.pointWriteArray('sp1');
    expect(arr.size).toBe(17);
    const l8 = arr.rows.find((r) => String(r.get('level')) === '8');
    expect(String(l8?.get('val'))).toBe('72°F');
    expect(l8?.get('who')).toBe('tester');
    const point = (await c.readByIds(['sp1'])).first;
    expect(String(point?.get('writeVal'))).toBe('72°F');
    await c.pointWrite('sp1', 8, null);
    expect((await c.readByIds(['sp1'])).first?.has('writeVal')).toBe(false);
  });

  it('invokes an action, and an unknown action is a CallError', async () => {
    const c = new HaystackClient({ url });
    await c.invokeAction('e1', 'reset');
    expect(actionCalls).toEqual(['e1']);
    const err = await c.invokeAction('e1', 'explode').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CallError);
  });

  it('watches: open, poll changes, refresh, remove, close', async () => {
    const c = new HaystackClient({ url });
    const w = await c.watch(['p1', 'sp1'], { leaseMs: 60_000 });
    expect(w.entities.size).toBe(2);
    expect(await w.poll()).toHaveLength(0);
    await c.pointWrite('sp1', 10, new Num(68, '°F'));
    const changed = await w.poll();
    expect(changed.map((d) => d.id?.id)).toEqual(['sp1']);
    expect(String(w.entities.get('sp1')?.get('writeVal'))).toBe('68°F');
    expect(await w.refresh()).toHaveLength(2);
    await w.remove(['p1']);
    expect([...w.entities.keys()]).toEqual(['sp1']);
    await w.close();
    await expect(c.call('watchPoll', Grid.make({ meta: { watchId: w.id }, cols: [] }))).rejects.toBeInstanceOf(
      CallError,
    );
  });

  it('a watch the server no longer knows is opened anew on poll, add and remove (Ops chapter)', async () => {
    const c = new HaystackClient({ url });
    // What the end of a lease does: the server forgets the watch, and answers its id with an error grid.
    const forget = (id: string) => c.call('watchUnsub', Grid.make({ meta: { watchId: id, close: MARKER }, cols: [] }));
    const w = await c.watch(['p1', 'sp1']);
    const first = w.id;
    await forget(first);
    // poll: a new watch of the same ids, every entity returned as a change.
    const all = await w.poll();
    expect(all.map((d) => d.id?.id).sort()).toEqual(['p1', 'sp1']);
    expect(w.id).not.toBe(first);
    expect(await w.poll()).toHaveLength(0);
    await c.pointWrite('sp1', 10, new Num(66, '°F'));
    expect((await w.poll()).map((d) => d.id?.id)).toEqual(['sp1']);
    // add: the new watch holds the old ids and the added one.
    await forget(w.id);
    const added = await w.add(['e1']);
    expect(added.map((d) => d.id?.id).sort()).toEqual(['e1', 'p1', 'sp1']);
    expect([...w.entities.keys()].sort()).toEqual(['e1', 'p1', 'sp1']);
    // remove: the new watch holds the ids left.
    await forget(w.id);
    await w.remove(['p1']);
    expect([...w.entities.keys()].sort()).toEqual(['e1', 'sp1']);
    expect((await w.refresh()).map((d) => d.id?.id).sort()).toEqual(['e1', 'sp1']);
    await c.pointWrite('sp1', 10, null);
    await w.close();
  });

  it('watch changes() yields batches until aborted, with an injected delay', async () => {
    const c = new HaystackClient({ url });
    const w = await c.watch(['sp1']);
    const controller = new AbortController();
    let writes = 0;
    const delay = async (): Promise<void> => {
      // Each "tick" makes one change; the third stops the iteration.
      if (++writes > 2) controller.abort();
      else await c.pointWrite('sp1', 9, new Num(60 + writes, '°F'));
    };
    const batches: string[] = [];
    for await (const batch of w.changes({ intervalMs: 10, signal: controller.signal, delay })) {
      batches.push(String(batch[0]?.get('writeVal')));
    }
    expect(batches).toEqual(['61°F', '62°F']);
    await c.pointWrite('sp1', 9, null);
    await w.close();
  });

  it('defs, libs and filetypes answer grids', async () => {
    const c = new HaystackClient({ url });
    expect((await c.defs()).size).toBeGreaterThan(0);
    expect((await c.libs()).size).toBeGreaterThan(0);
    expect((await c.filetypes()).size).toBeGreaterThan(0);
  });

  it('turns error grids into CallErrors with the server message', async () => {
    const c = new HaystackClient({ url });
    const bad = await c.read('point and (').catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(CallError);
    const unknownOp = await c.call('noSuchOp').catch((e: unknown) => e);
    expect(unknownOp).toBeInstanceOf(CallError);
    expect((unknownOp as CallError).message).toContain('noSuchOp');
    const badRange = await c.hisRead('p1', 'not a range').catch((e: unknown) => e);
    expect(badRange).toBeInstanceOf(CallError);
  });
});
