// One line/column helper for every reader: Zinc, JSON and filter errors count lines the same way.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lineColumn } from '../../../src/core/codec/text-position.js';
import { decodeZinc } from '../../../src/core/codec/zinc/index.js';
import { ParseError } from '../../../src/core/errors.js';
import { parseFilter } from '../../../src/core/filter/index.js';

function parseErrorOf(fn: () => unknown): ParseError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ParseError) return err;
    throw err;
  }
  throw new Error('expected a ParseError');
}

// The definition, char by char.
function naiveLineColumn(text: string, offset: number): { line: number; column: number } {
  const end = Math.min(offset, text.length);
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

describe('lineColumn', () => {
  it('counts as a char-by-char scan does, in any mix of newlines', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '\n', '\r', ' ') }), fc.nat(), (text, at) => {
        const offset = at % (text.length + 2);
        expect(lineColumn(text, offset)).toEqual(naiveLineColumn(text, offset));
      }),
      { numRuns: 2000 },
    );
  });

  it('ends lines at \\n, \\r\\n and a lone \\r, with 1-based columns', () => {
    expect(lineColumn('abc', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
    expect(lineColumn('ab\r\ncd', 5)).toEqual({ line: 2, column: 2 });
    expect(lineColumn('ab\rcd\n\ne', 7)).toEqual({ line: 4, column: 1 });
    expect(lineColumn('ab', 99)).toEqual({ line: 1, column: 3 });
  });

  it('positions Zinc errors after a lone \\r newline, as the reader accepts one', () => {
    const e = parseErrorOf(() => decodeZinc('ver:"3.0"\rid\r@a\r"x\r'));
    expect([e.format, e.line]).toEqual(['zinc', 4]);
  });
});

describe('filter literals are read by the Zinc reader', () => {
  it('so they take exactly the Zinc forms, and report Zinc errors at their place in the filter', () => {
    for (const zinc of ['"a\\u00e9\\$"', '`a\\:b\\u0041`', '1_000.5e3kW', '2021-05-31T07:50:17-04:00 New_York']) {
      const cmp = parseFilter(`x == ${zinc}`).ast;
      expect(cmp.type === 'cmp' && cmp.val).toEqual(decodeZinc(zinc));
    }
    const e = parseErrorOf(() => parseFilter('site and\n  x == "a\\qb"'));
    expect([e.format, e.line, e.column]).toEqual(['filter', 2, 11]);
  });
});
