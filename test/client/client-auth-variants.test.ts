// The client's login against servers that write the auth headers in other forms than the Auth chapter's examples.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HaystackClient } from '../../src/client/index.js';
import { decodeBase64LiberalText, encodeBase64UrlText } from '../../src/core/auth/base64.js';
import type { ScramHash } from '../../src/core/auth/scram-crypto.js';
import { deriveScramCredentials } from '../../src/core/auth/scram-keys.js';
import { type ScramServerHandshake, scramServerFinal, scramServerFirst } from '../../src/core/auth/scram-server.js';
import { AuthError } from '../../src/core/errors.js';

/** How a server spells its answers: the HELLO challenge fields, then the server-first and final header values. */
interface Dialect {
  readonly hash?: ScramHash;
  readonly hello: readonly string[];
  readonly serverFirst: (data: string) => string;
  readonly info: (data: string) => string;
}

let server: Server | undefined;

async function stop(): Promise<void> {
  const s = server;
  server = undefined;
  if (s === undefined) return;
  s.closeAllConnections();
  await new Promise<void>((resolve) => {
    s.close(() => {
      resolve();
    });
  });
}

afterEach(stop);

/** A SCRAM server speaking `dialect`; answers `about` to `BEARER authToken=tok1` (any case). */
async function start(dialect: Dialect): Promise<string> {
  const creds = await deriveScramCredentials('pencil', { hash: dialect.hash ?? 'SHA-256', iterations: 4096 });
  let handshake: ScramServerHandshake | undefined;
  server = createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    const data = /data=([\w-]+)/.exec(auth)?.[1];
    const reply = async (): Promise<void> => {
      if (/^hello /i.test(auth)) {
        res.writeHead(401, dialect.hello.length === 0 ? {} : { 'www-authenticate': [...dialect.hello] }).end();
      } else if (/^scram /i.test(auth) && data !== undefined && handshake === undefined) {
        handshake = scramServerFirst(decodeBase64LiberalText(data), creds);
        res
          .writeHead(401, { 'www-authenticate': dialect.serverFirst(encodeBase64UrlText(handshake.serverFirst)) })
          .end();
      } else if (/^scram /i.test(auth) && data !== undefined && handshake !== undefined) {
        const final = await scramServerFinal(handshake, decodeBase64LiberalText(data), creds);
        res.writeHead(200, { 'authentication-info': dialect.info(encodeBase64UrlText(final)) }).end();
      } else if (/^bearer authtoken=tok1$/i.test(auth)) {
        res.writeHead(200, { 'content-type': 'text/zinc' }).end('ver:"3.0"\nserverName\n"variant"\n');
      } else {
        res.writeHead(401, { 'www-authenticate': 'HELLO' }).end();
      }
    };
    reply().catch(() => res.writeHead(403).end());
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
}

async function serverName(url: string): Promise<unknown> {
  const about = await new HaystackClient({ url, username: 'user', password: 'pencil' }).about();
  return about.get('serverName');
}

const CHAPTER = {
  serverFirst: (d: string) => `SCRAM handshakeToken=t2, hash=SHA-256, data=${d}`,
  info: (d: string) => `authToken=tok1, hash=SHA-256, data=${d}`,
};

describe('client login against server dialects', () => {
  it("logs in against Haxall's form: lower-case scheme, params sorted by name", async () => {
    const url = await start({
      hello: ['scram handshakeToken=dXNlcg, hash=SHA-256'],
      serverFirst: (d) => `scram data=${d}, handshakeToken=dXNlcg, hash=SHA-256`,
      info: (d) => `authToken=tok1, data=${d}, hash=SHA-256`,
    });
    expect(await serverName(url)).toBe('variant');
  });

  it('logs in when a Basic challenge with a quoted realm comes first, in its own header or the same one', async () => {
    for (const hello of [
      ['Basic realm="haystack, inc"', 'SCRAM hash=SHA-256, handshakeToken=t1'],
      ['Basic realm="haystack", SCRAM hash=SHA-256, handshakeToken=t1'],
    ]) {
      expect(await serverName(await start({ ...CHAPTER, hello }))).toBe('variant');
      await stop();
    }
  });

  it('logs in with quoted values and with SHA-512', async () => {
    const quoted = await start({
      hello: ['SCRAM hash="SHA-256", handshakeToken="t1"'],
      serverFirst: (d) => `SCRAM handshakeToken="t2", hash="SHA-256", data="${d}"`,
      info: (d) => `authToken="tok1", hash="SHA-256", data="${d}"`,
    });
    expect(await serverName(quoted)).toBe('variant');
    await stop();
    const sha512 = await start({
      hash: 'SHA-512',
      hello: ['SCRAM hash=SHA-512, handshakeToken=t1'],
      serverFirst: (d) => `SCRAM handshakeToken=t2, hash=SHA-512, data=${d}`,
      info: (d) => `authToken=tok1, hash=SHA-512, data=${d}`,
    });
    expect(await serverName(sha512)).toBe('variant');
  });

  it('refuses SCRAM with SHA-1 (the Auth chapter allows SHA-256 and SHA-512) with an AuthError naming the hash', async () => {
    const url = await start({ ...CHAPTER, hello: ['SCRAM hash=SHA-1, handshakeToken=t1'] });
    const err = await serverName(url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).message).toMatch(/SHA-1/);
  });

  it('fails with AuthError saying so when the server offers no SCRAM (Basic, PLAINTEXT, nothing)', async () => {
    for (const hello of [['Basic realm="haystack"'], ['PLAINTEXT'], []]) {
      const url = await start({ ...CHAPTER, hello });
      const err = await serverName(url).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthError);
      expect((err as AuthError).message).toMatch(/no SCRAM/);
      await stop();
    }
  });
});
