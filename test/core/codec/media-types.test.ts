// The codec registry: names, extensions, Accept negotiation with q-values and wildcards, Content-Type with parameters.

import { describe, expect, it } from 'vitest';
import {
  CODECS,
  codecByName,
  codecForAccept,
  codecForContentType,
  codecForExtension,
  parseMediaType,
  responseTypeForAccept,
  valToGrid,
} from '../../../src/core/codec/media-types.js';
import * as core from '../../../src/core/index.js';
import { dict, Grid, MARKER, Num } from '../../../src/core/index.js';
import { expectCode } from '../../support/errors.js';

const nameOf = (c: { name: string } | undefined): string | undefined => c?.name;

describe('the package root', () => {
  it('exports every codec and the registry', () => {
    for (const name of [
      'decodeZinc',
      'encodeZinc',
      'decodeJson',
      'encodeJson',
      'decodeTrio',
      'decodeTrioDicts',
      'encodeTrio',
      'encodeCsv',
      'codecByName',
      'codecForAccept',
      'codecForContentType',
      'codecForExtension',
    ]) {
      expect(typeof (core as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(core.CODECS).toBe(CODECS);
  });
});

describe('the registry', () => {
  it('holds the five formats with their media types and extensions', () => {
    expect(CODECS.map((c) => [c.name, c.mediaType, c.extensions[0]])).toEqual([
      ['zinc', 'text/zinc', 'zinc'],
      ['json', 'application/json', 'json'],
      ['json3', 'application/vnd.haystack+json;version=3', 'json'],
      ['trio', 'text/trio', 'trio'],
      ['csv', 'text/csv', 'csv'],
    ]);
    expect(CODECS.filter((c) => c.decode === undefined).map((c) => c.name)).toEqual(['csv']);
  });

  it('finds codecs by name and by file extension (.json is v4)', () => {
    expect(nameOf(codecByName('json3'))).toBe('json3');
    expect(codecByName('xml')).toBeUndefined();
    expect(nameOf(codecForExtension('site/alpha.ZINC'))).toBe('zinc');
    expect(nameOf(codecForExtension('.json'))).toBe('json');
    expect(nameOf(codecForExtension('trio'))).toBe('trio');
    expect(nameOf(codecForExtension('C:\\out\\x.csv'))).toBe('csv');
    expect(codecForExtension('dir.zinc/file')).toBeUndefined();
  });

  it('each codec encodes and decodes the same grid', () => {
    const g = Grid.make({ cols: ['id', 'n'], rows: [{ id: MARKER, n: new Num(1, 'kW') }] });
    for (const c of CODECS) {
      const text = c.encodeGrid(g);
      expect(c.encode(g)).toBe(text);
      if (c.decodeGrid !== undefined) expect(c.decodeGrid(text).equals(g), c.name).toBe(true);
    }
  });

  it('grid-only formats take a Dict as a row, Dicts as rows, and anything else as a val cell', () => {
    expect(valToGrid(dict({ a: 1 })).colNames).toEqual(['a']);
    expect(valToGrid(Object.freeze([dict({ a: 1 }), dict({ b: 2 })])).size).toBe(2);
    expect(valToGrid(new Num(45, '°F')).row(0).get('val')).toEqual(new Num(45, '°F'));
    expect(codecByName('csv')?.encode(new Num(45, '°F'))).toBe('val\n45°F\n');
    expect(codecByName('trio')?.encode(dict({ site: MARKER }))).toBe('site\n');
  });

  it('decodeGrid refuses a value that is not a grid', () => {
    expectCode(() => codecByName('json')?.decodeGrid?.('[1]'), 'HS_ERR_PARSE');
    expectCode(() => codecByName('zinc')?.decodeGrid?.('45°F'), 'HS_ERR_PARSE');
  });
});

describe('parseMediaType', () => {
  it('lower-cases type and parameter names, unquotes values, rejects malformed text', () => {
    const m = parseMediaType(' Application/Vnd.Haystack+JSON ; Version="3" ; charset=UTF-8');
    expect([m?.type, m?.subtype, m?.params.get('version'), m?.params.get('charset')]).toEqual([
      'application',
      'vnd.haystack+json',
      '3',
      'UTF-8',
    ]);
    for (const bad of ['', 'text', 'text/', '/zinc', 'te xt/zinc', 'text/zinc; novalue']) {
      expect(parseMediaType(bad), bad).toBeUndefined();
    }
  });
});

describe('codecForAccept (HttpApi content negotiation)', () => {
  it.each([
    [undefined, 'zinc'],
    ['', 'zinc'],
    ['*/*', 'zinc'],
    ['text/zinc', 'zinc'],
    ['application/json', 'json'],
    ['application/vnd.haystack+json;version=4', 'json'],
    ['application/vnd.haystack+json', 'json'],
    ['application/vnd.haystack+json; version=3', 'json3'],
    ['text/trio', 'trio'],
    ['text/csv', 'csv'],
    ['text/*', 'zinc'],
    ['application/*', 'json'],
    ['text/csv, */*;q=0.1', 'csv'],
    ['text/zinc;q=0.5, application/json', 'json'],
    ['application/json;q=0.9, text/csv;q=0.9', 'json'],
    ['text/csv;q=0.9, application/json;q=0.9', 'csv'],
    ['*/*, text/zinc;q=0', 'json'],
    ['text/*;q=0.2, text/trio', 'trio'],
    ['image/png, text/trio;q=0.3', 'trio'],
    ['text/html, application/xhtml+xml, application/xml;q=0.9, */*;q=0.8', 'zinc'],
    ['application/json; charset=utf-8', 'json'],
    ['TEXT/ZINC', 'zinc'],
    // Java's HttpURLConnection sends this when the caller sets no Accept (haystack-java's HClient does not).
    ['text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2', 'zinc'],
    ['*', 'zinc'],
    ['application/json;q=.5, text/csv;q=0.4', 'json'],
    ['text/csv;q=0.25000, application/json;q=0.2', 'csv'],
  ] as const)('%s -> %s', (accept, expected) => {
    expect(nameOf(codecForAccept(accept))).toBe(expected);
  });

  it.each([
    'image/png',
    'text/zinc;q=0',
    'application/vnd.haystack+json;version=9',
    'application/vnd.haystack+json;version=3.5',
    'application/vnd.haystack+xml',
    'application/vnd.haystack+turtle',
    'application/json;q=0, text/html',
    'text/zinc;q=.0',
    '*;q=0',
  ])('nothing acceptable in %s (406)', (accept) => {
    expect(codecForAccept(accept)).toBeUndefined();
  });
});

describe('responseTypeForAccept (the Content-Type of the answer)', () => {
  it.each([
    [undefined, 'zinc', 'text/zinc; charset=utf-8'],
    ['*/*', 'zinc', 'text/zinc; charset=utf-8'],
    ['application/json', 'json', 'application/json; charset=utf-8'],
    ['application/*', 'json', 'application/json; charset=utf-8'],
    // HttpApi: the Hayson type, with or without its version, is answered in that type.
    ['application/vnd.haystack+json', 'json', 'application/vnd.haystack+json; charset=utf-8'],
    ['application/vnd.haystack+json;version=4', 'json', 'application/vnd.haystack+json; version=4; charset=utf-8'],
    ['Application/Vnd.Haystack+JSON; Version="4"', 'json', 'application/vnd.haystack+json; version=4; charset=utf-8'],
    ['application/vnd.haystack+json; version=3', 'json3', 'application/vnd.haystack+json; version=3; charset=utf-8'],
    ['application/json;version=3', 'json3', 'application/json; version=3; charset=utf-8'],
    ['application/vnd.haystack+json;version=4.0', 'json', 'application/vnd.haystack+json; version=4.0; charset=utf-8'],
    ['application/vnd.haystack+json;version=3.0', 'json3', 'application/vnd.haystack+json; version=3.0; charset=utf-8'],
    // The range that chose the codec labels the answer.
    ['text/csv;q=0.1, application/vnd.haystack+json', 'json', 'application/vnd.haystack+json; charset=utf-8'],
    ['application/vnd.haystack+json, application/json', 'json', 'application/vnd.haystack+json; charset=utf-8'],
    ['text/zinc;q=0.1, application/*', 'json', 'application/json; charset=utf-8'],
    // Haxall reads application/vnd.haystack+<filetype> as that filetype.
    ['application/vnd.haystack+zinc', 'zinc', 'application/vnd.haystack+zinc; charset=utf-8'],
    ['application/vnd.haystack+trio', 'trio', 'application/vnd.haystack+trio; charset=utf-8'],
    ['application/vnd.haystack+csv', 'csv', 'application/vnd.haystack+csv; charset=utf-8'],
    ['text/trio', 'trio', 'text/trio; charset=utf-8'],
  ] as const)('%s -> %s as %s', (accept, name, contentType) => {
    const t = responseTypeForAccept(accept);
    expect(nameOf(t?.codec)).toBe(name);
    expect(t?.contentType).toBe(contentType);
  });
});

describe('codecForContentType (request bodies)', () => {
  it.each([
    ['text/zinc', 'zinc'],
    ['text/zinc; charset=utf-8', 'zinc'],
    ['Text/Zinc;Charset="UTF-8"', 'zinc'],
    ['application/json', 'json'],
    ['application/json; charset=utf-8', 'json'],
    ['application/vnd.haystack+json; version=4', 'json'],
    ['application/vnd.haystack+json;version=3;charset=utf-8', 'json3'],
    ['text/trio', 'trio'],
    ['text/csv', 'csv'],
    ['application/vnd.haystack+json', 'json'],
    ['application/vnd.haystack+json;version=3.0', 'json3'],
    ['application/json; version=3', 'json3'],
    ['application/vnd.haystack+zinc; charset=utf-8', 'zinc'],
    ['application/vnd.haystack+trio', 'trio'],
  ] as const)('%s -> %s', (ct, expected) => {
    expect(nameOf(codecForContentType(ct))).toBe(expected);
  });

  it.each([undefined, null, '', '*/*', 'text/*', 'text/plain', 'text/zinc; charset=iso-8859-1', 'garbage'])(
    '%s is not a body we read (415)',
    (ct) => {
      expect(codecForContentType(ct)).toBeUndefined();
    },
  );
});
