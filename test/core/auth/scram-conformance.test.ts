// The shared SCRAM-SHA-256 vector (RFC 7677's example carried in Haystack headers), checked message by message.

import { describe, expect, it } from 'vitest';
import {
  formatAuthenticationInfo,
  formatAuthorization,
  formatChallenge,
  parseAuthenticationInfo,
  parseAuthorization,
  parseWwwAuthenticate,
} from '../../../src/core/auth/auth-header.js';
import { decodeBase64, encodeBase64 } from '../../../src/core/auth/base64.js';
import { ScramClient } from '../../../src/core/auth/scram-client.js';
import { deriveScramCredentials, saltPassword, scramKeys } from '../../../src/core/auth/scram-keys.js';
import { scramServerFinal, scramServerFirst } from '../../../src/core/auth/scram-server.js';
import { loadSharedJson, sharedAvailable } from '../../support/shared.js';

interface Step {
  readonly from: 'client' | 'server';
  readonly status?: number;
  readonly header: string;
  readonly value: string;
}

interface Vector {
  readonly scram: Record<string, string> & { readonly iterations: number };
  readonly exchange: readonly Step[];
  readonly plaintext: readonly Step[];
}

const FILE = 'conformance/auth-scram.json';
const available = sharedAvailable(FILE);
const vector: Vector | undefined = available ? loadSharedJson<Vector>(FILE) : undefined;

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function field(name: string): string {
  const v = vector?.scram[name];
  if (typeof v !== 'string') throw new Error(`vector field ${name} missing`);
  return v;
}

function step(i: number): Step {
  const s = vector?.exchange[i];
  if (s === undefined) throw new Error(`vector step ${i} missing`);
  return s;
}

describe.skipIf(!available)('auth-scram.json conformance vector', () => {
  const salt = () => decodeBase64(field('saltBase64'));
  const iterations = () => vector?.scram.iterations ?? 0;

  it('derives SaltedPassword, ClientKey, StoredKey and ServerKey', async () => {
    const salted = await saltPassword('SHA-256', field('password'), salt(), iterations());
    expect(hex(salted)).toBe(field('saltedPasswordHex'));
    const keys = await scramKeys('SHA-256', salted);
    expect(hex(keys.clientKey)).toBe(field('clientKeyHex'));
    expect(hex(keys.storedKey)).toBe(field('storedKeyHex'));
    expect(hex(keys.serverKey)).toBe(field('serverKeyHex'));
    const creds = await deriveScramCredentials(field('password'), { salt: salt(), iterations: iterations() });
    expect(hex(creds.storedKey)).toBe(field('storedKeyHex'));
    expect(hex(creds.serverKey)).toBe(field('serverKeyHex'));
  });

  it('client produces the vector messages and accepts the server signature', async () => {
    const client = ScramClient.create({
      username: field('username'),
      password: field('password'),
      clientNonce: field('clientNonce'),
    });
    expect(client.clientFirstMessage()).toBe(field('clientFirstMessage'));
    const final = await client.clientFinalMessage(field('serverFirstMessage'));
    expect(final).toBe(field('clientFinalMessage'));
    expect(final.endsWith(`p=${field('clientProofBase64')}`)).toBe(true);
    expect(() => {
      client.verifyServerFinal(field('serverFinalMessage'));
    }).not.toThrow();
  });

  it('server produces the vector server-first and server-final messages', async () => {
    const creds = await deriveScramCredentials(field('password'), { salt: salt(), iterations: iterations() });
    const handshake = scramServerFirst(field('clientFirstMessage'), creds, { serverNonce: field('serverNonce') });
    expect(handshake.serverFirst).toBe(field('serverFirstMessage'));
    expect(handshake.username).toBe(field('username'));
    const serverFinal = await scramServerFinal(handshake, field('clientFinalMessage'), creds);
    expect(serverFinal).toBe(field('serverFinalMessage'));
    expect(serverFinal).toBe(`v=${field('serverSignatureBase64')}`);
    expect(encodeBase64(salt())).toBe(field('saltBase64'));
  });

  it('every header of the exchange parses to the vector messages and formats back exactly', () => {
    const hello = parseAuthorization(step(0).value);
    expect(hello).toEqual({ scheme: 'HELLO', username: field('username') });
    expect(formatAuthorization(hello)).toBe(step(0).value);

    const [helloChallenge] = parseWwwAuthenticate(step(1).value);
    expect(helloChallenge).toEqual({ scheme: 'SCRAM', hash: 'SHA-256', handshakeToken: 'aabbcc', data: undefined });
    expect(helloChallenge && formatChallenge(helloChallenge)).toBe(step(1).value);

    const first = parseAuthorization(step(2).value);
    expect(first).toEqual({ scheme: 'SCRAM', handshakeToken: 'aabbcc', data: field('clientFirstMessage') });
    expect(formatAuthorization(first)).toBe(step(2).value);

    const [serverFirst] = parseWwwAuthenticate(step(3).value);
    expect(serverFirst).toEqual({
      scheme: 'SCRAM',
      hash: 'SHA-256',
      handshakeToken: 'aabbcc',
      data: field('serverFirstMessage'),
    });
    expect(serverFirst && formatChallenge(serverFirst)).toBe(step(3).value);

    const final = parseAuthorization(step(4).value);
    expect(final).toEqual({ scheme: 'SCRAM', handshakeToken: 'aabbcc', data: field('clientFinalMessage') });
    expect(formatAuthorization(final)).toBe(step(4).value);

    const info = parseAuthenticationInfo(step(5).value);
    expect(info).toEqual({ authToken: 'xxyyzz', hash: 'SHA-256', data: field('serverFinalMessage') });
    expect(formatAuthenticationInfo(info)).toBe(step(5).value);

    const bearer = parseAuthorization(step(6).value);
    expect(bearer).toEqual({ scheme: 'BEARER', authToken: 'xxyyzz' });
    expect(formatAuthorization(bearer)).toBe(step(6).value);
  });

  it('the PLAINTEXT exchange parses and formats back exactly', () => {
    const steps = vector?.plaintext ?? [];
    expect(parseAuthorization(steps[0]?.value ?? '')).toEqual({ scheme: 'HELLO', username: 'user' });
    expect(parseWwwAuthenticate(steps[1]?.value ?? '')).toEqual([{ scheme: 'PLAINTEXT' }]);
    expect(formatChallenge({ scheme: 'PLAINTEXT' })).toBe(steps[1]?.value);
    const creds = parseAuthorization(steps[2]?.value ?? '');
    expect(creds).toEqual({ scheme: 'PLAINTEXT', username: 'user', password: 'password' });
    expect(formatAuthorization(creds)).toBe(steps[2]?.value);
    const info = parseAuthenticationInfo(steps[3]?.value ?? '');
    expect(info).toEqual({ authToken: 'AuthTokenXXYYZZ', hash: undefined, data: undefined });
    expect(formatAuthenticationInfo(info)).toBe(steps[3]?.value);
  });
});
