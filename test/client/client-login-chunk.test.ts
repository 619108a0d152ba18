// The SCRAM login is a chunk of its own that a browser fetches on first use: when that fetch fails, the login
// fails with the client's typed network error rather than the runtime's bare import error.

import { describe, expect, it, vi } from 'vitest';

vi.mock('../../src/client/scram-login.js', () => {
  throw new TypeError('Failed to fetch dynamically imported module: /assets/scram-login-x.js');
});

const { loginWithScram } = await import('../../src/client/client-auth.js');
const { NetworkError } = await import('../../src/client/errors.js');

describe('a login whose code cannot be loaded', () => {
  it('fails with a NetworkError carrying the load failure, and makes no request', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>();
    const login = loginWithScram({
      url: 'http://127.0.0.1:1/api/about',
      credentials: { username: 'u', password: 'p' },
      fetch,
      fetchInit: {},
      headers: {},
      signal: undefined,
    });
    const err = await login.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as InstanceType<typeof NetworkError>).code).toBe('HS_ERR_NETWORK');
    expect((err as Error).message).toBe('login: the login code could not be loaded');
    // The runtime's load error is kept as the cause (vitest wraps a throwing mock factory once more).
    const causes: string[] = [];
    for (let c: unknown = (err as Error).cause; c instanceof Error; c = c.cause) causes.push(c.message);
    expect(causes.join(' | ')).toContain('Failed to fetch dynamically imported module');
    expect(fetch).not.toHaveBeenCalled();
  });
});
