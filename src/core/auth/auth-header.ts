// Codec of the Haystack auth headers (Auth chapter): Authorization, WWW-Authenticate and Authentication-Info values.

import { AuthError, ValueError } from '../errors.js';
import { decodeBase64LiberalText, encodeBase64UrlText } from './base64.js';
import { type ScramHash, toScramHash } from './scram-crypto.js';

/** Longest header value accepted (real ones are well under 1 KB); longer input fails before any parsing. */
export const MAX_AUTH_HEADER_LENGTH = 8192;

/** A scheme and its auth-params as read from the wire: scheme upper-cased, param names lower-cased. */
export interface AuthMessage {
  /** Auth scheme, upper-cased (`HELLO`, `SCRAM`, `BEARER`, `PLAINTEXT`, ...): RFC 7235 schemes are case-insensitive. */
  readonly scheme: string;
  /** Params by lower-cased name (RFC 7235 auth-param names are case-insensitive); values as sent. */
  readonly params: ReadonlyMap<string, string>;
}

/** Authorization credentials a Haystack client sends. */
export type AuthorizationCredentials =
  | {
      /** Auth chapter, Hello: names the user who wants to authenticate. */
      readonly scheme: 'HELLO';
      /** The username (carried as base64url of its UTF-8). */
      readonly username: string;
    }
  | {
      /** A SCRAM exchange step. */
      readonly scheme: 'SCRAM';
      /** The server's handshakeToken from its last challenge, when it sent one. */
      readonly handshakeToken: string | undefined;
      /** The SCRAM message (client-first or client-final), decoded from base64url. */
      readonly data: string;
    }
  | {
      /** Access with an auth token from a completed exchange. */
      readonly scheme: 'BEARER';
      /** The authToken the server returned in Authentication-Info. */
      readonly authToken: string;
    }
  | {
      /** Development-only password login (never offered unless a server enables it). */
      readonly scheme: 'PLAINTEXT';
      /** The username. */
      readonly username: string;
      /** The password. */
      readonly password: string;
    };

/** A challenge a Haystack server sends in WWW-Authenticate. */
export type AuthChallenge =
  | {
      /** Authenticate with SCRAM. */
      readonly scheme: 'SCRAM';
      /** Hash function to use. */
      readonly hash: ScramHash;
      /** Token to echo in the next request, when the server sent one. */
      readonly handshakeToken: string | undefined;
      /** The server-first-message, decoded; absent in the answer to HELLO. */
      readonly data: string | undefined;
    }
  | {
      /** Authenticate with PLAINTEXT (development servers only). */
      readonly scheme: 'PLAINTEXT';
    }
  | {
      /** No valid credentials: start over with a HELLO. */
      readonly scheme: 'HELLO';
    };

/** The Authentication-Info of a successful exchange. */
export interface AuthenticationInfo {
  /** Token to send as `BEARER authToken=...` from now on. */
  readonly authToken: string;
  /** SCRAM hash function (SCRAM only). */
  readonly hash: ScramHash | undefined;
  /** The server-final-message, decoded (SCRAM only); the client should verify it. */
  readonly data: string | undefined;
}

// RFC 7230 section 3.2.6: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Auth chapter: auth-param = token BWS "=" BWS token (no quoted-string). Values may also hold '/' and end in '='
// padding (RFC 7235 token68): clients that send standard base64 keep both (phable spells "Zoë" Wm/Dqw).
const VALUE = /^[!#$%&'*+\-./^_`|~0-9A-Za-z]+={0,2}$/;
const PARAM = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)[ \t]*=[ \t]*([!#$%&'*+\-./^_`|~0-9A-Za-z]+={0,2})$/;
// Auth chapter: credentials / challenge = auth-scheme [ 1*SP #auth-param ] (no token68).
const SCHEME_START = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)(?: +(.*))?$/s;

const FAST_BEARER = /^BEARER authToken=([!#$%&'*+\-.^_`|~0-9A-Za-z]{1,512})$/;
// RFC 6750's `Bearer <token68>`, the form generic HTTP tools send, for the same token as `BEARER authToken=...`.
const RFC6750_BEARER = /^bearer +([-._~+/0-9A-Za-z]{1,512}={0,2})$/i;

/** True when `s` is an RFC 7230 token (the only value syntax the Auth chapter allows). */
export function isAuthToken(s: string): boolean {
  return TOKEN.test(s);
}

function bad(cause?: unknown): AuthError {
  return new AuthError('Invalid authentication header', cause === undefined ? undefined : { cause });
}

function checkLength(value: string): string {
  if (value.length > MAX_AUTH_HEADER_LENGTH) throw bad();
  return value.trim();
}

// RFC 7235: auth-param = token BWS "=" BWS ( token / quoted-string ); quoted-string per RFC 7230 section 3.2.6.
const QUOTED_PARAM = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)[ \t]*=[ \t]*"((?:[^"\\]|\\.)*)"$/s;
const QUOTED = /"(?:[^"\\]|\\.)*"/g;
// RFC 7235: token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=", a challenge's only data.
const TOKEN68 = /^[-._~+/0-9A-Za-z]+=*$/;

// `quoted`: also take RFC 7235's quoted-string values (unescaped), which servers' headers may carry; the Auth
// chapter forbids them, so what a client sends (read by the server) stays token-only.
function addParam(params: Map<string, string>, element: string, quoted = false): void {
  const token = PARAM.exec(element);
  const m = token ?? (quoted ? QUOTED_PARAM.exec(element) : null);
  if (m === null) throw bad();
  const name = (m[1] as string).toLowerCase();
  // A repeated param is ambiguous: refuse rather than pick one.
  if (params.has(name)) throw bad();
  // RFC 7230: quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ), standing for that character.
  params.set(name, token === null ? (m[2] as string).replace(/\\(.)/gs, '$1') : (m[2] as string));
}

// RFC 7230 section 7: a #list may hold empty elements, which recipients ignore; a comma inside a quoted-string
// does not split it.
function listElements(text: string): string[] {
  // A '"' that opens no complete quoted-string would otherwise vanish from the elements: refuse it.
  if (text.replace(QUOTED, '').includes('"')) throw bad();
  return (text.match(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g) ?? []).map((e) => e.trim()).filter((e) => e.length > 0);
}

// A value the client must send back or on (handshakeToken, authToken) has to fit a header param again.
function sendable<T extends string | undefined>(value: T): T {
  if (value !== undefined && !VALUE.test(value)) throw bad();
  return value;
}

/** Parse a bare `#auth-param` list (the Authentication-Info syntax) into params by lower-cased name; values may be quoted. */
export function parseAuthParams(value: string): ReadonlyMap<string, string> {
  const params = new Map<string, string>();
  for (const element of listElements(checkLength(value))) addParam(params, element, true);
  return params;
}

/** Parse one credentials value (`SCHEME [param=value, ...]`); throws `AuthError` on any syntax error. */
export function parseAuthMessage(value: string): AuthMessage {
  const m = SCHEME_START.exec(checkLength(value));
  if (m === null) throw bad();
  const params = new Map<string, string>();
  if (m[2] !== undefined) for (const element of listElements(m[2])) addParam(params, element);
  return { scheme: (m[1] as string).toUpperCase(), params };
}

/**
 * Parse a list of challenges (the WWW-Authenticate syntax: several schemes may follow each other). Values may be
 * quoted, and a challenge may carry token68 instead of params (other schemes than Haystack's do): it is dropped.
 */
export function parseAuthMessages(value: string): readonly AuthMessage[] {
  const out: { scheme: string; params: Map<string, string> }[] = [];
  for (const element of listElements(checkLength(value))) {
    if (PARAM.test(element) || QUOTED_PARAM.test(element)) {
      // A param belongs to the challenge before it.
      const current = out[out.length - 1];
      if (current === undefined) throw bad();
      addParam(current.params, element, true);
      continue;
    }
    const m = SCHEME_START.exec(element);
    if (m === null) throw bad();
    const params = new Map<string, string>();
    const first = m[2];
    if (first !== undefined && (PARAM.test(first) || !TOKEN68.test(first))) addParam(params, first, true);
    out.push({ scheme: (m[1] as string).toUpperCase(), params });
  }
  if (out.length === 0) throw bad();
  return out;
}

/** Write `SCHEME name=value, name=value` in the given order; throws `ValueError` as {@link formatAuthParams} does, or on a non-token scheme. */
export function formatAuthMessage(scheme: string, params: readonly (readonly [string, string])[] = []): string {
  if (!TOKEN.test(scheme)) throw new ValueError(`Auth scheme is not a token: ${JSON.stringify(scheme)}`);
  return params.length === 0 ? scheme : `${scheme} ${formatAuthParams(params)}`;
}

/**
 * Write `name=value, name=value` in the given order; throws `ValueError` on a non-token name or a value that is
 * neither a token nor token68 (a server's handshakeToken is echoed as it came).
 */
export function formatAuthParams(params: readonly (readonly [string, string])[]): string {
  return params
    .map(([name, val]) => {
      if (!TOKEN.test(name) || !VALUE.test(val)) {
        throw new ValueError(`Auth param is not token=token: ${JSON.stringify(name)}`);
      }
      return `${name}=${val}`;
    })
    .join(', ');
}

function required(params: ReadonlyMap<string, string>, name: string): string {
  const v = params.get(name.toLowerCase());
  if (v === undefined) throw bad();
  return v;
}

// Auth chapter values are base64url without padding; real clients also send standard base64 and padding (phable
// pads nothing but uses the standard alphabet), so any of these is read, and only base64url is written. The value
// must be sendable (a quoted one too), and no such value decodes to empty text: the text is never empty.
function text(params: ReadonlyMap<string, string>, name: string): string {
  try {
    return decodeBase64LiberalText(sendable(required(params, name)));
  } catch (err) {
    throw err instanceof AuthError ? err : bad(err);
  }
}

function optionalText(params: ReadonlyMap<string, string>, name: string): string | undefined {
  return params.has(name.toLowerCase()) ? text(params, name) : undefined;
}

function optionalHash(params: ReadonlyMap<string, string>): ScramHash | undefined {
  const v = params.get('hash');
  return v === undefined ? undefined : toScramHash(v);
}

/**
 * Parse an Authorization value into typed Haystack credentials. Usernames, passwords and SCRAM data are
 * decoded from base64url (standard base64 and padding are accepted too); a token may also come as RFC 6750's
 * `Bearer <token>`. Any syntax error, unknown scheme or missing param fails with the same
 * `AuthError`, never naming the part that failed. Unknown extra params are ignored.
 */
export function parseAuthorization(value: string): AuthorizationCredentials {
  // Fast path for the header every authenticated request carries, in the exact form the Auth chapter shows.
  const bearer = FAST_BEARER.exec(value);
  if (bearer !== null) return { scheme: 'BEARER', authToken: bearer[1] as string };
  const bare = RFC6750_BEARER.exec(value.trim());
  if (bare !== null) return { scheme: 'BEARER', authToken: bare[1] as string };
  const { scheme, params } = parseAuthMessage(value);
  switch (scheme) {
    case 'HELLO':
      return { scheme, username: text(params, 'username') };
    case 'SCRAM':
      return { scheme, handshakeToken: params.get('handshaketoken'), data: text(params, 'data') };
    case 'BEARER':
      return { scheme, authToken: required(params, 'authToken') };
    case 'PLAINTEXT':
      return { scheme, username: text(params, 'username'), password: text(params, 'password') };
    default:
      throw bad();
  }
}

/** Write an Authorization value, in the Auth chapter's form (e.g. `HELLO username=dXNlcg`). */
export function formatAuthorization(credentials: AuthorizationCredentials): string {
  switch (credentials.scheme) {
    case 'HELLO':
      return formatAuthMessage('HELLO', [['username', encodeBase64UrlText(credentials.username)]]);
    case 'SCRAM': {
      const data: [string, string] = ['data', encodeBase64UrlText(credentials.data)];
      const token = credentials.handshakeToken;
      return formatAuthMessage('SCRAM', token === undefined ? [data] : [['handshakeToken', token], data]);
    }
    case 'BEARER':
      return formatAuthMessage('BEARER', [['authToken', credentials.authToken]]);
    case 'PLAINTEXT':
      return formatAuthMessage('PLAINTEXT', [
        ['username', encodeBase64UrlText(credentials.username)],
        ['password', encodeBase64UrlText(credentials.password)],
      ]);
  }
}

/**
 * Parse a WWW-Authenticate value into the challenges this library understands, in the server's order of
 * preference; challenges of other schemes are skipped. Throws `AuthError` on a syntax error.
 */
export function parseWwwAuthenticate(value: string): readonly AuthChallenge[] {
  const out: AuthChallenge[] = [];
  for (const { scheme, params } of parseAuthMessages(value)) {
    if (scheme === 'SCRAM') {
      const hash = optionalHash(params);
      if (hash === undefined) throw bad();
      out.push({
        scheme,
        hash,
        handshakeToken: sendable(params.get('handshaketoken')),
        data: optionalText(params, 'data'),
      });
    } else if (scheme === 'PLAINTEXT' || scheme === 'HELLO') {
      out.push({ scheme });
    }
  }
  return out;
}

/**
 * Write one challenge as the Auth chapter shows it: the answer to HELLO is `SCRAM hash=SHA-256,
 * handshakeToken=...`, the server-first step `SCRAM handshakeToken=..., hash=SHA-256, data=...`.
 */
export function formatChallenge(challenge: AuthChallenge): string {
  if (challenge.scheme !== 'SCRAM') return formatAuthMessage(challenge.scheme);
  const { hash, handshakeToken, data } = challenge;
  const token: [string, string][] = handshakeToken === undefined ? [] : [['handshakeToken', handshakeToken]];
  if (data === undefined) return formatAuthMessage('SCRAM', [['hash', hash], ...token]);
  return formatAuthMessage('SCRAM', [...token, ['hash', hash], ['data', encodeBase64UrlText(data)]]);
}

/** Write several challenges, most preferred first (RFC 7235: a comma-separated list). */
export function formatWwwAuthenticate(challenges: readonly AuthChallenge[]): string {
  return challenges.map(formatChallenge).join(', ');
}

/** Parse an Authentication-Info value (`authToken=..., hash=..., data=...`); throws `AuthError` without an authToken. */
export function parseAuthenticationInfo(value: string): AuthenticationInfo {
  const params = parseAuthParams(value);
  return {
    authToken: sendable(required(params, 'authToken')),
    hash: optionalHash(params),
    data: optionalText(params, 'data'),
  };
}

/** Write an Authentication-Info value: `authToken=...` then, for SCRAM, `hash=...` and `data=<server-final>`. */
export function formatAuthenticationInfo(info: {
  readonly authToken: string;
  readonly hash?: ScramHash | undefined;
  readonly data?: string | undefined;
}): string {
  const params: [string, string][] = [['authToken', info.authToken]];
  if (info.hash !== undefined) params.push(['hash', info.hash]);
  if (info.data !== undefined) params.push(['data', encodeBase64UrlText(info.data)]);
  return formatAuthParams(params);
}
