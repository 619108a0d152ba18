// The `redis://` store backend: entities, history, watches, users and sessions in a Redis 7 or Valkey database.

import { ValueError } from '../../core/errors.js';
import { type StoreBackend, type StoreSpec, sharedStoreOptions } from './store-backend.js';

/** Where a `redis://` store text points: the connection URL (without `prefix`) and the key prefix. */
export interface RedisStoreLocation {
  /** The URL ioredis connects to. */
  readonly url: string;
  /** The store's key prefix (`hs` unless `?prefix=` names another). */
  readonly prefix: string;
  /** True with `?cluster=true`: the URL names one node of a Redis Cluster. */
  readonly cluster: boolean;
}

/**
 * Split `redis://host:port/db?prefix=NAME&cluster=true` into the connection URL, the prefix and the cluster flag;
 * `ValueError` when malformed.
 */
export function parseRedisLocation(text: string): RedisStoreLocation {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ValueError(`--store ${JSON.stringify(text)} is not a URL: redis://HOST:PORT[/DB][?prefix=NAME]`);
  }
  const prefix = url.searchParams.get('prefix') ?? 'hs';
  const clusterText = url.searchParams.get('cluster') ?? 'false';
  url.searchParams.delete('prefix');
  url.searchParams.delete('cluster');
  if ([...url.searchParams.keys()].length > 0) {
    throw new ValueError(`--store ${JSON.stringify(text)}: the only options are prefix and cluster`);
  }
  if (clusterText !== 'true' && clusterText !== 'false') {
    throw new ValueError(`--store ${JSON.stringify(text)}: cluster must be true or false`);
  }
  const cluster = clusterText === 'true';
  if (!/^(\/\d{0,2})?$/.test(url.pathname)) {
    throw new ValueError(`--store ${JSON.stringify(text)}: the path must be a database number such as /0`);
  }
  // A cluster has database 0 only.
  if (cluster && !/^\/?0?$/.test(url.pathname)) {
    throw new ValueError(`--store ${JSON.stringify(text)}: a Redis Cluster has database 0 only`);
  }
  return { url: url.toString(), prefix, cluster };
}

function redisBackend(scheme: 'redis' | 'rediss', usage: string): StoreBackend {
  return Object.freeze<StoreBackend>({
    scheme,
    usage,
    async open(spec: StoreSpec, context) {
      const { url, prefix, cluster } = parseRedisLocation(spec.text);
      // Loaded only when chosen: ioredis is an optional dependency.
      const { openRedisStore } = await import('../../storage/redis/index.js');
      const store = await openRedisStore({
        url,
        prefix,
        cluster,
        ...sharedStoreOptions(context),
      });
      const shown = new URL(url);
      if (shown.password !== '') shown.password = '***';
      // Said at start-up: such a Redis comes back empty from its restart, and the server serves on with nothing.
      const volatile =
        (await store.persistence().catch(() => undefined)) === 'none'
          ? ' (Redis keeps nothing across its restart: no AOF, no snapshots)'
          : '';
      return {
        store,
        users: store.users,
        authState: store.authState,
        persistent: true,
        description: `redis ${cluster ? 'cluster ' : ''}${shown.toString()} prefix ${prefix}${volatile}`,
        close: () => store.close(),
        scanCache: () => store.scanCacheStats(),
        warm: () => {
          // A failed fill (server gone) is tried again by the next read; Lua answers meanwhile.
          store.warmScanCache().catch(() => undefined);
        },
      };
    },
  });
}

/** `--store redis://HOST:PORT[/DB][?prefix=NAME]`: a store in Redis 7 or Valkey, shared by every server using it. */
export const REDIS_BACKEND: StoreBackend = redisBackend(
  'redis',
  'redis://HOST:PORT[/DB][?prefix=NAME] (Redis 7 or Valkey; several servers may share it)',
);

/** `--store rediss://...`: the same over TLS. */
export const REDISS_BACKEND: StoreBackend = redisBackend('rediss', 'rediss://... (the same over TLS)');
