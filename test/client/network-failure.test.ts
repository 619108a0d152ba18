// Classifying fetch failures from the error codes on their cause chain, and naming host:port as typed.

import { describe, expect, it } from 'vitest';
import { classifyNetworkFailure, fetchFailureMessage, hostAndPort } from '../../src/client/network-failure.js';

const coded = (code: string, message = code): Error => Object.assign(new Error(message), { code });
const fetchFailed = (cause: unknown): Error => new TypeError('fetch failed', { cause });

describe('classifyNetworkFailure', () => {
  it.each([
    ['ECONNREFUSED', 'refused'],
    ['ENOTFOUND', 'host-not-found'],
    ['UND_ERR_SOCKET', 'reset'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'tls-untrusted'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls-untrusted'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls-hostname'],
    ['CERT_HAS_EXPIRED', 'tls-expired'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls'],
    ['UND_ERR_CONNECT_TIMEOUT', 'timeout'],
  ])('%s on the cause is %s', (code, failure) => {
    expect(classifyNetworkFailure(fetchFailed(coded(code)))).toEqual({ failure, code });
  });

  it("finds the code inside an AggregateError (Node's connect to several addresses)", () => {
    const agg = new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')], 'all failed');
    expect(classifyNetworkFailure(fetchFailed(agg)).failure).toBe('refused');
  });

  it("is unknown for a browser's opaque failure, and survives a cause cycle", () => {
    expect(classifyNetworkFailure(new TypeError('Failed to fetch')).failure).toBe('unknown');
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.assign(a, { cause: b });
    expect(classifyNetworkFailure(a).failure).toBe('unknown');
  });
});

describe('messages', () => {
  it('hostAndPort makes the default port explicit', () => {
    expect(hostAndPort('http://example.com/api/')).toBe('example.com:80');
    expect(hostAndPort('https://example.com/api/')).toBe('example.com:443');
    expect(hostAndPort('http://127.0.0.1:8080/api/')).toBe('127.0.0.1:8080');
  });

  it('says what failed and where; an unknown failure keeps its inner message', () => {
    expect(fetchFailureMessage(fetchFailed(coded('ECONNREFUSED')), 'http://127.0.0.1:8080/api/')).toBe(
      'connection refused by 127.0.0.1:8080',
    );
    expect(fetchFailureMessage(fetchFailed(new Error('bad port')), 'http://127.0.0.1:9/api/')).toBe(
      'cannot reach 127.0.0.1:9 (bad port)',
    );
  });
});
