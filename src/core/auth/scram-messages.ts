// Strict parsers and writers for the four SCRAM messages of RFC 5802 section 7, and saslname escaping.

import { AuthError } from '../errors.js';
import { decodeBase64Liberal, encodeBase64, utf8Encode } from './base64.js';

/** RFC 5802: the gs2-header this implementation sends and accepts: no channel binding, no authzid. */
export const GS2_HEADER = 'n,,';

/** RFC 5802: `c=` of client-final when the gs2-header is `n,,` (base64 of "n,,"). */
export const CHANNEL_BINDING_NONE = encodeBase64(utf8Encode(GS2_HEADER));

/** Longest SCRAM message accepted (far above real ones, which are a few hundred bytes). */
export const MAX_SCRAM_MESSAGE_LENGTH = 4096;

/** RFC 5802 section 5.1: saslname escapes ',' as `=2C` and '=' as `=3D`. */
export function escapeSaslName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/** Inverse of {@link escapeSaslName}; an `=` followed by anything but `2C`/`3D` fails (RFC 5802 section 5.1). */
export function unescapeSaslName(escaped: string): string {
  if (escaped.length === 0) throw new AuthError();
  let out = '';
  for (let i = 0; i < escaped.length; i++) {
    const c = escaped.charAt(i);
    if (c === ',') throw new AuthError();
    if (c === '=') {
      const code = escaped.slice(i + 1, i + 3);
      if (code === '2C') out += ',';
      else if (code === '3D') out += '=';
      else throw new AuthError();
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

/** RFC 5802: `printable = %x21-2B / %x2D-7E` (a nonce is 1*printable). */
export function isScramNonce(nonce: string): boolean {
  return /^[\x21-\x2B\x2D-\x7E]+$/.test(nonce);
}

interface Attr {
  readonly name: string;
  readonly value: string;
}

// RFC 5802: attr-val = ALPHA "=" value; value = 1*value-char (UTF-8 except NUL and ',').
function splitAttrs(message: string): Attr[] {
  if (message.length === 0 || message.length > MAX_SCRAM_MESSAGE_LENGTH || message.includes('\0')) {
    throw new AuthError();
  }
  return message.split(',').map((part) => {
    if (!/^[A-Za-z]=./s.test(part)) throw new AuthError();
    return { name: part.charAt(0), value: part.slice(2) };
  });
}

function expect(attrs: readonly Attr[], index: number, name: string): string {
  const attr = attrs[index];
  if (attr?.name !== name) throw new AuthError();
  return attr.value;
}

// RFC 5802: "m=" is reserved for future extensibility; a receiver that sees it MUST fail.
function rejectMandatoryExtension(attrs: readonly Attr[]): void {
  if (attrs[0]?.name === 'm') throw new AuthError();
}

// RFC 5802 says base64; clients also send base64url or drop the padding (phable strips '=' from p=), so read any.
function decodeB64(text: string): Uint8Array {
  try {
    return decodeBase64Liberal(text);
  } catch (err) {
    throw new AuthError(undefined, { cause: err });
  }
}

/** A parsed client-first-message. */
export interface ClientFirst {
  /** The gs2-header, always `n,,` or `y,,` here. */
  readonly gs2Header: string;
  /** client-first-message-bare, exactly as sent (it is part of the AuthMessage). */
  readonly bare: string;
  /** The username, unescaped. */
  readonly username: string;
  /** The client nonce. */
  readonly clientNonce: string;
}

/**
 * Parse `gs2-header client-first-message-bare`. Channel binding (`p=`) and an authzid are refused: HTTP
 * gives no channel to bind to, and Haystack has no separate authorization identity. `y` (client could bind
 * but thinks the server cannot) is accepted, which is correct for a server that never binds.
 */
export function parseClientFirst(message: string): ClientFirst {
  const flag = message.slice(0, 3);
  if (flag !== 'n,,' && flag !== 'y,,') throw new AuthError();
  const bare = message.slice(3);
  const attrs = splitAttrs(bare);
  rejectMandatoryExtension(attrs);
  const username = unescapeSaslName(expect(attrs, 0, 'n'));
  const clientNonce = expect(attrs, 1, 'r');
  if (!isScramNonce(clientNonce)) throw new AuthError();
  return { gs2Header: flag, bare, username, clientNonce };
}

/** Write a client-first-message-bare: `n=<saslname>,r=<nonce>`. */
export function formatClientFirstBare(username: string, clientNonce: string): string {
  return `n=${escapeSaslName(username)},r=${clientNonce}`;
}

/** A parsed server-first-message. */
export interface ServerFirst {
  /** Client nonce followed by the server's part. */
  readonly nonce: string;
  /** The salt (decoded from base64). */
  readonly salt: Uint8Array;
  /** The iteration count. */
  readonly iterations: number;
}

/** Parse `r=<nonce>,s=<base64 salt>,i=<count>[,extensions]`. */
export function parseServerFirst(message: string): ServerFirst {
  const attrs = splitAttrs(message);
  rejectMandatoryExtension(attrs);
  const nonce = expect(attrs, 0, 'r');
  if (!isScramNonce(nonce)) throw new AuthError();
  // Never empty: a value has at least one character, and base64 of one or more characters is bytes or an error.
  const salt = decodeB64(expect(attrs, 1, 's'));
  // RFC 5802: posit-number = %x31-39 *DIGIT
  const count = expect(attrs, 2, 'i');
  if (!/^[1-9][0-9]{0,9}$/.test(count)) throw new AuthError();
  const iterations = Number(count);
  if (iterations > 0x7fffffff) throw new AuthError();
  return { nonce, salt, iterations };
}

/** Write a server-first-message. */
export function formatServerFirst(nonce: string, salt: Uint8Array, iterations: number): string {
  return `r=${nonce},s=${encodeBase64(salt)},i=${iterations}`;
}

/** A parsed client-final-message. */
export interface ClientFinal {
  /** The `c=` attribute as sent: base64 of the gs2-header (no channel-binding data here). */
  readonly channelBinding: string;
  /** The full nonce (client's and server's). */
  readonly nonce: string;
  /** client-final-message-without-proof, exactly as sent (it ends the AuthMessage). */
  readonly withoutProof: string;
  /** The decoded ClientProof. */
  readonly proof: Uint8Array;
}

/** Parse `c=<base64>,r=<nonce>[,extensions],p=<base64 proof>`; the proof must come last. */
export function parseClientFinal(message: string): ClientFinal {
  const attrs = splitAttrs(message);
  const channelBinding = expect(attrs, 0, 'c');
  const nonce = expect(attrs, 1, 'r');
  if (!isScramNonce(nonce)) throw new AuthError();
  const last = attrs.length - 1;
  if (last < 2) throw new AuthError();
  const proofText = expect(attrs, last, 'p');
  const proof = decodeB64(proofText);
  for (let i = 2; i < last; i++) if ((attrs[i] as Attr).name === 'p') throw new AuthError();
  const withoutProof = message.slice(0, message.length - proofText.length - 3);
  return { channelBinding, nonce, withoutProof, proof };
}

/** Write a client-final-message-without-proof: `c=biws,r=<nonce>`. */
export function formatClientFinalWithoutProof(nonce: string): string {
  return `c=${CHANNEL_BINDING_NONE},r=${nonce}`;
}

/** Parse a server-final-message: `v=<base64 ServerSignature>`; an `e=` server error fails with `AuthError`. */
export function parseServerFinal(message: string): Uint8Array {
  const attrs = splitAttrs(message);
  return decodeB64(expect(attrs, 0, 'v'));
}

/** Write a server-final-message carrying the ServerSignature. */
export function formatServerFinal(serverSignature: Uint8Array): string {
  return `v=${encodeBase64(serverSignature)}`;
}
