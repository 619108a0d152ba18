// The core factories and codecs that take an options object refuse a misspelt option, and a value of the wrong type
// or range, with an OptionError naming it (a misspelt `lenient` must not turn a lenient load into a throwing one).
// The Zinc stream readers (what HaystackClient reads histories with) and the SCRAM client check theirs too; the Zinc
// value reader and the filter cache keep the checks they had: their bundles have no bytes to spare.
import { describe, expect, it } from 'vitest';
import {
  decodeJson,
  decodeZincStream,
  encodeCsv,
  encodeJson,
  encodeZincChunks,
  Grid,
  readZincStream,
  ScramClient,
  ZincStreamReader,
} from '../../src/core/index.js';
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
    ['ZincStreamReader', (o) => new ZincStreamReader(o), { maxRowLenght: 10 }, 'maxRowLenght'],
    ['readZincStream', (o) => readZincStream([], o).next(), { limit: {} }, 'limit'],
    // `plain` is decodeZincStream's, not the row-by-row reader's: there it would be ignored in silence.
    ['readZincStream given plain', (o) => readZincStream([], o).next(), { plain: true }, 'plain'],
    ['decodeZincStream', (o) => decodeZincStream([], o), { plane: true }, 'plane'],
    ['ScramClient.create', (o) => ScramClient.create(o), { username: 'u', password: 'p', hashe: 'SHA-1' }, 'hashe'],
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

  it('the Zinc stream readers take their own options, and an options object that is not one is refused', async () => {
    const zinc = ['ver:"3.0"\n', 'a\n', '1\n'];
    expect(await decodeZincStream(zinc, { plain: true, limits: { maxRows: 5 }, maxRowLength: 100 })).toEqual([
      { a: 1 },
    ]);
    const events = [];
    for await (const e of readZincStream(zinc, { limits: { maxRows: 5 }, maxRowLength: 100 })) events.push(e.type);
    expect(events).toEqual(['header', 'row']);
    expect(await optionProblem(() => new ZincStreamReader(bad('fast')))).toEqual(['HS_ERR_OPTION_TYPE', '']);
    expect(ScramClient.create({ username: 'u', password: 'p', hash: 'SHA-512', minIterations: 1 }).hash).toBe(
      'SHA-512',
    );
  });
});
