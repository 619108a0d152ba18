// A response that cannot be written: the handler destroys it, reports the error, and is idle afterwards.

import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { SERVER_CHANNELS } from '../../src/server/events.js';
import { createHandler } from '../../src/server/index.js';
import { createMemoryStore } from '../../src/storage/memory/index.js';

describe('a response that fails to be written', () => {
  it('is destroyed, its error published, and the handler becomes idle', async () => {
    const handler = createHandler({ store: createMemoryStore(), noAuth: true });
    const req = {
      method: 'GET',
      url: '/api/about',
      headers: { host: 'localhost' },
      socket: { remoteAddress: '127.0.0.1' },
    } as unknown as IncomingMessage;
    let destroyed = 0;
    const broken = new Error('socket gone');
    const res = {
      statusCode: 200,
      headersSent: false,
      hasHeader: () => false,
      setHeader: () => undefined,
      writeHead: () => {
        throw broken;
      },
      end: () => undefined,
      destroy: () => {
        destroyed++;
      },
    } as unknown as ServerResponse;
    const errors: unknown[] = [];
    const onError = (m: unknown): void => {
      errors.push((m as { error: unknown }).error);
    };
    diagnostics.subscribe(SERVER_CHANNELS.error, onError);
    try {
      handler(req, res);
      await handler.idle();
      // idle() resolves once the request is done with, the failure handled by then.
      expect(destroyed).toBe(1);
      expect(errors).toContain(broken);
    } finally {
      diagnostics.unsubscribe(SERVER_CHANNELS.error, onError);
    }
  });
});
