// `haystack user add|list|set|remove` against a running server over HTTP and HTTPS (password or client certificate).

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CertAuthenticator, serverTlsOptions } from '../../src/server/index.js';
import { type SecureFixture, startSecure } from '../server/security/support.js';
import { runCliCaptured } from '../support/run-cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'haystack-user-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let f: SecureFixture;
afterEach(async () => {
  await f.close();
});

const ADMIN = { HAYSTACK_PASSWORD: 'ada-admin-pass', HAYSTACK_USER: 'ada' };

function user(args: readonly string[], env: Record<string, string> = ADMIN, stdin = '') {
  return runCliCaptured(['user', ...args, '--url', f.base], dir, env, stdin);
}

describe('haystack user over HTTP', () => {
  beforeEach(async () => {
    f = await startSecure();
  });

  it('lists users as a table or JSON, then ends its session', async () => {
    const r = await user(['list']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^USERNAME\s+ROLE\s+ENABLED\s+CREATED\s+MODIFIED$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 3))).toEqual([
      ['ada', 'admin', 'yes'],
      ['otto', 'operator', 'yes'],
      ['vera', 'viewer', 'yes'],
    ]);
    const json = JSON.parse((await user(['list', '--json'])).stdout) as { username: string }[];
    expect(json.map((u) => u.username)).toEqual(['ada', 'otto', 'vera']);
    expect(await f.users.listUserSessions('ada')).toHaveLength(0);
  });

  it('asks for the admin password and the new password on stdin when the environment has none', async () => {
    const r = await user(['add', 'nina', '--role', 'operator', '-u', 'ada'], {}, 'ada-admin-pass\nnina-password\n');
    expect([r.code, r.stdout]).toEqual([0, 'created user "nina" (operator)\n']);
    expect(r.stderr).toContain('Password for ada: ');
    expect(r.stderr).toContain('New password for nina: ');
    expect(r.stderr).not.toContain('nina-password');
    expect((await f.client('nina', 'nina-password').read('site')).size).toBe(2);
  });

  it('adds with a password from HAYSTACK_NEW_PASSWORD, or a generated one printed once', async () => {
    expect((await user(['add', 'ed', '--disabled'], { ...ADMIN, HAYSTACK_NEW_PASSWORD: 'ed-password' })).stdout).toBe(
      'created user "ed" (viewer, disabled)\n',
    );
    const r = await user(['add', 'gen', '--generate-password']);
    const password = /^password: (\S+)$/m.exec(r.stdout)?.[1] ?? '';
    expect(password).toHaveLength(32);
    expect((await f.client('gen', password).about()).get('serverName')).toBe('haystack-ts');
  });

  it('sets role, enabled and password', async () => {
    expect((await user(['set', 'vera', '--role', 'operator'])).stdout).toBe('updated user "vera" (operator)\n');
    expect((await user(['set', 'vera', '--disable'])).stdout).toBe('updated user "vera" (operator, disabled)\n');
    await expect(f.client('vera').about()).rejects.toThrow();
    const r = await user(['set', 'vera', '--enable', '--password'], {
      ...ADMIN,
      HAYSTACK_NEW_PASSWORD: 'vera-new-pass',
    });
    expect(r.code).toBe(0);
    expect((await f.client('vera', 'vera-new-pass').about()).get('serverName')).toBe('haystack-ts');
    expect((await user(['set', 'vera', '--json', '--role', 'viewer'])).stdout).toContain('"role": "viewer"');
  });

  it('removes a user', async () => {
    expect((await user(['remove', 'otto'])).stdout).toBe('removed user "otto"\n');
    expect(await f.users.getUser('otto')).toBeUndefined();
  });

  it('fails with the server’s reason: unknown, duplicate, bad password, last admin, not an admin, bad login', async () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['remove', 'ghost'], ADMIN, /Unknown user "ghost" \(HTTP 404\)/],
      [['add', 'vera'], { ...ADMIN, HAYSTACK_NEW_PASSWORD: 'long-enough' }, /already exists \(HTTP 409\)/],
      [['add', 'x'], { ...ADMIN, HAYSTACK_NEW_PASSWORD: 'short' }, /password must be 8.*\(HTTP 400\)/],
      [['remove', 'ada'], ADMIN, /At least one enabled admin must remain \(HTTP 409\)/],
      [['list'], { HAYSTACK_USER: 'vera', HAYSTACK_PASSWORD: 'vera-viewer-pass' }, /\(HTTP 403\)/],
      [['list'], { HAYSTACK_USER: 'ada', HAYSTACK_PASSWORD: 'wrong-password' }, /Login failed/],
    ];
    for (const [args, env, message] of cases) {
      const r = await user(args, env);
      expect([args, r.code]).toEqual([args, 1]);
      expect(r.stderr).toMatch(message);
    }
  });

  it('refuses bad usage with exit 2', async () => {
    expect((await user(['set', 'vera'])).code).toBe(2);
    expect((await user(['set', 'vera', '--enable', '--disable'])).code).toBe(2);
    // A misspelt role is a command-line mistake, found before the server is asked (README "Exit codes").
    for (const args of [
      ['add', 'x', '--role', 'boss', '--generate-password'],
      ['set', 'vera', '--role', 'boss'],
    ]) {
      const r = await user(args);
      expect([r.code, r.stderr]).toEqual([
        2,
        `haystack user ${args[0]}: unknown --role "boss" (use admin, operator or viewer)\n`,
      ]);
    }
    expect((await f.users.listUsers()).map((u) => [u.username, u.role])).toEqual([
      ['ada', 'admin'],
      ['otto', 'operator'],
      ['vera', 'viewer'],
    ]);
    expect((await user(['list'], {}, '')).stderr).toMatch(/no password for admin: stdin has ended/);
  });

  it('fails clearly when the server cannot be reached', async () => {
    const r = await runCliCaptured(['user', 'list', '--url', 'http://127.0.0.1:9/api/'], dir, ADMIN);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot reach 127.0.0.1:9 (bad port)');
  });
});

describe('haystack user over HTTPS', () => {
  const pem = (name: string) => readFileSync(path.join(dir, 'certs', name), 'utf8');
  beforeAll(async () => {
    expect((await runCliCaptured(['certs', 'certs', '--client-cn', 'ada', '--days', '2'], dir)).code).toBe(0);
  });
  beforeEach(async () => {
    f = await startSecure({
      tls: serverTlsOptions({
        cert: pem('server.pem'),
        key: pem('server-key.pem'),
        ca: pem('ca.pem'),
        requireClientCert: false,
      }),
      certAuth: (users) => CertAuthenticator.create({ users }),
    });
  });

  it('logs in with a password, trusting the CA given by --ca', async () => {
    const r = await user(['list', '--ca', 'certs/ca.pem']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('otto');
  });

  it('logs in by client certificate with --cert/--key, without a password', async () => {
    const r = await user(
      ['add', 'carl', '--ca', 'certs/ca.pem', '--cert', 'certs/client.pem', '--key', 'certs/client-key.pem'],
      { HAYSTACK_NEW_PASSWORD: 'carl-password' },
    );
    expect([r.code, r.stdout]).toEqual([0, 'created user "carl" (viewer)\n']);
  });

  it('does not trust the server without the CA', async () => {
    const r = await user(['list']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/certificate .* not signed by a trusted CA/);
    expect(r.stderr).toContain('--ca');
  });
});
