// The WebSocket clients check their options when made, as HaystackClient does (PRODUCT.md: one options object per
// factory, validated eagerly): a misspelt option or a timeout no timer can wait is an OptionError at once, not a
// client that logs in as nobody or whose every call times out at once.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OptionError,
  ReconnectingWebSocketClient,
  WebSocketClient,
  type WebSocketClientOptions,
  WebSocketPool,
} from '../../src/client/index.js';
import { MAX_TIMER_MS } from '../../src/core/timer-ms.js';
import { startWsFixture, type WsFixture } from '../server/ws/ws-fixture.js';

let fx: WsFixture;

beforeAll(async () => {
  fx = await startWsFixture({ auth: false });
});

afterAll(async () => {
  await fx.close();
});

/** Options as JavaScript callers may pass them. */
function loose(options: Record<string, unknown>): WebSocketClientOptions {
  return { url: fx.url, ...options };
}

const BAD: readonly (readonly [string, Record<string, unknown>, string])[] = [
  ['a misspelt option', { usrname: 'admin' }, 'HS_ERR_OPTION_UNKNOWN'],
  ['no url', { url: undefined }, 'HS_ERR_OPTION_MISSING'],
  ['a url that is not one', { url: 'not a url' }, 'HS_ERR_OPTION_RANGE'],
  ['a url of another scheme', { url: 'ftp://127.0.0.1/api/' }, 'HS_ERR_OPTION_RANGE'],
  ['a timeoutMs past what a timer can wait', { timeoutMs: 2 ** 31 }, 'HS_ERR_OPTION_RANGE'],
  ['a negative timeoutMs', { timeoutMs: -1 }, 'HS_ERR_OPTION_RANGE'],
  ['a timeoutMs that is not a number', { timeoutMs: '30000' }, 'HS_ERR_OPTION_TYPE'],
  ['a heartbeatMs past what a timer can wait', { heartbeatMs: Number.MAX_SAFE_INTEGER }, 'HS_ERR_OPTION_RANGE'],
  ['a username without a password', { username: 'admin' }, 'HS_ERR_OPTION_MISSING'],
  ['a password without a username', { password: 'secret' }, 'HS_ERR_OPTION_MISSING'],
  ['a webSocket factory that is not a function', { webSocket: 'ws' }, 'HS_ERR_OPTION_TYPE'],
];

describe('WebSocket client options', () => {
  it.each(BAD)('%s is an OptionError when the client is made', (_what, options, code) => {
    for (const make of [
      () => new WebSocketClient(loose(options)),
      () => new WebSocketPool(loose(options)),
      () => new ReconnectingWebSocketClient(loose(options)),
    ]) {
      let err: unknown;
      try {
        make();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(OptionError);
      expect((err as OptionError).code).toBe(code);
    }
  });

  it.each([
    ['minDelayMs', -5],
    ['maxDelayMs', 2 ** 31],
    ['onReconnect', 'log'],
  ])('ReconnectingWebSocketClient refuses %s %j', (name, value) => {
    expect(() => new ReconnectingWebSocketClient(loose({ [name]: value }))).toThrow(OptionError);
  });

  it('takes the longest timeouts a timer can wait, and 0 to turn them off, and its calls then answer', async () => {
    for (const ms of [MAX_TIMER_MS, 0]) {
      const c = new WebSocketClient(loose({ timeoutMs: ms, heartbeatMs: ms }));
      try {
        // Before, 2^31 - 1 was taken but a longer one too, and then the open timed out at once.
        expect((await c.about()).get('serverName')).toBeDefined();
        // A call's own timeout longer than a timer can wait waits as long as one can.
        expect((await c.read('site', { timeoutMs: Number.MAX_SAFE_INTEGER })).size).toBe(1);
      } finally {
        await c.close();
      }
    }
  });
});
