// Errors: literal names, stable codes, instanceof across copies of the package, and docs/errors.md kept current.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CallError, HaystackError, ParseError, StorageError, ValueError } from '../../src/core/errors.js';
import { Dict } from '../../src/core/grid/dict.js';
import { DuplicateUserError } from '../../src/storage/user-store.js';
import { ERRORS_DOC, renderErrorsDoc } from '../support/errors-doc.js';

describe('error classes', () => {
  it('have literal names that survive minification, and their codes', () => {
    expect(new ParseError('zinc', 1, 2, 'bad').name).toBe('ParseError');
    expect(new ValueError('bad').name).toBe('ValueError');
    expect(new HaystackError('HS_ERR_LIMIT', 'x').name).toBe('HaystackError');
    const dup = new DuplicateUserError('ada');
    expect([dup.name, dup.code]).toEqual(['DuplicateUserError', 'HS_ERR_CONFLICT']);
  });

  it('are recognized by instanceof when thrown by another copy of the package (same brand)', () => {
    // What another copy looks like: its own classes, unrelated to ours except by the Symbol.for brand.
    class OtherHaystackError extends Error {
      get [Symbol.for('haystack-ts.error')](): readonly string[] {
        return ['StorageError', 'HaystackError'];
      }
    }
    const foreign = new OtherHaystackError('boom');
    expect(foreign instanceof HaystackError).toBe(true);
    expect(foreign instanceof StorageError).toBe(true);
    expect(foreign instanceof ParseError).toBe(false);
    expect(new Error('x') instanceof HaystackError).toBe(false);
    expect(new ValueError('x') instanceof ParseError).toBe(false);
    expect(new DuplicateUserError('a') instanceof StorageError).toBe(true);
  });

  it('CallError keeps the remote errCode as remoteCode', () => {
    const meta = Dict.of({
      err: true,
      dis: 'Unknown record @x',
      errType: 'UnknownRecErr',
      errCode: 'HS_ERR_UNKNOWN_REC',
    });
    const err = new CallError({ meta });
    expect([err.code, err.remoteCode, err.remoteType]).toEqual(['HS_ERR_CALL', 'HS_ERR_UNKNOWN_REC', 'UnknownRecErr']);
  });
});

describe('docs/errors.md', () => {
  it('lists every code and error class as the table says (npm run docs:errors rewrites it)', () => {
    expect(readFileSync(ERRORS_DOC, 'utf8')).toBe(renderErrorsDoc());
  });
});
