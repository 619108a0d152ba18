// Assembles the demo building: entities with Haystack 4 tags, and one model step per equipment filling value slots.

import { Dict } from '../../core/grid/dict.js';
import { MARKER } from '../../core/kinds/marker.js';
import { Ref } from '../../core/kinds/ref.js';
import type { SiteEnv } from './demo-climate.js';
import { hashNoise } from './seeded-random.js';

/** One point of the demo building. */
export interface DemoPoint {
  /** Entity id (without `@`). */
  readonly id: string;
  /** Haystack kind of its values. */
  readonly kind: 'Number' | 'Bool';
  /** Unit of Number values. */
  readonly unit: string | undefined;
  /** Decimal places values are rounded to. */
  readonly decimals: number;
  /** Default of a writable point (level 17), if writable. */
  readonly writableDefault: number | undefined;
  /** For a totalized point (kWh): the slot of the rate (kW) it integrates; its own slot is unused. */
  readonly rateSlot: number | undefined;
  /** Where {@link DemoBuilding.evaluate} puts this point's value. */
  readonly slot: number;
  /** Haystack time zone name of its site. */
  readonly tz: string;
}

/** What one equipment's model sees when it runs for one instant. */
export interface SlotContext {
  /** The instant (epoch ms). */
  readonly ts: number;
  /** Every slot's value at this instant; models earlier in the order have filled theirs. */
  readonly v: Float64Array;
  /** The environment of each site, by site index. */
  readonly env: readonly SiteEnv[];
  /** Current value of a writable point: its override when there is one, else its default. */
  sp(slot: number): number;
  /** Noise in [-1, 1) for a slot at this instant (a fresh draw every 5 seconds). */
  noise(slot: number): number;
  /** Noise in [-1, 1) for a slot at another instant (to hold a draw over a longer period). */
  noiseAt(slot: number, ts: number): number;
}

/** A model step: computes some slots for one instant. */
export type ModelStep = (s: SlotContext) => void;

/** The generated building: its entities, its points, and the models that give every point a value at any time. */
export interface DemoBuilding {
  /** Seed it was generated from. */
  readonly seed: number;
  /** Every entity (sites, weather stations, floors, equips, points), without `curVal`. */
  readonly entities: readonly Dict[];
  /** Every point, in entity order. */
  readonly points: readonly DemoPoint[];
  /** Number of value slots (points and hidden quantities such as fan power). */
  readonly slots: number;
  /**
   * Compute every slot at `ts` into `out` (length {@link slots}). `overrides` holds, per slot, the value a writable
   * point has been commanded to (NaN where it follows its default).
   */
  evaluate(ts: number, out: Float64Array, overrides?: Float64Array): void;
}

/** The equipment (or weather station) a point belongs to. */
export interface PointOwner {
  /** Entity id. */
  readonly id: string;
  /** Display name, which prefixes the point's. */
  readonly dis: string;
  /** Tags every point of the owner carries (siteRef/equipRef, or weatherStationRef), and `tz`. */
  readonly pointTags: Readonly<Record<string, unknown>>;
  /** Haystack time zone name. */
  readonly tz: string;
}

/** Options of one point. */
export interface PointOptions {
  /** Haystack kind; default Number. */
  readonly kind?: 'Number' | 'Bool';
  /** Unit of a Number point. */
  readonly unit?: string;
  /** Decimal places (default 1). */
  readonly decimals?: number;
  /** Make it writable with this default. */
  readonly writable?: number;
  /** Make it a totalizer of the rate in this slot. */
  readonly totalizes?: number;
}

/** Collects entities, points and model steps in dependency order. */
export class DemoBuilder {
  readonly #seed: number;
  readonly #entities: Dict[] = [];
  readonly #points: DemoPoint[] = [];
  readonly #steps: ModelStep[] = [];
  readonly #envs: ((ts: number) => SiteEnv)[] = [];
  readonly #defaults: number[] = [];
  #slots = 0;

  constructor(seed: number) {
    this.#seed = seed;
  }

  /** Add an entity; `id` becomes a Ref carrying `dis`. */
  entity(id: string, tags: Readonly<Record<string, unknown>>): Ref {
    const dis = typeof tags.dis === 'string' ? tags.dis : undefined;
    const ref = new Ref(id, dis);
    this.#entities.push(Dict.of({ id: ref, ...tags }));
    return ref;
  }

  /** Register a site's environment function; returns its index for {@link SlotContext.env}. */
  site(env: (ts: number) => SiteEnv): number {
    this.#envs.push(env);
    return this.#envs.length - 1;
  }

  /** Add a point entity of `owner`, with the space-separated marker tags `markers`, and return its slot. */
  point(owner: PointOwner, key: string, navName: string, markers: string, opts: PointOptions = {}): number {
    const slot = this.hidden(opts.writable);
    const kind = opts.kind ?? 'Number';
    const id = `${owner.id}.${key}`;
    this.entity(id, {
      dis: `${owner.dis} ${navName}`,
      navName,
      point: MARKER,
      his: MARKER,
      cur: MARKER,
      ...markerTags(markers),
      ...(opts.writable === undefined ? {} : { writable: MARKER }),
      kind,
      ...(opts.unit === undefined ? {} : { unit: opts.unit }),
      // Points chapter: hisMode is required; a Bool is logged on change of value.
      hisMode: kind === 'Bool' ? 'cov' : 'sampled',
      ...owner.pointTags,
      curStatus: 'ok',
    });
    this.#points.push({
      id,
      kind,
      unit: opts.unit,
      decimals: opts.decimals ?? 1,
      writableDefault: opts.writable,
      rateSlot: opts.totalizes,
      slot,
      tz: owner.tz,
    });
    return slot;
  }

  /** A slot for a quantity that is not a point (fan power feeding a meter), or a writable point's default. */
  hidden(writableDefault?: number): number {
    this.#defaults.push(writableDefault ?? Number.NaN);
    return this.#slots++;
  }

  /** Add a model step; steps run in the order added, so a step may read the slots of earlier ones. */
  step(fn: ModelStep): void {
    this.#steps.push(fn);
  }

  /** The finished building. */
  build(): DemoBuilding {
    const seed = this.#seed;
    const steps = [...this.#steps];
    const envs = [...this.#envs];
    const defaults = Float64Array.from(this.#defaults);
    const slots = this.#slots;
    const env: SiteEnv[] = [];
    let ts = 0;
    let v: Float64Array = new Float64Array(slots);
    let overrides: Float64Array | undefined;
    const ctx: SlotContext = {
      get ts() {
        return ts;
      },
      get v() {
        return v;
      },
      env,
      sp: (slot) => {
        const o = overrides?.[slot];
        return o === undefined || Number.isNaN(o) ? (defaults[slot] as number) : o;
      },
      noise: (slot) => hashNoise(seed, slot, ts),
      noiseAt: (slot, at) => hashNoise(seed, slot, at),
    };
    return {
      seed,
      entities: Object.freeze([...this.#entities]),
      points: Object.freeze([...this.#points]),
      slots,
      evaluate(at, out, over) {
        if (out.length < slots) throw new RangeError(`evaluate needs ${slots} slots, got ${out.length}`);
        ts = at;
        v = out;
        overrides = over;
        for (let i = 0; i < envs.length; i++) env[i] = (envs[i] as (ts: number) => SiteEnv)(at);
        for (const step of steps) step(ctx);
      },
    };
  }
}

/** Marker tags from their names: `markerTags('discharge air temp sensor')`. */
export function markerTags(names: string): Record<string, typeof MARKER> {
  const tags: Record<string, typeof MARKER> = {};
  for (const name of names.split(' ')) if (name !== '') tags[name] = MARKER;
  return tags;
}
