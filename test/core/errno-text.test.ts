// File and socket error codes said in words, as the CLI and `haystack serve` print them.

import { describe, expect, it } from 'vitest';
import { describeErrno } from '../../src/core/errno-text.js';

describe('describeErrno', () => {
  it('puts a known code in words, with the code after them', () => {
    expect(describeErrno(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe('no such file or folder (ENOENT)');
    expect(describeErrno({ code: 'EADDRINUSE' })).toBe('the port is in use (EADDRINUSE)');
    // A server that cannot be reached (a store's), as much as a file.
    expect(describeErrno({ code: 'ECONNREFUSED' })).toBe('connection refused (ECONNREFUSED)');
    expect(describeErrno({ code: 'ENOTFOUND' })).toBe('no such host (ENOTFOUND)');
  });

  it('keeps an unknown code as it is, and the message of an error without one', () => {
    expect(describeErrno({ code: 'EWHATEVER' })).toBe('EWHATEVER');
    // An inherited property name is not a code the table knows.
    expect(describeErrno({ code: 'toString' })).toBe('toString');
    expect(describeErrno(new Error('disk on fire'))).toBe('disk on fire');
    expect(describeErrno('plain text')).toBe('plain text');
    expect(describeErrno(undefined)).toBe('undefined');
  });
});
