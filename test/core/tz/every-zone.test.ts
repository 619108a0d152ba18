// Every Haystack time zone the platform's IANA data admits parses in Zinc, JSON (v4 and v3) and Trio, maps to and
// from its IANA zone, and round-trips; unknown names fail naming the zone.

import { describe, expect, it } from 'vitest';
import { decodeJson, encodeJson } from '../../../src/core/codec/json/index.js';
import { decodeTrioDicts, encodeTrio } from '../../../src/core/codec/trio/index.js';
import { decodeZinc, decodeZincValue, encodeZinc } from '../../../src/core/codec/zinc/index.js';
import { HaystackError } from '../../../src/core/errors.js';
import { Dict } from '../../../src/core/grid/dict.js';
import { HDateTime } from '../../../src/core/kinds/date-time.js';
import { TimeZone } from '../../../src/core/tz/time-zone.js';
import { expectCode } from '../../support/errors.js';
import { luxonOffsetSeconds } from '../../support/luxon-oracle.js';

// The region-less zones of the Olson database (Haystack names them whole).
const LEGACY = ['CET', 'CST6CDT', 'EET', 'EST', 'EST5EDT', 'HST', 'MET', 'MST', 'MST7MDT', 'PST8PDT', 'WET'];

function intlCanonical(id: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: id }).resolvedOptions().timeZone;
}

function intlOffsetSeconds(id: string, epochMs: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: id, timeZoneName: 'longOffset' }).formatToParts(epochMs);
  const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? '';
  const m = /GMT(?:([+-])(\d{2}):(\d{2}))?/.exec(name);
  if (m?.[1] === undefined) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60);
}

/** The Haystack names the chapter's rules make of the platform's IANA data, independently of TimeZone.names. */
function expectedNames(): Set<string> {
  const names = new Set<string>(['UTC', 'GMT']);
  // Etc/GMT+N is named GMT+N (POSIX sign: UTC-N), as Haxall names the Etc zones by their last path part.
  for (let h = 1; h <= 12; h++) names.add(`GMT+${h}`);
  for (let h = 1; h <= 14; h++) names.add(`GMT-${h}`);
  for (const id of Intl.supportedValuesOf('timeZone')) {
    if (!id.includes('/') || id.startsWith('Etc/')) continue;
    names.add(TimeZone.get(id).name);
  }
  for (const l of LEGACY) names.add(l);
  return names;
}

// Instants: a northern winter and summer, and one far in the past (pre-1973 offsets in seconds).
const INSTANTS = [Date.UTC(2024, 0, 15, 12, 34, 56, 789), Date.UTC(2024, 6, 15, 3, 4, 5), Date.UTC(1950, 5, 1, 12)];

describe('every Haystack time zone', { timeout: 60_000 }, () => {
  const names = TimeZone.names();

  it('lists exactly the names the chapter rules make of the platform data, legacy names included', () => {
    expect([...names].sort()).toEqual([...expectedNames()].sort());
    for (const l of LEGACY) expect(names, l).toContain(l);
  });

  it('maps every IANA id of the platform to a Haystack zone and back to the same IANA zone', () => {
    for (const id of Intl.supportedValuesOf('timeZone')) {
      const tz = TimeZone.get(id);
      // The city part, or the current IANA city where ICU still spells it the old way (Calcutta -> Kolkata).
      const city = id.slice(id.lastIndexOf('/') + 1);
      expect(tz.name === city || TimeZone.get(city) === tz, id).toBe(true);
      expect(TimeZone.get(tz.iana), id).toBe(tz);
      expect(TimeZone.get(tz.name), id).toBe(tz);
      expect(intlCanonical(tz.iana), id).toBe(intlCanonical(id));
    }
    for (let h = -14; h <= 12; h++) {
      if (h === 0) continue;
      const etc = `Etc/GMT${h > 0 ? '+' : ''}${h}`;
      const tz = TimeZone.get(etc);
      expect(tz.name, etc).toBe(etc.slice(4));
      expect(tz.iana, etc).toBe(etc);
      expect(tz.offsetAt(0), etc).toBe(-h * 3600);
    }
  });

  it('keeps legacy names as written, each on the IANA rules of the same name', () => {
    for (const l of LEGACY) {
      const tz = TimeZone.get(l);
      expect([tz.name, tz.iana]).toEqual([l, l]);
      for (const t of INSTANTS.slice(0, 2)) expect(tz.offsetAt(t), l).toBe(intlOffsetSeconds(l, t));
    }
    expect(TimeZone.get('EST5EDT').offsetAt(INSTANTS[1] ?? 0)).toBe(-4 * 3600);
    expect(TimeZone.get('EST').offsetAt(INSTANTS[1] ?? 0)).toBe(-5 * 3600);
  });

  it('parses every name in Zinc, JSON v4, JSON v3 and Trio, and round-trips each', () => {
    for (const name of names) {
      const tz = TimeZone.get(name);
      expect(tz.name).toBe(name);
      for (const t of INSTANTS) {
        const dt = HDateTime.fromEpochMs(t, tz);
        expect(dt.offset, `${name} ${t}`).toBe(luxonOffsetSeconds(tz.iana, t));
        const zinc = dt.toString();
        expect(zinc.endsWith(` ${name}`)).toBe(true);
        const forms: [string, unknown][] = [
          ['zinc', decodeZincValue(zinc)],
          ['zinc grid', (decodeZinc(encodeZinc(Dict.of({ ts: dt }))) as Dict).get('ts')],
          ['json', decodeJson(encodeJson(dt))],
          ['json hand-written', decodeJson(`{"_kind":"dateTime","val":"${dt.toIso()}","tz":"${name}"}`)],
          ['json3', decodeJson(encodeJson(dt, { version: 3 }), { version: 3 })],
          ['trio', decodeTrioDicts(encodeTrio([Dict.of({ ts: dt })]))[0]?.get('ts')],
          ['trio hand-written', decodeTrioDicts(`ts:${zinc}\n`)[0]?.get('ts')],
        ];
        for (const [format, back] of forms) {
          expect(back, `${format} ${zinc}`).toBeInstanceOf(HDateTime);
          const b = back as HDateTime;
          expect([b.epochMs, b.subMsNanos, b.offset, b.tz], `${format} ${zinc}`).toEqual([
            dt.epochMs,
            dt.subMsNanos,
            dt.offset,
            tz,
          ]);
        }
      }
    }
  });

  it('rejects an unknown zone in every reader with an error that names it', () => {
    const name = 'Atlantis_Deep';
    const iso = '2024-01-01T00:00:00Z';
    const attempts: [string, () => unknown][] = [
      ['zinc', () => decodeZincValue(`${iso} ${name}`)],
      ['json', () => decodeJson(`{"_kind":"dateTime","val":"${iso}","tz":"${name}"}`)],
      ['json parsed', () => decodeJson({ _kind: 'dateTime', val: iso, tz: name })],
      ['json3', () => decodeJson(`"t:${iso} ${name}"`, { version: 3 })],
      ['trio', () => decodeTrioDicts(`ts:${iso} ${name}\n`)],
    ];
    for (const [format, attempt] of attempts) {
      const err = expectCode(attempt, 'HS_ERR_PARSE');
      expect(err, format).toBeInstanceOf(HaystackError);
      expect(err.message, format).toContain(name);
    }
    const err = expectCode(() => TimeZone.get(name), 'HS_ERR_UNKNOWN_TZ');
    expect(err.message).toContain(name);
    // Intl ids are case-insensitive, Haystack names are not.
    for (const bad of ['est5edt', 'Est5edt', 'cet', 'GMT+13']) expect(TimeZone.find(bad), bad).toBeUndefined();
  });
});
