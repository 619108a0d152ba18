// The client's other factories that take an options object refuse a misspelt option with an OptionError naming it,
// before anything is sent: a misspelt `leaseMs` or `intervalMs` would otherwise run on its default in silence.

import { describe, expect, it } from 'vitest';
import { Watch, type WatchCaller } from '../../src/client/index.js';
import { clientTlsOptions } from '../../src/client/node/index.js';
import { Grid } from '../../src/core/index.js';
import { untyped as bad, optionProblem } from '../support/errors.js';

// A server side that opens any watch as `w1` with no entities, and counts the calls it gets.
function fakeServer(): WatchCaller & { readonly calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    call: (op) => {
      calls.push(op);
      return Promise.resolve(Grid.make({ meta: { watchId: 'w1' }, cols: [] }));
    },
  };
}

describe('client factories refuse an unknown option', () => {
  it('Watch.open, before its watchSub', async () => {
    const server = fakeServer();
    expect(await optionProblem(() => Watch.open(server, ['@a'], bad({ leaseMS: 60_000 })))).toEqual([
      'HS_ERR_OPTION_UNKNOWN',
      'leaseMS',
    ]);
    expect(server.calls).toEqual([]);
  });

  it("a watch's changes(), before its first poll", async () => {
    const server = fakeServer();
    const watch = await Watch.open(server, ['@a'], { dis: 'test', leaseMs: 60_000 });
    expect(await optionProblem(() => watch.changes(bad({ interval: 5 })).next())).toEqual([
      'HS_ERR_OPTION_UNKNOWN',
      'interval',
    ]);
    expect(server.calls).toEqual(['watchSub']);
    // Known options go through: one poll, then the stop.
    const stop = new AbortController();
    const delay = (): Promise<void> => {
      stop.abort();
      return Promise.resolve();
    };
    for await (const _ of watch.changes({ intervalMs: 5, signal: stop.signal, delay })) break;
    expect(server.calls).toEqual(['watchSub', 'watchPoll']);
  });

  it('clientTlsOptions (Node), and an input that is not an object', async () => {
    expect(await optionProblem(() => clientTlsOptions(bad({ ca: 'pem', serverName: 'h' })))).toEqual([
      'HS_ERR_OPTION_UNKNOWN',
      'serverName',
    ]);
    expect(await optionProblem(() => clientTlsOptions(bad('pem')))).toEqual(['HS_ERR_OPTION_TYPE', '']);
    expect(clientTlsOptions({ servername: 'h' })).toEqual({
      minVersion: 'TLSv1.3',
      rejectUnauthorized: true,
      servername: 'h',
    });
  });
});
