// dispatchOp without HTTP: a transport hands a principal and a request grid and gets a response or error grid,
// with the stage hooks and the haystack:server:op event seeing every call.

import diagnostics from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeZinc } from '../../src/core/codec/zinc/index.js';
import { HaystackError } from '../../src/core/errors.js';
import { Dict } from '../../src/core/grid/dict.js';
import { Grid } from '../../src/core/grid/grid.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { createHandler, type OpEvent, type Principal, SERVER_CHANNELS } from '../../src/server/index.js';
import { createMemoryStore } from '../../src/storage/memory/index.js';
import { BUILDING } from './support/server-fixture.js';

const VIEWER: Principal = { username: 'vera', role: 'viewer' };
const OPERATOR: Principal = { username: 'otto', role: 'operator' };

async function pipelineOver(responseCache = false) {
  const store = createMemoryStore();
  await store.commit(BUILDING.map((r) => ({ op: 'add', tags: Dict.of(r) })));
  return createHandler({ store, authenticate: () => Promise.resolve(undefined), responseCache }).pipeline;
}

const filterGrid = (filter: string): Grid => Grid.fromDicts([Dict.of({ filter })]);
const writeGrid = Grid.fromDicts([Dict.of({ id: new Ref('sp'), level: 17, val: 70 })]);

const unsubscribers: (() => void)[] = [];
afterEach(() => {
  for (const u of unsubscribers.splice(0)) u();
});

describe('dispatchOp as a WebSocket transport uses it', () => {
  it('answers the response grid for a principal and a request grid', async () => {
    const pipeline = await pipelineOver();
    const res = await pipeline.callOp({ op: 'read', principal: VIEWER, transport: 'ws', request: filterGrid('site') });
    expect(res.isError).toBe(false);
    expect(res.size).toBe(2);
  });

  it('awaits what a custom op or a request reader returns, a thenable too, and answers its failure', async () => {
    const store = createMemoryStore();
    const thenable = <T>(v: T, fail = false): PromiseLike<T> => ({
      // biome-ignore lint/suspicious/noThenProperty: a promise-like on purpose
      then: (ok, ko) =>
        Promise.resolve().then(() => (fail ? ko?.(new HaystackError('HS_ERR_BAD_REQUEST', 'no')) : ok?.(v))) as never,
    });
    const answer = Grid.fromDicts([Dict.of({ x: 1 })]);
    const { pipeline } = createHandler({
      store,
      noAuth: true,
      ops: [
        {
          name: 'later',
          doc: '',
          noSideEffects: true,
          requiredRole: 'viewer',
          handler: () => thenable(answer) as never,
        },
        {
          name: 'fails',
          doc: '',
          noSideEffects: true,
          requiredRole: 'viewer',
          handler: () => thenable(answer, true) as never,
        },
      ],
    });
    const got = await pipeline.callOp({
      op: 'later',
      principal: VIEWER,
      transport: 'ws',
      request: () => thenable(Grid.EMPTY) as never,
    });
    expect(encodeZinc(got)).toBe(encodeZinc(answer));
    const failed = await pipeline.dispatchOp({ op: 'fails', principal: VIEWER, transport: 'ws', request: Grid.EMPTY });
    expect(failed.ok ? undefined : failed.reply.code).toBe('HS_ERR_BAD_REQUEST');
  });

  it('answers error grids: unknown op, role too low, op failure', async () => {
    const pipeline = await pipelineOver();
    const unknown = await pipeline.dispatchOp({ op: 'nope', principal: VIEWER, transport: 'ws', request: Grid.EMPTY });
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) {
      expect(unknown.reply.code).toBe('HS_ERR_UNKNOWN_OP');
      expect(unknown.reply.grid.meta.get('errCode')).toBe('HS_ERR_UNKNOWN_OP');
    }
    const denied = await pipeline.callOp({ op: 'pointWrite', principal: VIEWER, transport: 'ws', request: writeGrid });
    expect(denied.meta.get('errCode')).toBe('HS_ERR_PERMISSION');
    const bad = await pipeline.dispatchOp({ op: 'read', principal: VIEWER, transport: 'ws', request: Grid.EMPTY });
    // HttpApi: an error of the op itself, once its request grid was read, answers status 200.
    expect(bad.ok ? undefined : [bad.reply.code, bad.reply.status]).toEqual(['HS_ERR_BAD_REQUEST', 200]);
  });

  it('refuses an op with side effects when the call is declared safe, before reading the request', async () => {
    const pipeline = await pipelineOver();
    let read = false;
    const out = await pipeline.dispatchOp({
      op: 'pointWrite',
      principal: OPERATOR,
      transport: 'http',
      allowSideEffects: false,
      request: () => {
        read = true;
        return writeGrid;
      },
    });
    expect(out.ok ? undefined : [out.reply.code, out.reply.headers.allow]).toEqual([
      'HS_ERR_METHOD_NOT_ALLOWED',
      'POST',
    ]);
    expect(read).toBe(false);
    const allowed = await pipeline.callOp({
      op: 'pointWrite',
      principal: OPERATOR,
      transport: 'ws',
      request: writeGrid,
    });
    expect(allowed.isError).toBe(false);
  });

  it('reads the request grid within the server decode limits', async () => {
    const pipeline = await pipelineOver();
    let seen: number | undefined;
    await pipeline.callOp({
      op: 'about',
      principal: VIEWER,
      transport: 'ws',
      request: (limits) => {
        seen = limits.maxDepth;
        return Grid.EMPTY;
      },
    });
    expect(seen).toBe(pipeline.decodeLimits.maxDepth);
  });
});

describe('stage hooks and the op event', () => {
  it('run in order, and the event reports transport, user and outcome', async () => {
    const pipeline = await pipelineOver();
    const stages: string[] = [];
    const events: OpEvent[] = [];
    unsubscribers.push(
      pipeline.addHooks({
        onRequest: (ctx) => {
          stages.push(`request ${ctx.op} ${ctx.transport}`);
        },
        preHandler: (_ctx, req) => {
          stages.push(`pre ${String(req.row(0).get('filter'))}`);
        },
        onResponse: (_ctx, e) => {
          stages.push(`response ${e.errorCode ?? 'ok'}`);
        },
      }),
    );
    const listener = (m: unknown): void => {
      events.push(m as OpEvent);
    };
    diagnostics.subscribe(SERVER_CHANNELS.op, listener);
    unsubscribers.push(() => diagnostics.unsubscribe(SERVER_CHANNELS.op, listener));
    await pipeline.callOp({ op: 'read', principal: VIEWER, transport: 'ws', request: filterGrid('site') });
    await pipeline.callOp({ op: 'nope', principal: VIEWER, transport: 'ws', request: Grid.EMPTY });
    expect(stages).toEqual([
      'request read ws',
      'pre site',
      'response ok',
      'request nope ws',
      'response HS_ERR_UNKNOWN_OP',
    ]);
    expect(events.map((e) => [e.op, e.transport, e.username, e.errorCode, e.cached])).toEqual([
      ['read', 'ws', 'vera', undefined, false],
      ['nope', 'ws', 'vera', 'HS_ERR_UNKNOWN_OP', false],
    ]);
  });

  it('a hook that throws refuses the call with its error; removed hooks no longer run', async () => {
    const pipeline = await pipelineOver();
    const remove = pipeline.addHooks({
      onRequest: () => Promise.reject(new HaystackError('HS_ERR_THROTTLED', 'slow down')),
    });
    const refused = await pipeline.callOp({ op: 'about', principal: VIEWER, transport: 'ws', request: Grid.EMPTY });
    expect(refused.meta.get('errCode')).toBe('HS_ERR_THROTTLED');
    remove();
    const ok = await pipeline.callOp({ op: 'about', principal: VIEWER, transport: 'ws', request: Grid.EMPTY });
    expect(ok.isError).toBe(false);
  });

  it('marks responses served from the response cache', async () => {
    const pipeline = await pipelineOver(true);
    const call = {
      op: 'read',
      principal: VIEWER,
      transport: 'http',
      request: filterGrid('site'),
      encoding: { contentType: 'text/zinc', encodeGrid: (g: Grid) => encodeZinc(g) },
      cacheKey: 'filter=site',
    };
    const first = await pipeline.dispatchOp(call);
    const second = await pipeline.dispatchOp(call);
    expect(first.ok && first.cached).toBe(false);
    expect(second.ok && second.cached).toBe(true);
    expect(second.ok && second.body?.toString()).toBe(first.ok && first.body?.toString());
  });
});
