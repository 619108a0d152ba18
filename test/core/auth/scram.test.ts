// SCRAM-SHA-256 per RFC 5802/7677: the RFC 7677 example, full client/server round trips, and every rejection path.

import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64 } from '../../../src/core/auth/base64.js';
import { ScramClient } from '../../../src/core/auth/scram-client.js';
import { deriveScramCredentials, type ScramCredentials } from '../../../src/core/auth/scram-keys.js';
import {
  escapeSaslName,
  parseClientFinal,
  parseClientFirst,
  parseServerFirst,
  unescapeSaslName,
} from '../../../src/core/auth/scram-messages.js';
import { scramServerFinal, scramServerFirst, verifyScramPassword } from '../../../src/core/auth/scram-server.js';
import { AuthError } from '../../../src/core/errors.js';

// RFC 7677 section 3: user "user", password "pencil", the messages of its example exchange.
const RFC = {
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal:
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};

const FAST = 4096;

async function rfcCredentials(): Promise<ScramCredentials> {
  return deriveScramCredentials('pencil', { salt: decodeBase64('W22ZaJ0SNY7soEsUEjb6gQ=='), iterations: FAST });
}

async function expectAuthError(p: Promise<unknown>): Promise<void> {
  await expect(p).rejects.toBeInstanceOf(AuthError);
}

async function login(
  username: string,
  password: string,
  credentials: ScramCredentials,
  tamper: (clientFinal: string) => string = (m) => m,
): Promise<string> {
  const client = ScramClient.create({ username, password });
  const handshake = scramServerFirst(client.clientFirstMessage(), credentials);
  const clientFinal = tamper(await client.clientFinalMessage(handshake.serverFirst));
  const serverFinal = await scramServerFinal(handshake, clientFinal, credentials);
  client.verifyServerFinal(serverFinal);
  return serverFinal;
}

describe('RFC 7677 example exchange', () => {
  it('the client writes the RFC client messages and verifies the RFC server signature', async () => {
    const client = ScramClient.create({ username: 'user', password: 'pencil', clientNonce: 'rOprNGfwEbeRWgbNEkqO' });
    expect(client.clientFirstMessage()).toBe(RFC.clientFirst);
    expect(await client.clientFinalMessage(RFC.serverFirst)).toBe(RFC.clientFinal);
    expect(() => {
      client.verifyServerFinal(RFC.serverFinal);
    }).not.toThrow();
  });

  it('the server accepts the RFC proof and answers with the RFC signature', async () => {
    const creds = await rfcCredentials();
    const handshake = scramServerFirst(RFC.clientFirst, creds, { serverNonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0' });
    expect(handshake.serverFirst).toBe(RFC.serverFirst);
    expect(await scramServerFinal(handshake, RFC.clientFinal, creds)).toBe(RFC.serverFinal);
  });
});

describe('SCRAM round trip', () => {
  it('a client with the right password authenticates and verifies the server', async () => {
    const creds = await deriveScramCredentials('correct horse', { iterations: FAST });
    expect(await login('alice', 'correct horse', creds)).toMatch(/^v=/);
  });

  it('usernames with "," and "=" travel escaped as =2C and =3D', async () => {
    expect(escapeSaslName('a,b=c')).toBe('a=2Cb=3Dc');
    expect(unescapeSaslName('a=2Cb=3Dc')).toBe('a,b=c');
    const client = ScramClient.create({ username: 'a,b=c', password: 'pw' });
    const first = client.clientFirstMessage();
    expect(first).toMatch(/^n,,n=a=2Cb=3Dc,r=/);
    expect(parseClientFirst(first).username).toBe('a,b=c');
    const creds = await deriveScramCredentials('pw', { iterations: FAST });
    await expect(login('a,b=c', 'pw', creds)).resolves.toMatch(/^v=/);
  });

  it('a bad escape in a saslname is refused', () => {
    expect(() => unescapeSaslName('a=2Db')).toThrow(AuthError);
    expect(() => unescapeSaslName('a=')).toThrow(AuthError);
  });

  it('non-ASCII passwords are SASLprep-normalized on both sides (NFKC, non-ASCII spaces)', async () => {
    const creds = await deriveScramCredentials('ｐａｓｓ\u00A0word', { iterations: FAST });
    await expect(login('bob', 'pass word', creds)).resolves.toMatch(/^v=/);
    expect(await verifyScramPassword('pass word', creds)).toBe(true);
  });

  it('verifyScramPassword accepts the password and refuses others', async () => {
    const creds = await rfcCredentials();
    expect(await verifyScramPassword('pencil', creds)).toBe(true);
    expect(await verifyScramPassword('pencil2', creds)).toBe(false);
    expect(await verifyScramPassword('', creds)).toBe(false);
  });

  it('derived credentials use a fresh random salt each time', async () => {
    const a = await deriveScramCredentials('same', { iterations: FAST });
    const b = await deriveScramCredentials('same', { iterations: FAST });
    expect(encodeBase64(a.salt)).not.toBe(encodeBase64(b.salt));
    expect(a.salt.length).toBe(32);
  });

  it('weak iteration counts and empty passwords are refused when deriving credentials', async () => {
    await expect(deriveScramCredentials('pw', { iterations: 1000 })).rejects.toThrow();
    await expect(deriveScramCredentials('', { iterations: FAST })).rejects.toThrow();
  });
});

describe('SCRAM server rejects', () => {
  it('a wrong password', async () => {
    const creds = await deriveScramCredentials('right', { iterations: FAST });
    await expectAuthError(login('alice', 'wrong', creds));
  });

  it('a tampered proof (one bit flipped)', async () => {
    const creds = await rfcCredentials();
    const tamper = (m: string): string => {
      const i = m.indexOf(',p=') + 3;
      const proof = decodeBase64(m.slice(i));
      proof[0] = (proof[0] ?? 0) ^ 1;
      return m.slice(0, i) + encodeBase64(proof);
    };
    await expectAuthError(login('user', 'pencil', creds, tamper));
  });

  it('a truncated proof', async () => {
    const creds = await rfcCredentials();
    await expectAuthError(login('user', 'pencil', creds, (m) => m.replace(/p=.*$/, 'p=AAAA')));
  });

  it('a nonce other than the one the server sent', async () => {
    const creds = await rfcCredentials();
    const handshake = scramServerFirst(RFC.clientFirst, creds, { serverNonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0' });
    const wrongNonce = RFC.clientFinal.replace('$k0', '$k1');
    await expectAuthError(scramServerFinal(handshake, wrongNonce, creds));
  });

  it('the right proof replayed against a new handshake (different server nonce)', async () => {
    const creds = await rfcCredentials();
    const handshake = scramServerFirst(RFC.clientFirst, creds);
    await expectAuthError(scramServerFinal(handshake, RFC.clientFinal, creds));
  });

  it('a channel binding other than biws', async () => {
    const creds = await rfcCredentials();
    const handshake = scramServerFirst(RFC.clientFirst, creds, { serverNonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0' });
    await expectAuthError(scramServerFinal(handshake, RFC.clientFinal.replace('c=biws', 'c=eSws'), creds));
  });

  it('client-first messages that ask for channel binding, carry an authzid, or are malformed', () => {
    const creds = { salt: new Uint8Array(16), iterations: FAST };
    for (const bad of [
      'p=tls-unique,,n=user,r=abc',
      'n,a=admin,n=user,r=abc',
      'n,,m=ext,n=user,r=abc',
      'n,,n=user',
      'n,,r=abc,n=user',
      'n,,n=,r=abc',
      'n,,n=user,r=',
      'n,,n=user,r=a,b',
      'x,,n=user,r=abc',
      '',
    ]) {
      expect(() => scramServerFirst(bad, creds), bad).toThrow(AuthError);
    }
  });

  it('client-final messages without a proof, with the proof not last, or with bad base64', () => {
    for (const bad of ['c=biws,r=abc', 'c=biws,p=AAAA,r=abc', 'c=biws,r=abc,p=!!!!', 'r=abc,c=biws,p=AAAA']) {
      expect(() => parseClientFinal(bad), bad).toThrow(AuthError);
    }
  });
});

describe('SCRAM client rejects', () => {
  it('a server nonce that does not extend the client nonce', async () => {
    const client = ScramClient.create({ username: 'user', password: 'pencil', clientNonce: 'abc' });
    client.clientFirstMessage();
    await expectAuthError(client.clientFinalMessage('r=xyzabc,s=AAAAAAAAAAAAAAAAAAAAAA==,i=4096'));
  });

  it('a server nonce equal to the client nonce (no server part)', async () => {
    const client = ScramClient.create({ username: 'user', password: 'pencil', clientNonce: 'abc' });
    client.clientFirstMessage();
    await expectAuthError(client.clientFinalMessage('r=abc,s=AAAAAAAAAAAAAAAAAAAAAA==,i=4096'));
  });

  it('iteration counts below 4096 or above the cap', async () => {
    for (const i of ['1', '4095', '99999999']) {
      const client = ScramClient.create({ username: 'user', password: 'pencil', clientNonce: 'abc' });
      client.clientFirstMessage();
      await expectAuthError(client.clientFinalMessage(`r=abcdef,s=AAAAAAAAAAAAAAAAAAAAAA==,i=${i}`));
    }
  });

  it('a server signature that does not match', async () => {
    const client = ScramClient.create({ username: 'user', password: 'pencil', clientNonce: 'rOprNGfwEbeRWgbNEkqO' });
    client.clientFirstMessage();
    await client.clientFinalMessage(RFC.serverFirst);
    expect(() => {
      client.verifyServerFinal('v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
    }).toThrow(AuthError);
  });

  it('a server error e= and out-of-order calls', async () => {
    const client = ScramClient.create({ username: 'user', password: 'pencil', clientNonce: 'rOprNGfwEbeRWgbNEkqO' });
    expect(() => {
      client.verifyServerFinal(RFC.serverFinal);
    }).toThrow(AuthError);
    await expectAuthError(client.clientFinalMessage(RFC.serverFirst));
    client.clientFirstMessage();
    expect(() => client.clientFirstMessage()).toThrow(AuthError);
    await client.clientFinalMessage(RFC.serverFirst);
    expect(() => {
      client.verifyServerFinal('e=invalid-proof');
    }).toThrow(AuthError);
  });

  it('malformed server-first messages', () => {
    for (const bad of [
      'r=abc,s=AAAA,i=0',
      'r=abc,s=AAAA,i=04096',
      'r=abc,s=,i=4096',
      'r=abc,i=4096,s=AAAA',
      'm=x,r=abc,s=AAAA,i=4096',
      's=AAAA,r=abc,i=4096',
      'r=abc,s=AAAAA,i=4096',
      'r=abc,s=AA=A,i=4096',
    ]) {
      expect(() => parseServerFirst(bad), bad).toThrow(AuthError);
    }
  });
});
