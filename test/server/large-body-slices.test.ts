// Large JSON (v4 and v3) and Trio request bodies are decoded a slice at a time (issue 11, item 7): another client's `about` is
// answered while such a body is being decoded, limits stop a decode inside its loop, not after it, and a single huge
// row is refused before it is decoded whole.

import diagnostics from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import type { DecodeEvent, RequestEvent } from '../../src/server/events.js';
import { SERVER_CHANNELS } from '../../src/server/events.js';
import { call, type Fixture, gridOf, ids, startFixture } from './support/server-fixture.js';

let f: Fixture | undefined;
const unsubscribe: (() => void)[] = [];
afterEach(async () => {
  for (const u of unsubscribe.splice(0)) u();
  await f?.close();
  f = undefined;
});

function subscribe(name: string, listener: (event: never) => void): void {
  const l = listener as (message: unknown) => void;
  diagnostics.subscribe(name, l);
  unsubscribe.push(() => diagnostics.unsubscribe(name, l));
}

const PAD = 'x'.repeat(100);
const ROWS = 32_000;

/** A `read` request whose first row names a filter and whose other rows are padding: about 4 MB. */
const BODIES = {
  json: {
    contentType: 'application/json',
    body: `{"_kind":"grid","meta":{"ver":"3.0"},"cols":[{"name":"filter"},{"name":"pad"}],"rows":[{"filter":"site"}${`,{"pad":"${PAD}"}`.repeat(ROWS)}]}`,
  },
  json3: {
    contentType: 'application/vnd.haystack+json;version=3',
    body: `{"meta":{"ver":"3.0"},"cols":[{"name":"filter"},{"name":"pad"}],"rows":[{"filter":"s:site"}${`,{"pad":"${PAD}"}`.repeat(ROWS)}]}`,
  },
  trio: {
    contentType: 'text/trio',
    body: `filter: "site"\n${`---\npad: "${PAD}"\n`.repeat(ROWS)}`,
  },
} as const;

describe.each(Object.keys(BODIES) as (keyof typeof BODIES)[])('a large %s body', (format) => {
  const { body, contentType } = BODIES[format];

  it('is decoded in slices, and another client is answered between them', async () => {
    f = await startFixture();
    const base = f.base;
    // The order in which the server finished things: `about` answers and the end of the big body's decode.
    const order: string[] = [];
    let slices = 0;
    let about: Promise<number> | undefined;
    subscribe(SERVER_CHANNELS.decode, (e: DecodeEvent) => {
      expect(e.format).toBe(format);
      if (e.done) {
        order.push('decoded');
        return;
      }
      slices = e.slices;
      // The first pause: the body is being decoded now; ask for `about` from another connection.
      about ??= fetch(`${base}about`).then((r) => r.status);
    });
    subscribe(SERVER_CHANNELS.request, (e: RequestEvent) => {
      order.push(`${e.op ?? '?'} ${e.status}`);
    });
    const big = await call(f, 'read', { body, contentType });
    expect(big.status).toBe(200);
    expect(ids(gridOf(big))).toEqual(['s1', 's2']);
    expect(await about).toBe(200);
    // A body of 3.6 to 4.2 MB in 256 K slices.
    expect(slices).toBeGreaterThanOrEqual(12);
    expect(order).toEqual(['about 200', 'decoded', 'read 200']);
  });

  it('stops at a limit inside the loop, long before the end of the body', async () => {
    f = await startFixture({ limits: { maxRequestRows: 5_000 } });
    let last: DecodeEvent | undefined;
    subscribe(SERVER_CHANNELS.decode, (e: DecodeEvent) => {
      last = e;
    });
    const big = await call(f, 'read', { body, contentType });
    expect(big.status).toBe(400);
    expect(gridOf(big).meta.get('errCode')).toBe('HS_ERR_LIMIT');
    expect(last?.done).toBe(true);
    // 5,000 rows of ~130 characters: the decode failed within the first few of its 16 slices.
    expect(last?.slices).toBeLessThanOrEqual(4);
  });

  it('is decoded one at a time through a gate of one (maxConcurrentLargeBodies)', async () => {
    f = await startFixture({ limits: { maxConcurrentLargeBodies: 1 } });
    // The slice count of each event in order: two bodies decoded one after the other count 1..n twice.
    const counts: string[] = [];
    subscribe(SERVER_CHANNELS.decode, (e: DecodeEvent) => {
      counts.push(e.done ? 'done' : String(e.slices));
    });
    const answers = await Promise.all([1, 2].map(() => call(f as Fixture, 'read', { body, contentType })));
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const firstDone = counts.indexOf('done');
    expect(firstDone).toBeGreaterThan(10);
    expect(counts.slice(0, firstDone)).toEqual(counts.slice(0, firstDone).map((_, i) => String(i + 1)));
    expect(counts.slice(firstDone + 1, firstDone + 3)).toEqual(['1', '2']);
    expect(counts.at(-1)).toBe('done');
  });
});

/** A `read` request of one row: the filter, and `pad`, a list of `n` numbers (about 2n characters). */
function oneRow(format: string, n: number): { body: string; contentType: string } {
  const list = `[${'1,'.repeat(n - 1)}1]`;
  switch (format) {
    case 'zinc':
      return { contentType: 'text/zinc', body: `ver:"3.0"\nfilter,pad\n"site",${list}\n` };
    case 'json':
      return {
        contentType: 'application/json',
        body: `{"_kind":"grid","meta":{"ver":"3.0"},"cols":[{"name":"filter"},{"name":"pad"}],"rows":[{"filter":"site","pad":${list}}]}`,
      };
    case 'json3':
      return {
        contentType: 'application/vnd.haystack+json;version=3',
        body: `{"meta":{"ver":"3.0"},"cols":[{"name":"filter"},{"name":"pad"}],"rows":[{"filter":"site","pad":${list}}]}`,
      };
    default:
      return { contentType: 'text/trio', body: `filter: "site"\npad: ${list}\n` };
  }
}

// A row is decoded in one step: `maxRequestRowLength` bounds how long one request holds the event loop.
describe.each(['zinc', 'json', 'json3', 'trio'])('a %s body', (format) => {
  it('holding one 4 MB row is refused (400, HS_ERR_LIMIT) before that row is decoded', async () => {
    f = await startFixture();
    let last: DecodeEvent | undefined;
    subscribe(SERVER_CHANNELS.decode, (e: DecodeEvent) => {
      last = e;
    });
    const { body, contentType } = oneRow(format, 2_000_000);
    const x = await call(f, 'read', { body, contentType });
    expect(x.status).toBe(400);
    const g = gridOf(x);
    expect(g.meta.get('errCode')).toBe('HS_ERR_LIMIT');
    expect(String(g.meta.get('dis'))).toContain('a row is longer than 1048576 characters');
    expect(last?.done).toBe(true);
    // Refused once a little more than 1 MiB of the row was held: the 4 MB body is 16 slices of 256 K.
    expect(last?.slices).toBeLessThanOrEqual(5);
  });

  it('is served with rows up to maxRequestRowLength, and refused past it even when the body is small', async () => {
    f = await startFixture({ limits: { maxRequestRowLength: 10_000 } });
    const ok = oneRow(format, 4_000);
    const fine = await call(f, 'read', ok);
    expect(fine.status).toBe(200);
    expect(ids(gridOf(fine))).toEqual(['s1', 's2']);
    const tooLong = await call(f, 'read', oneRow(format, 6_000));
    expect(tooLong.status).toBe(400);
    expect(String(gridOf(tooLong).meta.get('dis'))).toContain('a row is longer than 10000 characters');
  });
});
