// The history screen's CSV download, as a spreadsheet will read it (no browser needed: historyCsv is plain code).

import { describe, expect, it } from 'vitest';
import { HDateTime } from '../../src/core/kinds/date-time.js';
import { NA } from '../../src/core/kinds/marker.js';
import { Num } from '../../src/core/kinds/number.js';
import { type HistoryTable, historyCsv } from '../../src/ui/history-csv.js';

const ts = [HDateTime.parse('2024-01-01T00:00:00Z UTC'), HDateTime.parse('2024-01-01T00:15:00Z UTC')];

function loaded(label: string, vals: HistoryTable['vals'][number], unit = ''): HistoryTable {
  return { series: [{ label, unit }], ts, vals: [vals] };
}

describe('historyCsv', () => {
  it('writes formula-like text inert, numbers as numbers', () => {
    const csv = historyCsv(loaded('=HYPERLINK("http://x","y")', ['=1+2', '@SUM(A1)'])).split('\n');
    expect(csv[0]).toBe(`ts,"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csv[1]).toBe("2024-01-01T00:00:00Z,'=1+2");
    expect(csv[2]).toBe("2024-01-01T00:15:00Z,'@SUM(A1)");
    const nums = historyCsv(loaded('Temp', [new Num(-5, '°F'), NA], '°F')).split('\n');
    expect(nums.slice(0, 3)).toEqual(['ts,Temp (°F)', '2024-01-01T00:00:00Z,-5', '2024-01-01T00:15:00Z,NA']);
  });

  it('guards text starting with + - or a tab, and leaves other text as is', () => {
    const csv = historyCsv(loaded('-x', ['+cmd', '\tx'])).split('\n');
    expect(csv.slice(0, 3)).toEqual(["ts,'-x", "2024-01-01T00:00:00Z,'+cmd", "2024-01-01T00:15:00Z,'\tx"]);
    expect(historyCsv(loaded('Mode', ['occupied', 'a=b'])).split('\n')[2]).toBe('2024-01-01T00:15:00Z,a=b');
  });
});
