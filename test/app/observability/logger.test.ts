// The app's logger: background warnings become records of the log, so a JSON log stays JSON line by line; an
// internal error's record carries the request id of the request it failed; WebSocket op calls have lines too.

import diagnostics from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import type { AppOutput } from '../../../src/app/app-output.js';
import { logEvents } from '../../../src/app/observability/log-events.js';
import { createLogger, warningsLogged } from '../../../src/app/observability/logger.js';
import { UsersClient, WebSocketClient } from '../../../src/client/index.js';
import { HaystackError } from '../../../src/core/errors.js';
import { type OpEvent, SERVER_CHANNELS, type ServerErrorEvent } from '../../../src/server/index.js';
import { startWsFixture } from '../../server/ws/ws-fixture.js';

/** An output that records each kind of line, and a JSON logger at `level` writing to its `log`. */
function outputs(level: 'info' | 'error' | 'silent') {
  const lines = { notice: [] as string[], log: [] as string[], warn: [] as string[] };
  const out: AppOutput = {
    notice: (l) => lines.notice.push(l),
    log: (l) => lines.log.push(l),
    warn: (l) => lines.warn.push(l),
  };
  const logger = createLogger({ level, format: 'json', write: out.log, fields: { worker: 2 } });
  return { lines, logged: warningsLogged(out, logger) };
}

describe('warningsLogged', () => {
  it('writes a warning as an error record of the log, never as a plain line beside the JSON ones', () => {
    const { lines, logged } = outputs('info');
    logged.warn('worker 2 stopped (killed by SIGKILL): starting it again');
    logged.notice('listening');
    expect(lines.warn).toEqual([]);
    expect(lines.notice).toEqual(['listening']);
    expect(lines.log).toHaveLength(1);
    const record = JSON.parse(lines.log[0] ?? '') as Record<string, unknown>;
    expect(record).toMatchObject({
      level: 'error',
      subsystem: 'server',
      worker: 2,
      msg: 'worker 2 stopped (killed by SIGKILL): starting it again',
    });
  });

  it('still shows under --quiet (level error), and not when the log is silent', () => {
    const quiet = outputs('error');
    quiet.logged.warn('purging sessions: store unavailable');
    expect(quiet.lines.log).toHaveLength(1);
    const silent = outputs('silent');
    silent.logged.warn('purging sessions: store unavailable');
    expect(silent.lines.log).toEqual([]);
    expect(silent.lines.warn).toEqual([]);
  });
});

describe('logEvents', () => {
  it('logs each op call over a WebSocket as an HTTP request is logged, but not the pushes the server polls for', () => {
    const lines: string[] = [];
    const detach = logEvents(createLogger({ level: 'info', format: 'json', write: (l) => lines.push(l) }));
    const call = (transport: string, op: string, errorCode?: 'HS_ERR_UNKNOWN_OP'): OpEvent => ({
      op,
      transport,
      username: 'vera',
      requestId: undefined,
      connectionId: undefined,
      address: undefined,
      errorCode,
      cached: false,
      durationMs: 1.24,
    });
    try {
      const ops = diagnostics.channel(SERVER_CHANNELS.op);
      ops.publish(call('ws', 'read'));
      ops.publish(call('ws', 'nope', 'HS_ERR_UNKNOWN_OP'));
      ops.publish(call('ws-push', 'watchPoll'));
      // An HTTP call has its line from the request channel, with the status: not a second one.
      ops.publish(call('http', 'about'));
    } finally {
      detach();
    }
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      expect.objectContaining({ level: 'info', subsystem: 'ws', user: 'vera', op: 'read', ms: 1.2, msg: 'request' }),
      expect.objectContaining({ subsystem: 'ws', op: 'nope', err: 'HS_ERR_UNKNOWN_OP', msg: 'request' }),
    ]);
  });

  it('ties a WebSocket op line to its connection, and a users API change to its request, as HTTP lines are', async () => {
    const f = await startWsFixture();
    const lines: string[] = [];
    const detach = logEvents(createLogger({ level: 'debug', format: 'json', write: (l) => lines.push(l) }));
    try {
      const ws = new WebSocketClient({ url: f.wsUrl, token: await f.token('admin') });
      await ws.about();
      await ws.close();
      const users = await UsersClient.connect({ url: f.url, fetch, token: await f.token('admin') });
      await users.create({ username: 'newbie', password: 'a long enough secret', role: 'viewer' });
    } finally {
      detach();
      await f.close();
    }
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const opened = records.find((r) => r.subsystem === 'ws' && r.msg === 'connection open');
    const about = records.find((r) => r.subsystem === 'ws' && r.msg === 'request' && r.op === 'about');
    expect(typeof opened?.conn).toBe('number');
    expect(about).toMatchObject({ conn: opened?.conn, addr: '127.0.0.1', user: 'admin' });
    const request = records.find((r) => r.subsystem === 'http' && r.msg === 'request' && r.op === 'users');
    const change = records.find((r) => r.subsystem === 'auth' && r.msg === 'user');
    expect(typeof request?.reqId).toBe('string');
    expect(change).toMatchObject({
      action: 'create',
      user: 'newbie',
      by: 'admin',
      addr: '127.0.0.1',
      reqId: request?.reqId,
    });
  });

  it("logs an internal error with its request's id, the reqId of that request's line", () => {
    const lines: string[] = [];
    const detach = logEvents(createLogger({ level: 'info', format: 'json', write: (l) => lines.push(l) }));
    try {
      const event: ServerErrorEvent = { op: 'read', error: new Error('boom'), requestId: 'req-7' };
      diagnostics.channel(SERVER_CHANNELS.error).publish(event);
    } finally {
      detach();
    }
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      level: 'error',
      subsystem: 'server',
      op: 'read',
      reqId: 'req-7',
      msg: 'internal error',
    });
  });
});

describe('logEvents while the store cannot be reached', () => {
  it('records one `store unavailable` line per 10 s without a stack, counting the calls failed meanwhile', () => {
    const lines: string[] = [];
    let clock = 1_000_000;
    const detach = logEvents(createLogger({ level: 'info', format: 'json', write: (l) => lines.push(l) }), () => clock);
    const fail = (requestId: string): void => {
      const error = new HaystackError('HS_ERR_UNAVAILABLE', 'Store unavailable: connect ECONNREFUSED 127.0.0.1:5432');
      diagnostics.channel(SERVER_CHANNELS.error).publish({ op: 'read', error, requestId } satisfies ServerErrorEvent);
    };
    try {
      // Before, each of these was an `internal error` record with the whole stack.
      for (let i = 0; i < 50; i++) fail(`req-${String(i)}`);
      clock += 10_000;
      fail('req-50');
      // Other failures are still recorded one by one, with their stack.
      diagnostics.channel(SERVER_CHANNELS.error).publish({ op: 'read', error: new Error('boom'), requestId: 'req-x' });
    } finally {
      detach();
    }
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toHaveLength(3);
    expect(records[0]).toMatchObject({ level: 'error', msg: 'store unavailable', reqId: 'req-0', op: 'read' });
    expect(records[0]?.reason).toMatch(/ECONNREFUSED/);
    expect(records[0]).not.toHaveProperty('err');
    expect(records[1]).toMatchObject({ msg: 'store unavailable', reqId: 'req-50', failedSince: 49 });
    expect(records[2]).toMatchObject({ msg: 'internal error', reqId: 'req-x' });
  });
});

describe('createLogger', () => {
  it("escapes request text once on a pretty line, not the JSON record's escapes a second time", () => {
    const op = 'x\u0085y\u202e\u001b[31m"z\\';
    const json: string[] = [];
    const pretty: string[] = [];
    createLogger({ format: 'json', write: (l) => json.push(l) }).info({ op }, 'request');
    createLogger({ format: 'pretty', write: (l) => pretty.push(l) }).info({ op }, 'request');
    // JSON leaves C1 and bidi controls raw: such a value is escaped as text (its backslashes doubled) before JSON's.
    expect((JSON.parse(json[0] ?? '') as { op: string }).op).toBe('x\\u0085y\\u202e\\u001b[31m"z\\\\');
    // logfmt escapes every control, bidi control, quote and backslash itself, once: a logfmt reader gets `op` back.
    expect(pretty[0]).toMatch(/ info request op="x\\u0085y\\u202e\\u001b\[31m\\"z\\\\"$/);
  });
});
