// A Redis that keeps nothing across its own restart (no AOF, no snapshots) loses the whole store when it restarts,
// while `haystack serve` goes on serving an empty one: the start-up line says so.

import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/app/index.js';
import { REDIS_BACKEND } from '../../src/app/stores/redis-backend.js';
import { startPrivateRedis } from '../support/redis.js';

async function describeStore(aof: boolean): Promise<string> {
  const redis = await startPrivateRedis({ aof });
  try {
    const opened = await openStore(`${redis.url}?prefix=p`, [REDIS_BACKEND], {
      cwd: process.cwd(),
      scanCacheEntities: 0,
    });
    await opened.close();
    return opened.description;
  } finally {
    await redis.stop();
  }
}

describe('a Redis store', () => {
  it('says at start-up when Redis keeps nothing across its restart, and not when it keeps an AOF', async () => {
    expect(await describeStore(false)).toMatch(/prefix p .*Redis keeps nothing across its restart/);
    expect(await describeStore(true)).not.toMatch(/keeps nothing/);
  });
});
