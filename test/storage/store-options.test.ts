// Every storage factory refuses a misspelt option, and a value of the wrong type or range, with an OptionError
// naming it, before it opens anything (no database is reached: the checks come first). Asserted by code and option.
import { describe, expect, it } from 'vitest';
import { filterHas } from '../../src/core/index.js';
import { createMemoryAuthState, createMemoryStore, createMemoryUserStore } from '../../src/storage/memory/index.js';
import { openPostgresStore } from '../../src/storage/postgres/index.js';
import { openRedisStore } from '../../src/storage/redis/index.js';
import { compileFilterSql } from '../../src/storage/sql/index.js';
import { openSqliteStore, SQLITE_DIALECT } from '../../src/storage/sqlite/index.js';
import { untyped as bad, optionProblem } from '../support/errors.js';

// An unreachable port: were a check missing, the open would fail with a connection error instead.
const pgUrl = 'postgres://postgres@127.0.0.1:1/none';
const redisUrl = 'redis://127.0.0.1:1';

describe('a misspelt option is refused by every storage factory', () => {
  it.each<[string, (o: never) => unknown, Record<string, unknown>, string]>([
    ['createMemoryStore', createMemoryStore, { idprefix: 'x' }, 'idprefix'],
    ['createMemoryAuthState', createMemoryAuthState, { maxEntry: 5 }, 'maxEntry'],
    ['createMemoryUserStore', createMemoryUserStore, { clok: Date.now }, 'clok'],
    ['openSqliteStore', openSqliteStore, { path: ':memory:', busyTimeout: 5 }, 'busyTimeout'],
    ['openPostgresStore', openPostgresStore, { url: pgUrl, schemaName: 'x' }, 'schemaName'],
    ['openRedisStore', openRedisStore, { url: redisUrl, keyPrefix: 'x' }, 'keyPrefix'],
    ['compileFilterSql', (o) => compileFilterSql(filterHas('a'), SQLITE_DIALECT, o), { table: 'x' }, 'table'],
  ])('%s', async (_name, make, options, option) => {
    expect(await optionProblem(() => make(bad(options)))).toEqual(['HS_ERR_OPTION_UNKNOWN', option]);
  });
});

describe('a value of the wrong type or range is refused', () => {
  it.each<[string, () => unknown, string, string]>([
    ['memory: options not an object', () => createMemoryStore(bad('x')), 'HS_ERR_OPTION_TYPE', ''],
    ['memory: a clock that is no function', () => createMemoryStore(bad({ clock: 5 })), 'HS_ERR_OPTION_TYPE', 'clock'],
    [
      'memory: shareWith that is no memory store',
      () => createMemoryStore(bad({ shareWith: {} })),
      'HS_ERR_OPTION_TYPE',
      'shareWith',
    ],
    [
      'memory auth state: zero entries',
      () => createMemoryAuthState({ maxEntries: 0 }),
      'HS_ERR_OPTION_RANGE',
      'maxEntries',
    ],
    [
      'memory users: a clock that is no function',
      () => createMemoryUserStore(bad({ clock: 1 })),
      'HS_ERR_OPTION_TYPE',
      'clock',
    ],
    ['sqlite: no path', () => openSqliteStore(bad({})), 'HS_ERR_OPTION_MISSING', 'path'],
    ['sqlite: a path of the wrong type', () => openSqliteStore(bad({ path: 5 })), 'HS_ERR_OPTION_TYPE', 'path'],
    [
      'sqlite: an unknown synchronous mode',
      () => openSqliteStore(bad({ path: ':memory:', synchronous: 'off' })),
      'HS_ERR_OPTION_RANGE',
      'synchronous',
    ],
    [
      'sqlite: mustExist of the wrong type',
      () => openSqliteStore(bad({ path: ':memory:', mustExist: 'yes' })),
      'HS_ERR_OPTION_TYPE',
      'mustExist',
    ],
    [
      'postgres: a bad id prefix',
      () => openPostgresStore({ url: pgUrl, idPrefix: 'a b' }),
      'HS_ERR_OPTION_RANGE',
      'idPrefix',
    ],
    ['postgres: a bad schema', () => openPostgresStore({ url: pgUrl, schema: 'A-B' }), 'HS_ERR_OPTION_RANGE', 'schema'],
    [
      'postgres: an unknown timescale mode',
      () => openPostgresStore(bad({ url: pgUrl, timescale: 'yes' })),
      'HS_ERR_OPTION_RANGE',
      'timescale',
    ],
    [
      'postgres: a negative retention',
      () => openPostgresStore({ url: pgUrl, historyRetentionMs: -1 }),
      'HS_ERR_OPTION_RANGE',
      'historyRetentionMs',
    ],
    [
      'postgres: a query timeout no timer can wait',
      () => openPostgresStore({ url: pgUrl, queryTimeoutMs: 2 ** 31 }),
      'HS_ERR_OPTION_RANGE',
      'queryTimeoutMs',
    ],
    ['postgres: a zero pool', () => openPostgresStore({ url: pgUrl, poolSize: 0 }), 'HS_ERR_OPTION_RANGE', 'poolSize'],
    ['postgres: a url of the wrong type', () => openPostgresStore(bad({ url: 5 })), 'HS_ERR_OPTION_TYPE', 'url'],
    ['redis: a url of the wrong type', () => openRedisStore(bad({ url: 5 })), 'HS_ERR_OPTION_TYPE', 'url'],
    [
      'redis: a command timeout of text',
      () => openRedisStore(bad({ url: redisUrl, commandTimeoutMs: '5' })),
      'HS_ERR_OPTION_TYPE',
      'commandTimeoutMs',
    ],
    [
      'redis: cluster of the wrong type',
      () => openRedisStore(bad({ url: redisUrl, cluster: 'yes' })),
      'HS_ERR_OPTION_TYPE',
      'cluster',
    ],
  ])('%s', async (_name, make, code, option) => {
    expect(await optionProblem(make)).toEqual([code, option]);
  });
});
