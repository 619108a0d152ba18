// `haystack serve --store redis://...` keeps its data: seeded once under an empty key prefix, and points, history and
// users written during one run are there in the next.

import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { redisPrefixes, SHARED_REDIS_URL } from '../support/redis.js';
import { serveExit, startServe } from '../support/serve-cli.js';
import { expectRestartKeepsWrites } from '../support/serve-restart.js';
import { makeTempDir } from '../support/temp-dir.js';

const dir = makeTempDir('hs-serve-redis-');
const prefixes = redisPrefixes();
afterAll(async () => {
  dir.remove();
  await prefixes.cleanup();
});

describe('haystack serve over Redis', () => {
  it('seeds an empty prefix once and keeps points, history and users across a restart', async () => {
    const store = `${SHARED_REDIS_URL}?prefix=${prefixes.next()}`;
    await expectRestartKeepsWrites(
      ['--port', '0', '--demo-days', '1', '--store', store],
      dir.path,
      /store redis .*: \d+ entities, demo building/,
    );
  }, 120_000);

  it('keeps two prefixes apart, hides the password, and fails to start on a server that is not there', async () => {
    const [a, b] = [prefixes.next(), prefixes.next()];
    const args = (prefix: string, data: string): string[] => [
      '--no-auth',
      '--port',
      '0',
      '--demo-days',
      '0',
      '--store',
      `${SHARED_REDIS_URL}?prefix=${prefix}`,
      '--data',
      data,
    ];
    writeFileSync(dir.file('a.zinc'), 'ver:"3.0"\nid,dis,site\n@a1,"A",M\n');
    writeFileSync(dir.file('b.zinc'), 'ver:"3.0"\nid,dis,site\n@b1,"B",M\n@b2,"B2",M\n');
    const sa = await startServe(args(a, 'a.zinc'), dir.path);
    const sb = await startServe(args(b, 'b.zinc'), dir.path);
    try {
      const ids = async (url: string): Promise<string> =>
        (await (await fetch(`${url}read?filter=site`, { headers: { accept: 'text/csv' } })).text()).trim();
      expect(await ids(sa.url)).toMatch(/@a1/);
      expect(await ids(sa.url)).not.toMatch(/@b/);
      expect(await ids(sb.url)).toMatch(/@b1[\s\S]*@b2/);
    } finally {
      await sa.stop();
      await sb.stop();
    }
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    const bad = await serveExit(['--no-auth', '--store', 'redis://u:secret@127.0.0.1:1/0', '--port', '0']);
    expect(bad.code).toBe(1);
    // Why, not only "unavailable; retry later": the address that refused, and why in words.
    expect(bad.stderr).toMatch(
      /cannot open store redis:\/\/u:\*\*\*@127\.0\.0\.1:1\/0: cannot reach the redis server at 127\.0\.0\.1:1: connection refused \(ECONNREFUSED\)\n/,
    );
    expect(bad.stderr).not.toContain('secret');
  });
});
