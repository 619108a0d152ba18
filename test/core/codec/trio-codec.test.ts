// Trio: the shared vectors, the writer's choices, round trips of every kind, and errors at the right place.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTrio, decodeTrioDicts, encodeTrio, encodeTrioDict } from '../../../src/core/codec/trio/index.js';
import {
  type Dict,
  dict,
  Grid,
  HTime,
  MARKER,
  NA,
  Num,
  ParseError,
  REMOVE,
  Ref,
  type Val,
} from '../../../src/core/index.js';
import { arbDict, arbStr, arbTagVal } from '../../support/arbitraries.js';
import { expectCode } from '../../support/errors.js';
import { diffHayson, diffVals } from '../../support/hayson-compare.js';
import { loadSharedJson, sharedAvailable } from '../../support/shared.js';

interface Case {
  readonly name: string;
  readonly trio: string;
  readonly json: unknown;
  readonly optional?: boolean;
}

// Cases we read differently from the vector, each with the spec section we follow (see the conformance README).
const DISPUTED: readonly string[] = [];

const have = sharedAvailable('conformance/trio.json');
const cases = have ? loadSharedJson<Case[]>('conformance/trio.json') : [];

const list = (dicts: readonly Dict[]): Val => Object.freeze([...dicts]);

describe.skipIf(!have)('trio.json: every dict of the text, in order', () => {
  const run = cases.filter((c) => c.optional !== true && !DISPUTED.includes(c.name));
  it.each(run.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(diffHayson(list(decodeTrioDicts(c.trio)), c.json)).toBeUndefined();
  });

  it.each(run.map((c) => [c.name, c] as const))('%s re-encodes to Trio that decodes to the same dicts', (_n, c) => {
    const text = encodeTrio(decodeTrioDicts(c.trio));
    expect(diffHayson(list(decodeTrioDicts(text)), c.json), text).toBeUndefined();
  });
});

describe('the Trio reader', () => {
  it('decodeTrio gives a grid: one row per record, columns in order of first appearance, no meta', () => {
    const g = decodeTrio('dis:a\nsite\n---\narea:5\ndis:b\n');
    expect(g.colNames).toEqual(['dis', 'site', 'area']);
    expect(g.meta.isEmpty).toBe(true);
    expect(g.size).toBe(2);
  });

  it("keeps Haxall's leniencies: one-digit hours, and date or number look-alikes that are Strs", () => {
    const [d] = decodeTrioDicts('t:9:30\nbadDate:2020-13-45\napples:12 apples\nm:M\nn:N\n');
    expect(d?.get('t')).toEqual(HTime.parse('09:30'));
    expect(d?.get('badDate')).toBe('2020-13-45');
    expect(d?.get('apples')).toBe('12 apples');
    // Haxall reads M and N as bare Strs; the writer quotes them for other readers.
    expect([d?.get('m'), d?.get('n')]).toEqual(['M', 'N']);
    expect(decodeTrioDicts('a:INFO\nb:INF°F\n')[0]?.get('a')).toBe('INFO');
  });

  it('reads CRLF lines, a byte-order mark, Zinc null as absent, and the indented list form', () => {
    const [d] = decodeTrioDicts('\ufeffa:1\r\nb:Zinc:\r\n  N\r\nc: [\r\n  1,\r\n  // skipped\r\n  2]\r\n');
    expect(diffVals(d ?? null, dict({ a: 1, c: Object.freeze([new Num(1), new Num(2)]) }))).toBeUndefined();
  });

  it('multi-line text: blank lines inside stay, blank lines at the end go', () => {
    const [d] = decodeTrioDicts('doc:\n  one\n\n    two\n\n\nnext\n');
    expect(d?.get('doc')).toBe('one\n\n  two');
    expect(d?.get('next')).toBe(MARKER);
  });
});

describe('the Trio writer', () => {
  it('writes markers bare, safe strings unquoted, other strings as Zinc, multi-line text indented', () => {
    const d = dict({
      site: MARKER,
      dis: 'Main Site',
      quoted: 'needs: quotes',
      kw: 'true',
      n: new Num(5, 'kW'),
      b: false,
      doc: 'line one\n  line two',
      ref: new Ref('a-1', 'A'),
      na: NA,
      rm: REMOVE,
    });
    expect(encodeTrioDict(d)).toBe(
      'site\ndis:Main Site\nquoted:"needs: quotes"\nkw:"true"\nn:5kW\nb:false\ndoc:\n  line one\n    line two\nref:@a-1 "A"\nna:NA\nrm:R\n',
    );
  });

  it('quotes a Str that starts or ends with any Unicode white space: readers that trim it would see a keyword', () => {
    // U+0085 (NEL) is white space JavaScript's \s misses (haystack-core's Marker for `M\u0085` was a prefix read).
    for (const s of ['M\u0085', 'T\u2028', 'NA\u00a0', '\u0085x', 'x\u3000', 'x\u1680']) {
      const text = encodeTrioDict(dict({ a: s }));
      expect(text, JSON.stringify(s)).toMatch(/^a:"/);
      expect(decodeTrioDicts(text)[0]?.get('a')).toBe(s);
    }
    // Inside, such a character is text like any other: no quotes needed.
    expect(encodeTrioDict(dict({ a: 'x\u0085y' }))).toBe('a:x\u0085y\n');
  });

  it('quotes a Str that starts with a keyword a prefix-reading parser would stop after', () => {
    // haystack-core reads a bare value with its Zinc reader and keeps whatever value a prefix makes: `M x` was a
    // Marker, `T€` true, `NA😀` NA (seeds of the haystack-core differential test found `M\u20290` and `M𝄞`).
    for (const s of ['M x', 'M\u20290', 'M𝄞', 'M-1', 'T€', 'F é', 'NA😀', 'NaN-x', 'INF€', 'R x', 'N\u00e9']) {
      const text = encodeTrioDict(dict({ a: s }));
      expect(text, JSON.stringify(s)).toMatch(/^a:"/);
      expect(decodeTrioDicts(text)[0]?.get('a')).toBe(s);
    }
    // A keyword that merely begins a longer word is a word: Zinc reads `Mx` or `INFO` whole.
    expect(encodeTrioDict(dict({ a: 'Mx', b: 'INFO', c: 'Tab x' }))).toBe('a:Mx\nb:INFO\nc:Tab x\n');
  });

  it("quotes multi-line text a line of which would lose its first or last character in Haxall's reader", () => {
    // Haxall trims every char up to U+0020 from a block line's end and counts \f as indent: a block would lose them.
    for (const s of ['a\u0001\nb', 'a\nb\u000b', 'a\f\nb', '\fa\n\fb', '\u0000a\nb']) {
      const text = encodeTrioDict(dict({ a: s }));
      expect(text, JSON.stringify(s)).toMatch(/^a:"/);
      expect(decodeTrioDicts(text)[0]?.get('a')).toBe(s);
    }
    // Inside a line such characters are text: the block stays.
    expect(encodeTrioDict(dict({ a: 'a\u0001b\nc' }))).toBe('a:\n  a\u0001b\n  c\n');
  });

  it('writes values that hold grids as an indented Zinc block', () => {
    const g = Grid.make({ cols: ['a'], rows: [{ a: 1 }] });
    const text = encodeTrio([dict({ g, l: Object.freeze([g]) })]);
    expect(text).toMatch(/^g:Zinc:\n {2}ver:"3.0"\n {2}a\n {2}1\nl:Zinc:\n/);
    expect(diffVals(decodeTrioDicts(text)[0] ?? null, dict({ g, l: Object.freeze([g]) }))).toBeUndefined();
  });

  it('separates records with ---', () => {
    expect(encodeTrio([dict({ a: 1 }), dict({ b: 2 })])).toBe('a:1\n---\nb:2\n');
    expect(encodeTrio(Grid.make({ cols: ['a'], rows: [{ a: 1 }, { a: 2 }] }))).toBe('a:1\n---\na:2\n');
  });
});

describe('Trio round trip', { timeout: 60_000 }, () => {
  // A record with no tags is no record at all in Trio, so the top-level dicts are non-empty.
  const arbRecord = arbDict({ maxDepth: 3, infUnits: false }).filter((d) => !d.isEmpty);

  it('decode(encode(dicts)) equals the dicts, values of every kind nested', () => {
    fc.assert(
      fc.property(fc.array(arbRecord, { maxLength: 4 }), (dicts) => {
        const text = encodeTrio(dicts);
        expect(diffVals(list(decodeTrioDicts(text)), list(dicts)), text).toBeUndefined();
      }),
      { numRuns: Number(process.env.RUNS ?? 800) },
    );
  });

  it('every value survives as a tag value, strings of every shape included', () => {
    fc.assert(
      fc.property(fc.oneof(arbTagVal({ maxDepth: 2, infUnits: false }), arbStr), (v) => {
        const text = encodeTrioDict(dict({ v }));
        expect(diffVals(decodeTrioDicts(text)[0]?.get('v') ?? null, v), text).toBeUndefined();
      }),
      { numRuns: Number(process.env.RUNS ?? 2000) },
    );
  });
});

function trioError(text: string): ParseError {
  const e = expectCode(() => decodeTrioDicts(text), 'HS_ERR_PARSE');
  if (!(e instanceof ParseError)) throw new Error(`expected a ParseError, got ${e.name}`);
  expect(e.format).toBe('trio');
  return e;
}

describe('Trio errors name the line and column', () => {
  it.each([
    ['a:1\nb c:2', 2, 1],
    ['Foo', 1, 1],
    ['a:1\na:2', 2, 1],
    ['x:"abc', 1, 7],
    ['x:@', 1, 4],
    ['x:[1, 2', 1, 8],
    ['x: {a:1} 2', 1, 10],
    ['x:Foo:', 1, 6],
    ['a:\n  ok\nb:Zinc:\n  ver:"3.0"\n  a\n  @@\n', 6, 4],
    ['n:Trio:\n  x\n  y:[1,\n', 3, 8],
    ['n:Trio:\n  x\n  ---\n  y\n', 2, 1],
  ] as const)('%j', (text, line, column) => {
    const e = trioError(text);
    expect([e.line, e.column], e.message).toEqual([line, column]);
  });

  it('limits: nesting depth counts Trio and the Zinc inside, records count as rows', () => {
    const deep = `v:${'['.repeat(70)}${']'.repeat(70)}`;
    expectCode(() => decodeTrioDicts(deep), 'HS_ERR_LIMIT');
    expectCode(() => decodeTrioDicts('a\n---\nb\n---\nc', { maxRows: 2 }), 'HS_ERR_LIMIT');
    expectCode(() => decodeTrioDicts('a:1', { maxLength: 2 }), 'HS_ERR_LIMIT');
    expectCode(() => decodeTrioDicts('t:Trio:\n  u:[[1]]\n', { maxDepth: 2 }), 'HS_ERR_LIMIT');
    expect(decodeTrioDicts('t:Trio:\n  u:[[1]]\n', { maxDepth: 3 })).toHaveLength(1);
  });
});
