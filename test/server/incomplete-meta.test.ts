// HttpApi, Incomplete Data: an answer a `limit` cut short carries `incomplete: {dis, limit}` in its grid meta, in
// every format that has grid meta; an answer that all fits (or merely reaches its limit) carries nothing.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTrio } from '../../src/core/codec/trio/index.js';
import { Dict } from '../../src/core/grid/dict.js';
import type { Grid } from '../../src/core/grid/grid.js';
import { Num } from '../../src/core/kinds/number.js';
import { call, type Fixture, get, gridOf, ids, startFixture } from './support/server-fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(async () => {
  await f.close();
});

// The `incomplete` dict of an answer: a Dict with a Str `dis` and the Number `limit` reached.
function incompleteOf(g: Grid): { dis: unknown; limit: unknown } | undefined {
  const v = g.meta.get('incomplete');
  if (v === null) return undefined;
  expect(v).toBeInstanceOf(Dict);
  const d = v as Dict;
  return { dis: d.get('dis'), limit: d.get('limit') };
}

describe('defs, libs, ops and filetypes', () => {
  it.each(['defs', 'ops', 'filetypes'])('%s cut by limit=1 says incomplete, with dis and limit', async (op) => {
    const g = await get(f, `${op}?limit=1`);
    expect(g.size).toBe(1);
    const inc = incompleteOf(g);
    expect(typeof inc?.dis).toBe('string');
    expect(inc?.limit).toEqual(new Num(1));
  });

  it('not when the limit is reached exactly or not reached, nor without a limit', async () => {
    const all = await get(f, 'defs');
    expect(incompleteOf(all)).toBeUndefined();
    expect(incompleteOf(await get(f, `defs?limit=${String(all.size)}`))).toBeUndefined();
    expect(incompleteOf(await get(f, `defs?limit=${String(all.size + 5)}`))).toBeUndefined();
    // libs has one lib here: a limit of 1 cuts nothing.
    expect(incompleteOf(await get(f, 'libs?limit=1'))).toBeUndefined();
    const cut = await get(f, `defs?limit=${String(all.size - 1)}`);
    expect(incompleteOf(cut)?.limit).toEqual(new Num(all.size - 1));
  });

  it('counts only the defs the filter keeps', async () => {
    const ops = await get(f, 'defs?filter=noSideEffects');
    expect(ops.size).toBeGreaterThan(1);
    expect(incompleteOf(await get(f, `defs?filter=noSideEffects&limit=${String(ops.size)}`))).toBeUndefined();
    expect(incompleteOf(await get(f, `defs?filter=noSideEffects&limit=${String(ops.size - 1)}`))).toBeDefined();
  });
});

describe('read by filter', () => {
  it('limit below the matches: the first rows and incomplete', async () => {
    const g = await get(f, 'read?filter=site&limit=1');
    expect(g.size).toBe(1);
    expect(incompleteOf(g)?.limit).toEqual(new Num(1));
  });

  it('limit=0 with matches is incomplete too', async () => {
    const g = await get(f, 'read?filter=site&limit=0');
    expect(g.size).toBe(0);
    expect(incompleteOf(g)?.limit).toEqual(new Num(0));
  });

  it('not when every match fits, nor for a read by id', async () => {
    const exact = await get(f, 'read?filter=site&limit=2');
    expect(ids(exact).sort()).toEqual(['s1', 's2']);
    expect(incompleteOf(exact)).toBeUndefined();
    expect(incompleteOf(await get(f, 'read?filter=site'))).toBeUndefined();
    expect(incompleteOf(await get(f, 'read?filter=nothingHasThis&limit=1'))).toBeUndefined();
    expect(incompleteOf(await get(f, 'read?id=@s1'))).toBeUndefined();
  });
});

describe('in every format with grid meta', () => {
  it.each(['text/zinc', 'application/json', 'application/vnd.haystack+json;version=3'])('%s', async (accept) => {
    for (const op of ['read?filter=site&limit=1', 'defs?limit=1']) {
      const x = await call(f, op, { accept });
      expect(x.status).toBe(200);
      expect(incompleteOf(gridOf(x))?.limit, `${accept} ${op}`).toEqual(new Num(1));
    }
  });

  it('Trio and CSV, which carry no grid meta, still answer the rows', async () => {
    const trio = await call(f, 'read?filter=site&limit=1', { accept: 'text/trio' });
    expect(trio.status).toBe(200);
    expect(decodeTrio(trio.text).size).toBe(1);
    const csv = await call(f, 'read?filter=site&limit=1', { accept: 'text/csv' });
    expect(csv.status).toBe(200);
    expect(csv.text.trim().split('\n')).toHaveLength(2);
  });
});
