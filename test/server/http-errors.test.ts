// HTTP behaviour of errors: statuses for unreadable requests, error grids for failed ops, limits, debug traces.

import diagnostics from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeZinc } from '../../src/core/codec/zinc/index.js';
import { StoreUnavailableError } from '../../src/core/errors.js';
import { Grid } from '../../src/core/grid/grid.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { type OpDef, SERVER_CHANNELS } from '../../src/server/index.js';
import { call, type Fixture, gridOf, startFixture } from './support/server-fixture.js';

const boom: OpDef = {
  name: 'boom',
  doc: 'Fails with a secret.',
  noSideEffects: true,
  requiredRole: 'viewer',
  handler: () => {
    throw new Error('secret database password in message');
  },
};

// A store that is down: the error every backend throws while its database restarts.
const down: OpDef = {
  name: 'down',
  doc: 'Fails as a store that cannot be reached.',
  noSideEffects: true,
  requiredRole: 'viewer',
  handler: () => {
    throw new StoreUnavailableError('redis', { cause: new Error('connect ECONNREFUSED 10.1.2.3:6379') });
  },
};

let f: Fixture;
let dbg: Fixture;
beforeAll(async () => {
  f = await startFixture({ ops: [boom, down], limits: { maxBodyBytes: 2000, maxRequestRows: 5, maxFilterLength: 40 } });
  dbg = await startFixture({ ops: [boom], debug: true });
});
afterAll(async () => {
  await f.close();
  await dbg.close();
});

/** `run`'s result and what was published on the error channel (the app logs it as `internal error`) meanwhile. */
async function errorsPublished<T>(run: () => Promise<T>): Promise<{ result: T; published: unknown[] }> {
  const published: unknown[] = [];
  const listener = (m: unknown): void => {
    published.push(m);
  };
  diagnostics.subscribe(SERVER_CHANNELS.error, listener);
  try {
    return { result: await run(), published };
  } finally {
    diagnostics.unsubscribe(SERVER_CHANNELS.error, listener);
  }
}

function errCode(x: { text: string; headers: Headers; status: number }): unknown {
  const g = gridOf(x);
  expect(g.isError).toBe(true);
  expect(typeof g.meta.get('dis')).toBe('string');
  return g.meta.get('errCode');
}

describe('requests that cannot be served get an HTTP status and an error grid', () => {
  it('404 for an unknown op', async () => {
    const x = await call(f, 'noSuchOp');
    expect(x.status).toBe(404);
    expect(errCode(x)).toBe('HS_ERR_UNKNOWN_OP');
  });

  it('a doubled slash before the op (a base URL ending in "/" joined with "/about") still reaches the op', async () => {
    const res = await fetch(`${f.base}/about`);
    expect(res.status).toBe(200);
    expect(gridOf({ status: res.status, headers: res.headers, text: await res.text() }).first?.get('serverName')).toBe(
      'haystack-ts',
    );
  });

  it('404 outside the base path', async () => {
    const res = await fetch(f.base.replace('/api/', '/read'));
    expect(res.status).toBe(404);
    // A path without the base (`curl host:8080/read`) is told where the ops are.
    const dis = gridOf({ status: res.status, headers: res.headers, text: await res.text() }).meta.get('dis');
    expect(dis).toBe('No Haystack API at /read: the ops are at /api/{op}');
  });

  it('405 with Allow: POST for GET on an op with side effects', async () => {
    const x = await call(f, 'hisWrite?id=@temp');
    expect(x.status).toBe(405);
    expect(x.headers.get('allow')).toBe('POST');
    expect(errCode(x)).toBe('HS_ERR_METHOD_NOT_ALLOWED');
  });

  it('501 for a method other than GET or POST, a mistake of the client and not an internal error to log', async () => {
    const { result: x, published } = await errorsPublished(() => call(f, 'about', { method: 'DELETE' }));
    expect(x.status).toBe(501);
    expect(errCode(x)).toBe('HS_ERR_NOT_IMPLEMENTED');
    expect(published).toEqual([]);
  });

  it('400 for a body that is not a valid grid, with the parse error', async () => {
    const x = await call(f, 'read', { body: 'ver:"3.0"\nid\n@@bad', contentType: 'text/zinc' });
    expect(x.status).toBe(400);
    expect(errCode(x)).toBe('HS_ERR_PARSE');
  });

  it('400 for a body that is a value but not a grid', async () => {
    const x = await call(f, 'read', { body: '"just a string"', contentType: 'text/zinc' });
    expect(x.status).toBe(400);
    expect(errCode(x)).toBe('HS_ERR_PARSE');
  });

  it('400 for a body without Content-Type', async () => {
    const res = await fetch(`${f.base}read`, { method: 'POST', body: new Uint8Array(Buffer.from('ver:"3.0"\nx\n1')) });
    expect(res.status).toBe(400);
  });

  it('415 for a body in an unsupported media type', async () => {
    const x = await call(f, 'read', { body: '<grid/>', contentType: 'application/xml' });
    expect(x.status).toBe(415);
    expect(errCode(x)).toBe('HS_ERR_UNSUPPORTED_MEDIA');
  });

  it('406 for an Accept header the server cannot satisfy', async () => {
    const x = await call(f, 'about', { accept: 'image/png' });
    expect(x.status).toBe(406);
    expect(errCode(x)).toBe('HS_ERR_NOT_ACCEPTABLE');
  });

  it('413 for a body over the size limit, and the server keeps serving', async () => {
    const big = `ver:"3.0"\nfilter\n"${'x'.repeat(5000)}"\n`;
    const x = await call(f, 'read', { body: big, contentType: 'text/zinc' });
    expect(x.status).toBe(413);
    expect(errCode(x)).toBe('HS_ERR_TOO_LARGE');
    expect((await call(f, 'about')).status).toBe(200);
  });

  it('400 for a grid with more rows than allowed', async () => {
    const rows = Array.from({ length: 6 }, (_, i) => ({ id: new Ref(`r${i}`) }));
    const x = await call(f, 'read', { body: encodeZinc(Grid.fromDicts(rows)), contentType: 'text/zinc' });
    expect(x.status).toBe(400);
    expect(errCode(x)).toBe('HS_ERR_LIMIT');
  });

  it('400 for a query parameter that is not a tag name or is repeated', async () => {
    expect((await call(f, 'read?Bad-Name=1')).status).toBe(400);
    expect((await call(f, 'read?filter=site&filter=equip')).status).toBe(400);
  });
});

describe('op errors answer 200 with an error grid (HttpApi, Error Handling)', () => {
  it('a bad filter', async () => {
    const x = await call(f, 'read?filter=site%20and%20and');
    expect(x.status).toBe(200);
    expect(errCode(x)).toBe('HS_ERR_PARSE');
  });

  it('a filter over the length limit', async () => {
    const x = await call(f, `read?filter=${'a'.repeat(41)}`);
    expect(errCode(x)).toBe('HS_ERR_LIMIT');
  });

  it('a missing argument', async () => {
    const x = await call(f, 'read');
    expect(x.status).toBe(200);
    expect(errCode(x)).toBe('HS_ERR_BAD_REQUEST');
  });

  it('an internal error leaks nothing without debug, and is published for the app to log', async () => {
    const { result: x, published } = await errorsPublished(() => call(f, 'boom'));
    const g = gridOf(x);
    expect(g.meta.get('errCode')).toBe('HS_ERR_INTERNAL');
    expect(g.meta.get('dis')).toBe('Internal server error');
    expect(g.meta.has('errTrace')).toBe(false);
    expect(x.text).not.toContain('secret');
    expect(published).toHaveLength(1);
    // With the request's id, so the app's error record joins the request's own line (and X-Request-Id).
    expect(published[0]).toMatchObject({ op: 'boom', requestId: x.headers.get('x-request-id') });
  });

  it('503 with Retry-After and an error grid while the store is unavailable, in spec mode too', async () => {
    const x = await call(f, 'down');
    expect(x.status).toBe(503);
    expect(x.headers.get('retry-after')).toBe('1');
    const g = gridOf(x);
    expect(g.meta.get('errCode')).toBe('HS_ERR_UNAVAILABLE');
    expect(g.meta.get('dis')).toBe('The redis store is unavailable; retry later');
    expect(x.text).not.toContain('10.1.2.3');
  });

  it('with debug on, the message and errTrace are in the grid', async () => {
    const g = gridOf(await call(dbg, 'boom'));
    expect(g.meta.get('dis')).toContain('secret');
    expect(String(g.meta.get('errTrace'))).toContain('Error');
  });

  it('errorStatus http maps the code to its status', async () => {
    const h = await startFixture({ errorStatus: 'http' });
    try {
      const x = await call(h, 'read?filter=site%20and%20and');
      expect(x.status).toBe(400);
      const y = await call(h, 'nav?navId=@missing');
      expect(y.status).toBe(404);
    } finally {
      await h.close();
    }
  });
});

describe('the request channel', () => {
  it('publishes method, op, status and error code of each request', async () => {
    const seen: Record<string, unknown>[] = [];
    const listener = (m: unknown): void => {
      seen.push(m as Record<string, unknown>);
    };
    diagnostics.subscribe(SERVER_CHANNELS.request, listener);
    try {
      await call(f, 'about');
      await call(f, 'nope');
    } finally {
      diagnostics.unsubscribe(SERVER_CHANNELS.request, listener);
    }
    expect(seen.map((e) => [e.op, e.status, e.errorCode])).toEqual([
      ['about', 200, undefined],
      ['nope', 404, 'HS_ERR_UNKNOWN_OP'],
    ]);
    expect(seen[0]?.username).toBe('anonymous');
  });
});
