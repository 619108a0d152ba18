// base64 (RFC 4648 section 4) and base64url (section 5) codecs on byte arrays: strict ones, a liberal one, UTF-8 helpers.

import { ValueError } from '../errors.js';

const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function decodeTable(alphabet: string): Int8Array {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
}

// Pure, so that a bundle which never decodes strictly (the client) leaves the tables out.
const STD_DECODE = /* @__PURE__ */ decodeTable(STD);
const URL_DECODE = /* @__PURE__ */ decodeTable(URL);
// Both alphabets at once (62 is '+' or '-', 63 is '/' or '_'), as Haxall's decoder reads them.
const ANY_DECODE = decodeTable(STD);
ANY_DECODE[45] = 62;
ANY_DECODE[95] = 63;

/** Whether `=` padding must be there (base64), must not (base64url), or may (what real clients send). */
type Padding = 'required' | 'forbidden' | 'optional';

function encode(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = '';
  const n = bytes.length;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out +=
      alphabet.charAt(v >> 18) +
      alphabet.charAt((v >> 12) & 63) +
      alphabet.charAt((v >> 6) & 63) +
      alphabet.charAt(v & 63);
  }
  const rest = n - i;
  if (rest === 1) {
    const v = (bytes[i] as number) << 16;
    out += alphabet.charAt(v >> 18) + alphabet.charAt((v >> 12) & 63) + (pad ? '==' : '');
  } else if (rest === 2) {
    const v = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out +=
      alphabet.charAt(v >> 18) + alphabet.charAt((v >> 12) & 63) + alphabet.charAt((v >> 6) & 63) + (pad ? '=' : '');
  }
  return out;
}

function decode(text: string, table: Int8Array, padding: Padding, what: string): Uint8Array {
  let len = text.length;
  if (padding === 'required' || (padding === 'optional' && text.endsWith('='))) {
    // RFC 4648 section 4: padded output is always a multiple of 4 characters, with at most two '='.
    if (len % 4 !== 0) throw new ValueError(`Invalid ${what}`);
    if (len > 0 && text.charCodeAt(len - 1) === 61) len--;
    if (len > 0 && text.charCodeAt(len - 1) === 61) len--;
  }
  // A single leftover character carries only 6 bits: never a valid encoding.
  if (len % 4 === 1) throw new ValueError(`Invalid ${what}`);
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? (table[c] as number) : -1;
    if (v < 0) throw new ValueError(`Invalid ${what}`);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  // RFC 4648 section 3.5: the unused trailing bits must be zero (canonical encoding only).
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) throw new ValueError(`Invalid ${what}`);
  return out;
}

/** Standard base64 with `=` padding (RFC 4648 section 4). */
export function encodeBase64(bytes: Uint8Array): string {
  return encode(bytes, STD, true);
}

/** Decode standard padded base64; throws `ValueError` on any non-canonical input (no whitespace allowed). */
export function decodeBase64(text: string): Uint8Array {
  return decode(text, STD_DECODE, 'required', 'base64');
}

/** base64url without padding (RFC 4648 section 5), as the Haystack Auth chapter requires for header params. */
export function encodeBase64Url(bytes: Uint8Array): string {
  return encode(bytes, URL, false);
}

/** Decode unpadded base64url; throws `ValueError` on padding, foreign characters or non-canonical trailing bits. */
export function decodeBase64Url(text: string): Uint8Array {
  return decode(text, URL_DECODE, 'forbidden', 'base64url');
}

/**
 * Decode base64 or base64url, padded or not (even mixed alphabets, as Haxall accepts): what real clients send
 * where the Auth chapter carries base64. Padding, when present, must be complete; throws `ValueError` on foreign
 * characters, whitespace, a lone trailing character or non-zero trailing bits.
 */
export function decodeBase64Liberal(text: string): Uint8Array {
  return decode(text, ANY_DECODE, 'optional', 'base64');
}

const UTF8_ENCODER = new TextEncoder();
const UTF8_DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 bytes of a string. */
export function utf8Encode(text: string): Uint8Array {
  return UTF8_ENCODER.encode(text);
}

/** Decode UTF-8 strictly; throws `ValueError` on malformed sequences. */
export function utf8Decode(bytes: Uint8Array): string {
  try {
    return UTF8_DECODER.decode(bytes);
  } catch (err) {
    throw new ValueError('Invalid UTF-8', { cause: err });
  }
}

/** base64url (unpadded) of the UTF-8 bytes of `text`: how Haystack carries usernames and SCRAM messages. */
export function encodeBase64UrlText(text: string): string {
  return encodeBase64Url(utf8Encode(text));
}

/** Inverse of {@link encodeBase64UrlText}; throws `ValueError` on bad base64url or bad UTF-8. */
export function decodeBase64UrlText(text: string): string {
  return utf8Decode(decodeBase64Url(text));
}

/** Text carried as base64 or base64url, padded or not (see {@link decodeBase64Liberal}); throws `ValueError`. */
export function decodeBase64LiberalText(text: string): string {
  return utf8Decode(decodeBase64Liberal(text));
}
