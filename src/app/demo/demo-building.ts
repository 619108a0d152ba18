// The generated demo building of `haystack serve`: entities, 30 days of plausible history, and current values.

import { ValueError } from '../../core/errors.js';
import { Dict, type TagVal } from '../../core/grid/dict.js';
import type { Val } from '../../core/kinds/kind.js';
import { MARKER, REMOVE } from '../../core/kinds/marker.js';
import { Num } from '../../core/kinds/number.js';
import type { CommitDiff, HisItem, StorageAdapter } from '../../storage/adapter.js';
import { DemoBuilder, type DemoBuilding, type DemoPoint } from './demo-builder.js';
import { layoutDemo, startReadings } from './demo-layout.js';

export type { DemoBuilding, DemoPoint } from './demo-builder.js';

/** The seed used when none is given. */
export const DEFAULT_DEMO_SEED = 1;

/** Options of {@link createDemoBuilding}. */
export interface DemoBuildingOptions {
  /** Seed of every random choice (setpoints, box sizes, noise); the same seed gives the same building (default 1). */
  readonly seed?: number;
}

/**
 * The demo building: two sites (New York and Boulder, Colorado) with weather stations, AHUs, VAVs, a central plant
 * and electric meters, each point with the models that give its value at any instant.
 */
export function createDemoBuilding(options: DemoBuildingOptions = {}): DemoBuilding {
  const seed = options.seed ?? DEFAULT_DEMO_SEED;
  if (!Number.isInteger(seed)) throw new ValueError(`Demo seed must be an integer, got ${String(seed)}`);
  const b = new DemoBuilder(seed);
  layoutDemo(b, seed);
  return b.build();
}

/** Options of {@link populateDemo}. */
export interface PopulateDemoOptions extends DemoBuildingOptions {
  /** The instant the history runs up to, epoch ms (default now). */
  readonly now?: number;
  /** Days of history (default 30; 0 writes none). */
  readonly days?: number;
  /** Minutes between history samples (default 15). */
  readonly intervalMinutes?: number;
}

/** What {@link populateDemo} wrote. */
export interface PopulateDemoResult {
  /** The building, for a {@link DemoSimulator} to keep alive. */
  readonly building: DemoBuilding;
  /** Entities added. */
  readonly entities: number;
  /** Points among them. */
  readonly points: number;
  /** History samples written over every point. */
  readonly samples: number;
}

/**
 * Marker on the demo's first site while {@link populateDemo} writes: the demo takes several commits, and a store a
 * failed or killed seed left half-written holds it (see {@link demoUnfinished}).
 */
export const DEMO_SEEDING_TAG = 'demoSeeding';

/**
 * Write the demo building into an empty store: its entities with `curVal` at `now`, `days` of history sampled
 * every `intervalMinutes` up to `now`, and the default (level 17) of every writable point. Into a store an earlier
 * call left unfinished, it writes what may be missing (entities it lacks, the history, the defaults): samples at the
 * same times replace each other, so nothing is doubled.
 */
export async function populateDemo(
  store: StorageAdapter,
  options: PopulateDemoOptions = {},
): Promise<PopulateDemoResult> {
  const building = createDemoBuilding(options);
  const now = options.now ?? Date.now();
  const days = options.days ?? 30;
  const interval = (options.intervalMinutes ?? 15) * 60_000;
  if (!(days >= 0) || !(interval > 0)) throw new ValueError('Demo history needs days >= 0 and intervalMinutes > 0');
  const count = Math.floor((days * 86_400_000) / interval);
  const last = Math.floor(now / interval) * interval;
  const first = last - (count - 1) * interval;
  const { points } = building;

  // One pass over time fills a column per point; totalizers integrate their rate from the starting reading.
  const columns = points.map(() => new Float64Array(count));
  const readings = startReadings();
  const totals = points.map((p) => (p.rateSlot === undefined ? 0 : (readings.get(p.id) ?? 0)));
  const v = new Float64Array(building.slots);
  const hours = interval / 3_600_000;
  for (let i = 0; i < count; i++) {
    building.evaluate(first + i * interval, v);
    for (let k = 0; k < points.length; k++) {
      const p = points[k] as DemoPoint;
      const col = columns[k] as Float64Array;
      if (p.rateSlot === undefined) {
        col[i] = v[p.slot] as number;
      } else {
        col[i] = totals[k] as number;
        totals[k] = (totals[k] as number) + (v[p.rateSlot] as number) * hours;
      }
    }
  }

  // Current values at `now`; a totalizer continues from its last sample.
  building.evaluate(now, v);
  const lastTs = count > 0 ? last : now;
  const current = new Map<string, Val>();
  points.forEach((p, k) => {
    const raw =
      p.rateSlot === undefined
        ? (v[p.slot] as number)
        : (count > 0 ? ((columns[k] as Float64Array)[count - 1] as number) : (totals[k] as number)) +
          (v[p.rateSlot] as number) * ((now - lastTs) / 3_600_000);
    current.set(p.id, pointVal(p, raw));
  });
  const site = firstSite(building);
  const held = new Set((await store.readByIds(building.entities.map((e) => e.id?.id ?? ''))).map((e) => e?.id?.id));
  const adds = building.entities
    .filter((e) => !held.has(e.id?.id))
    .map((e): CommitDiff => {
      const id = e.id?.id;
      const cur = id === undefined ? undefined : current.get(id);
      const tags = cur === undefined || cur === null ? e : e.set('curVal', cur);
      return { op: 'add', tags: id === site ? tags.set(DEMO_SEEDING_TAG, MARKER) : tags };
    });
  if (adds.length > 0) await store.commit(adds);

  let samples = 0;
  for (let k = 0; k < points.length; k++) {
    const p = points[k] as DemoPoint;
    const col = columns[k] as Float64Array;
    const items = new Array<HisItem>(count);
    for (let i = 0; i < count; i++) items[i] = { ts: first + i * interval, val: pointVal(p, col[i] as number) };
    samples += await store.hisWrite(p.id, items);
  }
  for (const p of points) {
    if (p.writableDefault !== undefined) {
      await store.pointWrite({ id: p.id, level: 17, val: pointVal(p, p.writableDefault), who: 'demo' });
    }
  }
  if (site !== undefined) {
    await store.commit([{ op: 'update', id: site, changes: Dict.of({ [DEMO_SEEDING_TAG]: REMOVE }) }]);
  }
  return { building, entities: building.entities.length, points: points.length, samples };
}

/** True if the demo building is already in the store (its first site exists). */
export async function demoPresent(
  store: StorageAdapter,
  building: DemoBuilding = createDemoBuilding(),
): Promise<boolean> {
  return (await demoSite(store, building)) !== undefined;
}

/** True if a {@link populateDemo} into `store` failed or was killed before it finished (its marker is still there). */
export async function demoUnfinished(
  store: StorageAdapter,
  building: DemoBuilding = createDemoBuilding(),
): Promise<boolean> {
  return (await demoSite(store, building))?.has(DEMO_SEEDING_TAG) === true;
}

// The demo's first site as the store holds it, if it does.
async function demoSite(store: StorageAdapter, building: DemoBuilding): Promise<Dict | undefined> {
  const site = firstSite(building);
  if (site === undefined) return undefined;
  const [found] = await store.readByIds([site]);
  return found;
}

// The id of the building's first site: what tells whether the demo is in a store.
function firstSite(building: DemoBuilding): string | undefined {
  return building.entities.find((e) => e.has('site'))?.id?.id;
}

/** A point's value as stored: a rounded Number with its unit, or a Bool. */
export function pointVal(p: DemoPoint, raw: number): TagVal {
  if (p.kind === 'Bool') return raw >= 0.5;
  const scale = 10 ** p.decimals;
  // Adding 0 turns a -0 from rounding into 0, which reads better in grids.
  return new Num(Math.round(raw * scale) / scale + 0, p.unit);
}

/** The changes that set `curVal` (used by the simulator as by populate). */
export function curValChange(val: TagVal): Dict {
  return Dict.fromTrustedMap(new Map<string, TagVal>([['curVal', val]]));
}
