// base64 and base64url codecs: agree with Node's Buffer on every byte string, and refuse non-canonical input.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeBase64,
  decodeBase64Liberal,
  decodeBase64Url,
  decodeBase64UrlText,
  encodeBase64,
  encodeBase64Url,
  encodeBase64UrlText,
  utf8Decode,
} from '../../../src/core/auth/base64.js';
import { timingSafeEqual } from '../../../src/core/auth/constant-time.js';
import { ValueError } from '../../../src/core/errors.js';

describe('base64', () => {
  it('matches Buffer for any bytes, both alphabets, and round-trips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const std = encodeBase64(bytes);
        const url = encodeBase64Url(bytes);
        expect(std).toBe(Buffer.from(bytes).toString('base64'));
        expect(url).toBe(Buffer.from(bytes).toString('base64url'));
        expect(decodeBase64(std)).toEqual(bytes);
        expect(decodeBase64Url(url)).toEqual(bytes);
      }),
    );
  });

  it('carries usernames as base64url of UTF-8 with no padding', () => {
    expect(encodeBase64UrlText('user')).toBe('dXNlcg');
    expect(decodeBase64UrlText('dXNlcg')).toBe('user');
    expect(decodeBase64UrlText(encodeBase64UrlText('Zoë ✓ 名前'))).toBe('Zoë ✓ 名前');
  });

  it('refuses padding in base64url, url characters in base64, whitespace and stray bits', () => {
    for (const bad of ['dXNlcg==', 'dXNlc+', 'dXN lcg', 'a', 'dXNlch']) {
      expect(() => decodeBase64Url(bad), bad).toThrow(ValueError);
    }
    for (const bad of ['dXNlcg', 'dXNlcg=', 'dX-lcg==', 'dXNlcg==\n', '=AAA', 'dXNlch==']) {
      expect(() => decodeBase64(bad), bad).toThrow(ValueError);
    }
  });

  it('the liberal decoder reads either alphabet, padded or not, and still refuses what is not base64', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const buf = Buffer.from(bytes);
        for (const text of [
          buf.toString('base64'),
          buf.toString('base64url'),
          buf.toString('base64').replace(/=+$/, ''),
        ]) {
          expect(decodeBase64Liberal(text)).toEqual(bytes);
        }
        const url = buf.toString('base64url');
        expect(decodeBase64Liberal(url + '='.repeat((4 - (url.length % 4)) % 4))).toEqual(bytes);
      }),
    );
    for (const bad of ['a', 'dXNlcg=', 'dXNlcg===', 'dX=lcg==', 'dXN lcg', 'dXNlch', 'dXNlcg==\n', 'dXNl*g']) {
      expect(() => decodeBase64Liberal(bad), bad).toThrow(ValueError);
    }
  });

  it('refuses malformed UTF-8', () => {
    expect(() => utf8Decode(new Uint8Array([0xc3, 0x28]))).toThrow(ValueError);
  });
});

describe('timingSafeEqual', () => {
  it('is true only for identical bytes', () => {
    expect(timingSafeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true);
    expect(timingSafeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toBe(false);
    expect(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3]))).toBe(false);
    expect(timingSafeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });
});
