// The shared PostgreSQL of the tests (127.0.0.1:5432, database `test`, trust auth): private schemas, dropped after.

import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** URL of the test server (override with HAYSTACK_TEST_PG). */
export const TEST_PG_URL = process.env.HAYSTACK_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Schemas made by {@link testSchemas}: a random prefix per test file, so parallel files never meet. */
export function testSchemas(tag: string): { next(): string; dropAll(): Promise<void> } {
  const prefix = `hs_${tag}_${randomBytes(4).toString('hex')}`;
  const made: string[] = [];
  return {
    next: () => {
      const name = `${prefix}_${String(made.length + 1)}`;
      made.push(name);
      return name;
    },
    dropAll: async () => {
      if (made.length === 0) return;
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      try {
        for (const s of made.splice(0)) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

/** One query on the test server, outside any store (test set-up and checks). */
export async function adminQuery<R extends object>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
  const c = new pg.Client({ connectionString: TEST_PG_URL });
  await c.connect();
  try {
    return (await c.query<R>(sql, params as unknown[])).rows;
  } finally {
    await c.end();
  }
}

/**
 * Schemas for stores that each start empty: a schema whose store was closed is emptied and handed out again, so a
 * file of contract tests makes a handful of schemas rather than one per test (DDL is the slow part).
 */
export function reusableSchemas(tag: string): {
  /** A schema with no store open on it, empty (new, or emptied). */
  take(): Promise<string>;
  /** The store on `schema` is closed: it may be reused. */
  give(schema: string): void;
  /** Drop every schema made. */
  dropAll(): Promise<void>;
} {
  const schemas = testSchemas(tag);
  const free: string[] = [];
  let admin: pg.Client | undefined;
  return {
    take: async () => {
      const s = free.pop();
      if (s === undefined) return schemas.next();
      if (admin === undefined) {
        admin = new pg.Client({ connectionString: TEST_PG_URL });
        await admin.connect();
      }
      // DELETE, not TRUNCATE: the tables are tiny, and TRUNCATE makes new files for each.
      const tables = [
        'entity',
        'tag',
        'tombstone',
        'his',
        'priority',
        'watch',
        'watch_entity',
        'users',
        'session',
        'entity_change',
        'auth_throttle',
        'auth_known',
        'auth_handshake',
      ];
      await admin.query(
        `${tables.map((t) => `DELETE FROM "${s}".${t}`).join('; ')}; UPDATE "${s}".meta SET value = 0 WHERE key = 'version'`,
      );
      return s;
    },
    give: (schema) => {
      free.push(schema);
    },
    dropAll: async () => {
      await admin?.end();
      admin = undefined;
      await schemas.dropAll();
    },
  };
}
