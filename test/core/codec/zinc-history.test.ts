// `ts,val` history grids: decoded into typed columns, identical to the row-by-row result, encoded back the same.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeZinc, encodeZinc, HisRows, ZincReader } from '../../../src/core/codec/zinc/index.js';
import { Dict, Grid, HDateTime, Num, TimeZone, type Val } from '../../../src/core/index.js';
import { arbDateTime, arbNumber, arbStr } from '../../support/arbitraries.js';
import { diffVals } from '../../support/hayson-compare.js';

function rowByRow(text: string): Val {
  return new ZincReader(text, { columnar: false }).readTop();
}

function expectColumnar(text: string, columnar = true): Grid {
  const g = decodeZinc(text) as Grid;
  expect(g.rowSource instanceof HisRows).toBe(columnar);
  expect(diffVals(g, rowByRow(text))).toBeUndefined();
  return g;
}

const HEAD = 'ver:"3.0" id:@p hisStart:2024-03-09T00:00:00-05:00 New_York\nts,val unit:"kW"\n';

describe('history fast path', () => {
  it('keeps DateTime + Number rows in typed columns, equal to the row-by-row decode', () => {
    const g = expectColumnar(
      `${HEAD}2024-03-09T00:00:00-05:00 New_York,1.5kW\n2024-03-09T00:15:00-05:00 New_York,-2kW\n`,
    );
    expect(g.size).toBe(2);
    expect(g.row(1).get('val')).toEqual(new Num(-2, 'kW'));
    expect(g.meta.get('hisStart')).toBeInstanceOf(HDateTime);
    expect(g.cols[1]?.meta.get('unit')).toBe('kW');
  });

  it('follows the zone across a DST change', () => {
    const rows: string[] = [];
    const tz = TimeZone.get('New_York');
    for (let t = Date.UTC(2024, 2, 10, 5); t < Date.UTC(2024, 2, 10, 9); t += 15 * 60_000) {
      rows.push(`${HDateTime.fromEpochMs(t, tz).toString()},${t % 7}kW`);
    }
    const g = expectColumnar(`${HEAD}${rows.join('\n')}\n`);
    expect(encodeZinc(g)).toBe(encodeZinc(rowByRow(`${HEAD}${rows.join('\n')}\n`)));
  });

  it('keeps Bool and Str values in columns, and nulls, other units and other kinds beside them', () => {
    expectColumnar(`${HEAD}2024-01-01T00:00:00Z UTC,T\n2024-01-01T00:01:00Z UTC,F\n2024-01-01T00:02:00Z UTC,\n`);
    expectColumnar(
      `${HEAD}2024-01-01T00:00:00Z UTC,"on"\n2024-01-01T00:01:00Z UTC,"off"\n2024-01-01T00:02:00Z UTC,NA\n`,
    );
    expectColumnar(`${HEAD}2024-01-01T00:00:00Z UTC,N\n2024-01-01T00:01:00Z UTC,1kW\n2024-01-01T00:02:00Z UTC,2W\n`);
    expectColumnar(`${HEAD}2024-01-01T00:00:00Z UTC,NaN\n2024-01-01T00:01:00Z UTC,INF\n2024-01-01T00:02:00Z UTC,[1]\n`);
    expectColumnar(`${HEAD}2024-01-01T00:00:00.000000001Z UTC,1\n2024-01-01T00:01:00.5Z UTC,2\n`);
  });

  it('goes on row by row from the first row that does not fit, keeping every row', () => {
    // Another zone, an offset that is not the zone's, a third cell, a Date in ts: all read correctly.
    for (const odd of [
      '2024-01-01T00:02:00Z London,3',
      '2024-01-01T00:02:00+01:00 UTC,3',
      '2024-01-01,3',
      'N,3',
      '2024-01-01T00:02:00Z UTC , 3 ',
    ]) {
      const text = `${HEAD}2024-01-01T00:00:00Z UTC,1\n2024-01-01T00:01:00Z UTC,2\n${odd}\n2024-01-01T00:03:00Z UTC,4\n`;
      const g = decodeZinc(text) as Grid;
      expect(g.size).toBe(4);
      expect(diffVals(g, rowByRow(text))).toBeUndefined();
    }
  });

  it('reads an empty history, one with no final newline, and one nested in a cell', () => {
    expectColumnar('ver:"3.0"\nts,val\n', false);
    expectColumnar('ver:"3.0"\nts,val\n2024-01-01T00:00:00Z UTC,1');
    const outer = decodeZinc('ver:"3.0"\nhis\n<<\nver:"3.0"\nts,val\n2024-01-01T00:00:00Z UTC,1\n>>\n') as Grid;
    const inner = outer.row(0).get('his') as Grid;
    expect(inner.rowSource).toBeInstanceOf(HisRows);
    expect(inner.row(0).get('val')).toEqual(new Num(1));
  });

  it('encodes the columns to the same text as the same rows held as Dicts', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(arbDateTime, fc.oneof(arbNumber({ infUnits: false }), arbStr, fc.boolean(), fc.constant(null))),
          {
            minLength: 1,
            maxLength: 30,
          },
        ),
        (rows) => {
          const tz = rows[0]?.[0].tz ?? TimeZone.UTC;
          const dicts = rows.map(([ts, v]) => Dict.of({ ts: ts.toTimeZone(tz), val: v }));
          const g = Grid.make({ cols: ['ts', 'val'], rows: dicts });
          const text = encodeZinc(g);
          const columnar = decodeZinc(text) as Grid;
          expect(diffVals(columnar, g)).toBeUndefined();
          expect(encodeZinc(columnar)).toBe(text);
        },
      ),
      { numRuns: 300 },
    );
  });
});
