// Haystack time-zone names: the table from Intl, aliases, IANA ids, Etc zones with inverted signs, one instance per name.

import { describe, expect, it } from 'vitest';
import { TimeZone } from '../../../src/core/tz/time-zone.js';
import { expectCode } from '../../support/errors.js';

const HOUR = 3600;

describe('TimeZone.names', () => {
  const names = TimeZone.names();

  it('lists hundreds of zones, sorted and unique', () => {
    expect(names.length).toBeGreaterThan(300);
    expect([...names].sort()).toEqual(names);
    expect(new Set(names).size).toBe(names.length);
  });

  it('resolves every listed name to a zone of that very name', () => {
    for (const n of names) {
      const tz = TimeZone.get(n);
      expect(tz.name, n).toBe(n);
      expect(Number.isInteger(tz.offsetAt(Date.UTC(2024, 0, 1))), n).toBe(true);
    }
  });

  it('uses current IANA city names, not the legacy ones ICU still lists', () => {
    for (const n of ['Kolkata', 'Kathmandu', 'Kyiv', 'Ho_Chi_Minh', 'Yangon', 'Nuuk', 'New_York', 'UTC', 'GMT']) {
      expect(names, n).toContain(n);
    }
    for (const n of ['Calcutta', 'Katmandu', 'Kiev', 'Saigon', 'Rangoon', 'Godthab']) expect(names, n).not.toContain(n);
  });

  it('lists the Etc zones GMT-14 .. GMT+12 and nothing beyond', () => {
    expect(names).toContain('GMT-14');
    expect(names).toContain('GMT+12');
    expect(names).not.toContain('GMT+13');
    expect(names).not.toContain('GMT-15');
    expect(names).not.toContain('GMT+0');
  });
});

describe('TimeZone.get', () => {
  it('throws HS_ERR_UNKNOWN_TZ for unknown names', () => {
    for (const bad of [
      '',
      'Nowhere',
      'new_york',
      'NEW_YORK',
      'America/Nowhere',
      'Eastern',
      'GMT+13',
      'GMT-15',
      'GMT+',
      'x'.repeat(100),
      'New York',
      '../etc/passwd',
      '__proto__',
      'constructor',
    ]) {
      expectCode(() => TimeZone.get(bad), 'HS_ERR_UNKNOWN_TZ');
      expect(TimeZone.find(bad), bad).toBeUndefined();
    }
  });

  it('gives one instance per name, whichever alias asked first', () => {
    expect(TimeZone.get('New_York')).toBe(TimeZone.get('New_York'));
    expect(TimeZone.get('America/New_York')).toBe(TimeZone.get('New_York'));
    expect(TimeZone.get('Calcutta')).toBe(TimeZone.get('Kolkata'));
    expect(TimeZone.get('Asia/Calcutta')).toBe(TimeZone.get('Kolkata'));
    expect(TimeZone.get('Asia/Kolkata')).toBe(TimeZone.get('Kolkata'));
    expect(TimeZone.get('Etc/UTC')).toBe(TimeZone.UTC);
    expect(TimeZone.get('UTC')).toBe(TimeZone.UTC);
  });

  it('resolves the Kolkata/Calcutta and Kathmandu/Katmandu aliases to the current name', () => {
    expect(TimeZone.get('Calcutta').name).toBe('Kolkata');
    expect(TimeZone.get('Katmandu').name).toBe('Kathmandu');
    expect(TimeZone.get('Kiev').name).toBe('Kyiv');
    expect(TimeZone.get('Kolkata').offsetAt(Date.UTC(2024, 5, 1))).toBe(5.5 * HOUR);
  });

  it('accepts IANA ids, links included, and maps them to the Haystack city name', () => {
    expect(TimeZone.get('America/New_York').name).toBe('New_York');
    expect(TimeZone.get('Europe/London').name).toBe('London');
    expect(TimeZone.get('America/Argentina/Buenos_Aires').name).toBe('Buenos_Aires');
    expect(TimeZone.get('America/Indiana/Indianapolis').name).toBe('Indianapolis');
    expect(TimeZone.get('Australia/Lord_Howe').name).toBe('Lord_Howe');
  });

  it('treats GMT+0 and GMT-0 as aliases of GMT', () => {
    for (const n of ['GMT+0', 'GMT-0', 'Etc/GMT+0', 'Etc/GMT-0']) expect(TimeZone.get(n), n).toBe(TimeZone.get('GMT'));
  });

  it('folds the Etc aliases of UTC into UTC', () => {
    for (const n of ['Etc/Universal', 'Etc/Zulu', 'Etc/UCT']) expect(TimeZone.get(n), n).toBe(TimeZone.UTC);
  });

  it('answers repeated unknown names quickly and consistently', () => {
    for (let i = 0; i < 3; i++) expect(TimeZone.find('Atlantis')).toBeUndefined();
    expect(TimeZone.find(5 as unknown as string)).toBeUndefined();
  });

  it('makes GMT+5 five hours behind UTC (POSIX inverted sign), and GMT-14 fourteen ahead', () => {
    expect(TimeZone.get('GMT+5').offsetAt(0)).toBe(-5 * HOUR);
    expect(TimeZone.get('GMT-5').offsetAt(0)).toBe(5 * HOUR);
    expect(TimeZone.get('GMT-14').offsetAt(0)).toBe(14 * HOUR);
    expect(TimeZone.get('GMT+12').offsetAt(0)).toBe(-12 * HOUR);
    expect(TimeZone.get('GMT').offsetAt(0)).toBe(0);
    expect(TimeZone.get('Etc/GMT+5')).toBe(TimeZone.get('GMT+5'));
    expect(TimeZone.get('GMT+5').fixedOffset).toBe(-5 * HOUR);
  });

  it('keeps GMT distinct from UTC (both are Haystack names)', () => {
    expect(TimeZone.get('GMT').name).toBe('GMT');
    expect(TimeZone.get('GMT')).not.toBe(TimeZone.UTC);
    expect(TimeZone.get('GMT').equals(TimeZone.UTC)).toBe(false);
  });

  it('finds the fixed zone of a whole-hour offset', () => {
    expect(TimeZone.fromOffset(0)).toBe(TimeZone.UTC);
    expect(TimeZone.fromOffset(-5 * HOUR)?.name).toBe('GMT+5');
    expect(TimeZone.fromOffset(14 * HOUR)?.name).toBe('GMT-14');
    expect(TimeZone.fromOffset(5.5 * HOUR)).toBeUndefined();
    expect(TimeZone.fromOffset(-13 * HOUR)).toBeUndefined();
  });

  it('prints and compares by name', () => {
    expect(String(TimeZone.get('New_York'))).toBe('New_York');
    expect(TimeZone.get('New_York').equals(TimeZone.get('America/New_York'))).toBe(true);
    expect(TimeZone.get('New_York').equals('New_York')).toBe(false);
    expect(TimeZone.get('New_York').iana).toBe('America/New_York');
  });
});
