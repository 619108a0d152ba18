// `haystack import` and `haystack export`: move entities and history into and out of a store, with a progress bar.

import type { Command } from 'commander';
import type { OpenedStore } from '../app/index.js';
import { DEFAULT_STORE } from '../app/stores/backends.js';
import { HaystackError, UnknownRecError, ValueError } from '../core/errors.js';
import { parseFilterArg } from './filter-arg.js';
import { CliExit, type CliIo } from './io.js';

interface ImportFlags {
  readonly store: string;
  readonly his?: string;
}

interface CopyFlags {
  readonly from: string;
  readonly to: string;
  readonly allowLive?: boolean;
}

interface ExportFlags {
  readonly store: string;
  readonly filter?: string;
  readonly his?: string;
  readonly to: string;
}

/** Register `haystack import [--store S] [--his ID] FILE`. */
export function registerImport(program: Command, io: CliIo): void {
  program
    .command('import')
    .description(
      'import entities (Zinc, JSON, Trio) or, with --his, one point history (CSV ts,val or Zinc) into a store; ' +
        'the file is checked to the end first, so a malformed one writes nothing',
    )
    .argument('<file>', 'the file to import')
    .option('--store <store>', 'the store (sqlite:PATH)', DEFAULT_STORE)
    .option('--his <id>', 'import FILE as the history of this point (of a CSV with an id column, its rows only)')
    .action(async (file: string, flags: ImportFlags) => {
      // The app layer is loaded by the commands that use it, so that the rest of the CLI starts without it.
      const [{ checkImportFile, importEntities, importHistory }, { isRefId }] = await Promise.all([
        import('../app/index.js'),
        import('../core/kinds/ref.js'),
      ]);
      const point = flags.his?.replace(/^@/, '');
      if (point !== undefined && !isRefId(point)) {
        throw new CliExit(2, `haystack import: --his: Invalid Ref id ${JSON.stringify(point)}`);
      }
      try {
        checkImportFile(file, point === undefined ? 'entities' : 'history');
      } catch (err) {
        throw new CliExit(2, `haystack import: ${(err as Error).message}`);
      }
      await withStore('import', flags.store, io, {}, async ({ store, description }) => {
        const bar = progressBar(io, 'import');
        const what = flags.his === undefined ? 'entities' : 'history samples';
        let committed = 0;
        const update = (done: number, total: number | undefined): void => {
          committed = done;
          bar.update(done, total);
        };
        let n: number;
        try {
          n =
            point === undefined
              ? await importEntities(store, file, io.cwd, update, io.signal)
              : await importHistory(store, point, file, io.cwd, update, io.signal);
        } catch (err) {
          // Stopped between batches by Ctrl-C: each batch is a commit, so the store holds the first ones whole.
          if (io.signal.aborted) {
            throw new CliExit(130, `haystack import: stopped; ${String(committed)} ${what} were committed`);
          }
          // The store's own "Unknown record" does not say which flag named it, nor what to do.
          if (err instanceof UnknownRecError && err.id === point) {
            throw new CliExit(
              1,
              `haystack import: --his @${point}: no such point in the store (import its entity first)`,
            );
          }
          throw err;
        } finally {
          bar.done();
        }
        // The store is named: `--store` has a default, so the data may have gone where the user did not look.
        const noun = n !== 1 ? what : flags.his === undefined ? 'entity' : 'history sample';
        io.stdout.write(`imported ${String(n)} ${noun} into ${description}\n`);
      });
    });
}

/** Register `haystack export [--store S] [--filter F] [--his RANGE] [--to trio|json]`. */
export function registerExport(program: Command, io: CliIo): void {
  program
    .command('export')
    .description("write a store's entities (Trio or JSON) or, with --his, their history (CSV id,ts,val) to stdout")
    .option('--store <store>', 'the store (sqlite:PATH)', DEFAULT_STORE)
    .option('--filter <filter>', 'only the entities matching this filter', 'id')
    .option(
      '--his <range>',
      "history of the matching points over a hisRead range: today, yesterday, DATE, DATE,DATE, DATETIME[,DATETIME] (days in each point's tz)",
    )
    .option('--to <format>', 'trio or json', 'trio')
    .action(async (flags: ExportFlags) => {
      const { checkHisRange, exportStore } = await import('../app/index.js');
      if (flags.to !== 'trio' && flags.to !== 'json') throw new CliExit(2, 'haystack export: --to is trio or json');
      if (flags.filter !== undefined) await parseFilterArg('export', flags.filter);
      const his = flags.his;
      if (his !== undefined) {
        try {
          checkHisRange(his);
        } catch (err) {
          throw new CliExit(2, `haystack export: --his: ${(err as Error).message}`);
        }
      }
      await withStore('export', flags.store, io, { mustExist: true }, async ({ store }) => {
        const bar = progressBar(io, 'export');
        await exportStore(store, {
          ...(flags.filter === undefined ? {} : { filter: flags.filter }),
          format: flags.to === 'json' ? 'json' : 'trio',
          ...(his === undefined ? {} : { his }),
          write: (text) => writeWithBackpressure(io, text),
          progress: bar.update,
          signal: io.signal,
        });
        bar.done();
      });
    });
}

/** Register `haystack copy --from S --to S [--allow-live]`. */
export function registerCopy(program: Command, io: CliIo): void {
  program
    .command('copy')
    .description(
      'copy a store into an empty one of any kind (e.g. sqlite: to postgres://): entities, history, priority ' +
        'arrays and users; stop the servers writing to the source first (a write during the copy fails it)',
    )
    .requiredOption('--from <store>', 'the store to copy (sqlite:PATH, postgres://..., redis://...)')
    .requiredOption('--to <store>', 'the empty store to fill (a SQLite file is created when absent)')
    .option(
      '--allow-live',
      'copy a source that servers keep writing to: warn of what changed meanwhile rather than fail (not a snapshot)',
    )
    .action(async (flags: CopyFlags) => {
      const { copyStore, parseStoreSpec } = await import('../app/index.js');
      for (const text of [flags.from, flags.to]) {
        let scheme: string;
        try {
          scheme = parseStoreSpec(text).scheme;
        } catch (err) {
          throw new CliExit(2, `haystack copy: ${(err as Error).message}`);
        }
        if (scheme === 'memory') throw new CliExit(2, 'haystack copy: a memory store keeps nothing to copy');
      }
      if (flags.from === flags.to) throw new CliExit(2, 'haystack copy: --from and --to name the same store');
      await withStore('copy', flags.from, io, { mustExist: true }, async (from) => {
        await withStore('copy', flags.to, io, {}, async (to) => {
          // A bar per stage; `started` once the first page is committed, from when the target is no longer empty.
          let bar: ReturnType<typeof progressBar> | undefined;
          let shown: string | undefined;
          const copied = { started: false };
          try {
            const n = await copyStore(from, to, {
              progress: (stage, done, total) => {
                copied.started = true;
                if (stage !== shown) {
                  bar?.done();
                  bar = progressBar(io, `copy ${stage}`);
                  shown = stage;
                }
                bar?.update(done, total);
              },
              signal: io.signal,
              allowLive: flags.allowLive === true,
            });
            io.stdout.write(
              `copied ${count(n.entities, 'entity', 'entities')}, ${count(n.samples, 'history sample')} of ` +
                `${count(n.points, 'point')}, ${count(n.levels, 'priority level')} and ${count(n.users, 'user')}\n`,
            );
            if (n.changes.length > 0) {
              io.stderr.write(
                `haystack copy: warning: the source changed during the copy (${n.changes.join('; ')}): the target ` +
                  'holds each part as it was when read, not the source at one instant\n',
              );
            }
          } catch (err) {
            if (!copied.started) throw err;
            if (err instanceof HaystackError && err.code === 'HS_ERR_CONFLICT' && !io.signal.aborted) {
              throw new CliExit(
                1,
                `haystack copy: ${err.message}; the target may miss those writes: stop the servers writing to the ` +
                  'source, empty the target and copy again (or pass --allow-live to accept such a copy)',
              );
            }
            const why = io.signal.aborted ? 'stopped' : err instanceof Error ? err.message : String(err);
            throw new CliExit(
              io.signal.aborted ? 130 : 1,
              `haystack copy: ${why}; the target holds a partial copy: empty it before copying again`,
            );
          } finally {
            bar?.done();
          }
        });
      });
    });
}

// `1 user`, `2 users`.
function count(n: number, one: string, many = `${one}s`): string {
  return `${String(n)} ${n === 1 ? one : many}`;
}

async function withStore(
  command: string,
  text: string,
  io: CliIo,
  options: { readonly mustExist?: boolean },
  work: (opened: OpenedStore) => Promise<void>,
): Promise<void> {
  const { openStore, STORE_BACKENDS } = await import('../app/index.js');
  let opened: OpenedStore | undefined;
  try {
    try {
      // A one-shot command: its reads go to the store, with no scan cache filled beside them.
      opened = await openStore(text, STORE_BACKENDS, { ...options, cwd: io.cwd, scanCacheEntities: 0 });
    } catch (err) {
      // A store text that names no store is a command-line mistake; a store that cannot be opened is not.
      if (err instanceof ValueError && !io.signal.aborted) throw new CliExit(2, `haystack ${command}: ${err.message}`);
      throw err;
    }
    // An import into it would report entities that are gone when the command ends; an export prints nothing.
    if (!opened.persistent) {
      throw new CliExit(
        1,
        `haystack ${command}: --store ${text} keeps nothing after the command: use a store that lasts, such as sqlite:PATH`,
      );
    }
    await work(opened);
  } catch (err) {
    if (err instanceof CliExit) throw err;
    // Ctrl-C: the work stopped between pages; nothing half-written is reported as done.
    if (io.signal.aborted) throw new CliExit(130, `haystack ${command}: stopped`);
    // The arguments were checked before: what fails now is the data, a file's content or the store (a point without
    // history, a malformed record, a target that is not empty), a failure at run time.
    if (err instanceof HaystackError) throw new CliExit(1, `haystack ${command}: ${err.message}`);
    throw err;
  } finally {
    await opened?.close();
  }
}

// Write to stdout, waiting for it to drain when its buffer is full, so that a large export stays in flat memory.
function writeWithBackpressure(io: CliIo, text: string): Promise<void> | undefined {
  if (io.stdout.write(text)) return undefined;
  return new Promise((resolve) => {
    io.stdout.once('drain', resolve);
  });
}

/** A one-line progress bar on stderr when it is a terminal; nothing otherwise. */
function progressBar(
  io: CliIo,
  label: string,
): { update: (done: number, total: number | undefined) => void; done: () => void } {
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  let shown = false;
  let last = 0;
  return {
    update: (done, total) => {
      const now = Date.now();
      if (!tty || now - last < 100) return;
      last = now;
      shown = true;
      const width = 30;
      const share = total === undefined || total === 0 ? 0 : Math.min(1, done / total);
      const fill = Math.round(share * width);
      const of = total === undefined ? '' : `/${String(total)}`;
      io.stderr.write(`\r${label} [${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${String(done)}${of}`);
    },
    done: () => {
      if (shown) io.stderr.write('\n');
    },
  };
}
