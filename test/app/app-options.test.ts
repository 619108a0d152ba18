// The app layer's factories that take an options object refuse a misspelt option with an OptionError naming it
// (a misspelt `level` must not leave a logger at its default). Asserted by code and option, never by message.
import { describe, expect, it } from 'vitest';
import {
  createLogger,
  createPrometheusMetrics,
  exportStore,
  MEMORY_BACKEND,
  openStore,
  parseStoreSpec,
  seedStore,
} from '../../src/app/index.js';
import { copyStore } from '../../src/app/store-copy.js';
import { createMemoryStore } from '../../src/storage/memory/index.js';
import { untyped as bad, optionProblem } from '../support/errors.js';

const store = createMemoryStore();
const write = (): void => undefined;

describe('a misspelt option is refused by every app factory', () => {
  it.each<[string, (o: never) => unknown, Record<string, unknown>, string]>([
    ['createLogger', createLogger, { write, levl: 'debug' }, 'levl'],
    ['createPrometheusMetrics', createPrometheusMetrics, { defaultMetric: false }, 'defaultMetric'],
    ['exportStore', (o) => exportStore(store, o), { write, fliter: 'site' }, 'fliter'],
    ['seedStore', (o) => seedStore(store, { kind: 'none' }, '.', o), { batches: true }, 'batches'],
    [
      'copyStore',
      async (o) => {
        const from = await openStore('memory', [MEMORY_BACKEND], { cwd: '.' });
        return copyStore(from, from, o);
      },
      { progres: write },
      'progres',
    ],
  ])('%s', async (_name, make, options, option) => {
    expect(await optionProblem(() => make(bad(options)))).toEqual(['HS_ERR_OPTION_UNKNOWN', option]);
  });

  it('a logger level outside the list is refused', async () => {
    expect(await optionProblem(() => createLogger(bad({ write, level: 'loud' })))).toEqual([
      'HS_ERR_OPTION_RANGE',
      'level',
    ]);
  });

  it('parseStoreSpec is still a plain function of text', () => {
    expect(parseStoreSpec('memory').scheme).toBe('memory');
  });
});
