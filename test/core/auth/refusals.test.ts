// Every refusal of the core auth codecs: SASLprep's prohibited output, malformed SCRAM messages, bad base64, bad
// headers and options, and a platform without WebCrypto; each refused with its typed error, never a wrong answer.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatChallenge, isAuthToken, parseAuthMessages } from '../../../src/core/auth/auth-header.js';
import { decodeBase64, decodeBase64Liberal } from '../../../src/core/auth/base64.js';
import { timingSafeEqual } from '../../../src/core/auth/constant-time.js';
import { generatePassword } from '../../../src/core/auth/generate-password.js';
import { saslPrep } from '../../../src/core/auth/saslprep.js';
import { ScramClient } from '../../../src/core/auth/scram-client.js';
import { digest, xorBytes } from '../../../src/core/auth/scram-crypto.js';
import {
  DEFAULT_SCRAM_ITERATIONS,
  deriveScramCredentials,
  isWellFormedScramCredentials,
} from '../../../src/core/auth/scram-keys.js';
import {
  parseClientFinal,
  parseClientFirst,
  parseServerFinal,
  parseServerFirst,
  unescapeSaslName,
} from '../../../src/core/auth/scram-messages.js';
import { scramServerFirst, verifyScramPassword } from '../../../src/core/auth/scram-server.js';
import { AuthError, ValueError } from '../../../src/core/errors.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('SASLprep', () => {
  it.each([
    ['a C0 control', 'pass\u0001word'],
    ['DEL', 'pass\u007Fwörd'],
    ['a C1 control', 'pass\u0085word'],
    ['ARABIC END OF AYAH', 'pass\u06DDword'],
    ['a line separator', 'pass\u2028word'],
    ['an invisible operator', 'pass\u2061word'],
    ['a deprecated format character', 'pass\u206Aword'],
    ['private use', 'pass\uE000word'],
    ['an interlinear annotation', 'pass\uFFF9word'],
    ['the non-character U+FFFE', 'pass\uFFFEword'],
    ['the non-character U+FFFF', 'pass\uFFFFword'],
    ['a lone high surrogate', 'pass\uD800word'],
    ['a high surrogate at the end', 'password\uD800'],
    ['a lone low surrogate', 'pass\uDC00word'],
  ])('refuses %s', (_, password) => {
    expect(() => saslPrep(password)).toThrow(ValueError);
  });

  it('maps, normalizes and keeps what is allowed (accents, a surrogate pair, wide letters)', () => {
    expect(saslPrep('p\u00ADässwörd\u00A0\uD83D\uDE00')).toBe('pässwörd \uD83D\uDE00');
    expect(saslPrep('\uFF21\u2163\u2060x')).toBe('AIVx');
    expect(saslPrep('plain ASCII ~')).toBe('plain ASCII ~');
  });
});

describe('SCRAM messages', () => {
  it('refuses a saslname that is empty or holds a bare comma', () => {
    expect(() => unescapeSaslName('')).toThrow(AuthError);
    expect(() => unescapeSaslName('a,b')).toThrow(AuthError);
    expect(unescapeSaslName('a=2Cb=3D')).toBe('a,b=');
  });

  it.each([
    ['an empty message', ''],
    ['a message longer than the limit', `v=${'A'.repeat(5000)}`],
    ['a NUL', 'v=AA\0A'],
    ['an attribute without a value', 'v='],
    ['an attribute name that is not a letter', '1=AAAA'],
  ])('refuses %s', (_, message) => {
    expect(() => parseServerFinal(message)).toThrow(AuthError);
  });

  it('refuses a client-first nonce with a character outside printable', () => {
    expect(() => parseClientFirst('n,,n=user,r=abc def')).toThrow(AuthError);
  });

  it('refuses a server-first with a bad nonce, bad salt or an iteration count past 2^31-1', () => {
    expect(() => parseServerFirst('r=ab cd,s=QUJD,i=4096')).toThrow(AuthError);
    expect(() => parseServerFirst('r=abcd,s=Q,i=4096')).toThrow(AuthError);
    expect(() => parseServerFirst('r=abcd,s=QUJD,i=2147483648')).toThrow(AuthError);
    expect(parseServerFirst('r=abcd,s=QUJD,i=2147483647').iterations).toBe(2147483647);
  });

  it('refuses a client-final with a bad nonce or a proof that is not last', () => {
    expect(() => parseClientFinal('c=biws,r=ab cd,p=AAAA')).toThrow(AuthError);
    expect(() => parseClientFinal('c=biws,r=abcd,p=AAAA,p=AAAA')).toThrow(AuthError);
    expect(parseClientFinal('c=biws,r=abcd,x=1,p=AAAA').withoutProof).toBe('c=biws,r=abcd,x=1');
  });

  it('refuses a server nonce outside printable', () => {
    expect(() =>
      scramServerFirst('n,,n=user,r=abc', { salt: new Uint8Array(16), iterations: 4096 }, { serverNonce: 'a,b' }),
    ).toThrow(AuthError);
  });
});

describe('SCRAM client and keys', () => {
  it('refuses an empty username or password, and a client nonce outside printable', () => {
    expect(() => ScramClient.create({ username: '', password: 'p' })).toThrow(AuthError);
    expect(() => ScramClient.create({ username: 'u', password: '' })).toThrow(AuthError);
    expect(() => ScramClient.create({ username: 'u', password: 'p', clientNonce: 'a b' })).toThrow(AuthError);
    expect(ScramClient.create({ username: 'u', password: 'p' }).hash).toBe('SHA-256');
    expect(ScramClient.create({ username: 'u', password: 'p', hash: 'SHA-512' }).hash).toBe('SHA-512');
  });

  it('refuses an empty salt; uses the default iterations when none are given', async () => {
    await expect(
      deriveScramCredentials('pencil', { salt: new Uint8Array(0), iterations: 4096 }),
    ).rejects.toBeInstanceOf(ValueError);
    const c = await deriveScramCredentials('pencil', { salt: new Uint8Array(16) });
    expect(c.iterations).toBe(DEFAULT_SCRAM_ITERATIONS);
  });

  it('tells malformed stored credentials from well-formed ones, one fault at a time', async () => {
    const c = await deriveScramCredentials('pencil', { salt: new Uint8Array(16), iterations: 4096 });
    expect(isWellFormedScramCredentials(c)).toBe(true);
    for (const bad of [
      { ...c, storedKey: new Uint8Array(31) },
      { ...c, serverKey: new Uint8Array(33) },
      { ...c, salt: new Uint8Array(0) },
      { ...c, iterations: 1.5 },
      { ...c, iterations: 0 },
    ]) {
      expect(isWellFormedScramCredentials(bad)).toBe(false);
    }
  });

  it('a password that SASLprep refuses matches nothing; generated passwords are 32 base64url characters', async () => {
    const c = await deriveScramCredentials('pencil', { salt: new Uint8Array(16), iterations: 4096 });
    expect(await verifyScramPassword('pen\u0001cil', c)).toBe(false);
    expect(await verifyScramPassword('pencil', c)).toBe(true);
    expect(generatePassword()).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(generatePassword()).not.toBe(generatePassword());
  });

  it('refuses to XOR arrays of different lengths, and compares different lengths as unequal', () => {
    expect(() => xorBytes(new Uint8Array(2), new Uint8Array(3))).toThrow(AuthError);
    expect(xorBytes(Uint8Array.of(1, 2), Uint8Array.of(3, 2))).toEqual(Uint8Array.of(2, 0));
    expect(timingSafeEqual(new Uint8Array(2), new Uint8Array(3))).toBe(false);
  });

  it('fails with AuthError where WebCrypto is missing (an insecure browser origin)', async () => {
    vi.stubGlobal('crypto', {});
    await expect(digest('SHA-256', new Uint8Array(1))).rejects.toBeInstanceOf(AuthError);
  });
});

describe('base64 and headers', () => {
  it('refuses characters outside ASCII in base64', () => {
    expect(() => decodeBase64('é===')).toThrow(ValueError);
    expect(() => decodeBase64Liberal('QUJé')).toThrow(ValueError);
  });

  it('tells tokens from other text', () => {
    expect(isAuthToken('abc-1.2_~')).toBe(true);
    expect(isAuthToken('a b')).toBe(false);
    expect(isAuthToken('')).toBe(false);
  });

  it('refuses a challenge list element that is neither a scheme nor a param', () => {
    expect(() => parseAuthMessages('@@@')).toThrow(AuthError);
  });

  it('writes a SCRAM challenge without a handshake token', () => {
    expect(formatChallenge({ scheme: 'SCRAM', hash: 'SHA-256', handshakeToken: undefined, data: undefined })).toBe(
      'SCRAM hash=SHA-256',
    );
    expect(formatChallenge({ scheme: 'SCRAM', hash: 'SHA-256', handshakeToken: undefined, data: 'r=x' })).toBe(
      'SCRAM hash=SHA-256, data=cj14',
    );
  });
});
