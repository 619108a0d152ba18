// `haystack read --url`, `haystack his` and `haystack about` against a running `haystack serve` with a login.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJson } from '../../src/core/codec/json/index.js';
import { decodeZinc } from '../../src/core/codec/zinc/index.js';
import type { Grid } from '../../src/core/grid/grid.js';
import { runCliCaptured } from '../support/run-cli.js';
import { type StartedServe, startServe } from '../support/serve-cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'haystack-remote-cli-'));
const ADMIN = { HS_SUPERUSER_USERNAME: 'root', HS_SUPERUSER_PASSWORD: 'correct horse battery' };

describe('remote CLI commands', () => {
  let serve: StartedServe;
  let env: Record<string, string>;

  beforeAll(async () => {
    serve = await startServe(['--port', '0', '--demo-days', '1'], dir, ADMIN);
    expect(serve.url).toMatch(/^http:/);
    env = { HAYSTACK_URL: serve.url, HAYSTACK_USER: 'root', HAYSTACK_PASSWORD: 'correct horse battery' };
  }, 60_000);

  afterAll(async () => {
    await serve.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('about logs in and prints the about grid', async () => {
    const r = await runCliCaptured(['about'], dir, env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const grid = decodeZinc(r.stdout) as Grid;
    expect(grid.first?.get('productName')).toBe('haystack-ts');
  });

  it('read --url prints the matching entities, in another format with --to', async () => {
    const r = await runCliCaptured(['read', '--url', serve.url, '-u', 'root', 'site'], dir, {
      HAYSTACK_PASSWORD: env.HAYSTACK_PASSWORD,
    });
    expect(r.code).toBe(0);
    expect((decodeZinc(r.stdout) as Grid).size).toBe(2);
    const limited = await runCliCaptured(['read', '--to', 'json', '--limit', '3', 'point and his'], dir, env);
    expect(limited.code).toBe(0);
    expect((decodeJson(limited.stdout) as Grid).size).toBe(3);
  });

  it('his prints a point history for a range', async () => {
    const points = decodeZinc(
      (await runCliCaptured(['read', '--limit', '1', 'point and his and kind=="Number"'], dir, env)).stdout,
    ) as Grid;
    const id = points.first?.id?.id ?? '';
    const r = await runCliCaptured(['his', `@${id}`, 'today', '--to', 'csv'], dir, env);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('ts,val');
    expect(r.stdout.trim().split('\n').length).toBeGreaterThan(1);
  });

  it('an invalid filter fails with its position before any login', async () => {
    const r = await runCliCaptured(['read', 'point and (', '--url', 'http://127.0.0.1:9/api'], dir, {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/line 1, column \d+/);
    expect(r.stdout).toBe('');
  });

  it('a wrong password, a missing url and an unreachable server fail with exit 1 or 2 and a message', async () => {
    const wrong = await runCliCaptured(['about'], dir, { ...env, HAYSTACK_PASSWORD: 'nope nope nope' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^haystack about: /);
    expect(wrong.stdout).toBe('');
    const noUrl = await runCliCaptured(['about'], dir, {});
    expect(noUrl.code).toBe(2);
    const unreachable = await runCliCaptured(['about', '--url', 'http://127.0.0.1:9/api'], dir, {});
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^haystack about: /);
    const notLoggedIn = await runCliCaptured(['about', '--url', serve.url], dir, {});
    expect(notLoggedIn.code).toBe(1);
    expect(notLoggedIn.stderr).toMatch(/authentication/i);
  });

  it('--data and --url together are refused', async () => {
    const r = await runCliCaptured(['read', '--data', 'x.zinc', '--url', serve.url, 'site'], dir, {});
    expect(r.code).toBe(2);
  });
});
