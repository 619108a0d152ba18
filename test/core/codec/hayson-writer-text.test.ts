// The Hayson writer's exact text: strings as JSON.stringify writes them, and a grid's rows the same whichever way
// the writer takes (keys kept per shape for shapes met again, or written tag by tag).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeJson } from '../../../src/core/codec/json/index.js';
import { Dict, DictShape, Grid, MARKER, Num, Ref, type TagVal, Uri } from '../../../src/core/index.js';
import { arbGrid, arbText, UNITS } from '../../support/arbitraries.js';

// Any UTF-16 code unit, lone surrogates included.
const arbCodeUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) });

// Empty, escaped, DEL (not escaped), lone and paired surrogates, line separators, non-ASCII.
const EDGES = ['', '"', '\\', '\u0000\u001f\u007f', 'a\ud800b', '\udc00', '\ud83d\ude00', '\u2028\u2029', 'é°中'];

// The rows' part of a grid's text: each row as encodeJson writes it alone, comma separated.
function rowsText(g: Grid): string {
  return `"rows":[${g.rows.map((r) => encodeJson(r)).join(',')}]}`;
}

function ownShape(tags: readonly (readonly [string, TagVal])[]): Dict {
  return Dict.fromShape(
    DictShape.of(tags.map(([k]) => k)),
    tags.map(([, v]) => v),
  );
}

describe('Hayson writer text', () => {
  it('writes a string as JSON.stringify does', () => {
    fc.assert(
      fc.property(fc.oneof(arbText, arbCodeUnits), (s) => {
        expect(encodeJson(s)).toBe(JSON.stringify(s));
      }),
      { numRuns: 2000 },
    );
    for (const s of EDGES) expect(encodeJson(s)).toBe(JSON.stringify(s));
  });

  it('writes the strings inside a Uri, a Ref and a Number unit as JSON.stringify does', () => {
    fc.assert(
      fc.property(fc.oneof(arbText, arbCodeUnits), (s) => {
        const q = JSON.stringify(s);
        expect(encodeJson(new Uri(s))).toBe(`{"_kind":"uri","val":${q}}`);
        expect(encodeJson(new Ref('r', s))).toBe(`{"_kind":"ref","val":"r","dis":${q}}`);
      }),
      { numRuns: 1000 },
    );
    for (const u of UNITS)
      expect(encodeJson(new Num(1, u))).toBe(`{"_kind":"number","val":1,"unit":${JSON.stringify(u)}}`);
  });

  it('writes each row of a grid as the row alone', () => {
    fc.assert(
      fc.property(arbGrid({ maxDepth: 2 }), (g) => {
        expect(encodeJson(g).endsWith(rowsText(g))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('writes rows of shared, repeated, empty and own shapes alike', () => {
    const a = Dict.of({ site: MARKER, dis: 'A "1"', area: new Num(5, 'ft²') });
    const b = Dict.of({ id: new Ref('b', 'B'), equip: MARKER });
    const c = ownShape([
      ['dis', 'C'],
      ['equip', MARKER],
    ]);
    const d = ownShape([
      ['equip', MARKER],
      ['dis', 'D\n'],
    ]);
    const rows = [a, b, a, Dict.EMPTY, c, a.set('dis', 'A2'), b, Dict.EMPTY, d, c, d];
    const g = Grid.fromDicts(rows);
    const text = encodeJson(g);
    expect(text.endsWith(rowsText(g))).toBe(true);
    expect(text.slice(text.indexOf('"rows":'))).toBe(
      '"rows":[' +
        '{"site":{"_kind":"marker"},"dis":"A \\"1\\"","area":{"_kind":"number","val":5,"unit":"ft²"}},' +
        '{"id":{"_kind":"ref","val":"b","dis":"B"},"equip":{"_kind":"marker"}},' +
        '{"site":{"_kind":"marker"},"dis":"A \\"1\\"","area":{"_kind":"number","val":5,"unit":"ft²"}},' +
        '{},' +
        '{"dis":"C","equip":{"_kind":"marker"}},' +
        '{"site":{"_kind":"marker"},"dis":"A2","area":{"_kind":"number","val":5,"unit":"ft²"}},' +
        '{"id":{"_kind":"ref","val":"b","dis":"B"},"equip":{"_kind":"marker"}},' +
        '{},' +
        '{"equip":{"_kind":"marker"},"dis":"D\\n"},' +
        '{"dis":"C","equip":{"_kind":"marker"}},' +
        '{"equip":{"_kind":"marker"},"dis":"D\\n"}' +
        ']}',
    );
  });
});
