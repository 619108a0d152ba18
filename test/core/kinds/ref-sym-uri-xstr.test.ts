// Ref, Symbol, Uri and XStr: character validation, accessors, Zinc forms, equality, order and hash.

import { describe, expect, it } from 'vitest';
import { compare, hash } from '../../../src/core/kinds/equality.js';
import { kindOf } from '../../../src/core/kinds/kind.js';
import { isRefChar, isRefId, Ref, ref } from '../../../src/core/kinds/ref.js';
import { Sym, sym } from '../../../src/core/kinds/symbol.js';
import { Uri, uri } from '../../../src/core/kinds/uri.js';
import { isXStrType, XStr, xstr } from '../../../src/core/kinds/xstr.js';
import { expectInvalid } from '../../support/errors.js';

// Zinc: <refChar> := <alpha> | <digit> | "_" | ":" | "-" | "." | "~"
const REF_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_:-.~';

describe('Ref', () => {
  it('accepts exactly the Zinc refChars', () => {
    const accepted: string[] = [];
    for (let c = 0; c < 0x3000; c++) if (isRefChar(c)) accepted.push(String.fromCharCode(c));
    expect(accepted.join('')).toBe(Array.from(REF_CHARS).sort().join(''));
    expect(ref(REF_CHARS).id).toBe(REF_CHARS);
    for (const id of ['a', '1', '_', ':', '-', '.', '~', 'p:demo:r:2b7e0c8a-4a9b', 'site.1~x']) {
      expect(ref(id).id).toBe(id);
    }
  });

  it('rejects empty ids, other characters and non-strings with ValueError', () => {
    for (const bad of ['', '@a', 'a b', 'a/b', 'é', 'a\u0000', 'a"', 'a,b', '😀', 'a\n']) {
      expect(isRefId(bad), bad).toBe(false);
      expectInvalid(() => ref(bad));
    }
    expectInvalid(() => new Ref(1 as unknown as string));
    expectInvalid(() => new Ref('a', 5 as unknown as string));
  });

  it('keeps an optional display name, with accessors and withDis', () => {
    const r = ref('site-1', 'Alpha');
    expect(r.kind).toBe('ref');
    expect(kindOf(r)).toBe('ref');
    expect(r.dis).toBe('Alpha');
    expect(r.display).toBe('Alpha');
    expect(ref('x').display).toBe('x');
    expect(ref('x', null).dis).toBeUndefined();
    const r2 = r.withDis('Beta');
    expect(r2.dis).toBe('Beta');
    expect(r.dis).toBe('Alpha');
    expect(r.withDis(undefined).dis).toBeUndefined();
    expect(ref('x', '').dis).toBe('');
  });

  it('writes the Zinc form @id "dis"', () => {
    expect(String(ref('a'))).toBe('@a');
    expect(String(ref('a', 'Site "A"\n'))).toBe('@a "Site \\"A\\"\\n"');
  });

  it('equals, orders and hashes by id only (display name ignored)', () => {
    expect(ref('a', 'x').equals(ref('a', 'y'))).toBe(true);
    expect(ref('a').equals(ref('b'))).toBe(false);
    expect(ref('a').equals(sym('a'))).toBe(false);
    expect(hash(ref('a', 'x'))).toBe(hash(ref('a')));
    expect(compare(ref('a', 'z'), ref('b', 'a'))).toBe(-1);
    expect(compare(ref('a', 'z'), ref('a'))).toBe(0);
  });
});

describe('Sym', () => {
  it('accepts refChars and writes ^name', () => {
    const s = sym('elec-meter');
    expect(s.val).toBe('elec-meter');
    expect(s.kind).toBe('symbol');
    expect(String(s)).toBe('^elec-meter');
    expect(sym('lib:phIoT').val).toBe('lib:phIoT');
    expect(new Sym('a.b~c_1').val).toBe('a.b~c_1');
  });

  it('rejects empty names and other characters', () => {
    for (const bad of ['', '^a', 'a b', 'a/b', 'ü', 'a\u0000']) expectInvalid(() => sym(bad));
    expectInvalid(() => new Sym(null as unknown as string));
  });

  it('equals, orders and hashes by name, apart from Refs and Strs', () => {
    expect(sym('a').equals(sym('a'))).toBe(true);
    expect(sym('a').equals(sym('b'))).toBe(false);
    expect(sym('a').equals('a')).toBe(false);
    expect(hash(sym('a'))).toBe(hash(sym('a')));
    expect(hash(sym('a'))).not.toBe(hash(ref('a')));
    expect(compare(sym('a'), sym('b'))).toBe(-1);
  });
});

describe('Uri', () => {
  it('keeps any text as written', () => {
    for (const s of ['', 'http://x.com/a?b=c#d', 'a b', 'x`y', 'c:\\dir', 'ü😀', '\n']) {
      const u = uri(s);
      expect(u.val).toBe(s);
      expect(String(u)).toBe(s);
      expect(u.kind).toBe('uri');
    }
    expect(new Uri('a').equals(uri('a'))).toBe(true);
  });

  it('rejects non-strings', () => {
    expectInvalid(() => new Uri(5 as unknown as string));
  });

  it('equals, orders and hashes by text', () => {
    expect(uri('a').equals(uri('b'))).toBe(false);
    expect(uri('a').equals('a')).toBe(false);
    expect(hash(uri('a'))).toBe(hash(uri('a')));
    expect(hash(uri('a'))).not.toBe(hash('a'));
    expect(compare(uri('b'), uri('a'))).toBe(1);
  });
});

describe('XStr', () => {
  it('accepts <alphaHi> (<alpha> | <digit> | _)* type names and any value', () => {
    for (const t of ['A', 'Bin', 'Span', 'Foo_2', 'ABC', 'Z9_z']) expect(isXStrType(t), t).toBe(true);
    const x = xstr('Bin', 'text/plain');
    expect([x.type, x.val, x.kind]).toEqual(['Bin', 'text/plain', 'xstr']);
    expect(new XStr('Span', '').val).toBe('');
  });

  it('rejects other type names and non-string values', () => {
    for (const t of ['', 'bin', '1A', '_A', 'A-B', 'A B', 'Ä', 'A.b']) {
      expect(isXStrType(t), t).toBe(false);
      expectInvalid(() => xstr(t, 'x'));
    }
    expectInvalid(() => new XStr('Bin', 1 as unknown as string));
    expectInvalid(() => new XStr(undefined as unknown as string, 'x'));
  });

  it('writes Type("val") with escapes', () => {
    expect(String(xstr('Bin', 'text/plain'))).toBe('Bin("text/plain")');
    expect(String(xstr('Foo', 'a"b\\c'))).toBe('Foo("a\\"b\\\\c")');
  });

  it('equals, orders and hashes by type then value', () => {
    expect(xstr('A', 'x').equals(xstr('A', 'x'))).toBe(true);
    expect(xstr('A', 'x').equals(xstr('B', 'x'))).toBe(false);
    expect(xstr('A', 'x').equals(xstr('A', 'y'))).toBe(false);
    expect(hash(xstr('A', 'x'))).toBe(hash(xstr('A', 'x')));
    expect(compare(xstr('A', 'z'), xstr('B', 'a'))).toBe(-1);
    expect(compare(xstr('A', 'b'), xstr('A', 'a'))).toBe(1);
  });
});
