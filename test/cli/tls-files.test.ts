// TLS files given to the real `haystack` process that are not what their flag needs: said before any connection.

import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured, spawnCli } from '../support/run-cli.js';
import { makeTempDir } from '../support/temp-dir.js';

const dir = makeTempDir('haystack-tls-files-');
// Nothing listens there, and nothing may try: the files are checked first.
const URL = 'https://127.0.0.1:9/api/';

beforeAll(async () => {
  expect((await runCliCaptured(['certs', 'certs', '--days', '2'], dir.path)).code).toBe(0);
  writeFileSync(dir.file('notes.txt'), 'not a certificate\n');
}, 60_000);

afterAll(() => {
  dir.remove();
});

describe('TLS files that are not what the flag needs', () => {
  it('a --ca with no certificate in it is named, not reported as an untrusted server', async () => {
    const r = await spawnCli(['about', '--url', URL, '--ca', 'notes.txt'], dir.path);
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'haystack about: --ca notes.txt holds no PEM certificate\n' });
  }, 60_000);

  it('a --key that is not the key of --cert is named, not reported as an unreachable server', async () => {
    const args = ['--cert', 'certs/client.pem', '--key', 'certs/server-key.pem'];
    const r = await spawnCli(['about', '--url', URL, '--ca', 'certs/ca.pem', ...args], dir.path);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: 'haystack about: --key certs/server-key.pem is not the key of --cert certs/client.pem\n',
    });
  }, 60_000);

  it('serve refuses a --tls-ca with no certificate in it instead of refusing every client later', async () => {
    const tls = ['--tls-cert', 'certs/server.pem', '--tls-key', 'certs/server-key.pem', '--tls-ca', 'notes.txt'];
    const serve = ['serve', '--port', '0', '--store', 'memory', '--no-ui', '--demo-days', '0', ...tls];
    const r = await spawnCli(serve, dir.path, {}, '', /listening on/);
    expect(r.code).toBe(2);
    expect(r.stdout).not.toContain('listening');
    expect(r.stderr).toBe('haystack serve: --tls-ca holds no PEM certificate\n');
  }, 60_000);

  it('serve refuses --tls-client-optional without --tls-ca, which it would ignore', async () => {
    const serve = ['serve', '--port', '0', '--store', 'memory', '--no-ui', '--demo-days', '0', '--tls-client-optional'];
    const r = await spawnCli(serve, dir.path, {}, '', /listening on/);
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'haystack serve: --tls-client-optional needs --tls-ca\n' });
  }, 60_000);
});
