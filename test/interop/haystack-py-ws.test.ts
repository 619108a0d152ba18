// haystack-py 0.1.10's WebSocket clients (../shared/interop/haystack-py) against our /api/ws: every method, its
// pool and its reconnecting client.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startWsFixture, type WsFixture } from '../server/ws/ws-fixture.js';
import { haystackPyPython, pythonAvailable, runPython } from '../support/python.js';
import { sharedAvailable } from '../support/shared.js';

describe.skipIf(!pythonAvailable() || !sharedAvailable('interop/haystack-py'))('haystack-py WebSocketClient', () => {
  let python: string;
  let f: WsFixture;
  beforeAll(async () => {
    python = await haystackPyPython();
    f = await startWsFixture();
  }, 600_000);
  afterAll(async () => {
    await f.close();
  });

  it('reads about and sites, runs a batch and receives a watch push', async () => {
    const out = await runPython(python, 'hspy_ws_session.py', [f.wsUrl, await f.token('operator')]);
    expect(JSON.parse(out)).toEqual({
      productName: 'haystack-ts',
      sites: ['Site 1'],
      batch: [1, 3],
      push: { sameWatch: true, curVal: 77 },
    });
  }, 60_000);

  it('every op, each range form, batches, watches with pushes, errors, SCRAM, a pool and a reconnect', async () => {
    const out = await runPython(python, 'hspy_ws_methods.py', [
      f.wsUrl,
      await f.token('operator'),
      await f.token('viewer'),
      'operator',
      PASSWORD,
    ]);
    const report = JSON.parse(out) as {
      readonly steps: Readonly<
        Record<string, { readonly ok: boolean; readonly value?: unknown; readonly error?: unknown }>
      >;
    };
    const seen = Object.fromEntries(
      Object.entries(report.steps).map(([k, v]) => [k, v.ok ? { value: v.value } : { error: v.error }]),
    );
    const callError = (errCode: string): { error: unknown } => ({ error: { type: 'CallError', errCode } });
    const day = [
      ['2024-03-04T09:00:00-05:00', 70],
      ['2024-03-04T09:15:00-05:00', 71],
    ];
    expect(seen).toEqual({
      about: { value: 'haystack-ts' },
      ops: { value: expect.arrayContaining(['about', 'hisRead', 'pointWrite', 'read', 'watchPoll', 'watchSub']) },
      formats: { value: expect.arrayContaining(['application/json', 'text/zinc']) },
      read: { value: ['p1', 'p2', 'p3'] },
      readLimit: { value: 2 },
      readByIds: { value: ['p1', null] },
      nav: { value: ['s1'] },
      hisWrite: { value: null },
      hisWriteBatch: { value: null },
      hisReadDate: { value: day },
      hisReadDates: { value: day },
      hisReadDateTimes: { value: [day[1]] },
      hisReadDateTime: { value: [day[1]] },
      hisReadToday: { value: 0 },
      hisReadBadRange: callError('HS_ERR_BAD_REQUEST'),
      // The batch write put p2 and p3 at 09:00; p1 has 09:00 and 09:15.
      hisReadBatch: { value: { cols: ['ts', 'p1', 'p2', 'p3'], rows: 2 } },
      pointWrite: { value: null },
      pointWriteArray: { value: [[8, 65, 'hs-py ws']] },
      invokeActionUnknown: callError('HS_ERR_UNKNOWN_NAME'),
      readBadFilter: callError('HS_ERR_PARSE'),
      pointWriteUnknown: callError('HS_ERR_UNKNOWN_REC'),
      unknownOp: callError('HS_ERR_UNKNOWN_OP'),
      batch: { value: [1, 3, 1] },
      // A failing member raises its error; the connection goes on.
      batchWithError: callError('HS_ERR_PARSE'),
      afterBatchError: { value: 'haystack-ts' },
      watchSub: { value: { watchId: true, ids: ['p1', 'p3'] } },
      watchPollEmpty: { value: 0 },
      watchPush: { value: [[true, [['p3', 81]]]] },
      watchPollRefresh: { value: ['p1', 'p3'] },
      watchUnsub: { value: null },
      watchPollAfterUnsub: { value: ['p1'] },
      watchClose: { value: null },
      watchPollClosed: callError('HS_ERR_UNKNOWN_NAME'),
      viewerRead: { value: 1 },
      viewerPointWrite: callError('HS_ERR_PERMISSION'),
      viewerHisWrite: callError('HS_ERR_PERMISSION'),
      // A refused token closes the socket with 4003, which its client raises as a lost connection.
      badToken: { error: { type: 'NetworkError' } },
      // SCRAM over the socket works against us (not against its own server, a fault of its own).
      scramLogin: { value: 'haystack-ts' },
      scramWrongPassword: { error: { type: 'AuthError' } },
      pool: { value: ['haystack-ts', 3] },
      poolToken: { value: 'haystack-ts' },
      reconnectingAbout: { value: 'haystack-ts' },
      reconnectedRead: { value: 1 },
      reconnects: { value: 2 },
    });
  }, 120_000);
});
