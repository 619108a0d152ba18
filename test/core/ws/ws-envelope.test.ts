// The WebSocket envelope: every message shape round-trips, bad messages fail with typed errors.

import { describe, expect, it } from 'vitest';
import { drainSteps } from '../../../src/core/codec/steps.js';
import { HaystackError, LimitError, ParseError } from '../../../src/core/errors.js';
import { Grid } from '../../../src/core/grid/grid.js';
import { Num } from '../../../src/core/kinds/number.js';
import { Ref } from '../../../src/core/kinds/ref.js';
import { WS_CLOSE, wsCloseReason } from '../../../src/core/ws/ws-close-codes.js';
import {
  decodeWsMessage,
  decodeWsMessageSteps,
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

// A decoded message, or the code of the typed error it failed with.
function outcomeOf(read: () => WsMessage): unknown {
  try {
    return read();
  } catch (err) {
    return err instanceof HaystackError ? `${err.code} ${err.message}` : err;
  }
}

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

  it('reads in steps what it reads in one pass, pausing between slices; rows past a bound are refused', () => {
    const big = Grid.fromDicts(
      Array.from({ length: 50 }, (_, i) => ({ id: new Ref(`p${String(i)}`), v: new Num(i, 'kW'), l: [1, 'x'] })),
      { dis: 'big' },
    );
    const texts = [
      encodeWsRequest(1, 'read', big),
      encodeWsRequest('r', 'hisRead', big, 'ch1'),
      encodeWsBatch([encodeWsRequest(1, 'read', big), encodeWsRequest(2, 'about', Grid.EMPTY), '7', '[1,[2]]']),
      encodeWsPush('w1', big),
      encodeWsAuth('tok'),
      '{"id":1,"op":"read","grid":{"rows":[{"a":1}],"cols":[{"name":"a"}],"_kind":"grid","meta":{"ver":"3.0"}}}',
      '{"id":1,"grid":{"_kind":"ref","val":"a"},"op":"read","grid":null}',
      '{"id":1,"op":"read","grid":{"_kind":"ref","val":"a"}}',
      '{"id":1,"op":"read","grid":"x"}',
      '{"id":1,"op":"read","grid":{"rows":[]}}',
      '[{"id":1,"op":"read","grid":{"_kind":"grid"}},{"id":2,"op":"read","grid":{"rows":[],"meta":{}}}]',
      '{"id":1,"op":"read","grid":{"_kind" : "grid" ,"rows":[{"a":1}]}}',
      '{"id":1,"op":"read","grid":{"_kind":"grid","rows":[{"a":1}],"_kind":"grid"}}',
      '{"id":1,"op":"read","grid":{"_kind":"grid","meta":{"ver":"9"}}}',
      '{"id":1,"op":"read","grid":{"_kind":"grid","rows":[{"a":1},2]}}',
      '{"id":1,"bad key":{"x":[1]},"op":"read"}',
      '{"_kind":"dict","id":1,"op":"read"}',
      '{"id":1,"_kind":"dict","op":"read"}',
      ' { } ',
      '[]',
      '"text"',
      '{"id":1,"op":"read","grid":{"_kind":"grid","rows":[{"a":1}]},"grid":{"_kind":"grid"}}',
    ];
    for (const text of texts) {
      const whole = outcomeOf(() => decodeWsMessage(text));
      let pauses = 0;
      const stepped = outcomeOf(() => {
        const steps = decodeWsMessageSteps(text, {}, 16, Number.POSITIVE_INFINITY);
        for (let r = steps.next(); ; r = steps.next()) {
          if (r.done === true) return r.value;
          pauses++;
        }
      });
      expect(stepped, text).toEqual(whole);
      if (text.length > 2000) expect(pauses).toBeGreaterThan(10);
    }
    // The same limits, at the same depths.
    for (const text of [
      '[{"grid":{"_kind":"grid","meta":{"m":[1]},"rows":[{"a":[[1]]}]}}]',
      '{"grid":{"_kind":"grid","rows":[{"a":[1]}]},"x":[[1]]}',
      '[{"a":[1]},{}]',
      '[]',
    ]) {
      for (let maxDepth = 1; maxDepth <= 6; maxDepth++) {
        const whole = outcomeOf(() => decodeWsMessage(text, { maxDepth }));
        expect(
          outcomeOf(() => drainSteps(decodeWsMessageSteps(text, { maxDepth }, 4, 100))),
          text,
        ).toEqual(whole);
      }
    }
    // A batch past maxBatch fails before its members are looked at, read whole or in steps.
    const five = `[${new Array<string>(5).fill('1').join(',')}]`;
    expect(kindOf(decodeWsMessage(five, {}, 5), 'batch').items).toHaveLength(5);
    expect(kindOf(drainSteps(decodeWsMessageSteps(five, {}, 1, 100, 5)), 'batch').items).toHaveLength(5);
    expect(() => decodeWsMessage(five, {}, 4)).toThrow(LimitError);
    expect(() => drainSteps(decodeWsMessageSteps(five, {}, 1, 100, 4))).toThrow(LimitError);
    const longRow = encodeWsRequest(1, 'read', Grid.fromDicts([{ a: 'x'.repeat(200) }]));
    expect(() => drainSteps(decodeWsMessageSteps(longRow, {}, 16, 100))).toThrow(LimitError);
    expect(() => drainSteps(decodeWsMessageSteps(`{"x":"${'y'.repeat(200)}","op":"a"}`, {}, 16, 100))).toThrow(
      LimitError,
    );
  });

  it('names its close codes', () => {
    expect(wsCloseReason(WS_CLOSE.AUTH_FAILED.code)).toBe('AUTH_FAILED');
    expect(wsCloseReason(1234)).toBeUndefined();
  });
});
