// Dict: null means absent, JS-special names are ordinary tags, __proto__ never reaches a prototype, immutability.

import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { Dict, dict, type TagVal } from '../../../src/core/grid/dict.js';
import { isTagName } from '../../../src/core/grid/tag-name.js';
import { equals, hash } from '../../../src/core/kinds/equality.js';
import { kindOf, type Val } from '../../../src/core/kinds/kind.js';
import { MARKER, NA } from '../../../src/core/kinds/marker.js';
import { Num, num } from '../../../src/core/kinds/number.js';
import { ref } from '../../../src/core/kinds/ref.js';
import { sym } from '../../../src/core/kinds/symbol.js';
import { arbDict, TRICKY_TAG_NAMES } from '../../support/arbitraries.js';
import { expectInvalid } from '../../support/errors.js';

describe('Dict construction', () => {
  it('builds from a record, entries, a Map or a Dict, converting JS values', () => {
    const d = dict({ site: MARKER, dis: 'Alpha', area: num(1000, 'ft²'), floors: 3, tags: ['a', 1] });
    expect(d.kind).toBe('dict');
    expect(kindOf(d)).toBe('dict');
    expect(d.size).toBe(5);
    expect(d.get('site')).toBe(MARKER);
    expect(d.get('floors')).toEqual(num(3));
    expect(d.get('floors')).toBeInstanceOf(Num);
    expect(d.get('tags')).toEqual(['a', num(1)]);
    expect(Object.isFrozen(d.get('tags'))).toBe(true);
    expect(dict([['a', 'x']]).get('a')).toBe('x');
    expect(dict(new Map([['a', 'x']])).get('a')).toBe('x');
    expect(Dict.of(d)).toBe(d);
    expect(dict({ nested: { x: 1 } }).get('nested')).toBeInstanceOf(Dict);
  });

  it('drops null and undefined values: null means absent', () => {
    const d = dict({ a: null, b: undefined, c: 'x' });
    expect(d.size).toBe(1);
    expect(d.has('a')).toBe(false);
    expect(d.missing('a')).toBe(true);
    expect(d.get('a')).toBeNull();
    expect(d.get('nope')).toBeNull();
    expect(dict({ a: null })).toBe(Dict.EMPTY);
    expect(dict(null)).toBe(Dict.EMPTY);
    expect(dict()).toBe(Dict.EMPTY);
    expect(Dict.EMPTY.isEmpty).toBe(true);
  });

  it('rejects invalid tag names with ValueError', () => {
    for (const name of ['', 'A', 'Site', '1a', '_a', 'a-b', 'a b', 'a.b', 'é', 'aé', '$a', 'a\u0000']) {
      expect(isTagName(name), name).toBe(false);
      expectInvalid(() => dict({ [name]: MARKER }));
      expectInvalid(() => dict([[name, MARKER]]));
      expectInvalid(() => Dict.EMPTY.set(name, MARKER));
    }
  });

  it('rejects values that are not Haystack values', () => {
    for (const bad of [() => 1, Symbol('x'), 10n, new Set([1]), new (class Foo {})(), /x/]) {
      expectInvalid(() => dict({ a: bad }));
    }
    expectInvalid(() => dict({ a: { 'Bad-name': 1 } }));
  });
});

describe('Dict with JS-special tag names', () => {
  it('treats constructor, toString, valueOf, hasOwnProperty, ... as ordinary tags', () => {
    const empty = Dict.EMPTY;
    for (const name of TRICKY_TAG_NAMES) {
      expect(empty.has(name), name).toBe(false);
      expect(empty.get(name), name).toBeNull();
      const d = dict({ [name]: 'v' });
      expect(d.has(name), name).toBe(true);
      expect(d.get(name), name).toBe('v');
      expect(d.names).toEqual([name]);
      expect(d.toObject()[name]).toBe('v');
    }
    const d = dict({ toString: 'x', valueOf: 'y' });
    expect(String(d)).toBe('{toString:"x" valueOf:"y"}');
    expect(d.equals(dict({ valueOf: 'y', toString: 'x' }))).toBe(true);
  });

  it('rejects __proto__ from JSON.parse input and never touches a prototype', () => {
    const input = JSON.parse('{"__proto__": {"polluted": "yes"}, "site": "m"}') as Record<string, unknown>;
    expect(Object.keys(input)).toContain('__proto__');
    expectInvalid(() => dict(input));
    expectInvalid(() => dict({ ok: input }));
    expectInvalid(() => Dict.EMPTY.merge(input));
    expectInvalid(() => dict([['__proto__', 'x']]));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(Dict.EMPTY.toObject())).toBeNull();
  });

  it('rejects other prototype-reaching names (they are not tag names)', () => {
    for (const name of ['__proto__', '__defineGetter__', '__lookupSetter__']) {
      expectInvalid(() => dict({ [name]: 1 }));
    }
  });

  it('gives a null-prototype record from toObject', () => {
    const o = dict({ hasOwnProperty: 'x', constructor: MARKER }).toObject();
    expect(Object.getPrototypeOf(o)).toBeNull();
    expect(o.hasOwnProperty).toBe('x');
    expect(o.constructor).toBe(MARKER);
  });
});

describe('Dict immutability', () => {
  const base = dict({ a: 'x', b: MARKER });

  it('set returns a new dict and leaves the original unchanged', () => {
    const d = base.set('c', 1);
    expect(d.get('c')).toEqual(num(1));
    expect(base.has('c')).toBe(false);
    expect(base.size).toBe(2);
    const replaced = base.set('a', 'y');
    expect(replaced.get('a')).toBe('y');
    expect(base.get('a')).toBe('x');
  });

  it('set with null or undefined removes the tag', () => {
    expect(base.set('a', null).has('a')).toBe(false);
    expect(base.set('a', undefined).has('a')).toBe(false);
    expect(base.has('a')).toBe(true);
  });

  it('remove returns a new dict (or the same when absent) and leaves the original unchanged', () => {
    const d = base.remove('a');
    expect(d.has('a')).toBe(false);
    expect(base.has('a')).toBe(true);
    expect(base.remove('zzz')).toBe(base);
  });

  it('merge adds tags over these, removes null ones from any init form, and leaves both unchanged', () => {
    const other = dict({ b: 'new', c: NA });
    const m = base.merge(other);
    expect(m.toObject()).toEqual(Object.assign(Object.create(null), { a: 'x', b: 'new', c: NA }));
    expect(base.get('b')).toBe(MARKER);
    expect(other.has('a')).toBe(false);
    expect(base.merge({ a: null }).has('a')).toBe(false);
    expect(base.merge({ a: undefined, z: 1 }).names).toEqual(['b', 'z']);
    expect(base.merge(new Map([['a', null]])).has('a')).toBe(false);
    expect(base.merge([['a', null]]).has('a')).toBe(false);
    expect(base.merge(Dict.EMPTY).equals(base)).toBe(true);
    expectInvalid(() => base.merge({ Bad: 1 }));
  });

  it('offers no way to change a dict in place', () => {
    const d = dict({ a: 'x' });
    const names = d.names as string[];
    expect(() => names.push('b')).not.toThrow();
    expect(d.names).toEqual(['a']);
    const o = d.toObject();
    o.a = 'changed';
    expect(d.get('a')).toBe('x');
    const entries = dict([['a', 'x']]);
    const src = new Map<string, unknown>([['a', 'x']]);
    const fromMap = dict(src);
    src.set('a', 'changed');
    expect(fromMap.get('a')).toBe('x');
    expect(entries.get('a')).toBe('x');
  });
});

describe('Dict accessors', () => {
  it('iterates names and entries in insertion order', () => {
    const d = dict({ b: 1, a: 2, c: 3 });
    expect(d.names).toEqual(['b', 'a', 'c']);
    expect([...d.keys()]).toEqual(['b', 'a', 'c']);
    expect([...d].map(([k]) => k)).toEqual(['b', 'a', 'c']);
    expect([...d.entries()].map(([, v]) => String(v))).toEqual(['1', '2', '3']);
    const seen: string[] = [];
    d.forEach((v, k) => {
      seen.push(`${k}=${String(v)}`);
    });
    expect(seen).toEqual(['b=1', 'a=2', 'c=3']);
  });

  it('gives the id when it is a Ref', () => {
    expect(dict({ id: ref('a') }).id?.id).toBe('a');
    expect(dict({ id: 'a' }).id).toBeUndefined();
    expect(Dict.EMPTY.id).toBeUndefined();
  });

  it('computes dis from dis, navName, the id display, then def', () => {
    expect(dict({ dis: 'D', navName: 'N', id: ref('i', 'R') }).dis()).toBe('D');
    expect(dict({ navName: 'N', id: ref('i', 'R') }).dis()).toBe('N');
    expect(dict({ id: ref('i', 'R') }).dis()).toBe('R');
    expect(dict({ id: ref('i') }).dis()).toBe('i');
    expect(dict({ def: sym('site') }).dis()).toContain('site');
    expect(Dict.EMPTY.dis()).toBe('');
    expect(dict({ dis: 5 }).dis()).toBe('');
  });

  it('writes a debug form', () => {
    expect(String(dict({ a: 'x', b: MARKER, n: num(1, 'kW') }))).toBe('{a:"x" b:M n:1kW}');
    expect(String(Dict.EMPTY)).toBe('{}');
  });
});

describe('Dict equality and hash', () => {
  it('ignores insertion order for equals, compare and hash', () => {
    fc.assert(
      fc.property(arbDict(), (d) => {
        const reversed = Dict.of([...d].reverse());
        expect(reversed.equals(d)).toBe(true);
        expect(hash(reversed)).toBe(hash(d));
        expect(reversed.compareTo(d)).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('differs when a value, a name or the size differs', () => {
    const d = dict({ a: 1, b: 'x' });
    expect(d.equals(dict({ a: 1, b: 'y' }))).toBe(false);
    expect(d.equals(dict({ a: 1, c: 'x' }))).toBe(false);
    expect(d.equals(dict({ a: 1 }))).toBe(false);
    expect(d.equals(dict({ a: 1, b: 'x', c: MARKER }))).toBe(false);
    expect(equals(d, [1, 'x'] as unknown as Val)).toBe(false);
    expect(d.equals({ a: 1, b: 'x' })).toBe(false);
  });

  it('fromTrustedMap wraps a map without copying', () => {
    const m = new Map<string, TagVal>([['a', MARKER]]);
    const d = Dict.fromTrustedMap(m);
    expect(d.get('a')).toBe(MARKER);
    expect(d.equals(dict({ a: MARKER }))).toBe(true);
  });
});

describe('Dict.presentSlots', () => {
  it('shares present slots between Dicts laid out alike', async () => {
    // Fresh modules: the shared shapes are capped per process, and this file's properties (thousands of Dicts of
    // random names at a larger numRuns) can use the cap up, after which new layouts share nothing.
    vi.resetModules();
    const { decodeZincGrid } = await import('../../../src/core/codec/zinc/index.js');
    const { dict } = await import('../../../src/core/grid/dict.js');
    const g = decodeZincGrid('ver:"3.0"\na,b,c\n1,,M\n2,,M\n,3,\n');
    const [r0, r1, r2] = g.rows;
    expect(r0?.presentSlots).toEqual([0, 2]);
    expect(r1?.presentSlots).toBe(r0?.presentSlots);
    expect(r2?.presentSlots).toEqual([1]);
    expect(dict({ x: 1, y: 2 }).presentSlots).toBe(dict({ x: 3, y: 4 }).presentSlots);
  });
});
