// The lib meta checks of the Namespaces chapter (Libs, Lib Namespaces), each on a small Trio lib that names the file
// and line of its lib meta, and the standard libs, which have none of these problems.

import { beforeAll, describe, expect, it } from 'vitest';
import { TrioReader } from '../../../src/core/codec/trio/index.js';
import type { Dict } from '../../../src/core/grid/dict.js';
import { Sym } from '../../../src/core/kinds/symbol.js';
import { symbolNames } from '../../../src/core/ontology/def.js';
import { compileLibs, type DefProblem, type LibSource, Namespace } from '../../../src/core/ontology/index.js';
import { type DefLib, loadDefLibs } from '../../../src/server/index.js';
import { sharedAvailable, sharedPath } from '../../support/shared.js';
import { phLib } from './support.js';

/** A lib as the loader reads it from `<dir>/lib.trio`: each dict with the line it starts on. */
function sourced(dir: string, text: string): LibSource {
  const reader = new TrioReader(text);
  const dicts: Dict[] = [];
  const origins: string[] = [];
  for (let d = reader.readDict(); d !== undefined; d = reader.readDict()) {
    dicts.push(d);
    origins.push(`${dir}/lib.trio:${reader.recordLine}`);
  }
  return { dicts, origins, source: dir };
}

/** A lib meta on line 2 (after a comment), with `tags` (Trio lines), and one def on the lines after it. */
const meta = (name: string, tags: string): LibSource =>
  sourced(name, `// lib ${name}\ndef: ^lib:${name}\ndoc: "Lib ${name}"\n${tags}\n---\ndef: ^${name}Tag\nis: ^marker\n`);

const brief = (p: DefProblem): readonly [string, string, string | undefined, string | undefined] => [
  p.kind,
  p.symbol,
  p.lib,
  p.at,
];

describe.skipIf(!sharedAvailable('defs'))('lib meta (Namespaces: Libs)', () => {
  let ph: LibSource;
  beforeAll(async () => {
    ph = await phLib();
  });

  const problems = (...libs: LibSource[]): readonly DefProblem[] => compileLibs([ph, ...libs]).problems;

  it('a sound lib has no problem', () => {
    const ok = meta('a', 'version: "1.0.2"\nbaseUri: `https://example.com/def/a/`\ndepends: [^lib:ph]');
    expect(problems(ok)).toEqual([]);
  });

  it('depends on a lib that is not in the namespace', () => {
    expect(problems(meta('a', 'version: "1"\ndepends: [^lib:ph, ^lib:missing]')).map(brief)).toEqual([
      ['undefined', 'lib:missing', 'a', 'a/lib.trio:2'],
    ]);
  });

  it('depends on a symbol that is no lib, or on a value that is no symbol', () => {
    const [notLib] = problems(meta('a', 'version: "1"\ndepends: [^lib:ph, ^marker]'));
    expect(notLib && brief(notLib)).toEqual(['invalid', 'lib:a', 'a', 'a/lib.trio:2']);
    expect(notLib?.message).toBe('Lib a depends on ^marker, which is not a lib (^lib:<name>) (a/lib.trio:2)');
    const [str] = problems(meta('a', 'version: "1"\ndepends: [^lib:ph, "phIoT"]'));
    expect(str && brief(str)).toEqual(['invalid', 'lib:a', 'a', 'a/lib.trio:2']);
    expect(str?.message).toBe('Lib a depends on "phIoT", which is not a lib symbol (^lib:<name>) (a/lib.trio:2)');
  });

  it('depends on itself, or on a lib that depends back: a dependency cycle', () => {
    expect(problems(meta('a', 'version: "1"\ndepends: [^lib:ph, ^lib:a]')).map(brief)).toEqual([
      ['cycle', 'lib:a', 'a', 'a/lib.trio:2'],
    ]);
    const a = meta('a', 'version: "1"\ndepends: [^lib:ph, ^lib:b]');
    const b = meta('b', 'version: "1"\ndepends: [^lib:ph, ^lib:c]');
    const c = meta('c', 'version: "1"\ndepends: [^lib:ph, ^lib:a]');
    const found = problems(a, b, c);
    expect(found.map(brief)).toEqual([['cycle', 'lib:c', 'c', 'c/lib.trio:2']]);
    expect(found[0]?.message).toBe('Lib dependency cycle: a depends on b depends on c depends on a (c/lib.trio:2)');
    // A lib depended on twice (a diamond) is no cycle.
    const d = meta('d', 'version: "1"\ndepends: [^lib:ph, ^lib:e, ^lib:f]');
    const e = meta('e', 'version: "1"\ndepends: [^lib:ph, ^lib:f]');
    expect(problems(d, e, meta('f', 'version: "1"\ndepends: [^lib:ph]'))).toEqual([]);
  });

  it('version: required, a Str, decimal integers separated by dots', () => {
    expect(problems(meta('a', 'depends: [^lib:ph]')).map(brief)).toEqual([['invalid', 'lib:a', 'a', 'a/lib.trio:2']]);
    expect(problems(meta('a', 'version: 1\ndepends: [^lib:ph]')).map((p) => p.message)).toEqual([
      '^lib:a: tag version must be a str, not number (a/lib.trio:2)',
    ]);
    for (const bad of ['', '1.x', '1..2', 'v1.0', '1.0-beta', '1.0.'])
      expect(
        problems(meta('a', `version: "${bad}"\ndepends: [^lib:ph]`)).map((p) => p.message),
        bad,
      ).toEqual([`Lib a: version "${bad}" is not decimal integers separated by dots (a/lib.trio:2)`]);
  });

  it('baseUri: a Uri, and an absolute one', () => {
    expect(problems(meta('a', 'version: "1"\nbaseUri: "https://x/"\ndepends: [^lib:ph]')).map(brief)).toEqual([
      ['invalid', 'lib:a', 'a', 'a/lib.trio:2'],
    ]);
    const [relative] = problems(meta('a', 'version: "1"\nbaseUri: `def/a/`\ndepends: [^lib:ph]'));
    expect(relative && brief(relative)).toEqual(['invalid', 'lib:a', 'a', 'a/lib.trio:2']);
    expect(relative?.message).toBe('Lib a: baseUri `def/a/` is not an absolute URI (a/lib.trio:2)');
  });

  it('doc: required, a Str', () => {
    const noDoc = sourced('a', 'def: ^lib:a\nversion: "1"\ndepends: [^lib:ph]');
    expect(problems(noDoc).map((p) => p.message)).toEqual(['Lib a has no doc (a/lib.trio:1)']);
  });

  it("every def's lib is declared: defs of a source without lib meta, a def naming another lib", () => {
    const orphan = sourced('x', '// no lib meta\n\ndef: ^foo\nis: ^marker\n---\ndef: ^bar\nis: ^marker');
    expect(problems(orphan).map(brief)).toEqual([['invalid', 'x', undefined, 'x/lib.trio:3']]);
    const other = sourced('a', 'def: ^lib:a\ndoc: "A"\nversion: "1"\ndepends: [^lib:ph]\n---\ndef: ^foo\nlib: ^lib:ph');
    expect(problems(other).map(brief)).toEqual([
      ['invalid', 'foo', 'a', 'a/lib.trio:6'],
      ['invalid', 'foo', 'a', 'a/lib.trio:6'],
    ]);
    // Normalized defs (a defs grid) naming a lib whose meta is not among them.
    const std = Namespace.fromLibs([ph]);
    const stray = std.req('marker').dict.set('def', new Sym('stray')).set('lib', new Sym('lib:gone'));
    const found = Namespace.fromDefs([...std.defs().map((d) => d.dict), stray], { lenient: true }).problems;
    expect(found.map((p) => [p.kind, p.symbol, p.message])).toEqual([
      ['invalid', 'lib:gone', 'No lib meta (def: ^lib:gone) for ^stray'],
    ]);
  });

  it('reports every problem of one lib meta, each at its file and line', () => {
    const bad = meta('a', 'version: "one"\nbaseUri: `a/`\ndepends: [^lib:ph, ^lib:a, 3]');
    expect(problems(bad).map((p) => [p.kind, p.at])).toEqual([
      ['invalid', 'a/lib.trio:2'],
      ['cycle', 'a/lib.trio:2'],
      ['invalid', 'a/lib.trio:2'],
      ['invalid', 'a/lib.trio:2'],
    ]);
  });
});

describe.skipIf(!sharedAvailable('defs'))('the standard libs have sound lib metas', () => {
  let all: readonly DefLib[];
  beforeAll(async () => {
    all = await loadDefLibs(sharedPath('defs'));
  });
  const source = (l: DefLib): LibSource => ({ dicts: l.defs, source: l.source ?? l.name, origins: l.origins });
  // The only problems of the standard libs are four warnings: phIoT's chiller mechanisms inherit two docs.
  const errors = (out: readonly DefProblem[]): readonly DefProblem[] => out.filter((p) => p.severity === 'error');

  it.each(['ph', 'phScience', 'phIoT', 'phIct'])('%s loads with what it depends on and no error', (name) => {
    // Scopes are not transitive but the namespace needs every lib any lib in it depends on.
    const byName = new Map(all.map((l) => [l.name, l]));
    const libs: DefLib[] = [];
    const add = (n: string): void => {
      const l = byName.get(n);
      if (l === undefined || libs.includes(l)) return;
      libs.push(l);
      for (const d of symbolNames(l.def.get('depends'))) add(d.slice(4));
    };
    add(name);
    const out = compileLibs(libs.map(source));
    expect(errors(out.problems)).toEqual([]);
    expect(out.problems.filter((p) => p.symbol.startsWith('lib:'))).toEqual([]);
    expect(out.libs.map((l) => l.name)).toContain(name);
  });

  it('all four together load with no error, as sources and as normalized defs', () => {
    const out = compileLibs(all.map(source));
    expect(errors(out.problems)).toEqual([]);
    expect(out.problems.map((p) => [p.kind, p.symbol])).toEqual(
      ['absorption', 'reciprocal', 'rotaryScrew', 'centrifugal'].map((m) => ['conflict', `chiller-${m}`]),
    );
    expect(out.libs.map((l) => l.name).sort()).toEqual(['ph', 'phIct', 'phIoT', 'phScience']);
    const again = compileLibs(
      out.libs.map((l) => ({ dicts: l.defs.map((d) => d.dict), source: l.name })),
      { normalized: true },
    );
    expect(errors(again.problems)).toEqual([]);
  });
});
