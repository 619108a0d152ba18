// Haystack time zones: city names mapped to IANA zones, with UTC offsets from the platform's Intl database.

import { HaystackError } from '../errors.js';
import { daysFromCivil } from '../kinds/calendar.js';

// Regions tried, in order, when a Haystack name is not the city part of one of Intl's canonical ids
// (Intl still lists old names such as Asia/Calcutta where Haystack uses Kolkata).
const REGIONS = [
  'America',
  'Europe',
  'Asia',
  'Africa',
  'Australia',
  'Pacific',
  'Atlantic',
  'Indian',
  'Antarctica',
  'Arctic',
  'America/Argentina',
  'America/Indiana',
  'America/Kentucky',
  'America/North_Dakota',
] as const;

// ICU (hence Intl on Node 20) still lists some zones under names IANA has since replaced; Haystack (Haxall's
// tz database) names them by the current IANA city, so map the old city to the new one.
const LEGACY_CITY: ReadonlyMap<string, string> = new Map([
  ['Asmera', 'Asmara'],
  ['Calcutta', 'Kolkata'],
  ['Coral_Harbour', 'Atikokan'],
  ['Enderbury', 'Kanton'],
  ['Faeroe', 'Faroe'],
  ['Godthab', 'Nuuk'],
  ['Katmandu', 'Kathmandu'],
  ['Kiev', 'Kyiv'],
  ['Ponape', 'Pohnpei'],
  ['Rangoon', 'Yangon'],
  ['Saigon', 'Ho_Chi_Minh'],
  ['Truk', 'Chuuk'],
]);

// The Olson database's zones with no region (northamerica and europe kept them as zones until 2024b, now links):
// Haxall and the Haystack tz list name them whole, so they are Haystack names of their own (`EST5EDT`), kept as
// written and handed to Intl by that IANA name. Listed here because Intl can look them up but does not list them.
const LEGACY_ZONES: ReadonlySet<string> = new Set([
  'CET',
  'CST6CDT',
  'EET',
  'EST',
  'EST5EDT',
  'HST',
  'MET',
  'MST',
  'MST7MDT',
  'PST8PDT',
  'WET',
]);

const MS_PER_HOUR = 3_600_000;
const CACHE_LIMIT = 200_000;

/** A Haystack time zone: the Haystack name (`New_York`) and the IANA id (`America/New_York`). */
export class TimeZone {
  /** Haystack name: the city part of the IANA id, `UTC`, `GMT`, `GMT+5` (Etc/GMT+5), or a legacy name (`EST5EDT`). */
  readonly name: string;
  /** IANA id understood by Intl. */
  readonly iana: string;
  /** Fixed offset in seconds for UTC and the Etc zones; undefined for zones with rules. */
  readonly fixedOffset: number | undefined;
  #format: Intl.DateTimeFormat | undefined;
  // Offset in seconds per UTC hour, for hours with no transition inside them.
  readonly #hourCache = new Map<number, number>();

  private constructor(name: string, iana: string, fixedOffset: number | undefined) {
    this.name = name;
    this.iana = iana;
    this.fixedOffset = fixedOffset;
  }

  /** UTC. */
  static readonly UTC: TimeZone = new TimeZone('UTC', 'UTC', 0);

  /** The zone with this Haystack name (or an IANA id); throws `HS_ERR_UNKNOWN_TZ` for unknown names. */
  static get(name: string): TimeZone {
    const tz = TimeZone.find(name);
    if (tz === undefined) throw new HaystackError('HS_ERR_UNKNOWN_TZ', `Unknown time zone ${JSON.stringify(name)}`);
    return tz;
  }

  /** The zone with this Haystack name (or an IANA id), or undefined. */
  static find(name: string): TimeZone | undefined {
    const cached = BY_NAME.get(name);
    if (cached !== undefined) return cached;
    if (typeof name !== 'string' || name.length === 0 || name.length > 64 || UNKNOWN.has(name)) return undefined;
    const made = resolve(name);
    if (made === undefined) {
      // Resolving an unknown name costs ~0.5 ms of failed Intl lookups; remember a bounded number of them.
      if (UNKNOWN.size >= 1000) UNKNOWN.clear();
      UNKNOWN.add(name);
      return undefined;
    }
    // One instance per Haystack name, so every alias shares the offset cache.
    const tz = BY_NAME.get(made.name) ?? made;
    if (BY_NAME.size < 10_000) {
      BY_NAME.set(tz.name, tz);
      BY_NAME.set(name, tz);
    }
    return tz;
  }

  /** The zone of a fixed offset in whole hours (`GMT+5` is UTC-05:00), UTC for 0, undefined otherwise. */
  static fromOffset(offsetSeconds: number): TimeZone | undefined {
    if (offsetSeconds === 0) return TimeZone.UTC;
    if (offsetSeconds % 3600 !== 0) return undefined;
    const h = -offsetSeconds / 3600;
    return TimeZone.find(h > 0 ? `GMT+${h}` : `GMT${h}`);
  }

  /**
   * Every Haystack name the platform supports, sorted: the city part of each IANA zone Intl lists (with ICU's
   * old city names replaced by the current ones), `UTC`, `GMT`, `GMT-14` .. `GMT+12` (the Etc zones, named
   * with POSIX's sign: `GMT+5` is UTC-05:00) and the legacy region-less zones Intl knows (`EST5EDT`, `CET`, ...).
   */
  static names(): readonly string[] {
    const names = new Set<string>(['UTC', 'GMT']);
    for (let h = -14; h <= 12; h++) if (h !== 0) names.add(h > 0 ? `GMT+${h}` : `GMT${h}`);
    for (const legacy of LEGACY_ZONES) if (canonicalId(legacy) !== undefined) names.add(legacy);
    for (const id of supportedIds()) {
      const city = cityOf(id);
      if (city !== undefined) names.add(city);
    }
    return [...names].sort();
  }

  /** UTC offset in seconds (east positive) at an instant given in epoch milliseconds. */
  offsetAt(epochMs: number): number {
    if (this.fixedOffset !== undefined) return this.fixedOffset;
    const hour = Math.floor(epochMs / MS_PER_HOUR);
    const cached = this.#hourCache.get(hour);
    if (cached !== undefined) return cached;
    const start = hour * MS_PER_HOUR;
    const atStart = this.#offsetFromIntl(start);
    const atEnd = this.#offsetFromIntl(start + MS_PER_HOUR - 1000);
    if (atStart !== atEnd) return this.#offsetFromIntl(epochMs);
    if (this.#hourCache.size >= CACHE_LIMIT) this.#hourCache.clear();
    this.#hourCache.set(hour, atStart);
    return atStart;
  }

  #offsetFromIntl(epochMs: number): number {
    this.#format ??= new Intl.DateTimeFormat('en-US', {
      timeZone: this.iana,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    const secs = Math.floor(epochMs / 1000);
    // Every field asked for is in the parts; `era` is read by its first letter (B for BC).
    const f: Record<string, string> = {};
    for (const p of this.#format.formatToParts(secs * 1000)) f[p.type] = p.value;
    const y = Number(f.year);
    const local =
      daysFromCivil(f.era?.startsWith('B') === true ? 1 - y : y, Number(f.month), Number(f.day)) * 86400 +
      Number(f.hour) * 3600 +
      Number(f.minute) * 60 +
      Number(f.second);
    return local - secs;
  }

  /** Same zone. */
  equals(other: unknown): boolean {
    return other instanceof TimeZone && other.name === this.name;
  }

  /** The Haystack name. */
  toString(): string {
    return this.name;
  }
}

const BY_NAME = new Map<string, TimeZone>([
  ['UTC', TimeZone.UTC],
  ['Etc/UTC', TimeZone.UTC],
]);
const UNKNOWN = new Set<string>();
let CITY_TO_ID: Map<string, string> | undefined;

function supportedIds(): readonly string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  return intl.supportedValuesOf?.('timeZone') ?? [];
}

// The Haystack name of an IANA id: its city part, with ICU's legacy cities renamed.
function cityOf(id: string): string | undefined {
  const slash = id.lastIndexOf('/');
  if (slash < 0 || id.startsWith('Etc/')) return undefined;
  const city = id.slice(slash + 1);
  return LEGACY_CITY.get(city) ?? city;
}

// The platform's canonical spelling of an IANA id (links such as US/Eastern resolve), or undefined if unknown.
function canonicalId(id: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: id }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

function resolve(name: string): TimeZone | undefined {
  // Haystack: GMT and the Etc names keep POSIX's inverted sign (GMT+5 is UTC-05:00).
  const etc = /^(?:Etc\/)?GMT(?:([+-])(\d{1,2}))?$/.exec(name);
  if (etc !== null) {
    if (etc[1] === undefined) return makeZone('GMT', 'Etc/GMT', 0);
    const hours = Number(etc[2]);
    // GMT+0 and GMT-0 are aliases of GMT (as in Haxall's alias table).
    if (hours === 0) return TimeZone.find('GMT');
    if (hours > 14 || (etc[1] === '+' && hours > 12)) return undefined;
    const sign = etc[1] === '+' ? -1 : 1;
    const hsName = `GMT${etc[1]}${hours}`;
    return makeZone(hsName, `Etc/${hsName}`, sign * hours * 3600);
  }
  if (name.includes('/')) {
    const id = canonicalId(name);
    if (id === undefined) return undefined;
    // Intl folds the Etc aliases of UTC (Etc/Universal, Etc/Zulu, ...) into UTC.
    if (id === 'UTC' || id === 'Etc/UTC') return TimeZone.UTC;
    const city = cityOf(id);
    return city === undefined ? undefined : (TimeZone.find(city) ?? makeZone(city, id, undefined));
  }
  if (!/^[A-Za-z][A-Za-z0-9_+-]*$/.test(name)) return undefined;
  if (LEGACY_ZONES.has(name)) return canonicalId(name) === undefined ? undefined : makeZone(name, name, undefined);
  if (CITY_TO_ID === undefined) {
    CITY_TO_ID = new Map();
    for (const id of supportedIds()) {
      const city = cityOf(id);
      if (city !== undefined && !CITY_TO_ID.has(city)) CITY_TO_ID.set(city, id);
    }
  }
  const city = LEGACY_CITY.get(name) ?? name;
  let id = CITY_TO_ID.get(city);
  if (id === undefined) {
    // Intl ids are case-insensitive but Haystack names are not: `new_york` must not become a zone.
    for (const r of REGIONS) {
      const canonical = canonicalId(`${r}/${city}`);
      if (canonical !== undefined && cityOf(canonical) === city) {
        id = canonical;
        break;
      }
    }
  }
  return id === undefined ? undefined : makeZone(city, id, undefined);
}

// The constructor is private so that zones are made only here, once per name.
function makeZone(name: string, iana: string, fixed: number | undefined): TimeZone {
  const Ctor = TimeZone as unknown as new (n: string, i: string, f: number | undefined) => TimeZone;
  return new Ctor(name, iana, fixed);
}
