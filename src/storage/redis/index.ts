// Public door of `haystack-ts/storage/redis`: the store on plain Redis 7 or Valkey (ioredis, an optional dependency).

export {
  DEFAULT_MIRROR_CHUNK,
  DEFAULT_MIRROR_ENTITIES,
  type SharedMirrorStats,
} from '../indexed/shared-mirror.js';
export { DEFAULT_REDIS_LIMITS, type RedisReadStats, type RedisStoreLimits } from './redis-state.js';
export {
  openRedisStore,
  type RedisPersistence,
  type RedisStore,
  type RedisStoreOptions,
} from './redis-store.js';
