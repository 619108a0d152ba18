// Storage contract, reads by filter: real filters, id order, limits, and the same answer as evaluating in process.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { refResolver } from '../../core/filter/filter.js';
import { parseFilter } from '../../core/filter/parse-filter.js';
import { Dict } from '../../core/grid/dict.js';
import { MARKER, REMOVE } from '../../core/kinds/marker.js';
import { Num } from '../../core/kinds/number.js';
import { Ref } from '../../core/kinds/ref.js';
import type { CommitDiff, StorageAdapter } from '../adapter.js';
import type { Harness } from './harness.js';
import { addEntities, idsOf } from './helpers.js';

/** Options of the read section. */
export interface ReadContractOptions {
  /** Runs of the property test comparing the store with in-process evaluation (default 60). */
  readonly propertyRuns?: number;
}

const site = (id: string, dis: string, area: number): Record<string, unknown> => ({
  id: new Ref(id),
  dis,
  site: MARKER,
  area: new Num(area, 'ft²'),
});

/** A small building: two sites, three equips, points, a point whose equip is missing, a meter on both sites. */
export const READ_FIXTURE: readonly Readonly<Record<string, unknown>>[] = Object.freeze([
  site('s1', 'Alpha', 1000),
  site('s2', 'Beta', 5000),
  { id: new Ref('e1'), dis: 'AHU-1', equip: MARKER, ahu: MARKER, siteRef: new Ref('s1') },
  { id: new Ref('e2'), dis: 'VAV-1', equip: MARKER, vav: MARKER, siteRef: new Ref('s1'), equipRef: new Ref('e1') },
  { id: new Ref('e3'), dis: 'AHU-2', equip: MARKER, ahu: MARKER, siteRef: new Ref('s2') },
  point('p1', 'e1', 's1', { his: MARKER, sensor: MARKER, kind: 'Number', curVal: new Num(72, '°F') }),
  point('p2', 'e2', 's1', { cmd: MARKER, kind: 'Bool', curVal: true }),
  point('p3', 'e3', 's2', { his: MARKER, sensor: MARKER, kind: 'Number', curVal: new Num(55, '°F') }),
  point('p4', 'e3', 's2', { his: MARKER, sp: MARKER, writable: MARKER, kind: 'Number', curVal: new Num(68, '°F') }),
  point('x1', 'missing', 's9', { kind: 'Str', curVal: 'orphan' }),
  { id: new Ref('m1'), dis: 'Main meter', meter: MARKER, siteRef: Object.freeze([new Ref('s1'), new Ref('s2')]) },
]);

function point(id: string, equip: string, siteId: string, tags: Record<string, unknown>): Record<string, unknown> {
  return {
    id: new Ref(id),
    dis: id.toUpperCase(),
    point: MARKER,
    siteRef: new Ref(siteId),
    equipRef: new Ref(equip),
    ...tags,
  };
}

/** Filters over {@link READ_FIXTURE} and the ids they match, in id order. */
export const READ_CASES: readonly (readonly [string, readonly string[]])[] = Object.freeze([
  ['site', ['s1', 's2']],
  ['point', ['p1', 'p2', 'p3', 'p4', 'x1']],
  ['point and his', ['p1', 'p3', 'p4']],
  ['not point', ['e1', 'e2', 'e3', 'm1', 's1', 's2']],
  ['equip or site', ['e1', 'e2', 'e3', 's1', 's2']],
  ['ahu and siteRef == @s1', ['e1']],
  // Filters#refLists: a List of Refs matches when one of its Refs does.
  ['siteRef == @s1', ['e1', 'e2', 'm1', 'p1', 'p2']],
  ['siteRef->dis == "Beta"', ['e3', 'm1', 'p3', 'p4']],
  ['point and equipRef->siteRef->dis == "Alpha"', ['p1', 'p2']],
  ['equipRef->ahu', ['e2', 'p1', 'p3', 'p4']],
  ['point and not equipRef->equip', ['x1']],
  ['area >= 2000ft²', ['s2']],
  ['area > 500', []],
  ['curVal < 70°F', ['p3', 'p4']],
  ['curVal == true', ['p2']],
  ['kind != "Number"', ['p2', 'x1']],
  ['dis >= "P" and dis < "Q"', ['p1', 'p2', 'p3', 'p4']],
  ['(his and sp) or (cmd and not his)', ['p2', 'p4']],
  ['constructor', []],
  ['nothingHasThis', []],
]);

/** Register the read-by-filter tests. */
export function describeReadContract(h: Harness, options: ReadContractOptions = {}): void {
  describe('reads by filter', () => {
    it.each(READ_CASES)('%s', async (filter, expected) => {
      const { store } = await h.open();
      await addEntities(store, READ_FIXTURE);
      expect(idsOf(await store.read({ filter }))).toEqual(expected);
    });

    it('returns the first entities in id order when limited', async () => {
      const { store } = await h.open();
      await addEntities(store, READ_FIXTURE);
      expect(idsOf(await store.read({ filter: 'point', limit: 2 }))).toEqual(['p1', 'p2']);
      expect(idsOf(await store.read({ filter: 'point', limit: 100 }))).toEqual(['p1', 'p2', 'p3', 'p4', 'x1']);
      expect(await store.read({ filter: 'point', limit: 0 })).toEqual([]);
      expect(idsOf(await store.read({ filter: 'siteRef->dis == "Beta"', limit: 1 }))).toEqual(['e3']);
    });

    it('keeps id order whatever the insertion order, for broad and selective filters', async () => {
      const { store } = await h.open();
      const ids = ['m', 'b', 'z', 'a', 'k', 'a1', 'B', 'b.2', 'b-1'];
      const others = Array.from({ length: 60 }, (_, i) => `n${String(99 - i)}`);
      await addEntities(store, [
        ...ids.map((id) => ({ id: new Ref(id), point: MARKER, rare: MARKER })),
        ...others.map((id) => ({ id: new Ref(id), point: MARKER })),
      ]);
      const sorted = [...ids].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
      expect(idsOf(await store.read({ filter: 'rare' }))).toEqual(sorted);
      expect(idsOf(await store.read({ filter: 'rare and point', limit: 3 }))).toEqual(sorted.slice(0, 3));
      const all = [...ids, ...others].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
      expect(idsOf(await store.read({ filter: 'point' }))).toEqual(all);
    });

    it('sees commits: updated tags, removed entities and changed Refs', async () => {
      const { store } = await h.open();
      await addEntities(store, READ_FIXTURE);
      await store.commit([
        { op: 'update', id: 'p1', changes: Dict.of({ his: REMOVE, siteRef: new Ref('s2') }) },
        { op: 'update', id: 'p2', changes: Dict.of({ his: MARKER }) },
        { op: 'update', id: 's2', changes: Dict.of({ dis: 'Gamma' }) },
        { op: 'remove', id: 'p4' },
        { op: 'add', tags: Dict.of({ id: new Ref('p5'), point: MARKER, his: MARKER, siteRef: new Ref('s2') }) },
      ]);
      expect(idsOf(await store.read({ filter: 'point and his' }))).toEqual(['p2', 'p3', 'p5']);
      expect(idsOf(await store.read({ filter: 'siteRef == @s2' }))).toEqual(['e3', 'm1', 'p1', 'p3', 'p5']);
      expect(idsOf(await store.read({ filter: 'siteRef->dis == "Gamma"' }))).toEqual(['e3', 'm1', 'p1', 'p3', 'p5']);
      expect(await store.read({ filter: 'siteRef->dis == "Beta"' })).toEqual([]);
    });

    it('rejects a malformed filter with a ParseError', async () => {
      const { store } = await h.open();
      await expect(store.read({ filter: 'point and' })).rejects.toMatchObject({ code: 'HS_ERR_PARSE' });
      await expect(store.read({ filter: '' })).rejects.toMatchObject({ code: 'HS_ERR_PARSE' });
    });

    it('answers exactly as evaluating the filter in process over every entity', async () => {
      await fc.assert(
        fc.asyncProperty(
          arbEntities,
          arbEntities,
          fc.array(arbFilter, { minLength: 1, maxLength: 6 }),
          async (first, records, filters) => {
            const { store } = await h.open();
            // Reach the final records through adds, then updates, removes and adds, so that indexes must follow.
            await addEntities(store, first);
            await store.commit(transition(first, records));
            const all = await everyEntity(store, records);
            const resolve = refResolver(all);
            for (const filter of filters) {
              const f = parseFilter(filter);
              const expected = all.filter((d) => f.matches(d, resolve));
              const got = await store.read({ filter });
              expect(idsOf(got), filter).toEqual(idsOf(expected));
              expect(
                got.every((d, i) => d.equals(expected[i])),
                filter,
              ).toBe(true);
              const limit = Math.floor(expected.length / 2);
              expect(idsOf(await store.read({ filter, limit })), `${filter} limit ${limit}`).toEqual(
                idsOf(expected.slice(0, limit)),
              );
            }
            await store.close();
          },
        ),
        { numRuns: options.propertyRuns ?? 60 },
      );
    });
  });
}

// The diffs that turn the entities `from` into `to` (same ids updated, tags missing from `to` removed).
function transition(
  from: readonly Readonly<Record<string, unknown>>[],
  to: readonly Readonly<Record<string, unknown>>[],
): CommitDiff[] {
  const idOfRecord = (r: Readonly<Record<string, unknown>>): string => (r.id as Ref).id;
  const before = new Map(from.map((r) => [idOfRecord(r), r]));
  const after = new Set(to.map(idOfRecord));
  const diffs: CommitDiff[] = [];
  for (const r of to) {
    const old = before.get(idOfRecord(r));
    if (old === undefined) {
      diffs.push({ op: 'add', tags: Dict.of(r) });
      continue;
    }
    const changes: Record<string, unknown> = { ...r };
    for (const name of Object.keys(old)) if (!(name in r)) changes[name] = REMOVE;
    diffs.push({ op: 'update', id: idOfRecord(r), changes: Dict.of(changes) });
  }
  for (const id of before.keys()) if (!after.has(id)) diffs.push({ op: 'remove', id });
  return diffs;
}

async function everyEntity(
  store: StorageAdapter,
  records: readonly Readonly<Record<string, unknown>>[],
): Promise<Dict[]> {
  const ids = records.map((r) => (r.id as Ref).id).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const read = await store.readByIds(ids);
  return read.filter((d): d is Dict => d !== undefined);
}

// A small vocabulary, so that random filters and random entities meet often.
const POOL = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
const MARKERS = ['site', 'equip', 'point', 'his'];
const NAMES = ['Alpha', 'Beta', 'Gamma'];

const arbRef = fc.constantFrom(...POOL, 'zz').map((id) => new Ref(id));

const arbEntity = (id: string): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .record(
      {
        markers: fc.subarray(MARKERS),
        dis: fc.constantFrom(...NAMES),
        val: fc.integer({ min: 0, max: 5 }).map((n) => new Num(n)),
        temp: fc.integer({ min: 60, max: 80 }).map((n) => new Num(n, '°F')),
        siteRef: arbRef,
        equipRef: fc.oneof(
          arbRef,
          fc.array(arbRef, { maxLength: 2 }).map((rs) => Object.freeze(rs)),
        ),
        flag: fc.boolean(),
      },
      { requiredKeys: ['markers'] },
    )
    .map(({ markers, ...tags }) => {
      const r: Record<string, unknown> = { id: new Ref(id), ...tags };
      for (const m of markers) r[m] = MARKER;
      return r;
    });

const arbEntities: fc.Arbitrary<Record<string, unknown>[]> = fc
  .shuffledSubarray(POOL, { minLength: 1 })
  .chain((ids) => fc.tuple(...ids.map(arbEntity)));

const arbPath = fc.constantFrom(
  'site',
  'equip',
  'point',
  'his',
  'dis',
  'val',
  'temp',
  'flag',
  'siteRef',
  'equipRef',
  'siteRef->dis',
  'siteRef->site',
  'equipRef->siteRef->dis',
  'equipRef->val',
);

const arbLiteral = fc.oneof(
  fc.constantFrom(...NAMES).map((s) => JSON.stringify(s)),
  fc.integer({ min: 0, max: 5 }).map(String),
  fc.integer({ min: 60, max: 80 }).map((n) => `${n}°F`),
  fc.constantFrom(...POOL).map((id) => `@${id}`),
  fc.constantFrom('true', 'false'),
);

const arbTerm: fc.Arbitrary<string> = fc.oneof(
  arbPath,
  arbPath.map((p) => `not ${p}`),
  fc
    .tuple(arbPath, fc.constantFrom('==', '!=', '<', '<=', '>', '>='), arbLiteral)
    .map(([p, op, lit]) => `${p} ${op} ${lit}`),
);

const arbFilter: fc.Arbitrary<string> = fc.letrec<{ f: string }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    arbTerm,
    fc.tuple(tie('f'), tie('f')).map(([a, b]) => `(${a}) and (${b})`),
    fc.tuple(tie('f'), tie('f')).map(([a, b]) => `(${a}) or (${b})`),
  ),
})).f;
