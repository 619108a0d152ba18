// The core factories and codecs that take an options object refuse a misspelt option, and a value of the wrong type
// or range, with an OptionError naming it (a misspelt `lenient` must not turn a lenient load into a throwing one).
// The Zinc readers and the filter cache keep the checks they had: their bundles have no bytes to spare.
import { describe, expect, it } from 'vitest';
import { decodeJson, encodeCsv, encodeJson, encodeZincChunks, Grid } from '../../src/core/index.js';
import { compileLibs, Namespace } from '../../src/core/ontology/index.js';
import { untyped as bad, optionProblem } from '../support/errors.js';

const grid = Grid.fromDicts([{ a: 1 }]);

describe('a misspelt option is refused by every core factory and codec that takes options', () => {
  it.each<[string, (o: never) => unknown, Record<string, unknown>, string]>([
    ['Namespace.fromDefs', (o) => Namespace.fromDefs([], o), { leniant: true }, 'leniant'],
    ['Namespace.fromLibs', (o) => Namespace.fromLibs([], o), { strictInheritence: true }, 'strictInheritence'],
    ['compileLibs', (o) => compileLibs([], o), { normalised: true }, 'normalised'],
    ['decodeJson', (o) => decodeJson('{}', o), { versoin: 3 }, 'versoin'],
    ['encodeJson', (o) => encodeJson(null, o), { versoin: 3 }, 'versoin'],
    ['encodeCsv', (o) => encodeCsv(grid, o), { headers: false }, 'headers'],
    ['encodeZincChunks', (o) => [...encodeZincChunks(grid, o)], { rowsPerChunks: 5 }, 'rowsPerChunks'],
  ])('%s', async (_name, make, options, option) => {
    expect(await optionProblem(() => make(bad(options)))).toEqual(['HS_ERR_OPTION_UNKNOWN', option]);
  });
});

describe('a value of the wrong type or range is refused', () => {
  it.each<[string, () => unknown, string, string]>([
    ['decodeJson: an unknown version', () => decodeJson('{}', bad({ version: 5 })), 'HS_ERR_OPTION_RANGE', 'version'],
    ['encodeJson: a version as text', () => encodeJson(null, bad({ version: '3' })), 'HS_ERR_OPTION_TYPE', 'version'],
    ['encodeCsv: an unknown newline', () => encodeCsv(grid, bad({ newline: '\r' })), 'HS_ERR_OPTION_RANGE', 'newline'],
    ['encodeCsv: header as text', () => encodeCsv(grid, bad({ header: 'no' })), 'HS_ERR_OPTION_TYPE', 'header'],
    [
      'encodeZincChunks: zero rows per chunk',
      () => [...encodeZincChunks(grid, { rowsPerChunk: 0 })],
      'HS_ERR_OPTION_RANGE',
      'rowsPerChunk',
    ],
    [
      'Namespace: lenient as text',
      () => Namespace.fromDefs([], bad({ lenient: 'yes' })),
      'HS_ERR_OPTION_TYPE',
      'lenient',
    ],
  ])('%s', async (_name, make, code, option) => {
    expect(await optionProblem(make)).toEqual([code, option]);
  });

  it('decoding without options still works, and options that are all known', () => {
    expect(decodeJson('{"a":1}')).toBeDefined();
    expect(encodeJson(null, { version: 3 })).toBe('null');
    expect(encodeCsv(grid, { header: false, newline: '\r\n' })).toBe('1\r\n');
  });
});
