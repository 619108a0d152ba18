// What a fresh store starts with: the entities of a data file, or the generated demo building with its history.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { codecForExtension } from '../core/codec/media-types.js';
import { HaystackError, ValueError } from '../core/errors.js';
import { Dict } from '../core/grid/dict.js';
import { Grid } from '../core/grid/grid.js';
import { isList, type Val } from '../core/kinds/kind.js';
import type { StorageAdapter } from '../storage/adapter.js';
import { type DemoBuilding, populateDemo } from './demo/demo-building.js';

/** The seed of a store: a data file's entities, or the demo building with `days` of history. */
export type SeedConfig =
  | { readonly kind: 'file'; readonly file: string }
  | { readonly kind: 'demo'; readonly days: number }
  | { readonly kind: 'none' };

/** What was written: a line for the start-up message, and the demo building when it is the demo. */
export interface Seeded {
  /** E.g. `2 entities from site.zinc`. */
  readonly summary: string;
  /** The building for the demo simulator, when the seed is the demo. */
  readonly demo: DemoBuilding | undefined;
}

function startupError(message: string, cause?: unknown): HaystackError {
  return new HaystackError('HS_ERR_STARTUP', message, cause === undefined ? undefined : { cause });
}

/** The entities of a Zinc, JSON or Trio file: a grid's rows or a list of dicts. */
export async function loadEntities(file: string, cwd: string): Promise<Dict[]> {
  const full = path.resolve(cwd, file);
  const read = codecForExtension(path.extname(full))?.decode;
  if (read === undefined) throw new ValueError('--data must be a .zinc, .json or .trio file');
  let text: string;
  try {
    text = await readFile(full, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw startupError(`cannot read ${file}: ${typeof code === 'string' ? code : String(err)}`, err);
  }
  let val: Val;
  try {
    val = read(text);
  } catch (err) {
    if (err instanceof HaystackError) throw startupError(`${file}: ${err.message}`, err);
    throw err;
  }
  if (val instanceof Grid) return [...val.rows];
  if (isList(val) && val.every((v) => v instanceof Dict)) return val as Dict[];
  throw startupError(`${file} holds no grid or list of dicts`);
}

/** Write the seed into `store` (an empty one: a persistent store that already holds data is the caller's to skip). */
export async function seedStore(store: StorageAdapter, seed: SeedConfig, cwd: string): Promise<Seeded> {
  switch (seed.kind) {
    case 'none':
      return { summary: 'no seed', demo: undefined };
    case 'file': {
      const entities = await loadEntities(seed.file, cwd);
      try {
        await store.commit(entities.map((tags) => ({ op: 'add', tags })));
      } catch (err) {
        if (err instanceof HaystackError) throw startupError(`${seed.file}: ${err.message}`, err);
        throw err;
      }
      return { summary: `${entities.length} entities from ${seed.file}`, demo: undefined };
    }
    case 'demo': {
      const demo = await populateDemo(store, { days: seed.days });
      return {
        summary: `demo building: ${demo.entities} entities, ${demo.points} points, ${demo.samples} history samples`,
        demo: demo.building,
      };
    }
  }
}
