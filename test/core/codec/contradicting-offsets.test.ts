// A DateTime whose offset contradicts its zone: every reader takes the instant from the stated offset and shows
// it in the zone (as Haxall's DateTime.fromStr computes its ticks), the history fast path included.

import { describe, expect, it } from 'vitest';
import { decodeJson } from '../../../src/core/codec/json/index.js';
import { decodeTrioDicts } from '../../../src/core/codec/trio/index.js';
import {
  decodeZinc,
  decodeZincStream,
  decodeZincValue,
  encodeZinc,
  HisRows,
  ZincReader,
} from '../../../src/core/codec/zinc/index.js';
import { type Dict, type Grid, HDateTime, TimeZone, type Val } from '../../../src/core/index.js';
import { expectCode } from '../../support/errors.js';
import { diffVals } from '../../support/hayson-compare.js';

const H = 3600;
// 2026-01-01T00:00:00+09:00 is 2025-12-31T15:00:00Z, which New York shows as 10:00-05:00.
const ISO = '2026-01-01T00:00:00+09:00';
const NORMAL = '2025-12-31T10:00:00-05:00 New_York';

function expectNormalized(v: unknown, what: string): void {
  expect(v, what).toBeInstanceOf(HDateTime);
  const dt = v as HDateTime;
  expect(dt.epochMs, what).toBe(Date.UTC(2025, 11, 31, 15));
  expect(dt.offset, what).toBe(-5 * H);
  expect(dt.tz, what).toBe(TimeZone.get('New_York'));
  expect(dt.toString(), what).toBe(NORMAL);
}

describe('an offset that contradicts the zone', () => {
  it('reads as the stated instant shown in the zone, in every reader', async () => {
    const zinc = `${ISO} New_York`;
    expectNormalized(HDateTime.parse(zinc), 'HDateTime.parse');
    expectNormalized(decodeZincValue(zinc), 'zinc value');
    expectNormalized((decodeZincValue(`{ts:${zinc}}`) as Dict).get('ts'), 'zinc dict');
    expectNormalized(decodeJson(`{"_kind":"dateTime","val":"${ISO}","tz":"New_York"}`), 'json text');
    expectNormalized(decodeJson({ _kind: 'dateTime', val: ISO, tz: 'New_York' }), 'json parsed');
    expectNormalized(decodeJson(`"t:${zinc}"`, { version: 3 }), 'json v3');
    expectNormalized(decodeTrioDicts(`ts:${zinc}\n`)[0]?.get('ts'), 'trio');
    const grid = `ver:"3.0"\nts,val\n${zinc},1\n`;
    expectNormalized((decodeZinc(grid) as Grid).row(0).get('ts'), 'zinc history');
    expectNormalized((await decodeZincStream([grid])).row(0).get('ts'), 'zinc stream');
    // Re-encoded, the value has one face: the zone's offset.
    expect(encodeZinc(decodeZincValue(zinc))).toBe(NORMAL);
  });

  it('keeps the two instants of a DST overlap apart, and moves a time in a gap forward', () => {
    expect(decodeZincValue('2024-11-03T01:30:00-04:00 New_York')?.toString()).toBe(
      '2024-11-03T01:30:00-04:00 New_York',
    );
    expect(decodeZincValue('2024-11-03T01:30:00-05:00 New_York')?.toString()).toBe(
      '2024-11-03T01:30:00-05:00 New_York',
    );
    // 02:30 does not exist on 2024-03-10 in New York; -05:00 names the instant 07:30Z, shown as 03:30-04:00.
    expect(decodeZincValue('2024-03-10T02:30:00-05:00 New_York')?.toString()).toBe(
      '2024-03-10T03:30:00-04:00 New_York',
    );
  });

  it('applies to fixed zones and to JSON without a zone (GMT)', () => {
    expect(decodeZincValue('2024-01-01T00:00:00+01:00 UTC')?.toString()).toBe('2023-12-31T23:00:00Z UTC');
    expect(decodeZincValue('2024-01-01T00:00:00Z GMT+5')?.toString()).toBe('2023-12-31T19:00:00-05:00 GMT+5');
    const gmt = decodeJson('{"_kind":"dateTime","val":"2024-01-01T00:00:00+02:00"}') as HDateTime;
    expect(gmt.toString()).toBe('2023-12-31T22:00:00Z GMT');
  });

  it('rejects a contradiction whose local time in the zone falls outside years 0000-9999', () => {
    expectCode(() => decodeZincValue('9999-12-31T23:00:00-12:00 Tokyo'), 'HS_ERR_PARSE');
    expectCode(() => decodeZincValue('0000-01-01T00:00:00+14:00 Honolulu'), 'HS_ERR_PARSE');
  });

  it('keeps a history on the fast path through contradicting offsets, equal to the row-by-row decode', () => {
    const rows: string[] = [];
    for (let i = 0; i < 48; i++) {
      const t = HDateTime.fromEpochMs(Date.UTC(2024, 2, 9, 12) + i * 30 * 60_000, 'New_York');
      // Every third row states the instant with another offset (as UTC, as some writers do).
      const ts = i % 3 === 0 ? `${t.toTimeZone('UTC').toIso()} New_York` : t.toString();
      rows.push(`${ts},${i}kW`);
    }
    const text = `ver:"3.0"\nts,val\n${rows.join('\n')}\n`;
    const g = decodeZinc(text) as Grid;
    expect(g.rowSource).toBeInstanceOf(HisRows);
    expect(g.size).toBe(48);
    const byRow: Val = new ZincReader(text, { columnar: false }).readTop();
    expect(diffVals(g, byRow)).toBeUndefined();
    for (let i = 0; i < 48; i++) {
      const ts = g.row(i).get('ts') as HDateTime;
      expect(ts.epochMs).toBe(Date.UTC(2024, 2, 9, 12) + i * 30 * 60_000);
      expect(ts.offset).toBe(TimeZone.get('New_York').offsetAt(ts.epochMs));
    }
  });
});
