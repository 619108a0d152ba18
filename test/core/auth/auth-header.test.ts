// Haystack auth-header codec: round trips of every header, case-insensitivity, lists of challenges, and refusals.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AuthorizationCredentials,
  formatAuthMessage,
  formatAuthorization,
  formatWwwAuthenticate,
  MAX_AUTH_HEADER_LENGTH,
  parseAuthenticationInfo,
  parseAuthMessages,
  parseAuthorization,
  parseWwwAuthenticate,
} from '../../../src/core/auth/auth-header.js';
import { AuthError, ValueError } from '../../../src/core/errors.js';

const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 });

describe('Authorization round trips', () => {
  it('any username, password, token and SCRAM data survive format then parse', () => {
    fc.assert(
      fc.property(text, text, fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/), (a, b, token) => {
        const all: AuthorizationCredentials[] = [
          { scheme: 'HELLO', username: a },
          { scheme: 'SCRAM', handshakeToken: token, data: a },
          { scheme: 'SCRAM', handshakeToken: undefined, data: b },
          { scheme: 'BEARER', authToken: token },
          { scheme: 'PLAINTEXT', username: a, password: b },
        ];
        for (const c of all) expect(parseAuthorization(formatAuthorization(c))).toEqual(c);
      }),
    );
  });

  it('schemes and param names are case-insensitive, order-free, with optional spaces around "="', () => {
    expect(parseAuthorization('hello USERNAME = dXNlcg')).toEqual({ scheme: 'HELLO', username: 'user' });
    expect(parseAuthorization('bearer authtoken=abc')).toEqual({ scheme: 'BEARER', authToken: 'abc' });
    expect(parseAuthorization('scram data=bixuPXUscj1h,handshakeToken=t1')).toEqual({
      scheme: 'SCRAM',
      handshakeToken: 't1',
      data: 'n,n=u,r=a',
    });
  });

  it('reads base64 values in either alphabet, padded or not (what real clients send)', () => {
    // "user?>" encodes to dXNlcj8+ (base64) and dXNlcj8- (base64url); "user" needs padding: dXNlcg==.
    for (const v of ['dXNlcj8+', 'dXNlcj8-']) {
      expect(parseAuthorization(`HELLO username=${v}`)).toEqual({ scheme: 'HELLO', username: 'user?>' });
    }
    for (const v of ['dXNlcg', 'dXNlcg==']) {
      expect(parseAuthorization(`HELLO username=${v}`)).toEqual({ scheme: 'HELLO', username: 'user' });
    }
    expect(parseAuthorization('SCRAM data=bixuPXUscj1h, handshakeToken=t1')).toMatchObject({ data: 'n,n=u,r=a' });
  });

  it('reads values with "/" (RFC 7235 token68): standard base64 holds it, e.g. "Zoë" is Wm/Dqw', () => {
    for (const v of ['Wm/Dqw', 'Wm/Dqw==', 'Wm_Dqw']) {
      expect(parseAuthorization(`HELLO username=${v}`)).toEqual({ scheme: 'HELLO', username: 'Zoë' });
    }
    expect(parseAuthorization('BEARER authToken=ab/c+d==')).toEqual({ scheme: 'BEARER', authToken: 'ab/c+d==' });
    const scram = { scheme: 'SCRAM', handshakeToken: 'h/1=', data: 'n,,n=u,r=a' } as const;
    expect(parseAuthorization(formatAuthorization(scram))).toEqual(scram);
  });

  it("reads RFC 6750's `Bearer <token>`, the form generic HTTP tools send, as the same token", () => {
    expect(parseAuthorization('Bearer abc')).toEqual({ scheme: 'BEARER', authToken: 'abc' });
    expect(parseAuthorization('bearer  ab/c+d==')).toEqual({ scheme: 'BEARER', authToken: 'ab/c+d==' });
  });

  it('unknown extra params are ignored', () => {
    expect(parseAuthorization('BEARER authToken=abc, foo=bar')).toEqual({ scheme: 'BEARER', authToken: 'abc' });
  });
});

describe('Authorization refusals are AuthErrors', () => {
  const bad = [
    '',
    'HELLO',
    'HELLO username=',
    'HELLO username="dXNlcg"',
    'HELLO username=dXNlcg===',
    'HELLO username=dXNlc=g',
    'HELLO username=dXNlcg=',
    'HELLO username=dXNlcg, username=dXNlcg',
    'HELLO username=!!!',
    'Basic dXNlcjpwYXNz',
    'Basic dXNlcjpwYXNz==',
    'BEARER',
    'BEARER token=abc',
    'Bearer a b',
    'Bearer abc===',
    `Bearer ${'a'.repeat(513)}`,
    'SCRAM handshakeToken=abc',
    'NEGOTIATE abc=def',
    'HELLO\tusername=dXNlcg',
    `BEARER authToken=${'a'.repeat(MAX_AUTH_HEADER_LENGTH)}`,
    'PLAINTEXT username=dXNlcg',
  ];
  for (const value of bad) {
    it(`refuses ${JSON.stringify(value.slice(0, 40))}`, () => {
      expect(() => parseAuthorization(value)).toThrow(AuthError);
    });
  }

  it('the error never names the part that failed', () => {
    const messages = new Set<string>();
    for (const value of bad) {
      try {
        parseAuthorization(value);
      } catch (err) {
        messages.add((err as Error).message);
      }
    }
    expect(messages.size).toBe(1);
  });
});

describe('WWW-Authenticate', () => {
  it('reads several challenges in order and skips schemes it does not know', () => {
    const value = 'SCRAM hash=SHA-256, handshakeToken=abc, Negotiate foo=bar, PLAINTEXT';
    expect(parseAuthMessages(value).map((m) => m.scheme)).toEqual(['SCRAM', 'NEGOTIATE', 'PLAINTEXT']);
    expect(parseWwwAuthenticate(value)).toEqual([
      { scheme: 'SCRAM', hash: 'SHA-256', handshakeToken: 'abc', data: undefined },
      { scheme: 'PLAINTEXT' },
    ]);
  });

  it('skips challenges of other schemes in any RFC 7235 form: quoted-string params, token68, a comma in quotes', () => {
    const scram = { scheme: 'SCRAM', hash: 'SHA-256', handshakeToken: 'abc', data: undefined };
    // Two WWW-Authenticate fields arrive joined by ", " (fetch's Headers.get).
    for (const value of [
      'Basic realm="haystack, inc", SCRAM hash=SHA-256, handshakeToken=abc',
      'SCRAM hash=SHA-256, handshakeToken=abc, Basic realm="a \\"quoted\\" realm"',
      'Negotiate, NTLM, Bearer realm="api", error="invalid_token", SCRAM hash=SHA-256, handshakeToken=abc',
      'Negotiate YIIabc/+==, SCRAM hash=SHA-256, handshakeToken=abc',
    ]) {
      expect(parseWwwAuthenticate(value)).toEqual([scram]);
    }
    expect(parseWwwAuthenticate('Basic realm="haystack"')).toEqual([]);
  });

  it('reads quoted SCRAM values as their tokens (RFC 7235: token and quoted-string are the same value)', () => {
    expect(parseWwwAuthenticate('SCRAM hash="SHA-256", handshakeToken="abc", data="cj1h"')).toEqual([
      { scheme: 'SCRAM', hash: 'SHA-256', handshakeToken: 'abc', data: 'r=a' },
    ]);
    expect(() => parseWwwAuthenticate('SCRAM hash=SHA-256, handshakeToken="a b"')).toThrow(AuthError);
    expect(() => parseWwwAuthenticate('SCRAM hash=SHA-256, data=""')).toThrow(AuthError);
    expect(() => parseAuthenticationInfo('authToken=abc, data=""')).toThrow(AuthError);
    expect(() => parseWwwAuthenticate('SCRAM hash=SHA-256, handshakeToken=abc, Basic realm="open')).toThrow(AuthError);
    expect(() => parseWwwAuthenticate('SCRAM hash=SHA-256, handshakeToken=a"b"')).toThrow(AuthError);
  });

  it('formats a list of challenges that reads back the same', () => {
    const list = [
      { scheme: 'SCRAM', hash: 'SHA-512', handshakeToken: 'x1', data: undefined },
      { scheme: 'PLAINTEXT' },
      { scheme: 'HELLO' },
    ] as const;
    expect(formatWwwAuthenticate(list)).toBe('SCRAM hash=SHA-512, handshakeToken=x1, PLAINTEXT, HELLO');
    expect(parseWwwAuthenticate(formatWwwAuthenticate(list))).toEqual(list);
  });

  it('refuses a SCRAM challenge without a supported hash, and params before any scheme', () => {
    expect(() => parseWwwAuthenticate('SCRAM handshakeToken=abc')).toThrow(AuthError);
    expect(() => parseWwwAuthenticate('SCRAM hash=MD5')).toThrow(AuthError);
    expect(() => parseWwwAuthenticate('hash=SHA-256')).toThrow(AuthError);
    expect(() => parseWwwAuthenticate(' , ')).toThrow(AuthError);
  });
});

describe('Authentication-Info', () => {
  it('needs an authToken', () => {
    expect(() => parseAuthenticationInfo('hash=SHA-256')).toThrow(AuthError);
    expect(parseAuthenticationInfo('authToken=abc').authToken).toBe('abc');
  });

  it('reads quoted values, and refuses a quoted authToken that is no token', () => {
    expect(parseAuthenticationInfo('authToken="abc", hash="SHA-256"')).toMatchObject({
      authToken: 'abc',
      hash: 'SHA-256',
    });
    expect(() => parseAuthenticationInfo('authToken="a b"')).toThrow(AuthError);
  });

  it('reads a token68 authToken, "/" and padding included', () => {
    expect(parseAuthenticationInfo('authToken=a+b/c==, hash=SHA-256').authToken).toBe('a+b/c==');
  });
});

describe('formatting refuses values that are not tokens', () => {
  it('throws ValueError on a non-token scheme, name or value', () => {
    expect(() => formatAuthMessage('BAD SCHEME')).toThrow(ValueError);
    expect(() => formatAuthMessage('BEARER', [['authToken', 'a=b']])).toThrow(ValueError);
    expect(() => formatAuthorization({ scheme: 'BEARER', authToken: 'with space' })).toThrow(ValueError);
  });
});
