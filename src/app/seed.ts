// What a fresh store starts with: the entities of a data file, or the generated demo building with its history.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { codecForExtension } from '../core/codec/media-types.js';
import { describeErrno } from '../core/errno-text.js';
import { HaystackError, ValueError } from '../core/errors.js';
import { Dict } from '../core/grid/dict.js';
import { Grid } from '../core/grid/grid.js';
import { isList, type Val } from '../core/kinds/kind.js';
import { checkOptionNames } from '../core/options.js';
import type { CommitDiff, StorageAdapter } from '../storage/adapter.js';
import { type DemoBuilding, populateDemo } from './demo/demo-building.js';
import { entityChunks } from './import-sources.js';

/** How {@link seedStore} writes a data file. */
export interface SeedOptions {
  /**
   * Commit the entities in batches as the file is read (default false: read it all, then one commit). Faster and
   * in less memory (Alpha x100 loads in about half the time: decoded rows die young instead of living through the
   * whole load), but not all or nothing: for stores that keep nothing of a failed start, such as memory.
   */
  readonly inBatches?: boolean;
}

// Entities per commit when seeding in batches: big enough that commits cost little, small enough that the decoded
// rows waiting for their commit die young. With 8,192, the young-generation collections kept copying (and promoting)
// those rows: Alpha x100 took 2.4 s of CPU to load against 1.7 s with 1,024 (2,048: 1.9 s; 256: as 1,024).
const SEED_BATCH = 1024;

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
  // Named by the file, not a flag: `serve --data` and `import` both come here.
  if (read === undefined) throw new ValueError(`${file}: entities come from a .zinc, .json or .trio file`);
  let text: string;
  try {
    // Decoded from one Buffer: readFile(.., 'utf8') joins chunk strings, and the first char read flattened that
    // 94 MB rope (Alpha x100 as UTF-16) again, ~0.3 s of the start-up.
    text = (await readFile(full)).toString('utf8');
  } catch (err) {
    throw startupError(`cannot read ${file}: ${describeErrno(err)}`, err);
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
export async function seedStore(
  store: StorageAdapter,
  seed: SeedConfig,
  cwd: string,
  options?: SeedOptions,
): Promise<Seeded> {
  if (options !== undefined)
    checkOptionNames('Seed options', options, { inBatches: true } satisfies Record<keyof SeedOptions, true>);
  switch (seed.kind) {
    case 'none':
      return { summary: 'no seed', demo: undefined };
    case 'file': {
      const source =
        options?.inBatches === true ? await entityChunks(path.resolve(cwd, seed.file), seed.file) : undefined;
      const commit = async (tags: readonly Dict[]): Promise<void> => {
        try {
          await store.commit(tags.map((t): CommitDiff => ({ op: 'add', tags: t })));
        } catch (err) {
          if (err instanceof HaystackError) throw startupError(`${seed.file}: ${err.message}`, err);
          throw err;
        }
      };
      let count = 0;
      if (source === undefined) {
        const entities = await loadEntities(seed.file, cwd);
        await commit(entities);
        count = entities.length;
      } else {
        let batch: Dict[] = [];
        for await (const ds of source()) {
          for (const d of ds) batch.push(d);
          if (batch.length < SEED_BATCH) continue;
          await commit(batch);
          count += batch.length;
          batch = [];
        }
        await commit(batch);
        count += batch.length;
      }
      return { summary: `${count} entities from ${seed.file}`, demo: undefined };
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
