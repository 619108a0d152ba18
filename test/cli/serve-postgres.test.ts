// `haystack serve --store postgres://...` keeps its data: seeded once into an empty schema, and points, history and
// users written during one run are there in the next (the "done when").

import { afterAll, describe, expect, it } from 'vitest';
import { TEST_PG_URL, testSchemas } from '../support/postgres.js';
import { serveExit, startServe } from '../support/serve-cli.js';
import { expectRestartKeepsWrites } from '../support/serve-restart.js';
import { makeTempDir } from '../support/temp-dir.js';

const dir = makeTempDir('hs-serve-pg-');
const schemas = testSchemas('serve');
afterAll(async () => {
  dir.remove();
  await schemas.dropAll();
});

describe('haystack serve over PostgreSQL', () => {
  it('seeds an empty schema once and keeps points, history and users across a restart', async () => {
    const store = `${TEST_PG_URL}?schema=${schemas.next()}`;
    const args = ['--port', '0', '--demo-days', '1', '--store', store];
    await expectRestartKeepsWrites(args, dir.path, /store postgres .*: \d+ entities, demo building/);
  }, 120_000);

  it('answers postgresql:// too, hides the password, and fails to start on a server that is not there', async () => {
    const schema = schemas.next();
    const s = await startServe(
      [
        '--no-auth',
        '--port',
        '0',
        '--demo-days',
        '0',
        '--store',
        `${TEST_PG_URL.replace('postgres:', 'postgresql:')}?schema=${schema}`,
      ],
      dir.path,
    );
    try {
      expect(s.url).toMatch(/^http:/);
      expect(s.stdout()).toContain(`schema ${schema}`);
    } finally {
      await s.stop();
    }
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    const bad = await serveExit(['--no-auth', '--store', 'postgres://u:secret@127.0.0.1:1/x', '--port', '0']);
    expect(bad.code).toBe(1);
    // Why, not only "unavailable; retry later": the address that refused, and why in words.
    expect(bad.stderr).toMatch(
      /cannot open store postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x: cannot reach the postgres server at 127\.0\.0\.1:1: connection refused \(ECONNREFUSED\)\n/,
    );
    expect(bad.stderr).not.toContain('secret');
  });
});
