// The users API client against servers that do not answer: typed errors within its timeout, never a hang.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { NetworkError, UsersClient } from '../../src/client/index.js';
import { OptionError } from '../../src/core/errors.js';

// A server that takes requests and never answers them.
async function silentServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}/api/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

describe('UsersClient', () => {
  it('fails a call the server never answers with a timed-out NetworkError, login included', async () => {
    const s = await silentServer();
    try {
      const client = await UsersClient.connect({ url: s.url, fetch, token: 't', timeoutMs: 100 });
      const err = await client.list().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetworkError);
      expect(err).toMatchObject({ timedOut: true, failure: 'timeout' });
      const login = await UsersClient.connect({
        url: s.url,
        fetch,
        credentials: { username: 'a', password: 'b' },
        timeoutMs: 100,
      }).catch((e: unknown) => e);
      expect(login).toMatchObject({ name: 'NetworkError', timedOut: true });
    } finally {
      await s.close();
    }
  });

  it('names a refused connection as the Haystack client does, and refuses a bad timeout', async () => {
    const s = await silentServer();
    const url = s.url;
    await s.close();
    const client = await UsersClient.connect({ url, fetch, token: 't' });
    const err = await client.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(err).toMatchObject({ failure: 'refused' });
    await expect(UsersClient.connect({ url, fetch, timeoutMs: 0 })).rejects.toBeInstanceOf(OptionError);
  });

  it('refuses an option it does not know, as the Haystack client does, before it logs in', async () => {
    // A misspelt `credentials` would otherwise connect without logging in, and every call would be refused.
    const options = { url: 'http://127.0.0.1:1/api/', fetch, credential: { username: 'a', password: 'b' } };
    await expect(
      UsersClient.connect(options as unknown as Parameters<typeof UsersClient.connect>[0]),
    ).rejects.toMatchObject({
      name: 'OptionError',
      code: 'HS_ERR_OPTION_UNKNOWN',
      option: 'credential',
    });
  });

  it('takes a timeoutMs that is not a whole number, and refuses one past what a timer can wait', async () => {
    const s = await silentServer();
    try {
      // Node's AbortSignal.timeout throws a RangeError on a fraction: every call failed with it, untyped.
      const client = await UsersClient.connect({ url: s.url, fetch, token: 't', timeoutMs: 100.5 });
      expect(await client.list().catch((e: unknown) => e)).toMatchObject({ name: 'NetworkError', timedOut: true });
      // Past 2^31 - 1 ms a timer fires at once: every call would time out after 1 ms.
      for (const timeoutMs of [2 ** 31, Number.MAX_SAFE_INTEGER]) {
        await expect(UsersClient.connect({ url: s.url, fetch, token: 't', timeoutMs })).rejects.toBeInstanceOf(
          OptionError,
        );
      }
      await UsersClient.connect({ url: s.url, fetch, token: 't', timeoutMs: 2 ** 31 - 1 });
    } finally {
      await s.close();
    }
  });
});
