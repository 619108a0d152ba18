// Import into and export out of a store: entities from Zinc/JSON/Trio files, history from CSV or Zinc, in batches,
// Zinc, Trio and CSV streamed from the file (import-sources.ts).

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { encodeJson } from '../core/codec/json/index.js';
import { codecForExtension } from '../core/codec/media-types.js';
import { encodeTrioDict } from '../core/codec/trio/index.js';
import { encodeZincValue } from '../core/codec/zinc/index.js';
import { HaystackError, UnknownRecError, ValueError } from '../core/errors.js';
import type { Dict } from '../core/grid/dict.js';
import { Grid } from '../core/grid/grid.js';
import { HDateTime } from '../core/kinds/date-time.js';
import type { Val } from '../core/kinds/kind.js';
import { Ref } from '../core/kinds/ref.js';
import { checkOptionNames, type OptionNames } from '../core/options.js';
import type { TimeZone } from '../core/tz/time-zone.js';
import { pointZone } from '../server/ops/his-point.js';
import { resolveHisRange } from '../server/ops/his-range.js';
import { hostZone } from '../server/options.js';
import type { CommitDiff, HisItem, StorageAdapter, TimeRange } from '../storage/adapter.js';
import {
  csvHistory,
  eachOf,
  entityChunks,
  fileError,
  hisItem,
  type RecordSource,
  zincHistory,
} from './import-sources.js';
import { loadEntities } from './seed.js';

/** Told after every batch: how much is done of how much (undefined when not known ahead). */
export type TransferProgress = (done: number, total: number | undefined) => void;

const ENTITY_BATCH = 1000;
const HIS_BATCH = 10_000;
const EXPORT_PAGE = 1000;

/**
 * Check, before anything is opened or read, that `file` is of a kind the import reads: entities come from a Zinc,
 * JSON or Trio file, a history from a CSV, Zinc or JSON one. Throws a `ValueError` naming the file otherwise (what
 * `haystack import` reports as a command-line mistake).
 */
export function checkImportFile(file: string, what: 'entities' | 'history'): void {
  const ext = path.extname(file).toLowerCase();
  if (what === 'history') {
    if (!HISTORY_FILES.has(ext)) throw new ValueError(`${file}: history comes from a .csv, .zinc or .json file`);
  } else if (codecForExtension(ext)?.decode === undefined) {
    throw new ValueError(`${file}: entities come from a .zinc, .json or .trio file`);
  }
}

/** Extensions of the files a history is imported from. */
const HISTORY_FILES: ReadonlySet<string> = new Set(['.csv', '.zinc', '.json']);

/**
 * Import the entities of a Zinc, JSON or Trio file: new ids are added, existing ones updated with the file's tags.
 * Entities without an id get one from the store. Returns how many.
 *
 * All or nothing for the file's content: it is read to the end first (a record at a time, in flat memory), so a malformed file is refused, naming its line and column, before anything is written.
 * Then it is read again and written in commits of 1,000 entities, each all or none; should the store fail part way
 * (a full disk, a limit), the error says how many entities were committed before it. Aborting `signal` (Ctrl-C) stops
 * it between records or batches with the signal's reason, the batches written so far kept.
 */
export async function importEntities(
  store: StorageAdapter,
  file: string,
  cwd: string,
  progress?: TransferProgress,
  signal?: AbortSignal,
): Promise<number> {
  const chunks = await entityChunks(path.resolve(cwd, file), file);
  const source: RecordSource<Dict> =
    chunks === undefined
      ? async function* whole() {
          yield* await loadEntities(file, cwd);
        }
      : eachOf(chunks);
  return importInBatches(
    source,
    ENTITY_BATCH,
    'entities',
    file,
    { progress, signal, check: idChecker(file) },
    async (batch) => {
      const ids = batch.map((d) => d.id?.id);
      const known = await store.readByIds(ids.filter((id): id is string => id !== undefined));
      const existing = new Set(known.flatMap((d) => (d?.id === undefined ? [] : [d.id.id])));
      const diffs = batch.map((tags, j): CommitDiff => {
        const id = ids[j];
        return id !== undefined && existing.has(id) ? { op: 'update', id, changes: tags } : { op: 'add', tags };
      });
      await store.commit(diffs);
    },
  );
}

/**
 * Import the history of one point from a CSV file (`ts,val` columns, values in Zinc form such as
 * `2024-01-01T00:00:00Z UTC` and `72.5°F`; with an `id` column, the point's rows only) or a Zinc/JSON grid with `ts`
 * and `val` columns, in writes of 10,000.
 * All or nothing as {@link importEntities}: CSV and Zinc are checked to the end a line at a time, then written;
 * `signal` stops it as it stops {@link importEntities}.
 */
export async function importHistory(
  store: StorageAdapter,
  pointId: string,
  file: string,
  cwd: string,
  progress?: TransferProgress,
  signal?: AbortSignal,
): Promise<number> {
  checkImportFile(file, 'history');
  const full = path.resolve(cwd, file);
  const ext = path.extname(full).toLowerCase();
  // An unknown point, or one without history, is refused before the file is read (as the hisWrite op refuses it).
  const [point] = await store.readByIds([pointId]);
  if (point === undefined) throw new UnknownRecError(pointId);
  if (!point.has('his')) throw new ValueError(`@${pointId} is not a historized point (no his tag)`);
  const source: RecordSource<HisItem> =
    ext === '.csv'
      ? csvHistory(full, file, point)
      : ext === '.zinc'
        ? zincHistory(full, file, point)
        : async function* whole() {
            yield* await gridHistory(full, file, point);
          };
  return importInBatches(source, HIS_BATCH, 'history samples', file, { progress, signal }, async (batch) => {
    await store.hisWrite(pointId, batch);
  });
}

/**
 * What the store would refuse of a file's entities at commit, found on the first pass so that the file writes nothing:
 * an id that is not a Ref, and an id given twice (which, by where the batches fell, was either refused after the
 * earlier batches were committed or merged into the first as an update).
 */
function idChecker(file: string): (d: Dict, n: number) => void {
  // Record numbers by id: flat memory per entity, far less than the entities themselves.
  const seen = new Map<string, number>();
  return (d, n) => {
    const id = d.get('id');
    if (id === null) return;
    if (!(id instanceof Ref)) throw fileError(file, new ValueError(`record ${String(n)}: the id tag must be a Ref`));
    const first = seen.get(id.id);
    if (first !== undefined) {
      throw fileError(file, new ValueError(`@${id.id} is given twice (records ${String(first)} and ${String(n)})`));
    }
    seen.set(id.id, n);
  };
}

interface BatchOptions<T> {
  readonly progress: TransferProgress | undefined;
  // Checked before each record is read and each batch written: Ctrl-C stops an import rather than being ignored.
  readonly signal: AbortSignal | undefined;
  // Throws for a record the store would refuse, on the first pass.
  readonly check?: (item: T, n: number) => void;
}

// Read the whole source (so that bad input writes nothing), then read it again and write it batch by batch.
async function importInBatches<T>(
  source: RecordSource<T>,
  size: number,
  what: string,
  file: string,
  how: BatchOptions<T>,
  write: (batch: T[]) => Promise<void>,
): Promise<number> {
  const { progress, signal, check } = how;
  let total = 0;
  for await (const item of source()) {
    signal?.throwIfAborted();
    total++;
    check?.(item, total);
  }
  let done = 0;
  let batch: T[] = [];
  const flush = async (): Promise<void> => {
    signal?.throwIfAborted();
    try {
      await write(batch);
    } catch (err) {
      if (done === 0 || !(err instanceof HaystackError)) throw err;
      const message = `${file}: stopped after ${String(done)} of ${String(total)} ${what} were committed: ${err.message}`;
      throw new HaystackError(err.code, message, { cause: err });
    }
    done += batch.length;
    batch = [];
    progress?.(done, total);
  };
  for await (const item of source()) {
    batch.push(item);
    if (batch.length >= size) await flush();
  }
  if (batch.length > 0) await flush();
  return total;
}

async function gridHistory(full: string, file: string, point: Dict): Promise<HisItem[]> {
  const read = codecForExtension(path.extname(full))?.decode;
  if (read === undefined) throw new ValueError('History comes from a .csv, .zinc or .json file');
  const text = await readFile(full, 'utf8').catch((err: unknown) => {
    throw fileError(file, err);
  });
  const grid = read(text);
  if (!(grid instanceof Grid)) throw new ValueError(`${file} holds no grid`);
  return grid.rows.map((r, i) => hisItem(r.get('ts'), r.get('val'), `${file} row ${String(i + 1)}`, point));
}

const EXPORT_OPTIONS: OptionNames<ExportOptions> = {
  filter: true,
  format: true,
  his: true,
  tz: true,
  now: true,
  write: true,
  progress: true,
  signal: true,
};

/** Options of {@link exportStore}. */
export interface ExportOptions {
  /** Entities to export (default `id`: all). */
  readonly filter?: string;
  /** `trio` (default) or `json` (a JSON list of dicts); both read back with `haystack import`. */
  readonly format?: 'trio' | 'json';
  /**
   * When given, export the history of the matching points over this range instead, as CSV `id,ts,val`: any range
   * the hisRead op takes (`today`, `yesterday`, `DATE`, `DATE,DATE`, `DATETIME,DATETIME`, `DATETIME`), days
   * resolved in each point's `tz` as hisRead resolves them, timestamps written in that zone.
   */
  readonly his?: string;
  /** The zone of points without a `tz` tag (default: the host's zone, as `haystack serve` uses). */
  readonly tz?: TimeZone;
  /** The time `today` and `yesterday` are taken from, in epoch ms (default now). */
  readonly now?: number;
  /** Where the text goes, piece by piece. */
  readonly write: (text: string) => void | Promise<void>;
  /** Told after every page. */
  readonly progress?: TransferProgress;
  /** Stops the export between pages with the signal's reason (Ctrl-C). */
  readonly signal?: AbortSignal;
}

/** Write entities (or their history) page by page, in id order, so that a store of any size passes in flat memory. */
export async function exportStore(store: StorageAdapter, options: ExportOptions): Promise<number> {
  checkOptionNames('Export options', options, EXPORT_OPTIONS);
  const filter = options.filter ?? 'id';
  const zone = options.tz ?? hostZone();
  const now = options.now ?? Date.now();
  if (options.his !== undefined) checkHisRange(options.his, now);
  const total = await store.count();
  let n = 0;
  if (options.his !== undefined) await options.write('id,ts,val\n');
  else if (options.format === 'json') await options.write('[');
  for await (const page of entityPages(store, filter, options.signal)) {
    for (const d of page) {
      const id = (d.get('id') as Ref).id;
      if (options.his !== undefined) {
        if (!d.has('his')) continue;
        const tz = pointZone(d, zone);
        let out = '';
        for (const it of await store.hisRead(id, pointRange(options.his, tz, now))) {
          out += `@${id},${encodeZincValue(HDateTime.fromEpochMs(it.ts, tz))},${csvVal(it.val)}\n`;
        }
        await options.write(out);
      } else if (options.format === 'json') {
        await options.write(`${n === 0 ? '' : ','}\n${encodeJson(d)}`);
      } else {
        await options.write(`${n === 0 ? '' : '---\n'}${encodeTrioDict(d)}`);
      }
      n++;
    }
    options.progress?.(n, total);
  }
  if (options.his === undefined && options.format === 'json') await options.write('\n]\n');
  return n;
}

/**
 * The entities matching `filter`, a page of up to 1,000 at a time in id order, so that a store of any size passes
 * in flat memory; `signal` is checked before each page. The last page may be empty.
 */
export async function* entityPages(
  store: StorageAdapter,
  filter: string,
  signal?: AbortSignal,
): AsyncGenerator<readonly Dict[]> {
  let last: string | undefined;
  for (;;) {
    signal?.throwIfAborted();
    // Paging by id: `id > @last` is a Ref ordering, which every backend answers in id order.
    const page = await store.read({
      filter: last === undefined ? filter : `(${filter}) and id > @${last}`,
      limit: EXPORT_PAGE,
    });
    yield page;
    const end = page[page.length - 1];
    if (page.length < EXPORT_PAGE || end === undefined) return;
    last = (end.get('id') as Ref).id;
  }
}

/**
 * Check a history range for {@link ExportOptions.his} before anything is opened or written: a `ValueError` naming
 * what is wrong when the hisRead op would refuse it.
 */
export function checkHisRange(range: string, now: number = Date.now()): void {
  try {
    resolveHisRange(range, hostZone(), now);
  } catch (err) {
    throw new ValueError(err instanceof Error ? err.message : String(err), { cause: err });
  }
}

// A range in a point's zone as the store takes it (the open-ended `{dateTime}` form reads to the end).
function pointRange(range: string, tz: TimeZone, now: number): TimeRange {
  const span = resolveHisRange(range, tz, now);
  return { start: span.start.epochMs, end: span.end ?? Number.MAX_SAFE_INTEGER };
}

// A value in Zinc form (what the importer reads), quoted for CSV when it holds a comma, quote or newline.
function csvVal(v: Val): string {
  const s = encodeZincValue(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
