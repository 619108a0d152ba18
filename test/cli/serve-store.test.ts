// `haystack serve` keeps its data: the default store is sqlite:haystack.db in the working folder, seeded only when
// empty, and points, history and users written during one run are there in the next.

import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeZincGrid } from '../../src/core/index.js';
import { serveExit, startServe } from '../support/serve-cli.js';
import { expectRestartKeepsWrites } from '../support/serve-restart.js';
import { makeTempDir } from '../support/temp-dir.js';

const dir = makeTempDir('hs-serve-store-');
afterAll(() => {
  dir.remove();
});

const ARGS = ['--port', '0', '--demo-days', '1'];

describe('haystack serve over the default SQLite store', () => {
  it('creates haystack.db in the working folder, seeds it once, and keeps writes and users across restarts', async () => {
    const file = path.join(dir.path, 'haystack.db');
    await expectRestartKeepsWrites(
      ARGS,
      dir.path,
      new RegExp(`store sqlite ${file.replaceAll('/', '\\/')}: \\d+ entities, demo building`),
      () => {
        expect(existsSync(file)).toBe(true);
      },
    );
  }, 120_000);

  it('serves another file with --store sqlite:PATH, and refuses a file that is not a store', async () => {
    const s = await startServe(
      ['--no-auth', '--store', 'sqlite:other.db', '--port', '0', '--demo-days', '0'],
      dir.path,
    );
    try {
      const grid = decodeZincGrid(await (await fetch(`${s.url}read?filter=site`)).text());
      expect(grid.size).toBeGreaterThan(0);
    } finally {
      await s.stop();
    }
    expect(existsSync(path.join(dir.path, 'other.db'))).toBe(true);
    writeFileSync(path.join(dir.path, 'notes.txt'), 'not a database, only text '.repeat(40));
    const bad = await startServe(['--no-auth', '--store', 'sqlite:notes.txt', '--port', '0'], dir.path);
    expect(bad.url).toMatch(/^exited 1: .*not a usable haystack-ts store/);
    expect((await serveExit(['--store', 'sqlite:', '--no-auth'])).code).toBe(2);
  });
});
