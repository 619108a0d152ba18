// The history chart's keyboard cursor and its samples in words (no browser needed: history-samples is plain code).

import { describe, expect, it } from 'vitest';
import { HDateTime } from '../../src/core/kinds/date-time.js';
import { NA } from '../../src/core/kinds/marker.js';
import { Num } from '../../src/core/kinds/number.js';
import type { HistoryTable } from '../../src/ui/history-csv.js';
import { cursorStep, GAP_INTERVALS, sampleCell, sampleText, timeGaps } from '../../src/ui/history-samples.js';

describe('cursorStep', () => {
  it('moves one sample with Left and Right, and stops at either end', () => {
    expect(cursorStep('ArrowRight', 3, 10)).toBe(4);
    expect(cursorStep('ArrowLeft', 3, 10)).toBe(2);
    expect(cursorStep('ArrowRight', 9, 10)).toBe(9);
    expect(cursorStep('ArrowLeft', 0, 10)).toBe(0);
  });

  it('starts at the first sample with Right and at the last with Left', () => {
    expect(cursorStep('ArrowRight', undefined, 10)).toBe(0);
    expect(cursorStep('ArrowLeft', undefined, 10)).toBe(9);
    expect(cursorStep('PageUp', undefined, 10)).toBe(0);
    expect(cursorStep('PageDown', undefined, 10)).toBe(9);
  });

  it('moves a tenth of the samples with Page Up and Down, to the ends with Home and End', () => {
    expect(cursorStep('PageUp', 0, 250)).toBe(25);
    expect(cursorStep('PageDown', 30, 250)).toBe(5);
    expect(cursorStep('PageDown', 10, 250)).toBe(0);
    expect(cursorStep('PageUp', 240, 250)).toBe(249);
    // Fewer than ten samples: a big step is still one.
    expect(cursorStep('PageUp', 1, 3)).toBe(2);
    expect(cursorStep('Home', 7, 10)).toBe(0);
    expect(cursorStep('End', undefined, 10)).toBe(9);
  });

  it('leaves other keys, and a chart without samples, alone', () => {
    expect(cursorStep('ArrowUp', 3, 10)).toBeUndefined();
    expect(cursorStep('Enter', 3, 10)).toBeUndefined();
    expect(cursorStep('End', undefined, 0)).toBeUndefined();
  });
});

describe('sampleText', () => {
  const ts = [HDateTime.parse('2026-01-05T00:00:00Z UTC'), HDateTime.parse('2026-01-05T00:05:00Z UTC')];
  const table: HistoryTable = {
    series: [
      { label: 'Zone temp', unit: '°F' },
      { label: 'Flow', unit: 'cfm' },
      { label: 'Mode', unit: '' },
    ],
    ts,
    vals: [
      [new Num(71.25, '°F'), new Num(71.5, '°F')],
      [new Num(400), NA],
      ['occupied', null],
    ],
  };

  it('says the time, each point with its unit, and where the sample is', () => {
    expect(sampleText(table, 0)).toBe('2026-01-05 00:00:00: Zone temp 71.25 °F, Flow 400 cfm, Mode occupied (1 of 2)');
  });

  it('says which points have no sample at that time', () => {
    expect(sampleText(table, 1)).toBe('2026-01-05 00:05:00: Zone temp 71.5 °F, Flow NA, Mode no sample (2 of 2)');
  });

  it('gives a Number the point unit only when it has none of its own', () => {
    expect(sampleCell(table, 0, 0)).toBe('71.25 °F');
    expect(sampleCell(table, 1, 0)).toBe('400 cfm');
    expect(sampleCell(table, 2, 1)).toBe('');
    expect(sampleText(table, 2)).toBe('');
  });
});

describe('timeGaps', () => {
  const every5 = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i * 300);

  it('breaks between two samples hours apart, not between regular ones', () => {
    const xs = [...every5(0, 10), ...every5(6 * 3600, 10)];
    expect(
      timeGaps(
        xs,
        xs.map(() => 1),
      ),
    ).toEqual([[2700, 6 * 3600]]);
    expect(timeGaps(every5(0, 20), every5(0, 20))).toEqual([]);
  });

  it('breaks only beyond the factor of the median interval', () => {
    const xs = [0, 300, 600, 900, 1200, 1200 + 300 * GAP_INTERVALS, 1200 + 300 * GAP_INTERVALS + 300];
    expect(
      timeGaps(
        xs,
        xs.map(() => 1),
      ),
    ).toEqual([]);
    xs[6] = (xs[5] ?? 0) + 300 * GAP_INTERVALS + 1;
    expect(
      timeGaps(
        xs,
        xs.map(() => 1),
      ),
    ).toEqual([[xs[5], xs[6]]]);
  });

  it("looks at a point's own samples only, and needs four intervals to know what is typical", () => {
    // Another point's times (undefined here) and values the chart cannot draw (null) are not this point's samples.
    const xs = [0, 100, 300, 400, 600, 700, 900, 5000];
    const ys = [1, undefined, 2, null, 3, undefined, 4, 5];
    expect(timeGaps(xs, ys)).toEqual([[900, 5000]]);
    expect(timeGaps([0, 300, 600, 99_999], [1, 2, 3, 4])).toEqual([]);
  });
});
