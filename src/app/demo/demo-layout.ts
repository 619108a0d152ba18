// The demo building's layout and physics: two sites with weather, AHUs, VAVs, a central plant and electric meters.

import { coord } from '../../core/kinds/coord.js';
import { MARKER } from '../../core/kinds/marker.js';
import { Num } from '../../core/kinds/number.js';
import type { Ref } from '../../core/kinds/ref.js';
import { TimeZone } from '../../core/tz/time-zone.js';
import { type DemoBuilder, markerTags, type PointOwner, type SlotContext } from './demo-builder.js';
import { approach, type Climate, clamp, type SiteEnv, siteEnv } from './demo-climate.js';
import { type Random, seededRandom } from './seeded-random.js';

/** How one site of the demo is made. */
interface SiteSpec {
  readonly key: string;
  readonly dis: string;
  readonly tz: string;
  readonly geo: { lat: number; lng: number; addr: string; city: string; state: string; postal: string };
  readonly area: number;
  readonly yearBuilt: number;
  readonly floors: number;
  readonly vavsPerFloor: number;
  readonly climate: Climate;
  readonly chiller: boolean;
  /** Plug loads, unoccupied and occupied (kW). */
  readonly plugKw: readonly [number, number];
  /** Lighting, unoccupied and occupied (kW). */
  readonly lightingKw: readonly [number, number];
  /** Meter readings 30 days before the first sample, kWh: main, lighting. */
  readonly startKwh: readonly [number, number];
  readonly weather: { key: string; dis: string; lat: number; lng: number };
}

const SITES: readonly SiteSpec[] = [
  {
    key: 'hudson',
    dis: 'Hudson Tower',
    tz: 'New_York',
    geo: { lat: 40.7527, lng: -73.9772, addr: '405 Lexington Ave', city: 'New York', state: 'NY', postal: '10174' },
    area: 186_000,
    yearBuilt: 1998,
    floors: 3,
    vavsPerFloor: 10,
    climate: { annualMean: 55, annualSwing: 21, dailySwing: 7, humidity: 64 },
    chiller: true,
    plugKw: [70, 165],
    lightingKw: [18, 96],
    startKwh: [3_214_000, 412_000],
    weather: { key: 'wx.nyc', dis: 'New York Central Park', lat: 40.7789, lng: -73.9692 },
  },
  {
    key: 'flatirons',
    dis: 'Flatirons Lab',
    tz: 'Denver',
    geo: { lat: 40.015, lng: -105.2705, addr: '1800 Broadway', city: 'Boulder', state: 'CO', postal: '80302' },
    area: 52_000,
    yearBuilt: 2012,
    floors: 2,
    vavsPerFloor: 8,
    climate: { annualMean: 51, annualSwing: 22, dailySwing: 13, humidity: 48 },
    chiller: false,
    plugKw: [22, 58],
    lightingKw: [6, 31],
    startKwh: [906_000, 151_000],
    weather: { key: 'wx.boulder', dis: 'Boulder Municipal Airport', lat: 40.0394, lng: -105.2258 },
  },
];

const F = '°F';
const PCT = { unit: '%', decimals: 0 } as const;
const BOOL = { kind: 'Bool' } as const;

/** Lay out every site of the demo into `b`. */
export function layoutDemo(b: DemoBuilder, seed: number): void {
  const rnd = seededRandom(seed);
  SITES.forEach((spec, i) => {
    layoutSite(b, spec, i, seed, rnd);
  });
}

function layoutSite(b: DemoBuilder, s: SiteSpec, channel: number, seed: number, rnd: Random): void {
  const tz = TimeZone.get(s.tz);
  const siteIndex = b.site((ts) => siteEnv(tz, s.climate, seed, channel + 1, ts));
  const envOf = (c: SlotContext): SiteEnv => c.env[siteIndex] as SiteEnv;

  // Weather station first: sites refer to it.
  const wxRef = b.entity(s.weather.key, {
    dis: s.weather.dis,
    weatherStation: MARKER,
    geoCoord: coord(s.weather.lat, s.weather.lng),
    tz: s.tz,
  });
  const wx: PointOwner = {
    id: s.weather.key,
    dis: s.weather.dis,
    tz: s.tz,
    pointTags: { weatherStationRef: wxRef, tz: s.tz },
  };
  // Weather chapter: observations are weather points, of the station rather than a site and equip.
  const wxTemp = b.point(wx, 'temp', 'Temp', 'weather outside air temp sensor', { unit: F });
  const wxRh = b.point(wx, 'humidity', 'Humidity', 'weather outside air humidity sensor', { unit: '%RH', decimals: 0 });
  b.step((c) => {
    const e = envOf(c);
    c.v[wxTemp] = e.oat;
    c.v[wxRh] = e.rh;
  });

  const siteRef = b.entity(s.key, {
    dis: s.dis,
    site: MARKER,
    tz: s.tz,
    area: new Num(s.area, 'ft²'),
    yearBuilt: new Num(s.yearBuilt),
    primaryFunction: 'Office',
    geoCoord: coord(s.geo.lat, s.geo.lng),
    geoAddr: `${s.geo.addr}, ${s.geo.city}, ${s.geo.state} ${s.geo.postal}`,
    geoStreet: s.geo.addr,
    geoCity: s.geo.city,
    geoState: s.geo.state,
    geoPostalCode: s.geo.postal,
    geoCountry: 'US',
    weatherStationRef: wxRef,
  });
  const equip = (key: string, dis: string, tags: Record<string, unknown>): PointOwner => {
    const id = `${s.key}.${key}`;
    const ref = b.entity(id, { dis, navName: dis, equip: MARKER, ...tags, siteRef, tz: s.tz });
    return { id, dis: `${s.dis} ${dis}`, tz: s.tz, pointTags: { siteRef, equipRef: ref, tz: s.tz } };
  };

  const fanKw: number[] = [];
  const clgValves: number[] = [];
  const ahuRuns: number[] = [];
  for (let f = 1; f <= s.floors; f++) {
    const floorRef = b.entity(`${s.key}.floor${f}`, {
      dis: `${s.dis} Floor ${f}`,
      navName: `Floor ${f}`,
      // A floor is a space (its mandatory supertype).
      space: MARKER,
      floor: MARKER,
      siteRef,
    });
    // The heatingProcess and coolingProcess choices, as phIoT names their options.
    const cooling = s.chiller ? 'chilledWaterCooling' : 'dxCooling';
    const ahu = layoutAhu(b, s, equip(`ahu${f}`, `AHU-${f}`, markerTags(`ahu hotWaterHeating ${cooling}`)), envOf);
    fanKw.push(ahu.fanKw);
    clgValves.push(ahu.clgValve);
    ahuRuns.push(ahu.fanRun);
    for (let n = 1; n <= s.vavsPerFloor; n++) {
      const num = `${f}-${String(n).padStart(2, '0')}`;
      const owner = equip(`vav${num}`, `VAV-${num}`, {
        ...markerTags('vav hotWaterHeating'),
        airRef: ahu.ref,
        floorRef,
      });
      layoutVav(b, owner, ahu, envOf, rnd);
    }
  }

  const plant = layoutPlant(b, s, equip, envOf, clgValves, ahuRuns);
  layoutMeters(b, s, equip, envOf, rnd, fanKw, plant);
}

interface AhuSlots {
  readonly ref: Ref;
  readonly dat: number;
  readonly fanRun: number;
  readonly clgValve: number;
  readonly fanKw: number;
}

function layoutAhu(b: DemoBuilder, s: SiteSpec, owner: PointOwner, envOf: (c: SlotContext) => SiteEnv): AhuSlots {
  const dat = b.point(owner, 'dat', 'Discharge Temp', 'discharge air temp sensor', { unit: F });
  const datSp = b.point(owner, 'datSp', 'Discharge Temp Sp', 'discharge air temp sp', { unit: F, writable: 55 });
  const rat = b.point(owner, 'rat', 'Return Temp', 'return air temp sensor', { unit: F });
  const mat = b.point(owner, 'mat', 'Mixed Temp', 'mixed air temp sensor', { unit: F });
  const oad = b.point(owner, 'oaDamper', 'OA Damper', 'outside air damper cmd', PCT);
  const fanRun = b.point(owner, 'fanRun', 'Fan Run', 'discharge fan run cmd', BOOL);
  const fanSpeed = b.point(owner, 'fanSpeed', 'Fan Speed', 'discharge fan speed cmd', PCT);
  const clgTags = s.chiller ? 'chilled water valve' : 'cool';
  const clg = b.point(owner, 'clgCmd', s.chiller ? 'Cooling Valve' : 'Cooling Cmd', `${clgTags} cmd`, {
    unit: '%',
    decimals: 0,
  });
  const htg = b.point(owner, 'htgValve', 'Heating Valve', 'hot water valve cmd', PCT);
  const dsp = b.point(owner, 'ductPressure', 'Duct Static', 'discharge air pressure sensor', {
    unit: 'inH₂O',
    decimals: 2,
  });
  const fanKw = b.hidden();
  b.step((c) => {
    const e = envOf(c);
    const v = c.v;
    const on = e.occupied;
    const sp = c.sp(datSp);
    const afternoon = Math.sin((Math.PI * clamp(e.hour - 7, 0, 11)) / 11);
    const r = on
      ? approach(driftTemp(72, e), 72 + 0.8 * afternoon, e.minutesSinceChange, 30) + 0.3 * c.noise(rat)
      : approach(72, driftTemp(72, e), e.minutesSinceChange, 300) + 0.2 * c.noise(rat);
    // Economizer: mix outside air to reach the discharge setpoint when it is cool enough, else minimum air.
    let frac = 0;
    if (on) frac = e.oat > 65 ? 0.2 : e.oat >= sp ? 1 : clamp((r - sp) / Math.max(r - e.oat, 0.1), 0.2, 1);
    const m = on ? frac * e.oat + (1 - frac) * r + 0.3 * c.noise(mat) : r - 0.1 * (r - e.oat);
    const cool = on && m > sp + 0.3 ? clamp((m - sp) * 3.8 + c.noise(clg), 0, 100) : 0;
    const heat = on && m < sp - 0.3 ? clamp((sp - m) * 9 + c.noise(htg), 0, 100) : 0;
    const speed = on ? clamp(50 + 0.35 * cool + 6 * afternoon + 2 * c.noise(fanSpeed), 35, 100) : 0;
    v[datSp] = sp;
    v[rat] = r;
    v[mat] = m;
    v[dat] = on ? sp + 0.4 * c.noise(dat) : m;
    v[oad] = frac * 100;
    v[fanRun] = on ? 1 : 0;
    v[fanSpeed] = speed;
    v[clg] = cool;
    v[htg] = heat;
    v[dsp] = on ? 1.5 * (speed / 80) ** 2 + 0.03 * c.noise(dsp) : 0;
    v[fanKw] = on ? 2 + 45 * (speed / 100) ** 3 : 0;
  });
  return { ref: owner.pointTags.equipRef as Ref, dat, fanRun, clgValve: clg, fanKw };
}

// Where a zone drifts with the air handler off: part way from its setpoint toward the day's outside mean.
function driftTemp(sp: number, e: SiteEnv): number {
  return clamp(0.55 * sp + 0.45 * e.dailyMean, 58, 86);
}

function layoutVav(
  b: DemoBuilder,
  owner: PointOwner,
  ahu: AhuSlots,
  envOf: (c: SlotContext) => SiteEnv,
  rnd: Random,
): void {
  const spDefault = 70 + Math.round(rnd.range(0, 8)) / 2;
  const maxCfm = 50 * Math.round(rnd.range(10, 28));
  const minCfm = 0.3 * maxCfm;
  const bias = rnd.range(-0.6, 0.6);
  const zat = b.point(owner, 'zat', 'Zone Temp', 'zone air temp sensor', { unit: F });
  const zatSp = b.point(owner, 'zatSp', 'Zone Temp Sp', 'zone air temp sp', { unit: F, writable: spDefault });
  const flow = b.point(owner, 'airflow', 'Airflow', 'discharge air flow sensor', { unit: 'cfm', decimals: 0 });
  const damper = b.point(owner, 'damper', 'Damper', 'damper cmd', PCT);
  const dat = b.point(owner, 'dat', 'Discharge Temp', 'discharge air temp sensor', { unit: F });
  const occ = b.point(owner, 'occ', 'Occupied', 'occupied sensor', BOOL);
  b.step((c) => {
    const e = envOf(c);
    const v = c.v;
    const sp = c.sp(zatSp);
    const on = (v[ahu.fanRun] as number) > 0.5;
    const afternoon = Math.sin((Math.PI * clamp(e.hour - 7, 0, 11)) / 11);
    const z = e.occupied
      ? approach(driftTemp(sp, e), sp + bias + 0.7 * afternoon + 0.3 * c.noise(zat), e.minutesSinceChange, 25)
      : approach(sp + bias, driftTemp(sp, e), e.minutesSinceChange, 300) + 0.15 * c.noise(zat);
    const cfm = on ? clamp(minCfm + (z - sp + 0.5) * 0.6 * maxCfm, minCfm, maxCfm) + 8 * c.noise(flow) : 0;
    const reheat = on && z < sp - 0.5 ? Math.min((sp - 0.5 - z) * 12, 30) : 0;
    v[zat] = z;
    v[zatSp] = sp;
    v[flow] = Math.max(0, cfm);
    v[damper] = on ? clamp((cfm / maxCfm) * 100 + c.noise(damper), 0, 100) : 0;
    v[dat] = on ? (v[ahu.dat] as number) + reheat : z - 0.5;
    // Presence changes every quarter hour at most: most zones are busy in office hours, few at night.
    const draw = c.noiseAt(occ, Math.floor(c.ts / 900_000) * 900_000);
    v[occ] = (e.occupied ? draw > -0.7 : draw > 0.96) ? 1 : 0;
  });
}

interface PlantSlots {
  /** Slots whose sum is the plant's electric power (kW). */
  readonly kwSlots: readonly number[];
}

function layoutPlant(
  b: DemoBuilder,
  s: SiteSpec,
  equip: (key: string, dis: string, tags: Record<string, unknown>) => PointOwner,
  envOf: (c: SlotContext) => SiteEnv,
  clgValves: readonly number[],
  ahuRuns: readonly number[],
): PlantSlots {
  const plant = equip('plant', 'Central Plant', {
    // hot-water-plant, and chilled-water-plant too: conjuncts of the plant's tags.
    ...markerTags(s.chiller ? 'plant hot chilled water' : 'plant hot water'),
  });
  const inPlant = (key: string, dis: string, tags: Record<string, unknown>): PointOwner => {
    const o = equip(key, dis, { ...tags, equipRef: plant.pointTags.equipRef });
    return o;
  };
  const kwSlots: number[] = [];
  const anyAhuOn = (c: SlotContext): boolean => ahuRuns.some((slot) => (c.v[slot] as number) > 0.5);

  if (s.chiller) {
    const ch = inPlant('chiller1', 'Chiller-1', markerTags('chiller waterCooling'));
    const lchw = b.point(ch, 'lchwt', 'Leaving CHW Temp', 'leaving chilled water temp sensor', { unit: F });
    const echw = b.point(ch, 'echwt', 'Entering CHW Temp', 'entering chilled water temp sensor', { unit: F });
    const chwSp = b.point(ch, 'chwSp', 'CHW Temp Sp', 'leaving chilled water temp sp', { unit: F, writable: 44 });
    const run = b.point(ch, 'run', 'Run', 'run cmd', BOOL);
    const kw = b.point(ch, 'power', 'Power', 'elec power sensor', { unit: 'kW' });
    const pump = inPlant('chwPump', 'CHW Pump', markerTags('pump chilled water'));
    const pumpRun = b.point(pump, 'run', 'Run', 'run cmd', BOOL);
    const pumpSpeed = b.point(pump, 'speed', 'Speed', 'speed cmd', PCT);
    const pumpKw = b.hidden();
    kwSlots.push(kw, pumpKw);
    b.step((c) => {
      const e = envOf(c);
      const v = c.v;
      const sp = c.sp(chwSp);
      const on = anyAhuOn(c) && e.oat > 52;
      let valves = 0;
      for (const slot of clgValves) valves += v[slot] as number;
      const load = on ? clamp((0.8 * valves) / clgValves.length + (e.oat - 55) * 1.5, 10, 100) : 0;
      const leaving = on ? sp + 0.3 * c.noise(lchw) : clamp(45 + 0.3 * e.dailyMean, 55, 70) + 0.2 * c.noise(lchw);
      v[chwSp] = sp;
      v[lchw] = leaving;
      v[echw] = on ? leaving + 4 + 0.08 * load + 0.2 * c.noise(echw) : leaving + 0.5;
      v[run] = on ? 1 : 0;
      v[kw] = on ? 20 + 2.6 * load + 2 * c.noise(kw) : 0.8;
      const speed = on ? clamp(35 + 0.55 * load + c.noise(pumpSpeed), 30, 100) : 0;
      v[pumpRun] = on ? 1 : 0;
      v[pumpSpeed] = speed;
      v[pumpKw] = on ? 1 + 14 * (speed / 100) ** 3 : 0;
    });
  }

  const boiler = inPlant('boiler1', 'Boiler-1', markerTags('boiler naturalGasHeating'));
  const lhw = b.point(boiler, 'lhwt', 'Leaving HW Temp', 'leaving hot water temp sensor', { unit: F });
  const ehw = b.point(boiler, 'ehwt', 'Entering HW Temp', 'entering hot water temp sensor', { unit: F });
  const hwSp = b.point(boiler, 'hwSp', 'HW Temp Sp', 'leaving hot water temp sp', { unit: F, writable: 180 });
  const bRun = b.point(boiler, 'run', 'Run', 'run cmd', BOOL);
  const hwPump = inPlant('hwPump', 'HW Pump', markerTags('pump hot water'));
  const hpRun = b.point(hwPump, 'run', 'Run', 'run cmd', BOOL);
  const hpSpeed = b.point(hwPump, 'speed', 'Speed', 'speed cmd', PCT);
  const hpKw = b.hidden();
  kwSlots.push(hpKw);
  b.step((c) => {
    const e = envOf(c);
    const v = c.v;
    const sp = c.sp(hwSp);
    const on = e.oat < 62 && (e.occupied || e.oat < 40);
    const load = on ? clamp((62 - e.oat) / 45, 0.1, 1) : 0;
    const leaving = on ? sp + c.noise(lhw) : approach(sp, 95, e.minutesSinceChange, 240) + c.noise(lhw);
    v[hwSp] = sp;
    v[lhw] = leaving;
    v[ehw] = on ? leaving - 8 - 14 * load + 0.5 * c.noise(ehw) : leaving - 2;
    v[bRun] = on ? 1 : 0;
    const speed = on ? clamp(30 + 55 * load + c.noise(hpSpeed), 25, 100) : 0;
    v[hpRun] = on ? 1 : 0;
    v[hpSpeed] = speed;
    v[hpKw] = on ? 0.8 + 9 * (speed / 100) ** 3 : 0;
  });
  return { kwSlots };
}

function layoutMeters(
  b: DemoBuilder,
  s: SiteSpec,
  equip: (key: string, dis: string, tags: Record<string, unknown>) => PointOwner,
  envOf: (c: SlotContext) => SiteEnv,
  rnd: Random,
  fanKw: readonly number[],
  plant: PlantSlots,
): void {
  const mainOwner = equip('mainMeter', 'Main Meter', markerTags('meter elec siteMeter'));
  const mainRef = mainOwner.pointTags.equipRef;
  const sub = (key: string, dis: string): PointOwner =>
    equip(key, dis, { ...markerTags('meter elec'), submeterOf: mainRef });
  const lightOwner = sub('lightingMeter', 'Lighting Meter');
  const plantOwner = sub('plantMeter', 'Plant Meter');
  const meterPoints = (owner: PointOwner): number => {
    const kw = b.point(owner, 'power', 'Power', 'elec power sensor', { unit: 'kW' });
    b.point(owner, 'energy', 'Energy', 'elec energy sensor', { unit: 'kWh', totalizes: kw });
    return kw;
  };
  const main = meterPoints(mainOwner);
  const lighting = meterPoints(lightOwner);
  const plantKw = meterPoints(plantOwner);
  const plugScale = rnd.range(0.95, 1.05);
  const [plugOff, plugOn] = s.plugKw;
  const [lightOff, lightOn] = s.lightingKw;
  b.step((c) => {
    const e = envOf(c);
    const v = c.v;
    const light = e.occupied
      ? approach(lightOff, lightOn, e.minutesSinceChange, 20) + 1.5 * c.noise(lighting)
      : approach(lightOn, lightOff, e.minutesSinceChange, 45) + 0.4 * c.noise(lighting);
    let p = 0.6;
    for (const slot of plant.kwSlots) p += v[slot] as number;
    let fans = 0;
    for (const slot of fanKw) fans += v[slot] as number;
    const plug =
      plugScale *
      (e.occupied
        ? approach(plugOff, plugOn, e.minutesSinceChange, 40)
        : approach(plugOn, plugOff, e.minutesSinceChange, 60));
    v[lighting] = Math.max(0, light);
    v[plantKw] = p;
    v[main] = plug + light + p + fans + 2 * c.noise(main);
  });
}

/** Meter readings (kWh) at the start of history, by energy point id. */
export function startReadings(): ReadonlyMap<string, number> {
  const m = new Map<string, number>();
  for (const s of SITES) {
    m.set(`${s.key}.mainMeter.energy`, s.startKwh[0]);
    m.set(`${s.key}.lightingMeter.energy`, s.startKwh[1]);
    m.set(`${s.key}.plantMeter.energy`, Math.round(s.startKwh[0] * 0.22));
  }
  return m;
}
