// The Hayson dict stream (what `haystack import` reads JSON files with): at any chunking, the dicts decodeJson
// reads from the whole text, and the same error at the same line and column for text decodeJson refuses.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeJson, decodeJsonGridSteps, encodeJson, jsonDictStream } from '../../../src/core/codec/json/index.js';
import { drainSteps } from '../../../src/core/codec/steps.js';
import { ParseError } from '../../../src/core/errors.js';
import { Dict, Grid, type Val } from '../../../src/core/index.js';
import { arbDict, arbGrid } from '../../support/arbitraries.js';
import { diffVals } from '../../support/hayson-compare.js';

/** The text cut at `cuts` (offsets, any order), pushed piece by piece: the dicts, or the error thrown. */
function stream(text: string, cuts: readonly number[]): { dicts: Dict[] } | { error: unknown } {
  const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const r = jsonDictStream();
  const dicts: Dict[] = [];
  try {
    let from = 0;
    for (const to of [...at, text.length]) {
      dicts.push(...r.push(text.slice(from, to)));
      from = to;
    }
    dicts.push(...r.end());
    return { dicts };
  } catch (error) {
    return { error };
  }
}

/** What decodeJson makes of the whole text: the dicts (rows or list elements), or its error. */
function whole(text: string): { dicts: Dict[] } | { error: unknown } {
  let v: Val;
  try {
    v = decodeJson(text);
  } catch (error) {
    return { error };
  }
  if (v instanceof Grid) return { dicts: [...v.rows] };
  if (Array.isArray(v) && v.every((d) => d instanceof Dict)) return { dicts: v };
  return { error: 'not a grid or list of dicts' };
}

/** The grid decodeJsonGridSteps reads from the whole text (the one-piece read of a grid), or its error. */
function wholeGrid(text: string): { dicts: Dict[] } | { error: unknown } {
  try {
    return { dicts: [...drainSteps(decodeJsonGridSteps(text)).rows] };
  } catch (error) {
    return { error };
  }
}

function expectSame(text: string, cuts: readonly number[]): void {
  const got = stream(text, cuts);
  const want = whole(text);
  if ('error' in want) {
    expect('error' in got).toBe(true);
    // Text that must be a grid: the same ParseError, at the same place, as when it is read in one piece.
    const grid = wholeGrid(text);
    if (text.trimStart().startsWith('{') && 'error' in got && 'error' in grid) {
      expect(String(got.error)).toBe(String(grid.error));
    }
    return;
  }
  if ('error' in got) throw got.error;
  expect(got.dicts.length).toBe(want.dicts.length);
  got.dicts.forEach((d, i) => {
    expect(diffVals(d, want.dicts[i] ?? null)).toBeUndefined();
  });
}

const arbCuts = fc.array(fc.nat(), { maxLength: 12 });

// A grid's members in another order, `_kind` among them, as some writers send them.
function reordered(g: Grid): string {
  const o = JSON.parse(encodeJson(g)) as Record<string, unknown>;
  return JSON.stringify({ rows: o.rows, cols: o.cols, _kind: 'grid', meta: o.meta }, null, 1);
}

describe('jsonDictStream', () => {
  it('reads the rows of a grid and the dicts of a list as decodeJson does, at any chunking', () => {
    fc.assert(
      fc.property(
        arbGrid({ maxDepth: 2 }),
        fc.array(arbDict({ maxDepth: 2 }), { maxLength: 5 }),
        arbCuts,
        (g, ds, cuts) => {
          expectSame(encodeJson(g), cuts);
          expectSame(`\n[ ${ds.map((d) => encodeJson(d)).join(' ,\n')} ]\r\n`, cuts);
          // Indented, and cut at every char: every place a piece can end.
          const text = reordered(g);
          expectSame(text, cuts);
          expectSame(
            text,
            Array.from({ length: text.length }, (_v, i) => i),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses what decodeJson refuses, a grid with the line and column of a one-piece read, at any chunking', () => {
    // Texts spoilt by dropping, doubling or replacing one character.
    const arbSpoilt = fc
      .tuple(arbGrid({ maxDepth: 2 }), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', 'x', ' ', '{'))
      .map(([g, at, c]) => {
        const t = encodeJson(g);
        const i = at % t.length;
        return t.slice(0, i) + c + t.slice(i + (c === ',' ? 0 : 1));
      });
    fc.assert(
      fc.property(arbSpoilt, arbCuts, (text, cuts) => {
        expectSame(text, cuts);
      }),
      { numRuns: 400 },
    );
  });

  it('refuses separators a bracket scan let through, and values that are no grid or list of dicts', () => {
    const texts = [
      '[{"dis":"a"} {"dis":"b"}]',
      '[{"dis":"a"},,{"dis":"b"}]',
      '[{"dis":"a"},]',
      '[,{"dis":"a"}]',
      '{"_kind":"grid","meta":{"ver":"3.0"},"cols":[{"name":"dis"}],"rows":[{"dis":"a"} {"dis":"b"}]}',
      '[{"dis":"a"},\n{"dis":"b"}',
      '[{"dis":"a"}] x',
      '[1, 2]',
      '{"dis":"a"}',
      '{"_kind":"dict","dis":"a"}',
      '"text"',
      '',
    ];
    for (const text of texts) {
      for (const cuts of [[], [1], [3, 7, 13], Array.from({ length: text.length }, (_v, i) => i)]) {
        const got = stream(text, cuts);
        expect('error' in got, text).toBe(true);
        if ('error' in got) expect(got.error, text).toBeInstanceOf(ParseError);
      }
    }
    expect(String((stream('[{"dis":"a"},\n{"dis":"b"}', [5, 20]) as { error: unknown }).error)).toContain('2:12');
    expect(String((stream('[1, 2]', [2]) as { error: unknown }).error)).toContain('1:2');
  });

  it('reads a `rows` member named with escapes, and a byte-order mark before the value', () => {
    const text = '{"_kind":"grid","meta":{"ver":"3.0"},"cols":[{"name":"dis"}],"r\\u006fws":[{"dis":"a"}]}';
    expect(stream(text, [30, 70])).toEqual({ dicts: [Dict.of({ dis: 'a' })] });
    expect(stream(`\uFEFF${text}`, [1])).toEqual({ dicts: [Dict.of({ dis: 'a' })] });
  });
});
