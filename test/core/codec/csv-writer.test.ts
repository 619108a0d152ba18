// CSV writer: the Csv chapter's example and rules, RFC 4180 quoting, and what a reader gets back.

import { describe, expect, it } from 'vitest';
import { encodeCsv } from '../../../src/core/codec/csv/index.js';
import { decodeZinc } from '../../../src/core/codec/zinc/index.js';
import { Coord, dict, Grid, HDate, HDateTime, MARKER, NA, Num, Ref, Uri } from '../../../src/core/index.js';

// A minimal RFC 4180 reader for the test: fields, quoted fields with doubled quotes and line breaks.
function parseCsv(text: string): string[][] {
  const at = (k: number): string => text.charAt(k);
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  for (;;) {
    let f = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (text[i] === '"' && text[i + 1] === '"') {
          f += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else f += at(i++);
      }
    } else while (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') f += at(i++);
    row.push(f);
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text[i] === '\r') i++;
    i++;
    rows.push(row);
    row = [];
    if (i >= text.length) return rows;
  }
}

describe('encodeCsv', () => {
  it("writes the Csv chapter's example", () => {
    const g = decodeZinc(
      'ver:"3.0" projName:"test"\ndis dis:"Equip Name",equip,siteRef,installed\n"RTU-1",M,@153c600e-699a1886 "HQ",2005-06-01\n"RTU-2",M,@153c600e-699a1886 "HQ",1999-07-12\n',
    ) as Grid;
    expect(encodeCsv(g)).toBe(
      'Equip Name,equip,siteRef,installed\nRTU-1,✓,@153c600e-699a1886 HQ,2005-06-01\nRTU-2,✓,@153c600e-699a1886 HQ,1999-07-12\n',
    );
  });

  it('Strs and Uris unescaped, Bools as words, null empty, everything else in Zinc', () => {
    const g = Grid.make({
      cols: ['s', 'u', 'b', 'n', 'r', 'd', 't', 'c', 'na', 'l', 'x'],
      rows: [
        {
          s: 'say "hi", then\nleave',
          u: new Uri('http://a/b?c=d'),
          b: true,
          n: new Num(72.5, '°F'),
          r: new Ref('p1'),
          d: HDate.parse('2024-03-10'),
          t: HDateTime.parse('2024-03-10T03:30:00-04:00 New_York'),
          c: new Coord(37.5, -77.5),
          na: NA,
          l: Object.freeze([new Num(1), 'a']),
        },
      ],
    });
    const [header, row] = parseCsv(encodeCsv(g));
    expect(header).toEqual(['s', 'u', 'b', 'n', 'r', 'd', 't', 'c', 'na', 'l', 'x']);
    expect(row).toEqual([
      'say "hi", then\nleave',
      'http://a/b?c=d',
      'true',
      '72.5°F',
      '@p1',
      '2024-03-10',
      '2024-03-10T03:30:00-04:00 New_York',
      'C(37.5,-77.5)',
      'NA',
      '[1,"a"]',
      '',
    ]);
  });

  it('quotes fields with commas, quotes, line breaks and edge spaces (RFC 4180)', () => {
    const g = Grid.make({ cols: ['a', 'b', 'c', 'd'], rows: [{ a: 'x,y', b: ' lead', c: 'trail ', d: 'plain' }] });
    expect(encodeCsv(g)).toBe('a,b,c,d\n"x,y"," lead","trail ",plain\n');
  });

  it('writes a lone empty cell as "" so the line is not blank, and takes options', () => {
    const g = Grid.make({ cols: ['a'], rows: [{}, { a: MARKER }] });
    expect(encodeCsv(g)).toBe('a\n""\n✓\n');
    expect(encodeCsv(g, { newline: '\r\n', header: false })).toBe('""\r\n✓\r\n');
    expect(encodeCsv(Grid.make({ cols: ['a', 'b'], rows: [dict({ b: 1 })] }))).toBe('a,b\n,1\n');
  });
});
