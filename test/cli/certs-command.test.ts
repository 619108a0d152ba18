// `haystack certs DIR`: writes a CA, a localhost server certificate and a client certificate that chain to it.

import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliCaptured, spawnCli } from '../support/run-cli.js';

const run = runCliCaptured;

const root = mkdtempSync(path.join(tmpdir(), 'haystack-certs-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const cert = (dir: string, name: string): X509Certificate => new X509Certificate(readFileSync(path.join(dir, name)));

describe('haystack certs', () => {
  it('writes a CA, a server certificate for localhost/127.0.0.1/::1 and a client certificate, all chained to the CA', async () => {
    const r = await run(['certs', 'pki', '--client-cn', 'operator1'], root);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--tls-ca');
    const dir = path.join(root, 'pki');
    const ca = cert(dir, 'ca.pem');
    const server = cert(dir, 'server.pem');
    const client = cert(dir, 'client.pem');
    expect(ca.ca).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(client.verify(ca.publicKey)).toBe(true);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.subjectAltName).toContain('DNS:localhost');
    expect(server.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(server.checkIP('::1')).toBe('::1');
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.keyUsage).toContain('1.3.6.1.5.5.7.3.1');
    expect(client.subject).toBe('CN=operator1');
    expect(client.keyUsage).toContain('1.3.6.1.5.5.7.3.2');
    for (const key of ['ca-key.pem', 'server-key.pem', 'client-key.pem']) {
      expect(statSync(path.join(dir, key)).mode & 0o777).toBe(0o600);
      expect(readFileSync(path.join(dir, key), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    }
  });

  it('defaults the client CN to admin and takes other hosts', async () => {
    const r = await run(['certs', 'pki2', '--host', 'haystack.test', '10.9.8.7'], root);
    expect(r.code).toBe(0);
    const dir = path.join(root, 'pki2');
    expect(cert(dir, 'client.pem').subject).toBe('CN=admin');
    expect(cert(dir, 'server.pem').checkHost('haystack.test')).toBe('haystack.test');
    expect(cert(dir, 'server.pem').checkIP('10.9.8.7')).toBe('10.9.8.7');
  });

  it('refuses to overwrite existing files unless --force', async () => {
    const dir = path.join(root, 'pki3');
    expect((await run(['certs', dir], root)).code).toBe(0);
    writeFileSync(path.join(dir, 'marker'), 'x');
    const before = readFileSync(path.join(dir, 'ca-key.pem'), 'utf8');
    const again = await run(['certs', dir], root);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('--force');
    expect(readFileSync(path.join(dir, 'ca-key.pem'), 'utf8')).toBe(before);
    expect((await run(['certs', dir, '--force'], root)).code).toBe(0);
    expect(readFileSync(path.join(dir, 'ca-key.pem'), 'utf8')).not.toBe(before);
  });

  it('writes nothing when only some of the files exist, so the folder never mixes two CAs', async () => {
    const dir = path.join(root, 'pki5');
    mkdirSync(dir);
    // A client certificate kept from an earlier run, the last file written: the others came before it.
    writeFileSync(path.join(dir, 'client.pem'), 'old');
    const r = await spawnCli(['certs', 'pki5'], root);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`haystack certs: ${path.join(dir, 'client.pem')} exists (use --force to overwrite)\n`);
    expect(r.stdout).toBe('');
    expect(readdirSync(dir)).toEqual(['client.pem']);
  }, 60_000);

  it('says so when DIR is a file, naming it, with no stack trace', async () => {
    writeFileSync(path.join(root, 'plain-file'), 'x');
    const r = await spawnCli(['certs', 'plain-file'], root);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `haystack certs: cannot write into plain-file: a part of the path is not a folder (ENOTDIR)\n`,
    );
  }, 60_000);

  it('names the file it cannot write and says why in words', async () => {
    const dir = path.join(root, 'pki6');
    mkdirSync(path.join(dir, 'ca.pem'), { recursive: true });
    const r = await run(['certs', dir, '--force'], root);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`haystack certs: cannot write ${path.join(dir, 'ca.pem')}: a folder, not a file (EISDIR)\n`);
  });

  it('rejects a bad --days', async () => {
    const r = await run(['certs', 'pki4', '--days', 'soon'], root);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--days');
  });
});
