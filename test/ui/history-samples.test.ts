// The history chart's keyboard cursor and its samples in words (no browser needed: history-samples is plain code).

import { describe, expect, it } from 'vitest';
import { HDateTime } from '../../src/core/kinds/date-time.js';
import { NA } from '../../src/core/kinds/marker.js';
import { Num } from '../../src/core/kinds/number.js';
import type { HistoryTable } from '../../src/ui/history-csv.js';
import { cursorStep, sampleCell, sampleText } from '../../src/ui/history-samples.js';

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
