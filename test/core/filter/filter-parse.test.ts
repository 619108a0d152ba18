// Parser: every literal kind, the grammar's structure, canonical text, errors with positions, and limits.

import { describe, expect, it } from 'vitest';
import {
  type CmpNode,
  Dict,
  filterAnd,
  filterCmp,
  filterHas,
  filterIsSymbol,
  filterMissing,
  filterOr,
  formatFilter,
  HDate,
  HDateTime,
  HTime,
  LimitError,
  MARKER,
  Num,
  ParseError,
  parseFilter,
  parseFilterAst,
  Ref,
  Sym,
  Uri,
} from '../../../src/core/index.js';
import { expectCode, expectInvalid } from '../../support/errors.js';

function literal(text: string): unknown {
  const ast = parseFilterAst(`x == ${text}`);
  expect(ast.type).toBe('cmp');
  return (ast as CmpNode).val;
}

function parseError(text: string): ParseError {
  const err = expectCode(() => parseFilterAst(text), 'HS_ERR_PARSE');
  if (!(err instanceof ParseError)) throw new Error('expected a ParseError');
  expect(err.format).toBe('filter');
  return err;
}

describe('literals', () => {
  it('reads Strs with every Zinc escape', () => {
    expect(literal('"a\\"b\\\\c\\n\\t\\r\\b\\f\\$\\u00e9"')).toBe('a"b\\c\n\t\r\b\f$é');
    expect(literal('""')).toBe('');
    expect(literal('"中 😀"')).toBe('中 😀');
  });

  it('reads Numbers with units, exponents, digit separators, signs, and hex', () => {
    expect(literal('72.5°F')).toEqual(new Num(72.5, '°F'));
    expect(literal('-3')).toEqual(new Num(-3));
    expect(literal('1_000_000')).toEqual(new Num(1_000_000));
    expect(literal('1.5e-7')).toEqual(new Num(1.5e-7));
    expect(literal('2E+3kW')).toEqual(new Num(2000, 'kW'));
    expect(literal('5kWh/ft²')).toEqual(new Num(5, 'kWh/ft²'));
    expect(literal('10%')).toEqual(new Num(10, '%'));
    expect(literal('5_kW')).toEqual(new Num(5, '_kW'));
    expect(literal('0x10')).toEqual(new Num(16));
    expect(literal('0xff_ff')).toEqual(new Num(65535));
  });

  it('reads Bools as true/false, Refs, Uris, Symbols', () => {
    expect(literal('true')).toBe(true);
    expect(literal('false')).toBe(false);
    expect(literal('@p:demo:r:1-2.x~y')).toEqual(new Ref('p:demo:r:1-2.x~y'));
    expect(literal('`http://x/a b`')).toEqual(new Uri('http://x/a b'));
    expect(literal('`a\\`b`')).toEqual(new Uri('a`b'));
    expect(literal('`a\\/b`')).toEqual(new Uri('a\\/b'));
    expect(literal('^hot-water')).toEqual(new Sym('hot-water'));
  });

  it('reads Dates, Times (short forms too) and DateTimes with a zone or Z', () => {
    expect(literal('2024-02-29')).toEqual(new HDate(2024, 2, 29));
    expect(literal('08:30:15.25')).toEqual(new HTime(8, 30, 15, 250_000_000));
    expect(literal('8:30')).toEqual(new HTime(8, 30, 0));
    const ny = literal('2021-05-31T07:50:17-04:00 New_York') as HDateTime;
    expect(ny.tz.name).toBe('New_York');
    expect(ny.epochMs).toBe(Date.UTC(2021, 4, 31, 11, 50, 17));
    const z = literal('2021-01-01T00:00:00Z') as HDateTime;
    expect(z.tz.name).toBe('UTC');
    expect(literal('2021-01-01T00:00:00.123456789Z UTC')).toBeInstanceOf(HDateTime);
  });

  it('rejects what the Filters grammar leaves out or Zinc forbids', () => {
    for (const bad of [
      'x == INF',
      'x == -INF',
      'x == NaN',
      'x == 1e999',
      'x == T',
      'x == M',
      'x == "abc',
      'x == "\\q"',
      'x == "\\u12"',
      'x == `a\nb`',
      'x == @',
      'x == ^',
      'x == 2021-13-01',
      'x == 25:00',
      'x == 2021-01-01T00:00:00-04:00',
      'x == 2021-01-01T00:00:00Z Nowhere_Land',
      'x == 5k-W',
      'x == 1.2.3',
      'x == 0xfffffffffffffffff',
      'x == C(1,2)',
      'x == [1]',
    ]) {
      parseError(bad);
    }
  });
});

describe('structure', () => {
  it('builds has, missing, comparisons, and/or with and binding tighter, and paths', () => {
    expect(parseFilterAst('site')).toEqual(filterHas('site'));
    expect(parseFilterAst('not site')).toEqual(filterMissing('site'));
    expect(parseFilterAst('a->b->c != 3')).toEqual(filterCmp('!=', ['a', 'b', 'c'], new Num(3)));
    expect(parseFilterAst('a or b and c')).toEqual(filterOr(filterHas('a'), filterAnd(filterHas('b'), filterHas('c'))));
    expect(parseFilterAst('(a or b) and c')).toEqual(
      filterAnd(filterOr(filterHas('a'), filterHas('b')), filterHas('c')),
    );
    expect(parseFilterAst('^a-b')).toEqual(filterIsSymbol('a-b'));
    for (const op of ['==', '!=', '<', '<=', '>', '>='] as const) {
      expect(parseFilterAst(`n ${op} 1`)).toEqual(filterCmp(op, 'n', new Num(1)));
    }
  });

  it('flattens nested and/or of the same kind, whatever the parentheses', () => {
    const flat = filterAnd(filterHas('a'), filterHas('b'), filterHas('c'));
    expect(parseFilterAst('(a and b) and c')).toEqual(flat);
    expect(parseFilterAst('a and (b and c)')).toEqual(flat);
    expect(parseFilterAst('((a)) and (((b and c)))')).toEqual(flat);
  });

  it('takes tabs, newlines and no-break spaces as whitespace, and needs none around operators', () => {
    expect(parseFilterAst('a\tand\r\nb\u00a0and c')).toEqual(parseFilterAst('a and b and c'));
    expect(parseFilterAst('a==1')).toEqual(parseFilterAst('a == 1'));
    expect(parseFilterAst('(a)and(b)')).toEqual(parseFilterAst('a and b'));
  });

  it('lets true, false and JS-special names be tag names, but not and/or/not or capitalized names', () => {
    expect(parseFilterAst('true')).toEqual(filterHas('true'));
    expect(parseFilterAst('constructor->toString == "x"')).toEqual(filterCmp('==', ['constructor', 'toString'], 'x'));
    parseError('a and or');
    parseError('not not');
    parseError('x->and');
    parseError('Site');
    parseError('_x');
    parseError('not (a)');
  });
});

describe('canonical text', () => {
  it('prints single spaces and parenthesizes only nested and/or', () => {
    expect(parseFilter('  a   and(b or c)').toString()).toBe('a and (b or c)');
    expect(parseFilter('a and b or c').toString()).toBe('(a and b) or c');
    expect(parseFilter('not  a->b').toString()).toBe('not a->b');
    expect(parseFilter('x==1_000kW').toString()).toBe('x == 1000kW');
    expect(parseFilter('x==0x10').toString()).toBe('x == 16');
    expect(parseFilter('x==8:30').toString()).toBe('x == 08:30:00');
    expect(parseFilter('x==2021-01-01T00:00:00Z').toString()).toBe('x == 2021-01-01T00:00:00Z UTC');
    // Filters: <str> := same as Zinc, which escapes $ (Kinds#str).
    expect(parseFilter('x=="a\\u0001\\$"').toString()).toBe('x == "a\\u0001\\$"');
    expect(JSON.stringify({ f: parseFilter('a==true') })).toBe('{"f":"a == true"}');
  });

  it('keeps -0, exponents and units that would read as something else', () => {
    for (const [n, text] of [
      [new Num(-0), '-0'],
      [new Num(1e21, 'm'), '1e+21m'],
      [new Num(0, 'xyz'), '0.0xyz'],
      [new Num(5, 'E'), '5E'],
    ] as const) {
      const ast = filterCmp('==', 'x', n);
      expect(formatFilter(ast)).toBe(`x == ${text}`);
      const back = parseFilterAst(formatFilter(ast)) as CmpNode;
      expect(Object.is((back.val as Num).val, n.val)).toBe(true);
      expect((back.val as Num).unit).toBe(n.unit);
    }
  });

  it('writes a Uri backslash so that it reads back', () => {
    for (const s of ['c:\\dir', 'a\\:b', 'a\\', '`', 'a\\\\b']) {
      const ast = filterCmp('==', 'u', new Uri(s));
      expect(((parseFilterAst(formatFilter(ast)) as CmpNode).val as Uri).val).toBe(s);
    }
  });
});

describe('errors', () => {
  it('give the line and column of the offending token', () => {
    let e = parseError('site and == 3');
    expect([e.line, e.column]).toEqual([1, 10]);
    e = parseError('site and\n  equip ==');
    expect([e.line, e.column]).toEqual([2, 11]);
    e = parseError('a == "x" b');
    expect([e.line, e.column]).toEqual([1, 10]);
    expect(e.message).toMatch(/^filter 1:10: /);
    e = parseError('a && b');
    expect([e.line, e.column]).toEqual([1, 3]);
  });

  it('say which operator a lone = or ! was most likely meant to be', () => {
    // SQL and most query languages compare with one "=": the message names the Haystack spelling.
    expect(parseError('dis = "x"').message).toBe('filter 1:5: Unexpected character "=" (use ==)');
    expect(parseError('dis ! "x"').message).toBe('filter 1:5: Unexpected character "!" (use !=)');
  });

  it('report the first problem from the left, not a later lexical one', () => {
    expect(parseError('a == b , c').column).toBe(6);
  });
});

describe('limits', () => {
  it('rejects text over maxLength', () => {
    const err = expectCode(() => parseFilter('a'.repeat(101), { maxLength: 100 }), 'HS_ERR_LIMIT');
    expect(err instanceof LimitError && err.limit).toBe('maxLength');
    expect(parseFilter('a'.repeat(100), { maxLength: 100 }).toString()).toBe('a'.repeat(100));
  });

  it('rejects parentheses nested deeper than maxDepth, and by default past 64', () => {
    const nest = (n: number): string => `${'('.repeat(n)}a${')'.repeat(n)}`;
    expect(parseFilter(nest(5), { maxDepth: 5 }).toString()).toBe('a');
    const deep = expectCode(() => parseFilter(nest(6), { maxDepth: 5 }), 'HS_ERR_LIMIT');
    expect(deep instanceof LimitError && deep.limit).toBe('maxDepth');
    expect(parseFilterAst(nest(64)).type).toBe('has');
    expectCode(() => parseFilterAst(nest(65)), 'HS_ERR_LIMIT');
    // Far past the limit, the parser stops before the stack would.
    expectCode(() => parseFilterAst(nest(100_000)), 'HS_ERR_LIMIT');
  });

  it('rejects paths longer than maxDepth names', () => {
    expect(parseFilter('a->b->c', { maxDepth: 3 }).toString()).toBe('a->b->c');
    expectCode(() => parseFilter('a->b->c->d', { maxDepth: 3 }), 'HS_ERR_LIMIT');
  });

  it('handles long flat and/or chains without deep recursion', () => {
    const text = Array.from({ length: 3000 }, (_, i) => `id == @r${i}`).join(' or ');
    const f = parseFilter(text);
    expect(f.ast.type).toBe('or');
  });

  it('parses and compiles chains of 200,000 operands under a raised maxLength (no stack overflow)', () => {
    // Spreading the operands into a call overflowed the stack past ~120,000: a RangeError, not a typed error.
    const limits = { maxLength: 2_000_000 };
    const or = parseFilter(`${'a or '.repeat(200_000)}b`, limits);
    expect(or.ast.type === 'or' && or.ast.args.length).toBe(200_001);
    expect(or.matches(Dict.of({ b: MARKER }))).toBe(true);
    const and = parseFilter(`${'a and '.repeat(200_000)}(b or c)`, limits);
    expect(and.ast.type === 'and' && and.ast.args.length).toBe(200_001);
    expect(and.matches(Dict.of({ a: MARKER, c: MARKER }))).toBe(true);
    expect(and.matches(Dict.of({ a: MARKER }))).toBe(false);
  });
});

describe('factories', () => {
  it('validate names, operators and literals', () => {
    expectInvalid(() => filterHas('Site'));
    expectInvalid(() => filterHas('a->'));
    expectInvalid(() => filterHas([]));
    expectInvalid(() => filterHas('or'));
    expectInvalid(() => filterCmp('=' as never, 'a', 1 as never));
    expectInvalid(() => filterCmp('==', 'a', new Num(Number.NaN)));
    expectInvalid(() => filterCmp('==', 'a', new Num(Number.POSITIVE_INFINITY)));
    expectInvalid(() => filterCmp('==', 'a', [] as never));
    expectInvalid(() => filterAnd());
  });

  it('drop a Ref display name, which filters ignore', () => {
    const node = filterCmp('==', 'siteRef', new Ref('s1', 'Site One'));
    expect((node.val as Ref).dis).toBeUndefined();
    expect(formatFilter(node)).toBe('siteRef == @s1');
  });

  it('return frozen nodes', () => {
    const node = filterAnd(filterHas('a'), filterCmp('==', 'b->c', 'x'));
    expect(Object.isFrozen(node)).toBe(true);
    expect(node.type === 'and' && Object.isFrozen(node.args)).toBe(true);
    expect(node.type === 'and' && Object.isFrozen(node.args[1]?.type === 'cmp' ? node.args[1].path : null)).toBe(true);
  });

  it('give single-operand and/or back as the operand', () => {
    const a = filterHas('a');
    expect(filterAnd(a)).toBe(a);
    expect(filterOr(a)).toBe(a);
  });
});

it('Sym literals and the ^symbol term are distinct', () => {
  expect(parseFilterAst('s == ^a')).toEqual(filterCmp('==', 's', new Sym('a')));
  expect(parseFilterAst('^a and s')).toEqual(filterAnd(filterIsSymbol('a'), filterHas('s')));
});
