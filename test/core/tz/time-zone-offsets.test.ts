// Zone offsets agree with luxon at random instants in many zones, and exactly at DST transitions.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimeZone } from '../../../src/core/tz/time-zone.js';
import { luxonOffsetSeconds, transitions } from '../../support/luxon-oracle.js';

const HOUR_MS = 3_600_000;
const ALL = TimeZone.names();
const DST_ZONES = [
  'New_York',
  'London',
  'Sydney',
  'Lord_Howe',
  'Chatham',
  'Santiago',
  'Adelaide',
  'Kathmandu',
] as const;

describe('TimeZone.offsetAt', () => {
  it('matches luxon for thousands of random instants (1900-2100) in every kind of zone', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL),
        fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) }),
        (name, ms) => {
          const tz = TimeZone.get(name);
          expect(tz.offsetAt(ms)).toBe(luxonOffsetSeconds(tz.iana, ms));
        },
      ),
      { numRuns: 2500 },
    );
  });

  it('matches luxon for many instants in one zone (the per-hour cache stays exact)', () => {
    const tz = TimeZone.get('Los_Angeles');
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2030, 0, 1) }), (ms) => {
        expect(tz.offsetAt(ms)).toBe(luxonOffsetSeconds('America/Los_Angeles', ms));
      }),
      { numRuns: 1000 },
    );
  });

  it('switches offset at the exact second of each transition, also at half-hour and 45-minute ones', () => {
    for (const name of DST_ZONES) {
      const tz = TimeZone.get(name);
      const ts = transitions(tz.iana, Date.UTC(2023, 0, 1), Date.UTC(2025, 0, 1));
      if (name !== 'Kathmandu') expect(ts.length, name).toBeGreaterThanOrEqual(2);
      for (const t of ts) {
        // Probe around the transition in both query orders, so the hour cache cannot hide an error.
        const probes = [t - HOUR_MS, t - 1000, t - 1, t, t + 1, t + 999, t + 1000, t + HOUR_MS];
        for (const p of [...probes, ...probes.reverse()]) {
          expect(tz.offsetAt(p), `${name} at ${new Date(p).toISOString()}`).toBe(luxonOffsetSeconds(tz.iana, p));
        }
        expect(tz.offsetAt(t - 1)).not.toBe(tz.offsetAt(t));
      }
    }
  });

  it('gives quarter-hour offsets for Kathmandu (+05:45) and Chatham (+12:45 / +13:45)', () => {
    expect(TimeZone.get('Kathmandu').offsetAt(Date.UTC(2024, 0, 1))).toBe(5 * 3600 + 45 * 60);
    expect(TimeZone.get('Chatham').offsetAt(Date.UTC(2024, 6, 1))).toBe(12 * 3600 + 45 * 60);
    expect(TimeZone.get('Chatham').offsetAt(Date.UTC(2024, 0, 1))).toBe(13 * 3600 + 45 * 60);
  });

  it('gives Lord_Howe its 30-minute DST (+10:30 in winter, +11 in summer)', () => {
    expect(TimeZone.get('Lord_Howe').offsetAt(Date.UTC(2024, 6, 1))).toBe(10.5 * 3600);
    expect(TimeZone.get('Lord_Howe').offsetAt(Date.UTC(2024, 0, 1))).toBe(11 * 3600);
  });

  it('keeps local-mean-time offsets in seconds, as the zone database has them', () => {
    const ms = Date.UTC(1850, 0, 1);
    expect(TimeZone.get('New_York').offsetAt(ms)).toBe(-(4 * 3600 + 56 * 60 + 2));
    expect(TimeZone.get('New_York').offsetAt(ms)).toBe(luxonOffsetSeconds('America/New_York', ms));
  });

  it('answers for instants far in the past and future', () => {
    for (const ms of [Date.UTC(1, 0, 1), Date.UTC(9999, 11, 31), -62_167_219_200_000]) {
      expect(TimeZone.get('Paris').offsetAt(ms)).toBe(luxonOffsetSeconds('Europe/Paris', ms));
    }
  });
});
