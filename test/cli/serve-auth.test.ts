// `haystack serve` with authentication (the default): first admin, logins, TLS and client certificates from the flags.

import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HaystackClient } from '../../src/client/index.js';
import { createTlsFetch } from '../../src/client/node/index.js';
import { AuthError } from '../../src/core/errors.js';
import { runCliCaptured } from '../support/run-cli.js';
import { serveExit, startServe } from '../support/serve-cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'haystack-serve-auth-'));
const pem = (name: string) => readFileSync(path.join(dir, 'certs', name), 'utf8');

beforeAll(async () => {
  const made = await runCliCaptured(['certs', 'certs', '--client-cn', 'admin', '--days', '2'], dir);
  expect(made.code).toBe(0);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

// In memory: each start is a first start (users and seed are made anew).
const DEMO = ['--store', 'memory', '--port', '0', '--demo-days', '1'];
const ENV = { HS_SUPERUSER_USERNAME: 'root', HS_SUPERUSER_PASSWORD: 'correct horse battery' };

describe('haystack serve with authentication', () => {
  it('without HS_SUPERUSER_*, creates admin with a random password in a 0600 file, not the log; requests need a login', async () => {
    const s = await startServe(DEMO, dir);
    try {
      expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
      // A memory store is no file: the password goes to the working folder.
      const file = path.join(dir, 'haystack.admin-password');
      expect(s.stdout()).toContain(
        `created user "admin" (role admin); its password is in ${file}, readable by its owner only`,
      );
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const password = readFileSync(file, 'utf8').trim();
      expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(s.stdout() + s.stderr()).not.toContain(password);
      expect(s.stdout()).toContain('(authentication required; Ctrl-C stops)');
      const anonymous = await fetch(`${s.url}read?filter=site`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('HELLO');
      const client = new HaystackClient({ url: s.url, username: 'admin', password });
      expect((await client.read('site')).size).toBeGreaterThan(0);
      await expect(
        new HaystackClient({ url: s.url, username: 'admin', password: 'guess-guess' }).about(),
      ).rejects.toBeInstanceOf(AuthError);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  it('creates the admin from HS_SUPERUSER_USERNAME/PASSWORD, never printing the password; logs logins', async () => {
    const s = await startServe([...DEMO, '--log-format', 'pretty'], dir, ENV);
    try {
      expect(s.stdout()).toContain('created user "root" (role admin) from HS_SUPERUSER_USERNAME');
      expect(s.stdout()).not.toContain(ENV.HS_SUPERUSER_PASSWORD);
      const client = new HaystackClient({ url: s.url, username: 'root', password: ENV.HS_SUPERUSER_PASSWORD });
      expect((await client.about()).get('serverName')).toBe('haystack-ts');
      await client.close();
      // Without TLS, SIGHUP keeps its default (the process ends, as with a closed terminal): nothing listens for it.
      expect(s.hangup()).toBe(0);
    } finally {
      await s.stop();
    }
    expect(s.stderr()).toMatch(/ info login outcome=success user=root addr=127\.0\.0\.1$/m);
    expect(s.stderr()).not.toContain(ENV.HS_SUPERUSER_PASSWORD);
  });

  it('refuses half or invalid superuser settings, a short server secret, and --no-auth off loopback', async () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [DEMO, { HS_SUPERUSER_USERNAME: 'root' }, /both the superuser username and password/],
      [DEMO, { HS_SUPERUSER_USERNAME: 'root', HS_SUPERUSER_PASSWORD: 'short' }, /password must be 8/],
      [DEMO, { HS_SERVER_SECRET: 'abcd' }, /HS_SERVER_SECRET must hold at least 32 bytes/],
      [[...DEMO, '--no-auth', '--host', '::'], {}, /--no-auth is refused on ::/],
      [[...DEMO, '--host', '0.0.0.0', '--allow-plaintext'], {}, /--allow-plaintext sends passwords in the clear/],
      [[...DEMO, '--session-idle', '0'], {}, /--session-idle must be/],
    ];
    for (const [args, env, message] of cases) {
      const r = await serveExit(args, env);
      expect([args, r.code]).toEqual([args, 2]);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('haystack serve with TLS', () => {
  it('--tls-cert/--tls-key serve HTTPS; a client trusting the CA logs in', async () => {
    const s = await startServe(
      [...DEMO, '--tls-cert', 'certs/server.pem', '--tls-key', 'certs/server-key.pem'],
      dir,
      ENV,
    );
    const tls = createTlsFetch({ ca: pem('ca.pem') });
    try {
      expect(s.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/api\/$/);
      const client = new HaystackClient({
        url: s.url,
        username: 'root',
        password: ENV.HS_SUPERUSER_PASSWORD,
        fetch: tls.fetch,
      });
      expect((await client.read('site')).size).toBeGreaterThan(0);
    } finally {
      await tls.close();
      await s.stop();
    }
  });

  it('--tls-ca requires a client certificate, and its CN logs in as that user without a password', async () => {
    const s = await startServe(
      [...DEMO, '--tls-cert', 'certs/server.pem', '--tls-key', 'certs/server-key.pem', '--tls-ca', 'certs/ca.pem'],
      dir,
    );
    const withCert = createTlsFetch({ ca: pem('ca.pem'), cert: pem('client.pem'), key: pem('client-key.pem') });
    const without = createTlsFetch({ ca: pem('ca.pem') });
    try {
      expect(s.stdout()).toContain('client certificates required');
      const client = new HaystackClient({ url: s.url, fetch: withCert.fetch });
      expect((await client.read('site')).size).toBeGreaterThan(0);
      // The certificate's CN is "admin", the bootstrapped admin: it may manage users.
      expect((await withCert.fetch(`${s.url}users/`)).status).toBe(200);
      await expect(without.fetch(`${s.url}about`)).rejects.toThrow();
    } finally {
      await withCert.close();
      await without.close();
      await s.stop();
    }
  });

  it('SIGHUP reads the TLS files again: a renewed certificate is served, a bad renewal reported and not used', async () => {
    const made = await runCliCaptured(['certs', 'renewed', '--client-cn', 'admin', '--days', '2'], dir);
    expect(made.code).toBe(0);
    mkdirSync(path.join(dir, 'live'), { recursive: true });
    const put = (from: string, to: string): void => {
      copyFileSync(path.join(dir, from), path.join(dir, 'live', to));
    };
    put('certs/server.pem', 'cert.pem');
    put('certs/server-key.pem', 'key.pem');
    const s = await startServe([...DEMO, '--tls-cert', 'live/cert.pem', '--tls-key', 'live/key.pem'], dir, ENV);
    const oldCa = pem('ca.pem');
    const newCa = readFileSync(path.join(dir, 'renewed', 'ca.pem'), 'utf8');
    // A new connection each time (a kept-alive one goes on with the certificate it was opened with).
    const status = async (ca: string): Promise<number | string> => {
      const tls = createTlsFetch({ ca });
      try {
        return (await tls.fetch(`${s.url}about`)).status;
      } catch (e) {
        return String((e as Error).cause ?? e);
      } finally {
        await tls.close();
      }
    };
    try {
      expect(await status(oldCa)).toBe(401);
      // Half a renewal (the new key beside the old certificate): reported, and the old pair goes on serving.
      put('renewed/server-key.pem', 'key.pem');
      expect(s.hangup()).toBe(1);
      await s.output(/TLS files not reloaded, the previous certificate stays: --tls-key is not the key of --tls-cert/);
      expect(await status(oldCa)).toBe(401);
      put('renewed/server.pem', 'cert.pem');
      s.hangup();
      await s.output(/TLS files read again: certificate localhost, valid until /);
      expect(await status(newCa)).toBe(401);
      expect(await status(oldCa)).toMatch(/certificate/);
      // A file gone: reported by flag and file, the renewed pair stays.
      rmSync(path.join(dir, 'live', 'cert.pem'));
      s.hangup();
      await s.output(
        /previous certificate stays: cannot read --tls-cert live\/cert\.pem: no such file or folder \(ENOENT\)/,
      );
      expect(await status(newCa)).toBe(401);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  it("refuses a key that is not the certificate's before opening the store", async () => {
    const r = await serveExit([
      ...DEMO,
      '--tls-cert',
      path.join(dir, 'certs/server.pem'),
      '--tls-key',
      path.join(dir, 'certs/client-key.pem'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--tls-key is not the key of --tls-cert \(.*key values mismatch\)/);
  });

  it('refuses incomplete or contradictory TLS flags', async () => {
    const cases: [string[], RegExp][] = [
      [['--tls-cert', 'certs/server.pem'], /--tls-cert and --tls-key go together/],
      [['--tls-ca', 'certs/ca.pem'], /--tls-ca needs --tls-cert/],
      // It changes nothing without --tls-ca: a server the user believes asks for certificates would not.
      [['--tls-client-optional'], /--tls-client-optional needs --tls-ca/],
      [
        ['--tls-cert', 'certs/server.pem', '--tls-key', 'certs/server-key.pem', '--tls-client-optional'],
        /--tls-client-optional needs --tls-ca/,
      ],
      [
        [
          '--no-auth',
          '--tls-cert',
          'certs/server.pem',
          '--tls-key',
          'certs/server-key.pem',
          '--tls-ca',
          'certs/ca.pem',
        ],
        /needs authentication/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await serveExit([...DEMO, ...args.map((a) => (a.startsWith('certs/') ? path.join(dir, a) : a))]);
      expect([args, r.code]).toEqual([args, 2]);
      expect(r.stderr).toMatch(message);
    }
    const missing = await serveExit([...DEMO, '--tls-cert', 'nope.pem', '--tls-key', 'nope-key.pem']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read --tls-cert nope.pem');
  });
});
