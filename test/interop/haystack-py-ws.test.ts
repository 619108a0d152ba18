// haystack-py 0.1.10's WebSocketClient (../shared/interop/haystack-py) against our /api/ws with a bearer token.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWsFixture, type WsFixture } from '../server/ws/ws-fixture.js';
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
});
