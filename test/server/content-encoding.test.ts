// Request bodies in a content coding (Content-Encoding): the server reads none, and says so, over a real socket.

import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { type Fixture, gridOf, startFixture } from './support/server-fixture.js';

let f: Fixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

const BODY = 'ver:"3.0"\nfilter\n"site"\n';

async function postRead(fx: Fixture, body: Buffer | string, encoding?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'text/zinc; charset=utf-8' };
  if (encoding !== undefined) headers['content-encoding'] = encoding;
  return fetch(`${fx.base}read`, { method: 'POST', headers, body });
}

describe('Content-Encoding of a request body', () => {
  it('is refused with 415 unless identity (RFC 9110 8.4), rather than read as if it were plain text', async () => {
    f = await startFixture();
    for (const [body, encoding] of [
      [gzipSync(BODY), 'gzip'],
      // Labelled gzip yet plain: reading it as Zinc would take the label for a lie.
      [BODY, 'gzip'],
      [BODY, 'br, identity'],
    ] as const) {
      const res = await postRead(f, body, encoding);
      expect(res.status, encoding).toBe(415);
      expect(gridOf({ status: res.status, headers: res.headers, text: await res.text() }).meta.get('errCode')).toBe(
        'HS_ERR_UNSUPPORTED_MEDIA',
      );
    }
    for (const encoding of [undefined, 'identity', ' Identity ']) {
      const res = await postRead(f, BODY, encoding);
      expect(res.status).toBe(200);
      expect(gridOf({ status: res.status, headers: res.headers, text: await res.text() }).size).toBe(2);
    }
  });
});
