// The PostgreSQL driver (`pg` + `pg-copy-streams`, optional dependencies) loaded on demand, and pool settings.

import type { ConnectionOptions } from 'node:tls';
import type pg from 'pg';
import type { CopyStreamQuery } from 'pg-copy-streams';
import { StorageError } from '../../core/errors.js';
import { MAX_TIMER_MS } from '../../core/timer-ms.js';

/** A `pg` pool. */
export type PgPool = pg.Pool;
/** A client checked out of a `pg` pool. */
export type PgClient = pg.PoolClient;

/** The loaded modules. */
export interface PgDriver {
  /** The `pg` module. */
  readonly pg: typeof pg;
  /** `pg-copy-streams`' `from`: a COPY ... FROM STDIN query whose stream takes the rows. */
  readonly copyFrom: (sql: string) => CopyStreamQuery;
}

let loaded: Promise<PgDriver> | undefined;

/** Load `pg` and `pg-copy-streams` once; a `StorageError` says how to install them when they are missing. */
export function loadPgDriver(): Promise<PgDriver> {
  loaded ??= Promise.all([import('pg'), import('pg-copy-streams')]).then(
    ([pgModule, copy]) => ({
      pg: (pgModule as { default: typeof pg }).default,
      copyFrom: (copy as { from: (sql: string) => CopyStreamQuery }).from,
    }),
    (err: unknown) => {
      loaded = undefined;
      throw new StorageError(
        'The PostgreSQL store needs the optional dependencies pg and pg-copy-streams (npm install pg@^8 pg-copy-streams@^7)',
        { cause: err },
      );
    },
  );
  return loaded;
}

/** How to reach the server. */
export interface PgConnectionOptions {
  /**
   * A `postgres://` or `postgresql://` URL (user, password, host, port, database, `sslmode`, ...); what it leaves
   * out comes from the standard `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE` environment variables.
   */
  readonly url?: string;
  /** TLS to the server: `true`, or Node TLS options (CA, client certificate, servername); default from the URL. */
  readonly ssl?: boolean | ConnectionOptions;
  /** Most connections the store opens (default 10). */
  readonly poolSize?: number;
  /** How long to wait for a connection before failing the call as unavailable (default 5,000 ms). */
  readonly connectTimeoutMs?: number;
  /**
   * Longest wait for the server's reply to one statement before the call fails as unavailable and its connection is
   * dropped, in ms (default 30,000; a URL's `query_timeout` parameter overrides it). Schema migrations at open and
   * bulk commits (over 1,000 diffs) have none: their statements may take long on a large store.
   */
  readonly queryTimeoutMs?: number;
  /** `application_name` of the connections, as `pg_stat_activity` shows it (default `haystack-ts`). */
  readonly applicationName?: string;
}

// int8 columns (rid, ts, versions, epoch ms) as numbers: every value the store writes is a safe integer.
const INT8_OID = 20;

/** Default of {@link PgConnectionOptions.queryTimeoutMs}: the default client timeout, past which nobody waits. */
export const DEFAULT_QUERY_TIMEOUT_MS = 30_000;

/**
 * The settings of one connection: `schema` on its search_path, JIT off, int8 read as numbers, and (unless
 * `replyDeadline` is false) a deadline on each statement's reply.
 */
export function clientConfig(
  driver: PgDriver,
  options: PgConnectionOptions,
  schema: string,
  replyDeadline = true,
): pg.ClientConfig {
  const builtin = driver.pg.types.getTypeParser as (oid: number, format: string) => unknown;
  const getTypeParser = (oid: number, format = 'text'): unknown => (oid === INT8_OID ? Number : builtin(oid, format));
  const types = { getTypeParser } as unknown as pg.CustomTypesConfig;
  return {
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    // A server that keeps the connection open but stops answering (a frozen host, a network dropping packets)
    // would hold the call, and its connection, until TCP gives up (many minutes): the call answers unavailable.
    ...(replyDeadline ? { query_timeout: options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS } : {}),
    application_name: options.applicationName ?? 'haystack-ts',
    // JIT off: the store's statements are short, and a filter's SQL has a subquery per term, which JIT compiles
    // at length (a read of `id==@a or ...` with 20 ids over 3,000 entities took 1.4 s instead of 7 ms; with 200, tens
    // of seconds that no statement timeout or cancel interrupts).
    options: `-c search_path=${schemaPathOption(schema)} -c jit=off`,
    types,
    ...(options.url === undefined ? {} : { connectionString: options.url }),
    ...(options.ssl === undefined ? {} : { ssl: options.ssl }),
  };
}

/**
 * `c` with no reply deadline on the statements sent through it: those of a bulk write may each take long. Plain
 * statements are copied with the deadline lifted; a submittable (a COPY stream) is made for one call, so it is set.
 */
export function withoutDeadline(c: PgClient): PgClient {
  const lifted = { query_timeout: MAX_TIMER_MS };
  const query = (q: unknown, ...rest: unknown[]): unknown => {
    const run = c.query.bind(c) as (...args: unknown[]) => unknown;
    if (typeof q === 'string') return run({ text: q, values: rest[0], ...lifted }, ...rest.slice(1));
    if (typeof (q as { submit?: unknown }).submit === 'function')
      return run(Object.assign(q as object, lifted), ...rest);
    return run({ ...(q as object), ...lifted }, ...rest);
  };
  return new Proxy(c, {
    get: (target, key, receiver): unknown =>
      key === 'query' ? query : (Reflect.get(target, key, receiver) as unknown),
  });
}

/**
 * A pool whose connections use `schema` and read int8 as numbers (with a reply deadline unless `replyDeadline` is
 * false); idle-client errors never crash the process.
 */
export function createPool(
  driver: PgDriver,
  options: PgConnectionOptions,
  schema: string,
  replyDeadline = true,
): PgPool {
  const config: pg.PoolConfig = {
    ...clientConfig(driver, options, schema, replyDeadline),
    max: options.poolSize ?? 10,
    idleTimeoutMillis: 30_000,
  };
  const pool = new driver.pg.Pool(config);
  // A connection dropped while idle (server restart, pg_terminate_backend) is removed by the pool; the next call
  // opens a new one. Without a listener the 'error' event would end the process.
  pool.on('error', () => undefined);
  // The same for a connection dropped while checked out between two statements: the next statement fails (and the
  // call answers unavailable) instead of an unhandled 'error' event.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  return pool;
}

// The search_path value in a startup `options` string: spaces and backslashes escaped with a backslash.
function schemaPathOption(schema: string): string {
  return `"${schema}"`.replace(/[\\ ]/g, (c) => `\\${c}`);
}
