// The WebSocket envelope: every message shape round-trips, bad messages fail with typed errors.

import { describe, expect, it } from 'vitest';
import { HaystackError, LimitError, ParseError } from '../../../src/core/errors.js';
import { Grid } from '../../../src/core/grid/grid.js';
import { Num } from '../../../src/core/kinds/number.js';
import { Ref } from '../../../src/core/kinds/ref.js';
import { WS_CLOSE, wsCloseReason } from '../../../src/core/ws/ws-close-codes.js';
import {
  decodeWsMessage,
  encodeWsAuth,
  encodeWsBatch,
  encodeWsControl,
  encodeWsPush,
  encodeWsRequest,
  encodeWsResponse,
  isWsBadItem,
  isWsRequest,
  type WsMessage,
} from '../../../src/core/ws/ws-envelope.js';

const grid = Grid.fromDicts([{ id: new Ref('a'), v: new Num(1, 'kW') }], { watchId: 'w1' });

function kindOf<K extends WsMessage['kind']>(m: WsMessage, kind: K): Extract<WsMessage, { kind: K }> {
  expect(m.kind).toBe(kind);
  return m as Extract<WsMessage, { kind: K }>;
}

describe('WebSocket envelope', () => {
  it('reads a message as Hayson text: a byte-order mark dropped, its length and depth limited', () => {
    const text = encodeWsRequest(7, 'read', grid);
    expect(kindOf(decodeWsMessage(`\ufeff${text}`), 'request').request.op).toBe('read');
    expect(decodeWsMessage(text, { maxLength: text.length }).kind).toBe('request');
    const limit = (t: string, limits: object): string | undefined => {
      try {
        decodeWsMessage(t, limits);
      } catch (err) {
        return err instanceof LimitError ? err.limit : undefined;
      }
      return undefined;
    };
    expect(limit(text, { maxLength: text.length - 1 })).toBe('maxLength');
    expect(limit(text, { maxDepth: 1 })).toBe('maxDepth');
  });

  it('round-trips requests with string and number ids and channels', () => {
    const r = kindOf(decodeWsMessage(encodeWsRequest('r-1', 'read', grid, 'tenant')), 'request').request;
    expect(r).toMatchObject({ id: 'r-1', op: 'read', ch: 'tenant' });
    expect(r.grid.equals(grid)).toBe(true);
    const n = kindOf(decodeWsMessage(encodeWsRequest(42, 'about', Grid.EMPTY)), 'request').request;
    expect(n.id).toBe(42);
    expect(n.ch).toBeUndefined();
    // haystack-py sends no grid for some requests: the empty grid.
    expect(kindOf(decodeWsMessage('{"id":"1","op":"about"}'), 'request').request.grid.isEmpty).toBe(true);
  });

  it('round-trips answers, batches and pushes', () => {
    const res = kindOf(decodeWsMessage(encodeWsResponse(7, grid)), 'response').response;
    expect(res.id).toBe(7);
    expect(res.grid.equals(grid)).toBe(true);
    const batch = kindOf(
      decodeWsMessage(encodeWsBatch([encodeWsRequest('1', 'about', Grid.EMPTY), '{"id":"2","op":3}', '5'])),
      'batch',
    );
    expect(batch.items).toHaveLength(3);
    const [first, second, third] = batch.items;
    expect(first !== undefined && isWsRequest(first)).toBe(true);
    // A bad member keeps its id so that its error answer lands in its place.
    expect(second !== undefined && isWsBadItem(second) && second.id === '2').toBe(true);
    expect(third !== undefined && isWsBadItem(third) && third.error.code).toBe('HS_ERR_BAD_REQUEST');
    const push = kindOf(decodeWsMessage(encodeWsPush('w1', grid)), 'push');
    expect(push.watchId).toBe('w1');
    expect(push.grid.equals(grid)).toBe(true);
  });

  it('reads the auth and keep-alive steps', () => {
    expect(kindOf(decodeWsMessage(encodeWsAuth('tok')), 'auth').authToken).toBe('tok');
    // haystack-py's WebSocketPool sends its token in a message of its own.
    expect(kindOf(decodeWsMessage('{"type":"auth","token":"tok"}'), 'auth').authToken).toBe('tok');
    expect(kindOf(decodeWsMessage(encodeWsControl('hello', { username: 'dXNlcg' })), 'hello').fields).toEqual({
      type: 'hello',
      username: 'dXNlcg',
    });
    expect(decodeWsMessage(encodeWsControl('ping')).kind).toBe('ping');
    expect(decodeWsMessage(encodeWsControl('pong')).kind).toBe('pong');
    expect(decodeWsMessage(encodeWsControl('authErr')).kind).toBe('authErr');
  });

  it('rejects bad messages with typed errors', () => {
    expect(() => decodeWsMessage('{"id":1,"op":')).toThrow(ParseError);
    const code = (text: string): string | undefined => {
      try {
        decodeWsMessage(text);
      } catch (err) {
        return err instanceof HaystackError ? err.code : undefined;
      }
      return undefined;
    };
    expect(code('"text"')).toBe('HS_ERR_BAD_REQUEST');
    expect(code('{"type":"nope"}')).toBe('HS_ERR_BAD_REQUEST');
    expect(code('{"type":"auth"}')).toBe('HS_ERR_BAD_REQUEST');
    expect(code('{"type":"watch","grid":{}}')).toBe('HS_ERR_BAD_REQUEST');
    // A lone request with a bad grid or op is no throw: its id is kept, so that its error can be answered to it.
    const bad = kindOf(decodeWsMessage('{"id":1,"ch":"c","op":"read","grid":"x"}'), 'bad').item;
    expect([bad.id, bad.ch, bad.error.code]).toEqual([1, 'c', 'HS_ERR_BAD_REQUEST']);
    expect(kindOf(decodeWsMessage('{"id":"2","op":3}'), 'bad').item.id).toBe('2');
    expect(() => decodeWsMessage('[[[[1]]]]', { maxDepth: 2 })).toThrow(LimitError);
  });

  it('names its close codes', () => {
    expect(wsCloseReason(WS_CLOSE.AUTH_FAILED.code)).toBe('AUTH_FAILED');
    expect(wsCloseReason(1234)).toBeUndefined();
  });
});
