// What remote commands say when the server is not there, not trusted, not at that URL, or wants a login.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliExit } from '../../src/cli/io.js';
import { explainRemoteError } from '../../src/cli/remote-errors.js';
import { CallError } from '../../src/client/index.js';
import { Dict, Grid, MARKER } from '../../src/core/index.js';
import { runCliCaptured } from '../support/run-cli.js';
import { type StartedServe, startServe } from '../support/serve-cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'haystack-remote-errors-'));
const ADMIN = { HS_SUPERUSER_USERNAME: 'root', HS_SUPERUSER_PASSWORD: 'correct horse battery' };
const DEMO = ['--port', '0', '--demo-days', '0'];

/** A port nothing listens on: one the OS gave us, closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  return port;
}

describe('remote command errors say what to do', () => {
  let plain: StartedServe;
  let tls: StartedServe;

  beforeAll(async () => {
    expect((await runCliCaptured(['certs', 'certs', '--days', '2'], dir)).code).toBe(0);
    plain = await startServe(DEMO, dir, ADMIN);
    tls = await startServe(
      [...DEMO, '--tls-cert', 'certs/server.pem', '--tls-key', 'certs/server-key.pem'],
      dir,
      ADMIN,
    );
    expect(tls.url).toMatch(/^https:/);
  }, 60_000);

  afterAll(async () => {
    await plain.stop();
    await tls.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a refused connection names host and port and asks whether the server runs', async () => {
    const port = await closedPort();
    const r = await runCliCaptured(['about', '--url', `http://127.0.0.1:${port}/api/`], dir);
    expect(r.code).toBe(1);
    // Once: the op the client names is the command's own (not `haystack about: about: ...`).
    expect(r.stderr).toMatch(new RegExp(`^haystack about: connection refused by 127\\.0\\.0\\.1:${port}\n`));
    expect(r.stderr).toMatch(/server running/);
  });

  it('an untrusted certificate suggests --ca; with --ca the same call works', async () => {
    const env = { HAYSTACK_PASSWORD: ADMIN.HS_SUPERUSER_PASSWORD };
    const r = await runCliCaptured(['about', '--url', tls.url, '-u', 'root'], dir, env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not signed by a trusted CA/);
    expect(r.stderr).toContain('--ca');
    const ok = await runCliCaptured(['about', '--url', tls.url, '-u', 'root', '--ca', 'certs/ca.pem'], dir, env);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
  });

  it('plain HTTP to the TLS port is told to use https', async () => {
    // The server answers it 400 with a text saying so (nginx too): the message names the URL to use.
    const plainUrl = tls.url.replace('https:', 'http:');
    const r = await runCliCaptured(['about', '--url', plainUrl], dir);
    expect([r.code, r.stderr]).toEqual([
      1,
      `haystack about: ${plainUrl} is an HTTPS port (HTTP 400)\n  use an https:// URL: --url ${tls.url}\n`,
    ]);
  });

  it('a URL without the API root is detected and the right one suggested, with and without a login', async () => {
    const origin = new URL(plain.url).origin;
    const anonymous = await runCliCaptured(['about', '--url', origin], dir);
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain(`use --url ${origin}/api/`);
    const withUser = await runCliCaptured(['read', 'site', '--url', origin, '-u', 'root'], dir, {
      HAYSTACK_PASSWORD: ADMIN.HS_SUPERUSER_PASSWORD,
    });
    expect(withUser.code).toBe(1);
    expect(withUser.stderr).toContain(`use --url ${origin}/api/`);
  });

  it('a server that wants a login suggests -u and $HAYSTACK_USER', async () => {
    const r = await runCliCaptured(['read', 'site', '--url', plain.url], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^haystack read: authentication required/);
    expect(r.stderr).toContain('-u USER');
    expect(r.stderr).toContain('$HAYSTACK_USER');
  });

  it('an error grid about the request is a refusal, not a server error', async () => {
    const env = { HAYSTACK_USER: 'root', HAYSTACK_PASSWORD: ADMIN.HS_SUPERUSER_PASSWORD };
    const r = await runCliCaptured(['his', '@no.such.point', 'today', '--url', plain.url], dir, env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^haystack his: the server refused the request: /);
    // A malformed range is found before the call: a command-line mistake (2), with the same reason.
    const range = await runCliCaptured(['his', '@hudson.vav1-01.zat', 'last week', '--url', plain.url], dir, env);
    expect(range.code).toBe(2);
    expect(range.stderr).toBe('haystack his: Invalid range: "last week" is not a Date or DateTime\n');
  });

  it("tells another server's request errors (HTTP 200, a qualified errType) from its faults", async () => {
    const grid = (errType: string) => Grid.fromTrustedParts(Dict.of({ err: MARKER, dis: 'Boom', errType }), [], []);
    const say = async (e: CallError) =>
      ((await explainRemoteError('read', e, { url: 'http://x/api/', loggedIn: true })) as CliExit).message;
    expect(await say(new CallError(grid('sys::ArgErr'), 200))).toBe(
      'haystack read: the server refused the request: Boom',
    );
    expect(await say(new CallError(grid('haystack::UnknownRecErr')))).toMatch(/refused the request/);
    expect(await say(new CallError(grid('sys::NullErr'), 200))).toBe('haystack read: server error: Boom');
    expect(await say(new CallError(grid('sys::Err'), 500))).toBe('haystack read: server error: Boom');
  });

  it('a server that answers a web page, not a grid, is named as not a Haystack API', async () => {
    const web = createHttpServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>router login</html>');
    });
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${String((web.address() as { port: number }).port)}/api/`;
    try {
      for (const args of [['about'], ['read', 'site'], ['his', '@p', 'today']]) {
        const r = await runCliCaptured([...args, '--url', url], dir);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`the answer from ${url} is not a Haystack grid`);
        expect(r.stderr).toContain('--url must be the API root of a Haystack server');
      }
    } finally {
      await new Promise<void>((resolve) =>
        web.close(() => {
          resolve();
        }),
      );
    }
  });

  it('the user command classifies a refused connection the same way', async () => {
    const port = await closedPort();
    const r = await runCliCaptured(['user', 'list', '--url', `http://127.0.0.1:${port}/api/`], dir, {
      HAYSTACK_PASSWORD: 'x'.repeat(12),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`connection refused by 127.0.0.1:${port}`);
  });
});
