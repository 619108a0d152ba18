// Invalid JSON and invalid Hayson raise ParseErrors at the right line and column; limits hold; text and walk agree.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeJson, encodeJson } from '../../../src/core/codec/json/index.js';
import { HaystackError, LimitError, ParseError, type Val } from '../../../src/core/index.js';
import { arbVal } from '../../support/arbitraries.js';
import { expectCode } from '../../support/errors.js';
import { diffVals } from '../../support/hayson-compare.js';

function parseError(fn: () => unknown): ParseError {
  const e = expectCode(fn, 'HS_ERR_PARSE');
  if (!(e instanceof ParseError)) throw new Error(`expected a ParseError, got ${e.name}`);
  expect(e.format).toBe('json');
  return e;
}

// [text, line, column]: where the grammar fails.
const SYNTAX: readonly (readonly [string, number, number])[] = [
  ['', 1, 1],
  ['   ', 1, 4],
  ['{"a":}', 1, 6],
  ['[1,2', 1, 5],
  ['[1,]', 1, 4],
  ['{"a" 1}', 1, 6],
  ['{"a":1,}', 1, 8],
  ['{a:1}', 1, 2],
  ['[1] x', 1, 5],
  ['{} {}', 1, 4],
  ['"abc', 1, 5],
  ['"a\\x"', 1, 4],
  ['"\\u12g4"', 1, 6],
  ['"a\nb"', 1, 3],
  ['01', 1, 2],
  ['-', 1, 2],
  ['1.', 1, 3],
  ['1e', 1, 3],
  ['+1', 1, 1],
  ['.5', 1, 1],
  ['tru', 1, 4],
  ['nul', 1, 4],
  ['NaN', 1, 1],
  ["{'a':1}", 1, 2],
  ['{\n  "a": [1,\n  2 3]\n}', 3, 5],
  ['[\r\n1,\r\n@]', 3, 1],
];

describe('JSON syntax errors name the line, the column and what was expected', () => {
  it.each(SYNTAX.map(([t, l, c]) => [JSON.stringify(t), t, l, c] as const))('%s', (_n, text, line, column) => {
    const e = parseError(() => decodeJson(text));
    expect([e.line, e.column]).toEqual([line, column]);
    expect(e.reason).toMatch(/^expected .+ but found /);
    // JSON v3 text goes through JSON.parse and our scanner: the same place.
    const e3 = parseError(() => decodeJson(text, { version: 3 }));
    expect([e3.line, e3.column]).toEqual([line, column]);
  });
});

describe('invalid Hayson is reported at the offending value', () => {
  it('from text: the line and column of the member that is wrong', () => {
    const text = '{\n  "a": {"_kind": "ref", "val": "bad id"},\n  "b": 1\n}';
    const e = parseError(() => decodeJson(text));
    expect([e.line, e.column]).toEqual([2, 32]);
    const k = parseError(() => decodeJson('[1,\n {"_kind": "bogus"}]'));
    expect([k.line, k.column, k.reason]).toEqual([2, 12, 'unknown _kind "bogus"']);
    const u = parseError(() => decodeJson('{"_kind":"number","val":1,"unit":"not a unit"}'));
    expect(u.column).toBe(34);
    const tz = parseError(() => decodeJson('{"_kind":"dateTime","val":"2020-01-01T00:00:00Z","tz":"Nowhere"}'));
    expect(tz.column).toBe(55);
    const missing = parseError(() => decodeJson(' {"_kind":"ref"}'));
    expect(missing.column).toBe(2);
  });

  it('from parsed JSON: the JSON path in the message', () => {
    const e = parseError(() => decodeJson({ rows: [{ x: { _kind: 'date', val: '2020-13-01' } }], _kind: 'grid' }));
    expect(e.reason).toMatch(/at \$\.rows\[0\]\.x\.val$/);
    expect([e.line, e.column]).toEqual([1, 1]);
    const odd = parseError(() => decodeJson({ a: [1, { _kind: 7 }] }));
    expect(odd.reason).toMatch(/at \$\.a\[1\]\._kind$/);
    // Keys that are not tag names are skipped, whatever their value.
    expect(decodeJson({ 'a b': [{ _kind: 7 }] })).toBeDefined();
    parseError(() => decodeJson({ a: () => 1 }));
    parseError(() => decodeJson([undefined]));
  });

  it('structure errors: grids with bad meta, cols or rows', () => {
    for (const text of [
      '{"_kind":"grid","meta":[]}',
      '{"_kind":"grid","meta":{"ver":"9.9"}}',
      '{"_kind":"grid","cols":{}}',
      '{"_kind":"grid","cols":[{"name":"Bad"}]}',
      '{"_kind":"grid","cols":[{"name":"a"},{"name":"a"}]}',
      '{"_kind":"grid","cols":[{"meta":{}}]}',
      '{"_kind":"grid","cols":[7]}',
      '{"_kind":"grid","cols":[{"name":"a","meta":5}]}',
      '{"_kind":"grid","rows":{}}',
      '{"_kind":"grid","rows":[[1]]}',
      '{"rows":[],"meta":5,"_kind":"grid"}',
      '{"_kind":5}',
      '{"_kind":"coord","lat":91,"lng":0}',
      '{"_kind":"coord","lat":"1","lng":0}',
      '{"_kind":"xstr","type":"lower","val":""}',
      '{"_kind":"number","val":"1"}',
      '{"_kind":"symbol","val":"no spaces"}',
      '{"_kind":"time","val":"25:00:00"}',
      '{"_kind":"dateTime","val":"2024-01-01T00:00:00+24:00"}',
      '{"_kind":"dateTime","val":"2024-01-01T00:00:00-19:00","tz":"New_York"}',
    ]) {
      parseError(() => decodeJson(text));
      parseError(() => decodeJson(JSON.parse(text)));
    }
  });
});

function limitError(fn: () => unknown, limit: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(LimitError);
  expect((thrown as LimitError).limit).toBe(limit);
}

describe('limits', () => {
  it('nesting depth: 64 by default, lists, dicts and grids all count', () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(() => decodeJson(deep(64))).not.toThrow();
    limitError(() => decodeJson(deep(65)), 'maxDepth');
    limitError(() => decodeJson(JSON.parse(deep(65))), 'maxDepth');
    limitError(() => decodeJson(deep(65), { version: 3 }), 'maxDepth');
    limitError(() => decodeJson('{"a":{"b":{"c":[]}}}', { limits: { maxDepth: 3 } }), 'maxDepth');
    limitError(() => decodeJson('{"_kind":"grid","rows":[{"a":[{"b":1}]}]}', { limits: { maxDepth: 2 } }), 'maxDepth');
    expect(() => decodeJson('{"_kind":"grid","rows":[{"a":[{"b":1}]}]}', { limits: { maxDepth: 3 } })).not.toThrow();
  });

  it('hostile nesting far past the limit fails cleanly, not with a stack overflow', () => {
    const text = '['.repeat(200_000);
    limitError(() => decodeJson(text), 'maxDepth');
    expect(() => decodeJson(text, { version: 3 })).toThrow(HaystackError);
    expect(() => decodeJson(`${'{"a":'.repeat(100_000)}1`)).toThrow(HaystackError);
  });

  it('input length, rows, columns and string length', () => {
    limitError(() => decodeJson('[1, 2, 3]', { limits: { maxLength: 8 } }), 'maxLength');
    const rows = '{"_kind":"grid","rows":[{"a":1},{"a":2},{"a":3}]}';
    limitError(() => decodeJson(rows, { limits: { maxRows: 2 } }), 'maxRows');
    limitError(() => decodeJson(JSON.parse(rows), { limits: { maxRows: 2 } }), 'maxRows');
    const cols = '{"_kind":"grid","cols":[{"name":"a"}],"rows":[{"a":1,"b":2,"c":3}]}';
    limitError(() => decodeJson(cols, { limits: { maxCols: 2 } }), 'maxCols');
    limitError(() => decodeJson(JSON.parse(cols), { limits: { maxCols: 2 } }), 'maxCols');
    limitError(() => decodeJson('["abcdef"]', { limits: { maxTokenLength: 5 } }), 'maxTokenLength');
    limitError(() => decodeJson('[123456]', { limits: { maxTokenLength: 5 } }), 'maxTokenLength');
    limitError(() => decodeJson(['abcdef'], { limits: { maxTokenLength: 5 } }), 'maxTokenLength');
  });
});

// Outcome of a decode: the value, or the error code.
function outcome(fn: () => Val): { v: Val } | { code: string } {
  try {
    return { v: fn() };
  } catch (e) {
    if (e instanceof HaystackError) return { code: e.code };
    throw e;
  }
}

function agree(text: string): void {
  let parsed: unknown;
  let jsonOk = true;
  try {
    parsed = JSON.parse(text);
  } catch {
    jsonOk = false;
  }
  const fromText = outcome(() => decodeJson(text));
  if (!jsonOk) {
    expect(fromText, text).toEqual({ code: 'HS_ERR_PARSE' });
    return;
  }
  if (typeof parsed === 'string') return;
  const fromWalk = outcome(() => decodeJson(parsed));
  if ('v' in fromText && 'v' in fromWalk) expect(diffVals(fromText.v, fromWalk.v), text).toBeUndefined();
  else expect(fromText, text).toEqual(fromWalk);
}

const arbMutation = fc.tuple(
  fc.nat(),
  fc.constantFrom('delete', 'insert', 'replace'),
  fc.constantFrom(...'{}[]:,"\\ 0-1e.tfnxu\n_'.split(''), '"_kind"', '{"_kind":"ref"}', '\u0001'),
);

function mutate(text: string, [at, op, s]: [number, string, string]): string {
  const i = text.length === 0 ? 0 : at % text.length;
  if (op === 'delete') return text.slice(0, i) + text.slice(i + 1);
  if (op === 'insert') return text.slice(0, i) + s + text.slice(i);
  return text.slice(0, i) + s + text.slice(i + 1);
}

describe('the one-pass text reader agrees with JSON.parse plus the walk', { timeout: 60_000 }, () => {
  it('on random JSON', () => {
    fc.assert(fc.property(fc.json(), agree), { numRuns: Number(process.env.RUNS ?? 1000) });
  });

  it('on random Hayson with random damage', () => {
    fc.assert(
      fc.property(arbVal({ maxDepth: 2 }), fc.array(arbMutation, { maxLength: 3 }), (v, muts) => {
        agree(muts.reduce(mutate, encodeJson(v)));
      }),
      { numRuns: Number(process.env.RUNS ?? 1500) },
    );
  });

  it('on random JSON with random damage', () => {
    fc.assert(
      fc.property(fc.json(), fc.array(arbMutation, { minLength: 1, maxLength: 2 }), (t, muts) => {
        agree(muts.reduce(mutate, t));
      }),
      { numRuns: Number(process.env.RUNS ?? 1500) },
    );
  });
});
