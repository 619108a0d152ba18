// Zinc errors name the line, column and what was expected; limits stop hostile input early.

import { describe, expect, it } from 'vitest';
import { decodeZinc, decodeZincValue, encodeZinc, ZincReader } from '../../../src/core/codec/zinc/index.js';
import { DEFAULT_LIMITS, LimitError, MARKER, Num, ParseError, ref, ValueError } from '../../../src/core/index.js';

function parseError(text: string): ParseError {
  try {
    decodeZinc(text);
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error(`no error for ${JSON.stringify(text)}`);
}

function limitError(text: string, limits: Parameters<typeof decodeZinc>[1]): LimitError {
  try {
    decodeZinc(text, limits);
  } catch (e) {
    if (e instanceof LimitError) return e;
    throw e;
  }
  throw new Error(`no limit error for ${JSON.stringify(text).slice(0, 80)}`);
}

describe('ParseError', () => {
  it('carries format, 1-based line and column, and names what was expected and what was found', () => {
    const e = parseError('ver:"3.0"\na,b\n1,2\n3;4\n');
    expect(e.code).toBe('HS_ERR_PARSE');
    expect(e.format).toBe('zinc');
    expect([e.line, e.column]).toEqual([4, 2]);
    expect(e.reason).toMatch(/^expected .+ but found ";"$/);
  });

  it('points at trailing garbage: the whole input must be consumed', () => {
    const e = parseError('[1, 2] x');
    expect([e.line, e.column]).toEqual([1, 8]);
    expect(e.reason).toContain('end of input');
  });

  it('reports the end of input for unterminated tokens', () => {
    expect(parseError('"abc').reason).toContain('end of input');
    expect(parseError('{a:1').reason).toContain('end of input');
  });

  it('rejects a DateTime with an offset but no zone name, and unknown zones', () => {
    expect(parseError('2010-01-08T05:00:00-05:00').reason).toContain('time zone');
    expect(parseError('2010-01-08T05:00:00-05:00 Nowhere_Land').reason).toContain('Nowhere_Land');
  });

  it('rejects duplicate tag names in a dict and in meta', () => {
    expect(parseError('{a:1 a:2}').reason).toContain('duplicate');
    expect(parseError('ver:"3.0" x x\na\n').reason).toContain('duplicate');
  });

  it('finds a duplicate tag name in a dict of many tags, at the repeated name', () => {
    const tags = Array.from({ length: 40 }, (_, i) => `t${i}:${i}`).join(' ');
    for (const dup of ['t0', 't15', 't16', 't39']) {
      const e = parseError(`{${tags} ${dup}:1}`);
      expect(e.reason).toBe(`duplicate tag name ${dup}`);
      expect(e.column).toBe(tags.length + 3);
    }
    // A null tag is absent: naming it again is no duplicate.
    expect(decodeZincValue('{a:N a:1}')).toEqual(decodeZincValue('{a:1}'));
  });

  it('rejects bad dates and times by field', () => {
    expect(parseError('2023-02-29').reason).toContain('day');
    expect(parseError('12:60:00').reason).toContain('minute');
    expect(parseError('12:00:00.1234567890').reason).toContain('9 fraction digits');
  });
});

describe('decode limits', () => {
  it('have documented defaults', () => {
    expect(DEFAULT_LIMITS).toEqual({
      maxDepth: 64,
      maxLength: 256 * 1024 * 1024,
      maxRows: 10_000_000,
      maxCols: 10_000,
      maxTokenLength: 16 * 1024 * 1024,
    });
  });

  it('maxDepth stops deep nesting before the stack does', () => {
    expect(limitError(`${'['.repeat(100_000)}${']'.repeat(100_000)}`, undefined).limit).toBe('maxDepth');
    expect(limitError('[[[1]]]', { maxDepth: 2 }).code).toBe('HS_ERR_LIMIT');
    expect(decodeZinc('[[1]]', { maxDepth: 2 })).toEqual([[new Num(1)]]);
    expect(limitError('{a:{b:{c}}}', { maxDepth: 2 }).limit).toBe('maxDepth');
    expect(limitError('ver:"3.0"\na\n<<ver:"3.0"\nb\n1\n>>\n', { maxDepth: 1 }).limit).toBe('maxDepth');
  });

  it('maxLength, maxRows, maxCols and maxTokenLength', () => {
    expect(limitError('"0123456789"', { maxLength: 5 }).limit).toBe('maxLength');
    expect(limitError('ver:"3.0"\na\n1\n2\n3\n', { maxRows: 2 }).limit).toBe('maxRows');
    expect(
      limitError('ver:"3.0"\nts,val\n2024-01-01T00:00:00Z,1\n2024-01-01T00:01:00Z,2\n', { maxRows: 1 }).limit,
    ).toBe('maxRows');
    expect(limitError('ver:"3.0"\na,b,c\n', { maxCols: 2 }).limit).toBe('maxCols');
    expect(limitError(`"${'x'.repeat(100)}"`, { maxTokenLength: 10 }).limit).toBe('maxTokenLength');
  });
});

describe('ZincReader as a value reader for other formats', () => {
  it('reads one value at a position and leaves the position after it', () => {
    const text = 'dis: "Alpha" @a-1 "A" area: 35000ft² site';
    const r = new ZincReader(text, { format: 'trio', start: 5 });
    expect(r.readVal()).toBe('Alpha');
    expect(r.pos).toBe(12);
    expect(r.readVal()).toEqual(ref('a-1', 'A'));
    r.pos = text.indexOf('35000');
    expect(r.readVal()).toEqual(new Num(35000, 'ft²'));
    r.pos = text.indexOf('site');
    expect(() => r.readVal()).toThrow(ParseError);
  });

  it('names its format in errors and counts lines from the start of the text', () => {
    const text = 'a: 1\nb: 2\nc: @\n';
    const r = new ZincReader(text, { format: 'trio', start: text.indexOf('@') });
    try {
      r.readVal();
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ParseError);
      expect([(e as ParseError).format, (e as ParseError).line, (e as ParseError).column]).toEqual(['trio', 3, 5]);
    }
  });

  it('stops at `end`', () => {
    const r = new ZincReader('123kW456', { end: 5 });
    expect(r.readVal()).toEqual(new Num(123, 'kW'));
    expect(r.atEnd()).toBe(true);
  });

  it('decodeZincValue reads exactly one value', () => {
    expect(decodeZincValue(' M ')).toBe(MARKER);
    expect(() => decodeZincValue('M M')).toThrow(ParseError);
    expect(() => decodeZincValue('ver:"3.0"\na\n')).toThrow(ParseError);
  });
});

describe('encodeZinc of what is not a Haystack value', () => {
  it('names the JS type and value (a plain number is not a Num)', () => {
    const encode = (v: unknown): unknown => encodeZinc(v as Parameters<typeof encodeZinc>[0]);
    expect(() => encode(72)).toThrow(new ValueError('Not a Haystack value: number 72'));
    expect(() => encode([new Num(1), 2n])).toThrow('Not a Haystack value: bigint 2');
    expect(() => encode(Symbol('s'))).toThrow('Not a Haystack value: symbol Symbol(s)');
    expect(() => encode(undefined)).toThrow('Not a Haystack value: undefined undefined');
  });
});
