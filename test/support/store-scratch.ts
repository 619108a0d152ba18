// Where a test file puts stores of every persistent backend: a temp folder for SQLite files, PostgreSQL schemas and
// Redis prefixes, all removed after the file. Redis may be absent off CI (its tests skip), never on CI.

import { afterAll } from 'vitest';
import { testSchemas } from './postgres.js';
import { type RedisPrefixes, redisPrefixes, redisReachable, SHARED_REDIS_URL } from './redis.js';
import { makeTempDir } from './temp-dir.js';

/** The places a test file's stores live in, and whether Redis is there. */
export interface StoreScratch {
  readonly dir: ReturnType<typeof makeTempDir>;
  readonly schemas: ReturnType<typeof testSchemas>;
  readonly prefixes: RedisPrefixes;
  readonly redisUp: boolean;
}

/** Make the places (names tagged `tag`) and remove them after the calling test file. */
export async function storeScratch(tag: string): Promise<StoreScratch> {
  const redisUp = await redisReachable();
  if (!redisUp && process.env.CI !== undefined) throw new Error(`Redis is not reachable at ${SHARED_REDIS_URL}`);
  const scratch = { dir: makeTempDir(`hs-${tag}-`), schemas: testSchemas(tag), prefixes: redisPrefixes(), redisUp };
  afterAll(async () => {
    scratch.dir.remove();
    await scratch.schemas.dropAll();
    if (redisUp) await scratch.prefixes.cleanup();
  });
  return scratch;
}
