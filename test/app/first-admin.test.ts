// The generated first-admin password goes to a file only its owner can read, beside the store, never into the log.

import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { type AppConfig, type AppOutput, openStore, prepareApp, STORE_BACKENDS } from '../../src/app/index.js';
import { verifyScramPassword } from '../../src/core/auth/scram-server.js';
import { runCliCaptured } from '../support/run-cli.js';
import { makeTempDir } from '../support/temp-dir.js';

const dir = makeTempDir('hs-first-admin-');
afterAll(() => {
  dir.remove();
});

/** What a start printed (notices and warnings), one line each. */
function recording(): { out: AppOutput; lines: string[] } {
  const lines: string[] = [];
  const push = (line: string): void => {
    lines.push(line);
  };
  return { out: { notice: push, log: push, warn: push }, lines };
}

function config(store: string, extra: Partial<AppConfig['security']> = {}): AppConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    store,
    seed: { kind: 'none' },
    security: { host: '127.0.0.1', auth: true, idleTtlMs: 60_000, maxLifetimeMs: 60_000, env: {}, ...extra },
    cwd: dir.path,
    quiet: true,
  };
}

/** Whether `password` logs in as `username` in the store `text`. */
async function opens(text: string, username: string, password: string): Promise<boolean> {
  const opened = await openStore(text, STORE_BACKENDS, { cwd: dir.path, mustExist: true });
  try {
    const user = await opened.users?.getUser(username);
    return user !== undefined && (await verifyScramPassword(password, user.scram));
  } finally {
    await opened.close();
  }
}

describe('the generated first-admin password', () => {
  it('is written beside the store file, mode 0600, and the log names the file, never the password', async () => {
    const { out, lines } = recording();
    await prepareApp(config('sqlite:a.db'), out);
    const file = dir.file('a.db.admin-password');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const password = readFileSync(file, 'utf8');
    expect(password).toMatch(/^[A-Za-z0-9_-]{32}\n$/);
    expect(await opens('sqlite:a.db', 'admin', password.trim())).toBe(true);
    expect(lines.join('\n')).not.toContain(password.trim());
    expect(lines).toContain(
      `created user "admin" (role admin); its password is in ${file}, readable by its owner only`,
    );
    // A later start while the file is still there says so (the password in it may still open the admin account).
    const kept = recording();
    await prepareApp(config('sqlite:a.db'), kept.out);
    expect(readFileSync(file, 'utf8')).toBe(password);
    expect(kept.lines).toContain(
      `${file} still holds the first admin's generated password: delete it once that password is changed`,
    );
    // A later start has users: it writes no file and creates nobody.
    rmSync(file);
    const again = recording();
    await prepareApp(config('sqlite:a.db'), again.out);
    expect(existsSync(file)).toBe(false);
    expect(again.lines.join('\n')).not.toContain('created user');
    expect(again.lines.join('\n')).not.toContain('still holds');
  });

  it('replaces what is at the path (a file others may read, a link) rather than writing through it', async () => {
    const file = dir.file('b.db.admin-password');
    const target = dir.file('elsewhere.txt');
    writeFileSync(target, 'keep me');
    symlinkSync(target, file);
    await prepareApp(config('sqlite:b.db'), recording().out);
    expect(readFileSync(target, 'utf8')).toBe('keep me');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(file).isFile()).toBe(true);
  });

  it('goes where adminPasswordFile says (relative to the working folder), and nowhere with HS_SUPERUSER_*', async () => {
    // The folder is not there: the start fails before it makes an admin nobody could log in as.
    const failed = await prepareApp(config('sqlite:c.db', { adminPasswordFile: 'secrets/admin.txt' }), recording().out)
      .then(() => undefined)
      .catch((err: unknown) => err);
    expect(failed).toMatchObject({ code: 'HS_ERR_STARTUP' });
    expect((failed as Error).message).toMatch(
      /cannot write the first admin's password to .*secrets\/admin\.txt: no such file or folder \(ENOENT\)$/,
    );
    mkdirSync(dir.file('secrets'));
    await prepareApp(config('sqlite:c.db', { adminPasswordFile: 'secrets/admin.txt' }), recording().out);
    const password = readFileSync(dir.file('secrets/admin.txt'), 'utf8').trim();
    expect(await opens('sqlite:c.db', 'admin', password)).toBe(true);

    const env = { HS_SUPERUSER_USERNAME: 'root', HS_SUPERUSER_PASSWORD: 'a long secret' };
    const { out, lines } = recording();
    await prepareApp(config('sqlite:d.db', { env }), out);
    expect(existsSync(dir.file('d.db.admin-password'))).toBe(false);
    expect(lines).toContain('created user "root" (role admin) from HS_SUPERUSER_USERNAME');
  });

  it('haystack serve: --admin-password-file without authentication is a usage error', async () => {
    const r = await runCliCaptured(['serve', '--no-auth', '--admin-password-file', 'x', '--port', '0'], dir.path);
    expect([r.code, r.stderr]).toEqual([2, 'haystack serve: --admin-password-file needs authentication\n']);
  });
});
