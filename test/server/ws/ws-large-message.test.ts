// Large WebSocket messages over a real socket: decoded a slice at a time like large HTTP bodies, so one client's
// message cannot make the server deaf to others, and held to the same longest row (maxRequestRowLength).

import diagnostics from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeWsAuth } from '../../../src/core/ws/ws-envelope.js';
import { type MessageEvent, type RequestEvent, SERVER_CHANNELS } from '../../../src/server/index.js';
import { startSecure, tokenFor } from '../security/support.js';
import { type Fixture, startFixture } from '../support/server-fixture.js';
import { rawSocket } from './ws-fixture.js';

let f: Fixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

const wsUrl = (fx: Pick<Fixture, 'base'>): string => `${fx.base.replace(/^http/, 'ws')}ws`;

// A read request of `rows` one-cell rows (no filter, no ids: the op refuses it at once, so the decode is the work).
function readMessage(rows: number, cell = '1'): string {
  const body = new Array<string>(rows).fill(`{"a":${cell}}`).join(',');
  return `{"id":"big","op":"read","grid":{"_kind":"grid","meta":{"ver":"3.0"},"cols":[{"name":"a"}],"rows":[${body}]}}`;
}

describe('large WebSocket messages', () => {
  it("are decoded a slice at a time: another client's about is answered before the message's answer", async () => {
    f = await startFixture();
    const fx = f;
    const raw = await rawSocket(wsUrl(fx));
    const message = readMessage(200_000);
    const order: string[] = [];
    let about: Promise<number> | undefined;
    const onMessage = (e: unknown): void => {
      const m = e as MessageEvent;
      // The whole message has arrived: another client asks for `about` while the server decodes it.
      if (m.direction === 'received' && m.bytes === message.length) {
        about ??= fetch(`${fx.base}about`).then((r) => r.status);
      }
      if (m.direction === 'sent') order.push('ws answer');
    };
    const onRequest = (e: unknown): void => {
      order.push(`${(e as RequestEvent).op ?? '?'} ${String((e as RequestEvent).status)}`);
    };
    diagnostics.subscribe(SERVER_CHANNELS.message, onMessage);
    diagnostics.subscribe(SERVER_CHANNELS.request, onRequest);
    try {
      raw.ws.send(message);
      const answer = JSON.parse(await raw.next()) as { id: string; grid: { meta: { errCode?: string } } };
      expect(answer.id).toBe('big');
      expect(answer.grid.meta.errCode).toBe('HS_ERR_BAD_REQUEST');
      expect(await about).toBe(200);
    } finally {
      diagnostics.unsubscribe(SERVER_CHANNELS.message, onMessage);
      diagnostics.unsubscribe(SERVER_CHANNELS.request, onRequest);
      raw.ws.close();
    }
    expect(order).toEqual(['about 200', 'ws answer']);
  });

  it('refuse a row, or any other member, longer than maxRequestRowLength, as HTTP bodies do', async () => {
    f = await startFixture({ limits: { maxRequestRowLength: 1000 } });
    const raw = await rawSocket(wsUrl(f));
    const list = `[${new Array<string>(1000).fill('1').join(',')}]`;
    const messages = [
      // A long row among short ones.
      readMessage(1000).replace('{"a":1}', `{"a":${list}}`),
      // Grid meta, and a member of the envelope beside the grid.
      readMessage(10).replace('"ver":"3.0"', `"ver":"3.0","x":${list}`),
      readMessage(10).replace('"op":', `"x":${list},"op":`),
      // A batch member.
      `[${readMessage(10)},${readMessage(10).replace('"op":', `"x":${list},"op":`)}]`,
    ];
    try {
      for (const m of messages) {
        raw.ws.send(m);
        const answer = JSON.parse(await raw.next()) as { grid: { meta: { errCode?: string } } };
        expect(answer.grid.meta.errCode).toBe('HS_ERR_LIMIT');
      }
      // Rows within the limit are read as before, however many.
      raw.ws.send(readMessage(1000));
      const ok = JSON.parse(await raw.next()) as { id: string; grid: { meta: { errCode?: string } } };
      expect(ok).toMatchObject({ id: 'big', grid: { meta: { errCode: 'HS_ERR_BAD_REQUEST' } } });
    } finally {
      raw.ws.close();
    }
  });

  it('answer each member of a batch a little over maxBatch, and close (1009) on one far over it', async () => {
    f = await startFixture({ webSocket: { maxBatch: 2 } });
    const raw = await rawSocket(wsUrl(f));
    const batch = (n: number): string => `[${new Array<string>(n).fill('1').join(',')}]`;
    try {
      // Up to ten times the limit: every member gets its limit error, in its place.
      raw.ws.send(batch(20));
      const answers = JSON.parse(await raw.next()) as { grid: { meta: { errCode?: string } } }[];
      expect(answers.map((a) => a.grid.meta.errCode)).toEqual(new Array<string>(20).fill('HS_ERR_LIMIT'));
      // Past it an error envelope per two bytes of request is a flood to build and send: the connection ends.
      raw.ws.send(batch(21));
      const outcome = await Promise.race([raw.next().then(() => 'answered'), raw.closed.then((c) => c.code)]);
      expect(outcome).toBe(1009);
    } finally {
      raw.ws.close();
    }
  });

  it('end a connection that sends more than login messages before its login, without reading it on', async () => {
    const s = await startSecure({ server: { webSocket: { authTimeoutMs: 5000 } } });
    try {
      const raw = await rawSocket(wsUrl(s));
      // The first part of a message that would be far longer than any login message, and never ends.
      raw.ws.send(Buffer.alloc(256 * 1024, 0x20), { binary: false, fin: false });
      // Refused as too big as the bytes come (1009; or the bare close of the socket), not at the deadline (4008).
      expect([1009, 1006]).toContain((await raw.closed).code);
      // A client that logs in with a token may send a long request right behind it, unanswered.
      const client = await rawSocket(wsUrl(s));
      client.ws.send(encodeWsAuth(await tokenFor(s, 'vera')));
      client.ws.send(readMessage(40_000));
      expect(JSON.parse(await client.next())).toMatchObject({ type: 'authOk' });
      expect(JSON.parse(await client.next())).toMatchObject({
        id: 'big',
        grid: { meta: { errCode: 'HS_ERR_BAD_REQUEST' } },
      });
      client.ws.close();
    } finally {
      await s.close();
    }
  });
});
