// invokeAction: entity actions and global ones from the registry, arguments from the request row, errors.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dict } from '../../src/core/grid/dict.js';
import { Grid } from '../../src/core/grid/grid.js';
import { Num } from '../../src/core/kinds/number.js';
import { Ref } from '../../src/core/kinds/ref.js';
import type { ActionDef } from '../../src/server/index.js';
import { call, type Fixture, post, startFixture } from './support/server-fixture.js';

const seen: string[] = [];
const actions: ActionDef[] = [
  {
    name: 'ping',
    handler: (target) => Grid.fromDicts([{ pong: target.dis() }]),
  },
  {
    name: 'setDis',
    entityId: 'ahu1',
    handler: async (target, args, ctx) => {
      const id = target.id?.id ?? '';
      await ctx.store.commit([{ op: 'update', id, changes: Dict.of({ dis: args.get('dis') }) }]);
      seen.push(`${ctx.principal.username}:${id}`);
      return undefined;
    },
  },
];

let f: Fixture;
beforeAll(async () => {
  f = await startFixture({ actions });
});
afterAll(async () => {
  await f.close();
});

function invoke(id: string, action: string, args: Record<string, unknown> = {}): Promise<Grid> {
  const names = Object.keys(args);
  const req = Grid.make({
    meta: { id: new Ref(id), action },
    cols: names.length > 0 ? names : ['empty'],
    rows: names.length > 0 ? [args] : [],
  });
  return post(f, 'invokeAction', req);
}

describe('invokeAction', () => {
  it('runs a global action on any entity and answers its grid', async () => {
    const g = await invoke('s1', 'ping');
    expect(g.row(0).get('pong')).toBe('Alpha');
  });

  it('runs an entity action with the request row as arguments; an empty grid when it returns nothing', async () => {
    const g = await invoke('ahu1', 'setDis', { dis: 'Air Handler 1' });
    expect(g.isError).toBe(false);
    expect(g.size).toBe(0);
    expect((await f.store.readByIds(['ahu1']))[0]?.get('dis')).toBe('Air Handler 1');
    expect(seen).toEqual(['anonymous:ahu1']);
  });

  it('an entity action is not available on other entities', async () => {
    const g = await invoke('vav1', 'setDis', { dis: 'x' });
    expect(g.meta.get('errCode')).toBe('HS_ERR_UNKNOWN_NAME');
  });

  it('unknown actions, unknown targets and missing meta give error grids', async () => {
    expect((await invoke('s1', 'explode')).meta.get('errCode')).toBe('HS_ERR_UNKNOWN_NAME');
    expect((await invoke('nope', 'ping')).meta.get('errCode')).toBe('HS_ERR_UNKNOWN_REC');
    const noMeta = await post(f, 'invokeAction', Grid.fromDicts([{ n: new Num(1) }]));
    expect(noMeta.meta.get('errCode')).toBe('HS_ERR_BAD_REQUEST');
  });

  it('a request of several rows is refused before the action runs (Ops: a single row of arguments)', async () => {
    const req = Grid.make({
      meta: { id: new Ref('ahu1'), action: 'setDis' },
      cols: ['dis'],
      rows: [{ dis: 'First' }, { dis: 'Second' }],
    });
    const before = seen.length;
    const g = await post(f, 'invokeAction', req);
    expect(g.meta.get('errCode')).toBe('HS_ERR_BAD_REQUEST');
    expect(g.meta.get('dis')).toBe('invokeAction takes a single row, not 2');
    expect(seen.length).toBe(before);
    expect((await f.store.readByIds(['ahu1']))[0]?.get('dis')).not.toBe('First');
  });

  it('actions registered later are available at once', async () => {
    f.server.handler.actions.register({ name: 'late', handler: () => Grid.fromDicts([{ ok: 'yes' }]) });
    expect((await invoke('s2', 'late')).row(0).get('ok')).toBe('yes');
  });

  it('needs POST', async () => {
    expect((await call(f, 'invokeAction?id=@s1&action=ping')).status).toBe(405);
  });
});
