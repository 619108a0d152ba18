// Bad options to every factory throw an OptionError whose code says what is wrong and whose `option` says which:
// asserted by code and option path, never by message.
import { describe, expect, it } from 'vitest';
import { HaystackClient } from '../../src/client/index.js';
import { decodeJson, decodeZinc, FilterCache, OptionError, parseFilterAst, ValueError } from '../../src/core/index.js';
import { createHandler, createServer, TokenService } from '../../src/server/index.js';
import { createMemoryStore, createMemoryUserStore } from '../../src/storage/memory/index.js';
import { openRedisStore } from '../../src/storage/redis/index.js';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import { untyped as bad } from '../support/errors.js';

/** What `fn` threw, checked to be an OptionError, as `[code, option]`. */
function optionProblem(fn: () => unknown): [string, string] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(OptionError);
    // Existing handlers of bad values (the CLI's usage errors) still see a ValueError.
    expect(err).toBeInstanceOf(ValueError);
    const e = err as OptionError;
    expect(e.status).toBe(400);
    return [e.code, e.option];
  }
  throw new Error('expected an OptionError, but nothing was thrown');
}

async function asyncOptionProblem(fn: () => Promise<unknown>): Promise<[string, string]> {
  const err: unknown = await fn().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OptionError);
  const e = err as OptionError;
  return [e.code, e.option];
}

const store = createMemoryStore();
const authenticate = () => Promise.resolve(undefined);

describe('createHandler / createServer options', () => {
  it.each([
    ['an unknown option', { store, noAuth: true, basepath: '/x/' }, 'HS_ERR_OPTION_UNKNOWN', 'basepath'],
    ['no store', { noAuth: true }, 'HS_ERR_OPTION_MISSING', 'store'],
    ['a store that is not one', { store: {}, noAuth: true }, 'HS_ERR_OPTION_TYPE', 'store'],
    ['no auth choice', { store }, 'HS_ERR_OPTION_MISSING', 'authenticate'],
    ['noAuth with authenticate', { store, noAuth: true, authenticate }, 'HS_ERR_OPTION_CONFLICT', 'noAuth'],
    ['a non-boolean noAuth', { store, noAuth: 'yes' }, 'HS_ERR_OPTION_TYPE', 'noAuth'],
    ['a basePath with a query', { store, noAuth: true, basePath: '/api?x' }, 'HS_ERR_OPTION_RANGE', 'basePath'],
    ['an unknown time zone', { store, noAuth: true, tz: 'Mars' }, 'HS_ERR_OPTION_RANGE', 'tz'],
    ['a tz of the wrong type', { store, noAuth: true, tz: 5 }, 'HS_ERR_OPTION_TYPE', 'tz'],
    ['a zero lease', { store, noAuth: true, defaultLeaseMs: 0 }, 'HS_ERR_OPTION_RANGE', 'defaultLeaseMs'],
    ['a lease as text', { store, noAuth: true, maxLeaseMs: '1' }, 'HS_ERR_OPTION_TYPE', 'maxLeaseMs'],
    [
      'a default lease above the maximum',
      { store, noAuth: true, defaultLeaseMs: 10, maxLeaseMs: 5 },
      'HS_ERR_OPTION_CONFLICT',
      'defaultLeaseMs',
    ],
    ['an unknown errorStatus', { store, noAuth: true, errorStatus: 'x' }, 'HS_ERR_OPTION_RANGE', 'errorStatus'],
    ['an unknown limit', { store, noAuth: true, limits: { maxBody: 1 } }, 'HS_ERR_OPTION_UNKNOWN', 'limits.maxBody'],
    [
      'a negative limit',
      { store, noAuth: true, limits: { maxBodyBytes: -1 } },
      'HS_ERR_OPTION_RANGE',
      'limits.maxBodyBytes',
    ],
    ['an unknown about field', { store, noAuth: true, about: { name: 'x' } }, 'HS_ERR_OPTION_UNKNOWN', 'about.name'],
    [
      'an unknown WebSocket option',
      { store, noAuth: true, webSocket: { ping: 1 } },
      'HS_ERR_OPTION_UNKNOWN',
      'webSocket.ping',
    ],
    ['a function that is not one', { store, noAuth: true, clock: 5 }, 'HS_ERR_OPTION_TYPE', 'clock'],
  ])('%s', (_what, options, code, option) => {
    expect(optionProblem(() => createHandler(bad(options)))).toEqual([code, option]);
  });

  it('createServer checks its own options too', () => {
    expect(optionProblem(() => createServer({ store, noAuth: true, shutdownGraceMs: -1 }))).toEqual([
      'HS_ERR_OPTION_RANGE',
      'shutdownGraceMs',
    ]);
  });
});

describe('client options', () => {
  it.each([
    ['no options object', 'http://h/api/', 'HS_ERR_OPTION_TYPE', ''],
    ['no url', {}, 'HS_ERR_OPTION_MISSING', 'url'],
    ['a url that is not one', { url: 'not a url' }, 'HS_ERR_OPTION_RANGE', 'url'],
    ['a url of another scheme', { url: 'ftp://h/api/' }, 'HS_ERR_OPTION_RANGE', 'url'],
    ['an unknown option', { url: 'http://h/api/', timeout: 5 }, 'HS_ERR_OPTION_UNKNOWN', 'timeout'],
    ['an unknown format', { url: 'http://h/api/', format: 'xml' }, 'HS_ERR_OPTION_RANGE', 'format'],
    ['a zero timeout', { url: 'http://h/api/', timeoutMs: 0 }, 'HS_ERR_OPTION_RANGE', 'timeoutMs'],
    // A timer of 2^31 ms or more fires at once: every call would time out at once.
    ['a timeout no timer can wait', { url: 'http://h/api/', timeoutMs: 2 ** 31 }, 'HS_ERR_OPTION_RANGE', 'timeoutMs'],
    ['a timeout of text', { url: 'http://h/api/', timeoutMs: '5' }, 'HS_ERR_OPTION_TYPE', 'timeoutMs'],
    ['a username without password', { url: 'http://h/api/', username: 'u' }, 'HS_ERR_OPTION_MISSING', 'password'],
    ['a fetch that is not a function', { url: 'http://h/api/', fetch: 1 }, 'HS_ERR_OPTION_TYPE', 'fetch'],
  ])('%s', (_what, options, code, option) => {
    expect(optionProblem(() => new HaystackClient(bad(options)))).toEqual([code, option]);
  });
});

describe('store options', () => {
  it('memory: a bad id prefix, an unknown or non-positive limit', () => {
    expect(optionProblem(() => createMemoryStore({ idPrefix: 'a b' }))).toEqual(['HS_ERR_OPTION_RANGE', 'idPrefix']);
    expect(optionProblem(() => createMemoryStore({ limits: { maxEntities: 0 } }))).toEqual([
      'HS_ERR_OPTION_RANGE',
      'limits.maxEntities',
    ]);
    expect(optionProblem(() => createMemoryStore({ limits: bad({ maxThings: 1 }) }))).toEqual([
      'HS_ERR_OPTION_UNKNOWN',
      'limits.maxThings',
    ]);
  });

  it('SQLite and Redis check their options before opening anything', async () => {
    expect(await asyncOptionProblem(() => openSqliteStore({ path: ':memory:', idPrefix: 'a b' }))).toEqual([
      'HS_ERR_OPTION_RANGE',
      'idPrefix',
    ]);
    expect(await asyncOptionProblem(() => openRedisStore({ prefix: 'no spaces' }))).toEqual([
      'HS_ERR_OPTION_RANGE',
      'prefix',
    ]);
  });

  it('token service: a non-positive lifetime', () => {
    const users = createMemoryUserStore();
    expect(optionProblem(() => TokenService.create({ users, maxLifetimeMs: -1 }))).toEqual([
      'HS_ERR_OPTION_RANGE',
      'maxLifetimeMs',
    ]);
  });
});

describe('codec and filter limits', () => {
  it.each([
    ['an unknown limit', { maxDeep: 3 }, 'HS_ERR_OPTION_UNKNOWN', 'limits.maxDeep'],
    ['a zero limit', { maxDepth: 0 }, 'HS_ERR_OPTION_RANGE', 'limits.maxDepth'],
    ['a limit as text', { maxRows: '5' }, 'HS_ERR_OPTION_TYPE', 'limits.maxRows'],
  ])('decoders: %s', (_what, limits, code, option) => {
    expect(optionProblem(() => decodeZinc('M', bad(limits)))).toEqual([code, option]);
    expect(optionProblem(() => decodeJson('{}', { limits: bad(limits) }))).toEqual([code, option]);
  });

  it('filters: limits and cache capacity', () => {
    expect(optionProblem(() => parseFilterAst('a', { maxDepth: -1 }))).toEqual([
      'HS_ERR_OPTION_RANGE',
      'limits.maxDepth',
    ]);
    expect(optionProblem(() => new FilterCache({ capacity: 1.5 }))).toEqual(['HS_ERR_OPTION_RANGE', 'capacity']);
  });
});
