// hisWrite and hisRead answer alike on every store (memory, SQLite, PostgreSQL, Redis) and as the Ops chapter
// says: ranges resolved in the point's zone (23- and 25-hour days north and south, a half-hour DST shift, a
// day without a midnight, half-hour and Etc zones), start inclusive and end exclusive, the last of equal timestamps
// winning, a write with a bad sample refused whole, answers sorted by ts in the point's zone. luxon is the oracle
// of zone arithmetic. Samples of every kind (Lists, Dicts, Grids, Refs with names...) read back as written too.

import fc from 'fast-check';
import { DateTime as Luxon } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeZinc } from '../../src/core/codec/zinc/index.js';
import { Dict } from '../../src/core/grid/dict.js';
import { Grid } from '../../src/core/grid/grid.js';
import { HDate } from '../../src/core/kinds/date.js';
import { HDateTime } from '../../src/core/kinds/date-time.js';
import type { Val } from '../../src/core/kinds/kind.js';
import { MARKER, NA } from '../../src/core/kinds/marker.js';
import { Num } from '../../src/core/kinds/number.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { TimeZone } from '../../src/core/tz/time-zone.js';
import { createHandler, type OpPipeline, type Principal } from '../../src/server/index.js';
import type { StorageAdapter } from '../../src/storage/adapter.js';
import { createMemoryStore } from '../../src/storage/memory/index.js';
import { openPostgresStore } from '../../src/storage/postgres/index.js';
import { openRedisStore } from '../../src/storage/redis/index.js';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import { arbTagVal } from '../support/arbitraries.js';
import { transitions } from '../support/luxon-oracle.js';
import { TEST_PG_URL } from '../support/postgres.js';
import { SHARED_REDIS_URL } from '../support/redis.js';
import { storeScratch } from '../support/store-scratch.js';

const scratch = await storeScratch('hisdiff');
if (!scratch.redisUp) console.warn(`SKIPPED: the Redis part of the history differential needs ${SHARED_REDIS_URL}`);

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

// Zones whose days are not 24 hours, whose offsets are not whole hours, or whose names read backwards (GMT+5 is
// UTC-5); Santiago starts DST at midnight, so one of its days begins at 01:00.
const ZONES = ['New_York', 'Sydney', 'Lord_Howe', 'Santiago', 'Kolkata', 'Kathmandu', 'UTC', 'GMT+5', 'GMT-14'];
const zone = (name: string): TimeZone => TimeZone.get(name);

// Instants samples and ranges gather around: every offset change of those zones in 2024, plus a plain day, the
// year's end, before 1970 and far ahead.
const ANCHORS: readonly number[] = [
  ...new Set(ZONES.flatMap((z) => transitions(zone(z).iana, Date.UTC(2024, 0, 1), Date.UTC(2025, 0, 1)))),
  Date.UTC(2024, 5, 15, 12),
  Date.UTC(2024, 11, 31, 23, 30),
  Date.UTC(1969, 11, 31, 20),
  Date.UTC(2199, 6, 1),
];

// Quarter hours around an anchor (a run's samples and ranges gather around one), so that samples collide and ranges
// fall on them; some off the grid by a little.
const arbInstant = (anchor: number): fc.Arbitrary<number> =>
  fc
    .tuple(fc.integer({ min: -4 * 40, max: 4 * 40 }), fc.constantFrom(0, 0, 0, 1, 59_999))
    .map(([q, jitter]) => anchor + q * 15 * MIN + jitter);

// Numbers where stores part ways if any does: signed zero, subnormals, the largest double, NaN, both infinities.
const EDGE_NUMBERS = [0, -0, 5e-324, -2.5e-310, 1.7976931348623157e308, -1e300, 0.1 + 0.2, 2 ** 53 + 2, 72.5];
const arbFloat = fc.oneof(fc.constantFrom(...EDGE_NUMBERS), fc.double({ noNaN: true, noDefaultInfinity: true }));

type PointKind = 'Number' | 'Bool' | 'Str';
interface PointSpec {
  readonly kind: PointKind;
  readonly unit?: string;
  /** A point without a `tz` tag, or naming a zone nobody knows: its history is in the server's zone. */
  readonly tzTag?: 'absent' | 'unknown';
}
// Two Number points share the first zone (a batch read without tz needs one zone).
const POINTS: readonly PointSpec[] = [
  { kind: 'Number', unit: 'kW' },
  { kind: 'Number' },
  { kind: 'Bool' },
  { kind: 'Str' },
  { kind: 'Number', unit: 'kW', tzTag: 'absent' },
  { kind: 'Bool', tzTag: 'unknown' },
];
const SERVER_TZ = 'Tokyo';

// Values the chapter accepts for a point of `kind` (NA for any), null for a missing cell.
function arbValue(p: PointSpec): fc.Arbitrary<Val> {
  const common = [fc.constant<Val>(NA), fc.constant<Val>(null)];
  if (p.kind === 'Number') {
    return fc.oneof(
      { weight: 8, arbitrary: arbFloat.map((x): Val => new Num(x, p.unit)) },
      { weight: 2, arbitrary: arbFloat.map((x): Val => new Num(x)) },
      {
        weight: 2,
        arbitrary: fc.constantFrom<Val>(
          new Num(Number.NaN),
          new Num(Number.POSITIVE_INFINITY, p.unit),
          new Num(Number.NEGATIVE_INFINITY),
        ),
      },
      { weight: 2, arbitrary: fc.oneof(...common) },
    );
  }
  if (p.kind === 'Bool') {
    return fc.oneof({ weight: 8, arbitrary: fc.boolean() }, { weight: 2, arbitrary: fc.oneof(...common) });
  }
  const text = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.constantFrom('', '\u0000', '\\N', 'a\tb\nc', '"', '\uD800', '\u{1F600}', 'x'.repeat(300)),
  );
  return fc.oneof({ weight: 8, arbitrary: text }, { weight: 2, arbitrary: fc.oneof(...common) });
}

// A value the chapter refuses for a point of `kind`: another kind, or a Number in a unit other than the point's.
function wrongValue(p: PointSpec): Val {
  if (p.kind === 'Number') return p.unit === undefined ? new Num(1, 'W') : new Num(1, '°F');
  return p.kind === 'Bool' ? 'true' : false;
}

interface Write {
  /** Point indexes, one value column each; a single write (id in the grid meta) when there is one. */
  readonly points: readonly number[];
  /** Samples by row; `foreign`: a zone the row's ts is written in other than the point's (refused on write). */
  readonly rows: readonly {
    readonly ms: number;
    readonly foreign: string | undefined;
    readonly vals: readonly Val[];
  }[];
}

function arbWrite(anchor: number): fc.Arbitrary<Write> {
  return fc
    .uniqueArray(fc.integer({ min: 0, max: POINTS.length - 1 }), { minLength: 1, maxLength: 3 })
    .chain((points) =>
      fc
        .tuple(
          fc.array(
            fc.record({
              ms: arbInstant(anchor),
              vals: fc.tuple(...points.map((i) => arbValue(POINTS[i] as PointSpec))),
            }),
            { minLength: 0, maxLength: 12 },
          ),
          // One write in eight carries a fault in one row: a ts in another zone, or a value of the wrong kind or unit.
          fc.option(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(...ZONES), fc.boolean()), { freq: 8, nil: undefined }),
        )
        .map(([rows, fault]) => {
          if (fault === undefined || rows.length === 0) {
            return { points, rows: rows.map((r) => ({ ...r, foreign: undefined })) };
          }
          const [at, col, z, inZone] = fault;
          const bad = at % rows.length;
          return {
            points,
            rows: rows.map((r, i) => {
              if (i !== bad) return { ...r, foreign: undefined };
              if (inZone) return { ...r, foreign: z };
              const c = col % points.length;
              const vals = r.vals.map((v, k) => (k === c ? wrongValue(POINTS[points[c] as number] as PointSpec) : v));
              return { ...r, vals, foreign: undefined };
            }),
          };
        }),
    );
}

type RangeForm = 'today' | 'yesterday' | 'date' | 'date,date' | 'dt,dt' | 'dt' | 'date,dt' | 'dt,date';
interface Range {
  readonly form: RangeForm;
  readonly a: number;
  readonly b: number;
  /** Zones the dateTime bounds are written in (converted to the point's), and the zone dates are taken in. */
  readonly zoneA: string;
  readonly zoneB: string;
  readonly days: number;
}
const arbRange = (anchor: number): fc.Arbitrary<Range> =>
  fc.record({
    form: fc.constantFrom<RangeForm>('today', 'yesterday', 'date', 'date,date', 'dt,dt', 'dt', 'date,dt', 'dt,date'),
    a: arbInstant(anchor),
    b: arbInstant(anchor),
    zoneA: fc.constantFrom(...ZONES),
    zoneB: fc.constantFrom(...ZONES),
    days: fc.integer({ min: -1, max: 2 }),
  });

interface Read {
  /** Point indexes: one (a single read) or several (a batch, with `tz` given or all of the first zone). */
  readonly points: readonly number[];
  readonly batch: boolean;
  readonly tz: string | undefined;
  readonly range: Range;
}
const arbRead = (anchor: number): fc.Arbitrary<Read> =>
  fc.oneof(
    fc.record({
      points: fc.integer({ min: 0, max: POINTS.length - 1 }).map((i) => [i]),
      batch: fc.constant(false),
      tz: fc.constant(undefined),
      range: arbRange(anchor),
    }),
    fc.record({
      points: fc.constant([0, 1]),
      batch: fc.constant(true),
      tz: fc.constant(undefined),
      range: arbRange(anchor),
    }),
    fc.record({
      points: fc.uniqueArray(fc.integer({ min: 0, max: POINTS.length - 1 }), { minLength: 1, maxLength: 4 }),
      batch: fc.constant(true),
      tz: fc.constantFrom(...ZONES).map((z): string | undefined => z),
      range: arbRange(anchor),
    }),
  );

// ---- the model: what the Ops chapter asks, computed with luxon ----------------------------------------------------

const dateIn = (ms: number, tz: string): HDate => {
  const d = Luxon.fromMillis(ms, { zone: zone(tz).iana });
  return new HDate(d.year, d.month, d.day);
};
// Midnight starting `d` in `tz`, or the first instant of the day where midnight does not exist.
const dayStart = (d: HDate, tz: string): number =>
  Luxon.fromObject({ year: d.year, month: d.month, day: d.day }, { zone: zone(tz).iana })
    .startOf('day')
    .toMillis();
const dayEnd = (d: HDate, tz: string): number => dayStart(d.plusDays(1), tz);

interface Span {
  readonly text: string;
  readonly start: number;
  /** Exclusive end; undefined for the open-ended `{dateTime}`. */
  readonly end: number | undefined;
  /** The request is refused: its end is before its start. */
  readonly reversed: boolean;
}

// The range text a client sends for a read in `tz`, and the span the chapter makes of it.
function rangeSpan(r: Range, tz: string, now: number): Span {
  const dt = (ms: number, z: string): string => HDateTime.fromEpochMs(ms, zone(z)).toString();
  const da = dateIn(r.a, tz);
  const db = da.plusDays(r.days);
  const today = dateIn(now, tz);
  switch (r.form) {
    case 'today':
      return { text: 'today', start: dayStart(today, tz), end: dayEnd(today, tz), reversed: false };
    case 'yesterday': {
      const y = today.plusDays(-1);
      return { text: 'yesterday', start: dayStart(y, tz), end: dayEnd(y, tz), reversed: false };
    }
    case 'date':
      return { text: da.toString(), start: dayStart(da, tz), end: dayEnd(da, tz), reversed: false };
    case 'date,date':
      return {
        text: `${da.toString()},${db.toString()}`,
        start: dayStart(da, tz),
        end: dayEnd(db, tz),
        reversed: r.days < 0,
      };
    case 'dt,dt':
      return { text: `${dt(r.a, r.zoneA)},${dt(r.b, r.zoneB)}`, start: r.a, end: r.b, reversed: r.b < r.a };
    case 'dt':
      return { text: dt(r.a, r.zoneA), start: r.a, end: undefined, reversed: false };
    case 'date,dt': {
      const start = dayStart(da, tz);
      return { text: `${da.toString()},${dt(r.b, r.zoneB)}`, start, end: r.b, reversed: r.b < start };
    }
    case 'dt,date': {
      const end = dayEnd(dateIn(r.b, tz), tz);
      return { text: `${dt(r.a, r.zoneA)},${dateIn(r.b, tz).toString()}`, start: r.a, end, reversed: end <= r.a };
    }
  }
}

// ---- the stores and their servers --------------------------------------------------------------------------------

let now = ANCHORS[0] as number;
const clock = (): number => now;
const ADMIN: Principal = { username: 'audit', role: 'admin' };

interface Backend {
  readonly name: string;
  readonly store: StorageAdapter;
  readonly pipeline: OpPipeline;
}
const backends: Backend[] = [];

beforeAll(async () => {
  const opened: [string, StorageAdapter][] = [
    ['memory', createMemoryStore({ clock })],
    ['sqlite', await openSqliteStore({ path: scratch.dir.file('his.db'), synchronous: 'normal', clock })],
    ['postgres', await openPostgresStore({ url: TEST_PG_URL, schema: scratch.schemas.next(), clock })],
  ];
  if (scratch.redisUp) {
    opened.push(['redis', await openRedisStore({ url: SHARED_REDIS_URL, prefix: scratch.prefixes.next(), clock })]);
  }
  for (const [name, store] of opened) {
    // The server's zone is none of the points': ranges must follow the point's, not the server's.
    const { pipeline } = createHandler({ store, noAuth: true, tz: SERVER_TZ, clock, webSocket: false });
    backends.push({ name, store, pipeline });
  }
});

afterAll(async () => {
  for (const b of backends.splice(0)) {
    b.pipeline.stopFollowing();
    await b.store.close();
  }
});

const call = (b: Backend, op: string, request: Grid): Promise<Grid> =>
  b.pipeline.callOp({ op, principal: ADMIN, transport: 'test', request });

// Each run writes to points of its own, so runs need no cleaning between them.
let run = 0;

function writeGrid(w: Write, ids: readonly string[], zones: readonly string[]): Grid {
  const tsOf = (ms: number, foreign: string | undefined, p: number): HDateTime =>
    HDateTime.fromEpochMs(ms, zone(foreign ?? (zones[p] as string)));
  const first = w.points[0] as number;
  if (w.points.length === 1) {
    return Grid.make({
      meta: { id: new Ref(ids[first] as string) },
      cols: ['ts', 'val'],
      rows: w.rows.map((r) => ({ ts: tsOf(r.ms, r.foreign, first), val: r.vals[0] ?? null })),
    });
  }
  return Grid.make({
    cols: ['ts', ...w.points.map((p, i) => ({ name: `v${String(i)}`, meta: { id: new Ref(ids[p] as string) } }))],
    rows: w.rows.map((r) => {
      const row: Record<string, Val> = { ts: tsOf(r.ms, r.foreign, first) };
      r.vals.forEach((v, i) => {
        if (v !== null) row[`v${String(i)}`] = v;
      });
      return row;
    }),
  });
}

// Whether the chapter accepts `val` for a point (NA for any; Numbers unitless or in the point's unit).
function accepted(p: PointSpec, val: Val): boolean {
  if (val === NA) return true;
  if (p.kind === 'Number') return val instanceof Num && (val.unit === undefined || val.unit === p.unit);
  if (p.kind === 'Bool') return typeof val === 'boolean';
  return typeof val === 'string';
}

type Model = Map<number, Val>[];

// Apply a write to the model; false when the chapter refuses it (then nothing is written).
function applyWrite(model: Model, w: Write, zones: readonly string[]): boolean {
  // A batch's ts is in the first point's zone; a point of another zone refuses it.
  for (const r of w.rows) {
    for (let i = 0; i < w.points.length; i++) {
      const p = w.points[i] as number;
      const v = r.vals[i] ?? null;
      if (v === null) continue;
      const tsZone = r.foreign ?? zones[w.points[0] as number];
      if (tsZone !== zones[p] && zone(tsZone as string).name !== zone(zones[p] as string).name) return false;
      if (!accepted(POINTS[p] as PointSpec, v)) return false;
    }
  }
  for (const r of w.rows) {
    w.points.forEach((p, i) => {
      const v = r.vals[i] ?? null;
      if (v !== null) (model[p] as Map<number, Val>).set(r.ms, v);
    });
  }
  return true;
}

const zincVal = (v: Val | undefined): string => (v === undefined ? '' : encodeZinc(Grid.fromDicts([Dict.of({ v })])));

// The zone a read answers in: the one it names, else its first point's.
function readZone(read: Read, zones: readonly string[]): string {
  const z = zones[read.points[0] ?? 0];
  if (z === undefined) throw new Error('A read names a point of the run');
  return read.tz ?? z;
}

// What a read must answer per the model: rows of [ts text, value text per point], and hisStart/hisEnd.
function expectedRead(
  model: Model,
  read: Read,
  zones: readonly string[],
): { error: true } | { error: false; rows: string[][]; hisStart: string; hisEnd: string | undefined } {
  const tz = readZone(read, zones);
  const span = rangeSpan(read.range, tz, now);
  if (span.reversed) return { error: true };
  const end = span.end ?? Number.POSITIVE_INFINITY;
  const times = new Set<number>();
  for (const p of read.points) {
    for (const ms of (model[p] as Map<number, Val>).keys()) if (ms >= span.start && ms < end) times.add(ms);
  }
  const rows = [...times]
    .sort((x, y) => x - y)
    .map((ms) => [
      HDateTime.fromEpochMs(ms, zone(tz)).toString(),
      ...read.points.map((p) => zincVal((model[p] as Map<number, Val>).get(ms))),
    ]);
  return {
    error: false,
    rows,
    hisStart: HDateTime.fromEpochMs(span.start, zone(tz)).toString(),
    hisEnd: span.end === undefined ? undefined : HDateTime.fromEpochMs(span.end, zone(tz)).toString(),
  };
}

function readGrid(read: Read, ids: readonly string[], zones: readonly string[]): Grid {
  const tz = readZone(read, zones);
  const text = rangeSpan(read.range, tz, now).text;
  if (!read.batch)
    return Grid.fromDicts([Dict.of({ id: new Ref(ids[read.points[0] as number] as string), range: text })]);
  return Grid.make({
    meta: read.tz === undefined ? { range: text } : { range: text, tz: read.tz },
    cols: ['id'],
    rows: read.points.map((p) => ({ id: new Ref(ids[p] as string) })),
  });
}

function answerRows(g: Grid, points: number): string[][] {
  const cols = points === 1 && g.hasCol('val') ? ['val'] : Array.from({ length: points }, (_, i) => `v${String(i)}`);
  return g.rows.map((r) => [String(r.get('ts')), ...cols.map((c) => zincVal(r.has(c) ? r.get(c) : undefined))]);
}

describe('history answers alike on every store, as the Ops chapter models it', () => {
  it('random writes and reads around DST changes, in zones of every shape', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .constantFrom(...ANCHORS)
          .chain((anchor) =>
            fc.tuple(
              fc.tuple(...POINTS.map(() => fc.constantFrom(...ZONES))),
              fc.constantFrom(true, true, false),
              arbInstant(anchor),
              fc.array(arbWrite(anchor), { minLength: 1, maxLength: 4 }),
              fc.array(arbRead(anchor), { minLength: 1, maxLength: 6 }),
            ),
          ),
        async ([drawn, sameZone, at, writes, reads]) => {
          now = at;
          // Often every point in one zone, so that batches of any points are written and read without tz.
          const zones = sameZone ? drawn.map(() => drawn[0] as string) : [...drawn];
          zones[1] = zones[0] as string;
          POINTS.forEach((p, i) => {
            if (p.tzTag !== undefined) zones[i] = SERVER_TZ;
          });
          const ids = POINTS.map((_, i) => `r${String(++run)}p${String(i)}`);
          const recs = POINTS.map((p, i) =>
            Dict.of({
              id: new Ref(ids[i] as string),
              dis: `Point ${String(i)}`,
              point: MARKER,
              his: MARKER,
              kind: p.kind,
              ...(p.tzTag === undefined ? { tz: zones[i] as string } : {}),
              ...(p.tzTag === 'unknown' ? { tz: 'Nowhere' } : {}),
              ...(p.unit === undefined ? {} : { unit: p.unit }),
            }),
          );
          for (const b of backends) await b.store.commit(recs.map((tags) => ({ op: 'add', tags })));
          const model: Model = POINTS.map(() => new Map());
          for (const w of writes) {
            const ok = applyWrite(model, w, zones);
            const req = writeGrid(w, ids, zones);
            for (const b of backends) {
              const res = await call(b, 'hisWrite', req);
              expect(res.isError ? res.meta.get('errCode') : 'ok', `${b.name} hisWrite\n${encodeZinc(req)}`).toBe(
                ok ? 'ok' : 'HS_ERR_BAD_REQUEST',
              );
            }
          }
          for (const read of reads) {
            const req = readGrid(read, ids, zones);
            const want = expectedRead(model, read, zones);
            let first: string | undefined;
            for (const b of backends) {
              const res = await call(b, 'hisRead', req);
              const what = `${b.name} hisRead\n${encodeZinc(req)}\nnow ${new Date(now).toISOString()}`;
              if (want.error) {
                expect(res.meta.get('errCode'), what).toBe('HS_ERR_BAD_REQUEST');
                continue;
              }
              expect(res.meta.get('errCode'), what).toBeNull();
              expect(answerRows(res, read.points.length), what).toEqual(want.rows);
              expect(String(res.meta.get('hisStart')), what).toBe(want.hisStart);
              if (want.hisEnd !== undefined) expect(String(res.meta.get('hisEnd')), what).toBe(want.hisEnd);
              // Byte for byte the same answer on every store.
              const zinc = encodeZinc(res);
              first ??= zinc;
              expect(zinc, what).toBe(first);
            }
          }
        },
      ),
      { numRuns: 15 },
    );
  }, 120_000);
});

describe('history samples of any kind', () => {
  it('read back from every store as written, in one write and merged over another', async () => {
    const T0 = Date.UTC(2024, 5, 1);
    await fc.assert(
      fc.asyncProperty(fc.array(arbTagVal({ maxDepth: 2 }), { minLength: 1, maxLength: 8 }), async (vals) => {
        const id = `k${String(++run)}`;
        // No kind: the point takes samples of any kind (the op checks a point's kind; stores keep what they get).
        const tags = Dict.of({ id: new Ref(id), point: MARKER, his: MARKER, tz: 'UTC' });
        const items = vals.map((val, i) => ({ ts: T0 + i * MIN, val }));
        const want = vals.map((v) => zincVal(v));
        for (const b of backends) {
          await b.store.commit([{ op: 'add', tags }]);
          await b.store.hisWrite(id, items);
          const once = await b.store.hisRead(id, { start: T0, end: T0 + DAY });
          expect(
            once.map((it) => zincVal(it.val)),
            `${b.name} written`,
          ).toEqual(want);
          await b.store.hisWrite(id, [...items].reverse());
          const merged = await b.store.hisRead(id, { start: T0, end: T0 + DAY });
          expect(
            merged.map((it) => zincVal(it.val)),
            `${b.name} merged`,
          ).toEqual(want);
        }
      }),
      { numRuns: 15 },
    );
  }, 60_000);
});
