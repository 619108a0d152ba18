// The Normalization chapter's pipeline on small libs over ph: inherit, resolve scopes, defx, tags, and each bad-lib error.

import { beforeAll, describe, expect, it } from 'vitest';
import { encodeZinc } from '../../../src/core/codec/zinc/index.js';
import { decodeZincGrid } from '../../../src/core/codec/zinc/zinc-reader.js';
import type { Dict } from '../../../src/core/grid/dict.js';
import { Num } from '../../../src/core/kinds/number.js';
import { Sym } from '../../../src/core/kinds/symbol.js';
import {
  compileLibs,
  DefError,
  type DefProblemKind,
  type LibSource,
  Namespace,
  type NamespaceOptions,
} from '../../../src/core/ontology/index.js';
import { sharedAvailable } from '../../support/shared.js';
import { lib, phLib, standardNamespace, trioLib } from './support.js';

function compileError(libs: readonly LibSource[], options: NamespaceOptions = {}): DefError {
  try {
    Namespace.fromLibs(libs, options);
  } catch (e) {
    if (e instanceof DefError) return e;
    throw e;
  }
  throw new Error('compiled without error');
}

describe.skipIf(!sharedAvailable('defs'))('normalization', () => {
  let ph: LibSource;
  beforeAll(async () => {
    ph = await phLib();
  });

  const cars = (): LibSource =>
    lib(
      'cars',
      ['ph'],
      `def: ^numDoors
is: ^number
---
def: ^color
is: ^str
---
def: ^engine
is: ^str
---
def: ^bedLength
is: ^number
---
def: ^car
is: ^marker
numDoors: 4
color: "red"
engine: "V8"
---
def: ^pickup
is: ^marker
numDoors: 2
color: "blue"
bedLength: 80in
---
def: ^elCamino
is: [^pickup, ^car]
color: "purple"
`,
    );

  it('inherits in is order, declared tags first: the El Camino example', () => {
    const ns = Namespace.fromLibs([ph, cars()]);
    const d = ns.req('elCamino').dict;
    expect(d.get('color')).toBe('purple');
    expect(d.get('numDoors')).toEqual(new Num(2));
    expect(d.get('engine')).toBe('V8');
    expect(d.get('bedLength')).toEqual(new Num(80, 'in'));
    expect(d.get('is')).toEqual([new Sym('pickup'), new Sym('car')]);
    expect(d.get('lib')).toEqual(new Sym('lib:cars'));
    // The ambiguity (numDoors from pickup and car) is a warning, an error only with strictInheritance.
    expect(ns.problems.map((p) => [p.kind, p.symbol, p.severity])).toEqual([['conflict', 'elCamino', 'warning']]);
    // Which value it took, and what the chapter asks of the lib.
    expect(ns.problems[0]?.message).toBe(
      "^elCamino inherits numDoors from ^pickup and ^car with different values: it takes ^pickup's, the first in its " +
        'is; Normalization (Inherit) asks it to declare its own numDoors',
    );
    expect(compileError([ph, cars()], { strictInheritance: true }).kind).toBe('conflict');
  });

  it('resolves in the lib namespace: its depends, not theirs (the alpha, beta, gamma example)', () => {
    const alpha = lib('alpha', ['ph'], 'def: ^alphaTag\nis: ^marker');
    const beta = lib('beta', ['ph', 'alpha'], 'def: ^betaTag\nis: ^alphaTag');
    const gamma = lib('gamma', ['ph', 'beta'], 'def: ^gammaTag\nis: ^betaTag\n---\ndef: ^gammaBad\nis: ^alphaTag');
    const err = compileError([ph, alpha, beta, gamma]);
    expect(err.kind).toBe('undefined');
    expect(err.problems.map((p) => [p.symbol, p.lib])).toEqual([['gammaBad', 'gamma']]);
    const ok = Namespace.fromLibs([ph, alpha, beta, lib('gamma', ['ph', 'beta'], 'def: ^gammaTag\nis: ^betaTag')]);
    expect(ok.fits('gammaTag', 'alphaTag')).toBe(true);
  });

  it('defx adds tags from other libs; a tag given twice is a duplicate, unless it accumulates', () => {
    const acme = lib('acme', ['ph'], 'def: ^acmeTerm\nis: ^str\n---\ndefx: ^date\nacmeTerm: "ISODate"');
    const wombat = lib(
      'wombat',
      ['ph'],
      'def: ^wombatFormatter\nis: ^str\n---\ndefx: ^date\nwombatFormatter: "X"\ntagOn: ^dict',
    );
    const ns = Namespace.fromLibs([ph, acme, wombat]);
    const date = ns.req('date').dict;
    expect(date.get('acmeTerm')).toBe('ISODate');
    expect(date.get('wombatFormatter')).toBe('X');
    expect(date.get('lib')).toEqual(new Sym('lib:ph'));
    const clash = lib('clash', ['ph'], 'defx: ^date\ndoc: "again"');
    expect(compileError([ph, clash]).kind).toBe('duplicate');
    const both = lib('both', ['ph'], 'defx: ^date\ntagOn: ^list');
    expect(Namespace.fromLibs([ph, wombat, both]).req('date').dict.get('tagOn')).toEqual([
      new Sym('dict'),
      new Sym('list'),
    ]);
  });

  it('accumulates a union: a value given twice, declared or inherited, is there once', async () => {
    const kit = lib(
      'kit',
      ['ph'],
      'def: ^kit\nis: ^marker\nchildren: [{dict}]\n---\ndef: ^box\nis: ^kit\nchildren: [{grid}, {list}, {grid}]',
    );
    const boxChildren = Namespace.fromLibs([ph, kit]).req('box').dict.get('children') as readonly Dict[];
    expect(boxChildren.map((c) => [...c.keys()].join())).toEqual(['grid', 'list', 'dict']);
    // phIoT's airHandlingEquip lists {thermostat equip} twice among its children, equip adds {equip} and {point}.
    const children = (await standardNamespace()).req('airHandlingEquip').dict.get('children') as readonly Dict[];
    const keys = children.map((c) => [...c.keys()].sort().join(' '));
    expect(keys.filter((k) => k === 'equip thermostat')).toHaveLength(1);
    expect(keys).toEqual(expect.arrayContaining(['equip', 'point']));
    expect(new Set(keys).size).toBe(keys.length);
  });

  const badCases: [string, DefProblemKind, () => LibSource[]][] = [
    ['a symbol declared twice', 'duplicate', () => [ph, lib('a', ['ph'], 'def: ^str\nis: ^marker')]],
    ['a lib given twice', 'duplicate', () => [ph, ph]],
    ['an is cycle', 'cycle', () => [ph, lib('a', ['ph'], 'def: ^foo\nis: ^bar\n---\ndef: ^bar\nis: ^foo')]],
    ['an undefined tag name', 'undefined', () => [ph, lib('a', ['ph'], 'def: ^foo\nis: ^marker\nnoSuchTag: 1')]],
    ['an undefined symbol value', 'undefined', () => [ph, lib('a', ['ph'], 'def: ^foo\nis: ^noSuchDef')]],
    ['a missing dependency', 'undefined', () => [ph, lib('a', ['ph', 'missing'], 'def: ^foo\nis: ^marker')]],
    ['a defx of nothing', 'undefined', () => [ph, lib('a', ['ph'], 'defx: ^nothing\ndoc: "x"')]],
    ['a term without is', 'invalid', () => [ph, lib('a', ['ph'], 'def: ^foo\ndoc: "x"')]],
    ['a key with is', 'invalid', () => [ph, lib('a', ['ph'], 'def: ^filetype:foo\nis: ^marker')]],
    ['a def named index', 'invalid', () => [ph, lib('a', ['ph'], 'def: ^index\nis: ^marker')]],
    ['a conjunct of a non-marker', 'invalid', () => [ph, lib('a', ['ph'], 'def: ^dis-foo\nis: ^marker')]],
    ['a def declaring another lib', 'invalid', () => [ph, lib('a', ['ph'], 'def: ^foo\nis: ^marker\nlib: ^lib:ph')]],
    ['a computed tag declared', 'invalid', () => [ph, lib('a', ['ph'], 'def: ^foo\nis: ^marker\ntags: [^def]')]],
    ['tagOn on a conjunct', 'invalid', () => [ph, lib('a', ['ph'], 'def: ^na-foo\nis: ^marker\ntagOn: ^def')]],
    ['a tag of the wrong kind', 'invalid', () => [ph, lib('a', ['ph'], 'def: ^foo\nis: ^marker\ndoc: 12')]],
    ['a lib without version', 'invalid', () => [ph, trioLib('def: ^lib:a\ndoc: "x"\ndepends: [^lib:ph]')]],
    ['a dict with neither def nor defx', 'invalid', () => [ph, lib('a', ['ph'], 'dis: "x"')]],
    ['no lib meta', 'invalid', () => [ph, trioLib('def: ^foo\nis: ^marker')]],
  ];

  it.each(badCases)('rejects %s with a typed DefError (%s)', (_what, kind, libs) => {
    const err = compileError(libs());
    expect(err.code).toBe('HS_ERR_DEF');
    expect(err.kind).toBe(kind);
    expect(err.problems.length).toBeGreaterThan(0);
  });

  it('leniently compiles what it can and lists the problems', () => {
    const ns = Namespace.fromLibs([ph, lib('a', ['ph'], 'def: ^foo\nis: ^bar\n---\ndef: ^bar\nis: ^foo')], {
      lenient: true,
    });
    expect(ns.problems.map((p) => p.kind)).toEqual(['cycle']);
    expect(ns.has('foo') && ns.has('bar')).toBe(true);
    expect(compileLibs([ph]).problems).toEqual([]);
  });

  it('names where each problem is declared when the lib gives positions: duplicate, unknown supertype, cycle', () => {
    const body =
      'def: ^foo\nis: ^nope\n---\ndef: ^bar\nis: ^baz\n---\ndef: ^baz\nis: ^bar\n---\ndef: ^foo\nis: ^marker';
    const a = lib('a', ['ph'], body);
    const sourced: LibSource = { ...a, origins: a.dicts.map((_d, i) => `a/defs.trio:${i * 3 + 1}`) };
    const ns = Namespace.fromLibs([ph, sourced], { lenient: true });
    expect(ns.problems.map((p) => [p.kind, p.symbol, p.lib, p.at])).toEqual([
      ['duplicate', 'foo', 'a', 'a/defs.trio:13'],
      ['undefined', 'foo', 'a', 'a/defs.trio:4'],
      ['cycle', 'baz', 'a', 'a/defs.trio:10'],
    ]);
    expect(ns.problems[0]?.message).toBe('^foo is declared twice in lib a, first at a/defs.trio:4 (a/defs.trio:13)');
    expect(ns.problems[1]?.message).toBe('^foo refers to ^nope, which has no def in scope (a/defs.trio:4)');
    // Without positions, the messages are as they were.
    expect(compileError([ph, a]).problems[0]?.message).toBe('^foo is declared twice in lib a');
  });

  it('normalized defs compile again to the same namespace (a defs grid through Zinc)', async () => {
    const std = await standardNamespace();
    const grid = decodeZincGrid(encodeZinc(std.toGrid()));
    const again = Namespace.fromDefs(grid);
    expect(again.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(again.size).toBe(std.size);
    for (const d of std.defs()) expect(again.req(d.name).dict.equals(d.dict), d.name).toBe(true);
  });
});
